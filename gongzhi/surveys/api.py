"""Surveys in the API: the surveys a person may answer, a survey's questions (its definition),
answering and one's receipt; for workers, rounds, drawing a sample and the answers' download."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.selectors import community_get
from gongzhi.surveys import selectors, services
from gongzhi.surveys.models import OPEN_ROUND_SEALED, Survey, Wave
from gongzhi.surveys.views import answers_download

router = Router(tags=["surveys"])


def _anyone(request: HttpRequest) -> Any:
    """A read open to visitors: no credentials (or a bad token) reads as a visitor."""
    return AnonymousUser()


READ = [TokenAuth(), SessionAuth(), _anyone]


class SurveyWaveOut(Schema):
    id: int
    position: int
    label: str
    opens_at: datetime
    closes_at: datetime
    sample: str = Field(..., description="everyone | random | stratified")
    sample_size: int | None
    seed: str = Field(..., description="The public seed, once the sample is drawn.")
    drawn_at: datetime | None


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    form_id: str
    version: str
    anonymous: bool
    status: str = Field(..., description="draft | open | closed")
    current_wave: SurveyWaveOut | None = Field(None, description="The round taking answers now.")


class SurveyDetailOut(SurveyOut):
    definition: dict[str, Any] = Field(
        ..., description="Sections, questions, choices, skip logic (see docs/surveys.md)."
    )
    waves: list[SurveyWaveOut]


class SurveyAnswerIn(Schema):
    answers: dict[str, Any] = Field(
        ...,
        description=(
            "Keyed by question name: a choice name, a list of choice names (multiple choice, "
            "ranking with the most preferred first), {row: choice} for a matrix, a number, text, "
            "or a date as YYYY-MM-DD."
        ),
    )
    consent: bool = Field(
        False, description="Identified surveys: link these answers to me (for later rounds)."
    )


class SurveyReceiptOut(Schema):
    code: str
    wave_id: int
    answered_on: date


class SurveyWaveIn(Schema):
    label: str
    opens_at: datetime
    closes_at: datetime
    sample: str = "everyone"
    sample_size: int | None = None


class SurveyDrawIn(Schema):
    seed: str = Field(..., description="The public seed, exactly as announced.")


class SurveyDrawOut(Schema):
    drawn: int
    seed: str
    frame: dict[str, list[str]] = Field(
        ..., description="The published candidate lists by stratum (grid), in their order."
    )


def _survey_out(survey: Survey, current: dict[int, Wave] | None = None) -> dict[str, Any]:
    if current is not None:
        wave = current.get(survey.pk)
    else:
        wave = selectors.current_wave(survey) if survey.status == "open" else None
    return {
        "id": survey.pk,
        "title": survey.title,
        "description": survey.description,
        "form_id": survey.form_id,
        "version": survey.version,
        "anonymous": survey.anonymous,
        "status": survey.status,
        "current_wave": wave,
    }


def _survey(request: HttpRequest, slug: str, survey_id: int, user: Any) -> Survey:
    community = community_get(slug=slug, user=user)
    return selectors.survey_for(user, community, survey_id)


def _wave(request: HttpRequest, slug: str, survey_id: int, wave_id: int, user: Any) -> Wave:
    return selectors.wave_for(_survey(request, slug, survey_id, user), wave_id)


@router.get("/{slug}/surveys", response=list[SurveyOut], auth=READ, summary="Surveys")
def survey_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    viewer = api_viewer(request)
    community = community_get(slug=slug, user=viewer)
    current = selectors.current_waves(community)
    return [_survey_out(s, current) for s in selectors.surveys_visible(viewer, community)]


@router.get(
    "/{slug}/surveys/{survey_id}",
    response=SurveyDetailOut,
    auth=READ,
    summary="One survey with its questions and rounds",
)
def survey_detail(request: HttpRequest, slug: str, survey_id: int) -> dict[str, Any]:
    survey = _survey(request, slug, survey_id, api_viewer(request))
    return {
        **_survey_out(survey),
        "definition": survey.definition,
        "waves": selectors.waves_of(survey),
    }


@router.post(
    "/{slug}/surveys/{survey_id}/answers",
    response={201: SurveyReceiptOut},
    summary="Answer the round open now; returns the receipt",
)
def answer_submit(request: HttpRequest, slug: str, survey_id: int, payload: SurveyAnswerIn) -> Any:
    user = api_user(request)
    survey = _survey(request, slug, survey_id, user)
    wave = selectors.current_wave(survey)
    if wave is None:
        raise ValidationError(_("This survey is not open for answers now."), code="not_open")
    receipt = services.response_submit(
        actor=user, wave=wave, answers=payload.answers, consent=payload.consent
    )
    return Status(
        201, {"code": receipt.code, "wave_id": wave.pk, "answered_on": receipt.answered_on}
    )


@router.get(
    "/{slug}/surveys/{survey_id}/waves/{wave_id}/receipt",
    response=SurveyReceiptOut,
    summary="My receipt for a round (404 if I have not answered it)",
)
def my_receipt(request: HttpRequest, slug: str, survey_id: int, wave_id: int) -> Any:
    user = api_user(request)
    wave = _wave(request, slug, survey_id, wave_id, user)
    receipt = selectors.my_receipt(wave=wave, user=user)
    if receipt is None:
        raise Http404
    return {"code": receipt.code, "wave_id": wave.pk, "answered_on": receipt.answered_on}


@router.get(
    "/{slug}/surveys/{survey_id}/waves",
    response=list[SurveyWaveOut],
    auth=READ,
    summary="A survey's rounds",
)
def wave_list(request: HttpRequest, slug: str, survey_id: int) -> list[Wave]:
    return selectors.waves_of(_survey(request, slug, survey_id, api_viewer(request)))


@router.post(
    "/{slug}/surveys/{survey_id}/waves",
    response={201: SurveyWaveOut},
    summary="Add a round: its dates and who it asks (staff)",
)
def wave_create(request: HttpRequest, slug: str, survey_id: int, payload: SurveyWaveIn) -> Any:
    user = api_user(request)
    survey = _survey(request, slug, survey_id, user)
    wave = services.wave_create(
        actor=user,
        survey=survey,
        label=payload.label,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        sample=payload.sample,
        sample_size=payload.sample_size,
    )
    return Status(201, wave)


@router.post(
    "/{slug}/surveys/{survey_id}/waves/{wave_id}/draw",
    response=SurveyDrawOut,
    summary="Draw a sampled round's residents by public lot (staff)",
)
def wave_draw(
    request: HttpRequest, slug: str, survey_id: int, wave_id: int, payload: SurveyDrawIn
) -> dict[str, Any]:
    user = api_user(request)
    wave = _wave(request, slug, survey_id, wave_id, user)
    drawn = services.wave_draw(actor=user, wave=wave, seed=payload.seed)
    return {"drawn": len(drawn), "seed": wave.seed, "frame": wave.frame}


@router.get(
    "/{slug}/surveys/{survey_id}/waves/{wave_id}/answers.{fmt}",
    response={200: None},
    summary="A round's answers as CSV or XLSX (staff and supervisors; never a name if anonymous)",
)
def wave_answers(
    request: HttpRequest, slug: str, survey_id: int, wave_id: int, fmt: str
) -> HttpResponse:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="surveys.view_results")
    survey = selectors.survey_for(user, community, survey_id)
    wave = selectors.wave_for(survey, wave_id)
    if not wave.closed:
        raise ValidationError(OPEN_ROUND_SEALED, code="round_open")
    return answers_download(survey=survey, wave=wave, fmt=fmt)
