"""What the foundation writes to the journal and the notifications it sends."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Role
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding
from gongzhi.core.requirements import Requirable

VERBS = {
    "membership.joined": _("joined the community"),
    "membership.verified": _("was verified as a resident"),
    "membership.groups_updated": _("updated the groups they belong to"),
    "role.granted": _("granted a role"),
    "role.revoked": _("revoked a role"),
    "roster.imported": _("imported a resident roster"),
    "household_codes.issued": _("printed household letters"),
    "journal.key_rotated": _("changed the key that seals the journal"),
    "checkin.recorded": _("checked in"),
    # The platform journal's acts, above the communities.
    "journal.keys_rotated": _("changed the key of every journal"),
    "district.created": _("created a district"),
    "street.created": _("created a street"),
    "community.created": _("created a community"),
    "community.updated": _("renamed or described a community"),
    "oversight.granted": _("appointed a street official"),
    "oversight.revoked": _("removed a street official"),
    "platform_admin.granted": _("appointed a platform administrator"),
    "platform_admin.revoked": _("removed a platform administrator"),
    "user.deactivated": _("blocked an account"),
    "user.reactivated": _("unblocked an account"),
    # Role requirements (core/requirements.py)
    "requirement.turned_on": _("made a role require a qualification"),
    "requirement.turned_off": _("stopped a role requiring a qualification"),
}

#: Core's grantable roles a community may make require a qualification (core/requirements.py),
#: each with the one it would usually ask for; none is required until a community turns it on.
#: Supervisors and community workers come from above and are not gated here.
REQUIRABLE_ROLES = {
    Role.MEDIATOR.value: Requirable(Role.MEDIATOR.label, "mediation"),
    Role.COUNCIL_MEMBER.value: Requirable(Role.COUNCIL_MEMBER.label, "chairing"),
    Role.ORG_LEADER.value: Requirable(Role.ORG_LEADER.label, "leadership"),
    Role.REVIEWER.value: Requirable(Role.REVIEWER.label, ""),
    Role.VOLUNTEER.value: Requirable(Role.VOLUNTEER.label, ""),
}

NOTIFICATION_KINDS = {
    "membership_verified": Kind(
        _("My residence is verified"),
        {"verified": Message(_("You are now a verified resident of %(community)s"))},
    ),
    "role_granted": Kind(
        _("I am given a role"),
        {"granted": Message(_("You now have the role “%(role)s” in %(community)s"))},
    ),
    "qualification_needed": Kind(
        _("A role I hold needs a qualification"),
        {
            "needed": Message(
                _("“%(role)s” needs “%(qualification)s” in %(community)s"),
                _(
                    "From %(day)s this role needs the qualification. You keep the role you "
                    "hold; please take the course when you can."
                ),
            ),
            "reminder": Message(
                _("Reminder: “%(role)s” needs “%(qualification)s” in %(community)s"),
                _("You keep the role you hold; please take the course when you can."),
            ),
        },
    ),
}

#: What this app holds about a person: its copy and its erasure (PIPL arts. 45 and 47).
PRIVACY = {
    "core": Holding(
        label=_("Communities, roles and the journal"),
        module="gongzhi.core.privacy",
        kept=(
            _(
                "the activity journal: what you did, under your former account's number (the chain of entries cannot change)"
            ),
            _("which household letter codes were used, and when"),
        ),
        order=10,
    ),
}
