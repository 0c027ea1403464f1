"""The indicator registry: each app declares its indicators in its manifest; a rate without
its numerator and denominator is refused; every declared compute path imports."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from gongzhi.core.indicators import Indicator
from gongzhi.core.manifests import indicator_registry
from gongzhi.evaluation.engine import JOURNAL_INDICATORS

EXPECTED = {
    "participation.rate",
    "participation.ladder_informed",
    "participation.ladder_consulted",
    "participation.ladder_deciding",
    "participation.retention",
    "participation.new",
    "hotline.solved",
    "hotline.resolution_rate",
    "hotline.satisfaction_rate",
    "hotline.days_to_resolve",
    "proposals.raised",
    "proposals.answered",
    "proposals.adopted",
    "budget.money_decided",
    "disclosure.timeliness",
}


def _indicator(**overrides):
    fields = {
        "name": _("Participation rate"),
        "definition": _("Residents who took part."),
        "kind": "rate",
        "compute": "gongzhi.evaluation.measures.participation_rate",
        "numerator": _("verified residents who took part"),
        "denominator": _("verified residents"),
    }
    return Indicator(**(fields | overrides))


@pytest.mark.parametrize("missing", ["numerator", "denominator"])
def test_a_rate_without_its_numerator_or_denominator_is_refused(missing):
    with pytest.raises(ImproperlyConfigured, match="numerator and its denominator"):
        _indicator(**{missing: ""})


@pytest.mark.parametrize(
    "overrides",
    [{"kind": "average"}, {"better": "sideways"}, {"kind": "count", "people": True}],
)
def test_an_unknown_kind_or_direction_is_refused(overrides):
    with pytest.raises(ImproperlyConfigured):
        _indicator(**overrides)


def test_a_count_needs_no_denominator():
    assert _indicator(kind="count", numerator="", denominator="").kind == "count"


def test_every_app_declares_its_indicators_and_each_compute_path_imports():
    registry = indicator_registry()
    assert set(registry) >= EXPECTED
    for key, indicator in registry.items():
        assert callable(import_string(indicator.compute)), key
        assert str(indicator.name) and str(indicator.definition), key
        if indicator.kind == "rate":
            assert str(indicator.numerator) and str(indicator.denominator), key


def test_the_journal_only_indicators_are_the_ones_the_plain_cli_computes():
    registry = indicator_registry()
    journal_only = {k: i.compute for k, i in registry.items() if i.journal_only}
    assert journal_only.keys() == JOURNAL_INDICATORS.keys()
    for key, path in JOURNAL_INDICATORS.items():
        assert import_string(path.replace(":", ".")) is import_string(journal_only[key])
