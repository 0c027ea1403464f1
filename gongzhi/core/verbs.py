"""What each journal verb means to a person reading their record. Apps add their own verbs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, object] = {
    "membership.joined": _("joined the community"),
    "membership.verified": _("was verified as a resident"),
    "membership.groups_updated": _("updated the groups they belong to"),
    "role.granted": _("granted a role"),
    "role.revoked": _("revoked a role"),
    "roster.imported": _("imported a resident roster"),
    "household_codes.issued": _("printed household letters"),
    "proposal.created": _("raised a proposal"),
    "proposal.published": _("published a proposal"),
    "proposal.edited": _("edited a proposal"),
    "proposal.supported": _("supported a proposal"),
    "proposal.unsupported": _("withdrew support from a proposal"),
    "proposal.status_changed": _("moved a proposal on"),
    "comment.added": _("commented on a proposal"),
}


def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb))
