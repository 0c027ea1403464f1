"""Who sees a vote's results: the page and the API decide with one predicate
(``voting.view_results``), so they answer the same for every viewer, every phase and every
setting of "results shown" — the permission matrix below is the contract."""

from __future__ import annotations

import pytest
import rules
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.voting import services
from gongzhi.voting.models import ResultsShown
from tests.factories import member
from tests.voting.test_votes import close, make_vote, option_ids

#: (phase, viewer, setting) -> whether the results are shown.
EXPECTED = {
    ("open", "voted", ResultsShown.AFTER_VOTING): True,
    ("open", "not voted", ResultsShown.AFTER_VOTING): False,
    ("open", "visitor", ResultsShown.AFTER_VOTING): False,
    ("open", "voted", ResultsShown.AFTER_CLOSE): False,
    ("open", "not voted", ResultsShown.AFTER_CLOSE): False,
    ("open", "visitor", ResultsShown.AFTER_CLOSE): False,
    ("closed", "voted", ResultsShown.AFTER_VOTING): True,
    ("closed", "not voted", ResultsShown.AFTER_VOTING): True,
    ("closed", "visitor", ResultsShown.AFTER_VOTING): True,
    ("closed", "voted", ResultsShown.AFTER_CLOSE): True,
    ("closed", "not voted", ResultsShown.AFTER_CLOSE): True,
    ("closed", "visitor", ResultsShown.AFTER_CLOSE): True,
}


@pytest.mark.parametrize(("phase", "viewer", "setting"), list(EXPECTED))
@pytest.mark.django_db
def test_page_and_api_show_results_to_the_same_people(community, worker, phase, viewer, setting):
    vote = make_vote(community, worker, results_shown=setting)
    someone = member(community)  # a ballot in the box, so there is a count to show
    services.ballot_cast(actor=someone, vote=vote, content=[option_ids(vote)[0]])
    user = None if viewer == "visitor" else member(community)
    if viewer == "voted":
        services.ballot_cast(actor=user, vote=vote, content=[option_ids(vote)[1]])
    if phase == "closed":
        close(vote)
    expected = EXPECTED[phase, viewer, setting]

    assert rules.has_perm("voting.view_results", user, vote) is expected

    browser = Client()
    if user is not None:
        browser.force_login(user)
    page = browser.get(reverse("vote_detail", args=[community.slug, vote.pk]))
    assert page.status_code == 200
    assert ('id="results-heading"' in page.content.decode()) is expected

    url = f"/api/v1/communities/{community.slug}/votes/{vote.pk}/results"
    callers = {"session": (browser, {})}
    if user is not None:  # an app calls with the person's token and no session
        token = api_token_create(user=user, name="phone app")[1]
        callers["token"] = (Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"})
    for how, (caller, headers) in callers.items():
        answer = caller.get(url, **headers)
        assert answer.status_code == (200 if expected else 403), how
        if expected:
            assert answer.json()["result"]["ballots"] == (2 if viewer == "voted" else 1), how
