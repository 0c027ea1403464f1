from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "gongzhi.budgeting"
    label = "budgeting"
    verbose_name = _("Participatory budgeting")

    def ready(self) -> None:
        # Registers the permissions, and the check that open secret ballots keep their key.
        from gongzhi.budgeting import checks, policies  # noqa: F401
