"""What mediation holds about a person (see ``core.privacy``).

The copy: the person's own cases as a party (number, kind, how it came in, status, dates, their
own party row, the summary, the notes of the sessions, their confirmations and the agreement);
the other party is only ever "the other party" (no name, contact or account); the cases they
mediated (number and dates of their assignment, nothing of the case); the committee they head.

Erasure: a party is unlinked from their cases (``Party.person`` emptied) and their contact
details are emptied; the name written on the party row stays, sealed, until the case's retention
period ends (``mediation_purge``): the case and its agreement are the other party's record too
(they may ask a court to confirm it: 人民调解法 art. 33), so one party's erasure cannot destroy
them. What a person did as a mediator, the committee's head or the worker who registered a case
(assignments, sessions recorded, agreements drafted, signed or sealed, follow-ups, attachments)
stays, pointing at the tombstone account: acts of office, in the journal too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.mediation.models import (
    Agreement,
    Assignment,
    Confirmation,
    MediationCommittee,
    Party,
    Sitting,
)

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (an act of office: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        # exported; erased by unlinking the person from the party row
        "mediation.Party.person",
        # acts of office, kept (exported where they are the person's own role)
        "mediation.MediationCommittee.head",
        "mediation.MediationCommittee.appointed_by",
        "mediation.Assignment.mediator",
        "mediation.Assignment.assigned_by",
        "mediation.Sitting.recorded_by",
        "mediation.Agreement.drafted_by",
        "mediation.Agreement.mediator_signed_by",
        "mediation.Agreement.sealed_by",
        "mediation.Confirmation.recorded_by",
        "mediation.FollowUp.recorded_by",
        "mediation.Attachment.uploaded_by",
    }
)


def _other_party() -> str:
    return gettext("the other party")


def _sittings(party: Party) -> list[dict[str, Any]]:
    confirmed = {
        c.sitting_id: c
        for c in Confirmation.objects.in_community(party.community_id).filter(
            party=party, sitting__isnull=False
        )
    }
    out = []
    for sitting in Sitting.objects.in_community(party.community_id).filter(case=party.case_id):
        mine = confirmed.get(sitting.pk)
        out.append(
            {
                "held_at": sitting.held_at.isoformat(),
                "place": sitting.place,
                "notes": sitting.notes,
                "confirmed_at": mine.confirmed_at.isoformat() if mine else None,
                "confirmed_via": mine.via if mine else None,
            }
        )
    return out


def _agreement(party: Party) -> dict[str, Any] | None:
    agreement = (
        Agreement.objects.in_community(party.community_id).filter(case=party.case_id).first()
    )
    if agreement is None:
        return None
    mine = (
        Confirmation.objects.in_community(party.community_id)
        .filter(party=party, agreement=agreement)
        .first()
    )
    return {
        "facts": agreement.facts,
        "terms": agreement.terms,
        "performance": agreement.performance,
        "perform_by": agreement.perform_by.isoformat(),
        "drafted_at": agreement.drafted_at.isoformat(),
        "signed_by_me_at": mine.confirmed_at.isoformat() if mine else None,
        "signed_via": mine.via if mine else None,
        "sealed_at": agreement.sealed_at.isoformat() if agreement.sealed_at else None,
    }


def _my_party(party: Party) -> dict[str, Any]:
    others = [p for p in party.case.parties.all() if p.pk != party.pk]
    return {
        "side": party.side,
        "name": party.name,
        "contact": party.contact,
        "consented_at": party.consented_at.isoformat() if party.consented_at else None,
        "refused_at": party.refused_at.isoformat() if party.refused_at else None,
        # the other party, without anything that names or reaches them
        "other_parties": [{"side": p.side, "who": _other_party()} for p in others],
    }


def export(user: Any) -> list[Section]:
    parties = (
        Party.objects.all_communities()
        .filter(person=user)
        .select_related("community", "case")
        .prefetch_related("case__parties")
        .order_by("pk")
    )
    assignments = (
        Assignment.objects.all_communities()
        .filter(mediator=user)
        .select_related("community", "case")
        .order_by("pk")
    )
    committees = (
        MediationCommittee.objects.all_communities()
        .filter(head=user)
        .select_related("community")
        .order_by("pk")
    )
    return [
        Section(
            "cases",
            _("My mediation cases"),
            rows(
                parties,
                community="community.slug",
                number="case.number",
                kind="case.kind",
                channel="case.channel",
                status="case.status",
                opened_at="case.opened_at",
                accepted_at="case.accepted_at",
                concluded_at="case.concluded_at",
                purged_at="case.purged_at",
                summary="case.summary",
                referral_advice="case.referral_advice",
                my_party=_my_party,
                sittings=_sittings,
                agreement=_agreement,
            ),
        ),
        Section(
            "mediated",
            _("Mediation cases I was assigned to as a mediator"),
            rows(
                assignments,
                community="community.slug",
                number="case.number",
                assigned_at="assigned_at",
                ended_at="ended_at",
                end_reason="end_reason",
            ),
        ),
        Section(
            "committee",
            _("Mediation committees I head"),
            rows(committees, community="community.slug", appointed_at="appointed_at"),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    """Unlink the person from their cases' party rows and empty their contact details."""
    mine = Party.objects.all_communities().filter(person=user)
    contacts = mine.filter(~Q(contact="")).update(contact="")
    unlinked = mine.update(person=None)
    return {"contacts": contacts, "cases": unlinked}
