"""Sessions and their notes: a mediator records them; each party confirms the notes on their
phone for their own party only, once; a paper signature is recorded by a mediator with a scan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.journal import Activity
from gongzhi.mediation import proceedings
from gongzhi.mediation.models import CaseStatus, Confirmation, ConfirmVia, Side, Sitting
from tests.disclosure.helpers import pdf, png
from tests.factories import member
from tests.mediation.world import case_of, committee_of, mediator_of, party

pytestmark = pytest.mark.django_db

NOTES = "双方同意夜间十点后停止施工。"


def _mediator(case):
    return case.assignments.get().mediator


def _sitting(case, **fields):
    return proceedings.sitting_record(
        actor=_mediator(case),
        case=case,
        held_at=fields.pop("held_at", timezone.now() - timedelta(hours=1)),
        place=fields.pop("place", "社区调解室"),
        notes=fields.pop("notes", NOTES),
        **fields,
    )


def test_a_mediator_records_a_session_sealed_and_journalled_without_content(community, worker):
    committee_of(community, worker)
    case = case_of(community)
    sitting = _sitting(case)
    assert Sitting.objects.in_community(community).get().notes == NOTES
    entry = Activity.objects.get(verb="mediation.sitting_recorded")
    assert not entry.target_id and entry.target_type_id is None
    assert entry.data == {}
    assert sitting.recorded_by == _mediator(case)


@pytest.mark.parametrize("who", ["worker", "party", "head", "stranger_mediator"])
def test_only_a_mediator_on_the_case_records_a_session(community, worker, who):
    committee = committee_of(community, worker)
    case = case_of(community)
    actor = {
        "worker": worker,
        "party": party(case).person,
        "head": committee.head,
        "stranger_mediator": mediator_of(community),
    }[who]
    with pytest.raises(PermissionDenied):
        proceedings.sitting_record(
            actor=actor, case=case, held_at=timezone.now(), place="", notes=NOTES
        )
    assert not Sitting.objects.in_community(community).exists()


def test_bad_sessions_are_refused(community):
    case = case_of(community)
    with pytest.raises(ValidationError) as error:
        _sitting(case, notes="  ")
    assert error.value.code == "notes_missing"
    with pytest.raises(ValidationError) as error:
        _sitting(case, held_at=timezone.now() + timedelta(days=1))
    assert error.value.code == "sitting_in_future"
    closed = case_of(community, status=CaseStatus.APPLIED)
    with pytest.raises(ValidationError) as error:
        _sitting(closed)
    assert error.value.code == "case_not_open"
    assert not Sitting.objects.in_community(community).exists()


def test_a_session_with_only_a_scan_of_paper_notes(community):
    case = case_of(community)
    sitting = _sitting(case, notes="", scan=pdf("笔录.pdf"))
    assert sitting.scan.name.startswith("mediation/sealed/")
    with sitting.scan.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")


def test_each_party_confirms_their_own_notes_once(community):
    case = case_of(community)
    sitting = _sitting(case)
    applicant, respondent = party(case), party(case, Side.RESPONDENT)
    first = proceedings.notes_confirm(actor=applicant.person, sitting=sitting)
    assert first.party == applicant and first.via == ConfirmVia.PHONE
    with pytest.raises(ValidationError) as error:
        proceedings.notes_confirm(actor=applicant.person, sitting=sitting)
    assert error.value.code == "already_confirmed"
    proceedings.notes_confirm(actor=respondent.person, sitting=sitting)
    assert Confirmation.objects.in_community(community).filter(sitting=sitting).count() == 2
    assert Activity.objects.filter(verb="mediation.notes_confirmed").count() == 2


def test_the_mediator_cannot_confirm_the_notes_and_an_outsider_is_refused(community):
    case = case_of(community)
    sitting = _sitting(case)
    with pytest.raises(ValidationError) as error:
        proceedings.notes_confirm(actor=_mediator(case), sitting=sitting)
    assert error.value.code == "not_a_party"
    other = case_of(community)
    with pytest.raises(PermissionDenied):
        proceedings.notes_confirm(actor=party(other).person, sitting=sitting)
    with pytest.raises(PermissionDenied):
        proceedings.notes_confirm(actor=member(community), sitting=sitting)
    assert not Confirmation.objects.in_community(community).exists()


def test_a_paper_signature_is_recorded_by_the_mediator_with_its_scan(community):
    case = case_of(community)
    sitting = _sitting(case)
    respondent = party(case, Side.RESPONDENT)
    confirmation = proceedings.notes_paper(
        actor=_mediator(case), sitting=sitting, party=respondent, scan=png("签名.png")
    )
    assert confirmation.via == ConfirmVia.PAPER
    assert confirmation.recorded_by == _mediator(case)
    with pytest.raises(ValidationError) as error:
        proceedings.notes_confirm(actor=respondent.person, sitting=sitting)
    assert error.value.code == "already_confirmed"
    stranger = party(case_of(community))
    with pytest.raises(ValidationError) as error:
        proceedings.notes_paper(actor=_mediator(case), sitting=sitting, party=stranger, scan=png())
    assert error.value.code == "not_a_party"


def test_a_paper_signature_needs_an_accepted_file(community):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = case_of(community)
    sitting = _sitting(case)
    bad = SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")
    with pytest.raises(ValidationError) as error:
        proceedings.notes_paper(actor=_mediator(case), sitting=sitting, party=party(case), scan=bad)
    assert error.value.code == "upload_type"
    assert not Confirmation.objects.in_community(community).exists()


def test_a_refused_paper_signature_leaves_no_file_behind(community, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    case = case_of(community)
    sitting = _sitting(case)
    applicant = party(case)
    proceedings.notes_confirm(actor=applicant.person, sitting=sitting)
    with pytest.raises(ValidationError):
        proceedings.notes_paper(actor=_mediator(case), sitting=sitting, party=applicant, scan=png())
    assert not list(tmp_path.rglob("*.bin"))


def test_the_parties_hear_of_a_session_with_no_content(community):
    from gongzhi.core.manifests import notification_kinds
    from gongzhi.notifications.models import Notification

    if "mediation_case" not in notification_kinds():
        pytest.skip("the cases part declares the notification kind")
    case = case_of(community)
    _sitting(case)
    sent = Notification.objects.filter(kind="mediation_case")
    assert {n.user_id for n in sent} == {
        party(case).person_id,
        party(case, Side.RESPONDENT).person_id,
    }
    for n in sent:
        flat = f"{n.title_msgid} {n.body_msgid} {n.params} {n.url}"
        assert case.number not in flat and NOTES not in flat and "noise" not in flat
