"""A round's dated phases (Round.schedule, selectors.current_phase) and the round services:
reschedule, abandon, review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Activity
from gongzhi.covenants import selectors, services
from gongzhi.covenants.models import Covenant, Round, RoundStatus, Version
from tests.covenants.world import covenant_of, current_round, keys

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def dated(status: str = RoundStatus.OPEN) -> Round:
    return Round(
        status=status,
        drafting_starts=T0,
        consultation_starts=T0 + 10 * DAY,
        revision_starts=T0 + 20 * DAY,
        revision_ends=T0 + 30 * DAY,
    )


@pytest.mark.parametrize(
    "at, phase",
    [
        (T0 - DAY, "drafting"),  # not begun yet: still being drafted
        (T0, "drafting"),
        (T0 + 10 * DAY - timedelta(seconds=1), "drafting"),
        (T0 + 10 * DAY, "consultation"),  # half-open: the next phase at the very instant
        (T0 + 19 * DAY, "consultation"),
        (T0 + 20 * DAY, "revision"),
        (T0 + 30 * DAY, "ratification"),  # revision over, waiting for the ratification vote
        (T0 + 300 * DAY, "ratification"),
    ],
)
def test_an_open_round_reads_its_phase_from_the_dates(at, phase):
    assert selectors.current_phase(dated(), at) == phase


@pytest.mark.parametrize(
    "status, phase",
    [
        (RoundStatus.RATIFYING, "ratification"),
        (RoundStatus.RATIFIED, "filing"),
        (RoundStatus.IN_FORCE, "in_force"),
        (RoundStatus.NOT_ADOPTED, "not_adopted"),
        (RoundStatus.ABANDONED, "abandoned"),
    ],
)
def test_after_the_dates_the_status_says(status, phase):
    # Whatever the clock: an abandoned round is not in consultation just because of its dates.
    assert selectors.current_phase(dated(status), T0 + 15 * DAY) == phase
    assert phase in selectors.PHASES


def test_features_by_phase():
    round_ = dated()
    schedule = round_.schedule()
    assert [p.key for p in schedule.phases] == ["drafting", "consultation", "revision"]
    assert schedule.phases[-1].end == T0 + 30 * DAY
    during = {
        "drafting": T0 + DAY,
        "consultation": T0 + 11 * DAY,
        "revision": T0 + 21 * DAY,
        "after": T0 + 31 * DAY,
    }
    open_ = {
        name: {f for f in ("comment", "amend", "support", "decide") if schedule.is_open(f, at)}
        for name, at in during.items()
    }
    assert open_ == {
        "drafting": set(),
        "consultation": {"comment", "amend", "support", "decide"},
        "revision": {"decide", "support"},
        "after": set(),
    }
    assert selectors.feature_open(round_, "comment", during["consultation"])
    assert not selectors.feature_open(
        dated(RoundStatus.ABANDONED), "comment", during["consultation"]
    )


# --- Services on a round -------------------------------------------------------------------------

NAMES = services.Dates.NAMES


def moved(round_: Round, **days: float) -> services.Dates:
    """The round's dates with some moved by ``days``."""
    return services.Dates(
        **{name: getattr(round_, name) + timedelta(days=days.get(name, 0)) for name in NAMES}
    )


def test_dates_still_to_come_move(community, worker):
    round_ = current_round(covenant_of(community, worker, phase="drafting"))
    services.round_reschedule(
        actor=worker, round=round_, dates=moved(round_, consultation_starts=2, revision_starts=3)
    )
    fresh = Round.objects.in_community(community).get(pk=round_.pk)
    assert fresh.consultation_starts == round_.consultation_starts + timedelta(days=2)
    assert fresh.drafting_starts == round_.drafting_starts
    entry = Activity.objects.in_community(community).get(verb="covenant.round_rescheduled")
    assert entry.data["round"] == round_.pk


def test_a_date_that_passed_does_not_move(community, worker):
    round_ = current_round(covenant_of(community, worker, phase="consultation"))
    with pytest.raises(ValidationError) as caught:
        services.round_reschedule(
            actor=worker, round=round_, dates=moved(round_, consultation_starts=1)
        )
    assert caught.value.code == "date_passed"
    # Seconds lost by a form do not count as moving it.
    services.round_reschedule(
        actor=worker,
        round=round_,
        dates=moved(round_, consultation_starts=0.0001, revision_starts=3),
    )
    fresh = Round.objects.in_community(community).get(pk=round_.pk)
    assert fresh.consultation_starts == round_.consultation_starts


def test_a_consultation_under_way_is_lengthened_never_shortened(community, worker):
    round_ = current_round(covenant_of(community, worker, phase="consultation"))
    with pytest.raises(ValidationError) as caught:
        services.round_reschedule(
            actor=worker, round=round_, dates=moved(round_, revision_starts=-2)
        )
    assert caught.value.code == "consultation_shortened"
    services.round_reschedule(
        actor=worker, round=round_, dates=moved(round_, revision_starts=5, revision_ends=5)
    )


@pytest.mark.parametrize(
    "days, code",
    [
        ({"consultation_starts": 20}, "phases_order"),
        ({"revision_starts": -20}, "date_in_past"),
    ],
)
def test_bad_dates_are_refused(community, worker, days, code):
    round_ = current_round(covenant_of(community, worker, phase="drafting"))
    with pytest.raises(ValidationError) as caught:
        services.round_reschedule(actor=worker, round=round_, dates=moved(round_, **days))
    assert caught.value.code == code
    assert (
        Round.objects.in_community(community).get(pk=round_.pk).revision_starts
        == round_.revision_starts
    )


def test_only_drafters_reschedule_or_abandon(community, worker, resident):
    round_ = current_round(covenant_of(community, worker, phase="drafting"))
    with pytest.raises(PermissionDenied):
        services.round_reschedule(
            actor=resident, round=round_, dates=moved(round_, revision_ends=1)
        )
    with pytest.raises(PermissionDenied):
        services.round_abandon(actor=resident, round=round_, reason="不要了")


def test_abandon_with_a_reason(community, worker):
    round_ = current_round(covenant_of(community, worker, phase="consultation"))
    with pytest.raises(ValidationError) as caught:
        services.round_abandon(actor=worker, round=round_, reason=" ")
    assert caught.value.code == "reason_missing"
    services.round_abandon(actor=worker, round=round_, reason="街道将统一制定")
    fresh = Round.objects.in_community(community).get(pk=round_.pk)
    assert (fresh.status, fresh.closing_note) == ("abandoned", "街道将统一制定")
    assert selectors.current_phase(fresh) == "abandoned"
    with pytest.raises(ValidationError) as caught:
        services.round_abandon(actor=worker, round=fresh, reason="again")
    assert caught.value.code == "round_closed"
    with pytest.raises(ValidationError) as caught:
        services.round_reschedule(actor=worker, round=fresh, dates=moved(fresh, revision_ends=1))
    assert caught.value.code == "round_closed"


def in_force(community, worker) -> Covenant:
    """A covenant whose first round put its draft in force."""
    covenant = covenant_of(community, worker, phase="ratification")
    round_ = current_round(covenant)
    Version.objects.in_community(community).filter(pk=round_.draft_id).update(kind="adopted")
    Round.objects.in_community(community).filter(pk=round_.pk).update(status="in_force")
    covenant.in_force = round_.draft
    covenant.save()
    return covenant


def review_dates() -> services.Dates:
    now = timezone.now()
    return services.Dates(
        now, now + timedelta(days=3), now + timedelta(days=10), now + timedelta(days=15)
    )


def test_a_review_copies_the_text_in_force_with_its_keys(community, worker):
    covenant = in_force(community, worker)
    adopted = covenant.in_force
    round_ = services.review_start(actor=worker, covenant=covenant, dates=review_dates())
    assert (round_.number, round_.kind, round_.status) == (2, "review", "open")
    draft = round_.draft
    assert (draft.number, draft.kind, draft.based_on_id, draft.round_id) == (
        2,
        "draft",
        adopted.pk,
        round_.pk,
    )
    assert keys(draft) == keys(adopted)
    assert selectors.version_text(draft).articles == selectors.version_text(adopted).articles
    assert selectors.current_phase(round_) == "drafting"
    entry = Activity.objects.in_community(community).get(verb="covenant.round_started")
    assert entry.data == {"round": round_.pk, "kind": "review"}
    # One round at a time.
    with pytest.raises(ValidationError) as caught:
        services.review_start(actor=worker, covenant=covenant, dates=review_dates())
    assert caught.value.code == "round_under_way"


def test_no_review_without_a_text_in_force(community, worker):
    covenant = covenant_of(community, worker, phase="drafting")
    with pytest.raises(ValidationError) as caught:
        services.review_start(actor=worker, covenant=covenant, dates=review_dates())
    assert caught.value.code == "not_in_force"
    assert Round.objects.in_community(community).filter(covenant=covenant).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reviews_start_exactly_one(live_server, community, worker):
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    covenant = in_force(community, worker)
    _t, token = api_token_create(user=worker, name="t")
    body = {name: value.isoformat() for name, value in review_dates().as_dict().items()}
    url = f"{live_server.url}/api/v1/communities/{community.slug}/covenants/{covenant.pk}/rounds"

    statuses = race_posts(url, token, [body] * 6)

    assert statuses == [201] + [400] * 5
    rounds = Round.objects.in_community(community).filter(covenant=covenant)
    assert rounds.count() == 2
    assert Version.objects.in_community(community).filter(covenant=covenant).count() == 2
    assert (
        Activity.objects.in_community(community).filter(verb="covenant.round_started").count() == 1
    )
