"""Every read of the surveys app: which surveys a person sees, the wave open now, a person's
receipt, a wave's answers (for the results, the export and the evaluation pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core.models import Community, Membership
from gongzhi.surveys import policies
from gongzhi.surveys.definition import Definition, label, row_key
from gongzhi.surveys.models import (
    Invitation,
    Receipt,
    Response,
    SampleKind,
    Status,
    Survey,
    Wave,
)


def surveys_visible(user: Any, community: Community) -> QuerySet[Survey]:
    """Open and closed surveys for everyone who may see the community; drafts for workers."""
    surveys = Survey.objects.in_community(community).annotate(wave_count=Count("waves"))
    if not policies.can_manage(user, community):
        surveys = surveys.exclude(status=Status.DRAFT)
    return surveys


def survey_for(user: Any, community: Community, pk: int) -> Survey:
    """The survey, if ``user`` may see it; a draft a resident may not see is as missing as a
    survey that does not exist."""
    survey = (
        Survey.objects.in_community(community).select_related("community").filter(pk=pk).first()
    )
    if survey is None or (
        survey.status == Status.DRAFT and not policies.can_manage(user, community)
    ):
        raise Http404
    return survey


def waves_of(survey: Survey) -> list[Wave]:
    return list(
        Wave.objects.in_community(survey.community_id)
        .filter(survey=survey)
        .select_related("survey", "community")
        .annotate(
            answered=Count("responses", distinct=True),
            invited=Count("invitations", distinct=True),
        )
        .order_by("position")
    )


def wave_for(survey: Survey, pk: int) -> Wave:
    wave = (
        Wave.objects.in_community(survey.community_id)
        .filter(survey=survey, pk=pk)
        .select_related("survey", "community")
        .first()
    )
    if wave is None:
        raise Http404
    return wave


def current_wave(survey: Survey, now: datetime | None = None) -> Wave | None:
    """The wave open for answers now, if any (waves of one survey never overlap)."""
    now = now or timezone.now()
    return (
        Wave.objects.in_community(survey.community_id)
        .filter(survey=survey, opens_at__lte=now, closes_at__gt=now)
        .select_related("survey", "community")
        .first()
    )


def current_waves(community: Community, now: datetime | None = None) -> dict[int, Wave]:
    """``{survey id: its round open now}`` over the community's open surveys, in one query."""
    now = now or timezone.now()
    waves = Wave.objects.in_community(community).filter(
        survey__status=Status.OPEN, opens_at__lte=now, closes_at__gt=now
    )
    return {wave.survey_id: wave for wave in waves}


def next_wave(survey: Survey, now: datetime | None = None) -> Wave | None:
    now = now or timezone.now()
    return (
        Wave.objects.in_community(survey.community_id)
        .filter(survey=survey, opens_at__gt=now)
        .order_by("opens_at")
        .first()
    )


def my_receipt(*, wave: Wave, user: Any) -> Receipt | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Receipt.objects.in_community(wave.community_id).filter(wave=wave, person=user).first()


def my_receipts(*, community: Community, user: Any) -> dict[int, Receipt]:
    """``{wave id: receipt}`` of the person's answers in the community."""
    if not getattr(user, "is_authenticated", False):
        return {}
    receipts = Receipt.objects.in_community(community).filter(person=user)
    return {receipt.wave_id: receipt for receipt in receipts}


def is_invited(*, wave: Wave, user: Any) -> bool:
    if wave.sample == SampleKind.EVERYONE:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        Invitation.objects.in_community(wave.community_id).filter(wave=wave, person=user).exists()
    )


def my_frame_line(*, wave: Wave, user: Any) -> str:
    """How the viewer appears on a drawn wave's published candidate lists (their membership
    number first), or "" when they are on none."""
    if not wave.frame or not getattr(user, "is_authenticated", False):
        return ""
    membership = Membership.objects.in_community(wave.community_id).filter(user=user).first()
    if membership is None:
        return ""
    number = str(membership.pk)
    for lines in wave.frame.values():
        for line in lines:
            if line == number or line.startswith(number + " "):
                return str(line)
    return ""


def drawn_positions(wave: Wave) -> dict[str, list[int]]:
    """``{stratum: [1-based positions in its published list, in drawing order]}``."""
    invited = (
        Invitation.objects.in_community(wave.community_id)
        .filter(wave=wave)
        .select_related("person")
        .order_by("position")
    )
    numbers = dict(
        Membership.objects.in_community(wave.community_id)
        .filter(user__in=invited.values("person"))
        .values_list("user_id", "pk")
    )
    positions: dict[str, list[int]] = {}
    for invitation in invited:
        lines = wave.frame.get(invitation.stratum, [])
        number = str(numbers.get(invitation.person_id, ""))
        for index, line in enumerate(lines, start=1):
            if line == number or line.startswith(number + " "):
                positions.setdefault(invitation.stratum, []).append(index)
                break
    return positions


def wave_answers(wave: Wave) -> list[dict[str, Any]]:
    """Every stored answer set of the wave (online and paper), in no order that says who."""
    return list(
        Response.objects.in_community(wave.community_id)
        .filter(wave=wave)
        .order_by("pk")
        .values_list("answers", flat=True)
    )


def paired_answers(first: Wave, second: Wave) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Answers of the same person in two waves: identified surveys, with consent, only."""

    def linked(wave: Wave) -> dict[int, dict[str, Any]]:
        rows = (
            Response.objects.in_community(wave.community_id)
            .filter(wave=wave, person__isnull=False, consented=True)
            .values_list("person_id", "answers")
        )
        return {person: answers for person, answers in rows}

    before, after = linked(first), linked(second)
    return [(before[person], after[person]) for person in sorted(before.keys() & after.keys())]


def export_columns(definition: Definition) -> list[tuple[str, str, str]]:
    """``(column, question, row)`` of the answers' export: one column per question, one per
    matrix row (named as XLSForm names a table-list's questions)."""
    columns = []
    for question in definition.questions():
        if question.kind == "matrix":
            for row in question.rows:
                columns.append((row_key(question.name, row.name), question.name, row.name))
        else:
            columns.append((question.name, question.name, ""))
    return columns


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)  # XLSForm's way: choice names, space-separated
    return value


def answers_table(*, wave: Wave, definition: Definition, language: str) -> list[list[Any]]:
    """The wave's answers as rows, a header first. An anonymous survey's export never has a
    column that names a person; an identified one names only those who consented."""
    columns = export_columns(definition)
    identified = not wave.survey.anonymous
    header: list[Any] = ["response", "channel"]
    if identified:
        header += ["person_id", "person_name"]
    header += [name for name, _question, _row in columns]
    responses = (
        Response.objects.in_community(wave.community_id)
        .filter(wave=wave)
        .select_related("person")
        .order_by("pk")
    )
    rows: list[list[Any]] = [header]
    for response in responses:
        row: list[Any] = [str(response.pk), response.channel]
        if identified:
            person = response.person if response.consented else None
            row += [person.pk if person else None, person.display_name if person else None]
        for _name, question, matrix_row in columns:
            value = response.answers.get(question)
            if matrix_row:
                value = value.get(matrix_row) if isinstance(value, dict) else None
            row.append(_cell(value))
        rows.append(row)
    return rows


def question_labels(definition: Definition, language: str) -> list[str]:
    """The export's second sheet: each column's question in the reader's language."""
    labels = []
    for question in definition.questions():
        text = label(question.labels, language)
        if question.kind == "matrix":
            labels += [f"{text} · {label(row.labels, language)}" for row in question.rows]
        else:
            labels.append(text)
    return labels
