"""`spld log init-key|sign|check|verify|witness-key|add-witness|witness`: run and check the log."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spld.ledger import log, note, verify


class Command(BaseCommand):
    help = "Journal de transparence : clé, points de contrôle, vérification, témoins."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("init-key", help="Create the log's Ed25519 key (SPLD_LOG_KEY_PATH).")
        p.add_argument("--force", action="store_true", help="Replace an existing key (dangerous).")
        sub.add_parser("sign", help="Sign a checkpoint of the current tree now.")
        sub.add_parser(
            "check", help="Check the local database: entries, payloads, hashes, checkpoints."
        )
        p = sub.add_parser("verify", help="Verify a log over HTTP from a pinned key.")
        p.add_argument("--url", required=True, help="Base URL, e.g. http://127.0.0.1:8000")
        p.add_argument(
            "--key", default="", help="Verifier key (or a file holding it); else the state's."
        )
        p.add_argument(
            "--state", default="", help="JSON file remembering the last verified checkpoint."
        )
        p.add_argument(
            "--no-payloads", action="store_true", help="Skip the payload hashes (faster)."
        )
        p = sub.add_parser("witness-key", help="Create a witness (cosigner) key file.")
        p.add_argument("--name", required=True, help="Key name, e.g. comite.example/temoin-1")
        p.add_argument("--out", required=True, help="Private key file to write.")
        p = sub.add_parser("add-witness", help="Register a witness's verifier key (SPLD admin).")
        p.add_argument("--vkey", required=True, help="Witness verifier key (or a file holding it).")
        p.add_argument("--label", required=True, help="Public name shown on the witnesses page.")
        p.add_argument("--organization", default="", help="Slug of the witness's organisation.")
        p.add_argument(
            "--admin", default="", help="E-mail of the SPLD admin acting (default: first)."
        )
        p = sub.add_parser("witness", help="Check the log only grew, then cosign its checkpoint.")
        p.add_argument("--url", required=True, help="Base URL of the log.")
        p.add_argument("--key", required=True, help="The witness's private key file.")
        p.add_argument(
            "--state", required=True, help="JSON file with the last cosigned checkpoint."
        )
        p.add_argument("--log-key", default="", help="The log's verifier key (else the state's).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except verify.VerificationError as exc:
            where = f" (first bad index: {exc.index})" if exc.index is not None else ""
            raise CommandError(f"FAILED: {exc}{where}") from exc
        except (log.LogError, note.NoteError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc

    def _out(self, message: str) -> None:
        self.stdout.write(message)

    @staticmethod
    def _key_text(value: str) -> str:
        try:
            if value and Path(value).is_file():
                return Path(value).read_text().strip()
        except OSError:  # a key string too long to be a file name
            pass
        return value.strip()

    def _init_key(self, options: dict[str, Any]) -> None:
        from spld.core.config import REGISTRY

        demo_origin = REGISTRY["SPLD_LOG_ORIGIN"].default
        if demo_origin == settings.LOG_ORIGIN and not settings.DEMO_MODE:
            # The origin is baked into the key and every checkpoint for ever.
            raise CommandError(
                f"SPLD_LOG_ORIGIN is still the demo's ({demo_origin}): set it to your log's "
                "identity (e.g. donnees.exemple.fr/log) in the environment file, then run "
                "`spld log init-key` again."
            )
        signer = log.create_key(force=options["force"])
        self._out(f"log key written to {log.key_path()}")
        self._out(f"verifier key: {signer.verifier.vkey}")

    def _sign(self, options: dict[str, Any]) -> None:
        cp = log.sign_checkpoint()
        self._out(cp.note.rstrip("\n"))

    def _check(self, options: dict[str, Any]) -> None:
        size = verify.check_local(log=self._out)
        self._out(
            self.style.SUCCESS(f"OK: {size} entries, hashes, payloads and checkpoints consistent")
        )

    def _verify(self, options: dict[str, Any]) -> None:
        state = Path(options["state"]) if options["state"] else None
        report = verify.verify_remote(
            options["url"],
            vkey=self._key_text(options["key"]),
            state_path=state,
            payloads=not options["no_payloads"],
            log=self._out,
        )
        since = f", consistent with {report.previous_size}" if report.previous_size else ""
        cosig = f"; cosigned by {', '.join(report.cosigners)}" if report.cosigners else ""
        if report.cosigned_at is not None:
            cosig += f" (newest cosignature {max(0, int(time.time()) - report.cosigned_at)} s old)"
        elif not report.cosigners:
            cosig = "; not cosigned by any witness"
        self._out(
            self.style.SUCCESS(
                f"OK: {report.origin} size {report.size} root {report.root}{since}{cosig}"
            )
        )

    def _witness_key(self, options: dict[str, Any]) -> None:
        signer = note.Signer.generate(options["name"], note.ALG_COSIGNATURE_V1)
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"{out} already exists")
        out.write_text(signer.encode() + "\n")
        out.chmod(0o600)
        self._out(f"witness key written to {out}")
        self._out(f"verifier key: {signer.verifier.vkey}")

    def _add_witness(self, options: dict[str, Any]) -> None:
        from spld.accounts.models import User
        from spld.ledger import services
        from spld.organizations.models import Organization

        admins = User.objects.filter(is_superuser=True).order_by("pk")
        admin = (
            admins.filter(email=options["admin"]).first() if options["admin"] else admins.first()
        )
        if admin is None:
            raise CommandError("no SPLD admin account found (--admin EMAIL)")
        organization = None
        if options["organization"]:
            organization = Organization.objects.filter(slug=options["organization"]).first()
            if organization is None:
                raise CommandError(f"unknown organisation {options['organization']!r}")
        vkey = self._key_text(options["vkey"])
        witness = services.register_witness(
            actor=admin,
            name=note.parse_vkey(vkey).name,
            vkey=vkey,
            label=options["label"],
            organization=organization,
        )
        self._out(f"witness {witness.name} registered")

    def _witness(self, options: dict[str, Any]) -> None:
        signer = note.parse_private_key(Path(options["key"]).read_text())
        size = verify.witness_once(
            options["url"],
            signer=signer,
            state_path=Path(options["state"]),
            log_vkey=self._key_text(options["log_key"]),
            log=self._out,
        )
        self._out(self.style.SUCCESS(f"OK: cosigned checkpoint of size {size} as {signer.name}"))
