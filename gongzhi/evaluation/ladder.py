"""The participation ladder (参与阶梯) as data: which journal verb is which depth of taking part.

After Arnstein's ladder of citizen participation (S. R. Arnstein, "A Ladder of Citizen
Participation", Journal of the American Institute of Planners 35(4), 1969) and the IAP2 Spectrum
of Public Participation (inform, consult, involve, collaborate, empower; International Association
for Public Participation, 2018), folded into the three rungs a journal can tell apart:

- informed: the resident confirmed reading what the community told them, or came to it in person;
- consulted: the resident said something the community hears — a comment, a statement or a vote
  in a conversation, a proposal or support for one, a hotline ticket, a rating, a budget idea;
- deciding: the resident's act binds — a participatory-budgeting ballot, a binding vote.

Only residents' acts have a rung. Staff acts (publishing, handling, counting, moderating), platform
acts and a resident's own housekeeping (joining, withdrawing support, removing a reaction) have
none; a worker acting for a resident (a paper ballot handed out, a ticket filed for an elderly
neighbour) is the resident's act, and the engine credits it to them.

``vote.cast``/``vote.changed``/``vote.paper_issued`` are "deciding" only when the entry's
``data["binding"]`` is True (recorded from issue 13 on); otherwise — a poll, or an older entry that
does not say — they are "consulted".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongzhi.evaluation.engine import Entry

RUNGS = ("informed", "consulted", "deciding")
INFORMED, CONSULTED, DECIDING = RUNGS

#: Verbs whose rung rises to "deciding" when ``data["binding"]`` is True.
BINDING_VERBS = frozenset({"vote.cast", "vote.changed", "vote.paper_issued"})

#: verb → rung, for every verb that is a resident's act of taking part (the base rung of the
#: binding verbs).
VERB_RUNGS: dict[str, str] = {
    # informed
    "notice.read_confirmed": INFORMED,
    "checkin.recorded": INFORMED,
    # consulted
    "comment.added": CONSULTED,
    "reaction.added": CONSULTED,
    "proposal.created": CONSULTED,
    "proposal.published": CONSULTED,
    "proposal.supported": CONSULTED,
    "statement.added": CONSULTED,
    "statement.voted": CONSULTED,
    "statement.vote_changed": CONSULTED,
    "hotline.filed": CONSULTED,
    "hotline.followed": CONSULTED,
    "hotline.rated": CONSULTED,
    "budget.idea_submitted": CONSULTED,
    "budget.commented": CONSULTED,
    "budget.progress_commented": CONSULTED,
    "vote.cast": CONSULTED,
    "vote.changed": CONSULTED,
    "vote.paper_issued": CONSULTED,
    # A survey answer, anonymous or not: the receipt's entry says that, never what.
    "survey.answered": CONSULTED,
    # Self-governing bodies (issue 15): proposing or founding a resident organisation,
    # offering oneself for a review panel, speaking in its closed discussion, rating a
    # partner's service. Serving on a body (a term of office) is journalled as the worker's or
    # the system's record, not as the member's own act.
    "incubation.proposed": CONSULTED,
    "incubation.founder_joined": CONSULTED,
    "panel.volunteered": CONSULTED,
    "panel.commented": CONSULTED,
    "partner.service_rated": CONSULTED,
    # Meetings (issue 16): registering for a public meeting is coming to it (the arrival itself
    # is the member's scan, checkin.recorded, or the secretary's record); speaking at a hearing
    # and a written submission are said for the community to hear.
    "meeting.registered": INFORMED,
    "hearing.speaker_registered": CONSULTED,
    "hearing.submission_made": CONSULTED,
    # Learning (issue 18): a learner's stars for a session they attended are said for the
    # trainers and the community to hear, like a rating of a partner's service.
    "course.session_rated": CONSULTED,
    # Covenants (issue 19): a comment on a covenant's article, an amendment proposed or
    # supported are said for the drafting body to answer; a household's acknowledgement is
    # confirming it read the rules in force, like a notice's read confirmation.
    "covenant.commented": CONSULTED,
    "covenant.amendment_proposed": CONSULTED,
    "covenant.amendment_supported": CONSULTED,
    "covenant.acknowledged": INFORMED,
    # deciding
    "budget.voted": DECIDING,
    "budget.vote_changed": DECIDING,
    "budget.paper_issued": DECIDING,
}

#: Every other verb of today's apps, with why it has no rung (the page may show these too).
NO_RUNG: dict[str, str] = {
    **dict.fromkeys(
        (
            "account.erased",
            "membership.joined",
            "membership.verified",
            "membership.groups_updated",
            "proposal.unsupported",
            "panel.withdrew",
            "meeting.registration_cancelled",
            "reaction.removed",
            "user.deactivated",
            "user.reactivated",
            "api_token.revoked",
        ),
        "membership or housekeeping, not taking part",
    ),
    **dict.fromkeys(
        (
            "proposal.edited",
            "hotline.photos_added",
            "hotline.reopened",
            "moderation.flagged",
            "moderation.appealed",
            # a course a resident proposes is a draft until a worker publishes it, and
            # workers create most courses
            "course.created",
        ),
        "follows up an earlier act (or is done by staff as often as by residents)",
    ),
    **dict.fromkeys(
        (
            "body.created",
            "body.dissolved",
            "body.position_added",
            "body.mandate_started",
            "body.mandate_ended",
            "body.charter_adopted",
            "body.decision_recorded",
            "incubation.mentor_assigned",
            "incubation.stage_changed",
            "incubation.support_given",
            "incubation.report_submitted",
            "panel.created",
            "panel.portfolio_published",
            "panel.seed_entered",
            "panel.drawn",
            "panel.invited",
            "panel.document_added",
            "panel.assessment_published",
            "panel.answered",
            "opinion.raised",
            "opinion.answered",
            "partner.created",
            "partner.agreement_signed",
            "partner.service_added",
            "partner.contribution_recorded",
            # Meetings (issue 16): the secretary, chair or a worker runs the meeting; members
            # confirm minutes, declare conflicts and hold proxies in office
            "meeting.created",
            "meeting.updated",
            "meeting.cancelled",
            "meeting.opened",
            "meeting.closed",
            "meeting.second_sitting_called",
            "series.created",
            "meeting.invited",
            "agenda.item_added",
            "agenda.item_changed",
            "agenda.item_withdrawn",
            "agenda.reordered",
            "agenda.published",
            "roll.arrived",
            "roll.left",
            "roll.confirmed",
            "proxy.recorded",
            "proxy.revoked",
            "recusal.declared",
            "item.decided",
            "minutes.drafted",
            "minutes.circulated",
            "minutes.confirmed",
            "minutes.correction_asked",
            "minutes.correction_resolved",
            "minutes.approved",
            "action.created",
            "action.updated",
            "action.flagged",
            "hearing.created",
            "hearing.speakers_drawn",
            "hearing.response_published",
            "roundtable.participant_added",
            "roundtable.point_agreed",
        ),
        "an act of office: a worker, a body's officer or a supervisor records what a body did "
        "(its members' votes are counted in the decision, not as anyone's own act)",
    ),
    **dict.fromkeys(
        (
            "board.created",
            "budget.count_requested",
            "budget.counted",
            "budget.created",
            "budget.idea_accepted",
            "budget.idea_rejected",
            "budget.imported",
            "budget.milestone_added",
            "budget.milestone_done",
            "budget.paper_confirmed",
            "budget.paper_conflict",
            "budget.paper_entered",
            "budget.progress_reported",
            "budget.reviewed",
            "budget.reviewer_assigned",
            "budget.spending_recorded",
            "budget.updated",
            "community.created",
            "community.updated",
            "conversation.imported",
            "conversation.opened",
            "district.created",
            "evaluation.intervention_ended",
            "evaluation.intervention_recorded",
            "document.created",
            "document.published",
            "document.revised",
            "finance.entry_approved",
            "finance.entry_recorded",
            "finance.entry_rejected",
            "finance.entry_reversed",
            "finance.period_created",
            "finance.period_published",
            "finance.voucher_attached",
            "hotline.accepted",
            "hotline.assigned",
            "hotline.categories_installed",
            "hotline.category_created",
            "hotline.category_updated",
            "hotline.closed",
            "hotline.department_created",
            "hotline.escalated",
            "hotline.handler_added",
            "hotline.handler_removed",
            "hotline.merged",
            "hotline.noted",
            "hotline.recategorised",
            "hotline.resolved",
            "hotline.started",
            "household_codes.issued",
            "journal.key_rotated",
            "journal.keys_rotated",
            "moderation.appeal_decided",
            "moderation.flags_dismissed",
            "moderation.hidden",
            "notice.created",
            "notice.pinned",
            "notice.published",
            "notifications.delivery_retried",
            "oversight.granted",
            "oversight.revoked",
            "platform_admin.granted",
            "platform_admin.revoked",
            "proposal.status_changed",
            "role.granted",
            "role.revoked",
            "roster.imported",
            "statement.accepted",
            "statement.rejected",
            "street.created",
            "survey.closed",
            "survey.created",
            "survey.definition_saved",
            "survey.opened",
            "survey.paper_confirmed",
            "survey.paper_conflict",
            "survey.paper_entered",
            "survey.sample_drawn",
            "survey.scale_added",
            "survey.scale_confirmed",
            "survey.wave_created",
            "survey.wave_ended",
            "vote.created",
            "vote.paper_confirmed",
            "vote.paper_conflict",
            "vote.paper_entered",
            "vote.roll_set",
        ),
        "an act of staff, of the platform or of the system",
    ),
    # Volunteering (issue 17): serving the community and helping neighbours is counted by the
    # volunteering indicators (volunteers, hours, exchanges), not as a say in its decisions; a
    # volunteer's arrival at a shift is their scan (checkin.recorded) like any other.
    **dict.fromkeys(
        (
            "volunteer.registered",
            "volunteer.updated",
            "volunteer.withdrawn",
            "team.joined",
            "team.left",
            "shift.signed_up",
            "shift.signup_cancelled",
            "thanks.sent",
            "thanks.hidden",
            "aid.posted",
            "aid.withdrawn",
            "exchange.proposed",
            "exchange.agreed",
            "exchange.confirmed",
            "exchange.cancelled",
            "exchange.reported",
            "timebank.transferred",
        ),
        "serving or helping neighbours, counted by the volunteering indicators, not a say",
    ),
    # Volunteering (issue 17): organisers, leaders and workers run it; a body decides honours.
    **dict.fromkeys(
        (
            "team.created",
            "team.updated",
            "team.closed",
            "team.leader_appointed",
            "team.leader_removed",
            "volunteering.settings_changed",
            "activity.created",
            "activity.updated",
            "activity.published",
            "activity.cancelled",
            "shift.created",
            "shift.updated",
            "shift.cancelled",
            "shift.promoted",
            "shift.arrival_recorded",
            "shift.departure_recorded",
            "shift.no_show_recorded",
            "hours.confirmed",
            "hours.reversed",
            "certificate.issued",
            "certificate.revoked",
            "signing_key.rotated",
            "records.exported",
            "recognition.proposed",
            "recognition.decided",
            "recognition.withdrawn",
            "exchange.report_resolved",
            "timebank.granted",
            "timebank.reversed",
        ),
        "an act of staff, of the platform or of the system",
    ),
    # Learning (issue 18): training is counted by the learning indicators (enrolments,
    # completions, qualified residents), not as a say in the community's decisions; a learner's
    # arrival at a session is their scan (checkin.recorded) like any other. A resident's
    # answers about the leadership pathway and invitation links are their own housekeeping.
    **dict.fromkeys(
        (
            "course.enrolled",
            "course.enrolment_cancelled",
            "pipeline.opted_out",
            "pipeline.opted_in",
            "leadership.invitation_accepted",
            "leadership.invitation_declined",
            "invite_link.created",
            "invite_link.revoked",
            "invite_link.joined",
            "recruitment.recorded",
        ),
        "learning, or the resident's own housekeeping, counted by the learning indicators, "
        "not a say",
    ),
    # Learning (issue 18): workers and trainers run courses, keep the roll, mark, decide
    # completion, award qualifications and invite; core turns role requirements on and off.
    **dict.fromkeys(
        (
            "course.updated",
            "course.published",
            "course.cancelled",
            "course.finished",
            "course.trainer_added",
            "course.trainer_removed",
            "course.session_added",
            "course.session_changed",
            "course.session_cancelled",
            "course.material_added",
            "course.material_removed",
            "course.promoted",
            "course.attendance_recorded",
            "course.attendance_removed",
            "course.assessed",
            "course.completed",
            "course.not_completed",
            "qualification.granted",
            "qualification.recorded",
            "qualification.revoked",
            "leadership.invited",
            "leadership.invitation_withdrawn",
            "requirement.turned_on",
            "requirement.turned_off",
        ),
        "an act of staff, of the platform or of the system",
    ),
    # Covenants (issue 19): taking back one's own amendment or support is housekeeping.
    **dict.fromkeys(
        ("covenant.amendment_withdrawn", "covenant.amendment_unsupported"),
        "membership or housekeeping, not taking part",
    ),
    # Covenants (issue 19): the drafting body, workers and street officials draft, decide,
    # consolidate, put to the vote, file and publish (residents ratify by vote.cast).
    **dict.fromkeys(
        (
            "covenant.created",
            "covenant.draft_changed",
            "covenant.round_started",
            "covenant.round_rescheduled",
            "covenant.round_abandoned",
            "covenant.amendment_accepted",
            "covenant.amendment_rejected",
            "covenant.amendments_to_vote",
            "covenant.consolidated",
            "covenant.ratification_opened",
            "covenant.ratified",
            "covenant.not_adopted",
            "covenant.filing_submitted",
            "covenant.filing_received",
            "covenant.published",
        ),
        "an act of office: a worker, a body's officer or a supervisor records what a body did "
        "(its members' votes are counted in the decision, not as anyone's own act)",
    ),
    # Mediation (issue 19): a dispute between neighbours is their private matter, not taking
    # part in the community's affairs, and its entries name no one but the actor; the
    # committee's head, mediators and workers act in office. Its own indicators (cases,
    # agreement rate, days, performance) read these entries; the ladder counts none of them.
    **dict.fromkeys(
        (
            "mediation.case_opened",
            "mediation.case_declined",
            "mediation.mediator_refused",
            "mediation.notes_confirmed",
            "mediation.agreement_signed",
            "mediation.attachment_added",
        ),
        "a party's own private dispute, not taking part in the community's affairs",
    ),
    **dict.fromkeys(
        (
            "mediation.committee_set",
            "mediation.case_accepted",
            "mediation.mediator_assigned",
            "mediation.mediator_declined",
            "mediation.sitting_recorded",
            "mediation.agreement_drafted",
            "mediation.agreement_sealed",
            "mediation.follow_up_recorded",
            "mediation.case_concluded",
            "mediation.contents_purged",
        ),
        "an act of office: the mediation committee's head, a mediator or a worker (or the "
        "system's retention) handles a confidential case",
    ),
    # Shared spaces (issue 20): booking a room, waiting for a time, asking in a draw, checking
    # in, appealing a no-show are using the community's spaces, not a say in its affairs; the
    # spaces indicators count them (residents booking, bookings, hours, occupancy, no-shows).
    # A meeting held in a booked room is counted by the meetings' own verbs.
    **dict.fromkeys(
        (
            "booking.made",
            "booking.requested",
            "booking.cancelled",
            "booking.waiting",
            "booking.checked_in",
            "booking.no_show_appealed",
            "series.booked",
            "series.cancelled",
            "draw.requested",
            "draw.withdrawn",
        ),
        "using the community's shared spaces, counted by the spaces indicators, not a say",
    ),
    # Shared spaces (issue 20): workers and a space's managers set spaces up, decide requests,
    # run draws, record fees, lend things and revive idle space; the system expires holds,
    # releases no-shows and gives freed times to those waiting. Consultation on an idle space's
    # use is counted by the hall's or the opinion map's own verbs.
    **dict.fromkeys(
        (
            "space.created",
            "space.updated",
            "space.opened",
            "space.closed",
            "booking.approved",
            "booking.rejected",
            "booking.expired",
            "booking.from_waiting",
            "booking.released",
            "booking.no_show_upheld",
            "booking.no_show_withdrawn",
            "booking.fee_paid",
            "draw.opened",
            "draw.drawn",
            "draw.cancelled",
            "resource.created",
            "resource.updated",
            "loan.lent",
            "loan.returned",
            "idle.recorded",
            "idle.consulting",
            "idle.renovating",
            "idle.opened",
            "idle.dropped",
        ),
        "an act of staff, of the platform or of the system",
    ),
}


def rung_of(verb: str, data: Mapping[str, Any] | None = None) -> str | None:
    """The rung of a verb (with the entry's data, for the binding verbs), or None."""
    base = VERB_RUNGS.get(verb)
    if base is not None and verb in BINDING_VERBS and data and data.get("binding") is True:
        return DECIDING
    return base


def rung(entry: Entry) -> str | None:
    """The rung of one journal entry, or None when it is no act of taking part."""
    return rung_of(entry.verb, entry.data)


def rows() -> list[tuple[str, str, bool]]:
    """The table the page shows: (verb, rung, rises to deciding when binding), by rung then verb."""
    return sorted(
        ((verb, r, verb in BINDING_VERBS) for verb, r in VERB_RUNGS.items()),
        key=lambda row: (RUNGS.index(row[1]), row[0]),
    )
