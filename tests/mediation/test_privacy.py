"""A person's copy of their mediation cases holds their own case and nothing of the other party;
erasure unlinks them from their cases and leaves the other party's record whole."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from gongzhi.core.privacy import person_erase, person_export_json
from gongzhi.mediation import privacy
from gongzhi.mediation.models import (
    Agreement,
    Confirmation,
    ConfirmVia,
    Party,
    Side,
    Sitting,
)
from tests.factories import member
from tests.mediation.world import case_of, committee_of, party

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def full_case(community, worker):
    me = member(community, display_name="王阿姨", email="wang@example.com")
    other = member(community, display_name="赵先生", email="zhao@example.com")
    committee_of(community, worker)
    case = case_of(community, me, other, summary="SUMMARY-4411 楼上漏水")
    mine = party(case)
    mine.contact = "CONTACT-MINE 13900000000"
    mine.save()
    theirs = party(case, Side.RESPONDENT)
    theirs.contact = "CONTACT-THEIRS 13800000000"
    theirs.save()
    mediator = case.assignments.get().mediator
    sitting = Sitting.objects.in_community(community).create(
        case=case,
        held_at=timezone.now(),
        place="居委会调解室",
        notes="NOTES-5522 双方陈述",
        recorded_by=mediator,
    )
    Confirmation.objects.in_community(community).create(
        party=mine, sitting=sitting, via=ConfirmVia.PHONE
    )
    agreement = Agreement.objects.in_community(community).create(
        case=case,
        facts="FACTS-6633",
        terms="TERMS-7744",
        performance="PERF-8855",
        perform_by=timezone.localdate() + timedelta(days=10),
        drafted_by=mediator,
    )
    Confirmation.objects.in_community(community).create(
        party=mine, agreement=agreement, via=ConfirmVia.PHONE
    )
    return {"me": me, "other": other, "case": case, "mediator": mediator}


def test_covers_every_reference_to_a_person_in_mediation_models():
    references = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_app_config("mediation").get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    }
    assert references == privacy.COVERS


def test_the_export_holds_my_case_and_not_the_other_partys_data(full_case):
    with translation.override("en"):
        data = person_export_json(full_case["me"])["mediation"]
    text = json.dumps(data, ensure_ascii=False)
    [case] = data["cases"]
    assert case["number"] == full_case["case"].number
    assert case["summary"] == "SUMMARY-4411 楼上漏水"
    assert case["my_party"]["name"] == "王阿姨"
    assert case["my_party"]["contact"] == "CONTACT-MINE 13900000000"
    assert case["my_party"]["other_parties"] == [{"side": "respondent", "who": "the other party"}]
    assert case["sittings"][0]["notes"] == "NOTES-5522 双方陈述"
    assert case["sittings"][0]["confirmed_at"]
    assert case["agreement"]["terms"] == "TERMS-7744"
    assert case["agreement"]["signed_by_me_at"]
    other = full_case["other"]
    for theirs in ("赵先生", "zhao@example.com", other.phone, "CONTACT-THEIRS"):
        assert theirs not in text
    assert str(other.pk) not in {str(v) for v in case["my_party"].values()}


def test_a_mediator_exports_their_assignments_not_the_case(full_case):
    data = person_export_json(full_case["mediator"])["mediation"]
    text = json.dumps(data, ensure_ascii=False)
    assert data["mediated"][0]["number"] == full_case["case"].number
    assert data["cases"] == []
    for secret in ("SUMMARY-4411", "NOTES-5522", "TERMS-7744", "王阿姨", "赵先生"):
        assert secret not in text


def test_someone_with_no_case_exports_empty_sections(community):
    data = person_export_json(member(community))["mediation"]
    assert data == {"cases": [], "mediated": [], "committee": []}


def test_erasure_unlinks_the_party_and_keeps_the_other_partys_record(full_case, community):
    me, other, case = full_case["me"], full_case["other"], full_case["case"]
    done = person_erase(me)["mediation"]
    assert done == {"contacts": 1, "cases": 1}
    mine = Party.objects.in_community(community).get(case=case, side=Side.APPLICANT)
    assert mine.person is None and mine.contact == ""
    # the record stays whole for the other party: their row, the case, the agreement, the notes
    assert mine.name == "王阿姨"
    theirs = Party.objects.in_community(community).get(case=case, side=Side.RESPONDENT)
    assert theirs.person == other and theirs.contact == "CONTACT-THEIRS 13800000000"
    assert Agreement.objects.in_community(community).get(case=case).terms == "TERMS-7744"
    assert person_export_json(other)["mediation"]["cases"][0]["summary"] == (
        "SUMMARY-4411 楼上漏水"
    )
    assert person_export_json(me)["mediation"]["cases"] == []


def test_erasing_a_mediator_keeps_their_acts(full_case, community):
    mediator = full_case["mediator"]
    assert person_erase(mediator)["mediation"] == {"contacts": 0, "cases": 0}
    assert full_case["case"].assignments.get().mediator == mediator
