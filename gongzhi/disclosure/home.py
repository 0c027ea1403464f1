"""What information disclosure shows on the community home (announcements I have not read) and
in the street officials' overview (how recent the published finances are).
Registered in ``manifest.py``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, Max, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gongzhi.core.home import Cell, Tile, TileItem
from gongzhi.core.models import Community
from gongzhi.disclosure.models import Announcement, FinancePeriod, ReadConfirmation

SHOWN = 5
#: "New" announcements: published in the last this many days.
RECENT = timedelta(days=30)
#: Finances are published quarterly (居务公开); a community whose latest published period ended
#: longer ago than a quarter and a month's grace is marked behind.
FINANCE_DUE = timedelta(days=92 + 31)


def unread_announcements(community: Community, user: Any) -> Tile:
    """Recent announcements; an important one the person has not yet confirmed comes first,
    marked, and stays until confirmed. One query."""
    now = timezone.now()
    notices: QuerySet[Any] = Announcement.objects.in_community(community).filter(
        published_at__isnull=False, published_at__gte=now - RECENT
    )
    if getattr(user, "is_authenticated", False):
        notices = notices.annotate(
            confirmed=Exists(
                ReadConfirmation.objects.in_community(community).filter(
                    announcement=OuterRef("pk"), user=user
                )
            )
        ).exclude(important=True, confirmed=True)
    items = []
    for notice in notices.order_by("-important", "-published_at", "-pk").only(
        "pk", "title", "important", "published_at"
    )[:SHOWN]:
        to_confirm = notice.important and not getattr(notice, "confirmed", False)
        note = date_format(timezone.localtime(notice.published_at), "SHORT_DATE_FORMAT")
        if to_confirm:
            note = _("please confirm you have read it") + " · " + note
        items.append(
            TileItem(
                label=notice.title,
                url=reverse(
                    "notice_detail",
                    kwargs={"slug": community.slug, "announcement_id": notice.pk},
                ),
                note=note,
                warn=to_confirm,
            )
        )
    return Tile(
        key="disclosure.unread",
        title=_("New announcements"),
        items=items,
        empty=_("No new announcement this month."),
        more_url=reverse("notice_list", kwargs={"slug": community.slug}),
        more_label=_("All announcements and finances"),
    )


def finance_published(communities: list[Community]) -> dict[int, Cell]:
    """The end of the latest published finance period. One query."""
    latest = dict(
        FinancePeriod.objects.in_communities([c.pk for c in communities])
        .filter(published_at__isnull=False)
        .values("community")
        .annotate(last=Max("ends_on"))
        .values_list("community", "last")
    )
    today = timezone.localdate()
    cells = {}
    for c in communities:
        last = latest.get(c.pk)
        url = reverse("finance_home", kwargs={"slug": c.slug})
        if last is None:
            cells[c.pk] = Cell(text=_("never"), url=url, warn=True)
        else:
            cells[c.pk] = Cell(
                text=date_format(last, "SHORT_DATE_FORMAT"),
                value=(today - last).days,
                url=url,
                warn=today - last > FINANCE_DUE,
            )
    return cells
