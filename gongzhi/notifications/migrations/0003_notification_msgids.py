"""Notifications keep their msgids and parameters and are rendered for each reader; the text
frozen when older rows were sent stays in the same columns as their fallback."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_delivery_log_and_retries"),
    ]

    operations = [
        # Only the fields' names change; their columns keep their names and their data.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="notification", old_name="title", new_name="frozen_title"
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="frozen_title",
                    field=models.CharField(blank=True, db_column="title", max_length=200),
                ),
                migrations.RenameField(
                    model_name="notification", old_name="body", new_name="frozen_body"
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="frozen_body",
                    field=models.TextField(blank=True, db_column="body"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="notification",
            name="title_msgid",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="notification",
            name="body_msgid",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
