"""The Celery app: ``celery -A netzwerk worker`` and ``celery -A netzwerk beat``."""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netzwerk.settings")

app = Celery("netzwerk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _garbage_collector_freeze(**_kwargs) -> None:
    """Each pool process leaves what it holds once started (Django, Celery, the apps'
    modules: about 100,000 objects) out of the garbage collector's full passes: a send task
    makes enough objects for one every few hundred mails, and each walked them all again
    (70–90 ms; a tenth of a mail's CPU in the worker). Nothing of it is garbage later:
    modules and settings live as long as the process."""
    gc.freeze()
