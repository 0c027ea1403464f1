"""The room: roll call, proxies, recusals, live quorum and the decision on each item.

Services are keyword-only, atomic and journalled; the quorum arithmetic is ``quorum.py`` (plain
data), fed here from the confirmed ``Presence`` stretches of the seated members.

The secretary signs members in and out (counted at once); a member may instead scan the room's
rotating QR code (``core.checkin``), which makes an unconfirmed stretch that counts once the
secretary confirms it (a code can be relayed within its window). Every change of the roll and
every decision locks the meeting's row first, so a departure and a decision at the same moment
are serialised: a decision is never recorded on a quorum that had already left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies import charter as rules_
from gongzhi.bodies.models import Charter, Mandate
from gongzhi.bodies.selectors import charter_in_force, rules_of, sitting_q
from gongzhi.core import journal
from gongzhi.core.policies import require
from gongzhi.meetings import quorum
from gongzhi.meetings.models import (
    AgendaItem,
    Ballot,
    BallotChoice,
    ItemDecision,
    Meeting,
    MeetingStatus,
    Presence,
    PresenceRole,
    PresenceVia,
    Proxy,
    Recusal,
    VoteMethod,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: a member may scan the room's code this long before the meeting starts
EARLY_CHECK_IN = timedelta(minutes=30)

# --- Quorum -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumState:
    """The quorum of a meeting (or of one item) at a moment."""

    seated: int
    #: members counted: present in person and by proxy, less those who recused
    present: int
    needed: int
    met: bool
    recused: int
    percent: int = 0
    in_person: int = 0
    by_proxy: int = 0


def meeting_day(meeting: Meeting) -> date:
    return timezone.localdate(meeting.starts_at)


def charter_of(meeting: Meeting) -> Charter | None:
    """The body's charter in force on the meeting's day."""
    return charter_in_force(body=meeting.body, on=meeting_day(meeting))


def seated_ids(meeting: Meeting) -> frozenset[int]:
    """User ids of the members seated on the meeting's day."""
    return frozenset(
        Mandate.objects.in_community(meeting.community_id)
        .filter(sitting_q(meeting_day(meeting)), body_id=meeting.body_id, membership__isnull=False)
        .values_list("membership__user_id", flat=True)
    )


def stretches_of(meeting: Meeting) -> list[quorum.Stretch]:
    """The confirmed stretches of presence of members (observers never count)."""
    rows = Presence.objects.in_community(meeting.community_id).filter(
        meeting=meeting, role=PresenceRole.MEMBER, confirmed_at__isnull=False
    )
    return [
        quorum.Stretch(p.person_id, p.arrived_at, p.left_at)
        for p in rows.only("person_id", "arrived_at", "left_at")
    ]


def proxies_of(meeting: Meeting) -> list[quorum.ProxyGrant]:
    rows = Proxy.objects.in_community(meeting.community_id).filter(meeting=meeting)
    return [quorum.ProxyGrant(p.giver_id, p.holder_id, p.recorded_at, p.revoked_at) for p in rows]


def max_proxies(charter: Charter | None) -> int:
    if charter is None or not charter.proxies_allowed:
        return 0
    return charter.max_proxies


def quorum_percent(meeting: Meeting, charter: Charter, kind: str = "") -> int:
    """The quorum for this sitting, or for an item asking for a decision of ``kind`` (a
    power's own quorum is never lowered by a second sitting)."""
    rules = rules_of(charter)
    power = rules_.power_for(rules, kind) if kind else None
    if power is not None and power.quorum_percent is not None:
        return power.quorum_percent
    return quorum.sitting_percent(
        quorum_percent=charter.quorum_percent,
        sitting=meeting.sitting,
        second_sitting_percent=charter.second_sitting_quorum_percent,
    )


def recused_ids(item: AgendaItem) -> frozenset[int]:
    return frozenset(
        Recusal.objects.in_community(item.community_id)
        .filter(item=item)
        .values_list("person_id", flat=True)
    )


def state_from(
    *,
    meeting: Meeting,
    charter: Charter | None,
    seated: frozenset[int],
    stretches: list[quorum.Stretch],
    proxies: list[quorum.ProxyGrant],
    kind: str = "",
    recused: frozenset[int] = frozenset(),
    at: datetime,
) -> QuorumState:
    """``quorum_state`` from rows already read (the room's page reads them once)."""
    if charter is None:
        return QuorumState(len(seated), 0, quorum.needed(len(seated), 100), False, 0, 100)
    percent = quorum_percent(meeting, charter, kind)
    count = quorum.count_at(
        seated=seated,
        stretches=stretches,
        at=at,
        recused=recused,
        proxies=proxies,
        max_proxies=max_proxies(charter),
    )
    return QuorumState(
        seated=len(seated),
        present=count.present,
        needed=quorum.needed(len(seated), percent),
        met=quorum.met(seated=len(seated), present=count.present, percent=percent),
        recused=len(count.recused),
        percent=percent,
        in_person=len(count.in_person),
        by_proxy=len(count.by_proxy),
    )


def quorum_state(
    *, meeting: Meeting, item: AgendaItem | None = None, at: datetime | None = None
) -> QuorumState:
    """Who counts toward the quorum of ``meeting`` (of ``item``: less its recusals, under its
    decision kind's quorum) at ``at`` (now by default)."""
    return state_from(
        meeting=meeting,
        charter=charter_of(meeting),
        seated=seated_ids(meeting),
        stretches=stretches_of(meeting),
        proxies=proxies_of(meeting),
        kind=item.decision_kind if item is not None else "",
        recused=recused_ids(item) if item is not None else frozenset(),
        at=at or timezone.now(),
    )


def quorum_reached(meeting: Meeting) -> tuple[bool, int, int]:
    """(quorum reached at any moment of the meeting, distinct seated members present, seated)."""
    charter = charter_of(meeting)
    seated = seated_ids(meeting)
    stretches = stretches_of(meeting)
    present = quorum.ever_present(seated, stretches)
    if charter is None:
        return False, present, len(seated)
    reached = quorum.reached(
        seated=seated,
        stretches=stretches,
        percent=quorum_percent(meeting, charter),
        proxies=proxies_of(meeting),
        max_proxies=max_proxies(charter),
    )
    return reached, present, len(seated)


# --- Checks -------------------------------------------------------------------------------------


def _require_run(actor: User, meeting: Meeting) -> None:
    require(
        "meetings.run_meeting",
        actor,
        meeting,
        _("Only the meeting's secretary, chair or a community worker can do this."),
    )


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.in_community(meeting.community_id)
        .select_for_update(of=("self",))
        .select_related("community", "body")
        .get(pk=meeting.pk)
    )


def _refuse_not_running(meeting: Meeting, *, now: datetime, early: bool = False) -> None:
    """Refuse unless the meeting is in session (``early``: or about to start)."""
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(
            _("This meeting is closed: nothing can be added to it."), code="meeting_closed"
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code="meeting_cancelled")
    if meeting.status == MeetingStatus.IN_SESSION:
        return
    if early and meeting.starts_at - EARLY_CHECK_IN <= now:
        return
    raise ValidationError(_("This meeting is not in session."), code="meeting_not_in_session")


def _refuse_not_seated(meeting: Meeting, person_id: int) -> None:
    if person_id not in seated_ids(meeting):
        raise ValidationError(
            _("Only members seated in the body take part in its quorum and votes."),
            code="not_seated",
        )


def _open_presence(meeting: Meeting, person_id: int) -> Presence | None:
    return (
        Presence.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, person_id=person_id, left_at__isnull=True)
        .first()
    )


def _journal_arrival(presence: Presence, meeting: Meeting, actor: User | None) -> None:
    journal.record(
        community=meeting.community,
        actor=actor,
        verb="roll.arrived",
        target=meeting,
        data={
            "meeting": meeting.pk,
            "body": meeting.body_id,
            "person": presence.person_id,
            "role": presence.role,
            "via": presence.via,
        },
    )


# --- The roll call ------------------------------------------------------------------------------


def presence_arrive(
    *,
    actor: User,
    meeting: Meeting,
    person: User,
    role: str = PresenceRole.MEMBER,
    at: datetime | None = None,
) -> Presence:
    """The secretary signs ``person`` in (a member, or an observer who never counts)."""
    _require_run(actor, meeting)
    if role not in PresenceRole.values:
        raise ValidationError(_("Unknown role at the meeting."), code="role_invalid")
    with transaction.atomic():
        locked = _lock(meeting)
        # the time is read once the meeting is locked: a decision waiting on the lock is
        # recorded after it, never before an arrival or departure that came first
        now = timezone.now()
        at = at or now
        if at > now + timedelta(minutes=1):
            raise ValidationError(_("An arrival cannot be in the future."), code="time_invalid")
        _refuse_not_running(locked, now=now, early=True)
        if role == PresenceRole.MEMBER:
            _refuse_not_seated(locked, person.pk)
        if _open_presence(locked, person.pk) is not None:
            raise ValidationError(
                _("%(name)s is already signed in.") % {"name": person}, code="already_present"
            )
        presence = Presence.objects.create(
            community_id=locked.community_id,
            meeting=locked,
            person=person,
            role=role,
            via=PresenceVia.SECRETARY,
            arrived_at=at,
            recorded_by=actor,
            confirmed_by=actor,
            confirmed_at=now,
        )
        _journal_arrival(presence, locked, actor)
    return presence


def presence_leave(
    *, actor: User, meeting: Meeting, person: User, at: datetime | None = None
) -> Presence:
    """The secretary signs ``person`` out: their open stretch ends."""
    _require_run(actor, meeting)
    with transaction.atomic():
        locked = _lock(meeting)
        now = timezone.now()
        at = at or now
        _refuse_not_running(locked, now=now, early=True)
        presence = _open_presence(locked, person.pk)
        if presence is None:
            raise ValidationError(
                _("%(name)s is not signed in.") % {"name": person}, code="not_present"
            )
        if at < presence.arrived_at or at > now + timedelta(minutes=1):
            raise ValidationError(
                _("A departure comes after the arrival, and not later than now."),
                code="time_invalid",
            )
        presence.left_at = at
        presence.save(update_fields=["left_at"])
        journal.record(
            community=locked.community,
            actor=actor,
            verb="roll.left",
            target=locked,
            data={"meeting": locked.pk, "body": locked.body_id, "person": person.pk},
        )
    return presence


def may_check_in(user: Any, meeting: Any) -> bool:
    """The room's code: a seated member, or anyone for a public meeting, while the meeting is
    in session or from 30 minutes before it starts."""
    if not getattr(user, "is_authenticated", False) or not isinstance(meeting, Meeting):
        return False
    now = timezone.now()
    if meeting.status == MeetingStatus.IN_SESSION:
        pass
    elif meeting.status != MeetingStatus.SCHEDULED or not (
        meeting.starts_at - EARLY_CHECK_IN <= now <= meeting.ends_at
    ):
        return False
    return meeting.public or user.pk in seated_ids(meeting)


def may_display(user: Any, meeting: Any) -> bool:
    from rules import has_perm

    return bool(has_perm("meetings.run_meeting", user, meeting))


def scanned(person: User, meeting: Any, checkin: Any) -> None:
    """``core.checkin``'s callback after a scan: an unconfirmed stretch (member or observer),
    unless the person is already signed in."""
    with transaction.atomic():
        locked = _lock(meeting)
        if _open_presence(locked, person.pk) is not None:
            return
        seated = person.pk in seated_ids(locked)
        Presence.objects.create(
            community_id=locked.community_id,
            meeting=locked,
            person=person,
            role=PresenceRole.MEMBER if seated else PresenceRole.OBSERVER,
            via=PresenceVia.QR,
            arrived_at=timezone.now(),
            recorded_by=person,
        )


def register_checkin() -> None:
    """Make meetings a check-in target (from the app's ready())."""
    from gongzhi.core import checkin

    checkin.register(
        Meeting, may_display=may_display, may_check_in=may_check_in, on_recorded=scanned
    )


def roll_confirm(*, actor: User, meeting: Meeting, person_ids: Iterable[int]) -> int:
    """The secretary confirms the scanned arrivals of ``person_ids`` (they count from their
    scan); the number confirmed. Scans not confirmed never count."""
    _require_run(actor, meeting)
    wanted = {int(p) for p in person_ids}
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(meeting)
        _refuse_not_running(locked, now=now, early=True)
        rows = list(
            Presence.objects.in_community(locked.community_id).filter(
                meeting=locked, person_id__in=wanted, confirmed_at__isnull=True
            )
        )
        for presence in rows:
            presence.confirmed_by = actor
            presence.confirmed_at = now
            presence.save(update_fields=["confirmed_by", "confirmed_at"])
            _journal_arrival(presence, locked, presence.person)
        locked.roll_confirmed_at = now
        locked.save(update_fields=["roll_confirmed_at"])
        journal.record(
            community=locked.community,
            actor=actor,
            verb="roll.confirmed",
            target=locked,
            data={"meeting": locked.pk, "body": locked.body_id, "confirmed": len(rows)},
        )
    return len(rows)


# --- Proxies and recusals -----------------------------------------------------------------------


def proxy_record(*, actor: User, meeting: Meeting, giver: User, holder: User) -> Proxy:
    """委托: ``holder`` carries absent ``giver``'s vote, where the charter allows proxies."""
    _require_run(actor, meeting)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(meeting)
        _refuse_not_running(locked, now=now, early=True)
        charter = charter_of(locked)
        if charter is None or not charter.proxies_allowed:
            raise ValidationError(
                _("This body's charter does not allow proxies."), code="proxies_not_allowed"
            )
        if giver.pk == holder.pk:
            raise ValidationError(_("A member cannot hold their own proxy."), code="proxy_invalid")
        _refuse_not_seated(locked, giver.pk)
        _refuse_not_seated(locked, holder.pk)
        rows = Proxy.objects.in_community(locked.community_id).filter(
            meeting=locked, revoked_at__isnull=True
        )
        if rows.filter(giver=giver).exists():
            raise ValidationError(_("This member has already given a proxy."), code="proxy_given")
        if rows.filter(giver=holder).exists():
            raise ValidationError(
                _("A member who gave their proxy cannot hold another's."), code="proxy_invalid"
            )
        if rows.filter(holder=holder).count() >= charter.max_proxies:
            raise ValidationError(
                _("A member may hold at most %(count)d proxies.") % {"count": charter.max_proxies},
                code="too_many_proxies",
            )
        proxy = Proxy.objects.create(
            community_id=locked.community_id,
            meeting=locked,
            giver=giver,
            holder=holder,
            recorded_by=actor,
            recorded_at=now,
        )
        journal.record(
            community=locked.community,
            actor=actor,
            verb="proxy.recorded",
            target=locked,
            data={"meeting": locked.pk, "giver": giver.pk, "holder": holder.pk},
        )
    return proxy


def proxy_revoke(*, actor: User, proxy: Proxy) -> Proxy:
    _require_run(actor, proxy.meeting)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(proxy.meeting)
        _refuse_not_running(locked, now=now, early=True)
        current = Proxy.objects.in_community(locked.community_id).get(pk=proxy.pk)
        if current.revoked_at is None:
            current.revoked_at = now
            current.save(update_fields=["revoked_at"])
            journal.record(
                community=locked.community,
                actor=actor,
                verb="proxy.revoked",
                target=locked,
                data={"meeting": locked.pk, "giver": current.giver_id},
            )
    return current


def recusal_declare(
    *, actor: User, item: AgendaItem, reason: str, person: User | None = None
) -> Recusal:
    """回避: a member declares a conflict of interest on ``item`` (the secretary may record it
    for them); they leave that item's quorum and vote."""
    person = person or actor
    meeting = item.meeting
    if person.pk == actor.pk:
        require(
            "meetings.declare_recusal",
            actor,
            item,
            _("Only a member seated in the body declares a conflict of interest."),
        )
    else:
        _require_run(actor, meeting)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say what the conflict of interest is."), code="reason_missing")
    if len(reason) > 300:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": 300},
            code="reason_too_long",
        )
    with transaction.atomic():
        locked = _lock(meeting)
        if locked.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
            _refuse_not_running(locked, now=timezone.now())
        _refuse_not_seated(locked, person.pk)
        if ItemDecision.objects.in_community(locked.community_id).filter(item=item).exists():
            raise ValidationError(_("This item has already been decided."), code="item_decided")
        recusal, created = Recusal.objects.in_community(locked.community_id).get_or_create(
            item=item,
            person=person,
            defaults={"community_id": locked.community_id, "reason": reason},
        )
        if created:
            journal.record(
                community=locked.community,
                actor=actor,
                verb="recusal.declared",
                target=locked,
                data={"meeting": locked.pk, "item": item.pk, "person": person.pk},
                on_behalf_of=person if person.pk != actor.pk else None,
            )
    return recusal


# --- Decisions ----------------------------------------------------------------------------------


def _ballot_counts(
    *, meeting: Meeting, item: AgendaItem, ballots: Mapping[int, str], at: datetime
) -> tuple[dict[int, tuple[int, str]], int, int, int]:
    """Each ballot's ``person -> (who cast it, choice)`` and the counts for/against/abstain.
    A ballot is for a member counted on the item: present in person, or whose proxy a present
    member holds (that member casts it)."""
    charter = charter_of(meeting)
    count = quorum.count_at(
        seated=seated_ids(meeting),
        stretches=stretches_of(meeting),
        at=at,
        recused=recused_ids(item),
        proxies=proxies_of(meeting),
        max_proxies=max_proxies(charter),
    )
    holders = {
        g.giver: g.holder for g in proxies_of(meeting) if g.covers(at) and g.giver in count.by_proxy
    }
    recused = recused_ids(item)
    cast: dict[int, tuple[int, str]] = {}
    for raw, choice in ballots.items():
        person = int(raw)
        if choice not in BallotChoice.values:
            raise ValidationError(_("A vote is for, against or abstain."), code="ballot_invalid")
        if person in recused:
            raise ValidationError(
                _("A member who declared a conflict of interest does not vote on this item."),
                code="recused",
            )
        if person in count.in_person:
            cast[person] = (person, choice)
        elif person in holders:
            cast[person] = (holders[person], choice)
        else:
            raise ValidationError(_("Only members present vote."), code="not_present")
    choices = [c for _p, c in cast.values()]
    return (
        cast,
        choices.count(BallotChoice.YES),
        choices.count(BallotChoice.NO),
        choices.count(BallotChoice.ABSTAIN),
    )


def _online_counts(meeting: Meeting, vote_id: int) -> tuple[Any, int, int, int]:
    from gongzhi.voting import services as voting
    from gongzhi.voting.models import Method, Vote

    vote = Vote.objects.in_community(meeting.community_id).filter(pk=vote_id).first()
    if vote is None:
        raise ValidationError(_("Choose an online vote of this community."), code="vote_invalid")
    if vote.method != Method.YES_NO or vote.closes_at > timezone.now():
        raise ValidationError(_("Link a yes/no vote that has closed."), code="vote_invalid")
    result = voting.results(vote)
    return vote, int(result.yes), int(result.no), int(result.abstain)


def _default_outcome(adopted: bool, votes_for: int, votes_against: int, abstentions: int) -> str:
    numbers = {"for": votes_for, "against": votes_against, "abstain": abstentions}
    if adopted:
        return _("Adopted: %(for)d for, %(against)d against, %(abstain)d abstentions.") % numbers
    return _("Not adopted: %(for)d for, %(against)d against, %(abstain)d abstentions.") % numbers


def meeting_url(meeting: Meeting) -> str:
    return reverse(
        "meeting_detail", kwargs={"slug": meeting.community.slug, "meeting_id": meeting.pk}
    )


def _basis(meeting: Meeting, item: AgendaItem) -> list[dict[str, str]]:
    basis = [{"kind": "meeting", "title": meeting.title, "url": meeting_url(meeting)}]
    if item.proposal_id is not None and item.proposal is not None:
        basis.append(
            {
                "kind": "proposal",
                "title": item.proposal.title,
                "url": f"/c/{meeting.community.slug}/proposals/{item.proposal_id}/",
            }
        )
    return basis


def _body_decision(
    *, actor: User, meeting: Meeting, item: AgendaItem, outcome: str, counts: dict[str, int]
) -> Any:
    from gongzhi.bodies import services as bodies

    return bodies.decision_record(
        actor=actor,
        body=meeting.body,
        kind=item.decision_kind,
        title=item.title,
        text=outcome,
        decided_on=timezone.localdate(),
        amount_fen=item.amount_fen,
        topic=item.topic,
        basis=_basis(meeting, item),
        second_sitting=meeting.sitting == 2,
        **counts,
    )


def _answer_proposal(
    *, actor: User, meeting: Meeting, item: AgendaItem, adopted: bool, outcome: str
) -> None:
    from gongzhi.deliberation.models import Status
    from gongzhi.deliberation.services import proposal_transition

    proposal = item.proposal
    if proposal is None or proposal.status != Status.UNDER_REVIEW:
        return
    proposal_transition(
        actor=actor,
        proposal=proposal,
        to=Status.ACCEPTED if adopted else Status.REJECTED,
        reason=outcome,
        basis=(meeting.title, meeting_url(meeting)),
        body_id=meeting.body_id,
    )


def item_decide(
    *,
    actor: User,
    item: AgendaItem,
    method: str,
    votes_for: int = 0,
    votes_against: int = 0,
    abstentions: int = 0,
    ballots: Mapping[int, str] | None = None,
    vote: int | None = None,
    outcome: str = "",
) -> ItemDecision:
    """Record the vote on ``item`` — hands counted, each member's vote (``ballots``: member id
    -> yes/no/abstain), or a closed online yes/no vote (``vote``) — with the quorum counted now
    and the outcome checked against the charter. An adopted item asking for a decision becomes
    the body's ``Decision``; a proposal on the item gets its answer, the meeting as its basis."""
    meeting = item.meeting
    _require_run(actor, meeting)
    if method not in VoteMethod.values:
        raise ValidationError(_("Unknown way of voting."), code="method_invalid")
    if len(outcome) > 5000:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": 5000},
            code="outcome_too_long",
        )
    with transaction.atomic():
        locked = _lock(meeting)
        now = timezone.now()
        _refuse_not_running(locked, now=now)
        current = (
            AgendaItem.objects.in_community(locked.community_id)
            .select_related("proposal")
            .get(pk=item.pk, meeting=locked)
        )
        if current.withdrawn_at is not None:
            raise ValidationError(_("This item was withdrawn."), code="item_withdrawn")
        if ItemDecision.objects.in_community(locked.community_id).filter(item=current).exists():
            raise ValidationError(_("This item has already been decided."), code="item_decided")
        state = quorum_state(meeting=locked, item=current, at=now)
        if not state.met:
            raise ValidationError(
                _(
                    "No quorum: %(present)d of %(seated)d members are present for this item, "
                    "%(needed)d are needed. Nothing was recorded."
                )
                % {"present": state.present, "seated": state.seated, "needed": state.needed},
                code="no_quorum",
            )
        cast: dict[int, tuple[int, str]] = {}
        linked = None
        present = state.present
        if method == VoteMethod.ROLL:
            if not ballots:
                raise ValidationError(_("Record each member's vote."), code="ballots_missing")
            cast, votes_for, votes_against, abstentions = _ballot_counts(
                meeting=locked, item=current, ballots=ballots, at=now
            )
        elif method == VoteMethod.ONLINE:
            if vote is None:
                raise ValidationError(
                    _("Choose an online vote of this community."), code="vote_invalid"
                )
            linked, votes_for, votes_against, abstentions = _online_counts(locked, vote)
            present = max(present, min(state.seated, votes_for + votes_against + abstentions))
        refusals = rules_.check_counts(
            seated=state.seated,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
        )
        if refusals:
            raise ValidationError(
                _("There cannot be more votes than members present (%(present)d).")
                % {"present": present},
                code="votes_over_present",
            )
        charter = charter_of(locked)
        assert charter is not None  # noqa: S101 - quorum_state is never met without a charter
        rules = rules_.rules_for(rules_of(charter), current.decision_kind)
        adopted = rules_.threshold_met(
            rules, seated=state.seated, present=present, votes_for=votes_for
        )
        outcome = outcome.strip() or _default_outcome(
            adopted, votes_for, votes_against, abstentions
        )
        counts = {
            "present": present,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "abstentions": abstentions,
        }
        body_decision = None
        if adopted and current.decision_kind:
            body_decision = _body_decision(
                actor=actor, meeting=locked, item=current, outcome=outcome, counts=counts
            )
        decision = ItemDecision.objects.create(
            community_id=locked.community_id,
            item=current,
            method=method,
            vote=linked,
            seated=state.seated,
            adopted=adopted,
            outcome=outcome,
            decision=body_decision,
            recorded_by=actor,
            recorded_at=now,
            **counts,
        )
        Ballot.objects.bulk_create(
            Ballot(
                community_id=locked.community_id,
                decision=decision,
                person_id=holder,
                choice=choice,
                for_person_id=person if person != holder else None,
            )
            for person, (holder, choice) in cast.items()
        )
        if current.proposal is not None:
            _answer_proposal(
                actor=actor, meeting=locked, item=current, adopted=adopted, outcome=outcome
            )
        journal.record(
            community=locked.community,
            actor=actor,
            verb="item.decided",
            target=locked,
            data={
                "meeting": locked.pk,
                "item": current.pk,
                "body": locked.body_id,
                "adopted": adopted,
                "present": present,
                "seated": state.seated,
                "decision": body_decision.pk if body_decision is not None else None,
                "source": current.source,
                "method": method,
            },
        )
    return decision


# --- The page -----------------------------------------------------------------------------------


def page_context(meeting: Any, user: Any) -> dict[str, Any]:
    """What this part adds to the meeting page (its partial reads only these keys)."""
    from gongzhi.meetings.room_selectors import room_context

    return room_context(meeting, user)
