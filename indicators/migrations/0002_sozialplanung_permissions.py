from django.db import migrations

# Sozialplanung staff keep the catalogue of indicators in the Verwaltung and look at the
# values and outlines there (written by the import and the GeoJSON command). Deleting
# stays with superusers.
PERMISSIONS = [
    "view_indicator",
    "add_indicator",
    "change_indicator",
    "view_indicatorvalue",
    "view_areashape",
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
    group.permissions.add(*Permission.objects.filter(content_type__app_label="indicators", codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_indicators_and_shapes"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
