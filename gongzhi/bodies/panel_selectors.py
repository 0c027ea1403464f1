"""Reading review panels: the pages and the API share these. Everything about a panel is
public (the portfolio, its SHA-256, everyone's probability by pseudonym, the seed, who was
drawn, the assessment and the answer) except its own space: documents and the discussion."""

from __future__ import annotations

import csv
import io
import shlex
from typing import Any

import rules
from django.db.models import QuerySet
from django.http import Http404

from gongzhi.bodies.models import Panel, PanelDocument, PanelMember, PanelStatus, PoolEntry, Quota
from gongzhi.bodies.panels import active_pool
from gongzhi.core.models import Community


def panels_of(community: Community) -> QuerySet[Panel]:
    return Panel.objects.in_community(community).select_related("reviewed_body")


def panel_get(*, community: Community, panel_id: int) -> Panel:
    panel = (
        Panel.objects.in_community(community)
        .select_related("community", "reviewed_body", "body", "budget_process")
        .filter(pk=panel_id)
        .first()
    )
    if panel is None:
        raise Http404
    return panel


def panel_space_get(*, community: Community, panel_id: int, viewer: Any) -> Panel:
    """The panel, for someone who may read its own space; for anyone else as missing."""
    panel = panel_get(community=community, panel_id=panel_id)
    if not rules.has_perm(Panel.VIEW_PERMISSION, viewer, panel):
        raise Http404
    return panel


def quotas_of(panel: Panel) -> QuerySet[Quota]:
    return Quota.objects.in_community(panel.community_id).filter(panel=panel)


def pool_size(panel: Panel) -> int:
    return active_pool(panel).count()


def probabilities(panel: Panel) -> list[PoolEntry]:
    """Everyone's chance by pseudonym, once published (names never leave this function)."""
    if panel.status == PanelStatus.POOL_OPEN:
        return []
    return list(active_pool(panel).only("pseudonym", "probability", "panel_id"))


def my_entry(panel: Panel, user: Any) -> PoolEntry | None:
    if not user.is_authenticated:
        return None
    return (
        PoolEntry.objects.in_community(panel.community_id)
        .filter(panel=panel, membership__user=user)
        .first()
    )


def members_of(panel: Panel) -> list[PanelMember]:
    return list(
        PanelMember.objects.in_community(panel.community_id)
        .filter(panel=panel)
        .select_related("user")
    )


def documents_of(panel: Panel) -> QuerySet[PanelDocument]:
    return PanelDocument.objects.in_community(panel.community_id).filter(panel=panel)


def document_get(panel: Panel, document_id: int) -> PanelDocument:
    document = documents_of(panel).filter(pk=document_id).first()
    if document is None:
        raise Http404
    return document


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    # With a BOM, so that a spreadsheet opens the Chinese grid names right.
    return buffer.getvalue().encode("utf-8-sig")


def pool_csv(panel: Panel) -> bytes:
    """The pool as the sortition's command line reads it: ``id`` (the pseudonym) and one
    column per feature, in the order the portfolio was computed from."""
    rows = [["id", *panel.features]]
    rows += [
        [e.pseudonym, *(e.features.get(f, "") for f in panel.features)] for e in active_pool(panel)
    ]
    return _csv(rows)


def quotas_csv(panel: Panel) -> bytes:
    rows = [["feature", "value", "min", "max"]]
    rows += [[q.feature, q.value, str(q.minimum), str(q.maximum)] for q in quotas_of(panel)]
    return _csv(rows)


def pool_file(panel: Panel) -> str:
    return f"panel-{panel.pk}-pool.csv"


def quotas_file(panel: Panel) -> str:
    return f"panel-{panel.pk}-quotas.csv"


def repeat_command(panel: Panel) -> str:
    """The command that repeats the draw from the published files and the seed."""
    return (
        f"python -m gongzhi.bodies.sortition {pool_file(panel)} --quotas {quotas_file(panel)} "
        f"--seats {panel.seats} --seed {shlex.quote(panel.seed)}"
    )
