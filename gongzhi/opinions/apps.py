from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "gongzhi.opinions"
    label = "opinions"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from gongzhi.opinions import policies  # noqa: F401  (registers the permissions)
