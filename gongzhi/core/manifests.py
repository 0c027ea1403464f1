"""Each domain app declares what it adds to the shared registries in its own ``manifest.py``
(as Decidim's component manifests do): the journal verbs it writes (``VERBS``) and the kinds
of notification it sends (``NOTIFICATION_KINDS``), each with the label a person reads.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, cast

from django.apps import apps

if TYPE_CHECKING:
    from gongzhi.core.home import HomeTile, OverviewFigure


@cache
def collect(attribute: str) -> dict[str, object]:
    merged: dict[str, object] = {}
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
        merged.update(getattr(module, attribute, {}))
    return merged


def verb_labels() -> dict[str, object]:
    return collect("VERBS")


def notification_kinds() -> dict[str, object]:
    return collect("NOTIFICATION_KINDS")


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
