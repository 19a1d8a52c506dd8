"""WSGI entry point (gunicorn individuate.config.wsgi). Refuses to start if system checks fail."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "individuate.config.settings")
application = get_wsgi_application()

from django.core import checks  # noqa: E402

_errors = [e for e in checks.run_checks() if e.is_serious()]
if _errors:
    raise SystemExit("Refusing to start:\n" + "\n".join(str(e) for e in _errors))
