"""``manage.py notifications_baseline``: once, when Netzwerk takes over from another tool."""

from django.core.management.base import BaseCommand

from notifications.services import notifications_baseline


class Command(BaseCommand):
    help = (
        "Vermerkt alle künftigen Sitzungen als den Mitgliedern bekannt: der erste Lauf lädt dann nicht "
        "zu allem ein, was schon geplant ist, sondern meldet nur, was sich ab jetzt ändert. Einmal bei "
        "der Übernahme aus einem anderen Werkzeug, vor dem Start von beat."
    )

    def handle(self, *args, **options):
        recorded = notifications_baseline()
        meetings = "künftige Sitzung" if recorded == 1 else "künftige Sitzungen"
        self.stdout.write(f"als bekannt vermerkt: {recorded} {meetings}")
