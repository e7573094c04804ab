"""`spld keys init|move-vault-key|show`: create the receipt, vault and consent keys explicitly."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spld.rights import keys


class Command(BaseCommand):
    help = "Clés des reçus, du coffre des habitants et des consentements en attente."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init", help="Create the missing keys (refuses if data needs the old one).")
        sub.add_parser(
            "move-vault-key",
            help="Move SPLD_DATA_DIR/keys/vault-master.key to SPLD_VAULT_MASTER_KEY_PATH.",
        )
        sub.add_parser("show", help="Print where each key is expected.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "init":
                done = keys.init_keys()
                for path, what in done:
                    self.stdout.write(f"{what}: {path}")
                if not done:
                    self.stdout.write("every key already exists")
            elif options["action"] == "move-vault-key":
                if not keys.legacy_vault_key_path().exists():
                    raise CommandError(f"nothing to move: no {keys.legacy_vault_key_path()}")
                self.stdout.write(f"moved to {keys.move_legacy_vault_key()}")
            self._show()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc

    def _show(self) -> None:
        self.stdout.write(f"receipt signing key: {keys.receipt_key_path()}")
        self.stdout.write(f"consent matching key: {keys.consent_key_path()}")
        self.stdout.write(
            f"vault master key (keep it outside every data backup): {keys.vault_key_path()}"
        )
