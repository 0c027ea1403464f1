from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from gongzhi.core import journal
from gongzhi.core.models import Community, Membership, Oversight, Role, RoleGrant


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_street():
    out = io.StringIO()
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
    # A second run leaves the demo as it is.
    call_command("seed_demo", quiet=True, stdout=io.StringIO())
    assert Membership.objects.all_communities().count() == 303
