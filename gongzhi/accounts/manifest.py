"""What accounts write to the journal and what they hold about a person."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Holding

VERBS = {
    "account.erased": _("had their account and personal data erased"),
    "api_token.revoked": _("revoked an API token"),
}

#: The account goes last: the other apps' erasers still read its phone number and name.
PRIVACY = {
    "accounts": Holding(
        label=_("My account"),
        module="gongzhi.accounts.privacy",
        kept=(_("an empty account under a code, which the records above point to"),),
        order=100,
    ),
}
