"""The agenda in the API, mounted at /api/v1/: a meeting's agenda (the published version for
everyone who may see the meeting; the working list too for those who prepare it), its versions
with what changed, and the writes: add an item, put a proposal on the agenda (another
community's or one not on the council's agenda: 400 with its code), move, withdraw, publish
(too late for the charter's notice: 400 ``notice_too_short``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.selectors import community_get
from gongzhi.deliberation.models import Proposal
from gongzhi.meetings import agenda, agenda_selectors
from gongzhi.meetings.models import AgendaItem, AgendaVersion, Meeting

router = Router(tags=["meetings"])


def _anyone(request: HttpRequest) -> Any:
    """Public reads: no credentials (or a bad token) read as a visitor."""
    return AnonymousUser()


#: Public reads answer everyone, and still recognise the caller who says who they are (those
#: who prepare the agenda see the working list too).
PUBLIC = [TokenAuth(), SessionAuth(), _anyone]

AGENDA = "/communities/{slug}/meetings/{meeting_id}/agenda"
ITEM = AGENDA + "/items/{item_id}"


class AgendaEntryOut(Schema):
    item: int
    position: int
    title: str
    source: str = Field(..., description="proposal | staff | member | action")
    proposal: int | None
    presenter: str
    minutes: int
    decision_kind: str = Field(..., description="A decision kind, or empty: for information.")


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    description: str
    source: str = Field(..., description="proposal | staff | member | action")
    proposal: int | None
    presenter: str
    minutes: int
    decision_kind: str
    topic: str
    amount_fen: int | None
    documents: list[str] = Field(..., description="Paths of the item's documents.")


class AgendaVersionOut(Schema):
    number: int
    published_at: datetime
    note: str
    items: list[AgendaEntryOut]
    added: list[str] = Field(..., description="Titles added since the version before.")
    removed: list[str] = Field(..., description="Titles withdrawn since the version before.")
    moved: list[str]
    changed: list[str]


class AgendaOut(Schema):
    published: AgendaVersionOut | None = Field(..., description="The latest published version.")
    working: list[AgendaItemOut] | None = Field(
        ..., description="The agenda as it stands, for those who prepare it (else null)."
    )
    publish_by: datetime | None = Field(
        ..., description="The charter's notice: the last moment for the first publication."
    )


class AgendaItemIn(Schema):
    title: str
    description: str = ""
    presenter_name: str = ""
    minutes_allotted: int = Field(10, ge=1, le=agenda.MAX_MINUTES)
    decision_kind: str = ""
    topic: str = ""
    amount_fen: int | None = Field(None, ge=0)


class AgendaProposalIn(Schema):
    proposal: int
    minutes_allotted: int = Field(10, ge=1, le=agenda.MAX_MINUTES)


class AgendaMoveIn(Schema):
    position: int = Field(..., ge=1)


class AgendaWithdrawIn(Schema):
    reason: str = ""


class AgendaPublishIn(Schema):
    note: str = ""


def _meeting(request: HttpRequest, slug: str, meeting_id: int, user: Any) -> Meeting:
    community = community_get(slug=slug, user=user)
    return agenda_selectors.meeting_get(community=community, meeting_id=meeting_id, user=user)


def _document_path(meeting: Meeting, item: AgendaItem, document_id: int) -> str:
    return (
        f"/c/{meeting.community.slug}/meetings/{meeting.pk}/agenda/items/{item.pk}"
        f"/documents/{document_id}/"
    )


def _item_out(meeting: Meeting, item: AgendaItem) -> dict[str, Any]:
    entry = agenda.snapshot([item])[0]
    return {
        "id": item.pk,
        "position": item.position,
        "title": item.title,
        "description": item.description,
        "source": item.source,
        "proposal": item.proposal_id,
        "presenter": entry["presenter"],
        "minutes": item.minutes_allotted,
        "decision_kind": item.decision_kind,
        "topic": item.topic,
        "amount_fen": item.amount_fen,
        "documents": [_document_path(meeting, item, d.pk) for d in item.documents.all()],
    }


def _version_out(version: AgendaVersion, changes: Any = None) -> dict[str, Any]:
    return {
        "number": version.number,
        "published_at": version.published_at,
        "note": version.note,
        "items": version.items,
        "added": list(changes.added) if changes else [],
        "removed": list(changes.removed) if changes else [],
        "moved": [title for title, _before, _after in changes.moved] if changes else [],
        "changed": list(changes.changed) if changes else [],
    }


@router.get(AGENDA, response=AgendaOut, auth=PUBLIC, summary="A meeting's agenda")
def agenda_get(request: HttpRequest, slug: str, meeting_id: int) -> dict[str, Any]:
    viewer = api_viewer(request)
    meeting = _meeting(request, slug, meeting_id, viewer)
    history = agenda_selectors.history(meeting)
    prepares = rules.has_perm("meetings.add_item", viewer, meeting)
    return {
        "published": _version_out(history[0].version, history[0]) if history else None,
        "working": [_item_out(meeting, i) for i in agenda_selectors.working_items(meeting)]
        if prepares
        else None,
        "publish_by": agenda.publish_by(meeting) if not history else None,
    }


@router.get(
    AGENDA + "/versions",
    response=list[AgendaVersionOut],
    auth=PUBLIC,
    summary="A meeting's published agendas, newest first, with what changed",
)
def agenda_versions(request: HttpRequest, slug: str, meeting_id: int) -> list[dict[str, Any]]:
    meeting = _meeting(request, slug, meeting_id, api_viewer(request))
    return [_version_out(v.version, v) for v in agenda_selectors.history(meeting)]


@router.post(AGENDA + "/items", response={201: AgendaItemOut}, summary="Add an agenda item")
def agenda_item_add(
    request: HttpRequest, slug: str, meeting_id: int, payload: AgendaItemIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    item = agenda.item_add(actor=user, meeting=meeting, **payload.dict())
    return Status(201, _item_out(meeting, item))


@router.post(
    AGENDA + "/proposals",
    response={201: AgendaItemOut},
    summary="Put a residents' proposal on the agenda (400 other_community, proposal_not_on_agenda)",
)
def agenda_proposal_add(
    request: HttpRequest, slug: str, meeting_id: int, payload: AgendaProposalIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    # Looked up in every community, so a proposal of another one the caller may see is
    # refused by name (other_community); one they may not see is as missing as a missing one.
    proposal = Proposal.objects.all_communities().filter(pk=payload.proposal).first()
    if proposal is None or (
        proposal.community_id != meeting.community_id
        and not rules.has_perm("deliberation.view_proposal", user, proposal)
    ):
        raise ValidationError(
            _("There is no proposal number %(number)d.") % {"number": payload.proposal},
            code="proposal_unknown",
        )
    item = agenda.item_from_proposal(
        actor=user, meeting=meeting, proposal=proposal, minutes_allotted=payload.minutes_allotted
    )
    return Status(201, _item_out(meeting, item))


@router.post(ITEM + "/move", response=AgendaItemOut, summary="Move an agenda item")
def agenda_item_move(
    request: HttpRequest, slug: str, meeting_id: int, item_id: int, payload: AgendaMoveIn
) -> dict[str, Any]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    item = agenda_selectors.item_get(meeting=meeting, item_id=item_id)
    agenda.item_move(actor=user, item=item, position=payload.position)
    return _item_out(meeting, agenda_selectors.item_get(meeting=meeting, item_id=item_id))


@router.post(ITEM + "/withdraw", response=AgendaItemOut, summary="Withdraw an agenda item")
def agenda_item_withdraw(
    request: HttpRequest, slug: str, meeting_id: int, item_id: int, payload: AgendaWithdrawIn
) -> dict[str, Any]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    item = agenda_selectors.item_get(meeting=meeting, item_id=item_id)
    return _item_out(meeting, agenda.item_withdraw(actor=user, item=item, reason=payload.reason))


@router.post(
    AGENDA + "/publish",
    response={201: AgendaVersionOut},
    summary="Publish the agenda as a new version (first one: 400 notice_too_short if too late)",
)
def agenda_publish(
    request: HttpRequest, slug: str, meeting_id: int, payload: AgendaPublishIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    version = agenda.agenda_publish(actor=user, meeting=meeting, note=payload.note)
    return Status(201, _version_out(version, agenda_selectors.history(meeting)[0]))
