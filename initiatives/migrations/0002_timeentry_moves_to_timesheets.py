# Time entries move to the ``timesheets`` app. The table stays where it is
# (``initiatives_timeentry``, with its data, constraints and index): only Django's
# idea of which app owns the model changes, so this migration touches no table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('initiatives', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='TimeEntry')],
            database_operations=[],
        ),
    ]
