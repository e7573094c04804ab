"""Harvesting a DCAT or CKAN portal (our own, served by live_server): idempotent, deletions."""

import pytest
from django.conf import settings
from django.core.management import call_command

from spld.catalog import harvest, services
from spld.catalog.models import Dataset, HarvestSource
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource


@pytest.fixture
def portal(editor, org, settings):
    settings.SPLD_FETCH_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    first = make_dataset(editor, org, title="Eau potable", keywords=["eau"])
    make_resource(editor, first, WATER_CSV)
    second = make_dataset(editor, org, title="Assainissement", themes=["ENVI", "HEAL"])
    make_dataset(editor, org, title="Interne", access_level="restricted", licence="shared")
    return first, second


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["ckan", "dcat"])
def test_harvest_is_idempotent_and_handles_deletions(live_server, portal, spld_admin,
                                                     other_org, kind):
    first, second = portal
    url = (f"{live_server.url}/?fq=organization:{first.publisher.slug}" if kind == "ckan"
           else f"{live_server.url}/catalog.ttl?publisher={first.publisher.slug}")
    source = harvest.add_source(actor=spld_admin, url=url, kind=kind, publisher=other_org)
    run = harvest.run_harvest(actor=spld_admin, source=source)
    assert (run.created, run.errors) == (2, [])
    copies = Dataset.objects.filter(harvest_source=source)
    assert {d.title for d in copies} == {"Eau potable", "Assainissement"}
    copy = copies.get(title="Eau potable")
    assert copy.publisher == other_org and copy.keywords == ["eau"] and copy.status == "published"
    # The copy points at the origin's downloads: CKAN lists the CSV, DCAT both files.
    api = f"{settings.SITE_URL.rstrip('/')}/api/1/resources/{first.resources.get().rid}/data/"
    expected = {f"{api}csv/"} | ({f"{api}parquet/"} if kind == "dcat" else set())
    assert {r.source_url for r in copy.resources.all()} == expected
    if kind == "dcat":
        assert set(copies.get(title="Assainissement").themes) == {"ENVI", "HEAL"}

    run = harvest.run_harvest(actor=spld_admin, source=source)
    assert run.created == 0 and Dataset.objects.filter(harvest_source=source).count() == 2

    services.withdraw_dataset(actor=spld_admin, dataset=Dataset.objects.get(pk=second.pk))
    run = harvest.run_harvest(actor=spld_admin, source=source)
    assert run.deleted == 1
    assert copies.get(title="Assainissement").status == "withdrawn"


@pytest.mark.django_db
def test_unreachable_or_private_portal_reports_and_withdraws_nothing(spld_admin, other_org):
    source = harvest.add_source(actor=spld_admin, url="http://127.0.0.1:9/", kind="ckan",
                                publisher=other_org)
    run = harvest.run_harvest(actor=spld_admin, source=source)
    assert run.errors and "refusée" in run.errors[0]["error"]


@pytest.mark.django_db
def test_harvest_command_and_permissions(spld_admin, other_org, editor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        harvest.add_source(actor=editor, url="https://x.example/", kind="dcat",
                           publisher=other_org)
    call_command("harvest", "add", "https://portail.example/catalog.ttl", "--type", "dcat",
                 "--publisher", other_org.slug)
    assert HarvestSource.objects.get().kind == "dcat"
    call_command("harvest", "run", "--queue")
