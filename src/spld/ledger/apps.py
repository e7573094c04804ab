from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "spld.ledger"
    label = "ledger"
    verbose_name = "Journal de transparence"

    def ready(self) -> None:
        from django.conf import settings

        from spld.core import recovery
        from spld.ledger import permissions  # noqa: F401  (registers rules)

        @recovery.every("witnessing", lambda: int(settings.SPLD_WITNESS_INTERVAL_SECONDS))
        def _witness() -> None:
            from spld.ledger import log, witnessing

            if log.key_path().exists():
                witnessing.cosign_newest()
