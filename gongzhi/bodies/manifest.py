"""What bodies write to the journal, the notifications they send, the decisions they declare,
what they hold about a person, their indicators, home tiles and demo content."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.decisions import DecisionKind
from gongzhi.core.notify import Kind, Message

VERBS = {
    # Bodies, positions, terms, charters, decisions (services.py)
    "body.created": _("set up a self-governing body"),
    "body.dissolved": _("dissolved a self-governing body"),
    "body.position_added": _("added a position to a body"),
    "body.mandate_started": _("recorded someone's term of office in a body"),
    "body.mandate_ended": _("ended someone's term of office early"),
    "body.charter_adopted": _("adopted a body's charter"),
    "body.decision_recorded": _("recorded a body's decision"),
    # Incubation (incubation.py)
    "incubation.proposed": _("proposed a new resident organisation"),
    "incubation.founder_joined": _("joined a new organisation as a founding member"),
    "incubation.mentor_assigned": _("assigned a mentor to a new organisation"),
    "incubation.stage_changed": _("moved a resident organisation to another stage"),
    "incubation.support_given": _("recorded support given to a resident organisation"),
    "incubation.report_submitted": _("submitted an organisation's annual report"),
    # Review panels (panels.py)
    "panel.created": _("opened a review panel's pool"),
    "panel.volunteered": _("volunteered for a review panel"),
    "panel.withdrew": _("withdrew from a review panel's pool"),
    "panel.portfolio_published": _("closed a review panel's pool and published its portfolio"),
    "panel.seed_entered": _("entered the public seed of a review panel"),
    "panel.drawn": _("drew a review panel by lot"),
    "panel.invited": _("invited an expert or stakeholder to a review panel"),
    "panel.document_added": _("added a document to a review panel"),
    "panel.commented": _("wrote in a review panel's discussion"),
    "panel.assessment_published": _("published a review panel's assessment"),
    "panel.answered": _("answered a review panel's assessment"),
    # Supervision (supervision.py)
    "opinion.raised": _("raised a supervision opinion"),
    "opinion.answered": _("answered a supervision opinion"),
    # Partners (partners.py)
    "partner.created": _("registered a partner"),
    "partner.agreement_signed": _("recorded a partnership agreement"),
    "partner.service_added": _("added a partner's service"),
    "partner.contribution_recorded": _("recorded a partner's contribution"),
    "partner.service_rated": _("rated a partner's service"),
}

#: Review panels (panels.py): the pool is open, you were drawn, an assessment awaits the
#: reviewed body's answer, and the panel's closed discussion.
NOTIFICATION_KINDS = {
    "panel_pool_opened": Kind(
        _("A review panel is looking for volunteers"),
        {
            "opened": Message(
                _("Volunteer for the review panel on “%(title)s”: the pool closes %(closes)s")
            )
        },
    ),
    "panel_drawn": Kind(
        _("I was drawn for a review panel"),
        {"drawn": Message(_("You were drawn by lot for the review panel on “%(title)s”"))},
    ),
    "panel_assessed": Kind(
        _("A review panel's assessment that my body must answer"),
        {
            "assessed": Message(
                _("The review panel on “%(title)s” published its assessment"),
                _("Your body must answer publicly by %(due)s."),
            )
        },
    ),
    "panel_comment": Kind(
        _("New comments in a review panel I sit on"),
        {"comment": Message(_("New comment in the review panel on “%(title)s”"))},
    ),
}

#: The decisions bodies themselves take; other apps declare theirs in their own manifests.
DECISION_KINDS = {
    "amend_charter": DecisionKind(
        _("amend the body's own charter"),
        _("adopt a new version of the charter, by its amendment rule"),
        order=1,
    ),
    "appoint_member": DecisionKind(
        _("appoint members to fill vacancies"),
        _("appoint someone to a vacant seat until the next election"),
        order=2,
    ),
    "answer_review": DecisionKind(
        _("answer review panels and supervision opinions"),
        _("adopt the body's public answer to an assessment or an opinion"),
        order=3,
    ),
}

#: ``core.decisions.require_power`` asks this function whether a body's charter allows a
#: decision.
CHARTER_CHECK = "gongzhi.bodies.charter_check.check"
