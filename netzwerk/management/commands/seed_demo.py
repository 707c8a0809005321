"""``manage.py seed_demo``: load the demo data (idempotent), see ``netzwerk.demo``."""

import logging
import time
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from contacts.models import Network
from netzwerk.demo import DEMO_LOGINS, demo_seed, real_data_present

BERLIN = ZoneInfo("Europe/Berlin")


class Command(BaseCommand):
    help = (
        "Lädt die Demodaten: echte Gebiete und Netzwerke Aachens, erfundene Einrichtungen und "
        "Personen, drei Demo-Zugänge und einen Kalender rund um heute. Ein zweiter Lauf ändert nichts; "
        "--refresh legt den Kalender neu um heute an."
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
        parser.add_argument(
            "--no-calendar",
            action="store_true",
            help="Nur Gebiete, Netzwerke, Einrichtungen und Personen laden, keinen Kalender (schneller).",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help=(
                "Den Kalender der Demo (Sitzungen, Umfragen und ihr Zustellprotokoll) löschen und neu um "
                "heute anlegen; für vergangene Sitzungen wird dabei nichts versendet."
            ),
        )

    def handle(self, *args, if_empty: bool, force: bool, refresh: bool, no_calendar: bool, **options):
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
        # The services log every meeting, agenda item and answer the seed makes; the summary
        # below says it in two lines. Warnings still show.
        logging.disable(logging.INFO)
        try:
            report = demo_seed(refresh=refresh, calendar=not no_calendar)
        finally:
            logging.disable(logging.NOTSET)
        elapsed = time.perf_counter() - started
        if report.touched:
            created = sum(report.created.values())
            changed = sum(report.changed.values())
            deleted = sum(report.deleted.values())
            removed = f", {deleted} gelöscht" if deleted else ""
            self.stdout.write(
                f"Demodaten geladen in {elapsed:.1f} s: {created} Einträge neu, {changed} geändert{removed}."
            )
        else:
            self.stdout.write(f"Demodaten sind aktuell, nichts geändert ({elapsed:.1f} s).")
        if report.stale_since is not None:
            self.stdout.write(
                "Im Demokalender fand die letzte Sitzung am "
                f"{report.stale_since.astimezone(BERLIN):%d.%m.%Y} statt; "
                "„manage.py seed_demo --refresh“ legt ihn neu um heute an."
            )
        self.stdout.write(f"Demo-Zugänge: {', '.join(login.email for login in DEMO_LOGINS)} (manage.py demo_logins).")
