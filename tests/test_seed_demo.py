"""The demo street: believable, seeded once, and never at the expense of real data: the command
refuses production settings and a database holding what the demo did not create, and --force
deletes nothing (the journal and the ledger are append-only)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from gongzhi.accounts.models import User
from gongzhi.budgeting.models import Idea, Process
from gongzhi.core import journal
from gongzhi.core.models import (
    Activity,
    Community,
    District,
    Membership,
    Oversight,
    Role,
    RoleGrant,
)
from gongzhi.deliberation.models import Comment, Proposal
from gongzhi.opinions.models import Conversation
from gongzhi.voting import services as voting_services
from gongzhi.voting.models import Vote
from tests.factories import CommunityFactory, UserFactory, member


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
    # Each community describes itself in Chinese, on Chinese pages (its own text, not the UI's).
    assert all(re.fullmatch(r"[\u4e00-\u9fff0-9，、。]+", c.description) for c in communities)
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

    # --force deletes nothing: the journal and the ledger are append-only, even in the demo.
    entries = Activity.objects.all_communities().count()
    with pytest.raises(CommandError, match="deletes nothing.*fresh data directory"):
        call_command("seed_demo", force=True, quiet=True, stdout=io.StringIO())
    assert Membership.objects.all_communities().count() == 303
    assert Activity.objects.all_communities().count() == entries
    assert all(journal.verify(c) is None for c in Community.objects.all())

    # A real resident with a 139 number who signed up in the demo, and a community someone
    # made there, are not the demo's: --force names them and touches nothing.
    theirs = CommunityFactory(slug="zhenshi")
    member(theirs, phone="+8613912345678")
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", force=True, quiet=True, stdout=io.StringIO())
    message = str(refused.value)
    assert "community zhenshi" in message and "1 account(s)" in message
    assert "did not create" in message
    assert User.objects.filter(phone="+8613912345678").exists()
    assert Community.objects.filter(slug="zhenshi").exists()
    # What people do in the demo does not stop `make run` (a plain run) either.
    call_command("seed_demo", quiet=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_seed_demo_refuses_a_database_that_holds_real_people():
    # Even with the number of a demo account, a person the demo did not create is real.
    real = UserFactory(phone="+8613900000001")
    with pytest.raises(CommandError, match="1 account\\(s\\) that the demo did not create"):
        call_command("seed_demo", residents=30, quiet=True, stdout=io.StringIO())
    assert User.objects.get(pk=real.pk).phone == "+8613900000001"
    assert not District.objects.filter(slug="demo").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_a_database_with_other_communities():
    community = CommunityFactory(slug="yuanlai")
    with pytest.raises(CommandError, match="community yuanlai") as refused:
        call_command("seed_demo", residents=30, force=True, quiet=True, stdout=io.StringIO())
    assert "fresh data directory" in str(refused.value)
    assert Community.objects.get(pk=community.pk)
    assert not District.objects.filter(slug="demo").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production settings"):
        call_command("seed_demo", residents=30, quiet=True, stdout=io.StringIO())
    assert not User.objects.exists()
