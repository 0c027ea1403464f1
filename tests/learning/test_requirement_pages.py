"""The requirements page (/c/<slug>/learning/requirements/): staff only, every requirable role
with its suggested qualification preselected, turning on and off, bad input with nothing saved,
and the learning home's section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import requirements
from gongzhi.core.models import Role, RoleRequirement
from tests.factories import member

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(community) -> str:
    return reverse("learning_requirements", kwargs={"slug": community.slug})


def _turn_on(community, worker, role=Role.MEDIATOR, qualification="mediation", days=0):
    return requirements.turn_on(
        actor=worker,
        community=community,
        role=role,
        qualification=qualification,
        applies_from=timezone.localdate() + timedelta(days=days),
    )


def test_only_staff_see_the_page(community, resident, worker, other_community):
    assert _client(resident).get(_url(community)).status_code == 404
    assert _client(member(community, Role.SUPERVISOR)).get(_url(community)).status_code == 404
    assert _client(worker).get(_url(other_community)).status_code == 404
    assert Client().get(_url(community)).status_code == 302  # to the login page


def test_every_role_is_listed_with_its_suggested_qualification_preselected(
    community, worker, django_assert_max_num_queries
):
    client = _client(worker)
    with django_assert_max_num_queries(25):
        page = client.get(_url(community))
    assert page.status_code == 200
    html = page.content.decode()
    for code in requirements.registry():
        assert f'value="{code}"' in html
    assert html.count('value="mediation" selected') == 1  # the mediator's form
    assert html.count('value="chairing" selected') == 2  # a council member, a meeting's chair


def test_turn_on_then_off_from_the_page(community, worker):
    kept = member(community, Role.MEDIATOR)
    client = _client(worker)
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        _url(community),
        {"role": "mediator", "qualification": "mediation", "applies_from": day.isoformat()},
    )
    assert response.status_code == 302
    requirement = RoleRequirement.objects.in_community(community).get()
    assert (requirement.role, requirement.qualification, requirement.applies_from) == (
        "mediator",
        "mediation",
        day,
    )
    page = client.get(_url(community)).content.decode()
    assert kept.display_name in page  # the holder kept without it
    assert reverse("learning_requirement_off", args=[community.slug, requirement.pk]) in page
    response = client.post(
        reverse("learning_requirement_off", args=[community.slug, requirement.pk])
    )
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.turned_off_by == worker


@pytest.mark.parametrize(
    ("posted", "says"),
    [
        ({"qualification": "juggling"}, "juggling"),
        ({"applies_from": "2000-01-01"}, "A requirement applies from today or later."),
        ({"role": "astronaut"}, "No app declares this role."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(community, worker, posted, says):
    data = {
        "role": "mediator",
        "qualification": "mediation",
        "applies_from": timezone.localdate().isoformat(),
        **posted,
    }
    response = _client(worker).post(_url(community), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not RoleRequirement.objects.in_community(community).exists()


def test_a_second_one_for_the_same_role_is_refused(community, worker):
    _turn_on(community, worker, days=10)
    response = _client(worker).post(
        _url(community),
        {
            "role": "mediator",
            "qualification": "leadership",
            "applies_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert RoleRequirement.objects.in_community(community).count() == 1


def test_a_resident_cannot_turn_one_off(community, worker, resident):
    requirement = _turn_on(community, worker)
    url = reverse("learning_requirement_off", args=[community.slug, requirement.pk])
    assert _client(resident).post(url).status_code == 404
    requirement.refresh_from_db()
    assert requirement.turned_off_at is None


def test_the_learning_home_names_the_roles_that_need_a_qualification(community, worker, resident):
    home = reverse("learning_home", kwargs={"slug": community.slug})
    assert 'id="hub-requirements"' not in _client(resident).get(home).content.decode()
    assert _url(community) in _client(worker).get(home).content.decode()
    _turn_on(community, worker, days=5)
    html = _client(resident).get(home).content.decode()
    assert 'id="hub-requirements"' in html
    assert "调解员" in html
    assert _url(community) not in html


@pytest.mark.django_db(transaction=True)
def test_simultaneous_turn_ons_save_one_and_tell_the_others(live_server, community, worker):
    """Five workers' requests at once for one role: one requirement, four clear refusals."""
    from gongzhi.accounts.services import api_token_create
    from gongzhi.core.models import Activity
    from tests.api_world import staff
    from tests.concurrency import race_posts

    member(community, Role.MEDIATOR)
    workers = [worker] + [staff(community, Role.COMMUNITY_WORKER) for _i in range(4)]
    tokens = [api_token_create(user=w, name="t")[1] for w in workers]
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    bodies = [
        {"role": "mediator", "qualification": code, "applies_from": day}
        for code in ("mediation", "leadership", "chairing", "first_aid", "mediation")
    ]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/learning/requirements"

    statuses = race_posts(url, tokens, bodies)

    assert statuses == [201] + [400] * 4
    assert RoleRequirement.objects.in_community(community).count() == 1
    assert (
        Activity.objects.in_community(community).filter(verb="requirement.turned_on").count() == 1
    )


def test_a_role_without_a_usual_qualification_has_none_chosen(community, worker):
    response = _client(worker).post(
        _url(community),
        {"role": "reviewer", "qualification": "", "applies_from": timezone.localdate()},
    )
    assert response.status_code == 400
    assert not RoleRequirement.objects.in_community(community).exists()


def test_my_learning_names_a_role_i_keep_and_the_course_that_grants_it(community, worker):
    from tests.learning.world import award_of, course_of

    kept = member(community, Role.MEDIATOR)
    course = course_of(community, worker, title="邻里调解", qualification="mediation")
    _turn_on(community, worker)
    me = reverse("learning_me", kwargs={"slug": community.slug})
    html = _client(kept).get(me).content.decode()
    assert 'id="mine-requirements"' in html
    assert reverse("learning_course", args=[community.slug, course.pk]) in html
    assert 'id="mine-requirements"' not in _client(member(community)).get(me).content.decode()
    award_of(community, kept, "mediation")
    assert 'id="mine-requirements"' not in _client(kept).get(me).content.decode()
