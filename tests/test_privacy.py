"""A person's rights over their data (PIPL arts. 45 and 47): a copy of everything held about
them, and erasure that keeps the journal's chain, the counts and the tallies right."""

from __future__ import annotations

import importlib
import io
import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.accounts import services as account_services
from gongzhi.accounts.models import ApiToken, User
from gongzhi.budgeting import services as budgeting_services
from gongzhi.core.models import (
    Activity,
    Membership,
    Oversight,
    PlatformActivity,
    Role,
    RoleGrant,
    RosterEntry,
    RosterImport,
)
from gongzhi.core.privacy import holdings, person_export_json
from gongzhi.deliberation import services as deliberation_services
from gongzhi.deliberation.models import Follow, Proposal, Support
from gongzhi.disclosure import services as disclosure_services
from gongzhi.disclosure.models import ReadConfirmation
from gongzhi.feedback import services as feedback_services
from gongzhi.feedback.models import Rating, Ticket, TicketPhoto
from gongzhi.notifications.models import Notification
from gongzhi.opinions import services as opinion_services
from gongzhi.opinions.models import Participant, StatementVote
from gongzhi.voting import services as voting_services
from gongzhi.voting.models import Participation
from tests.budgeting.helpers import make_process
from tests.factories import UserFactory, member

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _take_part(person, community, worker, *, marker: str, world: dict) -> dict:
    """``person`` does something in every app; ``marker`` is in each text they write."""
    did: dict = {}
    feedback_services.categories_install_defaults(community=community)
    ticket = feedback_services.ticket_file(
        actor=person,
        community=community,
        text=f"{marker} 3号楼电梯坏了",
        unit="3-502",
        latitude="31.200000",
        longitude="121.400000",
        is_public=True,
        photos=[_png()],
    )
    did["ticket"] = ticket
    did["photo"] = TicketPhoto.objects.in_community(community).get(ticket=ticket).file.name
    proposal = deliberation_services.proposal_create(
        actor=person, community=community, title=f"{marker} 提案", body="在小区里多装路灯"
    )
    did["proposal"] = proposal
    did["draft"] = deliberation_services.proposal_create(
        actor=person,
        community=community,
        title=f"{marker} 草稿",
        body="还没想好",
        publish=False,
        attachments=[_png("draft.png")],
    )
    did["draft_file"] = did["draft"].attachments.get().file.name
    deliberation_services.proposal_support(actor=person, proposal=world["proposal"])
    deliberation_services.proposal_follow(actor=person, proposal=world["proposal"])
    deliberation_services.comment_add(
        actor=person, subject=world["proposal"], body=f"{marker} 同意"
    )
    voting_services.ballot_cast(actor=person, vote=world["vote"], content=[world["option"]])
    opinion_services.statement_add(
        actor=person, conversation=world["conversation"], text=f"{marker} 应该多种树"
    )
    opinion_services.vote_cast(actor=person, statement=world["statement"], value=1)
    budgeting_services.idea_submit(
        actor=person,
        process=world["process"],
        title=f"{marker} 口袋公园",
        description="把空地变成公园",
        estimated_cost=1000,
    )
    disclosure_services.announcement_confirm_read(actor=person, announcement=world["notice"])
    Notification.objects.create(user=person, community=community, kind="announcement", title=marker)
    roster = RosterImport.objects.in_community(community).create(filename="roster.csv")
    RosterEntry.objects.in_community(community).create(
        roster_import=roster, phone=person.phone, name=f"{marker} 名单"
    )
    ApiToken.objects.create(user=person, name="app", token_hash=f"hash-{marker}", hint="gz_x")
    return did


@pytest.fixture
def world(community):
    worker = member(community, role=Role.COMMUNITY_WORKER, display_name="社工")
    author = member(community, display_name="提案人")
    now = timezone.now()
    proposal = deliberation_services.proposal_create(
        actor=author, community=community, title="加装电梯", body="老人上下楼难"
    )
    vote = voting_services.vote_create(
        actor=worker,
        community=community,
        title="大门方案",
        options=["甲", "乙"],
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=3),
        secret=True,
    )
    vote.published = True
    vote.save(update_fields=["published"])
    option = voting_services._option_ids(vote)[0]
    conversation = opinion_services.conversation_open(
        actor=worker,
        community=community,
        question="小区绿化怎么做？",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=3),
        seed_statements=["多种树"],
    )
    statement = conversation.statements.get(seed=True)
    notice = disclosure_services.announcement_create(
        actor=worker,
        community=community,
        title="停水通知",
        body="周三停水",
        category="general",
        important=True,
    )
    notice = disclosure_services.announcement_publish(actor=worker, announcement=notice)
    process = make_process(community, worker)
    return {
        "worker": worker,
        "proposal": proposal,
        "vote": vote,
        "option": option,
        "conversation": conversation,
        "statement": statement,
        "notice": notice,
        "process": process,
    }


@pytest.fixture
def two(community, world):
    """Two residents who took part everywhere: ``mine`` (erased in the tests) and ``theirs``."""
    me = member(community, display_name="张阿姨", email="zhang@example.com")
    other = member(community, display_name="李师傅", email="li@example.com")
    return {
        "me": me,
        "other": other,
        "mine": _take_part(me, community, world["worker"], marker="MINE-7341", world=world),
        "theirs": _take_part(other, community, world["worker"], marker="THEIRS-9922", world=world),
    }


def test_every_app_registers_its_holding():
    names = {name for name, _holding in holdings()}
    expected = {"accounts", "core", "notifications", "deliberation", "voting", "opinions"}
    assert expected | {"budgeting", "feedback", "disclosure"} <= names
    assert [name for name, _h in holdings()][-1] == "accounts"


def test_every_reference_to_a_person_is_handled_by_some_app():
    """A new model that points at a person must be exported, erased or knowingly kept by its
    app's privacy module (and listed in its COVERS)."""
    covered: set[str] = set()
    for _name, holding in holdings():
        covered |= importlib.import_module(holding.module).COVERS
    references = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("gongzhi.")
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    }
    assert references - covered == set()


def test_export_holds_each_apps_data_and_nothing_of_another_person(two):
    me, other = two["me"], two["other"]
    data = person_export_json(me)
    text = json.dumps(data, ensure_ascii=False)
    assert data["accounts"]["account"][0]["phone"] == me.phone
    assert data["accounts"]["account"][0]["email"] == "zhang@example.com"
    assert data["accounts"]["api_tokens"][0]["name"] == "app"
    assert data["core"]["memberships"][0]["verified_at"]
    assert "MINE-7341 名单" in text  # the roster names them
    assert any(e["verb"] == "hotline.filed" for e in data["core"]["journal"])
    assert data["feedback"]["tickets"][0]["text"] == "MINE-7341 3号楼电梯坏了"
    assert data["feedback"]["photos"][0]["name"]
    assert {p["title"] for p in data["deliberation"]["proposals"]} == {
        "MINE-7341 提案",
        "MINE-7341 草稿",
    }
    assert data["deliberation"]["supports"][0]["proposal"] == "加装电梯"
    assert data["deliberation"]["comments"][0]["body"] == "MINE-7341 同意"
    assert data["deliberation"]["follows"]
    assert data["voting"]["participations"][0]["vote"] == "大门方案"
    # A secret ballot's content is never read back, not even for its own voter.
    assert data["voting"]["participations"][0]["my_ballot"] is None
    assert data["opinions"]["statements"][0]["text"] == "MINE-7341 应该多种树"
    assert data["opinions"]["statement_votes"][0]["value"] == 1
    assert data["budgeting"]["ideas"][0]["title"] == "MINE-7341 口袋公园"
    assert data["disclosure"]["read_confirmations"][0]["announcement"] == "停水通知"
    assert data["notifications"]["notifications"][0]["title"] == "MINE-7341"
    # Nothing of the other resident: their texts, phone, name, e-mail.
    for theirs in ("THEIRS-9922", other.phone, "李师傅", "li@example.com"):
        assert theirs not in text


def test_erasure_removes_personal_data_and_keeps_counts_chain_and_tallies(two, world, community):
    me, other = two["me"], two["other"]
    ticket = two["mine"]["ticket"]
    Rating.objects.in_community(community).create(
        ticket=ticket, rater=me, solved=True, satisfaction=5, comment="MINE-7341 谢谢"
    )
    proposal = world["proposal"]
    supports_before = Proposal.objects.in_community(community).get(pk=proposal.pk).support_count
    vote = world["vote"]
    results_before = voting_services.results(vote)
    old_phone = me.phone
    assert default_storage.exists(two["mine"]["photo"])

    done = account_services.account_erase(actor=me, user=me)

    me.refresh_from_db()
    assert me.erased_at is not None and me.phone.startswith("erased-")
    assert (me.email, me.display_name, me.is_active, me.is_staff) == ("", "", False, False)
    assert not me.has_usable_password()
    assert "MINE" not in str(me) and str(me) == me.pseudonym
    assert not ApiToken.objects.filter(user=me).exists()
    assert not Membership.objects.all_communities().filter(user=me).exists()
    assert not RosterEntry.objects.all_communities().filter(phone=old_phone).exists()
    assert not Notification.objects.filter(user=me).exists()
    assert not Follow.objects.all_communities().filter(user=me).exists()
    assert not ReadConfirmation.objects.all_communities().filter(user=me).exists()
    # The hotline: text, place and photos gone (from storage too); the ticket stays for the
    # statistics, with its category and its rating's score.
    ticket.refresh_from_db()
    assert (ticket.text, ticket.unit, ticket.latitude, ticket.is_public) == ("", "", None, False)
    assert ticket.category_id is not None and ticket.status == "submitted"
    assert not TicketPhoto.objects.all_communities().filter(ticket=ticket).exists()
    assert not default_storage.exists(two["mine"]["photo"])
    rating = Rating.objects.in_community(community).get(ticket=ticket)
    assert (rating.comment, rating.satisfaction, rating.solved) == ("", 5, True)
    assert done["feedback"]["files"] == 1
    # Their draft is gone; their published proposal stays, as by a former resident.
    assert not Proposal.objects.all_communities().filter(pk=two["mine"]["draft"].pk).exists()
    assert not default_storage.exists(two["mine"]["draft_file"])
    assert default_storage.exists(two["theirs"]["draft_file"])
    assert Proposal.objects.all_communities().get(pk=two["mine"]["proposal"].pk).author == me
    # Counts and tallies as they were.
    assert Proposal.objects.in_community(community).get(pk=proposal.pk).support_count == (
        supports_before
    )
    assert Support.objects.in_community(community).filter(proposal=proposal).count() == 2
    assert Participation.objects.in_community(community).filter(vote=vote).count() == 2
    assert voting_services.results(vote) == results_before
    assert Participant.objects.in_community(community).filter(user=me).exists()
    assert StatementVote.objects.in_community(community).filter(participant__user=me).count() == 1
    # The other resident is untouched.
    other.refresh_from_db()
    assert other.display_name == "李师傅" and other.is_active
    assert Ticket.objects.in_community(community).get(pk=two["theirs"]["ticket"].pk).text
    assert default_storage.exists(two["theirs"]["photo"])
    # The erasure is journalled, by the person, and every chain still verifies.
    entry = Activity.objects.in_community(community).get(verb="account.erased")
    assert entry.actor_id == me.pk and entry.target_id == str(me.pk)
    out = io.StringIO()
    call_command("journal_verify", "--chain", stdout=out)
    assert "BROKEN" not in out.getvalue() and f"community={community.slug}" in out.getvalue()


def test_the_tombstone_never_logs_in_again(client, two):
    me = two["me"]
    old_phone = me.phone
    account_services.account_erase(actor=me, user=me)
    assert authenticate(phone=old_phone, password=PASSWORD) is None
    response = client.post(
        reverse("account_login"), {"login": old_phone.removeprefix("+86"), "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    me.refresh_from_db()
    assert authenticate(phone=me.phone, password=PASSWORD) is None
    with pytest.raises(PermissionDenied):
        account_services.account_erase(actor=me, user=me)


def test_a_community_worker_cannot_erase_a_resident(two, world):
    me, worker = two["me"], world["worker"]
    with pytest.raises(PermissionDenied):
        account_services.account_erase(actor=worker, user=me)
    me.refresh_from_db()
    assert me.erased_at is None and me.is_active


def test_the_profile_links_to_my_data_and_the_page_shows_it(client, two):
    client.force_login(two["me"])
    profile = client.get(reverse("profile")).content.decode()
    assert reverse("my_data") in profile
    page = client.get(reverse("my_data"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "MINE-7341 3号楼电梯坏了" in body and "THEIRS-9922" not in body
    download = client.get(reverse("my_data_download"))
    assert download["Content-Disposition"].startswith("attachment")
    assert "no-store" in download.get("Cache-Control", "no-store")
    data = json.loads(download.content)
    assert data["data"]["feedback"]["tickets"][0]["text"] == "MINE-7341 3号楼电梯坏了"


def test_erasure_on_the_page_asks_for_the_password_first(client, two, community):
    me, other = two["me"], two["other"]
    client.force_login(me)
    page = client.get(reverse("account_erasure"))
    assert page.status_code == 200
    # An unticked box is answered on the page; nothing happens.
    response = client.post(reverse("account_erasure"), {})
    assert response.status_code == 200
    # The person's own erasure, whatever other person a request names: re-authentication first.
    response = client.post(reverse("account_erasure"), {"confirm": "on", "user": other.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    me.refresh_from_db()
    assert me.erased_at is None
    response = client.post(
        response["Location"], {"password": PASSWORD}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    me.refresh_from_db()
    other.refresh_from_db()
    assert me.erased_at is not None
    assert other.erased_at is None and other.is_active
    assert "_auth_user_id" not in client.session
    assert Activity.objects.in_community(community).filter(verb="account.erased").count() == 1


def _token(user) -> dict:
    _token_row, raw = account_services.api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_export_and_erasure(client, two):
    me, other = two["me"], two["other"]
    other.set_password("another secret 42")
    other.save()
    auth = _token(me)
    response = client.get("/api/v1/me/data", **auth)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["feedback"]["tickets"][0]["text"] == "MINE-7341 3号楼电梯坏了"
    assert "THEIRS-9922" not in response.content.decode()

    erase = "/api/v1/me/erasure"
    # A token alone does not erase; another person's password does not either.
    body = {"confirm": True}
    response = client.post(erase, body, content_type="application/json", **auth)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    body = {"confirm": True, "password": "another secret 42", "user": other.pk}
    response = client.post(erase, body, content_type="application/json", **auth)
    assert response.status_code == 403
    response = client.post(
        erase, {"confirm": False, "password": PASSWORD}, content_type="application/json", **auth
    )
    assert response.status_code == 400 and response.json()["code"] == "confirmation_required"
    me.refresh_from_db()
    assert me.erased_at is None

    response = client.post(
        erase, {"confirm": True, "password": PASSWORD}, content_type="application/json", **auth
    )
    assert response.status_code == 200 and response.json()["erased"] is True
    me.refresh_from_db()
    other.refresh_from_db()
    assert me.erased_at is not None and other.erased_at is None
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_a_second_community_journals_the_erasure_too(two, other_community):
    me = two["me"]
    Membership.objects.in_community(other_community).create(user=me)
    account_services.account_erase(actor=me, user=me)
    assert (
        Activity.objects.in_community(other_community)
        .filter(verb="account.erased", actor=me)
        .exists()
    )
    assert not RoleGrant.objects.all_communities().filter(membership__user=me).exists()
    assert User.objects.filter(pk=me.pk).exists()


def test_erasure_without_a_password_is_confirmed_with_a_login_code(client, two, sms_outbox):
    me = two["me"]
    me.set_unusable_password()
    me.save()
    client.force_login(me)
    response = client.post(reverse("account_erasure"), {"confirm": "on"})
    assert response.status_code == 302
    # No password: allauth sends a code to the verified phone and asks for it.
    assert response["Location"].startswith(reverse("account_request_reauthentication_code"))
    page = client.post(
        reverse("account_request_reauthentication_code"),
        {"recipient": me.phone, "next": reverse("account_erasure")},
        follow=True,
    )
    # The code's form carries the page to come back to, as a browser would send it.
    assert 'name="next" value="/profile/erase/"' in page.content.decode()
    assert sms_outbox and sms_outbox[-1][0] == me.phone
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1][1]).group(1)
    me.refresh_from_db()
    assert me.erased_at is None
    response = client.post(
        reverse("account_confirm_reauthentication_code"),
        {"code": code, "next": reverse("account_erasure")},
        follow=True,
    )
    # allauth replays the suspended erasure request once the code is confirmed.
    assert response.redirect_chain[-1][0] == reverse("home")
    me.refresh_from_db()
    assert me.erased_at is not None and not me.is_active
    assert "_auth_user_id" not in client.session


def test_someone_in_no_community_has_their_erasure_in_the_platform_journal(db):
    person = UserFactory()
    account_services.account_erase(actor=person, user=person)
    entry = PlatformActivity.objects.get(verb="account.erased")
    assert entry.actor_id == person.pk
    out = io.StringIO()
    call_command("journal_verify", stdout=out)
    assert "ok platform" in out.getvalue() and "BROKEN" not in out.getvalue()


def test_an_officials_erasure_is_in_the_platform_journal_too(two, community):
    me = two["me"]
    Oversight.objects.create(user=me, street=community.street)
    account_services.account_erase(actor=me, user=me)
    assert PlatformActivity.objects.filter(verb="account.erased", actor=me).exists()
    assert Activity.objects.in_community(community).filter(verb="account.erased").exists()
    assert not Oversight.objects.filter(user=me).exists()
