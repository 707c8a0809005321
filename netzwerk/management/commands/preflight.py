"""Check the environment before starting: folders, database and broker, one line each."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from netzwerk.setup import broker_check, var_folders_create


class Command(BaseCommand):
    help = "Legt die Ordner unter var/ an und prüft Datenbank und Celery-Broker."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Nur Fehler ausgeben.")

    def handle(self, *args, quiet: bool, **options):
        var_folders_create()
        try:
            connection.ensure_connection()
        except Exception as error:  # noqa: BLE001 — any failure is reported as one line
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CommandError(f"DATABASE_URL: Datenbank nicht erreichbar ({reason}).") from None
        broker_error = broker_check()
        if broker_error:
            raise CommandError(f"CELERY_BROKER_URL: Broker nicht erreichbar ({broker_error}).")
        if not quiet:
            engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
            broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
            self.stdout.write(f"Datenbank ({engine}) und Broker ({broker}) erreichbar.")
