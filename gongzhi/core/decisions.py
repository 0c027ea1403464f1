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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ImproperlyConfigured

from gongzhi.core.manifests import collect, declared_once

if TYPE_CHECKING:
    from django.db.models import Model

    from gongzhi.core.models import RegisterEntry


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
    #: False: a kind only the decision register knows (a binding vote's result, a panel's
    #: finding), taken by no body under a charter; charters never list it
    chartered: bool = True


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


def register_decision(
    *,
    community_id: int,
    kind: str,
    decided_on: date,
    title: str,
    source: Model,
    url: str,
    body_id: int | None = None,
    body_name: str = "",
    topic: str = "",
    basis: Iterable[Mapping[str, Any]] = (),
) -> RegisterEntry:
    """Write the decision register's index row for ``source`` (R6.2): who decided (``body_id``,
    ``body_name``; none for the residents' own binding vote), what (``kind``, ``title``,
    ``topic``), when (``decided_on``), on what basis (``basis``: ``{"kind", "title", "url", …}``
    dicts: the proposal, the vote and its turnout, the meeting, the minutes…) and where the
    decision itself lives (``url``, a path within the site).

    Call it inside the deciding service's transaction, so the register never shows a decision
    that was rolled back nor misses one that was taken. One row per source: a source that
    decides again (results republished) updates its row rather than adding a second.
    """
    from django.contrib.contenttypes.models import ContentType

    from gongzhi.core.models import RegisterEntry

    # The kind is not checked against the registry here: the writer already did (a body's
    # decision is checked against its charter), and a test may declare a kind of its own.
    if not kind:
        raise ValueError("register_decision needs a kind")
    if source.pk is None:
        raise ValueError("register_decision needs a saved source")
    links = [_basis_link(item) for item in basis]
    entry, _created = RegisterEntry.objects.in_community(community_id).update_or_create(
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        defaults={
            "community_id": community_id,
            "kind": kind,
            "decided_on": decided_on,
            "title": " ".join(str(title).split())[:200],
            "topic": topic[:60],
            "url": url[:300],
            "body_id": body_id,
            "body_name": body_name[:120],
            "basis": links,
        },
    )
    return entry


def _basis_link(item: Mapping[str, Any]) -> dict[str, Any]:
    """One basis link as JSON: ``kind`` and ``title`` are required, ``url`` a site path (or
    empty); any other key (a vote's ``turnout``) is kept as given."""
    link = {key: value for key, value in item.items()}
    if not link.get("kind") or not str(link.get("title", "")).strip():
        raise ValueError(f"a basis link needs a kind and a title: {item!r}")
    link["title"] = str(link["title"])
    link["url"] = str(link.get("url") or "")
    return link
