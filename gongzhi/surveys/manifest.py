"""What surveys write to the journal (never an anonymous answer, nor who gave it), the
notifications they send, what they hold about a person, their home tile and demo content."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, HomeTile
from gongzhi.core.notify import Kind, Message
from gongzhi.core.outcomes import OutcomeSource
from gongzhi.core.privacy import Holding

VERBS = {
    "survey.created": _("created a survey"),
    "survey.definition_saved": _("changed a survey's questions"),
    "survey.opened": _("opened a survey"),
    "survey.closed": _("closed a survey"),
    "survey.wave_created": _("added a round to a survey"),
    "survey.wave_ended": _("ended a survey round early"),
    "survey.sample_drawn": _("drew a survey's sample by public lot"),
    "survey.answered": _("answered a survey"),
    "survey.paper_entered": _("typed in a paper questionnaire"),
    "survey.paper_confirmed": _("confirmed a paper questionnaire"),
    "survey.paper_conflict": _("found two different readings of a paper questionnaire"),
    "survey.scale_added": _("added a licensed scale's items"),
    "survey.scale_confirmed": _("confirmed a licensed scale's items"),
}

NOTIFICATION_KINDS = {
    "survey_asked": Kind(
        _("A survey asks for my views"),
        {"opened": Message(_("A survey asks for your views: %(title)s"))},
    ),
    "survey_reminder": Kind(
        _("Reminders of a survey I was drawn for"),
        {
            "reminder": Message(
                _("Reminder: you were drawn to answer “%(title)s”, open until %(closes)s")
            )
        },
    ),
}

#: What this app holds about a person: its copy and its erasure (PIPL arts. 45 and 47).
PRIVACY = {
    "surveys": Holding(
        label=_("Surveys"),
        module="gongzhi.surveys.privacy",
        kept=(
            _(
                "that you answered a round of a survey, and your receipt: part of its record and "
                "response rate (never what you answered in an anonymous survey)"
            ),
            _(
                "answers you agreed to have linked to you in an identified survey, kept without "
                "your name once you are erased"
            ),
            _("whether you were drawn for a survey's sample"),
        ),
    ),
}

#: The community home's tile and the staff console's link (``core.home``).
HOME_TILES = {
    "surveys.asking": HomeTile(order=15, provider="gongzhi.surveys.home.asking_now"),
}
CONSOLE_LINKS = {
    "surveys.list": ConsoleLink(
        order=85, label=_("Surveys"), url_name="survey_list", perm="surveys.manage"
    ),
}

#: The demo street's content (``core.demo``): a collective-efficacy survey with a baseline and
#: a follow-up in the first community, and the same form in the street's other communities.
DEMO = {"surveys": DemoContent(order=80, seed="gongzhi.surveys.demo.seed")}

#: Scale score means per community and round, for evaluation's comparisons (``core.outcomes``).
OUTCOMES = {
    "survey": OutcomeSource(
        label=_("Survey scale scores"), provider="gongzhi.surveys.outcomes.scale_means"
    ),
}
