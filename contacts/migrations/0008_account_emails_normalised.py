"""Account addresses are stored in one form, NFKC and case-folded, because logins are looked
up, counted and kept unique by it (contacts.clients.email_normalize). Before, they were
stored lower-cased, and PostgreSQL's UPPER() matched "ſprecherin@…" to "sprecherin@…"."""

import unicodedata

from django.db import migrations


def _normalise(address: str) -> str:
    # A copy of contacts.clients.email_normalize as it was when this migration was written.
    return unicodedata.normalize("NFKC", address.strip()).casefold()


def account_emails_normalise(apps, schema_editor):
    User = apps.get_model("contacts", "User")
    changed = []
    for user in User.objects.only("pk", "email").iterator():
        normalised = _normalise(user.email)
        if normalised != user.email:
            changed.append((user.pk, user.email, normalised))
    taken = {}
    for pk, email in User.objects.values_list("pk", "email"):
        taken.setdefault(_normalise(email), []).append(email)
    clashes = sorted(", ".join(sorted(emails)) for emails in taken.values() if len(emails) > 1)
    if clashes:
        raise RuntimeError(
            "Mehrere Zugänge haben dieselbe E-Mail-Adresse in anderer Schreibweise; bitte vor der "
            "Migration zusammenführen oder ändern: " + "; ".join(clashes)
        )
    for pk, _old, normalised in changed:
        User.objects.filter(pk=pk).update(email=normalised)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_search_names"),
    ]

    operations = [
        migrations.RunPython(account_emails_normalise, migrations.RunPython.noop),
    ]
