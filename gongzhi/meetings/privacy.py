"""What meetings hold about a person (see ``core.privacy``).

A meeting's record is a public record of who decided what: a member's arrivals and departures,
proxies, declared conflicts of interest, recorded votes, confirmations of and corrections to the
minutes, and the follow-ups they own stay after an erasure, pointing at the tombstone account
(the minutes and the quorum rest on them). So do the written submissions to a hearing (grouped
and answered in the published response; shown under a pseudonym) and the acts of office of those
who ran a meeting (in the journal too).

What only served the person goes: their registrations for public meetings, their invitations as
a guest or observer and any invitation to a meeting not yet held, their presence as an observer,
what they said they would speak about at a hearing (a registration not yet drawn is withdrawn,
so the draw leaves them out; a drawn slot stays, the draw's record rests on it), and their name
typed on a round table's list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.meetings.models import (
    ActionItem,
    Ballot,
    Invitation,
    InvitationKind,
    MeetingStatus,
    MinutesResponse,
    Presence,
    PresenceRole,
    Proxy,
    Recusal,
    Registration,
    RoundTableParticipant,
    Speaker,
    SpeakerStatus,
    Submission,
)

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (an act of office: it is in the journal, which the copy holds).
COVERS = frozenset(
    {
        "meetings.Series.created_by",
        "meetings.Meeting.secretary",
        "meetings.Meeting.chair",
        "meetings.Meeting.created_by",
        "meetings.Registration.person",
        "meetings.Registration.registered_by",
        "meetings.Invitation.person",
        "meetings.AgendaItem.presenter",
        "meetings.AgendaItem.added_by",
        "meetings.ItemDocument.uploaded_by",
        "meetings.AgendaVersion.published_by",
        "meetings.Presence.person",
        "meetings.Presence.recorded_by",
        "meetings.Presence.confirmed_by",
        "meetings.Proxy.giver",
        "meetings.Proxy.holder",
        "meetings.Proxy.recorded_by",
        "meetings.Recusal.person",
        "meetings.ItemDecision.recorded_by",
        "meetings.Ballot.person",
        "meetings.Ballot.for_person",
        "meetings.Minutes.drafted_by",
        "meetings.MinutesResponse.person",
        "meetings.ActionItem.owner",
        "meetings.ActionItem.created_by",
        "meetings.Hearing.created_by",
        "meetings.Hearing.drawn_by",
        "meetings.Speaker.person",
        "meetings.Submission.author",
        "meetings.RoundTableParticipant.person",
        "meetings.AgreedPoint.recorded_by",
    }
)

#: Meetings not held yet: an invitation to one serves only the invited person.
NOT_HELD = (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION)


def _meeting(prefix: str = "meeting") -> dict[str, str]:
    return {
        "community": f"{prefix}.community.slug",
        "meeting": f"{prefix}.title",
        "starts_at": f"{prefix}.starts_at",
    }


def export(user: Any) -> list[Section]:
    return [*_attending(user), *_in_office(user), *_hearings(user)]


def _attending(user: Any) -> list[Section]:
    registrations = (
        Registration.objects.all_communities()
        .filter(person=user)
        .select_related("meeting__community")
        .order_by("pk")
    )
    invitations = (
        Invitation.objects.all_communities()
        .filter(person=user)
        .select_related("meeting__community")
        .order_by("pk")
    )
    presences = (
        Presence.objects.all_communities()
        .filter(person=user)
        .select_related("meeting__community")
        .order_by("pk")
    )
    return [
        Section(
            "meeting_registrations",
            _("Public meetings I registered for"),
            rows(
                registrations,
                **_meeting(),
                status="status",
                registered_at="created_at",
                by_someone_else=lambda r: r.registered_by_id not in (None, user.pk),
            ),
        ),
        Section(
            "meeting_invitations",
            _("Meetings I was invited to"),
            rows(invitations, **_meeting(), kind="kind", sent_at="sent_at"),
        ),
        Section(
            "meeting_presences",
            _("Meetings I attended (arrival and departure)"),
            rows(
                presences,
                **_meeting(),
                role="role",
                via="via",
                arrived_at="arrived_at",
                left_at="left_at",
                confirmed_at="confirmed_at",
            ),
        ),
    ]


def _in_office(user: Any) -> list[Section]:
    proxies = (
        Proxy.objects.all_communities()
        .filter(Q(giver=user) | Q(holder=user))
        .select_related("meeting__community")
        .order_by("pk")
    )
    recusals = (
        Recusal.objects.all_communities()
        .filter(person=user)
        .select_related("item__meeting__community")
        .order_by("pk")
    )
    ballots = (
        Ballot.objects.all_communities()
        .filter(Q(person=user) | Q(for_person=user))
        .select_related("decision__item__meeting__community")
        .order_by("pk")
    )
    responses = (
        MinutesResponse.objects.all_communities()
        .filter(person=user)
        .select_related("minutes__meeting__community")
        .order_by("pk")
    )
    actions = (
        ActionItem.objects.all_communities()
        .filter(owner=user)
        .select_related("community")
        .order_by("pk")
    )
    return [
        Section(
            "meeting_proxies",
            _("Proxies I gave or held at meetings"),
            rows(
                proxies,
                **_meeting(),
                gave=lambda p: p.giver_id == user.pk,
                held=lambda p: p.holder_id == user.pk,
                recorded_at="recorded_at",
                revoked_at="revoked_at",
            ),
        ),
        Section(
            "meeting_recusals",
            _("Conflicts of interest I declared on agenda items"),
            rows(
                recusals,
                **_meeting("item.meeting"),
                item="item.title",
                reason="reason",
                declared_at="declared_at",
            ),
        ),
        Section(
            "meeting_ballots",
            _("My recorded votes on agenda items"),
            rows(
                ballots,
                **_meeting("decision.item.meeting"),
                item="decision.item.title",
                choice="choice",
                cast_by_me=lambda b: b.person_id == user.pk,
                cast_for_me_by_proxy=lambda b: b.for_person_id == user.pk,
            ),
        ),
        Section(
            "minutes_responses",
            _("Minutes I confirmed or asked to correct"),
            rows(
                responses,
                **_meeting("minutes.meeting"),
                kind="kind",
                text="text",
                at="at",
                resolution="resolution",
                resolved_at="resolved_at",
            ),
        ),
        Section(
            "action_items",
            _("Follow-ups of decisions I am responsible for"),
            rows(
                actions,
                community="community.slug",
                title="title",
                due_on="due_on",
                status="status",
                done_at="done_at",
                done_note="done_note",
            ),
        ),
    ]


def _hearings(user: Any) -> list[Section]:
    speakers = (
        Speaker.objects.all_communities()
        .filter(person=user)
        .select_related("hearing__meeting__community")
        .order_by("pk")
    )
    submissions = (
        Submission.objects.all_communities()
        .filter(author=user)
        .select_related("hearing__meeting__community", "group")
        .order_by("pk")
    )
    seats = (
        RoundTableParticipant.objects.all_communities()
        .filter(person=user)
        .select_related("meeting__community")
        .order_by("pk")
    )
    return [
        Section(
            "hearing_speakers",
            _("Hearings I registered to speak at"),
            rows(
                speakers,
                **_meeting("hearing.meeting"),
                what_i_will_say="position_summary",
                status="status",
                slot="slot",
                registered_at="registered_at",
            ),
        ),
        Section(
            "hearing_submissions",
            _("My written submissions to hearings and consultations"),
            rows(
                submissions,
                **_meeting("hearing.meeting"),
                text="text",
                created_at="created_at",
                answered_in_group=lambda s: s.group.title if s.group else None,
                answer=lambda s: s.group.answer if s.group else None,
            ),
        ),
        Section(
            "round_tables",
            _("Round tables I sat at"),
            rows(seats, **_meeting(), name="name", sector="sector", affiliation="affiliation"),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    """Runs before core's eraser removes the person's memberships (``Holding.order``)."""
    invitations = Invitation.objects.all_communities().filter(person=user)
    undrawn = (
        Speaker.objects.all_communities()
        .filter(person=user, hearing__drawn_at__isnull=True)
        .exclude(status=SpeakerStatus.WITHDRAWN)
    )
    return {
        "registrations": Registration.objects.all_communities().filter(person=user).delete()[0],
        "invitations": invitations.filter(
            ~Q(kind=InvitationKind.MEMBER) | Q(meeting__status__in=NOT_HELD)
        ).delete()[0],
        "observer_presences": Presence.objects.all_communities()
        .filter(person=user, role=PresenceRole.OBSERVER)
        .delete()[0],
        "speakers_withdrawn": undrawn.update(status=SpeakerStatus.WITHDRAWN),
        "speaker_summaries": Speaker.objects.all_communities()
        .filter(person=user)
        .exclude(position_summary="")
        .update(position_summary=""),
        "round_table_names": RoundTableParticipant.objects.all_communities()
        .filter(person=user)
        .exclude(name="")
        .update(name=""),
    }
