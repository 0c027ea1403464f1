"""Surveys through the API: reading a survey, answering it once, one's receipt, and the
workers' rounds, draw and download; bad input refused in the caller's language, nothing saved."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext, override
from openpyxl import load_workbook

from gongzhi.accounts.services import api_token_create
from gongzhi.core import lottery
from gongzhi.surveys import services
from gongzhi.surveys.models import Invitation, Receipt, Response, Wave
from tests.surveys.answering import GOOD, definition, end_round, open_survey

ALREADY = "You have already answered this round of the survey. Each person answers once."


def api(user=None, language: str = "zh-hans") -> Client:
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if user is not None:
        _token, raw = api_token_create(user=user, name="t")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return Client(**headers)


@pytest.fixture
def opened(worker, community):
    return open_survey(worker=worker, community=community)


def base(community, survey=None) -> str:
    url = f"/api/v1/communities/{community.slug}/surveys"
    return f"{url}/{survey.pk}" if survey is not None else url


def test_anyone_reads_open_surveys_with_their_questions_but_not_drafts(opened, worker, community):
    survey, wave = opened
    services.survey_create(
        actor=worker, community=community, title="草稿", definition=definition(form_id="draft")
    )
    listed = api().get(base(community)).json()
    assert [s["id"] for s in listed] == [survey.pk]
    assert listed[0]["current_wave"]["id"] == wave.pk
    detail = api().get(base(community, survey)).json()
    assert detail["definition"]["form_id"] == "neighbours"
    assert [w["label"] for w in detail["waves"]] == ["基线"]


def test_answering_gives_a_receipt_once(opened, community, resident):
    survey, wave = opened
    client = api(resident, "en")
    receipt_url = f"{base(community, survey)}/waves/{wave.pk}/receipt"
    assert client.get(receipt_url).status_code == 404
    response = client.post(
        f"{base(community, survey)}/answers", {"answers": GOOD}, content_type="application/json"
    )
    assert response.status_code == 201
    code = response.json()["code"]
    assert client.get(receipt_url).json()["code"] == code
    again = client.post(
        f"{base(community, survey)}/answers", {"answers": GOOD}, content_type="application/json"
    )
    assert again.status_code == 400
    assert again.json()["code"] == "already_answered"
    with override("en"):
        assert again.json()["message"] == gettext(ALREADY)
    assert Receipt.objects.in_community(community).count() == 1
    assert Response.objects.in_community(community).count() == 1


@pytest.mark.parametrize(
    "answers",
    [
        {**GOOD, "years": -1},
        {**GOOD, "owner": "no"},
        {**GOOD, "unknown": 1},
        {**GOOD, "trust": "5"},
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(opened, community, resident, answers):
    survey, _wave = opened
    response = api(resident).post(
        f"{base(community, survey)}/answers", {"answers": answers}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"]
    assert not Receipt.objects.in_community(community).exists()
    assert not Response.objects.in_community(community).exists()


def test_an_unverified_person_may_not_answer(opened, community, unverified):
    survey, _wave = opened
    response = api(unverified).post(
        f"{base(community, survey)}/answers", {"answers": GOOD}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Receipt.objects.in_community(community).exists()


def test_workers_add_a_round_and_draw_it(opened, community, worker, resident):
    survey, wave = opened
    start = wave.closes_at + timedelta(days=30)
    body = {
        "label": "回访",
        "opens_at": start.isoformat(),
        "closes_at": (start + timedelta(days=10)).isoformat(),
        "sample": "random",
        "sample_size": 1,
    }
    refused = api(resident).post(
        f"{base(community, survey)}/waves", body, content_type="application/json"
    )
    assert refused.status_code == 403
    created = api(worker).post(
        f"{base(community, survey)}/waves", body, content_type="application/json"
    )
    assert created.status_code == 201
    later = Wave.objects.in_community(community).get(pk=created.json()["id"])
    drawn = api(worker).post(
        f"{base(community, survey)}/waves/{later.pk}/draw",
        {"seed": "公开种子"},
        content_type="application/json",
    )
    assert drawn.status_code == 200
    frame = drawn.json()["frame"][""]
    expected = lottery.draw("公开种子", frame, 1).drawn[0]
    invited = Invitation.objects.in_community(community).get(wave=later)
    assert expected.split()[0] == str(invited.person.memberships.get(community=community).pk)


def test_overlapping_rounds_are_refused_in_the_callers_language(opened, community, worker):
    survey, wave = opened
    body = {
        "label": "重叠",
        "opens_at": timezone.now().isoformat(),
        "closes_at": (timezone.now() + timedelta(days=1)).isoformat(),
    }
    response = api(worker, "en").post(
        f"{base(community, survey)}/waves", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "waves_overlap"
    with override("en"):
        assert response.json()["message"] == gettext(
            "This round's dates overlap another round of the same survey."
        )
    assert Wave.objects.in_community(community).count() == 1


def test_the_download_is_for_workers_and_names_nobody_when_anonymous(
    opened, community, worker, resident
):
    survey, wave = opened
    services.response_submit(actor=resident, wave=wave, answers=GOOD)
    url = f"{base(community, survey)}/waves/{wave.pk}/answers"
    assert api(resident).get(url + ".csv").status_code == 404
    # While the round runs its answers stay sealed: a new row would tell whose answer it is.
    sealed = api(worker, "en").get(url + ".csv")
    assert sealed.status_code == 400 and sealed.json()["code"] == "round_open"
    end_round(worker, wave)
    rows = list(csv.reader(io.StringIO(api(worker).get(url + ".csv").content.decode("utf-8-sig"))))
    assert "person_id" not in rows[0] and len(rows) == 2
    workbook = load_workbook(io.BytesIO(api(worker).get(url + ".xlsx").content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == rows[0]
    assert sheet.cell(row=2, column=header.index("years") + 1).value == 12
    assert api(worker).get(url + ".pdf").status_code == 404


def test_the_api_list_takes_a_fixed_number_of_queries(
    worker, community, django_assert_max_num_queries
):
    for number in range(4):
        open_survey(worker=worker, community=community, form_id=f"form_{number}")
    client = api()
    client.get(base(community))
    with django_assert_max_num_queries(6):
        listed = client.get(base(community)).json()
    assert len(listed) == 4 and all(s["current_wave"] for s in listed)
