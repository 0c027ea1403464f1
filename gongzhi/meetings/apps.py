from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "gongzhi.meetings"
    label = "meetings"
    verbose_name = _("Meetings, hearings and the decision register")

    def ready(self) -> None:
        # Registers the permissions of each part and the check-in target.
        from gongzhi.meetings import (  # noqa: F401
            agenda_policies,
            hearing_policies,
            minutes_policies,
            policies,
            room_policies,
        )
