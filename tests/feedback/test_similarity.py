"""Near-duplicate detection: the similarity measure's properties (hypothesis) and the
neighbourhood rule (same building, or within a short distance of the map point)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.feedback import selectors, services
from gongzhi.feedback.similarity import degrees_around, distance_m, similarity
from tests.factories import BuildingFactory, member

texts = st.text(alphabet="路灯坏了不亮电梯漏水噪音楼道堆物abc 123，。", max_size=40)


@given(texts, texts)
def test_similarity_is_symmetric_and_bounded(a, b):
    assert similarity(a, b) == pytest.approx(similarity(b, a))
    assert 0.0 <= similarity(a, b) <= 1.0


@given(texts)
def test_a_text_is_fully_like_itself_unless_empty(a):
    cleaned = "".join(ch for ch in a if ch.isalnum())
    assert similarity(a, a) == (pytest.approx(1.0) if cleaned else 0.0)


def test_similarity_reads_chinese_reports_sensibly():
    lamp = "3号楼门口的路灯坏了，晚上一片黑"
    assert similarity(lamp, "3号楼门口路灯不亮，晚上很黑") > 0.35
    assert similarity(lamp, "楼上装修噪音太大，中午也不停") < 0.2
    # Punctuation, width and spaces do not matter.
    assert similarity("电梯坏了！", "电梯 坏了") == pytest.approx(1.0)


@given(
    st.floats(min_value=-60, max_value=60),
    st.floats(min_value=-179, max_value=179),
    st.floats(min_value=1, max_value=5000),
)
def test_the_box_holds_the_circle(lat, lon, metres):
    dlat, dlon = degrees_around(lat, metres)
    # The points at the circle's edge north and east lie on or inside the box.
    assert distance_m(lat, lon, lat + dlat, lon) == pytest.approx(metres, rel=1e-6)
    assert distance_m(lat, lon, lat, lon + dlon) <= metres * (1 + 1e-6)


def test_distance_of_a_known_pair():
    # Tiananmen to the Drum Tower, Beijing: about 3.7 km.
    assert 3_500 < distance_m(39.9087, 116.3975, 39.9405, 116.3933) < 3_800


@pytest.mark.django_db
def test_only_recent_open_nearby_tickets_are_suggested(community, resident, worker, categories):
    here, there = BuildingFactory(community=community), BuildingFactory(community=community)
    text = "3号楼门口的路灯坏了，晚上一片黑"
    start = timezone.now()

    def file(**kwargs):
        return services.ticket_file(
            actor=member(community), community=community, text=text, **kwargs
        )

    with time_machine.travel(start - timedelta(days=40), tick=False):
        old = file(building=here)
    same_building = file(building=here)
    other_building = file(building=there)
    near_point = file(latitude="39.908700", longitude="116.397500")
    far_point = file(latitude="39.918700", longitude="116.397500")  # about 1.1 km north
    closed = file(building=here)
    services.ticket_close(actor=worker, ticket=closed, note="重复")
    found = selectors.similar_tickets(
        community=community,
        text="3号楼门口路灯不亮，晚上很黑",
        building=here,
        latitude="39.908900",
        longitude="116.397600",
    )
    numbers = {s.ticket.number for s in found}
    assert numbers == {same_building.number, near_point.number}
    assert old.number not in numbers and other_building.number not in numbers
    assert far_point.number not in numbers and closed.number not in numbers
    near = next(s for s in found if s.ticket == near_point)
    assert near.distance_m is not None and near.distance_m < 30
    # Unalike text nearby is not offered.
    assert not selectors.similar_tickets(community=community, text="楼上漏水", building=here)
