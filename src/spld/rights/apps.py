from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "spld.rights"
    label = "rights"
    verbose_name = "Droits et consentements"

    def ready(self) -> None:
        from spld.rights import permissions  # noqa: F401  (registers rules)
