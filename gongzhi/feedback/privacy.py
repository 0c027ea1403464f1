"""What the hotline holds about a person (see ``core.privacy``).

Erasure empties what a reporter told the hotline — the text, the unit, the map point, how to
reach them, the notes they added on their tickets' timelines, a rating's comment, the copies of
the text kept to train the router — and deletes their tickets' photos from storage. The tickets
themselves stay, private, with their category, dates, status and rating scores: the hotline's
statistics (response and resolution times, 解决率, 满意率) are counted from them. Their
following of tickets and their places in departments go; tickets they handled keep them as the
(tombstone) handler, so the per-handler figures stay right.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, delete_files, rows
from gongzhi.feedback.models import (
    Contact,
    EventKind,
    Follower,
    Handler,
    Rating,
    RoutingCorrection,
    Ticket,
    TicketEvent,
    TicketPhoto,
)

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "feedback.Handler.user",
        "feedback.Ticket.reporter",
        "feedback.Ticket.filed_by",
        "feedback.Ticket.assignee",
        "feedback.TicketEvent.author",
        "feedback.Follower.user",
        "feedback.Rating.rater",
        "feedback.RoutingCorrection.by",
        "feedback.TicketMonthStat.assignee",
    }
)


def export(user: Any) -> list[Section]:
    def scoped(model: Any) -> Any:
        return model.objects.all_communities().select_related("community").order_by("pk")

    tickets = scoped(Ticket).filter(Q(reporter=user) | Q(filed_by=user)).select_related("category")
    return [
        Section(
            "tickets",
            _("Hotline tickets I reported"),
            rows(
                tickets.filter(reporter=user),
                community="community.slug",
                number="number",
                text="text",
                unit="unit",
                latitude="latitude",
                longitude="longitude",
                is_public="is_public",
                contact="contact",
                category=lambda t: t.category.code if t.category else None,
                status="status",
                created_at="created_at",
                resolved_at="resolved_at",
                resolution="resolution",
            ),
        ),
        Section(
            "tickets_filed_for_others",
            _("Hotline tickets I filed for someone else"),
            rows(
                tickets.filter(filed_by=user).exclude(reporter=user),
                community="community.slug",
                number="number",
                created_at="created_at",
            ),
        ),
        Section(
            "photos",
            _("Photos of my hotline tickets"),
            rows(
                scoped(TicketPhoto).filter(ticket__reporter=user).select_related("ticket"),
                community="community.slug",
                ticket="ticket.number",
                name="name",
                size="size",
            ),
        ),
        Section(
            "timeline_notes",
            _("Notes I wrote on hotline tickets"),
            rows(
                scoped(TicketEvent).filter(author=user).exclude(note="").select_related("ticket"),
                community="community.slug",
                ticket="ticket.number",
                kind="kind",
                note="note",
                at="at",
            ),
        ),
        Section(
            "ratings",
            _("My ratings of hotline tickets"),
            rows(
                scoped(Rating).filter(rater=user).select_related("ticket"),
                community="community.slug",
                ticket="ticket.number",
                solved="solved",
                satisfaction="satisfaction",
                comment="comment",
                created_at="created_at",
            ),
        ),
        Section(
            "follows",
            _("Hotline tickets I follow"),
            rows(
                scoped(Follower).filter(user=user).select_related("ticket"),
                community="community.slug",
                ticket="ticket.number",
            ),
        ),
        Section(
            "departments",
            _("Hotline departments I handle tickets for"),
            rows(
                scoped(Handler).filter(user=user).select_related("department"),
                community="community.slug",
                department="department.name",
                added_at="added_at",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    reported = Ticket.objects.all_communities().filter(reporter=user)
    photos = TicketPhoto.objects.all_communities().filter(ticket__in=reported)
    files = delete_files(photos.values_list("file", flat=True))
    photo_rows = photos.delete()[0]
    # update(): the tickets' updated_at stays, so the statistics' rollups are not redone.
    tickets = reported.update(
        text="", unit="", latitude=None, longitude=None, contact=Contact.NONE, is_public=False
    )
    notes = (
        TicketEvent.objects.all_communities()
        .filter(ticket__in=reported, author=user)
        .exclude(note="")
        .update(note="")
    )
    corrections = (
        RoutingCorrection.objects.all_communities().filter(ticket__in=reported).update(text="")
    )
    ratings = (
        Rating.objects.all_communities().filter(rater=user).exclude(comment="").update(comment="")
    )
    # An assignment's timeline step stores the assignee's name as it read then.
    name = str(user)
    assigned = TicketEvent.objects.all_communities().filter(
        kind=EventKind.ASSIGNED, data__assignee=name
    )
    renamed = 0
    for event in assigned:
        event.data = {**event.data, "assignee": None}
        event.save(update_fields=["data"])
        renamed += 1
    follows = Follower.objects.all_communities().filter(user=user).delete()[0]
    handlers = Handler.objects.all_communities().filter(user=user).delete()[0]
    return {
        "tickets": tickets,
        "photos": photo_rows,
        "files": files,
        "notes": notes,
        "router_examples": corrections,
        "rating_comments": ratings,
        "assignment_names": renamed,
        "follows": follows,
        "departments": handlers,
    }
