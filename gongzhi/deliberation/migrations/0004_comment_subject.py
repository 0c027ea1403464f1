"""Comments belong to a subject (a proposal, or another app's item such as a budgeting idea)
instead of a proposal; moderation rows name a proposal or a comment, not both. Three steps
(add, fill, require) so that PostgreSQL never alters a table with pending trigger events."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("deliberation", "0003_proposal_order_indexes"),
    ]

    operations = [
        # Optional from here on, so that the step back can fill it again before requiring it.
        migrations.AlterField(
            model_name="comment",
            name="proposal",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments",
                to="deliberation.proposal",
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="subject_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="subject_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="flag",
            name="proposal",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="flags",
                to="deliberation.proposal",
            ),
        ),
        migrations.AlterField(
            model_name="appeal",
            name="proposal",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="appeals",
                to="deliberation.proposal",
            ),
        ),
        migrations.AlterField(
            model_name="moderationevent",
            name="proposal",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="moderation_events",
                to="deliberation.proposal",
            ),
        ),
    ]
