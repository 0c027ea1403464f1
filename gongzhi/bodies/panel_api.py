"""Review panels in the API: the list and a panel's public record (portfolio, SHA-256,
probabilities by pseudonym, seed, members, assessment, answer), the published portfolio's
bytes; volunteering and withdrawing; for workers opening a panel, closing its pool and
inviting members; for supervisors the seed; the panel's documents; assessment and answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.bodies import panel_selectors as selectors
from gongzhi.bodies import panels as services
from gongzhi.bodies.models import Body, Panel
from gongzhi.budgeting.models import Process
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.selectors import community_get, member_by_phone

router = Router(tags=["review panels"])


def _anyone(request: HttpRequest) -> Any:
    """A read open to visitors: no credentials (or a bad token) reads as a visitor."""
    return AnonymousUser()


READ = [TokenAuth(), SessionAuth(), _anyone]
PANELS = "/communities/{slug}/panels"
PANEL = PANELS + "/{panel_id}"


class PanelQuotaIn(Schema):
    feature: str = Field(..., description="grid | age_band | gender | tenure | vulnerable")
    value: str
    min: int
    max: int


class PanelIn(Schema):
    title: str
    description: str = ""
    reviewed_body_id: int
    budget_process_id: int | None = Field(None, description="A PB process it reviews.")
    seats: int
    features: list[str] = Field(
        ..., description="What volunteers declare, from the quotas' features."
    )
    quotas: list[PanelQuotaIn] = []
    pool_closes_at: datetime
    ends_on: date
    answer_days: int = 30


class PanelQuotaOut(Schema):
    feature: str
    value: str
    min: int
    max: int


class PanelOut(Schema):
    id: int
    title: str
    description: str
    status: str = Field(..., description="pool_open | published | drawn | assessed | answered")
    reviewed_body_id: int
    budget_process_id: int | None
    body_id: int | None = Field(..., description="The panel as a body, once drawn.")
    seats: int
    features: list[str]
    pool_closes_at: datetime
    ends_on: date
    answer_days: int
    portfolio_sha256: str
    min_probability: float | None
    published_at: datetime | None
    seed: str
    seed_entered_at: datetime | None
    drawn_index: int | None
    assessment: str
    assessed_at: datetime | None
    answer_due_on: date | None
    answer: str
    answered_at: datetime | None


class PanelChanceOut(Schema):
    pseudonym: str
    probability: float | None


class PanelMemberOut(Schema):
    id: int
    kind: str = Field(..., description="drawn | expert | stakeholder")
    name: str
    affiliation: str


class PanelDetailOut(PanelOut):
    quotas: list[PanelQuotaOut]
    pool_size: int
    probabilities: list[PanelChanceOut] = Field(
        ..., description="Everyone's chance of being drawn, by pseudonym, once published."
    )
    members: list[PanelMemberOut]
    my_pseudonym: str | None = Field(..., description="The caller's pseudonym in the pool.")
    repeat_command: str = Field(..., description="The command that repeats the draw.")


class PoolJoinIn(Schema):
    features: dict[str, str] = Field(..., description="A value for each of the panel's features.")
    consent: bool = Field(
        False, description="Agree that they are used for the quotas and published pseudonymised."
    )


class PoolEntryOut(Schema):
    pseudonym: str
    features: dict[str, str]
    joined_at: datetime
    withdrawn_at: datetime | None


class PanelSeedIn(Schema):
    seed: str = Field(..., description="The public seed, exactly as announced.")


class PanelInviteIn(Schema):
    kind: str = Field(..., description="expert | stakeholder")
    name: str
    affiliation: str = ""
    phone: str = Field("", description="Their account here, if any (to read the panel's space).")


class PanelDocumentOut(Schema):
    id: int
    title: str
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class PanelTextIn(Schema):
    text: str


def _out(panel: Panel) -> dict[str, Any]:
    fields = PanelOut.model_fields
    data = {name: getattr(panel, name) for name in fields if hasattr(panel, name)}
    data["answer_due_on"] = services.answer_due_on(panel)
    return data


def _member(m: Any) -> dict[str, Any]:
    name = m.user.display_name if m.user is not None else m.name
    return {"id": m.pk, "kind": m.kind, "name": name or m.name, "affiliation": m.affiliation}


def _detail(panel: Panel, viewer: Any) -> dict[str, Any]:
    mine = selectors.my_entry(panel, viewer)
    return {
        **_out(panel),
        "quotas": [
            {"feature": q.feature, "value": q.value, "min": q.minimum, "max": q.maximum}
            for q in selectors.quotas_of(panel)
        ],
        "pool_size": selectors.pool_size(panel),
        "probabilities": [
            {"pseudonym": e.pseudonym, "probability": e.probability}
            for e in selectors.probabilities(panel)
        ],
        "members": [_member(m) for m in selectors.members_of(panel)],
        "my_pseudonym": mine.pseudonym if mine is not None and mine.withdrawn_at is None else None,
        "repeat_command": selectors.repeat_command(panel) if panel.seed else "",
    }


def _panel(slug: str, panel_id: int, user: Any) -> Panel:
    community = community_get(slug=slug, user=user)
    return selectors.panel_get(community=community, panel_id=panel_id)


@router.get(PANELS, response=list[PanelOut], auth=READ, summary="Review panels")
def panel_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    community = community_get(slug=slug, user=api_viewer(request))
    return [_out(p) for p in selectors.panels_of(community)]


def _in_community(model: Any, community: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    found = model.objects.in_community(community).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.post(PANELS, response={201: PanelDetailOut}, summary="Open a review panel's pool (staff)")
def panel_create(request: HttpRequest, slug: str, payload: PanelIn) -> Any:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="bodies.manage_panels")
    panel = services.panel_create(
        actor=user,
        community=community,
        title=payload.title,
        description=payload.description,
        reviewed_body=_in_community(Body, community, payload.reviewed_body_id),
        budget_process=_in_community(Process, community, payload.budget_process_id),
        seats=payload.seats,
        features=payload.features,
        quotas=[services.QuotaIn(q.feature, q.value, q.min, q.max) for q in payload.quotas],
        pool_closes_at=payload.pool_closes_at,
        ends_on=payload.ends_on,
        answer_days=payload.answer_days,
    )
    return Status(201, _detail(_panel(slug, panel.pk, user), user))


@router.get(PANEL, response=PanelDetailOut, auth=READ, summary="A review panel's public record")
def panel_detail(request: HttpRequest, slug: str, panel_id: int) -> dict[str, Any]:
    viewer = api_viewer(request)
    return _detail(_panel(slug, panel_id, viewer), viewer)


@router.get(
    PANEL + "/portfolio.json",
    response={200: None},
    auth=READ,
    summary="The published portfolio: the exact bytes whose SHA-256 is published",
)
def panel_portfolio(request: HttpRequest, slug: str, panel_id: int) -> HttpResponse:
    panel = _panel(slug, panel_id, api_viewer(request))
    if not panel.portfolio_sha256:
        raise Http404
    return HttpResponse(services.published_bytes(panel), content_type="application/json")


@router.post(
    PANEL + "/pool",
    response={201: PoolEntryOut},
    summary="Volunteer: join the pool, declaring the panel's features with consent",
)
def pool_join(request: HttpRequest, slug: str, panel_id: int, payload: PoolJoinIn) -> Any:
    user = api_user(request)
    entry = services.pool_join(
        actor=user,
        panel=_panel(slug, panel_id, user),
        features=payload.features,
        consent=payload.consent,
    )
    return Status(201, entry)


@router.delete(PANEL + "/pool", response=PoolEntryOut, summary="Leave the pool while it is open")
def pool_withdraw(request: HttpRequest, slug: str, panel_id: int) -> Any:
    user = api_user(request)
    return services.pool_withdraw(actor=user, panel=_panel(slug, panel_id, user))


@router.post(
    PANEL + "/close",
    response=PanelDetailOut,
    summary="Close the pool and publish the portfolio (staff, after the pool's closing time)",
)
def pool_close(request: HttpRequest, slug: str, panel_id: int) -> dict[str, Any]:
    user = api_user(request)
    panel = services.pool_close(actor=user, panel=_panel(slug, panel_id, user))
    return _detail(panel, user)


@router.post(
    PANEL + "/seed",
    response=PanelDetailOut,
    summary="Enter the public seed and draw the panel (a supervisor, once)",
)
def seed_enter(request: HttpRequest, slug: str, panel_id: int, payload: PanelSeedIn) -> Any:
    user = api_user(request)
    services.seed_enter(actor=user, panel=_panel(slug, panel_id, user), seed=payload.seed)
    return _detail(_panel(slug, panel_id, user), user)


@router.post(
    PANEL + "/members",
    response={201: PanelMemberOut},
    summary="Invite an expert or a stakeholder (staff)",
)
def member_invite(request: HttpRequest, slug: str, panel_id: int, payload: PanelInviteIn) -> Any:
    user = api_user(request)
    panel = _panel(slug, panel_id, user)
    invited = (
        member_by_phone(phone=payload.phone, community=panel.community) if payload.phone else None
    )
    member = services.member_invite(
        actor=user,
        panel=panel,
        kind=payload.kind,
        name=payload.name,
        affiliation=payload.affiliation,
        user=invited,
    )
    return Status(201, _member(member))


def _space(request: HttpRequest, slug: str, panel_id: int) -> tuple[Any, Panel]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return user, selectors.panel_space_get(community=community, panel_id=panel_id, viewer=user)


@router.get(
    PANEL + "/documents",
    response=list[PanelDocumentOut],
    summary="The panel's documents (its members, staff and supervisors)",
)
def document_list(request: HttpRequest, slug: str, panel_id: int) -> Any:
    _user, panel = _space(request, slug, panel_id)
    return selectors.documents_of(panel)


@router.post(
    PANEL + "/documents",
    response={201: PanelDocumentOut},
    summary="Add a PDF or a photo to the panel's space (its members and workers)",
)
def document_add(
    request: HttpRequest,
    slug: str,
    panel_id: int,
    file: File[UploadedFile],
    title: Form[str] = "",
) -> Any:
    user, panel = _space(request, slug, panel_id)
    return Status(201, services.document_add(actor=user, panel=panel, title=title, file=file))


@router.post(
    PANEL + "/assessment",
    response=PanelDetailOut,
    summary="Publish the panel's assessment (a member of the panel)",
)
def assessment_publish(request: HttpRequest, slug: str, panel_id: int, payload: PanelTextIn) -> Any:
    user = api_user(request)
    panel = services.assessment_publish(
        actor=user, panel=_panel(slug, panel_id, user), text=payload.text
    )
    return _detail(panel, user)


@router.post(
    PANEL + "/answer",
    response=PanelDetailOut,
    summary="Answer the assessment (a worker, or a member in office of the reviewed body)",
)
def panel_answer(request: HttpRequest, slug: str, panel_id: int, payload: PanelTextIn) -> Any:
    user = api_user(request)
    panel = services.panel_answer(actor=user, panel=_panel(slug, panel_id, user), text=payload.text)
    return _detail(panel, user)
