"""POST actions on a page: one way to parse, act, tell and go back.

A page that offers buttons (accept a ticket, hide a comment, publish a notice, mark a milestone)
answers each the same way: check who may (403), parse the posted form (an invalid one is a
message, not an error page), call the service, show its refusal or the success message, and
redirect back to the page (POST/redirect/GET). An app describes each of its actions as data —
an ``Action`` — in a table keyed by name, as the hotline's ticket steps do, and its view calls
``perform``::

    STEPS = {"close": Action(act=lambda u, t, d: services.ticket_close(actor=u, ticket=t,
                                                                       note=d["note"]),
                             form=NoteForm, perm="feedback.manage",
                             done=gettext_lazy("The ticket is closed."))}
    return perform(request, STEPS[name], ticket, back=ticket_url)

Missing objects (404) stay the view's job: it fetches and authorises before calling ``perform``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import rules
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise

from gongzhi.core.http import error_text

T = TypeVar("T")

Text = str | Promise


@dataclass(frozen=True)
class Action(Generic[T]):
    """One button's work on an object of type ``T``.

    ``act(user, obj, data)`` calls the service with the form's cleaned data (``{}`` without a
    form). ``perm`` is a rules permission on the object, refused with 403 and ``denied``.
    ``invalid`` is said when the form does not validate (None: the form's own errors);
    ``form_required=False`` acts anyway, with empty data, on an invalid form (an optional reason).
    ``refused`` are the exceptions the service raises to say no, shown as an error message.
    ``done`` is the success message (empty: none).
    """

    act: Callable[[Any, T, dict[str, Any]], object]
    done: Text = ""
    form: type[forms.Form] | None = None
    perm: str | None = None
    denied: Text = ""
    invalid: Text | None = None
    form_required: bool = True
    refused: tuple[type[Exception], ...] = field(default=(ValidationError,))


def perform(
    request: HttpRequest,
    action: Action[T],
    obj: T,
    *,
    back: str,
    form_kwargs: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """Run ``action`` on ``obj`` for the request's user and redirect to ``back`` (a URL or a
    URL name without arguments), with a message saying how it went. ``form_kwargs`` go to the
    form's constructor; ``extra`` is added to the cleaned data (a checkbox read from POST)."""
    if action.perm is not None and not rules.has_perm(action.perm, request.user, obj):
        raise PermissionDenied(action.denied)
    data: dict[str, Any] = {}
    if action.form is not None:
        form = action.form(request.POST, request.FILES, **(form_kwargs or {}))
        if form.is_valid():
            data = dict(form.cleaned_data)
        elif action.form_required:
            if action.invalid is not None:
                messages.error(request, str(action.invalid))
            else:
                messages.error(
                    request, " ".join(str(e) for errors in form.errors.values() for e in errors)
                )
            return redirect(back)
    data.update(extra or {})
    try:
        action.act(request.user, obj, data)
    except action.refused as exc:
        messages.error(request, error_text(exc))
    else:
        if action.done:
            messages.success(request, str(action.done))
    return redirect(back)
