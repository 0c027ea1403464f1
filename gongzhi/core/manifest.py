"""What the foundation writes to the journal and the notifications it sends."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    "membership.joined": _("joined the community"),
    "membership.verified": _("was verified as a resident"),
    "membership.groups_updated": _("updated the groups they belong to"),
    "role.granted": _("granted a role"),
    "role.revoked": _("revoked a role"),
    "roster.imported": _("imported a resident roster"),
    "household_codes.issued": _("printed household letters"),
}

NOTIFICATION_KINDS = {
    "membership_verified": _("My residence is verified"),
    "role_granted": _("I am given a role"),
    "announcement": _("Announcements from the community"),
}
