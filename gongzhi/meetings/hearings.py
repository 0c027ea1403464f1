"""Hearings (听证会), consultations (征询会) and round tables (圆桌会): the writes.

A hearing is set up on a meeting of kind hearing or consultation: its subject, how many speak
and for how long, until when speakers register, and the window for written submissions (it may
open before the meeting and close after it: "before and during"). Verified residents register
to speak until speakers close; then the speakers are settled once (``speakers_draw``): when no
more registered than there are slots, everyone speaks in order of registration; otherwise
``core.lottery`` draws the slots from the registration order, published before, with a public
seed that someone other than the hearing's organiser enters (code ``own_draw``). Slots are
numbered in the drawing order.

Written submissions are grouped by what they say (``ResponseGroup``); each group gets an
answer; the response is published once every submission is in a group and every group is
answered (code ``response_incomplete``), after the window closed.

Concurrency: every write on a hearing locks its row first (``select_for_update``), so a
registration and the draw, or two draws, never interleave; one registration per person and
hearing is a unique constraint, so two requests of one person at once leave one row.

A round table records who sat at it, for whom (residents, the property company, businesses,
government…) and the points it agreed, in order.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import journal, lottery
from gongzhi.core.models import Membership
from gongzhi.core.policies import is_community_staff, require
from gongzhi.meetings import hearing_selectors as selectors
from gongzhi.meetings.models import (
    AgreedPoint,
    Hearing,
    Meeting,
    MeetingKind,
    MeetingStatus,
    ResponseGroup,
    RoundTableParticipant,
    Sector,
    Speaker,
    SpeakerStatus,
    Submission,
)

HEARING_KINDS = (MeetingKind.HEARING, MeetingKind.CONSULTATION)
MAX_SLOTS = 200
MAX_SLOT_MINUTES = 120
MAX_SEED = 200


def _text(value: str, *, limit: int, code: str, empty: str | None = None) -> str:
    value = (value or "").strip()
    if not value and empty is not None:
        raise ValidationError(empty, code=f"{code}_empty")
    if len(value) > limit:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": limit},
            code=f"{code}_too_long",
        )
    return value


def _whole(value: Any, *, low: int, high: int, message: str, code: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(message, code=code)
    return value


def _check_meeting_live(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code="meeting_cancelled")


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.in_community(meeting.community_id).select_for_update().get(pk=meeting.pk)


def _lock_hearing(hearing: Hearing) -> Hearing:
    return (
        Hearing.objects.in_community(hearing.community_id)
        .select_for_update()
        .select_related("meeting")
        .get(pk=hearing.pk)
    )


# --- Setting a hearing up ---------------------------------------------------------------------


def hearing_setup(
    *,
    actor: User,
    meeting: Meeting,
    subject: str,
    speaker_slots: int,
    slot_minutes: int,
    speakers_close_at: datetime,
    submissions_open_at: datetime,
    submissions_close_at: datetime,
) -> Hearing:
    """Whoever runs a hearing or consultation sets its rules, once."""
    require("meetings.manage_hearing", actor, meeting)
    if meeting.kind not in HEARING_KINDS:
        raise ValidationError(
            _("Only a hearing or a consultation takes speakers and written submissions."),
            code="not_a_hearing",
        )
    subject = _text(subject, limit=5000, code="subject", empty=_("Say what the hearing is about."))
    speaker_slots = _whole(
        speaker_slots,
        low=1,
        high=MAX_SLOTS,
        message=_("Give from 1 to %(max)d speaking slots.") % {"max": MAX_SLOTS},
        code="slots_invalid",
    )
    slot_minutes = _whole(
        slot_minutes,
        low=1,
        high=MAX_SLOT_MINUTES,
        message=_("Give each speaker from 1 to %(max)d minutes.") % {"max": MAX_SLOT_MINUTES},
        code="slot_minutes_invalid",
    )
    now = timezone.now()
    if submissions_close_at <= submissions_open_at:
        raise ValidationError(
            _("Written submissions must close after they open."), code="submissions_window_order"
        )
    if submissions_close_at <= now:
        raise ValidationError(
            _("Written submissions must close in the future."), code="submissions_past"
        )
    if speakers_close_at <= now:
        raise ValidationError(
            _("Speakers must be able to register: close it in the future."), code="speakers_past"
        )
    if speakers_close_at > meeting.starts_at:
        raise ValidationError(
            _("Speakers must stop registering before the hearing starts, so they can be drawn."),
            code="speakers_after_start",
        )
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _check_meeting_live(meeting)
        if meeting.status == MeetingStatus.CLOSED:
            raise ValidationError(_("This meeting is closed."), code="meeting_closed")
        if Hearing.objects.in_community(meeting.community_id).filter(meeting=meeting).exists():
            raise ValidationError(
                _("This meeting already has its hearing set up."), code="hearing_exists"
            )
        hearing = Hearing.objects.in_community(meeting.community_id).create(
            meeting=meeting,
            subject=subject,
            speaker_slots=speaker_slots,
            slot_minutes=slot_minutes,
            speakers_close_at=speakers_close_at,
            submissions_open_at=submissions_open_at,
            submissions_close_at=submissions_close_at,
            created_by=actor,
        )
        journal.record(
            community=meeting.community,
            actor=actor,
            verb="hearing.created",
            target=hearing,
            data={"meeting": meeting.pk, "hearing": hearing.pk, "kind": meeting.kind},
        )
    return hearing


# --- Speakers ---------------------------------------------------------------------------------


def speaker_register(*, actor: User, hearing: Hearing, position_summary: str) -> Speaker:
    """A verified resident asks to speak, saying in a line what they will say."""
    require("meetings.speak_at_hearing", actor, hearing.meeting)
    summary = _text(
        position_summary,
        limit=500,
        code="summary",
        empty=_("Say in a line what you will speak about."),
    )
    try:
        with transaction.atomic():
            hearing = _lock_hearing(hearing)
            _check_meeting_live(hearing.meeting)
            if hearing.drawn_at is not None:
                raise ValidationError(_("The speakers are already settled."), code="speakers_drawn")
            if timezone.now() > hearing.speakers_close_at:
                raise ValidationError(
                    _("Registration to speak has closed."), code="speakers_closed"
                )
            speakers = Speaker.objects.in_community(hearing.community_id)
            if speakers.filter(hearing=hearing, person=actor).exists():
                raise ValidationError(
                    _("You are already registered to speak."), code="speaker_already"
                )
            speaker = speakers.create(hearing=hearing, person=actor, position_summary=summary)
            journal.record(
                community=hearing.meeting.community,
                actor=actor,
                verb="hearing.speaker_registered",
                target=speaker,
                data={"meeting": hearing.meeting_id, "hearing": hearing.pk, "speaker": speaker.pk},
            )
    except IntegrityError as exc:  # the unique constraint, should a lock ever be bypassed
        raise ValidationError(
            _("You are already registered to speak."), code="speaker_already"
        ) from exc
    return speaker


def _check_seed(seed: str) -> str:
    # Taken exactly as typed (no trimming): the lottery hashes the seed as announced.
    if not seed or not seed.strip() or len(seed) > MAX_SEED:
        raise ValidationError(
            _("Type the public seed exactly as it was announced (up to 200 characters)."),
            code="seed_invalid",
        )
    return seed


def speakers_draw(*, actor: User, hearing: Hearing, seed: str = "") -> list[Speaker]:
    """Settle who speaks and in which slot, once, after registration closed.

    No more registered than slots: everyone, in order of registration (no seed needed).
    Oversubscribed: ``core.lottery.draw`` over the registration order with the public ``seed``,
    which the hearing's organiser may not enter (code ``own_draw``)."""
    require("meetings.draw_speakers", actor, hearing.meeting)
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        _check_meeting_live(hearing.meeting)
        if hearing.drawn_at is not None:
            raise ValidationError(_("The speakers are already settled."), code="already_drawn")
        if timezone.now() <= hearing.speakers_close_at:
            raise ValidationError(
                _("Speakers can still register: settle them after registration closes."),
                code="speakers_open",
            )
        registered = selectors.candidates(hearing)
        oversubscribed = len(registered) > hearing.speaker_slots
        if oversubscribed:
            if actor.pk == hearing.created_by_id:
                raise ValidationError(
                    _(
                        "The organiser of the hearing cannot enter the seed of its draw: "
                        "ask a supervisor or another member of staff."
                    ),
                    code="own_draw",
                )
            seed = _check_seed(seed)
            labels = [selectors.candidate_label(s) for s in registered]
            positions = list(lottery.draw(seed, labels, hearing.speaker_slots).positions)
        else:
            seed = ""
            positions = list(range(1, len(registered) + 1))
        for slot, position in enumerate(positions, start=1):
            registered[position - 1].slot = slot
            registered[position - 1].status = SpeakerStatus.SPEAKING
        for speaker in registered:
            if speaker.slot is None:
                speaker.status = SpeakerStatus.NOT_DRAWN
        Speaker.objects.in_community(hearing.community_id).bulk_update(
            registered, ["slot", "status"]
        )
        hearing.seed = seed
        hearing.drawn_at = timezone.now()
        hearing.drawn_by = actor
        hearing.save(update_fields=["seed", "drawn_at", "drawn_by"])
        journal.record(
            community=hearing.meeting.community,
            actor=actor,
            verb="hearing.speakers_drawn",
            target=hearing,
            data={
                "meeting": hearing.meeting_id,
                "hearing": hearing.pk,
                "registered": len(registered),
                "slots": hearing.speaker_slots,
                "lottery": oversubscribed,
                "seed": seed,
                "drawn": positions,
                "list_sha256": hashlib.sha256(
                    "\n".join(selectors.candidate_label(s) for s in registered).encode()
                ).hexdigest(),
            },
        )
    return sorted((s for s in registered if s.slot), key=lambda s: s.slot or 0)


# --- Written submissions and the response -----------------------------------------------------


def submission_make(*, actor: User, hearing: Hearing, text: str) -> Submission:
    """A written submission while the window is open (before and during the hearing)."""
    meeting = hearing.meeting
    require("meetings.submit_to_hearing", actor, meeting)
    text = _text(text, limit=5000, code="submission", empty=_("Write your submission."))
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        _check_meeting_live(hearing.meeting)
        now = timezone.now()
        if now < hearing.submissions_open_at:
            raise ValidationError(
                _("Written submissions are not open yet."), code="submissions_not_open"
            )
        if now > hearing.submissions_close_at or hearing.response_published_at:
            raise ValidationError(_("Written submissions have closed."), code="submissions_closed")
        submission = Submission.objects.in_community(hearing.community_id).create(
            hearing=hearing,
            author=actor,
            text=text,
            by_staff=bool(is_community_staff(actor, meeting)),
        )
        journal.record(
            community=hearing.meeting.community,
            actor=actor,
            verb="hearing.submission_made",
            target=submission,
            data={
                "meeting": hearing.meeting_id,
                "hearing": hearing.pk,
                "submission": submission.pk,
            },
        )
    return submission


def _check_unpublished(hearing: Hearing) -> None:
    if hearing.response_published_at is not None:
        raise ValidationError(_("The response is already published."), code="response_published")


def group_create(*, actor: User, hearing: Hearing, title: str) -> ResponseGroup:
    """A group for submissions that say the same thing (the organiser's working list)."""
    require("meetings.manage_hearing", actor, hearing.meeting)
    title = _text(title, limit=200, code="title", empty=_("Say what these submissions say."))
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        _check_unpublished(hearing)
        groups = ResponseGroup.objects.in_community(hearing.community_id).filter(hearing=hearing)
        last = groups.aggregate(last=Max("position"))["last"] or 0
        return groups.create(hearing=hearing, title=title, position=last + 1)


def submission_group(
    *, actor: User, submission: Submission, group: ResponseGroup | None
) -> Submission:
    """Put a submission in a group (or take it out: ``group=None``)."""
    hearing = submission.hearing
    require("meetings.manage_hearing", actor, hearing.meeting)
    if group is not None and group.hearing_id != submission.hearing_id:
        raise ValidationError(_("This group belongs to another hearing."), code="other_hearing")
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        _check_unpublished(hearing)
        submission.group = group
        submission.save(update_fields=["group"])
    return submission


def group_answer(*, actor: User, group: ResponseGroup, answer: str) -> ResponseGroup:
    """The answer to one group of submissions (published with the response)."""
    require("meetings.manage_hearing", actor, group.hearing.meeting)
    answer = _text(answer, limit=5000, code="answer", empty=_("Write the answer."))
    with transaction.atomic():
        _check_unpublished(_lock_hearing(group.hearing))
        group.answer = answer
        group.save(update_fields=["answer"])
    return group


def response_publish(*, actor: User, hearing: Hearing) -> Hearing:
    """Publish the response: after the window closed, every submission grouped and every
    group answered."""
    require("meetings.manage_hearing", actor, hearing.meeting)
    with transaction.atomic():
        hearing = _lock_hearing(hearing)
        _check_unpublished(hearing)
        if timezone.now() <= hearing.submissions_close_at:
            raise ValidationError(
                _("Written submissions are still open: publish the response after they close."),
                code="submissions_open",
            )
        submissions = Submission.objects.in_community(hearing.community_id).filter(hearing=hearing)
        groups = ResponseGroup.objects.in_community(hearing.community_id).filter(hearing=hearing)
        ungrouped = submissions.filter(group__isnull=True).count()
        unanswered = groups.filter(answer="").count()
        if ungrouped or unanswered:
            raise ValidationError(
                _(
                    "The response is not complete. Submissions in no group: %(ungrouped)d; "
                    "groups without an answer: %(unanswered)d."
                )
                % {"ungrouped": ungrouped, "unanswered": unanswered},
                code="response_incomplete",
            )
        hearing.response_published_at = timezone.now()
        hearing.save(update_fields=["response_published_at"])
        journal.record(
            community=hearing.meeting.community,
            actor=actor,
            verb="hearing.response_published",
            target=hearing,
            data={
                "meeting": hearing.meeting_id,
                "hearing": hearing.pk,
                "submissions": submissions.count(),
                "groups": groups.count(),
            },
        )
    return hearing


# --- Round tables -----------------------------------------------------------------------------


def _check_round_table(meeting: Meeting) -> None:
    if meeting.kind != MeetingKind.ROUND_TABLE:
        raise ValidationError(
            _("Only a round table records participants and agreed points."),
            code="not_a_round_table",
        )


def participant_add(
    *,
    actor: User,
    meeting: Meeting,
    name: str,
    sector: str,
    affiliation: str = "",
    person: User | None = None,
) -> RoundTableParticipant:
    """Who sits at the round table, and for whom."""
    require("meetings.manage_hearing", actor, meeting)
    _check_round_table(meeting)
    if sector not in Sector.values:
        raise ValidationError(_("Choose one of the listed sides."), code="sector_invalid")
    if person is not None:
        if not Membership.objects.in_community(meeting.community_id).filter(user=person).exists():
            raise ValidationError(
                _("This person is not a member of the community."), code="other_community"
            )
        name = name or person.display_name
    name = _text(name, limit=120, code="name", empty=_("Give the participant's name."))
    affiliation = _text(affiliation, limit=200, code="affiliation")
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _check_meeting_live(meeting)
        participants = RoundTableParticipant.objects.in_community(meeting.community_id)
        if person is not None and participants.filter(meeting=meeting, person=person).exists():
            raise ValidationError(
                _("This person already sits at the table."), code="participant_already"
            )
        participant = participants.create(
            meeting=meeting, person=person, name=name, sector=sector, affiliation=affiliation
        )
        journal.record(
            community=meeting.community,
            actor=actor,
            verb="roundtable.participant_added",
            target=participant,
            data={"meeting": meeting.pk, "participant": participant.pk, "sector": sector},
        )
    return participant


def point_agree(*, actor: User, meeting: Meeting, text: str, responsible: str = "") -> AgreedPoint:
    """A point the round table agreed, numbered in order, once the meeting has begun."""
    require("meetings.manage_hearing", actor, meeting)
    _check_round_table(meeting)
    text = _text(text, limit=2000, code="point", empty=_("Write what was agreed."))
    responsible = _text(responsible, limit=200, code="responsible")
    with transaction.atomic():
        meeting = _lock_meeting(meeting)
        _check_meeting_live(meeting)
        if timezone.now() < meeting.starts_at:
            raise ValidationError(
                _("Points are agreed at the round table: it has not begun yet."),
                code="meeting_not_started",
            )
        points = AgreedPoint.objects.in_community(meeting.community_id).filter(meeting=meeting)
        last = points.aggregate(last=Max("position"))["last"] or 0
        point = points.create(
            meeting=meeting,
            position=last + 1,
            text=text,
            responsible=responsible,
            recorded_by=actor,
        )
        journal.record(
            community=meeting.community,
            actor=actor,
            verb="roundtable.point_agreed",
            target=point,
            data={"meeting": meeting.pk, "point": point.pk},
        )
    return point


# --- The meeting page -------------------------------------------------------------------------


def page_context(meeting: Any, user: Any) -> dict[str, Any]:
    """What this part adds to the meeting page (its partial reads only these keys): the
    hearing's or round table's data, what ``user`` may do, and empty forms for it."""
    from gongzhi.meetings import hearing_forms as forms

    data = selectors.page_data(meeting, user)
    if data.get("hearing") is not None:
        data.update(
            hearing_speak_form=forms.SpeakForm(),
            hearing_seed_form=forms.SeedForm(),
            hearing_submission_form=forms.SubmissionForm(),
            hearing_group_form=forms.GroupForm(),
        )
    if data.get("roundtable"):
        data.update(
            roundtable_participant_form=forms.ParticipantForm(),
            roundtable_point_form=forms.PointForm(),
        )
    return data
