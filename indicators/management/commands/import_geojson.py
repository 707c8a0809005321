"""``manage.py import_geojson FILE``: outlines of the Lebensräume and places of institutions."""

from django.core.management.base import BaseCommand, CommandError

from indicators.services import geojson_import


class Command(BaseCommand):
    help = (
        "Liest eine GeoJSON-FeatureCollection (WGS 84): Polygone mit der Eigenschaft „code“ werden die Umrisse "
        "der Lebensräume (mit „ebene“: auch Sozialräume oder Stadtbezirke), Punkte mit der Eigenschaft "
        "„einrichtung“ (Kurzname) die Orte der Einrichtungen. Bei einem Fehler wird nichts geändert."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Pfad der GeoJSON-Datei")
        parser.add_argument(
            "--schematisch",
            action="store_true",
            help="Die Umrisse sind Skizzen (nicht maßstäblich); die Karte sagt es dazu.",
        )
        parser.add_argument("--quelle", default="", help="Woher die Umrisse stammen (wird auf der Karte genannt).")

    def handle(self, *args, file: str, schematisch: bool, quelle: str, **options):
        """Run ``indicators.services.geojson_import`` and print its report."""
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"Die Datei {file} kann nicht gelesen werden: {error.strerror}.") from error
        report = geojson_import(data=data, schematic=schematisch, source=quelle[:300])
        if not report.ok:
            raise CommandError("Nichts geändert:\n" + "\n".join(report.problems))
        self.stdout.write(
            f"Umrisse: {report.shapes_created} neu, {report.shapes_updated} geändert, "
            f"{report.shapes_unchanged} unverändert. Einrichtungen verortet: {report.points_set} "
            f"(unverändert: {report.points_unchanged})."
        )
