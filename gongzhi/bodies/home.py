"""What bodies show on the community home: review panels looking for volunteers, and panels'
assessments the reviewed body has still to answer. Registered in ``manifest.py``."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from gongzhi.bodies.models import Panel, PanelStatus, PoolEntry
from gongzhi.core.home import Tile, TileItem
from gongzhi.core.models import Community
from gongzhi.core.policies import membership_in

SHOWN = 5


def panels_now(community: Community, user: Any) -> Tile | None:
    """Pools open now (the soonest to close first; "you volunteered" where this person did),
    then assessments awaiting the body's answer. Nothing for those who may not see the
    community's bodies, and no tile when there is neither. One query."""
    # A member sees the bodies (their membership is usually read already by the other tiles);
    # only others are asked the full rule (staff, overseeing officials), which reads their roles.
    is_member = getattr(user, "is_authenticated", False) and membership_in(user, community.pk)
    if not is_member and not rules.has_perm("bodies.view_bodies", user, community):
        return None
    now = timezone.now()
    panels: QuerySet[Any] = Panel.objects.in_community(community).filter(
        status__in=[PanelStatus.POOL_OPEN, PanelStatus.ASSESSED]
    )
    if getattr(user, "is_authenticated", False):
        panels = panels.annotate(
            volunteered=Exists(
                PoolEntry.objects.in_community(community).filter(
                    panel=OuterRef("pk"), membership__user=user, withdrawn_at__isnull=True
                )
            )
        )
    items = []
    for panel in panels.select_related("reviewed_body").order_by("-status", "pool_closes_at")[
        :SHOWN
    ]:
        url = reverse("panel_detail", kwargs={"slug": community.slug, "panel_id": panel.pk})
        if panel.status == PanelStatus.POOL_OPEN:
            volunteered = getattr(panel, "volunteered", False)
            note = (_("you volunteered") + " · " if volunteered else "") + _(
                "volunteers wanted, the pool closes in %(time)s"
            ) % {"time": timeuntil(panel.pool_closes_at, now)}
            items.append(TileItem(label=panel.title, url=url, note=note))
        else:
            note = _("assessed: %(body)s's answer is awaited") % {"body": panel.reviewed_body}
            items.append(TileItem(label=panel.title, url=url, note=note, warn=True))
    if not items:
        return None
    return Tile(
        key="bodies.panels",
        title=_("Review panels"),
        items=items,
        empty="",
        more_url=reverse("panel_list", kwargs={"slug": community.slug}),
        more_label=_("All review panels"),
    )
