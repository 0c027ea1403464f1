from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "gongzhi.spaces"
    label = "spaces"
    verbose_name = _("Shared spaces and resources")

    def ready(self) -> None:
        # Registers each part's permissions.
        from gongzhi.spaces import attendance, policies  # noqa: F401

        attendance.register_checkin()  # a space's door shows the rotating QR (core.checkin)
