"""Filing (备案) with the street office and publication: a worker submits, a street official who
did not submit receives (the covenant is in force from that day), a worker publishes (disclosure
document, notice board, households in scope told)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Activity, Oversight, Role
from gongzhi.covenants import adoption_services as adoption
from gongzhi.covenants.models import Covenant, RoundStatus, Scope
from gongzhi.disclosure.models import BoardItem, Document, DocumentKind
from gongzhi.notifications.models import Notification
from tests.covenants.adoption_world import in_force_round, ratified_round, resident_of
from tests.factories import BuildingFactory, member, official_of


@pytest.mark.django_db
def test_a_ratified_covenant_is_filed_and_in_force_from_the_receipt(community, worker, official):
    round_ = ratified_round(community, worker)
    with pytest.raises(ValidationError) as caught:
        adoption.filing_receive(actor=official, round=round_)
    assert caught.value.code == "filing_not_submitted"
    adoption.filing_submit(actor=worker, round=round_)
    with pytest.raises(ValidationError) as caught:
        adoption.filing_submit(actor=worker, round=round_)
    assert caught.value.code == "already_submitted"
    round_ = adoption.filing_receive(actor=official, round=round_, reference=" 街备 3号 ")
    assert round_.status == RoundStatus.IN_FORCE
    assert round_.in_force_from == timezone.localdate()
    assert round_.filing_reference == "街备 3号"
    covenant = Covenant.objects.in_community(community).get(pk=round_.covenant_id)
    assert covenant.in_force_id == round_.consolidated_id
    with pytest.raises(ValidationError) as caught:
        adoption.filing_receive(actor=official, round=round_)
    assert caught.value.code == "already_received"
    verbs = set(Activity.objects.in_community(community).values_list("verb", flat=True))
    assert {"covenant.filing_submitted", "covenant.filing_received"} <= verbs


@pytest.mark.django_db
def test_whoever_submitted_cannot_receive(community, worker):
    """An official who also works in the community submitted it: another official receives."""
    both = member(community, Role.COMMUNITY_WORKER)
    Oversight.objects.create(user=both, street=community.street)
    round_ = ratified_round(community, worker)
    adoption.filing_submit(actor=both, round=round_)
    with pytest.raises(ValidationError) as caught:
        adoption.filing_receive(actor=both, round=round_)
    assert caught.value.code == "own_filing"
    round_.refresh_from_db()
    assert round_.status == RoundStatus.RATIFIED and round_.filing_received_at is None


@pytest.mark.django_db
def test_only_the_streets_officials_receive_and_only_workers_submit(community, worker):
    round_ = ratified_round(community, worker)
    for who in (member(community), member(community, Role.SUPERVISOR)):
        with pytest.raises(PermissionDenied):
            adoption.filing_submit(actor=who, round=round_)
    adoption.filing_submit(actor=worker, round=round_)
    other_street = official_of(BuildingFactory().community.street)
    for who in (worker, member(community), other_street):
        with pytest.raises(PermissionDenied):
            adoption.filing_receive(actor=who, round=round_)
    with pytest.raises(ValidationError) as caught:
        adoption.filing_receive(
            actor=official_of(community.street), round=round_, reference="x" * 61
        )
    assert caught.value.code == "reference_too_long"


@pytest.mark.django_db
def test_publication_puts_it_on_the_board_and_tells_the_households(community, worker, official):
    here, there = BuildingFactory(community=community), BuildingFactory(community=community)
    inside = resident_of(community, here)
    outside = resident_of(community, there)
    round_ = in_force_round(
        community, worker, official, title="3号楼楼栋公约", scope=Scope.BUILDING, building=here
    )
    with pytest.raises(PermissionDenied):
        adoption.covenant_publish(actor=inside, round=round_)
    adoption.covenant_publish(actor=worker, round=round_)
    document = Document.objects.in_community(community).get(kind=DocumentKind.POLICY)
    assert document.title == "3号楼楼栋公约" and document.published_at is not None
    body = document.versions.get().body
    assert "第一条 宠物" in body and "第二条 噪音" in body and "节假日上午十时前不得装修。" in body
    assert BoardItem.objects.in_community(community).filter(document=document).exists()
    told = set(
        Notification.objects.filter(kind="covenant_in_force").values_list("user_id", flat=True)
    )
    assert inside.pk in told and outside.pk not in told
    with pytest.raises(ValidationError) as caught:
        adoption.covenant_publish(actor=worker, round=round_)
    assert caught.value.code == "already_published"


@pytest.mark.django_db
def test_nothing_is_published_before_it_is_in_force(community, worker):
    round_ = ratified_round(community, worker)
    with pytest.raises(ValidationError) as caught:
        adoption.covenant_publish(actor=worker, round=round_)
    assert caught.value.code == "not_in_force"
    assert not Document.objects.in_community(community).exists()


@pytest.mark.django_db
def test_the_journal_names_who_submitted_who_received_and_the_round(community, worker, official):
    """Two people, two entries: the worker's submission and the official's receipt, each on the
    round; the receipt also names the text put in force."""
    from django.contrib.contenttypes.models import ContentType

    from gongzhi.covenants.models import Round

    round_ = in_force_round(community, worker, official)
    adoption.covenant_publish(actor=worker, round=round_)
    entries = {
        e.verb: e
        for e in Activity.objects.in_community(community).filter(verb__startswith="covenant.")
    }
    on_round = ContentType.objects.get_for_model(Round)
    for verb, actor in [
        ("covenant.ratification_opened", worker),
        ("covenant.filing_submitted", worker),
        ("covenant.filing_received", official),
        ("covenant.published", worker),
    ]:
        entry = entries[verb]
        assert (entry.actor_id, entry.target_type, entry.target_id) == (
            actor.pk,
            on_round,
            str(round_.pk),
        ), verb
    assert entries["covenant.filing_received"].data["version"] == round_.consolidated_id
    # the vote decided the ratification: no person is its actor
    assert entries["covenant.ratified"].actor_id is None
    assert entries["covenant.ratified"].target_id == str(round_.pk)
