"""Qualifications a person may need for a task (a volunteer shift asks for first aid), without
core knowing any of them or the app that records who holds one.

An app declares the qualifications it awards in its manifest's ``QUALIFICATIONS``
(``{code: gettext_lazy label}``); one app (the learning app, when it lands) may declare
``QUALIFICATION_CHECK = "module.function"``, a function ``(person, code, on) -> bool`` telling
whether ``person`` holds ``code`` on the day ``on``. Until one does, nobody holds any
qualification: ``missing`` answers every code asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django.utils.module_loading import import_string

from gongzhi.core.manifests import collect, declared_once


def registry() -> dict[str, Any]:
    """``{code: label}`` from every app's manifest."""
    return cast("dict[str, Any]", collect("QUALIFICATIONS"))


def checker_path() -> str:
    """``"module.function"`` of the one app that checks who holds a qualification, or ""."""
    return declared_once("QUALIFICATION_CHECK")


def known() -> dict[str, Any]:
    """``{code: label}``, sorted by code."""
    return dict(sorted(registry().items()))


def unknown(codes: Iterable[str]) -> list[str]:
    """The codes no app declares, in the order given."""
    declared = registry()
    return [code for code in codes if code not in declared]


def missing(person: Any, codes: Iterable[str], on: date) -> list[str]:
    """The codes of ``codes`` that ``person`` does not hold on ``on`` (all of them when no app
    checks qualifications), in the order given, each once."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return []
    path = checker_path()
    if not path:
        return wanted
    check = import_string(path)
    return [code for code in wanted if not check(person, code, on)]


def label(code: str) -> str:
    """What a person reads for ``code`` (the code itself when no app declares it)."""
    return str(registry().get(code, code))
