"""The pages of the rotating-QR check-in (core/checkin.py): the door screen and the scan."""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core import checkin
from gongzhi.core.http import request_user


def _resolve(label: str, pk: int) -> tuple[checkin.Target, models.Model]:
    found = checkin.resolve(label, pk)
    if found is None:
        raise Http404
    return found


def _qr_svg(url: str) -> SafeString:
    svg = segno.make(url, error="m").svg_inline(
        scale=8, title=_("Check-in code"), svgclass="qr", lineclass=None, omitsize=True
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's markup


@login_required
def checkin_screen(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """The QR code for the door; the page reloads itself (meta refresh: no script) each step."""
    target, obj = _resolve(label, pk)
    if not target.may_display(request_user(request), obj):
        raise Http404  # as for a missing target: staff pages are not advertised
    code = checkin.current_code(obj)
    context = {
        "target": obj,
        "qr": _qr_svg(request.build_absolute_uri(checkin.scan_url(obj, code))),
        "refresh": checkin.seconds_left() + 1,
        "count": checkin.count_of(obj),
    }
    return render(request, "core/checkin_screen.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_scan(request: HttpRequest, label: str, pk: int, code: str) -> HttpResponse:
    """A phone that scanned the code: confirm with one tap (a GET records nothing)."""
    _target, obj = _resolve(label, pk)
    context: dict[str, object] = {"target": obj}
    if request.method == "GET":
        context["fresh"] = checkin.code_is_fresh(obj, code)
        return render(request, "core/checkin_scan.html", context)
    try:
        _row, created = checkin.checkin_record(
            actor=request_user(request),
            target=obj,
            code=code,
        )
    except ValidationError as error:
        context.update(fresh=False, error=error.messages[0])
        return render(request, "core/checkin_scan.html", context, status=400)
    except PermissionDenied as error:
        context.update(fresh=False, error=str(error))
        return render(request, "core/checkin_scan.html", context, status=403)
    status = checkin.status_of(request_user(request), obj)
    context.update(done=True, created=created, status=status)
    return render(request, "core/checkin_scan.html", context)
