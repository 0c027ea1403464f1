"""What covenants hold about a person: a copy of their comments, amendments, supports and
household acknowledgements, nothing of another person's; an erasure keeps the consultation's
record, pointing at the tombstone account."""

from __future__ import annotations

import json

import pytest
from django.apps import apps

from gongzhi.accounts import services as account_services
from gongzhi.accounts.models import User
from gongzhi.core.models import Membership
from gongzhi.core.privacy import person_export, person_export_json
from gongzhi.covenants import privacy
from gongzhi.covenants.models import (
    Acknowledgement,
    Amendment,
    AmendmentKind,
    Comment,
    Support,
)
from tests.covenants.world import amendment_of, comment_of, covenant_of, current_round
from tests.factories import HouseholdFactory, member


def _household_member(community, **fields):
    person = member(community, **fields)
    household = HouseholdFactory(building__community=community)
    Membership.objects.in_community(community).filter(user=person).update(household=household)
    return person, household


@pytest.fixture
def two(community, worker):
    covenant = covenant_of(community, worker)
    round_ = current_round(covenant)
    article = round_.draft.articles.order_by("position").first()
    paragraph = article.paragraphs.order_by("position").first()
    me, my_home = _household_member(community, display_name="张阿姨", email="zhang@example.com")
    other, their_home = _household_member(community, display_name="李师傅", email="li@ex.com")
    done = {}
    for person, home, marker in ((me, my_home, "MINE-5521"), (other, their_home, "THEIRS-8812")):
        comment = comment_of(
            round_,
            person,
            article_key=article.key,
            paragraph_key=paragraph.key,
            text=f"{marker} 遛狗时间应写明",
        )
        amendment = amendment_of(
            round_,
            person,
            kind=AmendmentKind.REPLACE,
            article_key=article.key,
            paragraph_key=paragraph.key,
            text=f"{marker} 遛狗须牵绳。",
            reason=f"{marker} 更简洁",
        )
        acknowledgement = Acknowledgement.objects.in_community(community).create(
            version=round_.draft, household=home, person=person
        )
        done[marker] = (comment, amendment, acknowledgement)
    # Each supports the other's amendment; a worker wrote down my comment for me.
    mine, theirs = done["MINE-5521"][1], done["THEIRS-8812"][1]
    Support.objects.in_community(community).create(amendment=theirs, person=me)
    Support.objects.in_community(community).create(amendment=mine, person=other)
    Comment.objects.in_community(community).filter(pk=done["MINE-5521"][0].pk).update(
        written_by=worker
    )
    Amendment.objects.in_community(community).filter(pk=theirs.pk).update(
        status="rejected", decision_reason="委员会认为原文已足够", decided_by=worker
    )
    return {"me": me, "other": other, "covenant": covenant, "round": round_, "done": done}


def test_every_reference_to_a_person_in_covenants_is_covered():
    references = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_app_config("covenants").get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    }
    assert references == privacy.COVERS


def test_the_copy_holds_my_covenant_data_and_nothing_of_another_person(two):
    me, other = two["me"], two["other"]
    data = person_export_json(me)["covenants"]
    text = json.dumps(data, ensure_ascii=False)
    [comment] = data["covenant_comments"]
    assert comment["text"] == "MINE-5521 遛狗时间应写明"
    assert comment["covenant"] == "幸福社区居民公约" and comment["round"] == 1
    assert comment["written_down_by_a_worker"] is True
    [amendment] = data["covenant_amendments"]
    assert amendment["text"] == "MINE-5521 遛狗须牵绳。"
    assert amendment["reason"] == "MINE-5521 更简洁"
    assert (amendment["status"], amendment["supporters"]) == ("proposed", 0)
    [support] = data["covenant_supports"]
    assert support["amendment"] == two["done"]["THEIRS-8812"][1].number
    [ack] = data["covenant_acknowledgements"]
    assert ack["version"] == 1 and ack["recorded_by_a_worker"] is False
    for theirs in ("THEIRS-8812", "李师傅", other.phone, "li@ex.com", "委员会认为"):
        assert theirs not in text


def test_the_copy_labels_its_sections(two):
    app = person_export(two["me"])["covenants"]
    assert app["label"] and app["kept_after_erasure"]
    assert [s["key"] for s in app["sections"]] == [
        "covenant_comments",
        "covenant_amendments",
        "covenant_supports",
        "covenant_acknowledgements",
    ]


def test_erasure_keeps_the_consultations_record_pointing_at_the_tombstone(two, community):
    me, other = two["me"], two["other"]
    comment, amendment, acknowledgement = two["done"]["MINE-5521"]

    done = account_services.account_erase(actor=me, user=me)

    me.refresh_from_db()
    assert me.erased_at is not None and me.display_name == ""
    assert done["covenants"] == {}
    comment.refresh_from_db()
    amendment.refresh_from_db()
    assert comment.author_id == me.pk and comment.text == "MINE-5521 遛狗时间应写明"
    assert amendment.author_id == me.pk and amendment.status == "proposed"
    assert Support.objects.in_community(community).filter(person=me).count() == 1
    # the household's confirmation is still counted
    assert Acknowledgement.objects.in_community(community).filter(pk=acknowledgement.pk).exists()
    # the other resident is untouched
    other.refresh_from_db()
    assert other.display_name == "李师傅" and other.is_active
    assert Comment.objects.in_community(community).filter(author=other).count() == 1


def test_a_person_with_nothing_in_covenants_has_empty_sections(community):
    person = member(community)
    data = person_export_json(person)["covenants"]
    assert all(rows == [] for rows in data.values())
