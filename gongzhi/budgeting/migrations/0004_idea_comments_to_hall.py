"""Ideas are discussed in the deliberation hall's comments: every idea comment moves across as a
top-level hall comment on its idea, with its author, text and time. Backwards, the hall's
comments on ideas come back as a flat list (replies included; reactions and moderation are
lost, as the old list had none)."""

from django.db import migrations

BATCH = 2000


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    IdeaComment = apps.get_model("budgeting", "IdeaComment")
    Comment = apps.get_model("deliberation", "Comment")
    idea, _created = ContentType.objects.get_or_create(app_label="budgeting", model="idea")
    rows = IdeaComment._default_manager.order_by("created_at", "pk")
    batch = []
    for old in rows.iterator(chunk_size=BATCH):
        batch.append(
            Comment(
                community_id=old.community_id,
                subject_type=idea,
                subject_id=old.idea_id,
                author_id=old.author_id,
                body=old.body,
                created_at=old.created_at,
            )
        )
        if len(batch) == BATCH:
            Comment._default_manager.bulk_create(batch)
            batch = []
    Comment._default_manager.bulk_create(batch)


def backward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    IdeaComment = apps.get_model("budgeting", "IdeaComment")
    Comment = apps.get_model("deliberation", "Comment")
    idea = ContentType.objects.filter(app_label="budgeting", model="idea").first()
    if idea is None:
        return
    on_ideas = Comment._default_manager.filter(subject_type=idea)
    IdeaComment._default_manager.bulk_create(
        [
            IdeaComment(
                community_id=c.community_id,
                idea_id=c.subject_id,
                author_id=c.author_id,
                body=c.body,
                created_at=c.created_at,
            )
            for c in on_ideas.order_by("created_at", "pk")
        ],
        batch_size=BATCH,
    )
    on_ideas.filter(parent__isnull=False).delete()
    on_ideas.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("budgeting", "0003_tally_progress"),
        ("deliberation", "0006_comment_subject_required"),
    ]

    operations = [migrations.RunPython(forward, backward)]
