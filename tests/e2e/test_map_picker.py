"""The map picker on the hotline's report form (gongzhi/static/gongzhi/map-picker.js, Leaflet from
static/vendor), in Debian's Chromium: a tap on the map fills the coordinate fields and the report
is stored with that point, in WGS-84 (converted by the server when the tiles are GCJ-02, as a
Chinese map service's are: gongzhi/core/geo.py). Without a tile server there is no map, and the
fields still work alone.

The tiles come from a route of this module (its ``urlpatterns``, put before the site's), so the
test needs no network and sees that Leaflet really asked for them."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from PIL import Image

from gongzhi.core.geo import gcj02_to_wgs84
from gongzhi.feedback import services
from gongzhi.feedback.models import Ticket
from tests.e2e.test_journeys import force_login
from tests.factories import member

pytestmark = pytest.mark.browser

#: Where the map opens (Beijing, Tian'anmen: inside mainland China, so GCJ-02 differs).
CENTER = (39.9087, 116.3975)
TILES_ASKED: list[str] = []


def _tile_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


TILE = _tile_png()


def tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    TILES_ASKED.append(f"{z}/{x}/{y}")
    return HttpResponse(TILE, content_type="image/png")


urlpatterns = [
    path("test-tiles/<int:z>/<int:x>/<int:y>.png", tile),
    path("", include("gongzhi.urls")),
]


def report_form(new_context, community, e2e):
    services.categories_install_defaults(community=community)
    resident = member(community)
    phone = new_context("phone")
    force_login(phone, resident, e2e)
    page = phone.new_page()
    page.goto(f"/c/{community.slug}/hotline/new/")
    page.fill("#id_text", "东门路灯坏了，晚上一片黑")
    return page


def send(page, community) -> Ticket:
    with page.expect_navigation():
        page.locator("#file-submit").click()
    ticket = Ticket.objects.in_community(community).get()
    assert page.url.endswith(f"/hotline/{ticket.number}/")
    return ticket


@pytest.mark.parametrize("tile_crs", ["wgs84", "gcj02"])
def test_a_tap_on_the_map_fills_the_point(new_context, community, e2e, settings, tile_crs):
    settings.ROOT_URLCONF = __name__
    settings.MAP_TILE_URL = "/test-tiles/{z}/{x}/{y}.png"
    settings.MAP_TILE_CRS = tile_crs
    settings.MAP_CENTER = f"{CENTER[0]},{CENTER[1]},16"
    TILES_ASKED.clear()
    page = report_form(new_context, community, e2e)
    picker = page.locator("[data-map-picker]")
    assert picker.is_visible()
    assert page.input_value("#id_latitude") == "" and page.input_value("#id_longitude") == ""

    page.locator("[data-map]").click(position={"x": 60, "y": 40})  # off centre: a real pick
    lat, lng = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    assert -90 <= lat <= 90 and -180 <= lng <= 180
    # At zoom 16 a map a few hundred pixels wide spans a few hundred metres around the centre;
    # the pick is north-west of it, as tapped.
    assert 0 < lat - CENTER[0] < 0.01 and 0 < CENTER[1] - lng < 0.01
    assert page.input_value("#id_point_crs") == tile_crs
    assert TILES_ASKED  # Leaflet drew the map from our tiles

    ticket = send(page, community)
    expected = (lat, lng) if tile_crs == "wgs84" else gcj02_to_wgs84(lat, lng)
    stored = (float(ticket.latitude), float(ticket.longitude))
    assert stored == pytest.approx(expected, abs=2e-6)
    if tile_crs == "gcj02":  # the GCJ-02 offset near Beijing is hundreds of metres
        assert abs(stored[0] - lat) + abs(stored[1] - lng) > 0.001


def test_without_tiles_the_fields_work_alone(new_context, community, e2e, settings):
    settings.MAP_TILE_URL = ""
    page = report_form(new_context, community, e2e)
    assert page.locator("[data-map-picker]").count() == 0
    assert page.locator("script[src*='leaflet']").count() == 0
    page.fill("#id_latitude", "39.908700")
    page.fill("#id_longitude", "116.397500")
    ticket = send(page, community)
    assert (ticket.latitude, ticket.longitude) == (Decimal("39.908700"), Decimal("116.397500"))
