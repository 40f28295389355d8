# Status history from creation: every initiative gets the first status update that
# ``initiative_create`` now records, so month-end snapshots can read the status history.
# Initiatives without any update get one in their current status, by their owner, dated
# when the initiative was created. Initiatives that already have updates are left alone.

from django.db import migrations
from django.db.models import Exists, OuterRef

BATCH = 1000


def backfill(apps, schema_editor):
    Initiative = apps.get_model("initiatives", "Initiative")
    StatusUpdate = apps.get_model("initiatives", "StatusUpdate")
    without = (
        Initiative.objects.filter(~Exists(StatusUpdate.objects.filter(initiative=OuterRef("pk"))))
        .values_list("pk", "owner_id", "status", "created_at")
        .order_by("pk")
    )
    updates = [
        StatusUpdate(
            initiative_id=pk,
            author_id=owner_id,
            status=status,
            message="Initiative created.",
            created_at=created_at,
        )
        for pk, owner_id, status, created_at in list(without)
    ]
    StatusUpdate.objects.bulk_create(updates, batch_size=BATCH)

class Migration(migrations.Migration):

    dependencies = [
        ("initiatives", "0002_timeentry_moves_to_timesheets"),
    ]

    operations = [
        # Backwards it keeps the updates: they cannot be told from ones written since.
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
