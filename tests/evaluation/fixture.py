"""A small community's journal, written out by hand, and what every indicator must say about it.

Times are UTC; the months are calendar months in Asia/Shanghai (UTC+8), so an entry at 16:30 UTC
on 31 December belongs to January. The people:

- a: verified 2025-12-01, takes part every month;
- b: verified mid-January (2026-01-15), votes in the budget on 8 January — before the verification,
  yet in January's figures, as she is verified by the month's end;
- c: verified 2025-11-01, left on 2026-01-20: her January acts count in no people rate;
- d: never verified: her binding vote (and her support for a covenant's amendment) counts nowhere;
- e: verified 2025-12-01: reads a notice on New Year's Eve (local), later files a ticket and is
  handed a paper budget ballot by a worker (the act is hers);
- f: verified 2025-10-01, only casts a non-binding (poll) vote in February: consulted, not deciding;
- w: a community worker, verified, whose acts are all staff acts: never a participant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from gongzhi.evaluation.engine import Entry, EvalInput, Person

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = ["2025-12", "2026-01", "2026-02"]

PERSONS = [
    Person("a", date(2025, 12, 1), None, grid="G1", building="B1"),
    Person("b", date(2026, 1, 15), None, grid="G1", building="B2"),
    Person("c", date(2025, 11, 1), date(2026, 1, 20), grid="G2", building="B3"),
    Person("d", None, None, grid="G2", building="B3"),
    Person(
        "e",
        date(2025, 12, 1),
        None,
        grid="G2",
        building="B3",
        consented=True,
        groups=frozenset({"elderly"}),
        age_band="75+",
    ),
    Person("f", date(2025, 10, 1), None, grid="G1", building="B1"),
    Person("w", date(2025, 6, 1), None, grid="G1", building="B1"),
]

T1, T2, T3, T4, T5 = (f"feedback.ticket:{n}" for n in range(1, 6))
P1, P2 = "deliberation.proposal:1", "deliberation.proposal:2"

# (UTC time, verb, actor, target, data[, on_behalf_of])
ROWS: list[tuple[Any, ...]] = [
    ("2025-12-10T02:00", "comment.added", "a", P1, {}),
    ("2025-12-15T02:00", "statement.voted", "c", "opinions.conversation:1", {"vote": 1}),
    ("2025-12-20T03:00", "notice.published", "w", "disclosure.notice:1", {}),
    ("2025-12-31T15:00", "notice.read_confirmed", "e", "disclosure.notice:1", {}),  # Dec 31 23:00
    ("2025-12-31T16:30", "hotline.filed", "c", T1, {"number": 1}),  # Jan 1 00:30 local
    ("2026-01-05T01:00", "hotline.filed", "a", T2, {"number": 2}),
    ("2026-01-06T01:00", "hotline.resolved", "w", T1, {"number": 1}),
    ("2026-01-08T01:00", "budget.voted", "b", "budgeting.process:1", {}),
    ("2026-01-10T01:00", "vote.cast", "a", "voting.vote:1", {"binding": True}),
    ("2026-01-12T01:00", "vote.cast", "d", "voting.vote:1", {"binding": True}),
    ("2026-01-15T01:00", "hotline.resolved", "w", T2, {"number": 2}),
    ("2026-01-16T01:00", "hotline.rated", "a", T2, {"solved": True, "satisfaction": 5}),
    ("2026-01-18T01:00", "hotline.rated", "c", T1, {"solved": False, "satisfaction": 3}),
    ("2026-01-20T01:00", "proposal.published", "a", P2, {}),
    ("2026-01-25T01:00", "budget.counted", None, "budgeting.process:1", {"funded_fen": 1234550}),
    ("2026-01-26T01:00", "budget.counted", None, "budgeting.process:2", {"funded_fen": 50}),
    ("2026-01-27T01:00", "budget.counted", None, "budgeting.process:3", {"rule": "greedy"}),
    (
        "2026-01-29T01:00",
        "finance.period_published",
        "w",
        "disclosure.period:1",
        {"period_end": "2025-12-31"},
    ),
    (
        "2026-01-31T15:00",
        "finance.period_published",
        "w",
        "disclosure.period:4",
        {"period_end": "2026-01-01"},
    ),
    ("2026-01-31T17:00", "proposal.published", "b", P1, {}),  # Feb 1 01:00 local
    ("2026-02-02T01:00", "proposal.status_changed", "w", P1, {"to": "review"}),
    ("2026-02-03T01:00", "proposal.status_changed", "w", P1, {"to": "accepted"}),
    ("2026-02-04T01:00", "proposal.status_changed", "w", P1, {"to": "implemented"}),
    ("2026-02-05T01:00", "hotline.filed", "a", T3, {"number": 3}),
    ("2026-02-06T01:00", "hotline.merged", "w", T3, {"number": 3, "into": 2}),
    ("2026-02-07T01:00", "hotline.filed", "e", T4, {"number": 4}),
    ("2026-02-08T01:00", "proposal.status_changed", "w", P2, {"to": "rejected"}),
    ("2026-02-09T01:00", "budget.paper_issued", "w", "budgeting.process:4", {}, "e"),
    ("2026-02-10T01:00", "hotline.resolved", "w", T4, {"number": 4}),
    ("2026-02-11T01:00", "hotline.reopened", "e", T4, {"number": 4}),
    ("2026-02-12T01:00", "hotline.filed", "b", T5, {"number": 5}),
    ("2026-02-14T01:00", "vote.cast", "f", "voting.vote:2", {"binding": False}),
    ("2026-02-15T01:00", "budget.counted", None, "budgeting.process:1", {"funded_fen": 1000000}),
    ("2026-02-20T01:00", "hotline.resolved", "w", T4, {"number": 4}),
    (
        "2026-02-20T01:00",
        "finance.period_published",
        "w",
        "disclosure.period:2",
        {"period_end": "2026-01-15"},
    ),
    ("2026-02-21T01:00", "finance.period_published", "w", "disclosure.period:3", {}),
    ("2026-02-21T02:00", "hotline.rated", "e", T4, {"solved": True, "satisfaction": 4}),
]

# Self-governing bodies (issue 15): council 1 and interest group 2 set up in December, review
# panel 3 drawn in January; group 2 becomes active in January and is dissolved in February.
B1, B2, B3 = (f"bodies.body:{n}" for n in range(1, 4))
M1, M2, M3, M4, M5 = (f"bodies.mandate:{n}" for n in range(1, 6))


def _term(body: int, chosen_by: str, user: str) -> dict[str, Any]:
    return {
        "body": body,
        "kind": "council",
        "position": "委员",
        "chosen_by": chosen_by,
        "user": user,
    }


ROWS += [
    ("2025-12-01T02:00", "body.created", "w", B1, {"body": 1, "kind": "council"}),
    ("2025-12-01T03:00", "body.created", "w", B2, {"body": 2, "kind": "interest_group"}),
    ("2025-12-02T02:00", "body.mandate_started", "w", M1, _term(1, "election", "a")),
    ("2025-12-02T03:00", "body.mandate_started", "w", M2, _term(1, "appointment", "f")),
    ("2025-12-02T04:00", "body.mandate_started", "w", M3, _term(2, "founding", "e")),
    ("2025-12-20T02:00", "body.decision_recorded", "w", "bodies.decision:1", {"body": 1}),
    ("2025-12-21T02:00", "opinion.raised", "w", "bodies.opinion:1", {"opinion": 1, "body": 1}),
    ("2026-01-03T02:00", "body.mandate_ended", "w", M2, {"body": 1, "reason": "moved away"}),
    ("2026-01-04T02:00", "body.mandate_started", "w", M4, _term(1, "appointment", "b")),
    ("2026-01-06T02:00", "body.created", None, B3, {"body": 3, "kind": "review_panel"}),
    ("2026-01-06T02:00", "panel.drawn", None, "bodies.panel:1", {"panel": 1, "index": 0}),
    ("2026-01-06T03:00", "body.mandate_started", None, M5, _term(3, "lot", "a")),
    (
        "2026-01-10T02:00",
        "opinion.answered",
        "w",
        "bodies.opinion:1",
        {"opinion": 1, "body": 1, "on_time": True},
    ),
    (
        "2026-01-12T02:00",
        "incubation.stage_changed",
        "w",
        "bodies.incubation:1",
        {"body": 2, "from": "filed", "to": "active"},
    ),
    ("2026-01-20T02:00", "panel.assessment_published", "w", "bodies.panel:1", {"panel": 1}),
    (
        "2026-01-25T02:00",
        "partner.contribution_recorded",
        "w",
        "bodies.contribution:1",
        {"partner": 1, "agreement": 1, "kind": "money", "value_fen": 50000},
    ),
    (
        "2026-01-26T02:00",
        "partner.contribution_recorded",
        "w",
        "bodies.contribution:2",
        {"partner": 1, "agreement": 1, "kind": "in_kind", "value_fen": None},
    ),
    ("2026-02-01T02:00", "body.dissolved", "w", B2, {"body": 2, "kind": "interest_group"}),
    ("2026-02-02T02:00", "opinion.raised", "w", "bodies.opinion:2", {"opinion": 2, "body": 1}),
    (
        "2026-02-12T02:00",
        "partner.contribution_recorded",
        "w",
        "bodies.contribution:3",
        {"partner": 1, "agreement": 1, "kind": "in_kind", "value_fen": 12345},
    ),
    ("2026-02-25T02:00", "panel.answered", "w", "bodies.panel:1", {"panel": 1, "on_time": False}),
    ("2026-02-26T02:00", "body.decision_recorded", "w", "bodies.decision:2", {"body": 3}),
    (
        "2026-02-27T02:00",
        "incubation.stage_changed",
        "w",
        "bodies.incubation:1",
        {"body": 2, "from": "active", "to": "dormant"},
    ),
]

# Meetings (issue 16): council 1 meets in December (quorum, a and f seated, a came) and January
# (a and b seated, f's term ended; b came; no quorum; the close is journalled twice), panel 3
# in February (a came) and council 1 again in February, closed by an entry of an older shape
# (no quorum, no numbers). Only staff and the system journal these acts: no participation.
MT1, MT2, MT3, MT4 = (f"meetings.meeting:{n}" for n in range(1, 5))


VR1, VR2, VR3 = (f"volunteering.volunteer:{n}" for n in range(1, 4))
H1, H2, H3, H5, H6 = (f"volunteering.hoursentry:{n}" for n in (1, 2, 3, 5, 6))
EX1, EX2 = "volunteering.exchange:1", "volunteering.exchange:2"


def _hours(volunteer: int, served_on: str, credited: int) -> dict[str, Any]:
    return {"volunteer": volunteer, "served_on": served_on, "credited_minutes": credited}


def _closed(meeting: int, body: int, **numbers: Any) -> dict[str, Any]:
    return {"meeting": meeting, "body": body, "kind": "ordinary", **numbers}


def _arrived(meeting: int, person: str, role: str = "member") -> dict[str, Any]:
    return {"meeting": meeting, "body": 1, "person": person, "role": role}


def _item(item: int, source: str, proposal: int | None = None) -> dict[str, Any]:
    return {"meeting": 1, "item": item, "source": source, "proposal": proposal}


def _action(action: int, status: str, on_time: bool) -> dict[str, Any]:
    return {"action": action, "meeting": 1, "status": status, "on_time": on_time}


ROWS += [
    (
        "2025-12-10T02:00",
        "agenda.item_added",
        "w",
        "meetings.agendaitem:1",
        _item(1, "proposal", 1),
    ),
    ("2025-12-10T03:00", "agenda.item_added", None, "meetings.agendaitem:2", _item(2, "staff")),
    ("2025-12-15T01:00", "roll.arrived", "w", MT1, _arrived(1, "a")),
    ("2025-12-15T01:05", "roll.arrived", "w", MT1, _arrived(1, "c", "observer")),
    (
        "2025-12-15T03:00",
        "meeting.closed",
        "w",
        MT1,
        _closed(1, 1, quorum=True, seated=2, members_present=1),
    ),
    (
        "2025-12-15T04:00",
        "action.created",
        "w",
        "meetings.actionitem:1",
        {"action": 1, "meeting": 1, "due_on": "2026-01-10"},
    ),
    (
        "2025-12-15T04:01",
        "action.created",
        "w",
        "meetings.actionitem:2",
        {"action": 2, "meeting": 1, "due_on": "2026-01-31"},
    ),
    (
        "2025-12-15T04:02",
        "action.created",
        "w",
        "meetings.actionitem:3",
        {"action": 3, "meeting": 1, "due_on": "2026-02-28"},
    ),
    (
        "2025-12-15T04:03",
        "action.created",
        "w",
        "meetings.actionitem:4",
        {"action": 4, "meeting": 1, "due_on": "2026-02-15"},
    ),
    ("2026-01-09T02:00", "action.updated", "w", "meetings.actionitem:1", _action(1, "done", True)),
    ("2026-01-10T02:00", "agenda.item_added", "w", "meetings.agendaitem:3", _item(3, "member")),
    (
        "2026-01-11T02:00",
        "agenda.item_added",
        "w",
        "meetings.agendaitem:1",
        _item(1, "proposal", 1),
    ),
    ("2026-01-20T01:00", "roll.arrived", "w", MT2, _arrived(2, "b")),
    (
        "2026-01-20T03:00",
        "meeting.closed",
        "w",
        MT2,
        _closed(2, 1, quorum=False, seated=2, members_present=1),
    ),
    (
        "2026-01-21T03:00",
        "meeting.closed",
        "w",
        MT2,
        _closed(2, 1, quorum=True, seated=2, members_present=2),
    ),
    ("2026-02-01T02:00", "action.updated", "w", "meetings.actionitem:3", _action(3, "done", True)),
    ("2026-02-02T02:00", "action.updated", "w", "meetings.actionitem:2", _action(2, "done", False)),
    ("2026-02-03T02:00", "action.updated", "w", "meetings.actionitem:3", _action(3, "open", False)),
    ("2026-02-10T01:00", "roll.arrived", "w", MT3, {**_arrived(3, "a"), "body": 3}),
    (
        "2026-02-10T03:00",
        "meeting.closed",
        "w",
        MT3,
        _closed(3, 3, quorum=True, seated=1, members_present=1),
    ),
    ("2026-02-20T03:00", "meeting.closed", None, MT4, {"meeting": 4, "body": 1}),
    # Volunteering (issue 17). Registrations: a herself, f by the worker (代办), b in February;
    # a withdraws in January. Hours count in the month served (served_on), less reversals.
    ("2025-12-01T02:00", "volunteer.registered", "a", VR1, {"volunteer": 1}),
    ("2025-12-01T03:00", "volunteer.registered", "w", VR2, {"volunteer": 2}, "f"),
    ("2025-12-02T02:00", "hours.confirmed", "w", H1, _hours(2, "2025-11-20", 90)),  # f, Nov
    ("2025-12-12T02:00", "hours.confirmed", "w", H2, _hours(1, "2025-12-10", 120)),  # a, Dec
    ("2025-12-20T02:00", "hours.confirmed", "w", H3, _hours(2, "2025-12-19", 60)),  # f, Dec …
    (
        "2026-01-05T02:00",
        "hours.reversed",
        "w",
        "volunteering.hoursentry:4",
        {"entry": 3, "volunteer": 2, "credited_minutes": -60, "reason": "记错了"},
    ),  # … reversed in full in January: f did not serve in December after all
    ("2026-01-10T02:00", "exchange.confirmed", "e", EX1, {"exchange": 1}),
    ("2026-01-11T02:00", "exchange.confirmed", "b", EX1, {"exchange": 1}),  # both: done
    ("2026-01-20T02:00", "volunteer.withdrawn", "a", VR1, {"volunteer": 1}),
    ("2026-02-03T02:00", "volunteer.registered", "b", VR3, {"volunteer": 3}),
    ("2026-02-10T02:00", "hours.confirmed", "w", H5, _hours(2, "2026-02-08", 30)),  # f, Feb
    ("2026-02-12T02:00", "hours.confirmed", "w", H6, _hours(3, "2026-02-11", 150)),  # b, Feb
    ("2026-02-15T02:00", "exchange.confirmed", "a", EX2, {"exchange": 2}),  # one side only
]

# Learning (issue 18). Course 1 in December: a enrols, the worker enrols e for her (代办), c
# enrols (waitlisted), cancels and enrols again (one enrolment that month); a completes (f
# trained it: f led already), e does not. b enrols in course 2 just after midnight on New
# Year's Eve (January) and completes in the first minutes of February (local), trained by a. Qualifications: a's chairing runs out on 31 January and is renewed from
# 1 February; e's first aid is recorded from outside in January and revoked in February; c's
# chairing is granted in January, but c has left by the month's end. b joins through a's link
# in January; f accepts an invitation in February. d (never verified) becomes an organisation's
# leader in February; b's reviewer role leads nothing; b's appointment as a team leader (through
# her registration) comes after her term of office.
EN1, EN2, EN3, EN4 = (f"learning.enrolment:{n}" for n in range(1, 5))
AW1, AW2, AW3, AW4, AW5 = (f"learning.award:{n}" for n in range(1, 6))
INV1 = "learning.invitation:1"


def _enrolled(
    course: int, person: str, status: str = "enrolled", by: str | None = None
) -> dict[str, Any]:
    return {"course": course, "person": person, "status": status, "recruited_by": by}


def _decided(course: int, person: str, trainers: list[str]) -> dict[str, Any]:
    code = "chairing" if course == 1 else "mediation"
    return {"course": course, "person": person, "qualification": code, "trainers": trainers}


def _award(person: str, code: str, valid_from: str, valid_until: str | None) -> dict[str, Any]:
    return {
        "person": person,
        "qualification": code,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


ROWS += [
    ("2025-12-03T02:00", "course.enrolled", "a", EN1, _enrolled(1, "a")),
    ("2025-12-03T03:00", "course.enrolled", "w", EN2, _enrolled(1, "e", by="a"), "e"),
    ("2025-12-04T02:00", "course.enrolled", "c", EN3, _enrolled(1, "c", "waitlisted")),
    ("2025-12-05T02:00", "course.enrolment_cancelled", "c", EN3, {"course": 1, "person": "c"}),
    ("2025-12-06T02:00", "course.enrolled", "c", EN3, _enrolled(1, "c", "waitlisted")),
    ("2025-12-20T02:00", "course.completed", "w", EN1, _decided(1, "a", ["f"])),
    (
        "2025-12-20T02:05",
        "qualification.granted",
        "w",
        AW1,
        _award("a", "chairing", "2025-12-20", "2026-01-31"),
    ),
    ("2025-12-20T02:10", "course.not_completed", "w", EN2, _decided(1, "e", ["f"])),
    ("2025-12-31T16:10", "course.enrolled", "b", EN4, _enrolled(2, "b")),  # 1 January, local
    (
        "2026-01-10T02:00",
        "qualification.recorded",
        "w",
        AW2,
        _award("e", "first_aid", "2025-06-01", None),
    ),
    (
        "2026-01-12T02:00",
        "qualification.granted",
        "w",
        AW3,
        _award("c", "chairing", "2026-01-12", None),
    ),
    (
        "2026-01-15T02:00",
        "invite_link.joined",
        "b",
        "core.membership:2",
        {"person": "b", "recruiter": "a"},
    ),
    ("2026-01-31T16:30", "course.completed", "w", EN4, _decided(2, "b", ["a"])),  # 1 Feb
    (
        "2026-02-01T02:00",
        "qualification.granted",
        "w",
        AW4,
        _award("b", "mediation", "2026-02-01", "2028-01-31"),
    ),
    (
        "2026-02-05T02:00",
        "qualification.granted",
        "w",
        AW5,
        _award("a", "chairing", "2026-02-01", "2028-01-31"),
    ),
    (
        "2026-02-10T02:00",
        "qualification.revoked",
        "w",
        AW2,
        {"person": "e", "qualification": "first_aid"},
    ),
    (
        "2026-02-11T02:00",
        "leadership.invited",
        "w",
        INV1,
        {"person": "f", "invited_by": "w", "step": "meetings.chair"},
    ),
    (
        "2026-02-12T02:00",
        "leadership.invitation_accepted",
        "f",
        INV1,
        {"person": "f", "invited_by": "w", "step": "meetings.chair"},
    ),
    (
        "2026-02-14T02:00",
        "role.granted",
        "w",
        "core.membership:4",
        {"role": "org_leader", "user": "d"},
    ),
    (
        "2026-02-15T02:00",
        "role.granted",
        "w",
        "core.membership:2",
        {"role": "reviewer", "user": "b"},
    ),
    (
        "2026-02-16T02:00",
        "team.leader_appointed",
        "w",
        "volunteering.teammember:1",
        {"team": 1, "volunteer": 3},
    ),
]

# Covenants (issue 19). Round 1 of covenant 1 in December and January: a comments twice (one
# commenter), a worker writes down e's comment for her (e's act: she rises to "consulted" that
# month), c proposes amendment 1; b proposes amendment 2 just after midnight on New Year's Eve
# (January, before her verification, but she is verified by the month's end); a supports
# amendment 1 and so does d (never verified: counts nowhere); c comments on 5 January (she has
# left by the month's end). The drafting body accepts 1 and rejects 2 in January; 1's acceptance
# is journalled again in February (decided once). a proposes amendment 3 in round 2, accepted
# by the article-by-article vote in February. Acknowledgements (household keys): a for household
# 1 at 23:30 local on 31 January; b for household 2 at midnight (February); a paper one for e's
# household 3 entered by the worker, and e's own for building B3's covenant (version 3) in the
# same month (household 3 once); f for household 1 the covenant's new version 2. f comments in
# the first minutes of February (local).
CM1, CM2, CM3, CM4, CM5 = (f"covenants.comment:{n}" for n in range(1, 6))
AM1, AM2, AM3 = (f"covenants.amendment:{n}" for n in range(1, 4))
AK1, AK2, AK3, AK4, AK5 = (f"covenants.acknowledgement:{n}" for n in range(1, 6))


def _decision(round_: int, author: str, by: str = "body") -> dict[str, Any]:
    return {"round": round_, "author": author, "by": by}


def _ack(version: int, household: int) -> dict[str, Any]:
    return {"version": version, "household": household}


ROWS += [
    ("2025-12-05T02:00", "covenant.commented", "a", CM1, {"round": 1, "article": 1}),
    ("2025-12-06T02:00", "covenant.commented", "a", CM2, {"round": 1, "article": 2}),
    ("2025-12-08T02:00", "covenant.commented", "w", CM3, {"round": 1, "article": 1}, "e"),
    ("2025-12-09T02:00", "covenant.amendment_proposed", "c", AM1, {"round": 1, "kind": "replace"}),
    # 1 January 00:20, local
    ("2025-12-31T16:20", "covenant.amendment_proposed", "b", AM2, {"round": 1, "kind": "insert"}),
    ("2026-01-03T02:00", "covenant.amendment_supported", "a", AM1, {"round": 1}),
    ("2026-01-04T02:00", "covenant.amendment_supported", "d", AM1, {"round": 1}),
    ("2026-01-05T02:00", "covenant.commented", "c", CM4, {"round": 1, "article": 3}),
    ("2026-01-20T02:00", "covenant.amendment_accepted", "w", AM1, _decision(1, "c")),
    ("2026-01-20T02:05", "covenant.amendment_rejected", "w", AM2, _decision(1, "b")),
    ("2026-01-22T02:00", "covenant.amendment_proposed", "a", AM3, {"round": 2, "kind": "delete"}),
    ("2026-01-31T15:30", "covenant.acknowledged", "a", AK1, _ack(1, 1)),  # 31 Jan 23:30 local
    ("2026-01-31T16:00", "covenant.acknowledged", "b", AK2, _ack(1, 2)),  # 1 Feb 00:00 local
    ("2026-01-31T16:30", "covenant.commented", "f", CM5, {"round": 2, "article": 1}),  # 1 Feb
    ("2026-02-02T02:00", "covenant.amendment_accepted", "w", AM1, _decision(1, "c")),
    ("2026-02-06T02:00", "covenant.amendment_accepted", None, AM3, _decision(2, "a", "vote")),
    ("2026-02-09T02:00", "covenant.acknowledged", "w", AK3, _ack(1, 3), "e"),
    ("2026-02-24T02:00", "covenant.acknowledged", "e", AK4, _ack(3, 3)),
    ("2026-02-25T02:00", "covenant.acknowledged", "f", AK5, _ack(2, 1)),
]

# Mediation (issue 19): entries with no target, naming no one but the actor. A resident who
# applies (a in December, f in January, b in February) opens a case, but a party's own dispute
# is no rung of the ladder: f, who takes part in nothing else in January, stays out of January's
# participation. Cases: a's noise (agreed in January, 30 days), a leak walk-in (agreed in
# December, 14 days), a parking referral from the hotline at 01:00 local on 1 January (not
# agreed), f's pets (not taken up: left out of the agreement rate), a boundary walk-in (agreed
# ten minutes into February, local, 20 days), b's shared space (withdrawn) and a family walk-in
# (agreed, 7 days). Follow-ups: full in January; partial, not yet due (left out) and full in
# February.


def _concluded(kind: str, outcome: str, days: int) -> dict[str, Any]:
    return {"kind": kind, "outcome": outcome, "days": days}


ROWS += [
    (
        "2025-12-11T02:00",
        "mediation.case_opened",
        "a",
        "",
        {"kind": "noise", "channel": "application"},
    ),
    ("2025-12-12T02:00", "mediation.case_opened", "w", "", {"kind": "leak", "channel": "walk_in"}),
    ("2025-12-28T02:00", "mediation.case_concluded", "w", "", _concluded("leak", "agreed", 14)),
    (
        "2025-12-31T17:00",
        "mediation.case_opened",
        "w",
        "",
        {"kind": "parking", "channel": "hotline"},
    ),
    (
        "2026-01-08T02:00",
        "mediation.case_opened",
        "f",
        "",
        {"kind": "pets", "channel": "application"},
    ),
    ("2026-01-09T02:00", "mediation.case_concluded", "w", "", _concluded("pets", "declined", 1)),
    ("2026-01-10T02:00", "mediation.follow_up_recorded", "w", "", {"performance": "full"}),
    (
        "2026-01-12T02:00",
        "mediation.case_opened",
        "w",
        "",
        {"kind": "boundary", "channel": "walk_in"},
    ),
    ("2026-01-14T02:00", "mediation.case_concluded", "w", "", _concluded("noise", "agreed", 30)),
    (
        "2026-01-25T02:00",
        "mediation.case_concluded",
        "w",
        "",
        _concluded("parking", "not_agreed", 24),
    ),
    ("2026-01-31T16:10", "mediation.case_concluded", "w", "", _concluded("boundary", "agreed", 20)),
    (
        "2026-02-03T02:00",
        "mediation.case_opened",
        "w",
        "",
        {"kind": "family", "channel": "walk_in"},
    ),
    (
        "2026-02-05T02:00",
        "mediation.case_opened",
        "b",
        "",
        {"kind": "shared_space", "channel": "application"},
    ),
    ("2026-02-10T02:00", "mediation.case_concluded", "w", "", _concluded("family", "agreed", 7)),
    ("2026-02-12T02:00", "mediation.follow_up_recorded", "w", "", {"performance": "partial"}),
    (
        "2026-02-18T02:00",
        "mediation.case_concluded",
        "w",
        "",
        _concluded("shared_space", "withdrawn", 13),
    ),
    ("2026-02-20T02:00", "mediation.follow_up_recorded", "w", "", {"performance": "not_due"}),
    ("2026-02-26T02:00", "mediation.follow_up_recorded", "w", "", {"performance": "full"}),
]

# Shared spaces (issue 20). a books in December and January; a worker books for e (hers) in
# December; d (never verified) asks and is approved (a staff act); f books a repeating series
# ten minutes into January (local); c (gone by January's end) and b (verified by then) ask in a
# draw; e asks in February and cancels; f only waits for a taken time then (no booking act).
# No-shows: booking 1 released in December; booking 2 at 00:05 on 1 January local, withdrawn on
# appeal in February (counted nowhere); booking 4 released in January, journalled again in
# February (once); booking 6 in February, upheld. Idle space 1 (85.5 m², recorded in December)
# opens in January, journalled again in February (once); idle space 2 (40 m²) opens at 00:30 on
# 1 February local. Lent: three tables in December; in February one thing, and one more at
# 23:50 on 28 February local (no count: one).
SB = "spaces.booking"
ROWS += [
    ("2025-12-02T02:00", "idle.recorded", "w", "spaces.idlespace:1", {"area_m2": "85.50"}),
    ("2025-12-03T02:00", "booking.made", "a", f"{SB}:1", {"space": 1, "seat": 1}),
    ("2025-12-04T02:00", "booking.made", "w", f"{SB}:2", {"space": 1, "seat": 1}, "e"),
    ("2025-12-05T02:00", "booking.requested", "d", f"{SB}:3", {"space": 2, "seat": 1}),
    ("2025-12-06T02:00", "booking.approved", "w", f"{SB}:3", {"space": 2, "person": "d"}),
    ("2025-12-15T05:00", "loan.lent", "w", "spaces.loan:1", {"resource": 1, "count": 3}),
    ("2025-12-20T03:00", "booking.released", None, f"{SB}:1", {"space": 1, "person": "a"}),
    ("2025-12-22T02:00", "loan.returned", "w", "spaces.loan:1", {"resource": 1, "count": 3}),
    ("2025-12-31T16:05", "booking.released", None, f"{SB}:2", {"space": 1, "person": "e"}),
    ("2025-12-31T16:10", "series.booked", "f", "spaces.series:1", {"space": 1, "booked": 10}),
    ("2026-01-06T02:00", "draw.requested", "c", "spaces.drawrequest:1", {"draw": 1, "space": 2}),
    ("2026-01-07T02:00", "draw.requested", "b", "spaces.drawrequest:2", {"draw": 1, "space": 2}),
    ("2026-01-08T02:00", "booking.made", "a", f"{SB}:4", {"space": 2, "seat": 1}),
    ("2026-01-10T02:00", "booking.no_show_appealed", "e", "spaces.noshowappeal:1", {"booking": 2}),
    ("2026-01-12T02:00", "idle.opened", "w", "spaces.idlespace:1", {"area_m2": "85.50"}),
    ("2026-01-15T02:00", "booking.released", None, f"{SB}:4", {"space": 2, "person": "a"}),
    ("2026-01-31T16:30", "idle.opened", "w", "spaces.idlespace:2", {"area_m2": "40"}),
    ("2026-02-01T02:00", "loan.lent", "w", "spaces.loan:2", {"resource": 2, "count": 1}),
    ("2026-02-02T02:00", "booking.no_show_withdrawn", "w", f"{SB}:2", {"booking": 2}),
    ("2026-02-03T02:00", "booking.requested", "e", f"{SB}:5", {"space": 2, "seat": 1}),
    ("2026-02-04T02:00", "booking.cancelled", "e", f"{SB}:5", {"space": 2}),
    ("2026-02-05T02:00", "booking.released", None, f"{SB}:4", {"space": 2, "person": "a"}),
    ("2026-02-06T02:00", "booking.waiting", "f", "spaces.waitingrequest:1", {"space": 2}),
    ("2026-02-09T02:00", "booking.released", None, f"{SB}:6", {"space": 1, "person": "b"}),
    ("2026-02-12T02:00", "booking.no_show_upheld", "w", f"{SB}:6", {"booking": 6}),
    ("2026-02-14T02:00", "idle.opened", "w", "spaces.idlespace:1", {"area_m2": "85.50"}),
    ("2026-02-28T15:50", "loan.lent", "w", "spaces.loan:3", {"resource": 1}),
]


def entries() -> list[Entry]:
    out = []
    for seq, row in enumerate(ROWS, start=1):
        at, verb, actor, target, data = row[:5]
        out.append(
            Entry(
                seq=seq,
                at=datetime.fromisoformat(at).replace(tzinfo=UTC),
                verb=verb,
                actor=actor,
                target=target,
                data=data,
                on_behalf_of=row[5] if len(row) > 5 else None,
            )
        )
    return out


def make_input() -> EvalInput:
    return EvalInput(
        entries=entries(), persons={p.pid: p for p in PERSONS}, months=MONTHS, tz=SHANGHAI
    )


# The hand count. People rates: (numerator pids, denominator pids). Verified at the month's end:
# December a, c, e, f, w (b not yet, d never); January and February a, b, e, f, w (c has left).
DEC_VERIFIED = {"a", "c", "e", "f", "w"}
LATER_VERIFIED = {"a", "b", "e", "f", "w"}
PEOPLE: dict[str, dict[str, tuple[set[str], set[str]]]] = {
    "participation.rate": {
        "2025-12": ({"a", "c", "e"}, DEC_VERIFIED),
        "2026-01": ({"a", "b"}, LATER_VERIFIED),  # c left, d unverified
        "2026-02": ({"a", "b", "e", "f"}, LATER_VERIFIED),
    },
    "participation.ladder_informed": {
        "2025-12": ({"a", "c", "e"}, DEC_VERIFIED),
        "2026-01": ({"a", "b"}, LATER_VERIFIED),
        "2026-02": ({"a", "b", "e", "f"}, LATER_VERIFIED),
    },
    "participation.ladder_consulted": {
        # e read a notice, and the comment on the covenant a worker wrote down for her is hers
        "2025-12": ({"a", "c", "e"}, DEC_VERIFIED),
        "2026-01": ({"a", "b"}, LATER_VERIFIED),
        "2026-02": ({"a", "b", "e", "f"}, LATER_VERIFIED),
    },
    "participation.ladder_deciding": {
        "2025-12": (set(), DEC_VERIFIED),
        "2026-01": ({"a", "b"}, LATER_VERIFIED),  # a binding vote, a budget ballot
        "2026-02": ({"e"}, LATER_VERIFIED),  # the paper ballot handed to e; f's poll is not
    },
    "participation.retention": {
        "2025-12": (set(), set()),
        "2026-01": ({"a"}, {"a", "c", "e"}),
        "2026-02": ({"a", "b"}, {"a", "b"}),
    },
    # Seated when their body's meeting closed, and came to one: c was an observer.
    # Of the verified residents, those who served in the month (f's December hours reversed).
    "volunteering.residents_serving": {
        "2025-12": ({"a"}, DEC_VERIFIED),
        "2026-01": (set(), LATER_VERIFIED),
        "2026-02": ({"b", "f"}, LATER_VERIFIED),
    },
    # Those who served three months before (f in November), and who served again since.
    "volunteering.retention": {
        "2025-12": (set(), set()),
        "2026-01": (set(), set()),
        "2026-02": ({"f"}, {"f"}),
    },
    # Of the verified residents, those who have led by the month's end: terms of office (a, f,
    # e in December, b in January); d is not verified.
    "learning.leadership_share": {
        "2025-12": ({"a", "e", "f"}, DEC_VERIFIED),
        "2026-01": ({"a", "b", "e", "f"}, LATER_VERIFIED),
        "2026-02": ({"a", "b", "e", "f"}, LATER_VERIFIED),
    },
    # Dec: a and e commented, c proposed. Jan: b proposed (verified by the month's end), a
    # supported; c (left) and d (never verified) do not count. Feb: b, e (the paper one the
    # worker entered, and her own) and f acknowledged, f commented; a did nothing for a covenant.
    "covenants.participation": {
        "2025-12": ({"a", "c", "e"}, DEC_VERIFIED),
        "2026-01": ({"a", "b"}, LATER_VERIFIED),
        "2026-02": ({"b", "e", "f"}, LATER_VERIFIED),
    },
    # Dec: a, and e (the worker booked for her; d's request counts nowhere). Jan: f's series
    # (00:10 on 1 January local), b in the draw (verified by the month's end), a; c has left.
    # Feb: e asked (and cancelled: she still booked); f only waited.
    "spaces.bookers": {
        "2025-12": ({"a", "e"}, DEC_VERIFIED),
        "2026-01": ({"a", "b", "f"}, LATER_VERIFIED),
        "2026-02": ({"e"}, LATER_VERIFIED),
    },
    "meetings.members_attending": {
        "2025-12": ({"a"}, {"a", "f"}),
        "2026-01": ({"b"}, {"a", "b"}),  # f's term ended on 3 January
        "2026-02": ({"a"}, {"a", "b"}),  # a came to the panel; nobody to council 1's
    },
}
# Counts, rates and medians: (numerator, denominator or None, n or None).
CELLS: dict[str, dict[str, tuple[float, float | None, int | None]]] = {
    "participation.new": {
        "2025-12": (3, None, None),
        "2026-01": (1, None, None),
        "2026-02": (1, None, None),
    },
    "hotline.solved": {
        "2025-12": (0, None, None),
        "2026-01": (2, None, None),
        "2026-02": (1, None, None),
    },
    # Feb: T3 merged away, T4 resolved, T5 open.
    "hotline.resolution_rate": {
        "2025-12": (0, 0, None),
        "2026-01": (2, 2, None),
        "2026-02": (1, 2, None),
    },
    "hotline.satisfaction_rate": {
        "2025-12": (0, 0, None),
        "2026-01": (1, 2, None),
        "2026-02": (1, 1, None),
    },
    # T1: 31 Dec 16:30 → 6 Jan 01:00 = 5 days 8.5 hours; T2: 10 days; T4: 3 days (first resolution).
    "hotline.days_to_resolve": {
        "2025-12": (0, None, 0),
        "2026-01": (((5 + 8.5 / 24) + 10) / 2, None, 2),
        "2026-02": (3, None, 1),
    },
    "proposals.raised": {
        "2025-12": (0, None, None),
        "2026-01": (1, None, None),
        "2026-02": (1, None, None),
    },
    "proposals.answered": {
        "2025-12": (0, None, None),
        "2026-01": (0, None, None),
        "2026-02": (2, None, None),
    },
    "proposals.adopted": {
        "2025-12": (0, None, None),
        "2026-01": (0, None, None),
        "2026-02": (1, None, None),
    },
    # Process 1 recounted in February (its January count no longer stands); 3 has no funded_fen.
    "budget.money_decided": {
        "2025-12": (0, None, None),
        "2026-01": (0.5, None, None),
        "2026-02": (10000, None, None),
    },
    # Jan: 29 and 30 days after the period's end; Feb: 36 days, and one without period_end.
    "disclosure.timeliness": {
        "2025-12": (0, 0, None),
        "2026-01": (2, 2, None),
        "2026-02": (0, 1, None),
    },
    # Bodies: group 2 dissolved in February still existed in it; panel 3 decided in February.
    "bodies.existing": {
        "2025-12": (2, None, None),
        "2026-01": (3, None, None),
        "2026-02": (2, None, None),
    },
    "bodies.deciding": {
        "2025-12": (1, 2, None),
        "2026-01": (0, 3, None),
        "2026-02": (1, 3, None),
    },
    # The founding member is left out; the panel's lot is not an election.
    "bodies.elected_share": {
        "2025-12": (1, 2, None),
        "2026-01": (0, 2, None),
        "2026-02": (0, 0, None),
    },
    "bodies.turnover": {
        "2025-12": (1, 3, None),
        "2026-01": (0, 2, None),
        "2026-02": (0, 0, None),
    },
    "bodies.organisations_active": {
        "2025-12": (0, None, None),
        "2026-01": (1, None, None),
        "2026-02": (0, None, None),
    },
    "panels.drawn": {
        "2025-12": (0, None, None),
        "2026-01": (1, None, None),
        "2026-02": (0, None, None),
    },
    # Published in January, answered late in February.
    "panels.answered_on_time": {
        "2025-12": (0, 0, None),
        "2026-01": (0, 1, None),
        "2026-02": (0, 0, None),
    },
    # Opinion 2, raised in February, awaits its answer.
    "opinions.answered_on_time": {
        "2025-12": (1, 1, None),
        "2026-01": (0, 0, None),
        "2026-02": (0, 1, None),
    },
    "partners.contributions": {
        "2025-12": (0, None, None),
        "2026-01": (2, None, None),
        "2026-02": (1, None, None),
    },
    "partners.contributed_yuan": {
        "2025-12": (0, None, None),
        "2026-01": (500, None, None),
        "2026-02": (123.45, None, None),
    },
    # Meeting 2's second close is not counted again.
    "meetings.held": {
        "2025-12": (1, None, None),
        "2026-01": (1, None, None),
        "2026-02": (2, None, None),
    },
    "meetings.quorum": {
        "2025-12": (1, 1, None),
        "2026-01": (0, 1, None),
        "2026-02": (1, 2, None),  # meeting 4 does not say: without quorum
    },
    "meetings.attendance": {
        "2025-12": (1, 2, None),
        "2026-01": (1, 2, None),
        "2026-02": (1, 1, None),  # meeting 4 has no numbers
    },
    # Item 1 added again in January counts once, in December.
    "meetings.items_from_proposals": {
        "2025-12": (1, 2, None),
        "2026-01": (0, 1, None),
        "2026-02": (0, 0, None),
    },
    # Due in January: 1 on time, 2 late; in February: 3 reopened, 4 still open.
    "meetings.actions_on_time": {
        "2025-12": (0, 0, None),
        "2026-01": (1, 2, None),
        "2026-02": (0, 2, None),
    },
    "volunteering.volunteers": {
        "2025-12": (2, None, None),
        "2026-01": (1, None, None),  # a withdrew
        "2026-02": (2, None, None),
    },
    "volunteering.active": {
        "2025-12": (1, None, None),  # a; f's December service was reversed in full
        "2026-01": (0, None, None),
        "2026-02": (2, None, None),
    },
    "volunteering.hours": {
        "2025-12": (2.0, None, None),  # 120 + 60 − 60 minutes
        "2026-01": (0, None, None),
        "2026-02": (3.0, None, None),
    },
    "volunteering.exchanges": {
        "2025-12": (0, None, None),
        "2026-01": (1, None, None),
        "2026-02": (0, None, None),
    },
    "learning.enrolments": {
        "2025-12": (3, None, None),  # a, e, c (c's second enrolment that month counts once)
        "2026-01": (1, None, None),
        "2026-02": (0, None, None),
    },
    "learning.completions": {
        "2025-12": (1, None, None),
        "2026-01": (0, None, None),
        "2026-02": (1, None, None),  # b, decided in the first minutes of February (local)
    },
    "learning.completion_rate": {
        "2025-12": (1, 2, None),
        "2026-01": (0, 0, None),
        "2026-02": (1, 1, None),
    },
    "learning.qualified_chairing": {
        "2025-12": (1, None, None),
        "2026-01": (1, None, None),  # a (valid on 31 January); c has left
        "2026-02": (1, None, None),  # a, renewed
    },
    "learning.qualified_first_aid": {
        "2025-12": (0, None, None),  # recorded in January only
        "2026-01": (1, None, None),
        "2026-02": (0, None, None),  # revoked
    },
    "learning.qualified_mediation": {
        "2025-12": (0, None, None),
        "2026-01": (0, None, None),
        "2026-02": (1, None, None),
    },
    "learning.qualified_leadership": {m: (0, None, None) for m in MONTHS},
    "learning.qualified_digital_helper": {m: (0, None, None) for m in MONTHS},
    "learning.new_leaders": {
        "2025-12": (3, None, None),  # a, f, e: their terms of office
        "2026-01": (1, None, None),  # b
        "2026-02": (1, None, None),  # d leads an organisation (a, who trained, led before)
    },
    "learning.network_reach": {
        "2025-12": (0, None, None),
        "2026-01": (1, None, None),  # b joined through a's link
        "2026-02": (2, None, None),  # and f accepted an invitation
    },
    # Covenants. Dec: a (twice, once) and e (through the worker); Jan: c, before she left;
    # Feb: f, at 00:30 on 1 February local.
    "covenants.commenters": {
        "2025-12": (2, None, None),
        "2026-01": (1, None, None),
        "2026-02": (1, None, None),
    },
    # Dec: c; Jan: b (00:20 on 1 January local) and a.
    "covenants.amendment_authors": {
        "2025-12": (1, None, None),
        "2026-01": (2, None, None),
        "2026-02": (0, None, None),
    },
    # Jan: amendment 1 (2 rejected); Feb: amendment 3 by the vote, not 1's repeated decision.
    "covenants.amendments_accepted": {
        "2025-12": (0, None, None),
        "2026-01": (1, None, None),
        "2026-02": (1, None, None),
    },
    # Jan: household 1 (23:30 on 31 January local); Feb: households 2, 3 (two covenants, once)
    # and 1 (the new version).
    "covenants.acknowledging_households": {
        "2025-12": (0, None, None),
        "2026-01": (1, None, None),
        "2026-02": (3, None, None),
    },
    # Dec: noise, leak; Jan: parking (01:00 on 1 January local), pets, boundary; Feb: family,
    # shared space.
    "mediation.cases_opened": {
        "2025-12": (2, None, None),
        "2026-01": (3, None, None),
        "2026-02": (2, None, None),
    },
    # Dec: leak agreed; Jan: noise agreed, parking not (pets not taken up: out); Feb: boundary
    # and family agreed, shared space withdrawn.
    "mediation.agreement_rate": {
        "2025-12": (1, 1, None),
        "2026-01": (1, 2, None),
        "2026-02": (2, 3, None),
    },
    # Dec: 14; Jan: 30; Feb: 20 and 7, the median 13.5.
    "mediation.days_to_agreement": {
        "2025-12": (14, None, 1),
        "2026-01": (30, None, 1),
        "2026-02": (13.5, None, 2),
    },
    # Jan: one visit, full; Feb: partial and full (not yet due: out).
    "mediation.performed_in_full": {
        "2025-12": (0, 0, None),
        "2026-01": (1, 1, None),
        "2026-02": (1, 2, None),
    },
    # Dec: booking 1; Jan: booking 4 (booking 2 withdrawn on appeal); Feb: booking 6 (4 once).
    "spaces.no_shows": {
        "2025-12": (1, None, None),
        "2026-01": (1, None, None),
        "2026-02": (1, None, None),
    },
    # Jan: idle space 1; Feb: idle space 2 (00:30 on 1 February local), not 1 again.
    "spaces.idle_area_opened": {
        "2025-12": (0, None, None),
        "2026-01": (85.5, None, None),
        "2026-02": (40, None, None),
    },
    # Dec: three tables; Feb: one, and one without a count (23:50 on 28 February local).
    "spaces.things_lent": {
        "2025-12": (3, None, None),
        "2026-01": (0, None, None),
        "2026-02": (2, None, None),
    },
}
