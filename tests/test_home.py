"""The community home's tiles, the staff console's links, the street officials' overview and
where a person lands after logging in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.core.home import home_tiles
from gongzhi.core.models import Membership, Role
from gongzhi.deliberation.models import Proposal, Status
from gongzhi.disclosure.models import Announcement, FinancePeriod, ReadConfirmation
from gongzhi.feedback.models import Rating, Ticket
from gongzhi.feedback.models import Status as TicketStatus
from gongzhi.voting.models import Participation, Vote
from tests.conftest import TOTP_SECRET
from tests.factories import CommunityFactory, StreetFactory, UserFactory, member, official_of


def _vote(community, title, closes_in, **fields):
    now = timezone.now()
    return Vote.objects.in_community(community).create(
        title=title,
        opens_at=now - timedelta(days=1),
        closes_at=now + closes_in,
        published=True,
        **fields,
    )


def _ticket(community, number, reporter=None, **fields):
    return Ticket.objects.in_community(community).create(
        number=number, text=f"问题 {number}", reporter=reporter, **fields
    )


def _tile(tiles, key):
    return next(t for t in tiles if t.key == key)


@pytest.mark.django_db
def test_tiles_show_what_is_open_now(community, resident, django_assert_max_num_queries):
    _vote(community, "电梯加装表决", timedelta(days=2))
    _vote(community, "明年的议题", timedelta(days=30))
    voted = _vote(community, "已投的票", timedelta(days=3))
    Participation.objects.in_community(community).create(vote=voted, voter=resident, receipt="r")
    author = member(community)
    Proposal.objects.in_community(community).create(
        author=author,
        title="增设充电桩",
        body="…",
        status=Status.GATHERING,
        support_count=9,
        support_threshold=10,
    )
    Proposal.objects.in_community(community).create(
        author=author,
        title="刚开始的提议",
        body="…",
        status=Status.GATHERING,
        support_count=1,
        support_threshold=10,
    )
    _ticket(community, 1, reporter=resident)
    _ticket(community, 2, reporter=resident, status=TicketStatus.CLOSED, closed_at=timezone.now())
    _ticket(community, 3, reporter=author)
    now = timezone.now()
    important = Announcement.objects.in_community(community).create(
        title="停水通知", body="…", category="general", important=True, published_at=now
    )
    confirmed = Announcement.objects.in_community(community).create(
        title="已确认的通知", body="…", category="general", important=True, published_at=now
    )
    ReadConfirmation.objects.in_community(community).create(announcement=confirmed, user=resident)
    Announcement.objects.in_community(community).create(title="草稿", body="…", category="general")

    # One query per tile (bodies' review panels, the next public meetings, volunteer shifts
    # with free places and courses open for enrolment among them), plus the membership, read
    # once for all.
    with django_assert_max_num_queries(10):
        tiles = home_tiles(community=community, user=resident)

    votes = _tile(tiles, "voting.closing")
    assert [i.label for i in votes.items] == ["电梯加装表决", "已投的票"]
    assert votes.items[0].warn and not votes.items[1].warn  # not yet voted / voted
    assert gettext("you voted") in votes.items[1].note
    assert [i.label for i in _tile(tiles, "deliberation.near").items] == ["增设充电桩"]
    mine = _tile(tiles, "hotline.mine")
    assert [i.url.rstrip("/").rsplit("/", 1)[-1] for i in mine.items] == ["1"]
    notices = _tile(tiles, "disclosure.unread")
    assert [i.label for i in notices.items] == ["停水通知"]
    assert notices.items[0].warn
    assert important.title in notices.items[0].label


@pytest.mark.django_db
def test_tiles_for_a_visitor_and_their_empty_states(client, community):
    tiles = home_tiles(community=community, user=AnonymousUser())
    assert "hotline.mine" not in {t.key for t in tiles}  # a visitor has no tickets
    page = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert gettext("No vote closes in the coming week.") in page
    assert 'data-tile="voting.closing"' in page


@pytest.mark.django_db
def test_community_home_query_count_is_bounded(
    client, community, resident, django_assert_max_num_queries
):
    for i in range(8):
        _vote(community, f"表决 {i}", timedelta(days=1))
        _ticket(community, i + 1, reporter=resident)
    client.force_login(resident)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("community_home", args=[community.slug]))
    assert response.status_code == 200
    assert response.content.decode().count("/votes/") >= 5


@pytest.mark.django_db
def test_console_links_the_queue_moderation_and_statistics(client, community, worker, resident):
    url = reverse("community_home", args=[community.slug])
    client.force_login(worker)
    page = client.get(url).content.decode()
    for name in ("hotline_queue", "moderation_queue", "hotline_stats"):
        assert f'href="{reverse(name, args=[community.slug])}"' in page
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert reverse("hotline_queue", args=[community.slug]) not in page


@pytest.mark.django_db
def test_official_sees_only_the_communities_they_oversee(
    client, community, django_assert_max_num_queries
):
    neighbour = CommunityFactory(street=community.street)
    elsewhere = CommunityFactory(street=StreetFactory())
    official = official_of(community.street)
    TOTP.activate(official, TOTP_SECRET)
    now = timezone.now()
    _ticket(community, 1, respond_by=now - timedelta(hours=1))
    _ticket(community, 2)
    resolved = _ticket(community, 3, status=TicketStatus.CLOSED, closed_at=now)
    Rating.objects.in_community(community).create(ticket=resolved, solved=True, satisfaction=5)
    _ticket(elsewhere, 1)
    FinancePeriod.objects.in_community(neighbour).create(
        kind="quarter",
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 3, 31),
        published_at=now,
    )
    client.force_login(official)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert community.name in page and neighbour.name in page
    assert elsewhere.name not in page
    assert reverse("community_home", args=[elsewhere.slug]) not in page
    rows = {r["community"].pk: r for r in response.context["rows"]}
    keys = [c.key for c in response.context["columns"]]
    cells = dict(zip(keys, rows[community.pk]["cells"], strict=True))
    assert cells["hotline.open"].text == "2"
    assert cells["hotline.overdue"].text == "1" and cells["hotline.overdue"].warn
    assert cells["hotline.resolution"].text == "100%"
    assert cells["hotline.satisfaction"].text == "100%"
    assert cells["hotline.overdue"].url == reverse("hotline_queue", args=[community.slug]) + (
        "?q=overdue"
    )
    finance = dict(zip(keys, rows[neighbour.pk]["cells"], strict=True))["disclosure.finance"]
    assert finance.warn  # published, but long ago
    assert cells["disclosure.finance"].text == gettext("never")


@pytest.mark.django_db
def test_after_login_a_person_lands_on_their_community(client, community, other_community):
    password = "correct horse battery"
    one = member(community)
    response = client.post(
        reverse("account_login"),
        {"login": one.phone.removeprefix("+86"), "password": password},
    )
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("community_home", args=[community.slug])

    client.logout()
    two = member(community)
    Membership.objects.in_community(other_community).create(user=two)
    response = client.post(
        reverse("account_login"), {"login": two.phone.removeprefix("+86"), "password": password}
    )
    assert response["Location"] == reverse("home")

    client.logout()
    none = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": none.phone.removeprefix("+86"), "password": password}
    )
    assert response["Location"] == reverse("home") + "#join"


@pytest.mark.django_db
def test_worker_role_does_not_leak_the_console_to_a_volunteer(client, community):
    volunteer = member(community, Role.VOLUNTEER)
    client.force_login(volunteer)
    page = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert reverse("moderation_queue", args=[community.slug]) not in page
