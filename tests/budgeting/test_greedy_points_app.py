"""A budget counted by most points first (``greedy-points``): points per rank set on the process,
checked with a message the worker understands, and the count that uses them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils.translation import gettext

from gongzhi.budgeting import services
from gongzhi.budgeting.models import Rule, Tally, TallyStatus
from tests.budgeting.helpers import make_process, project, set_phase
from tests.factories import member


def _count(process, worker):
    set_phase(process, "results")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.tally_request(actor=worker, process=process)
    return Tally.objects.in_community(process.community_id).get()


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["1,2,3", "三,二,一", "0"])
def test_points_per_rank_are_checked(community, worker, text):
    with pytest.raises(ValidationError) as caught:
        make_process(
            community, worker, rule=Rule.GREEDY_POINTS, ballot_type="ranked", rank_points=text
        )
    assert caught.value.messages == [
        gettext(
            "Write the points per rank as whole numbers from the first choice down, "
            "e.g. 3,2,1: a lower rank cannot get more points than a higher one."
        )
    ]


@pytest.mark.django_db
def test_every_rank_a_ballot_may_have_needs_points(community, worker):
    with pytest.raises(ValidationError) as caught:
        make_process(
            community,
            worker,
            rule=Rule.GREEDY_POINTS,
            ballot_type="ranked",
            max_projects=3,
            rank_points="3,2",
        )
    assert caught.value.messages == [
        gettext("Give points to each of the %(count)d ranks a ballot may have.") % {"count": 3}
    ]


@pytest.mark.django_db
def test_points_per_rank_cannot_change_once_voting_opens(community, worker):
    process = make_process(
        community, worker, "voting", rule=Rule.GREEDY_POINTS, ballot_type="ranked"
    )
    with pytest.raises(ValidationError):
        services.process_update(actor=worker, process=process, rank_points="5,1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rank_points", "funded"),
    [
        # a: 3+3 = 6, b: 2+2+3 = 7, c: 1+1+2 = 4 → b, then a does not fit (60 + 50 > 100), c.
        ("3,2,1", ["b", "c"]),
        # a: 10+10 = 20, b: 1+1+10 = 12, c: 1 → a, then b does not fit, c fits.
        ("10,1,0", ["a", "c"]),
        # empty with at most 3 ranks: 3,2,1 again.
        ("", ["b", "c"]),
    ],
)
def test_the_count_funds_by_points_per_rank(community, worker, rank_points, funded):
    process = make_process(
        community,
        worker,
        "voting",
        rule=Rule.GREEDY_POINTS,
        ballot_type="ranked",
        max_projects=3,
        budget=100,
        rank_points=rank_points,
    )
    ideas = {"a": project(process, 60, "a"), "b": project(process, 50, "b")}
    ideas["c"] = project(process, 30, "c")
    for ranking in (["a", "b", "c"], ["a", "b", "c"], ["b", "c"]):
        services.ballot_cast(
            actor=member(community), process=process, projects=[ideas[k].pk for k in ranking]
        )
    tally = _count(process, worker)
    assert tally.status == TallyStatus.DONE, tally.outcome
    name = {str(idea.pk): key for key, idea in ideas.items()}
    assert [name[p] for p in tally.outcome["selected"]] == funded
    assert tally.parameters["rank_points"] == rank_points
    rows = tally.outcome["projects"]
    assert rows[tally.outcome["selected"][0]]["reason"] == "funded_points"
    skipped = next(p for p in name if name[p] not in funded)
    assert rows[skipped]["reason"] == "not_enough_left"


@pytest.mark.django_db
def test_the_process_form_and_the_api_carry_points_per_rank(client, community, worker):
    from django.urls import reverse

    from gongzhi.budgeting.models import Process
    from tests.budgeting.helpers import dates_for

    client.force_login(worker)
    data = {k: v.strftime("%Y-%m-%dT%H:%M") for k, v in dates_for("ideas").items()}
    data |= {"title": "微更新", "budget": "50000", "ballot_type": "ranked", "min_projects": "1"}
    data |= {"points": "10", "rule": "greedy-points", "tie_breaking": "votes,min-cost"}
    url = reverse("budget_create", args=[community.slug])
    refused = client.post(url, data | {"rank_points": "1,2,3"})
    assert refused.status_code == 200
    assert not Process.objects.in_community(community).exists()
    message = gettext(
        "Write the points per rank as whole numbers from the first choice down, "
        "e.g. 3,2,1: a lower rank cannot get more points than a higher one."
    )
    assert message in refused.content.decode()
    assert client.post(url, data | {"rank_points": "3,2,1"}).status_code == 302
    process = Process.objects.in_community(community).get()
    assert (process.rule, process.rank_points) == ("greedy-points", "3,2,1")
    listing = client.get(f"/api/v1/communities/{community.slug}/budgets").json()
    item = listing["items"][0]
    assert (item["rule"], item["rank_points"]) == ("greedy-points", "3,2,1")
