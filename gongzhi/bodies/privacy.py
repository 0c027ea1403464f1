"""What self-governing bodies hold about a person (see ``core.privacy``).

A term of office is a public record of who held office, when and how they were chosen: it stays
after an erasure, ended on that day if it was still running, and points at the tombstone account
(``Mandate.former_member``; core's eraser then removes the membership it pointed at). So do the
seats on review panels, supervision opinions, decisions, charters, stage changes, support,
annual reports, agreements and contributions a person recorded: acts of office, in the journal
too. What only served the person goes: their place in review panels' pools with the features
they declared (the published portfolio names a pseudonym only), their comments on partners'
services (the stars stay, counted in the average), their name typed on a panel seat, and their
being a new organisation's mentor.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.models import (
    AnnualReport,
    Incubation,
    Mandate,
    Opinion,
    PanelMember,
    PoolEntry,
    ServiceRating,
)
from gongzhi.core import journal
from gongzhi.core.privacy import Section, rows

COVERS = frozenset(
    {
        "bodies.Body.created_by",
        "bodies.Charter.adopted_by",
        "bodies.Mandate.recorded_by",
        "bodies.Mandate.former_member",
        "bodies.Decision.recorded_by",
        "bodies.Incubation.mentor",
        "bodies.StageChange.by",
        "bodies.Support.recorded_by",
        "bodies.AnnualReport.submitted_by",
        "bodies.Panel.created_by",
        "bodies.Panel.seed_entered_by",
        "bodies.Panel.answered_by",
        "bodies.PanelMember.user",
        "bodies.PanelDocument.uploaded_by",
        "bodies.Opinion.raised_by",
        "bodies.Opinion.answered_by",
        "bodies.Partner.created_by",
        "bodies.Agreement.signed_by",
        "bodies.Contribution.recorded_by",
        "bodies.ServiceRating.user",
    }
)


def _terms(user: Any) -> Any:
    return (
        Mandate.objects.all_communities()
        .filter(Q(membership__user=user) | Q(former_member=user))
        .select_related("community", "body", "position")
        .order_by("pk")
    )


def _pool(user: Any) -> Any:
    return PoolEntry.objects.all_communities().filter(membership__user=user)


def export(user: Any) -> list[Section]:
    return [*_office(user), *_panels(user), *_opinions(user), *_organisations(user)]


def _office(user: Any) -> list[Section]:
    return [
        Section(
            "terms_of_office",
            _("My terms of office in the community's bodies"),
            rows(
                _terms(user),
                community="community.slug",
                body="body.name",
                body_kind="body.kind",
                position="position.title",
                seat="seat",
                chosen_by="chosen_by",
                starts_on="starts_on",
                ends_on="ends_on",
                ended_at="ended_at",
                end_reason="end_reason",
            ),
        )
    ]


def _panels(user: Any) -> list[Section]:
    entries = _pool(user).select_related("community", "panel").order_by("pk")
    seats = (
        PanelMember.objects.all_communities()
        .filter(user=user)
        .select_related("community", "panel")
        .order_by("pk")
    )
    return [
        Section(
            "panel_pools",
            _("Review panels I volunteered for, and what I declared"),
            rows(
                entries,
                community="community.slug",
                panel="panel.title",
                features="features",
                consented_at="consented_at",
                joined_at="joined_at",
                pseudonym="pseudonym",
                probability="probability",
                withdrawn_at="withdrawn_at",
            ),
        ),
        Section(
            "panel_seats",
            _("Review panels I sat on"),
            rows(
                seats,
                community="community.slug",
                panel="panel.title",
                seat="kind",
                name="name",
                affiliation="affiliation",
            ),
        ),
    ]


def _opinions(user: Any) -> list[Section]:
    mine = (
        Opinion.objects.all_communities()
        .filter(Q(raised_by=user) | Q(answered_by=user))
        .select_related("community", "body")
        .order_by("pk")
    )
    return [
        Section(
            "supervision_opinions",
            _("Supervision opinions I raised or answered"),
            rows(
                mine,
                community="community.slug",
                body="body.name",
                subject="subject",
                raised_by_me=lambda o: o.raised_by_id == user.pk,
                text="text",
                raised_at="raised_at",
                due_on="due_on",
                answered_by_me=lambda o: o.answered_by_id == user.pk,
                answer="answer",
                answered_at="answered_at",
            ),
        )
    ]


def _organisations(user: Any) -> list[Section]:
    mentored = (
        Incubation.objects.all_communities()
        .filter(mentor=user)
        .select_related("community", "body")
        .order_by("pk")
    )
    reports = (
        AnnualReport.objects.all_communities()
        .filter(submitted_by=user)
        .select_related("community", "incubation__body")
        .order_by("pk")
    )
    ratings = (
        ServiceRating.objects.all_communities()
        .filter(user=user)
        .select_related("community", "service__agreement__partner")
        .order_by("pk")
    )
    return [
        Section(
            "organisations_mentored",
            _("Organisations I mentor"),
            rows(mentored, community="community.slug", organisation="body.name", stage="stage"),
        ),
        Section(
            "annual_reports",
            _("Annual reports I submitted for an organisation"),
            rows(
                reports,
                community="community.slug",
                organisation="incubation.body.name",
                year="year",
                submitted_at="submitted_at",
            ),
        ),
        Section(
            "service_ratings",
            _("My ratings of partners' services"),
            rows(
                ratings,
                community="community.slug",
                partner="service.agreement.partner.name",
                service="service.title",
                stars="stars",
                comment="comment",
                rated_at="rated_at",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    """Runs before core's eraser removes the person's memberships (``Holding.order``)."""
    return {
        "terms_ended": _end_terms(user),
        "terms_kept": _terms(user).update(former_member=user),
        "pool_entries": _pool(user).delete()[0],
        "panel_seat_names": PanelMember.objects.all_communities()
        .filter(user=user)
        .exclude(name="", affiliation="")
        .update(name="", affiliation=""),
        "rating_comments": ServiceRating.objects.all_communities()
        .filter(user=user)
        .exclude(comment="")
        .update(comment=""),
        "mentoring": Incubation.objects.all_communities().filter(mentor=user).update(mentor=None),
    }


def _end_terms(user: Any) -> int:
    """The terms still running (or yet to start) end today, journalled as any early end is:
    the seat is vacant. Core's eraser removes the roles they gave."""
    now, today = timezone.now(), timezone.localdate()
    running = _terms(user).filter(ended_at__isnull=True, ends_on__gte=today)
    reason = gettext("the member erased their account")
    ended = 0
    for mandate in running.select_for_update(of=("self",)):
        mandate.ended_at, mandate.end_reason = now, reason
        mandate.save(update_fields=["ended_at", "end_reason"])
        journal.record(
            community=mandate.community,
            actor=user,
            verb="body.mandate_ended",
            target=mandate,
            data={
                "body": mandate.body_id,
                "kind": mandate.body.kind,
                "user": user.pk,
                "reason": reason,
            },
        )
        ended += 1
    return ended
