"""Builders the review-panel tests share: a community with grids, a reviewed body, a panel with
quotas on gender and grid, volunteers living in those grids."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gongzhi.bodies import panels
from gongzhi.bodies.models import Body, Panel
from gongzhi.bodies.panels import QuotaIn
from gongzhi.core.models import Grid, Membership
from tests.bodies.bodies_world import council
from tests.factories import BuildingFactory, HouseholdFactory, member

GRIDS = ("一网格", "二网格")
QUOTAS = [QuotaIn("gender", "female", 1, 2), QuotaIn("gender", "male", 1, 2)]


def grids(community) -> list[Grid]:
    return [Grid.objects.in_community(community).get_or_create(name=name)[0] for name in GRIDS]


def reviewed_body(community, worker) -> Body:
    return council(community, worker, name="业委会")


def open_panel(community, worker, *, seats=3, quotas=None, body=None, **fields) -> Panel:
    grids(community)
    values = {
        "title": "小区停车改造方案",
        "reviewed_body": body or reviewed_body(community, worker),
        "seats": seats,
        "features": ["grid", "gender"],
        "quotas": QUOTAS if quotas is None else quotas,
        "pool_closes_at": timezone.now() + timedelta(days=7),
        "ends_on": timezone.localdate() + timedelta(days=90),
        "answer_days": 30,
    }
    values.update(fields)
    return panels.panel_create(actor=worker, community=community, **values)


def resident_in(community, grid_name: str, **user_fields):
    """A verified resident whose household's building is in the grid ``grid_name``."""
    grid = Grid.objects.in_community(community).get(name=grid_name)
    building = BuildingFactory(community=community, grid=grid)
    user = member(community, **user_fields)
    household = HouseholdFactory(building=building)
    Membership.objects.in_community(community).filter(user=user).update(household=household)
    return user


def volunteers(panel, community, genders=("female", "male", "female", "male", "female")):
    """One resident per gender, alternating grids, each in the pool."""
    people = []
    for number, gender in enumerate(genders):
        grid = GRIDS[number % 2]
        user = resident_in(community, grid)
        panels.pool_join(
            actor=user, panel=panel, features={"grid": grid, "gender": gender}, consent=True
        )
        people.append(user)
    return people


def pool_closes_now(panel) -> Panel:
    """As if the pool's closing time had passed."""
    Panel.objects.in_community(panel.community).filter(pk=panel.pk).update(
        pool_closes_at=timezone.now() - timedelta(minutes=1)
    )
    panel.refresh_from_db()
    return panel
