"""The surveys' services: answering (anonymous and identified), one answer per person, bad
input refused with nothing saved, rounds and public-seed samples, reminders, paper double entry,
licensed scales confirmed by a second person."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.core import lottery
from gongzhi.core.models import Activity, Building, Grid, Household, Membership
from gongzhi.notifications.models import Notification
from gongzhi.surveys import services, xlsform
from gongzhi.surveys.models import (
    Channel,
    Invitation,
    LicensedScale,
    Receipt,
    Response,
    Status,
    Survey,
)
from tests.factories import member
from tests.surveys.answering import GOOD, definition, open_survey

ALREADY = "You have already answered this round of the survey. Each person answers once."


@pytest.fixture
def opened(worker, community):
    return open_survey(worker=worker, community=community)


def test_an_anonymous_answer_is_a_receipt_and_a_response_with_no_person(opened, resident):
    _survey, wave = opened
    receipt = services.response_submit(actor=resident, wave=wave, answers=GOOD)
    assert receipt.person == resident and len(receipt.code) == services.RECEIPT_LENGTH
    response = Response.objects.in_community(wave.community_id).get()
    assert response.person is None and not response.consented
    assert response.answers["trust"] == {"help": "4", "trust": "5"}
    assert response.channel == Channel.ONLINE
    verbs = Activity.objects.in_community(wave.community_id).values_list("verb", flat=True)
    assert "survey.answered" in verbs


def test_a_second_answer_is_refused_and_nothing_of_it_is_stored(opened, resident):
    _survey, wave = opened
    services.response_submit(actor=resident, wave=wave, answers=GOOD)
    with pytest.raises(ValidationError) as caught:
        services.response_submit(actor=resident, wave=wave, answers={**GOOD, "years": 3})
    assert caught.value.code == "already_answered"
    assert caught.value.messages == [gettext(ALREADY)]
    assert Receipt.objects.in_community(wave.community_id).count() == 1
    assert Response.objects.in_community(wave.community_id).get().answers["years"] == 12


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({**GOOD, "years": "many"}, "years"),
        ({**GOOD, "years": 130}, "years"),
        ({k: v for k, v in GOOD.items() if k != "owner"}, "owner"),
        ({**GOOD, "owner": "maybe"}, "owner"),
        ({**GOOD, "owner": "no"}, "landlord_ok"),  # skip logic brings in a required question
        ({**GOOD, "trust": {"help": "4"}}, "trust"),
        ({**GOOD, "priorities": ["lifts", "lifts", "green"]}, "priorities"),
        ({**GOOD, "shoe_size": 42}, "shoe_size"),
    ],
)
def test_bad_answers_are_refused_by_question_and_nothing_is_saved(opened, resident, answers, field):
    _survey, wave = opened
    with pytest.raises(ValidationError) as caught:
        services.response_submit(actor=resident, wave=wave, answers=answers)
    assert field in caught.value.message_dict
    assert not Receipt.objects.in_community(wave.community_id).exists()
    assert not Response.objects.in_community(wave.community_id).exists()


def test_answers_hidden_by_skip_logic_are_dropped(opened, resident):
    _survey, wave = opened
    services.response_submit(actor=resident, wave=wave, answers={**GOOD, "landlord_ok": "2"})
    assert "landlord_ok" not in Response.objects.in_community(wave.community_id).get().answers


def test_who_may_answer(opened, community, unverified, outsider, worker):
    survey, wave = opened
    for person in (unverified, outsider):
        with pytest.raises(PermissionDenied):
            services.response_submit(actor=person, wave=wave, answers=GOOD)
    services.survey_close(actor=worker, survey=survey)
    wave.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.response_submit(actor=member(community), wave=wave, answers=GOOD)
    assert caught.value.code == "not_open"
    assert not Receipt.objects.in_community(community).exists()


def test_an_identified_answer_names_the_person_only_with_consent(worker, community):
    _survey, wave = open_survey(worker=worker, community=community, anonymous=False)
    agreeing, declining = member(community), member(community)
    services.response_submit(actor=agreeing, wave=wave, answers=GOOD, consent=True)
    services.response_submit(actor=declining, wave=wave, answers=GOOD, consent=False)
    responses = Response.objects.in_community(community)
    assert responses.filter(person=agreeing, consented=True).count() == 1
    assert responses.filter(person__isnull=True).count() == 1
    assert not responses.filter(person=declining).exists()


def test_consent_on_an_anonymous_survey_links_nobody(opened, resident):
    _survey, wave = opened
    services.response_submit(actor=resident, wave=wave, answers=GOOD, consent=True)
    assert Response.objects.in_community(wave.community_id).get().person is None


def test_the_database_refuses_a_person_without_consent(opened, resident):
    _survey, wave = opened
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.in_community(wave.community_id).create(
            wave=wave, answers={}, person=resident, consented=False
        )


def test_questions_are_frozen_once_the_survey_opens(opened, worker):
    survey, _wave = opened
    with pytest.raises(ValidationError) as caught:
        services.survey_save_definition(actor=worker, survey=survey, definition=definition())
    assert caught.value.code == "not_draft"


def test_a_form_id_and_version_are_once_per_community(opened, worker, community):
    with pytest.raises(ValidationError) as caught:
        services.survey_create(
            actor=worker, community=community, title="又一个", definition=definition()
        )
    assert caught.value.code == "form_taken"
    assert Survey.objects.in_community(community).count() == 1


def test_residents_cannot_build_surveys(resident, community):
    with pytest.raises(PermissionDenied):
        services.survey_create(actor=resident, community=community, title="我的调查")


def test_rounds_must_not_overlap_and_must_close_after_opening(opened, worker):
    survey, wave = opened
    with pytest.raises(ValidationError) as caught:
        services.wave_create(
            actor=worker,
            survey=survey,
            label="回访",
            opens_at=wave.opens_at + timedelta(days=2),
            closes_at=wave.closes_at + timedelta(days=2),
        )
    assert caught.value.code == "waves_overlap"
    with pytest.raises(ValidationError) as caught:
        services.wave_create(
            actor=worker,
            survey=survey,
            label="回访",
            opens_at=wave.closes_at + timedelta(days=9),
            closes_at=wave.closes_at + timedelta(days=8),
        )
    assert caught.value.code == "window_invalid"
    later = services.wave_create(
        actor=worker,
        survey=survey,
        label="回访",
        opens_at=wave.closes_at + timedelta(days=30),
        closes_at=wave.closes_at + timedelta(days=40),
    )
    assert later.position == 2


def test_xlsform_import_makes_a_draft_and_refuses_unsupported_types(worker, community):
    survey = services.survey_import_xlsform(
        actor=worker, community=community, data=xlsform.write_xlsform(definition())
    )
    assert survey.status == Status.DRAFT and survey.form_id == "neighbours"
    assert [q.name for q in services.definition_of(survey).questions()][:2] == ["years", "owner"]

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["geopoint", "where", "Where?"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationError) as caught:
        services.survey_import_xlsform(actor=worker, community=community, data=buffer.getvalue())
    assert "geopoint" in " ".join(caught.value.messages)
    assert Survey.objects.in_community(community).count() == 1


# --- samples -----------------------------------------------------------------------------


def _grid_member(community, grid_name: str | None):
    person = member(community)
    membership = Membership.objects.in_community(community).get(user=person)
    grid = None
    if grid_name:
        grid, _ = Grid.objects.in_community(community).get_or_create(name=grid_name)
    building = Building.objects.in_community(community).create(
        name=f"{grid_name or 'x'}-{person.pk}", grid=grid
    )
    household = Household.objects.in_community(community).create(building=building, unit="101")
    membership.household = household
    membership.save(update_fields=["household"])
    return person


def test_a_random_sample_is_the_public_lottery_over_the_published_list(worker, community):
    people = [member(community) for _ in range(8)]
    _survey, wave = open_survey(worker=worker, community=community, sample="random", sample_size=3)
    drawn = services.wave_draw(actor=worker, wave=wave, seed="2026-12-03 福彩 123456")
    lines = wave.frame[""]
    assert len(lines) == 8 + 1  # the residents and the worker, every verified member
    expected = lottery.draw("2026-12-03 福彩 123456", lines, 3)
    numbers = [int(line.split()[0]) for line in expected.drawn]
    memberships = Membership.objects.in_community(community)
    assert [memberships.get(user=i.person).pk for i in drawn] == numbers
    assert Invitation.objects.in_community(community).count() == 3
    with pytest.raises(ValidationError) as caught:
        services.wave_draw(actor=worker, wave=wave, seed="another")
    assert caught.value.code == "drawn"
    assert people  # the crowd drawn from


def test_someone_not_drawn_cannot_answer_a_sampled_round(worker, community):
    people = [member(community) for _ in range(6)]
    _survey, wave = open_survey(worker=worker, community=community, sample="random", sample_size=2)
    drawn = {i.person for i in services.wave_draw(actor=worker, wave=wave, seed="s")}
    outsider = next(p for p in people if p not in drawn)
    with pytest.raises(PermissionDenied):
        services.response_submit(actor=outsider, wave=wave, answers=GOOD)
    services.response_submit(actor=next(iter(drawn)), wave=wave, answers=GOOD)


def test_a_stratified_sample_is_proportional_by_grid(worker, community):
    for grid, count in (("一网格", 10), ("二网格", 6), ("三网格", 4)):
        for _ in range(count):
            _grid_member(community, grid)
    _survey, wave = open_survey(
        worker=worker, community=community, sample="stratified", sample_size=10
    )
    drawn = services.wave_draw(actor=worker, wave=wave, seed="公开种子")
    by_stratum: dict[str, int] = {}
    for invitation in drawn:
        by_stratum[invitation.stratum] = by_stratum.get(invitation.stratum, 0) + 1
    # 21 people (the worker has no home: stratum ""): 10*10/21=4.76, 6*10/21=2.86, 4*10/21=1.9,
    # 1*10/21=0.48 → 4,2,1,0 + the three largest remainders (二 .86, 三 .9, 一 .76) → 5,3,2,0.
    assert by_stratum == {"一网格": 5, "二网格": 3, "三网格": 2}
    for stratum, lines in wave.frame.items():
        expected = lottery.draw("公开种子", lines, by_stratum.get(stratum, 0))
        got = [i for i in drawn if i.stratum == stratum]
        numbers = {int(line.split()[0]) for line in expected.drawn}
        memberships = Membership.objects.in_community(community)
        assert {memberships.get(user=i.person).pk for i in got} == numbers


def test_proportional_allocation_uses_the_largest_remainders():
    assert services.proportional_allocation({"a": 5, "b": 3, "c": 2}, 5) == {"a": 3, "b": 1, "c": 1}
    assert services.proportional_allocation({"a": 1, "b": 1}, 2) == {"a": 1, "b": 1}
    with pytest.raises(ValueError):
        services.proportional_allocation({"a": 1}, 2)


def test_a_sample_larger_than_the_residents_is_refused(worker, community):
    _survey, wave = open_survey(worker=worker, community=community, sample="random", sample_size=50)
    with pytest.raises(ValidationError) as caught:
        services.wave_draw(actor=worker, wave=wave, seed="s")
    assert caught.value.code == "sample_too_large"
    wave.refresh_from_db()
    assert wave.drawn_at is None and not Invitation.objects.in_community(community).exists()


def test_announcements_once_and_reminders_at_most_once_a_day(
    worker, community, django_capture_on_commit_callbacks
):
    people = [member(community) for _ in range(5)]
    _survey, wave = open_survey(worker=worker, community=community, sample="random", sample_size=4)
    with django_capture_on_commit_callbacks(execute=True):
        drawn = [i.person for i in services.wave_draw(actor=worker, wave=wave, seed="s")]
    assert services.waves_announce() == 0  # announced when the sample was drawn (on commit)
    told = Notification.objects.filter(kind="survey_asked")
    assert set(told.values_list("user", flat=True)) == {p.pk for p in drawn}
    services.response_submit(actor=drawn[0], wave=wave, answers=GOOD)
    now = timezone.now()
    assert services.invitations_remind(now=now) == 0  # not on the day they were told
    later = now + timedelta(days=1, hours=1)
    assert services.invitations_remind(now=later) == 3
    assert services.invitations_remind(now=later + timedelta(hours=5)) == 0
    assert services.invitations_remind(now=later + timedelta(days=1, minutes=1)) == 3
    reminded = Notification.objects.filter(kind="survey_reminder")
    assert drawn[0].pk not in set(reminded.values_list("user", flat=True))
    assert people


# --- paper ---------------------------------------------------------------------------------


def test_paper_answers_count_when_two_workers_agree(opened, worker, community):
    _survey, wave = opened
    second = member(community, "community_worker")
    first = services.paper_enter(actor=worker, wave=wave, serial="A-001", answers=GOOD)
    assert not first.confirmed
    with pytest.raises(ValidationError):
        services.paper_enter(actor=worker, wave=wave, serial="A-001", answers=GOOD)
    result = services.paper_enter(actor=second, wave=wave, serial="A-001", answers=GOOD)
    assert result.confirmed
    response = Response.objects.in_community(community).get()
    assert response.channel == Channel.PAPER and response.paper_serial == "A-001"
    assert response.person is None


def test_paper_readings_that_differ_are_a_conflict(opened, worker, community):
    _survey, wave = opened
    second = member(community, "community_worker")
    services.paper_enter(actor=worker, wave=wave, serial="A-002", answers=GOOD)
    result = services.paper_enter(
        actor=second, wave=wave, serial="A-002", answers={**GOOD, "years": 13}
    )
    assert result.conflict and not Response.objects.in_community(community).exists()


def test_paper_answers_are_checked_like_online_ones(opened, worker, community):
    _survey, wave = opened
    with pytest.raises(ValidationError) as caught:
        services.paper_enter(actor=worker, wave=wave, serial="A-3", answers={"years": 1})
    assert "owner" in caught.value.message_dict


# --- licensed scales -------------------------------------------------------------------------

SCI_ITEMS = [
    {"key": f"sci_{sub}_{i}", "labels": {"en": f"Item {sub} {i}"}, "subscale": sub}
    for sub in ("needs", "membership", "influence", "connection")
    for i in range(1, 7)
]


def test_a_licensed_scale_is_confirmed_by_a_second_worker(worker, community):
    licensed = services.licensed_scale_add(
        actor=worker,
        community=community,
        scale="sci2@1",
        items=SCI_ITEMS,
        licence_note="许可函 2026-11",
    )
    with pytest.raises(ValidationError) as caught:
        services.licensed_scale_confirm(actor=worker, licensed=licensed)
    assert caught.value.code == "same_person"
    second = member(community, "community_worker")
    services.licensed_scale_confirm(actor=second, licensed=licensed)
    assert licensed.confirmed_by == second


def test_the_database_refuses_a_self_confirmed_scale(worker, community):
    licensed = services.licensed_scale_add(
        actor=worker, community=community, scale="sci2@1", items=SCI_ITEMS, licence_note="许可"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LicensedScale.objects.in_community(community).filter(pk=licensed.pk).update(
            confirmed_by=worker
        )


def test_a_free_scale_or_bad_items_are_refused(worker, community):
    with pytest.raises(ValidationError):
        services.licensed_scale_add(
            actor=worker,
            community=community,
            scale="collective_efficacy@1",
            items=SCI_ITEMS,
            licence_note="x",
        )
    with pytest.raises(ValidationError) as caught:
        services.licensed_scale_add(
            actor=worker, community=community, scale="sci2@1", items=SCI_ITEMS[:1], licence_note="x"
        )
    assert caught.value.messages == [gettext("A scale needs at least two items.")]
    assert not LicensedScale.objects.in_community(community).exists()


def test_the_periodic_command_and_task_announce_an_open_round_once(opened, community):
    from django.core.management import call_command

    from gongzhi.surveys.tasks import announce_and_remind

    out = io.StringIO()
    call_command("surveys_remind", stdout=out)
    assert out.getvalue().splitlines() == ["announced=1", "reminded=0"]
    told = Notification.objects.filter(kind="survey_asked")
    assert told.count() == len(
        Membership.objects.in_community(community).filter(verified_at__isnull=False)
    )
    result = announce_and_remind.enqueue()
    assert result.return_value == {"announced": 0, "reminded": 0}


def test_ending_a_round_seals_nothing_more_and_only_staff_end_it(opened, worker, resident):
    """A round's answers are read once it has closed; a worker may end it early, a resident
    may not, and a round that is not running cannot be ended."""
    _survey, wave = opened
    services.response_submit(actor=resident, wave=wave, answers=GOOD)
    assert not wave.closed
    with pytest.raises(PermissionDenied):
        services.wave_end(actor=resident, wave=wave)
    services.wave_end(actor=worker, wave=wave)
    wave.refresh_from_db()
    assert wave.closed and wave.closes_at <= timezone.now()
    assert Activity.objects.filter(verb="survey.wave_ended", actor=worker).count() == 1
    with pytest.raises(ValidationError) as caught:
        services.wave_end(actor=worker, wave=wave)
    assert caught.value.messages == [gettext("Only a round that is open now can be ended.")]
    # Nobody answers an ended round.
    with pytest.raises(ValidationError):
        services.response_submit(actor=member(wave.community), wave=wave, answers=GOOD)
