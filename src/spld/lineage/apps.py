from django.apps import AppConfig


class LineageConfig(AppConfig):
    name = "spld.lineage"
    label = "lineage"
    verbose_name = "Lignage des données"

    def ready(self) -> None:
        from spld.lineage import permissions  # noqa: F401  (registers rules)
