"""WSGI entry point (gunicorn individuate.config.wsgi). Refuses to start if system checks fail."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "individuate.config.settings")
application = get_wsgi_application()

from individuate.core.checks import refuse_to_serve_if_unsafe  # noqa: E402

refuse_to_serve_if_unsafe()
