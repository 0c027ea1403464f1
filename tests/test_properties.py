"""Property tests (hypothesis) for the plain modules: phone numbers, rosters, the journal chain."""

from __future__ import annotations

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core import journal
from gongzhi.core.models import Activity
from gongzhi.core.phones import normalize_phone
from gongzhi.core.roster import RosterFileError, parse_roster
from tests.factories import CommunityFactory, UserFactory

MOBILE_PREFIXES = ["130", "135", "138", "139", "150", "158", "166", "177", "186", "199"]
mobile = st.builds(
    lambda p, n: p + f"{n:08d}", st.sampled_from(MOBILE_PREFIXES), st.integers(0, 99_999_999)
)


@given(st.text(max_size=40))
def test_any_text_is_a_valid_number_or_a_clear_error(text):
    try:
        e164 = normalize_phone(text)
    except ValidationError as error:
        assert error.code == "phone_invalid"
    else:
        assert e164.startswith("+")
        assert phonenumbers.is_valid_number(phonenumbers.parse(e164))
        assert normalize_phone(e164) == e164  # idempotent


SPELLINGS = [
    lambda n: n,
    lambda n: "+86" + n,
    lambda n: "86" + n,
    lambda n: "+86 " + n,
    lambda n: f"{n[:3]} {n[3:7]} {n[7:]}",
    lambda n: f"{n[:3]}-{n[3:7]}-{n[7:]}",
]


@given(mobile, st.sampled_from(SPELLINGS))
def test_the_same_number_written_differently_is_one_person(number, spell):
    assert normalize_phone(spell(number)) == "+86" + number


cell = st.one_of(st.text(max_size=12), mobile, st.just(""))


@given(st.lists(st.lists(cell, min_size=0, max_size=5), max_size=30))
def test_roster_parser_never_crashes_and_accounts_for_every_row(body):
    table = [["手机号", "姓名", "楼栋", "单元房号"], *body]
    try:
        parsed = parse_roster(table, max_rows=1000)
    except RosterFileError:
        return
    non_empty = [row for row in body if any((c or "").strip() for c in row)]
    assert len(parsed.rows) + len(parsed.errors) == len(non_empty)
    phones = [row.phone for row in parsed.rows]
    assert len(phones) == len(set(phones))  # duplicates are errors, never two entries
    for error in parsed.errors:
        assert 2 <= error.line <= len(body) + 1


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payloads=st.lists(
        st.dictionaries(
            # PostgreSQL's jsonb cannot hold NUL; forms reject it before it gets this far.
            st.text(st.characters(exclude_characters="\x00"), max_size=5),
            st.one_of(
                st.integers(),
                st.text(st.characters(exclude_characters="\x00"), max_size=8),
                st.booleans(),
            ),
            max_size=3,
        ),
        min_size=1,
        max_size=6,
    ),
    victim=st.integers(min_value=0),
)
def test_any_chain_verifies_and_any_altered_entry_is_found(payloads, victim):
    community = CommunityFactory()
    actor = UserFactory()
    for data in payloads:
        journal.record(community=community, actor=actor, verb="test.prop", data=data)
    journal.chain(community)
    assert journal.verify(community) is None
    seq = victim % len(payloads) + 1
    Activity.objects.in_community(community).filter(seq=seq).update(verb="test.tampered")
    broken = journal.verify(community)
    assert broken is not None and broken.seq == seq
