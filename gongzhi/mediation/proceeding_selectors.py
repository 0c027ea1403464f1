"""Reads of the proceedings part that the pages and the API share: a case's sessions, agreement,
signatures, follow-ups and attachments (each fetched only through a case the reader may see:
anything else is the same 404 as a missing row), the context of the case page's partial, and
the agreement's PDF (人民调解协议书).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.mediation import proceedings
from gongzhi.mediation.models import (
    Agreement,
    Attachment,
    Case,
    CaseStatus,
    Confirmation,
    FollowUp,
    MediationCommittee,
    Party,
    Side,
    Sitting,
)
from gongzhi.mediation.policies import can_view, is_case_mediator, is_committee_head


def _visible(user: Any, case: Case) -> Case:
    if not can_view(user, case):
        raise Http404
    return case


def case_get(*, community: Any, user: Any, case_id: int) -> Case:
    case = Case.objects.in_community(community).select_related("community").filter(pk=case_id)
    found = case.first()
    if found is None:
        raise Http404
    return _visible(user, found)


def sitting_get(*, community: Any, user: Any, sitting_id: int) -> Sitting:
    sitting = (
        Sitting.objects.in_community(community)
        .select_related("case", "case__community")
        .filter(pk=sitting_id)
        .first()
    )
    if sitting is None:
        raise Http404
    _visible(user, sitting.case)
    return sitting


def agreement_get(*, community: Any, user: Any, agreement_id: int) -> Agreement:
    agreement = (
        Agreement.objects.in_community(community)
        .select_related("case", "case__community", "mediator_signed_by", "sealed_by")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        raise Http404
    _visible(user, agreement.case)
    return agreement


def attachment_get(*, community: Any, user: Any, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.in_community(community)
        .select_related("case")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404
    _visible(user, attachment.case)
    return attachment


def confirmation_get(*, community: Any, user: Any, confirmation_id: int) -> Confirmation:
    confirmation = (
        Confirmation.objects.in_community(community)
        .select_related("party__case")
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None:
        raise Http404
    _visible(user, confirmation.party.case)
    return confirmation


def party_get(case: Case, party_id: int) -> Party:
    party = Party.objects.in_community(case.community_id).filter(case=case, pk=party_id).first()
    if party is None:
        raise Http404
    return party


def agreement_of(case: Case) -> Agreement | None:
    return (
        Agreement.objects.in_community(case.community_id)
        .select_related("mediator_signed_by", "sealed_by")
        .filter(case=case)
        .first()
    )


def party_label(party: Party) -> str:
    side = _("Applicant") if party.side == Side.APPLICANT else _("Respondent")
    return f"{side}: {party.name}"


@dataclass
class SittingView:
    sitting: Sitting
    confirmed: list[Confirmation]
    unconfirmed: list[Party]
    mine_pending: bool


@dataclass
class Proceedings:
    """What the case page's partial shows to one viewer."""

    case: Case
    parties: list[Party]
    own: Party | None
    mediator: bool
    head: bool
    overdue: bool
    sittings: list[SittingView] = field(default_factory=list)
    agreement: Agreement | None = None
    signatures: list[Confirmation] = field(default_factory=list)
    unsigned: list[Party] = field(default_factory=list)
    own_signed: bool = False
    follow_ups: list[FollowUp] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.case.status == CaseStatus.ACCEPTED

    @property
    def agreed(self) -> bool:
        return self.case.status == CaseStatus.AGREED

    @property
    def can_seal(self) -> bool:
        return (
            self.head
            and self.open
            and self.agreement is not None
            and self.agreement.sealed_at is None
            and not self.unsigned
            and self.agreement.mediator_signed_at is not None
        )

    @property
    def can_withdraw(self) -> bool:
        return (
            self.own is not None
            and self.own.side == Side.APPLICANT
            and self.case.status in (CaseStatus.APPLIED, CaseStatus.ACCEPTED)
        )


def proceedings_of(case: Case, user: Any) -> Proceedings:
    """Everything of the proceedings ``user`` (a viewer of ``case``) may see: all of it."""
    _visible(user, case)
    cid = case.community_id
    parties = list(
        Party.objects.in_community(cid).filter(case=case).select_related("person").order_by("pk")
    )
    own = next((p for p in parties if p.person_id is not None and p.person_id == user.pk), None)
    confirmations = list(
        Confirmation.objects.in_community(cid)
        .filter(party__case=case)
        .select_related("party")
        .order_by("confirmed_at", "pk")
    )
    view = Proceedings(
        case=case,
        parties=parties,
        own=own,
        mediator=bool(is_case_mediator(user, case)),
        head=bool(is_committee_head(user, case)),
        overdue=proceedings.is_overdue(case),
    )
    for sitting in Sitting.objects.in_community(cid).filter(case=case).order_by("held_at", "pk"):
        confirmed = [c for c in confirmations if c.sitting_id == sitting.pk]
        done = {c.party_id for c in confirmed}
        view.sittings.append(
            SittingView(
                sitting=sitting,
                confirmed=confirmed,
                unconfirmed=[p for p in parties if p.pk not in done],
                mine_pending=own is not None and own.pk not in done,
            )
        )
    view.agreement = agreement_of(case)
    if view.agreement is not None:
        view.signatures = [c for c in confirmations if c.agreement_id == view.agreement.pk]
        signed = {c.party_id for c in view.signatures}
        view.unsigned = [p for p in parties if p.pk not in signed]
        view.own_signed = own is not None and own.pk in signed
    view.follow_ups = list(
        FollowUp.objects.in_community(cid).filter(case=case).order_by("visited_on", "pk")
    )
    view.attachments = list(
        Attachment.objects.in_community(cid).filter(case=case).order_by("uploaded_at", "pk")
    )
    return view


# --- the agreement's PDF ------------------------------------------------------------------------


def _seal_bytes(case: Case) -> bytes:
    committee = MediationCommittee.objects.in_community(case.community_id).first()
    if committee is None or not committee.seal:
        return b""
    try:
        with committee.seal.open("rb") as handle:
            data: bytes = handle.read()
    except (FileNotFoundError, OSError):
        return b""
    return data


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def agreement_pdf_bytes(agreement: Agreement) -> bytes:
    """人民调解协议书 (art. 29): number, parties, facts, terms, performance and deadline, the
    signatures (who, when, how), the committee's seal (or a line for it) and the art. 33
    notice on judicial confirmation."""
    from gongzhi.core.pdf import Heading, Image, Paragraph, Table, render_pdf

    case = agreement.case
    parties = list(Party.objects.in_community(case.community_id).filter(case=case).order_by("pk"))
    signatures = {
        c.party_id: c
        for c in Confirmation.objects.in_community(case.community_id).filter(agreement=agreement)
    }
    blocks: list[Any] = [
        Paragraph(_("Number: %(number)s") % {"number": case.number}),
        *(
            []
            if agreement.sealed_at is not None
            else [Paragraph(_("Draft: not in effect until signed and sealed."))]
        ),
        Heading(_("The parties")),
        *[Paragraph(party_label(p)) for p in parties],
        Heading(_("The facts, the dispute and the responsibilities")),
        Paragraph(agreement.facts),
        Heading(_("The rights and duties agreed")),
        Paragraph(agreement.terms),
        Heading(_("How and by when it will be performed")),
        Paragraph(agreement.performance),
        Paragraph(_("To be performed by %(date)s.") % {"date": agreement.perform_by.isoformat()}),
        Heading(_("Signatures")),
    ]
    rows = []
    for p in parties:
        signed = signatures.get(p.pk)
        rows.append(
            [
                party_label(p),
                _when(signed.confirmed_at) if signed else "",
                signed.get_via_display() if signed else _("not signed"),
            ]
        )
    mediator = agreement.mediator_signed_by
    rows.append(
        [
            _("Mediator: %(name)s") % {"name": mediator.display_name or str(mediator)}
            if mediator
            else _("Mediator"),
            _when(agreement.mediator_signed_at),
            _("signed") if agreement.mediator_signed_at else _("not signed"),
        ]
    )
    blocks.append(Table([_("Who"), _("Date"), _("How")], rows, widths=(3, 1, 2)))
    committee = MediationCommittee.objects.in_community(case.community_id).first()
    issuer = committee.body.name if committee is not None else _("People's mediation committee")
    seal = _seal_bytes(case)
    if agreement.sealed_at is not None and seal:
        blocks.append(Image(seal, width=40, caption=f"{issuer} {_when(agreement.sealed_at)}"))
    else:
        blocks.append(
            Paragraph(
                _("%(committee)s (seal)    %(date)s")
                % {"committee": issuer, "date": _when(agreement.sealed_at)}
            )
        )
    blocks.append(
        Paragraph(
            _(
                "Under article 33 of the People's Mediation Law, the parties may, within 30 days "
                "of this agreement taking effect, jointly apply to the people's court for judicial "
                "confirmation of it."
            )
        )
    )
    return render_pdf(_("People's mediation agreement"), blocks, author=issuer)
