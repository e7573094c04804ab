"""WSGI entry point for production servers (gunicorn spld.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spld.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (after Django is set up)
from django.utils.module_loading import import_string  # noqa: E402

# A server started with a missing or foreign key would declare genuine receipts forged.
if settings.STARTUP_CHECK:
    import_string(settings.STARTUP_CHECK)()
