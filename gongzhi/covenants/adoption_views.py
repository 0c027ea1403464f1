"""Pages of the adoption part: a covenant's adoption (the ratification vote, the filing with the
street office, publication, the households' acknowledgements), the forms that move it, the
household's confirmation and the printable A4 PDF with a QR code to the covenant's page."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.actions import Action, perform
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.pdf import Heading, Image, Paragraph, pdf_response, render_pdf
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.covenants import adoption_selectors as selectors
from gongzhi.covenants import adoption_services as services
from gongzhi.covenants.adoption_forms import (
    FilingReceiptForm,
    PaperAcknowledgementForm,
    RatifyForm,
)
from gongzhi.covenants.models import Covenant, Round, RoundStatus, Version
from gongzhi.covenants.selectors import covenant_get, round_get


def _covenant(request: HttpRequest, slug: str, covenant_id: int) -> Covenant:
    community = community_get(slug=slug, user=request.user)
    return covenant_get(community=community, user=request.user, covenant_id=covenant_id)


def _round(request: HttpRequest, slug: str, round_id: int) -> Round:
    community = community_get(slug=slug, user=request.user)
    return round_get(community=community, user=request.user, round_id=round_id)


def _to_adoption(round_: Round) -> HttpResponse:
    return redirect(
        "covenants_adoption", slug=round_.covenant.community.slug, covenant_id=round_.covenant_id
    )


@login_required
@require_GET
def adoption(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    covenant = _covenant(request, slug, covenant_id)
    state = selectors.adoption_of(covenant, request.user)
    return render(
        request,
        "covenants/adoption.html",
        {
            "community": covenant.community,
            "covenant": covenant,
            "a": state,
            "covenant_url": services.covenant_url(covenant),
            "paper_form": PaperAcknowledgementForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ratify(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    round_ = _round(request, slug, round_id)
    community = round_.covenant.community
    require("covenants.adopt", request.user, community)
    now = timezone.localtime()
    form = RatifyForm(
        posted(request),
        initial={
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ratification_open(
                actor=request_user(request),
                round=round_,
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                electorate=data["electorate"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The covenant is put to its ratification vote."))
            return _to_adoption(round_)
    return render(
        request,
        "covenants/ratify_form.html",
        {"community": community, "covenant": round_.covenant, "round": round_, "form": form},
    )


#: The round's one-button steps (no form): the service says who may and whether it may now;
#: its refusal or the success message shows on the adoption page (core.actions).
ROUND_STEPS: dict[str, Action[Round]] = {
    "filing_submit": Action(
        act=lambda u, r, d: services.filing_submit(actor=u, round=r),
        done=gettext_lazy("The covenant is submitted for filing with the street office."),
    ),
    "publish": Action(
        act=lambda u, r, d: services.covenant_publish(actor=u, round=r),
        done=gettext_lazy("The covenant is published and the households are told."),
    ),
}


def _round_step(name: str) -> Callable[..., HttpResponse]:
    action = ROUND_STEPS[name]

    @login_required
    @require_POST
    def view(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
        round_ = _round(request, slug, round_id)
        return perform(request, action, round_, back=services.adoption_url(round_.covenant))

    view.__name__ = view.__qualname__ = name
    return view


filing_submit = _round_step("filing_submit")
publish = _round_step("publish")


@login_required
@require_http_methods(["GET", "POST"])
def filing_receive(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    round_ = _round(request, slug, round_id)
    community = round_.covenant.community
    require("covenants.receive_filing", request.user, community)
    form = FilingReceiptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_receive(
                actor=request_user(request), round=round_, reference=form.cleaned_data["reference"]
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The filing is received: the covenant is in force."))
            return _to_adoption(round_)
    return render(
        request,
        "covenants/filing_form.html",
        {"community": community, "covenant": round_.covenant, "round": round_, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    """The household's confirmation (a resident for their own household) and, for a worker, a
    resident's paper confirmation by their phone number."""
    covenant = _covenant(request, slug, covenant_id)
    community = covenant.community
    paper = request.method == "POST" and "phone" in request.POST
    form = PaperAcknowledgementForm(request.POST if paper else None)
    if request.method == "POST":
        actor = request_user(request)
        try:
            if paper:
                # refused before the number is looked up (see adoption_api.acknowledge)
                require("core.act_on_behalf", actor, community)
                if not form.is_valid():
                    raise ValidationError(_("Give the resident's mobile number."), code="phone")
                person = member_by_phone(phone=form.cleaned_data["phone"], community=community)
                services.acknowledge(actor=actor, covenant=covenant, on_behalf_of=person)
            else:
                services.acknowledge(actor=actor, covenant=covenant)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("The paper confirmation is recorded.")
                if paper
                else _("Thank you: your household's confirmation is recorded."),
            )
            return redirect("covenants_acknowledge", slug=slug, covenant_id=covenant.pk)
    state = selectors.adoption_of(covenant, request.user)
    if covenant.in_force_id is None:
        raise Http404
    return render(
        request,
        "covenants/acknowledge.html",
        {
            "community": community,
            "covenant": covenant,
            "a": state,
            "paper_form": form,
            "text": services.printed_text(covenant.in_force) if covenant.in_force else None,
        },
    )


def print_bytes(covenant: Covenant, version: Version, round_: Round | None, url: str) -> bytes:
    """The covenant in force on A4: title, preamble, 第N条 text, the adoption and filing dates, a
    QR code to the covenant's page."""
    preamble, articles = services.printed_text(version)
    blocks: list[Any] = []
    if covenant.building_id is not None and covenant.building is not None:
        blocks.append(Paragraph(_("Applies to: %(building)s") % {"building": covenant.building}))
    if preamble:
        blocks.append(Paragraph(preamble))
    for article in articles:
        blocks.append(Heading(f"{article.label} {article.heading}".rstrip()))
        blocks.extend(Paragraph(text) for text in article.paragraphs)
    if round_ is not None:
        lines = []
        if round_.ratified_at is not None:
            lines.append(
                _("Adopted by the residents' vote on %(day)s.")
                % {"day": timezone.localdate(round_.ratified_at).isoformat()}
            )
        if round_.filing_received_at is not None:
            lines.append(
                _("Filed with the street office on %(day)s%(ref)s; in force from %(from)s.")
                % {
                    "day": timezone.localdate(round_.filing_received_at).isoformat(),
                    "ref": f" ({round_.filing_reference})" if round_.filing_reference else "",
                    "from": round_.in_force_from.isoformat() if round_.in_force_from else "",
                }
            )
        blocks.extend(Paragraph(line) for line in lines)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=4, border=2)
    blocks.append(
        Image(
            qr.getvalue(),
            width=32,
            caption=_("Scan to read it and confirm for your household: %(url)s") % {"url": url},
        )
    )
    return render_pdf(covenant.title, blocks, author=covenant.community.name)


def _in_force(request: HttpRequest, slug: str, covenant_id: int) -> tuple[Any, ...]:
    """The covenant, its text in force, the round that put it in force, its page's address."""
    covenant = _covenant(request, slug, covenant_id)
    version = covenant.in_force
    if version is None:
        raise Http404
    round_ = (
        Round.objects.in_community(covenant.community_id)
        .filter(covenant=covenant, consolidated=version, status=RoundStatus.IN_FORCE)
        .first()
    )
    return covenant, version, round_, request.build_absolute_uri(services.covenant_url(covenant))


@login_required
@require_GET
def covenant_print(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    covenant, version, round_, url = _in_force(request, slug, covenant_id)
    content = print_bytes(covenant, version, round_, url)
    return pdf_response(content, filename=_("covenant-%(id)s.pdf") % {"id": covenant.pk})


@login_required
@require_GET
def covenant_print_page(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    """The same A4 sheet as a page to print from the browser (the notice board's style)."""
    covenant, version, round_, url = _in_force(request, slug, covenant_id)
    preamble, articles = services.printed_text(version)
    return render(
        request,
        "covenants/covenant_print.html",
        {
            "community": covenant.community,
            "covenant": covenant,
            "round": round_,
            "preamble": preamble,
            "articles": articles,
            "url": url,
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:covenant_id>/adoption/", adoption, name="covenants_adoption"),
    path("<int:covenant_id>/acknowledge/", acknowledge, name="covenants_acknowledge"),
    path("<int:covenant_id>/print.pdf", covenant_print, name="covenants_print"),
    path("<int:covenant_id>/print/", covenant_print_page, name="covenants_print_page"),
    path("rounds/<int:round_id>/ratify/", ratify, name="covenants_ratify"),
    path("rounds/<int:round_id>/filing/", filing_submit, name="covenants_filing_submit"),
    path("rounds/<int:round_id>/filing/receipt/", filing_receive, name="covenants_filing_receive"),
    path("rounds/<int:round_id>/publish/", publish, name="covenants_publish"),
]
