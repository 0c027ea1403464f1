"""Incubation services: proposing, founders, mentors, stages, support, annual reports — each
rule and each bad input refused with its translated message and nothing saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies import incubation
from gongzhi.bodies.models import (
    AnnualReport,
    Body,
    ChosenBy,
    Incubation,
    Mandate,
    Stage,
    StageChange,
    Support,
)
from gongzhi.core.models import Activity, Role
from gongzhi.disclosure.models import LedgerEntry
from gongzhi.notifications.models import Notification
from tests.factories import member

pytestmark = pytest.mark.django_db
TODAY = datetime.now(tz=ZoneInfo("Asia/Shanghai")).date()


def propose(community, who, name="广场舞队") -> Incubation:
    return incubation.organisation_propose(
        actor=who, community=community, kind="interest_group", name=name, purpose="每晚跳舞健身"
    )


def founded(community, proposer, n: int = 3) -> Incubation:
    """An idea with ``n`` founders (the proposer first)."""
    item = propose(community, proposer)
    for _i in range(n - 1):
        incubation.founder_join(actor=member(community), incubation=item)
    return item


def incubating(community, proposer, worker) -> Incubation:
    item = founded(community, proposer)
    incubation.mentor_assign(actor=worker, incubation=item, mentor=member(community))
    incubation.stage_move(actor=worker, incubation=item, to="incubating", note="三人发起，导师已定")
    return fresh(item)


def fresh(item: Incubation) -> Incubation:
    return Incubation.objects.in_community(item.community).get(pk=item.pk)


def journal(community, verb: str) -> list[dict]:
    return list(
        Activity.objects.in_community(community).filter(verb=verb).values_list("data", flat=True)
    )


def refused(exc_info, msgid: str, code: str, **params) -> None:
    error = exc_info.value
    assert error.code == code
    expected = _(msgid) % params if params else _(msgid)
    assert error.messages == [expected]


# --- Proposing and joining ------------------------------------------------------------------


def test_a_proposal_is_a_body_with_its_proposer_as_first_founder(community, resident):
    item = propose(community, resident)
    assert item.stage == Stage.IDEA
    assert item.body.kind == "interest_group"
    [mandate] = incubation.founders_of(item)
    assert mandate.membership.user == resident and mandate.chosen_by == ChosenBy.FOUNDING
    assert mandate.position.title == incubation.FOUNDER_TITLE and mandate.position.role == ""
    assert mandate.seat == 1
    change = StageChange.objects.in_community(community).get(incubation=item)
    assert (change.from_stage, change.to_stage, change.by) == ("", "idea", resident)
    assert journal(community, "incubation.proposed") == [
        {"body": item.body_id, "kind": "interest_group"}
    ]


def test_only_verified_residents_propose(community, unverified):
    with pytest.raises(PermissionDenied):
        propose(community, unverified)
    assert not Body.objects.in_community(community).exists()


@pytest.mark.parametrize(
    ("fields", "msgid", "code"),
    [
        ({"kind": "council"}, "Choose a resident organisation or an interest group.", "kind"),
        ({"name": "  "}, "Give the organisation a name.", "name"),
        ({"purpose": ""}, "Say what the organisation is for.", "purpose"),
    ],
)
def test_bad_proposals_are_refused(community, resident, fields, msgid, code):
    values = {"kind": "organisation", "name": "读书会", "purpose": "一起读书", **fields}
    with pytest.raises(ValidationError) as exc_info:
        incubation.organisation_propose(actor=resident, community=community, **values)
    refused(exc_info, msgid, code)
    assert not Body.objects.in_community(community).exists()


def test_a_name_is_taken_once(community, resident):
    propose(community, resident)
    with pytest.raises(ValidationError) as exc_info:
        propose(community, member(community))
    refused(
        exc_info,
        "The community already has a body called “%(name)s”.",
        "name_taken",
        name="广场舞队",
    )
    assert Body.objects.in_community(community).count() == 1


def test_residents_join_once_each_on_seats_of_their_own(community, resident):
    item = propose(community, resident)
    other = member(community)
    mandate = incubation.founder_join(actor=other, incubation=item)
    assert mandate.seat == 2
    with pytest.raises(ValidationError) as exc_info:
        incubation.founder_join(actor=other, incubation=item)
    refused(exc_info, "You are already a founder of this organisation.", "already_founder")
    with pytest.raises(ValidationError):
        incubation.founder_join(actor=resident, incubation=item)
    assert incubation.founder_count(item) == 2
    assert len(journal(community, "incubation.founder_joined")) == 1


def test_unverified_and_outsiders_cannot_join(community, resident, unverified, other_community):
    item = propose(community, resident)
    for person in (unverified, member(other_community)):
        with pytest.raises(PermissionDenied):
            incubation.founder_join(actor=person, incubation=item)
    assert incubation.founder_count(item) == 1


def test_founding_closes_once_filed(community, resident, worker):
    item = incubating(community, resident, worker)
    incubation.stage_move(
        actor=worker, incubation=item, to="filed", note="已备案", filing_number="BA-1"
    )
    with pytest.raises(ValidationError) as exc_info:
        incubation.founder_join(actor=member(community), incubation=fresh(item))
    refused(
        exc_info,
        "This organisation has passed its founding: ask its founders to join it.",
        "founding_closed",
    )


# --- Mentors ----------------------------------------------------------------------------------


def test_a_worker_assigns_a_mentor_who_is_told(community, resident, worker):
    item = propose(community, resident)
    mentor = member(community)
    incubation.mentor_assign(actor=worker, incubation=item, mentor=mentor)
    assert fresh(item).mentor == mentor
    assert journal(community, "incubation.mentor_assigned") == [
        {"body": item.body_id, "mentor": mentor.pk}
    ]
    assert Notification.objects.filter(user=mentor, kind="incubation").count() == 1


def test_a_founder_cannot_mentor_and_a_mentor_cannot_found(community, resident, worker):
    item = propose(community, resident)
    with pytest.raises(ValidationError) as exc_info:
        incubation.mentor_assign(actor=worker, incubation=item, mentor=resident)
    refused(
        exc_info,
        "A founder cannot mentor their own organisation: choose someone else.",
        "mentor_is_founder",
    )
    mentor = member(community)
    incubation.mentor_assign(actor=worker, incubation=item, mentor=mentor)
    with pytest.raises(ValidationError) as exc_info:
        incubation.founder_join(actor=mentor, incubation=item)
    assert exc_info.value.code == "mentor_cannot_found"


def test_the_mentor_belongs_to_the_community(community, resident, worker, other_community):
    item = propose(community, resident)
    with pytest.raises(ValidationError) as exc_info:
        incubation.mentor_assign(actor=worker, incubation=item, mentor=member(other_community))
    refused(exc_info, "The mentor must be a member of this community.", "mentor_not_member")
    assert fresh(item).mentor is None


def test_residents_do_not_assign_mentors(community, resident):
    item = propose(community, resident)
    with pytest.raises(PermissionDenied):
        incubation.mentor_assign(actor=member(community), incubation=item, mentor=member(community))


# --- Stages -----------------------------------------------------------------------------------


def test_the_stages_in_order_with_history_journal_and_founders_told(community, resident, worker):
    item = incubating(community, resident, worker)
    incubation.stage_move(
        actor=worker, incubation=item, to="filed", note="街道备案", filing_number="京朝备2026-01"
    )
    incubation.stage_move(actor=worker, incubation=fresh(item), to="active", note="开始活动")
    incubation.stage_move(actor=worker, incubation=fresh(item), to="dormant", note="冬季暂停")
    incubation.stage_move(actor=worker, incubation=fresh(item), to="active", note="恢复活动")
    item = fresh(item)
    assert item.stage == "active" and item.filing_number == "京朝备2026-01"
    steps = list(
        StageChange.objects.in_community(community)
        .filter(incubation=item)
        .values_list("from_stage", "to_stage")
    )
    assert steps == [
        ("", "idea"),
        ("idea", "incubating"),
        ("incubating", "filed"),
        ("filed", "active"),
        ("active", "dormant"),
        ("dormant", "active"),
    ]
    assert journal(community, "incubation.stage_changed")[0] == {
        "body": item.body_id,
        "from": "idea",
        "to": "incubating",
    }
    assert Notification.objects.filter(user=resident, kind="incubation").count() == 5


def test_not_enough_founders(community, resident, worker):
    item = founded(community, resident, n=2)
    incubation.mentor_assign(actor=worker, incubation=item, mentor=member(community))
    with pytest.raises(ValidationError) as exc_info:
        incubation.stage_move(actor=worker, incubation=item, to="incubating", note="开始")
    refused(
        exc_info,
        "An organisation is incubated with at least %(min)d founders; it has %(n)d.",
        "too_few_founders",
        min=3,
        n=2,
    )
    assert fresh(item).stage == "idea"
    assert StageChange.objects.in_community(community).count() == 1


def test_no_mentor(community, resident, worker):
    item = founded(community, resident)
    with pytest.raises(ValidationError) as exc_info:
        incubation.stage_move(actor=worker, incubation=item, to="incubating", note="开始")
    refused(exc_info, "Assign a mentor before the organisation is incubated.", "no_mentor")
    assert fresh(item).stage == "idea"


def test_filing_number_missing(community, resident, worker):
    item = incubating(community, resident, worker)
    with pytest.raises(ValidationError) as exc_info:
        incubation.stage_move(
            actor=worker, incubation=item, to="filed", note="备案", filing_number="  "
        )
    refused(
        exc_info,
        "Give the filing number (备案号) the street gave the organisation.",
        "filing_number_missing",
    )
    assert fresh(item).stage == "incubating"


def test_a_dormant_idea_revives_to_active_only_with_a_filing_number(community, resident, worker):
    item = propose(community, resident)
    incubation.stage_move(actor=worker, incubation=item, to="dormant", note="没人了")
    with pytest.raises(ValidationError) as exc_info:
        incubation.stage_move(actor=worker, incubation=fresh(item), to="active", note="恢复")
    assert exc_info.value.code == "filing_number_missing"


@pytest.mark.parametrize("to", ["filed", "active", "idea", "nonsense"])
def test_stages_are_not_skipped(community, resident, worker, to):
    item = propose(community, resident)
    with pytest.raises(ValidationError) as exc_info:
        incubation.stage_move(
            actor=worker, incubation=item, to=to, note="跳过", filing_number="X-1"
        )
    refused(
        exc_info,
        "An organisation cannot move from “%(from)s” to this stage.",
        "stage_step",
        **{"from": Stage.IDEA.label},
    )
    assert fresh(item).stage == "idea"


def test_a_founder_does_not_move_their_own_organisation(community, resident):
    founder_worker = member(community, Role.COMMUNITY_WORKER)
    item = propose(community, founder_worker)
    with pytest.raises(ValidationError) as exc_info:
        incubation.stage_move(actor=founder_worker, incubation=item, to="dormant", note="自己")
    refused(
        exc_info,
        "You are a founder of this organisation: another community worker decides about it.",
        "own_organisation",
    )
    with pytest.raises(ValidationError):
        incubation.mentor_assign(actor=founder_worker, incubation=item, mentor=resident)
    assert fresh(item).stage == "idea" and fresh(item).mentor is None


def test_residents_do_not_move_stages_and_a_note_is_needed(community, resident, worker):
    item = propose(community, resident)
    with pytest.raises(PermissionDenied):
        incubation.stage_move(actor=resident, incubation=item, to="dormant", note="停")
    with pytest.raises(ValidationError) as exc_info:
        incubation.stage_move(actor=worker, incubation=item, to="dormant", note=" ")
    refused(exc_info, "Say why the stage changes.", "note")


# --- Support ----------------------------------------------------------------------------------


def test_space_and_training_are_recorded(community, resident, worker):
    item = propose(community, resident)
    support = incubation.support_give(
        actor=worker,
        incubation=item,
        kind="training",
        description="社区学院《团队管理》课程",
        given_on=timezone.localdate(),
    )
    assert support.ledger_entry is None and support.amount_fen is None
    assert journal(community, "incubation.support_given") == [
        {"body": item.body_id, "kind": "training", "amount_fen": None}
    ]


def test_a_grant_goes_through_the_ledger_awaiting_a_second_person(community, resident, worker):
    item = propose(community, resident)
    support = incubation.support_give(
        actor=worker,
        incubation=item,
        kind="grant",
        description="启动资金",
        given_on=timezone.localdate(),
        amount="800.00",
    )
    entry = LedgerEntry.objects.in_community(community).get(pk=support.ledger_entry_id)
    assert (entry.kind, entry.total_fen, entry.status, entry.counterparty) == (
        "expenditure",
        80000,
        "pending",
        "广场舞队",
    )
    assert list(entry.lines.values_list("category", "amount_fen")) == [("activities", 80000)]
    assert support.amount_fen == 80000
    assert journal(community, "incubation.support_given")[0]["amount_fen"] == 80000


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "grant"}, "amount_missing"),
        ({"kind": "grant", "amount": "0"}, "amount_not_positive"),
        ({"kind": "grant", "amount": "abc"}, "amount"),
        ({"kind": "space", "amount": "10"}, "amount"),
        ({"kind": "money"}, "kind"),
        ({"description": ""}, "description"),
        ({"given_on": TODAY + timedelta(days=3)}, "future_date"),
    ],
)
def test_bad_support_saves_nothing(community, resident, worker, fields, code):
    item = propose(community, resident)
    values = {
        "kind": "space",
        "description": "活动室每周二晚",
        "given_on": timezone.localdate(),
        **fields,
    }
    with pytest.raises(ValidationError) as exc_info:
        incubation.support_give(actor=worker, incubation=item, **values)
    assert exc_info.value.code == code
    assert not Support.objects.in_community(community).exists()
    assert not LedgerEntry.objects.in_community(community).exists()


def test_a_founder_gives_their_organisation_no_grant(community):
    founder_worker = member(community, Role.COMMUNITY_WORKER)
    item = propose(community, founder_worker)
    with pytest.raises(ValidationError) as exc_info:
        incubation.support_give(
            actor=founder_worker,
            incubation=item,
            kind="grant",
            description="启动",
            given_on=timezone.localdate(),
            amount="100",
        )
    assert exc_info.value.code == "own_organisation"
    assert not LedgerEntry.objects.in_community(community).exists()


# --- Annual reports ---------------------------------------------------------------------------


def filed(community, resident, worker) -> Incubation:
    item = incubating(community, resident, worker)
    incubation.stage_move(
        actor=worker, incubation=item, to="filed", note="备案", filing_number="BA-7"
    )
    return fresh(item)


def report(item, who, year: int | None = None, **fields):
    values = {
        "members": 12,
        "activities": 30,
        "participants": 400,
        "text": "全年活动三十次。",
        **fields,
    }
    return incubation.report_submit(
        actor=who, incubation=item, year=year or timezone.localdate().year, **values
    )


def test_a_founder_reports_once_a_year(community, resident, worker):
    item = filed(community, resident, worker)
    report(item, resident)
    with pytest.raises(ValidationError) as exc_info:
        report(item, resident, text="再报一次")
    year = timezone.localdate().year
    refused(
        exc_info,
        "The report for %(year)d has already been submitted.",
        "report_year_taken",
        year=year,
    )
    assert AnnualReport.objects.in_community(community).count() == 1
    assert journal(community, "incubation.report_submitted") == [
        {"body": item.body_id, "year": year}
    ]


def test_the_database_keeps_one_report_a_year(community, resident, worker):
    item = filed(community, resident, worker)
    report(item, resident)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.in_community(community).create(
            incubation=item,
            year=timezone.localdate().year,
            members=1,
            activities=1,
            participants=1,
            text="x",
            submitted_by=resident,
        )


def test_only_founders_and_leaders_report(community, resident, worker):
    item = filed(community, resident, worker)
    for person in (worker, member(community)):
        with pytest.raises(PermissionDenied):
            report(item, person)
    assert not AnnualReport.objects.in_community(community).exists()


def test_an_idea_does_not_report(community, resident):
    item = propose(community, resident)
    with pytest.raises(ValidationError) as exc_info:
        report(item, resident)
    assert exc_info.value.code == "report_stage"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"year": 1999}, "year"),
        ({"year": TODAY.year + 1}, "year"),
        ({"members": -1}, "count"),
        ({"participants": 10**9}, "count"),
        ({"text": "   "}, "text"),
    ],
)
def test_bad_reports_save_nothing(community, resident, worker, fields, code):
    item = filed(community, resident, worker)
    with pytest.raises(ValidationError) as exc_info:
        report(item, resident, **fields)
    assert exc_info.value.code == code
    assert not AnnualReport.objects.in_community(community).exists()


# --- Growth -----------------------------------------------------------------------------------


def test_growth_counts_founded_active_and_dormant_per_year(community, resident, worker):
    item = filed(community, resident, worker)
    incubation.stage_move(actor=worker, incubation=item, to="active", note="活动")
    other = propose(community, member(community), name="读书会")
    incubation.stage_move(actor=worker, incubation=other, to="dormant", note="停")
    last_year = timezone.now() - timedelta(days=400)
    StageChange.objects.in_community(community).filter(incubation=other).update(at=last_year)
    rows = incubation.growth(community)
    this_year = timezone.localdate().year
    assert [r.year for r in rows] == list(range(timezone.localtime(last_year).year, this_year + 1))
    first, last = rows[0], rows[-1]
    assert (first.founded, first.became_active, first.went_dormant, first.active_at_end) == (
        1,
        0,
        1,
        0,
    )
    assert (last.founded, last.became_active, last.went_dormant, last.active_at_end) == (1, 1, 0, 1)


def test_founder_mandates_hold_no_role(community, resident):
    item = propose(community, resident)
    mandate = Mandate.objects.in_community(community).get(body=item.body)
    assert mandate.role_grant is None
