"""A round's dated phases (Round.schedule, selectors.current_phase) and the round services:
reschedule, abandon, review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gongzhi.covenants import selectors
from gongzhi.covenants.models import Round, RoundStatus

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
