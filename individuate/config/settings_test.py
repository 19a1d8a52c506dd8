"""Test extras on top of the real settings: tasks run at once, mail stays in memory."""

import os

from .settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Argon2 is what production uses (asserted in accounts/tests/test_settings.py);
# tests create many users, so they hash with a fast algorithm.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405

# SQLite tests use a file, not shared-cache memory, so that concurrent threads in the
# booking tests wait on each other (busy timeout) exactly as the app's own database does.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    # One file per test run, so two runs side by side never share (or flush) a database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
elif os.environ.get("TEST_DB_NAME"):
    # Several test runs side by side on one PostgreSQL: each names its own test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}  # noqa: F405

# Tests open and close connections from threads (the race tests): no persistent connections.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
