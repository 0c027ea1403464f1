"""A person's calendar feed, under /calendar/ (outside any community: it holds all of theirs).

``/calendar/`` is the page where a logged-in person gets, renews or revokes their secret
address; ``/calendar/<token>.ics`` is the feed itself, read by calendar apps without a session:
the token is the only key, read-only, and separate from API tokens (it opens nothing else)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core import ical
from gongzhi.core.http import request_user
from gongzhi.core.models import CalendarFeed
from gongzhi.meetings import calendar
from gongzhi.meetings.calendar_views import base_url, feed_response


@require_GET
def person_calendar(request: HttpRequest, token: str) -> HttpResponse:
    person = ical.person_for_calendar_feed(token)
    if person is None:
        raise Http404
    return feed_response(
        request,
        scope=f"person-{person.pk}",
        meetings=calendar.person_scope(person),
        name=_("My meetings"),
        filename="meetings.ics",
        private=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_subscribe(request: HttpRequest) -> HttpResponse:
    person = request_user(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            ical.calendar_feed_issue(person=person)
            messages.success(
                request, _("Your calendar has a new address; the old one no longer works.")
            )
        elif action == "revoke" and ical.calendar_feed_revoke(person=person):
            messages.success(request, _("Your calendar address no longer works."))
        return redirect(reverse("calendar_subscribe"))
    feed = CalendarFeed.objects.filter(person=person).first()
    address = (
        base_url(request) + reverse("person_calendar", kwargs={"token": feed.token})
        if feed is not None
        else ""
    )
    return render(
        request,
        "meetings/calendar_subscribe.html",
        {
            "address": address,
            "webcal": address.replace("https://", "webcal://").replace("http://", "webcal://"),
            "feed": feed,
        },
    )


urlpatterns = [
    path("", calendar_subscribe, name="calendar_subscribe"),
    path("<str:token>.ics", person_calendar, name="person_calendar"),
]
