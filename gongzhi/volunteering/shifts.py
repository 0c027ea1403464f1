"""Volunteer activities and their shifts: creating, publishing and cancelling them, signing up
(oneself, or a resident through a worker: 代办), the waiting list and its promotions, and the
day-ahead reminders (keyword-only, atomic, journalled).

A sign-up locks the shift's row before it counts the places taken, so the places taken never
exceed the shift's capacity, whatever the number of concurrent requests; the rest wait in order
and the first waiting takes a place that frees (cancelled, or the capacity raised). A person's
sign-ups (places or waiting) never overlap in time (``shift_overlaps``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal, qualifications
from gongzhi.core.models import Membership
from gongzhi.core.places import promote_waiting
from gongzhi.core.policies import require
from gongzhi.volunteering.models import (
    ActivityStatus,
    Shift,
    SignUp,
    SignUpStatus,
    Team,
    Volunteer,
    VolunteerActivity,
)
from gongzhi.volunteering.selectors import volunteer_for
from gongzhi.volunteering.services import age_on

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.core.models import Community

#: Reminders go out this long before a shift starts.
REMIND_AHEAD = timedelta(days=1)
#: A sign-up in one of these holds a place or a place in the queue.
ACTIVE = (SignUpStatus.REGISTERED, SignUpStatus.WAITLISTED)
MAX_AGE = 100


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this for this volunteer activity."))


def activity_url(activity: VolunteerActivity) -> str:
    return reverse(
        "volunteering_activity_detail",
        kwargs={"slug": activity.community.slug, "activity_id": activity.pk},
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def shift_place(shift: Shift) -> str:
    return shift.place or shift.activity.place


def _notify(users: Iterable[Any], shift: Shift, kind: str, message: str, **params: Any) -> None:
    from gongzhi.core.notify import send

    people = [person for person in users if person.is_active]
    if not people:
        return
    activity = shift.activity
    send(
        users=people,
        community=activity.community,
        kind=kind,
        message=message,
        params={
            "title": activity.title,
            "starts": _local(shift.starts_at),
            "place": shift_place(shift),
            **params,
        },
        url=activity_url(activity),
    )


def _is_member(person: Any, community_id: int) -> bool:
    return (
        Membership.objects.in_community(community_id)
        .filter(user=person, user__is_active=True)
        .exists()
    )


# --- Activities -------------------------------------------------------------------------------


def _clean_text(value: str, *, code: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, code=code)
    return value


def _check_team(team: Team | None, community_id: int) -> None:
    if team is None:
        return
    if team.community_id != community_id:
        raise ValidationError(_("This team belongs to another community."), code="team_unknown")
    if team.closed_at is not None:
        raise ValidationError(
            _("This team is closed: it runs no new activities."), code="team_closed"
        )


def _check_organiser(organiser: Any, community_id: int) -> None:
    if not _is_member(organiser, community_id):
        raise ValidationError(
            _("The organiser must be a member of the community."), code="organiser_not_member"
        )


def activity_create(
    *,
    actor: User,
    community: Community,
    title: str,
    description: str,
    place: str,
    team: Team | None = None,
    organiser: User | None = None,
) -> VolunteerActivity:
    """A draft activity; its organiser (the creator unless named) runs it and confirms hours."""
    _require("volunteering.organise", actor, community)
    organiser = organiser or actor
    title = _clean_text(title, code="title_required", message=_("Give the activity a title."))
    description = _clean_text(
        description, code="description_required", message=_("Say what the volunteers will do.")
    )
    place = _clean_text(place, code="place_required", message=_("Say where it takes place."))
    _check_team(team, community.pk)
    _check_organiser(organiser, community.pk)
    with transaction.atomic():
        activity = VolunteerActivity.objects.create(
            community=community,
            title=title,
            description=description,
            place=place,
            team=team,
            organiser=organiser,
            created_by=actor,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="activity.created",
            target=activity,
            data={"activity": activity.pk, "team": activity.team_id, "organiser": organiser.pk},
        )
    return activity


def _lock_activity(activity: VolunteerActivity) -> VolunteerActivity:
    return (
        VolunteerActivity.objects.in_community(activity.community_id)
        .select_for_update(of=("self",))
        .select_related("community")
        .get(pk=activity.pk)
    )


def _refuse_cancelled(activity: VolunteerActivity) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("This activity has been cancelled."), code="activity_cancelled")


_UNSET: Any = object()


def activity_update(
    *,
    actor: User,
    activity: VolunteerActivity,
    title: str | None = None,
    description: str | None = None,
    place: str | None = None,
    team: Team | None = _UNSET,
    organiser: User | None = None,
) -> VolunteerActivity:
    """Change what is given (a cancelled activity no longer changes)."""
    _require("volunteering.run_activity", actor, activity)
    with transaction.atomic():
        current = _lock_activity(activity)
        _refuse_cancelled(current)
        changed: list[str] = []
        if title is not None:
            current.title = _clean_text(
                title, code="title_required", message=_("Give the activity a title.")
            )
            changed.append("title")
        if description is not None:
            current.description = _clean_text(
                description,
                code="description_required",
                message=_("Say what the volunteers will do."),
            )
            changed.append("description")
        if place is not None:
            current.place = _clean_text(
                place, code="place_required", message=_("Say where it takes place.")
            )
            changed.append("place")
        if team is not _UNSET:
            _check_team(team, current.community_id)
            current.team = team
            changed.append("team")
        if organiser is not None:
            _check_organiser(organiser, current.community_id)
            current.organiser = organiser
            changed.append("organiser")
        if changed:
            current.save(update_fields=changed)
            journal.record(
                community=current.community,
                actor=actor,
                verb="activity.updated",
                target=current,
                data={"activity": current.pk, "changed": changed},
            )
    return current


def activity_publish(*, actor: User, activity: VolunteerActivity) -> VolunteerActivity:
    """Open a draft for sign-ups (it needs a shift)."""
    _require("volunteering.run_activity", actor, activity)
    with transaction.atomic():
        current = _lock_activity(activity)
        _refuse_cancelled(current)
        if current.status == ActivityStatus.PUBLISHED:
            raise ValidationError(
                _("This activity is already published."), code="already_published"
            )
        if not _shifts(current).filter(cancelled_at__isnull=True).exists():
            raise ValidationError(
                _("Add a shift before publishing the activity."), code="no_shifts"
            )
        current.status = ActivityStatus.PUBLISHED
        current.save(update_fields=["status"])
        journal.record(
            community=current.community,
            actor=actor,
            verb="activity.published",
            target=current,
            data={"activity": current.pk},
        )
    return current


def _shifts(activity: VolunteerActivity) -> Any:
    return Shift.objects.in_community(activity.community_id).filter(activity=activity)


def _holders(shift: Shift) -> list[Any]:
    """The people with a place or on the waiting list of ``shift``."""
    return [
        signup.volunteer.person
        for signup in SignUp.objects.in_community(shift.community_id)
        .filter(shift=shift, status__in=ACTIVE)
        .select_related("volunteer__person")
    ]


def activity_cancel(
    *, actor: User, activity: VolunteerActivity, reason: str = ""
) -> VolunteerActivity:
    """Cancel the activity: its coming shifts take nobody more, and everyone signed up or
    waiting for one is told (kind ``shift_changed``)."""
    _require("volunteering.run_activity", actor, activity)
    reason = (reason or "").strip()
    with transaction.atomic():
        current = _lock_activity(activity)
        _refuse_cancelled(current)
        current.status = ActivityStatus.CANCELLED
        current.save(update_fields=["status"])
        now = timezone.now()
        coming = list(
            _shifts(current)
            .select_for_update()
            .filter(cancelled_at__isnull=True, starts_at__gt=now)
            .order_by("starts_at", "pk")
        )
        for shift in coming:
            shift.activity = current
            shift.cancelled_at = now
            shift.save(update_fields=["cancelled_at"])
        journal.record(
            community=current.community,
            actor=actor,
            verb="activity.cancelled",
            target=current,
            data={"activity": current.pk, "shifts": [s.pk for s in coming], "reason": reason},
        )
        for shift in coming:
            _notify(
                _holders(shift),
                shift,
                "shift_changed",
                "cancelled",
                reason=reason or _("not given"),
            )
    return current


# --- Shifts -----------------------------------------------------------------------------------


def _check_shift_fields(
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    min_age: int | None,
    required: Sequence[str],
) -> list[str]:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError(_("A shift's times need a time zone."), code="shift_times")
    if ends_at <= starts_at:
        raise ValidationError(_("A shift must end after it starts."), code="shift_times")
    if ends_at - starts_at > timedelta(hours=24):
        raise ValidationError(_("A shift lasts at most 24 hours."), code="shift_times")
    if capacity is None or capacity < 1:
        raise ValidationError(_("A shift needs at least one place."), code="capacity")
    if min_age is not None and not 0 <= min_age <= MAX_AGE:
        raise ValidationError(_("The minimum age must be between 0 and 100."), code="min_age")
    codes = list(dict.fromkeys(code.strip() for code in required if code and code.strip()))
    unknown = qualifications.unknown(codes)
    if unknown:
        raise ValidationError(
            _("Unknown qualification: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_qualification",
        )
    return codes


def shift_create(
    *,
    actor: User,
    activity: VolunteerActivity,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    place: str = "",
    min_age: int | None = None,
    required_qualifications: Sequence[str] = (),
) -> Shift:
    """Add a shift to an activity (its place the activity's unless another is given)."""
    _require("volunteering.run_activity", actor, activity)
    codes = _check_shift_fields(
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        min_age=min_age,
        required=required_qualifications,
    )
    if starts_at <= timezone.now():
        raise ValidationError(_("A new shift must start in the future."), code="shift_past")
    with transaction.atomic():
        current = _lock_activity(activity)
        _refuse_cancelled(current)
        shift = Shift.objects.create(
            community_id=current.community_id,
            activity=current,
            starts_at=starts_at,
            ends_at=ends_at,
            place=(place or "").strip() or current.place,
            capacity=capacity,
            min_age=min_age,
            required_qualifications=codes,
        )
        journal.record(
            community=current.community,
            actor=actor,
            verb="shift.created",
            target=shift,
            data={
                "shift": shift.pk,
                "activity": current.pk,
                "starts": shift.starts_at.isoformat(),
                "capacity": capacity,
            },
        )
    return shift


def _lock_shift(shift: Shift) -> Shift:
    return (
        Shift.objects.in_community(shift.community_id)
        .select_for_update(of=("self",))
        .select_related("activity__community")
        .get(pk=shift.pk)
    )


def _registered(shift: Shift) -> Any:
    return SignUp.objects.in_community(shift.community_id).filter(
        shift=shift, status=SignUpStatus.REGISTERED
    )


def _promote(shift: Shift, *, actor: User | None) -> list[SignUp]:
    """Give the free places of ``shift`` (locked) to the first waiting, and tell them."""
    if shift.cancelled_at is not None or shift.starts_at <= timezone.now():
        return []
    promoted = promote_waiting(
        SignUp.objects.in_community(shift.community_id).filter(
            shift=shift, status=SignUpStatus.WAITLISTED
        ),
        free=shift.capacity - _registered(shift).count(),
        status=SignUpStatus.REGISTERED,
        related=("volunteer__person",),
    )
    for signup in promoted:
        journal.record(
            community=shift.activity.community,
            actor=actor,
            on_behalf_of=signup.volunteer.person,
            verb="shift.promoted",
            target=shift,
            data={"shift": shift.pk, "signup": signup.pk},
        )
    _notify([s.volunteer.person for s in promoted], shift, "shift_place", "promoted")
    return promoted


def shift_update(
    *,
    actor: User,
    shift: Shift,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    capacity: int | None = None,
    place: str | None = None,
    min_age: int | None = _UNSET,
    required_qualifications: Sequence[str] | None = None,
) -> Shift:
    """Change a coming shift. A capacity may not fall below the places already taken; a raised
    one promotes from the waiting list. Those signed up hear of a new time or place."""
    _require("volunteering.run_activity", actor, shift.activity)
    with transaction.atomic():
        current = _lock_shift(shift)
        _refuse_cancelled(current.activity)
        if current.cancelled_at is not None:
            raise ValidationError(_("This shift has been cancelled."), code="shift_cancelled")
        if current.starts_at <= timezone.now():
            raise ValidationError(_("This shift has already started."), code="shift_past")
        new_starts = starts_at or current.starts_at
        new_ends = ends_at or current.ends_at
        new_capacity = current.capacity if capacity is None else capacity
        new_min_age = current.min_age if min_age is _UNSET else min_age
        codes = _check_shift_fields(
            starts_at=new_starts,
            ends_at=new_ends,
            capacity=new_capacity,
            min_age=new_min_age,
            required=(
                current.required_qualifications
                if required_qualifications is None
                else required_qualifications
            ),
        )
        if new_starts <= timezone.now():
            raise ValidationError(_("A shift must start in the future."), code="shift_past")
        taken = _registered(current).count()
        if new_capacity < taken:
            raise ValidationError(
                _("%(taken)d places are already taken: the capacity cannot be lower.")
                % {"taken": taken},
                code="capacity_below_signups",
            )
        new_place = current.place if place is None else (place.strip() or current.activity.place)
        moved = (new_starts, new_ends, new_place) != (
            current.starts_at,
            current.ends_at,
            current.place,
        )
        changed = [
            name
            for name, old, new in (
                ("starts_at", current.starts_at, new_starts),
                ("ends_at", current.ends_at, new_ends),
                ("capacity", current.capacity, new_capacity),
                ("place", current.place, new_place),
                ("min_age", current.min_age, new_min_age),
                ("required_qualifications", current.required_qualifications, codes),
            )
            if old != new
        ]
        if not changed:
            return current
        current.starts_at, current.ends_at = new_starts, new_ends
        current.capacity, current.place = new_capacity, new_place
        current.min_age, current.required_qualifications = new_min_age, codes
        current.save(update_fields=changed)
        journal.record(
            community=current.activity.community,
            actor=actor,
            verb="shift.updated",
            target=current,
            data={"shift": current.pk, "changed": changed},
        )
        if moved:
            _notify(_holders(current), current, "shift_changed", "changed")
        _promote(current, actor=actor)
    return current


def shift_cancel(*, actor: User, shift: Shift, reason: str = "") -> Shift:
    """Cancel a coming shift; those signed up or waiting are told."""
    _require("volunteering.run_activity", actor, shift.activity)
    reason = (reason or "").strip()
    with transaction.atomic():
        current = _lock_shift(shift)
        if current.cancelled_at is not None:
            raise ValidationError(_("This shift has been cancelled."), code="shift_cancelled")
        if current.starts_at <= timezone.now():
            raise ValidationError(_("This shift has already started."), code="shift_past")
        current.cancelled_at = timezone.now()
        current.save(update_fields=["cancelled_at"])
        journal.record(
            community=current.activity.community,
            actor=actor,
            verb="shift.cancelled",
            target=current,
            data={"shift": current.pk, "reason": reason},
        )
        _notify(
            _holders(current),
            current,
            "shift_changed",
            "cancelled",
            reason=reason or _("not given"),
        )
    return current


# --- Sign-ups ---------------------------------------------------------------------------------


def _check_person(volunteer: Volunteer, shift: Shift) -> None:
    day = timezone.localdate(shift.starts_at)
    if shift.min_age:
        if volunteer.birth_date is None:
            raise ValidationError(
                _(
                    "This shift is for volunteers aged %(age)d or over, and the registration "
                    "has no date of birth: add it to the registration first."
                )
                % {"age": shift.min_age},
                code="age_unknown",
            )
        if age_on(volunteer.birth_date, day) < shift.min_age:
            raise ValidationError(
                _("This shift is for volunteers aged %(age)d or over.") % {"age": shift.min_age},
                code="too_young",
            )
    missing = qualifications.missing(volunteer.person, shift.required_qualifications, day)
    if missing:
        raise ValidationError(
            _("This shift needs a qualification not on record: %(names)s.")
            % {"names": ", ".join(qualifications.label(code) for code in missing)},
            code="qualification_missing",
        )


def _overlapping(volunteer: Volunteer, shift: Shift) -> SignUp | None:
    return (
        SignUp.objects.in_community(shift.community_id)
        .filter(
            volunteer=volunteer,
            status__in=ACTIVE,
            shift__cancelled_at__isnull=True,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift=shift)
        .select_related("shift__activity")
        .first()
    )


def signup_add(
    *,
    actor: User,
    shift: Shift,
    person: User | None = None,
    recruited_by: User | None = None,
) -> SignUp:
    """Sign ``person`` (oneself; someone else only by staff, 代办) up for ``shift``: a place
    while there are some, else the waiting list."""
    person = person or actor
    if person.pk != actor.pk:
        require(
            "volunteering.register_others",
            actor,
            shift.activity.community,
            _("Only the community's staff sign up someone else."),
        )
    volunteer = volunteer_for(person, shift.community_id)
    if volunteer is None:
        raise ValidationError(
            _("Only registered volunteers can sign up: join as a volunteer first."),
            code="not_volunteer",
        )
    if recruited_by is not None and (
        recruited_by.pk == person.pk or not _is_member(recruited_by, shift.community_id)
    ):
        recruited_by = None
    with transaction.atomic():
        current = _lock_shift(shift)
        activity = current.activity
        if current.cancelled_at is not None or activity.status == ActivityStatus.CANCELLED:
            raise ValidationError(_("This shift has been cancelled."), code="shift_cancelled")
        if activity.status != ActivityStatus.PUBLISHED:
            raise ValidationError(
                _("This activity is not open for sign-ups yet."), code="activity_not_open"
            )
        if current.starts_at <= timezone.now():
            raise ValidationError(
                _("This shift has already started or is over: sign up for a coming one."),
                code="shift_past",
            )
        _check_person(volunteer, current)
        existing = (
            SignUp.objects.in_community(current.community_id)
            .filter(shift=current, volunteer=volunteer)
            .first()
        )
        if existing is not None and existing.status != SignUpStatus.CANCELLED:
            raise ValidationError(_("Already signed up for this shift."), code="already_signed_up")
        clash = _overlapping(volunteer, current)
        if clash is not None:
            raise ValidationError(
                _("This shift overlaps another shift you signed up for: “%(title)s” at %(starts)s.")
                % {"title": clash.shift.activity.title, "starts": _local(clash.shift.starts_at)},
                code="shift_overlaps",
            )
        full = _registered(current).count() >= current.capacity
        status = SignUpStatus.WAITLISTED if full else SignUpStatus.REGISTERED
        now = timezone.now()
        by = actor if person.pk != actor.pk else None
        if existing is None:
            signup = SignUp.objects.create(
                community_id=current.community_id,
                shift=current,
                volunteer=volunteer,
                status=status,
                signed_up_by=by,
                recruited_by=recruited_by,
                created_at=now,
                updated_at=now,
            )
        else:
            # Back in the queue from now: cancelling and returning does not keep one's place.
            signup = existing
            signup.status = status
            signup.signed_up_by = by
            signup.recruited_by = recruited_by
            signup.created_at = now
            signup.updated_at = now
            signup.reminded_at = None
            signup.save()
        signup.shift = current
        journal.record(
            community=activity.community,
            actor=actor,
            on_behalf_of=person,
            verb="shift.signed_up",
            target=current,
            data={"shift": current.pk, "activity": activity.pk, "status": status},
        )
    return signup


def signup_cancel(*, actor: User, signup: SignUp) -> SignUp:
    """Give up a place or leave the waiting list (oneself, or those who run the activity or
    staff for someone); the first waiting takes a freed place."""
    require(
        "volunteering.cancel_signup",
        actor,
        signup,
        _("You are not allowed to cancel this sign-up."),
    )
    with transaction.atomic():
        shift = _lock_shift(signup.shift)
        current = (
            SignUp.objects.in_community(shift.community_id)
            .select_for_update()
            .select_related("volunteer__person")
            .get(pk=signup.pk)
        )
        if current.status not in ACTIVE:
            raise ValidationError(_("This sign-up was already cancelled."), code="signup_cancelled")
        if shift.starts_at <= timezone.now():
            raise ValidationError(
                _("This shift has already started: it can no longer be cancelled."),
                code="shift_past",
            )
        was = current.status
        current.status = SignUpStatus.CANCELLED
        current.updated_at = timezone.now()
        current.save(update_fields=["status", "updated_at"])
        journal.record(
            community=shift.activity.community,
            actor=actor,
            on_behalf_of=current.volunteer.person,
            verb="shift.signup_cancelled",
            target=shift,
            data={"shift": shift.pk, "signup": current.pk, "was": was},
        )
        if was == SignUpStatus.REGISTERED:
            _promote(shift, actor=actor)
    current.shift = shift
    return current


# --- Reminders --------------------------------------------------------------------------------


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind those with a place on a shift that starts within a day, once each
    (``reminded_at``; rows another run holds are skipped). How many reminders."""
    now = now or timezone.now()
    sent = 0
    shifts = (
        Shift.objects.all_communities()
        .filter(
            cancelled_at__isnull=True,
            activity__status=ActivityStatus.PUBLISHED,
            starts_at__gt=now,
            starts_at__lte=now + REMIND_AHEAD,
        )
        .select_related("activity__community")
        .order_by("starts_at", "pk")
    )
    for shift in shifts:
        with transaction.atomic():
            signups = list(
                SignUp.objects.in_community(shift.community_id)
                .select_for_update(skip_locked=True, of=("self",))
                .filter(shift=shift, status=SignUpStatus.REGISTERED, reminded_at__isnull=True)
                .select_related("volunteer__person")
            )
            for signup in signups:
                signup.reminded_at = now
                signup.save(update_fields=["reminded_at"])
            people = [s.volunteer.person for s in signups if s.volunteer.person.is_active]
            _notify(people, shift, "shift_reminder", "tomorrow")
            sent += len(people)
    return sent
