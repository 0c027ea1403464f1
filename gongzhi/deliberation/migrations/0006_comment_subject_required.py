"""A comment's subject is required; the proposal column goes; each moderation row names one
item (a proposal or a comment)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0005_comment_subject_data")]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="subject_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="subject_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.RemoveIndex(model_name="comment", name="deliberatio_communi_9dae9c_idx"),
        migrations.RemoveField(model_name="comment", name="proposal"),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                fields=["community", "subject_type", "subject_id", "created_at"],
                name="comment_by_subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("comment__isnull", True), ("proposal__isnull", False)),
                    models.Q(("comment__isnull", False), ("proposal__isnull", True)),
                    _connector="OR",
                ),
                name="flag_names_one_item",
            ),
        ),
        migrations.AddConstraint(
            model_name="appeal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("comment__isnull", True), ("proposal__isnull", False)),
                    models.Q(("comment__isnull", False), ("proposal__isnull", True)),
                    _connector="OR",
                ),
                name="appeal_names_one_item",
            ),
        ),
        migrations.AddConstraint(
            model_name="moderationevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("comment__isnull", True), ("proposal__isnull", False)),
                    models.Q(("comment__isnull", False), ("proposal__isnull", True)),
                    _connector="OR",
                ),
                name="moderationevent_names_one_item",
            ),
        ),
    ]
