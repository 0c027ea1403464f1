"""What the hotline writes to the journal and the notifications it sends."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, HomeTile, OverviewFigure
from gongzhi.core.indicators import Indicator
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

#: Open311 clients get the request boundary's refusals in GeoReport's own errors format.
BOUNDARY_ERRORS = {"/open311/": "gongzhi.feedback.open311.boundary_error"}

VERBS = {
    "hotline.categories_installed": _("set up the hotline's default categories"),
    "hotline.category_created": _("added a hotline category"),
    "hotline.category_updated": _("changed a hotline category"),
    "hotline.department_created": _("added a hotline department"),
    "hotline.handler_added": _("made someone a handler of a hotline department"),
    "hotline.handler_removed": _("removed a handler from a hotline department"),
    "hotline.filed": _("reported a problem to the hotline"),
    "hotline.photos_added": _("added photos to a hotline ticket"),
    "hotline.followed": _("followed a hotline ticket about the same problem"),
    "hotline.recategorised": _("chose the category of a hotline ticket"),
    "hotline.accepted": _("accepted a hotline ticket"),
    "hotline.assigned": _("assigned a hotline ticket"),
    "hotline.started": _("started work on a hotline ticket"),
    "hotline.resolved": _("resolved a hotline ticket"),
    "hotline.rated": _("rated how a hotline ticket was handled"),
    "hotline.reopened": _("reopened a hotline ticket"),
    "hotline.closed": _("closed a hotline ticket"),
    "hotline.merged": _("merged a hotline ticket into another about the same problem"),
    "hotline.noted": _("added a note to a hotline ticket"),
    "hotline.escalated": _("escalated an overdue hotline ticket"),
}


def handles_tickets(user: Any) -> bool:
    """A handler in some hotline department (处置人), who is told of tickets and deadlines."""
    from gongzhi.feedback.models import Handler

    return Handler.objects.all_communities().filter(user=user).exists()


NOTIFICATION_KINDS = {
    "hotline_ticket_update": Kind(
        _("News on a hotline ticket I reported or follow"),
        {
            "accepted": Message(_("Your hotline ticket %(ref)s was accepted")),
            "started": Message(_("Work has started on your hotline ticket %(ref)s")),
            "resolved": Message(
                _("Your hotline ticket %(ref)s is resolved"),
                _("Please tell us whether the problem is solved and how satisfied you are."),
            ),
            "rated": Message(_("Hotline ticket %(ref)s was rated")),
            "reopened": Message(_("Hotline ticket %(ref)s was reopened")),
            "closed": Message(_("Hotline ticket %(ref)s was closed")),
            "merged": Message(
                _("Your hotline ticket %(ref)s is handled together with another report"),
                _("You will hear of every step of the ticket it was merged into."),
            ),
            "news": Message(_("News on your hotline ticket %(ref)s")),
        },
    ),
    "hotline_ticket_assigned": Kind(
        _("A hotline ticket given to me or my department"),
        {
            "for_department": Message(_("New hotline ticket %(ref)s for your department")),
            "given_to_you": Message(_("Hotline ticket %(ref)s was given to you")),
        },
        roles=("community_worker",),
        receives="gongzhi.feedback.manifest.handles_tickets",
    ),
    "hotline_deadline": Kind(
        _("Hotline tickets close to or past their deadline"),
        {
            "respond_soon": Message(_("Hotline ticket %(ref)s must be answered soon")),
            "resolve_soon": Message(_("Hotline ticket %(ref)s must be resolved soon")),
            "respond_late": Message(_("Hotline ticket %(ref)s was not answered in time")),
            "resolve_late": Message(_("Hotline ticket %(ref)s was not resolved in time")),
        },
        roles=("community_worker", "supervisor"),
        receives="gongzhi.feedback.manifest.handles_tickets",
    ),
}

#: What this app holds about a person: its copy and its erasure (PIPL arts. 45 and 47).
PRIVACY = {
    "feedback": Holding(
        label=_("Hotline"),
        module="gongzhi.feedback.privacy",
        kept=(
            _(
                "your tickets without their text, place or photos: category, dates, status and rating scores, for the hotline's statistics"
            ),
        ),
    ),
}

#: The community home's tile and the street officials' overview columns (``core.home``).
HOME_TILES = {
    "hotline.mine": HomeTile(order=30, provider="gongzhi.feedback.home.my_open_tickets"),
}
OVERVIEW_FIGURES = {
    "hotline.open": OverviewFigure(
        order=10,
        label=_("Open tickets"),
        help=_("Hotline tickets not yet resolved"),
        provider="gongzhi.feedback.home.open_tickets",
    ),
    "hotline.overdue": OverviewFigure(
        order=11,
        label=_("Overdue tickets"),
        help=_("Open tickets past their respond-by or resolve-by deadline"),
        provider="gongzhi.feedback.home.overdue_tickets",
    ),
    "hotline.resolution": OverviewFigure(
        order=12,
        label=_("Resolution rate, last 12 months"),
        help=_(
            "Of the tickets residents rated in the last 12 months, the share the reporter said "
            "was solved (the evaluation dashboard's monthly resolution rate counts tickets "
            "marked resolved instead)"
        ),
        provider="gongzhi.feedback.home.resolution_rate",
    ),
    "hotline.satisfaction": OverviewFigure(
        order=13,
        label=_("Satisfaction rate, last 12 months"),
        help=_(
            "Of the ratings residents gave in the last 12 months, the share of 4 or 5 out of 5 "
            "(the evaluation dashboard shows the same share for each month)"
        ),
        provider="gongzhi.feedback.home.satisfaction_rate",
    ),
}
CONSOLE_LINKS = {
    "hotline.queue": ConsoleLink(
        order=10,
        label=_("Hotline ticket queue"),
        url_name="hotline_queue",
        perm="feedback.view_queue",
    ),
    "hotline.stats": ConsoleLink(
        order=11,
        label=_("Hotline statistics"),
        url_name="hotline_stats",
        perm="feedback.view_stats",
    ),
}

#: The demo street's content (``core.demo``): the hotline's departments and tickets in every state.
DEMO = {"feedback": DemoContent(order=50, seed="gongzhi.feedback.demo.seed")}

#: The hotline's figures for evaluation (``core.indicators``), computed from the journal alone.
INDICATORS = {
    "hotline.solved": Indicator(
        name=_("Problems solved"),
        definition=_(
            "Hotline tickets marked resolved for the first time in the month, whenever they "
            "were reported."
        ),
        kind="count",
        compute="gongzhi.feedback.indicators.solved",
        unit=_("problems"),
        order=40,
        headline=True,
    ),
    "hotline.resolution_rate": Indicator(
        name=_("Resolution rate of the month's reports"),
        definition=_(
            "Of the problems reported to the hotline in the month, the share marked resolved "
            "so far. The officials' overview and the hotline statistics count differently: of "
            "the tickets residents rated, the share the reporter said was solved."
        ),
        kind="rate",
        compute="gongzhi.feedback.indicators.resolution_rate",
        numerator=_("problems reported in the month and resolved since"),
        denominator=_("problems reported in the month"),
        order=41,
    ),
    "hotline.satisfaction_rate": Indicator(
        name=_("Satisfaction rate in the month"),
        definition=_(
            "Of the ratings residents gave in the month to how their ticket was handled, the "
            "share of 4 or 5 out of 5. The officials' overview gives the same share over the "
            "last 12 months, and the hotline statistics over the period chosen there."
        ),
        kind="rate",
        compute="gongzhi.feedback.indicators.satisfaction_rate",
        numerator=_("ratings of 4 or 5"),
        denominator=_("ratings given in the month"),
        order=42,
    ),
    "hotline.days_to_resolve": Indicator(
        name=_("Days to resolve"),
        definition=_(
            "The median number of days from reporting a problem to its first resolution, "
            "over the tickets resolved in the month."
        ),
        kind="median",
        compute="gongzhi.feedback.indicators.days_to_resolve",
        unit=_("days"),
        better="down",
        order=43,
    ),
}
