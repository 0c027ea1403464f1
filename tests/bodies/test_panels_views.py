"""Review panels in the browser: opening a panel, volunteering on a phone with the grid
prefilled, the published portfolio on the page and its exact bytes, the seed, the repeat
command, and the panel's space closed to everyone but its members, staff and supervisors."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.bodies import panels
from gongzhi.bodies.models import Panel, PanelMember, PoolEntry
from gongzhi.deliberation.models import Comment
from tests.bodies.panel_helpers import (
    open_panel,
    pool_closes_now,
    resident_in,
    reviewed_body,
    volunteers,
)
from tests.disclosure.helpers import pdf
from tests.factories import member

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def as_user(user) -> Client:
    client = Client(HTTP_USER_AGENT=PHONE)
    client.force_login(user)
    return client


def url(name: str, panel, **kwargs) -> str:
    return reverse(name, kwargs={"slug": panel.community.slug, "panel_id": panel.pk, **kwargs})


def drawn(community, worker, supervisor):
    panel = open_panel(community, worker)
    volunteers(panel, community)
    panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    return panels.seed_enter(actor=supervisor, panel=panel, seed="开奖 07 19")


def test_a_worker_opens_a_panel_on_the_page(community, worker):
    body = reviewed_body(community, worker)
    open_panel(community, worker, body=body)  # makes the grids
    client = as_user(worker)
    page = reverse("panel_create", kwargs={"slug": community.slug})
    assert client.get(page).status_code == 200
    closes = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "title": "垃圾分类点位调整",
        "reviewed_body": body.pk,
        "seats": 3,
        "features": ["gender"],
        "quotas": "gender,female,1,2\ngender，male，1，2",
        "pool_closes_at": closes,
        "ends_on": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "answer_days": 20,
    }
    response = client.post(page, form)
    assert response.status_code == 302
    panel = Panel.objects.in_community(community).get(title="垃圾分类点位调整")
    assert panel.quotas.count() == 2 and panel.answer_days == 20


def test_min_over_max_on_the_page_is_shown_and_nothing_saved(community, worker):
    body = reviewed_body(community, worker)
    client = as_user(worker)
    page = reverse("panel_create", kwargs={"slug": community.slug})
    response = client.post(
        page,
        {
            "title": "x",
            "reviewed_body": body.pk,
            "seats": 3,
            "features": ["gender"],
            "quotas": "gender,female,3,1",
            "pool_closes_at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "ends_on": (timezone.localdate() + timedelta(days=60)).isoformat(),
            "answer_days": 20,
        },
    )
    assert response.status_code == 200
    expected = gettext(
        "The quota %(feature)s = %(value)s asks for at least %(min)d and at most %(max)d."
    ) % {"feature": gettext("gender"), "value": "female", "min": 3, "max": 1}
    assert expected in response.content.decode()
    assert not Panel.objects.in_community(community).filter(title="x").exists()


def test_a_resident_volunteers_on_a_phone_with_the_grid_prefilled(community, worker):
    panel = open_panel(community, worker)
    user = resident_in(community, "二网格")
    client = as_user(user)
    page = client.get(url("panel_volunteer", panel))
    assert page.status_code == 200
    assert '<option value="二网格" selected>' in page.content.decode()
    refused = client.post(url("panel_volunteer", panel), {"grid": "二网格", "gender": "male"})
    assert refused.status_code == 200 and not PoolEntry.objects.in_community(community).exists()
    done = client.post(
        url("panel_volunteer", panel), {"grid": "二网格", "gender": "male", "consent": "on"}
    )
    assert done.status_code == 302
    entry = PoolEntry.objects.in_community(community).get()
    detail = client.get(url("panel_detail", panel)).content.decode()
    assert entry.pseudonym in detail
    client.post(url("panel_withdraw", panel))
    entry.refresh_from_db()
    assert entry.withdrawn_at is not None


def test_the_page_publishes_the_portfolio_and_its_exact_bytes(community, worker, supervisor):
    panel = open_panel(community, worker)
    volunteers(panel, community)
    client = as_user(worker)
    pool_closes_now(panel)
    client.post(url("panel_close", panel))
    panel.refresh_from_db()
    assert panel.status == "published"
    page = Client().get(url("panel_detail", panel)).content.decode()
    assert panel.portfolio_sha256 in page
    for entry in PoolEntry.objects.in_community(community).filter(panel=panel):
        assert entry.pseudonym in page
    download = Client().get(url("panel_portfolio", panel))
    assert hashlib.sha256(download.content).hexdigest() == panel.portfolio_sha256
    pool = Client().get(url("panel_pool_csv", panel)).content.decode("utf-8-sig")
    assert pool.splitlines()[0] == "id,grid,gender"


def test_the_seed_on_the_page_draws_and_shows_the_repeat_command(community, worker, supervisor):
    panel = open_panel(community, worker)
    volunteers(panel, community)
    panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    assert "panel-seed" not in as_user(worker).get(url("panel_detail", panel)).content.decode()
    client = as_user(supervisor)
    assert 'name="seed"' in client.get(url("panel_detail", panel)).content.decode()
    client.post(url("panel_seed", panel), {"seed": "开奖 07 19"})
    page = Client().get(url("panel_detail", panel)).content.decode()
    assert "python -m gongzhi.bodies.sortition panel-" in page
    assert PanelMember.objects.in_community(community).filter(panel=panel).count() == 3


@pytest.mark.parametrize("who", ["member", "worker", "supervisor", "resident", "visitor"])
def test_the_panel_space_is_closed_to_all_but_members_staff_and_supervisors(
    community, worker, supervisor, settings, tmp_path, who
):
    settings.MEDIA_ROOT = str(tmp_path)
    panel = drawn(community, worker, supervisor)
    seated = PanelMember.objects.in_community(community).filter(panel=panel).first().user
    document = panels.document_add(actor=seated, panel=panel, title="图纸", file=pdf())
    users = {
        "member": seated,
        "worker": worker,
        "supervisor": supervisor,
        "resident": member(community),
    }
    client = as_user(users[who]) if who in users else Client()
    file_url = url("panel_document", panel, document_id=document.pk)
    sees = who in {"member", "worker", "supervisor"}
    response = client.get(file_url)
    assert response.status_code == (200 if sees else 404 if who == "resident" else 302)
    page = client.get(url("panel_detail", panel)).content.decode()
    assert ("图纸" in page) is sees


def test_members_discuss_and_outsiders_cannot(community, worker, supervisor):
    panel = drawn(community, worker, supervisor)
    seated = PanelMember.objects.in_community(community).filter(panel=panel).first().user
    comments = url("panel_comment_add", panel)
    as_user(seated).post(comments, {"body": "我们周六去现场看看。"})
    assert Comment.objects.in_community(community).count() == 1
    outsider = as_user(member(community))
    assert outsider.post(comments, {"body": "我也想说"}).status_code == 404
    assert Comment.objects.in_community(community).count() == 1
