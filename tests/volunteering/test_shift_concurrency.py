"""Sign-ups under real concurrent requests: threads against the live server, each its own
database connection (PostgreSQL with DATABASE_URL; SQLite serialises writers by its own lock).
A sign-up locks the shift's row before it counts the places, so never more are signed up than
its capacity, and every request answered 2xx is stored."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.volunteering.models import SignUp
from tests.concurrency import race_posts
from tests.volunteering.world import activity_of, shift_of, signup_of, volunteer_of


def _url(live_server, community, shift) -> str:
    return (
        f"{live_server.url}/api/v1/communities/{community.slug}/volunteering/"
        f"shifts/{shift.pk}/signups"
    )


@pytest.mark.django_db(transaction=True)
def test_thirty_sign_ups_for_ten_places_never_overbook(live_server, community, worker):
    shift = shift_of(activity_of(community, worker), capacity=10)
    volunteers = [volunteer_of(community) for _i in range(30)]
    tokens = [api_token_create(user=v.person, name="t")[1] for v in volunteers]

    statuses = race_posts(_url(live_server, community, shift), tokens, [{} for _t in tokens])

    assert statuses == [201] * 30  # every answer a success …
    rows = SignUp.objects.in_community(community).filter(shift=shift)
    assert rows.count() == 30  # … and every success stored
    assert rows.filter(status="registered").count() == 10
    assert rows.filter(status="waitlisted").count() == 20
    journalled = Activity.objects.in_community(community).filter(verb="shift.signed_up")
    assert sorted(e.data["status"] for e in journalled) == ["registered"] * 10 + ["waitlisted"] * 20


@pytest.mark.django_db(transaction=True)
def test_one_person_signing_up_twice_at_once_is_stored_once(live_server, community, worker):
    shift = shift_of(activity_of(community, worker), capacity=5)
    volunteer = volunteer_of(community)
    _t, token = api_token_create(user=volunteer.person, name="t")

    statuses = race_posts(_url(live_server, community, shift), token, [{} for _i in range(4)])

    assert statuses == [201] + [400] * 3
    assert SignUp.objects.in_community(community).filter(shift=shift).count() == 1


@pytest.mark.django_db(transaction=True)
def test_cancellations_racing_sign_ups_keep_the_places_exact(live_server, community, worker):
    """Those with a place give it up while others sign up: the places taken never exceed the
    capacity, and whoever waits is promoted into each freed place."""
    shift = shift_of(activity_of(community, worker), capacity=3)
    holders = [volunteer_of(community) for _i in range(3)]
    signups = [signup_of(shift, v) for v in holders]
    newcomers = [volunteer_of(community) for _i in range(6)]
    base = _url(live_server, community, shift)
    import threading

    results: list[list[int]] = []

    def cancel_all() -> None:
        for signup, volunteer in zip(signups, holders, strict=True):
            token = api_token_create(user=volunteer.person, name="c")[1]
            results.append(race_posts(f"{base}/{signup.pk}/cancel", token, [{}]))

    tokens = [api_token_create(user=v.person, name="t")[1] for v in newcomers]
    canceller = threading.Thread(target=cancel_all)
    canceller.start()
    statuses = race_posts(base, tokens, [{} for _t in tokens])
    canceller.join()

    assert statuses == [201] * 6
    assert results == [[200]] * 3
    rows = SignUp.objects.in_community(community).filter(shift=shift)
    assert rows.filter(status="registered").count() == 3
    assert rows.filter(status="waitlisted").count() == 3
    assert rows.filter(status="cancelled").count() == 3
