"""Casting, recording and counting votes. One person one vote holds because the database says
so: a unique participation per (vote, voter) — and per household where households vote — and a
unique ballot per (vote, slot); concurrent requests by one person end in one counted ballot.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core import journal
from gongzhi.core.models import Community, Membership, Role, RoleGrant, active_grant_q
from gongzhi.core.paper import PaperResult, double_entry, paper_serial
from gongzhi.core.policies import access_of, membership_in, require, verified_membership
from gongzhi.core.roster import RosterFileError, read_table
from gongzhi.core.services import RosterRejected
from gongzhi.notifications.services import notify
from gongzhi.voting import keys, tally
from gongzhi.voting.models import (
    Channel,
    CountedBallot,
    Electorate,
    Kind,
    Method,
    Option,
    OwnerShare,
    PaperEntry,
    Participation,
    ResultsShown,
    Vote,
)
from gongzhi.voting.owner_roll import owner_roll_header, parse_owner_roll

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

BALLOT_MESSAGES = {
    tally.BallotErrorCode.MALFORMED: gettext_lazy("This ballot is not filled in correctly."),
    tally.BallotErrorCode.UNKNOWN_OPTION: gettext_lazy(
        "This ballot names an option that is not on the ballot paper."
    ),
    tally.BallotErrorCode.REPEATED_OPTION: gettext_lazy(
        "A ranking cannot name the same option twice."
    ),
    tally.BallotErrorCode.TOO_MANY_CHOICES: gettext_lazy("Too many choices on this ballot."),
    tally.BallotErrorCode.TOO_FEW_CHOICES: gettext_lazy("Too few choices on this ballot."),
    tally.BallotErrorCode.SCORE_NOT_INTEGER: gettext_lazy("Scores must be whole numbers."),
    tally.BallotErrorCode.SCORE_OUT_OF_RANGE: gettext_lazy("A score is outside the allowed range."),
    tally.BallotErrorCode.NOT_IN_ELECTORATE: gettext_lazy("You are not on the roll of this vote."),
}


def _secret_slot(vote: Vote, voter: User, key: str | None = None) -> str:
    """A pseudonym for (vote, voter) that only the server's VOTE_KEY can recompute; ``key``:
    the vote's key, as ``keys.bind`` gave it (by default the current one)."""
    return keys.pseudonym(key or settings.VOTE_KEY, f"{vote.pk}:{voter.pk}")


def _slot(vote: Vote, voter: User) -> str:
    """The ballot's slot, inside the casting transaction: a secret vote's is keyed by the key
    the vote is bound to, and casting stops if that key has changed (voting/keys.py)."""
    return _secret_slot(vote, voter, keys.bind(vote)) if vote.secret else f"user:{voter.pk}"


# A vote's options are written once, by vote_create, and never change: each process keeps their
# ids rather than reading them for every ballot. The key includes created_at so that a reused
# primary key (a test database rolled back) cannot find another vote's options.
_OPTION_IDS: dict[tuple[int, Any], list[int]] = {}
_OPTION_IDS_MAX = 1024


def _option_ids(vote: Vote) -> list[int]:
    key = (vote.pk, vote.created_at)
    ids = _OPTION_IDS.get(key)
    if ids is None:
        ids = list(
            Option.objects.in_community(vote.community_id)
            .filter(vote=vote)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(_OPTION_IDS) >= _OPTION_IDS_MAX:
            _OPTION_IDS.clear()
        _OPTION_IDS[key] = ids
    return ids


# --- Who may vote ------------------------------------------------------------------------------


def eligible(vote: Vote, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if vote.electorate == Electorate.OWNERS:
        shares = OwnerShare.objects.in_community(vote.community_id)
        return shares.filter(vote=vote, owner=user).exists()
    membership = verified_membership(user, vote.community_id)
    if membership is None:
        return False
    if vote.electorate == Electorate.COUNCIL:
        return Role.COUNCIL_MEMBER in access_of(user).roles.get(vote.community_id, set())
    if vote.electorate == Electorate.HOUSEHOLD:
        return membership.household_id is not None
    if vote.electorate == Electorate.BUILDING:
        household = membership.household if membership.household_id is not None else None
        return household is not None and household.building_id == vote.building_id
    return True


def electorate_size(vote: Vote) -> int:
    """How many may vote: now while the vote is open, frozen at the first count after it closed."""
    if vote.electorate_at_close is not None:
        return vote.electorate_at_close
    if vote.is_closed():
        return electorate_freeze(vote)
    return _electorate_now(vote)


def electorate_freeze(vote: Vote) -> int:
    """Fix a closed vote's electorate once (a conditional UPDATE: the first count wins); the
    count that froze a binding vote writes its row in the decision register."""
    with transaction.atomic():
        froze = (
            Vote.objects.in_community(vote.community_id)
            .filter(pk=vote.pk, electorate_at_close__isnull=True)
            .update(electorate_at_close=_electorate_now(vote))
        )
        frozen = (
            Vote.objects.in_community(vote.community_id)
            .values_list("electorate_at_close", flat=True)
            .get(pk=vote.pk)
        )
        vote.electorate_at_close = frozen
        if froze and vote.kind == Kind.BINDING and vote.published:
            _register_result(vote, electorate=int(frozen or 0))
    return int(frozen or 0)


def _register_result(vote: Vote, *, electorate: int) -> None:
    """The decision register's row of a binding vote, once it closed: its basis is the vote
    with its turnout (who took part, of how many could; paper ballots typed in later change
    the count, not the turnout, since the polling table marks the voter before the close)."""
    from django.urls import reverse

    from gongzhi.core.decisions import register_decision

    voters = Participation.objects.in_community(vote.community_id).filter(vote=vote).count()
    url = reverse("vote_detail", kwargs={"slug": vote.community.slug, "vote_id": vote.pk})
    basis: list[dict[str, Any]] = [
        {
            "kind": "vote",
            "title": vote.title,
            "url": url,
            "voters": voters,
            "electorate": electorate,
            "turnout": round(voters / electorate, 4) if electorate else None,
        }
    ]
    proposal = vote.proposal if vote.proposal_id is not None else None
    if proposal is not None:
        basis.append(
            {
                "kind": "proposal",
                "title": proposal.title,
                "url": reverse(
                    "proposal_detail",
                    kwargs={"slug": vote.community.slug, "proposal_id": vote.proposal_id},
                ),
            }
        )
    register_decision(
        community_id=vote.community_id,
        kind="binding_vote",
        decided_on=timezone.localdate(vote.closes_at),
        title=vote.title,
        source=vote,
        url=url,
        basis=basis,
    )


def electorates_freeze(*, community_ids: Iterable[int] | None = None) -> int:
    """Freeze every closed vote's electorate not yet frozen (the periodic job; before an erasure)."""
    closed = Vote.objects.all_communities().filter(
        closes_at__lte=timezone.now(), electorate_at_close__isnull=True
    )
    if community_ids is not None:
        closed = closed.filter(community_id__in=list(community_ids))
    votes = list(closed)
    for vote in votes:
        electorate_freeze(vote)
    return len(votes)


def _council_grants(community_id: int) -> models.QuerySet[RoleGrant, Any]:
    """The memberships holding the council role now (a role from a term ends with it)."""
    return (
        RoleGrant.objects.in_community(community_id)
        .filter(active_grant_q(), role=Role.COUNCIL_MEMBER)
        .values("membership")
    )


def _electorate_now(vote: Vote) -> int:
    members = Membership.objects.in_community(vote.community_id).filter(verified_at__isnull=False)
    if vote.electorate == Electorate.OWNERS:
        return OwnerShare.objects.in_community(vote.community_id).filter(vote=vote).count()
    if vote.electorate == Electorate.COUNCIL:
        return members.filter(pk__in=_council_grants(vote.community_id)).count()
    if vote.electorate == Electorate.HOUSEHOLD:
        return members.exclude(household=None).values("household").distinct().count()
    if vote.electorate == Electorate.BUILDING:
        return members.filter(household__building_id=vote.building_id or 0).count()
    return members.count()


# --- Setting a vote up -----------------------------------------------------------------------


def vote_create(
    *,
    actor: User,
    community: Community,
    title: str,
    options: list[str],
    opens_at: Any,
    closes_at: Any,
    **fields: Any,
) -> Vote:
    """Community workers and the council set up votes; options in the order given."""
    require("voting.manage_votes", actor, community)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(
            _("The question must have 1 to 200 characters."), code="title_invalid"
        )
    method = fields.get("method", Method.SINGLE)
    labels = [label.strip() for label in options if label and label.strip()]
    if method != Method.YES_NO and len(labels) < 2:
        raise ValidationError(_("A vote needs at least two options."), code="options_missing")
    if len(set(labels)) != len(labels):
        raise ValidationError(_("Two options have the same text."), code="options_repeated")
    if closes_at <= opens_at:
        raise ValidationError(_("A vote must close after it opens."), code="window_invalid")
    _check_building(community, fields)
    if fields.get("kind") == Kind.BINDING:
        fields["results_shown"] = ResultsShown.AFTER_CLOSE
    if method == Method.SINGLE:
        fields["min_choices"], fields["max_choices"] = 1, 1
    with transaction.atomic():
        vote = Vote.objects.in_community(community).create(
            title=title,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor,
            published=True,
            **fields,
        )
        Option.objects.bulk_create(
            [
                Option(community=community, vote=vote, label=label, position=i)
                for i, label in enumerate(labels)
            ]
        )
        journal.record(community=community, actor=actor, verb="vote.created", target=vote)
    transaction.on_commit(votes_announce)
    return vote


def _check_building(community: Community, fields: dict[str, Any]) -> None:
    """A building's residents vote only with a building of this community named; no other
    electorate names one."""
    building = fields.get("building")
    if fields.get("electorate") != Electorate.BUILDING:
        if building is not None:
            raise ValidationError(
                _("Only a vote of one building's residents names a building."),
                code="building_not_expected",
            )
        return
    if building is None:
        raise ValidationError(
            _("Choose the building whose residents vote."), code="building_missing"
        )
    if building.community_id != community.pk:
        raise ValidationError(
            _("That building is not in this community."), code="building_elsewhere"
        )


def _electorate_users(vote: Vote) -> list[User]:
    if vote.electorate == Electorate.OWNERS:
        ids = OwnerShare.objects.in_community(vote.community_id).filter(vote=vote).values("owner")
        return list(User.objects.filter(pk__in=ids, is_active=True))
    members = Membership.objects.in_community(vote.community_id).filter(verified_at__isnull=False)
    if vote.electorate == Electorate.COUNCIL:
        members = members.filter(pk__in=_council_grants(vote.community_id))
    elif vote.electorate == Electorate.HOUSEHOLD:
        members = members.exclude(household=None)
    elif vote.electorate == Electorate.BUILDING:
        members = members.filter(household__building_id=vote.building_id or 0)
    return list(User.objects.filter(pk__in=members.values("user"), is_active=True))


def votes_announce(*, now: Any = None) -> int:
    """Tell each electorate once that its vote has opened (run periodically, and at creation).
    The claim is one conditional UPDATE, so two workers running it never announce twice."""
    now = now or timezone.now()
    announced = 0
    due = Vote.objects.all_communities().filter(
        published=True, announced_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    )
    for vote in due.select_related("community"):
        with transaction.atomic():
            claimed = (
                Vote.objects.in_community(vote.community_id)
                .filter(pk=vote.pk, announced_at__isnull=True)
                .update(announced_at=now)
            )
            if not claimed:
                continue
            notify(
                users=_electorate_users(vote),
                community=vote.community,
                kind="vote_opened",
                message="opened",
                params={"title": vote.title},
                url=f"/c/{vote.community.slug}/votes/{vote.pk}/",
            )
            announced += 1
    return announced


def owner_roll_set(
    *,
    actor: User,
    vote: Vote,
    shares: list[tuple[User, Decimal]],
    accounts_created: int = 0,
) -> None:
    """The owners of an owners' vote, with their floor areas: data, set before it opens."""
    require("voting.manage_votes", actor, vote.community)
    _check_roll_can_change(vote)
    with transaction.atomic():
        OwnerShare.objects.in_community(vote.community_id).filter(vote=vote).delete()
        OwnerShare.objects.bulk_create(
            [
                OwnerShare(community_id=vote.community_id, vote=vote, owner=u, area=a)
                for u, a in shares
            ]
        )
        journal.record(
            community=vote.community,
            actor=actor,
            verb="vote.roll_set",
            target=vote,
            data={"owners": len(shares), "accounts_created": accounts_created},
        )


def _check_roll_can_change(vote: Vote) -> None:
    if vote.electorate != Electorate.OWNERS:
        raise ValidationError(
            _("Only an owners' vote has an owners' roll."), code="not_owners_vote"
        )
    if vote.is_open() or vote.is_closed():
        raise ValidationError(
            _("The roll can only change before the vote opens."), code="roll_locked"
        )


@dataclass(frozen=True)
class RollSummary:
    owners: int
    units: int
    area: Decimal
    accounts_created: int


def owner_roll_import(*, actor: User, vote: Vote, filename: str, content: bytes) -> RollSummary:
    """Replace the roll from a CSV or XLSX file, whole or not at all. Raises RosterFileError for
    a file that cannot be read and RosterRejected (every bad row) for one with errors."""
    require("voting.manage_votes", actor, vote.community)
    _check_roll_can_change(vote)
    if len(content) > settings.ROSTER_MAX_BYTES:
        raise RosterFileError(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.ROSTER_MAX_BYTES // 2**20}
        )
    table = read_table(
        filename, content, max_rows=settings.ROSTER_MAX_ROWS, header=owner_roll_header
    )
    return owner_roll_apply(actor=actor, vote=vote, table=table)


def owner_roll_apply(*, actor: User, vote: Vote, table: list[list[str]]) -> RollSummary:
    """Replace the roll from a table whose first row names the columns (see owner_roll.py)."""
    require("voting.manage_votes", actor, vote.community)
    _check_roll_can_change(vote)
    roll = parse_owner_roll(table, settings.ROSTER_MAX_ROWS)
    if roll.errors:
        raise RosterRejected(roll.errors)
    with transaction.atomic():
        users = {u.phone: u for u in User.objects.filter(phone__in=list(roll.owners))}
        # An owner without an account gets one, as when a worker registers a resident: they
        # log in with a code sent to that number, or vote on paper.
        created = 0
        for phone, row in roll.owners.items():
            if phone not in users:
                users[phone] = User.objects.create_user(phone, display_name=row.name)
                created += 1
        shares = [(users[phone], row.area) for phone, row in roll.owners.items()]
        owner_roll_set(actor=actor, vote=vote, shares=shares, accounts_created=created)
    return RollSummary(
        owners=len(shares),
        units=roll.units,
        area=sum((row.area for row in roll.owners.values()), Decimal(0)),
        accounts_created=created,
    )


# --- Casting -----------------------------------------------------------------------------------


def _validate(vote: Vote, content: Any, option_ids: list[int]) -> Any:
    """Check one ballot with the counting module's own rules; return it in stored form."""
    try:
        if vote.method == Method.YES_NO:
            return tally.validate_yes_no_ballot(content)
        if vote.method in (Method.SINGLE, Method.APPROVAL):
            chosen = tally.validate_approval_ballot(
                content, option_ids, max_choices=vote.max_choices, min_choices=vote.min_choices
            )
            return sorted(chosen)
        if vote.method == Method.RANKED:
            return list(tally.validate_irv_ballot(content, option_ids))
        if vote.method == Method.SCORE:
            if isinstance(content, dict):
                content = {int(k) if str(k).isdigit() else k: v for k, v in content.items()}
            scores = tally.validate_score_ballot(
                content, option_ids, min_score=vote.min_score, max_score=vote.max_score
            )
            return {str(k): v for k, v in scores.items()}
    except tally.BallotError as error:
        message = str(BALLOT_MESSAGES.get(error.code, _("This ballot is not filled in correctly.")))
        raise ValidationError(message, code=f"ballot_{error.code}") from error
    raise ValidationError(_("This ballot is not filled in correctly."), code="ballot_malformed")


@dataclass(frozen=True)
class CastReceipt:
    receipt: str
    changed: bool


def ballot_cast(*, actor: User, vote: Vote, content: Any) -> CastReceipt:
    """Cast, or change until the vote closes: the last ballot is the one that counts."""
    if not vote.is_open():
        raise ValidationError(_("This vote is not open."), code="not_open")
    if not eligible(vote, actor):
        raise PermissionDenied(_("You are not in the electorate of this vote."))
    stored = _validate(vote, content, _option_ids(vote))
    household_id = None
    if vote.electorate == Electorate.HOUSEHOLD:
        household_id = _household_of(vote, actor)
    with transaction.atomic():
        participation, first = _participation(
            vote, actor, household_id, Channel.ONLINE, recorded_by=None
        )
        if participation.channel == Channel.PAPER:
            raise ValidationError(_("You voted on paper in this vote."), code="voted_on_paper")
        # One statement, INSERT … ON CONFLICT (vote, slot) DO UPDATE: however many requests one
        # voter fires at once, the unique slot leaves exactly one ballot, the last written.
        CountedBallot.objects.bulk_create(
            [
                CountedBallot(
                    community_id=vote.community_id,
                    vote=vote,
                    slot=_slot(vote, actor),
                    content=stored,
                    channel=Channel.ONLINE,
                )
            ],
            update_conflicts=True,
            unique_fields=["community", "vote", "slot"],
            update_fields=["content", "channel"],
        )
        journal.record(
            community=vote.community,
            actor=actor,
            verb="vote.cast" if first else "vote.changed",
            target=vote,
            # Evaluation's ladder: a binding vote is deciding, a poll is consulted.
            data={"binding": vote.kind == Kind.BINDING},
        )
    return CastReceipt(participation.receipt, changed=not first)


def _household_of(vote: Vote, voter: User) -> int | None:
    membership = membership_in(voter, vote.community_id)
    return membership.household_id if membership is not None else None


def _participation(
    vote: Vote, voter: User, household_id: int | None, channel: str, recorded_by: User | None
) -> tuple[Participation, bool]:
    """The voter's participation, and whether this call wrote it.

    One INSERT … ON CONFLICT DO NOTHING RETURNING: a first ballot costs one statement, and
    concurrent requests by one person cannot both write a row. No row back means a conflict:
    the voter's own row (an earlier or concurrent request) or, where households vote, another
    member's."""
    for _attempt in range(2):
        row = Participation(
            community_id=vote.community_id,
            vote=vote,
            voter=voter,
            household_id=household_id,
            channel=channel,
            receipt="".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(10)),
            first_at=timezone.now(),
            recorded_by=recorded_by,
        )
        if _insert_unless_conflict(row):
            return row, True
        existing = (
            Participation.objects.in_community(vote.community_id)
            .filter(vote=vote, voter=voter)
            .first()
        )
        if existing is not None:
            return existing, False
        if household_id is not None:
            raise ValidationError(
                _("Someone in your household has already voted."), code="household_voted"
            )
        # Otherwise only the receipt can have collided (1 in 32¹⁰ per pair): draw another.
    raise IntegrityError("could not draw a unique receipt")


_PARTICIPATION_FIELDS = (
    "community",
    "vote",
    "voter",
    "household",
    "channel",
    "receipt",
    "first_at",
    "recorded_by",
)


def _insert_unless_conflict(row: Participation) -> bool:
    """Django's bulk_create(ignore_conflicts=True) cannot say whether the row was written; this
    statement (the same SQL on PostgreSQL and SQLite ≥ 3.35) returns its id when it was."""
    meta = Participation._meta
    connection = connections[router.db_for_write(Participation)]
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in _PARTICIPATION_FIELDS]
    concrete = [field for field in fields if isinstance(field, models.Field)]
    columns = ", ".join(quote(field.column) for field in concrete)
    values = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in concrete]
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}"  # type: ignore[union-attr]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        written = cursor.fetchone()
    if written is None:
        return False
    row.pk = written[0]
    row._state.adding = False
    row._state.db = connection.alias
    return True


def paper_voter_mark(*, actor: User, vote: Vote, voter: User) -> Participation:
    """At the polling table: this resident took a paper ballot, so cannot also vote online."""
    require("voting.manage_votes", actor, vote.community)
    if not eligible(vote, voter):
        raise ValidationError(
            _("This person is not in the electorate of this vote."), code="not_eligible"
        )
    household_id = None
    if vote.electorate == Electorate.HOUSEHOLD:
        household_id = _household_of(vote, voter)
    with transaction.atomic():
        participation, created = _participation(
            vote, voter, household_id, Channel.PAPER, recorded_by=actor
        )
        if not created:
            raise ValidationError(_("This person has already voted."), code="already_voted")
        journal.record(
            community=vote.community,
            actor=actor,
            on_behalf_of=voter,
            verb="vote.paper_issued",
            target=vote,
            data={"binding": vote.kind == Kind.BINDING},
        )
    return participation


def paper_ballot_enter(*, actor: User, vote: Vote, serial: str, content: Any) -> PaperResult:
    """Double entry (core/paper.py): a paper ballot counts once two different people have
    typed it the same."""
    require("voting.manage_votes", actor, vote.community)
    serial = paper_serial(serial)
    stored = _validate(vote, content, _option_ids(vote))
    ballots = CountedBallot.objects.in_community(vote.community_id).filter(vote=vote)
    slot = f"paper:{serial}"

    return double_entry(
        entries=PaperEntry.objects.in_community(vote.community_id),
        box_field="vote",
        box=vote,
        actor=actor,
        serial=serial,
        content=stored,
        counted=ballots.filter(slot=slot).exists,
        count=lambda: ballots.get_or_create(
            vote=vote, slot=slot, defaults={"content": stored, "channel": Channel.PAPER}
        ),
        verbs={
            "entered": "vote.paper_entered",
            "conflict": "vote.paper_conflict",
            "confirmed": "vote.paper_confirmed",
        },
    )


# --- Counting --------------------------------------------------------------------------------


def results(vote: Vote) -> Any:
    """Count the ballots with the vote's method; the result dataclass from ``tally``."""
    contents = list(
        CountedBallot.objects.in_community(vote.community_id)
        .filter(vote=vote)
        .values_list("content", flat=True)
    )
    options = _option_ids(vote)
    if vote.electorate == Electorate.OWNERS:
        shares: dict[Hashable, Decimal] = {
            s.owner_id: s.area
            for s in OwnerShare.objects.in_community(vote.community_id).filter(vote=vote)
        }
        slots = dict(
            CountedBallot.objects.in_community(vote.community_id)
            .filter(vote=vote)
            .values_list("slot", "content")
        )
        # Owners' votes are never secret (the law counts each owner's area), so slots name users.
        ballots: dict[Hashable, str] = {
            int(slot.split(":")[1]): choice
            for slot, choice in slots.items()
            if slot.startswith("user:")
        }
        return tally.tally_owner_vote(
            ballots, owners=list(shares), areas=shares, weighty=vote.weighty
        )
    if vote.method == Method.YES_NO:
        return tally.tally_yes_no(
            contents,
            electorate_size=max(electorate_size(vote), len(contents), 1),
            quorum=Fraction(vote.quorum),
            threshold=Fraction(vote.threshold),
            threshold_comparison=">=" if vote.threshold_at_least else ">",
        )
    if vote.method in (Method.SINGLE, Method.APPROVAL):
        return tally.tally_approval(
            [frozenset(c) for c in contents],
            options,
            max_choices=vote.max_choices,
            min_choices=vote.min_choices,
        )
    if vote.method == Method.RANKED:
        return tally.tally_irv([tuple(c) for c in contents], options)
    return tally.tally_score(
        [{int(k): v for k, v in c.items()} for c in contents],
        options,
        min_score=vote.min_score,
        max_score=vote.max_score,
    )


def published_lists(vote: Vote) -> tuple[list[str], list[Any]]:
    """After close: every receipt (sorted), and every ballot's content in an order that says
    nothing about who cast it (by the ballots' random ids)."""
    if not vote.is_closed():
        raise ValidationError(_("The lists are published when the vote closes."), code="not_closed")
    receipts = sorted(
        Participation.objects.in_community(vote.community_id)
        .filter(vote=vote)
        .values_list("receipt", flat=True)
    )
    contents = list(
        CountedBallot.objects.in_community(vote.community_id)
        .filter(vote=vote)
        .order_by("pk")
        .values_list("content", flat=True)
    )
    return receipts, contents
