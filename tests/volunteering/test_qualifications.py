"""core/qualifications: apps declare qualifications in their manifests and one app checks who
holds one. No app does yet (the learning issue will): every asked code is then missing, and a
shift naming an unknown code is refused. The tests stand in for that app by pointing the
registry at a checker in this module."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.core import qualifications
from gongzhi.volunteering import shifts
from tests.volunteering.world import activity_of, shift_of, volunteer_of

HOLDERS: set[tuple[int, str]] = set()


def holds(person, code: str, on: date) -> bool:
    """A checker as the learning app will declare one (``QUALIFICATION_CHECK``)."""
    return (person.pk, code) in HOLDERS


@pytest.fixture
def declared(monkeypatch):
    monkeypatch.setattr(
        qualifications, "registry", lambda: {"first_aid": "急救证", "food": "食品安全"}
    )
    monkeypatch.setattr(
        qualifications, "checker_path", lambda: "tests.volunteering.test_qualifications.holds"
    )
    HOLDERS.clear()
    yield
    HOLDERS.clear()


def test_with_no_app_declaring_them_nothing_is_known_and_everything_missing(db, monkeypatch):
    # learning declares them now: take its declarations away, as on a platform without it
    monkeypatch.setattr(qualifications, "registry", dict)
    monkeypatch.setattr(qualifications, "checker_path", str)
    assert qualifications.known() == {}
    assert qualifications.checker_path() == ""
    assert qualifications.missing(
        object(), ["first_aid", "first_aid", "food"], timezone.localdate()
    ) == [
        "first_aid",
        "food",
    ]
    assert qualifications.missing(object(), [], timezone.localdate()) == []
    assert qualifications.unknown(["first_aid"]) == ["first_aid"]


def test_a_declared_checker_decides(declared, community, worker):
    volunteer = volunteer_of(community)
    HOLDERS.add((volunteer.person.pk, "first_aid"))
    day = timezone.localdate()
    assert qualifications.known() == {"first_aid": "急救证", "food": "食品安全"}
    assert qualifications.missing(volunteer.person, ["first_aid", "food"], day) == ["food"]
    assert qualifications.label("food") == "食品安全"
    assert qualifications.unknown(["food", "diving"]) == ["diving"]


def test_a_shift_asks_for_a_qualification(declared, community, worker):
    activity = activity_of(community, worker)
    with pytest.raises(ValidationError) as error:
        shifts.shift_create(
            actor=worker,
            activity=activity,
            starts_at=shift_of(activity).starts_at + timedelta(days=1),
            ends_at=shift_of(activity).ends_at + timedelta(days=1),
            capacity=2,
            required_qualifications=["diving"],
        )
    assert error.value.code == "unknown_qualification"
    shift = shift_of(activity, starts_in=timedelta(days=5), required_qualifications=["first_aid"])
    holder, other = volunteer_of(community), volunteer_of(community)
    HOLDERS.add((holder.person.pk, "first_aid"))
    with pytest.raises(ValidationError) as error:
        shifts.signup_add(actor=other.person, shift=shift)
    assert error.value.code == "qualification_missing"
    assert "急救证" in error.value.messages[0]
    assert shifts.signup_add(actor=holder.person, shift=shift).status == "registered"


def test_without_a_checker_a_shift_asking_for_one_takes_nobody(community, worker, monkeypatch):
    monkeypatch.setattr(qualifications, "registry", lambda: {"first_aid": "急救证"})
    shift = shift_of(activity_of(community, worker), required_qualifications=["first_aid"])
    with pytest.raises(ValidationError) as error:
        shifts.signup_add(actor=volunteer_of(community).person, shift=shift)
    assert error.value.code == "qualification_missing"
