"""The covenant's pages and API reads cost a fixed number of queries: a covenant with five times
the articles, comments, amendments, supports and decisions (and a consolidated text with five
times the changes from amendments) costs no more queries than a small one.

Pages: the list, a covenant's page, an article page, the versions, the consolidated text with
where each change came from, the diff of the draft and the consolidated text, the revision (the
amendments by article), the adoption page. API: the amendments of a round, the revision, a
version and the diff."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.covenants import revision_services
from gongzhi.covenants.models import Covenant, Support
from tests.covenants.revision_world import UNANIMOUS, deciding_body
from tests.covenants.world import amendment_of, comment_of, covenant_of, current_round, keys
from tests.factories import member

pytestmark = pytest.mark.django_db

SMALL, BIG = 1, 5


def _covenant(community, worker, body, people, n: int) -> Covenant:
    """A covenant of ``n`` articles in revision; on each article two comments, an amendment the
    drafting body accepted (with a supporter) and one it rejected; its text consolidated."""
    covenant = covenant_of(
        community,
        worker,
        body=body,
        phase="revision",
        title=f"公约{n}",
        articles=[(f"第{i}项", [f"款{i}-1", f"款{i}-2"]) for i in range(n)],
    )
    round_ = current_round(covenant)
    for article, (first, second) in keys(round_.draft):
        for paragraph in (first, None):
            comment_of(round_, article_key=article, paragraph_key=paragraph)
        accepted = amendment_of(round_, article_key=article, paragraph_key=first, text="新条文")
        rejected = amendment_of(round_, article_key=article, paragraph_key=second, text="否")
        Support.objects.in_community(community).create(amendment=accepted, person=member(community))
        for amendment, accept in ((accepted, True), (rejected, False)):
            revision_services.amendment_decide(
                actor=people[0], amendment=amendment, accept=accept, reason="理由。", **UNANIMOUS
            )
    revision_services.consolidate(actor=worker, round=round_)
    return covenant


@pytest.fixture
def covenants(community, worker):
    body, people = deciding_body(community, worker)
    return {n: _covenant(community, worker, body, people, n) for n in (SMALL, BIG)}


def _pages(community, covenant: Covenant) -> list[str]:
    round_ = current_round(covenant)
    slug = community.slug
    first_article = keys(round_.draft)[0][0]
    api = f"/api/v1/communities/{slug}/covenants"
    return [
        reverse("covenants_detail", args=[slug, covenant.pk]),
        reverse("covenants_article", args=[slug, covenant.pk, first_article]),
        reverse("covenants_versions", args=[slug, covenant.pk]),
        reverse("covenants_version", args=[slug, covenant.pk, round_.consolidated.number]),
        reverse("covenants_diff", args=[slug, covenant.pk]),
        reverse("covenants_revision", args=[slug, round_.pk]),
        reverse("covenants_adoption", args=[slug, covenant.pk]),
        f"{api}/rounds/{round_.pk}/amendments",
        f"{api}/rounds/{round_.pk}/revision",
        f"{api}/{covenant.pk}/versions/{round_.consolidated.number}",
        f"{api}/{covenant.pk}/diff?from={round_.draft.number}&to={round_.consolidated.number}",
    ]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(captured.captured_queries)


def test_each_page_costs_the_same_queries_for_five_times_the_rows(community, worker, covenants):
    small, big = (_pages(community, covenants[n]) for n in (SMALL, BIG))
    for viewer in (member(community), worker):  # a resident, and one who acts for the body
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(viewer)
        for url in small:
            _queries(client, url)  # warm the viewer's caches
        for few, many in zip(small, big, strict=True):
            assert _queries(client, many) <= _queries(client, few), many


def test_the_list_costs_the_same_queries_for_five_times_the_covenants(community, worker):
    body, people = deciding_body(community, worker)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member(community))
    urls = [
        reverse("covenants_list", args=[community.slug]),
        f"/api/v1/communities/{community.slug}/covenants",
    ]

    def in_force(covenant: Covenant) -> None:
        """The covenant in force with its draft as the text (the list reads its number)."""
        draft = current_round(covenant).draft
        Covenant.objects.in_community(community).filter(pk=covenant.pk).update(in_force=draft)

    in_force(covenant_of(community, worker, body=body, title="公约甲"))
    covenant_of(community, worker, body=body, title="公约乙")
    for url in urls:
        _queries(client, url)
    few = [_queries(client, url) for url in urls]
    for n in range(4):
        in_force(covenant_of(community, worker, body=body, title=f"公约{n}", phase="revision"))
        covenant_of(community, worker, body=body, title=f"草案{n}")
    for url, before in zip(urls, few, strict=True):
        assert _queries(client, url) <= before, url
