"""The double-entry block (core/paper.py) on its own: the algorithm with the app-specific parts
(checking, counting) replaced by plain callbacks, on voting's concrete entry table."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gongzhi.core.models import Activity, Role
from gongzhi.core.paper import PaperEntryBase, PaperResult, double_entry, paper_serial
from gongzhi.voting.models import PaperEntry
from tests.factories import member
from tests.voting.test_votes import make_vote

VERBS = {"entered": "t.entered", "conflict": "t.conflict", "confirmed": "t.confirmed"}


class Box:
    """What an app supplies: where a confirmed ballot goes and whether the serial is in it."""

    def __init__(self) -> None:
        self.counted: list[object] = []
        self.refuse = False

    def count_it(self, content: object) -> None:
        if self.refuse:
            raise ValidationError("full", code="full")
        self.counted.append(content)


def enter(vote, box: Box, actor, serial: str, content) -> PaperResult:
    return double_entry(
        entries=PaperEntry.objects.in_community(vote.community_id),
        box_field="vote",
        box=vote,
        actor=actor,
        serial=serial,
        content=content,
        counted=lambda: bool(box.counted),
        count=lambda: box.count_it(content),
        verbs=VERBS,
    )


def verbs(community) -> list[str]:
    return list(
        Activity.objects.filter(community=community, verb__startswith="t.")
        .order_by("pk")
        .values_list("verb", flat=True)
    )


@pytest.fixture
def vote(community, worker):
    return make_vote(community, worker)


@pytest.mark.django_db
def test_two_people_agreeing_count_the_ballot_once(community, worker, vote):
    box, clerk = Box(), member(community, Role.COMMUNITY_WORKER)
    assert enter(vote, box, worker, " 007 ", [1]) == PaperResult(confirmed=False, conflict=False)
    assert box.counted == []
    assert enter(vote, box, clerk, "007", [1]) == PaperResult(confirmed=True, conflict=False)
    assert box.counted == [[1]]
    assert verbs(community) == ["t.entered", "t.confirmed"]
    assert set(PaperEntry.objects.in_community(community).values_list("serial", flat=True)) == {
        "007"
    }
    with pytest.raises(ValidationError) as refused:
        enter(vote, box, member(community, Role.COMMUNITY_WORKER), "007", [1])
    assert refused.value.code == "already_counted"


@pytest.mark.django_db
def test_one_person_cannot_confirm_their_own_reading(community, worker, vote):
    box = Box()
    enter(vote, box, worker, "1", [1])
    with pytest.raises(ValidationError) as refused:
        enter(vote, box, worker, "1", [1])
    assert refused.value.code == "same_person"
    assert box.counted == [] and PaperEntry.objects.in_community(community).count() == 1


@pytest.mark.django_db
def test_a_conflict_waits_for_a_third_reading_that_agrees_with_one(community, worker, vote):
    box = Box()
    second, third = (member(community, Role.COMMUNITY_WORKER) for _ in range(2))
    enter(vote, box, worker, "1", {"a": 1})
    assert enter(vote, box, second, "1", {"a": 2}) == PaperResult(confirmed=False, conflict=True)
    assert box.counted == []
    assert enter(vote, box, third, "1", {"a": 2}).confirmed
    assert box.counted == [{"a": 2}]
    assert verbs(community) == ["t.entered", "t.conflict", "t.confirmed"]
    confirmed = Activity.objects.get(community=community, verb="t.confirmed")
    assert confirmed.data == {"serial": "1"} and confirmed.target_id == str(vote.pk)


@pytest.mark.django_db
def test_a_refused_count_undoes_the_reading(community, worker, vote):
    box, clerk = Box(), member(community, Role.COMMUNITY_WORKER)
    enter(vote, box, worker, "1", [1])
    box.refuse = True
    with pytest.raises(ValidationError):
        enter(vote, box, clerk, "1", [1])
    assert PaperEntry.objects.in_community(community).count() == 1
    assert verbs(community) == ["t.entered"]


@pytest.mark.django_db
def test_serial_numbers_are_checked(community, worker, vote):
    assert paper_serial("  A-12 ") == "A-12"
    for bad in ("", "   ", None, "x" * 31):
        with pytest.raises(ValidationError) as refused:
            paper_serial(bad)
        assert refused.value.code == "serial_invalid"
    with pytest.raises(ValidationError):
        enter(vote, Box(), worker, " ", [1])
    assert not PaperEntry.objects.in_community(community).exists()


@pytest.mark.django_db
def test_the_database_refuses_a_second_reading_by_the_same_person(community, worker, vote):
    rows = PaperEntry.objects.in_community(community)
    rows.create(vote=vote, serial="1", content=[1], entered_by=worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.create(vote=vote, serial="1", content=[2], entered_by=worker)


def test_both_apps_inherit_the_one_definition():
    from gongzhi.budgeting.models import PaperEntry as BudgetPaperEntry

    for model in (PaperEntry, BudgetPaperEntry):
        assert issubclass(model, PaperEntryBase)
        assert {f.name for f in model._meta.fields} >= {
            "serial",
            "content",
            "entered_by",
            "entered_at",
        }
        (constraint,) = model._meta.constraints
        assert constraint.fields[2:] == ("serial", "entered_by")
