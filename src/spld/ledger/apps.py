from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "spld.ledger"
    label = "ledger"
    verbose_name = "Journal de transparence"
