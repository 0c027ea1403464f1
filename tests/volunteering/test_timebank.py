"""The time bank's double-entry ledger: transfers, limits, starting credit, reversals, and the
database refusing to change or delete its rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from gongzhi.core.models import Activity
from gongzhi.volunteering import timebank
from gongzhi.volunteering.models import (
    HoursEntry,
    TimeAccount,
    TimeMovement,
    Transfer,
    TransferKind,
    VolunteeringSettings,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


def _funded(community, worker, person):
    """``person``'s account, with the starting credit granted by ``worker``."""
    timebank.grant_starting_credit(actor=worker, community=community, person=person)
    return timebank.account_of(community, person)


def test_a_transfer_is_two_movements_that_sum_to_zero(community, worker, resident):
    helper = member(community)
    source = _funded(community, worker, resident)
    target = timebank.account_of(community, helper)
    made = timebank.transfer(
        actor=resident, from_account=source, to_account=target, minutes=45, kind="exchange"
    )
    movements = list(TimeMovement.objects.in_community(community).filter(transfer=made))
    assert sorted(m.minutes for m in movements) == [-45, 45]
    assert timebank.balance(source) == 120 - 45
    assert timebank.balance(target) == 45
    assert timebank.balance(timebank.community_account(community)) == -120
    assert Activity.objects.in_community(community).filter(verb="timebank.transferred").exists()
    assert not HoursEntry.objects.in_community(community).exists()  # never service hours


def test_accounts_open_on_demand_once(community, resident):
    first = timebank.account_of(community, resident)
    assert timebank.account_of(community, resident).pk == first.pk
    assert timebank.community_account(community).pk == timebank.community_account(community).pk
    assert TimeAccount.objects.in_community(community).count() == 2


def test_the_floor_refuses_with_the_balance_and_saves_nothing(community, resident):
    helper = member(community)
    source = timebank.account_of(community, resident)
    target = timebank.account_of(community, helper)
    timebank.transfer(
        actor=resident, from_account=source, to_account=target, minutes=600, kind="exchange"
    )
    with pytest.raises(ValidationError) as refused:
        timebank.transfer(
            actor=resident, from_account=source, to_account=target, minutes=1, kind="exchange"
        )
    assert refused.value.code == "over_limit"
    assert "-600" in refused.value.messages[0]
    assert Transfer.objects.in_community(community).count() == 1
    assert timebank.balance(source) == -600


def test_the_ceiling_refuses(community, worker, resident):
    VolunteeringSettings.objects.create(community=community, timebank_ceiling_minutes=100)
    helper = member(community)
    source = timebank.account_of(community, resident)
    target = timebank.account_of(community, helper)
    with pytest.raises(ValidationError) as refused:
        timebank.transfer(
            actor=resident, from_account=source, to_account=target, minutes=101, kind="exchange"
        )
    assert refused.value.code == "over_limit"
    assert not Transfer.objects.in_community(community).exists()


def test_the_over_limit_message_is_translated(community, resident):
    """The message is the msgid's translation in the reader's language (zh-hans comes with the
    catalogue pass); its numbers are the balance, the floor and the refused result."""
    source = timebank.account_of(community, resident)
    target = timebank.account_of(community, member(community))
    msgid = (
        "Not enough time in the account: its balance is %(balance)s minutes and it may "
        "not go below %(floor)s minutes (this would make it %(after)s)."
    )
    for language in ("en", "zh-hans"):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            timebank.transfer(
                actor=resident, from_account=source, to_account=target, minutes=601, kind="exchange"
            )
        with translation.override(language):
            expected = translation.gettext(msgid) % {"balance": 0, "floor": -600, "after": -601}
        assert refused.value.messages[0] == expected
    assert "Not enough time" in expected or "分钟" in expected


@pytest.mark.parametrize("minutes", [0, -5])
def test_a_transfer_moves_some_time(community, resident, minutes):
    source = timebank.account_of(community, resident)
    target = timebank.account_of(community, member(community))
    with pytest.raises(ValidationError) as refused:
        timebank.transfer(
            actor=resident, from_account=source, to_account=target, minutes=minutes, kind="exchange"
        )
    assert refused.value.code == "no_minutes"


def test_an_account_does_not_pay_itself(community, resident):
    account = timebank.account_of(community, resident)
    with pytest.raises(ValidationError) as refused:
        timebank.transfer(
            actor=resident, from_account=account, to_account=account, minutes=5, kind="exchange"
        )
    assert refused.value.code == "same_account"


def test_the_community_account_has_no_floor(community, worker):
    for _ in range(8):
        timebank.grant_starting_credit(actor=worker, community=community, person=member(community))
    assert timebank.balance(timebank.community_account(community)) == -960


def test_starting_credit_once_per_person_by_a_worker_not_to_themself(community, worker, resident):
    made = timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    assert made.kind == TransferKind.GRANT
    assert timebank.balance(timebank.account_of(community, resident)) == 120
    with pytest.raises(ValidationError) as again:
        timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    assert again.value.code == "already_granted"
    with pytest.raises(ValidationError) as own:
        timebank.grant_starting_credit(actor=worker, community=community, person=worker)
    assert own.value.code == "own_grant"
    with pytest.raises(PermissionDenied):
        timebank.grant_starting_credit(
            actor=resident, community=community, person=member(community)
        )
    assert Transfer.objects.in_community(community).count() == 1


def test_starting_credit_goes_to_members_only(community, worker, outsider):
    with pytest.raises(ValidationError) as refused:
        timebank.grant_starting_credit(actor=worker, community=community, person=outsider)
    assert refused.value.code == "not_member"


def test_starting_credit_follows_the_settings(community, worker, resident):
    VolunteeringSettings.objects.create(community=community, timebank_starting_minutes=0)
    with pytest.raises(ValidationError) as refused:
        timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    assert refused.value.code == "no_starting_credit"


def test_a_worker_reverses_a_transfer_once_with_a_reason(community, worker, resident):
    helper = member(community)
    source = _funded(community, worker, resident)
    target = timebank.account_of(community, helper)
    made = timebank.transfer(
        actor=resident, from_account=source, to_account=target, minutes=30, kind="exchange"
    )
    with pytest.raises(PermissionDenied):
        timebank.reverse(actor=resident, transfer=made, reason="mistake")
    with pytest.raises(ValidationError) as no_reason:
        timebank.reverse(actor=worker, transfer=made, reason="  ")
    assert no_reason.value.code == "reason_required"
    mirror = timebank.reverse(actor=worker, transfer=made, reason="did not happen")
    assert mirror.kind == TransferKind.REVERSAL and mirror.reverses_id == made.pk
    assert timebank.balance(source) == 120 and timebank.balance(target) == 0
    with pytest.raises(ValidationError) as twice:
        timebank.reverse(actor=worker, transfer=made, reason="again")
    assert twice.value.code == "already_reversed"
    with pytest.raises(ValidationError) as of_reversal:
        timebank.reverse(actor=worker, transfer=mirror, reason="undo")
    assert of_reversal.value.code == "reversal_reversed"


def test_a_reversed_grant_may_be_granted_again(community, worker, resident):
    grant = timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    timebank.reverse(actor=worker, transfer=grant, reason="granted to the wrong person")
    timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    assert timebank.balance(timebank.account_of(community, resident)) == 120


def test_a_reversal_respects_the_limits(community, worker, resident):
    """The helper already spent what they received: reversing would cross their floor."""
    helper, third = member(community), member(community)
    source = timebank.account_of(community, resident)
    target = timebank.account_of(community, helper)
    made = timebank.transfer(
        actor=resident, from_account=source, to_account=target, minutes=300, kind="exchange"
    )
    timebank.transfer(
        actor=helper,
        from_account=target,
        to_account=timebank.account_of(community, third),
        minutes=900,
        kind="exchange",
    )
    with pytest.raises(ValidationError) as refused:
        timebank.reverse(actor=worker, transfer=made, reason="no")
    assert refused.value.code == "over_limit"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE volunteering_transfer SET reason = 'edited'",
        "DELETE FROM volunteering_transfer",
        "UPDATE volunteering_timemovement SET minutes = 999",
        "DELETE FROM volunteering_timemovement",
    ],
)
def test_the_database_refuses_to_change_the_ledger(community, worker, resident, statement):
    timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert sorted(
        TimeMovement.objects.in_community(community).values_list("minutes", flat=True)
    ) == [-120, 120]


def test_the_orm_cannot_edit_a_movement(community, worker, resident):
    timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    movement = TimeMovement.objects.in_community(community).first()
    movement.minutes = 5
    with pytest.raises(IntegrityError), transaction.atomic():
        movement.save()


def test_a_supervisor_does_not_grant(community, supervisor, resident):
    with pytest.raises(PermissionDenied):
        timebank.grant_starting_credit(actor=supervisor, community=community, person=resident)
