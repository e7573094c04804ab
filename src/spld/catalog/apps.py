from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "spld.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from spld.catalog import permissions  # noqa: F401  (registers rules)
