"""Machine URLs of the log, mounted at /log/ outside the language prefix."""

from django.urls import path, re_path

from spld.ledger import public

app_name = "log"

_N = r"(?P<n_path>(?:x[0-9]{3}/)*[0-9]{3})"

urlpatterns = [
    path("", public.index, name="index"),
    path("checkpoint", public.checkpoint, name="checkpoint"),
    path("key", public.key, name="key"),
    path("cosignature", public.cosignature, name="cosignature"),
    re_path(rf"^tile/entries/{_N}(?:\.p/(?P<width>[0-9]+))?$", public.entries, name="entries"),
    re_path(rf"^tile/(?P<level>[0-9]+)/{_N}(?:\.p/(?P<width>[0-9]+))?$", public.tile, name="tile"),
]
