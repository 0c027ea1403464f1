"""The time bank (时间银行): a double-entry ledger of time between residents (R4.1).

Every ``Transfer`` writes exactly two ``TimeMovement`` rows, ``-m`` out of one account and
``+m`` into another, in one transaction, so each transfer sums to zero and so does the sum of
all balances of a community. A balance is the SUM of an account's movements: never stored,
never edited (the rows are append-only by database triggers, migration 0002); a mistake is
corrected by a reversing transfer with its reason.

Limits: a person's balance stays within the community's floor and ceiling
(``VolunteeringSettings.timebank_floor_minutes`` / ``…_ceiling_minutes``); the community's own
account (``owner`` empty), which grants starting credit, has neither. Both accounts are locked
(``SELECT … FOR UPDATE``, in primary-key order so two opposite transfers cannot deadlock)
before the balances are summed, so concurrent transfers from one account never cross the
floor; SQLite serialises writers with IMMEDIATE transactions.

Time-bank minutes are never service hours: nothing here writes an ``HoursEntry``, and
certificates count only the hours ledger.

``transfer`` is the ledger's primitive and checks no permission: its callers do (an exchange's
two sides in ``aid.py``, a worker's grant and reversal here).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.policies import require
from gongzhi.volunteering.models import (
    Exchange,
    TimeAccount,
    TimeMovement,
    Transfer,
    TransferKind,
)


def _community_id(community: Any) -> int:
    return int(getattr(community, "pk", community))


def _limits(community_id: int) -> tuple[int, int]:
    from gongzhi.volunteering.selectors import settings_for

    rules = settings_for(community_id)
    return rules.timebank_floor_minutes, rules.timebank_ceiling_minutes


# --- Accounts -------------------------------------------------------------------------------


def account_of(community: Any, owner: Any = None) -> TimeAccount:
    """``owner``'s account in ``community`` (the community's own when ``owner`` is None),
    opened on demand. Two requests opening it at once meet the unique constraint; the loser
    reads the winner's row."""
    cid = _community_id(community)
    mine = TimeAccount.objects.in_community(cid).filter(
        **({"owner__isnull": True} if owner is None else {"owner": owner})
    )
    found = mine.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return TimeAccount.objects.create(community_id=cid, owner=owner)
    except IntegrityError:
        return mine.get()


def community_account(community: Any) -> TimeAccount:
    return account_of(community, None)


def balance(account: TimeAccount) -> int:
    """The account's balance in minutes: the sum of its movements."""
    total = (
        TimeMovement.objects.in_community(account.community_id)
        .filter(account=account)
        .aggregate(total=Sum("minutes"))["total"]
    )
    return int(total or 0)


def _check_limit(account: TimeAccount, after: int, now: int, floor: int, ceiling: int) -> None:
    if account.owner_id is None:
        return  # the community's account issues credit: no floor, no ceiling
    if after < floor:
        raise ValidationError(
            _(
                "Not enough time in the account: its balance is %(balance)s minutes and it may "
                "not go below %(floor)s minutes (this would make it %(after)s)."
            )
            % {"balance": now, "floor": floor, "after": after},
            code="over_limit",
        )
    if after > ceiling:
        raise ValidationError(
            _(
                "The receiving account is full: its balance is %(balance)s minutes and it may "
                "not go above %(ceiling)s minutes (this would make it %(after)s)."
            )
            % {"balance": now, "ceiling": ceiling, "after": after},
            code="over_limit",
        )


# --- Transfers ------------------------------------------------------------------------------


def transfer(
    *,
    actor: Any,
    from_account: TimeAccount,
    to_account: TimeAccount,
    minutes: int,
    kind: str,
    exchange: Exchange | None = None,
    reason: str = "",
    reverses: Transfer | None = None,
    verb: str = "timebank.transferred",
) -> Transfer:
    """Move ``minutes`` from one account to the other: one Transfer, two movements.

    Refused: nothing to move (``no_minutes``), one account to itself or across communities
    (``same_account``), a balance crossing its floor or ceiling (``over_limit``)."""
    if kind not in TransferKind.values:
        raise ValidationError(_("Unknown kind of transfer."), code="transfer_kind")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise ValidationError(
            _("A transfer moves a positive number of minutes."), code="no_minutes"
        )
    if from_account.pk == to_account.pk or from_account.community_id != to_account.community_id:
        raise ValidationError(_("A transfer moves time between two accounts."), code="same_account")
    cid = from_account.community_id
    floor, ceiling = _limits(cid)
    with transaction.atomic():
        locked = {
            account.pk: account
            for account in TimeAccount.objects.in_community(cid)
            .select_for_update()
            .filter(pk__in=[from_account.pk, to_account.pk])
            .order_by("pk")
        }
        source, target = locked[from_account.pk], locked[to_account.pk]
        now_from, now_to = balance(source), balance(target)
        _check_limit(source, now_from - minutes, now_from, floor, ceiling)
        _check_limit(target, now_to + minutes, now_to, floor, ceiling)
        made = Transfer.objects.create(
            community_id=cid,
            kind=kind,
            exchange=exchange,
            reverses=reverses,
            reason=reason[:300],
            created_by=actor,
        )
        TimeMovement.objects.bulk_create(
            [
                TimeMovement(community_id=cid, transfer=made, account=source, minutes=-minutes),
                TimeMovement(community_id=cid, transfer=made, account=target, minutes=minutes),
            ]
        )
        journal.record(
            community=made.community,
            actor=actor,
            verb=verb,
            target=made,
            data={
                "kind": kind,
                "minutes": minutes,
                "from": source.pk,
                "to": target.pk,
                "exchange": exchange.pk if exchange is not None else None,
                "reverses": reverses.pk if reverses is not None else None,
                "reason": reason[:300],
            },
        )
    return made


def _is_member(person: Any, community_id: int) -> bool:
    from gongzhi.core.models import Membership

    return (
        Membership.objects.in_community(community_id)
        .filter(user=person, user__is_active=True)
        .exists()
    )


def grant_starting_credit(*, actor: Any, community: Any, person: Any) -> Transfer:
    """A worker grants ``person`` the community's starting credit from the community's account:
    once per person (a grant later reversed may be given again), never to themself."""
    cid = _community_id(community)
    require(
        "volunteering.manage_timebank",
        actor,
        community,
        _("Only the community's workers grant time-bank credit."),
    )
    if getattr(actor, "pk", None) == person.pk:
        raise ValidationError(_("Nobody grants starting credit to themself."), code="own_grant")
    if not _is_member(person, cid):
        raise ValidationError(
            _("Starting credit goes to members of the community."), code="not_member"
        )
    from gongzhi.volunteering.selectors import settings_for

    minutes = settings_for(cid).timebank_starting_minutes
    if minutes <= 0:
        raise ValidationError(
            _("This community gives no starting credit."), code="no_starting_credit"
        )
    with transaction.atomic():
        account = account_of(cid, person)
        # The person's account row is the lock that makes "once per person" hold when two
        # workers grant at once.
        TimeAccount.objects.in_community(cid).select_for_update().get(pk=account.pk)
        granted = (
            Transfer.objects.in_community(cid)
            .filter(
                kind=TransferKind.GRANT,
                movements__account=account,
                movements__minutes__gt=0,
                reversed_by__isnull=True,
            )
            .exists()
        )
        if granted:
            raise ValidationError(
                _("This person has already received their starting credit."), code="already_granted"
            )
        return transfer(
            actor=actor,
            from_account=community_account(cid),
            to_account=account,
            minutes=minutes,
            kind=TransferKind.GRANT,
            reason=_("starting credit"),
            verb="timebank.granted",
        )


def reverse(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    """A worker reverses a transfer with a reason: the mirror movements, kind ``reversal``.
    A transfer is reversed once (``already_reversed``); a reversal is not reversed again
    (``reversal_reversed``: make a new transfer instead); the limits hold for it too."""
    original = transfer
    require(
        "volunteering.manage_timebank",
        actor,
        original,
        _("Only the community's workers reverse time-bank transfers."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the transfer is reversed."), code="reason_required")
    if original.kind == TransferKind.REVERSAL:
        raise ValidationError(_("A reversal is not reversed again."), code="reversal_reversed")
    cid = original.community_id
    with transaction.atomic():
        movements = list(
            TimeMovement.objects.in_community(cid).filter(transfer=original).order_by("minutes")
        )
        out_of, into = movements[0], movements[-1]
        if Transfer.objects.in_community(cid).filter(reverses=original).exists():
            raise ValidationError(
                _("This transfer has already been reversed."), code="already_reversed"
            )
        accounts = TimeAccount.objects.in_community(cid)
        try:
            return transfer_(
                actor=actor,
                from_account=accounts.get(pk=into.account_id),
                to_account=accounts.get(pk=out_of.account_id),
                minutes=into.minutes,
                kind=TransferKind.REVERSAL,
                exchange=original.exchange,
                reason=reason,
                reverses=original,
                verb="timebank.reversed",
            )
        except IntegrityError as error:  # the one-to-one ``reverses``: a concurrent reversal
            raise ValidationError(
                _("This transfer has already been reversed."), code="already_reversed"
            ) from error


#: ``reverse`` takes an argument named ``transfer``; it calls the primitive by this name.
transfer_ = transfer
