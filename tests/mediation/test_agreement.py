"""The agreement (调解协议书): its statutory content, editable until the first signature, signed
by each party for their own party only, by a mediator, sealed by the committee's head once
everyone signed; sealing concludes the case as agreed, journalled as the conventions say."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.journal import Activity
from gongzhi.mediation import proceedings
from gongzhi.mediation.models import Agreement, CaseStatus, Confirmation, ConfirmVia, Side
from tests.disclosure.helpers import png
from tests.mediation.world import case_of, committee_of, party

pytestmark = pytest.mark.django_db


def mediator(case):
    return case.assignments.get().mediator


def draft(case, **fields):
    values = {
        "facts": "乙方夜间装修产生噪音，对甲方休息造成影响。",
        "terms": "乙方晚十点后不再施工；甲方不再投诉。",
        "performance": "乙方自签署之日起履行。",
        "perform_by": timezone.localdate() + timedelta(days=14),
    }
    values.update(fields)
    return proceedings.agreement_draft(actor=mediator(case), case=case, **values)


def test_the_agreement_holds_the_statutory_content_sealed(community):
    case = case_of(community)
    agreement = draft(case)
    stored = Agreement.objects.in_community(community).get()
    assert stored.terms.startswith("乙方晚十点后")
    assert stored.perform_by == agreement.perform_by
    entry = Activity.objects.get(verb="mediation.agreement_drafted")
    assert entry.data == {} and not entry.target_id


@pytest.mark.parametrize("field", ["facts", "terms", "performance"])
def test_every_statutory_part_is_required(community, field):
    case = case_of(community)
    with pytest.raises(ValidationError) as error:
        draft(case, **{field: "   "})
    assert error.value.code == "agreement_incomplete"
    assert not Agreement.objects.in_community(community).exists()


def test_the_deadline_is_not_in_the_past(community):
    case = case_of(community)
    with pytest.raises(ValidationError) as error:
        draft(case, perform_by=timezone.localdate() - timedelta(days=1))
    assert error.value.code == "perform_by_past"


def test_editable_until_the_first_signature(community):
    case = case_of(community)
    draft(case)
    agreement = draft(case, terms="新的条款")
    assert Agreement.objects.in_community(community).count() == 1
    assert agreement.terms == "新的条款"
    proceedings.agreement_sign(actor=party(case).person, agreement=agreement)
    with pytest.raises(ValidationError) as error:
        draft(case, terms="再改")
    assert error.value.code == "agreement_signed"
    assert Agreement.objects.in_community(community).get().terms == "新的条款"


def test_a_party_signs_only_their_own_agreement(community):
    case = case_of(community)
    agreement = draft(case)
    other_case = case_of(community)
    outsider = party(other_case).person
    # a party of another case confirming this case's agreement: not theirs, nothing saved
    with pytest.raises(PermissionDenied):
        proceedings.agreement_sign(actor=outsider, agreement=agreement)
    # a party of this case trying to sign for the other party
    with pytest.raises(ValidationError) as error:
        proceedings.agreement_sign(
            actor=party(case).person, agreement=agreement, party=party(case, Side.RESPONDENT)
        )
    assert error.value.code == "not_your_agreement"
    assert "own party" in str(error.value.messages[0]) or error.value.messages[0]
    # the mediator is no party
    with pytest.raises(ValidationError) as error:
        proceedings.agreement_sign(actor=mediator(case), agreement=agreement)
    assert error.value.code == "not_your_agreement"
    assert not Confirmation.objects.in_community(community).exists()
    signed = proceedings.agreement_sign(actor=party(case).person, agreement=agreement)
    assert signed.party == party(case) and signed.via == ConfirmVia.PHONE
    with pytest.raises(ValidationError) as error:
        proceedings.agreement_sign(actor=party(case).person, agreement=agreement)
    assert error.value.code == "already_signed"


def test_sealing_needs_every_signature_then_concludes_the_case(community, worker):
    committee = committee_of(community, worker)
    case = case_of(community)
    agreement = draft(case)
    with pytest.raises(ValidationError) as error:
        proceedings.agreement_seal(actor=committee.head, agreement=agreement)
    assert error.value.code == "signatures_missing"
    proceedings.agreement_sign(actor=party(case).person, agreement=agreement)
    proceedings.agreement_paper_sign(
        actor=mediator(case), agreement=agreement, party=party(case, Side.RESPONDENT), scan=png()
    )
    with pytest.raises(ValidationError) as error:
        proceedings.agreement_seal(actor=committee.head, agreement=agreement)
    assert error.value.code == "signatures_missing"
    with pytest.raises(PermissionDenied):
        proceedings.agreement_mediator_sign(actor=party(case).person, agreement=agreement)
    proceedings.agreement_mediator_sign(actor=mediator(case), agreement=agreement)
    with pytest.raises(PermissionDenied):
        proceedings.agreement_seal(actor=mediator(case), agreement=agreement)
    proceedings.agreement_seal(actor=committee.head, agreement=agreement)
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED and case.concluded_at is not None
    entry = Activity.objects.get(verb="mediation.case_concluded")
    assert entry.data == {"outcome": "agreed", "days": 0}
    assert not entry.target_id and entry.actor == committee.head
    with pytest.raises(ValidationError) as error:
        proceedings.agreement_seal(actor=committee.head, agreement=agreement)
    assert error.value.code == "case_not_open"


def test_no_journal_entry_names_a_person_or_holds_text(community, worker):
    committee = committee_of(community, worker)
    case = case_of(community)
    agreement = draft(case)
    for side in (Side.APPLICANT, Side.RESPONDENT):
        proceedings.agreement_sign(actor=party(case, side).person, agreement=agreement)
    proceedings.agreement_mediator_sign(actor=mediator(case), agreement=agreement)
    proceedings.agreement_seal(actor=committee.head, agreement=agreement)
    for entry in Activity.objects.filter(verb__startswith="mediation."):
        assert not entry.target_id and entry.on_behalf_of_id is None
        assert set(entry.data) <= {"outcome", "days", "performance"}
    # The parties' signatures are there, without naming who signed.
    signed = Activity.objects.filter(verb="mediation.agreement_signed")
    assert signed.count() == 3
    assert set(signed.values_list("actor_id", flat=True)) == {None, mediator(case).pk}


def _ready_to_seal(community, worker):
    committee = committee_of(community, worker)
    case = case_of(community)
    agreement = draft(case)
    return committee, case, agreement


@pytest.mark.django_db(transaction=True)
def test_simultaneous_seals_conclude_the_case_once(live_server, community, worker):
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    committee, case, agreement = _ready_to_seal(community, worker)
    for side in (Side.APPLICANT, Side.RESPONDENT):
        proceedings.agreement_sign(actor=party(case, side).person, agreement=agreement)
    proceedings.agreement_mediator_sign(actor=mediator(case), agreement=agreement)
    _t, token = api_token_create(user=committee.head, name="t")
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/mediation/agreements/"
        f"{agreement.pk}/seal"
    )

    statuses = race_posts(url, token, [{} for _i in range(6)])

    assert statuses == [200] + [400] * 5
    assert Activity.objects.filter(verb="mediation.case_concluded").count() == 1
    assert Activity.objects.filter(verb="mediation.agreement_sealed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_signatures_of_one_party_keep_one(live_server, community, worker):
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    _committee, case, agreement = _ready_to_seal(community, worker)
    _t, token = api_token_create(user=party(case).person, name="t")
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/mediation/agreements/"
        f"{agreement.pk}/sign"
    )

    statuses = race_posts(url, token, [{} for _i in range(6)])

    assert statuses == [201] + [400] * 5
    assert Confirmation.objects.in_community(community).filter(agreement=agreement).count() == 1
