"""The adoption pages: the adoption page with its forms (ratification vote, filing, receipt,
publication), the household's confirmation, a worker's paper confirmation, the printable PDF,
and the covenant page's adoption section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from gongzhi.covenants import adoption_selectors
from gongzhi.covenants.models import Acknowledgement, Covenant, Round, RoundStatus
from tests.covenants.adoption_world import (
    consolidated_covenant,
    in_force_round,
    ratified_round,
    resident_of,
)
from tests.covenants.world import current_round
from tests.factories import member


def _url(name, community, *args):
    return reverse(name, args=[community.slug, *args])


@pytest.mark.django_db
def test_a_worker_puts_the_text_to_the_vote_through_the_form(client, community, worker):
    covenant = consolidated_covenant(community, worker)
    round_ = current_round(covenant)
    client.force_login(worker)
    page = client.get(_url("covenants_adoption", community, covenant.pk))
    assert page.status_code == 200
    assert _url("covenants_ratify", community, round_.pk) in page.content.decode()
    now = timezone.localtime()
    form = {
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "electorate": "household",
    }
    bad = client.post(_url("covenants_ratify", community, round_.pk), form)
    assert bad.status_code == 200
    assert Round.objects.in_community(community).get(pk=round_.pk).status == RoundStatus.OPEN
    form["closes_at"] = (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(_url("covenants_ratify", community, round_.pk), form)
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.RATIFYING
    assert round_.ratification_vote.electorate == "household"


@pytest.mark.django_db
def test_residents_read_the_adoption_but_do_not_move_it(client, community, worker, outsider):
    covenant = consolidated_covenant(community, worker)
    round_ = current_round(covenant)
    client.force_login(member(community))
    assert client.get(_url("covenants_adoption", community, covenant.pk)).status_code == 200
    assert client.get(_url("covenants_ratify", community, round_.pk)).status_code in (403, 404)
    client.force_login(outsider)
    assert client.get(_url("covenants_adoption", community, covenant.pk)).status_code == 404


@pytest.mark.django_db
def test_filing_and_publication_through_the_pages(client, community, worker, official):
    round_ = ratified_round(community, worker)
    client.force_login(worker)
    client.post(_url("covenants_filing_submit", community, round_.pk))
    round_.refresh_from_db()
    assert round_.filing_submitted_by_id == worker.pk
    client.force_login(official)
    receipt = _url("covenants_filing_receive", community, round_.pk)
    assert client.get(receipt).status_code == 200
    assert client.post(receipt, {"reference": "街备7号"}).status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.IN_FORCE and round_.filing_reference == "街备7号"
    client.force_login(worker)
    client.post(_url("covenants_publish", community, round_.pk))
    round_.refresh_from_db()
    assert round_.published_at is not None


@pytest.mark.django_db
def test_a_household_confirms_on_its_phone_and_a_worker_records_paper(
    client, community, worker, official
):
    round_ = in_force_round(community, worker, official)
    covenant = Covenant.objects.in_community(community).get(pk=round_.covenant_id)
    person = resident_of(community)
    client.force_login(person)
    url = _url("covenants_acknowledge", community, covenant.pk)
    page = client.get(url).content.decode()
    assert "第一条" in page and "节假日上午十时前不得装修。" in page
    assert client.post(url).status_code == 302
    assert Acknowledgement.objects.in_community(community).filter(person=person).exists()
    again = client.post(url, follow=True).content.decode()
    assert Acknowledgement.objects.in_community(community).filter(person=person).count() == 1
    assert person.display_name in again
    signer = resident_of(community, phone="+8613900001111")
    client.force_login(worker)
    client.post(url, {"phone": "13900001111"})
    row = Acknowledgement.objects.in_community(community).get(person=signer)
    assert row.recorded_by_id == worker.pk


@pytest.mark.django_db
def test_the_printable_pdf(client, community, worker, official):
    round_ = in_force_round(community, worker, official)
    client.force_login(member(community))
    response = client.get(_url("covenants_print", community, round_.covenant_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = client.get(_url("covenants_print_page", community, round_.covenant_id))
    html = page.content.decode()
    assert page.status_code == 200 and "第二条 噪音" in html and "<svg" in html
    not_yet = consolidated_covenant(community, worker, title="未生效")
    for name in ("covenants_print", "covenants_print_page"):
        assert client.get(_url(name, community, not_yet.pk)).status_code == 404


@pytest.mark.django_db
def test_the_covenant_pages_adoption_section(community, worker, official):
    round_ = in_force_round(community, worker, official)
    covenant = Covenant.objects.in_community(community).get(pk=round_.covenant_id)
    person = resident_of(community)
    html = render_to_string(
        "covenants/_detail_adoption.html",
        {"detail_adoption": adoption_selectors.detail(covenant, person)},
    )
    assert _url("covenants_acknowledge", community, covenant.pk) in html
    assert _url("covenants_print", community, covenant.pk) in html
