from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "gongzhi.disclosure"
    label = "disclosure"
    verbose_name = _("Information disclosure")

    def ready(self) -> None:
        from gongzhi.disclosure import policies  # noqa: F401  (registers the permissions)
