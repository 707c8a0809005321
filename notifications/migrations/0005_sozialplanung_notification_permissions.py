from django.db import migrations

# Sozialplanung staff read the delivery log and the periodic runs (the workers write them;
# the admin offers no add, change or delete for them) and keep each network's mail settings
# and the members' preferences.
READ_MODELS = ["delivery", "periodicrun"]
KEPT_MODELS = ["networksettings", "preference"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Sozialplanung")
    codenames = [f"view_{model}" for model in READ_MODELS]
    codenames += [f"{action}_{model}" for model in KEPT_MODELS for action in ("view", "add", "change")]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="notifications", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_invitation_lead_days_announced_at"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
