"""Reads of the shift part that pages and the API share.

``hub`` and ``mine`` feed the volunteering home page and a volunteer's own page (views.py,
owned by the core part): each returns the context its partial
(``volunteering/_hub_shift.html``, ``volunteering/_mine_shift.html``) reads as
``hub_shift`` / ``mine_shift``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.home import Tile, TileItem
from gongzhi.volunteering.models import (
    ActivityStatus,
    Shift,
    SignUp,
    SignUpStatus,
    VolunteerActivity,
)
from gongzhi.volunteering.policies import leads_team
from gongzhi.volunteering.shift_policies import can_run

#: How many shifts the home page, the hub and the tile show.
SHOWN = 5


def with_counts(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """``shifts`` with ``taken`` (places) and ``waiting`` (the waiting list) counted."""
    return shifts.annotate(
        taken=Count("signups", filter=Q(signups__status=SignUpStatus.REGISTERED)),
        waiting=Count("signups", filter=Q(signups__status=SignUpStatus.WAITLISTED)),
    )


def open_shifts(community: Any) -> QuerySet[Shift]:
    """Coming shifts of published activities that take sign-ups, soonest first, counted."""
    return (
        with_counts(Shift.objects.in_community(community))
        .filter(
            cancelled_at__isnull=True,
            activity__status=ActivityStatus.PUBLISHED,
            starts_at__gt=timezone.now(),
        )
        .select_related("activity")
        .order_by("starts_at", "pk")
    )


def with_free_places(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    return shifts.filter(taken__lt=F("capacity"))  # type: ignore[misc]


def shift_url(shift: Shift, slug: str) -> str:
    return reverse("volunteering_shift_detail", kwargs={"slug": slug, "shift_id": shift.pk})


def activity_url(activity: VolunteerActivity, slug: str) -> str:
    return reverse(
        "volunteering_activity_detail", kwargs={"slug": slug, "activity_id": activity.pk}
    )


def when(shift: Shift) -> str:
    starts = timezone.localtime(shift.starts_at)
    ends = timezone.localtime(shift.ends_at)
    if starts.date() == ends.date():
        return f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"
    return f"{starts:%Y-%m-%d %H:%M} – {ends:%Y-%m-%d %H:%M}"


def home_open_shifts(community: Any, user: Any) -> Tile | None:
    """The community home's tile: coming volunteer shifts with free places (one query), and the
    way to volunteering (mutual aid, teams, honours) even when no shift needs anyone."""
    shifts = list(with_free_places(open_shifts(community))[:SHOWN])
    items = [
        TileItem(
            label=shift.activity.title,
            url=shift_url(shift, community.slug),
            note=" · ".join(
                (
                    when(shift),
                    shift.place or shift.activity.place,
                    _("%(free)d places free") % {"free": shift.capacity - shift.taken},  # type: ignore[attr-defined]
                )
            ),
        )
        for shift in shifts
    ]
    return Tile(
        key="volunteering.shifts",
        title=_("Volunteering"),
        items=items,
        empty=_("No shift needs volunteers just now."),
        more_url=reverse("volunteering_home", kwargs={"slug": community.slug}),
        more_label=_("Volunteering, mutual aid and honours"),
    )


# --- Activities -------------------------------------------------------------------------------


def activities_open(community: Any) -> list[VolunteerActivity]:
    """Published activities with a coming shift, the soonest first (each with ``next_shift``)."""
    shifts = list(open_shifts(community))
    seen: dict[int, VolunteerActivity] = {}
    for shift in shifts:
        activity = shift.activity
        if activity.pk not in seen:
            activity.next_shift = shift  # type: ignore[attr-defined]
            activity.coming_shifts = 0  # type: ignore[attr-defined]
            seen[activity.pk] = activity
        seen[activity.pk].coming_shifts += 1  # type: ignore[attr-defined]
    return list(seen.values())


def activities_run_by(community: Any, user: Any) -> QuerySet[VolunteerActivity]:
    """Drafts and published activities ``user`` runs (all of them for staff), newest first."""
    activities = VolunteerActivity.objects.in_community(community).exclude(
        status=ActivityStatus.CANCELLED
    )
    if not getattr(user, "is_authenticated", False):
        return activities.none()
    from gongzhi.core.policies import is_community_worker, is_platform_admin, oversees

    if is_community_worker(user, community) or oversees(user, community) or is_platform_admin(user):
        return activities.select_related("team")
    from gongzhi.volunteering.models import TeamMember

    led = (
        TeamMember.objects.in_community(community)
        .filter(
            leader=True,
            left_at__isnull=True,
            volunteer__person=user,
            volunteer__withdrawn_at__isnull=True,
        )
        .values("team_id")
    )
    return activities.filter(Q(organiser=user) | Q(team_id__in=led)).select_related("team")


def shifts_of(activity: VolunteerActivity) -> QuerySet[Shift]:
    return (
        with_counts(Shift.objects.in_community(activity.community_id))
        .filter(activity=activity)
        .order_by("starts_at", "pk")
    )


@dataclass
class ShiftView:
    """A shift as a page shows it to one viewer: its counts, their sign-up and queue place."""

    shift: Shift
    signup: SignUp | None
    position: int | None

    @property
    def free(self) -> int:
        return max(0, self.shift.capacity - self.shift.taken)  # type: ignore[attr-defined]

    @property
    def open(self) -> bool:
        return self.shift.cancelled_at is None and self.shift.starts_at > timezone.now()


def waiting_position(signup: SignUp) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if signup.status != SignUpStatus.WAITLISTED:
        return None
    ahead = (
        SignUp.objects.in_community(signup.community_id)
        .filter(shift_id=signup.shift_id, status=SignUpStatus.WAITLISTED)
        .filter(
            Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, pk__lt=signup.pk)
        )
        .count()
    )
    return ahead + 1


def shift_views(activity: VolunteerActivity, volunteer: Any) -> list[ShiftView]:
    shifts = list(shifts_of(activity))
    mine: dict[int, SignUp] = {}
    if volunteer is not None:
        mine = {
            s.shift_id: s
            for s in SignUp.objects.in_community(activity.community_id).filter(
                volunteer=volunteer, shift__activity=activity
            )
        }
    return [
        ShiftView(
            shift=shift,
            signup=mine.get(shift.pk),
            position=waiting_position(mine[shift.pk]) if shift.pk in mine else None,
        )
        for shift in shifts
    ]


def shift_view(shift: Shift, volunteer: Any) -> ShiftView:
    counted = shifts_of(shift.activity).select_related("activity__team").get(pk=shift.pk)
    signup = None
    if volunteer is not None:
        signup = (
            SignUp.objects.in_community(shift.community_id)
            .filter(shift=shift, volunteer=volunteer)
            .first()
        )
    return ShiftView(
        shift=counted,
        signup=signup,
        position=waiting_position(signup) if signup is not None else None,
    )


def signups_of(shift: Shift) -> QuerySet[SignUp]:
    """Everyone signed up or waiting for ``shift``, in queue order (those who run it see them)."""
    return (
        SignUp.objects.in_community(shift.community_id)
        .filter(shift=shift, status__in=(SignUpStatus.REGISTERED, SignUpStatus.WAITLISTED))
        .select_related("volunteer__person")
        .order_by("created_at", "pk")
    )


def my_signups(community: Any, volunteer: Any) -> list[tuple[SignUp, int | None]]:
    """``volunteer``'s coming places and waiting-list places, soonest first, each with its
    position on the waiting list."""
    if volunteer is None:
        return []
    signups = list(
        SignUp.objects.in_community(community)
        .filter(
            volunteer=volunteer,
            status__in=(SignUpStatus.REGISTERED, SignUpStatus.WAITLISTED),
            shift__cancelled_at__isnull=True,
            shift__ends_at__gt=timezone.now(),
        )
        .select_related("shift__activity")
        .order_by("shift__starts_at", "pk")
    )
    return [(signup, waiting_position(signup)) for signup in signups]


def may_run(user: Any, activity: VolunteerActivity) -> bool:
    return can_run(user, activity)


def may_organise(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("volunteering.organise", user, community))


def leads(user: Any, activity: VolunteerActivity) -> bool:
    return bool(leads_team(user, activity.team))


# --- The home page and a volunteer's own page -------------------------------------------------


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    """What the volunteering home page shows of this part to ``viewer`` (may be anonymous)."""
    shifts = list(with_free_places(open_shifts(community))[:SHOWN])
    return {
        "shifts": shifts,
        "may_organise": may_organise(viewer, community),
    }


def mine(community: Any, user: Any, volunteer: Any) -> dict[str, Any]:
    """What a person's own volunteering page shows of this part (``volunteer`` may be None)."""
    return {
        "signups": my_signups(community, volunteer),
        "volunteer": volunteer,
        "now": timezone.now(),
    }
