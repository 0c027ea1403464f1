"""The survey pages: answering on a phone with or without JavaScript, the receipt, rounds and
their public draw, paper entry and the answers' download."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from gongzhi.core import lottery
from gongzhi.surveys import services
from gongzhi.surveys.models import Channel, Receipt, Response, Wave
from tests.factories import member
from tests.surveys.answering import definition, end_round, open_survey, second_worker

GOOD_POST = {
    "years": "12",
    "owner": "yes",
    "trust__help": "4",
    "trust__trust": "5",
    "priorities__1": "lifts",
    "priorities__2": "parking",
    "priorities__3": "green",
    "shown": ["years", "owner", "trust", "priorities", "comment"],
}


def client_for(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def opened(worker, community):
    return open_survey(worker=worker, community=community)


def answer_url(community, survey) -> str:
    return reverse("survey_answer", args=[community.slug, survey.pk])


def test_the_answering_page_shows_every_kind_accessibly(opened, community, resident):
    survey, _wave = opened
    page = client_for(resident).get(answer_url(community, survey)).content.decode()
    assert "您在本社区住了几年？" in page
    assert '<legend class="question-text">' in page  # choice questions are fieldsets
    assert 'class="stack matrix"' in page  # a matrix becomes cards on a phone
    assert 'name="priorities__3"' in page  # a ranking is ordered selects
    assert 'type="number"' in page and 'min="0' in page
    assert 'class="required"' in page
    assert "surveys/answer.js" in page
    # The question that skip logic brings in is there for the script, hidden until then.
    box = re.search(r'<div class="survey-question[^>]*id="q-landlord_ok"[^>]*>', page, re.S)
    assert box and "hidden" in box.group(0) and "data-relevant" in box.group(0)


def test_english_readers_get_english_questions(opened, community, resident):
    survey, _wave = opened
    page = client_for(resident, "en").get(answer_url(community, survey)).content.decode()
    assert "How many years have you lived here?" in page


def test_a_respondents_order_survives_a_reload(opened, community, resident):
    survey, _wave = opened
    client = client_for(resident)

    def order() -> list[str]:
        page = client.get(answer_url(community, survey)).content.decode()
        return re.findall(r'data-question="(\w+)"', page)

    first = order()
    assert first == order()
    assert set(first) == {"years", "owner", "landlord_ok", "trust", "priorities", "comment"}


def test_answering_gives_a_receipt_and_a_second_visit_shows_it(opened, community, resident):
    survey, wave = opened
    client = client_for(resident)
    response = client.post(answer_url(community, survey), GOOD_POST)
    receipt = Receipt.objects.in_community(community).get(person=resident)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "survey_receipt", args=[community.slug, survey.pk, wave.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert receipt.code in page
    again = client.get(answer_url(community, survey))
    assert again.status_code == 302 and again["Location"] == response["Location"]
    stored = Response.objects.in_community(community).get()
    assert stored.answers["priorities"] == ["lifts", "parking", "green"]
    assert stored.person is None


def test_a_missing_answer_is_shown_beside_its_question_and_nothing_is_saved(
    opened, community, resident
):
    survey, _wave = opened
    posted = {**GOOD_POST, "owner": ""}
    response = client_for(resident).post(answer_url(community, survey), posted)
    assert response.status_code == 400
    page = response.content.decode()
    with override("zh-hans"):
        message = gettext("Please answer “%(question)s”.") % {"question": "您是业主吗？"}
    block = page[page.index('id="q-owner"') :]
    assert message in block[: block.index('id="q-', 10)]
    assert 'value="12"' in page  # what was typed stays
    assert not Receipt.objects.in_community(community).exists()


def test_without_javascript_a_post_shows_the_questions_answers_bring_in(
    opened, community, resident
):
    survey, _wave = opened
    client = client_for(resident)
    posted = {**GOOD_POST, "owner": "no"}  # "landlord_ok" was hidden, so not in "shown"
    response = client.post(answer_url(community, survey), posted)
    assert response.status_code == 200
    page = response.content.decode()
    box = re.search(r'<div class="survey-question[^>]*id="q-landlord_ok"[^>]*>', page, re.S)
    assert box and "hidden" not in box.group(0)
    assert not Receipt.objects.in_community(community).exists()
    response = client.post(
        answer_url(community, survey),
        {**posted, "landlord_ok": "2", "shown": [*GOOD_POST["shown"], "landlord_ok"]},
    )
    assert response.status_code == 302
    assert Response.objects.in_community(community).get().answers["landlord_ok"] == "2"


def test_someone_who_may_not_answer_is_told_why(opened, community, unverified):
    survey, _wave = opened
    page = client_for(unverified).get(answer_url(community, survey)).content.decode()
    assert gettext("Only verified residents of this community can answer.") in page
    assert 'name="years"' not in page


def test_a_draft_is_not_found_for_residents(worker, community, resident):
    survey = services.survey_create(
        actor=worker, community=community, title="草稿", definition=definition()
    )
    assert client_for(resident).get(answer_url(community, survey)).status_code == 404
    assert client_for(worker).get(answer_url(community, survey)).status_code == 200


def test_identified_answers_are_linked_only_when_the_box_is_ticked(worker, community):
    survey, _wave = open_survey(worker=worker, community=community, anonymous=False)
    agreeing, declining = member(community), member(community)
    page = client_for(agreeing).get(answer_url(community, survey)).content.decode()
    assert 'name="consent"' in page
    client_for(agreeing).post(answer_url(community, survey), {**GOOD_POST, "consent": "yes"})
    client_for(declining).post(answer_url(community, survey), GOOD_POST)
    responses = Response.objects.in_community(community)
    assert responses.filter(person=agreeing).count() == 1
    assert responses.filter(person__isnull=True).count() == 1


def test_the_list_shows_open_surveys_and_what_i_answered(opened, community, resident):
    survey, wave = opened
    services.response_submit(
        actor=resident,
        wave=wave,
        answers={"years": 1, "owner": "yes", "trust": {"help": "1", "trust": "2"}},
    )
    page = client_for(resident).get(reverse("survey_list", args=[community.slug])).content
    assert survey.title in page.decode()
    assert gettext("you have answered") in page.decode()


def test_a_worker_adds_a_sampled_round_and_draws_it_in_public(worker, community, resident):
    for _ in range(5):
        member(community)
    survey, wave = open_survey(worker=worker, community=community)
    client = client_for(worker)
    response = client.post(
        reverse("survey_waves", args=[community.slug, survey.pk]),
        {
            "label": "回访",
            "opens_at": (timezone.localtime(wave.closes_at) + timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "closes_at": "2099-01-01T00:00",
            "sample": "random",
            "sample_size": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()
    later = Wave.objects.in_community(community).get(label="回访")
    response = client.post(
        reverse("survey_wave_draw", args=[community.slug, survey.pk, later.pk]),
        {"seed": "2027-01-01 福彩 0102"},
    )
    assert response.status_code == 302
    later.refresh_from_db()
    page = client_for(resident).get(
        reverse("survey_wave", args=[community.slug, survey.pk, later.pk])
    )
    text = page.content.decode()
    assert "python -m gongzhi.core.lottery" in text and "2027-01-01 福彩 0102" in text
    listing = client_for(resident).get(
        reverse("survey_wave_frame", args=[community.slug, survey.pk, later.pk]),
        {"stratum": ""},
    )
    lines = listing.content.decode().splitlines()
    assert lines == later.frame[""]
    drawn = lottery.draw("2027-01-01 福彩 0102", lines, 3).positions
    assert ", ".join(map(str, drawn)) in text


def test_a_resident_cannot_add_rounds(opened, community, resident):
    survey, _wave = opened
    response = client_for(resident).post(
        reverse("survey_waves", args=[community.slug, survey.pk]),
        {"label": "x", "opens_at": "2030-01-01T00:00", "closes_at": "2030-02-01T00:00"},
    )
    assert response.status_code == 403
    assert Wave.objects.in_community(community).count() == 1


def test_paper_entry_by_two_workers(opened, community, worker):
    survey, wave = opened
    second = second_worker(community)
    url = reverse("survey_paper_entry", args=[community.slug, survey.pk, wave.pk])
    assert client_for(worker).get(url).status_code == 200
    for person in (worker, second):
        response = client_for(person).post(url, {**GOOD_POST, "serial": "P-17"})
        assert response.status_code == 302
    stored = Response.objects.in_community(community).get()
    assert stored.channel == Channel.PAPER and stored.paper_serial == "P-17"
    bad = client_for(worker).post(url, {**GOOD_POST, "serial": "P-18", "years": "x"})
    assert bad.status_code == 400


def _export(client: Client, community, survey, wave) -> list[list[str]]:
    url = reverse("survey_wave_export", args=[community.slug, survey.pk, wave.pk, "csv"])
    # While the round runs, its answers are sealed: the worker is sent back to its page.
    sealed = client.get(url)
    assert sealed.status_code == 302
    assert sealed.url == reverse("survey_wave", args=[community.slug, survey.pk, wave.pk])
    end_round(survey.created_by, wave)
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_an_anonymous_export_names_nobody(opened, community, worker, resident):
    survey, wave = opened
    client_for(resident).post(answer_url(community, survey), GOOD_POST)
    rows = _export(client_for(worker), community, survey, wave)
    assert rows[0][:2] == ["response", "channel"]
    assert "person_id" not in rows[0] and "trust_help" in rows[0]
    assert rows[1][rows[0].index("priorities")] == "lifts parking green"
    assert resident.display_name not in "".join(",".join(r) for r in rows)


def test_an_identified_export_names_only_those_who_consented(worker, community):
    survey, wave = open_survey(worker=worker, community=community, anonymous=False)
    agreeing, declining = member(community), member(community)
    client_for(agreeing).post(answer_url(community, survey), {**GOOD_POST, "consent": "yes"})
    client_for(declining).post(answer_url(community, survey), GOOD_POST)
    rows = _export(client_for(worker), community, survey, wave)
    column = rows[0].index("person_id")
    assert sorted(row[column] for row in rows[1:]) == ["", str(agreeing.pk)]


def test_residents_cannot_download_answers(opened, community, resident):
    survey, wave = opened
    url = reverse("survey_wave_export", args=[community.slug, survey.pk, wave.pk, "csv"])
    assert client_for(resident).get(url).status_code == 404


def test_the_list_takes_a_fixed_number_of_queries(
    worker, community, resident, django_assert_max_num_queries
):
    for number in range(4):
        open_survey(worker=worker, community=community, form_id=f"form_{number}")
    client = client_for(resident)
    url = reverse("survey_list", args=[community.slug])
    client.get(url)  # warm the session and the caches
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.decode().count('class="card"') == 4
