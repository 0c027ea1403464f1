"""What evaluation writes to the journal, what it holds about a person, and the cross-app
indicators it declares (participation, its depth on the ladder, retention, newcomers)."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, OverviewFigure
from gongzhi.core.indicators import Indicator
from gongzhi.core.leadership import Evidence
from gongzhi.core.privacy import Holding

VERBS = {
    "evaluation.intervention_recorded": _("recorded an intervention for evaluation"),
    "evaluation.intervention_ended": _("recorded the end of an intervention"),
}

#: What this app holds about a person: the interventions they recorded (a staff act).
PRIVACY = {
    "evaluation": Holding(
        label=_("Evaluation"),
        module="gongzhi.evaluation.privacy",
        kept=(_("interventions you recorded for evaluation"),),
    ),
}

#: The day vote.cast entries began to say whether the vote was binding: before it, a binding
#: vote cannot be told from a poll, so deciding is only complete from here.
BINDING_RECORDED_FROM = date(2026, 12, 3)

INDICATORS = {
    "participation.rate": Indicator(
        name=_("Participation rate"),
        definition=_(
            "Verified residents who did at least one thing on the platform in the month (read "
            "and confirmed a notice, commented, voted, raised a proposal, reported a problem …), "
            "out of all residents verified at the end of the month."
        ),
        kind="rate",
        compute="gongzhi.evaluation.measures.participation_rate",
        numerator=_("verified residents who took part"),
        denominator=_("verified residents"),
        people=True,
        order=10,
        headline=True,
    ),
    "participation.ladder_informed": Indicator(
        name=_("Informed (ladder of participation)"),
        definition=_(
            "Verified residents who at least took part at the 'informed' rung in the month, "
            "such as confirming they read an announcement, or anything higher up the ladder, "
            "out of all residents verified at the end of the month."
        ),
        kind="rate",
        compute="gongzhi.evaluation.measures.ladder_informed",
        numerator=_("verified residents informed or higher"),
        denominator=_("verified residents"),
        people=True,
        order=20,
    ),
    "participation.ladder_consulted": Indicator(
        name=_("Consulted (ladder of participation)"),
        definition=_(
            "Verified residents who gave their view in the month (commented, answered, voted "
            "in a poll or a conversation, reported a problem) or decided, out of all residents "
            "verified at the end of the month."
        ),
        kind="rate",
        compute="gongzhi.evaluation.measures.ladder_consulted",
        numerator=_("verified residents consulted or deciding"),
        denominator=_("verified residents"),
        people=True,
        order=21,
    ),
    "participation.ladder_deciding": Indicator(
        name=_("Deciding (ladder of participation)"),
        definition=_(
            "Verified residents who took part in a decision in the month (cast a binding vote "
            "or a participatory budgeting ballot), out of all residents verified at the end of "
            "the month."
        ),
        kind="rate",
        compute="gongzhi.evaluation.measures.ladder_deciding",
        numerator=_("verified residents who decided"),
        denominator=_("verified residents"),
        people=True,
        complete_from=BINDING_RECORDED_FROM,
        order=22,
    ),
    "participation.retention": Indicator(
        name=_("Repeat participation"),
        definition=_(
            "Of the residents who took part in the previous month, the share who took part "
            "again this month."
        ),
        kind="rate",
        compute="gongzhi.evaluation.measures.retention",
        numerator=_("residents who took part in both months"),
        denominator=_("residents who took part in the previous month"),
        people=True,
        order=30,
    ),
    "participation.new": Indicator(
        name=_("New participants"),
        definition=_(
            "Verified residents who took part in the month for the first time, counted as the "
            "participation rate counts them."
        ),
        kind="count",
        compute="gongzhi.evaluation.measures.new_participants",
        unit=_("people"),
        order=31,
    ),
}

#: The street officials' overview column and the staff console's link (``core.home``).
OVERVIEW_FIGURES = {
    "evaluation.participation": OverviewFigure(
        order=5,
        label=_("Participation rate"),
        help=_(
            "Verified residents who took part in the last complete month, out of all verified "
            "residents"
        ),
        provider="gongzhi.evaluation.home.participation_rate",
    ),
}
CONSOLE_LINKS = {
    "evaluation.dashboard": ConsoleLink(
        order=90,
        label=_("Empowerment evaluation"),
        url_name="evaluation_dashboard",
        perm="evaluation.view",
    ),
}

#: The demo street's content (``core.demo``): two years of participation, an intervention in the
#: first community, the rollups refreshed. Last: it reads the people every other seeder made.
DEMO = {"evaluation": DemoContent(order=90, seed="gongzhi.evaluation.demo.seed")}

# --- the leadership ladder (learning, issue 18): taking part is rung 1 -----------------------
LEADERSHIP_EVIDENCE = {
    "evaluation.took_part": Evidence(
        1,
        _("took part in the community's life"),
        "gongzhi.evaluation.leadership.took_part",
        order=10,
    ),
}
