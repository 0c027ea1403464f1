"""Pages of the proceedings part, under /c/<slug>/mediation/: the case page's section
(``page_context`` + ``mediation/_case_proceedings.html``), the forms (a session, the agreement,
a conclusion, a follow-up visit, an attachment), the agreement's page and PDF, the one-tap
posts (confirm the notes, sign, seal, withdraw, a paper signature) and the sealed files
(attachments and scans), served decrypted only to the case's viewers.

Every case, session, agreement or file is fetched through a case the reader may see: anyone
else gets the same 404 as for a missing one. Refusals come back as the service's translated
message on the case page (POST-redirect-GET) or on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.files import SANDBOX
from gongzhi.core.http import error_text, request_user
from gongzhi.core.models import Community
from gongzhi.core.pdf import pdf_response
from gongzhi.core.selectors import community_get
from gongzhi.mediation import proceeding_selectors as selectors
from gongzhi.mediation import proceedings
from gongzhi.mediation.models import Case
from gongzhi.mediation.policies import is_case_mediator, is_party
from gongzhi.mediation.proceeding_forms import (
    AgreementForm,
    AttachmentForm,
    ConcludeForm,
    FollowUpForm,
    PaperSignatureForm,
    SittingForm,
)


def page_context(case: Case, user: Any) -> dict[str, Any]:
    """The keys ``mediation/_case_proceedings.html`` reads on the case page."""
    return {"proc": selectors.proceedings_of(case, user)}


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _case(request: HttpRequest, slug: str, case_id: int) -> Case:
    return selectors.case_get(
        community=_community(request, slug), user=request.user, case_id=case_id
    )


def _to_case(case: Case, anchor: str = "proceedings") -> HttpResponse:
    response = redirect(proceedings.case_url(case) + f"#{anchor}")
    return response


def _act(request: HttpRequest, case: Case, act: Callable[[], Any], done: str) -> HttpResponse:
    """Run a one-tap act; its refusal becomes a message on the case page."""
    try:
        act()
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You are not allowed to do this."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return _to_case(case)


def _form_page(
    request: HttpRequest,
    case: Case,
    template: str,
    form: Any,
    run: Callable[[dict[str, Any]], Any],
    done: str,
    **context: Any,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You are not allowed to do this."))
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, done)
            return _to_case(case)
    return render(
        request,
        template,
        {"community": case.community, "case": case, "form": form, **context},
        status=400 if request.method == "POST" else 200,
    )


def _mediating(request: HttpRequest, case: Case, perm: str) -> None:
    """A form page only for those who may use it (the others who see the case get a 404 too:
    nothing here is theirs to do)."""
    import rules

    if not rules.has_perm(perm, request.user, case):
        raise Http404


# --- sessions -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sitting_new(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    _mediating(request, case, "mediation.mediate")
    form = SittingForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        case,
        "mediation/sitting_form.html",
        form,
        lambda data: proceedings.sitting_record(actor=request_user(request), case=case, **data),
        _("The session is recorded."),
    )


@login_required
@require_POST
def notes_confirm(request: HttpRequest, slug: str, sitting_id: int) -> HttpResponse:
    user = request_user(request)
    sitting = selectors.sitting_get(
        community=_community(request, slug), user=user, sitting_id=sitting_id
    )
    return _act(
        request,
        sitting.case,
        lambda: proceedings.notes_confirm(actor=user, sitting=sitting),
        _("You confirmed the notes of the session."),
    )


def _paper_form(request: HttpRequest, case: Any, user: Any) -> PaperSignatureForm | None:
    """The paper-signature form (a party and a scan) bound to the request, or None after
    telling what is wrong with it."""
    form = PaperSignatureForm(
        request.POST, request.FILES, parties=selectors.proceedings_of(case, user).parties
    )
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return None
    return form


@login_required
@require_POST
def notes_paper(request: HttpRequest, slug: str, sitting_id: int) -> HttpResponse:
    user = request_user(request)
    sitting = selectors.sitting_get(
        community=_community(request, slug), user=user, sitting_id=sitting_id
    )
    case = sitting.case
    form = _paper_form(request, case, user)
    if form is None:
        return _to_case(case)
    party = selectors.party_get(case, form.cleaned_data["party"])
    return _act(
        request,
        case,
        lambda: proceedings.notes_paper(
            actor=user, sitting=sitting, party=party, scan=form.cleaned_data["scan"]
        ),
        _("The paper signature of the notes is recorded."),
    )


# --- the agreement --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    _mediating(request, case, "mediation.mediate")
    current = selectors.agreement_of(case)
    initial = (
        {
            "facts": current.facts,
            "terms": current.terms,
            "performance": current.performance,
            "perform_by": current.perform_by,
        }
        if current is not None
        else None
    )
    form = AgreementForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        case,
        "mediation/agreement_form.html",
        form,
        lambda data: proceedings.agreement_draft(actor=request_user(request), case=case, **data),
        _("The agreement is written: the parties can now read and sign it."),
        parties=selectors.proceedings_of(case, request.user).parties,
    )


@login_required
@require_GET
def agreement_page(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    proc = selectors.proceedings_of(case, request.user)
    if proc.agreement is None:
        raise Http404
    return render(
        request,
        "mediation/agreement.html",
        {
            "community": case.community,
            "case": case,
            "proc": proc,
            "agreement": proc.agreement,
            "paper_form": PaperSignatureForm(parties=proc.unsigned or proc.parties),
        },
    )


def _agreement(request: HttpRequest, slug: str, agreement_id: int) -> Any:
    return selectors.agreement_get(
        community=_community(request, slug), user=request.user, agreement_id=agreement_id
    )


@login_required
@require_POST
def agreement_sign(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    user = request_user(request)
    agreement = _agreement(request, slug, agreement_id)
    case = agreement.case
    if is_case_mediator(user, case) and not is_party(user, case):
        return _act(
            request,
            case,
            lambda: proceedings.agreement_mediator_sign(actor=user, agreement=agreement),
            _("You signed the agreement as the mediator."),
        )
    return _act(
        request,
        case,
        lambda: proceedings.agreement_sign(actor=user, agreement=agreement),
        _("You signed the agreement."),
    )


@login_required
@require_POST
def agreement_paper(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    user = request_user(request)
    agreement = _agreement(request, slug, agreement_id)
    case = agreement.case
    form = _paper_form(request, case, user)
    if form is None:
        return _to_case(case)
    party = selectors.party_get(case, form.cleaned_data["party"])
    return _act(
        request,
        case,
        lambda: proceedings.agreement_paper_sign(
            actor=user, agreement=agreement, party=party, scan=form.cleaned_data["scan"]
        ),
        _("The paper signature of the agreement is recorded."),
    )


@login_required
@require_POST
def agreement_seal(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    user = request_user(request)
    agreement = _agreement(request, slug, agreement_id)
    return _act(
        request,
        agreement.case,
        lambda: proceedings.agreement_seal(actor=user, agreement=agreement),
        _("The agreement is sealed: the case is concluded with an agreement."),
    )


@login_required
@require_GET
def agreement_pdf(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, slug, agreement_id)
    response = pdf_response(
        selectors.agreement_pdf_bytes(agreement),
        filename=_("mediation agreement %(number)s.pdf") % {"number": agreement.case.number},
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- outcomes and follow-ups ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def conclude(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    _mediating(request, case, "mediation.conclude_case")
    form = ConcludeForm(request.POST or None)
    return _form_page(
        request,
        case,
        "mediation/conclude_form.html",
        form,
        lambda data: proceedings.case_conclude(actor=request_user(request), case=case, **data),
        _("The case is concluded."),
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    user = request_user(request)
    case = _case(request, slug, case_id)
    return _act(
        request,
        case,
        lambda: proceedings.case_withdraw(actor=user, case=case),
        _("You withdrew the case."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_new(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    _mediating(request, case, "mediation.follow_up")
    form = FollowUpForm(request.POST or None)
    return _form_page(
        request,
        case,
        "mediation/follow_up_form.html",
        form,
        lambda data: proceedings.follow_up_record(actor=request_user(request), case=case, **data),
        _("The follow-up visit is recorded."),
    )


# --- attachments and scans ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attachment_new(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        case,
        "mediation/attachment_form.html",
        form,
        lambda data: proceedings.attachment_add(
            actor=request_user(request), case=case, file=data["file"]
        ),
        _("The file is attached."),
    )


def _sealed_file(field: Any, name: str) -> HttpResponse:
    """A sealed file's bytes, decrypted, with headers that let a browser do nothing else."""
    if not field:
        raise Http404
    try:
        with field.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError as error:
        raise Http404 from error
    kind = proceedings.content_type(name)
    response = HttpResponse(data, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    disposition = "inline" if kind.startswith("image/") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="file.{name.rsplit(".", 1)[-1]}"'
    return response


@login_required
@require_GET
def attachment_file(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get(
        community=_community(request, slug), user=request.user, attachment_id=attachment_id
    )
    return _sealed_file(attachment.file, attachment.name)


@login_required
@require_GET
def sitting_scan(request: HttpRequest, slug: str, sitting_id: int) -> HttpResponse:
    sitting = selectors.sitting_get(
        community=_community(request, slug), user=request.user, sitting_id=sitting_id
    )
    return _sealed_file(sitting.scan, sitting.scan.name if sitting.scan else "")


@login_required
@require_GET
def confirmation_scan(request: HttpRequest, slug: str, confirmation_id: int) -> HttpResponse:
    confirmation = selectors.confirmation_get(
        community=_community(request, slug), user=request.user, confirmation_id=confirmation_id
    )
    return _sealed_file(confirmation.scan, confirmation.scan.name if confirmation.scan else "")


CASE = "cases/<int:case_id>/"
SITTING = "sittings/<int:sitting_id>/"
AGREEMENT = "agreements/<int:agreement_id>/"

urlpatterns: list[URLPattern] = [
    path(f"{CASE}sittings/new/", sitting_new, name="mediation_sitting_new"),
    path(f"{SITTING}confirm/", notes_confirm, name="mediation_notes_confirm"),
    path(f"{SITTING}paper/", notes_paper, name="mediation_notes_paper"),
    path(f"{SITTING}scan/", sitting_scan, name="mediation_sitting_scan"),
    path(f"{CASE}agreement/", agreement_page, name="mediation_agreement"),
    path(f"{CASE}agreement/edit/", agreement_edit, name="mediation_agreement_edit"),
    path(f"{AGREEMENT}sign/", agreement_sign, name="mediation_agreement_sign"),
    path(f"{AGREEMENT}paper/", agreement_paper, name="mediation_agreement_paper"),
    path(f"{AGREEMENT}seal/", agreement_seal, name="mediation_agreement_seal"),
    path(f"{AGREEMENT}print.pdf", agreement_pdf, name="mediation_agreement_pdf"),
    path(f"{CASE}conclude/", conclude, name="mediation_conclude"),
    path(f"{CASE}withdraw/", withdraw, name="mediation_withdraw"),
    path(f"{CASE}follow-ups/new/", follow_up_new, name="mediation_follow_up_new"),
    path(f"{CASE}attachments/new/", attachment_new, name="mediation_attachment_new"),
    path(
        "attachments/<int:attachment_id>/file/", attachment_file, name="mediation_attachment_file"
    ),
    path(
        "confirmations/<int:confirmation_id>/scan/",
        confirmation_scan,
        name="mediation_confirmation_scan",
    ),
]
