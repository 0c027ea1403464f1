"""Delivery off the request path: enqueued after commit, run by the task backend."""

from __future__ import annotations

from django_tasks import task

from gongzhi.notifications.services import deliveries_send_due, delivery_attempt


@task()
def deliver(delivery_id: int) -> None:
    """Try one delivery (an e-mail or a text) if it is due."""
    delivery_attempt(delivery_id=delivery_id)


@task()
def send_due_deliveries() -> int:
    """Send every delivery whose time has come (retries, and first tries a queue lost)."""
    return deliveries_send_due()
