"""Calendar pages under /c/<slug>/meetings/: the community's and a body's feeds (public
meetings, read by calendar apps without logging in) and the printable monthly calendar for the
notice board. A person's own feed and its address are in ``calendar_urls.py``."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.bodies.selectors import body_get
from gongzhi.core import ical
from gongzhi.core.selectors import community_get
from gongzhi.meetings import calendar
from gongzhi.meetings.models import Meeting
from gongzhi.meetings.policies import visible_q


def base_url(request: HttpRequest) -> str:
    """Links in a feed are absolute: a calendar app has no page to resolve them against."""
    return f"{request.scheme}://{request.get_host()}"


def feed_response(
    request: HttpRequest,
    *,
    scope: str,
    meetings: QuerySet[Meeting],
    name: str,
    filename: str,
    private: bool,
) -> HttpResponse:
    """The feed, or 304 when the caller's copy (its ETag) is still the current one."""
    root = base_url(request)
    cache_control = "private, no-cache" if private else "public, no-cache"
    key, etag = calendar.feed_etag(scope=scope, meetings=meetings, base_url=root)
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        feed = calendar.feed(scope=scope, meetings=meetings, name=name, base_url=root, key=key)
        response = HttpResponse(feed.content, content_type=ical.CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


@require_GET
def community_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    return feed_response(
        request,
        scope=f"community-{community.pk}",
        meetings=calendar.community_scope(community),
        name=_("Meetings of %(community)s") % {"community": community.name},
        filename=f"{community.slug}-meetings.ics",
        private=False,
    )


@require_GET
def body_calendar(request: HttpRequest, slug: str, body_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    body = body_get(community=community, body_id=body_id)
    return feed_response(
        request,
        scope=f"body-{body.pk}",
        meetings=calendar.body_scope(body),
        name=f"{body.name} · {community.name}",
        filename=f"{community.slug}-body-{body.pk}.ics",
        private=False,
    )


@require_GET
def meeting_month(request: HttpRequest, slug: str, year: int, month: int) -> HttpResponse:
    """The month's meetings this visitor may see, as a printable grid for the notice board."""
    community = community_get(slug=slug, user=request.user)
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Http404
    visible = Meeting.objects.in_community(community).filter(visible_q(request.user, community.pk))
    meetings = list(calendar.month_meetings(visible, year=year, month=month))
    first = date(year, month, 1)
    previous = date(year - (month == 1), (month - 2) % 12 + 1, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return render(
        request,
        "meetings/calendar_month.html",
        {
            "community": community,
            "first": first,
            "weeks": calendar.month_weeks(meetings, year=year, month=month),
            "meetings": meetings,
            "previous": previous,
            "following": following,
            "feed_url": reverse("community_calendar", kwargs={"slug": community.slug}),
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )


urlpatterns = [
    path("calendar.ics", community_calendar, name="community_calendar"),
    path("bodies/<int:body_id>/calendar.ics", body_calendar, name="body_calendar"),
    path("month/<int:year>-<int:month>/", meeting_month, name="meeting_month"),
]
