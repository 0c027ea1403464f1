"""Moderation (R1.1): flag → hide with a reason → the author reads it → one appeal → decision."""

from __future__ import annotations

import json

import pytest
import rules
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Role
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import (
    Appeal,
    AppealDecision,
    Comment,
    DeliberationSettings,
    Flag,
    FlagReason,
    FlagResolution,
    ModerationEvent,
    ModerationStep,
    Proposal,
)
from gongzhi.notifications.models import Notification
from tests.conftest import TOTP_SECRET
from tests.factories import CommunityFactory, UserFactory, member, official_of


def verbs(community) -> list[str]:
    return list(
        Activity.objects.in_community(community)
        .filter(verb__startswith="moderation.")
        .order_by("pk")  # in order of writing: pending entries have no seq yet
        .values_list("verb", flat=True)
    )


def notes(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind).order_by("pk"))


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_whole_cycle_on_a_comment(
    client, community, proposal, comment, writer, worker, council
):
    neighbour, another = member(community), member(community)
    detail = reverse("proposal_detail", args=[community.slug, proposal.pk])

    # Flags: the moderators hear of the item once, at its first flag.
    services.flag_add(actor=neighbour, item=comment, reason=FlagReason.ABUSE)
    services.flag_add(actor=another, item=comment, reason=FlagReason.OTHER, note="人身攻击")
    assert len(notes(worker, "moderation_queue")) == len(notes(council, "moderation_queue")) == 1
    [entry] = list(selectors.moderation_queue(community=community))
    assert (entry.comment, entry.flag_count, entry.notes) == (comment, 2, ["人身攻击"])
    assert {(r.reason, r.count) for r in entry.reasons} == {("abuse", 1), ("other", 1)}

    # Hide, with a reason the author reads on the item and in a notification.
    services.item_hide(actor=worker, item=comment, reason="辱骂邻居，违反议事规则第3条。")
    comment.refresh_from_db()
    assert comment.hidden_by == worker and comment.hidden_reason == "辱骂邻居，违反议事规则第3条。"
    assert set(Flag.objects.in_community(community).values_list("resolution", flat=True)) == {
        FlagResolution.HIDDEN
    }
    [told] = notes(writer, "moderation_decision")
    assert "辱骂邻居，违反议事规则第3条。" in told.body and told.url.endswith(
        f"#comment-{comment.pk}"
    )
    assert not list(selectors.moderation_queue(community=community))

    # Everyone else reads the reason instead of the text; the author reads both.
    seen_by_neighbour = page(client, neighbour, detail)
    assert "楼上的住户都是骗子" not in seen_by_neighbour
    assert "Hidden by the moderators: 辱骂邻居" in seen_by_neighbour
    seen_by_writer = page(client, writer, detail)
    assert "楼上的住户都是骗子" in seen_by_writer and "辱骂邻居" in seen_by_writer
    assert reverse("comment_appeal", args=[community.slug, proposal.pk, comment.pk]) in (
        seen_by_writer
    )

    # One appeal, which the moderators hear of; the database refuses a second.
    appeal = services.appeal_add(actor=writer, item=comment, text="我说的是事实，有证据。")
    assert len(notes(council, "moderation_queue")) == 2
    [entry] = list(selectors.moderation_queue(community=community))
    assert entry.appeal == appeal and entry.flag_count == 0
    with pytest.raises(ValidationError) as caught:
        services.appeal_add(actor=writer, item=comment, text="再申诉一次")
    assert caught.value.code == "already_appealed"
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.in_community(community).create(
            comment=comment, author=writer, text="绕过页面"
        )
    assert "Send the appeal" not in page(client, writer, detail)

    # A decision, with a reason; the author hears it.
    services.appeal_decide(actor=council, appeal=appeal, restore=True, reason="经核实，属实。")
    comment.refresh_from_db()
    appeal.refresh_from_db()
    assert comment.hidden_at is None and comment.hidden_reason == ""
    assert (appeal.decision, appeal.decided_by, appeal.decision_reason) == (
        AppealDecision.RESTORED,
        council,
        "经核实，属实。",
    )
    decision = notes(writer, "moderation_decision")[-1]
    assert "accepted" in decision.rendered("en").title and "经核实，属实。" in decision.body
    assert "楼上的住户都是骗子" in page(client, neighbour, detail)

    # Every step is in the item's history and in the journal.
    steps = list(
        ModerationEvent.objects.in_community(community)
        .filter(comment=comment)
        .values_list("step", "actor")
    )
    assert steps == [
        (ModerationStep.FLAGGED, neighbour.pk),
        (ModerationStep.FLAGGED, another.pk),
        (ModerationStep.HIDDEN, worker.pk),
        (ModerationStep.APPEALED, writer.pk),
        (ModerationStep.RESTORED, council.pk),
    ]
    assert verbs(community) == [
        "moderation.flagged",
        "moderation.flagged",
        "moderation.hidden",
        "moderation.appealed",
        "moderation.appeal_decided",
    ]
    # The author sees the decisions about their words, never who flagged them.
    authors_view = selectors.moderation_history(item=comment, viewer=writer)
    assert [e.step for e in authors_view] == ["hidden", "appealed", "restored"]
    assert len(selectors.moderation_history(item=comment, viewer=council)) == 5
    with pytest.raises(Exception) as caught:
        selectors.moderation_history(item=comment, viewer=neighbour)
    assert caught.typename == "Http404"


@pytest.mark.django_db
def test_keeping_a_proposal_hidden_is_told_too(community, proposal, resident, worker, council):
    services.item_hide(actor=worker, item=proposal, reason="含有他人手机号码。")
    appeal = services.appeal_add(actor=resident, item=proposal, text="我已经删掉了号码。")
    services.appeal_decide(actor=council, appeal=appeal, restore=False, reason="标题里仍有号码。")
    proposal.refresh_from_db()
    assert proposal.hidden_at is not None and proposal.hidden_reason == "含有他人手机号码。"
    [hidden, kept] = notes(resident, "moderation_decision")
    assert "hid your proposal" in hidden.rendered("en").title
    assert "含有他人手机号码。" in hidden.body
    assert "not accepted" in kept.rendered("en").title and "标题里仍有号码。" in kept.body
    with pytest.raises(ValidationError) as caught:
        services.appeal_decide(actor=worker, appeal=appeal, restore=True, reason="再议")
    assert caught.value.code == "already_decided"


@pytest.mark.parametrize("reason", ["", "   \n "])
@pytest.mark.django_db
def test_hiding_without_a_reason_is_refused_and_changes_nothing(
    community, proposal, comment, worker, reason
):
    services.flag_add(actor=member(community), item=comment, reason=FlagReason.SPAM)
    before = Activity.objects.in_community(community).count()
    for item in (proposal, comment):
        with pytest.raises(ValidationError) as caught:
            services.item_hide(actor=worker, item=item, reason=reason)
        assert caught.value.code == "reason_missing"
        item.refresh_from_db()
        assert item.hidden_at is None
    assert Flag.objects.in_community(community).get().resolved_at is None
    assert not ModerationEvent.objects.in_community(community).exclude(step="flagged").exists()
    assert Activity.objects.in_community(community).count() == before
    assert not Notification.objects.filter(kind="moderation_decision").exists()


@pytest.mark.django_db
def test_the_database_itself_refuses_a_hidden_item_without_reason(community, proposal, comment):
    for model, pk in ((Proposal, proposal.pk), (Comment, comment.pk)):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.in_community(community).filter(pk=pk).update(
                hidden_at=timezone.now(), hidden_reason=""
            )


@pytest.mark.django_db
def test_one_flag_per_person_per_item(community, proposal, comment, writer):
    flagger = member(community)
    services.flag_add(actor=flagger, item=comment, reason=FlagReason.SPAM)
    services.flag_add(actor=flagger, item=proposal, reason=FlagReason.OFF_TOPIC)  # another item
    with pytest.raises(ValidationError) as caught:
        services.flag_add(actor=flagger, item=comment, reason=FlagReason.ABUSE)
    assert caught.value.code == "already_flagged"
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.in_community(community).create(
            proposal=proposal, comment=None, flagged_by=flagger, reason=FlagReason.SPAM
        )
    assert Flag.objects.in_community(community).count() == 2


@pytest.mark.django_db
def test_flags_need_a_known_reason_and_details_for_other(community, proposal, resident):
    flagger = member(community)
    for reason, note, code in [("rude", "", "reason_invalid"), ("other", " ", "note_missing")]:
        with pytest.raises(ValidationError) as caught:
            services.flag_add(actor=flagger, item=proposal, reason=reason, note=note)
        assert caught.value.code == code
    with pytest.raises(PermissionDenied):  # one's own proposal
        services.flag_add(actor=resident, item=proposal, reason=FlagReason.SPAM)
    assert not Flag.objects.in_community(community).exists()


@pytest.mark.django_db
def test_dismissing_flags_keeps_the_item_and_empties_the_queue(
    community, proposal, comment, writer, worker
):
    services.flag_add(actor=member(community), item=comment, reason=FlagReason.OFF_TOPIC)
    assert services.flags_dismiss(actor=worker, item=comment, reason="与主题相关") == 1
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert Flag.objects.in_community(community).get().resolution == FlagResolution.DISMISSED
    assert not list(selectors.moderation_queue(community=community))
    with pytest.raises(ValidationError) as caught:
        services.flags_dismiss(actor=worker, item=comment)
    assert caught.value.code == "no_flags"
    assert selectors.moderation_history(item=comment, viewer=writer) == []  # the author never knew
    assert "moderation.flags_dismissed" in verbs(community)


@pytest.mark.django_db
def test_nobody_decides_an_appeal_about_their_own_words(community, proposal, worker):
    councillor = member(community, Role.COUNCIL_MEMBER)
    theirs = services.comment_add(actor=councillor, subject=proposal, body="……")
    services.item_hide(actor=worker, item=theirs, reason="与议题无关")
    appeal = services.appeal_add(actor=councillor, item=theirs, text="有关")
    with pytest.raises(PermissionDenied):
        services.appeal_decide(actor=councillor, appeal=appeal, restore=True, reason="我说有关")
    appeal.refresh_from_db()
    assert appeal.decided_at is None


@pytest.mark.django_db
def test_only_the_author_appeals_and_only_a_hidden_item(
    community, proposal, comment, writer, worker
):
    with pytest.raises(ValidationError) as caught:
        services.appeal_add(actor=writer, item=comment, text="?")
    assert caught.value.code == "not_hidden"
    services.item_hide(actor=worker, item=comment, reason="spam")
    with pytest.raises(PermissionDenied):
        services.appeal_add(actor=member(community), item=comment, text="替他申诉")
    assert not Appeal.objects.in_community(community).exists()


@pytest.mark.django_db
def test_a_hidden_proposal_takes_no_support_and_no_comments(community, proposal, worker):
    services.item_hide(actor=worker, item=proposal, reason="重复提案")
    proposal.refresh_from_db()
    neighbour = member(community)
    with pytest.raises(ValidationError) as caught:
        services.proposal_support(actor=neighbour, proposal=proposal)
    assert caught.value.code == "hidden"
    with pytest.raises(ValidationError) as caught:
        services.comment_add(actor=neighbour, subject=proposal, body="同意")
    assert caught.value.code == "hidden"


# --- Permission matrix: role × item × state --------------------------------------------------

ROLES = [
    "anonymous",
    "outsider",
    "unverified",
    "resident",
    "author",
    "mediator",
    "council_member",
    "community_worker",
    "street_official",
    "platform_admin",
]
MODERATORS = {"council_member", "community_worker", "platform_admin"}
PERMS = ("flag", "moderate", "see_hidden", "appeal")


def expected(role: str, state: str) -> tuple[bool, ...]:
    hidden = state == "hidden"
    can_flag = role not in {"anonymous", "author"} and not hidden
    return (
        can_flag,
        role in MODERATORS,
        role in MODERATORS | {"author"},
        role == "author" and hidden,
    )


def make(role: str, community, author):
    return {
        "anonymous": AnonymousUser,
        "outsider": UserFactory,
        "unverified": lambda: member(community, verified=False),
        "resident": lambda: member(community),
        "author": lambda: author,
        "mediator": lambda: member(community, Role.MEDIATOR),
        "council_member": lambda: member(community, Role.COUNCIL_MEMBER),
        "community_worker": lambda: member(community, Role.COMMUNITY_WORKER),
        "street_official": lambda: official_of(community.street),
        "platform_admin": lambda: UserFactory(is_superuser=True),
    }[role]()


@pytest.mark.parametrize("state", ["visible", "hidden"])
@pytest.mark.parametrize("kind", ["proposal", "comment"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_permission_matrix(role, kind, state):
    community = CommunityFactory()
    DeliberationSettings.objects.in_community(community).create(threshold_minimum=3)
    author = member(community)
    proposal = services.proposal_create(actor=author, community=community, title="t", body="b")
    item = proposal
    if kind == "comment":
        item = services.comment_add(actor=author, subject=proposal, body="c")
    if state == "hidden":
        item = services.item_hide(
            actor=member(community, Role.COMMUNITY_WORKER), item=item, reason="r"
        )
    user = make(role, community, author)
    got = tuple(rules.has_perm(f"deliberation.{perm}", user, item) for perm in PERMS)
    assert got == expected(role, state)
    # The SQL rule the pages use agrees with the predicate: masked = hidden and not allowed.
    model = type(item)
    row = (
        model.objects.in_community(community)
        .annotate(masked=selectors.masked(user))
        .get(pk=item.pk)
    )
    assert row.masked == (state == "hidden" and not got[2])
    # Moderators of another community moderate nothing here.
    elsewhere = member(CommunityFactory(), Role.COMMUNITY_WORKER)
    assert not rules.has_perm("deliberation.moderate", elsewhere, item)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("resident", 404),
        ("mediator", 404),
        ("street_official", 404),
        ("outsider", 404),
        ("council_member", 200),
        ("worker", 200),
        ("admin", 200),
    ],
)
@pytest.mark.django_db
def test_the_queue_page_is_for_moderators(client, community, worker, admin_user, role, status):
    user = {
        "resident": lambda: member(community),
        "mediator": lambda: member(community, Role.MEDIATOR),
        "street_official": lambda: official_of(community.street),
        "outsider": UserFactory,
        "council_member": lambda: member(community, Role.COUNCIL_MEMBER),
        "worker": lambda: worker,
        "admin": lambda: admin_user,
    }[role]()
    client.force_login(user)
    if role == "street_official":  # staff must log in with a second factor
        TOTP.activate(user, TOTP_SECRET)
    response = client.get(reverse("moderation_queue", args=[community.slug]))
    assert response.status_code == status


@pytest.mark.django_db
def test_a_resident_cannot_hide_through_the_page_or_the_api(client, community, proposal, comment):
    neighbour = member(community)
    client.force_login(neighbour)
    url = reverse("comment_hide", args=[community.slug, proposal.pk, comment.pk])
    assert client.post(url, {"reason": "我不喜欢"}).status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is None
    _t, token = api_token_create(user=neighbour, name="t")
    response = client.post(
        f"/api/v1/communities/{community.slug}/proposals/{proposal.pk}/hide",
        data=json.dumps({"reason": "我不喜欢"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.hidden_at is None


@pytest.mark.django_db
def test_a_draft_cannot_be_flagged_by_those_who_cannot_see_it(client, community, resident):
    DeliberationSettings.objects.in_community(community).create(threshold_minimum=3)
    draft = services.proposal_create(
        actor=resident, community=community, title="t", body="b", publish=False
    )
    client.force_login(member(community))
    url = reverse("proposal_flag", args=[community.slug, draft.pk])
    assert client.post(url, {"reason": "spam"}).status_code == 404
    assert not Flag.objects.in_community(community).exists()


# --- Pages and the API -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_cycle_through_the_pages(client, community, proposal, comment, writer, worker):
    slug = community.slug
    flagger = member(community)
    flag_url = reverse("comment_flag", args=[slug, proposal.pk, comment.pk])
    assert flag_url in page(client, flagger, reverse("proposal_detail", args=[slug, proposal.pk]))
    client.post(flag_url, {"reason": "abuse", "note": ""})
    after = page(client, flagger, reverse("proposal_detail", args=[slug, proposal.pk]))
    assert "You flagged this for the moderators." in after and flag_url not in after
    queue = page(client, worker, reverse("moderation_queue", args=[slug]))
    assert "楼上的住户都是骗子" in queue and "abuse or insults × 1" in queue
    response = client.post(
        reverse("comment_hide", args=[slug, proposal.pk, comment.pk]),
        {"reason": "人身攻击", "back": "queue"},
    )
    assert response.status_code == 302 and response.url.endswith("/proposals/moderation/")
    client.force_login(writer)
    client.post(
        reverse("comment_appeal", args=[slug, proposal.pk, comment.pk]), {"text": "请再看看"}
    )
    queue = page(client, worker, reverse("moderation_queue", args=[slug]))
    assert "请再看看" in queue
    appeal = Appeal.objects.in_community(community).get()
    client.post(
        reverse("appeal_decide", args=[slug, appeal.pk]), {"restore": "0", "reason": "维持"}
    )
    appeal.refresh_from_db()
    assert appeal.decision == AppealDecision.KEPT_HIDDEN and appeal.decided_by == worker
    history = page(client, writer, reverse("proposal_detail", args=[slug, proposal.pk]))
    assert "Moderation history" in history and "kept hidden after the appeal" in history
    assert worker.display_name not in history  # the author reads "the moderators", not a name


@pytest.mark.django_db
def test_the_api_cycle(client, community, proposal, resident, worker, council):
    def call(user, method, path, body=None):
        _t, token = api_token_create(user=user, name="t")
        return getattr(client, method)(
            f"/api/v1/communities/{community.slug}{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    neighbour = member(community)
    base = f"/proposals/{proposal.pk}"
    assert call(neighbour, "post", f"{base}/flags", {"reason": "spam"}).status_code == 201
    again = call(neighbour, "post", f"{base}/flags", {"reason": "spam"})
    assert (again.status_code, again.json()["code"]) == (400, "already_flagged")
    assert call(neighbour, "get", "/moderation/queue").status_code == 404
    queue = call(worker, "get", "/moderation/queue").json()
    assert queue["count"] == 1
    assert queue["items"][0]["reasons"] == [{"reason": "spam", "count": 1}]
    refused = call(worker, "post", f"{base}/hide", {"reason": " "})
    assert (refused.status_code, refused.json()["code"]) == (400, "reason_missing")
    hidden = call(worker, "post", f"{base}/hide", {"reason": "广告"})
    assert hidden.json() | {"hidden_at": None} == {
        "kind": "proposal",
        "id": proposal.pk,
        "proposal_id": proposal.pk,
        "hidden": True,
        "hidden_reason": "广告",
        "hidden_at": None,
    }
    seen = call(neighbour, "get", base).json()
    assert (seen["title"], seen["body"], seen["hidden_reason"]) == ("", "", "广告")
    client.force_login(resident)  # public reads take the session (they are open to visitors)
    own = client.get(f"/api/v1/communities/{community.slug}{base}").json()
    assert (own["title"], own["hidden"]) == (proposal.title, True)
    assert call(neighbour, "get", f"{base}/moderation").status_code == 404
    appeal = call(resident, "post", f"{base}/appeal", {"text": "不是广告"})
    assert appeal.status_code == 201
    second = call(resident, "post", f"{base}/appeal", {"text": "真的不是"})
    assert (second.status_code, second.json()["code"]) == (400, "already_appealed")
    appeal_id = appeal.json()["id"]
    assert (
        call(
            resident,
            "post",
            f"/moderation/appeals/{appeal_id}/decide",
            {"restore": True, "reason": "我自己说了算"},
        ).status_code
        == 403
    )
    assert (
        call(
            neighbour,
            "post",
            f"/moderation/appeals/{appeal_id}/decide",
            {"restore": True, "reason": "x"},
        ).status_code
        == 404
    )
    decided = call(
        council,
        "post",
        f"/moderation/appeals/{appeal_id}/decide",
        {"restore": True, "reason": "是正常的团购信息"},
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "restored"
    history = call(resident, "get", f"{base}/moderation").json()
    assert [e["step"] for e in history] == ["hidden", "appealed", "restored"]
    assert {e["actor"] for e in history if e["step"] != "appealed"} == {None}
    full = call(worker, "get", f"{base}/moderation").json()
    assert [e["actor"] for e in full][0] == str(neighbour)


@pytest.mark.django_db
def test_hidden_proposals_keep_their_place_in_the_list_without_their_title(
    client, community, proposal, worker
):
    services.item_hide(actor=worker, item=proposal, reason="重复")
    listing = client.get(reverse("proposal_list", args=[community.slug])).content.decode()
    assert proposal.title not in listing and "Hidden by the moderators" in listing
    detail = client.get(reverse("proposal_detail", args=[community.slug, proposal.pk]))
    assert detail.status_code == 200
    assert proposal.title not in detail.content.decode()
    assert "Hidden by the moderators: 重复" in detail.content.decode()


@pytest.mark.django_db
def test_queue_is_oldest_first_and_its_page_costs_a_fixed_number_of_queries(
    client, community, proposal, worker, django_assert_max_num_queries
):
    now = timezone.now()
    writers = [member(community) for _ in range(3)]
    flaggers = [member(community) for _ in range(3)]
    comments = [
        services.comment_add(actor=writers[i % 3], subject=proposal, body=f"评论{i}")
        for i in range(24)
    ]
    for i, comment in enumerate(comments):  # one or two flags each, within a flagger's limit
        for flagger in {flaggers[i % 3], flaggers[(i + i % 2) % 3]}:
            flag = services.flag_add(actor=flagger, item=comment, reason=FlagReason.SPAM)
            Flag.objects.in_community(community).filter(pk=flag.pk).update(
                created_at=now - timezone.timedelta(hours=100 - i)
            )
    for i, comment in enumerate(comments[20:]):
        services.item_hide(actor=worker, item=comment, reason="广告")
        services.appeal_add(actor=comment.author, item=comment, text=f"申诉{i}")
    queue = list(selectors.moderation_queue(community=community))
    assert len(queue) == 24
    flagged = [e for e in queue if e.flag_count]
    assert [e.comment for e in flagged] == comments[:20]  # oldest flag first
    assert all(e.appeal for e in queue[20:])  # appeals, just made, come last
    client.force_login(worker)
    url = reverse("moderation_queue", args=[community.slug])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.content.decode().count('class="card" id="queue-') == 20
    with django_assert_max_num_queries(14):
        second = client.get(url, {"page": 2})
    assert second.content.decode().count('class="card" id="queue-') == 4


@pytest.mark.django_db
def test_the_api_comment_list_masks_a_hidden_comment(
    client, community, proposal, comment, writer, worker
):
    services.item_hide(actor=worker, item=comment, reason="人身攻击")
    url = f"/api/v1/communities/{community.slug}/proposals/{proposal.pk}/comments"
    [seen] = client.get(url).json()["items"]
    assert (seen["body"], seen["author"], seen["hidden"], seen["hidden_reason"]) == (
        "",
        "",
        True,
        "人身攻击",
    )
    client.force_login(writer)
    [own] = client.get(url).json()["items"]
    assert own["body"] == "楼上的住户都是骗子！" and own["hidden"] is True
    history = client.get(f"{url}/{comment.pk}/moderation").json()
    assert [(e["step"], e["actor"]) for e in history] == [("hidden", None)]


@pytest.mark.django_db
def test_a_moderation_row_names_a_proposal_or_a_comment_never_both(
    community, proposal, comment, writer
):
    flagger = member(community)
    for both_or_none in ({"proposal": proposal, "comment": comment}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Flag.objects.in_community(community).create(
                **both_or_none, flagged_by=flagger, reason=FlagReason.SPAM
            )
    flag = services.flag_add(actor=flagger, item=comment, reason=FlagReason.SPAM)
    assert (flag.proposal_id, flag.comment_id) == (None, comment.pk)


@pytest.mark.django_db
def test_the_queue_api_names_the_subject_of_a_flagged_comment(client, community, proposal, comment):
    services.flag_add(actor=member(community), item=comment, reason=FlagReason.SPAM)
    council = member(community, Role.COUNCIL_MEMBER)
    _t, token = api_token_create(user=council, name="t")
    response = client.get(
        f"/api/v1/communities/{community.slug}/moderation/queue",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    [entry] = response.json()["items"]
    assert (entry["kind"], entry["subject"], entry["subject_id"]) == (
        "comment",
        "proposal",
        proposal.pk,
    )
    assert (entry["proposal_id"], entry["comment_id"]) == (proposal.pk, comment.pk)
    assert entry["url"] == f"/c/{community.slug}/proposals/{proposal.pk}/#comment-{comment.pk}"
    assert entry["title"] == proposal.title
