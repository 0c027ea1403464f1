"""Intake: a resident's application, a worker's walk-in, a hotline ticket referred with the
reporter's consent; the parties' consent or refusal (mediation is voluntary). The journal
records the verb, the kind and the channel only; notifications say nothing of the case."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Activity, Role
from gongzhi.feedback import services as hotline
from gongzhi.feedback.models import EventKind, Status, TicketEvent
from gongzhi.mediation import services
from gongzhi.mediation.models import Case, CaseStatus, Channel, Party, Side
from gongzhi.notifications.models import Notification
from tests.factories import member
from tests.mediation.world import case_of, committee_of, party

pytestmark = pytest.mark.django_db

SUMMARY = "楼上邻居每晚十一点后还在装修，多次沟通无果。"


@pytest.fixture
def committee(community, worker):
    return committee_of(community, worker)


def _journal(community, verb):
    return list(Activity.objects.in_community(community).filter(verb=verb))


def test_a_resident_applies_against_a_neighbour_found_by_phone(community, committee, resident):
    neighbour = member(community, display_name="楼上邻居")
    case = services.case_apply(
        actor=resident,
        community=community,
        kind="noise",
        summary=SUMMARY,
        respondent_phone=neighbour.phone,
    )
    assert case.status == CaseStatus.APPLIED and case.channel == Channel.APPLICATION
    assert case.number == f"{community.slug.upper()}-M{case.opened_at.year}-000001"
    applicant, respondent = party(case, Side.APPLICANT), party(case, Side.RESPONDENT)
    assert applicant.person == resident and applicant.consented_at is not None
    assert respondent.person == neighbour and respondent.consented_at is None
    assert respondent.name == "楼上邻居"
    assert Case.objects.in_community(community).get(pk=case.pk).summary == SUMMARY
    (entry,) = _journal(community, "mediation.case_opened")
    # A party's own act: no actor (the staff read the journal), no kind (what it is about).
    assert not entry.target_id and entry.actor is None
    assert entry.data == {"channel": "application"}
    told = Notification.objects.filter(kind="mediation_case")
    assert {n.user_id for n in told} == {neighbour.pk, committee.head_id}
    for n in told:
        assert n.params in ({}, None) and SUMMARY not in str(n.__dict__)
        assert case.number not in str(n.__dict__) and "楼上邻居" not in str(n.__dict__)


def test_numbers_run_per_community_and_year(community, committee, resident):
    first = services.case_apply(
        actor=resident, community=community, kind="pets", summary="狗", respondent_name="物业公司"
    )
    second = services.case_apply(
        actor=resident, community=community, kind="pets", summary="狗", respondent_name="物业公司"
    )
    assert first.number.endswith("-000001") and second.number.endswith("-000002")


def test_an_organisation_is_named_and_a_stranger_is_kept_by_phone(community, committee, resident):
    company = services.case_apply(
        actor=resident,
        community=community,
        kind="property_service",
        summary="物业不修漏水",
        respondent_name="幸福物业公司",
    )
    row = party(company, Side.RESPONDENT)
    assert row.person is None and row.name == "幸福物业公司"
    stranger = services.case_apply(
        actor=resident,
        community=community,
        kind="leak",
        summary="漏水",
        respondent_phone="13900001111",
    )
    row = party(stranger, Side.RESPONDENT)
    assert row.person is None and row.contact == "+8613900001111"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "gossip"}, "kind_unknown"),
        ({"summary": "   "}, "summary_missing"),
        ({"summary": "x" * 5001}, "summary_too_long"),
        ({"respondent_name": "", "respondent_phone": ""}, "respondent_missing"),
        ({"respondent_name": "", "respondent_phone": "123"}, "phone_invalid"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_saved(
    community, committee, resident, fields, code
):
    data = {"kind": "noise", "summary": SUMMARY, "respondent_name": "邻居", **fields}
    with pytest.raises(ValidationError) as error:
        services.case_apply(actor=resident, community=community, **data)
    assert error.value.code == code
    assert not Case.objects.in_community(community).exists()
    assert not _journal(community, "mediation.case_opened")


def test_nobody_applies_against_themself(community, committee, resident):
    with pytest.raises(ValidationError) as error:
        services.case_apply(
            actor=resident,
            community=community,
            kind="noise",
            summary=SUMMARY,
            respondent_phone=resident.phone,
        )
    assert error.value.code == "respondent_is_applicant"


def test_only_verified_residents_apply_and_only_with_a_committee(
    community, worker, resident, unverified
):
    with pytest.raises(ValidationError) as error:
        services.case_apply(
            actor=resident, community=community, kind="noise", summary="x", respondent_name="y"
        )
    assert error.value.code == "no_committee"
    committee_of(community, worker)
    with pytest.raises(PermissionDenied):
        services.case_apply(
            actor=unverified, community=community, kind="noise", summary="x", respondent_name="y"
        )


def test_a_worker_registers_a_walk_in_for_someone_without_an_account(
    community, committee, worker, resident
):
    case = services.case_register(
        actor=worker,
        community=community,
        kind="boundary",
        summary="围墙占地",
        applicant_phone="13900002222",
        applicant_name="李大爷",
        respondent_phone=resident.phone,
    )
    applicant = party(case, Side.APPLICANT)
    assert case.channel == Channel.WALK_IN
    assert applicant.person is None and applicant.name == "李大爷"
    assert applicant.contact == "+8613900002222" and applicant.consented_at is not None
    assert party(case, Side.RESPONDENT).person == resident
    (entry,) = _journal(community, "mediation.case_opened")
    assert entry.actor == worker and entry.on_behalf_of_id is None and not entry.target_id
    assert entry.data == {"channel": "walk_in"}


def test_a_walk_in_of_a_member_links_them_and_names_nobody_in_the_journal(
    community, committee, worker, resident
):
    case = services.case_register(
        actor=worker,
        community=community,
        kind="noise",
        summary=SUMMARY,
        applicant_phone=resident.phone,
        respondent_name="隔壁",
    )
    assert party(case, Side.APPLICANT).person == resident
    (entry,) = _journal(community, "mediation.case_opened")
    assert entry.on_behalf_of_id is None


def test_walk_ins_need_a_worker_and_an_applicant(community, committee, resident, worker):
    with pytest.raises(PermissionDenied):
        services.case_register(
            actor=resident,
            community=community,
            kind="noise",
            summary="x",
            applicant_phone="13900002222",
            applicant_name="李",
            respondent_name="y",
        )
    with pytest.raises(ValidationError) as error:
        services.case_register(
            actor=worker,
            community=community,
            kind="noise",
            summary="x",
            applicant_phone="13900002222",
            respondent_name="y",
        )
    assert error.value.code == "applicant_missing"


# --- The hotline -------------------------------------------------------------------------------


@pytest.fixture
def dispute(community, resident, worker):
    hotline.categories_install_defaults(community=community)
    return hotline.ticket_file(
        actor=resident, community=community, text=SUMMARY, category="neighbour_dispute"
    )


def test_a_ticket_moves_only_with_the_reporters_consent(
    community, committee, worker, resident, dispute
):
    neighbour = member(community)
    with pytest.raises(ValidationError) as error:
        services.referral_consent(
            actor=resident, ticket=dispute, kind="noise", respondent_phone=neighbour.phone
        )
    assert error.value.code == "no_offer"
    services.referral_offer(actor=worker, ticket=dispute)
    dispute.refresh_from_db()
    assert dispute.status != Status.CLOSED
    assert not Case.objects.in_community(community).exists()
    with pytest.raises(PermissionDenied):
        services.referral_consent(actor=neighbour, ticket=dispute, respondent_name="x")
    case = services.referral_consent(
        actor=resident, ticket=dispute, kind="noise", respondent_phone=neighbour.phone
    )
    assert case.channel == Channel.HOTLINE and case.ticket_id == dispute.pk
    assert Case.objects.in_community(community).get(pk=case.pk).summary == SUMMARY
    assert party(case, Side.APPLICANT).person == resident
    dispute.refresh_from_db()
    assert dispute.status == Status.CLOSED
    closing = TicketEvent.objects.in_community(community).filter(
        ticket=dispute, kind=EventKind.CLOSED
    )
    (event,) = closing
    assert event.public and "noise" not in event.note and SUMMARY not in event.note
    (entry,) = _journal(community, "mediation.case_opened")
    assert entry.data == {"channel": "hotline"} and not entry.target_id
    assert entry.actor is None  # the reporter is a party now
    with pytest.raises(ValidationError):
        services.referral_consent(actor=resident, ticket=dispute, respondent_name="x")
    assert Case.objects.in_community(community).count() == 1


def test_only_a_neighbour_dispute_is_offered_and_only_by_its_handlers(
    community, committee, worker, resident, dispute
):
    with pytest.raises(PermissionDenied):
        services.referral_offer(actor=resident, ticket=dispute)
    other = hotline.ticket_file(
        actor=resident, community=community, text="路灯坏了", category="parking"
    )
    if other.category is not None and other.category.code != "neighbour_dispute":
        with pytest.raises(ValidationError) as error:
            services.referral_offer(actor=worker, ticket=other)
        assert error.value.code == "not_a_dispute"
    services.referral_offer(actor=worker, ticket=dispute)
    with pytest.raises(ValidationError) as error:
        services.referral_offer(actor=worker, ticket=dispute)
    assert error.value.code == "already_offered"


# --- Parties' consent ----------------------------------------------------------------------


def test_the_respondent_consents_for_themself_only(community, committee, resident):
    neighbour = member(community)
    case = services.case_apply(
        actor=resident,
        community=community,
        kind="noise",
        summary=SUMMARY,
        respondent_phone=neighbour.phone,
    )
    with pytest.raises(ValidationError) as error:
        services.party_consent(actor=resident, case=case)
    assert error.value.code == "already_consented"
    with pytest.raises(PermissionDenied):
        services.party_consent(actor=member(community), case=case)
    row = services.party_consent(actor=neighbour, case=case)
    assert row.side == Side.RESPONDENT and row.consented_at is not None
    with pytest.raises(ValidationError) as error:
        services.party_consent(actor=resident, case=case, party=party(case, Side.RESPONDENT))
    assert error.value.code == "not_your_party"


def test_a_refusal_ends_the_case_as_not_taken_up(community, committee, resident):
    neighbour = member(community)
    case = services.case_apply(
        actor=resident,
        community=community,
        kind="noise",
        summary=SUMMARY,
        respondent_phone=neighbour.phone,
    )
    services.party_refuse(actor=neighbour, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.DECLINED and case.concluded_at is not None
    assert party(case, Side.RESPONDENT).refused_at is not None
    (entry,) = _journal(community, "mediation.case_declined")
    assert entry.data == {} and not entry.target_id and entry.actor is None
    with pytest.raises(ValidationError) as error:
        services.party_consent(actor=neighbour, case=case)
    assert error.value.code == "case_concluded"


def test_the_head_records_the_answer_of_a_company(community, committee, resident):
    case = services.case_apply(
        actor=resident,
        community=community,
        kind="property_service",
        summary=SUMMARY,
        respondent_name="幸福物业",
    )
    company = party(case, Side.RESPONDENT)
    with pytest.raises(PermissionDenied):
        services.party_consent(actor=member(community), case=case, party=company)
    services.party_consent(actor=committee.head, case=case, party=company)
    assert Party.objects.in_community(community).get(pk=company.pk).consented_at is not None


def test_a_worker_who_registered_a_case_cannot_answer_for_it(community, committee, worker):
    case = case_of(community, status=CaseStatus.APPLIED, mediator=False)
    with pytest.raises(PermissionDenied):
        services.party_refuse(actor=worker, case=case)
    assert Case.objects.in_community(community).get(pk=case.pk).status == CaseStatus.APPLIED


def test_a_mediator_role_alone_gives_nothing(community, committee):
    someone = member(community, Role.MEDIATOR)
    case = case_of(community, status=CaseStatus.APPLIED, mediator=False)
    with pytest.raises(PermissionDenied):
        services.party_consent(actor=someone, case=case)


def test_the_hotline_imports_nothing_of_mediation():
    """The referral lives in mediation; the hotline only links to it by URL name."""
    from pathlib import Path

    import gongzhi.feedback

    for source in Path(gongzhi.feedback.__file__).parent.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "gongzhi.mediation" not in text and "from gongzhi import mediation" not in text, (
            source
        )
