"""NRW school holidays (Schulferien) 2026 and 2027, as a planning hint.

Dates as published by the Ministerium für Schule und Bildung NRW (Ferienordnung). Staff
should check them against https://www.schulministerium.nrw/ferienordnung and correct them
in the admin (Verwaltung → Schulferien) if the state changes them; the Christmas holidays
2025/26 are included because they reach into 2026. Staff in the Sozialplanung group may
view, add and change the dates.
"""

import datetime

from django.db import migrations

D = datetime.date
NRW_SCHOOL_HOLIDAYS = [
    ("Weihnachtsferien 2025/26", D(2025, 12, 22), D(2026, 1, 6)),
    ("Osterferien 2026", D(2026, 3, 30), D(2026, 4, 11)),
    ("Pfingstferien 2026", D(2026, 5, 26), D(2026, 5, 26)),
    ("Sommerferien 2026", D(2026, 7, 20), D(2026, 9, 1)),
    ("Herbstferien 2026", D(2026, 10, 17), D(2026, 10, 31)),
    ("Weihnachtsferien 2026/27", D(2026, 12, 23), D(2027, 1, 6)),
    ("Osterferien 2027", D(2027, 3, 22), D(2027, 4, 3)),
    ("Pfingstferien 2027", D(2027, 5, 18), D(2027, 5, 18)),
    ("Sommerferien 2027", D(2027, 7, 19), D(2027, 8, 31)),
    ("Herbstferien 2027", D(2027, 10, 23), D(2027, 11, 6)),
    ("Weihnachtsferien 2027/28", D(2027, 12, 24), D(2028, 1, 8)),
]


def load(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    SchoolHoliday = apps.get_model("meetings", "SchoolHoliday")
    for name, start, end in NRW_SCHOOL_HOLIDAYS:
        SchoolHoliday.objects.get_or_create(name=name, defaults={"start": start, "end": end})
    app_config = apps.get_app_config("meetings")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Sozialplanung")
    codenames = [f"{action}_schoolholiday" for action in ("view", "add", "change", "delete")]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="meetings", codename__in=codenames))


def unload(apps, schema_editor):
    SchoolHoliday = apps.get_model("meetings", "SchoolHoliday")
    SchoolHoliday.objects.filter(name__in=[name for name, _start, _end in NRW_SCHOOL_HOLIDAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_schoolholiday"),
        ("contacts", "0004_sozialplanung_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, unload)]
