"""What voting writes to the journal (never a secret ballot's content) and the notifications it sends."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Holding

VERBS = {
    "vote.created": _("set up a vote"),
    "vote.roll_set": _("set the owners' roll of a vote"),
    "vote.cast": _("voted"),
    "vote.changed": _("changed their vote"),
    "vote.paper_issued": _("was given a paper ballot"),
    "vote.paper_confirmed": _("confirmed a paper ballot"),
    "vote.paper_conflict": _("found two different readings of a paper ballot"),
}

NOTIFICATION_KINDS = {
    "vote_opened": _("A vote I can take part in opens"),
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
