"""Notifications are stored untranslated and rendered in the reader's language when read.

A notification row keeps the msgids of its title and body and its parameters; a parameter that
is itself ours to translate (a status, a role, an option) is kept as its msgid too. Rendering
translates all of them in the language in force: the page's language in the inbox, the
recipient's own when an e-mail or a text message is sent. A person who never chose a language
reads the site's default (zh-Hans), never the English of the msgids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

from gongzhi.core.notify import msgid_of

#: Separates a msgid's context from it, as in gettext's own catalogues.
CONTEXT_SEPARATOR = "\x04"


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


def stored_msgid(text: Any) -> str:
    """How a lazy translation is stored: its msgid, after its context if it has one."""
    context, msgid = msgid_of(text)
    return f"{context}{CONTEXT_SEPARATOR}{msgid}" if context else msgid


def translate(stored: str) -> str:
    if not stored:
        return ""  # gettext("") is the catalogue's header
    context, separator, msgid = stored.rpartition(CONTEXT_SEPARATOR)
    return pgettext(context, msgid) if separator else gettext(msgid)


def store_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Parameters as JSON: text as given; a lazy translation (a ``TextChoices`` label, a
    ``gettext_lazy`` option) as its msgid, to be translated for each reader."""
    stored: dict[str, Any] = {}
    for name, value in (params or {}).items():
        if isinstance(value, Promise):
            try:
                stored[name] = {"msgid": stored_msgid(value)}
                continue
            except TypeError:  # a lazy string that is not a translation
                pass
        stored[name] = str(value)
    return stored


def _values(params: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: translate(value["msgid"]) if isinstance(value, dict) else str(value)
        for name, value in params.items()
    }


def _format(template: str, values: dict[str, str]) -> str:
    if not values:
        return template
    try:
        return template % values
    except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder
        return template


def render(
    title_msgid: str, body_msgid: str, params: Mapping[str, Any], *, language: str | None = None
) -> Rendered:
    """The title and body in ``language``, or in the active language when it is None."""
    if language is None:
        values = _values(params)
        title = _format(translate(title_msgid), values)
        body = _format(translate(body_msgid), values) if body_msgid else ""
        return Rendered(title, body)
    with translation.override(language):
        return render(title_msgid, body_msgid, params)


def language_of(user: Any) -> str:
    """The language a person reads their messages in: their choice, else the site's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE
