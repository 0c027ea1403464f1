"""Pages of information disclosure (信息公开), under /c/<slug>/notices/. Parse, call a service
or a selector, render. A draft or a pending entry is as missing as a missing one to those who
may not see it."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.actions import Action, perform
from gongzhi.core.exports import Sheet, table_export
from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get
from gongzhi.disclosure import selectors, services
from gongzhi.disclosure.forms import (
    AnnouncementForm,
    BoardForm,
    CorrectionForm,
    DocumentForm,
    EntryForm,
    LineFormSet,
    PeriodForm,
    RejectForm,
    RevisionForm,
)
from gongzhi.disclosure.models import (
    Announcement,
    AnnouncementCategory,
    Document,
    DocumentKind,
    EntryStatus,
    FinancePeriod,
)
from gongzhi.disclosure.money import as_decimal, yuan

PAGE_SIZE = 20


# --- Announcements ----------------------------------------------------------------------------


@require_GET
def notice_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    category = request.GET.get("category", "")
    if category not in AnnouncementCategory.values:
        category = ""
    page = paginate_by_ids(
        selectors.announcement_list(community=community, user=request.user, category=category),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    return render(
        request,
        "disclosure/notice_list.html",
        {
            "community": community,
            "page": page,
            "category": category,
            "categories": AnnouncementCategory.choices,
            "can_manage": rules.has_perm("disclosure.manage", request.user, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="disclosure.manage")
    form = AnnouncementForm(posted(request), initial={"publish": True})
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_create(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The announcement is saved."))
            return redirect("notice_detail", slug=slug, announcement_id=announcement.pk)
    return render(request, "disclosure/notice_form.html", {"community": community, "form": form})


def _announcement(request: HttpRequest, slug: str, announcement_id: int) -> Announcement:
    community = community_get(slug=slug, user=request.user)
    return selectors.announcement_get(
        community=community, announcement_id=announcement_id, user=request.user
    )


@require_GET
def notice_detail(request: HttpRequest, slug: str, announcement_id: int) -> HttpResponse:
    announcement = _announcement(request, slug, announcement_id)
    community = announcement.community
    user = request.user
    can_see_unread = announcement.important and rules.has_perm(
        "disclosure.view_unread", user, community
    )
    return render(
        request,
        "disclosure/notice_detail.html",
        {
            "community": community,
            "announcement": announcement,
            "can_manage": rules.has_perm("disclosure.manage", user, community),
            "can_confirm": announcement.important
            and announcement.is_published
            and rules.has_perm("disclosure.confirm_read", user, community),
            "read_by_me": getattr(announcement, "read_by_me", False),
            "counts": selectors.read_counts(announcement=announcement) if can_see_unread else None,
        },
    )


#: The buttons on an announcement's page: the service and what to say after.
NOTICE_ACTIONS: dict[str, Action[Announcement]] = {
    "publish": Action(
        act=lambda u, a, d: services.announcement_publish(actor=u, announcement=a),
        done=gettext_lazy("The announcement is published and residents are told."),
    ),
    "pin": Action(
        act=lambda u, a, d: services.announcement_pin(actor=u, announcement=a, pinned=d["pinned"]),
        refused=(),  # nothing to refuse but permission, which is a 403
    ),
    "confirm": Action(
        act=lambda u, a, d: services.announcement_confirm_read(actor=u, announcement=a),
        done=gettext_lazy("Thank you: your confirmation is recorded."),
    ),
}


def _notice_act(
    request: HttpRequest, slug: str, announcement_id: int, name: str, **extra: Any
) -> HttpResponse:
    announcement = _announcement(request, slug, announcement_id)
    back = reverse("notice_detail", kwargs={"slug": slug, "announcement_id": announcement_id})
    return perform(request, NOTICE_ACTIONS[name], announcement, back=back, extra=extra)


@login_required
@require_POST
def notice_publish(request: HttpRequest, slug: str, announcement_id: int) -> HttpResponse:
    return _notice_act(request, slug, announcement_id, "publish")


@login_required
@require_POST
def notice_pin(request: HttpRequest, slug: str, announcement_id: int) -> HttpResponse:
    pinned = request.POST.get("pinned") == "1"
    return _notice_act(request, slug, announcement_id, "pin", pinned=pinned)


@login_required
@require_POST
def notice_confirm(request: HttpRequest, slug: str, announcement_id: int) -> HttpResponse:
    return _notice_act(request, slug, announcement_id, "confirm")


@login_required
@require_GET
def notice_unread(request: HttpRequest, slug: str, announcement_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="disclosure.view_unread")
    announcement = selectors.announcement_get(
        community=community, announcement_id=announcement_id, user=request.user
    )
    if not announcement.important:
        raise Http404
    page = paginate_by_ids(
        selectors.unread_members(announcement=announcement), request.GET.get("page"), 50
    )
    return render(
        request,
        "disclosure/notice_unread.html",
        {
            "community": community,
            "announcement": announcement,
            "page": page,
            "counts": selectors.read_counts(announcement=announcement),
        },
    )


# --- The ledger -------------------------------------------------------------------------------


@require_GET
def finance_home(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    user = request.user
    drafts = selectors.sees_ledger_drafts(user, community)
    pending = (
        list(selectors.entry_list(community=community, user=user, status=EntryStatus.PENDING))
        if drafts
        else []
    )
    return render(
        request,
        "disclosure/finance_home.html",
        {
            "community": community,
            "periods": list(selectors.period_list(community=community, user=user)),
            "pending": pending,
            "lock_date": selectors.lock_date(community),
            "can_manage": rules.has_perm("disclosure.manage", user, community),
            "period_form": PeriodForm()
            if rules.has_perm("disclosure.manage", user, community)
            else None,
        },
    )


@require_GET
def entry_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    status = request.GET.get("status", "")
    page = paginate_by_ids(
        selectors.entry_list(community=community, user=request.user, status=status),
        request.GET.get("page"),
        50,
    )
    return render(
        request,
        "disclosure/entry_list.html",
        {
            "community": community,
            "page": page,
            "status": status,
            "statuses": EntryStatus.choices,
            "drafts": selectors.sees_ledger_drafts(request.user, community),
        },
    )


def _lines(formset: Any) -> list[services.LineIn]:
    lines = []
    for data in formset.cleaned_data:
        if not data or not (data.get("category") or data.get("amount")):
            continue
        lines.append(
            services.LineIn(
                category=data.get("category") or "",
                amount=data.get("amount") or "0",
                note=data.get("note") or "",
            )
        )
    return lines


def _entry_values(form: EntryForm, formset: Any) -> dict[str, Any]:
    values = dict(form.cleaned_data)
    lines = _lines(formset)
    # One category and no amount: the whole total goes to it (the common case).
    if len(lines) == 1 and lines[0].amount == "0":
        lines = [services.LineIn(lines[0].category, values["total"], lines[0].note)]
    values["lines"] = lines
    return values


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="disclosure.manage")
    form = EntryForm(posted(request), request.FILES or None)
    formset = LineFormSet(posted(request), prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            entry = services.ledger_entry_record(
                actor=request_user(request), community=community, **_entry_values(form, formset)
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The entry is saved. A second person must approve it."))
            return redirect("finance_entry", slug=slug, entry_id=entry.pk)
    return render(
        request,
        "disclosure/entry_form.html",
        {"community": community, "form": form, "formset": formset},
    )


@require_GET
def entry_detail(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    entry = selectors.entry_get(community=community, entry_id=entry_id, user=request.user)
    user = request.user
    pending = entry.status == EntryStatus.PENDING
    may_approve = (
        pending
        and entry.entered_by_id != user.pk
        and rules.has_perm("disclosure.approve_entry", user, entry)
    )
    reversal = selectors.reversal_of(entry)
    may_correct = (
        entry.status == EntryStatus.APPROVED
        and not entry.is_reversal
        and reversal is None
        and rules.has_perm("disclosure.manage", user, community)
    )
    # A correction awaiting approval is a draft: only those who see drafts see it.
    replacements = entry.replacements.all()
    if not selectors.sees_ledger_drafts(user, community):
        if reversal is not None and reversal.status != EntryStatus.APPROVED:
            reversal = None
        replacements = replacements.filter(status=EntryStatus.APPROVED)
    return render(
        request,
        "disclosure/entry_detail.html",
        {
            "community": community,
            "entry": entry,
            "reversal": reversal,
            "corrected": selectors.is_corrected(entry),
            "replacements": list(replacements) if reversal is not None else [],
            "voucher": getattr(entry, "voucher", None),
            "may_approve": may_approve,
            "may_reject": pending and (may_approve or (entry.entered_by_id == user.pk)),
            "may_correct": may_correct,
            "reject_form": RejectForm(),
        },
    )


@login_required
@require_POST
def entry_approve(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    entry = selectors.entry_get(community=community, entry_id=entry_id, user=request.user)
    try:
        services.ledger_entry_approve(actor=request_user(request), entry=entry)
        messages.success(request, _("The entry is approved and counts in the reports."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("finance_entry", slug=slug, entry_id=entry_id)


@login_required
@require_POST
def entry_reject(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    entry = selectors.entry_get(community=community, entry_id=entry_id, user=request.user)
    form = RejectForm(request.POST)
    try:
        reason = form.data.get("reason", "")
        services.ledger_entry_reject(actor=request_user(request), entry=entry, reason=reason)
        messages.success(request, _("The entry is refused; it counts nowhere."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("finance_entry", slug=slug, entry_id=entry_id)


@login_required
@require_http_methods(["GET", "POST"])
def entry_correct(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="disclosure.manage")
    entry = selectors.entry_get(community=community, entry_id=entry_id, user=request.user)
    data = posted(request)
    correction = CorrectionForm(data, initial={"occurred_on": _today(), "replace": True})
    initial = {
        "kind": entry.kind,
        "counterparty": entry.counterparty,
        "description": entry.description,
        "total": yuan(entry.total_fen),
        "occurred_on": _today(),
    }
    form = EntryForm(data, request.FILES or None, require_voucher=False, initial=initial)
    formset = LineFormSet(
        data,
        prefix="lines",
        initial=[
            {"category": ln.category, "amount": yuan(ln.amount_fen)} for ln in entry.lines.all()
        ],
    )
    if request.method == "POST" and correction.is_valid():
        replace = correction.cleaned_data["replace"]
        if not replace or (form.is_valid() and formset.is_valid()):
            try:
                replacement = None
                if replace:
                    replacement = _entry_values(form, formset)
                    replacement["occurred_on"] = correction.cleaned_data["occurred_on"]
                services.ledger_entry_correct(
                    actor=request_user(request),
                    entry=entry,
                    reason=correction.cleaned_data["reason"],
                    occurred_on=correction.cleaned_data["occurred_on"],
                    replacement=replacement,
                )
            except ValidationError as exc:
                correction.add_error(None, error_text(exc))
            else:
                messages.success(
                    request,
                    _("The correction is entered. A second person must approve it."),
                )
                return redirect("finance_entry", slug=slug, entry_id=entry.pk)
    return render(
        request,
        "disclosure/entry_correct.html",
        {
            "community": community,
            "entry": entry,
            "correction": correction,
            "form": form,
            "formset": formset,
        },
    )


def _today() -> Any:
    return timezone.localdate()


@require_GET
def voucher_file(request: HttpRequest, slug: str, entry_id: int) -> FileResponse:
    community = community_get(slug=slug, user=request.user)
    entry = selectors.entry_get(community=community, entry_id=entry_id, user=request.user)
    voucher = getattr(entry, "voucher", None)
    if voucher is None:
        raise Http404
    return serve_upload(voucher)


@login_required
@require_POST
def period_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="disclosure.manage")
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of period and its first day."))
        return redirect("finance_home", slug=slug)
    try:
        period = services.finance_period_create(
            actor=request_user(request), community=community, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("finance_home", slug=slug)
    return redirect("finance_period", slug=slug, period_id=period.pk)


def _period(request: HttpRequest, slug: str, period_id: int) -> FinancePeriod:
    community = community_get(slug=slug, user=request.user)
    return selectors.period_get(community=community, period_id=period_id, user=request.user)


@require_GET
def period_detail(request: HttpRequest, slug: str, period_id: int) -> HttpResponse:
    period = _period(request, slug, period_id)
    community = period.community
    entries = list(selectors.entry_list(community=community, user=request.user, period=period))
    return render(
        request,
        "disclosure/period_detail.html",
        {
            "community": community,
            "period": period,
            "report": selectors.period_report(period=period),
            "entries": entries,
            "can_manage": rules.has_perm("disclosure.manage", request.user, community),
        },
    )


@login_required
@require_POST
def period_publish(request: HttpRequest, slug: str, period_id: int) -> HttpResponse:
    period = _period(request, slug, period_id)
    try:
        services.finance_period_publish(actor=request_user(request), period=period)
        messages.success(request, _("The report is published; the books are closed up to its end."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("finance_period", slug=slug, period_id=period_id)


def _report_rows(period: FinancePeriod, user: Any) -> list[list[Any]]:
    """The report, then its entries line by line. Amounts are Decimal, so that a spreadsheet
    sums them; every other cell is text (``table_export`` makes it formula-safe)."""
    report = selectors.period_report(period=period)
    rows: list[list[Any]] = [
        [_("Finance report"), period.community.name, period.label],
        [_("Opening balance"), "", as_decimal(report.opening_fen)],
    ]
    rows += [[_("Income"), row.label, as_decimal(row.fen)] for row in report.income]
    rows.append([_("Total income"), "", as_decimal(report.income_fen)])
    rows += [[_("Expenditure"), row.label, as_decimal(row.fen)] for row in report.expenditure]
    rows.append([_("Total expenditure"), "", as_decimal(report.expenditure_fen)])
    rows.append([_("Closing balance"), "", as_decimal(report.closing_fen)])
    rows.append([])
    rows.append(
        [
            _("Entry"),
            _("Date"),
            _("Income or expenditure"),
            _("Category"),
            _("Amount (yuan)"),
            _("Paid by or to"),
            _("What it was for"),
            _("Status"),
            _("Reverses entry"),
        ]
    )
    for entry in selectors.entry_list(community=period.community, user=user, period=period):
        for line in entry.lines.all():
            rows.append(
                [
                    str(entry.pk),
                    entry.occurred_on.isoformat(),
                    str(entry.get_kind_display()),
                    str(line.get_category_display()),
                    as_decimal(line.amount_fen),
                    entry.counterparty,
                    entry.description,
                    str(entry.get_status_display()),
                    str(entry.reverses_id or ""),
                ]
            )
    return rows


@require_GET
def period_export(request: HttpRequest, slug: str, period_id: int, fmt: str) -> HttpResponse:
    period = _period(request, slug, period_id)
    rows = _report_rows(period, request.user)
    name = f"finance-{period.community.slug}-{period.starts_on.isoformat()}-{period.kind}"
    # Amounts are numbers, shown to the fen.
    return table_export(fmt=fmt, name=name, sheets=[Sheet(period.label, rows, "0.00")])


# --- Documents --------------------------------------------------------------------------------


@require_GET
def document_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    kind = request.GET.get("kind", "")
    if kind not in DocumentKind.values:
        kind = ""
    page = paginate_by_ids(
        selectors.document_list(community=community, user=request.user, kind=kind),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    return render(
        request,
        "disclosure/document_list.html",
        {
            "community": community,
            "page": page,
            "kind": kind,
            "kinds": DocumentKind.choices,
            "can_manage": rules.has_perm("disclosure.manage", request.user, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="disclosure.manage")
    form = DocumentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("document_detail", slug=slug, document_id=document.pk)
    return render(request, "disclosure/document_form.html", {"community": community, "form": form})


def _document(request: HttpRequest, slug: str, document_id: int) -> Document:
    community = community_get(slug=slug, user=request.user)
    return selectors.document_get(community=community, document_id=document_id, user=request.user)


@require_GET
def document_detail(
    request: HttpRequest, slug: str, document_id: int, number: int | None = None
) -> HttpResponse:
    document = _document(request, slug, document_id)
    versions = list(selectors.versions_of(document))
    if number is None:
        version = versions[0]
    else:
        found = next((v for v in versions if v.number == number), None)
        if found is None:
            raise Http404
        version = found
    return render(
        request,
        "disclosure/document_detail.html",
        {
            "community": document.community,
            "document": document,
            "version": version,
            "versions": versions,
            "is_latest": version.number == versions[0].number,
            "can_manage": rules.has_perm("disclosure.manage", request.user, document.community),
        },
    )


@require_GET
def document_diff(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    document = _document(request, slug, document_id)
    try:
        old_n = int(request.GET.get("from", ""))
        new_n = int(request.GET.get("to", ""))
    except ValueError as exc:
        raise Http404 from exc
    old = selectors.version_get(document=document, number=old_n)
    new = selectors.version_get(document=document, number=new_n)
    return render(
        request,
        "disclosure/document_diff.html",
        {
            "community": document.community,
            "document": document,
            "old": old,
            "new": new,
            "lines": selectors.version_diff(old, new),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="disclosure.manage")
    document = selectors.document_get(
        community=community, document_id=document_id, user=request.user
    )
    latest = selectors.versions_of(document).first()
    form = RevisionForm(
        posted(request), initial={"title": latest.title, "body": latest.body} if latest else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_revise(
                actor=request_user(request), document=document, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The new version is saved; the older ones stay readable."))
            return redirect("document_detail", slug=slug, document_id=document.pk)
    return render(
        request,
        "disclosure/document_edit.html",
        {"community": community, "document": document, "form": form},
    )


@login_required
@require_POST
def document_publish(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    document = _document(request, slug, document_id)
    try:
        services.document_publish(actor=request_user(request), document=document)
        messages.success(request, _("The document is published."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("document_detail", slug=slug, document_id=document_id)


# --- Notice boards ----------------------------------------------------------------------------


@require_GET
def board_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    return render(
        request,
        "disclosure/board_list.html",
        {
            "community": community,
            "boards": list(selectors.board_list(community=community)[:100]),
            "can_manage": rules.has_perm("disclosure.manage", request.user, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def board_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="disclosure.manage")
    anyone = AnonymousUser()  # a board is public: offer only what everyone may read
    form = BoardForm(
        posted(request),
        initial={"periods": [int(p) for p in request.GET.getlist("period") if p.isdigit()]},
        announcements=selectors.announcement_list(community=community, user=anyone)[:100],
        periods=selectors.period_list(community=community, user=anyone)[:60],
        documents=selectors.document_list(community=community, user=anyone)[:100],
    )
    if request.method == "POST" and form.is_valid():
        try:
            board = services.board_create(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("board_detail", slug=slug, board_id=board.pk)
    return render(request, "disclosure/board_form.html", {"community": community, "form": form})


@require_GET
def board_detail(request: HttpRequest, slug: str, board_id: int) -> HttpResponse:
    """The board's stable public page, styled for printing on A4 (公示栏)."""
    community = community_get(slug=slug, user=request.user)
    board = selectors.board_get(community=community, board_id=board_id)
    items = []
    for thing in selectors.with_summaries(selectors.board_items(board)):
        entry: dict[str, Any] = {"object": thing}
        if isinstance(thing, Announcement):
            entry["kind"] = "announcement"
            entry["path"] = reverse("notice_detail", args=[slug, thing.pk])
        elif isinstance(thing, FinancePeriod):
            entry["kind"] = "period"
            entry["path"] = reverse("finance_period", args=[slug, thing.pk])
            entry["report"] = thing.report
        else:
            entry["kind"] = "document"
            entry["path"] = reverse("document_detail", args=[slug, thing.pk])
            entry["version"] = thing.latest_version
        entry["url"] = request.build_absolute_uri(entry["path"])
        items.append(entry)
    return render(
        request,
        "disclosure/board_detail.html",
        {
            "community": community,
            "board": board,
            "items": items,
            "board_url": request.build_absolute_uri(request.path),
        },
    )
