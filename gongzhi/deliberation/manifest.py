"""What the deliberation hall writes to the journal and the notifications it sends.

Moderation (R1.1), decided for this hall: the moderators are the community's workers, its
council members and platform admins (``policies.is_moderator``; not mediators, who must stay
neutral between neighbours, nor street officials). Anyone logged in may flag; a hidden item
needs a reason; its author may appeal once; any other moderator decides. Limits per person
(``services.RATE_LIMITS``): 5 proposals a day, 10 comments in ten minutes, 20 flags a day.
"""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.decisions import DecisionKind
from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, HomeTile, OverviewFigure
from gongzhi.core.indicators import Indicator
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

#: A body whose charter grants it answers proposals (optionally only on some categories: the
#: topics are the proposal categories' names); ``services.proposal_transition(body_id=…)``.
DECISION_KINDS = {
    "answer_proposals": DecisionKind(
        _("answer residents' proposals"),
        _("accept, reject or merge proposals that residents raised, with the reasons"),
        topics=True,
        order=20,
    ),
}

VERBS = {
    "proposal.created": _("raised a proposal"),
    "proposal.published": _("published a proposal"),
    "proposal.edited": _("edited a proposal"),
    "proposal.supported": _("supported a proposal"),
    "proposal.unsupported": _("withdrew support from a proposal"),
    "proposal.status_changed": _("moved a proposal on"),
    "comment.added": _("commented on a proposal"),
    "reaction.added": _("reacted to a comment"),
    "reaction.removed": _("took back a reaction to a comment"),
    "moderation.flagged": _("flagged something for the moderators"),
    "moderation.hidden": _("hid something as a moderator"),
    "moderation.flags_dismissed": _("dismissed flags as a moderator"),
    "moderation.appealed": _("appealed against the moderators' hiding"),
    "moderation.appeal_decided": _("decided an appeal as a moderator"),
}

_APPEAL_ONCE = _("Their reason: %(reason)s\nIf you disagree, you can appeal once, on the page.")
_DECIDED = _("The moderators' reason: %(reason)s")

NOTIFICATION_KINDS = {
    "proposal_threshold": Kind(
        _("A proposal I follow, or my council's, has enough support"),
        {"reached": Message(_("A proposal has enough support for the council: %(title)s"))},
    ),
    "proposal_comment": Kind(
        _("New comments on proposals I follow"),
        {"comment": Message(_("New comment on “%(title)s”"))},
    ),
    "proposal_answered": Kind(
        _("Answers to proposals I follow"),
        {"status": Message(_("“%(title)s” is now: %(status)s"))},
    ),
    "moderation_decision": Kind(
        _("The moderators hide something I wrote, or decide my appeal"),
        {
            "comment_hidden": Message(
                _("The moderators hid what you wrote on “%(title)s”"), _APPEAL_ONCE
            ),
            "proposal_hidden": Message(
                _("The moderators hid your proposal “%(title)s”"), _APPEAL_ONCE
            ),
            "restored": Message(_("Your appeal is accepted: “%(title)s” is shown again"), _DECIDED),
            "kept_hidden": Message(
                _("Your appeal is not accepted: on “%(title)s”, it stays hidden"), _DECIDED
            ),
        },
    ),
    "moderation_queue": Kind(
        _("New flags and appeals, for moderators"),
        {
            "flagged": Message(_("Flagged for moderation, on “%(title)s”")),
            "appealed": Message(_("An appeal against hiding, on “%(title)s”")),
        },
        roles=("community_worker", "council_member"),
    ),
}

#: What this app holds about a person: its copy and its erasure (PIPL arts. 45 and 47).
PRIVACY = {
    "deliberation": Holding(
        label=_("Deliberation hall"),
        module="gongzhi.deliberation.privacy",
        kept=(
            _(
                "published proposals, comments, supports, reactions, flags and appeals, shown as by a former resident"
            ),
        ),
    ),
}

#: The community home's tile and the street officials' overview column (``core.home``).
HOME_TILES = {
    "deliberation.near": HomeTile(order=20, provider="gongzhi.deliberation.home.near_threshold"),
}
OVERVIEW_FIGURES = {
    "deliberation.proposals": OverviewFigure(
        order=40,
        label=_("Proposals"),
        help=_("Proposals published in the last year, and the share that got an answer"),
        provider="gongzhi.deliberation.home.proposals",
    ),
}
CONSOLE_LINKS = {
    "deliberation.moderation": ConsoleLink(
        order=20,
        label=_("Moderation: flagged proposals and comments"),
        url_name="moderation_queue",
        perm="deliberation.moderate",
    ),
}

#: The demo street's content (``core.demo``): proposals with support and comments, one on the council's agenda.
DEMO = {"deliberation": DemoContent(order=10, seed="gongzhi.deliberation.demo.seed")}

#: Proposals for evaluation (``core.indicators``), computed from the journal alone.
INDICATORS = {
    "proposals.raised": Indicator(
        name=_("Proposals raised"),
        definition=_("Residents' proposals published in the month."),
        kind="count",
        compute="gongzhi.deliberation.indicators.proposals_raised",
        unit=_("proposals"),
        order=50,
    ),
    "proposals.answered": Indicator(
        name=_("Proposals answered"),
        definition=_(
            "Proposals that received their first answer in the month: accepted, rejected, "
            "implemented or merged into another."
        ),
        kind="count",
        compute="gongzhi.deliberation.indicators.proposals_answered",
        unit=_("proposals"),
        order=51,
    ),
    "proposals.adopted": Indicator(
        name=_("Proposals adopted"),
        definition=_("Proposals accepted or implemented for the first time in the month."),
        kind="count",
        compute="gongzhi.deliberation.indicators.proposals_adopted",
        unit=_("proposals"),
        order=52,
    ),
}
