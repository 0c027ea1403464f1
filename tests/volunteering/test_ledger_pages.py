"""The ledger's pages on a phone: the organiser's roll (arrival, departure, absence, confirm),
a volunteer's own hours, a team's hours, correcting an entry. Refusals are messages, nothing
saved; a page the reader may not use is 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.volunteering import ledger
from gongzhi.volunteering.models import HoursEntry, HoursEntryKind, SignUp, SignUpStatus
from tests.factories import member
from tests.volunteering.world import activity_of, shift_of, signup_of, team_of, volunteer_of

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def as_user(user=None) -> Client:
    client = Client(HTTP_USER_AGENT=PHONE, HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)._queued_messages]


@pytest.fixture
def organiser(community):
    return member(community)


@pytest.fixture
def team(community, worker):
    return team_of(community, worker)


@pytest.fixture
def shift(community, organiser, team):
    return shift_of(
        activity_of(community, organiser, team=team), starts_in=-timedelta(hours=1), hours=2
    )


def roll_url(shift, *args):
    if args:
        return reverse("volunteering_roll_act", args=[shift.community.slug, shift.pk, *args])
    return reverse("volunteering_shift_roll", args=[shift.community.slug, shift.pk])


def _fresh(signup):
    return SignUp.objects.in_community(signup.community_id).get(pk=signup.pk)


def test_the_roll_is_for_those_who_run_the_activity(shift, organiser, resident, community):
    signup = signup_of(shift, volunteer_of(community))
    page = as_user(organiser).get(roll_url(shift))
    assert page.status_code == 200
    text = page.content.decode()
    assert str(signup.volunteer.person) in text
    assert reverse("checkin_screen", args=["volunteering.shift", shift.pk]) in text
    assert as_user(resident).get(roll_url(shift)).status_code == 404
    assert as_user(signup.volunteer.person).get(roll_url(shift)).status_code == 404
    assert as_user().get(roll_url(shift)).status_code == 302


def test_arrival_departure_and_confirmation_from_the_roll(shift, organiser, community):
    signup = signup_of(shift, volunteer_of(community))
    client = as_user(organiser)
    arrived = timezone.localtime(shift.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(roll_url(shift, signup.pk, "arrival"), {"at": arrived})
    assert response.status_code == 302
    assert _fresh(signup).arrived_at == shift.starts_at.replace(second=0)
    client.post(roll_url(shift, signup.pk, "departure"), {"at": ""})
    assert _fresh(signup).left_at is not None
    response = client.post(roll_url(shift, signup.pk, "confirm"))
    assert any("confirmed" in m for m in said(response))
    entry = HoursEntry.objects.in_community(community).get(signup=signup)
    assert entry.confirmed_by == organiser and entry.credited_minutes == 60


def test_a_refusal_is_a_message_and_nothing_is_saved(shift, organiser, community):
    signup = signup_of(shift, volunteer_of(community))
    response = as_user(organiser).post(roll_url(shift, signup.pk, "departure"), {"at": ""})
    assert said(response) == ["Record the arrival first."]
    assert _fresh(signup).left_at is None
    response = as_user(organiser).post(roll_url(shift, signup.pk, "arrival"), {"at": "soon"})
    assert said(response) == ["Enter the time as date and hours:minutes."]
    assert as_user(organiser).post(roll_url(shift, signup.pk, "fly")).status_code == 404


def test_no_confirm_button_for_ones_own_hours(shift, community, worker, organiser):
    own = signup_of(
        shift,
        volunteer_of(community, person=worker),
        arrived_at=shift.starts_at,
        left_at=shift.starts_at + timedelta(minutes=30),
    )
    page = as_user(worker).get(roll_url(shift)).content.decode()
    assert roll_url(shift, own.pk, "confirm") not in page
    response = as_user(worker).post(roll_url(shift, own.pk, "confirm"))
    assert said(response) == [
        "Nobody confirms or corrects their own hours: ask the organiser or a worker."
    ]
    assert not HoursEntry.objects.in_community(community).exists()
    assert (
        roll_url(shift, own.pk, "confirm")
        in as_user(organiser).get(roll_url(shift)).content.decode()
    )


def test_absent_and_confirm_all(shift, organiser, community):
    absent = signup_of(shift, volunteer_of(community))
    as_user(organiser).post(roll_url(shift, absent.pk, "no-show"))
    assert _fresh(absent).status == SignUpStatus.NO_SHOW
    for minutes in (30, 60):
        signup_of(
            shift,
            volunteer_of(community),
            arrived_at=shift.starts_at,
            left_at=shift.starts_at + timedelta(minutes=minutes),
        )
    url = reverse("volunteering_roll_confirm_all", args=[community.slug, shift.pk])
    as_user(organiser).post(url)
    assert HoursEntry.objects.in_community(community).count() == 2


def test_my_hours_and_the_teams_hours(shift, organiser, community, team, worker, resident):
    volunteer = volunteer_of(community)
    signup = signup_of(
        shift,
        volunteer,
        arrived_at=shift.starts_at,
        left_at=shift.starts_at + timedelta(minutes=75),
    )
    ledger.hours_confirm(actor=organiser, signup=signup)
    mine = as_user(volunteer.person).get(reverse("volunteering_my_hours", args=[community.slug]))
    assert mine.status_code == 200
    assert "1.5 hours confirmed" in mine.content.decode()
    assert shift.activity.title in mine.content.decode()
    me = as_user(volunteer.person).get(reverse("volunteering_me", args=[community.slug]))
    assert "1.5 hours confirmed" in me.content.decode()
    team_url = reverse("volunteering_team_hours", args=[community.slug, team.pk])
    assert "1.5 hours confirmed" in as_user(worker).get(team_url).content.decode()
    assert as_user(resident).get(team_url).status_code == 404
    assert as_user(volunteer.person).get(team_url).status_code == 404


def test_correcting_an_entry(shift, organiser, community, resident):
    volunteer = volunteer_of(community)
    signup = signup_of(
        shift,
        volunteer,
        arrived_at=shift.starts_at,
        left_at=shift.starts_at + timedelta(minutes=100),
    )
    entry = ledger.hours_confirm(actor=organiser, signup=signup)
    url = reverse("volunteering_hours_reverse", args=[community.slug, entry.pk])
    assert as_user(resident).get(url).status_code == 404
    assert as_user(volunteer.person).get(url).status_code == 404
    assert as_user(organiser).get(url).status_code == 200
    page = as_user(organiser).post(url, {"reason": ""})
    assert page.status_code == 200
    assert HoursEntry.objects.in_community(community).count() == 1
    response = as_user(organiser).post(url, {"reason": "提前离开", "served_minutes": "50"})
    assert response.status_code == 302
    rows = HoursEntry.objects.in_community(community)
    assert rows.filter(kind=HoursEntryKind.REVERSAL, reverses=entry).exists()
    assert sum(rows.values_list("credited_minutes", flat=True)) == 60
    again = as_user(organiser).post(url, {"reason": "再来"})
    assert "already been reversed" in again.content.decode()


def test_my_hours_costs_the_same_for_few_and_many_entries(community, organiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    volunteer = volunteer_of(community)
    client = as_user(volunteer.person)
    url = reverse("volunteering_my_hours", args=[community.slug])

    def add(count):
        for n in range(count):
            shift = shift_of(
                activity_of(community, organiser, title=f"活动{n}"),
                starts_in=-timedelta(days=n + 1),
                hours=2,
            )
            signup = signup_of(
                shift,
                volunteer,
                arrived_at=shift.starts_at,
                left_at=shift.starts_at + timedelta(minutes=60),
            )
            ledger.hours_confirm(actor=organiser, signup=signup)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(2)
    few = cost()
    add(8)
    assert cost() == few
