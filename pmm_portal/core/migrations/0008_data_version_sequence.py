"""The data version becomes a sequence on PostgreSQL (``core.pages``): raising it took a row lock
and left a dead row on every write; ``nextval`` does neither. It starts where the row's count is."""

from django.db import migrations

SEQUENCE = "core_data_version_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    row = (
        apps.get_model("core", "DataVersion")
        .objects.using(schema_editor.connection.alias)
        .filter(pk=1)
        .first()
    )
    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS bigint MINVALUE 0 START 0")
    schema_editor.execute("SELECT setval(%s, %s)", [SEQUENCE, max(row.value if row else 0, 0) + 1])


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_history_audit"),
    ]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
