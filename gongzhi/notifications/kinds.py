"""The kinds of notification, so that a person can choose channels for each.

Each domain app adds its own kinds here when it adds the events that send them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

KINDS: dict[str, object] = {
    "membership_verified": _("My residence is verified"),
    "role_granted": _("I am given a role"),
    "announcement": _("Announcements from the community"),
    "proposal_threshold": _("A proposal I follow, or my council's, has enough support"),
    "proposal_comment": _("New comments on proposals I follow"),
    "proposal_answered": _("Answers to proposals I follow"),
}

DEFAULT_CHANNELS = {"email": True, "sms": False}
