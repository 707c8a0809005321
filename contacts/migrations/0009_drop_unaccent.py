"""The unaccent extension was created by 0006 but never used: ``netzwerk_fold`` folds with
IMMUTABLE built-ins (unaccent is only STABLE), so PostgreSQL can inline it and index it."""

from django.db import migrations


def unaccent_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP EXTENSION IF EXISTS unaccent")


def unaccent_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0008_account_emails_normalised")]

    operations = [migrations.RunPython(unaccent_drop, unaccent_create)]
