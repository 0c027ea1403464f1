"""``manage.py check``: an Alibaba Cloud SMS set-up with a piece missing fails at start, not at
the first login code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

ALIYUN_BACKEND = "gongzhi.notifications.sms.AliyunSmsBackend"


@checks.register("notifications")
def aliyun_sms_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.SMS_BACKEND != ALIYUN_BACKEND:
        return []
    from gongzhi.notifications.sms import AliyunSmsBackend

    problems: list[checks.CheckMessage] = []
    try:
        AliyunSmsBackend()
    except ImproperlyConfigured as error:
        problems.append(checks.Error(str(error), id="notifications.E001"))
    for kind in ("login_code", "notification"):
        if not settings.SMS_ALIYUN_TEMPLATES.get(kind):
            problems.append(
                checks.Error(
                    f"SMS_ALIYUN_TEMPLATE_{kind.upper()} is not set: the approved template "
                    f"code for {kind} messages (SMS_…)",
                    id="notifications.E002",
                )
            )
    return problems
