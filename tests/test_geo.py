"""WGS-84 ↔ GCJ-02 (core/geo.py) against the published test points, and the hotline form's map
picker: shown only with a tile server, its points stored as WGS-84."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.geo import distance_m, gcj02_to_wgs84, out_of_china, wgs84_to_gcj02
from gongzhi.feedback.forms import TicketForm

#: (WGS-84 lat, lng, GCJ-02 lat, lng): the test points of eviltransform
#: (github.com/googollee/eviltransform, transform_test.go): Shanghai, Shenzhen, Beijing.
KNOWN = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), KNOWN)
def test_known_points(wlat, wlng, glat, glng):
    lat, lng = wgs84_to_gcj02(wlat, wlng)
    assert lat == pytest.approx(glat, abs=1e-9) and lng == pytest.approx(glng, abs=1e-9)
    back = gcj02_to_wgs84(glat, glng)
    assert distance_m(*back, wlat, wlng) < 0.01  # a centimetre
    assert 100 < distance_m(wlat, wlng, glat, glng) < 1000  # the offset is hundreds of metres


def test_outside_china_nothing_moves():
    for point in [(48.8566, 2.3522), (35.6762, 139.6503), (-33.87, 151.21)]:
        assert out_of_china(*point)
        assert wgs84_to_gcj02(*point) == point == gcj02_to_wgs84(*point)


@given(st.floats(18.0, 53.0), st.floats(74.0, 134.0))
def test_the_inverse_undoes_the_transform(lat, lng):
    assert distance_m(*gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng)), lat, lng) < 0.01


def _form(community, **data):
    return TicketForm({"text": "路灯坏了", "contact": "in_app", **data}, community=community)


@pytest.mark.django_db
def test_a_point_picked_on_gcj02_tiles_is_stored_as_wgs84(community):
    wlat, wlng, glat, glng = KNOWN[2]
    form = _form(community, latitude=f"{glat:.6f}", longitude=f"{glng:.6f}", point_crs="gcj02")
    assert form.is_valid(), form.errors
    lat, lng = form.cleaned_data["latitude"], form.cleaned_data["longitude"]
    assert isinstance(lat, Decimal)
    assert distance_m(float(lat), float(lng), wlat, wlng) < 0.2  # six decimals ≈ 0.1 m
    typed = _form(community, latitude="39.911954", longitude="116.377817", point_crs="wgs84")
    assert typed.is_valid() and typed.cleaned_data["latitude"] == Decimal("39.911954")


@pytest.mark.django_db
def test_the_map_picker_shows_only_with_a_tile_server(client, community, resident, settings):
    client.force_login(resident)
    url = reverse("hotline_file", args=[community.slug])
    settings.MAP_TILE_URL = ""
    page = client.get(url).content.decode()
    assert "data-map-picker" not in page and 'id="id_latitude"' in page
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_CRS = "gcj02"
    page = client.get(url).content.decode()
    assert "data-map-picker" in page and 'data-crs="gcj02"' in page
    assert 'data-crs-field="id_point_crs"' in page and 'id="id_point_crs"' in page
    assert "vendor/leaflet/leaflet.js" in page and "gongzhi/map-picker.js" in page


def test_leaflet_is_served_locally():
    for path in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "gongzhi/map-picker.js",
    ):
        assert finders.find(path), path
    assert settings.MAP_TILE_CRS in {"wgs84", "gcj02"}
