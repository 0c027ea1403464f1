"""What notifications declare to the shared registries: the notifier core calls
(``gongzhi.core.notify.send``), the journal verb of sending a message again, and what they hold
about a person."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Holding

#: What ``gongzhi.core.notify.send`` calls: core tells people things without importing us.
NOTIFIER = "gongzhi.notifications.services.notify"
#: What ``gongzhi.core.notify.unread_count`` calls, for the header's badge.
UNREAD_COUNT = "gongzhi.notifications.selectors.unread_count"

VERBS = {
    "notifications.delivery_retried": _(
        "tried again to send a message that had not been delivered"
    ),
}

PRIVACY = {
    "notifications": Holding(label=_("Notifications"), module="gongzhi.notifications.privacy"),
}
