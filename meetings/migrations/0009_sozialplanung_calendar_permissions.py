from django.db import migrations

# Sozialplanung staff keep every network's calendar in the Verwaltung: they view, add and
# change meetings, series, polls and attendance. Deleting a meeting or series stays with
# superusers (cancelling keeps the history); the rows edited inside a meeting's page
# (agenda items, poll options) may be removed, as the speakers' pages allow.
CALENDAR_MODELS = [
    "meetingseries",
    "meeting",
    "agendaitem",
    "minutes",
    "attendance",
    "datepoll",
    "datepolloption",
    "datepollvote",
    "schoolholiday",
]
DELETABLE_MODELS = ["agendaitem", "datepolloption"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Sozialplanung")
    codenames = [f"{action}_{model}" for model in CALENDAR_MODELS for action in ("view", "add", "change")]
    codenames += [f"delete_{model}" for model in DELETABLE_MODELS]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="meetings", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("meetings", "0008_stored_markdown_html_and_text_caps"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
