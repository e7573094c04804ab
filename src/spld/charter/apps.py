from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "spld.charter"
    label = "charter"
    verbose_name = "Charte"

    def ready(self) -> None:
        from spld.charter import permissions  # noqa: F401  (registers rules)
