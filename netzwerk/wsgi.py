import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netzwerk.settings")
application = get_wsgi_application()
# What the application loaded (modules, models, settings: some 110,000 objects) lives as
# long as the process: out of the collector's way, so that a full collection, which comes
# every few dozen rendered pages, looks only at what requests made since. At scale 10 it
# stopped a worker for 115–180 ms instead of 520–560 ms (load on the machine; the ratio
# holds). Also keeps those pages shared after a fork (gunicorn --preload).
gc.freeze()
