"""`spld token create --org SLUG [--name NAME]` and `spld token revoke PREFIX`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from spld.accounts import services
from spld.accounts.models import ApiToken, User
from spld.organizations.models import Organization


class Command(BaseCommand):
    help = "Create or revoke an organisation's API token (the token is printed once)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--org", required=True, help="Organisation slug")
        create.add_argument("--name", default="CLI")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix", help="Token prefix (the 8 characters after spld_)")

    def _operator(self) -> User:
        # The CLI runs with server access, i.e. as the SPLD team.
        admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if admin is None:
            raise CommandError("Aucun administrateur SPLD : lancez d’abord `spld createsuperuser`.")
        return admin

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            organization = Organization.objects.filter(slug=options["org"]).first()
            if organization is None:
                raise CommandError(f"Organisation inconnue : {options['org']}")
            _token, clear = services.create_api_token(
                actor=self._operator(), organization=organization, name=options["name"]
            )
            self.stderr.write("Jeton créé ; il ne sera plus affiché :")
            self.stdout.write(clear)
        else:
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError("Jeton inconnu.")
            services.revoke_api_token(actor=self._operator(), token=token)
            self.stdout.write(f"Jeton {token.prefix} révoqué.")
