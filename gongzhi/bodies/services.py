"""Every write about bodies, positions, terms of office, charters and decisions (R5.1).

Each service is keyword-only, runs in one transaction and journals its act. ``record_body`` and
``record_mandate`` check no permission (review panels call them after their own checks) but all
the integrity rules: a term's seat exists and no two terms of one seat overlap (the position's
row is locked first), the person belongs to the body's community, and nobody supervises a role
they hold. A term's role is a ``core.RoleGrant`` whose dates are the term's, so it ends with the
term without a periodic job.
"""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies import charter as rules_
from gongzhi.bodies import selectors
from gongzhi.bodies.models import (
    SUPERVISED_KINDS,
    Body,
    BodyKind,
    Charter,
    ChosenBy,
    Decision,
    Mandate,
    Position,
    ThresholdBase,
    VacancyRule,
)
from gongzhi.core import journal, requirements
from gongzhi.core.decisions import decision_kind_registry, register_decision
from gongzhi.core.models import (
    GRANTABLE_ROLES,
    ROLES_GRANTED_FROM_ABOVE,
    Community,
    Membership,
    Role,
    RoleGrant,
)
from gongzhi.core.policies import forget_access, require

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.voting.models import Vote

AMEND_CHARTER = "amend_charter"


@dataclass(frozen=True, kw_only=True)
class CharterIn:
    """A charter as a service receives it. ``powers``: ``[{"kind": code, "max_amount_fen":
    int | None, "topics": [str, …]}, …]`` with kinds from ``core.decisions``."""

    powers: list[dict[str, Any]] = field(default_factory=list)
    quorum_percent: int | None
    threshold_percent: int = 50
    threshold_base: str = ThresholdBase.PRESENT
    amendment_percent: int = 67
    meeting_every_days: int = 30
    term_months: int = 36
    vacancy_rule: str = VacancyRule.BY_ELECTION
    text: str = ""
    #: how its meetings run (meetings app)
    proxies_allowed: bool = False
    max_proxies: int = 1
    second_sitting_quorum_percent: int | None = None
    notice_days: int = 7
    extraordinary_notice_days: int = 1
    minutes_objection_days: int = 7


def _require(perm: str, user: User, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this in this community."))


# --- Charters ---------------------------------------------------------------------------------


def _clean_power(item: Any) -> dict[str, Any]:
    registry = {code: kind for code, kind in decision_kind_registry().items() if kind.chartered}
    if not isinstance(item, dict) or item.get("kind") not in registry:
        kind = item.get("kind") if isinstance(item, dict) else item
        raise ValidationError(
            _("“%(kind)s” is not a kind of decision any part of the platform knows.")
            % {"kind": kind},
            code="unknown_decision_kind",
        )
    declared = registry[item["kind"]]
    ceiling = item.get("max_amount_fen")
    topics = item.get("topics") or []
    if ceiling is not None and (not declared.amount or not isinstance(ceiling, int) or ceiling < 0):
        raise ValidationError(
            _("A ceiling is a number of fen, and only for decisions about an amount."),
            code="power_invalid",
        )
    if topics and (not declared.topics or not all(isinstance(t, str) and t for t in topics)):
        raise ValidationError(
            _("Topics can be named only for decisions that have topics."), code="power_invalid"
        )
    cleaned = {"kind": item["kind"], "max_amount_fen": ceiling, "topics": list(topics)}
    return cleaned | _power_rules(item)


def _power_rules(item: dict[str, Any]) -> dict[str, int]:
    """A power's own quorum and threshold ("two thirds for some matters"), when it has them."""
    rules = {}
    for name, low in (("quorum_percent", 1), ("threshold_percent", 50)):
        value = item.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 100:
            raise ValidationError(
                _("A decision's own quorum is 1 to 100 %, its own threshold 50 to 100 %."),
                code="power_invalid",
            )
        rules[name] = value
    return rules


def _clean_powers(powers: list[Any]) -> list[dict[str, Any]]:
    cleaned = [_clean_power(item) for item in powers]
    kinds = [p["kind"] for p in cleaned]
    if len(set(kinds)) != len(kinds):
        raise ValidationError(_("Each kind of decision is listed once."), code="power_invalid")
    return cleaned


def _check_numbers(charter: CharterIn) -> None:
    if not charter.quorum_percent:
        raise ValidationError(
            _("A charter must say how many of the seated members make a quorum."),
            code="charter_quorum",
        )
    if not 1 <= charter.quorum_percent <= 100:
        raise ValidationError(_("The quorum is a share from 1 to 100 %."), code="charter_quorum")
    if not (50 <= charter.threshold_percent <= 100 and 50 <= charter.amendment_percent <= 100):
        raise ValidationError(
            _("The votes needed to decide and to amend are a share from 50 to 100 %."),
            code="charter_threshold",
        )
    if charter.term_months < 1 or charter.meeting_every_days < 1:
        raise ValidationError(
            _("A term lasts at least a month, and a body meets at least every few days."),
            code="charter_invalid",
        )
    if charter.threshold_base not in ThresholdBase.values:
        raise ValidationError(_("Unknown base for the votes needed."), code="charter_invalid")
    if charter.vacancy_rule not in VacancyRule.values:
        raise ValidationError(_("Unknown way of filling vacancies."), code="charter_invalid")
    _check_meeting_rules(charter)


def _check_meeting_rules(charter: CharterIn) -> None:
    """How its meetings run: proxies, a second sitting's lower quorum, notice, minutes."""
    if not 1 <= charter.max_proxies <= 10:
        raise ValidationError(_("A member may hold from 1 to 10 proxies."), code="charter_proxies")
    second = charter.second_sitting_quorum_percent
    if second is not None and not 1 <= second < (charter.quorum_percent or 0):
        raise ValidationError(
            _("A second sitting's quorum is a share from 1 % up to, not including, the quorum."),
            code="charter_second_sitting",
        )
    if not 0 <= charter.extraordinary_notice_days <= charter.notice_days <= 90:
        raise ValidationError(
            _(
                "The agenda is published from 0 to 90 days ahead, and an extraordinary "
                "meeting's no earlier than an ordinary one's."
            ),
            code="charter_notice",
        )
    if not 1 <= charter.minutes_objection_days <= 60:
        raise ValidationError(
            _("Corrections of the minutes may be asked for during 1 to 60 days."),
            code="charter_minutes",
        )


def _new_charter(
    *, body: Body, charter: CharterIn, version: int, by: User, decision: Decision | None
) -> Charter:
    _check_numbers(charter)
    assert charter.quorum_percent is not None  # noqa: S101 - _check_numbers refused None
    return Charter.objects.create(
        community_id=body.community_id,
        body=body,
        version=version,
        powers=_clean_powers(charter.powers),
        quorum_percent=charter.quorum_percent,
        threshold_percent=charter.threshold_percent,
        threshold_base=charter.threshold_base,
        amendment_percent=charter.amendment_percent,
        meeting_every_days=charter.meeting_every_days,
        term_months=charter.term_months,
        vacancy_rule=charter.vacancy_rule,
        text=charter.text,
        proxies_allowed=charter.proxies_allowed,
        max_proxies=charter.max_proxies,
        second_sitting_quorum_percent=charter.second_sitting_quorum_percent,
        notice_days=charter.notice_days,
        extraordinary_notice_days=charter.extraordinary_notice_days,
        minutes_objection_days=charter.minutes_objection_days,
        adopted_by=by,
        decision=decision,
    )


# --- Bodies -----------------------------------------------------------------------------------


def record_body(
    *,
    community: Community,
    kind: str,
    name: str,
    purpose: str,
    charter: CharterIn,
    created_by: User,
) -> Body:
    """A body with its first charter. No permission check: callers check who may."""
    if kind not in BodyKind.values:
        raise ValidationError(_("Unknown type of body."), code="body_kind")
    name = name.strip()
    if not name:
        raise ValidationError(_("A body needs a name."), code="body_name")
    with transaction.atomic():
        taken = Body.objects.in_community(community).filter(name=name).exists()
        if taken:
            raise ValidationError(
                _("This community already has a body of that name."), code="body_name_taken"
            )
        try:
            with transaction.atomic():
                body = Body.objects.create(
                    community=community,
                    kind=kind,
                    name=name,
                    purpose=purpose,
                    created_by=created_by,
                )
        except IntegrityError as error:
            raise ValidationError(_duplicate_body_message(kind), code="body_exists") from error
        first = _new_charter(body=body, charter=charter, version=1, by=created_by, decision=None)
        journal.record(
            community=community,
            actor=created_by,
            verb="body.created",
            target=body,
            data={"body": body.pk, "kind": kind},
        )
        _journal_charter(first, actor=created_by)
    return body


def _duplicate_body_message(kind: str) -> str:
    if kind == BodyKind.SUPERVISION:
        return _("This community already has a supervision committee.")
    return _("This community already has a body of that name.")


def _journal_charter(charter: Charter, *, actor: User) -> None:
    journal.record(
        community=charter.community,
        actor=actor,
        verb="body.charter_adopted",
        target=charter.body,
        data={"body": charter.body_id, "version": charter.version},
    )


def body_create(
    *, actor: User, community: Community, kind: str, name: str, purpose: str, charter: CharterIn
) -> Body:
    """A community worker sets up a body; a supervision committee only from above."""
    perm = "bodies.manage_from_above" if kind == BodyKind.SUPERVISION else "bodies.manage_bodies"
    _require(perm, actor, community)
    return record_body(
        community=community,
        kind=kind,
        name=name,
        purpose=purpose,
        charter=charter,
        created_by=actor,
    )


def _manage_perm(body: Body, role: str = "") -> str:
    """Positions in a supervision committee, and any giving a role granted from above, are set
    up and filled from above; the rest by the community's workers."""
    from_above = body.kind == BodyKind.SUPERVISION or role in ROLES_GRANTED_FROM_ABOVE
    return "bodies.manage_from_above" if from_above else "bodies.manage_bodies"


def position_add(*, actor: User, body: Body, title: str, seats: int, role: str = "") -> Position:
    _require(_manage_perm(body, role), actor, body)
    if role and role not in {r.value for r in GRANTABLE_ROLES}:
        raise ValidationError(_("This role cannot be given by a position."), code="role_invalid")
    if seats < 1:
        raise ValidationError(_("A position has at least one seat."), code="position_seats")
    title = title.strip()
    if not title:
        raise ValidationError(_("A position needs a title."), code="position_title")
    with transaction.atomic():
        if Position.objects.in_community(body.community_id).filter(body=body, title=title).exists():
            raise ValidationError(
                _("This body already has a position of that title."), code="position_taken"
            )
        order = Position.objects.in_community(body.community_id).filter(body=body).count()
        position = Position.objects.create(
            community_id=body.community_id,
            body=body,
            title=title,
            seats=seats,
            role=role,
            order=order,
        )
        journal.record(
            community=body.community,
            actor=actor,
            verb="body.position_added",
            target=position,
            data={"body": body.pk, "position": title, "role": role},
        )
    return position


# --- Terms of office --------------------------------------------------------------------------


def term_end(*, starts_on: date, term_months: int) -> date:
    """The last day of a term of ``term_months`` starting on ``starts_on``."""
    index = starts_on.month - 1 + term_months
    year, month = starts_on.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if starts_on.day > last:  # 31 January + 1 month: to the end of February
        return date(year, month, last)
    return date(year, month, starts_on.day) - timedelta(days=1)


def _check_seat(*, position: Position, seat: int, starts_on: date, ends_on: date) -> None:
    """Under the position's lock: the seat exists and no term of it overlaps this one."""
    if not 1 <= seat <= position.seats:
        raise ValidationError(
            _("“%(position)s” has seats 1 to %(seats)s.")
            % {"position": position.title, "seats": position.seats},
            code="seat_invalid",
        )
    candidates = Mandate.objects.in_community(position.community_id).filter(
        position=position, seat=seat, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    for other in candidates:
        if selectors.last_day(other) >= starts_on and other.starts_on <= selectors.last_day(other):
            raise ValidationError(
                _(
                    "Seat %(seat)s of “%(position)s” is held from %(start)s to %(end)s: terms of "
                    "one seat cannot overlap."
                )
                % {
                    "seat": seat,
                    "position": position.title,
                    "start": other.starts_on.isoformat(),
                    "end": selectors.last_day(other).isoformat(),
                },
                code="term_overlaps",
            )


def _grants_overlapping(membership: Membership, starts_on: date, ends_on: date) -> Q:
    start, end = selectors.day_start(starts_on), selectors.day_start(ends_on + timedelta(days=1))
    return (
        Q(membership=membership)
        & (Q(valid_from__isnull=True) | Q(valid_from__lt=end))
        & (Q(valid_until__isnull=True) | Q(valid_until__gt=start))
    )


def _mandates_overlapping(membership: Membership, starts_on: date, ends_on: date) -> list[Mandate]:
    found = Mandate.objects.in_community(membership.community_id).filter(
        membership=membership, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    return [
        m
        for m in found.select_related("body")
        if selectors.last_day(m) >= starts_on and m.starts_on <= selectors.last_day(m)
    ]


def _check_separation(
    *, body: Body, position: Position, membership: Membership, starts_on: date, ends_on: date
) -> None:
    """Nobody supervises a role they hold: during the term, a member of the supervision
    committee (or a supervisor) holds no seat in a supervised body and no community worker's
    role, and the other way round."""
    supervises = body.kind == BodyKind.SUPERVISION or position.role == Role.SUPERVISOR
    supervised = body.kind in SUPERVISED_KINDS or position.role == Role.COMMUNITY_WORKER
    if not (supervises or supervised):
        return
    grants = RoleGrant.objects.in_community(membership.community_id).filter(
        _grants_overlapping(membership, starts_on, ends_on)
    )
    held = set(grants.values_list("role", flat=True))
    bodies = {m.body.kind for m in _mandates_overlapping(membership, starts_on, ends_on)}
    clash = (supervises and (Role.COMMUNITY_WORKER in held or bodies & SUPERVISED_KINDS)) or (
        supervised and (Role.SUPERVISOR in held or BodyKind.SUPERVISION in bodies)
    )
    if clash:
        raise ValidationError(
            _(
                "%(person)s cannot take this seat: nobody supervises a role they hold, and "
                "during this term they would hold both a seat that supervises and one that is "
                "supervised (or a community worker's role)."
            )
            % {"person": membership.user},
            code="supervises_own_role",
        )


def _grant_for(mandate: Mandate, *, membership: Membership, recorded_by: User) -> RoleGrant:
    return RoleGrant.objects.create(
        community_id=mandate.community_id,
        membership=membership,
        role=mandate.position.role,
        granted_by=recorded_by,
        valid_from=selectors.day_start(mandate.starts_on),
        valid_until=selectors.day_start(mandate.ends_on + timedelta(days=1)),
        source_type=ContentType.objects.get_for_model(Mandate),
        source_id=mandate.pk,
    )


def _check_mandate_input(
    *, body: Body, position: Position, membership: Membership, chosen_by: str, vote: Vote | None
) -> None:
    if position.body_id != body.pk:
        raise ValidationError(_("This position belongs to another body."), code="position_invalid")
    if membership.community_id != body.community_id:
        raise ValidationError(
            _("Only a member of this community can hold a seat in its bodies."),
            code="other_community",
        )
    if body.dissolved_at is not None:
        raise ValidationError(_("This body has been dissolved."), code="body_dissolved")
    if chosen_by not in ChosenBy.values:
        raise ValidationError(_("Unknown way of choosing a member."), code="chosen_by_invalid")
    if vote is not None and (
        chosen_by != ChosenBy.ELECTION or vote.community_id != body.community_id
    ):
        raise ValidationError(
            _("Only an election in this community is linked to a vote."), code="vote_invalid"
        )


def record_mandate(
    *,
    body: Body,
    position: Position,
    membership: Membership,
    seat: int,
    chosen_by: str,
    starts_on: date,
    ends_on: date | None = None,
    recorded_by: User,
    vote: Vote | None = None,
) -> Mandate:
    """One term of office, with the role its position gives for exactly the term. No
    permission check (callers check who may); every integrity check."""
    _check_mandate_input(
        body=body, position=position, membership=membership, chosen_by=chosen_by, vote=vote
    )
    with transaction.atomic():
        locked = (
            Position.objects.in_community(body.community_id).select_for_update().get(pk=position.pk)
        )
        person = (
            Membership.objects.in_community(body.community_id)
            .select_for_update()
            .get(pk=membership.pk)
        )
        if ends_on is None:
            charter = selectors.charter_in_force(
                body=body, on=starts_on
            ) or selectors.charter_in_force(body=body)
            months = charter.term_months if charter is not None else 12
            ends_on = term_end(starts_on=starts_on, term_months=months)
        if ends_on <= starts_on:
            raise ValidationError(_("A term ends after it starts."), code="term_dates")
        _check_seat(position=locked, seat=seat, starts_on=starts_on, ends_on=ends_on)
        _check_separation(
            body=body, position=locked, membership=person, starts_on=starts_on, ends_on=ends_on
        )
        if locked.role:
            requirements.check(body.community, person.user, locked.role, starts_on)
        mandate = Mandate.objects.create(
            community_id=body.community_id,
            body=body,
            position=locked,
            seat=seat,
            membership=person,
            chosen_by=chosen_by,
            vote=vote,
            recorded_by=recorded_by,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        if locked.role:
            mandate.role_grant = _grant_for(mandate, membership=person, recorded_by=recorded_by)
            mandate.save(update_fields=["role_grant"])
        journal.record(
            community=body.community,
            actor=recorded_by,
            verb="body.mandate_started",
            target=mandate,
            data={
                "body": body.pk,
                "kind": body.kind,
                "position": locked.title,
                "chosen_by": chosen_by,
                "user": person.user_id,
                "seat": seat,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            },
        )
    forget_access(membership.user)
    return mandate


def _check_election(*, body: Body, chosen_by: str, vote: Vote | None) -> None:
    if chosen_by != ChosenBy.ELECTION:
        return
    if vote is None:
        raise ValidationError(
            _("An elected member's term names the vote that elected them."), code="vote_missing"
        )
    if vote.community_id != body.community_id or vote.closes_at > timezone.now():
        raise ValidationError(
            _("The election must be a closed vote of this community."), code="vote_invalid"
        )


def mandate_start(
    *,
    actor: User,
    position: Position,
    membership: Membership,
    seat: int,
    chosen_by: str,
    starts_on: date,
    ends_on: date | None = None,
    vote: Vote | None = None,
) -> Mandate:
    """A worker records a term (an appointment, an election's result, a founding member); seats
    in the supervision committee and positions giving supervisor or worker roles only from
    above; never on one's own membership."""
    body = position.body
    _require(_manage_perm(body, position.role), actor, body)
    if membership.user_id == actor.pk:
        raise ValidationError(
            _("Nobody can record their own term of office: ask someone else."),
            code="own_membership",
        )
    _check_election(body=body, chosen_by=chosen_by, vote=vote)
    return record_mandate(
        body=body,
        position=position,
        membership=membership,
        seat=seat,
        chosen_by=chosen_by,
        starts_on=starts_on,
        ends_on=ends_on,
        recorded_by=actor,
        vote=vote,
    )


def mandate_end(*, actor: User, mandate: Mandate, reason: str) -> Mandate:
    """End a term early (resignation, moving away, recall): its role ends now."""
    body = mandate.body
    _require(_manage_perm(body, mandate.position.role), actor, body)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the term ends early."), code="reason_missing")
    with transaction.atomic():
        locked = (
            Mandate.objects.in_community(body.community_id).select_for_update().get(pk=mandate.pk)
        )
        now = timezone.now()
        if (
            locked.ended_at is not None
            or selectors.day_start(locked.ends_on + timedelta(days=1)) <= now
        ):
            raise ValidationError(_("This term has already ended."), code="term_ended")
        locked.ended_at, locked.end_reason = now, reason
        locked.save(update_fields=["ended_at", "end_reason"])
        _end_grant(locked, now)
        journal.record(
            community=body.community,
            actor=actor,
            verb="body.mandate_ended",
            target=locked,
            data={
                "body": body.pk,
                "kind": body.kind,
                "user": getattr(selectors.holder(locked), "pk", None),
                "reason": reason,
            },
        )
    forget_access(selectors.holder(locked))
    return locked


def _end_grant(mandate: Mandate, now: Any) -> None:
    grant = mandate.role_grant
    if grant is None:
        return
    if grant.valid_from is not None and grant.valid_from >= now:
        # A term ended before it began never gave its role.
        grant.delete()
        return
    grant.valid_until = now
    grant.save(update_fields=["valid_until"])


# --- Decisions and amendments -----------------------------------------------------------------

_MESSAGES = {
    "outside_charter": lambda p: _(
        "The charter gives this body no power to take this kind of decision."
    ),
    "over_ceiling": lambda p: (
        _("The amount is over the ceiling of ¥%(ceiling)s the charter sets.")
        % {"ceiling": f"{p['ceiling'] / 100:,.2f}"}
    ),
    "topic_not_granted": lambda p: (
        _("The charter gives this body this power only on: %(topics)s.")
        % {"topics": "、".join(p["topics"])}
    ),
    "counts_invalid": lambda p: _("The numbers cannot be negative."),
    "present_over_seated": lambda p: (
        _("%(present)s present, but only %(seated)s members sit in the body on that day.") % p
    ),
    "votes_over_present": lambda p: _("More votes than the %(present)s members present.") % p,
    "no_quorum": lambda p: (
        _(
            "No quorum: %(present)s of %(seated)s seated members present; the charter needs %(percent)s %%."
        )
        % p
    ),
    "threshold_not_met": lambda p: (
        _(
            "Not carried: %(votes_for)s for out of %(base)s; the charter needs %(percent)s %% and more than half."
        )
        % p
    ),
    "amendment_not_met": lambda p: (
        _(
            "The charter is not amended: %(votes_for)s of %(base)s seated members for; its amendment rule "
            "needs %(percent)s %% of them."
        )
        % p
    ),
}


def refusal_error(refusals: list[rules_.Refusal]) -> ValidationError:
    """One error naming every reason, with the first reason's code."""
    text = " ".join(str(_MESSAGES[r.code](r.params)) for r in refusals)
    return ValidationError(text, code=refusals[0].code)


def _require_record(actor: User, body: Body) -> None:
    _require("bodies.record_decision", actor, body)
    if body.dissolved_at is not None:
        raise ValidationError(_("This body has been dissolved."), code="body_dissolved")


def _charter_on(body: Body, decided_on: date) -> Charter:
    if decided_on > timezone.localdate():
        raise ValidationError(
            _("A decision is recorded once it has been taken."), code="decided_in_future"
        )
    charter = selectors.charter_in_force(body=body, on=decided_on)
    if charter is None:
        raise ValidationError(_("The body had no charter on that day."), code="no_charter")
    return charter


def decision_record(
    *,
    actor: User,
    body: Body,
    kind: str,
    title: str,
    text: str,
    decided_on: date,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    amount_fen: int | None = None,
    topic: str = "",
    basis: Iterable[Mapping[str, Any]] = (),
    second_sitting: bool = False,
) -> Decision:
    """Record a decision the body took, if the charter in force that day let it take it, and
    its row in the decision register; ``basis``: the register's links (the meeting, the
    proposal…, ``{"kind", "title", "url"}``). At a ``second_sitting`` (a meeting called again
    after the first had no quorum) the charter's lower second-sitting quorum applies, where it
    has one; a power's own quorum is never lowered."""
    _require_record(actor, body)
    if kind not in decision_kind_registry():
        raise ValidationError(_("Unknown kind of decision."), code="unknown_decision_kind")
    if kind == AMEND_CHARTER:
        raise ValidationError(
            _("A charter is amended by adopting its new version."), code="use_charter_amend"
        )
    if decision_kind_registry()[kind].amount and (amount_fen is None or amount_fen < 0):
        raise ValidationError(_("This kind of decision states its amount."), code="amount_missing")
    if not title.strip():
        raise ValidationError(_("A decision needs a title."), code="title_missing")
    charter = _charter_on(body, decided_on)
    seated = selectors.seated_count(body=body, on=decided_on)
    rules = selectors.rules_of(charter)
    if second_sitting and charter.second_sitting_quorum_percent:
        rules = dataclasses.replace(rules, quorum_percent=charter.second_sitting_quorum_percent)
    refusals = rules_.check_decision(
        rules,
        kind=kind,
        amount_fen=amount_fen,
        topic=topic,
        seated=seated,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    if refusals:
        raise refusal_error(refusals)
    with transaction.atomic():
        decision = Decision.objects.create(
            community_id=body.community_id,
            body=body,
            charter=charter,
            kind=kind,
            title=title.strip(),
            text=text,
            amount_fen=amount_fen,
            topic=topic,
            decided_on=decided_on,
            seated=seated,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            recorded_by=actor,
        )
        _journal_decision(decision, actor=actor)
        _register(decision, basis=basis)
    return decision


def _register(decision: Decision, *, basis: Iterable[Mapping[str, Any]] = ()) -> None:
    """The decision register's row of a body's decision (inside the deciding transaction)."""
    register_decision(
        community_id=decision.community_id,
        kind=decision.kind,
        decided_on=decision.decided_on,
        title=decision.title,
        source=decision,
        url=reverse(
            "body_detail",
            kwargs={"slug": decision.body.community.slug, "body_id": decision.body_id},
        )
        + f"#decision-{decision.pk}",
        body_id=decision.body_id,
        body_name=decision.body.name,
        topic=decision.topic,
        basis=basis,
    )


def _journal_decision(decision: Decision, *, actor: User) -> None:
    journal.record(
        community=decision.body.community,
        actor=actor,
        verb="body.decision_recorded",
        target=decision,
        data={
            "body": decision.body_id,
            "kind": decision.body.kind,
            "decision": decision.kind,
            "amount_fen": decision.amount_fen,
        },
    )


def charter_amend(
    *,
    actor: User,
    body: Body,
    charter: CharterIn,
    decided_on: date,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
) -> Charter:
    """Adopt a new version by the amendment rule of the version in force (versions never
    change); the vote is recorded as a decision of kind ``amend_charter``."""
    _require_record(actor, body)
    _check_numbers(charter)
    _clean_powers(charter.powers)
    with transaction.atomic():
        Body.objects.in_community(body.community_id).select_for_update().get(pk=body.pk)
        previous = _charter_on(body, decided_on)
        latest = selectors.charter_in_force(body=body)
        if latest is None or latest.pk != previous.pk:
            raise ValidationError(
                _("A newer version was adopted after that day: amend the version in force."),
                code="charter_outdated",
            )
        seated = selectors.seated_count(body=body, on=decided_on)
        refusals = rules_.check_amendment(
            selectors.rules_of(previous),
            seated=seated,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
        )
        if refusals:
            raise refusal_error(refusals)
        decision = Decision.objects.create(
            community_id=body.community_id,
            body=body,
            charter=previous,
            kind=AMEND_CHARTER,
            title=_("Charter version %(version)s") % {"version": previous.version + 1},
            text=charter.text,
            decided_on=decided_on,
            seated=seated,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            recorded_by=actor,
        )
        _journal_decision(decision, actor=actor)
        adopted = _new_charter(
            body=body, charter=charter, version=previous.version + 1, by=actor, decision=decision
        )
        _journal_charter(adopted, actor=actor)
        _register(decision)
    return adopted


def power_check(
    *, community_id: int, body_id: int, kind: str, amount_fen: int | None, topic: str
) -> None:
    """``core.decisions.require_power`` for bodies: the charter in force today."""
    body = Body.objects.in_community(community_id).filter(pk=body_id).first()
    if body is None:
        raise ValidationError(_("No such body in this community."), code="outside_charter")
    charter = selectors.charter_in_force(body=body) if body.dissolved_at is None else None
    if charter is None:
        raise ValidationError(
            _("“%(body)s” has no charter in force.") % {"body": body.name}, code="outside_charter"
        )
    refusals = rules_.check_power(
        selectors.rules_of(charter), kind=kind, amount_fen=amount_fen, topic=topic
    )
    if refusals:
        text = " ".join(str(_MESSAGES[r.code](r.params)) for r in refusals)
        raise ValidationError(f"“{body.name}”: {text}", code="outside_charter")
