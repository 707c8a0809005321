"""The wording of the consent form in use since 2025, so that „Mein Bereich“ and the
Art. 15 export can show everyone what they agreed to."""

from django.db import migrations

def add_text(apps, schema_editor):
    from contacts.consent_texts import PUBLISHED_ON, TEXT, TEXT_EN, VERSION

    ConsentText = apps.get_model("contacts", "ConsentText")
    ConsentText.objects.get_or_create(
        version=VERSION,
        defaults={"text": TEXT, "text_en": TEXT_EN, "published_on": PUBLISHED_ON},
    )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0015_self_service_consent_texts_erasure")]

    operations = [migrations.RunPython(add_text, migrations.RunPython.noop)]
