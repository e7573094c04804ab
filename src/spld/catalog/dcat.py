"""DCAT-AP 3 catalogue of the open datasets (rdflib), paged with hydra:PartialCollectionView."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_vary_headers
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from spld.catalog import selectors
from spld.catalog.models import Dataset
from spld.catalog.vocabularies import EU_FREQUENCY_BASE, EU_THEME_BASE

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
INSEE_COMMUNE = "http://id.insee.fr/geo/commune/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_FILE_TYPE = EU_AUTHORITY + "file-type/"
STABLE = URIRef(EU_AUTHORITY + "planned-availability/STABLE")
FRENCH = URIRef(EU_AUTHORITY + "language/FRA")
THEME_TAXONOMY = URIRef(EU_AUTHORITY + "data-theme")
# The catalogue's own metadata is open data under the Licence Ouverte.
METADATA_LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
FORMATS = {  # serialisation → (rdflib format, media type)
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
# Media types a client may ask for, in our order of preference at equal quality.
ACCEPTABLE = {"text/html": "html", "application/xhtml+xml": "html", "text/turtle": "ttl",
              "application/ld+json": "jsonld", "application/json": "jsonld",
              "application/rdf+xml": "rdf"}
PAGE_SIZE = 100
# Integer columns that hold a year: the period a dataset covers when it has no date column.
YEAR_COLUMNS = {"annee", "année", "year", "millesime", "millésime", "exercice"}


def base_url() -> str:
    return settings.SITE_URL.rstrip("/")


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("hydra", HYDRA),
                       ("spdx", SPDX), ("vcard", VCARD), ("adms", ADMS), ("dcatap", DCATAP)):
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


def _agent(g: Graph, node: URIRef, name: str) -> URIRef:
    """An organisation described as DCAT-AP wants its agents: foaf:Agent with foaf:name."""
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, RDF.type, FOAF.Organization))
    g.add((node, FOAF.name, Literal(name)))
    return node


def _licence(g: Graph, url: str) -> URIRef:
    node = URIRef(url)
    g.add((node, RDF.type, DCTERMS.LicenseDocument))
    return node


def _location(g: Graph, code: str) -> URIRef:
    node = URIRef(INSEE_COMMUNE + code)
    g.add((node, RDF.type, DCTERMS.Location))
    return node


def _profile_period(dataset: Dataset) -> tuple[dt.date | None, dt.date | None]:
    """Earliest and latest date found in the date columns of the current versions."""
    found: list[dt.date] = []
    for resource in dataset.resources.all():
        version = resource.current_version
        if version is None:
            continue
        for column in (version.profile or {}).get("columns", []):
            kind, low, high = column.get("type"), column.get("min"), column.get("max")
            if kind in ("date", "datetime"):
                for value in (low, high):
                    try:
                        found.append(dt.date.fromisoformat(str(value)[:10]))
                    except (TypeError, ValueError):
                        continue
            elif kind == "year" or (kind == "integer" and column.get("name", "").lower() in
                                    YEAR_COLUMNS):
                try:
                    first, last = int(low), int(high)
                except (TypeError, ValueError):
                    continue
                if 1800 <= first <= last <= 2200:
                    found += [dt.date(first, 1, 1), dt.date(last, 12, 31)]
    return (min(found), max(found)) if found else (None, None)


def add_dataset(g: Graph, dataset: Dataset) -> URIRef:
    """All DCAT-AP properties data.gouv.fr's harvester reads, for one dataset."""
    base = base_url()
    node = dataset_uri(dataset)
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.identifier, Literal(dataset.identifier or str(node))))
    landing = URIRef(base + dataset.get_absolute_url())
    g.add((node, DCAT.landingPage, landing))
    g.add((landing, RDF.type, FOAF.Document))
    g.add((node, DCTERMS.title, Literal(dataset.title, lang="fr")))
    g.add((node, DCTERMS.description, Literal(
        "\n\n".join(filter(None, [dataset.description,
                                  f"Finalité : {dataset.purpose}",
                                  f"Intérêt général : {dataset.general_interest}",
                                  f"Durée de conservation : {dataset.retention_period}"])),
        lang="fr")))
    for keyword in dataset.keywords:
        g.add((node, DCAT.keyword, Literal(keyword, lang="fr")))
    publisher = _agent(g, URIRef(f"{base}/organisations/{dataset.publisher.slug}/"),
                       dataset.publisher.name)
    g.add((node, DCTERMS.publisher, publisher))
    if dataset.contact_point:
        contact = URIRef(f"{node}#contact")
        g.add((node, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, VCARD.fn, Literal(dataset.publisher.name)))
        target = dataset.contact_point
        g.add((contact, VCARD.hasEmail if "@" in target else VCARD.hasURL,
               URIRef(f"mailto:{target}" if "@" in target and ":" not in target else target)))
    for theme in dataset.themes:
        g.add((node, DCAT.theme, URIRef(EU_THEME_BASE + theme)))
    g.add((node, DCTERMS.accrualPeriodicity, URIRef(EU_FREQUENCY_BASE + dataset.frequency)))
    start, end = dataset.temporal_start, dataset.temporal_end
    if not (start or end):
        start, end = _profile_period(dataset)
    if start or end:
        period = URIRef(f"{node}#periode")
        g.add((node, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if start:
            g.add((period, DCAT.startDate, _date(start)))
        if end:
            g.add((period, DCAT.endDate, _date(end)))
    for code in dataset.spatial:
        g.add((node, DCTERMS.spatial, _location(g, code)))
    for prop, value in ((DCTERMS.issued, dataset.issued), (DCTERMS.modified, dataset.modified)):
        if value:
            g.add((node, prop, _date(value)))
    if dataset.conforms_to:
        standard = URIRef(dataset.conforms_to)
        g.add((node, DCTERMS.conformsTo, standard))
        g.add((standard, RDF.type, DCTERMS.Standard))
    for resource in dataset.resources.all():
        version = resource.current_version
        if version is None or not version.is_available:  # not advertised until restored
            continue
        api = f"{base}/api/1/resources/{resource.rid}/"
        for ext, media, fmt in (("csv", "text/csv", "CSV"),
                                ("parquet", "application/vnd.apache.parquet", "Parquet")):
            dist = URIRef(f"{api}data/{ext}/")
            g.add((node, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.identifier, Literal(f"{resource.rid}/{ext}")))
            g.add((dist, DCTERMS.title, Literal(f"{resource.title} ({fmt})", lang="fr")))
            g.add((dist, DCTERMS.description, Literal(
                f"{resource.title} : les {version.row_count} lignes de la version "
                f"{version.number}, au format {fmt}.", lang="fr")))
            if dataset.licence_url:
                g.add((dist, DCTERMS.license, _licence(g, dataset.licence_url)))
            g.add((dist, DCAT.downloadURL, dist))
            g.add((dist, DCAT.accessURL, URIRef(f"{api}data/")))
            file_type = URIRef(EU_FILE_TYPE + fmt.upper())
            g.add((dist, DCTERMS.format, file_type))
            g.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
            media_type = URIRef(f"https://www.iana.org/assignments/media-types/{media}")
            g.add((dist, DCAT.mediaType, media_type))
            g.add((media_type, RDF.type, DCTERMS.MediaType))
            g.add((dist, DCATAP.availability, STABLE))
            g.add((dist, DCTERMS.issued, _date(version.created_at)))
            g.add((dist, DCTERMS.modified, _date(version.created_at)))
            if ext == "csv":
                from spld.dataapi.digests import csv_digest

                size, sha256 = csv_digest(version)
            else:  # the unfiltered Parquet download is the stored file itself
                size, sha256 = version.byte_size, version.sha256
            g.add((dist, DCAT.byteSize, Literal(str(size), datatype=XSD.decimal)))
            checksum = URIRef(f"{dist}#sha256")
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
    return node


def _describe_catalog(g: Graph, catalog: URIRef, datasets: Any) -> None:
    """The catalogue's own DCAT-AP properties: publisher, dates, language, licence, area…"""
    base = base_url()
    operator = _agent(g, URIRef(f"{base}/#operateur"), settings.SITE_NAME)
    g.add((catalog, DCTERMS.publisher, operator))
    homepage = URIRef(f"{base}/")
    g.add((catalog, FOAF.homepage, homepage))
    g.add((homepage, RDF.type, FOAF.Document))
    g.add((catalog, DCTERMS.language, FRENCH))
    g.add((catalog, DCTERMS.license, _licence(g, str(METADATA_LICENCE))))
    g.add((catalog, DCAT.themeTaxonomy, THEME_TAXONOMY))
    dates = [d for row in datasets.values_list("issued", "modified") for d in row if d]
    if dates:
        g.add((catalog, DCTERMS.issued, _date(min(dates))))
        g.add((catalog, DCTERMS.modified, _date(max(dates))))
    codes = sorted({code for spatial in datasets.values_list("spatial", flat=True)
                    for code in spatial or []})
    for code in codes:
        g.add((catalog, DCTERMS.spatial, _location(g, code)))


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
    _describe_catalog(g, catalog, datasets)
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


def _negotiate(request: HttpRequest, default: str = "ttl") -> str:
    """The serialisation the Accept header prefers (q-values honoured), else `default`."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(request.META.get("HTTP_ACCEPT", "").split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        kind = ACCEPTABLE.get(media.lower())
        if kind and quality > 0:
            ranked.append((-quality, position, kind))
    return min(ranked)[2] if ranked else default


def _respond(g: Graph, ext: str) -> HttpResponse:
    fmt, media = FORMATS[ext]
    data = g.serialize(format=fmt)
    response = HttpResponse(data, content_type=f"{media}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def catalog_view(request: HttpRequest, ext: str = "") -> HttpResponse:
    """/catalog (content negotiation) and /catalog.ttl|.jsonld|.rdf, `?page=N`."""
    ext = ext or _negotiate(request)
    if ext == "html":
        ext = "ttl"
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    return _respond(catalog_graph(page, ext, request.GET.get("publisher", "")[:80]), ext)


def dataset_view(request: HttpRequest, slug: str, ext: str) -> HttpResponse:
    """/datasets/{slug}.ttl|.jsonld|.rdf (open published datasets only)."""
    dataset = selectors.open_datasets().filter(slug=slug).first()
    if dataset is None:
        raise Http404
    g = _graph()
    add_dataset(g, dataset)
    return _respond(g, ext)


def dataset_identifier_view(request: HttpRequest, slug: str) -> HttpResponse:
    """/datasets/{slug}, the dataset's URI in DCAT: 303 to its RDF (by Accept) or its page."""
    from django.urls import reverse
    from django.utils import translation

    if not selectors.open_datasets().filter(slug=slug).exists():
        raise Http404
    ext = _negotiate(request, default="html")  # q-values decide between page and RDF
    if ext == "html":
        with translation.override("fr"):
            target = reverse("catalog:detail", kwargs={"slug": slug})
    else:
        target = reverse("dcat_dataset", kwargs={"slug": slug, "ext": ext})
    response = HttpResponseRedirect(target, status=303)
    patch_vary_headers(response, ["Accept"])
    return response


def parse_any(data: str | bytes, fmt: str = "turtle") -> Any:
    """Parse a DCAT document (used by harvesting and tests)."""
    g = Graph()
    g.parse(data=data, format=fmt)
    return g
