from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "gongzhi.mediation"
    label = "mediation"
    verbose_name = _("Neighbour mediation")

    def ready(self) -> None:
        # Registers each part's permissions.
        from gongzhi.mediation import policies, proceeding_policies, stats_policies  # noqa: F401
