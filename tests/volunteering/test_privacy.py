"""What volunteering holds about a person: the copy holds it (and nothing of another person); an
erasure keeps the ledgers (hours, certificates with the name masked, the time bank, exchanges
done), pointing at the tombstone, and deletes what only served the person."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.accounts import services as account_services
from gongzhi.core.masking import mask_name
from gongzhi.core.privacy import person_export_json
from gongzhi.volunteering.models import (
    AidKind,
    AidPost,
    AidStatus,
    Certificate,
    Exchange,
    ExchangeStatus,
    HoursEntry,
    SigningKey,
    SignUp,
    SignUpStatus,
    TeamMember,
    ThankYouNote,
    TimeAccount,
    TimeMovement,
    Transfer,
    TransferKind,
    Volunteer,
)
from tests.factories import member
from tests.volunteering.world import (
    activity_of,
    entry_of,
    shift_of,
    signup_of,
    team_of,
    volunteer_of,
)

pytestmark = pytest.mark.django_db


def _take_part(person: Any, other: Any, world: dict[str, Any], marker: str) -> Volunteer:
    """``person`` registers, joins a team, serves a past shift (hours confirmed, a certificate),
    holds a place on an upcoming shift, thanks and is thanked, posts in mutual aid, has an
    exchange under way and one done with a time-bank transfer."""
    community, worker = world["community"], world["worker"]
    volunteer = volunteer_of(
        community,
        person,
        emergency_name=f"{marker} 紧急联系人",
        emergency_phone="+8613900001111",
        skills=[f"{marker} 急救"],
        guardian_name=f"{marker} 监护人",
        guardian_phone="+8613900002222",
        birth_date=timezone.localdate() - timedelta(days=365 * 30),
        on_public_lists=True,
    )
    TeamMember.objects.create(community=community, team=world["team"], volunteer=volunteer)
    past = signup_of(world["past"], volunteer, arrived_at=world["past"].starts_at)
    entry = entry_of(past, worker, minutes=90)
    certificate = Certificate.objects.create(
        community=community,
        number=f"{marker}-2026-000001",
        volunteer=volunteer,
        holder_name="王小芳",
        period_from=entry.served_on,
        period_to=entry.served_on,
        credited_minutes=90,
        content="周末花园除草",
        issuer_name="幸福社区居委会",
        responsible_name="李主任",
        handler=worker,
        handler_name="社工",
        issued_on=timezone.localdate(),
        signing_key=world["key"],
        credential="x.y.z",
    )
    certificate.entries.add(entry)
    signup_of(world["coming"], volunteer)
    post = AidPost.objects.create(
        community=community,
        kind=AidKind.REQUEST,
        author=person,
        title="陪老人去医院",
        description=f"{marker} 周三上午",
        when="周三",
    )
    done = Exchange.objects.create(
        community=community,
        post=post,
        helped=person,
        helper=other,
        minutes=60,
        status=ExchangeStatus.DONE,
        done_at=timezone.now(),
    )
    Exchange.objects.create(
        community=community,
        post=post,
        helped=person,
        helper=other,
        minutes=30,
        status=ExchangeStatus.AGREED,
    )
    accounts = TimeAccount.objects.in_community(community)
    mine, _ = accounts.get_or_create(community=community, owner=person)
    theirs, _ = accounts.get_or_create(community=community, owner=other)
    transfer = Transfer.objects.create(
        community=community, kind=TransferKind.EXCHANGE, exchange=done, created_by=person
    )
    TimeMovement.objects.create(community=community, transfer=transfer, account=mine, minutes=-60)
    TimeMovement.objects.create(community=community, transfer=transfer, account=theirs, minutes=60)
    return volunteer


@pytest.fixture
def world(community, worker) -> dict[str, Any]:
    team = team_of(community, worker)
    activity = activity_of(community, worker, team=team)
    world: dict[str, Any] = {
        "community": community,
        "worker": worker,
        "team": team,
        "past": shift_of(activity, starts_in=timedelta(days=-5)),
        "coming": shift_of(activity, starts_in=timedelta(days=5), capacity=2),
        "key": SigningKey.objects.create(
            community=community, kid="k1", public_key="pub", private_key="priv"
        ),
        "me": member(community),
        "other": member(community),
    }
    world["mine"] = _take_part(world["me"], world["other"], world, "MINE-4417")
    world["theirs"] = _take_part(world["other"], world["me"], world, "OTHER-8830")
    for author, to, text in (
        (world["me"], world["theirs"], "MINE-4417 谢谢你帮我"),
        (world["other"], world["mine"], "谢谢你陪我去医院"),
    ):
        ThankYouNote.objects.create(community=community, volunteer=to, author=author, text=text)
    # someone waits for a place on the upcoming shift (it holds two: both taken)
    world["waiting"] = signup_of(
        world["coming"], volunteer_of(community), status=SignUpStatus.WAITLISTED
    )
    return world


def test_the_copy_holds_what_volunteering_holds_about_me_and_nothing_of_another(world):
    data = person_export_json(world["me"])["volunteering"]
    text = json.dumps(data, ensure_ascii=False)
    assert "OTHER-8830" not in text
    (registration,) = data["volunteer_registrations"]
    assert registration["emergency_name"] == "MINE-4417 紧急联系人"
    assert registration["skills"] == ["MINE-4417 急救"]
    assert registration["guardian_name"] == "MINE-4417 监护人"
    assert [t["team"] for t in data["volunteer_teams"]] == ["花园养护队"]
    assert len(data["volunteer_signups"]) == 2
    assert [(h["kind"], h["credited_minutes"]) for h in data["volunteer_hours"]] == [
        ("service", 90)
    ]
    assert data["volunteer_certificates"][0]["number"] == "MINE-4417-2026-000001"
    # a note to me is in my copy (without its author); so is the one I wrote
    assert [n["text"] for n in data["thanks_received"]] == ["谢谢你陪我去医院"]
    assert "author" not in data["thanks_received"][0]
    assert [n["text"] for n in data["thanks_written"]] == ["MINE-4417 谢谢你帮我"]
    assert data["aid_posts"][0]["details"] == "MINE-4417 周三上午"
    assert {e["status"] for e in data["aid_exchanges"]} == {"done", "agreed"}
    assert len(data["aid_exchanges"]) == 4  # two on my post, two on theirs where I helped
    assert [a["balance_minutes"] for a in data["timebank_accounts"]] == [0]  # −60, then +60
    assert sorted(m["minutes"] for m in data["timebank_movements"]) == [-60, 60]


def test_erasure_keeps_the_ledgers_and_deletes_what_only_served_me(world):
    me, other, community = world["me"], world["other"], world["community"]
    done = account_services.account_erase(actor=me, user=me)["volunteering"]
    assert done["registrations_emptied"] == 1
    assert done["registrations_withdrawn"] == 1
    assert done["team_memberships_ended"] == 1
    assert done["upcoming_signups_cancelled"] == 1
    assert done["certificate_names_masked"] == 1
    assert done["thanks_written_deleted"] == 1
    assert done["thanks_received_hidden"] == 1
    assert done["aid_posts_withdrawn"] == 1
    assert done["exchanges_cancelled"] == 2  # the one under way on my post, and on theirs

    volunteer = Volunteer.objects.in_community(community).get(pk=world["mine"].pk)
    assert volunteer.withdrawn_at is not None and not volunteer.on_public_lists
    assert (volunteer.emergency_name, volunteer.emergency_phone) == ("", "")
    assert (volunteer.guardian_name, volunteer.guardian_phone, volunteer.skills) == ("", "", [])
    assert volunteer.birth_date is None
    assert not TeamMember.objects.in_community(community).filter(
        volunteer=volunteer, left_at__isnull=True
    )
    # the place I held moved to the first on the waiting list
    statuses = dict(
        SignUp.objects.in_community(community)
        .filter(shift=world["coming"])
        .values_list("volunteer", "status")
    )
    assert statuses[volunteer.pk] == SignUpStatus.CANCELLED
    assert statuses[world["waiting"].volunteer_id] == SignUpStatus.REGISTERED
    # the ledgers stay: hours, the past sign-up, the certificate (masked), the time bank
    assert HoursEntry.objects.in_community(community).filter(volunteer=volunteer).count() == 1
    assert (
        SignUp.objects.in_community(community).get(volunteer=volunteer, shift=world["past"]).status
        == SignUpStatus.REGISTERED
    )
    certificate = Certificate.objects.in_community(community).get(volunteer=volunteer)
    assert certificate.holder_name == "王*芳" and certificate.revoked_at is None
    assert TimeMovement.objects.in_community(community).filter(account__owner=me).count() == 2
    assert (
        Exchange.objects.in_community(community)
        .filter(helped=me, status=ExchangeStatus.DONE)
        .exists()
    )
    post = AidPost.objects.in_community(community).get(author=me)
    assert (post.status, post.description, post.when) == (AidStatus.WITHDRAWN, "", "")
    assert ThankYouNote.objects.in_community(community).get(volunteer=volunteer).hidden_at
    # nothing of the other person changed but the note I wrote them and our exchanges
    theirs = Volunteer.objects.in_community(community).get(pk=world["theirs"].pk)
    assert theirs.emergency_name == "OTHER-8830 紧急联系人" and theirs.withdrawn_at is None
    assert not ThankYouNote.objects.in_community(community).filter(volunteer=theirs).exists()
    assert AidPost.objects.in_community(community).get(author=other).status == AidStatus.OPEN
    assert Certificate.objects.in_community(community).get(volunteer=theirs).holder_name == (
        "王小芳"
    )


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小芳", "王*芳"),
        ("王芳", "王*"),
        ("欧阳小明", "欧**明"),
        ("王", "王"),
        ("王*芳", "王*芳"),
    ],
)
def test_names_are_masked_as_certificates_print_them(name, masked):
    assert mask_name(name) == masked
