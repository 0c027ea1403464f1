"""What bodies write to the journal, the notifications they send, the decisions they declare,
what they hold about a person, their indicators, home tiles and demo content."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.decisions import DecisionKind
from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, HomeTile
from gongzhi.core.indicators import Indicator
from gongzhi.core.leadership import Evidence, Step
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

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
    # Incubation (incubation.py): founders hear of each stage, a mentor of being named.
    "incubation": Kind(
        _("News of an organisation I found or mentor"),
        {
            "stage": Message(_("“%(name)s” has moved to a new stage: %(stage)s")),
            "mentor": Message(_("You are now the mentor of “%(name)s”")),
        },
    ),
    # Supervision (supervision.py): an opinion the body must answer, its deadline, the answer.
    "opinion_raised": Kind(
        _("A supervision opinion my body or community must answer"),
        {
            "raised": Message(
                _("The supervision committee raised an opinion to %(body)s"),
                _("It must be answered publicly by %(due)s."),
            )
        },
        roles=("community_worker",),
        receives="gongzhi.bodies.supervision.sits_in_a_body",
    ),
    "opinion_due": Kind(
        _("A supervision opinion's answer is due soon or overdue"),
        {
            "soon": Message(_("A supervision opinion to %(body)s must be answered by %(due)s")),
            "overdue": Message(
                _("A supervision opinion to %(body)s is overdue: it was due %(due)s")
            ),
        },
        roles=("community_worker",),
        receives="gongzhi.bodies.supervision.sits_in_a_body",
    ),
    "opinion_answered": Kind(
        _("An answer to a supervision opinion I raised"),
        {"answered": Message(_("%(body)s answered your supervision opinion"))},
        roles=("supervisor",),
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
    # Register-only kinds (no charter lists them): the decision register's rows of a review
    # panel's published assessment (panels.py) and of an answered supervision opinion
    # (supervision.py).
    "panel_finding": DecisionKind(
        _("review panel's finding"),
        _("a review panel drawn by lot published its assessment"),
        order=200,
        chartered=False,
    ),
    "supervision_answer": DecisionKind(
        _("answer to a supervision opinion"),
        _("a body answered an opinion of the supervision committee"),
        order=201,
        chartered=False,
    ),
}

#: ``core.decisions.require_power`` asks this function whether a body's charter allows a
#: decision.
CHARTER_CHECK = "gongzhi.bodies.charter_check.check"

#: Links in the community's staff console (``core.home.ConsoleLink``).
CONSOLE_LINKS = {
    "bodies.bodies": ConsoleLink(
        order=91,
        label=_("Self-governing bodies: charters, terms and decisions"),
        url_name="body_list",
        perm="bodies.manage_bodies",
    ),
    "bodies.organisations": ConsoleLink(
        order=92,
        label=_("Community organisations (incubation)"),
        url_name="incubation_list",
        perm="bodies.manage_incubation",
    ),
    "bodies.supervision": ConsoleLink(
        order=93,
        label=_("Supervision committee: dashboard"),
        url_name="supervision_dashboard",
        perm="bodies.view_supervision",
    ),
    "bodies.partners": ConsoleLink(
        order=94,
        label=_("Partners: agreements, services and contributions"),
        url_name="partner_list",
        perm="bodies.manage_partners",
    ),
    "bodies.panels": ConsoleLink(
        order=95,
        label=_("Review panels drawn by lot: pools, quotas and draws"),
        url_name="panel_list",
        perm="bodies.manage_panels",
    ),
}

#: Bodies, review panels, supervision and partners for evaluation (``core.indicators``), from
#: the journal alone (``gongzhi/bodies/indicators.py``).
INDICATORS = {
    "bodies.existing": Indicator(
        name=_("Self-governing bodies"),
        definition=_(
            "Bodies of the community (committees, councils, review panels, groups and "
            "organisations) set up on the platform by the month's end and not dissolved."
        ),
        kind="count",
        compute="gongzhi.bodies.indicators.bodies_existing",
        unit=_("bodies"),
        order=80,
    ),
    "bodies.deciding": Indicator(
        name=_("Bodies that took decisions"),
        definition=_(
            "Of the bodies that existed at some time in the month, the share that recorded at "
            "least one decision in it."
        ),
        kind="rate",
        compute="gongzhi.bodies.indicators.bodies_deciding",
        numerator=_("bodies that recorded a decision in the month"),
        denominator=_("bodies that existed in the month"),
        order=81,
    ),
    "bodies.elected_share": Indicator(
        name=_("Terms of office won by election"),
        definition=_(
            "Of the terms of office that started in the month, the share won in an election "
            "rather than by appointment or by lot. Founding members of a new organisation are "
            "left out: nobody chose them."
        ),
        kind="rate",
        compute="gongzhi.bodies.indicators.elected_share",
        numerator=_("terms started by election"),
        denominator=_("terms started by election, appointment or lot"),
        order=82,
    ),
    "bodies.turnover": Indicator(
        name=_("Terms ended early"),
        definition=_(
            "Of the terms of office that started in the month, the share ended before their "
            "planned end since (a resignation, a removal, a member who left)."
        ),
        kind="rate",
        compute="gongzhi.bodies.indicators.turnover",
        numerator=_("terms started in the month and ended early since"),
        denominator=_("terms started in the month"),
        better="down",
        order=83,
    ),
    "bodies.organisations_active": Indicator(
        name=_("Incubated organisations that became active"),
        definition=_(
            "Resident organisations incubated by the community that reached the active stage "
            "for the first time in the month."
        ),
        kind="count",
        compute="gongzhi.bodies.indicators.organisations_active",
        unit=_("organisations"),
        order=84,
    ),
    "panels.drawn": Indicator(
        name=_("Review panels drawn"),
        definition=_("Residents' review panels drawn by lot from their pool in the month."),
        kind="count",
        compute="gongzhi.bodies.indicators.panels_drawn",
        unit=_("panels"),
        order=85,
    ),
    "panels.answered_on_time": Indicator(
        name=_("Review panels' findings answered on time"),
        definition=_(
            "Of the assessments review panels published in the month, the share the reviewed "
            "body has answered publicly within the panel's deadline. An answer still awaited "
            "is not on time."
        ),
        kind="rate",
        compute="gongzhi.bodies.indicators.panels_answered_on_time",
        numerator=_("assessments answered within the deadline"),
        denominator=_("assessments published in the month"),
        order=86,
    ),
    "opinions.answered_on_time": Indicator(
        name=_("Supervision opinions answered on time"),
        definition=_(
            "Of the opinions the supervision committee raised in the month, the share the "
            "responsible body has answered by the due date. An answer still awaited is not on "
            "time."
        ),
        kind="rate",
        compute="gongzhi.bodies.indicators.opinions_answered_on_time",
        numerator=_("opinions answered by the due date"),
        denominator=_("opinions raised in the month"),
        order=87,
    ),
    "partners.contributions": Indicator(
        name=_("Partners' contributions"),
        definition=_(
            "Contributions, in money or in kind, that partner organisations made to the "
            "community and that were recorded in the month."
        ),
        kind="count",
        compute="gongzhi.bodies.indicators.partner_contributions",
        unit=_("contributions"),
        order=88,
    ),
    "partners.contributed_yuan": Indicator(
        name=_("Value of partners' contributions"),
        definition=_(
            "The money partners gave and the value recorded for what they gave in kind, for "
            "the contributions recorded in the month."
        ),
        kind="count",
        compute="gongzhi.bodies.indicators.partner_money",
        unit=_("yuan"),
        order=89,
    ),
}

#: What bodies hold about a person (``privacy.py``); its eraser runs before core's, which
#: removes the memberships terms of office and pool entries point at.
PRIVACY = {
    "bodies": Holding(
        label=_("Self-governing bodies"),
        module="gongzhi.bodies.privacy",
        kept=(
            _(
                "your terms of office in the community's bodies — the position, how you were "
                "chosen, when the term began and ended (today, if it was still running): a "
                "public record of who held office"
            ),
            _("the review panels you sat on (the seat, without the name typed on it)"),
            _(
                "the decisions, charters, opinions, answers, reports, support and contributions "
                "you recorded or raised for a body: acts of office, in the journal too"
            ),
            _("the stars you gave partners' services (your comments are deleted)"),
        ),
        order=5,
    ),
}

#: The community home's tile (``home.py``): review panels looking for volunteers, and
#: assessments awaiting the reviewed body's answer.
HOME_TILES = {"bodies.panels": HomeTile(order=25, provider="gongzhi.bodies.home.panels_now")}

#: The demo street's bodies (``demo.py``), after every other app's demo (it elects the council
#: in a vote and draws a panel from the crowd the others use).
DEMO = {"bodies": DemoContent(order=95, seed="gongzhi.bodies.demo.seed")}

# --- the leadership ladder (learning, issue 18): founding an organisation, holding office ----
LEADERSHIP_EVIDENCE = {
    "bodies.founded": Evidence(
        3,
        _("founded a resident organisation"),
        "gongzhi.bodies.leadership.founded",
        order=31,
        rows="gongzhi.bodies.leadership.founded_rows",
    ),
    "bodies.office": Evidence(
        5,
        _("held office in a body"),
        "gongzhi.bodies.leadership.held_office",
        order=51,
        rows="gongzhi.bodies.leadership.held_office_rows",
    ),
}
LEADERSHIP_STEPS = {
    "bodies.found": Step(3, _("Start a resident organisation"), "incubation_propose", order=31),
    "bodies.serve": Step(
        5,
        _("Serve on the residents' council or another body"),
        "body_list",
        role="council_member",
        order=51,
    ),
}
