from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CovenantsConfig(AppConfig):
    name = "gongzhi.covenants"
    label = "covenants"
    verbose_name = _("Community covenants")

    def ready(self) -> None:
        # Registers each part's permissions.
        from gongzhi.covenants import (  # noqa: F401
            adoption_policies,
            consult_policies,
            policies,
            revision_policies,
        )
