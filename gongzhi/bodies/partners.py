"""Partners (共建单位, R2.3): the writes and the reads.

A partner (a social organisation, a business, a government body, a volunteer team) lives at
street level: registering one is an act above the communities, journalled in the platform
journal. Everything after is an act in one community, in that community's journal: an
agreement (scope, period, an optional PDF), the services the partner offers its residents,
residents' ratings of them, and contributions — in kind, or money, which goes through the
finance ledger as an income entry that waits for a second person's approval like any other.

Ratings: one per person and service, changeable. The unique constraint decides, and the write
is one ``INSERT … ON CONFLICT DO UPDATE``, so two submissions at once leave one row. An
average is shown only over ``EVALUATION_MIN_CELL`` ratings (default 5): over fewer it says
little, and a neighbour who saw the average before and after someone rated could read that
person's stars.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.bodies.models import (
    Agreement,
    Contribution,
    ContributionKind,
    Partner,
    PartnerKind,
    PartnerService,
    ServiceRating,
)
from gongzhi.core import journal
from gongzhi.core.models import Community, Street
from gongzhi.core.policies import require
from gongzhi.core.uploads import DOCUMENTS, MB, check_upload
from gongzhi.disclosure.models import EntryStatus
from gongzhi.disclosure.money import to_fen
from gongzhi.disclosure.services import LineIn, ledger_entry_record

MAX_DOCUMENT_BYTES = 10 * MB
#: The ledger category a partner's money is entered under.
MONEY_CATEGORY = "donation"


def _text(value: str, *, limit: int, code: str, empty: str | None = None) -> str:
    value = (value or "").strip()
    if not value and empty is not None:
        raise ValidationError(empty, code=f"{code}_empty")
    if len(value) > limit:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": limit},
            code=f"{code}_too_long",
        )
    return value


# --- Partners (street level) -------------------------------------------------------------


def partner_create(
    *,
    actor: User,
    street: Street,
    kind: str,
    name: str,
    description: str = "",
    contact: str = "",
) -> Partner:
    """An official of the street (or a platform admin) registers a partner."""
    require("bodies.register_partner", actor, street)
    if kind not in PartnerKind.values:
        raise ValidationError(_("Choose one of the listed types."), code="partner_kind")
    partner = Partner(
        street=street,
        kind=kind,
        name=_text(name, limit=200, code="name", empty=_("Give the partner's name.")),
        description=_text(description, limit=5000, code="description"),
        contact=_text(contact, limit=200, code="contact"),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            partner.save()
            journal.record_platform(
                actor=actor,
                verb="partner.created",
                target=partner,
                data={"partner": partner.pk, "street": street.pk, "kind": kind},
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("The street already has a partner of this name."), code="partner_name_taken"
        ) from exc
    return partner


# --- Agreements and services (one community) ----------------------------------------------


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on <= starts_on:
        raise ValidationError(
            _("The agreement must end after the day it starts."), code="period_order"
        )


def agreement_sign(
    *,
    actor: User,
    community: Community,
    partner: Partner,
    scope: str,
    starts_on: date,
    ends_on: date,
    document: Any = None,
) -> Agreement:
    """A community worker, or an official overseeing the community, records the agreement."""
    require("bodies.manage_partners", actor, community)
    if partner.street_id != community.street_id:
        raise ValidationError(_("This partner belongs to another street."), code="other_street")
    scope = _text(scope, limit=5000, code="scope", empty=_("Say what the agreement covers."))
    _check_period(starts_on, ends_on)
    upload = (
        check_upload(document, kinds=DOCUMENTS, max_bytes=MAX_DOCUMENT_BYTES)
        if document is not None
        else None
    )
    agreement = Agreement(
        community=community,
        partner=partner,
        scope=scope,
        starts_on=starts_on,
        ends_on=ends_on,
        signed_by=actor,
    )
    written = False
    try:
        with transaction.atomic():
            if upload is not None:
                agreement.document_name = upload.name
                agreement.document.save(upload.name, upload.as_file(), save=False)
                written = True
            agreement.save()
            journal.record(
                community=community,
                actor=actor,
                verb="partner.agreement_signed",
                target=agreement,
                data={"partner": partner.pk, "agreement": agreement.pk},
            )
    except Exception:
        if written:
            agreement.document.delete(save=False)
        raise
    return agreement


def service_add(
    *, actor: User, agreement: Agreement, title: str, description: str = ""
) -> PartnerService:
    """A service the partner offers the community's residents under ``agreement``."""
    require("bodies.manage_partners", actor, agreement)
    title = _text(title, limit=200, code="title", empty=_("Name the service."))
    description = _text(description, limit=5000, code="description")
    with transaction.atomic():
        service = PartnerService.objects.in_community(agreement.community_id).create(
            agreement=agreement, title=title, description=description
        )
        journal.record(
            community=agreement.community,
            actor=actor,
            verb="partner.service_added",
            target=service,
            data={"partner": agreement.partner_id, "agreement": agreement.pk},
        )
    return service


# --- Ratings ---------------------------------------------------------------------------------


def _stars(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationError(_("Give the service from 1 to 5 stars."), code="stars_out_of_range")
    return value


def service_rate(
    *, actor: User, service: PartnerService, stars: int, comment: str = ""
) -> ServiceRating:
    """A verified resident rates a service, or changes their rating (one row per person)."""
    require("bodies.rate_partner_service", actor, service)
    stars = _stars(stars)
    comment = _text(comment, limit=500, code="comment")
    if not service.active:
        raise ValidationError(_("This service is no longer offered."), code="service_inactive")
    rating = ServiceRating(
        community_id=service.community_id,
        service=service,
        user=actor,
        stars=stars,
        comment=comment,
        rated_at=timezone.now(),
    )
    with transaction.atomic():
        # One statement: of two submissions at once, the second updates the first's row.
        ServiceRating.objects.bulk_create(
            [rating],
            update_conflicts=True,
            unique_fields=["service", "user"],
            update_fields=["stars", "comment", "rated_at"],
        )
        journal.record(
            community=service.community,
            actor=actor,
            verb="partner.service_rated",
            target=service,
            data={"service": service.pk, "stars": stars},
        )
    return ServiceRating.objects.in_community(service.community_id).get(service=service, user=actor)


# --- Contributions ---------------------------------------------------------------------------


def _value_fen(kind: str, value: Any) -> int | None:
    fen = None if value in (None, "") else to_fen(value)
    if kind == ContributionKind.MONEY and fen is None:
        raise ValidationError(_("Give the amount of money given."), code="amount_required")
    if fen is not None and fen <= 0:
        raise ValidationError(_("The value must be more than 0 yuan."), code="amount_not_positive")
    return fen


def _check_given_on(agreement: Agreement, given_on: date) -> None:
    if given_on > timezone.localdate():
        raise ValidationError(_("The date is in the future."), code="future_date")
    if not agreement.starts_on <= given_on <= agreement.ends_on:
        raise ValidationError(
            _("The contribution must fall within the agreement's period."),
            code="outside_agreement",
        )


def contribution_record(
    *,
    actor: User,
    community: Community,
    agreement: Agreement,
    kind: str,
    description: str,
    given_on: date,
    value: Any = None,
    voucher: Any = None,
) -> Contribution:
    """A community worker records what a partner gave. Money becomes an income entry in the
    ledger (category donations), awaiting a second person's approval; ``voucher`` is its
    receipt, which the ledger wants before approval."""
    require("bodies.record_contribution", actor, community)
    if agreement.community_id != community.pk:
        raise ValidationError(
            _("This agreement belongs to another community."), code="other_community"
        )
    if kind not in ContributionKind.values:
        raise ValidationError(_("Choose money or in kind."), code="contribution_kind")
    description = _text(description, limit=300, code="description", empty=_("Say what was given."))
    value_fen = _value_fen(kind, value)
    _check_given_on(agreement, given_on)
    with transaction.atomic():
        entry = None
        if kind == ContributionKind.MONEY:
            entry = ledger_entry_record(
                actor=actor,
                community=community,
                kind="income",
                occurred_on=given_on,
                counterparty=agreement.partner.name,
                description=description,
                total=value,
                lines=[LineIn(MONEY_CATEGORY, value)],
                voucher=voucher,
            )
        contribution = Contribution.objects.in_community(community).create(
            agreement=agreement,
            kind=kind,
            description=description,
            value_fen=value_fen,
            ledger_entry=entry,
            given_on=given_on,
            recorded_by=actor,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="partner.contribution_recorded",
            target=contribution,
            data={
                "partner": agreement.partner_id,
                "agreement": agreement.pk,
                "kind": kind,
                "value_fen": value_fen,
                "entry": entry and entry.pk,
            },
        )
    return contribution


# --- Reads -----------------------------------------------------------------------------------


def min_ratings() -> int:
    """Under this many ratings a service's average is not shown (``EVALUATION_MIN_CELL``)."""
    return int(getattr(settings, "EVALUATION_MIN_CELL", 5))


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None  # None: fewer ratings than ``min_ratings()``

    @classmethod
    def of(cls, count: int | None, average: float | None) -> RatingSummary:
        count = count or 0
        shown = round(average, 1) if average is not None and count >= min_ratings() else None
        return cls(count=count, average=shown)


def _rated(services: QuerySet[PartnerService]) -> QuerySet[PartnerService]:
    return services.annotate(rating_count=Count("ratings"), rating_average=Avg("ratings__stars"))


def summary(service: PartnerService) -> RatingSummary:
    """The rating summary of a service read through ``_rated``."""
    return RatingSummary.of(
        getattr(service, "rating_count", 0), getattr(service, "rating_average", None)
    )


def agreement_status(agreement: Agreement, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if today < agreement.starts_on:
        return "upcoming"
    return "active" if today <= agreement.ends_on else "expired"


@dataclass
class AgreementRow:
    agreement: Agreement
    status: str
    services: list[tuple[PartnerService, RatingSummary]] = field(default_factory=list)


def community_agreements(*, community: Community, in_force_only: bool) -> list[AgreementRow]:
    """The community's agreements with their partners and active services (rated)."""
    today = timezone.localdate()
    agreements = Agreement.objects.in_community(community).select_related("partner")
    if in_force_only:
        agreements = agreements.filter(starts_on__lte=today, ends_on__gte=today)
    rows = {a.pk: AgreementRow(a, agreement_status(a, today)) for a in agreements}
    services = _rated(
        PartnerService.objects.in_community(community).filter(agreement__in=list(rows), active=True)
    )
    for service in services:
        rows[service.agreement_id].services.append((service, summary(service)))
    return list(rows.values())


def partner_choices(*, community: Community) -> QuerySet[Partner]:
    """The partners an agreement of this community may be signed with: its street's."""
    return Partner.objects.filter(street_id=community.street_id)


def agreement_get(*, community: Community, agreement_id: int) -> Agreement:
    agreement = (
        Agreement.objects.in_community(community)
        .select_related("partner", "community")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        raise Http404
    return agreement


def service_get(*, community: Community, service_id: int) -> PartnerService:
    service = (
        PartnerService.objects.in_community(community)
        .select_related("agreement__partner", "community")
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise Http404
    return service


def my_ratings(*, community: Community, user: Any) -> dict[int, ServiceRating]:
    if not getattr(user, "is_authenticated", False):
        return {}
    ratings = ServiceRating.objects.in_community(community).filter(user=user)
    return {r.service_id: r for r in ratings}


def service_comments(*, agreement: Agreement) -> dict[int, list[str]]:
    """Residents' comments on the agreement's services, newest first, for the community's
    staff: without names or stars."""
    ratings = (
        ServiceRating.objects.in_community(agreement.community_id)
        .filter(service__agreement=agreement)
        .exclude(comment="")
        .order_by("-rated_at")
    )
    comments: dict[int, list[str]] = defaultdict(list)
    for service_id, comment in ratings.values_list("service_id", "comment"):
        comments[service_id].append(comment)
    return dict(comments)


def agreement_contributions(*, agreement: Agreement) -> QuerySet[Contribution]:
    return (
        Contribution.objects.in_community(agreement.community_id)
        .filter(agreement=agreement)
        .select_related("ledger_entry")
    )


# --- The street's view -----------------------------------------------------------------------


@dataclass
class StreetPartner:
    partner: Partner
    agreements: list[AgreementRow] = field(default_factory=list)
    money_fen: int = 0  # from approved ledger entries only
    money_pending: int = 0  # money contributions whose entry awaits approval (or was refused)
    in_kind: list[Contribution] = field(default_factory=list)


def street_partners(*, street: Street) -> list[StreetPartner]:
    """Every partner of the street, with its agreements in each community (active or
    expired), their services and ratings, and what it contributed."""
    today = timezone.localdate()
    rows = {p.pk: StreetPartner(p) for p in Partner.objects.filter(street=street)}
    communities = Community.objects.filter(street=street)
    agreements = {
        a.pk: AgreementRow(a, agreement_status(a, today))
        for a in Agreement.objects.in_communities(communities).select_related("community")
    }
    for row in agreements.values():
        rows[row.agreement.partner_id].agreements.append(row)
    services = _rated(PartnerService.objects.in_communities(communities))
    for service in services:
        agreements[service.agreement_id].services.append((service, summary(service)))
    _add_contributions(rows, agreements, communities)
    return list(rows.values())


def _add_contributions(
    rows: dict[int, StreetPartner],
    agreements: dict[int, AgreementRow],
    communities: QuerySet[Community],
) -> None:
    contributions = Contribution.objects.in_communities(communities).select_related(
        "ledger_entry", "community"
    )
    pending: dict[int, int] = defaultdict(int)
    for contribution in contributions:
        row = rows[agreements[contribution.agreement_id].agreement.partner_id]
        if contribution.kind == ContributionKind.IN_KIND:
            row.in_kind.append(contribution)
        elif contribution.ledger_entry and contribution.ledger_entry.status == EntryStatus.APPROVED:
            row.money_fen += contribution.ledger_entry.total_fen
        else:
            pending[row.partner.pk] += 1
    for partner_id, count in pending.items():
        rows[partner_id].money_pending = count
