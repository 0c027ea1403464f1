from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "gongzhi.voting"
    label = "voting"
    verbose_name = _("Votes")

    def ready(self) -> None:
        # Registers the permissions, and the check that open secret ballots keep their key.
        from gongzhi.voting import checks, policies  # noqa: F401
