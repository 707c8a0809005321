from django.db import migrations

# Sozialplanung staff keep the whole directory current: they view, add and change every
# directory model. Deleting stays with superusers: history (memberships, consents) is kept.
DIRECTORY_MODELS = [
    "area",
    "topic",
    "network",
    "institutioncategory",
    "institutiontype",
    "umbrella",
    "institution",
    "person",
    "affiliation",
    "contactchannel",
    "consent",
    "membership",
    "user",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Sozialplanung")
    codenames = [f"{action}_{model}" for model in DIRECTORY_MODELS for action in ("view", "add", "change")]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="contacts", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_consent_channel_protect"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
