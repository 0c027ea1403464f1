"""The community home's tile of review panels (gongzhi/bodies/home.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.bodies.home import panels_now
from gongzhi.bodies.models import Panel, PanelStatus
from tests.bodies.panel_helpers import open_panel, volunteers
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_open_pools_and_awaited_answers_on_the_home(client, community, worker, resident):
    assert panels_now(community, resident) is None  # no panel, no tile
    panel = open_panel(community, worker)
    tile = panels_now(community, resident)
    assert tile is not None and [item.label for item in tile.items] == [panel.title]
    assert _("you volunteered") not in tile.items[0].note
    people = volunteers(panel, community, genders=("female",))
    mine = panels_now(community, people[0])
    assert mine is not None and mine.items[0].note.startswith(_("you volunteered"))
    # Visitors and people of other communities see no tile: bodies are the members' business.
    assert panels_now(community, AnonymousUser()) is None
    assert (
        panels_now(
            community,
            member(
                community.__class__.objects.create(
                    street=community.street, slug="other", name="别的社区"
                )
            ),
        )
        is None
    )
    # An assessment awaiting the body's answer is flagged.
    Panel.objects.in_community(community).filter(pk=panel.pk).update(
        status=PanelStatus.ASSESSED, assessment="意见"
    )
    flagged = panels_now(community, resident)
    assert flagged is not None and flagged.items[0].warn
    assert str(panel.reviewed_body) in flagged.items[0].note
    # And the home page shows it.
    client.force_login(resident)
    page = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert reverse("panel_detail", args=[community.slug, panel.pk]) in page
