"""The deliberation hall: proposals, supports up to the threshold, answers with reasons."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Role
from gongzhi.deliberation import services
from gongzhi.deliberation.models import (
    DeliberationSettings,
    Proposal,
    ProposalEvent,
    Status,
    Support,
)
from gongzhi.notifications.models import Notification
from tests.factories import CommunityFactory, member


@pytest.fixture
def small_threshold(community):
    DeliberationSettings.objects.in_community(community).create(
        threshold_percent=1, threshold_minimum=3
    )


@pytest.fixture
def proposal(community, resident, small_threshold):
    return services.proposal_create(
        actor=resident, community=community, title="在3号楼装电梯", body="老人上下楼太难了。"
    )


@pytest.mark.django_db
def test_publishing_fixes_the_threshold_and_starts_the_timeline(proposal):
    assert proposal.status == Status.GATHERING
    assert proposal.support_threshold == 3
    assert list(proposal.events.values_list("to_status", flat=True)) == [Status.GATHERING]


@pytest.mark.django_db
def test_threshold_is_a_share_of_verified_residents(community, resident):
    DeliberationSettings.objects.in_community(community).create(
        threshold_percent=10, threshold_minimum=1
    )
    for _ in range(29):
        member(community)
    member(community, verified=False)
    assert (
        services.support_threshold(community) == 3
    )  # 10% of 30 verified, the unverified not counted


@pytest.mark.django_db
def test_support_until_threshold_notifies_council_and_workers(community, proposal, worker):
    council = member(community, Role.COUNCIL_MEMBER)
    for _ in range(3):
        proposal = services.proposal_support(actor=member(community), proposal=proposal)
    assert proposal.support_count == 3
    assert proposal.status == Status.THRESHOLD_REACHED
    notified = set(
        Notification.objects.filter(kind="proposal_threshold").values_list("user", flat=True)
    )
    assert {council.pk, worker.pk} <= notified
    assert proposal.events.last().actor is None  # reached by residents, not decided by anyone


@pytest.mark.django_db
def test_one_support_per_person(community, proposal):
    supporter = member(community)
    services.proposal_support(actor=supporter, proposal=proposal)
    with pytest.raises(ValidationError) as caught:
        services.proposal_support(actor=supporter, proposal=proposal)
    assert caught.value.code == "already_supported"
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.in_community(community).count()


@pytest.mark.django_db
def test_unverified_and_outsiders_cannot_support(community, proposal, other_community):
    for person in (member(community, verified=False), member(other_community)):
        with pytest.raises(PermissionDenied):
            services.proposal_support(actor=person, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.support_count == 0


@pytest.mark.django_db
def test_support_can_be_withdrawn_while_open(community, proposal):
    supporter = member(community)
    services.proposal_support(actor=supporter, proposal=proposal)
    proposal = services.proposal_unsupport(actor=supporter, proposal=proposal)
    assert proposal.support_count == 0
    verbs = list(
        Activity.objects.in_community(community)
        .filter(actor=supporter)
        .values_list("verb", flat=True)
    )
    assert verbs == ["proposal.supported", "proposal.unsupported"]


@pytest.mark.django_db
def test_answers_record_who_when_and_why(community, proposal, worker):
    with pytest.raises(ValidationError):
        services.proposal_transition(actor=worker, proposal=proposal, to=Status.REJECTED, reason="")
    proposal = services.proposal_transition(
        actor=worker, proposal=proposal, to=Status.REJECTED, reason="楼体结构不允许加装。"
    )
    event = ProposalEvent.objects.in_community(community).filter(proposal=proposal).last()
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        worker,
        Status.GATHERING,
        Status.REJECTED,
        "楼体结构不允许加装。",
    )
    with pytest.raises(ValidationError):  # a rejected proposal cannot be implemented
        services.proposal_transition(actor=worker, proposal=proposal, to=Status.IMPLEMENTED)


@pytest.mark.django_db
def test_residents_cannot_answer(community, proposal, resident):
    with pytest.raises(PermissionDenied):
        services.proposal_transition(actor=member(community), proposal=proposal, to=Status.ACCEPTED)


@pytest.mark.django_db
def test_edits_keep_the_earlier_text(proposal, resident):
    services.proposal_edit(
        actor=resident, proposal=proposal, title="在3号楼加装电梯", body="新的说明"
    )
    revision = proposal.revisions.get()
    assert (revision.title, revision.body) == ("在3号楼装电梯", "老人上下楼太难了。")


@pytest.mark.django_db
def test_bad_input_changes_nothing(community, resident, small_threshold):
    for title, body in [("", "x"), ("x" * 121, "x"), ("ok", "  ")]:
        with pytest.raises(ValidationError):
            services.proposal_create(actor=resident, community=community, title=title, body=body)
    assert not Proposal.objects.in_community(community).exists()


@pytest.mark.django_db
def test_comment_threads_stay_one_level_deep(community, proposal, resident):
    neighbour = member(community)
    top = services.comment_add(actor=neighbour, subject=proposal, body="支持！")
    reply = services.comment_add(actor=resident, subject=proposal, body="谢谢", parent=top)
    reply_to_reply = services.comment_add(
        actor=neighbour, subject=proposal, body="不客气", parent=reply
    )
    assert reply.parent == top and reply_to_reply.parent == top
    assert Notification.objects.filter(
        user=resident, kind="proposal_comment"
    ).exists()  # author follows


@pytest.mark.django_db
def test_a_long_discussion_is_paged_by_thread_and_a_reply_lands_on_its_threads_page(
    client, community, proposal
):
    from gongzhi.deliberation.selectors import THREADS_PER_PAGE

    people = [member(community) for _ in range(8)]
    tops = [
        services.comment_add(actor=people[i % 8], subject=proposal, body=f"第{i}条")
        for i in range(THREADS_PER_PAGE + 5)
    ]
    url = reverse("proposal_detail", args=[community.slug, proposal.pk])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert f'id="comment-{tops[0].pk}"' in first and f'id="comment-{tops[-1].pk}"' not in first
    assert f'id="comment-{tops[-1].pk}"' in second and f'id="comment-{tops[0].pk}"' not in second
    assert "page=2" in first  # the link to the next page
    client.force_login(people[1])
    response = client.post(
        reverse("comment_add", args=[community.slug, proposal.pk]),
        {"body": "回复最后一条", "parent": tops[-1].pk},
    )
    reply = proposal.comments.order_by("-pk").first()
    assert reply.parent_id == tops[-1].pk
    assert response.url == f"{url}?page=2#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"' in client.get(url, {"page": 2}).content.decode()


PHASES = ["draft", "gathering", "rejected"]
ROLES = [
    "anonymous",
    "outsider",
    "unverified",
    "resident",
    "author",
    "council_member",
    "community_worker",
]
# (role, phase) → (can view, can support, can answer)
EXPECTED = {
    ("anonymous", "draft"): (False, False, False),
    ("outsider", "draft"): (False, False, False),
    ("unverified", "draft"): (False, False, False),
    ("resident", "draft"): (False, False, False),
    ("author", "draft"): (True, False, False),
    ("council_member", "draft"): (False, False, False),
    ("community_worker", "draft"): (True, False, False),
}
for role in ROLES:
    verified = role in {"resident", "author", "council_member", "community_worker"}
    can_answer = role in {"council_member", "community_worker"}
    EXPECTED[(role, "gathering")] = (True, verified, can_answer)
    EXPECTED[(role, "rejected")] = (True, False, can_answer)


@pytest.mark.parametrize(("role", "phase"), list(EXPECTED))
@pytest.mark.django_db
def test_permission_matrix(role, phase):
    community, elsewhere = CommunityFactory(), CommunityFactory()
    DeliberationSettings.objects.in_community(community).create(
        threshold_percent=1, threshold_minimum=5
    )
    author = member(community)
    proposal = services.proposal_create(
        actor=author, community=community, title="t", body="b", publish=phase != "draft"
    )
    if phase == "rejected":
        services.proposal_transition(
            actor=member(community, Role.COMMUNITY_WORKER),
            proposal=proposal,
            to=Status.REJECTED,
            reason="r",
        )
    user = {
        "anonymous": lambda: AnonymousUser(),
        "outsider": lambda: member(elsewhere),
        "unverified": lambda: member(community, verified=False),
        "resident": lambda: member(community),
        "author": lambda: author,
        "council_member": lambda: member(community, Role.COUNCIL_MEMBER),
        "community_worker": lambda: member(community, Role.COMMUNITY_WORKER),
    }[role]()
    proposal.refresh_from_db()
    got = tuple(
        rules.has_perm(f"deliberation.{perm}", user, proposal)
        for perm in ("view_proposal", "support_proposal", "answer_proposal")
    )
    assert got == EXPECTED[(role, phase)]


@pytest.mark.django_db
def test_draft_is_404_for_others_on_the_page(client, community, resident, small_threshold):
    draft = services.proposal_create(
        actor=resident, community=community, title="t", body="b", publish=False
    )
    client.force_login(member(community))
    url = reverse("proposal_detail", args=[community.slug, draft.pk])
    assert client.get(url).status_code == 404
    client.force_login(resident)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_pages_render_and_support_through_the_form(client, community, proposal):
    supporter = member(community)
    client.force_login(supporter)
    assert client.get(reverse("proposal_list", args=[community.slug])).status_code == 200
    client.post(reverse("proposal_support", args=[community.slug, proposal.pk]))
    page = client.get(
        reverse("proposal_detail", args=[community.slug, proposal.pk])
    ).content.decode()
    assert 'id="support-count">1<' in page


@pytest.mark.django_db
def test_create_through_the_form(client, community, resident, small_threshold):
    client.force_login(resident)
    response = client.post(
        reverse("proposal_create", args=[community.slug]),
        {"title": "修好路灯", "body": "5号楼前的路灯坏了", "scope": "community", "publish": "on"},
    )
    assert response.status_code == 302
    assert Proposal.objects.in_community(community).get().status == Status.GATHERING


@pytest.mark.django_db
def test_proposal_list_query_count(
    client, community, resident, small_threshold, django_assert_max_num_queries
):
    authors = [resident] + [member(community) for _ in range(5)]  # five a day each, at most
    for i in range(30):
        services.proposal_create(
            actor=authors[i % 6], community=community, title=f"提案{i}", body="b"
        )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("proposal_list", args=[community.slug]))
    assert response.content.decode().count('class="card-title"') == 20


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_supports_by_one_person_count_once(live_server, community):
    DeliberationSettings.objects.in_community(community).create(
        threshold_percent=1, threshold_minimum=3
    )
    author, supporter = member(community), member(community)
    proposal = services.proposal_create(actor=author, community=community, title="t", body="b")
    _token, raw = api_token_create(user=supporter, name="t")
    url = f"{live_server.url}/api/v1/communities/{community.slug}/proposals/{proposal.pk}/support"
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def support():
        request = urllib.request.Request(
            url, data=b"", method="POST", headers={"Authorization": f"Bearer {raw}"}
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=support) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [400] * 7
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.in_community(community).count()


@pytest.mark.django_db
def test_api_create_and_answer(client, community, resident, worker, small_threshold):
    _t, resident_token = api_token_create(user=resident, name="t")
    response = client.post(
        f"/api/v1/communities/{community.slug}/proposals",
        data=json.dumps({"title": "加装充电桩", "body": "电动车在楼道充电很危险"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {resident_token}",
    )
    assert response.status_code == 201
    proposal_id = response.json()["id"]
    _t, worker_token = api_token_create(user=worker, name="t")
    answer = client.post(
        f"/api/v1/communities/{community.slug}/proposals/{proposal_id}/answer",
        data=json.dumps({"to": "accepted", "reason": "下月安装"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {worker_token}",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    denied = client.post(
        f"/api/v1/communities/{community.slug}/proposals/{proposal_id}/answer",
        data=json.dumps({"to": "implemented"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {resident_token}",
    )
    assert denied.status_code == 403
