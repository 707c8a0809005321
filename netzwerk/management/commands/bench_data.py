"""``manage.py bench_data --scale N``: deterministic synthetic data, see ``netzwerk.bench_data``."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contacts.models import Network
from netzwerk.bench_data import bench_data_create, bench_directory_delete


class Command(BaseCommand):
    help = (
        "Erzeugt synthetische Verzeichnisdaten in N-facher Größe Aachens (je Einheit etwa 20 "
        "Netzwerke, 600 Einrichtungen, 1.500 Personen, 3.000 Mitgliedschaften). Gleicher "
        "Startwert, gleiche Daten."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Vielfaches der Größe Aachens (Standard: 1).")
        parser.add_argument("--seed", type=int, default=1, help="Startwert des Zufallsgenerators (Standard: 1).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Vorhandene Verzeichnisdaten (Netzwerke, Gebiete, Einrichtungen, Personen) vorher löschen.",
        )

    def handle(self, *args, scale: int, seed: int, force: bool, **options):
        """Refuse on a filled directory unless --force (then delete it), write the data, print counts and time."""
        if scale < 1:
            raise CommandError("--scale muss mindestens 1 sein.")
        started = time.perf_counter()
        # One transaction: if writing fails, the deleted directory comes back.
        with transaction.atomic():
            if Network.objects.exists():
                if not force:
                    raise CommandError(
                        "Die Datenbank enthält schon Netzwerke. Lastdaten werden nur in ein leeres "
                        "Verzeichnis geschrieben; --force löscht das vorhandene Verzeichnis vorher "
                        "(Netzwerke, Gebiete, Einrichtungen, Personen, Mitgliedschaften)."
                    )
                bench_directory_delete()
                self.stdout.write(f"Vorhandenes Verzeichnis gelöscht ({time.perf_counter() - started:.1f} s).")
            counts = bench_data_create(scale=scale, seed=seed)
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(f"Lastdaten (Faktor {scale}, Startwert {seed}): {summary}.")
        self.stdout.write(f"Dauer: {elapsed:.1f} s")
