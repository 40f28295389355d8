from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("core", "DataVersion").objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_team_figures_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "data version",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("pk", 1)), name="core_dataversion_single_row")
                ],
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
