"""The hours ledger and the time bank are append-only (``core/appendonly.py``): no row of
``HoursEntry``, ``Transfer`` or ``TimeMovement`` changes or is deleted; a correction is a
reversing row with its reason."""

from django.db import migrations

from gongzhi.core import appendonly


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]

    operations = [
        migrations.RunPython(
            *appendonly.operations(
                "volunteering_hoursentry", "volunteering_transfer", "volunteering_timemovement"
            )
        )
    ]
