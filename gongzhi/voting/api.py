from dataclasses import asdict, is_dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.apidoc import ErrorOut, errors
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.models import Building
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.roster import RosterFileError
from gongzhi.core.selectors import community_get
from gongzhi.core.services import RosterRejected
from gongzhi.deliberation.models import Proposal
from gongzhi.voting import selectors, services
from gongzhi.voting.models import Electorate, Kind, Method, ResultsShown

router = Router(tags=["votes"])


def _anyone(request: HttpRequest) -> Any:
    """A read open to visitors: no credentials (or a bad token) reads as a visitor."""
    return AnonymousUser()


#: Results answer everyone, and still recognise the caller who says who they are (a token or a
#: session): a poll shows its count so far to those who have voted, in an app as on the page.
READ = [TokenAuth(), SessionAuth(), _anyone]


class VoteOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    method: str
    electorate: str
    #: the building whose residents vote (electorate "building"), else null
    building: int | None = None
    secret: bool
    opens_at: datetime
    closes_at: datetime
    options: list[dict]

    @staticmethod
    def resolve_building(obj) -> int | None:
        return obj.building_id

    @staticmethod
    def resolve_options(obj) -> list[dict]:
        return [{"id": o.pk, "label": o.label} for o in selectors.options_of(obj)]


class BallotIn(Schema):
    content: Any


class ReceiptOut(Schema):
    receipt: str
    changed: bool


def _plain(value: Any) -> Any:
    """A tally result as JSON: exact shares as "2/3" strings, areas as strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction | Decimal):
        return str(value)
    return value


@router.get("/{slug}/votes", response=list[VoteOut], auth=None, summary="Polls and votes")
@paginate(BoundedLimitOffsetPagination)
def vote_list(request: HttpRequest, slug: str):
    return selectors.vote_list(community=community_get(slug=slug, user=request.user))


@router.get("/{slug}/votes/{vote_id}", response=VoteOut, auth=None, summary="One vote")
def vote_detail(request: HttpRequest, slug: str, vote_id: int):
    return selectors.vote_at(slug=slug, vote_id=vote_id, user=request.user)


@router.post(
    "/{slug}/votes/{vote_id}/ballot", response=ReceiptOut, summary="Cast or change a ballot"
)
def ballot_cast(request: HttpRequest, slug: str, vote_id: int, payload: BallotIn):
    user = api_user(request)
    vote = selectors.vote_at(slug=slug, vote_id=vote_id, user=user)
    receipt = services.ballot_cast(actor=user, vote=vote, content=payload.content)
    return {"receipt": receipt.receipt, "changed": receipt.changed}


@router.get(
    "/{slug}/votes/{vote_id}/results",
    response={200: dict[str, Any], **errors(403)},
    auth=READ,
    summary="Results (when they may be shown)",
)
def vote_results(request: HttpRequest, slug: str, vote_id: int) -> dict:
    viewer = api_viewer(request)
    vote = selectors.vote_at(slug=slug, vote_id=vote_id, user=viewer)
    if not rules.has_perm("voting.view_results", viewer, vote):
        raise HttpError(403, _("The results are shown when the vote closes."))
    return {"closed": vote.is_closed(), "result": _plain(services.results(vote))}


@router.get(
    "/{slug}/votes/{vote_id}/published",
    auth=None,
    summary="After close: receipts, and ballots shuffled",
)
def vote_published(request: HttpRequest, slug: str, vote_id: int) -> dict:
    vote = selectors.vote_at(slug=slug, vote_id=vote_id, user=request.user)
    receipts, contents = services.published_lists(vote)
    return {"receipts": receipts, "ballots": contents}


class VoteIn(Schema):
    title: str
    description: str = ""
    kind: Kind = Kind.POLL
    method: Method = Method.SINGLE
    electorate: Electorate = Electorate.VERIFIED
    #: the building whose residents vote, required for the electorate "building"
    building: int | None = None
    secret: bool = False
    results_shown: ResultsShown = ResultsShown.AFTER_CLOSE
    options: list[str] = []
    max_choices: int = 1
    opens_at: datetime
    closes_at: datetime
    proposal: int | None = None


class PaperIn(Schema):
    serial: str
    content: Any


class PaperOut(Schema):
    confirmed: bool
    conflict: bool


@router.post("/{slug}/votes", response={201: VoteOut}, summary="Set up a vote (staff and council)")
def vote_create(request: HttpRequest, slug: str, payload: VoteIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="voting.manage_votes")
    proposal = None
    if payload.proposal is not None:
        proposal = Proposal.objects.in_community(community).filter(pk=payload.proposal).first()
        if proposal is None:
            raise HttpError(404, _("Not found."))
    building = None
    if payload.building is not None:
        building = Building.objects.in_community(community).filter(pk=payload.building).first()
        if building is None:
            raise HttpError(404, _("Not found."))
    vote = services.vote_create(
        actor=user,
        community=community,
        title=payload.title,
        options=payload.options,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        description=payload.description,
        kind=payload.kind.value,
        method=payload.method.value,
        electorate=payload.electorate.value,
        building=building,
        secret=payload.secret,
        results_shown=payload.results_shown.value,
        max_choices=payload.max_choices,
        proposal=proposal,
    )
    return Status(201, vote)


@router.post(
    "/{slug}/votes/{vote_id}/paper",
    response=PaperOut,
    summary="Enter a paper ballot (double entry)",
)
def paper_enter(request: HttpRequest, slug: str, vote_id: int, payload: PaperIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="voting.manage_votes")
    vote = selectors.vote_get(community=community, vote_id=vote_id)
    result = services.paper_ballot_enter(
        actor=user, vote=vote, serial=payload.serial, content=payload.content
    )
    return {"confirmed": result.confirmed, "conflict": result.conflict}


class OwnerIn(Schema):
    phone: str
    area: str = Field(description='Exclusive floor area in m², e.g. "85.50".')
    name: str = ""
    building: str = ""
    unit: str = ""


class OwnerRollIn(Schema):
    owners: list[OwnerIn] = Field(max_length=20000)


class RollOut(Schema):
    owners: int
    units: int
    area: str
    accounts_created: int


class RowProblem(Schema):
    row: int = Field(description="1-based position in the owners list")
    message: str


class RollRejected(ErrorOut):
    """400 ``rows_rejected``: the error, and the owners to correct (other 400s have no rows)."""

    rows: list[RowProblem] = []


@router.put(
    "/{slug}/votes/{vote_id}/owners",
    response={200: RollOut, 400: RollRejected},
    summary="Replace an owners' vote's roll (staff; before it opens)",
)
def owner_roll_put(request: HttpRequest, slug: str, vote_id: int, payload: OwnerRollIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="voting.manage_votes")
    vote = selectors.vote_get(community=community, vote_id=vote_id)
    header = ["phone", "area", "name", "building", "unit"]
    table = [header] + [[str(getattr(o, column)) for column in header] for o in payload.owners]
    try:
        summary = services.owner_roll_apply(actor=user, vote=vote, table=table)
    except RosterFileError as exc:
        raise ValidationError(str(exc), code="invalid_roll") from exc
    except RosterRejected as exc:
        rows = [{"row": e.line - 1, "message": e.message} for e in exc.errors]
        message = _("Nothing was changed: some owners need correcting.")
        return Status(400, {"code": "rows_rejected", "message": message, "rows": rows})
    return {
        "owners": summary.owners,
        "units": summary.units,
        "area": str(summary.area),
        "accounts_created": summary.accounts_created,
    }
