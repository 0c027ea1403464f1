"""What the deliberation hall shows on the community home (proposals near their signature
threshold) and in the street officials' overview (proposals made and answered).
Registered in ``manifest.py``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, F, FloatField, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.home import Cell, Tile, TileItem, share_text
from gongzhi.core.models import Community
from gongzhi.deliberation.models import ANSWERS, Proposal, Status

#: A proposal is "near" its threshold from this share of the signatures it needs.
NEAR = 0.5
SHOWN = 5
#: The overview counts proposals published in the last year.
WINDOW = timedelta(days=365)


def near_threshold(community: Community, user: Any) -> Tile:
    """Proposals still gathering support, the closest to their threshold first. One query."""
    proposals = (
        Proposal.objects.in_community(community)
        .filter(status=Status.GATHERING, hidden_at__isnull=True, support_threshold__gt=0)
        .annotate(
            share=Cast(F("support_count"), FloatField())
            / Cast(F("support_threshold"), FloatField())
        )
        .filter(share__gte=NEAR)
        .order_by("-share", "-pk")
        .only("pk", "title", "support_count", "support_threshold")[:SHOWN]
    )
    items = [
        TileItem(
            label=p.title,
            url=reverse("proposal_detail", kwargs={"slug": community.slug, "proposal_id": p.pk}),
            note=_("%(count)d of %(needed)d supporters")
            % {"count": p.support_count, "needed": p.support_threshold},
        )
        for p in proposals
    ]
    return Tile(
        key="deliberation.near",
        title=_("Proposals close to their threshold"),
        items=items,
        empty=_("No proposal is close to the support it needs right now."),
        more_url=reverse("proposal_list", kwargs={"slug": community.slug}),
        more_label=_("All proposals"),
    )


def proposals(communities: list[Community]) -> dict[int, Cell]:
    """Proposals published in the last year, and how many of them got an answer. One query."""
    since = timezone.now() - WINDOW
    rows = {
        row["community"]: row
        for row in Proposal.objects.in_communities([c.pk for c in communities])
        .filter(published_at__gte=since)
        .values("community")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=Q(status__in=[*ANSWERS, Status.IMPLEMENTED])),
        )
    }
    cells = {}
    for c in communities:
        row = rows.get(c.pk, {"n": 0, "answered": 0})
        answered = share_text(row["answered"], row["n"])
        text = str(row["n"])
        if row["n"]:
            text += " · " + _("%(share)s answered") % {"share": answered.text}
        cells[c.pk] = Cell(
            text=text,
            value=row["n"],
            url=reverse("proposal_list", kwargs={"slug": c.slug}),
        )
    return cells
