"""Local development: debug on, an insecure key that never leaves this machine.

``DEBUG=false`` (what ``make demo`` runs under) shows the site as visitors see it: its own 404 and
500 pages, static files served by WhiteNoise straight from the source folders (no collectstatic).
Errors still reach the console either way.
"""

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", True)
# Development-only tools (the benchmark corpus generator, `manage.py generate_corpus`); production never installs them.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
# E-mails are printed unless EMAIL_HOST names a server (base.py chooses).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# WhiteNoise finds files where `runserver` would (app and project static folders) and sees edits at once.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
