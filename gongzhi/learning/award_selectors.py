"""Reads of the awards part, shared by its pages and its API: a person's qualifications, the
holders of one, an award's public facts (the verification page) and the hub/mine partials."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import rules
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core import qualifications as core_qualifications
from gongzhi.core.masking import mask_name
from gongzhi.core.models import Community, Membership
from gongzhi.learning.models import Award, Course, CourseStatus

#: A qualification ending within this many days is "expiring soon" (and reminded once).
EXPIRING_DAYS = 30

VALID = "valid"
EXPIRED = "expired"
REVOKED = "revoked"
NOT_YET = "not_yet"


def status_of(award: Award, on: date | None = None) -> str:
    """VALID, EXPIRED, REVOKED or NOT_YET (valid from a later day) on the day ``on``."""
    on = on or timezone.localdate()
    if award.revoked_at is not None:
        return REVOKED
    if award.valid_from > on:
        return NOT_YET
    if award.valid_until is not None and award.valid_until < on:
        return EXPIRED
    return VALID


def name_of(user: Any) -> str:
    return (getattr(user, "display_name", "") or str(user)).strip()


def awards_of(person: Any) -> QuerySet[Award]:
    """Every award of ``person``, in every community (a qualification is the person's)."""
    return (
        Award.objects.all_communities()
        .filter(person=person)
        .select_related("community", "enrolment__course")
        .order_by("qualification", "-valid_from", "-pk")
    )


def is_renewal(award: Award) -> bool:
    """Whether an earlier, unrevoked award of the same qualification came before this one."""
    return (
        Award.objects.all_communities()
        .filter(
            person_id=award.person_id,
            qualification=award.qualification,
            revoked_at__isnull=True,
        )
        .filter(
            Q(valid_from__lt=award.valid_from) | Q(valid_from=award.valid_from, pk__lt=award.pk)
        )
        .exists()
    )


@dataclass
class Held:
    """One qualification of a person, over all their awards of it."""

    code: str
    label: str
    #: the last day it holds (None: no expiry) — across every valid award (a renewal extends)
    valid_until: date | None
    expiring_soon: bool
    renewed: bool
    awards: list[Award] = field(default_factory=list)
    #: open courses here that grant it (to renew, or to gain it after it lapsed)
    courses: list[Course] = field(default_factory=list)


def held_by(person: Any, on: date | None = None) -> list[Held]:
    """The qualifications ``person`` holds on ``on`` (valid or from a later day), by label."""
    on = on or timezone.localdate()
    by_code: dict[str, list[Award]] = {}
    earlier: dict[str, int] = {}
    for award in awards_of(person):
        if status_of(award, on) in (VALID, NOT_YET):
            by_code.setdefault(award.qualification, []).append(award)
        elif award.revoked_at is None:  # expired: the current one renewed it
            earlier[award.qualification] = earlier.get(award.qualification, 0) + 1
    result = []
    for code, awards in by_code.items():
        ends = [a.valid_until for a in awards]
        until = None if any(end is None for end in ends) else max(e for e in ends if e)
        result.append(
            Held(
                code=code,
                label=core_qualifications.label(code),
                valid_until=until,
                expiring_soon=until is not None and until <= on + timedelta(days=EXPIRING_DAYS),
                renewed=len(awards) + earlier.get(code, 0) > 1,
                awards=awards,
            )
        )
    return sorted(result, key=lambda held: held.label)


def open_courses_granting(community: Community, codes: list[str]) -> dict[str, list[Course]]:
    """``{code: [open courses here that grant it]}``: one query."""
    found: dict[str, list[Course]] = {}
    if not codes:
        return found
    courses = Course.objects.in_community(community).filter(
        status=CourseStatus.OPEN, qualification__in=codes
    )
    for course in courses.order_by("created_at", "pk"):
        found.setdefault(course.qualification, []).append(course)
    return found


def award_get(*, community: Community, user: Any, award_id: int) -> Award:
    """An award of this community the user may see (the holder, staff); else 404."""
    award = (
        Award.objects.in_community(community)
        .select_related("community", "person", "enrolment__course")
        .filter(pk=award_id)
        .first()
    )
    if award is None or not rules.has_perm("learning.view_award", user, award):
        raise Http404
    return award


def award_by_token(*, community: Community, token: str) -> Award:
    """The award a certificate's QR code names; only numbered (certificated) awards."""
    award = (
        Award.objects.in_community(community)
        .select_related("community", "person", "enrolment__course")
        .filter(token=token)
        .exclude(number="")
        .first()
    )
    if award is None:
        raise Http404
    return award


def public_view(award: Award, on: date | None = None) -> dict[str, Any]:
    """What the public verification page shows: never the holder's full name."""
    course = award.enrolment.course if award.enrolment_id and award.enrolment else None
    return {
        "number": award.number,
        "holder": mask_name(name_of(award.person)),
        "qualification": award.qualification,
        "label": core_qualifications.label(award.qualification),
        "valid_from": award.valid_from,
        "valid_until": award.valid_until,
        "status": status_of(award, on),
        "course": course.title if course else "",
        "community": award.community.name,
        "revoked_at": award.revoked_at,
    }


def person_in(community: Community, user_id: int) -> Any:
    """A member of ``community`` by user id; else 404."""
    membership = (
        Membership.objects.in_community(community)
        .select_related("user")
        .filter(user_id=user_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership.user


def person_awards(community: Community, person: Any) -> list[Award]:
    """The awards this community made or recorded for ``person`` (staff's page): a worker sees
    their own community's records, not what another community recorded."""
    awards = list(
        Award.objects.in_community(community)
        .filter(person=person)
        .select_related("enrolment__course", "granted_by", "revoked_by")
        .order_by("qualification", "-valid_from", "-pk")
    )
    today = timezone.localdate()
    for award in awards:
        award.status = status_of(award, today)  # type: ignore[attr-defined]
    return awards


def holders(community: Community, code: str, on: date | None = None) -> list[dict[str, Any]]:
    """The people who hold ``code`` on ``on`` by an award of this community, with the last day
    it holds (None: no expiry), by name."""
    on = on or timezone.localdate()
    rows = (
        Award.objects.in_community(community)
        .filter(qualification=code, revoked_at__isnull=True, valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .select_related("person")
        .order_by("person_id", "-valid_from")
    )
    people: dict[int, dict[str, Any]] = {}
    for award in rows:
        entry = people.setdefault(
            award.person_id,
            {"person": award.person, "valid_until": award.valid_until, "awards": 0},
        )
        entry["awards"] += 1
        if entry["valid_until"] is not None and (
            award.valid_until is None or award.valid_until > entry["valid_until"]
        ):
            entry["valid_until"] = award.valid_until
    return sorted(people.values(), key=lambda entry: name_of(entry["person"]))


def holder_counts(community: Community, on: date | None = None) -> dict[str, int]:
    """``{code: people holding it on ``on``}`` by this community's awards: one query."""
    on = on or timezone.localdate()
    pairs = (
        Award.objects.in_community(community)
        .filter(revoked_at__isnull=True, valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .values_list("qualification", "person_id")
        .distinct()
    )
    counts: dict[str, int] = {}
    for code, _person in pairs:
        counts[code] = counts.get(code, 0) + 1
    return counts


# --- the partials on learning's pages ------------------------------------------------------------


def mine(community: Community, user: Any) -> dict[str, Any]:
    """My qualifications: held, until when, expiring soon, and the courses here that renew."""
    held = held_by(user)
    wanted = [h.code for h in held if h.expiring_soon or h.valid_until is not None]
    courses = open_courses_granting(community, wanted)
    for entry in held:
        entry.courses = courses.get(entry.code, [])
    return {"held": held}


def hub(community: Community, viewer: Any) -> dict[str, Any]:
    """For staff: how many hold each qualification here; for everyone: the list of them."""
    can_manage = rules.has_perm("learning.view_qualifications", viewer, community)
    counts = holder_counts(community) if can_manage else {}
    return {
        "can_manage": can_manage,
        "qualifications": [
            {"code": code, "label": str(label), "holders": counts.get(code, 0)}
            for code, label in core_qualifications.known().items()
        ],
    }
