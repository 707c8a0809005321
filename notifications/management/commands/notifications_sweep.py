"""``manage.py notifications_sweep``: run one sweep now (what beat does every minute)."""

from django.core.management.base import BaseCommand

from notifications.services import notifications_sweep


class Command(BaseCommand):
    help = "Plant fällige Mails und reiht sie zum Versand ein (wie der minütliche Lauf)."

    def handle(self, *args, **options):
        result = notifications_sweep()
        self.stdout.write(f"geplant: {result.planned}, eingereiht: {len(result.enqueued)}")
