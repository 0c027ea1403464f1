"""Mutual aid and the time bank's pages under /c/<slug>/volunteering/: the open requests and
offers, a post with its answers, my exchanges, the time bank (my balance and statement; for
workers the community's account, grants and reversals) and the workers' list of reported
problems. Every act is a POST that redirects back (no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.volunteering import aid, aid_selectors, timebank
from gongzhi.volunteering.aid_forms import (
    FilterForm,
    GrantForm,
    PostForm,
    ReportForm,
    ResolveForm,
    RespondForm,
    ReverseForm,
)
from gongzhi.volunteering.models import (
    AidPost,
    AidStatus,
    Exchange,
    ExchangeStatus,
    Transfer,
    Volunteer,
)


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _aid_community(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    if not aid_selectors.can_view_aid(request.user, community):
        raise Http404
    return community


def _form_page(
    request: HttpRequest, community: Community, form: forms.Form, title: Any, back: str
) -> HttpResponse:
    return render(
        request,
        "volunteering/aid_form.html",
        {"community": community, "form": form, "title": title, "back": back},
        status=400 if form.is_bound and form.errors else 200,
    )


def _act(request: HttpRequest, run: Callable[[], Any], done: str, back: str) -> HttpResponse:
    try:
        run()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect(back)


# --- Posts ----------------------------------------------------------------------------------


@login_required
@require_GET
def aid_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _aid_community(request, slug)
    form = FilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "volunteering/aid_list.html",
        {
            "community": community,
            "form": form,
            "posts": aid_selectors.open_posts(community, kind),
            "can_post": bool(rules.has_perm("volunteering.aid_post", request.user, community)),
            "can_manage": aid_selectors.can_manage_timebank(request.user, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def aid_post_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _aid_community(request, slug)
    form = PostForm(posted(request), initial={"kind": request.GET.get("kind", "request")})
    if form.is_valid():
        try:
            post = aid.post_create(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Your post is up: neighbours can answer it now."))
            return redirect("volunteering_aid_post", slug=slug, post_id=post.pk)
    return _form_page(
        request,
        community,
        form,
        gettext_lazy("Ask for help or offer it"),
        _url("volunteering_aid", slug),
    )


@login_required
@require_GET
def aid_post_detail(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    community = _community(request, slug)
    post = aid_selectors.post_get(community=community, user=request.user, post_id=post_id)
    exchanges = aid_selectors.exchanges_of_post(post, request.user)
    mine = [e for e in exchanges if request.user.pk in (e.helped_id, e.helper_id)]
    return render(
        request,
        "volunteering/aid_post.html",
        {
            "community": community,
            "post": post,
            "exchanges": exchanges,
            "is_author": request.user.pk == post.author_id,
            "can_respond": (
                request.user.pk != post.author_id
                and post.status in (AidStatus.OPEN, AidStatus.MATCHED)
                and not any(e.status in aid.ACTIVE for e in mine)
            ),
            "respond_form": RespondForm(initial={"minutes": post.minutes}),
        },
    )


def _post(request: HttpRequest, slug: str, post_id: int) -> AidPost:
    return aid_selectors.post_get(
        community=_community(request, slug), user=request.user, post_id=post_id
    )


@login_required
@require_POST
def aid_post_respond(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    post = _post(request, slug, post_id)
    form = RespondForm(request.POST)
    minutes = form.cleaned_data["minutes"] if form.is_valid() else post.minutes
    actor = request_user(request)
    return _act(
        request,
        lambda: aid.exchange_propose(actor=actor, post=post, minutes=minutes),
        _("Your answer is sent: the author will agree or not."),
        post_url(slug, post.pk),
    )


@login_required
@require_POST
def aid_post_withdraw(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    post = _post(request, slug, post_id)
    actor = request_user(request)
    return _act(
        request,
        lambda: aid.post_withdraw(actor=actor, post=post),
        _("The post is withdrawn."),
        post_url(slug, post.pk),
    )


def post_url(slug: str, post_id: int) -> str:
    return reverse("volunteering_aid_post", kwargs={"slug": slug, "post_id": post_id})


def _url(name: str, slug: str) -> str:
    return reverse(name, kwargs={"slug": slug})


# --- Exchanges ------------------------------------------------------------------------------


@login_required
@require_GET
def exchange_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _aid_community(request, slug)
    exchanges = list(aid_selectors.exchanges_of(community, request.user)[:200])
    # A resident who was helped may thank the helper (when the helper is a volunteer here).
    helpers = {
        e.helper_id
        for e in exchanges
        if e.status == ExchangeStatus.DONE and e.helped_id == request.user.pk
    }
    volunteer_ids = dict(
        Volunteer.objects.in_community(community)
        .filter(person_id__in=helpers, withdrawn_at__isnull=True)
        .values_list("person_id", "pk")
    )
    for exchange in exchanges:
        exchange.thank_volunteer_id = (  # type: ignore[attr-defined]
            volunteer_ids.get(exchange.helper_id) if exchange.helped_id == request.user.pk else None
        )
    return render(
        request,
        "volunteering/exchange_list.html",
        {"community": community, "exchanges": exchanges},
    )


def _exchange(request: HttpRequest, slug: str, exchange_id: int) -> Exchange:
    return aid_selectors.exchange_get(
        community=_community(request, slug), user=request.user, exchange_id=exchange_id
    )


EXCHANGE_ACTS: dict[str, tuple[Callable[..., Any], Any]] = {
    "agree": (aid.exchange_agree, gettext_lazy("Agreed: once it has taken place, both confirm.")),
    "confirm": (aid.exchange_confirm, gettext_lazy("Thank you: your confirmation is recorded.")),
    "cancel": (aid.exchange_cancel, gettext_lazy("The exchange is cancelled.")),
}


@login_required
@require_POST
def exchange_act(request: HttpRequest, slug: str, exchange_id: int, act: str) -> HttpResponse:
    exchange = _exchange(request, slug, exchange_id)
    run, done = EXCHANGE_ACTS[act]
    actor = request_user(request)
    back = request.POST.get("back") == "mine"
    target = _url("volunteering_exchanges", slug) if back else post_url(slug, exchange.post_id)
    try:
        return _act(request, lambda: run(actor=actor, exchange=exchange), str(done), target)
    except PermissionDenied:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def exchange_report(request: HttpRequest, slug: str, exchange_id: int) -> HttpResponse:
    exchange = _exchange(request, slug, exchange_id)
    if request.user.pk not in (exchange.helped_id, exchange.helper_id):
        raise Http404
    form = ReportForm(posted(request))
    if form.is_valid():
        try:
            aid.exchange_report(
                actor=request_user(request), exchange=exchange, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Your report is sent to the community's workers."))
            return redirect(post_url(slug, exchange.post_id))
    return _form_page(
        request,
        exchange.community,
        form,
        gettext_lazy("Report a problem with this exchange"),
        post_url(slug, exchange.post_id),
    )


# --- Reports (workers) ----------------------------------------------------------------------


@login_required
@require_GET
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not aid_selectors.can_manage_timebank(request.user, community):
        raise Http404
    return render(
        request,
        "volunteering/aid_reports.html",
        {
            "community": community,
            "reports": aid_selectors.reports_of(community),
        },
    )


@login_required
@require_POST
def report_resolve(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    community = _community(request, slug)
    report = aid_selectors.report_get(community=community, user=request.user, report_id=report_id)
    form = ResolveForm(request.POST)
    resolution = form.cleaned_data["resolution"] if form.is_valid() else ""
    actor = request_user(request)
    return _act(
        request,
        lambda: aid.report_resolve(actor=actor, report=report, resolution=resolution),
        _("The problem is marked as dealt with."),
        _url("volunteering_aid_reports", slug),
    )


# --- The time bank --------------------------------------------------------------------------


@login_required
@require_GET
def timebank_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = _aid_community(request, slug)
    staff = aid_selectors.can_manage_timebank(request.user, community)
    return render(
        request,
        "volunteering/timebank_page.html",
        {
            "community": community,
            "mine": aid_selectors.statement(community, request.user),
            "bank": aid_selectors.statement(community, None) if staff else None,
            "staff": staff,
            "grant_form": GrantForm(),
        },
    )


@login_required
@require_POST
def timebank_grant(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not aid_selectors.can_manage_timebank(request.user, community):
        raise Http404
    form = GrantForm(request.POST)
    actor = request_user(request)

    def run() -> None:
        if not form.is_valid():
            raise ValidationError(_("Type the resident's phone number."), code="phone")
        person = member_by_phone(phone=form.cleaned_data["phone"], community=community)
        timebank.grant_starting_credit(actor=actor, community=community, person=person)

    return _act(
        request, run, _("The starting credit is granted."), _url("volunteering_timebank", slug)
    )


@login_required
@require_POST
def timebank_reverse(request: HttpRequest, slug: str, transfer_id: int) -> HttpResponse:
    community = _community(request, slug)
    if not aid_selectors.can_manage_timebank(request.user, community):
        raise Http404
    transfer = Transfer.objects.in_community(community).filter(pk=transfer_id).first()
    if transfer is None:
        raise Http404
    form = ReverseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    actor = request_user(request)
    return _act(
        request,
        lambda: timebank.reverse(actor=actor, transfer=transfer, reason=reason),
        _("The transfer is reversed."),
        _url("volunteering_timebank", slug),
    )


urlpatterns: list[URLPattern] = [
    path("aid/", aid_list, name="volunteering_aid"),
    path("aid/new/", aid_post_create, name="volunteering_aid_new"),
    path("aid/<int:post_id>/", aid_post_detail, name="volunteering_aid_post"),
    path("aid/<int:post_id>/respond/", aid_post_respond, name="volunteering_aid_respond"),
    path("aid/<int:post_id>/withdraw/", aid_post_withdraw, name="volunteering_aid_withdraw"),
    path("aid/exchanges/", exchange_list, name="volunteering_exchanges"),
    path(
        "aid/exchanges/<int:exchange_id>/agree/",
        exchange_act,
        {"act": "agree"},
        name="volunteering_exchange_agree",
    ),
    path(
        "aid/exchanges/<int:exchange_id>/confirm/",
        exchange_act,
        {"act": "confirm"},
        name="volunteering_exchange_confirm",
    ),
    path(
        "aid/exchanges/<int:exchange_id>/cancel/",
        exchange_act,
        {"act": "cancel"},
        name="volunteering_exchange_cancel",
    ),
    path(
        "aid/exchanges/<int:exchange_id>/report/",
        exchange_report,
        name="volunteering_exchange_report",
    ),
    path("aid/reports/", report_list, name="volunteering_aid_reports"),
    path(
        "aid/reports/<int:report_id>/resolve/",
        report_resolve,
        name="volunteering_aid_report_resolve",
    ),
    path("timebank/", timebank_page, name="volunteering_timebank"),
    path("timebank/grant/", timebank_grant, name="volunteering_timebank_grant"),
    path(
        "timebank/transfers/<int:transfer_id>/reverse/",
        timebank_reverse,
        name="volunteering_timebank_reverse",
    ),
]
