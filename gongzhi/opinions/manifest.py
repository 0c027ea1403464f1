"""What conversations write to the journal and the notifications they send.

A vote is journalled as the act of voting on a statement, never with its choice: the journal is
read by staff and the supervision committee, and no one but the participant should read how
they voted.
"""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.demo import DemoContent
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

VERBS = {
    "conversation.opened": _("opened a conversation"),
    "conversation.imported": _("imported a conversation from a Polis export"),
    "statement.added": _("added a statement to a conversation"),
    "statement.accepted": _("accepted a statement as a moderator"),
    "statement.rejected": _("took a statement out as a moderator"),
    "statement.voted": _("voted on a statement in a conversation"),
    "statement.vote_changed": _("changed their vote on a statement in a conversation"),
}

NOTIFICATION_KINDS = {
    "statement_moderated": Kind(
        _("The moderators accept or take out a statement I wrote"),
        {
            "shown": Message(_("Your statement is shown: %(text)s")),
            "taken_out": Message(
                _("Your statement was taken out: %(text)s"),
                _("The moderators' reason: %(reason)s"),
            ),
        },
    ),
}

#: What this app holds about a person: its copy and its erasure (PIPL arts. 45 and 47).
PRIVACY = {
    "opinions": Holding(
        label=_("Conversations"),
        module="gongzhi.opinions.privacy",
        kept=(_("statements and votes, under your number in each conversation"),),
    ),
}

#: The demo street's content (``core.demo``): a conversation whose map has groups.
DEMO = {"opinions": DemoContent(order=40, seed="gongzhi.opinions.demo.seed")}
