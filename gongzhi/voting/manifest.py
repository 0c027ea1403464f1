"""What voting writes to the journal (never a secret ballot's content) and the notifications it sends."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.decisions import DecisionKind
from gongzhi.core.demo import DemoContent
from gongzhi.core.home import HomeTile, OverviewFigure
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

#: The decision register's row of a binding vote's result (register-only: no charter lists it).
DECISION_KINDS = {
    "binding_vote": DecisionKind(
        _("binding vote of residents"),
        _("residents or owners decided by a binding vote"),
        order=210,
        chartered=False,
    ),
}

VERBS = {
    "vote.created": _("set up a vote"),
    "vote.roll_set": _("set the owners' roll of a vote"),
    "vote.cast": _("voted"),
    "vote.changed": _("changed their vote"),
    "vote.paper_issued": _("was given a paper ballot"),
    "vote.paper_entered": _("typed in a paper ballot"),
    "vote.paper_confirmed": _("confirmed a paper ballot"),
    "vote.paper_conflict": _("found two different readings of a paper ballot"),
}

NOTIFICATION_KINDS = {
    "vote_opened": Kind(
        _("A vote I can take part in opens"),
        {"opened": Message(_("A vote is open: %(title)s"))},
    ),
}

#: What this app holds about a person: its copy and its erasure (PIPL arts. 45 and 47).
PRIVACY = {
    "voting": Holding(
        label=_("Votes"),
        module="gongzhi.voting.privacy",
        order=5,  # before core's eraser removes the memberships closed votes were counted from
        kept=(
            _(
                "that you voted, and your receipt: part of the vote's record and turnout (never how you voted in a secret ballot)"
            ),
            _("the ballots the results are counted from"),
            _("owners' rolls you are on"),
        ),
    ),
}

#: The community home's tile and the street officials' overview columns (``core.home``).
HOME_TILES = {
    "voting.closing": HomeTile(order=10, provider="gongzhi.voting.home.closing_soon"),
}
OVERVIEW_FIGURES = {
    "voting.held": OverviewFigure(
        order=50,
        label=_("Votes held"),
        help=_("Votes closed in the last year"),
        provider="gongzhi.voting.home.votes_held",
    ),
    "voting.turnout": OverviewFigure(
        order=51,
        label=_("Turnout"),
        help=_("Those who voted over those who could, over the votes closed in the last year"),
        provider="gongzhi.voting.home.turnout",
    ),
}

#: The demo street's content (``core.demo``): an open poll and a closed secret vote.
DEMO = {"voting": DemoContent(order=20, seed="gongzhi.voting.demo.seed")}
