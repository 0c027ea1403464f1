"""What the deliberation hall writes to the journal and the notifications it sends."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    "proposal.created": _("raised a proposal"),
    "proposal.published": _("published a proposal"),
    "proposal.edited": _("edited a proposal"),
    "proposal.supported": _("supported a proposal"),
    "proposal.unsupported": _("withdrew support from a proposal"),
    "proposal.status_changed": _("moved a proposal on"),
    "comment.added": _("commented on a proposal"),
}

NOTIFICATION_KINDS = {
    "proposal_threshold": _("A proposal I follow, or my council's, has enough support"),
    "proposal_comment": _("New comments on proposals I follow"),
    "proposal_answered": _("Answers to proposals I follow"),
}
