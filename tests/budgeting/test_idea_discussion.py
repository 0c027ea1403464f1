"""An idea's discussion is the deliberation hall's: threaded comments by the budgeting rules
(verified residents, from idea collection until voting closes), the hall's moderators, one
appeal, reactions, paging by thread, the idea's author told of new comments, the API; and the
page's queries do not grow with the discussion."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.budgeting import services
from gongzhi.core.models import Activity, Role
from gongzhi.deliberation import selectors as hall
from gongzhi.deliberation import services as hall_services
from gongzhi.deliberation.models import Comment, FlagReason, ModerationEvent
from gongzhi.deliberation.selectors import THREADS_PER_PAGE
from gongzhi.notifications.models import Notification
from tests.budgeting.helpers import make_process, set_phase
from tests.factories import member


@pytest.fixture(autouse=True)
def _in_english(client):
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def idea(community, worker):
    process = make_process(community, worker, "ideas")
    author = member(community)
    submitted = services.idea_submit(
        actor=author,
        process=process,
        title="装长椅",
        description="广场没有座位",
        estimated_cost=3000,
    )
    submitted.process = process
    return submitted


@pytest.fixture
def council(community):
    """A moderator of the hall without a staff role (no two-factor login needed)."""
    return member(community, Role.COUNCIL_MEMBER)


def idea_url(idea) -> str:
    return reverse("budget_idea", args=[idea.community.slug, idea.process_id, idea.pk])


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_residents_discuss_an_idea_in_threads_and_its_author_hears(client, community, idea):
    neighbour, other = member(community), member(community)
    client.force_login(neighbour)
    comments = f"{idea_url(idea)}comments/"
    response = client.post(comments, {"body": "长椅最好有靠背"})
    comment = Comment.objects.in_community(community).get()
    assert response.status_code == 302
    assert response["Location"] == f"{idea_url(idea)}#comment-{comment.pk}"
    assert (comment.subject, comment.author, comment.parent) == (idea, neighbour, None)
    client.force_login(other)
    client.post(comments, {"body": "同意", "parent": comment.pk})
    reply = Comment.objects.in_community(community).get(parent=comment)
    assert reply.author == other and reply.subject == idea

    html = page(client, neighbour, idea_url(idea))
    assert f'id="comment-{comment.pk}"' in html and f'id="comment-{reply.pk}"' in html
    assert f'action="{comments}{comment.pk}/react/"' in html  # the hall's reactions
    assert f'action="{comments}"' in html  # the comment form and the reply forms
    told = Notification.objects.filter(user=idea.author, kind="budget_idea_comment")
    assert told.count() == 2 and "装长椅" in told.first().title
    assert not Notification.objects.filter(user=neighbour, kind="budget_idea_comment").exists()
    verbs = Activity.objects.in_community(community).filter(verb="budget.commented")
    assert verbs.count() == 2 and verbs.first().data == {"idea": idea.pk}
    # The process page counts them.
    listing = page(
        client, neighbour, reverse("budget_detail", args=[community.slug, idea.process_id])
    )
    assert "2 comments" in listing


@pytest.mark.django_db
def test_who_may_comment_follows_the_budgeting_process(
    client, community, other_community, idea, unverified
):
    resident = member(community)
    hall_services.comment_add(actor=resident, subject=idea, body="在收集意见时可以评论")
    for stranger in (unverified, member(other_community)):
        with pytest.raises(PermissionDenied):
            hall_services.comment_add(actor=stranger, subject=idea, body="不行")
    for phase, allowed in (("review", True), ("voting", True), ("results", False)):
        set_phase(idea.process, phase)
        html = page(client, resident, idea_url(idea))
        assert ('name="body"' in html) is allowed, phase
        client.post(f"{idea_url(idea)}comments/", {"body": f"{phase}阶段"})
        assert (
            Comment.objects.in_community(community).filter(body=f"{phase}阶段").exists() is allowed
        )
    assert Comment.objects.in_community(community).count() == 3


@pytest.mark.django_db
def test_a_reply_must_answer_a_comment_of_the_same_idea(community, worker, idea):
    other_idea = services.idea_submit(
        actor=member(community),
        process=idea.process,
        title="修路灯",
        description="暗",
        estimated_cost=10,
    )
    elsewhere = hall_services.comment_add(actor=member(community), subject=other_idea, body="a")
    with pytest.raises(Exception) as caught:
        hall_services.comment_add(actor=member(community), subject=idea, body="b", parent=elsewhere)
    assert getattr(caught.value, "code", None) == "parent_invalid"


@pytest.mark.django_db
def test_the_hall_moderates_idea_comments_flag_hide_appeal_decide(client, community, idea, council):
    writer, flagger = member(community), member(community)
    comment = hall_services.comment_add(actor=writer, subject=idea, body="写提案的人是骗子！")
    base = f"{idea_url(idea)}comments/{comment.pk}/"

    # A neighbour flags it on the idea page; the moderators hear, and the queue links the idea.
    assert f'action="{base}flag/"' in page(client, flagger, idea_url(idea))
    client.post(f"{base}flag/", {"reason": FlagReason.ABUSE, "note": ""})
    assert Notification.objects.filter(user=council, kind="moderation_queue").count() == 1
    queue = page(client, council, reverse("moderation_queue", args=[community.slug]))
    assert f'href="{idea_url(idea)}#comment-{comment.pk}">装长椅</a>' in queue
    assert f'action="{base}hide/"' in queue

    # A moderator hides it from the queue; others read the reason, its author the text.
    client.post(f"{base}hide/", {"reason": "人身攻击", "back": "queue"})
    comment.refresh_from_db()
    assert comment.hidden_reason == "人身攻击" and comment.hidden_by == council
    assert "骗子" not in page(client, flagger, idea_url(idea))
    own = page(client, writer, idea_url(idea))
    assert "骗子" in own and "人身攻击" in own and f'action="{base}appeal/"' in own
    told = Notification.objects.get(user=writer, kind="moderation_decision")
    assert told.url == f"{idea_url(idea)}#comment-{comment.pk}"

    # One appeal; a moderator decides it in the hall's queue and the comment is back.
    client.force_login(writer)
    client.post(f"{base}appeal/", {"text": "我只是着急"})
    client.post(f"{base}appeal/", {"text": "再来一次"})
    [entry] = list(hall.moderation_queue(community=community))
    assert entry.subject == idea and entry.comment == comment and entry.appeal is not None
    client.force_login(council)
    client.post(
        reverse("appeal_decide", args=[community.slug, entry.appeal.pk]),
        {"restore": "1", "reason": "已道歉"},
    )
    comment.refresh_from_db()
    assert comment.hidden_at is None
    steps = ModerationEvent.objects.in_community(community).filter(comment=comment)
    assert [e.step for e in steps] == ["flagged", "hidden", "appealed", "restored"]
    assert all(e.proposal_id is None for e in steps)
    assert "骗子" in page(client, flagger, idea_url(idea))


@pytest.mark.django_db
def test_only_the_halls_moderators_hide_idea_comments(client, community, idea, worker):
    comment = hall_services.comment_add(actor=member(community), subject=idea, body="评论")
    mediator = member(community, Role.MEDIATOR)
    client.force_login(mediator)
    client.post(f"{idea_url(idea)}comments/{comment.pk}/hide/", {"reason": "不喜欢"})
    comment.refresh_from_db()
    assert comment.hidden_at is None
    with pytest.raises(PermissionDenied):
        hall_services.item_hide(actor=mediator, item=comment, reason="不喜欢")
    hall_services.item_hide(actor=worker, item=comment, reason="广告")  # a community worker may


@pytest.mark.django_db
def test_reactions_on_an_idea_comment(client, community, idea):
    comment = hall_services.comment_add(actor=member(community), subject=idea, body="好主意")
    fan = member(community)
    client.force_login(fan)
    client.post(f"{idea_url(idea)}comments/{comment.pk}/react/", {"kind": "agree"})
    counts = hall.reaction_counts(comment=comment, viewer=fan)
    assert counts["counts"]["agree"] == 1 and counts["mine"] == ["agree"]


@pytest.mark.django_db
def test_a_long_discussion_pages_by_thread(client, community, idea):
    people = [member(community) for _ in range(4)]
    for i in range(THREADS_PER_PAGE + 1):
        top = hall_services.comment_add(actor=people[i % 4], subject=idea, body=f"第{i}条")
    client.force_login(people[1])
    response = client.post(f"{idea_url(idea)}comments/", {"body": "回复", "parent": top.pk})
    reply = Comment.objects.in_community(community).get(parent=top)
    assert response["Location"] == f"{idea_url(idea)}?page=2#comment-{reply.pk}"
    first = page(client, people[0], idea_url(idea))
    assert first.count('class="card comment"') == THREADS_PER_PAGE
    second = page(client, people[0], f"{idea_url(idea)}?page=2")
    assert f'id="comment-{reply.pk}"' in second and second.count('class="card comment"') == 1


@pytest.mark.django_db
def test_the_idea_page_queries_do_not_grow_with_the_discussion(
    client, community, idea, django_assert_max_num_queries
):
    people = [member(community) for _ in range(4)]
    client.force_login(people[0])

    def discuss(n: int) -> None:
        for i in range(n):
            top = hall_services.comment_add(actor=people[i % 4], subject=idea, body=f"评论{i}")
            hall_services.comment_add(
                actor=people[(i + 1) % 4], subject=idea, body="回", parent=top
            )
            hall_services.reaction_toggle(actor=people[2], comment=top, kind="thanks")

    discuss(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(idea_url(idea))
    discuss(10)
    with django_assert_max_num_queries(len(few)):
        html = client.get(idea_url(idea)).content.decode()
    assert html.count('class="reaction-count"') == 24 * 3


@pytest.mark.django_db
def test_the_api_discusses_and_moderates_an_idea(client, community, idea, council):
    def call(user, method, path, body=None):
        _t, token = api_token_create(user=user, name="t")
        return getattr(client, method)(
            f"/api/v1/communities/{community.slug}{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    base = f"/budgets/{idea.process_id}/ideas/{idea.pk}/comments"
    writer, neighbour = member(community), member(community)
    created = call(writer, "post", base, {"body": "需要无障碍通道"})
    assert created.status_code == 201
    comment_id = created.json()["id"]
    reply = call(neighbour, "post", base, {"body": "赞成", "parent": comment_id})
    assert reply.status_code == 201 and reply.json()["parent_id"] == comment_id
    empty = call(neighbour, "post", base, {"body": "  "})
    assert (empty.status_code, empty.json()["code"]) == (400, "comment_empty")
    listed = client.get(f"/api/v1/communities/{community.slug}{base}").json()
    assert [c["body"] for c in listed["items"]] == ["需要无障碍通道", "赞成"]

    one = f"{base}/{comment_id}"
    reacted = call(neighbour, "post", f"{one}/reactions", {"kind": "agree"})
    assert reacted.json()["counts"]["agree"] == 1
    assert call(neighbour, "post", f"{one}/flags", {"reason": "spam"}).status_code == 201
    queue = call(council, "get", "/moderation/queue").json()
    [entry] = queue["items"]
    assert (entry["subject"], entry["subject_id"], entry["proposal_id"]) == ("idea", idea.pk, None)
    assert entry["url"] == f"{idea_url(idea)}#comment-{comment_id}" and entry["title"] == "装长椅"
    assert call(neighbour, "post", f"{one}/hide", {"reason": "x"}).status_code == 403
    hidden = call(council, "post", f"{one}/hide", {"reason": "广告"}).json()
    assert (hidden["kind"], hidden["proposal_id"], hidden["hidden"]) == ("comment", None, True)
    masked = client.get(f"/api/v1/communities/{community.slug}{base}").json()["items"][0]
    assert (masked["body"], masked["hidden_reason"]) == ("", "广告")
    appeal = call(writer, "post", f"{one}/appeal", {"text": "不是广告"})
    assert appeal.status_code == 201 and appeal.json()["proposal_id"] is None
    again = call(writer, "post", f"{one}/appeal", {"text": "再来"})
    assert (again.status_code, again.json()["code"]) == (400, "already_appealed")
    history = call(writer, "get", f"{one}/moderation").json()
    assert [e["step"] for e in history] == ["hidden", "appealed"]

    set_phase(idea.process, "results")
    closed = call(neighbour, "post", base, {"body": "晚了"})
    assert closed.status_code == 403
    missing = call(
        neighbour,
        "post",
        f"/budgets/{idea.process_id}/ideas/{idea.pk + 99}/comments",
        {"body": "x"},
    )
    assert missing.status_code == 404


@pytest.mark.django_db
def test_an_idea_takes_its_discussion_with_it(community, idea, council):
    comment = hall_services.comment_add(actor=member(community), subject=idea, body="评论")
    hall_services.flag_add(actor=council, item=comment, reason=FlagReason.SPAM)
    idea.delete()
    assert not Comment.objects.in_community(community).exists()
    assert not hall.moderation_queue(community=community)
