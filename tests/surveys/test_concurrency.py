"""Two (or more) simultaneous answers by one person store exactly one: real threads against
the live server, each its own database connection (run on PostgreSQL with DATABASE_URL; SQLite
serialises writers by its own lock, and the receipt's unique constraint decides either way)."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.surveys.models import Receipt, Response
from tests.concurrency import race_posts
from tests.factories import member
from tests.surveys.answering import GOOD, open_survey


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("anonymous", [True, False])
def test_simultaneous_answers_by_one_person_store_exactly_one(
    live_server, community, worker, anonymous
):
    survey, wave = open_survey(worker=worker, community=community, anonymous=anonymous)
    resident = member(community)
    _t, token = api_token_create(user=resident, name="t")
    url = f"{live_server.url}/api/v1/communities/{community.slug}/surveys/{survey.pk}/answers"
    bodies = [{"answers": {**GOOD, "years": years}, "consent": True} for years in range(2, 8)]

    statuses = race_posts(url, token, bodies)

    assert statuses == [201] + [400] * (len(bodies) - 1)
    assert Receipt.objects.in_community(community).filter(wave=wave).count() == 1
    responses = Response.objects.in_community(community).filter(wave=wave)
    assert responses.count() == 1
    assert (responses.get().person_id == resident.pk) is (not anonymous)
    answered = Activity.objects.in_community(community).filter(verb="survey.answered")
    assert answered.count() == 1
