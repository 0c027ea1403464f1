"""Pages of the awards part, under /c/<slug>/learning/: my qualifications; an award with its
certificate PDF (the holder and staff); the public verification page the certificate's QR code
opens; a person's qualifications for staff (record one from outside training, revoke one); the
holders of each qualification (staff)."""

from __future__ import annotations

import io
from typing import Any

import rules
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import qualifications as core_qualifications
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.pdf import Heading, Image, Table, pdf_response, render_pdf
from gongzhi.core.selectors import community_get
from gongzhi.learning import award_selectors as selectors
from gongzhi.learning import qualifications
from gongzhi.learning.award_forms import AwardRecordForm, AwardRevokeForm, HoldersFilterForm
from gongzhi.learning.models import Award


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _staff_community(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    if not rules.has_perm("learning.view_qualifications", request.user, community):
        raise Http404
    return community


@login_required
@require_GET
def awards_mine(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    return render(
        request,
        "learning/award_mine.html",
        {"community": community, "mine_award": selectors.mine(community, request_user(request))},
    )


@login_required
@require_GET
def award_detail(request: HttpRequest, slug: str, award_id: int) -> HttpResponse:
    community = _community(request, slug)
    award = selectors.award_get(community=community, user=request.user, award_id=award_id)
    return render(
        request,
        "learning/award_detail.html",
        {
            "community": community,
            "award": award,
            "public": selectors.public_view(award),
            "holder": selectors.name_of(award.person),
            "renewed": selectors.is_renewal(award),
            "verify_url": request.build_absolute_uri(qualifications.verify_path(award))
            if award.number
            else "",
            "can_revoke": award.revoked_at is None
            and award.person_id != request.user.pk
            and rules.has_perm("learning.revoke_award", request.user, award),
        },
    )


def award_pdf_bytes(award: Award, verify_url: str) -> bytes:
    """The printed certificate (培训合格证书): holder, qualification, validity, course, number,
    and a QR code to the public page that tells whether it still holds."""
    public = selectors.public_view(award)
    holder = selectors.name_of(award.person)
    until = award.valid_until.isoformat() if award.valid_until else _("does not expire")
    rows = [
        [_("Certificate number"), award.number],
        [_("Holder"), holder],
        [_("Qualification"), public["label"]],
        [_("Course"), public["course"] or "—"],
        [_("Valid from"), award.valid_from.isoformat()],
        [_("Valid until"), until],
        [_("Issued by"), award.community.name],
    ]
    blocks: list[Any] = [
        _(
            "This is to certify that %(name)s completed the course and holds the qualification “%(label)s”."
        )
        % {"name": holder, "label": public["label"]},
        Table(header=[_("Item"), _("Details")], rows=rows, widths=(1, 3)),
    ]
    if award.revoked_at is not None:
        blocks.insert(0, Heading(_("REVOKED")))
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=4, border=2)
    blocks.append(
        Image(
            qr.getvalue(),
            width=32,
            caption=_("Scan to check this certificate: %(url)s") % {"url": verify_url},
        )
    )
    return render_pdf(_("Training certificate"), blocks, author=award.community.name)


@login_required
@require_GET
def award_pdf(request: HttpRequest, slug: str, award_id: int) -> HttpResponse:
    community = _community(request, slug)
    award = selectors.award_get(community=community, user=request.user, award_id=award_id)
    if not award.number:  # recorded from an outside certificate: that one is the certificate
        raise Http404
    verify_url = request.build_absolute_uri(qualifications.verify_path(award))
    return pdf_response(
        award_pdf_bytes(award, verify_url),
        filename=_("qualification-certificate-%(number)s.pdf") % {"number": award.number},
        inline=False,
    )


@require_GET
def award_verify(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    community = _community(request, slug)
    award = selectors.award_by_token(community=community, token=token)
    return render(
        request,
        "learning/verify_award.html",
        {"community": community, "public": selectors.public_view(award)},
    )


@login_required
@require_POST
def award_revoke(request: HttpRequest, slug: str, award_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    award = selectors.award_get(community=community, user=user, award_id=award_id)
    if not rules.has_perm("learning.revoke_award", user, award):
        raise Http404
    form = AwardRevokeForm(request.POST)
    if form.is_valid():
        try:
            qualifications.revoke(actor=user, award=award, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The qualification is revoked."))
    else:
        messages.error(request, _("Say why the qualification is revoked."))
    return redirect("learning_person_qualifications", slug=slug, user_id=award.person_id)


@login_required
@require_http_methods(["GET", "POST"])
def person_qualifications(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    community = _staff_community(request, slug)
    user = request_user(request)
    person = selectors.person_in(community, user_id)
    form = AwardRecordForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            qualifications.record_outside(
                actor=user,
                community=community,
                person=person,
                code=data["code"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                evidence=data["evidence"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The qualification is recorded."))
            return redirect("learning_person_qualifications", slug=slug, user_id=person.pk)
    return render(
        request,
        "learning/qualification_person.html",
        {
            "community": community,
            "person": person,
            "awards": [
                (award, core_qualifications.label(award.qualification))
                for award in selectors.person_awards(community, person)
            ],
            "form": form,
            "revoke_form": AwardRevokeForm(),
            "own": person.pk == user.pk,
        },
    )


@login_required
@require_GET
def qualification_holders(request: HttpRequest, slug: str) -> HttpResponse:
    community = _staff_community(request, slug)
    form = HoldersFilterForm(request.GET or None)
    code = form.cleaned_data["code"] if request.GET and form.is_valid() else ""
    return render(
        request,
        "learning/qualification_holders.html",
        {
            "community": community,
            "form": form,
            "code": code,
            "label": core_qualifications.label(code) if code else "",
            "holders": selectors.holders(community, code) if code else [],
            "hub_award": selectors.hub(community, request.user),
        },
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("qualifications/", qualification_holders, name="learning_qualification_holders"),
    path("qualifications/mine/", awards_mine, name="learning_awards_mine"),
    path(
        "qualifications/verify/<str:token>/",
        award_verify,
        name="learning_award_verify",
    ),
    path("awards/<int:award_id>/", award_detail, name="learning_award_detail"),
    path("awards/<int:award_id>/pdf/", award_pdf, name="learning_award_pdf"),
    path("awards/<int:award_id>/revoke/", award_revoke, name="learning_award_revoke"),
    path(
        "people/<int:user_id>/qualifications/",
        person_qualifications,
        name="learning_person_qualifications",
    ),
]
