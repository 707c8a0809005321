"""``manage.py seed_demo``: load the demo data (idempotent), see ``netzwerk.demo``."""

import time

from django.core.management.base import BaseCommand, CommandError

from contacts.models import Network
from netzwerk.demo import DEMO_LOGINS, demo_seed, real_data_present


class Command(BaseCommand):
    help = (
        "Lädt die Demodaten: echte Gebiete und Netzwerke Aachens, erfundene Einrichtungen und "
        "Personen, drei Demo-Zugänge. Ein zweiter Lauf ändert nichts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Nichts tun, wenn es schon Netzwerke gibt (für „make run“).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Demodaten auch dann laden, wenn die Datenbank echte Daten enthält.",
        )

    def handle(self, *args, if_empty: bool, force: bool, **options):
        """Seed unless told to skip or refused; side effects: see ``netzwerk.demo.demo_seed``."""
        if if_empty and Network.objects.exists():
            self.stdout.write("Es gibt schon Netzwerke in der Datenbank – Demodaten werden nicht geladen.")
            return
        real = real_data_present()
        if real and not force:
            raise CommandError(
                "Die Datenbank enthält echte Daten (" + ", ".join(real) + "). Demodaten würden sich "
                "mit ihnen mischen und den Hinweis „Demodaten – fiktiv“ auf jeder Seite einschalten. "
                "Mit --force werden sie trotzdem geladen."
            )
        started = time.perf_counter()
        report = demo_seed()
        elapsed = time.perf_counter() - started
        if report.touched:
            created = sum(report.created.values())
            changed = sum(report.changed.values())
            self.stdout.write(f"Demodaten geladen in {elapsed:.1f} s: {created} Einträge neu, {changed} geändert.")
        else:
            self.stdout.write(f"Demodaten sind aktuell, nichts geändert ({elapsed:.1f} s).")
        self.stdout.write(f"Demo-Zugänge: {', '.join(login.email for login in DEMO_LOGINS)} (manage.py demo_logins).")
