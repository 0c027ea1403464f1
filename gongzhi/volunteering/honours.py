"""Honours (R4.2): star levels from confirmed hours, recognition lists a body approves, and
thank-you notes from residents who were helped.

- Stars (星级志愿者): ``star_level`` and ``next_star`` are plain arithmetic on a volunteer's
  confirmed minutes (the ledger's sum) and the community's thresholds in hours
  (``VolunteeringSettings.star_hours``; cities use 100/300/600/1000/1500 h). A level is shown
  to the volunteer and to staff, with the hours to the next one as encouragement; it is never
  a public ranking.
- Recognition lists (年度表彰): a community worker proposes one (a year, a title, a citation, and
  volunteers each with a line saying what they are thanked for) to a body whose charter in force
  grants ``approve_volunteer_recognition``. Only volunteers who chose to appear on public lists
  may be named (``not_on_public_lists``); nobody names themself (``own_nomination``). Someone who
  may record that body's decisions approves it — through ``bodies.services.decision_record``, so
  the charter's quorum and threshold apply and the decision register gets its row — or rejects
  it with a reason; never the proposer (``own_proposal``). Approved lists are public, names in
  alphabetical order, never hours; a volunteer who later leaves public lists disappears from
  them when they are shown (the selectors filter at render time).
- Thank-you notes: a verified member thanks a volunteer who served in the community (a
  confirmed shift) or helped them in a mutual-aid exchange; at most one note per author,
  volunteer and day (checked under a lock on the volunteer's row). The volunteer reads them on
  their own page and may hide one; others see them only if the volunteer is on public lists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.policies import require
from gongzhi.volunteering.models import (
    HoursEntry,
    HoursEntryKind,
    RecognitionEntry,
    RecognitionList,
    RecognitionStatus,
    ThankYouNote,
    Volunteer,
    VolunteerActivity,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.bodies.models import Body
    from gongzhi.core.models import Community

#: The power a body's charter grants to approve a recognition list (manifest DECISION_KINDS).
RECOGNITION_KIND = "approve_volunteer_recognition"
#: A list names at most this many volunteers (a page a council reads in one sitting).
MAX_ENTRIES = 200
THANKS_MAX = 500
CITATION_MAX = 300


# --- Stars: plain arithmetic ------------------------------------------------------------------


def _levels(thresholds_hours: Iterable[float]) -> list[float]:
    return sorted(float(h) for h in thresholds_hours if float(h) > 0)


def star_level(confirmed_minutes: int, thresholds_hours: Iterable[float]) -> int:
    """How many of the thresholds (in hours) ``confirmed_minutes`` reach: 0 (none yet) up to
    the number of thresholds. Unsorted thresholds are read in increasing order."""
    return sum(1 for hours in _levels(thresholds_hours) if confirmed_minutes >= hours * 60)


def next_star(
    confirmed_minutes: int, thresholds_hours: Iterable[float]
) -> tuple[float, float] | None:
    """``(the next threshold in hours, the hours still to serve for it)`` — the hours rounded up
    to a tenth, so that "0 hours to go" never shows before the level is reached — or None once
    the highest level is reached."""
    for hours in _levels(thresholds_hours):
        if confirmed_minutes < hours * 60:
            remaining = math.ceil((hours * 60 - confirmed_minutes) / 6) / 10
            return hours, remaining
    return None


@dataclass(frozen=True)
class Star:
    """A volunteer's star level, for their own page and for staff."""

    level: int
    levels: int
    confirmed_minutes: int
    next_hours: float | None
    remaining_hours: float | None

    @property
    def confirmed_hours(self) -> float:
        return round(self.confirmed_minutes / 60, 1)

    @property
    def stars(self) -> range:
        """For a template's loop: one item per level reached."""
        return range(self.level)


def star_of(confirmed_minutes: int, thresholds_hours: Sequence[float]) -> Star:
    following = next_star(confirmed_minutes, thresholds_hours)
    return Star(
        level=star_level(confirmed_minutes, thresholds_hours),
        levels=len(_levels(thresholds_hours)),
        confirmed_minutes=confirmed_minutes,
        next_hours=following[0] if following else None,
        remaining_hours=following[1] if following else None,
    )


# --- Shared helpers ---------------------------------------------------------------------------


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this."))


def _name(volunteer: Volunteer) -> str:
    return str(volunteer.person)


def recognition_url(recognition: RecognitionList) -> str:
    return reverse(
        "volunteering_recognition_detail",
        kwargs={"slug": recognition.community.slug, "recognition_id": recognition.pk},
    )


def _notify(
    users: Iterable[Any], community: Any, kind: str, message: str, url: str, **params: Any
) -> None:
    from gongzhi.core.notify import send

    people = [u for u in users if u is not None]
    if people:
        send(users=people, community=community, kind=kind, message=message, params=params, url=url)


# --- Recognition lists ------------------------------------------------------------------------


def _check_body(community: Community, body: Body) -> None:
    from gongzhi.core.decisions import require_power

    if body.community_id != community.pk or body.dissolved_at is not None:
        raise ValidationError(_("Choose a body of this community."), code="body_unknown")
    require_power(community_id=community.pk, body_id=body.pk, kind=RECOGNITION_KIND)


def _check_entries(
    actor: User, community: Community, entries: Sequence[tuple[Volunteer, str]]
) -> list[tuple[Volunteer, str]]:
    if not entries:
        raise ValidationError(_("Name at least one volunteer."), code="no_entries")
    if len(entries) > MAX_ENTRIES:
        raise ValidationError(
            _("A list names at most %(max)d volunteers.") % {"max": MAX_ENTRIES}, code="too_many"
        )
    seen: set[int] = set()
    checked = []
    for volunteer, citation in entries:
        line = " ".join(str(citation).split())
        if volunteer.community_id != community.pk:
            raise ValidationError(
                _("This volunteer is not registered here."), code="volunteer_unknown"
            )
        if volunteer.withdrawn_at is not None:
            raise ValidationError(
                _("%(name)s no longer volunteers here.") % {"name": _name(volunteer)},
                code="volunteer_withdrawn",
            )
        if not volunteer.on_public_lists:
            raise ValidationError(
                _(
                    "%(name)s has not agreed to appear on public lists: they can change this "
                    "on their volunteering page."
                )
                % {"name": _name(volunteer)},
                code="not_on_public_lists",
            )
        if volunteer.person_id == actor.pk:
            raise ValidationError(
                _("You cannot name yourself on a list you propose."), code="own_nomination"
            )
        if volunteer.pk in seen:
            raise ValidationError(
                _("%(name)s is named twice.") % {"name": _name(volunteer)}, code="duplicate_entry"
            )
        if not line:
            raise ValidationError(
                _("Say what %(name)s is thanked for.") % {"name": _name(volunteer)},
                code="citation_missing",
            )
        if len(line) > CITATION_MAX:
            raise ValidationError(
                _("What a volunteer is thanked for takes at most %(max)d characters.")
                % {"max": CITATION_MAX},
                code="citation_too_long",
            )
        seen.add(volunteer.pk)
        checked.append((volunteer, line))
    return checked


def recognition_propose(
    *,
    actor: User,
    community: Community,
    body: Body,
    year: int,
    title: str,
    citation: str = "",
    entries: Sequence[tuple[Volunteer, str]],
) -> RecognitionList:
    """A worker proposes a recognition list to ``body`` (whose charter must grant
    ``approve_volunteer_recognition``); ``entries``: each volunteer with what they are thanked
    for. The body's sitting members are told it waits for their decision."""
    _require("volunteering.propose_recognition", actor, community)
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("A recognition list needs a title."), code="title_missing")
    if len(title) > 200:
        raise ValidationError(_("A title takes at most 200 characters."), code="title_too_long")
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year + 1:
        raise ValidationError(
            _("Choose a year from 2000 to %(year)d.") % {"year": this_year + 1}, code="year_invalid"
        )
    _check_body(community, body)
    checked = _check_entries(actor, community, entries)
    with transaction.atomic():
        recognition = RecognitionList.objects.create(
            community=community,
            year=year,
            title=title,
            citation=citation.strip(),
            proposed_by=actor,
            body=body,
        )
        RecognitionEntry.objects.bulk_create(
            RecognitionEntry(
                community=community, recognition=recognition, volunteer=volunteer, citation=line
            )
            for volunteer, line in checked
        )
        journal.record(
            community=community,
            actor=actor,
            verb="recognition.proposed",
            target=recognition,
            data={"year": year, "title": title, "body": body.pk, "entries": len(checked)},
        )
        _notify(
            _sitting(body),
            community,
            "recognition_waiting",
            "proposed",
            recognition_url(recognition),
            title=title,
            body=body.name,
        )
    return recognition


def _sitting(body: Body) -> list[Any]:
    from gongzhi.bodies.selectors import holder, members_of

    return [holder(mandate) for mandate in members_of(body).current]


def _locked(recognition: RecognitionList) -> RecognitionList:
    locked = (
        RecognitionList.objects.in_community(recognition.community_id)
        .select_for_update()
        .get(pk=recognition.pk)
    )
    if locked.status != RecognitionStatus.PROPOSED:
        raise ValidationError(
            _("This list has already been decided or withdrawn."), code="not_proposed"
        )
    return locked


def recognition_decide(
    *,
    actor: User,
    recognition: RecognitionList,
    approve: bool,
    reason: str = "",
    decided_on: date | None = None,
    present: int = 0,
    votes_for: int = 0,
    votes_against: int = 0,
    abstentions: int = 0,
    second_sitting: bool = False,
) -> RecognitionList:
    """Record the body's decision on a proposed list: approved (a decision of the body under its
    charter: the vote's numbers are checked against its quorum and threshold) or rejected with a
    reason. Recorded by someone who may record the body's decisions, never the proposer."""
    _require("volunteering.decide_recognition", actor, recognition)
    if recognition.proposed_by_id == actor.pk:
        raise ValidationError(
            _("Someone else records the body's decision on a list you proposed."),
            code="own_proposal",
        )
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError(_("Say why the list is not approved."), code="reason_missing")
    decided_on = decided_on or timezone.localdate()
    if decided_on < timezone.localdate(recognition.proposed_at):
        raise ValidationError(
            _("The body decides on a list after it was proposed."), code="decided_before_proposal"
        )
    body = recognition.body
    if body is None:
        raise ValidationError(_("This list was proposed to no body."), code="body_unknown")
    community = recognition.community
    with transaction.atomic():
        locked = _locked(recognition)
        decision = None
        if approve:
            from gongzhi.bodies.services import decision_record

            decision = decision_record(
                actor=actor,
                body=body,
                kind=RECOGNITION_KIND,
                title=locked.title,
                text=locked.citation or locked.title,
                decided_on=decided_on,
                present=present,
                votes_for=votes_for,
                votes_against=votes_against,
                abstentions=abstentions,
                basis=[
                    {
                        "kind": "recognition",
                        "title": locked.title,
                        "url": recognition_url(locked),
                    }
                ],
                second_sitting=second_sitting,
            )
        else:
            from gongzhi.core.decisions import require_power

            require_power(community_id=community.pk, body_id=body.pk, kind=RECOGNITION_KIND)
        locked.status = RecognitionStatus.APPROVED if approve else RecognitionStatus.REJECTED
        locked.decision = decision
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "decision", "decided_by", "decided_at", "reason"])
        journal.record(
            community=community,
            actor=actor,
            verb="recognition.decided",
            target=locked,
            data={
                "approved": approve,
                "decision": decision.pk if decision else None,
                "reason": reason,
            },
        )
        url = recognition_url(locked)
        if approve:
            named = (
                Volunteer.objects.in_community(community)
                .filter(pk__in=locked.entries.values("volunteer_id"), withdrawn_at__isnull=True)
                .select_related("person")
            )
            _notify(
                [v.person for v in named],
                community,
                "volunteer_recognised",
                "recognised",
                url,
                title=locked.title,
            )
        _notify(
            [locked.proposed_by],
            community,
            "recognition_decided",
            "approved" if approve else "rejected",
            url,
            title=locked.title,
            reason=reason,
        )
    recognition.refresh_from_db()
    return recognition


def recognition_withdraw(*, actor: User, recognition: RecognitionList) -> RecognitionList:
    """The proposer (or another worker) withdraws a list before it is decided."""
    _require("volunteering.withdraw_recognition", actor, recognition)
    with transaction.atomic():
        locked = _locked(recognition)
        locked.status = RecognitionStatus.WITHDRAWN
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        journal.record(
            community=recognition.community,
            actor=actor,
            verb="recognition.withdrawn",
            target=locked,
        )
    recognition.refresh_from_db()
    return recognition


# --- Thank-you notes --------------------------------------------------------------------------


def served_here(volunteer: Volunteer) -> bool:
    """The volunteer has a confirmed service in the community's ledger."""
    return (
        HoursEntry.objects.in_community(volunteer.community_id)
        .filter(volunteer=volunteer, kind=HoursEntryKind.SERVICE)
        .exists()
    )


def helped_by(person: Any, volunteer: Volunteer) -> bool:
    """``person`` was the one helped in a mutual-aid exchange the volunteer helped in (agreed
    or done)."""
    from gongzhi.volunteering.models import Exchange, ExchangeStatus

    return (
        Exchange.objects.in_community(volunteer.community_id)
        .filter(
            helped=person,
            helper_id=volunteer.person_id,
            status__in=[ExchangeStatus.AGREED, ExchangeStatus.DONE, ExchangeStatus.DISPUTED],
        )
        .exists()
    )


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    day = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def thanks_send(
    *,
    actor: User,
    volunteer: Volunteer,
    text: str,
    activity: VolunteerActivity | None = None,
) -> ThankYouNote:
    """A verified member thanks a volunteer who served in the community (or helped them in a
    mutual-aid exchange): one note per author, volunteer and day."""
    _require("volunteering.thank", actor, volunteer.community)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write a few words of thanks."), code="text_missing")
    if len(text) > THANKS_MAX:
        raise ValidationError(
            _("A note takes at most %(max)d characters.") % {"max": THANKS_MAX},
            code="text_too_long",
        )
    if volunteer.person_id == actor.pk:
        raise ValidationError(_("You cannot thank yourself."), code="own_thanks")
    if volunteer.withdrawn_at is not None:
        raise ValidationError(
            _("This person no longer volunteers here."), code="volunteer_withdrawn"
        )
    if not (served_here(volunteer) or helped_by(actor, volunteer)):
        raise ValidationError(
            _("You can thank a volunteer once they have served in the community."),
            code="not_served",
        )
    if activity is not None and (
        activity.community_id != volunteer.community_id
        or not HoursEntry.objects.in_community(volunteer.community_id)
        .filter(volunteer=volunteer, activity=activity, kind=HoursEntryKind.SERVICE)
        .exists()
    ):
        raise ValidationError(
            _("This volunteer did not serve in that activity."), code="activity_unknown"
        )
    community = volunteer.community
    with transaction.atomic():
        # One note a day: the volunteer's row serialises two notes sent at once.
        Volunteer.objects.in_community(community).select_for_update().get(pk=volunteer.pk)
        now = timezone.now()
        start, end = _day_bounds(now)
        if (
            ThankYouNote.objects.in_community(community)
            .filter(volunteer=volunteer, author=actor, created_at__gte=start, created_at__lt=end)
            .exists()
        ):
            raise ValidationError(
                _("You have already thanked this volunteer today: try again tomorrow."),
                code="thanked_today",
            )
        note = ThankYouNote.objects.create(
            community=community,
            volunteer=volunteer,
            author=actor,
            text=text,
            activity=activity,
            created_at=now,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="thanks.sent",
            target=note,
            data={"volunteer": volunteer.pk, "activity": activity.pk if activity else None},
        )
        _notify(
            [volunteer.person],
            community,
            "volunteer_thanked",
            "thanked",
            reverse("volunteering_my_honours", kwargs={"slug": community.slug}),
            author=str(actor),
        )
    return note


def thanks_hide(*, actor: User, note: ThankYouNote) -> ThankYouNote:
    """The volunteer (or a worker, moderating) hides a note: it stays, shown to nobody."""
    _require("volunteering.hide_thanks", actor, note)
    with transaction.atomic():
        locked = (
            ThankYouNote.objects.in_community(note.community_id).select_for_update().get(pk=note.pk)
        )
        if locked.hidden_at is None:
            locked.hidden_at = timezone.now()
            locked.save(update_fields=["hidden_at"])
            journal.record(
                community=note.community,
                actor=actor,
                verb="thanks.hidden",
                target=locked,
                data={"volunteer": locked.volunteer_id},
            )
    note.refresh_from_db()
    return note
