"""Conversation pages: opening one through the form, voting one statement at a time, adding and
moderating statements, the map (SVG with a text legend and "you are here"), the report, the
exports and the import; who may see which page; query counts that do not grow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import Role
from gongzhi.opinions import selectors, services
from gongzhi.opinions.models import (
    Conversation,
    Moderation,
    Statement,
    StatementStatus,
    StatementVote,
)
from tests.factories import member
from tests.opinions.test_conversations import cast_many, open_conversation, statement, two_camps


@pytest.fixture(autouse=True)
def _in_english(client):
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def conversation(community, worker):
    return open_conversation(community, worker)


def url(name, conversation, *args):
    return reverse(name, args=[conversation.community.slug, conversation.pk, *args])


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.django_db
def test_the_community_home_links_to_conversations(client, community):
    page = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert reverse("conversation_list", args=[community.slug]) in page


@pytest.mark.django_db
def test_a_worker_opens_a_conversation_through_the_form(client, community, worker):
    client.force_login(worker)
    now = timezone.localtime()
    response = client.post(
        reverse("conversation_create", args=[community.slug]),
        {
            "question": "广场怎么用？",
            "description": "议事会下月讨论。",
            "seed_statements": "多种树\n\n装长椅\n",
            "moderation": "after",
            "visitors_allowed": "on",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    conversation = Conversation.objects.in_community(community).get()
    assert response.url == url("conversation_detail", conversation)
    assert conversation.moderation == Moderation.AFTER and conversation.visitors_allowed
    assert list(conversation.statements.values_list("text", flat=True)) == ["多种树", "装长椅"]
    listing = client.get(reverse("conversation_list", args=[community.slug])).content.decode()
    assert "广场怎么用？" in listing and "open to residents who are not verified" in listing


@pytest.mark.django_db
def test_a_bad_form_shows_the_error_and_saves_nothing(client, community, worker):
    client.force_login(worker)
    now = timezone.localtime()
    response = client.post(
        reverse("conversation_create", args=[community.slug]),
        {
            "question": "广场怎么用？",
            "moderation": "before",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "A conversation must close after it opens." in response.content.decode()
    assert not Conversation.objects.in_community(community).exists()


@pytest.mark.django_db
def test_staff_pages_are_not_found_for_residents(client, community, conversation, resident):
    client.force_login(resident)
    for address in (
        reverse("conversation_create", args=[community.slug]),
        reverse("conversation_import", args=[community.slug]),
        url("opinion_moderation", conversation),
        url("opinion_export", conversation, "votes.csv"),
    ):
        assert client.get(address).status_code == 404, address


@pytest.mark.django_db
def test_a_resident_votes_one_statement_at_a_time(client, conversation, resident):
    client.force_login(resident)
    page = client.get(url("opinion_vote", conversation))
    first = page.context["statement"]
    assert first is not None and "You have voted on 0 of 4 statements." in page.content.decode()
    response = client.post(
        url("opinion_vote", conversation), {"statement": first.number, "vote": "agree"}
    )
    assert response.url == url("opinion_vote", conversation)
    page = client.get(url("opinion_vote", conversation))
    assert page.context["statement"].number != first.number
    assert "You have voted on 1 of 4 statements." in page.content.decode()
    # Changing the vote from "your votes" overwrites it.
    client.post(url("opinion_vote", conversation), {"statement": first.number, "vote": "pass"})
    votes = StatementVote.objects.in_community(conversation.community_id)
    assert list(votes.values_list("statement__number", "value")) == [(first.number, 0)]
    for _ in range(3):
        nxt = client.get(url("opinion_vote", conversation)).context["statement"]
        client.post(
            url("opinion_vote", conversation), {"statement": nxt.number, "vote": "disagree"}
        )
    done = client.get(url("opinion_vote", conversation)).content.decode()
    assert 'id="all-done"' in done and votes.count() == 4


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"statement": 999, "vote": "agree"}, "This statement is not in this conversation."),
        ({"statement": 0, "vote": "maybe"}, "Vote agree, disagree or pass."),
        ({"vote": "agree"}, "Vote agree, disagree or pass."),
    ],
)
@pytest.mark.django_db
def test_bad_votes_show_a_message_and_save_nothing(client, conversation, resident, form, message):
    client.force_login(resident)
    response = client.post(url("opinion_vote", conversation), form, follow=True)
    assert message in messages_of(response)
    assert not StatementVote.objects.in_community(conversation.community_id).exists()


@pytest.mark.django_db
def test_an_unverified_resident_is_told_why_not(client, community, conversation):
    client.force_login(member(community, verified=False))
    page = client.get(url("opinion_vote", conversation)).content.decode()
    assert "Only verified residents take part in this conversation." in page
    assert 'name="vote"' not in page
    response = client.post(
        url("opinion_vote", conversation), {"statement": 0, "vote": "agree"}, follow=True
    )
    assert "Only verified residents take part" in messages_of(response)
    assert not StatementVote.objects.in_community(community).exists()


@pytest.mark.django_db
def test_adding_a_statement_through_the_form(client, conversation, resident):
    client.force_login(resident)
    response = client.post(
        url("statement_add", conversation),
        {"text": "广场边上装饮水机", "next": "vote"},
        follow=True,
    )
    assert "It is shown once a moderator has accepted it." in messages_of(response)
    assert response.redirect_chain[-1][0] == url("opinion_vote", conversation)
    detail = client.get(url("conversation_detail", conversation)).content.decode()
    assert "广场边上装饮水机" in detail and 'data-status="pending"' in detail
    # Others do not see it before a moderator accepts it.
    client.force_login(member(conversation.community))
    assert "广场边上装饮水机" not in client.get(url("opinion_vote", conversation)).content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Write a statement first."), ("长" * 201, "at most 200 characters; this one has 201")],
)
@pytest.mark.django_db
def test_a_bad_statement_shows_why(client, conversation, resident, text, message):
    client.force_login(resident)
    response = client.post(url("statement_add", conversation), {"text": text}, follow=True)
    assert message in messages_of(response)
    assert Statement.objects.in_community(conversation.community_id).count() == 4


@pytest.mark.django_db
def test_a_council_member_moderates_through_the_queue(client, community, conversation, resident):
    added = services.statement_add(
        actor=resident, conversation=conversation, text="要求物业公开账目"
    )
    out = services.statement_add(actor=resident, conversation=conversation, text="广告：卖房")
    council = member(community, Role.COUNCIL_MEMBER)
    client.force_login(council)
    queue = client.get(url("opinion_moderation", conversation)).content.decode()
    assert "要求物业公开账目" in queue and "广告：卖房" in queue
    assert resident.display_name not in queue  # statements are anonymous, even here
    client.post(url("statement_moderate", conversation, added.number), {"decision": "accept"})
    response = client.post(
        url("statement_moderate", conversation, out.number), {"decision": "reject"}, follow=True
    )
    assert "Say why the statement is taken out" in messages_of(response)
    client.post(
        url("statement_moderate", conversation, out.number),
        {"decision": "reject", "reason": "广告"},
    )
    statuses = dict(
        Statement.objects.in_community(community)
        .filter(pk__in=[added.pk, out.pk])
        .values_list("pk", "status")
    )
    assert statuses == {added.pk: StatementStatus.ACCEPTED, out.pk: StatementStatus.REJECTED}
    client.force_login(resident)
    detail = client.get(url("conversation_detail", conversation)).content.decode()
    assert "Reason: 广告" in detail


@pytest.mark.django_db
def test_the_map_page_draws_groups_you_and_no_names(client, community, conversation):
    cast_many(conversation, two_camps())
    me = member(community, display_name="李小明")
    for number in range(4):
        services.vote_cast(actor=me, statement=statement(conversation, number), value=1)
    services.map_update(community_id=community.pk, conversation_id=conversation.pk)
    client.force_login(me)
    page = client.get(url("opinion_results", conversation)).content.decode()
    assert '<svg viewBox="0 0 600 400"' in page and 'role="img"' in page
    assert page.count("<circle cx=") >= 41
    assert 'id="you-are-here"' in page and "you are here" in page
    assert "You are in group" in page and "your group" in page
    assert re.search(r"Group A: \d+ participants", page) and re.search(r"Group B: \d+", page)
    assert "What sets group A apart" in page and "Where the groups agree" in page
    assert 'id="participation"' in page
    assert "李小明" not in page.split("</header>", 1)[1]
    client.logout()
    anonymous = client.get(url("opinion_results", conversation)).content.decode()
    assert 'id="you-are-here"' not in anonymous and "Group A" in anonymous


@pytest.mark.django_db
def test_the_map_page_before_any_vote(client, conversation):
    page = client.get(url("opinion_results", conversation)).content.decode()
    assert 'id="no-map"' in page


@pytest.mark.django_db
def test_visitors_are_marked_in_the_results(client, community, worker):
    conversation = open_conversation(community, worker, visitors_allowed=True)
    visitor = member(community, verified=False)
    services.vote_cast(actor=visitor, statement=statement(conversation, 0), value=1)
    page = client.get(url("opinion_results", conversation)).content.decode()
    assert "Open to residents who are not verified." in page
    assert "1 participant took part without being a verified resident" in page


@pytest.mark.django_db
def test_the_printable_report_explains_the_method(client, community, conversation):
    cast_many(conversation, two_camps())
    services.map_update(community_id=community.pk, conversation_id=conversation.pk)
    page = client.get(url("opinion_report", conversation)).content.decode()
    assert "Report to the council" in page and 'id="method"' in page
    assert "principal component analysis" in page and "silhouette" in page
    assert "Only verified residents of the community could take part." in page


@pytest.mark.django_db
def test_staff_download_the_export_and_import_it(client, community, worker, conversation):
    cast_many(conversation, two_camps(size=5))
    services.map_update(community_id=community.pk, conversation_id=conversation.pk)
    client.force_login(worker)
    files = {}
    for name in selectors.EXPORT_FILES:
        response = client.get(url("opinion_export", conversation, name))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert name in response["Content-Disposition"]
        files[name] = response.content
    assert client.get(url("opinion_export", conversation, "secrets.csv")).status_code == 404
    response = client.post(
        reverse("conversation_import", args=[community.slug]),
        {
            "question": "导入的讨论",
            "comments": SimpleUploadedFile("comments.csv", files["comments.csv"]),
            "votes": SimpleUploadedFile("votes.csv", files["votes.csv"]),
        },
    )
    copy = Conversation.objects.in_community(community).get(question="导入的讨论")
    assert response.url == url("conversation_detail", copy)
    assert StatementVote.objects.in_community(community).filter(conversation=copy).count() == 40


@pytest.mark.django_db
def test_an_import_without_votes_is_refused(client, community, worker):
    client.force_login(worker)
    response = client.post(
        reverse("conversation_import", args=[community.slug]),
        {"question": "q", "comments": SimpleUploadedFile("comments.csv", b"comment-id\n")},
    )
    assert response.status_code == 400
    assert "Add votes.csv or participants-votes.csv." in response.content.decode()
    assert not Conversation.objects.in_community(community).exists()


def _grow(conversation, people: int, start: int = 0):
    community = conversation.community
    for i in range(start, start + people):
        user = member(community)
        services.statement_add(actor=user, conversation=conversation, text=f"观点{i}")
        services.vote_cast(actor=user, statement=statement(conversation, 0), value=1)


@pytest.mark.django_db
def test_conversation_pages_do_not_query_more_as_they_grow(
    client, community, conversation, django_assert_num_queries
):
    viewer = member(community)
    services.vote_cast(actor=viewer, statement=statement(conversation, 1), value=-1)
    client.force_login(viewer)
    pages = [
        url("conversation_detail", conversation),
        url("opinion_vote", conversation),
        url("opinion_results", conversation),
        reverse("conversation_list", args=[community.slug]),
    ]
    _grow(conversation, 2)
    services.map_update(community_id=community.pk, conversation_id=conversation.pk)
    counted = {}
    for address in pages:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        counted[address] = len(queries)
    assert counted[url("conversation_detail", conversation)] <= 12, counted
    _grow(conversation, 12, start=2)
    services.map_update(community_id=community.pk, conversation_id=conversation.pk)
    for address in pages:
        with django_assert_num_queries(counted[address]):
            assert client.get(address).status_code == 200
