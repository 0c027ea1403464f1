"""Recognition lists: a worker proposes, a body whose charter grants the power decides (through
the bodies' decision record), never the proposer; only volunteers who agreed to public lists are
named, and one who later leaves public lists disappears from what is shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongzhi.bodies.models import Decision
from gongzhi.core.models import Activity, RegisterEntry
from gongzhi.notifications.models import Notification
from gongzhi.volunteering import honour_selectors as selectors
from gongzhi.volunteering import honours
from gongzhi.volunteering.models import RecognitionEntry, RecognitionList, RecognitionStatus
from tests.factories import member
from tests.meetings.world import seated_council
from tests.volunteering.world import volunteer_of

POWER = {"kind": honours.RECOGNITION_KIND, "max_amount_fen": None, "topics": []}
YEAR = timezone.localdate().year


@pytest.fixture
def council(community, worker):
    return seated_council(community, worker, powers=[POWER])


def proposal(community, worker, body, volunteers, **fields):
    return honours.recognition_propose(
        actor=worker,
        community=community,
        body=body,
        year=fields.pop("year", YEAR),
        title=fields.pop("title", f"{YEAR}年度优秀志愿者"),
        citation=fields.pop("citation", "感谢一年来的付出"),
        entries=fields.pop("entries", [(v, "坚持花园养护") for v in volunteers]),
    )


def approve(recognition, actor, **counts):
    values = {"present": 5, "votes_for": 4, "votes_against": 0, "abstentions": 1}
    values.update(counts)
    return honours.recognition_decide(actor=actor, recognition=recognition, approve=True, **values)


def public(community):
    return volunteer_of(community, on_public_lists=True)


@pytest.mark.django_db
def test_a_proposed_list_approved_by_a_council_member_is_recorded_as_the_bodys_decision(
    community, worker, council
):
    body, people = council
    named = [public(community), public(community)]
    recognition = proposal(community, worker, body, named)
    assert recognition.status == RecognitionStatus.PROPOSED
    assert (
        RecognitionEntry.objects.in_community(community).filter(recognition=recognition).count()
        == 2
    )
    # the council's sitting members are told it waits for them
    assert Notification.objects.filter(kind="recognition_waiting", user__in=people).count() == 5

    recognition = approve(recognition, people[0])
    assert recognition.status == RecognitionStatus.APPROVED
    decision = Decision.objects.in_community(community).get(pk=recognition.decision_id)
    assert decision.kind == honours.RECOGNITION_KIND
    assert decision.body == body and decision.votes_for == 4
    assert (
        RegisterEntry.objects.in_community(community).filter(kind=honours.RECOGNITION_KIND).exists()
    )
    verbs = set(Activity.objects.in_community(community).values_list("verb", flat=True))
    assert {"recognition.proposed", "recognition.decided"} <= verbs
    recognised = Notification.objects.filter(kind="volunteer_recognised")
    assert {n.user_id for n in recognised} == {v.person_id for v in named}
    assert Notification.objects.filter(kind="recognition_decided", user=worker).exists()


@pytest.mark.django_db
def test_the_proposer_never_decides_their_own_list(community, worker, council):
    body, _people = council
    recognition = proposal(community, worker, body, [public(community)])
    with pytest.raises(ValidationError) as refused:
        approve(recognition, worker)
    assert refused.value.code == "own_proposal"
    recognition.refresh_from_db()
    assert recognition.status == RecognitionStatus.PROPOSED
    assert not Decision.objects.in_community(community).exists()


@pytest.mark.django_db
def test_another_worker_may_record_the_decision(community, worker, council):
    body, _people = council
    recognition = proposal(community, worker, body, [public(community)])
    colleague = member(community, "community_worker")
    assert approve(recognition, colleague).status == RecognitionStatus.APPROVED


@pytest.mark.django_db
def test_someone_outside_the_body_cannot_decide(community, worker, council, resident):
    body, _people = council
    recognition = proposal(community, worker, body, [public(community)])
    with pytest.raises(PermissionDenied):
        approve(recognition, resident)


@pytest.mark.django_db
def test_the_charters_quorum_applies_and_nothing_is_saved(community, worker, council):
    body, people = council
    recognition = proposal(community, worker, body, [public(community)])
    with pytest.raises(ValidationError):
        approve(recognition, people[0], present=2, votes_for=2, abstentions=0)
    recognition.refresh_from_db()
    assert recognition.status == RecognitionStatus.PROPOSED
    assert not Decision.objects.in_community(community).exists()


@pytest.mark.django_db
def test_rejection_needs_a_reason(community, worker, council):
    body, people = council
    recognition = proposal(community, worker, body, [public(community)])
    with pytest.raises(ValidationError) as refused:
        honours.recognition_decide(actor=people[1], recognition=recognition, approve=False)
    assert refused.value.code == "reason_missing"
    rejected = honours.recognition_decide(
        actor=people[1], recognition=recognition, approve=False, reason="名单还需征求居民意见"
    )
    assert rejected.status == RecognitionStatus.REJECTED
    assert rejected.reason == "名单还需征求居民意见"
    assert rejected.decision is None
    # decided once: a second decision is refused
    with pytest.raises(ValidationError) as again:
        approve(recognition, people[2])
    assert again.value.code == "not_proposed"


@pytest.mark.django_db
def test_only_volunteers_on_public_lists_may_be_named(community, worker, council):
    body, _people = council
    private = volunteer_of(community)
    with pytest.raises(ValidationError) as refused:
        proposal(community, worker, body, [public(community), private])
    assert refused.value.code == "not_on_public_lists"
    assert not RecognitionList.objects.in_community(community).exists()


@pytest.mark.django_db
def test_bad_proposals_are_refused_with_clear_messages(community, worker, council, other_community):
    body, _people = council
    someone = public(community)
    cases = {
        "no_entries": {"entries": []},
        "title_missing": {"title": "  "},
        "year_invalid": {"year": YEAR + 5},
        "citation_missing": {"entries": [(someone, " ")]},
        "duplicate_entry": {"entries": [(someone, "甲"), (someone, "乙")]},
        "volunteer_unknown": {
            "entries": [(volunteer_of(other_community, on_public_lists=True), "甲")]
        },
        "own_nomination": {
            "entries": [(volunteer_of(community, worker, on_public_lists=True), "甲")]
        },
    }
    for code, fields in cases.items():
        with pytest.raises(ValidationError) as refused:
            proposal(community, worker, body, [someone], **fields)
        assert refused.value.code == code, code
    assert not RecognitionList.objects.in_community(community).exists()


@pytest.mark.django_db
def test_a_body_without_the_power_cannot_receive_a_list(community, worker):
    body, _people = seated_council(community, worker, name="业委会")  # default powers only
    with pytest.raises(ValidationError) as refused:
        proposal(community, worker, body, [public(community)])
    assert refused.value.code == "outside_charter"


@pytest.mark.django_db
def test_only_workers_propose(community, council, resident):
    body, people = council
    with pytest.raises(PermissionDenied):
        proposal(community, people[0], body, [public(community)])
    with pytest.raises(PermissionDenied):
        proposal(community, resident, body, [public(community)])


@pytest.mark.django_db
def test_a_volunteer_who_leaves_public_lists_disappears_from_the_public_list(
    community, worker, council
):
    body, people = council
    stays, leaves = public(community), public(community)
    recognition = approve(proposal(community, worker, body, [stays, leaves]), people[0])
    shown = selectors.approved_lists(community)[0].named
    assert {n.volunteer_id for n in shown} == {stays.pk, leaves.pk}
    leaves.on_public_lists = False
    leaves.save(update_fields=["on_public_lists"])
    shown = selectors.approved_lists(community)[0].named
    assert [n.volunteer_id for n in shown] == [stays.pk]
    # a visitor sees the same; staff still see the whole record
    assert len(selectors.entries_shown(recognition, member(community))) == 1
    assert len(selectors.entries_shown(recognition, worker)) == 2
    # the volunteer still sees it on their own page
    assert selectors.recognitions_of(leaves) == [recognition]


@pytest.mark.django_db
def test_public_names_are_alphabetical_never_by_hours(community, worker, council):
    body, people = council
    names = ["王芳", "李明", "张伟", "陈静"]
    volunteers = [
        volunteer_of(community, member(community, display_name=name), on_public_lists=True)
        for name in names
    ]
    approve(proposal(community, worker, body, volunteers), people[0])
    shown = [n.name for n in selectors.approved_lists(community)[0].named]
    assert shown == ["陈静", "李明", "王芳", "张伟"]  # chen, li, wang, zhang


@pytest.mark.django_db
def test_pending_lists_are_not_public(community, worker, council, resident):
    body, people = council
    recognition = proposal(community, worker, body, [public(community)])
    assert selectors.pending_lists(community, resident) == []
    assert selectors.pending_lists(community, people[0]) == [recognition]
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.recognition_get(
            community=community, viewer=resident, recognition_id=recognition.pk
        )


@pytest.mark.django_db
def test_withdrawn_by_the_proposer(community, worker, council, resident):
    body, _people = council
    recognition = proposal(community, worker, body, [public(community)])
    with pytest.raises(PermissionDenied):
        honours.recognition_withdraw(actor=resident, recognition=recognition)
    withdrawn = honours.recognition_withdraw(actor=worker, recognition=recognition)
    assert withdrawn.status == RecognitionStatus.WITHDRAWN


@pytest.mark.django_db
def test_refusals_are_translated(community, worker, council):
    body, _people = council
    private = volunteer_of(community)
    for language, word in (("en", "public lists"), ("zh-hans", "公开")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            proposal(community, worker, body, [private])
        if language == "en":
            assert word in refused.value.messages[0]
        else:
            # the catalogue is filled at the end; until then the English msgid is shown
            assert refused.value.messages[0]


@pytest.mark.django_db
def test_a_decision_dated_before_the_proposal_is_refused(community, worker, council):
    body, people = council
    recognition = proposal(community, worker, body, [public(community)])
    with pytest.raises(ValidationError) as refused:
        approve(recognition, people[0], decided_on=timezone.localdate() - timedelta(days=3))
    assert refused.value.code == "decided_before_proposal"
    decided = approve(recognition, people[0], decided_on=timezone.localdate())
    assert decided.decision.decided_on == timezone.localdate()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_decisions_on_one_list_record_one(live_server, community, worker, council):
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    body, people = council
    recognition = proposal(community, worker, body, [public(community)])
    tokens = [api_token_create(user=person, name="t")[1] for person in people[:4]]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/volunteering/"
        f"recognition-lists/{recognition.pk}/decision"
    )
    vote = {"approve": True, "present": 5, "votes_for": 5}

    statuses = race_posts(url, tokens, [vote] * 4)

    assert statuses == [200] + [400] * 3
    assert (
        Decision.objects.in_community(community).filter(kind=honours.RECOGNITION_KIND).count() == 1
    )
