from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "spld.ledger"
    label = "ledger"
    verbose_name = "Journal de transparence"

    def ready(self) -> None:
        from spld.ledger import permissions  # noqa: F401  (registers rules)
