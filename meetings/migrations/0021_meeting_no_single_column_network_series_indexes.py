"""The single-column indexes on ``meetings_meeting.network_id`` and ``series_id`` dropped.

Each repeats the first column of an index the table has anyway — (network, start) and the
feed stamp; (series, start) and the slot constraint (series, original_start) — and those
serve every lookup by network or series, the foreign keys' cascade and SET NULL too. Each
index is written with every occurrence a series creates (bench.meetings).

Only the indexes are dropped: an ``AlterField`` would rebuild the table on SQLite and take
the calendar-stamp triggers with it (see 0017).
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "meetings_meeting_network_id_c1e9790a": "network_id",
    "meetings_meeting_series_id_4c28ba88": "series_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0021_speedpages_directory_stamp"),
        ("meetings", "0020_calendar_stamp_meeting_parts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON meetings_meeting ({column})",
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="meeting",
                    name="network",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meetings",
                        to="contacts.network",
                        verbose_name="Netzwerk",
                    ),
                ),
                migrations.AlterField(
                    model_name="meeting",
                    name="series",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="occurrences",
                        to="meetings.meetingseries",
                        verbose_name="Terminserie",
                    ),
                ),
            ],
        ),
    ]
