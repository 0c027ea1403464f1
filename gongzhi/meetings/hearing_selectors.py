"""Hearings and round tables: the reads the meeting page, the hearing's page and the API share.

Submissions are public with their authors as pseudonyms: "居民 #n", numbered per hearing in the
order each author first wrote (the same person keeps their number); community staff write
under their name. Speakers are named: they speak in public, and the registration form says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.utils.translation import gettext as _

from gongzhi.meetings.models import (
    AgreedPoint,
    Hearing,
    Meeting,
    MeetingKind,
    ResponseGroup,
    RoundTableParticipant,
    Speaker,
    SpeakerStatus,
    Submission,
)


def hearing_of(meeting: Meeting) -> Hearing | None:
    return (
        Hearing.objects.in_community(meeting.community_id)
        .filter(meeting=meeting)
        .select_related("meeting")
        .first()
    )


def candidates(hearing: Hearing) -> list[Speaker]:
    """The registered speakers in order of registration: the list the draw works on."""
    return list(
        Speaker.objects.in_community(hearing.community_id)
        .filter(hearing=hearing, status=SpeakerStatus.REGISTERED)
        .select_related("person")
        .order_by("registered_at", "pk")
    )


def candidate_label(speaker: Speaker) -> str:
    """How a speaker appears in the published list (their name as they show it)."""
    return str(speaker.person)


def speakers(hearing: Hearing) -> list[Speaker]:
    """Everyone who asked to speak: those with a slot first, in slot order, then the rest in
    order of registration."""
    rows = list(
        Speaker.objects.in_community(hearing.community_id)
        .filter(hearing=hearing)
        .select_related("person")
        .order_by("registered_at", "pk")
    )
    return sorted(rows, key=lambda s: (s.slot is None, s.slot or 0))


@dataclass(frozen=True)
class PublicSubmission:
    submission: Submission
    author: str  # "居民 #n", or a staff member's name
    by_staff: bool
    mine: bool


def submissions(hearing: Hearing, user: Any = None) -> list[PublicSubmission]:
    """The hearing's submissions, oldest first, with their public author labels."""
    rows = (
        Submission.objects.in_community(hearing.community_id)
        .filter(hearing=hearing)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    numbers: dict[Any, int] = {}
    user_id = getattr(user, "pk", None)
    out = []
    for row in rows:
        if row.by_staff and row.author is not None:
            label = _("%(name)s (community staff)") % {"name": row.author}
        else:
            key = row.author_id if row.author_id is not None else ("gone", row.pk)
            number = numbers.setdefault(key, len(numbers) + 1)
            label = _("Resident #%(n)d") % {"n": number}
        out.append(
            PublicSubmission(
                submission=row,
                author=label,
                by_staff=row.by_staff,
                mine=user_id is not None and row.author_id == user_id,
            )
        )
    return out


@dataclass
class Group:
    group: ResponseGroup
    submissions: list[PublicSubmission] = field(default_factory=list)


def groups(hearing: Hearing, rows: list[PublicSubmission]) -> list[Group]:
    """The response groups in order, each with its submissions."""
    out = {
        g.pk: Group(g)
        for g in ResponseGroup.objects.in_community(hearing.community_id).filter(hearing=hearing)
    }
    for row in rows:
        if row.submission.group_id in out:
            out[row.submission.group_id].submissions.append(row)
    return list(out.values())


def participants(meeting: Meeting) -> list[RoundTableParticipant]:
    return list(
        RoundTableParticipant.objects.in_community(meeting.community_id)
        .filter(meeting=meeting)
        .order_by("sector", "pk")
    )


def points(meeting: Meeting) -> list[AgreedPoint]:
    return list(AgreedPoint.objects.in_community(meeting.community_id).filter(meeting=meeting))


def page_data(meeting: Meeting, user: Any) -> dict[str, Any]:
    """The hearing's or the round table's data and what ``user`` may do there (keys prefixed
    ``hearing_`` / ``roundtable_``; nothing for other kinds of meeting)."""
    can_manage = bool(rules.has_perm("meetings.manage_hearing", user, meeting))
    if meeting.kind == MeetingKind.ROUND_TABLE:
        return {
            "roundtable": True,
            "roundtable_participants": participants(meeting),
            "roundtable_points": points(meeting),
            "roundtable_can_manage": can_manage,
        }
    if meeting.kind not in (MeetingKind.HEARING, MeetingKind.CONSULTATION):
        return {}
    hearing = hearing_of(meeting)
    data: dict[str, Any] = {"hearing": hearing, "hearing_can_manage": can_manage}
    if hearing is None:
        return data
    from django.utils import timezone

    now = timezone.now()
    rows = submissions(hearing, user)
    speaking = speakers(hearing)
    user_id = getattr(user, "pk", None)
    registered = hearing.drawn_at is None
    data.update(
        {
            "hearing_speakers": speaking,
            # the published list the draw works on, numbered in order of registration
            "hearing_candidates": sorted(speaking, key=lambda s: (s.registered_at, s.pk)),
            "hearing_my_speaker": next((s for s in speaking if s.person_id == user_id), None),
            "hearing_oversubscribed": registered and len(speaking) > hearing.speaker_slots,
            "hearing_submissions": rows,
            "hearing_groups": groups(hearing, rows)
            if can_manage or hearing.response_published_at
            else [],
            "hearing_ungrouped": [r for r in rows if r.submission.group_id is None],
            "hearing_speakers_open": registered and now <= hearing.speakers_close_at,
            "hearing_submissions_open": hearing.submissions_open_at
            <= now
            <= hearing.submissions_close_at
            and not hearing.response_published_at,
            "hearing_can_speak": bool(rules.has_perm("meetings.speak_at_hearing", user, meeting)),
            "hearing_can_submit": bool(rules.has_perm("meetings.submit_to_hearing", user, meeting)),
            "hearing_can_draw": registered
            and now > hearing.speakers_close_at
            and bool(rules.has_perm("meetings.draw_speakers", user, meeting)),
            "hearing_is_organiser": user_id is not None and user_id == hearing.created_by_id,
        }
    )
    return data
