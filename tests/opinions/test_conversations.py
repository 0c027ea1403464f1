"""Conversations (gongzhi.opinions services, selectors, policies, tasks): opening them,
statements and moderation, votes (one per participant and statement, a change overwrites),
who may do what in which phase, the order of voting, the map's background update with its
stored ``previous``, the map's JSON form, and Polis exports in and out."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from sklearn.metrics import adjusted_rand_score

from gongzhi.core import soon
from gongzhi.core.models import Activity, Role
from gongzhi.notifications.models import Notification
from gongzhi.opinions import cluster, mapstore, polis, selectors, services
from gongzhi.opinions.models import (
    Conversation,
    ConversationMap,
    Moderation,
    Participant,
    Statement,
    StatementStatus,
    StatementVote,
)
from tests.factories import CommunityFactory, member

POLIS_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis"
SEEDS = ["小区应该增加停车位", "应该多种树", "晚上十点后广场舞应该停止", "电动车不能进楼道"]


@pytest.fixture(autouse=True)
def _in_english():
    from django.utils import translation

    with translation.override("en"):
        yield


def open_conversation(community, worker, **fields):
    now = timezone.now()
    values = {
        "question": "我们的小区广场怎么用？",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        "seed_statements": SEEDS,
        **fields,
    }
    return services.conversation_open(actor=worker, community=community, **values)


@pytest.fixture
def conversation(community, worker):
    return open_conversation(community, worker)


def statement(conversation, number):
    return Statement.objects.in_community(conversation.community_id).get(
        conversation=conversation, number=number
    )


def votes_of(conversation):
    return StatementVote.objects.in_community(conversation.community_id).filter(
        conversation=conversation
    )


def cast_many(conversation, rows):
    """Votes straight into the table, for maps of many people (no journal, no rate limit)."""
    community_id = conversation.community_id
    people: dict[int, Participant] = {}
    for pid, _number, _value in rows:
        if pid not in people:
            people[pid] = Participant.objects.in_community(community_id).create(
                conversation=conversation, number=pid
            )
    by_number = {
        s.number: s
        for s in Statement.objects.in_community(community_id).filter(conversation=conversation)
    }
    StatementVote.objects.bulk_create(
        [
            StatementVote(
                community_id=community_id,
                conversation=conversation,
                statement=by_number[number],
                participant=people[pid],
                value=value,
            )
            for pid, number, value in rows
        ]
    )


def two_camps(size=20, statements=4, first_pid=100):
    """Camp 0 agrees with every statement, camp 1 disagrees with the even ones."""
    rows = []
    for i in range(2 * size):
        camp = i % 2
        for number in range(statements):
            value = 1 if camp == 0 or number % 2 else -1
            rows.append((first_pid + i, number, value))
    return rows


# --- Opening ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_opens_a_conversation_with_seed_statements(community, worker):
    conversation = open_conversation(community, worker, moderation=Moderation.AFTER)
    seeds = list(
        Statement.objects.in_community(community)
        .filter(conversation=conversation)
        .values_list("number", "text", "status", "seed")
    )
    assert seeds == [(i, text, StatementStatus.ACCEPTED, True) for i, text in enumerate(SEEDS)]
    entry = Activity.objects.in_community(community).get(verb="conversation.opened")
    assert entry.actor == worker and entry.data == {"seed_statements": 4}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"question": "  "}, "question_invalid"),
        ({"question": "问" * 201}, "question_invalid"),
        ({"closes_at": timezone.now() - timedelta(days=1)}, "window_invalid"),
        ({"seed_statements": ["短", "长" * 201]}, "statement_too_long"),
        ({"moderation": "never"}, "moderation_invalid"),
    ],
)
@pytest.mark.django_db
def test_opening_refuses_bad_input_and_saves_nothing(community, worker, fields, code):
    with pytest.raises(ValidationError) as error:
        open_conversation(community, worker, **fields)
    assert error.value.code == code
    assert not Conversation.objects.in_community(community).exists()


@pytest.mark.django_db
def test_residents_and_council_members_cannot_open_conversations(community, resident):
    council = member(community, Role.COUNCIL_MEMBER)
    for user in (resident, council):
        with pytest.raises(PermissionDenied):
            open_conversation(community, user)
    assert not Conversation.objects.in_community(community).exists()


# --- Who may do what, when ------------------------------------------------------------------

ROLES = [
    "anonymous",
    "outsider",
    "unverified",
    "resident",
    "council_member",
    "community_worker",
]
PHASES = ["before", "open", "closed"]
# (role, phase, visitors allowed) → (view, vote, add statement, moderate, manage)
EXPECTED = {}
for _role in ROLES:
    for _phase in PHASES:
        for _visitors in (False, True):
            eligible = _role in {"resident", "council_member", "community_worker"} or (
                _role == "unverified" and _visitors
            )
            can_act = eligible and _phase == "open"
            EXPECTED[(_role, _phase, _visitors)] = (
                True,
                can_act,
                can_act,
                _role in {"council_member", "community_worker"},
                _role == "community_worker",
            )


@pytest.mark.parametrize(("role", "phase", "visitors"), list(EXPECTED))
@pytest.mark.django_db
def test_permission_matrix(role, phase, visitors):
    community, elsewhere = CommunityFactory(), CommunityFactory()
    worker = member(community, Role.COMMUNITY_WORKER)
    now = timezone.now()
    window = {
        "before": (now + timedelta(days=1), now + timedelta(days=2)),
        "open": (now - timedelta(days=1), now + timedelta(days=1)),
        "closed": (now - timedelta(days=2), now - timedelta(days=1)),
    }[phase]
    conversation = open_conversation(
        community, worker, opens_at=window[0], closes_at=window[1], visitors_allowed=visitors
    )
    user = {
        "anonymous": AnonymousUser,
        "outsider": lambda: member(elsewhere),
        "unverified": lambda: member(community, verified=False),
        "resident": lambda: member(community),
        "council_member": lambda: member(community, Role.COUNCIL_MEMBER),
        "community_worker": lambda: worker,
    }[role]()
    got = tuple(
        rules.has_perm(f"opinions.{perm}", user, conversation)
        for perm in ("view_conversation", "vote", "add_statement", "moderate")
    ) + (rules.has_perm("opinions.manage_conversations", user, community),)
    assert got == EXPECTED[(role, phase, visitors)]
    # The services agree with the rules: a refused vote saves nothing.
    if role == "anonymous":
        return
    first = statement(conversation, 0)
    if got[1]:
        assert services.vote_cast(actor=user, statement=first, value=1).saved
        assert votes_of(conversation).count() == 1
    else:
        with pytest.raises((ValidationError, PermissionDenied)):
            services.vote_cast(actor=user, statement=first, value=1)
        assert votes_of(conversation).count() == 0


@pytest.mark.django_db
def test_statement_visibility_predicate_and_filter_agree(community, worker, resident):
    conversation = open_conversation(community, worker)
    author = member(community)
    pending = services.statement_add(actor=author, conversation=conversation, text="待审核")
    out = services.statement_add(actor=author, conversation=conversation, text="要拿掉")
    services.statement_moderate(actor=worker, statement=out, accept=False, reason="人身攻击")
    council = member(community, Role.COUNCIL_MEMBER)
    everyone = Statement.objects.in_community(community).filter(conversation=conversation)
    for viewer in (AnonymousUser(), resident, author, council, worker, member(CommunityFactory())):
        allowed = set(selectors.see_statement.filter(viewer, everyone).values_list("pk", flat=True))
        for s in everyone.select_related("conversation", "author"):
            assert (s.pk in allowed) == rules.has_perm("opinions.see_statement", viewer, s)
    visible_to_resident = selectors.see_statement.filter(resident, everyone)
    assert pending not in visible_to_resident and out not in visible_to_resident
    assert {pending, out} <= set(selectors.see_statement.filter(author, everyone))


# --- Statements ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moderation", "shown"), [(Moderation.BEFORE, False), (Moderation.AFTER, True)]
)
@pytest.mark.django_db
def test_a_statement_is_shown_before_or_after_moderation(
    community, worker, resident, moderation, shown
):
    conversation = open_conversation(community, worker, moderation=moderation)
    added = services.statement_add(
        actor=resident, conversation=conversation, text="  广场  可以办周末集市 "
    )
    assert added.text == "广场 可以办周末集市"
    assert added.number == len(SEEDS) and added.status == StatementStatus.PENDING
    assert (added in selectors.statements_shown(conversation=conversation)) is shown
    assert Participant.objects.in_community(community).get(user=resident).number == 0
    entry = Activity.objects.in_community(community).get(verb="statement.added")
    assert entry.actor == resident and entry.data == {"statement": added.number}


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "statement_empty"), ("   \n ", "statement_empty"), ("长" * 201, "statement_too_long")],
)
@pytest.mark.django_db
def test_bad_statements_are_refused_and_nothing_is_saved(conversation, resident, text, code):
    with pytest.raises(ValidationError) as error:
        services.statement_add(actor=resident, conversation=conversation, text=text)
    assert error.value.code == code
    assert "200" in str(error.value) or code == "statement_empty"
    assert Statement.objects.in_community(conversation.community_id).count() == len(SEEDS)
    assert not Participant.objects.in_community(conversation.community_id).exists()


@pytest.mark.django_db
def test_the_same_statement_twice_is_refused(conversation, resident):
    services.statement_add(actor=resident, conversation=conversation, text="多装路灯")
    with pytest.raises(ValidationError) as error:
        services.statement_add(
            actor=member(conversation.community), conversation=conversation, text="多装路灯"
        )
    assert error.value.code == "statement_repeated"
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.in_community(conversation.community_id).create(
            conversation=conversation, number=99, text="多装路灯"
        )


@pytest.mark.django_db
def test_adding_statements_is_rate_limited(conversation, resident):
    limit, _window = services.RATE_LIMITS["statement"]
    for i in range(limit):
        services.statement_add(actor=resident, conversation=conversation, text=f"第{i}条")
    with pytest.raises(ValidationError) as error:
        services.statement_add(actor=resident, conversation=conversation, text="再来一条")
    assert error.value.code == "rate_limited"
    assert "at most 10 statements an hour" in str(error.value)
    assert Statement.objects.in_community(conversation.community_id).count() == len(SEEDS) + limit


@pytest.mark.django_db
def test_a_closed_conversation_takes_no_statements(conversation, resident):
    Conversation.objects.in_community(conversation.community_id).filter(pk=conversation.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    conversation.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.statement_add(actor=resident, conversation=conversation, text="晚了")
    assert error.value.code == "not_open" and "closed" in str(error.value)


@pytest.mark.django_db
def test_taking_a_statement_out_needs_a_reason_and_tells_the_author(
    community, worker, conversation, resident
):
    added = services.statement_add(actor=resident, conversation=conversation, text="某某是坏人")
    with pytest.raises(ValidationError) as error:
        services.statement_moderate(actor=worker, statement=added, accept=False, reason=" ")
    assert error.value.code == "reason_missing"
    added.refresh_from_db()
    assert added.status == StatementStatus.PENDING
    with pytest.raises(PermissionDenied):
        services.statement_moderate(
            actor=member(community), statement=added, accept=False, reason="x"
        )
    services.statement_moderate(actor=worker, statement=added, accept=False, reason="人身攻击")
    added.refresh_from_db()
    assert added.status == StatementStatus.REJECTED and added.reason == "人身攻击"
    note = Notification.objects.get(user=resident, kind="statement_moderated")
    assert "taken out" in note.rendered("en").title and "人身攻击" in note.body
    assert Activity.objects.in_community(community).filter(verb="statement.rejected").exists()
    # The database refuses a rejection without a reason, whoever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.in_community(community).filter(pk=added.pk).update(reason="")


# --- Votes -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_vote_per_participant_and_statement_and_a_change_overwrites(conversation, resident):
    first = statement(conversation, 0)
    assert services.vote_cast(actor=resident, statement=first, value=1) == services.VoteResult(
        changed=False, saved=True
    )
    again = services.vote_cast(actor=resident, statement=first, value=1)
    assert again == services.VoteResult(changed=False, saved=False)
    changed = services.vote_cast(actor=resident, statement=first, value=-1)
    assert changed == services.VoteResult(changed=True, saved=True)
    assert list(votes_of(conversation).values_list("value", flat=True)) == [-1]
    verbs = list(
        Activity.objects.in_community(conversation.community_id)
        .filter(verb__startswith="statement.")
        .order_by("pk")
        .values_list("verb", "data")
    )
    # The journal says that a vote was cast on statement 0, never what it was.
    assert verbs == [
        ("statement.voted", {"statement": 0}),
        ("statement.vote_changed", {"statement": 0}),
    ]
    participant = Participant.objects.in_community(conversation.community_id).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementVote.objects.in_community(conversation.community_id).create(
            conversation=conversation, statement=first, participant=participant, value=1
        )


@pytest.mark.parametrize("value", [2, -2, "1", None, True])
@pytest.mark.django_db
def test_a_vote_must_be_agree_disagree_or_pass(conversation, resident, value):
    with pytest.raises(ValidationError) as error:
        services.vote_cast(actor=resident, statement=statement(conversation, 0), value=value)
    assert error.value.code == "vote_invalid"
    assert not votes_of(conversation).exists()


@pytest.mark.django_db
def test_no_votes_on_statements_not_shown(community, worker, resident):
    conversation = open_conversation(community, worker, moderation=Moderation.BEFORE)
    author = member(community)
    pending = services.statement_add(actor=author, conversation=conversation, text="等审核")
    with pytest.raises(ValidationError) as error:
        services.vote_cast(actor=author, statement=pending, value=1)
    assert error.value.code == "unknown_statement"
    services.statement_moderate(actor=worker, statement=pending, accept=False, reason="重复")
    with pytest.raises(ValidationError):
        services.vote_cast(actor=resident, statement=pending, value=1)
    assert not votes_of(conversation).exists()


@pytest.mark.django_db
def test_voting_too_fast_is_refused(conversation, resident, settings):
    services.RATE_LIMITS["opinion_vote"] = (3, 600)
    try:
        for number, value in [(0, 1), (1, -1), (2, 0)]:
            services.vote_cast(
                actor=resident, statement=statement(conversation, number), value=value
            )
        with pytest.raises(ValidationError) as error:
            services.vote_cast(actor=resident, statement=statement(conversation, 3), value=1)
        assert error.value.code == "rate_limited"
    finally:
        services.RATE_LIMITS["opinion_vote"] = (300, 600)
    assert votes_of(conversation).count() == 3


@pytest.mark.django_db
def test_participants_are_numbered_in_order_and_marked_as_visitors(community, worker):
    conversation = open_conversation(community, worker, visitors_allowed=True)
    verified, visitor = member(community), member(community, verified=False)
    for user in (verified, visitor, verified):
        services.vote_cast(actor=user, statement=statement(conversation, 0), value=1)
    people = list(
        Participant.objects.in_community(community)
        .order_by("number")
        .values_list("number", "user", "visitor")
    )
    assert people == [(0, verified.pk, False), (1, visitor.pk, True)]
    assert selectors.counts(conversation=conversation).visitors == 1


# --- The order of voting --------------------------------------------------------------------


@pytest.mark.django_db
def test_statements_with_few_votes_and_that_divide_come_first(conversation, resident):
    participant = None
    summary = {
        "statements": {
            "0": {"votes": 40, "spread": 0.0},
            "1": {"votes": 40, "spread": 0.9},
            "2": {"votes": 3, "spread": 0.0},
            # 3 is new: not in the map yet
        }
    }
    order = []
    for _ in range(4):
        nxt, _progress = selectors.next_statement(
            conversation=conversation, participant=participant, summary=summary
        )
        order.append(nxt.number)
        services.vote_cast(actor=resident, statement=nxt, value=0)
        participant = selectors.participant_of(conversation=conversation, user=resident)
    assert order == [3, 2, 1, 0]
    nxt, progress = selectors.next_statement(
        conversation=conversation, participant=participant, summary=summary
    )
    assert nxt is None and (progress.voted, progress.remaining) == (4, 0)


def test_priority_prefers_few_votes_then_division():
    assert selectors.priority(0, 0.0) > selectors.priority(5, 0.0) > selectors.priority(50, 0.0)
    assert selectors.priority(20, 0.8) > selectors.priority(20, 0.1)


# --- The map ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_map_finds_the_camps_and_keeps_the_previous_result(conversation):
    cast_many(conversation, two_camps())
    assert services.map_update(
        community_id=conversation.community_id, conversation_id=conversation.pk
    )
    stored = ConversationMap.objects.in_community(conversation.community_id).get()
    first = mapstore.from_json(stored.result)
    assert first.n_groups == 2 and stored.previous == {} and stored.updates == 1
    groups = first.assignments()
    assert all(groups[100 + i] == groups[100] for i in range(0, 40, 2))
    assert all(groups[101 + i] == groups[101] for i in range(0, 40, 2))
    assert groups[100] != groups[101]
    assert stored.summary["statements"]["0"]["votes"] == 40
    assert stored.summary["statements"]["0"]["spread"] > stored.summary["statements"]["1"]["spread"]
    # Nothing new: no update.
    assert not services.map_update(
        community_id=conversation.community_id, conversation_id=conversation.pk
    )
    # A statement taken out (its column zeroed) is news; the last result becomes ``previous``.
    worker = conversation.created_by
    services.statement_moderate(
        actor=worker, statement=statement(conversation, 3), accept=False, reason="离题"
    )
    assert services.map_update(
        community_id=conversation.community_id, conversation_id=conversation.pk
    )
    stored.refresh_from_db()
    assert stored.previous == json.loads(json.dumps(mapstore.to_json(first)))
    assert stored.updates == 2
    assert (
        3
        in mapstore.from_json(stored.result).statements[
            mapstore.from_json(stored.result).moderated_out
        ]
    )


@pytest.mark.django_db
def test_map_view_marks_you_and_says_nothing_of_others(conversation):
    cast_many(conversation, two_camps())
    me = member(conversation.community)
    for number in range(4):
        services.vote_cast(actor=me, statement=statement(conversation, number), value=1)
    services.map_update(community_id=conversation.community_id, conversation_id=conversation.pk)
    view = selectors.map_view(conversation=conversation, user=me)
    assert view.participants == 41 and len(view.points) == 41
    assert view.me is not None and view.my_group is not None and view.my_group.has_me
    assert sum(g.size for g in view.groups) == view.clustered
    assert all(0 <= p.x <= view.width and 0 <= p.y <= view.height for p in view.points)
    # Those who agree with everything agree with the camp that agrees with everything.
    camp = mapstore.from_json(
        ConversationMap.objects.in_community(conversation.community_id).get().result
    ).assignments()[100]
    assert view.my_group.index == camp
    assert selectors.map_view(conversation=conversation, user=AnonymousUser()).me is None


@pytest.mark.django_db
def test_a_vote_updates_the_map_after_commit(
    conversation, resident, django_capture_on_commit_callbacks
):
    cast_many(conversation, two_camps())
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(actor=resident, statement=statement(conversation, 0), value=1)
    stored = ConversationMap.objects.in_community(conversation.community_id).get()
    me = selectors.participant_of(conversation=conversation, user=resident)
    assert stored.updates == 1 and me.number in mapstore.from_json(stored.result).participants


@pytest.mark.django_db
def test_a_failing_map_update_never_fails_the_vote(
    conversation, resident, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("eigensolver exploded")

    monkeypatch.setattr(services, "map_update", broken)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.vote_cast(actor=resident, statement=statement(conversation, 0), value=1)
    assert result.saved and votes_of(conversation).count() == 1


def test_map_updates_are_enqueued_at_most_once_per_delay(settings):
    from django_tasks import default_task_backend

    from gongzhi.opinions import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.OPINION_MAP_DELAY = 60
    soon.forget()
    for _ in range(5):
        services.request_map_update(1, 7)
    services.request_map_update(1, 8)
    queued = [r for r in default_task_backend.results if r.task.func == tasks.update_map.func]
    assert [r.args for r in queued] == [[1, 7], [1, 8]]
    assert all(r.task.run_after > timezone.now() for r in queued)
    soon.forget()


def test_the_map_survives_json_and_gives_the_same_next_update():
    rng = np.random.default_rng(3)
    triples = [
        (p, s, int(rng.choice([-1, 0, 1])))
        for p in range(60)
        for s in range(15)
        if rng.random() < 0.7
    ]
    votes = polis.Votes.from_triples(triples)
    first = polis.opinion_map(votes)
    back = mapstore.from_json(json.loads(json.dumps(mapstore.to_json(first))))
    assert back is not None
    for name in ("participants", "statements", "coords", "group", "group_agree", "base_of"):
        a, b = getattr(first, name), getattr(back, name)
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), name
    assert back.repness == first.repness and back.consensus == first.consensus
    assert back.k_smoother == first.k_smoother and back.divisive == first.divisive
    more = polis.Votes.from_triples(triples + [(60, s, 1) for s in range(15)])
    a = polis.opinion_map(more, previous=first)
    b = polis.opinion_map(more, previous=back)
    assert a.assignments() == b.assignments() and np.allclose(a.coords, b.coords)
    assert mapstore.from_json({"format": 0}) is None and mapstore.from_json({}) is None
    empty = polis.opinion_map(polis.Votes.from_triples([]))
    assert mapstore.from_json(json.loads(json.dumps(mapstore.to_json(empty)))).n_groups == 0


# --- Polis exports in and out ---------------------------------------------------------------


def _files(folder: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]


@pytest.mark.django_db
def test_a_real_polis_export_imports_and_maps_like_the_command_line(community, worker):
    folder = POLIS_DATA / "15-per-hour-seattle"
    if not folder.is_dir():
        pytest.skip("the shared Polis data is not here")
    data = services.read_export(_files(folder))
    conversation = services.conversation_import(
        actor=worker, community=community, question="$15 per hour in Seattle?", data=data
    )
    assert conversation.imported and conversation.is_closed()
    assert votes_of(conversation).count() == len(data.latest_votes())
    assert Statement.objects.in_community(community).filter(
        conversation=conversation, status=StatementStatus.REJECTED
    ).count() == len(data.moderated_out)
    services.map_update(community_id=community.pk, conversation_id=conversation.pk)
    ours = mapstore.from_json(
        ConversationMap.objects.in_community(community).get().result
    ).assignments()
    _conv, reference = cluster.cluster_folder(str(folder))
    expected = reference.assignments()
    common = sorted(set(ours) & set(expected))
    assert len(common) >= 0.95 * len(expected)
    ari = adjusted_rand_score([expected[p] for p in common], [ours[p] for p in common])
    assert ari > 0.9
    entry = Activity.objects.in_community(community).get(verb="conversation.imported")
    assert entry.data["votes"] == votes_of(conversation).count()


@pytest.mark.django_db
def test_export_then_import_gives_the_same_conversation(community, worker, conversation):
    services.statement_moderate(
        actor=worker,
        statement=services.statement_add(
            actor=member(community), conversation=conversation, text='=HYPERLINK("x")'
        ),
        accept=False,
        reason="spam",
    )
    cast_many(conversation, two_camps(size=10))
    services.map_update(community_id=community.pk, conversation_id=conversation.pk)
    files = selectors.polis_export(conversation=conversation)
    assert files["comments.csv"].startswith(b"timestamp,datetime,comment-id,author-id")
    assert b"'=HYPERLINK" in files["comments.csv"]  # not a formula in a spreadsheet
    header = files["participants-votes.csv"].decode().splitlines()[0]
    assert header.startswith("participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1")
    copy = services.conversation_import(
        actor=worker,
        community=community,
        question="copy",
        data=services.read_export(files.items()),
    )

    def table(c):
        return sorted(votes_of(c).values_list("participant__number", "statement__number", "value"))

    assert table(copy) == table(conversation)
    statuses = lambda c: sorted(  # noqa: E731
        Statement.objects.in_community(community)
        .filter(conversation=c)
        .values_list("number", "status", "seed")
    )
    assert statuses(copy) == statuses(conversation)


@pytest.mark.parametrize(
    ("files", "code"),
    [
        (
            [("votes.csv", b"timestamp,datetime,comment-id,voter-id,vote\n1,x,0,1,1\n")],
            "import_no_statements",
        ),
        (
            [
                ("comments.csv", b"comment-id,moderated,comment-body\n0,1,a\n"),
                ("votes.csv", b"timestamp,datetime,comment-id,voter-id,vote\n1,x,5,1,1\n"),
            ],
            "import_unknown_statement",
        ),
    ],
)
@pytest.mark.django_db
def test_a_bad_export_is_refused_whole(community, worker, files, code):
    with pytest.raises(ValidationError) as error:
        services.conversation_import(
            actor=worker, community=community, question="q", data=services.read_export(files)
        )
    assert error.value.code == code
    assert not Conversation.objects.in_community(community).exists()


@pytest.mark.django_db
def test_an_unreadable_export_says_where():
    with pytest.raises(ValidationError) as error:
        services.read_export([("votes.csv", b"timestamp,comment-id,voter-id,vote\n1,0,1,7\n")])
    assert error.value.code == "import_unreadable"
    assert "votes.csv, line 2" in str(error.value) and "/tmp" not in str(error.value)  # noqa: S108
