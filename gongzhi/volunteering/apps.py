from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering, certificates and mutual aid")

    def ready(self) -> None:
        # Registers each part's permissions and the shift as a check-in target.
        from gongzhi.volunteering import (  # noqa: F401
            aid_policies,
            certificate_policies,
            honour_policies,
            ledger_policies,
            policies,
            shift_policies,
        )
