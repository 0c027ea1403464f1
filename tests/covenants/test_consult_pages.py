"""The consultation's pages: the article page's part (forms with the tapped paragraph chosen,
comments paged, amendments with their status; a fixed number of queries), the comment and
amendment forms, an amendment's page (its change as a diff, support, withdraw), my
contributions, and 404 for whoever may not read."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from gongzhi.core.manifests import collect
from gongzhi.covenants import consult_selectors as selectors
from gongzhi.covenants.models import Amendment, AmendmentStatus, Comment, Support
from tests.covenants.world import amendment_of, comment_of, covenant_of, current_round, keys
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _round(community, worker, **fields):
    return current_round(covenant_of(community, worker, **fields))


def _as(client, user):
    client.force_login(user)
    return client


def _partial(round_, article_key, viewer, **kwargs):
    request = RequestFactory().get("/")
    request.user = viewer
    context = selectors.article_context(round_, article_key, viewer, **kwargs)
    return render_to_string(
        "covenants/_article_consult.html",
        {"consult": context, "user": viewer, "request": request},
        request=request,
    )


def test_the_article_page_offers_the_forms_with_the_tapped_paragraph(
    client, community, worker, resident
):
    round_ = _round(community, worker)
    (article, (_p1, p2)), *_ = keys(round_.draft)
    url = reverse(
        "covenants_article",
        kwargs={"slug": community.slug, "covenant_id": round_.covenant_id, "key": article},
    )
    page = _as(client, resident).get(f"{url}?p={p2}").content.decode()
    assert 'id="consult"' in page
    assert 'id="comment-form"' in page and 'id="amendment-form"' in page
    assert f'<option value="{p2}" selected>' in page
    assert reverse("covenants_comment", args=[community.slug, round_.pk, article]) in page


def test_the_partial_shows_comments_and_amendments_with_their_status(community, worker, resident):
    round_ = _round(community, worker)
    (article, (p1, _)), *_ = keys(round_.draft)
    comment_of(round_, member(community), article_key=article, text="请写清楚时间。")
    accepted = amendment_of(
        round_,
        member(community),
        article_key=article,
        paragraph_key=p1,
        text="新的第一款",
        status=AmendmentStatus.ACCEPTED,
        sequence=1,
        decision_reason="采纳，更清楚。",
    )
    Support.objects.in_community(community).create(amendment=accepted, person=resident)
    with translation.override("en"):
        html = _partial(round_, article, resident)
    assert "请写清楚时间。" in html
    assert reverse("covenants_amendment", args=[community.slug, accepted.pk]) in html
    assert "采纳，更清楚。" in html
    assert "You support it" in html


def test_who_may_not_take_part_gets_no_form(community, worker, unverified):
    round_ = _round(community, worker)
    article = keys(round_.draft)[0][0]
    html = _partial(round_, article, unverified)
    assert 'id="comment-form"' not in html and 'id="amendment-form"' not in html
    closed = _round(community, worker, phase="revision", body=round_.covenant.drafting_body)
    html = _partial(closed, keys(closed.draft)[0][0], member(community))
    assert 'id="comment-form"' not in html


def test_comments_are_paged_with_a_more_link(community, worker, resident):
    round_ = _round(community, worker)
    article = keys(round_.draft)[0][0]
    for n in range(25):
        comment_of(round_, resident, article_key=article, text=f"意见{n}")
    html = _partial(round_, article, resident)
    assert "意见24" in html and "意见4" not in html.replace("意见24", "")
    assert "page=2#comments" in html
    second = _partial(round_, article, resident, page=2)
    assert "意见4" in second and "意见24" not in second


def test_the_article_part_reads_in_a_fixed_number_of_queries(
    community, worker, resident, django_assert_num_queries
):
    round_ = _round(community, worker)
    (article, (p1, p2)), *_ = keys(round_.draft)

    def grow(n):
        for i in range(n):
            comment_of(round_, member(community), article_key=article, paragraph_key=p1)
            amendment = amendment_of(
                round_, member(community), article_key=article, paragraph_key=p2, text=f"改{i}"
            )
            Support.objects.in_community(community).create(amendment=amendment, person=resident)

    grow(2)
    _partial(round_, article, resident)  # warm the viewer's access cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _partial(round_, article, resident, paragraph_key=p1)
    grow(30)
    with django_assert_num_queries(len(few.captured_queries)):
        _partial(round_, article, resident, paragraph_key=p1)


def test_commenting_through_the_form_page(client, community, worker, resident):
    round_ = _round(community, worker)
    (article, (p1, _)), *_ = keys(round_.draft)
    url = reverse("covenants_comment", args=[community.slug, round_.pk, article])
    client = _as(client, resident)
    assert client.get(f"{url}?p={p1}").status_code == 200
    response = client.post(url, {"paragraph": p1, "text": "很好。"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?p={p1}#consult")
    comment = Comment.objects.in_community(community).get()
    assert (comment.article_key, comment.paragraph_key, comment.author) == (article, p1, resident)


def test_a_refused_comment_is_shown_again_with_the_reason(client, community, worker, resident):
    round_ = _round(community, worker, phase="revision")
    article = keys(round_.draft)[0][0]
    url = reverse("covenants_comment", args=[community.slug, round_.pk, article])
    response = _as(client, resident).post(url, {"paragraph": "", "text": "晚了。"})
    assert response.status_code == 400
    assert "consultation" in response.content.decode()
    assert "晚了。" in response.content.decode()
    assert not Comment.objects.in_community(community).exists()


def test_proposing_supporting_and_withdrawing_through_the_pages(client, community, worker):
    round_ = _round(community, worker)
    (article, (p1, _)), *_ = keys(round_.draft)
    author, supporter = member(community), member(community)
    url = reverse("covenants_amendment_new", args=[community.slug, round_.pk, article])
    response = _as(client, author).post(
        url,
        {
            "kind": "replace",
            "paragraph": p1,
            "heading": "",
            "text": "遛狗须牵绳，随时清理粪便。",
            "reason": "随时比及时清楚。",
        },
    )
    amendment = Amendment.objects.in_community(community).get()
    page_url = reverse("covenants_amendment", args=[community.slug, amendment.pk])
    assert response.status_code == 302 and response["Location"] == page_url
    page = client.get(page_url).content.decode()
    assert "<ins>随</ins>" in page and "<del>及</del>" in page
    assert 'id="support-form"' not in page and 'id="withdraw-form"' in page
    supporter_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    supporter_client.force_login(supporter)
    assert 'id="support-form"' in supporter_client.get(page_url).content.decode()
    step = reverse("covenants_amendment_step", args=[community.slug, amendment.pk, "support"])
    assert supporter_client.post(step).status_code == 302
    amendment.refresh_from_db()
    assert amendment.supporters_count == 1
    # the author's own support is refused with the reason, on the page
    own = client.post(step, follow=True)
    assert "own amendment" in own.content.decode()
    withdraw = reverse("covenants_amendment_step", args=[community.slug, amendment.pk, "withdraw"])
    assert supporter_client.post(withdraw).status_code == 403
    client.post(withdraw)
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.WITHDRAWN


def test_a_bad_amendment_is_shown_again_with_the_reason(client, community, worker, resident):
    round_ = _round(community, worker)
    (article, _), *_ = keys(round_.draft)
    url = reverse("covenants_amendment_new", args=[community.slug, round_.pk, article])
    response = _as(client, resident).post(
        url, {"kind": "replace", "paragraph": "", "text": "新文本", "reason": "理由"}
    )
    assert response.status_code == 400
    assert "Choose the paragraph" in response.content.decode()
    assert not Amendment.objects.in_community(community).exists()


def test_pages_are_404_for_whoever_may_not_read(client, community, other_community, worker):
    round_ = _round(community, worker)
    article = keys(round_.draft)[0][0]
    amendment = amendment_of(round_, member(community), paragraph_key=keys(round_.draft)[0][1][0])
    stranger = member(other_community)
    client = _as(client, stranger)
    assert (
        client.get(reverse("covenants_amendment", args=[community.slug, amendment.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("covenants_comment", args=[community.slug, round_.pk, article])
        ).status_code
        == 404
    )
    # an id from another community is missing here
    assert (
        client.get(
            reverse("covenants_amendment", args=[other_community.slug, amendment.pk])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("covenants_amendment_step", args=[community.slug, amendment.pk, "support"])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("covenants_comment", args=[community.slug, round_.pk, 999])).status_code
        == 404
    )


def test_my_contributions(client, community, worker, resident):
    round_ = _round(community, worker)
    (article, (p1, _)), *_ = keys(round_.draft)
    comment_of(round_, resident, article_key=article, text="我的意见")
    comment_of(round_, member(community), article_key=article, text="别人的意见")
    mine = amendment_of(round_, resident, article_key=article, paragraph_key=p1, text="x")
    theirs = amendment_of(
        round_, member(community), article_key=article, paragraph_key=p1, text="y"
    )
    Support.objects.in_community(community).create(amendment=theirs, person=resident)
    page = (
        _as(client, resident)
        .get(reverse("covenants_my_contributions", args=[community.slug]))
        .content.decode()
    )
    assert "我的意见" in page and "别人的意见" not in page
    assert reverse("covenants_amendment", args=[community.slug, mine.pk]) in page
    assert reverse("covenants_amendment", args=[community.slug, theirs.pk]) in page


def test_the_covenant_page_shows_the_consultation_figures(community, worker, resident):
    round_ = _round(community, worker)
    (article, (p1, _)), *_ = keys(round_.draft)
    comment_of(round_, resident, article_key=article)
    comment_of(round_, resident, article_key=article)
    amendment_of(round_, member(community), article_key=article, paragraph_key=p1, text="x")
    figures = selectors.detail(round_.covenant, resident)
    assert figures["comments"] == 2 and figures["commenters"] == 1
    assert figures["amendments"]["total"] == 1 and figures["amendments"]["proposed"] == 1
    assert figures["consultation_open"] and figures["may_take_part"]


def test_the_author_of_an_amendment_is_told_of_its_decision():
    kind = collect("NOTIFICATION_KINDS")["covenant_amendment"]
    assert set(kind.messages) == {"accepted", "rejected", "to_vote"}


def _api(user):
    from gongzhi.accounts.services import api_token_create

    token = api_token_create(user=user, name="t")[1]
    return Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_answers_a_refusal_with_its_code(community, worker, resident):
    round_ = _round(community, worker, phase="revision")
    article = keys(round_.draft)[0][0]
    url = f"/api/v1/communities/{community.slug}/covenants/rounds/{round_.pk}/comments"
    response = _api(resident).post(
        url, {"article": article, "text": "晚了"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "consultation_closed"
    open_round = _round(community, worker, body=round_.covenant.drafting_body)
    url = f"/api/v1/communities/{community.slug}/covenants/rounds/{open_round.pk}/amendments"
    response = _api(resident).post(
        url,
        {"kind": "delete_article", "article": 999, "reason": "多余"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "article_missing"
    assert "no longer exists" in response.json()["message"]


def test_the_api_hides_a_round_from_outsiders(community, other_community, worker):
    round_ = _round(community, worker)
    amendment = amendment_of(round_, member(community), paragraph_key=keys(round_.draft)[0][1][0])
    stranger = _api(member(other_community))
    base = f"/api/v1/communities/{community.slug}/covenants"
    assert stranger.get(f"{base}/rounds/{round_.pk}/comments").status_code == 404
    assert stranger.get(f"{base}/amendments/{amendment.pk}").status_code == 404
    assert stranger.post(f"{base}/amendments/{amendment.pk}/support").status_code == 404


def test_a_worker_comments_for_a_resident_through_the_api(community, worker, resident):
    round_ = _round(community, worker)
    article = keys(round_.draft)[0][0]
    url = f"/api/v1/communities/{community.slug}/covenants/rounds/{round_.pk}/comments"
    body = {"article": article, "text": "王阿姨的意见", "phone": resident.phone}
    response = _api(worker).post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    comment = Comment.objects.in_community(community).get()
    assert comment.author == resident and comment.written_by == worker
    # a resident cannot
    response = _api(member(community)).post(url, body, content_type="application/json")
    assert response.status_code == 403


def test_on_the_form_page_each_paragraph_is_a_tap_target(client, community, worker, resident):
    round_ = _round(community, worker)
    (article, (p1, p2)), *_ = keys(round_.draft)
    url = reverse("covenants_amendment_new", args=[community.slug, round_.pk, article])
    page = _as(client, resident).get(f"{url}?p={p2}").content.decode()
    assert f'href="?p={p1}#p-{p1}"' in page
    assert f'<option value="{p2}" selected>' in page
    assert 'aria-current="true">犬只须依法登记并接种疫苗。' in page


def test_the_article_page_with_its_consultation_reads_in_a_fixed_number_of_queries(
    client, community, worker, resident
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round_ = _round(community, worker)
    (article, (p1, p2)), *_ = keys(round_.draft)
    url = reverse(
        "covenants_article",
        kwargs={"slug": community.slug, "covenant_id": round_.covenant_id, "key": article},
    )
    client = _as(client, resident)

    def grow(n):
        for i in range(n):
            comment_of(round_, member(community), article_key=article, paragraph_key=p1)
            amendment = amendment_of(
                round_, member(community), article_key=article, paragraph_key=p2, text=f"改{i}"
            )
            Support.objects.in_community(community).create(amendment=amendment, person=resident)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{url}?p={p1}").status_code == 200
        return len(queries.captured_queries)

    grow(2)
    few = count()
    grow(40)
    assert count() == few


def test_the_article_pages_two_forms_have_ids_of_their_own(client, community, worker, resident):
    """The comment and the amendment forms are both on the article page: each label points at
    its own form's field."""
    import re
    from collections import Counter

    round_ = _round(community, worker)
    (article, _paragraphs), *_ = keys(round_.draft)
    url = reverse(
        "covenants_article",
        kwargs={"slug": community.slug, "covenant_id": round_.covenant_id, "key": article},
    )
    page = _as(client, resident).get(url).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    assert 'for="amend_text"' in page and 'id="amend_text"' in page


@pytest.mark.parametrize("phase", ["drafting", "revision"])
def test_an_amendment_after_the_consultation_closed_is_refused_in_the_page_and_the_api(
    client, community, worker, resident, phase
):
    round_ = _round(community, worker, phase=phase)
    (article, (p1, _p2)), *_ = keys(round_.draft)
    fields = {"kind": "replace", "paragraph": p1, "text": "太晚了。", "reason": "理由"}
    page = _as(client, resident).post(
        reverse("covenants_amendment_new", args=[community.slug, round_.pk, article]),
        {**fields, "heading": ""},
    )
    assert page.status_code == 400
    assert "The public consultation on this draft is not open" in page.content.decode()
    response = _api(resident).post(
        f"/api/v1/communities/{community.slug}/covenants/rounds/{round_.pk}/amendments",
        fields,
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "consultation_closed")
    assert "not open" in response.json()["message"]
    assert not Amendment.objects.in_community(community).exists()


def test_an_amendment_to_an_article_that_no_longer_exists_in_the_page_and_the_api(
    client, community, worker, resident
):
    round_ = _round(community, worker)
    (_article, (p1, _p2)), *_ = keys(round_.draft)
    gone = max(key for key, _paragraphs in keys(round_.draft)) + 100
    page = _as(client, resident).post(
        reverse("covenants_amendment_new", args=[community.slug, round_.pk, gone]),
        {"kind": "replace", "paragraph": p1, "heading": "", "text": "新", "reason": "理由"},
        follow=True,
    )
    assert page.redirect_chain[-1][0] == reverse(
        "covenants_detail", args=[community.slug, round_.covenant_id]
    )
    assert "it may no longer exist" in page.content.decode()
    comment = client.post(
        reverse("covenants_comment", args=[community.slug, round_.pk, gone]),
        {"paragraph": "", "text": "意见"},
        follow=True,
    )
    assert "it may no longer exist" in comment.content.decode()
    base = f"/api/v1/communities/{community.slug}/covenants/rounds/{round_.pk}"
    for kind, fields in [
        ("delete_article", {"article": gone}),
        ("insert_paragraph", {"article": gone, "text": "新款"}),
        ("insert_article", {"article": gone, "text": "新条"}),
    ]:
        response = _api(resident).post(
            f"{base}/amendments",
            {"kind": kind, "reason": "理由", **fields},
            content_type="application/json",
        )
        assert (response.status_code, response.json()["code"]) == (400, "article_missing"), kind
        assert "no longer exists" in response.json()["message"]
    assert not Amendment.objects.in_community(community).exists()
    assert not Comment.objects.in_community(community).exists()
