"""Honours in the API: the approved recognition lists (public; names in alphabetical order,
only volunteers on public lists, never hours), proposing a list (workers), the body's decision
on it, thanking a volunteer, and a volunteer's own honours (star level, lists, thanks)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.bodies.selectors import body_get
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.selectors import community_get
from gongzhi.volunteering import honour_selectors as selectors
from gongzhi.volunteering import honours
from gongzhi.volunteering.models import RecognitionList, ThankYouNote, Volunteer
from gongzhi.volunteering.selectors import volunteer_for

router = Router(tags=["volunteering"])


def _anyone(request: HttpRequest) -> Any:
    return AnonymousUser()


PUBLIC = [TokenAuth(), SessionAuth(), _anyone]

V = "/communities/{slug}/volunteering"


class RecognisedOut(Schema):
    name: str
    citation: str


class RecognitionOut(Schema):
    id: int
    year: int
    title: str
    citation: str
    status: str = Field(..., description="proposed | approved | rejected | withdrawn")
    body: int | None
    body_name: str
    decided_on: date | None
    reason: str
    named: list[RecognisedOut]


class RecognitionEntryIn(Schema):
    volunteer: int
    citation: str = Field(..., max_length=300, description="What they are thanked for.")


class RecognitionIn(Schema):
    body: int
    year: int
    title: str = Field(..., min_length=1, max_length=200)
    citation: str = Field("", max_length=5000)
    entries: list[RecognitionEntryIn]


class RecognitionDecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000, description="Required when not approving.")
    decided_on: date | None = None
    present: int = Field(0, ge=0)
    votes_for: int = Field(0, ge=0)
    votes_against: int = Field(0, ge=0)
    abstentions: int = Field(0, ge=0)
    second_sitting: bool = False


class ThanksIn(Schema):
    text: str = Field(..., min_length=1, max_length=500)
    activity: int | None = None


class ThanksOut(Schema):
    id: int
    volunteer: int
    text: str
    activity: int | None
    created_at: datetime
    hidden: bool


class VolunteerStarOut(Schema):
    level: int
    levels: int
    confirmed_hours: float
    next_hours: float | None
    remaining_hours: float | None


class MyHonoursOut(Schema):
    star: VolunteerStarOut
    recognitions: list[int] = Field(..., description="Approved lists that name me.")
    thanks: list[ThanksOut]


def _out(recognition: RecognitionList, named: list[selectors.Named]) -> dict[str, Any]:
    decision = recognition.decision
    decided_on = decision.decided_on if decision is not None else None
    return {
        "id": recognition.pk,
        "year": recognition.year,
        "title": recognition.title,
        "citation": recognition.citation,
        "status": recognition.status,
        "body": recognition.body_id,
        "body_name": recognition.body.name if recognition.body else "",
        "decided_on": decided_on,
        "reason": recognition.reason,
        "named": [{"name": n.name, "citation": n.citation} for n in named],
    }


def _note_out(note: ThankYouNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "volunteer": note.volunteer_id,
        "text": note.text,
        "activity": note.activity_id,
        "created_at": note.created_at,
        "hidden": note.hidden_at is not None,
    }


@router.get(
    V + "/honours",
    response=list[RecognitionOut],
    auth=PUBLIC,
    summary="Approved recognition lists (names alphabetical, only those on public lists)",
)
def honours_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    community = community_get(slug=slug, user=api_viewer(request))
    return [_out(item.recognition, item.named) for item in selectors.approved_lists(community)]


@router.post(
    V + "/recognition-lists",
    response={201: RecognitionOut},
    summary="Propose a recognition list to a body (workers)",
)
def recognition_propose(
    request: HttpRequest, slug: str, payload: RecognitionIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    body = body_get(community=community, body_id=payload.body)
    wanted = [entry.volunteer for entry in payload.entries]
    found = {v.pk: v for v in Volunteer.objects.in_community(community).filter(pk__in=wanted)}
    if any(pk not in found for pk in wanted):
        raise Http404
    recognition = honours.recognition_propose(
        actor=user,
        community=community,
        body=body,
        year=payload.year,
        title=payload.title,
        citation=payload.citation,
        entries=[(found[e.volunteer], e.citation) for e in payload.entries],
    )
    shown = selectors.recognition_get(
        community=community, viewer=user, recognition_id=recognition.pk
    )
    return Status(201, _out(shown, selectors.entries_shown(shown, user)))


@router.post(
    V + "/recognition-lists/{recognition_id}/decision",
    response=RecognitionOut,
    summary="Record the body's decision on a list: approved (with the vote) or not (a reason)",
)
def recognition_decide(
    request: HttpRequest, slug: str, recognition_id: int, payload: RecognitionDecisionIn
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    recognition = selectors.recognition_get(
        community=community, viewer=user, recognition_id=recognition_id
    )
    honours.recognition_decide(actor=user, recognition=recognition, **payload.dict())
    shown = selectors.recognition_get(
        community=community, viewer=user, recognition_id=recognition_id
    )
    return _out(shown, selectors.entries_shown(shown, user))


@router.post(
    V + "/volunteers/{volunteer_id}/thanks",
    response={201: ThanksOut},
    summary="Thank a volunteer who served in the community (once a day)",
)
def thanks_send(
    request: HttpRequest, slug: str, volunteer_id: int, payload: ThanksIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    volunteer = selectors.volunteer_to_thank(community=community, volunteer_id=volunteer_id)
    activity = None
    if payload.activity is not None:
        activity = next(
            (a for a in selectors.activities_served(volunteer) if a.pk == payload.activity), None
        )
        if activity is None:
            raise Http404
    note = honours.thanks_send(
        actor=user, volunteer=volunteer, text=payload.text, activity=activity
    )
    return Status(201, _note_out(note))


@router.get(
    V + "/volunteers/me/honours",
    response=MyHonoursOut,
    summary="My star level, the lists that name me and the notes thanking me",
)
def my_honours(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    volunteer = volunteer_for(user, community.pk)
    if volunteer is None:
        raise Http404
    star = selectors.star_for(volunteer)
    return {
        "star": {
            "level": star.level,
            "levels": star.levels,
            "confirmed_hours": star.confirmed_hours,
            "next_hours": star.next_hours,
            "remaining_hours": star.remaining_hours,
        },
        "recognitions": [r.pk for r in selectors.recognitions_of(volunteer)],
        "thanks": [_note_out(n) for n in selectors.thanks_of(volunteer, include_hidden=True)],
    }
