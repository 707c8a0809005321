"""``manage.py demo_logins``: print the demo accounts and their passwords (for ``make run``)."""

from django.core.management.base import BaseCommand

from netzwerk.demo import demo_logins_present


class Command(BaseCommand):
    help = "Zeigt die Demo-Zugänge mit Passwort, wenn es sie gibt; sonst nichts."

    def handle(self, *args, **options):
        """Write one line per demo login that still works; nothing when there is none."""
        logins = demo_logins_present()
        if not logins:
            return
        self.stdout.write("Demo-Zugänge (alle Personen und Einrichtungen sind erfunden):")
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email:<{width}}  Passwort: {login.password:<20}  {login.label}")
