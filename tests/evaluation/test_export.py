"""Recomputable: ``journal_export`` writes a community's journal and pseudonymous persons, and
``indicators --from-export DIR`` recomputes from them alone exactly what ``indicators SLUG``
computes from the database and what the dashboard's rollups hold."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.core import journal
from gongzhi.core.models import Activity
from gongzhi.evaluation import engine, services
from gongzhi.evaluation.models import IndicatorValue
from tests.evaluation import world
from tests.factories import member

LINE = re.compile(r"key=(\S+) month=(\d{4}-\d{2}) numerator=(\S+) denominator=(\S+) value=(\S+)$")


def _run(*args, **options) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue().splitlines()


def _number(text: str) -> float | None:
    return None if text == "-" else float(text)


@pytest.mark.django_db
def test_the_export_recomputes_what_the_database_and_the_rollups_say(community, tmp_path):
    seeded = world.build(community)
    from_db = _run("indicators", community.slug)
    _run("journal_export", community.slug, out=str(tmp_path))
    from_export = _run("indicators", from_export=str(tmp_path))
    assert from_export == from_db
    # every journal-only indicator, 24 months and this one
    assert len(from_db) == len(engine.JOURNAL_INDICATORS) * 25
    # Something real was counted: 8 of 12 verified residents took part in the last month.
    last = seeded["months"][-1]
    assert f"key=participation.rate month={last} numerator=8 denominator=12 value=0.666667" in (
        from_db
    )

    services.refresh(community=community)
    rollups = {
        (v.key, f"{v.month:%Y-%m}"): v
        for v in IndicatorValue.objects.in_community(community).filter(
            group="", key__in=services.journal_specs()
        )
    }
    assert len(rollups) == len(from_db)
    for line in from_db:
        key, month, numerator, denominator, value = LINE.match(line).groups()
        row = rollups[key, month]
        assert row.numerator == pytest.approx(float(numerator)), line
        assert row.denominator == _number(denominator), line
        if value == "-":
            assert row.value is None, line
        else:
            assert round(row.value, 6) == pytest.approx(float(value)), line


@pytest.mark.django_db
def test_the_export_is_the_chain_with_pseudonyms_and_nothing_personal(community, tmp_path):
    seeded = world.build(community)
    first = seeded["people"][0]
    # Entries that name a person in their data or as their target.
    journal.bulk_append(
        community,
        [
            journal.PendingEntry(
                "role.granted", None, timezone.now(), data={"role": "volunteer", "user": first.pk}
            ),
            journal.PendingEntry("user.deactivated", None, timezone.now(), target=first),
        ],
    )
    _run("journal_export", community.slug, out=str(tmp_path))
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["format"] == 1 and meta["community"] == community.slug
    assert meta["timezone"] == "Asia/Shanghai" and len(meta["months"]) == 25
    rows = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    stored = list(Activity.objects.in_community(community).order_by("seq"))
    assert [r["seq"] for r in rows] == [e.seq for e in stored]
    assert [(r["hash"], r["prev_hash"]) for r in rows] == [(e.hash, e.prev_hash) for e in stored]
    assert {r["key_id"] for r in rows} == {"1"}
    pid = services.pseudonym(community.pk, first.pk)
    assert re.fullmatch(r"[0-9a-f]{16}", pid)
    assert any(r["actor"] == pid for r in rows)
    persons = [json.loads(line) for line in (tmp_path / "persons.jsonl").read_text().splitlines()]
    assert len(persons) == 12 and pid in {p["pid"] for p in persons}
    text = (tmp_path / "journal.jsonl").read_text() + (tmp_path / "persons.jsonl").read_text()
    for user in seeded["people"]:
        assert user.phone not in text and user.display_name not in text
    assert f'"actor": {first.pk}' not in text
    assert rows[-2]["data"] == {"role": "volunteer", "user": pid}
    assert rows[-1]["target"] == f"accounts.user:{pid}"
    # Groups and age bands only for those who consented.
    for person in persons:
        if not person["consented"]:
            assert person["groups"] == [] and person["age_band"] is None
    assert {p["age_band"] for p in persons if p["consented"]} == {"75+", "30-44"}


@pytest.mark.django_db
def test_pseudonyms_cannot_link_a_person_across_communities(community, other_community):
    user = member(community)
    member_of_other = other_community  # the same person joins a second community
    from gongzhi.core.models import Membership

    Membership.objects.create(community=member_of_other, user=user)
    here = services.persons(community)
    there = services.persons(other_community)
    assert services.pseudonym(community.pk, user.pk) in here
    assert services.pseudonym(other_community.pk, user.pk) in there
    assert not set(here) & set(there)


@pytest.mark.django_db
def test_unknown_community_and_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="no community with slug 'nowhere'"):
        _run("journal_export", "nowhere", out=str(tmp_path))
    with pytest.raises(CommandError, match="no community with slug 'nowhere'"):
        _run("indicators", "nowhere")
    with pytest.raises(CommandError, match="either a community's slug or --from-export"):
        _run("indicators")
    with pytest.raises(CommandError, match="cannot read the export"):
        _run("indicators", from_export=str(tmp_path / "missing"))
