"""The charter's meeting rules (proxies, a second sitting's lower quorum, notice, the minutes'
correction period) and a power's own quorum and threshold: checked when a charter is made,
shown in the change list between versions, and read by bodies/charter.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongzhi.bodies import charter as rules_
from gongzhi.bodies import selectors
from gongzhi.bodies.models import Charter
from tests.bodies.bodies_world import council

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"second_sitting_quorum_percent": 50}, "charter_second_sitting"),
        ({"second_sitting_quorum_percent": 0}, "charter_second_sitting"),
        ({"max_proxies": 0}, "charter_proxies"),
        ({"notice_days": 1, "extraordinary_notice_days": 3}, "charter_notice"),
        ({"minutes_objection_days": 0}, "charter_minutes"),
        (
            {"powers": [{"kind": "appoint_member", "threshold_percent": 40}]},
            "power_invalid",
        ),
        ({"powers": [{"kind": "appoint_member", "quorum_percent": 101}]}, "power_invalid"),
    ],
)
def test_impossible_meeting_rules_are_refused_and_nothing_saved(community, worker, fields, code):
    with pytest.raises(ValidationError) as excinfo:
        council(community, worker, **fields)
    assert excinfo.value.code == code
    assert not Charter.objects.in_community(community).exists()


def test_meeting_rules_are_kept_and_a_powers_own_rules_read(community, worker):
    power = {"kind": "appoint_member", "quorum_percent": 67, "threshold_percent": 67}
    body = council(
        community,
        worker,
        powers=[power],
        proxies_allowed=True,
        max_proxies=2,
        second_sitting_quorum_percent=30,
        notice_days=10,
        extraordinary_notice_days=2,
        minutes_objection_days=5,
    )
    charter = selectors.charter_in_force(body=body)
    assert charter is not None
    assert (charter.proxies_allowed, charter.max_proxies) == (True, 2)
    assert charter.second_sitting_quorum_percent == 30
    assert (charter.notice_days, charter.extraordinary_notice_days) == (10, 2)
    assert charter.minutes_objection_days == 5
    rules = selectors.rules_of(charter)
    own = rules_.rules_for(rules, "appoint_member")
    assert (own.quorum_percent, own.threshold_percent) == (67, 67)
    assert rules_.rules_for(rules, "other") == rules
    # 4 of 6 for is under two thirds for this power, though a majority
    assert rules_.check_decision(
        rules,
        kind="appoint_member",
        amount_fen=None,
        topic="",
        seated=6,
        present=6,
        votes_for=4,
        votes_against=2,
        abstentions=0,
    ) == [rules_.Refusal("threshold_not_met", {"votes_for": 4, "base": 6, "percent": 67})]


def test_the_change_list_names_the_meeting_rules(community, worker):
    from gongzhi.bodies.services import CharterIn, _new_charter

    body = council(community, worker)
    _new_charter(
        body=body,
        charter=CharterIn(
            powers=[{"kind": "appoint_member"}],
            quorum_percent=50,
            proxies_allowed=True,
            notice_days=14,
        ),
        version=2,
        by=worker,
        decision=None,
    )
    newest = selectors.charter_versions(body)[0]
    labels = {str(change.label) for change in newest.changes}
    proxies = Charter._meta.get_field("proxies_allowed").verbose_name
    notice = Charter._meta.get_field("notice_days").verbose_name
    assert str(proxies) in labels and str(notice) in labels
