from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "gongzhi.voting"
    label = "voting"
    verbose_name = _("Votes")

    def ready(self) -> None:
        from gongzhi.voting import policies  # noqa: F401  (registers the permissions)
