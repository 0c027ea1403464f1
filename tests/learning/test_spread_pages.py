"""The spread part's pages: my invitation link, the public landing page (log in or sign up and
come back through ``next``, then join), naming who brought one in, the stats for staff (small
cells suppressed, forbidden is 404) and the learning pages' partials."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.core.models import Household, Membership
from gongzhi.learning import spread_selectors
from gongzhi.learning.models import Connection, InviteLink
from gongzhi.learning.spread_services import invite_link_make
from tests.factories import BuildingFactory, HouseholdFactory, UserFactory, member

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"  # tests/factories.py UserFactory


def _url(name, community, *args):
    return reverse(name, args=[community.slug, *args])


def _link(community, owner):
    return invite_link_make(actor=owner, community=community)[0]


def test_a_member_makes_and_stops_their_link(client, community, resident):
    client.force_login(resident)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the wording below is the English
    page = client.get(_url("learning_invite", community))
    assert page.status_code == 200
    assert "Make my invitation link" in page.content.decode()
    response = client.post(_url("learning_invite_make", community))
    assert response.status_code == 302
    link = InviteLink.objects.in_community(community).get(owner=resident)
    page = client.get(_url("learning_invite", community)).content.decode()
    assert f"/learning/join/{link.token}/" in page
    client.post(_url("learning_invite_revoke", community))
    link.refresh_from_db()
    assert link.revoked_at is not None
    # stopping again says there is nothing to stop, and changes nothing
    response = client.post(_url("learning_invite_revoke", community), follow=True)
    assert "no invitation link to stop" in response.content.decode()


def test_the_link_page_is_for_members(client, community, other_community):
    assert client.get(_url("learning_invite", community)).status_code == 302  # log in first
    client.force_login(member(other_community))
    assert client.get(_url("learning_invite", community)).status_code == 404
    assert client.post(_url("learning_invite_make", community)).status_code == 404


def test_the_landing_page_asks_a_visitor_to_log_in_and_come_back(client, community, resident):
    link = _link(community, resident)
    url = _url("learning_join", community, link.token)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert community.name in html
    assert str(resident) in html
    login = f"{reverse('account_login')}?next={url.replace('/', '%2F')}"
    assert login in html
    assert f"{reverse('account_signup')}?next=" in html
    # Posting without logging in goes to log in, with the way back.
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_logging_in_from_the_landing_page_comes_back_then_joins(client, community, resident):
    link = _link(community, resident)
    url = _url("learning_join", community, link.token)
    newcomer = UserFactory()
    response = client.post(
        f"{reverse('account_login')}?next={url}",
        {"login": newcomer.phone.removeprefix("+86"), "password": PASSWORD, "next": url},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    html = client.get(url).content.decode()
    assert '<form method="post">' in html
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("community_home", args=[community.slug])
    assert Membership.objects.in_community(community).filter(user=newcomer).exists()
    assert Connection.objects.in_community(community).get(target=newcomer).source_id == resident.pk


def test_signing_up_from_the_landing_page_comes_back_after_the_phone_check(
    client, community, resident, sms_outbox
):
    link = _link(community, resident)
    url = _url("learning_join", community, link.token)
    response = client.post(
        f"{reverse('account_signup')}?next={url}",
        {
            "phone": "13912345678",
            "display_name": "赵小红",
            "password1": "a-Long-passphrase-2026",
            "password2": "a-Long-passphrase-2026",
            "next": url,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_verify_phone")
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1][1])
    assert code
    response = client.post(reverse("account_verify_phone"), {"code": code.group(1)})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.post(url).status_code == 302
    assert Connection.objects.in_community(community).get().source_id == resident.pk


def test_the_landing_page_for_a_member_and_for_the_owner(client, community, resident):
    link = _link(community, resident)
    url = _url("learning_join", community, link.token)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the wording below is the English
    client.force_login(resident)
    assert "your own invitation link" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "your own invitation link" in response.content.decode()
    client.force_login(member(community))
    assert "already a member" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "nothing was recorded" in response.content.decode()
    assert not Connection.objects.in_community(community).exists()


def test_a_stopped_or_unknown_link_is_404(client, community, resident):
    link = _link(community, resident)
    assert client.get(_url("learning_join", community, "nope")).status_code == 404
    InviteLink.objects.in_community(community).filter(pk=link.pk).update(revoked_at=link.created_at)
    assert client.get(_url("learning_join", community, link.token)).status_code == 404


def test_a_newcomer_names_who_brought_them(client, community, resident):
    newcomer = member(community)
    client.force_login(newcomer)
    url = _url("learning_recruited_by", community)
    assert "phone" in client.get(url).content.decode()
    response = client.post(url, {"phone": "13900000001"})
    assert (
        gettext("No member of this community has this phone number.") in response.content.decode()
    )
    assert not Connection.objects.in_community(community).exists()
    response = client.post(url, {"phone": resident.phone.removeprefix("+86")})
    assert response.status_code == 302
    assert str(resident) in client.get(url).content.decode()
    assert Connection.objects.in_community(community).get().source_id == resident.pk


def _stats_world(community, monkeypatch):
    """Twelve members in two grids (10 and 2); leaders: four in the big grid (two in one
    household), one in the small one; two elderly members, one of them leads."""
    big, small = (
        BuildingFactory(community=community, name="1号楼"),
        BuildingFactory(community=community, name="9号楼"),
    )
    from gongzhi.core.models import Grid

    big.grid = Grid.objects.in_community(community).create(name="东区")
    big.save()
    small.grid = Grid.objects.in_community(community).create(name="西区")
    small.save()
    homes = [HouseholdFactory(building=big) for _ in range(4)] + [HouseholdFactory(building=small)]
    people = [member(community) for _ in range(12)]
    placed = {0: 0, 1: 0, 2: 1, 3: 2, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3, 9: 3, 10: 4, 11: 4}
    for index, home in placed.items():
        Membership.objects.in_community(community).filter(user=people[index]).update(
            household=homes[home]
        )
    for index in (0, 10):
        Membership.objects.in_community(community).filter(user=people[index]).update(
            groups_consented_at=datetime(2026, 1, 1, tzinfo=UTC), is_elderly=True
        )
    firsts = {
        people[0].pk: datetime(2025, 3, 1, tzinfo=UTC),
        people[1].pk: datetime(2025, 6, 1, tzinfo=UTC),
        people[2].pk: datetime(2026, 2, 1, tzinfo=UTC),
        people[3].pk: datetime(2026, 3, 1, tzinfo=UTC),
        people[10].pk: datetime(2026, 4, 1, tzinfo=UTC),
    }
    monkeypatch.setattr(spread_selectors, "leaders", lambda c: firsts)
    Connection.objects.in_community(community).create(
        source=people[0], target=people[5], kind="recruited"
    )
    Connection.objects.in_community(community).create(
        source=people[5], target=people[6], kind="trained"
    )
    assert Household.objects.in_community(community).count() == 5
    return people


def test_the_stats(community, monkeypatch):
    people = _stats_world(community, monkeypatch)
    stats = spread_selectors.spread_stats(community)
    assert stats.leaders == 5
    assert stats.members == 12
    assert stats.new_by_year == [(2025, 2), (2026, 3)]
    assert stats.concentration.households == 4
    assert stats.concentration.shared_share == pytest.approx(2 / 5)
    reach = {r.kind: (r.people, r.max_depth) for r in stats.reach}
    assert reach == {"all": (2, 2), "recruited": (1, 1), "trained": (0, 0), "invited": (0, 0)}
    # The small grid (2 people) is suppressed, and so is the big one (else subtraction from
    # the total shown would give the small one away).
    grids = {c.label: c for c in stats.by_grid}
    assert set(grids) == {"东区", "西区"}
    assert all(c.hidden for c in grids.values())
    # Two elderly members: too few to show.
    (elderly, *_others) = stats.by_group
    assert elderly.hidden
    assert stats.since is not None
    assert people


def test_the_stats_show_cells_big_enough(community, monkeypatch, settings):
    settings.EVALUATION_MIN_CELL = 2
    _stats_world(community, monkeypatch)
    grids = {c.label: c for c in spread_selectors.spread_stats(community).by_grid}
    assert (grids["东区"].leaders, grids["东区"].people) == (4, 10)
    assert (grids["西区"].leaders, grids["西区"].people) == (1, 2)
    assert grids["东区"].percent == pytest.approx(40)


def test_the_stats_page_is_for_staff(client, community, worker, official, resident, monkeypatch):
    _stats_world(community, monkeypatch)
    url = _url("learning_spread", community)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the wording below is the English
    client.force_login(resident)
    assert client.get(url).status_code == 404
    for person in (worker, official):
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert (
            "recorded from this app&#x27;s start" in html
            or "recorded from this app's start" in html
        )
        assert "too few people to show" in html
        assert "40%" in html  # two of the five leaders live with another leader


def test_the_partials(community, resident):
    assert spread_selectors.hub(community, resident)["can_invite"]
    assert not spread_selectors.hub(community, resident)["can_view_spread"]
    mine = spread_selectors.mine(community, resident)
    assert mine["link"] is None and mine["brought_in"] == 0 and mine["may_name"]
    from django.template.loader import render_to_string

    html = render_to_string(
        "learning/_mine_spread.html", {"community": community, "mine_spread": mine}
    )
    assert reverse("learning_recruited_by", args=[community.slug]) in html
    html = render_to_string(
        "learning/_hub_spread.html",
        {"community": community, "hub_spread": spread_selectors.hub(community, resident)},
    )
    assert reverse("learning_invite", args=[community.slug]) in html


def test_the_stats_read_leaders_from_the_ladder(community, worker):
    """No stand-in: a trainer at a session that took place is a leader (rung 6, the ladder's
    evidence); the learner they trained is reached, and whoever that learner brought in too."""
    from datetime import timedelta

    from gongzhi.learning import connections
    from tests.learning.world import attendance_of, course_of, session_of, trainer_of

    course = course_of(community, worker)
    trainer = trainer_of(course).person
    attendance_of(session_of(course, starts_in=timedelta(days=-2)))
    learner, friend = member(community), member(community)
    connections.record(community=community, source=trainer, target=learner, kind="trained")
    connections.record(community=community, source=learner, target=friend, kind="recruited")
    stats = spread_selectors.spread_stats(community)
    assert trainer.pk in spread_selectors.leaders(community)
    assert stats.leaders >= 1
    reach = {r.kind: (r.people, r.max_depth) for r in stats.reach}
    assert reach["all"] == (2, 2)
    assert reach["trained"] == (1, 1)


def test_the_learning_pages_carry_the_partials(client, community, resident):
    from django.contrib.auth.models import AnonymousUser

    visitor = spread_selectors.hub(community, AnonymousUser())
    assert not visitor["can_invite"] and not visitor["can_view_spread"]
    assert client.get(reverse("learning_home", args=[community.slug])).status_code == 200
    client.force_login(resident)
    home = client.get(reverse("learning_home", args=[community.slug])).content.decode()
    assert reverse("learning_invite", args=[community.slug]) in home
    mine = client.get(reverse("learning_me", args=[community.slug])).content.decode()
    assert reverse("learning_recruited_by", args=[community.slug]) in mine


def test_the_stats_queries_do_not_grow_with_members(
    client, community, worker, django_assert_max_num_queries
):
    client.force_login(worker)
    url = _url("learning_spread", community)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _i in range(15):
        member(community)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
