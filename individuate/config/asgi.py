import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "individuate.config.settings")
application = get_asgi_application()

from individuate.core.checks import refuse_to_serve_if_unsafe  # noqa: E402

refuse_to_serve_if_unsafe()
