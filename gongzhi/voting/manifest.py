"""What voting writes to the journal (never a secret ballot's content) and the notifications it sends."""

from django.utils.translation import gettext_lazy as _

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
