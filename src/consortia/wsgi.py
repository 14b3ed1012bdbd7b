"""WSGI entry point for gunicorn and other servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortia.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - after the settings module is named

if settings.BENCHMARK:  # `consortia bench` only: its baseline page (bench/instrument.py)
    from consortia.bench.instrument import wrap

    application = wrap(application)
