"""The builder's pages, the scale library, XLSForm import/export and the results pages, through
the test client as a community worker (and who else may or may not)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader

from gongzhi.core.models import Role
from gongzhi.core.pdf import missing_characters
from gongzhi.surveys import services
from gongzhi.surveys.models import LicensedScale, Response, Status, Survey, Wave
from tests.conftest import TOTP_SECRET
from tests.factories import member
from tests.surveys.test_results import definition, simulated

pytestmark = pytest.mark.django_db


def new_worker(community):
    user = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(user, TOTP_SECRET)
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(community, name: str, *args) -> str:
    return reverse(name, args=[community.slug, *args])


@pytest.fixture
def draft(community, worker) -> Survey:
    return services.survey_create(actor=worker, community=community, title="邻里调查")


def stored(survey: Survey):
    survey.refresh_from_db()
    return services.definition_of(survey)


def test_a_worker_creates_a_survey_and_adds_questions_of_every_kind(community, worker):
    client = client_for(worker)
    response = client.post(
        url(community, "surveys_new"),
        {"title": "邻里调查", "description": "关于邻里关系", "anonymous": "no"},
    )
    survey = Survey.objects.in_community(community).get()
    assert response.status_code == 302 and response["Location"].startswith(
        url(community, "surveys_builder", survey.pk)
    )
    assert not survey.anonymous
    section = stored(survey).sections[0].name
    add = url(community, "surveys_builder_question", survey.pk) + f"?section={section}"
    kinds = {
        "select_one": {"choices": "是 | Yes\n否 | No"},
        "select_multiple": {"choices": "安全\n卫生\n停车"},
        "likert": {},
        "matrix": {"rows": "楼道 | Stairs\n绿化 | Green space"},
        "integer": {"minimum": "0", "maximum": "120"},
        "decimal": {},
        "text": {},
        "date": {},
        "rank": {"choices": "甲\n乙\n丙"},
    }
    for number, (kind, extra) in enumerate(kinds.items()):
        response = client.post(
            add,
            {
                "kind": kind,
                "label_zh": f"问题{number}",
                "label_en": f"Question {number}",
                "name": f"q_{kind}",
                "required": "on",
                **extra,
            },
        )
        assert response.status_code == 302, (kind, response.content.decode()[:2000])
    d = stored(survey)
    assert [q.kind for q in d.questions()] == list(kinds)
    likert = d.question("q_likert")
    assert [c.name for c in likert.choices] == ["1", "2", "3", "4", "5"]
    assert d.question("q_integer").maximum == 120
    assert d.question("q_select_one").labels == {"zh-hans": "问题0", "en": "Question 0"}
    page = client.get(url(community, "surveys_builder", survey.pk))
    assert page.status_code == 200 and "问题8" in page.content.decode()

    # Skip logic through the simple form, then a bad raw expression shown with its error.
    logic = url(community, "surveys_builder_logic", survey.pk, "q_text")
    response = client.post(logic, {"earlier": "q_integer", "op": ">=", "value": "60"})
    assert response.status_code == 302
    assert stored(survey).question("q_text").relevant == "${q_integer} >= 60"
    response = client.post(logic, {"expression": "${q_integer} >>> 3"})
    assert response.status_code == 400
    assert stored(survey).question("q_text").relevant == "${q_integer} >= 60"
    response = client.post(logic, {"expression": "${q_date} = '2026-01-01'"})
    assert response.status_code == 400  # q_date comes after q_text

    # Move and delete.
    edit = lambda action: url(community, "surveys_builder_edit", survey.pk, action)  # noqa: E731
    client.post(edit("up"), {"name": "q_rank"})
    assert [q.name for q in stored(survey).questions()][-2:] == ["q_rank", "q_date"]
    client.post(edit("delete"), {"name": "q_integer"})  # q_text's condition needs it
    assert stored(survey).question("q_integer") is not None
    client.post(edit("delete"), {"name": "q_decimal"})
    assert stored(survey).question("q_decimal") is None

    # A new section comes with its first question.
    response = client.post(
        url(community, "surveys_builder_question", survey.pk) + "?section=new",
        {"section-label_zh": "第二部分", "kind": "text", "label_zh": "还有什么建议？"},
    )
    assert response.status_code == 302
    assert stored(survey).sections[-1].labels == {"zh-hans": "第二部分"}

    preview = client.get(url(community, "surveys_builder_preview", survey.pk))
    assert preview.status_code == 200 and "还有什么建议？" in preview.content.decode()


def test_an_opened_survey_is_read_only(community, worker, draft):
    client = client_for(worker)
    add = url(community, "surveys_builder_question", draft.pk)
    client.post(add, {"kind": "text", "label_zh": "一个问题"})
    draft.refresh_from_db()
    services.survey_open(actor=worker, survey=draft)
    page = client.get(url(community, "surveys_builder", draft.pk)).content.decode()
    assert 'id="read-only-note"' in page
    assert url(community, "surveys_builder_question", draft.pk) not in page
    response = client.post(add, {"kind": "text", "label_zh": "第二个问题"}, follow=True)
    assert len(stored(draft).questions()) == 1
    assert _("This survey is open or closed: its questions can no longer change.") in (
        response.content.decode()
    )


def test_only_workers_build_and_results_are_for_workers_and_supervisors(
    community, draft, resident, supervisor, outsider, other_community
):
    for user in (resident, supervisor, outsider):
        assert client_for(user).get(url(community, "surveys_builder", draft.pk)).status_code in (
            403,
            404,
        )
    assert (
        client_for(supervisor).get(url(community, "surveys_results", draft.pk)).status_code == 200
    )
    assert client_for(resident).get(url(community, "surveys_results", draft.pk)).status_code in (
        403,
        404,
    )
    other_worker = new_worker(other_community)
    assert (
        client_for(other_worker).get(url(other_community, "surveys_builder", draft.pk)).status_code
        == 404
    )


def test_scale_library_adds_a_scale_to_a_draft(community, worker, draft):
    client = client_for(worker)
    page = client.get(url(community, "surveys_scales")).content.decode()
    assert "Sampson" in page and "集体效能感" in page
    response = client.post(
        url(community, "surveys_scale_add"), {"survey": draft.pk, "scale": "collective_efficacy@1"}
    )
    assert response.status_code == 302
    d = stored(draft)
    assert {q.scale for q in d.questions()} == {"collective_efficacy@1"}
    assert len(d.sections) == 1  # the empty first section made way for the scale
    grid = d.questions()[0]
    edit = url(community, "surveys_builder_question_edit", draft.pk, grid.name)
    client.post(edit, {"kind": "matrix", "label_zh": "改过的", "rows": "一\n二"})
    assert stored(draft).questions()[0] == grid  # asked as published
    response = client.post(
        url(community, "surveys_scale_add"),
        {"survey": draft.pk, "scale": "collective_efficacy@1"},
        follow=True,
    )
    assert _("This scale is already in the survey.") in response.content.decode()


def test_a_permission_required_scale_needs_a_second_worker(community, worker, draft):
    second = new_worker(community)
    items = "\n".join(f"sci_{n} | 条目{n} | Item {n} | no | needs" for n in range(1, 7))
    items += "\n" + "\n".join(f"sci_m{n} | 条目m{n} | | no | membership" for n in range(1, 7))
    items += "\n" + "\n".join(f"sci_i{n} | 条目i{n} | | no | influence" for n in range(1, 7))
    items += "\n" + "\n".join(f"sci_c{n} | 条目c{n} | | no | connection" for n in range(1, 7))
    client = client_for(worker)
    client.post(
        url(community, "surveys_scale_license"),
        {"scale": "sci2@1", "items": items, "licence_note": "作者 2025 年书面许可"},
    )
    licensed = LicensedScale.objects.in_community(community).get()
    assert licensed.confirmed_by is None
    page = client.get(url(community, "surveys_scales")).content.decode()
    assert url(community, "surveys_scale_confirm", licensed.pk) not in page  # not the adder
    client.post(url(community, "surveys_scale_confirm", licensed.pk))
    licensed.refresh_from_db()
    assert licensed.confirmed_by is None
    client_for(second).post(url(community, "surveys_scale_confirm", licensed.pk))
    licensed.refresh_from_db()
    assert licensed.confirmed_by == second
    client.post(url(community, "surveys_scale_add"), {"survey": draft.pk, "scale": "sci2@1"})
    assert sum(len(q.rows) for q in stored(draft).questions()) == 24


def test_xlsform_export_then_import_round_trips_and_bad_files_save_nothing(
    community, worker, draft
):
    client = client_for(worker)
    client.post(
        url(community, "surveys_scale_add"),
        {"survey": draft.pk, "scale": "collective_efficacy@1"},
    )
    exported = client.get(url(community, "surveys_export_xlsform", draft.pk))
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    before = Survey.objects.in_community(community).count()
    response = client.post(url(community, "surveys_import"), {"file": _upload(b"not a workbook")})
    assert response.status_code == 400 and 'id="import-errors"' in response.content.decode()
    assert Survey.objects.in_community(community).count() == before
    # The same form ID and version are taken in this community: refused, nothing saved.
    response = client.post(url(community, "surveys_import"), {"file": _upload(exported.content)})
    assert response.status_code == 400
    Survey.objects.in_community(community).filter(pk=draft.pk).update(form_id="renamed")
    response = client.post(url(community, "surveys_import"), {"file": _upload(exported.content)})
    assert response.status_code == 302
    imported = Survey.objects.in_community(community).exclude(pk=draft.pk).get()
    assert [q.rows for q in stored(imported).questions()] == [
        q.rows for q in stored(draft).questions()
    ]


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("survey.xlsx", content)


def test_results_page_report_and_pdf(community, worker, django_assert_max_num_queries):
    now = timezone.now()
    survey = Survey.objects.in_community(community).create(
        title="集体效能",
        form_id="ce_form",
        definition=definition().to_dict(),
        status=Status.OPEN,
        created_by=worker,
    )
    waves = []
    for position, label in ((1, "基线"), (2, "回访")):
        wave = Wave.objects.in_community(community).create(
            survey=survey,
            position=position,
            label=label,
            opens_at=now - timedelta(days=40 - 15 * position),
            closes_at=now - timedelta(days=35 - 15 * position),
            created_by=worker,
        )
        for answers in simulated(30, shift=0.6 * position, seed=position):
            Response.objects.in_community(community).create(wave=wave, answers=answers)
        waves.append(wave)
    client = client_for(worker)
    client.get(url(community, "surveys_results", survey.pk))  # sessions, caches warmed
    with django_assert_max_num_queries(15):
        page = client.get(url(community, "surveys_results", survey.pk)).content.decode()
    assert 'class="score-alpha-ci"' in page and 'id="before-after"' in page
    assert "基线" in page and "回访" in page and 'id="change-sentence"' in page
    builder = client.get(url(community, "surveys_builder", survey.pk)).content.decode()
    assert url(community, "survey_wave_export", survey.pk, waves[1].pk, "csv") in builder
    report = client.get(url(community, "surveys_report", survey.pk))
    assert report.status_code == 200 and "data-print" in report.content.decode()
    pdf = client.get(url(community, "surveys_report_pdf", survey.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "集体效能感" in text and "基线" in text and "回访" in text
    assert not missing_characters(text.replace("\x00", ""))
    # Only the first wave, no comparison; and a wave of 3 answers shows no score.
    first = client.get(
        url(community, "surveys_results", survey.pk) + f"?wave={waves[0].pk}"
    ).content.decode()
    assert 'id="before-after"' not in first
    Response.objects.in_community(community).filter(wave=waves[1]).delete()
    for answers in simulated(3, seed=7):
        Response.objects.in_community(community).create(wave=waves[1], answers=answers)
    small = client.get(url(community, "surveys_results", survey.pk)).content.decode()
    assert 'class="score-mean">—<' in small


def test_an_unsupported_question_type_is_refused_with_its_row(community, worker):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "name", "您的名字"])
    sheet.append(["geopoint", "where", "您在哪里"])
    book.create_sheet("choices").append(["list_name", "name", "label"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["坏表", "bad_form"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client_for(worker).post(
        url(community, "surveys_import"), {"file": _upload(buffer.getvalue())}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "geopoint" in page and 'id="import-errors"' in page
    assert not Survey.objects.in_community(community).exists()
