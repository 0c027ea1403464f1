"""The decision register's pages under /c/<slug>/decisions/: the public, searchable list of
everything the community decided (filters: body, kind, topic, period, words in the title; pages
by keyset cursor) and its Atom feed."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from gongzhi.core.models import Community, RegisterEntry
from gongzhi.core.selectors import community_get
from gongzhi.meetings import register_selectors as selectors
from gongzhi.meetings.register_selectors import Cursor, RegisterFilters

DATE = forms.DateInput(attrs={"type": "date"})


class RegisterFilterForm(forms.Form):
    """The register's filters, from the query string; a bad value is dropped, never a 400."""

    body = forms.TypedChoiceField(label=gettext_lazy("Body"), required=False, coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of decision"), required=False)
    topic = forms.CharField(label=gettext_lazy("Topic"), required=False, max_length=60)
    from_ = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE)
    q = forms.CharField(label=gettext_lazy("Words in the title"), required=False, max_length=100)

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is from_, the parameter "from".
        self.fields["from"] = self.fields.pop("from_")
        self.fields["from"].label = gettext_lazy("From")
        fields: Any = self.fields
        fields["body"].choices = [("", _("all bodies"))] + selectors.body_choices(community)
        fields["kind"].choices = [("", _("all kinds"))] + selectors.kind_choices()
        order = ["body", "kind", "topic", "from", "to", "q"]
        self.fields = {name: self.fields[name] for name in order}

    def filters(self) -> RegisterFilters:
        """The valid filters; an invalid field counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        body = data.get("body")
        return RegisterFilters(
            body_id=body if isinstance(body, int) else None,
            kind=data.get("kind") or "",
            topic=(data.get("topic") or "").strip(),
            since=data.get("from"),
            until=data.get("to"),
            text=(data.get("q") or "").strip(),
        )


def filters_from(params: Any, community: Community) -> tuple[RegisterFilterForm, RegisterFilters]:
    form = RegisterFilterForm(params, community=community)
    return form, form.filters()


def _link(request: HttpRequest, filters: RegisterFilters, **cursor: Cursor | None) -> str:
    query = filters.query()
    query.update({name: str(value) for name, value in cursor.items() if value is not None})
    return f"{request.path}?{urlencode(query)}"


@require_GET
def decision_register(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    form, filters = filters_from(request.GET, community)
    page = selectors.register_page(
        community_id=community.pk,
        filters=filters,
        before=Cursor.parse(request.GET.get("before")),
        after=Cursor.parse(request.GET.get("after")),
    )
    rows = [
        {
            "entry": entry,
            "kind_label": selectors.kind_label(entry.kind),
            "basis": selectors.basis_links(entry),
        }
        for entry in page.rows
    ]
    return render(
        request,
        "meetings/register_list.html",
        {
            "community": community,
            "form": form,
            "rows": rows,
            "filtered": bool(filters.query()),
            "searched_to": page.searched_to,
            "newer_url": _link(request, filters, after=page.newer) if page.newer else "",
            "older_url": _link(request, filters, before=page.older) if page.older else "",
            "first_url": _link(request, filters)
            if "before" in request.GET or "after" in request.GET
            else "",
            "feed_url": reverse("decision_register_feed", kwargs={"slug": community.slug}),
        },
    )


class RegisterFeed(Feed):
    """决策登记 as Atom (RFC 4287): the newest 50 rows, each linking to the decision itself."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Community:  # type: ignore[override]
        return community_get(slug=slug, user=request.user)

    def title(self, obj: Community) -> str:
        return _("Decision register: %(community)s") % {"community": obj.name}

    def subtitle(self, obj: Community) -> str:
        return _("Who decided what, when, on what basis.")

    def link(self, obj: Community) -> str:
        return reverse("decision_register", kwargs={"slug": obj.slug})

    def items(self, obj: Community) -> list[RegisterEntry]:
        return selectors.feed_entries(community_id=obj.pk)

    def item_title(self, item: RegisterEntry) -> str:
        return item.title

    def item_description(self, item: RegisterEntry) -> str:
        parts = [str(selectors.kind_label(item.kind))]
        if item.body_name:
            parts.append(item.body_name)
        if item.topic:
            parts.append(item.topic)
        parts += [f"{link['label']}: {link['title']}" for link in selectors.basis_links(item)]
        return " · ".join(parts)

    def item_link(self, item: RegisterEntry) -> str:
        return item.url

    def item_guid(self, item: RegisterEntry) -> str:
        return f"register-entry-{item.pk}"

    def item_guid_is_permalink(self, item: RegisterEntry) -> bool:
        return False

    def item_pubdate(self, item: RegisterEntry) -> datetime:
        return _midday(item.decided_on)

    def item_updateddate(self, item: RegisterEntry) -> datetime:
        return item.recorded_at

    def item_author_name(self, item: RegisterEntry) -> str:
        return item.body_name or str(selectors.kind_label(item.kind))


def _midday(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


urlpatterns: list[URLPattern] = [
    path("", decision_register, name="decision_register"),
    path("feed/", require_GET(RegisterFeed()), name="decision_register_feed"),
]
