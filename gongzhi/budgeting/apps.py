from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "gongzhi.budgeting"
    label = "budgeting"
    verbose_name = _("Participatory budgeting")

    def ready(self) -> None:
        from gongzhi.budgeting import policies  # noqa: F401  (registers the permissions)
