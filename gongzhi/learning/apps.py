from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "gongzhi.learning"
    label = "learning"
    verbose_name = _("Training, qualifications and the leadership ladder")

    def ready(self) -> None:
        # Registers each part's permissions and the session as a check-in target.
        from gongzhi.learning import (  # noqa: F401
            attendance_policies,
            award_policies,
            ladder_policies,
            policies,
            requirement_policies,
            spread_policies,
        )
