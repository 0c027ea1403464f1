"""Who may do what with the things lent out and at a space's door, person by person: community
workers, the members of the body that manages an item, the managers of the space it is kept
at, residents, a supervisor, a street official, an outsider and another community's worker."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.core.models import Role
from gongzhi.spaces import attendance, lending
from tests.factories import CommunityFactory, member, official_of
from tests.meetings.world import seated_council
from tests.spaces.world import space_of

pytestmark = pytest.mark.django_db

#: who → (adds items, lends the item, shows the door's code, records a fee)
EXPECTED = {
    "worker": (True, True, True, True),
    "item_body": (False, True, False, False),
    "space_body": (False, True, True, False),
    "resident": (False, False, False, False),
    "supervisor": (False, False, False, False),
    "official": (False, False, False, False),
    "outsider": (False, False, False, False),
    "elsewhere_worker": (False, False, False, False),
}


@pytest.fixture
def people_and_things(community, worker):
    item_body, item_people = seated_council(community, worker, members=1, name="助老队")
    space_body, space_people = seated_council(community, worker, members=1, name="楼组")
    space = space_of(community, managed_by_body=space_body, fee=Decimal("5"))
    item = lending.resource_create(
        actor=worker, community=community, name="轮椅", kind="mobility", kept_at=space
    )
    item.managed_by_body = item_body
    item.save()
    people = {
        "worker": worker,
        "item_body": item_people[0],
        "space_body": space_people[0],
        "resident": member(community),
        "supervisor": member(community, Role.SUPERVISOR),
        "official": official_of(community.street),
        "outsider": member(CommunityFactory()),
        "elsewhere_worker": member(CommunityFactory(), Role.COMMUNITY_WORKER),
    }
    return people, item, space


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_the_permission_matrix(community, people_and_things, who):
    people, item, space = people_and_things
    user = people[who]
    found = (
        lending.may_manage_resources(user, community),
        lending.may_lend(user, item),
        attendance.may_display(user, space),
        attendance.may_take_fee_on(user, space),
    )
    assert found == EXPECTED[who]
