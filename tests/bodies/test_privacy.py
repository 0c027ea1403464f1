"""What bodies hold about a person: the copy holds it (and nothing of another person); an
erasure keeps the terms of office and the acts of office, pointing at the tombstone, and
deletes what only served the person."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts import services as account_services
from gongzhi.bodies.models import (
    Agreement,
    AnnualReport,
    BodyKind,
    Incubation,
    Mandate,
    Opinion,
    Panel,
    PanelMember,
    PanelStatus,
    Partner,
    PartnerService,
    PoolEntry,
    ServiceRating,
)
from gongzhi.core.models import Activity, Role, RoleGrant
from gongzhi.core.privacy import person_export_json
from tests.bodies.bodies_world import council, membership, seat, term
from tests.factories import member

pytestmark = pytest.mark.django_db


def _panel(community, worker, body, title: str, status: str = PanelStatus.POOL_OPEN) -> Panel:
    return Panel.objects.create(
        community=community,
        title=title,
        reviewed_body=body,
        seats=3,
        features=["gender"],
        status=status,
        pool_closes_at=timezone.now() + timedelta(days=7),
        ends_on=timezone.localdate() + timedelta(days=90),
        created_by=worker,
    )


def _take_part(person, community, worker, world: dict, marker: str, n: int) -> dict:
    """``person`` holds a term, volunteers for two panels (one closed), sits on one, raises
    an opinion, mentors an organisation, reports for it and rates a partner's service."""
    today = timezone.localdate()
    mandate = term(
        world["council"],
        world["position"],
        person,
        seat=n,
        starts=today - timedelta(days=30),
        ends=today + timedelta(days=300),
    )
    entries = []
    for panel in (world["open"], world["closed"]):
        entries.append(
            PoolEntry.objects.create(
                community=community,
                panel=panel,
                membership=membership(person, community),
                features={"gender": f"{marker}-female"},
                consented_at=timezone.now(),
                pseudonym=f"P{n}",
            )
        )
    PanelMember.objects.create(
        community=community, panel=world["closed"], kind="drawn", user=person, name=f"{marker} 名"
    )
    Opinion.objects.create(
        community=community,
        raised_by=person,
        body=world["council"],
        subject="body.decision_recorded",
        text=f"{marker} 意见",
        due_on=today + timedelta(days=30),
    )
    organisation = council(community, worker, kind=BodyKind.ORGANISATION, name=f"{marker} 舞蹈队")
    incubation = Incubation.objects.create(
        community=community, body=organisation, stage="incubating", mentor=person
    )
    AnnualReport.objects.create(
        community=community,
        incubation=incubation,
        year=2026,
        members=12,
        activities=4,
        participants=80,
        text=f"{marker} 年报",
        submitted_by=person,
    )
    ServiceRating.objects.create(
        community=community, service=world["service"], user=person, stars=4, comment=f"{marker} 好"
    )
    return {"mandate": mandate, "entries": entries, "incubation": incubation}


@pytest.fixture
def world(community, worker):
    body = council(community, worker)
    partner = Partner.objects.create(
        street=community.street, kind="business", name="社区超市", created_by=worker
    )
    agreement = Agreement.objects.create(
        community=community,
        partner=partner,
        scope="为老人送菜",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=365),
        signed_by=worker,
    )
    return {
        "council": body,
        "position": seat(body, role=Role.COUNCIL_MEMBER),
        "open": _panel(community, worker, body, "停车改造"),
        "closed": _panel(community, worker, body, "加装电梯", status=PanelStatus.DRAWN),
        "service": PartnerService.objects.create(
            community=community, agreement=agreement, title="送菜上门"
        ),
    }


@pytest.fixture
def two(community, worker, world):
    me = member(community, display_name="张阿姨")
    other = member(community, display_name="李师傅")
    return {
        "me": me,
        "other": other,
        "mine": _take_part(me, community, worker, world, "MINE-5120", 1),
        "theirs": _take_part(other, community, worker, world, "THEIRS-8377", 2),
    }


def test_the_copy_holds_what_bodies_hold_about_me_and_nothing_of_another(two):
    data = person_export_json(two["me"])["bodies"]
    text = json.dumps(data, ensure_ascii=False)
    [my_term] = data["terms_of_office"]
    assert (my_term["body"], my_term["position"], my_term["chosen_by"]) == (
        "议事会",
        "委员",
        "appointment",
    )
    assert {e["panel"] for e in data["panel_pools"]} == {"停车改造", "加装电梯"}
    assert data["panel_pools"][0]["features"] == {"gender": "MINE-5120-female"}
    assert data["panel_seats"][0]["panel"] == "加装电梯"
    assert data["supervision_opinions"][0]["text"] == "MINE-5120 意见"
    assert data["supervision_opinions"][0]["raised_by_me"] is True
    assert data["organisations_mentored"][0]["organisation"] == "MINE-5120 舞蹈队"
    assert data["annual_reports"][0]["year"] == 2026
    assert data["service_ratings"][0] == {
        "community": two["me"].memberships.get().community.slug,
        "partner": "社区超市",
        "service": "送菜上门",
        "stars": 4,
        "comment": "MINE-5120 好",
        "rated_at": data["service_ratings"][0]["rated_at"],
    }
    assert "THEIRS-8377" not in text and "李师傅" not in text


def test_erasure_keeps_the_term_ends_it_and_deletes_what_only_served_me(two, community, world):
    me, other = two["me"], two["other"]
    mine, theirs = two["mine"], two["theirs"]
    assert RoleGrant.objects.in_community(community).filter(membership__user=me).exists()

    done = account_services.account_erase(actor=me, user=me)

    assert done["bodies"]["terms_ended"] == 1 and done["bodies"]["pool_entries"] == 2
    # The term stays, ended today, pointing at the tombstone; the role it gave is gone.
    kept = Mandate.objects.in_community(community).get(pk=mine["mandate"].pk)
    assert kept.membership is None and kept.former_member == me
    assert kept.ended_at is not None
    assert kept.end_reason == gettext("the member erased their account")
    assert not RoleGrant.objects.all_communities().filter(membership__user=me).exists()
    ended = Activity.objects.in_community(community).get(verb="body.mandate_ended")
    assert ended.actor_id == me.pk and ended.target_id == str(kept.pk)
    assert ended.data["user"] == me.pk and ended.data["body"] == world["council"].pk
    # Pool entries and the features declared in them are gone, open pool or closed.
    assert not PoolEntry.objects.in_community(community).filter(pseudonym="P1").exists()
    # The panel seat and the opinion stay (acts of office), without the typed name.
    seat_row = PanelMember.objects.in_community(community).get(user=me)
    assert seat_row.name == ""
    assert Opinion.objects.in_community(community).get(raised_by=me).text == "MINE-5120 意见"
    assert AnnualReport.objects.in_community(community).get(submitted_by=me).year == 2026
    # The rating's stars stay for the average; its comment goes. No more mentoring.
    rating = ServiceRating.objects.in_community(community).get(user=me)
    assert (rating.stars, rating.comment) == (4, "")
    mine["incubation"].refresh_from_db()
    assert mine["incubation"].mentor is None
    # The other person's data is untouched.
    other_term = Mandate.objects.in_community(community).get(pk=theirs["mandate"].pk)
    assert other_term.ended_at is None and other_term.membership is not None
    assert other_term.membership.user == other
    assert PoolEntry.objects.in_community(community).filter(pseudonym="P2").count() == 2
    assert ServiceRating.objects.in_community(community).get(user=other).comment
    # The copy of the tombstone still shows the term it held; the journal still verifies.
    assert person_export_json(me)["bodies"]["terms_of_office"][0]["ended_at"]
    out = io.StringIO()
    call_command("journal_verify", "--chain", stdout=out)
    assert "BROKEN" not in out.getvalue()
