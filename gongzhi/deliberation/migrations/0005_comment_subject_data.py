"""Every existing comment is on a proposal: its subject becomes that proposal. A moderation row
about a comment stops naming the comment's proposal too (the comment names its subject)."""

from django.db import migrations
from django.db.models import F


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    proposal, _created = ContentType.objects.get_or_create(
        app_label="deliberation", model="proposal"
    )
    apps.get_model("deliberation", "Comment")._default_manager.update(
        subject_type=proposal, subject_id=F("proposal_id")
    )
    for name in ("Flag", "Appeal", "ModerationEvent"):
        apps.get_model("deliberation", name)._default_manager.filter(comment__isnull=False).update(
            proposal=None
        )


def backward(apps, schema_editor):
    Comment = apps.get_model("deliberation", "Comment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    proposal = ContentType.objects.filter(app_label="deliberation", model="proposal").first()
    # Comments on anything else than a proposal cannot go back to a proposal-only table: the
    # budgeting migration that moved idea comments here moves them back first.
    if Comment._default_manager.exclude(subject_type=proposal).exists():
        raise RuntimeError("comments on other subjects than proposals are still here")
    Comment._default_manager.update(proposal_id=F("subject_id"))
    for name in ("Flag", "Appeal", "ModerationEvent"):
        model = apps.get_model("deliberation", name)
        for row in model._default_manager.filter(comment__isnull=False).select_related("comment"):
            row.proposal_id = row.comment.subject_id
            row.save(update_fields=["proposal"])


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0004_comment_subject")]

    operations = [migrations.RunPython(forward, backward)]
