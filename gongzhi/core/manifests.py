"""Each domain app declares what it adds to the shared registries in its own ``manifest.py``
(as Decidim's component manifests do): the journal verbs it writes (``VERBS``) and the kinds
of notification it sends (``NOTIFICATION_KINDS``), each with the label a person reads.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from typing import TYPE_CHECKING, cast

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from gongzhi.core.home import ConsoleLink, HomeTile, OverviewFigure
    from gongzhi.core.indicators import Indicator
    from gongzhi.core.notify import Kind
    from gongzhi.core.outcomes import OutcomeSource


@cache
def collect_by_app(attribute: str) -> dict[str, dict[str, object]]:
    """``{app_label: {key: value}}``: what each app's manifest declares as ``attribute``, apps
    that declare nothing left out."""
    by_app: dict[str, dict[str, object]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        module_name = f"{config.name}.manifest"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        declared = getattr(module, attribute, {})
        if declared:
            by_app[config.label] = dict(declared)
    return by_app


@cache
def collect(attribute: str) -> dict[str, object]:
    merged: dict[str, object] = {}
    for declared in collect_by_app(attribute).values():
        merged.update(declared)
    return merged


def verb_labels() -> dict[str, object]:
    return collect("VERBS")


def verb_areas() -> dict[str, dict[str, object]]:
    """``{app_label: {verb: label}}``: the journal verbs by the area (app) that writes them; an
    area is named by its app's ``verbose_name``."""
    return collect_by_app("VERBS")


def notification_kinds() -> dict[str, Kind]:
    """``{kind: Kind}``: the kinds of notification, their messages and who receives them."""
    return cast("dict[str, Kind]", collect("NOTIFICATION_KINDS"))


@cache
def declared_once(attribute: str) -> str:
    """``"module.function"`` that one app declares as ``attribute`` in its manifest (the
    notifier, the unread count), which ``gongzhi.core.notify`` calls: core reaches that app's
    work without importing it. Empty when no app declares it."""
    declared = [
        getattr(importlib.import_module(f"{c.name}.manifest"), attribute, "")
        for c in apps.get_app_configs()
        if c.name.startswith("gongzhi.") and importlib.util.find_spec(f"{c.name}.manifest")
    ]
    found = [path for path in declared if path]
    if len(found) > 1:
        raise ImproperlyConfigured(f"More than one app declares {attribute}: {found}")
    return found[0] if found else ""


def notifier_path() -> str:
    return declared_once("NOTIFIER")


def boundary_error_renderers() -> dict[str, object]:
    """``{path prefix: "module.function"}``: an app whose API has its own error format (Open311)
    renders the request boundary's refusals under its prefix as ``f(request, status, message)``."""
    return collect("BOUNDARY_ERRORS")


def home_tile_registry() -> dict[str, HomeTile]:
    """``{key: HomeTile}``: what each app shows on the community home (``HOME_TILES``)."""
    return cast("dict[str, HomeTile]", collect("HOME_TILES"))


def overview_figure_registry() -> dict[str, OverviewFigure]:
    """``{key: OverviewFigure}``: the columns of the street officials' overview."""
    return cast("dict[str, OverviewFigure]", collect("OVERVIEW_FIGURES"))


def console_link_registry() -> dict[str, ConsoleLink]:
    """``{key: ConsoleLink}``: the apps' staff pages linked from the staff console."""
    return cast("dict[str, ConsoleLink]", collect("CONSOLE_LINKS"))


def indicator_registry() -> dict[str, Indicator]:
    """``{key: Indicator}``: the indicators each app declares (``INDICATORS``), for evaluation."""
    return cast("dict[str, Indicator]", collect("INDICATORS"))


def outcome_registry() -> dict[str, OutcomeSource]:
    """``{key: OutcomeSource}``: outcomes other than indicators that apps declare
    (``OUTCOMES``), which evaluation's comparisons can read (survey scale scores)."""
    return cast("dict[str, OutcomeSource]", collect("OUTCOMES"))
