"""RSS 2.0 and Atom feeds of what a community has published: announcements, documents and
finance reports (django.contrib.syndication, the standard tool). Drafts never appear."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.disclosure import selectors
from gongzhi.disclosure.models import Announcement, FinancePeriod
from gongzhi.disclosure.money import yuan


class DisclosureRss(Feed):
    def get_object(self, request: HttpRequest, slug: str) -> Community:  # type: ignore[override]
        return community_get(slug=slug, user=request.user)

    def title(self, obj: Community) -> str:
        return _("%(community)s: information disclosure") % {"community": obj.name}

    def link(self, obj: Community) -> str:
        return reverse("notice_list", args=[obj.slug])

    def description(self, obj: Community) -> str:
        return _("Announcements, documents and finance reports published by %(community)s.") % {
            "community": obj.name
        }

    def items(self, obj: Community) -> list[Any]:
        return selectors.with_summaries(selectors.published_for_feed(community=obj))

    def item_title(self, item: Any) -> str:
        if isinstance(item, FinancePeriod):
            return _("Finance report %(period)s") % {"period": item.label}
        return item.title

    def item_description(self, item: Any) -> str:
        if isinstance(item, Announcement):
            return item.body
        if isinstance(item, FinancePeriod):
            report = item.report
            return _(
                "Opening balance %(opening)s yuan, income %(income)s yuan, expenditure "
                "%(expenditure)s yuan, closing balance %(closing)s yuan."
            ) % {
                "opening": yuan(report.opening_fen),
                "income": yuan(report.income_fen),
                "expenditure": yuan(report.expenditure_fen),
                "closing": yuan(report.closing_fen),
            }
        version = item.latest_version
        return version.body if version else ""

    def item_link(self, item: Any) -> str:
        slug = item.community.slug
        if isinstance(item, Announcement):
            return reverse("notice_detail", args=[slug, item.pk])
        if isinstance(item, FinancePeriod):
            return reverse("finance_period", args=[slug, item.pk])
        return reverse("document_detail", args=[slug, item.pk])

    def item_guid(self, item: Any) -> str:
        return f"{item._meta.model_name}-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Any) -> Any:
        return item.published_at

    def item_categories(self, item: Any) -> list[str]:
        return [str(item._meta.verbose_name)]


class DisclosureAtom(DisclosureRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: Community) -> str:
        return self.description(obj)
