from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BodiesConfig(AppConfig):
    name = "gongzhi.bodies"
    label = "bodies"
    verbose_name = _("Self-governing bodies")

    def ready(self) -> None:
        # Registers the permissions of each part.
        from gongzhi.bodies import (  # noqa: F401
            incubation_policies,
            panel_policies,
            partner_policies,
            policies,
            supervision_policies,
        )
