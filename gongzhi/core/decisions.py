"""The kinds of decision a self-governing body may be given the power to take (R5.1).

An app declares the decisions its services record in its manifest's ``DECISION_KINDS``
(``{code: DecisionKind(label, description, amount=…, topics=…)}``); a body's charter lists which
of them the body may take, with a ceiling where the kind has an amount and topics where it has
topics. Core knows none of them and no body: ``require_power`` asks the one app that declares
``CHARTER_CHECK`` in its manifest (``bodies``) whether a body's charter in force allows a
decision, so a service anywhere can refuse a decision the body has no power to take without
importing that app.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured

from gongzhi.core.manifests import collect, declared_once


@dataclass(frozen=True)
class DecisionKind:
    #: gettext_lazy: what a resident reads in a charter ("spend from a fund")
    label: Any
    #: one sentence: what taking this decision means
    description: Any = ""
    #: the power carries a ceiling in yuan (a charter may set it; a decision states its amount)
    amount: bool = False
    #: the power may be limited to topics (a decision names its topic)
    topics: bool = False
    order: int = 100


def decision_kind_registry() -> dict[str, DecisionKind]:
    """``{code: DecisionKind}`` from every app's manifest, in their order."""
    kinds = cast("dict[str, DecisionKind]", collect("DECISION_KINDS"))
    return dict(sorted(kinds.items(), key=lambda item: (item[1].order, item[0])))


def require_power(
    *, community_id: int, body_id: int, kind: str, amount_fen: int | None = None, topic: str = ""
) -> None:
    """Raise ``ValidationError`` (code ``outside_charter``) unless the charter in force of body
    ``body_id`` lets it take a decision of ``kind`` (for ``amount_fen``, on ``topic``)."""
    if kind not in decision_kind_registry():
        raise ImproperlyConfigured(f"decision kind {kind!r} is declared by no app")
    path = declared_once("CHARTER_CHECK")
    if not path:
        raise ImproperlyConfigured("no app declares CHARTER_CHECK")
    module, _sep, name = path.rpartition(".")
    check = getattr(importlib.import_module(module), name)
    check(community_id=community_id, body_id=body_id, kind=kind, amount_fen=amount_fen, topic=topic)
