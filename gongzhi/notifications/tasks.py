"""Delivery off the request path: enqueued after commit, run by the task backend."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from gongzhi.notifications.sms import send_sms


@task()
def deliver_email(address: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


@task()
def deliver_sms(phone: str, text: str) -> None:
    send_sms(phone, text)
