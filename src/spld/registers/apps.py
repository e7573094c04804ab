from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "spld.registers"
    label = "registers"
    verbose_name = "Registres"

    def ready(self) -> None:
        from spld.registers import permissions  # noqa: F401  (registers rules)
