"""The supervision committee: opinions raised and answered, who may see a private one, and
"nobody supervises a role they hold"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.bodies import supervision
from gongzhi.bodies.models import Body, BodyKind, Charter, Decision, Opinion
from gongzhi.bodies.supervision_policies import view_opinion
from gongzhi.core import journal
from gongzhi.core.models import Activity, Role
from gongzhi.core.policies import forget_access
from gongzhi.notifications.models import Notification
from tests.bodies.bodies_world import council, seat, term
from tests.factories import CommunityFactory, member, official_of

TODAY = timezone.localdate


def sitting(body, user, *, title="委员", role=Role.COUNCIL_MEMBER):
    position = seat(body, title=title, role=role)
    start = TODAY() - timedelta(days=30)
    return term(body, position, user, starts=start, ends=start + timedelta(days=365))


def decision_of(body, title="增设电动车充电桩") -> Decision:
    charter = Charter.objects.in_community(body.community).filter(body=body).first()
    return Decision.objects.in_community(body.community).create(
        body=body,
        charter=charter,
        kind="appoint_member",
        title=title,
        decided_on=TODAY(),
        seated=3,
        present=3,
        votes_for=2,
        votes_against=1,
        abstentions=0,
        recorded_by=body.created_by,
    )


@pytest.fixture
def body(community, worker) -> Body:
    return council(community, worker)


@pytest.fixture
def councillor(community, body):
    user = member(community)
    sitting(body, user)
    return user


def raise_one(supervisor, body, **overrides) -> Opinion:
    values = {
        "actor": supervisor,
        "community": body.community,
        "body": body,
        "subject": "充电桩选址",
        "text": "选址未征求楼栋居民意见。",
        "due_on": TODAY() + timedelta(days=14),
    }
    values.update(overrides)
    return supervision.opinion_raise(**values)


def code_of(excinfo) -> str:
    return excinfo.value.code


@pytest.mark.django_db
def test_a_supervisor_raises_an_opinion_journalled_and_told_to_the_body(
    community, body, supervisor, councillor, worker, resident
):
    decision = decision_of(body)
    opinion = raise_one(supervisor, body, decision=decision)
    entry = Activity.objects.in_community(community).get(verb="opinion.raised")
    assert entry.data["opinion"] == opinion.pk and entry.data["body"] == body.pk
    told = set(Notification.objects.filter(kind="opinion_raised").values_list("user_id", flat=True))
    assert told == {councillor.pk, worker.pk}
    assert opinion.decision == decision


@pytest.mark.django_db
def test_nobody_supervises_a_role_they_hold(community, worker, supervisor):
    group = council(community, worker, kind=BodyKind.INTEREST_GROUP, name="书法兴趣小组")
    sitting(group, supervisor, title="组员", role="")
    with pytest.raises(ValidationError) as refused:
        raise_one(supervisor, group)
    assert code_of(refused) == "supervises_own_role"
    assert not Opinion.objects.in_community(community).exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"due_on": "today"}, "due_not_future"),
        ({"due_on": "far"}, "due_too_far"),
        ({"text": "  "}, "text_empty"),
        ({"subject": ""}, "subject_empty"),
        ({"text": "长" * 5001}, "text_too_long"),
    ],
)
@pytest.mark.django_db
def test_bad_opinions_are_refused_with_codes(body, supervisor, changes, code):
    if changes.get("due_on") == "today":
        changes["due_on"] = TODAY()
    elif changes.get("due_on") == "far":
        changes["due_on"] = TODAY() + timedelta(days=supervision.MAX_DAYS + 1)
    with pytest.raises(ValidationError) as refused:
        raise_one(supervisor, body, **changes)
    assert code_of(refused) == code


@pytest.mark.django_db
def test_a_decision_of_another_body_or_a_dissolved_body_is_refused(
    community, worker, body, supervisor
):
    other = council(community, worker, kind=BodyKind.OWNERS_COMMITTEE, name="业委会")
    with pytest.raises(ValidationError) as refused:
        raise_one(supervisor, body, decision=decision_of(other))
    assert code_of(refused) == "decision_other_body"
    Body.objects.in_community(community).filter(pk=other.pk).update(dissolved_at=timezone.now())
    other.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        raise_one(supervisor, other)
    assert code_of(refused) == "body_dissolved"


@pytest.mark.django_db
def test_only_supervisors_raise(community, body, worker, resident, official, councillor):
    for person in (worker, resident, official, councillor):
        with pytest.raises(PermissionDenied):
            raise_one(person, body)


@pytest.mark.django_db
def test_the_body_answers_once_on_time(community, body, supervisor, councillor, worker):
    opinion = raise_one(supervisor, body)
    supervision.opinion_answer(actor=councillor, opinion=opinion, answer="已补充征求意见。")
    entry = Activity.objects.in_community(community).get(verb="opinion.answered")
    assert entry.data == {"opinion": opinion.pk, "body": body.pk, "on_time": True}
    assert Notification.objects.filter(kind="opinion_answered", user=supervisor).exists()
    with pytest.raises(ValidationError) as refused:
        supervision.opinion_answer(actor=worker, opinion=opinion, answer="再答一次")
    assert code_of(refused) == "already_answered"


@pytest.mark.django_db
def test_a_late_answer_is_journalled_as_late(community, body, supervisor, worker):
    opinion = raise_one(supervisor, body)
    Opinion.objects.in_community(community).filter(pk=opinion.pk).update(
        due_on=TODAY() - timedelta(days=2)
    )
    opinion.refresh_from_db()
    assert supervision.is_overdue(opinion)
    supervision.opinion_answer(actor=worker, opinion=opinion, answer="迟到的答复")
    entry = Activity.objects.in_community(community).get(verb="opinion.answered")
    assert entry.data["on_time"] is False
    opinion.refresh_from_db()
    assert supervision.answered_on_time(opinion) is False
    assert not supervision.is_overdue(opinion)


@pytest.mark.django_db
def test_who_may_not_answer(community, body, supervisor, resident, worker):
    opinion = raise_one(supervisor, body)
    with pytest.raises(PermissionDenied):
        supervision.opinion_answer(actor=resident, opinion=opinion, answer="我来答")
    with pytest.raises(ValidationError) as refused:
        supervision.opinion_answer(actor=worker, opinion=opinion, answer="  ")
    assert code_of(refused) == "answer_empty"
    # A supervisor who later joins an interest group never answers their own opinion to it.
    group = council(community, worker, kind=BodyKind.INTEREST_GROUP, name="书法兴趣小组")
    on_group = raise_one(supervisor, group)
    sitting(group, supervisor, title="组员", role="")
    supervision.forget_sitting(supervisor)
    with pytest.raises(ValidationError) as refused:
        supervision.opinion_answer(actor=supervisor, opinion=on_group, answer="自问自答")
    assert code_of(refused) == "own_opinion"


@pytest.mark.django_db
def test_an_opinion_on_a_journal_entry_links_to_it(community, body, supervisor, worker):
    from django.db import transaction

    with transaction.atomic():
        entry = journal.record(community=community, actor=worker, verb="body.created", target=body)
    opinion = raise_one(supervisor, body, activity=entry)
    assert opinion.activity == entry
    assert "target=bodies.body" in opinion.subject_url
    assert f"target_id={body.pk}" in opinion.subject_url


def viewers(community, body):
    people = {
        "anonymous": AnonymousUser(),
        "resident": member(community),
        "supervisor": member(community, Role.SUPERVISOR),
        "worker": member(community, Role.COMMUNITY_WORKER),
        "official": official_of(community.street),
        "admin": member(CommunityFactory(), is_superuser=True),
        "other_supervisor": member(CommunityFactory(), Role.SUPERVISOR),
    }
    people["councillor"] = member(community)
    sitting(body, people["councillor"])
    return people


#: Who reads a private opinion (a published one: everyone).
READS_PRIVATE = {"supervisor", "worker", "official", "admin", "councillor", "raiser"}


@pytest.mark.django_db
def test_private_opinions_predicate_and_filter_agree(community, body, supervisor):
    people = viewers(community, body)
    people["raiser"] = supervisor
    public = raise_one(supervisor, body)
    private = raise_one(supervisor, body, subject="某住户的低保申请", private=True)
    elsewhere_body = council(CommunityFactory(), people["worker"], name="别处议事会")
    for name, viewer in people.items():
        if viewer.is_authenticated:
            forget_access(viewer)
            supervision.forget_sitting(viewer)
        visible = set(
            view_opinion.filter(viewer, Opinion.objects.all_communities()).values_list(
                "pk", flat=True
            )
        )
        assert (public.pk in visible) is True, name
        assert (private.pk in visible) == (name in READS_PRIVATE), name
        for opinion in (public, private):
            assert view_opinion.predicate.test(viewer, opinion) == (opinion.pk in visible), name
    assert elsewhere_body.pk  # another community's body exists and changes nothing above


@pytest.mark.django_db
def test_deadline_reminders_soon_and_overdue(community, body, supervisor, councillor):
    soon = raise_one(supervisor, body, due_on=TODAY() + timedelta(days=supervision.SOON_DAYS))
    late = raise_one(supervisor, body)
    Opinion.objects.in_community(community).filter(pk=late.pk).update(
        due_on=TODAY() - timedelta(days=1)
    )
    assert supervision.opinion_deadlines() == 2
    rows = Notification.objects.filter(kind="opinion_due", user=councillor)
    assert {(n.title_msgid, n.url.rstrip("/").rsplit("/", 1)[1]) for n in rows} == {
        ("A supervision opinion to %(body)s must be answered by %(due)s", str(soon.pk)),
        ("A supervision opinion to %(body)s is overdue: it was due %(due)s", str(late.pk)),
    }
    supervision.opinion_answer(actor=councillor, opinion=soon, answer="已答")
    assert supervision.opinion_deadlines() == 1  # answered ones are not reminded
