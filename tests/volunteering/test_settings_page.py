"""The settings page (a worker's): the rounding rule with its example table (and a preview
that saves nothing), star levels, the issuer, the seal (pictures only, served back to staff
only), the time bank's limits; refusals are translated and save nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gongzhi.core.models import Activity
from gongzhi.volunteering.models import VolunteeringSettings
from gongzhi.volunteering.views import rounding_examples

pytestmark = pytest.mark.django_db

FORM = {
    "unit_minutes": "30",
    "threshold_minutes": "15",
    "star_hours": "100, 300, 600, 1000, 1500",
    "issuer_name": "幸福社区居民委员会",
    "responsible_name": "李主任",
    "timebank_floor_minutes": "-600",
    "timebank_ceiling_minutes": "6000",
    "timebank_starting_minutes": "120",
}


def client_for(user, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def page_url(community) -> str:
    return reverse("volunteering_settings", kwargs={"slug": community.slug})


def _png(name="seal.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 60), (220, 0, 0)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_the_default_rule_as_the_cities_count_it():
    hours = {row["served"]: str(row["hours"]) for row in rounding_examples(30, 15)}
    assert hours == {
        10: "0.0",
        14: "0.0",
        15: "0.5",
        44: "0.5",
        45: "1.0",
        60: "1.0",
        75: "1.5",
        100: "1.5",
    }


def test_only_workers_see_the_page(community, resident, worker):
    assert client_for(resident).get(page_url(community)).status_code == 404
    page = client_for(worker).get(page_url(community))
    assert page.status_code == 200
    assert "data-rounding-examples" in page.content.decode()


def test_a_preview_shows_the_rule_and_saves_nothing(community, worker):
    data = {**FORM, "unit_minutes": "60", "threshold_minutes": "30", "preview": "1"}
    page = client_for(worker).post(page_url(community), data)
    assert page.status_code == 200
    table = page.content.decode().split("data-rounding-examples", 1)[1].split("</table>")[0]
    # 44 minutes under a whole-hour rule from 30 minutes: one hour; 15 minutes: nothing.
    assert "<td>44</td>\n                            <td>1.0</td>" in table
    assert "<td>15</td>\n                            <td>0.0</td>" in table
    assert not VolunteeringSettings.objects.in_community(community).exists()


def test_a_worker_saves_the_settings_with_a_seal(community, worker, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(worker)
    response = client.post(page_url(community), {**FORM, "seal": _png()})
    assert response.status_code == 302
    saved = VolunteeringSettings.objects.in_community(community).get()
    assert saved.star_hours == [100, 300, 600, 1000, 1500]
    assert saved.issuer_name == "幸福社区居民委员会" and saved.seal
    assert (
        Activity.objects.in_community(community)
        .filter(verb="volunteering.settings_changed")
        .exists()
    )
    seal_url = reverse("volunteering_seal", kwargs={"slug": community.slug})
    served = client.get(seal_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert client_for(resident).get(seal_url).status_code == 404


def test_a_seal_that_is_not_a_picture_is_refused(community, worker, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    fake = SimpleUploadedFile("seal.png", b"%PDF-1.4 not a picture", content_type="image/png")
    response = client_for(worker, "en").post(page_url(community), {**FORM, "seal": fake})
    assert response.status_code == 400
    assert "not a kind of file accepted here" in response.content.decode()
    assert not VolunteeringSettings.objects.in_community(community).exists()


@pytest.mark.parametrize(
    ("field", "value", "english"),
    [
        ("star_hours", "300, 100", "increasing whole hours"),
        ("timebank_starting_minutes", "9000", "starting credit"),
    ],
)
def test_bad_settings_are_refused_in_english(community, worker, field, value, english):
    response = client_for(worker, "en").post(page_url(community), {**FORM, field: value})
    assert response.status_code == 400
    assert english in response.content.decode()
    assert not VolunteeringSettings.objects.in_community(community).exists()


def test_the_staff_console_links_the_volunteers(community, worker, resident):
    home = reverse("community_home", kwargs={"slug": community.slug})
    target = reverse("volunteering_volunteers", kwargs={"slug": community.slug})
    assert target in client_for(worker).get(home).content.decode()
    assert target not in client_for(resident).get(home).content.decode()
