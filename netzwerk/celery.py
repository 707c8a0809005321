"""The Celery app: ``celery -A netzwerk worker`` and ``celery -A netzwerk beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netzwerk.settings")

app = Celery("netzwerk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
