"""Reads about bodies: who sits in a body on a day, the charter in force, the record of past
members, charter versions with what changed, decisions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.charter import Rules, powers_from_dicts
from gongzhi.bodies.models import Body, Charter, Decision, Mandate, Position
from gongzhi.core.decisions import decision_kind_registry
from gongzhi.core.models import Community, Membership
from gongzhi.voting.models import Vote


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the platform's time zone (Asia/Shanghai): a term's
    role holds from the start of its first day to the start of the day after its last."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def sitting_q(on: date, prefix: str = "") -> Q:
    """Mandates whose holder sits on ``on``: the term covers the day and was not ended early
    on or before it."""
    return Q(**{f"{prefix}starts_on__lte": on, f"{prefix}ends_on__gte": on}) & (
        Q(**{f"{prefix}ended_at__isnull": True})
        | Q(**{f"{prefix}ended_at__gte": day_start(on + timedelta(days=1))})
    )


def last_day(mandate: Mandate) -> date:
    """The last day a term occupies its seat: its planned end, or the day before it was ended
    early."""
    if mandate.ended_at is None:
        return mandate.ends_on
    ended = timezone.localtime(mandate.ended_at, ZoneInfo(settings.TIME_ZONE)).date()
    return min(mandate.ends_on, ended - timedelta(days=1))


def holder(mandate: Mandate) -> Any:
    """Who held the term: the member, or the tombstone account once they erased theirs."""
    if mandate.membership is not None:
        return mandate.membership.user
    return mandate.former_member


def sits_in(*, body: Body, membership: Membership, on: date) -> bool:
    return (
        Mandate.objects.in_community(body.community_id)
        .filter(sitting_q(on), body=body, membership=membership)
        .exists()
    )


def seated_count(*, body: Body, on: date) -> int:
    """How many people sit in ``body`` on ``on`` (one person in two seats counts once)."""
    return (
        Mandate.objects.in_community(body.community_id)
        .filter(sitting_q(on), body=body)
        .values("membership")
        .distinct()
        .count()
    )


def charter_in_force(*, body: Body, on: date | None = None) -> Charter | None:
    """The newest version adopted by the end of ``on`` (today by default)."""
    day = on or timezone.localdate()
    return (
        Charter.objects.in_community(body.community_id)
        .filter(body=body, adopted_at__lt=day_start(day + timedelta(days=1)))
        .order_by("-version")
        .first()
    )


def rules_of(charter: Charter) -> Rules:
    return Rules(
        powers=powers_from_dicts(charter.powers),
        quorum_percent=charter.quorum_percent,
        threshold_percent=charter.threshold_percent,
        threshold_base=charter.threshold_base,
        amendment_percent=charter.amendment_percent,
    )


def bodies_of(community: Community, *, include_dissolved: bool = False) -> QuerySet[Body]:
    today = timezone.localdate()
    sitting = (
        Mandate.objects.in_community(community)
        .filter(sitting_q(today))
        .select_related("position", "membership__user", "former_member")
    )
    queryset = Body.objects.in_community(community).prefetch_related(
        Prefetch("mandates", queryset=sitting, to_attr="sitting")
    )
    return queryset if include_dissolved else queryset.filter(dissolved_at__isnull=True)


def body_get(*, community: Community, body_id: int) -> Body:
    body = Body.objects.in_community(community).filter(pk=body_id).first()
    if body is None:
        raise Http404
    return body


def position_get(*, body: Body, position_id: int) -> Position:
    position = Position.objects.in_community(body.community_id).filter(pk=position_id, body=body)
    found = position.first()
    if found is None:
        raise Http404
    return found


def mandate_get(*, body: Body, mandate_id: int) -> Mandate:
    mandate = (
        Mandate.objects.in_community(body.community_id)
        .select_related("position", "membership__user", "body")
        .filter(pk=mandate_id, body=body)
        .first()
    )
    if mandate is None:
        raise Http404
    return mandate


def positions_queryset(body: Body) -> QuerySet[Position]:
    return Position.objects.in_community(body.community_id).filter(body=body)


def positions_of(body: Body) -> list[Position]:
    return list(positions_queryset(body))


@dataclass(frozen=True)
class Members:
    current: list[Mandate]
    coming: list[Mandate]
    past: list[Mandate]


def members_of(body: Body) -> Members:
    """Everyone who sat, sits or will sit in ``body``; past members stay in the record."""
    today = timezone.localdate()
    mandates = list(
        Mandate.objects.in_community(body.community_id)
        .filter(body=body)
        .select_related("position", "membership__user", "former_member", "recorded_by", "vote")
    )
    current = [m for m in mandates if m.starts_on <= today <= last_day(m)]
    coming = [m for m in mandates if m.starts_on > today and last_day(m) >= m.starts_on]
    past = [m for m in mandates if m not in current and m not in coming]
    past.sort(key=lambda m: (m.ends_on, m.pk), reverse=True)
    return Members(current=current, coming=coming, past=past)


def decisions_of(body: Body) -> QuerySet[Decision]:
    return Decision.objects.in_community(body.community_id).filter(body=body)


def kind_label(code: str) -> Any:
    kind = decision_kind_registry().get(code)
    return kind.label if kind is not None else code


_RULE_FIELDS = (
    "quorum_percent",
    "threshold_percent",
    "threshold_base",
    "amendment_percent",
    "meeting_every_days",
    "term_months",
    "vacancy_rule",
    "proxies_allowed",
    "max_proxies",
    "second_sitting_quorum_percent",
    "notice_days",
    "extraordinary_notice_days",
    "minutes_objection_days",
)


@dataclass(frozen=True)
class Change:
    label: Any
    before: str
    after: str


@dataclass(frozen=True)
class Version:
    charter: Charter
    changes: list[Change]
    text_diff: list[str]


def _power_lines(charter: Charter) -> list[str]:
    lines = []
    for power in powers_from_dicts(charter.powers):
        line = str(kind_label(power.kind))
        if power.max_amount_fen is not None:
            line += f" ≤ ¥{power.max_amount_fen / 100:,.2f}"
        if power.topics:
            line += f" ({', '.join(power.topics)})"
        if power.quorum_percent is not None:
            line += " · " + _("quorum %(percent)s %%") % {"percent": power.quorum_percent}
        if power.threshold_percent is not None:
            line += " · " + _("votes needed %(percent)s %%") % {"percent": power.threshold_percent}
        lines.append(line)
    return lines


def _display(charter: Charter, name: str) -> str:
    getter = getattr(charter, f"get_{name}_display", None)
    value = getter() if getter else getattr(charter, name)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return "—" if value is None else str(value)


def _changes(before: Charter, after: Charter) -> list[Change]:
    changes = [
        Change(
            getattr(Charter._meta.get_field(name), "verbose_name", name),
            _display(before, name),
            _display(after, name),
        )
        for name in _RULE_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]
    old, new = _power_lines(before), _power_lines(after)
    if old != new:
        changes.append(Change(_("decisions it may take"), "; ".join(old), "; ".join(new)))
    return changes


def charter_versions(body: Body) -> list[Version]:
    """Every version, newest first, each with what changed from the one before."""
    charters = list(
        Charter.objects.in_community(body.community_id)
        .filter(body=body)
        .select_related("adopted_by", "decision")
        .order_by("version")
    )
    versions = []
    for before, after in zip([None, *charters], charters, strict=False):
        if before is None:
            versions.append(Version(after, [], []))
            continue
        diff = difflib.unified_diff(
            before.text.splitlines(), after.text.splitlines(), lineterm="", n=1
        )
        versions.append(Version(after, _changes(before, after), list(diff)[2:]))
    return list(reversed(versions))


def charter_powers(charter: Charter) -> list[str]:
    return _power_lines(charter)


def membership_get(*, community: Community, membership_id: int) -> Membership:
    """A member of the community (a term is never given to someone else's member)."""
    membership = (
        Membership.objects.in_community(community)
        .select_related("user")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def vote_get(*, community: Community, vote_id: int) -> Vote:
    vote = Vote.objects.in_community(community).filter(pk=vote_id).first()
    if vote is None:
        raise Http404
    return vote


def members_to_choose(community: Community) -> QuerySet[Membership]:
    return (
        Membership.objects.in_community(community)
        .filter(verified_at__isnull=False)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


def closed_votes(community: Community) -> QuerySet[Vote]:
    return (
        Vote.objects.in_community(community)
        .filter(closes_at__lte=timezone.now())
        .order_by("-closes_at")
    )


def bodies_with_power(community: Community, kind: str) -> list[tuple[int, str]]:
    """``(id, name)`` of the bodies whose charter in force grants ``kind`` (for a service
    elsewhere that lets a body's decision be named, e.g. the hall's answer to a proposal)."""
    found = []
    for body in Body.objects.in_community(community).filter(dissolved_at__isnull=True):
        charter = charter_in_force(body=body)
        if charter is not None and any(p.get("kind") == kind for p in charter.powers):
            found.append((body.pk, body.name))
    return found
