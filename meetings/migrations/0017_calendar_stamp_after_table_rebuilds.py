"""The calendar-stamp triggers on ``meetings_meeting`` again, on SQLite.

SQLite cannot add every kind of column in place: Django rebuilds the table (create a copy,
move the rows, drop the old one), and the triggers of the old table go with it. The guests'
migration (0014) rebuilt ``meetings_meeting`` after the joint meetings' one (0013) had
created its triggers, so on SQLite feeds stopped noticing changes. PostgreSQL alters tables
in place and keeps its triggers: nothing to do there. A later migration that rebuilds the
table on SQLite must run this again (``tests/meetings/test_stamp_triggers.py`` notices).
"""

from importlib import import_module

from django.db import migrations

stamp = import_module("meetings.migrations.0011_calendar_stamp")
joint = import_module("meetings.migrations.0013_joint_meetings")


def triggers_recreate(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        # 0013's statements drop the meeting triggers before creating them; the partner
        # table's (not rebuilt) are dropped here so that all are created afresh.
        for event in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS meetings_partner_stamp_{event};")
        schema_editor.execute("DROP TRIGGER IF EXISTS meetings_calendar_stamp_insert;")
        # The insert trigger of 0011 (0013 replaced only the update and delete ones).
        schema_editor.execute(stamp.SQLITE_CREATE[0])
        for statement in joint.SQLITE_CREATE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0016_documents_documents"),
    ]

    operations = [
        migrations.RunPython(triggers_recreate, migrations.RunPython.noop),
    ]
