from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from gongzhi.budgeting.models import Idea, Process
from gongzhi.core import journal
from gongzhi.core.models import Community, Membership, Oversight, Role, RoleGrant
from gongzhi.deliberation.models import Comment, Proposal
from gongzhi.opinions.models import Conversation
from gongzhi.voting import services as voting_services
from gongzhi.voting.models import Vote


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_street(django_capture_on_commit_callbacks):
    out = io.StringIO()
    # As on a real run, the acts' after-commit work (chaining the journal, mapping the
    # conversation) runs when the seed's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", residents=300, quiet=True, stdout=out)
    communities = list(Community.objects.order_by("slug"))
    assert [c.slug for c in communities] == ["hexie", "xingfu", "yangguang"]
    assert Membership.objects.all_communities().count() == 300 + 3  # and the three named members
    roles = set(RoleGrant.objects.all_communities().values_list("role", flat=True))
    assert {
        Role.COMMUNITY_WORKER,
        Role.SUPERVISOR,
        Role.COUNCIL_MEMBER,
        Role.VOLUNTEER,
        Role.MEDIATOR,
    } <= roles
    assert Oversight.objects.filter(street__slug="heping").exists()
    names = Membership.objects.all_communities().values_list("user__display_name", flat=True)
    assert all("\u4e00" <= name[0] <= "\u9fff" for name in names)  # Chinese names
    for community in communities:
        assert journal.verify(community) is None
    assert "seconds=" in out.getvalue()
    # The first community has a living hall: proposals with support and comments, one on the
    # council's agenda; an open poll; a closed secret vote with results; a mapped conversation.
    xingfu = communities[1]
    proposals = Proposal.objects.in_community(xingfu)
    assert proposals.count() == 4 and proposals.filter(status="review").count() == 1
    assert Comment.objects.in_community(xingfu).count() >= 10
    votes = Vote.objects.in_community(xingfu)
    closed = votes.get(secret=True)
    assert closed.is_closed() and voting_services.results(closed).passed is not None
    assert any(v.is_open() for v in votes)
    conversation = Conversation.objects.in_community(xingfu).get()
    assert conversation.opinion_map.summary["groups"]  # the map was computed, with groups
    budget = Process.objects.in_community(xingfu).get()
    assert budget.phase() == "voting"
    assert Idea.objects.in_community(xingfu).filter(status="accepted").count() == 5
    # A second run leaves the demo as it is.
    call_command("seed_demo", quiet=True, stdout=io.StringIO())
    assert Membership.objects.all_communities().count() == 303
