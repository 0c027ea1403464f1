from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation hall")

    def ready(self) -> None:
        from gongzhi.deliberation import policies  # noqa: F401  (registers the permissions)
