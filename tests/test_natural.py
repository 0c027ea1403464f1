"""Buildings in natural order (1号楼, 2号楼 … 10号楼) wherever they are listed or chosen."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.models import Building
from gongzhi.core.natural import natural_key, natural_order, naturally_sorted
from gongzhi.feedback.forms import TicketForm
from tests.factories import BuildingFactory

NAMES = ["1号楼", "2号楼", "3号楼", "9号楼", "10号楼", "11号楼", "20号楼", "A座", "b座", "商铺"]


def test_natural_key_orders_numbered_names_by_number():
    shuffled = NAMES[:]
    random.Random(7).shuffle(shuffled)
    assert naturally_sorted(shuffled) == NAMES
    assert sorted(NAMES) != NAMES  # plain text order puts 10号楼 before 2号楼
    assert naturally_sorted(["3单元", "12单元", "1号楼2单元", "1号楼10单元"]) == [
        "1号楼2单元",
        "1号楼10单元",
        "3单元",
        "12单元",
    ]
    assert natural_key("１０号楼") == natural_key("10号楼")  # full-width digits


@given(st.lists(st.text(alphabet="0123456789号楼AB单元 ", max_size=8), max_size=12))
def test_natural_key_is_a_total_order(names):
    once = naturally_sorted(names)
    assert naturally_sorted(once) == once
    assert sorted(once) == sorted(names)


@pytest.mark.django_db
def test_building_choices_are_in_natural_order(community):
    for name in ["10号楼", "2号楼", "1号楼", "A座"]:
        BuildingFactory(community=community, name=name)
    ordered = natural_order(Building.objects.in_community(community))
    assert [b.name for b in ordered] == ["1号楼", "2号楼", "10号楼", "A座"]
    form = TicketForm(community=community)
    labels = [label for _value, label in form.fields["building"].choices][1:]
    assert labels == ["1号楼", "2号楼", "10号楼", "A座"]
