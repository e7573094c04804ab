"""DCAT-AP catalogue (rdflib) and the CKAN API subset (with the real ckanapi client)."""

import hashlib
import json

import pytest
from django.conf import settings
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from spld.catalog import dcat
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def datasets(editor, org):
    open_ds = make_dataset(editor, org, title="Eau potable", keywords=["eau"],
                           contact_point="contact@eau.example", frequency="ANNUAL")
    make_resource(editor, open_ds, WATER_CSV)
    make_dataset(editor, org, title="Partagé", access_level="shared", licence="shared")
    make_dataset(editor, org, title="Brouillon", publish=False)
    return open_ds


def test_catalog_ttl_parses_and_lists_only_open_datasets(client, datasets):
    response = client.get("/catalog.ttl")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=response.content, format="turtle")
    found = list(g.subjects(RDF.type, DCAT.Dataset))
    assert len(found) == 1
    node = found[0]
    for prop in (DCTERMS.identifier, DCAT.landingPage, DCTERMS.title, DCTERMS.description,
                 DCAT.keyword, DCTERMS.publisher, DCAT.contactPoint, DCAT.theme,
                 DCTERMS.accrualPeriodicity, DCTERMS.spatial, DCTERMS.issued,
                 DCTERMS.modified):
        assert g.value(node, prop) is not None, prop
    dist = g.value(node, DCAT.distribution)
    for prop in (DCTERMS.license, DCAT.downloadURL, DCAT.accessURL, DCTERMS.format,
                 DCAT.mediaType, DCTERMS.issued, DCTERMS.modified):
        assert g.value(dist, prop) is not None, prop
    # Each distribution on its own (CSV and Parquet): the size and SHA-256 it states are
    # those of the bytes a harvester downloads.
    spdx = dcat.SPDX
    dists = sorted(g.objects(node, DCAT.distribution))
    assert [str(g.value(d, DCTERMS.format)).rsplit("/", 1)[-1] for d in dists] == [
        "CSV", "PARQUET"]
    for dist in dists:
        checksum = g.value(dist, spdx.checksum)
        body = client.get(str(dist).removeprefix(settings.SITE_URL.rstrip("/"))).getvalue()
        assert g.value(dist, DCAT.byteSize).toPython() == len(body) > 0
        assert str(g.value(checksum, spdx.checksumValue)) == hashlib.sha256(body).hexdigest()
    assert (None, RDF.type, dcat.HYDRA.PartialCollectionView) in g


def test_catalog_formats_paging_and_negotiation(client, datasets, monkeypatch):
    monkeypatch.setattr(dcat, "PAGE_SIZE", 1)
    make_dataset(datasets.publisher.memberships.first().user, datasets.publisher,
                 title="Deuxième")
    g = Graph().parse(data=client.get("/catalog.jsonld?page=1").content, format="json-ld")
    view = next(g.subjects(RDF.type, dcat.HYDRA.PartialCollectionView))
    assert str(g.value(view, dcat.HYDRA.next)).endswith("page=2")
    Graph().parse(data=client.get("/catalog.rdf").content, format="xml")
    assert client.get("/catalog", HTTP_ACCEPT="application/ld+json")["Content-Type"].startswith(
        "application/ld+json")
    assert client.get("/catalog")["Content-Type"].startswith("text/turtle")


def test_dataset_rdf(client, datasets):
    g = Graph().parse(data=client.get(f"/datasets/{datasets.slug}.ttl").content, format="turtle")
    assert list(g.subjects(RDF.type, DCAT.Dataset)) == [
        URIRef(f"{settings.SITE_URL.rstrip('/')}/datasets/{datasets.slug}")]
    assert client.get("/datasets/partage.ttl").status_code == 404


def test_ckan_actions_over_http(client, datasets, org):
    body = client.get("/api/3/action/package_list").json()
    assert body["success"] and body["result"] == [datasets.slug]
    pkg = client.get(f"/api/3/action/package_show?id={datasets.slug}").json()["result"]
    rid = str(datasets.resources.get().rid)
    assert pkg["resources"][0]["id"] == rid and pkg["organization"]["name"] == org.slug
    search = client.get("/api/3/action/package_search?q=eau&rows=5").json()["result"]
    assert search["count"] == 1
    search = client.post("/api/3/action/package_search",
                         json.dumps({"fq": f"organization:{org.slug}", "rows": 1000}),
                         content_type="application/json").json()["result"]
    assert search["count"] == 1
    assert client.get("/api/3/action/package_search?rows=1001").status_code == 409
    assert client.get("/api/3/action/package_show?id=partage").status_code == 404
    orgs = client.get("/api/3/action/organization_list?all_fields=true").json()["result"]
    assert orgs[0]["package_count"] == 1
    show = client.get(f"/api/3/action/organization_show?id={org.slug}").json()["result"]
    assert show["title"] == org.name
    assert client.get("/api/3/action/status_show").json()["result"]["api_version"] == 3
    assert client.get("/api/3/action/nope").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_ckanapi_client_against_live_server(live_server, editor, org):
    import ckanapi

    dataset = make_dataset(editor, org, title="Eau potable", keywords=["eau"])
    make_resource(editor, dataset, WATER_CSV)
    remote = ckanapi.RemoteCKAN(live_server.url, user_agent="spld-tests")
    assert remote.action.package_list() == [dataset.slug]
    result = remote.action.package_search(q="eau", rows=10)
    assert result["count"] == 1 and result["results"][0]["name"] == dataset.slug
    assert remote.action.package_show(id=dataset.slug)["title"] == "Eau potable"
    with pytest.raises(ckanapi.NotFound):
        remote.action.package_show(id="inconnu")
