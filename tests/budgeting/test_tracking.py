"""Implementation tracking of funded projects: milestones, progress with delays and photos,
money spent (never edited, corrected by new entries), residents' comments; the permission
matrix (role × phase), the pages, the read-only API and the project page's query count."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.budgeting import selectors, services
from gongzhi.budgeting.models import (
    Idea,
    Milestone,
    ProgressPhoto,
    ProgressUpdate,
    Spending,
)
from gongzhi.core.models import Activity
from tests.budgeting.helpers import make_process, project, set_phase
from tests.factories import UserFactory, member


@pytest.fixture(autouse=True)
def _in_english(client):
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def _funded_process(community, worker):
    """A counted process now in implementation: ``a`` funded, ``b`` not."""
    process = make_process(
        community, worker, "voting", rule="greedy", budget=100, ballot_type="approval"
    )
    a, b = project(process, 60, "路灯"), project(process, 50, "长椅")
    for picks in ([a.pk], [a.pk], [b.pk]):
        services.ballot_cast(actor=member(community), process=process, projects=picks)
    set_phase(process, "results")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.tally_request(actor=worker, process=process)
    set_phase(process, "implementation")
    return process, a, b


def _idea(process, idea):
    fresh = selectors.process_get(community=process.community, process_id=process.pk)
    return selectors.idea_get(process=fresh, idea_id=idea.pk)


@pytest.fixture
def funded(community, worker):
    process, a, b = _funded_process(community, worker)
    return _idea(process, a), _idea(process, b)


def _png(name="work.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phase", "worker_may", "resident_may"),
    [
        ("results", False, False),
        ("implementation", True, True),
        ("evaluation", True, True),
    ],
)
def test_the_permission_matrix(community, worker, resident, phase, worker_may, resident_may):
    process, a, b = _funded_process(community, worker)
    set_phase(process, phase)
    a, b = _idea(process, a), _idea(process, b)
    unverified = member(community, verified=False)
    stranger = UserFactory()
    assert rules.has_perm("budgeting.track", worker, a) is worker_may
    assert rules.has_perm("budgeting.track", resident, a) is False
    assert rules.has_perm("budgeting.comment_progress", resident, a) is resident_may
    assert rules.has_perm("budgeting.comment_progress", unverified, a) is False
    assert rules.has_perm("budgeting.comment_progress", stranger, a) is False
    # A project that was not funded has no implementation to track or discuss.
    assert rules.has_perm("budgeting.track", worker, b) is False
    assert rules.has_perm("budgeting.comment_progress", resident, b) is False


@pytest.mark.django_db
def test_residents_cannot_post_updates_and_nothing_is_saved(community, resident, funded):
    a, _b = funded
    with pytest.raises(PermissionDenied):
        services.progress_report(actor=resident, idea=a, progress=10, body="x")
    with pytest.raises(PermissionDenied):
        services.milestone_add(actor=resident, idea=a, title="x", due=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.spending_record(
            actor=resident, idea=a, amount=5, spent_on=timezone.localdate(), note="x"
        )
    assert not ProgressUpdate.objects.in_community(community).exists()
    assert not Milestone.objects.in_community(community).exists()
    assert not Spending.objects.in_community(community).exists()


# --- Milestones -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_milestone_is_planned_reached_once_and_journalled(community, worker, funded):
    a, _b = funded
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="Name the milestone"):
        services.milestone_add(actor=worker, idea=a, title="  ", due=today)
    milestone = services.milestone_add(actor=worker, idea=a, title="采购灯具", due=today)
    with pytest.raises(ValidationError, match="in the future"):
        services.milestone_done(
            actor=worker, idea=a, milestone_id=milestone.pk, done_on=today + timedelta(days=1)
        )
    services.milestone_done(actor=worker, idea=a, milestone_id=milestone.pk)
    with pytest.raises(ValidationError, match="already reached"):
        services.milestone_done(actor=worker, idea=a, milestone_id=milestone.pk)
    milestone.refresh_from_db()
    assert milestone.done_on == today
    verbs = set(Activity.objects.filter(community=community).values_list("verb", flat=True))
    assert {"budget.milestone_added", "budget.milestone_done"} <= verbs


# --- Progress ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_reports_delays_photos_and_finishing(community, worker, funded):
    a, _b = funded
    with pytest.raises(ValidationError, match="from 0 to 100"):
        services.progress_report(actor=worker, idea=a, progress=101, body="x")
    with pytest.raises(ValidationError, match="give the reason"):
        services.progress_report(
            actor=worker, idea=a, progress=10, body="x", expected_finish=timezone.localdate()
        )
    assert not ProgressUpdate.objects.in_community(community).exists()
    services.progress_report(actor=worker, idea=a, progress=40, body="灯杆已立", photos=[_png()])
    with pytest.raises(ValidationError, match="went back from 40%"):
        services.progress_report(actor=worker, idea=a, progress=30, body="返工")
    services.progress_report(
        actor=worker,
        idea=a,
        progress=30,
        body="返工",
        delay_reason="灯具不合格，退货重购",
        expected_finish=timezone.localdate() + timedelta(days=30),
    )
    assert Idea.objects.in_community(community).get(pk=a.pk).progress == 30
    assert ProgressPhoto.objects.in_community(community).get().width == 40
    services.progress_report(actor=worker, idea=a, progress=100, body="完工")
    with pytest.raises(ValidationError, match="finished"):
        services.progress_report(actor=worker, idea=a, progress=100, body="again")
    assert ProgressUpdate.objects.in_community(community).count() == 3
    reported = Activity.objects.filter(community=community, verb="budget.progress_reported")
    assert reported.count() == 3


@pytest.mark.django_db
def test_a_refused_photo_refuses_the_report(community, worker, funded):
    a, _b = funded
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError):
        services.progress_report(actor=worker, idea=a, progress=10, body="x", photos=[bad])
    assert not ProgressUpdate.objects.in_community(community).exists()
    assert Idea.objects.in_community(community).get(pk=a.pk).progress == 0


@pytest.mark.django_db
def test_the_database_keeps_progress_at_most_100(community, funded):
    a, _b = funded
    with pytest.raises(IntegrityError):
        Idea.objects.in_community(community).filter(pk=a.pk).update(progress=101)


# --- Money ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_spending_is_never_edited_and_corrected_by_new_entries(community, worker, funded):
    a, _b = funded
    today = timezone.localdate()
    for amount, note, message in [
        (0, "x", "cannot be 0"),
        (10, " ", "what the money paid for"),
        (-5, "更正", "below 0 yuan"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.spending_record(actor=worker, idea=a, amount=amount, spent_on=today, note=note)
    with pytest.raises(ValidationError, match="in the future"):
        services.spending_record(
            actor=worker, idea=a, amount=5, spent_on=today + timedelta(days=1), note="x"
        )
    assert not Spending.objects.in_community(community).exists()
    entry = services.spending_record(actor=worker, idea=a, amount=50, spent_on=today, note="灯具")
    services.spending_record(actor=worker, idea=a, amount=-20, spent_on=today, note="重复记账更正")
    entry.amount = 1
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    assert [p.spent for p in selectors.funded_projects(process=a.process)] == [30]


# --- Pages and API ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_posts_through_the_page_and_residents_read_and_comment(
    client, community, worker, resident, funded
):
    a, b = funded
    slug, pid = community.slug, a.process.pk
    url = reverse("budget_progress", args=[slug, pid, a.pk])
    client.force_login(worker)
    client.post(
        reverse("budget_milestone_add", args=[slug, pid, a.pk]),
        {"title": "安装", "due": "2030-01-01"},
    )
    bad = client.post(
        reverse("budget_progress_report", args=[slug, pid, a.pk]),
        {"progress": "150", "body": "x"},
        follow=True,
    )
    assert "Give the progress (0–100%)" in bad.content.decode()
    client.post(
        reverse("budget_progress_report", args=[slug, pid, a.pk]),
        {"progress": "50", "body": "一半", "delay_reason": "下雨", "photos": [_png()]},
    )
    client.post(
        reverse("budget_spending_add", args=[slug, pid, a.pk]),
        {"amount": "70", "spent_on": timezone.localdate().isoformat(), "note": "灯具"},
    )
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert "安装" in page and "下雨" in page and "Over budget by 10 yuan" in page
    assert 'id="progress-text">50% done' in page
    assert "Publish the report" not in page
    photo = ProgressPhoto.objects.in_community(community).get()
    image = client.get(reverse("budget_progress_photo", args=[slug, pid, a.pk, photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    client.post(reverse("budget_progress_comment", args=[slug, pid, a.pk]), {"body": "谢谢"})
    assert "谢谢" in client.get(url).content.decode()
    forbidden = client.post(
        reverse("budget_spending_add", args=[slug, pid, a.pk]),
        {"amount": "5", "spent_on": timezone.localdate().isoformat(), "note": "x"},
    )
    assert forbidden.status_code == 403
    assert Spending.objects.in_community(community).count() == 1
    # An idea that was not funded has no tracking page.
    assert client.get(reverse("budget_progress", args=[slug, pid, b.pk])).status_code == 404
    detail = client.get(reverse("budget_detail", args=[slug, pid])).content.decode()
    assert 'id="funded"' in detail and url in detail and "70 of 60 yuan spent" in detail


@pytest.mark.django_db
def test_a_finished_project_stays_visible(client, community, worker, funded):
    a, _b = funded
    services.progress_report(actor=worker, idea=a, progress=100, body="完工")
    set_phase(a.process, "evaluation")
    detail = client.get(reverse("budget_detail", args=[community.slug, a.process.pk]))
    assert "finished" in detail.content.decode() and "路灯" in detail.content.decode()


def _fill(community, worker, idea, n):
    today = timezone.localdate()
    for i in range(n):
        services.milestone_add(actor=worker, idea=idea, title=f"m{i}", due=today)
        services.progress_report(actor=worker, idea=idea, progress=i, body="x", photos=[_png()])
        services.spending_record(actor=worker, idea=idea, amount=1, spent_on=today, note="n")
        services.progress_comment(actor=member(community), idea=idea, body="c")


@pytest.mark.django_db
def test_the_project_page_takes_a_fixed_number_of_queries(
    client, community, worker, funded, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, _b = funded
    client.force_login(worker)
    url = reverse("budget_progress", args=[community.slug, a.process.pk, a.pk])
    _fill(community, worker, a, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _fill(community, worker, a, 5)
    with django_assert_max_num_queries(len(one)):  # no query per report, photo or comment
        page = client.get(url)
    assert len(one) <= 20
    assert page.content.decode().count("<img") == 6


@pytest.mark.django_db
def test_the_api_reads_funded_projects(client, community, worker, funded):
    a, b = funded
    services.milestone_add(actor=worker, idea=a, title="采购", due=timezone.localdate())
    services.progress_report(actor=worker, idea=a, progress=20, body="开工", delay_reason="雨")
    services.spending_record(
        actor=worker, idea=a, amount=12, spent_on=timezone.localdate(), note="n"
    )
    base = f"/api/v1/communities/{community.slug}/budgets/{a.process.pk}/funded"
    rows = client.get(base).json()
    assert rows == [
        {"id": a.pk, "title": "路灯", "cost": 60, "progress": 20, "finished": False, "spent": 12}
    ]
    one = client.get(f"{base}/{a.pk}").json()
    assert one["milestones"][0]["title"] == "采购" and one["updates"][0]["delayed"] is True
    assert one["spending"][0]["amount"] == 12
    assert client.get(f"{base}/{b.pk}").status_code == 404
