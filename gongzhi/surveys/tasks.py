"""Background work of surveys: telling people a round is open, and reminding those drawn for a
sample who have not answered (at most once a day). ``manage.py surveys_remind`` runs the same
from cron where no task worker runs."""

from __future__ import annotations

from django_tasks import task


@task()
def announce_and_remind() -> dict[str, int]:
    from gongzhi.surveys.services import invitations_remind, waves_announce

    return {"announced": waves_announce(), "reminded": invitations_remind()}
