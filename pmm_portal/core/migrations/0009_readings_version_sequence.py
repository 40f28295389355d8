"""The readings version (``core.pages``): views and downloads counted on PostgreSQL raise this
sequence instead of the data version, so a reading rebuilds only the pages that show counts."""

from django.db import migrations

SEQUENCE = "core_readings_version_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS bigint MINVALUE 0 START 0")
        # Called once: ``last_value`` moves from the first reading on (a fresh sequence's does not).
        schema_editor.execute("SELECT setval(%s, 1)", [SEQUENCE])


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_data_version_sequence"),
    ]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
