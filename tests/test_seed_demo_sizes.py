"""The demo street at any ``--residents`` the command accepts: a small demo (its floor, 30) used
to leave the first community no resident without a role, and the apps' demos, which act as
those residents, crashed on an empty crowd. The 300-resident street: tests/test_demo_street.py."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from gongzhi.budgeting.models import Idea
from gongzhi.core.models import Community, Membership
from gongzhi.deliberation.models import Proposal
from gongzhi.voting.models import Participation


@pytest.mark.parametrize("residents", [30, 90])
@pytest.mark.django_db(transaction=False)
def test_a_small_and_a_larger_demo_street_seed_every_app(
    residents, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", residents=residents, quiet=True, seed=residents, stdout=out)
    assert f"seeded residents={residents + 3}" in out.getvalue()  # and the named accounts

    first = Community.objects.get(slug="xingfu")
    verified = Membership.objects.in_community(first).filter(verified_at__isnull=False)
    crowd = verified.filter(role_grants__isnull=True)
    # Roles are a few people's: most verified members are plain residents, who then act.
    assert 0 < verified.count() - crowd.count() <= max(4, verified.count() // 2) + 3
    # the hall's four (an accepted fifth is the spaces demo's, where a body opens its garden)
    proposals = list(Proposal.objects.in_community(first).exclude(status="accepted").order_by("pk"))
    assert len(proposals) == 4
    supports = [p.support_count for p in proposals]
    assert supports[0] >= supports[-1] and supports[0] > 0
    assert Idea.objects.in_community(first).count() == 5
    assert Participation.objects.in_community(first).exists()
