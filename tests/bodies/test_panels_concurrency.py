"""Two supervisors entering a panel's seed at the same moment draw it once: real threads
against the live server, each its own database connection (run on PostgreSQL with
DATABASE_URL; SQLite serialises writers by its own lock). The seed is claimed by one
conditional UPDATE (``seed = ''``), so the second request finds it taken."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.bodies import panels
from gongzhi.bodies.models import Body, Mandate, Panel, PanelMember
from gongzhi.core.models import Activity, Role
from tests.bodies.panel_helpers import open_panel, pool_closes_now, volunteers
from tests.concurrency import race_posts
from tests.factories import member


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_entering_a_seed_at_once_draw_one_panel(live_server, community, worker):
    panel = open_panel(community, worker)
    volunteers(panel, community)
    panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    tokens = [
        api_token_create(user=member(community, Role.SUPERVISOR), name="t")[1] for _i in range(2)
    ]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/panels/{panel.pk}/seed"

    statuses = race_posts(url, tokens, [{"seed": "上午的号码 12"}, {"seed": "下午的号码 34"}])

    assert statuses == [200, 400]
    panel = Panel.objects.in_community(community).get(pk=panel.pk)
    assert panel.seed in {"上午的号码 12", "下午的号码 34"}
    assert Body.objects.in_community(community).filter(kind="review_panel").count() == 1
    assert Mandate.objects.in_community(community).filter(body=panel.body).count() == 3
    assert PanelMember.objects.in_community(community).filter(panel=panel).count() == 3
    entered = Activity.objects.in_community(community).filter(verb="panel.seed_entered")
    assert [e.data["seed"] for e in entered] == [panel.seed]
    assert Activity.objects.in_community(community).filter(verb="panel.drawn").count() == 1
