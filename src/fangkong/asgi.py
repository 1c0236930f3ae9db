"""ASGI entry point (``fangkong.asgi:application``) for an ASGI server such as uvicorn or
daphne, neither of which Fangkong installs. The views are synchronous: Django runs each in a
worker thread, so ASGI brings no speed here; ``fangkong serve`` (waitress, WSGI) is the
tested server. Under any other server set ``FANGKONG_HEALTHCODE_MAX_IN_FLIGHT`` to below the
server's threads, as the load shedding cannot read them (docs/deployment.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
application = get_asgi_application()
