"""DCAT-AP 3 catalogue of the open datasets (rdflib), paged with hydra:PartialCollectionView."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from spld.catalog import selectors
from spld.catalog.models import Dataset
from spld.catalog.vocabularies import EU_FREQUENCY_BASE, EU_THEME_BASE

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
INSEE_COMMUNE = "http://id.insee.fr/geo/commune/"
FORMATS = {  # serialisation → (rdflib format, media type)
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
PAGE_SIZE = 100


def base_url() -> str:
    return settings.SITE_URL.rstrip("/")


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("hydra", HYDRA),
                       ("spdx", SPDX), ("vcard", VCARD), ("adms", ADMS)):
        g.bind(prefix, ns)
    return g


def _date(value: dt.datetime | dt.date | None) -> Literal | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


def dataset_uri(dataset: Dataset) -> URIRef:
    return URIRef(f"{base_url()}/datasets/{dataset.slug}")


def add_dataset(g: Graph, dataset: Dataset) -> URIRef:
    """All DCAT-AP properties data.gouv.fr's harvester reads, for one dataset."""
    base = base_url()
    node = dataset_uri(dataset)
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.identifier, Literal(dataset.identifier or str(node))))
    g.add((node, DCAT.landingPage, URIRef(base + dataset.get_absolute_url())))
    g.add((node, DCTERMS.title, Literal(dataset.title, lang="fr")))
    g.add((node, DCTERMS.description, Literal(
        "\n\n".join(filter(None, [dataset.description,
                                  f"Finalité : {dataset.purpose}",
                                  f"Intérêt général : {dataset.general_interest}",
                                  f"Durée de conservation : {dataset.retention_period}"])),
        lang="fr")))
    for keyword in dataset.keywords:
        g.add((node, DCAT.keyword, Literal(keyword, lang="fr")))
    publisher = URIRef(f"{base}/organisations/{dataset.publisher.slug}/")
    g.add((node, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(dataset.publisher.name)))
    if dataset.contact_point:
        contact = BNode()
        g.add((node, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, VCARD.fn, Literal(dataset.publisher.name)))
        target = dataset.contact_point
        g.add((contact, VCARD.hasEmail if "@" in target else VCARD.hasURL,
               URIRef(f"mailto:{target}" if "@" in target and ":" not in target else target)))
    for theme in dataset.themes:
        g.add((node, DCAT.theme, URIRef(EU_THEME_BASE + theme)))
    g.add((node, DCTERMS.accrualPeriodicity, URIRef(EU_FREQUENCY_BASE + dataset.frequency)))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        g.add((node, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            g.add((period, DCAT.startDate, _date(dataset.temporal_start)))
        if dataset.temporal_end:
            g.add((period, DCAT.endDate, _date(dataset.temporal_end)))
    for code in dataset.spatial:
        g.add((node, DCTERMS.spatial, URIRef(INSEE_COMMUNE + code)))
    for prop, value in ((DCTERMS.issued, dataset.issued), (DCTERMS.modified, dataset.modified)):
        if value:
            g.add((node, prop, _date(value)))
    if dataset.conforms_to:
        g.add((node, DCTERMS.conformsTo, URIRef(dataset.conforms_to)))
    for resource in dataset.resources.all():
        version = resource.current_version
        if version is None:
            continue
        api = f"{base}/api/1/resources/{resource.rid}/"
        for ext, media, fmt in (("csv", "text/csv", "CSV"),
                                ("parquet", "application/vnd.apache.parquet", "Parquet")):
            dist = URIRef(f"{api}data/{ext}/")
            g.add((node, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.identifier, Literal(f"{resource.rid}/{ext}")))
            g.add((dist, DCTERMS.title, Literal(f"{resource.title} ({fmt})", lang="fr")))
            if dataset.licence_url:
                g.add((dist, DCTERMS.license, URIRef(dataset.licence_url)))
            g.add((dist, DCAT.downloadURL, dist))
            g.add((dist, DCAT.accessURL, URIRef(f"{api}data/")))
            g.add((dist, DCTERMS.format, Literal(fmt)))
            g.add((dist, DCAT.mediaType, URIRef(
                f"https://www.iana.org/assignments/media-types/{media}")))
            g.add((dist, DCTERMS.issued, _date(version.created_at)))
            g.add((dist, DCTERMS.modified, _date(version.created_at)))
            if ext == "parquet":
                g.add((dist, DCAT.byteSize,
                       Literal(version.byte_size, datatype=XSD.nonNegativeInteger)))
                checksum = BNode()
                g.add((dist, SPDX.checksum, checksum))
                g.add((checksum, RDF.type, SPDX.Checksum))
                g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
                g.add((checksum, SPDX.checksumValue, Literal(version.sha256,
                                                             datatype=XSD.hexBinary)))
    return node


def catalog_graph(page: int, ext: str, publisher: str = "") -> Graph:
    """One page of the catalogue (optionally one publisher's) with its hydra paging links."""
    base = base_url()
    g = _graph()
    catalog = URIRef(f"{base}/catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(settings.SITE_NAME, lang="fr")))
    g.add((catalog, DCTERMS.description, Literal(
        "Catalogue des données ouvertes du service public local de la donnée.", lang="fr")))
    datasets = selectors.open_datasets()
    extra = ""
    if publisher:
        datasets = datasets.filter(publisher__slug=publisher)
        extra = f"&publisher={quote(publisher)}"
    total = datasets.count()
    last = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    for dataset in datasets[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
        g.add((catalog, DCAT.dataset, add_dataset(g, dataset)))
    view = URIRef(f"{base}/catalog.{ext}?page={page}{extra}")
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    g.add((view, HYDRA.first, URIRef(f"{base}/catalog.{ext}?page=1{extra}")))
    g.add((view, HYDRA.last, URIRef(f"{base}/catalog.{ext}?page={last}{extra}")))
    if page > 1:
        g.add((view, HYDRA.previous, URIRef(f"{base}/catalog.{ext}?page={page - 1}{extra}")))
    if page < last:
        g.add((view, HYDRA.next, URIRef(f"{base}/catalog.{ext}?page={page + 1}{extra}")))
    g.add((catalog, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((catalog, HYDRA.view, view))
    return g


def _negotiate(request: HttpRequest) -> str:
    accept = request.META.get("HTTP_ACCEPT", "")
    if "application/ld+json" in accept or "application/json" in accept:
        return "jsonld"
    if "application/rdf+xml" in accept:
        return "rdf"
    return "ttl"


def _respond(g: Graph, ext: str) -> HttpResponse:
    fmt, media = FORMATS[ext]
    data = g.serialize(format=fmt)
    response = HttpResponse(data, content_type=f"{media}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def catalog_view(request: HttpRequest, ext: str = "") -> HttpResponse:
    """/catalog (content negotiation) and /catalog.ttl|.jsonld|.rdf, `?page=N`."""
    ext = ext or _negotiate(request)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    return _respond(catalog_graph(page, ext, request.GET.get("publisher", "")[:80]), ext)


def dataset_view(request: HttpRequest, slug: str, ext: str) -> HttpResponse:
    """/datasets/{slug}.ttl|.jsonld|.rdf (open published datasets only)."""
    from django.http import Http404

    dataset = selectors.open_datasets().filter(slug=slug).first()
    if dataset is None:
        raise Http404
    g = _graph()
    add_dataset(g, dataset)
    return _respond(g, ext)


def dataset_identifier_view(request: HttpRequest, slug: str) -> HttpResponse:
    """/datasets/{slug}, the dataset's URI in DCAT: 303 to its RDF (by Accept) or its page."""
    from django.http import Http404, HttpResponseRedirect
    from django.urls import reverse
    from django.utils import translation

    if not selectors.open_datasets().filter(slug=slug).exists():
        raise Http404
    accept = request.META.get("HTTP_ACCEPT", "")
    rdf = ("turtle", "ld+json", "rdf+xml", "application/json")
    if any(kind in accept for kind in rdf):
        target = reverse("dcat_dataset", kwargs={"slug": slug, "ext": _negotiate(request)})
    else:
        with translation.override("fr"):
            target = reverse("catalog:detail", kwargs={"slug": slug})
    response = HttpResponseRedirect(target, status=303)
    response["Vary"] = "Accept"
    return response


def parse_any(data: str | bytes, fmt: str = "turtle") -> Any:
    """Parse a DCAT document (used by harvesting and tests)."""
    g = Graph()
    g.parse(data=data, format=fmt)
    return g
