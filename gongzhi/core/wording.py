"""Text kept untranslated and worded in the reader's language when it is shown.

A result computed once and kept (a cached forecast page, read in Chinese and in English) cannot
hold translated sentences: the first reader's language would be everyone's. It holds a
:class:`Wording` instead: the msgid (marked with ``gettext_noop`` so the catalogues have it) and
its parameters, translated by ``str()`` in the language active then. A parameter that is
itself worded per language is a lazy translation (a ``WEEKDAYS`` label), a date (shown in the
short date format), or another :class:`Wording`; numbers and names are kept as they are.
Notifications do the same for stored rows (``gongzhi.notifications.rendering``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext


@dataclass(frozen=True)
class Wording:
    msgid: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, msgid: str, **params: Any) -> Wording:
        return cls(msgid, tuple(params.items()))

    def __str__(self) -> str:
        text = gettext(self.msgid)
        if not self.params:
            return text
        return text % {name: _shown(value) for name, value in self.params}


def _shown(value: Any) -> Any:
    if isinstance(value, Wording | Promise):
        return str(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value
