"""Paging by ids, from whichever end is nearer: every page equals the plain slice."""

from __future__ import annotations

import pytest

from gongzhi.core.pagination import BoundedLimitOffsetPagination, paginate_by_ids
from gongzhi.deliberation.models import Category


@pytest.fixture
def categories(community):
    # Names that sort apart from creation order, with ties broken by pk.
    for i in range(23):
        Category.objects.in_community(community).create(name=f"{(i * 7) % 23:02d}-{i}")
    return Category.objects.in_community(community).order_by("-name", "pk")


@pytest.mark.django_db
def test_every_page_is_the_plain_slice_also_past_the_middle(categories, django_assert_num_queries):
    everything = [c.pk for c in categories]
    for number in range(1, 6):
        page = paginate_by_ids(categories, number, 5)
        assert [c.pk for c in page.object_list] == everything[(number - 1) * 5 : number * 5]
    with django_assert_num_queries(3) as captured:  # count, the ids from the end, the rows
        last = paginate_by_ids(categories, 5, 5)
    assert [c.pk for c in last.object_list] == everything[20:]
    ids_sql = captured.captured_queries[1]["sql"]
    assert "OFFSET" not in ids_sql.upper() and '"name" ASC' in ids_sql  # read from the end


@pytest.mark.django_db
def test_api_offsets_give_the_plain_slice(categories):
    everything = [c.pk for c in categories]
    paging = BoundedLimitOffsetPagination()
    for offset in (0, 4, 11, 18, 20, 22, 23, 40):
        for limit in (1, 5, 50):
            page = paging.paginate_queryset(
                categories, paging.Input(limit=limit, offset=offset), request=None
            )
            assert page["count"] == 23
            assert [c.pk for c in page["items"]] == everything[offset : offset + limit]
