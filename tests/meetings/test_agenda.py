"""The agenda: items from proposals, staff, members and carried-over follow-ups; order,
withdrawal, documents, publication with the charter's notice period, versions and history.
Every refusal leaves nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from gongzhi.bodies.models import Charter
from gongzhi.core.models import Activity
from gongzhi.meetings import agenda
from gongzhi.meetings.models import (
    AgendaItem,
    AgendaVersion,
    Invitation,
    ItemSource,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from tests.factories import member
from tests.meetings.world import item_of, meeting_of, seated_council

pytestmark = pytest.mark.django_db


def entries(community, verb: str) -> list[Activity]:
    return list(Activity.objects.in_community(community).filter(verb=verb).order_by("pk"))


# --- record_item (no permission check: the minutes' carry-over and second sittings use it)


def test_record_item_appends_at_the_end_and_journals(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    item_of(meeting, "旧议题", position=1)
    item = agenda.record_item(
        meeting=meeting, title="加装电梯", source=ItemSource.STAFF, added_by=worker
    )
    assert item.position == 2 and item.community_id == community.pk
    [entry] = entries(community, "agenda.item_added")
    assert entry.actor == worker
    assert entry.data["meeting"] == meeting.pk and entry.data["item"] == item.pk
    assert entry.data["source"] == "staff" and entry.data["proposal"] is None


def test_record_item_by_the_system_has_no_actor(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    item = agenda.record_item(meeting=meeting, title="逾期事项", source=ItemSource.STAFF)
    [entry] = entries(community, "agenda.item_added")
    assert entry.actor is None and item.added_by is None
    assert AgendaItem.objects.in_community(community).count() == 1


# --- helpers


def under_review(community, author, *, category: str | None = "停车", title="在3号楼装电梯"):
    from gongzhi.deliberation.models import Category, Proposal, Status

    cat = None
    if category is not None:
        cat, _made = Category.objects.in_community(community).get_or_create(name=category)
    return Proposal.objects.in_community(community).create(
        author=author,
        title=title,
        body="老人上下楼太难了。",
        category=cat,
        status=Status.UNDER_REVIEW,
    )


def answering(*topics: str) -> list[dict]:
    return [{"kind": "answer_proposals", "max_amount_fen": None, "topics": list(topics)}]


def refused(excinfo) -> str:
    return excinfo.value.code


def items(meeting) -> list[tuple[int, str]]:
    return list(
        AgendaItem.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, withdrawn_at__isnull=True)
        .order_by("position")
        .values_list("position", "title")
    )


# --- items from staff and members


def test_staff_items_and_member_items_are_marked_by_who_added_them(community, worker):
    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    staff = agenda.item_add(actor=worker, meeting=meeting, title="年度预算", minutes_allotted=20)
    own = agenda.item_add(actor=people[0], meeting=meeting, title="楼道堆物")
    assert (staff.source, own.source) == (ItemSource.STAFF, ItemSource.MEMBER)
    assert items(meeting) == [(1, "年度预算"), (2, "楼道堆物")]


def test_a_resident_outside_the_body_cannot_add_items(community, worker, resident):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    with pytest.raises(PermissionDenied):
        agenda.item_add(actor=resident, meeting=meeting, title="我的事")
    assert not AgendaItem.objects.in_community(community).exists()
    assert not entries(community, "agenda.item_added")


def test_an_item_cannot_ask_for_a_decision_the_charter_does_not_grant(community, worker):
    body, _people = seated_council(community, worker, powers=answering("停车"))
    meeting = meeting_of(body, worker)
    with pytest.raises(ValidationError) as excinfo:
        agenda.item_add(actor=worker, meeting=meeting, title="发钱", decision_kind="answer_review")
    assert refused(excinfo) == "outside_charter"
    with pytest.raises(ValidationError) as excinfo:
        agenda.item_add(actor=worker, meeting=meeting, title="x", decision_kind="launch_rockets")
    assert refused(excinfo) == "unknown_decision_kind"
    assert not AgendaItem.objects.in_community(community).exists()


def test_a_closed_meeting_takes_no_more_items(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker, status=MeetingStatus.CLOSED)
    with pytest.raises(ValidationError) as excinfo:
        agenda.item_add(actor=worker, meeting=meeting, title="迟到的议题")
    assert refused(excinfo) == "meeting_closed"
    assert excinfo.value.messages == [
        gettext("This meeting is closed: its agenda can no longer change.")
    ]
    assert not AgendaItem.objects.in_community(community).exists()


# --- items from proposals


def test_a_worker_puts_a_proposal_on_the_agenda(community, worker, resident):
    body, _people = seated_council(community, worker, powers=answering("停车"))
    meeting = meeting_of(body, worker)
    proposal = under_review(community, resident)
    item = agenda.item_from_proposal(actor=worker, meeting=meeting, proposal=proposal)
    assert item.source == ItemSource.PROPOSAL and item.proposal == proposal
    assert item.presenter == resident and item.decision_kind == "answer_proposals"
    assert item.topic == "停车"
    [entry] = entries(community, "agenda.item_added")
    assert entry.data["source"] == "proposal" and entry.data["proposal"] == proposal.pk


def test_another_communitys_proposal_is_refused_and_nothing_saved(
    community, other_community, worker
):
    body, _people = seated_council(community, worker, powers=answering())
    meeting = meeting_of(body, worker)
    elsewhere = under_review(other_community, member(other_community))
    with pytest.raises(ValidationError) as excinfo:
        agenda.item_from_proposal(actor=worker, meeting=meeting, proposal=elsewhere)
    assert refused(excinfo) == "other_community"
    assert excinfo.value.messages == [
        gettext("This proposal belongs to another community: it cannot be on this agenda.")
    ]
    assert not AgendaItem.objects.in_community(community).exists()
    assert not entries(community, "agenda.item_added")


def test_a_proposal_not_on_the_councils_agenda_is_refused(community, worker, resident):
    from gongzhi.deliberation.models import Proposal, Status

    body, _people = seated_council(community, worker, powers=answering())
    meeting = meeting_of(body, worker)
    proposal = under_review(community, resident)
    Proposal.objects.in_community(community).filter(pk=proposal.pk).update(status=Status.GATHERING)
    proposal.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        agenda.item_from_proposal(actor=worker, meeting=meeting, proposal=proposal)
    assert refused(excinfo) == "proposal_not_on_agenda"
    assert not AgendaItem.objects.in_community(community).exists()


def test_a_proposal_is_on_one_meetings_agenda_at_a_time(community, worker, resident):
    body, _people = seated_council(community, worker, powers=answering())
    first = meeting_of(body, worker)
    second = meeting_of(body, worker, starts_in=timedelta(days=40))
    proposal = under_review(community, resident)
    agenda.item_from_proposal(actor=worker, meeting=first, proposal=proposal)
    with pytest.raises(ValidationError) as excinfo:
        agenda.item_from_proposal(actor=worker, meeting=second, proposal=proposal)
    assert refused(excinfo) == "proposal_already_on_agenda"
    assert second.items.count() == 0


def test_the_secretary_takes_covered_proposals_only_a_worker_assigns_others(
    community, worker, resident
):
    body, people = seated_council(community, worker, powers=answering("停车"))
    meeting = meeting_of(body, worker, secretary=people[0])
    parking = under_review(community, resident)
    noise = under_review(community, resident, category="噪音", title="广场舞太吵")
    agenda.item_from_proposal(actor=people[0], meeting=meeting, proposal=parking)
    with pytest.raises(ValidationError) as excinfo:
        agenda.item_from_proposal(actor=people[0], meeting=meeting, proposal=noise)
    assert refused(excinfo) == "outside_charter"
    item = agenda.item_from_proposal(actor=worker, meeting=meeting, proposal=noise)
    assert item.decision_kind == ""  # the body cannot answer it: discussed for information
    with pytest.raises(PermissionDenied):
        agenda.item_from_proposal(
            actor=people[1], meeting=meeting, proposal=under_review(community, resident)
        )


def test_a_proposal_is_offered_to_the_next_meeting_of_the_body_that_answers_it(
    community, worker, resident
):
    from gongzhi.meetings import agenda_selectors

    answers, _p = seated_council(community, worker, powers=answering("停车"))
    other, _q = seated_council(community, worker, name="业委会", powers=answering("绿化"))
    meeting_of(other, worker, starts_in=timedelta(days=2))  # earlier, but not its topic
    meeting_of(answers, worker, starts_in=timedelta(days=30))
    nearest = meeting_of(answers, worker, starts_in=timedelta(days=9))
    meeting_of(answers, worker, starts_in=timedelta(days=-3))  # past
    proposal = under_review(community, resident)
    assert agenda_selectors.waiting_proposals(answers) == [proposal]
    assert agenda_selectors.waiting_proposals(other) == []
    assert agenda_selectors.offer_for(proposal) == nearest
    item = agenda.proposal_offer(actor=worker, proposal=proposal)
    assert item.meeting == nearest
    assert agenda_selectors.waiting_proposals(answers) == []
    # withdrawn from that agenda, it waits again
    agenda.item_withdraw(actor=worker, item=item, reason="材料不全")
    assert agenda_selectors.waiting_proposals(answers) == [proposal]


def test_without_a_meeting_the_offer_is_refused(community, worker, resident):
    seated_council(community, worker, powers=answering("停车"))
    with pytest.raises(ValidationError) as excinfo:
        agenda.proposal_offer(actor=worker, proposal=under_review(community, resident))
    assert refused(excinfo) == "no_meeting"
    assert not AgendaItem.objects.in_community(community).exists()


# --- order and withdrawal


def test_items_move_and_the_others_close_up(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    a, b, c = (agenda.item_add(actor=worker, meeting=meeting, title=t) for t in "甲乙丙")
    agenda.item_move(actor=worker, item=c, position=1)
    assert items(meeting) == [(1, "丙"), (2, "甲"), (3, "乙")]
    agenda.item_move(actor=worker, item=c, position=99)
    assert items(meeting) == [(1, "甲"), (2, "乙"), (3, "丙")]
    agenda.item_withdraw(actor=worker, item=a)
    assert items(meeting) == [(1, "乙"), (2, "丙")]
    assert entries(community, "agenda.reordered")[0].data == {
        "meeting": meeting.pk,
        "item": c.pk,
        "from": 3,
        "to": 1,
    }
    with pytest.raises(ValidationError) as excinfo:
        agenda.item_move(actor=worker, item=a, position=1)
    assert refused(excinfo) == "item_withdrawn"


def test_a_member_withdraws_their_own_item_not_anothers(community, worker):
    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    own = agenda.item_add(actor=people[0], meeting=meeting, title="楼道堆物")
    staff = agenda.item_add(actor=worker, meeting=meeting, title="预算")
    with pytest.raises(PermissionDenied):
        agenda.item_withdraw(actor=people[0], item=staff)
    with pytest.raises(PermissionDenied):
        agenda.item_move(actor=people[0], item=own, position=2)
    agenda.item_withdraw(actor=people[0], item=own)
    assert items(meeting) == [(1, "预算")]


# --- publication, notice, versions


def test_publishing_too_late_is_refused_and_nothing_saved(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker, starts_in=timedelta(days=6))  # charter: 7 days
    agenda.item_add(actor=worker, meeting=meeting, title="预算")
    with pytest.raises(ValidationError) as excinfo:
        agenda.agenda_publish(actor=worker, meeting=meeting)
    assert refused(excinfo) == "notice_too_short"
    assert excinfo.value.messages == [
        ngettext(
            "Too late: the charter asks for the agenda to be published at least %(days)d day "
            "before the meeting. Move the meeting to a later date.",
            "Too late: the charter asks for the agenda to be published at least %(days)d days "
            "before the meeting. Move the meeting to a later date.",
            7,
        )
        % {"days": 7}
    ]
    assert not AgendaVersion.objects.in_community(community).exists()
    assert not Invitation.objects.in_community(community).exists()
    assert not entries(community, "agenda.published")


def test_an_extraordinary_meeting_needs_the_shorter_notice(community, worker):
    body, _people = seated_council(community, worker)
    Charter.objects.in_community(community).filter(body=body).update(extraordinary_notice_days=2)
    soon = meeting_of(
        body, worker, starts_in=timedelta(days=1), kind=MeetingKind.EXTRAORDINARY, title="急"
    )
    later = meeting_of(
        body, worker, starts_in=timedelta(days=3), kind=MeetingKind.EXTRAORDINARY, title="缓"
    )
    for meeting in (soon, later):
        agenda.item_add(actor=worker, meeting=meeting, title="暴雨抢修")
    with pytest.raises(ValidationError) as excinfo:
        agenda.agenda_publish(actor=worker, meeting=soon)
    assert refused(excinfo) == "notice_too_short"
    assert agenda.agenda_publish(actor=worker, meeting=later).number == 1


def test_publication_invites_the_members_once_and_later_versions_keep_the_history(
    community, worker
):
    from gongzhi.meetings import agenda_selectors

    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker, starts_in=timedelta(days=8))
    a = agenda.item_add(actor=worker, meeting=meeting, title="预算")
    b = agenda.item_add(actor=worker, meeting=meeting, title="路灯")
    first = agenda.agenda_publish(actor=worker, meeting=meeting)
    assert first.number == 1 and [e["title"] for e in first.items] == ["预算", "路灯"]
    invited = set(
        Invitation.objects.in_community(community)
        .filter(meeting=meeting)
        .values_list("person_id", flat=True)
    )
    assert invited == {p.pk for p in people}
    with pytest.raises(ValidationError) as excinfo:
        agenda.agenda_publish(actor=worker, meeting=meeting)
    assert refused(excinfo) == "agenda_unchanged"
    # two days before the meeting: within the notice period a new version is still allowed
    Meeting.objects.in_community(community).filter(pk=meeting.pk).update(
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=2),
    )
    meeting.refresh_from_db()
    agenda.item_add(actor=worker, meeting=meeting, title="电梯")
    agenda.item_move(actor=worker, item=b, position=1)
    agenda.item_withdraw(actor=worker, item=a)
    second = agenda.agenda_publish(actor=worker, meeting=meeting, note="加了电梯")
    assert second.number == 2
    assert Invitation.objects.in_community(community).filter(meeting=meeting).count() == 5
    newest, oldest = agenda_selectors.history(meeting)
    assert oldest.first and newest.version == second
    assert newest.added == ["电梯"] and newest.removed == ["预算"]
    assert newest.moved == [] and newest.changed == []  # 路灯 stayed first among the kept
    published = entries(community, "agenda.published")
    assert [e.data["version"] for e in published] == [1, 2]


def test_history_names_moved_and_changed_items(community, worker):
    from gongzhi.meetings import agenda_selectors

    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    a = agenda.item_add(actor=worker, meeting=meeting, title="预算")
    agenda.item_add(actor=worker, meeting=meeting, title="路灯")
    agenda.agenda_publish(actor=worker, meeting=meeting)
    agenda.item_move(actor=worker, item=a, position=2)
    agenda.item_change(actor=worker, item=a, title="预算", minutes_allotted=30)
    agenda.agenda_publish(actor=worker, meeting=meeting)
    newest = agenda_selectors.history(meeting)[0]
    assert newest.moved == [("路灯", 2, 1), ("预算", 1, 2)]
    assert newest.changed == ["预算"]


def test_an_empty_agenda_is_not_published(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    with pytest.raises(ValidationError) as excinfo:
        agenda.agenda_publish(actor=worker, meeting=meeting)
    assert refused(excinfo) == "agenda_empty"


def test_only_those_who_run_the_meeting_publish(community, worker):
    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    agenda.item_add(actor=people[0], meeting=meeting, title="楼道堆物")
    with pytest.raises(PermissionDenied):
        agenda.agenda_publish(actor=people[0], meeting=meeting)
    assert not AgendaVersion.objects.in_community(community).exists()


# --- documents


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_documents_are_checked_by_their_content(community, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    item = agenda.item_add(actor=worker, meeting=meeting, title="预算")
    document = agenda.document_add(
        actor=worker, item=item, file=SimpleUploadedFile("预算表.pdf", PDF), title=""
    )
    assert document.content_type == "application/pdf" and document.name.endswith(".pdf")
    assert document.title == document.name and document.size == len(PDF)
    with pytest.raises(ValidationError) as excinfo:
        agenda.document_add(
            actor=worker, item=item, file=SimpleUploadedFile("a.pdf", b"MZ not a pdf")
        )
    assert refused(excinfo) == "upload_type"
    assert item.documents.count() == 1


# --- the meeting page's part


def test_the_public_sees_the_published_version_staff_the_working_list(community, worker):
    from django.contrib.auth.models import AnonymousUser

    body, _people = seated_council(community, worker, powers=answering())
    meeting = meeting_of(body, worker)
    agenda.item_add(actor=worker, meeting=meeting, title="预算")
    anonymous = agenda.page_context(meeting, AnonymousUser())
    assert anonymous["agenda_version"] is None and anonymous["agenda_items"] is None
    agenda.agenda_publish(actor=worker, meeting=meeting)
    agenda.item_add(actor=worker, meeting=meeting, title="还没公布")
    anonymous = agenda.page_context(meeting, AnonymousUser())
    assert [e["title"] for e in anonymous["agenda_published"]] == ["预算"]
    assert "agenda_waiting" not in anonymous
    staff = agenda.page_context(meeting, worker)
    assert [i.title for i in staff["agenda_items"]] == ["预算", "还没公布"]
    assert staff["agenda_waiting"] == [] and staff["agenda_publish_form"] is not None
