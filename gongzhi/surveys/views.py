"""Survey pages under /c/<slug>/surveys/: the list, answering on a phone (with or without
JavaScript), the receipt, a survey's rounds with their samples, paper entry and the answers'
download. The builder and the results are in ``builder_views`` / ``results_views``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.exports import Sheet, table_export
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.selectors import community_get
from gongzhi.surveys import policies, selectors, services
from gongzhi.surveys.definition import DisplayOrder, display_order, label
from gongzhi.surveys.forms import (
    DrawForm,
    PaperSerialForm,
    WaveForm,
    answers_from_post,
    error_lists,
    sheet,
)
from gongzhi.surveys.models import OPEN_ROUND_SEALED, SampleKind, Status, Survey, Wave


def _language() -> str:
    return (translation.get_language() or "zh-hans").lower()


def _context(request: HttpRequest, community: Any, **extra: Any) -> dict[str, Any]:
    return {
        "community": community,
        "can_manage": policies.can_manage(request.user, community),
        "can_view_results": policies.can_view_results(request.user, community),
        **extra,
    }


@require_GET
def survey_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    surveys = list(selectors.surveys_visible(request.user, community))
    receipts = selectors.my_receipts(community=community, user=request.user)
    current = selectors.current_waves(community)
    rows = []
    for survey in surveys:
        wave = current.get(survey.pk)
        rows.append(
            {
                "survey": survey,
                "wave": wave,
                "answered": wave is not None and wave.pk in receipts,
            }
        )
    return render(request, "surveys/survey_list.html", _context(request, community, rows=rows))


def _eligibility_problem(request: HttpRequest, wave: Wave) -> str:
    try:
        services.check_eligible(actor=request.user, wave=wave)
    except (ValidationError, PermissionDenied) as error:
        return error_text(error)
    return ""


@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, slug: str, survey_id: int) -> HttpResponse:
    """The answering page. The skip logic runs in the page's script and, authoritatively, here:
    without the script a post re-shows the page with the questions its answers bring in."""
    community = community_get(slug=slug, user=request.user)
    survey = selectors.survey_for(request.user, community, survey_id)
    wave = selectors.current_wave(survey) if survey.status == Status.OPEN else None
    context = _context(
        request,
        community,
        survey=survey,
        wave=wave,
        next_wave=selectors.next_wave(survey),
        description=survey.description,
    )
    if wave is None:
        return render(request, "surveys/survey_answer.html", context)
    receipt = selectors.my_receipt(wave=wave, user=request.user)
    if receipt is not None:
        return redirect("survey_receipt", slug=slug, survey_id=survey.pk, wave_id=wave.pk)
    problem = _eligibility_problem(request, wave)
    if problem:
        context["problem"] = problem
        return render(request, "surveys/survey_answer.html", context, status=200)
    definition = services.definition_of(survey)
    order = display_order(definition, services.order_seed(wave=wave, person=request.user))
    language = _language()
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    consent = False
    if request.method == "POST":
        answers = answers_from_post(definition, request.POST)
        consent = request.POST.get("consent") == "yes"
        sections = sheet(
            definition=definition, order=order, answers=answers, errors={}, language=language
        )
        now_shown = {q.name for s in sections if s.shown for q in s.questions if q.shown}
        was_shown = set(request.POST.getlist("shown"))
        if now_shown - was_shown:
            # Without the script, answers can bring in questions the resident has not seen:
            # show them before anything is stored.
            messages.info(
                request,
                _("Your answers bring in more questions. Please look at them, then send again."),
            )
        else:
            try:
                services.response_submit(
                    actor=request_user(request), wave=wave, answers=answers, consent=consent
                )
            except ValidationError as error:
                errors = error_lists(error)
            except PermissionDenied as error:
                context["problem"] = str(error)
                return render(request, "surveys/survey_answer.html", context, status=403)
            else:
                return redirect("survey_receipt", slug=slug, survey_id=survey.pk, wave_id=wave.pk)
    sections = sheet(
        definition=definition, order=order, answers=answers, errors=errors, language=language
    )
    context.update(
        sections=sections,
        errors=errors,
        general_errors=errors.get("__all__", []),
        error_count=len(errors),
        consent=consent,
        title=label(definition.title, language) or survey.title,
    )
    return render(request, "surveys/survey_answer.html", context, status=400 if errors else 200)


@login_required
@require_GET
def survey_receipt(request: HttpRequest, slug: str, survey_id: int, wave_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    survey = selectors.survey_for(request.user, community, survey_id)
    wave = selectors.wave_for(survey, wave_id)
    receipt = selectors.my_receipt(wave=wave, user=request.user)
    if receipt is None:
        raise Http404
    return render(
        request,
        "surveys/survey_receipt.html",
        _context(request, community, survey=survey, wave=wave, receipt=receipt),
    )


@require_http_methods(["GET", "POST"])
def survey_waves(request: HttpRequest, slug: str, survey_id: int) -> HttpResponse:
    """A survey's rounds (基线, 回访 …): everyone who sees the survey sees them; workers add
    rounds and open or close the survey here."""
    community = community_get(slug=slug, user=request.user)
    survey = selectors.survey_for(request.user, community, survey_id)
    can_manage = policies.can_manage(request.user, community)
    form = WaveForm(posted(request) if can_manage else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                wave = services.wave_create(
                    actor=request_user(request),
                    survey=survey,
                    label=data["label"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    sample=data["sample"],
                    sample_size=data.get("sample_size"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The round is added."))
                return redirect("survey_wave", slug=slug, survey_id=survey.pk, wave_id=wave.pk)
    return render(
        request,
        "surveys/survey_waves.html",
        _context(
            request,
            community,
            survey=survey,
            waves=selectors.waves_of(survey),
            form=form,
            now=timezone.now(),
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


def _status_change(request: HttpRequest, slug: str, survey_id: int, *, opening: bool) -> Any:
    community = community_get(slug=slug, user=request.user, perm="surveys.manage")
    survey = selectors.survey_for(request.user, community, survey_id)
    change = services.survey_open if opening else services.survey_close
    try:
        change(actor=request_user(request), survey=survey)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("The survey is open: residents can answer while a round runs.")
            if opening
            else _("The survey is closed: no more answers are taken."),
        )
    return redirect("survey_waves", slug=slug, survey_id=survey.pk)


@login_required
@require_POST
def survey_open(request: HttpRequest, slug: str, survey_id: int) -> HttpResponse:
    return _status_change(request, slug, survey_id, opening=True)


@login_required
@require_POST
def survey_close(request: HttpRequest, slug: str, survey_id: int) -> HttpResponse:
    return _status_change(request, slug, survey_id, opening=False)


def _wave(request: HttpRequest, slug: str, survey_id: int, wave_id: int, perm: str = "") -> Any:
    community = community_get(slug=slug, user=request.user, perm=perm or "core.view_community")
    survey = selectors.survey_for(request.user, community, survey_id)
    return community, survey, selectors.wave_for(survey, wave_id)


@require_GET
def survey_wave(request: HttpRequest, slug: str, survey_id: int, wave_id: int) -> HttpResponse:
    """One round: its dates, who it asks and, for a sample, the published lists, the seed and
    who was drawn, so anyone can repeat the draw."""
    community, survey, wave = _wave(request, slug, survey_id, wave_id)
    positions = selectors.drawn_positions(wave) if wave.drawn_at else {}
    strata = [
        {
            "name": name,
            "lines": lines,
            "drawn": positions.get(name, []),
            "count": len(positions.get(name, [])),
        }
        for name, lines in (wave.frame or {}).items()
    ]
    return render(
        request,
        "surveys/survey_wave.html",
        _context(
            request,
            community,
            survey=survey,
            wave=wave,
            strata=strata,
            draw_form=DrawForm(),
            answered=len(selectors.wave_answers(wave)),
            my_line=selectors.my_frame_line(wave=wave, user=request.user),
            is_sampled=wave.sample != SampleKind.EVERYONE,
            is_open_now=wave.opens_at <= timezone.now() < wave.closes_at,
        ),
    )


@login_required
@require_POST
def wave_end(request: HttpRequest, slug: str, survey_id: int, wave_id: int) -> HttpResponse:
    _community, survey, wave = _wave(request, slug, survey_id, wave_id, "surveys.manage")
    try:
        services.wave_end(actor=request_user(request), wave=wave)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The round is ended: its answers can now be read."))
    return redirect("survey_wave", slug=slug, survey_id=survey.pk, wave_id=wave.pk)


@login_required
@require_POST
def wave_draw(request: HttpRequest, slug: str, survey_id: int, wave_id: int) -> HttpResponse:
    _community, survey, wave = _wave(request, slug, survey_id, wave_id, "surveys.manage")
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("seed", [])))
    else:
        try:
            drawn = services.wave_draw(
                actor=request_user(request), wave=wave, seed=form.cleaned_data["seed"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("%(count)d residents are drawn.") % {"count": len(drawn)})
    return redirect("survey_wave", slug=slug, survey_id=survey.pk, wave_id=wave.pk)


@require_GET
def wave_frame(request: HttpRequest, slug: str, survey_id: int, wave_id: int) -> HttpResponse:
    """One published candidate list as a text file, for ``python -m gongzhi.core.lottery``."""
    _community, _survey, wave = _wave(request, slug, survey_id, wave_id)
    stratum = request.GET.get("stratum", "")
    if not wave.frame or stratum not in wave.frame:
        raise Http404
    body = "\n".join(wave.frame[stratum]) + "\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-candidates.txt"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, slug: str, survey_id: int, wave_id: int) -> HttpResponse:
    """Typing in a paper questionnaire: it counts when a second worker types it the same."""
    community, survey, wave = _wave(request, slug, survey_id, wave_id, "surveys.manage")
    definition = services.definition_of(survey)
    language = _language()
    form = PaperSerialForm(posted(request))
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = answers_from_post(definition, request.POST)
        if form.is_valid():
            try:
                result = services.paper_enter(
                    actor=request_user(request),
                    wave=wave,
                    serial=form.cleaned_data["serial"],
                    answers=answers,
                )
            except ValidationError as error:
                errors = error_lists(error)
                for message in errors.pop("__all__", []):
                    form.add_error(None, message)
            else:
                if result.confirmed:
                    messages.success(request, _("Both readings agree: the answers are counted."))
                elif result.conflict:
                    messages.error(
                        request,
                        _(
                            "This reading differs from an earlier one. A third person should "
                            "type the questionnaire in again."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _("Entered. A second person must type this questionnaire in too."),
                    )
                return redirect(
                    "survey_paper_entry", slug=slug, survey_id=survey.pk, wave_id=wave.pk
                )
    # Paper follows the printed order: no randomising here.
    order = DisplayOrder(
        questions={s.name: tuple(q.name for q in s.questions) for s in definition.sections},
        choices={
            q.name: tuple(i.name for i in (q.rows if q.kind == "matrix" else q.choices))
            for q in definition.questions()
        },
    )
    sections = sheet(
        definition=definition, order=order, answers=answers, errors=errors, language=language
    )
    for section_view in sections:  # a worker types every printed answer; nothing is hidden
        section_view.shown = True
        for question_view in section_view.questions:
            question_view.shown = True
    return render(
        request,
        "surveys/paper_entry.html",
        _context(
            request,
            community,
            survey=survey,
            wave=wave,
            form=form,
            sections=sections,
            error_count=len(errors),
        ),
        status=400 if errors or form.errors else 200,
    )


@login_required
@require_GET
def wave_export(
    request: HttpRequest, slug: str, survey_id: int, wave_id: int, fmt: str
) -> HttpResponse:
    """A round's answers as CSV or XLSX (an anonymous survey's never name anyone)."""
    _community, survey, wave = _wave(request, slug, survey_id, wave_id, "surveys.view_results")
    if not wave.closed:
        messages.error(request, str(OPEN_ROUND_SEALED))
        return redirect("survey_wave", slug=slug, survey_id=survey.pk, wave_id=wave.pk)
    return answers_download(survey=survey, wave=wave, fmt=fmt)


def answers_download(*, survey: Survey, wave: Wave, fmt: str) -> HttpResponse:
    definition = services.definition_of(survey)
    language = _language()
    rows = selectors.answers_table(wave=wave, definition=definition, language=language)
    columns = [name for name, _q, _r in selectors.export_columns(definition)]
    questions = [
        [_("column"), _("question")],
        *zip(columns, selectors.question_labels(definition, language), strict=True),
    ]
    return table_export(
        fmt=fmt,
        name=f"{survey.form_id}-{wave.position}",
        sheets=[Sheet(_("Answers"), rows), Sheet(_("Questions"), questions)],
    )
