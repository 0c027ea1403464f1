"""Incubation of resident organisations (孵化, R5.1): services and selectors.

An organisation grows from an idea a verified resident proposes: it is a ``Body`` (kind
organisation or interest group) with an ``Incubation`` row; its founders are terms of office
(``ChosenBy.FOUNDING``) on its position 发起人, recorded through ``services.record_mandate`` so
their history stays like any body's. Stages follow ``models.STAGE_STEPS``; a community worker
moves them — never a founder of that organisation (a second person decides) — and each move is
a ``StageChange`` and a journal entry ``incubation.stage_changed {"body", "from", "to"}``. A
small grant is an expenditure in the finance ledger (``disclosure.services.ledger_entry_record``),
which waits for a second person's approval like any other. Filed and active organisations report
once a year.

Every write locks the ``Incubation`` row first, so two residents joining at once get two seats
and one resident joining twice gets one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies import services as body_services
from gongzhi.bodies.incubation_policies import founded_by, serves_in
from gongzhi.bodies.models import (
    STAGE_STEPS,
    AnnualReport,
    Body,
    BodyKind,
    ChosenBy,
    Incubation,
    Mandate,
    Position,
    Stage,
    StageChange,
    Support,
    SupportKind,
    ThresholdBase,
    VacancyRule,
)
from gongzhi.core import journal
from gongzhi.core.models import Community, Membership
from gongzhi.core.policies import require

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: The kinds of body a resident may propose.
ORGANISATION_KINDS = (BodyKind.ORGANISATION, BodyKind.INTEREST_GROUP)
#: The position every founder holds (no role: founding gives no power in the community).
FOUNDER_TITLE = "发起人"
FOUNDING_TERM_MONTHS = 36
#: The stages in which founders still join.
FOUNDING_STAGES = (Stage.IDEA, Stage.INCUBATING)
#: The stages that report every year.
REPORTING_STAGES = (Stage.FILED, Stage.ACTIVE)
GRANT_CATEGORY = "activities"
MAX_NAME = 120
MAX_PURPOSE = 2000
MAX_NOTE = 300
MAX_REPORT = 5000
MAX_COUNT = 1_000_000


# --- Helpers ------------------------------------------------------------------------------


def _text(value: str, *, limit: int, empty: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(empty, code=code)
    if len(value) > limit:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": limit}, code=code
        )
    return value


def _lock(incubation: Incubation) -> Incubation:
    return (
        Incubation.objects.in_community(incubation.community_id)
        .select_for_update()
        .select_related("body", "community")
        .get(pk=incubation.pk)
    )


def _not_founder(actor: User, incubation: Incubation) -> None:
    if founded_by(actor, incubation):
        raise ValidationError(
            _("You are a founder of this organisation: another community worker decides about it."),
            code="own_organisation",
        )


def _membership(user: User, community_id: int) -> Membership | None:
    return Membership.objects.in_community(community_id).filter(user=user).first()


def _founding_charter() -> body_services.CharterIn:
    return body_services.CharterIn(
        powers=[],
        quorum_percent=50,
        threshold_percent=50,
        threshold_base=ThresholdBase.PRESENT,
        amendment_percent=67,
        meeting_every_days=90,
        term_months=FOUNDING_TERM_MONTHS,
        vacancy_rule=VacancyRule.APPOINTMENT,
        text=_("Founding rules while the organisation is incubated; its members adopt their own."),
    )


def in_force_q(today: date | None = None, prefix: str = "") -> Q:
    """Terms of office in force on ``today``."""
    today = today or timezone.localdate()
    return Q(
        **{
            f"{prefix}ended_at__isnull": True,
            f"{prefix}starts_on__lte": today,
            f"{prefix}ends_on__gte": today,
        }
    )


def founders_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}chosen_by": ChosenBy.FOUNDING}) & in_force_q(prefix=prefix)


def founder_count(incubation: Incubation) -> int:
    return (
        Mandate.objects.in_community(incubation.community_id)
        .filter(founders_q(), body_id=incubation.body_id)
        .count()
    )


def _add_founder(*, incubation: Incubation, user: User, recorded_by: User) -> Mandate:
    """A new seat on the position 发起人 for ``user`` (the incubation row is locked)."""
    membership = _membership(user, incubation.community_id)
    if membership is None or membership.verified_at is None:
        raise PermissionDenied(_("Only verified residents of this community found organisations."))
    position = Position.objects.in_community(incubation.community_id).get(
        body_id=incubation.body_id, title=FOUNDER_TITLE
    )
    seat = Mandate.objects.in_community(incubation.community_id).filter(position=position).count()
    seat += 1
    if seat > position.seats:
        Position.objects.in_community(incubation.community_id).filter(pk=position.pk).update(
            seats=F("seats") + 1
        )
        position.refresh_from_db()
    return body_services.record_mandate(
        body=incubation.body,
        position=position,
        membership=membership,
        seat=seat,
        chosen_by=ChosenBy.FOUNDING,
        starts_on=timezone.localdate(),
        ends_on=None,
        recorded_by=recorded_by,
    )


# --- Services -----------------------------------------------------------------------------


def organisation_propose(
    *, actor: User, community: Community, kind: str, name: str, purpose: str
) -> Incubation:
    """A verified resident proposes an organisation and becomes its first founder."""
    require(
        "bodies.propose_organisation",
        actor,
        community,
        _("Only verified residents of this community propose organisations."),
    )
    if kind not in ORGANISATION_KINDS:
        raise ValidationError(
            _("Choose a resident organisation or an interest group."), code="kind"
        )
    name = _text(name, limit=MAX_NAME, empty=_("Give the organisation a name."), code="name")
    purpose = _text(
        purpose, limit=MAX_PURPOSE, empty=_("Say what the organisation is for."), code="purpose"
    )
    if Body.objects.in_community(community).filter(name=name).exists():
        raise _name_taken(name)
    try:
        with transaction.atomic():
            incubation = _propose(
                actor=actor, community=community, kind=kind, name=name, purpose=purpose
            )
    except IntegrityError as exc:
        raise _name_taken(name) from exc
    return incubation


def _name_taken(name: str) -> ValidationError:
    return ValidationError(
        _("The community already has a body called “%(name)s”.") % {"name": name},
        code="name_taken",
    )


def _propose(
    *, actor: User, community: Community, kind: str, name: str, purpose: str
) -> Incubation:
    body = body_services.record_body(
        community=community,
        kind=kind,
        name=name,
        purpose=purpose,
        charter=_founding_charter(),
        created_by=actor,
    )
    Position.objects.in_community(community).create(body=body, title=FOUNDER_TITLE, seats=1)
    incubation = Incubation.objects.in_community(community).create(body=body)
    StageChange.objects.in_community(community).create(
        incubation=incubation, from_stage="", to_stage=Stage.IDEA, by=actor
    )
    journal.record(
        community=community,
        actor=actor,
        verb="incubation.proposed",
        target=body,
        data={"body": body.pk, "kind": kind},
    )
    incubation = _lock(incubation)
    _add_founder(incubation=incubation, user=actor, recorded_by=actor)
    return incubation


def founder_join(*, actor: User, incubation: Incubation) -> Mandate:
    """A verified resident joins as a founding member, once, while the organisation is an idea
    or incubating."""
    require(
        "bodies.propose_organisation",
        actor,
        incubation.community,
        _("Only verified residents of this community found organisations."),
    )
    with transaction.atomic():
        incubation = _lock(incubation)
        if incubation.stage not in FOUNDING_STAGES:
            raise ValidationError(
                _("This organisation has passed its founding: ask its founders to join it."),
                code="founding_closed",
            )
        if founded_by(actor, incubation):
            raise ValidationError(
                _("You are already a founder of this organisation."), code="already_founder"
            )
        if incubation.mentor_id == actor.pk:
            raise ValidationError(
                _("You are this organisation's mentor: a mentor is not one of its founders."),
                code="mentor_cannot_found",
            )
        mandate = _add_founder(incubation=incubation, user=actor, recorded_by=actor)
        journal.record(
            community=incubation.community,
            actor=actor,
            verb="incubation.founder_joined",
            target=incubation.body,
            data={"body": incubation.body_id},
        )
    return mandate


def mentor_assign(*, actor: User, incubation: Incubation, mentor: User) -> Incubation:
    """A community worker names the organisation's mentor: a member of the community (a
    worker, a partner's contact, an experienced resident) who is none of its founders."""
    require("bodies.manage_incubation", actor, incubation.community)
    with transaction.atomic():
        incubation = _lock(incubation)
        _not_founder(actor, incubation)
        if _membership(mentor, incubation.community_id) is None:
            raise ValidationError(
                _("The mentor must be a member of this community."), code="mentor_not_member"
            )
        if founded_by(mentor, incubation):
            raise ValidationError(
                _("A founder cannot mentor their own organisation: choose someone else."),
                code="mentor_is_founder",
            )
        incubation.mentor = mentor
        incubation.save(update_fields=["mentor"])
        journal.record(
            community=incubation.community,
            actor=actor,
            verb="incubation.mentor_assigned",
            target=incubation.body,
            data={"body": incubation.body_id, "mentor": mentor.pk},
        )
        _tell([mentor], incubation, "mentor", {})
    return incubation


def _check_step(incubation: Incubation, to: str, filing_number: str) -> None:
    current = Stage(incubation.stage)
    if to not in Stage.values or to not in STAGE_STEPS[current]:
        raise ValidationError(
            _("An organisation cannot move from “%(from)s” to this stage.")
            % {"from": current.label},
            code="stage_step",
        )
    if to == Stage.INCUBATING:
        _check_ready(incubation)
    if to in (Stage.FILED, Stage.ACTIVE) and not (filing_number or incubation.filing_number):
        raise ValidationError(
            _("Give the filing number (备案号) the street gave the organisation."),
            code="filing_number_missing",
        )


def _check_ready(incubation: Incubation) -> None:
    founders = founder_count(incubation)
    if founders < incubation.min_founders:
        raise ValidationError(
            _("An organisation is incubated with at least %(min)d founders; it has %(n)d.")
            % {"min": incubation.min_founders, "n": founders},
            code="too_few_founders",
        )
    if incubation.mentor_id is None:
        raise ValidationError(
            _("Assign a mentor before the organisation is incubated."), code="no_mentor"
        )


def stage_move(
    *, actor: User, incubation: Incubation, to: str, note: str, filing_number: str = ""
) -> StageChange:
    """A community worker who is none of its founders moves the organisation to the next
    stage (``STAGE_STEPS``), saying why."""
    require("bodies.manage_incubation", actor, incubation.community)
    note = _text(note, limit=MAX_NOTE, empty=_("Say why the stage changes."), code="note")
    filing_number = (filing_number or "").strip()
    if len(filing_number) > 60:
        raise ValidationError(
            _("The filing number is too long: at most 60 characters."), code="filing_number"
        )
    with transaction.atomic():
        incubation = _lock(incubation)
        _not_founder(actor, incubation)
        _check_step(incubation, to, filing_number)
        change = _record_move(actor, incubation, to, note, filing_number)
    return change


def _record_move(
    actor: User, incubation: Incubation, to: str, note: str, filing_number: str
) -> StageChange:
    before = incubation.stage
    incubation.stage = to
    if filing_number:
        incubation.filing_number = filing_number
    incubation.save(update_fields=["stage", "filing_number"])
    change = StageChange.objects.in_community(incubation.community_id).create(
        incubation=incubation, from_stage=before, to_stage=to, note=note, by=actor
    )
    journal.record(
        community=incubation.community,
        actor=actor,
        verb="incubation.stage_changed",
        target=incubation.body,
        data={"body": incubation.body_id, "from": before, "to": to},
    )
    founders = [m.membership.user for m in founders_of(incubation) if m.membership is not None]
    _tell(founders, incubation, "stage", {"stage": Stage(to).label})
    return change


def support_give(
    *,
    actor: User,
    incubation: Incubation,
    kind: str,
    description: str,
    given_on: date,
    amount: Any = None,
) -> Support:
    """A community worker records support given: space, training, advice, other help, or a
    small grant, which is entered in the finance ledger as an expenditure (approved there by a
    second person)."""
    require("bodies.manage_incubation", actor, incubation.community)
    if kind not in SupportKind.values:
        raise ValidationError(_("Choose the kind of support."), code="kind")
    description = _text(
        description, limit=MAX_NOTE, empty=_("Say what support was given."), code="description"
    )
    if given_on > timezone.localdate():
        raise ValidationError(
            _("Record support once it is given: the date cannot be in the future."),
            code="future_date",
        )
    has_amount = amount not in (None, "")
    if kind == SupportKind.GRANT and not has_amount:
        raise ValidationError(_("Give the amount of the grant."), code="amount_missing")
    if kind != SupportKind.GRANT and has_amount:
        raise ValidationError(
            _("Only a grant has an amount; describe other support in words."), code="amount"
        )
    with transaction.atomic():
        incubation = _lock(incubation)
        _not_founder(actor, incubation)
        entry = (
            _grant_entry(actor, incubation, description, given_on, amount) if has_amount else None
        )
        support = Support.objects.in_community(incubation.community_id).create(
            incubation=incubation,
            kind=kind,
            description=description,
            amount_fen=entry.total_fen if entry is not None else None,
            ledger_entry=entry,
            given_on=given_on,
            recorded_by=actor,
        )
        journal.record(
            community=incubation.community,
            actor=actor,
            verb="incubation.support_given",
            target=incubation.body,
            data={"body": incubation.body_id, "kind": kind, "amount_fen": support.amount_fen},
        )
    return support


def _grant_entry(
    actor: User, incubation: Incubation, description: str, given_on: date, amount: Any
) -> Any:
    from gongzhi.disclosure.services import LineIn, ledger_entry_record

    return ledger_entry_record(
        actor=actor,
        community=incubation.community,
        kind="expenditure",
        occurred_on=given_on,
        counterparty=incubation.body.name,
        description=description,
        total=amount,
        lines=[LineIn(category=GRANT_CATEGORY, amount=amount)],
    )


def _check_counts(**counts: int) -> None:
    for value in counts.values():
        if not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise ValidationError(
                _("Counts are whole numbers from 0 to %(max)d.") % {"max": MAX_COUNT},
                code="count",
            )


def report_submit(
    *,
    actor: User,
    incubation: Incubation,
    year: int,
    members: int,
    activities: int,
    participants: int,
    text: str,
) -> AnnualReport:
    """A founder or leader of a filed or active organisation reports a year, once."""
    if not serves_in(actor, incubation):
        raise PermissionDenied(_("Only the organisation's founders and leaders report for it."))
    _check_counts(members=members, activities=activities, participants=participants)
    text = _text(text, limit=MAX_REPORT, empty=_("Write what the organisation did."), code="text")
    first = timezone.localtime(incubation.started_at).year
    if not first <= year <= timezone.localdate().year:
        raise ValidationError(
            _("Report a year from %(first)d to this year.") % {"first": first}, code="year"
        )
    try:
        with transaction.atomic():
            report = _report(actor, incubation, year, members, activities, participants, text)
    except IntegrityError as exc:
        raise _report_taken(year) from exc
    return report


def _report_taken(year: int) -> ValidationError:
    return ValidationError(
        _("The report for %(year)d has already been submitted.") % {"year": year},
        code="report_year_taken",
    )


def _report(
    actor: User,
    incubation: Incubation,
    year: int,
    members: int,
    activities: int,
    participants: int,
    text: str,
) -> AnnualReport:
    incubation = _lock(incubation)
    if incubation.stage not in REPORTING_STAGES:
        raise ValidationError(
            _("Filed and active organisations report; this one is “%(stage)s”.")
            % {"stage": Stage(incubation.stage).label},
            code="report_stage",
        )
    reports = AnnualReport.objects.in_community(incubation.community_id)
    if reports.filter(incubation=incubation, year=year).exists():
        raise _report_taken(year)
    report = reports.create(
        incubation=incubation,
        year=year,
        members=members,
        activities=activities,
        participants=participants,
        text=text,
        submitted_by=actor,
    )
    journal.record(
        community=incubation.community,
        actor=actor,
        verb="incubation.report_submitted",
        target=incubation.body,
        data={"body": incubation.body_id, "year": year},
    )
    return report


def _tell(users: list[Any], incubation: Incubation, message: str, params: dict[str, Any]) -> None:
    if not users:
        return
    from django.urls import reverse

    from gongzhi.notifications.services import notify

    notify(
        users=users,
        community=incubation.community,
        kind="incubation",
        message=message,
        params={"name": incubation.body.name, **params},
        url=reverse(
            "incubation_detail",
            kwargs={"slug": incubation.community.slug, "body_id": incubation.body_id},
        ),
    )


# --- Selectors ----------------------------------------------------------------------------


def organisations(community: Community) -> QuerySet[Incubation]:
    """The community's incubated organisations, with their body, mentor and founders counted."""
    return (
        Incubation.objects.in_community(community)
        .select_related("body", "mentor")
        .annotate(
            founders=Count("body__mandates", filter=founders_q("body__mandates__"), distinct=True)
        )
        .order_by("body__name", "pk")
    )


def organisations_by_stage(community: Community) -> list[tuple[Stage, list[Incubation]]]:
    grouped: dict[str, list[Incubation]] = defaultdict(list)
    for incubation in organisations(community):
        grouped[incubation.stage].append(incubation)
    return [(stage, grouped[stage.value]) for stage in Stage]


def organisation_get(*, community: Community, body_id: int) -> Incubation:
    incubation = (
        organisations(community)
        .prefetch_related(
            Prefetch(
                "changes", queryset=StageChange.objects.in_community(community).select_related("by")
            ),
            "supports__ledger_entry",
            "reports",
        )
        .filter(body_id=body_id)
        .first()
    )
    if incubation is None:
        raise Http404
    return incubation


def founders_of(incubation: Incubation) -> list[Mandate]:
    """Founders with a term in force, the first proposer first."""
    return list(
        Mandate.objects.in_community(incubation.community_id)
        .filter(founders_q(), body_id=incubation.body_id)
        .select_related("membership__user")
        .order_by("seat", "pk")
    )


@dataclass(frozen=True)
class GrowthRow:
    year: int
    founded: int
    became_active: int
    went_dormant: int
    active_at_end: int


def growth(community: Community) -> list[GrowthRow]:
    """Each year since the first proposal: organisations founded (proposed), that became
    active, that went dormant, and how many were active at the year's end (or today)."""
    changes = list(
        StageChange.objects.in_community(community)
        .order_by("at", "pk")
        .values_list("incubation_id", "to_stage", "at")
    )
    if not changes:
        return []
    moved: dict[tuple[int, str], set[int]] = defaultdict(set)
    stage_at_end: dict[int, dict[int, str]] = defaultdict(dict)
    for incubation_id, to_stage, at in changes:
        year = timezone.localtime(at).year
        moved[(year, to_stage)].add(incubation_id)
        stage_at_end[year][incubation_id] = to_stage
    first = timezone.localtime(changes[0][2]).year
    rows: list[GrowthRow] = []
    stages: dict[int, str] = {}
    for year in range(first, timezone.localdate().year + 1):
        stages.update(stage_at_end.get(year, {}))
        rows.append(
            GrowthRow(
                year=year,
                founded=len(moved[(year, Stage.IDEA)]),
                became_active=len(moved[(year, Stage.ACTIVE)]),
                went_dormant=len(moved[(year, Stage.DORMANT)]),
                active_at_end=sum(1 for s in stages.values() if s == Stage.ACTIVE),
            )
        )
    return rows
