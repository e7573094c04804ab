"""`spld harvest add --type dcat|ckan URL --publisher SLUG` and `spld harvest run`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from spld.accounts.models import User
from spld.catalog import harvest
from spld.catalog.models import HarvestSource
from spld.organizations.models import Organization


class Command(BaseCommand):
    help = "Moissonner des portails partenaires (DCAT ou CKAN) dans le catalogue."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Déclarer une source")
        add.add_argument("url")
        add.add_argument("--type", choices=["dcat", "ckan"], required=True)
        add.add_argument("--publisher", required=True, help="slug de l’organisation productrice")
        run = sub.add_parser("run", help="Moissonner (toutes les sources, ou --source ID)")
        run.add_argument("--source", type=int)
        run.add_argument("--queue", action="store_true",
                         help="mettre en file pour le worker au lieu d’exécuter tout de suite")
        sub.add_parser("list", help="Lister les sources et leur dernier moissonnage")

    def handle(self, *args: Any, **options: Any) -> None:
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            raise CommandError("Aucun administrateur SPLD : créez-en un d’abord.")
        if options["action"] == "add":
            org = Organization.objects.filter(slug=options["publisher"]).first()
            if org is None:
                raise CommandError(f"Organisation inconnue : {options['publisher']}")
            source = harvest.add_source(actor=admin, url=options["url"], kind=options["type"],
                                        publisher=org)
            self.stdout.write(f"source {source.pk} : {source.url}")
            return
        sources = HarvestSource.objects.all()
        if options.get("source"):
            sources = sources.filter(pk=options["source"])
        for source in sources:
            if options["action"] == "list":
                last = source.runs.first()
                self.stdout.write(f"{source.pk}\t{source.kind}\t{source.url}\t"
                                  f"{last.started_at if last else 'jamais'}")
            elif options["queue"]:
                from spld.catalog.tasks import harvest_source, serialize_actor

                harvest_source.enqueue(source.pk, serialize_actor(admin))
                self.stdout.write(f"source {source.pk} mise en file")
            else:
                run = harvest.run_harvest(actor=admin, source=source)
                self.stdout.write(f"{source.url} : {run.created} créés, {run.updated} mis à "
                                  f"jour, {run.deleted} retirés, {len(run.errors)} erreurs")
                for error in run.errors[:20]:
                    self.stdout.write(f"  ! {error['identifier']} : {error['error']}")
