from django.db import migrations
from django.utils.text import slugify


def load_vocabulary(apps, schema_editor):
    from contacts.vocabulary import INSTITUTION_TYPES, UMBRELLAS

    Category = apps.get_model("contacts", "InstitutionCategory")
    Type = apps.get_model("contacts", "InstitutionType")
    Umbrella = apps.get_model("contacts", "Umbrella")
    Group = apps.get_model("auth", "Group")
    for position, (category_name, type_names) in enumerate(INSTITUTION_TYPES):
        category, _ = Category.objects.get_or_create(name=category_name, defaults={"position": position})
        for name in type_names:
            Type.objects.get_or_create(name=name, defaults={"category": category, "slug": slugify(name)})
    for name, short_name in UMBRELLAS:
        Umbrella.objects.get_or_create(name=name, defaults={"short_name": short_name})
    Group.objects.get_or_create(name="Sozialplanung")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load_vocabulary, migrations.RunPython.noop)]
