"""ASGI entry point for production servers (uvicorn or granian spld.asgi)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spld.settings")
application = get_asgi_application()
