"""Property: after any sequence of transfers, grants and reversals, every transfer's two
movements sum to zero, all balances together sum to zero, no person's balance is outside the
limits, and each balance equals an independent model's (which also says which acts the bank
had to refuse)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.volunteering import timebank
from gongzhi.volunteering.models import TimeMovement, Transfer, VolunteeringSettings
from tests.factories import member

FLOOR, CEILING, START = -90, 240, 60
PEOPLE = 4

transfer_op = st.tuples(
    st.just("transfer"),
    st.integers(0, PEOPLE - 1),
    st.integers(0, PEOPLE - 1),
    st.integers(1, 200),
)
grant_op = st.tuples(st.just("grant"), st.integers(0, PEOPLE - 1))
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 30))
operations = st.lists(st.one_of(transfer_op, grant_op, reverse_op), max_size=14)


class Model:
    """The bank as plain numbers: account ``None`` is the community's."""

    def __init__(self) -> None:
        self.balance: dict[int | None, int] = {None: 0, **{i: 0 for i in range(PEOPLE)}}
        self.transfers: list[dict] = []  # {"from", "to", "minutes", "kind", "reversed"}

    def allowed(self, source: int | None, target: int | None, minutes: int) -> bool:
        after_source = self.balance[source] - minutes
        after_target = self.balance[target] + minutes
        if source is not None and after_source < FLOOR:
            return False
        return target is None or after_target <= CEILING

    def move(self, source: int | None, target: int | None, minutes: int, kind: str) -> None:
        self.balance[source] -= minutes
        self.balance[target] += minutes
        self.transfers.append(
            {"from": source, "to": target, "minutes": minutes, "kind": kind, "reversed": False}
        )


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_the_bank_balances_after_any_sequence(community, worker, ops):
    with transaction.atomic():
        VolunteeringSettings.objects.update_or_create(
            community=community,
            defaults={
                "timebank_floor_minutes": FLOOR,
                "timebank_ceiling_minutes": CEILING,
                "timebank_starting_minutes": START,
            },
        )
        people = [member(community) for _ in range(PEOPLE)]
        accounts = [timebank.account_of(community, person) for person in people]
        model = Model()
        made: list[Transfer] = []
        for op in ops:
            if op[0] == "transfer":
                _, i, j, minutes = op
                if i == j:
                    continue
                expect = model.allowed(i, j, minutes)
                try:
                    done = timebank.transfer(
                        actor=people[i],
                        from_account=accounts[i],
                        to_account=accounts[j],
                        minutes=minutes,
                        kind="exchange",
                    )
                except ValidationError as refused:
                    assert not expect and refused.code == "over_limit"
                else:
                    assert expect
                    model.move(i, j, minutes, "exchange")
                    made.append(done)
            elif op[0] == "grant":
                i = op[1]
                granted = any(
                    t["kind"] == "grant" and t["to"] == i and not t["reversed"]
                    for t in model.transfers
                )
                expect = not granted and model.allowed(None, i, START)
                try:
                    done = timebank.grant_starting_credit(
                        actor=worker, community=community, person=people[i]
                    )
                except ValidationError as refused:
                    assert not expect
                    assert refused.code == ("already_granted" if granted else "over_limit")
                else:
                    assert expect
                    model.move(None, i, START, "grant")
                    made.append(done)
            else:
                k = op[1]
                if k >= len(made):
                    continue
                entry = model.transfers[k]
                expect = (
                    entry["kind"] != "reversal"
                    and not entry["reversed"]
                    and model.allowed(entry["to"], entry["from"], entry["minutes"])
                )
                try:
                    done = timebank.reverse(actor=worker, transfer=made[k], reason="test")
                except ValidationError:
                    assert not expect
                else:
                    assert expect
                    entry["reversed"] = True
                    model.move(entry["to"], entry["from"], entry["minutes"], "reversal")
                    made.append(done)

        movements = TimeMovement.objects.in_community(community)
        per_transfer = movements.values("transfer").annotate(total=Sum("minutes"), n=Count("pk"))
        assert all(row["total"] == 0 and row["n"] == 2 for row in per_transfer)
        assert (movements.aggregate(total=Sum("minutes"))["total"] or 0) == 0
        for i, account in enumerate(accounts):
            assert timebank.balance(account) == model.balance[i]
            assert FLOOR <= model.balance[i] <= CEILING
        assert timebank.balance(timebank.community_account(community)) == model.balance[None]
        assert Transfer.objects.in_community(community).count() == len(made)
        transaction.set_rollback(True)
