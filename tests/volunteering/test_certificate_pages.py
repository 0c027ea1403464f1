"""Certificate pages: a worker issues from the volunteer's record; the holder and staff read it
and download the PDF; anyone checks it on its public page (masked name, valid or REVOKED) and
with the published keys; staff rotate keys and export records for the national system."""

from __future__ import annotations

import csv
import io
import json

import pypdf
import pytest
from django.template.loader import render_to_string
from django.test import Client
from openpyxl import load_workbook

from gongzhi.core.models import Activity
from gongzhi.volunteering import certificate_selectors, credentials
from gongzhi.volunteering.models import Certificate
from tests.factories import member
from tests.volunteering.test_certificates import issue, issuer, reverse, served  # noqa: F401
from tests.volunteering.world import volunteer_of

pytestmark = pytest.mark.django_db


def client_for(user=None, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def certified(community, worker, issuer):  # noqa: F811
    volunteer = volunteer_of(community, member(community, display_name="王小芳"))
    served(community, worker, volunteer, minutes=90)
    return issue(worker, volunteer)


def base(community):
    return f"/c/{community.slug}/volunteering"


def test_the_public_page_shows_the_facts_with_the_name_masked(community, certified):
    response = client_for().get(f"{base(community)}/certificates/verify/{certified.token}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "王*芳" in page and "王小芳" not in page
    assert certified.number in page and "1.5" in page
    assert "花园社区居民委员会" in page and "李主任" in page
    assert certified.credential in page  # to verify offline
    assert "keys.json" in page and 'id="certificate-status"' in page and "REVOKED" not in page


def test_a_revoked_certificate_says_so_on_its_page(community, worker, certified):
    reverse(certified.entries.get(), worker, reason="当天未到场")
    page = client_for().get(f"{base(community)}/certificates/verify/{certified.token}/")
    text = page.content.decode()
    assert "REVOKED" in text and "当天未到场" in text


def test_unknown_tokens_are_not_found(community, other_community, certified):
    client = client_for()
    assert client.get(f"{base(community)}/certificates/verify/not-a-uuid/").status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"{base(community)}/certificates/verify/{missing}/").status_code == 404
    elsewhere = f"{base(other_community)}/certificates/verify/{certified.token}/"
    assert client.get(elsewhere).status_code == 404


def test_the_published_keys_verify_the_credential_and_the_check_form_says_so(community, certified):
    client = client_for()
    keys = client.get(f"{base(community)}/keys.json")
    assert keys.status_code == 200 and keys["Access-Control-Allow-Origin"] == "*"
    key_set = json.loads(keys.content)
    assert credentials.verify(certified.credential, key_set)["jti"].endswith(str(certified.token))

    good = client.post(
        f"{base(community)}/certificates/check/", {"credential": certified.credential}
    )
    assert "The signature is valid." in good.content.decode()
    assert certified.number in good.content.decode()
    head, body, signature = certified.credential.split(".")
    forged = f"{head}.{body[:-3]}AAA.{signature}"
    bad = client.post(f"{base(community)}/certificates/check/", {"credential": forged})
    assert "The signature does not verify." in bad.content.decode()


def test_the_holder_and_staff_download_the_pdf_others_get_404(
    community, worker, resident, certified
):
    path = f"{base(community)}/certificates/{certified.pk}/pdf/"
    for user in (certified.volunteer.person, worker):
        response = client_for(user).get(path)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        text = "".join(page.extract_text() for page in reader.pages)
        for value in (certified.number, "王小芳", "1.5", "李主任", certified.handler_name):
            assert value in text, value
        assert str(certified.token) in text.replace("\n", "")  # the QR's address, printed too
        assert sum(len(page.images) for page in reader.pages) >= 1  # the QR code
    assert client_for(resident).get(path).status_code == 404
    detail = f"{base(community)}/certificates/{certified.pk}/"
    assert client_for(resident).get(detail).status_code == 404
    assert client_for(certified.volunteer.person).get(detail).status_code == 200


def test_a_worker_issues_from_the_page_and_nobody_else_sees_it(community, worker, resident, issuer):  # noqa: F811
    volunteer = volunteer_of(community)
    served(community, worker, volunteer, minutes=60)
    path = f"{base(community)}/volunteers/{volunteer.pk}/certificates/new/"
    assert client_for(resident).get(path).status_code == 404
    assert client_for(volunteer.person).get(path).status_code == 404
    client = client_for(worker)
    assert client.get(path).status_code == 200
    response = client.post(path, {"period_from": "2000-01-01", "period_to": "2100-01-01"})
    assert response.status_code == 302
    certificate = Certificate.objects.in_community(community).get()
    assert response["Location"].endswith(f"/certificates/{certificate.pk}/")
    # Refusals come back on the form, translated, with nothing saved.
    refused = client_for(worker, "zh-hans").post(
        path, {"period_from": "2000-01-01", "period_to": "2000-01-02"}
    )
    assert refused.status_code == 200
    assert Certificate.objects.in_community(community).count() == 1


def test_own_certificate_is_refused_on_the_page(community, worker, issuer):  # noqa: F811
    own = volunteer_of(community, worker)
    served(community, member(community), own)
    response = client_for(worker).post(
        f"{base(community)}/volunteers/{own.pk}/certificates/new/",
        {"period_from": "2000-01-01", "period_to": "2100-01-01"},
    )
    assert response.status_code == 200
    assert "Nobody issues a certificate for their own hours" in response.content.decode()
    assert not Certificate.objects.in_community(community).exists()


def test_a_worker_rotates_the_key_and_the_old_one_stays_published(
    community, worker, resident, certified
):
    path = f"{base(community)}/signing-keys/"
    assert client_for(resident).get(path).status_code == 404
    assert client_for(resident).post(path).status_code == 404
    client = client_for(worker)
    assert certified.signing_key.kid in client.get(path).content.decode()
    assert client.post(path).status_code == 302
    keys = json.loads(client_for().get(f"{base(community)}/keys.json").content)
    assert len(keys["keys"]) == 2
    assert credentials.verify(certified.credential, keys)


def test_staff_export_records_in_the_67_fields(community, worker, resident, certified):
    path = f"{base(community)}/records/"
    assert client_for(resident).get(path).status_code == 404
    client = client_for(worker)
    assert client.get(path).status_code == 200
    volunteer_phone = certified.volunteer.person.phone.removeprefix("+86")

    people = client.get(path, {"format": "csv", "table": "volunteers"})
    assert people.status_code == 200
    rows = list(csv.reader(io.StringIO(people.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Name",
        "Phone",
        "Gender",
        "Date of birth",
        "Registered on",
        "Service hours",
        "Training",
        "Awards",
        "Evaluation",
    ]
    assert rows[1][0] == "王小芳" and rows[1][1] == volunteer_phone and rows[1][5] == "1.5"

    service = client.get(path, {"format": "csv", "table": "service"})
    rows = list(csv.reader(io.StringIO(service.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Phone", "Date"] and rows[1][6] == "周末花园除草"
    assert rows[1][5] == "社区花园" and rows[1][7] == "1.5"

    workbook = client.get(path, {"format": "xlsx"})
    sheets = load_workbook(io.BytesIO(workbook.content)).worksheets
    assert [sheet.title for sheet in sheets] == ["Volunteers", "Service records"]
    assert Activity.objects.filter(verb="records.exported", community=community).count() == 3


def test_staff_who_do_not_manage_see_phones_masked(community, certified, worker, resident):
    from gongzhi.volunteering import records

    sheets = records.records_tables(community=community, viewer=worker)
    assert sheets[0].rows[1][1] == certified.volunteer.person.phone.removeprefix("+86")

    # records_tables is only reached through the staff check; without volunteering.manage:
    masked = records.records_tables(community=community, viewer=resident)
    assert (
        masked[0].rows[1][1]
        == certified.volunteer.person.masked_phone
        != (certified.volunteer.person.phone)
    )


def test_the_partials_show_my_certificates_and_staff_links(community, worker, certified):
    volunteer = certified.volunteer
    mine = render_to_string(
        "volunteering/_mine_certificate.html",
        {
            "community": community,
            "mine_certificate": certificate_selectors.mine(community, volunteer.person, volunteer),
        },
    )
    assert certified.number in mine
    hub = render_to_string(
        "volunteering/_hub_certificate.html",
        {"community": community, "hub_certificate": certificate_selectors.hub(community, worker)},
    )
    assert "/records/" in hub and "/signing-keys/" in hub
    visitor = render_to_string(
        "volunteering/_hub_certificate.html",
        {
            "community": community,
            "hub_certificate": certificate_selectors.hub(community, volunteer.person),
        },
    )
    assert "/records/" not in visitor and "/certificates/check/" in visitor


def test_the_issue_form_leads_back_to_the_volunteer(community, worker, issuer):  # noqa: F811
    volunteer = volunteer_of(community)
    page = client_for(worker).get(f"{base(community)}/volunteers/{volunteer.pk}/certificates/new/")
    assert f'href="{base(community)}/volunteers/{volunteer.pk}/"' in page.content.decode()
