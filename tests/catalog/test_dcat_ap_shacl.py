"""DCAT-AP 3.0.0 conformance of the demo catalogue (pySHACL), and dereferenceable dataset URIs."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH

from spld.catalog import dcat, demo
from spld.catalog.models import Dataset
from spld.demo.services import load_demo
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

pytestmark = pytest.mark.django_db

SHAPES = Path(__file__).parent / "shacl" / "dcat-ap-3.0.0.ttl"
PUBLIC = "https://donnees.territoire.example"
EU_VOCABULARY = "http://publications.europa.eu/resource/authority/"


def _undated() -> set[str]:
    """URIs of the datasets whose data has no date: dct:temporal cannot be given for them."""
    return {str(dcat.dataset_uri(d)) for d in Dataset.objects.all()
            if not (d.temporal_start or d.temporal_end) and dcat._profile_period(d) == (None,
                                                                                        None)}


def _results(data: Graph) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(violations, warnings) as (focus, path, constraint) — minus the allowed exceptions.

    Only range checks (sh:class) on EU-vocabulary IRIs are allowed: those IRIs are described
    by the Publications Office's authority tables, not by this catalogue. A recommended
    property is only expected where the data exists (dct:temporal of data without dates).
    """
    undated = _undated()
    shapes = Graph().parse(SHAPES, format="turtle")
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none",
                                        allow_warnings=True)
    found: dict[URIRef, list[tuple[str, str, str]]] = {SH.Violation: [], SH.Warning: []}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        component = str(report.value(result, SH.sourceConstraintComponent))
        value = str(report.value(result, SH.value) or "")
        if component.endswith("ClassConstraintComponent") and value.startswith(EU_VOCABULARY):
            continue
        focus, path = str(report.value(result, SH.focusNode)), report.value(result, SH.resultPath)
        if path == DCTERMS.temporal and focus in undated:
            continue
        found[report.value(result, SH.resultSeverity)].append(
            (str(report.value(result, SH.focusNode)), str(report.value(result, SH.resultPath)),
             component.rsplit("#", 1)[-1]))
    return found[SH.Violation], found[SH.Warning]


def _download(client, url: str) -> bytes:
    response = client.get(url.removeprefix(PUBLIC))
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_demo_catalogue_conforms_to_dcat_ap_3(client, settings, monkeypatch):
    settings.SITE_URL = PUBLIC + "/"
    monkeypatch.setattr(demo, "BIG_ROWS", 500)  # the real demo generates 1.2 million rows
    monkeypatch.setattr(dcat, "PAGE_SIZE", 4)  # several pages, each validated
    load_demo()
    documents: list[bytes] = []
    page = 1
    while True:
        body = client.get(f"/catalog.ttl?page={page}").content
        documents.append(body)
        g = Graph().parse(data=body, format="turtle")
        view = next(g.subjects(RDF.type, dcat.HYDRA.PartialCollectionView))
        if g.value(view, dcat.HYDRA.next) is None:
            break
        page += 1
    assert page >= 2
    bus = Dataset.objects.get(slug="validations-bibus-par-arret-et-heure")
    documents.append(client.get(f"/datasets/{bus.slug}.ttl").content)
    merged = Graph()
    for body in documents:
        assert b"127.0.0.1" not in body and b"localhost" not in body
        g = Graph().parse(data=body, format="turtle")
        violations, warnings = _results(g)
        assert violations == [] and warnings == [], Counter(violations + warnings)
        merged += g
    # A harvester merges the pages: the union must hold too (no duplicated blank nodes).
    violations, warnings = _results(merged)
    assert violations == [] and warnings == [], Counter(violations + warnings)

    catalog = URIRef(f"{PUBLIC}/catalog")
    publisher = merged.value(catalog, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in merged and merged.value(publisher, FOAF.name)
    datasets = list(merged.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == Dataset.objects.filter(access_level="open",
                                                   status="published").count()
    for node in datasets:
        assert str(node).startswith(PUBLIC + "/datasets/")
        assert (merged.value(merged.value(node, DCTERMS.publisher), FOAF.name))
    assert merged.value(URIRef(f"{PUBLIC}/datasets/{bus.slug}"), DCTERMS.temporal) is not None
    formats = {merged.value(d, DCTERMS.format) for d in merged.subjects(RDF.type,
                                                                        DCAT.Distribution)}
    assert formats == {URIRef(EU_VOCABULARY + "file-type/CSV"),
                       URIRef(EU_VOCABULARY + "file-type/PARQUET")}

    # Size and SHA-256 of every distribution of one dataset match the bytes served.
    node = URIRef(f"{PUBLIC}/datasets/{bus.slug}")
    checked = 0
    for dist in merged.objects(node, DCAT.distribution):
        data = _download(client, str(merged.value(dist, DCAT.downloadURL)))
        assert merged.value(dist, DCAT.byteSize).toPython() == len(data), dist
        checksum = merged.value(dist, dcat.SPDX.checksum)
        assert str(merged.value(checksum, dcat.SPDX.checksumValue)) == \
            hashlib.sha256(data).hexdigest(), dist
        checked += 1
    assert checked == 2


@pytest.fixture
def water(editor, org):
    dataset = make_dataset(editor, org, title="Eau potable", contact_point="eau@eau.example")
    make_resource(editor, dataset, WATER_CSV)
    make_dataset(editor, org, title="Partagé", access_level="shared", licence="shared")
    return dataset


@pytest.mark.parametrize(("accept", "ext", "media", "fmt"), [
    ("text/turtle", "ttl", "text/turtle", "turtle"),
    ("application/ld+json", "jsonld", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "rdf", "application/rdf+xml", "xml"),
    ("text/html;q=0.5, application/rdf+xml;q=0.9", "rdf", "application/rdf+xml", "xml"),
])
def test_dataset_uri_dereferences_to_rdf_on_accept(client, settings, water, accept, ext, media,
                                                   fmt):
    settings.SITE_URL = PUBLIC
    response = client.get(f"/datasets/{water.slug}", HTTP_ACCEPT=accept)
    assert response.status_code == 303 and response["Location"] == f"/datasets/{water.slug}.{ext}"
    assert "accept" in [v.strip().lower() for v in response["Vary"].split(",")]
    document = client.get(response["Location"])
    assert document.status_code == 200 and document["Content-Type"].startswith(media)
    g = Graph().parse(data=document.content, format=fmt)
    assert (URIRef(f"{PUBLIC}/datasets/{water.slug}"), RDF.type, DCAT.Dataset) in g


def test_dataset_uri_sends_browsers_to_the_page(client, water):
    for accept in ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                   "text/html, text/turtle;q=0.5", "*/*"):
        response = client.get(f"/datasets/{water.slug}", HTTP_ACCEPT=accept)
        assert response.status_code == 303, accept
        assert response["Location"] == water.get_absolute_url(), accept
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/datasets/{water.slug}").status_code == 303  # no Accept: a person
    assert client.get("/datasets/partage", HTTP_ACCEPT="text/turtle").status_code == 404
    assert client.get("/datasets/inconnu").status_code == 404
