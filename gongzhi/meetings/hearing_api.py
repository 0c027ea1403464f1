"""Hearings and round tables in the API: a hearing's public record (speakers and slots, the
draw, the submissions by pseudonym, the response once published), registering to speak,
entering the draw's seed, a written submission; a round table's participants and agreed points.
Reads are open to visitors where the meeting is public. Errors are the API's ``{code,
message}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.selectors import community_get
from gongzhi.meetings import hearing_selectors as selectors
from gongzhi.meetings import hearings
from gongzhi.meetings.models import Hearing, Meeting, MeetingKind, Speaker

router = Router(tags=["meetings"])

M = "/communities/{slug}/meetings/{meeting_id}"


def _anyone(request: HttpRequest) -> Any:
    """A read open to visitors: no credentials (or a bad token) reads as a visitor."""
    return AnonymousUser()


READ = [TokenAuth(), SessionAuth(), _anyone]


class HearingSpeakerOut(Schema):
    id: int
    name: str
    position_summary: str
    status: str
    slot: int | None
    registered_at: datetime


class HearingSubmissionOut(Schema):
    id: int
    author: str
    by_staff: bool
    text: str
    created_at: datetime
    group: int | None


class HearingGroupOut(Schema):
    id: int
    title: str
    answer: str
    submissions: list[int]


class HearingOut(Schema):
    meeting: int
    subject: str
    speaker_slots: int
    slot_minutes: int
    speakers_close_at: datetime
    submissions_open_at: datetime
    submissions_close_at: datetime
    drawn_at: datetime | None
    seed: str
    speakers: list[HearingSpeakerOut]
    submissions: list[HearingSubmissionOut]
    response_published_at: datetime | None
    #: the answered groups, once the response is published (empty before)
    response: list[HearingGroupOut]


class HearingSpeakIn(Schema):
    position_summary: str


class HearingSeedIn(Schema):
    seed: str = ""


class HearingSubmissionIn(Schema):
    text: str


class RoundTableParticipantOut(Schema):
    id: int
    name: str
    sector: str
    affiliation: str


class RoundTablePointOut(Schema):
    position: int
    text: str
    responsible: str
    recorded_at: datetime


class RoundTableOut(Schema):
    meeting: int
    participants: list[RoundTableParticipantOut]
    points: list[RoundTablePointOut]


def _meeting(user: Any, slug: str, meeting_id: int, kinds: tuple[str, ...]) -> Meeting:
    community = community_get(slug=slug, user=user)
    meeting = (
        Meeting.objects.in_community(community)
        .select_related("community")
        .filter(pk=meeting_id, kind__in=kinds)
        .first()
    )
    if meeting is None or not rules.has_perm("meetings.view_meeting", user, meeting):
        raise Http404
    return meeting


def _hearing(user: Any, slug: str, meeting_id: int) -> Hearing:
    meeting = _meeting(user, slug, meeting_id, (MeetingKind.HEARING, MeetingKind.CONSULTATION))
    hearing = selectors.hearing_of(meeting)
    if hearing is None:
        raise Http404
    return hearing


def _speaker_out(speaker: Speaker) -> dict[str, Any]:
    return {
        "id": speaker.pk,
        "name": selectors.candidate_label(speaker),
        "position_summary": speaker.position_summary,
        "status": speaker.status,
        "slot": speaker.slot,
        "registered_at": speaker.registered_at,
    }


def _submission_out(row: selectors.PublicSubmission, *, published: bool) -> dict[str, Any]:
    # the grouping is the organiser's working list until the response is published
    return {
        "id": row.submission.pk,
        "author": row.author,
        "by_staff": row.by_staff,
        "text": row.submission.text,
        "created_at": row.submission.created_at,
        "group": row.submission.group_id if published else None,
    }


def _hearing_out(hearing: Hearing, user: Any) -> dict[str, Any]:
    rows = selectors.submissions(hearing, user)
    published = hearing.response_published_at is not None
    return {
        "meeting": hearing.meeting_id,
        "subject": hearing.subject,
        "speaker_slots": hearing.speaker_slots,
        "slot_minutes": hearing.slot_minutes,
        "speakers_close_at": hearing.speakers_close_at,
        "submissions_open_at": hearing.submissions_open_at,
        "submissions_close_at": hearing.submissions_close_at,
        "drawn_at": hearing.drawn_at,
        "seed": hearing.seed,
        "speakers": [_speaker_out(s) for s in selectors.speakers(hearing)],
        "submissions": [_submission_out(r, published=published) for r in rows],
        "response_published_at": hearing.response_published_at,
        "response": [
            {
                "id": g.group.pk,
                "title": g.group.title,
                "answer": g.group.answer,
                "submissions": [r.submission.pk for r in g.submissions],
            }
            for g in (selectors.groups(hearing, rows) if published else [])
        ],
    }


@router.get(
    M + "/hearing",
    response=HearingOut,
    auth=READ,
    summary="A hearing's public record: speakers and slots, submissions, the response",
)
def hearing_detail(request: HttpRequest, slug: str, meeting_id: int) -> dict[str, Any]:
    viewer = api_viewer(request)
    return _hearing_out(_hearing(viewer, slug, meeting_id), viewer)


@router.post(
    M + "/hearing/speakers",
    response={201: HearingSpeakerOut},
    summary="Register to speak at a hearing (verified residents, until speakers close)",
)
def hearing_speak(
    request: HttpRequest, slug: str, meeting_id: int, payload: HearingSpeakIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    hearing = _hearing(user, slug, meeting_id)
    speaker = hearings.speaker_register(
        actor=user, hearing=hearing, position_summary=payload.position_summary
    )
    return Status(201, _speaker_out(speaker))


@router.post(
    M + "/hearing/draw",
    response=list[HearingSpeakerOut],
    summary="Settle the speakers once registration closed: a draw by lot with a public seed "
    "when oversubscribed (not by the hearing's organiser)",
)
def hearing_draw(
    request: HttpRequest, slug: str, meeting_id: int, payload: HearingSeedIn
) -> list[dict[str, Any]]:
    user = api_user(request)
    hearing = _hearing(user, slug, meeting_id)
    return [
        _speaker_out(s)
        for s in hearings.speakers_draw(actor=user, hearing=hearing, seed=payload.seed)
    ]


@router.post(
    M + "/hearing/submissions",
    response={201: HearingSubmissionOut},
    summary="Make a written submission while the hearing's window is open",
)
def hearing_submit(
    request: HttpRequest, slug: str, meeting_id: int, payload: HearingSubmissionIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    hearing = _hearing(user, slug, meeting_id)
    submission = hearings.submission_make(actor=user, hearing=hearing, text=payload.text)
    row = next(r for r in selectors.submissions(hearing, user) if r.submission.pk == submission.pk)
    return Status(201, _submission_out(row, published=False))


@router.get(
    M + "/round-table",
    response=RoundTableOut,
    auth=READ,
    summary="A round table's participants and the points it agreed",
)
def round_table_detail(request: HttpRequest, slug: str, meeting_id: int) -> dict[str, Any]:
    meeting = _meeting(api_viewer(request), slug, meeting_id, (MeetingKind.ROUND_TABLE,))
    return {
        "meeting": meeting.pk,
        "participants": [
            {"id": p.pk, "name": p.name, "sector": p.sector, "affiliation": p.affiliation}
            for p in selectors.participants(meeting)
        ],
        "points": [
            {
                "position": p.position,
                "text": p.text,
                "responsible": p.responsible,
                "recorded_at": p.recorded_at,
            }
            for p in selectors.points(meeting)
        ],
    }
