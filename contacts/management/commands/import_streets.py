"""``manage.py import_streets FILE --replace|--add``: import the Straßenverzeichnis from CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.services import StreetImportMode, street_index_import


class Command(BaseCommand):
    help = (
        "Importiert das Straßenverzeichnis (CSV, UTF-8, Semikolon; Spalten Straße;Hausnummer von;"
        "Hausnummer bis;Seite;PLZ;Lebensraum). Fehlerhafte Zeilen werden mit Zeilennummer "
        "gemeldet; dann wird nichts geschrieben, außer mit --import-valid-rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Pfad der CSV-Datei")
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument(
            "--replace",
            action="store_const",
            const=StreetImportMode.REPLACE,
            dest="mode",
            help="Alle bisherigen Straßen löschen und durch die Datei ersetzen.",
        )
        mode.add_argument(
            "--add",
            action="store_const",
            const=StreetImportMode.ADD,
            dest="mode",
            help="Bestehende Straßen behalten, gleiche Zeilen aktualisieren, neue hinzufügen.",
        )
        parser.add_argument(
            "--import-valid-rows",
            action="store_true",
            help="Auch wenn Zeilen fehlerhaft sind: die gültigen Zeilen importieren.",
        )

    def handle(self, *args, file: Path, mode: str, import_valid_rows: bool, **options):
        """Run ``contacts.services.street_index_import`` and print its report."""
        try:
            with file.open("rb") as handle:
                report = street_index_import(file=handle, mode=mode, import_valid_rows=import_valid_rows)
        except OSError as error:
            raise CommandError(f"Die Datei lässt sich nicht lesen: {error}") from None
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.written:
            raise CommandError(
                f"Nichts importiert: {len(report.problems)} Fehler in {report.rows_read} Zeilen. "
                "Bitte die Zeilen korrigieren oder mit --import-valid-rows nur die gültigen importieren."
            )
        self.stdout.write(
            f"Importiert: {report.created} neu, {report.updated} geändert, {report.deleted} gelöscht "
            f"({report.rows_valid} von {report.rows_read} Zeilen gültig)."
        )
