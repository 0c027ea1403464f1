"""What participatory budgeting writes to the journal and the notifications it sends. A ballot
is journalled as the act of voting, never with its choice."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from gongzhi.core.decisions import DecisionKind
from gongzhi.core.demo import DemoContent
from gongzhi.core.indicators import Indicator
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

#: The decision register's row of a participatory budget's published results (register-only).
DECISION_KINDS = {
    "budget_results": DecisionKind(
        _("participatory budget results"),
        _("residents chose the projects a participatory budget funds"),
        order=220,
        chartered=False,
    ),
}

VERBS = {
    "budget.created": _("opened a participatory budgeting process"),
    "budget.updated": _("changed a participatory budgeting process"),
    "budget.idea_submitted": _("submitted a project idea"),
    "budget.commented": _("commented on a project idea"),
    "budget.reviewer_assigned": _("put a resident on a review panel"),
    "budget.reviewed": _("reviewed a project idea"),
    "budget.idea_accepted": _("put a project idea on the ballot"),
    "budget.idea_rejected": _("found a project idea not feasible"),
    "budget.voted": _("voted in a participatory budget"),
    "budget.vote_changed": _("changed their ballot in a participatory budget"),
    "budget.count_requested": _("asked for a participatory budget to be counted"),
    "budget.imported": _("imported a past participatory budget from a Pabulib file"),
    "budget.counted": _("counted a participatory budget"),
    "budget.paper_issued": _("handed a paper ballot of a participatory budget to a resident"),
    "budget.paper_entered": _("typed in a paper ballot of a participatory budget"),
    "budget.paper_confirmed": _("confirmed a paper ballot of a participatory budget"),
    "budget.paper_conflict": _("typed a paper ballot differently from another person"),
    "budget.milestone_added": _("planned a milestone of a funded project"),
    "budget.milestone_done": _("marked a milestone of a funded project reached"),
    "budget.progress_reported": _("reported progress on a funded project"),
    "budget.spending_recorded": _("booked money spent on a funded project"),
    "budget.progress_commented": _("commented on the progress of a funded project"),
}

_REASON = _("The review panel's reason: %(reason)s")

NOTIFICATION_KINDS = {
    "budget_idea_decided": Kind(
        _("The review panel's decision on a project idea I submitted"),
        {
            "accepted": Message(_("Your idea is on the ballot: %(title)s"), _REASON),
            "rejected": Message(_("Your idea was found not feasible: %(title)s"), _REASON),
        },
    ),
    "budget_idea_comment": Kind(
        _("New comments on project ideas I submitted"),
        {"comment": Message(_("New comment on “%(title)s”"))},
    ),
}

#: What this app holds about a person: its copy and its erasure (PIPL arts. 45 and 47).
PRIVACY = {
    "budgeting": Holding(
        label=_("Participatory budgeting"),
        module="gongzhi.budgeting.privacy",
        kept=(
            _("project ideas and their photos, reviews, and that you voted (never your choices)"),
        ),
    ),
}

#: The demo street's content (``core.demo``): a budget in its voting phase, its ideas reviewed.
DEMO = {"budgeting": DemoContent(order=30, seed="gongzhi.budgeting.demo.seed")}

#: The participatory budget for evaluation (``core.indicators``), from the journal alone.
INDICATORS = {
    "budget.money_decided": Indicator(
        name=_("Money decided by residents"),
        definition=_(
            "The cost of the projects funded by the participatory budgeting counts made in the "
            "month: money whose use residents decided by their ballots."
        ),
        kind="count",
        compute="gongzhi.budgeting.indicators.money_decided",
        unit=_("yuan"),
        # Counts began to record the money they fund on this day.
        complete_from=date(2026, 12, 3),
        order=60,
    ),
}
