"""The survey builder's pages (问卷设计, /c/<slug>/surveys/…): for community workers.

Create a survey, add sections and questions of every kind, skip logic through a simple form (or
the raw XLSForm expression), move and delete; add a whole scale from the scale library; import
and export XLSForm; preview the answering page. The questions change only while the survey is a
draft: every edit is a pure function of ``editing`` followed by ``services.survey_save_definition``,
which refuses an opened survey. The results page (scores with their reliability, the
before/after) and its printable report are here too, for workers and the supervision committee.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, request_user
from gongzhi.core.models import Community
from gongzhi.core.pdf import pdf_response, render_pdf
from gongzhi.core.selectors import community_get
from gongzhi.surveys import editing, policies, report, results, scales, services
from gongzhi.surveys.builder_forms import (
    AddScaleForm,
    ConditionForm,
    ImportForm,
    LicensedItemsForm,
    QuestionForm,
    SectionForm,
    SurveyCreateForm,
)
from gongzhi.surveys.definition import Definition, label
from gongzhi.surveys.models import OPEN_ROUND_SEALED, LicensedScale, Status, Survey, Wave

MANAGE = "surveys.manage"
#: ``?section=`` of the question page that starts a new section.
NEW_SECTION = "new"
RESULTS = "surveys.view_results"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _language() -> str:
    return translation.get_language() or "zh-hans"


def _survey(
    request: HttpRequest, slug: str, pk: int, perm: str = MANAGE
) -> tuple[Community, Survey]:
    """Fetch and authorise: a survey of another community is "not found", as a missing one."""
    community = community_get(slug=slug, user=request.user, perm=perm)
    try:
        survey = Survey.objects.in_community(community).get(pk=pk)
    except Survey.DoesNotExist:
        raise Http404 from None
    return community, survey


def _build_url(survey: Survey, anchor: str = "") -> str:
    url = reverse("surveys_builder", args=[survey.community.slug, survey.pk])
    return url + (f"#{anchor}" if anchor else "")


def _definition(survey: Survey) -> Definition:
    return services.definition_of(survey)


def _save(request: HttpRequest, survey: Survey, definition: Definition) -> bool:
    """Save, or show why not (an opened survey, an invalid definition) as a message."""
    try:
        services.survey_save_definition(
            actor=request_user(request), survey=survey, definition=definition
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return False
    return True


def _draft_or_refuse(request: HttpRequest, survey: Survey) -> bool:
    if survey.status != Status.DRAFT:
        messages.error(
            request,
            _("This survey is open or closed: its questions can no longer change."),
        )
        return False
    return True


# --- creating and importing ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=MANAGE)
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                actor=request_user(request),
                community=community,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                anonymous=form.cleaned_data["anonymous"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The survey is created as a draft. Add its questions."))
            return redirect(_build_url(survey))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "surveys/builder_new.html", {"community": community, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_import(request: HttpRequest, slug: str) -> HttpResponse:
    """An XLSForm workbook read into a new draft; any problem is listed and nothing is saved."""
    community = community_get(slug=slug, user=request.user, perm=MANAGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_import_xlsform(
                actor=request_user(request), community=community, data=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            errors = [str(m) for m in exc.messages]
        else:
            messages.success(request, _("The survey is imported as a draft."))
            return redirect(_build_url(survey))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "surveys/import.html",
        {"community": community, "form": form, "errors": errors},
        status=status,
    )


@login_required
@require_GET
def survey_export_xlsform(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    from gongzhi.surveys.xlsform import write_xlsform

    _community, survey = _survey(request, slug, pk)
    content = write_xlsform(_definition(survey))
    response = HttpResponse(content, content_type=XLSX)
    name = f"{survey.form_id}-v{survey.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the builder -----------------------------------------------------------------------------


def _question_rows(definition: Definition, language: str) -> list[dict[str, Any]]:
    rows = []
    for s_index, section in enumerate(definition.sections):
        questions = []
        for q_index, q in enumerate(section.questions):
            questions.append(
                {
                    "q": q,
                    "label": label(q.labels, language),
                    "kind": dict(_kinds()).get(q.kind, q.kind),
                    "choices": [label(c.labels, language) for c in q.choices],
                    "rows": [label(r.labels, language) for r in q.rows],
                    "first": s_index == 0 and q_index == 0,
                    "last": s_index == len(definition.sections) - 1
                    and q_index == len(section.questions) - 1,
                }
            )
        rows.append(
            {
                "section": section,
                "label": label(section.labels, language),
                "questions": questions,
                "first": s_index == 0,
                "last": s_index == len(definition.sections) - 1,
            }
        )
    return rows


def _kinds() -> list[tuple[str, str]]:
    from gongzhi.surveys.builder_forms import KIND_CHOICES

    return [(k, str(v)) for k, v in KIND_CHOICES]


@login_required
@require_GET
def builder(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community, survey = _survey(request, slug, pk)
    definition = _definition(survey)
    context = {
        "community": community,
        "survey": survey,
        "definition": definition,
        "sections": _question_rows(definition, _language()),
        "draft": survey.status == Status.DRAFT,
        "can_results": policies.can_view_results(request.user, community),
        "waves": list(Wave.objects.in_community(community).filter(survey=survey)),
    }
    return render(request, "surveys/builder.html", context)


EDITS = {
    "up": lambda request, d, name: editing.move(d, name, -1),
    "down": lambda request, d, name: editing.move(d, name, 1),
    "delete": lambda request, d, name: editing.delete(d, name),
}


@login_required
@require_POST
def builder_edit(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """One of the builder's buttons: move up or down, delete."""
    _community, survey = _survey(request, slug, pk)
    if action not in EDITS:
        raise Http404
    name = request.POST.get("name", "")
    if _draft_or_refuse(request, survey):
        try:
            edited = EDITS[action](request, _definition(survey), name)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if _save(request, survey, edited):
                if action == "delete":
                    messages.success(request, _("Deleted."))
    anchor = f"item-{name}" if action in ("up", "down") and name else ""
    return redirect(_build_url(survey, anchor))


@login_required
@require_http_methods(["GET", "POST"])
def builder_section(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponse:
    """Rename a section (its title in Chinese and English)."""
    community, survey = _survey(request, slug, pk)
    definition = _definition(survey)
    try:
        section = definition.sections[editing.find_section(definition, name)]
    except ValidationError:
        raise Http404 from None
    initial = {
        "label_zh": section.labels.get("zh-hans", ""),
        "label_en": section.labels.get("en", ""),
    }
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and _draft_or_refuse(request, survey) and form.is_valid():
        edited = editing.rename_section(definition, name, labels=form.labels())
        if _save(request, survey, edited):
            return redirect(_build_url(survey, f"item-{name}"))
    return render(
        request,
        "surveys/builder_section.html",
        {"community": community, "survey": survey, "form": form, "section": section},
    )


@login_required
@require_http_methods(["GET", "POST"])
def builder_question(request: HttpRequest, slug: str, pk: int, name: str = "") -> HttpResponse:
    """Add a question to a section (``?section=``), or change the question ``name``."""
    community, survey = _survey(request, slug, pk)
    definition = _definition(survey)
    existing = None
    if name:
        existing = definition.question(name)
        if existing is None:
            raise Http404
        if existing.scale:
            # A validated scale is asked as published: its wording and options are not edited.
            messages.error(
                request,
                _(
                    "A library scale is asked as published: its items and answers cannot be "
                    "changed here. It can be moved, deleted or asked only under a condition."
                ),
            )
            return redirect(_build_url(survey, f"item-{name}"))
    section = request.GET.get("section") or (
        definition.sections[-1].name if definition.sections else ""
    )
    initial = QuestionForm.initial_for(existing) if existing else {"required": True}
    form = QuestionForm(
        request.POST or None, initial=initial, definition=definition, editing_name=name
    )
    # A new section is made with its first question: a section is never saved empty.
    section_form = (
        SectionForm(request.POST or None, prefix="section")
        if section == NEW_SECTION and not existing
        else None
    )
    status = 200
    if request.method == "POST":
        status = 400
        if not _draft_or_refuse(request, survey):
            return redirect(_build_url(survey))
        if form.is_valid() and (section_form is None or section_form.is_valid()):
            question = form.cleaned_data["question"]
            try:
                if existing:
                    edited = editing.replace_question(definition, name, question)
                elif section_form is not None:
                    edited = editing.add_section(
                        definition, labels=section_form.labels(), question=question
                    )
                else:
                    edited = editing.add_question(definition, section=section, question=question)
                services.survey_save_definition(
                    actor=request_user(request), survey=survey, definition=edited
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The question is saved."))
                return redirect(_build_url(survey, f"item-{question.name}"))
    return render(
        request,
        "surveys/builder_question.html",
        {
            "community": community,
            "survey": survey,
            "form": form,
            "question": existing,
            "section_form": section_form,
            "action": (
                reverse("surveys_builder_question_edit", args=[slug, survey.pk, name])
                if existing
                else reverse("surveys_builder_question", args=[slug, survey.pk])
                + "?"
                + urlencode({"section": section})
            ),
            "draft": survey.status == Status.DRAFT,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def builder_logic(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponse:
    """Skip logic of a question or section: "show only if …", or the raw expression."""
    community, survey = _survey(request, slug, pk)
    definition = _definition(survey)
    target = definition.question(name)
    section = next((s for s in definition.sections if s.name == name), None)
    if target is None and section is None:
        raise Http404
    current = target.relevant if target else section.relevant  # type: ignore[union-attr]
    form = ConditionForm(
        request.POST or None,
        initial={"expression": current},
        definition=definition,
        name=name,
        language=_language(),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if not _draft_or_refuse(request, survey):
            return redirect(_build_url(survey))
        if form.is_valid():
            try:
                edited = editing.set_relevant(definition, name, form.cleaned_data["relevant"])
                services.survey_save_definition(
                    actor=request_user(request), survey=survey, definition=edited
                )
            except ValidationError as exc:
                form.add_error("expression", exc)
            else:
                messages.success(request, _("The condition is saved."))
                return redirect(_build_url(survey, f"item-{name}"))
    earlier = [
        {
            "name": q.name,
            "label": label(q.labels, _language()),
            "choices": [(c.name, label(c.labels, _language())) for c in q.choices],
        }
        for q in editing.earlier_questions(definition, name)
    ]
    return render(
        request,
        "surveys/builder_logic.html",
        {
            "community": community,
            "survey": survey,
            "form": form,
            "name": name,
            "target_label": label((target or section).labels, _language()),  # type: ignore[union-attr]
            "current": current,
            "earlier": earlier,
        },
        status=status,
    )


@login_required
@require_GET
def builder_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The questions as a resident sees them (the answering page's own partial and script);
    nothing can be sent from here."""
    from gongzhi.surveys.definition import display_order
    from gongzhi.surveys.forms import sheet

    community, survey = _survey(request, slug, pk)
    definition = _definition(survey)
    sections = sheet(
        definition=definition,
        order=display_order(definition, f"preview-{survey.pk}"),
        answers={},
        errors={},
        language=_language(),
    )
    return render(
        request,
        "surveys/builder_preview.html",
        {
            "community": community,
            "survey": survey,
            "sections": sections,
            "title": label(definition.title, _language()) or survey.title,
        },
    )


# --- the scale library -----------------------------------------------------------------------


def _licensed(community: Community) -> dict[str, LicensedScale]:
    return {
        row.scale: row
        for row in LicensedScale.objects.in_community(community).select_related(
            "added_by", "confirmed_by"
        )
    }


def scale_items(scale: Any, licensed: LicensedScale | None) -> list[dict[str, Any]]:
    """A scale's items: the library's, or a licensed community's confirmed ones."""
    if scale.items:
        return [
            {"key": i.key, "labels": dict(i.labels), "reverse": i.reverse, "subscale": i.subscale}
            for i in scale.items
        ]
    if licensed is not None and licensed.confirmed_by_id:
        return list(licensed.items)
    return []


@login_required
@require_GET
def scale_library(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=MANAGE)
    licensed = _licensed(community)
    drafts = [
        (s.pk, s.title) for s in Survey.objects.in_community(community).filter(status=Status.DRAFT)
    ]
    chosen = request.GET.get("survey")
    language = _language()
    entries = []
    for ref, scale in sorted(scales.library().items()):
        row = licensed.get(ref)
        items = scale_items(scale, row)
        subscales = {sub.key: label(sub.names, language) for sub in scale.subscales}
        entries.append(
            {
                "ref": ref,
                "scale": scale,
                "name": label(scale.names, language),
                "licence_note": label(scale.licence_note, language),
                "translation_note": label(scale.translation_note, language),
                "items": [
                    {
                        "zh": item["labels"].get("zh-hans", ""),
                        "en": item["labels"].get("en", ""),
                        "reverse": item.get("reverse", False),
                        "subscale_name": subscales.get(item.get("subscale", ""), ""),
                    }
                    for item in items
                ],
                "licensed": row,
                "can_confirm": row is not None
                and not row.confirmed_by_id
                and row.added_by_id != request.user.pk,
                "add_form": AddScaleForm(initial={"scale": ref, "survey": chosen}, surveys=drafts)
                if items and drafts
                else None,
                "licence_form": LicensedItemsForm(initial={"scale": ref})
                if scale.licence == "permission_required" and row is None
                else None,
            }
        )
    return render(
        request,
        "surveys/scales.html",
        {"community": community, "entries": entries, "drafts": drafts},
    )


@login_required
@require_POST
def scale_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a library scale to a draft survey, as its own section."""
    community = community_get(slug=slug, user=request.user, perm=MANAGE)
    drafts = [
        (s.pk, s.title) for s in Survey.objects.in_community(community).filter(status=Status.DRAFT)
    ]
    form = AddScaleForm(request.POST, surveys=drafts)
    if not form.is_valid():
        messages.error(request, _("Choose a draft survey to add the scale to."))
        return redirect("surveys_scales", slug)
    ref = form.cleaned_data["scale"]
    try:
        scale = scales.get(ref)
    except (KeyError, LookupError):
        raise Http404 from None
    _c, survey = _survey(request, slug, form.cleaned_data["survey"])
    try:
        scale = scales.get(ref, community=community)
        edited = editing.add_scale(
            _definition(survey),
            ref=ref,
            names_=dict(scale.names),
            questions=scales.matrix_questions(scale),
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("surveys_scales", args=[slug]) + f"?survey={survey.pk}")
    if _save(request, survey, edited):
        messages.success(request, _("The scale is added to the survey as its own section."))
    return redirect(_build_url(survey))


@login_required
@require_POST
def scale_license(request: HttpRequest, slug: str) -> HttpResponse:
    """A licensed community types in a permission-required scale's items."""
    community = community_get(slug=slug, user=request.user, perm=MANAGE)
    form = LicensedItemsForm(request.POST)
    back = reverse("surveys_scales", args=[slug])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        services.licensed_scale_add(
            actor=request_user(request),
            community=community,
            scale=form.cleaned_data["scale"],
            items=form.cleaned_data["items"],
            licence_note=form.cleaned_data["licence_note"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("The items are saved. A second worker must confirm them before use.")
        )
    return redirect(back)


@login_required
@require_POST
def scale_confirm(request: HttpRequest, slug: str, licensed_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=MANAGE)
    try:
        licensed = LicensedScale.objects.in_community(community).get(pk=licensed_id)
    except LicensedScale.DoesNotExist:
        raise Http404 from None
    try:
        services.licensed_scale_confirm(actor=request_user(request), licensed=licensed)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The items are confirmed: surveys may now use the scale."))
    return redirect("surveys_scales", slug)


# --- results ---------------------------------------------------------------------------------


def _results_context(request: HttpRequest, community: Community, survey: Survey) -> dict[str, Any]:
    every = list(Wave.objects.in_community(community).filter(survey=survey).order_by("position"))
    survey.community = community
    for w in every:
        w.survey = survey  # the results read it for every wave
    # Only a closed round is read (Wave.closed): an open one's answers could be told apart.
    waves = [w for w in every if w.closed]
    still_open = [w for w in every if not w.closed]
    wanted = request.GET.get("wave")
    wave = next((w for w in waves if str(w.pk) == wanted), waves[-1] if waves else None)
    compare_with = request.GET.get("compare")
    first = next((w for w in waves if str(w.pk) == compare_with and w != wave), None)
    if compare_with is None and wave is not None:
        # By default the round before the one shown; "—" in the form compares with none.
        earlier = [w for w in waves if w.position < wave.position]
        first = earlier[-1] if earlier else None
    shown = {wave.pk: results.wave_answers(wave)} if wave is not None else {}
    result = results.wave_result(wave, answers=shown[wave.pk]) if wave is not None else None
    comparison = (
        results.compare(first, wave, answers=shown)
        if wave is not None and first is not None
        else None
    )
    return {
        "community": community,
        "survey": survey,
        "waves": waves,
        "still_open": still_open,
        "sealed": OPEN_ROUND_SEALED,
        "wave": wave,
        "result": result,
        "comparison": comparison,
        "first": first,
        "view": report.view(result, comparison, _language()) if result else None,
        "method": report.method_text(results.min_cell()),
        "printed_on": timezone.localdate(),
        "query": urlencode(
            {k: v for k, v in (("wave", wave and wave.pk), ("compare", first and first.pk)) if v}
        ),
    }


@login_required
@require_GET
def survey_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community, survey = _survey(request, slug, pk, perm=RESULTS)
    return render(request, "surveys/results.html", _results_context(request, community, survey))


@login_required
@require_GET
def survey_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community, survey = _survey(request, slug, pk, perm=RESULTS)
    return render(request, "surveys/report.html", _results_context(request, community, survey))


@login_required
@require_GET
def survey_report_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community, survey = _survey(request, slug, pk, perm=RESULTS)
    context = _results_context(request, community, survey)
    title = _("Survey results: %(title)s") % {"title": survey.title}
    content = render_pdf(title, report.pdf_blocks(context), author=community.name)
    name = f"{community.slug}-{survey.form_id}-results-{timezone.localdate():%Y-%m-%d}.pdf"
    return pdf_response(content, filename=name, inline=False)
