"""Harvesting a partner's DCAT (paged RDF) or CKAN portal into the catalogue (metadata only)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from spld.catalog import services
from spld.catalog.fetch import FetchError, fetch_to_file
from spld.catalog.models import Dataset, HarvestRun, HarvestSource
from spld.catalog.vocabularies import EU_THEME_BASE, LICENCES, THEMES
from spld.core.permissions import require

MAX_BYTES = 200 * 1024 * 1024
MAX_PAGES = 200
CKAN_LICENCES = {"etalab-2.0": "etalab-2.0", "fr-lo": "etalab-2.0", "lov2": "etalab-2.0",
                 "odc-odbl": "odbl", "odbl": "odbl", "cc-by": "cc-by-4.0",
                 "cc-by-4.0": "cc-by-4.0", "cc-zero": "cc0", "cc0": "cc0"}


def add_source(*, actor: Any, url: str, kind: str, publisher: Any) -> HarvestSource:
    """Register a portal to harvest (SPLD administrators)."""
    require(actor, "catalog.harvest")
    source = HarvestSource(url=url, kind=kind, publisher=publisher)
    source.full_clean()
    source.save()
    return source


def _get(url: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="spld-harvest-") as tmp:
        path = Path(tmp) / "page"
        fetch_to_file(url, path, max_bytes=MAX_BYTES)
        return path.read_bytes()


def _ckan_records(source: HarvestSource) -> Iterator[dict[str, Any]]:
    parts = urlsplit(source.url)
    extra = dict(parse_qsl(parts.query))  # e.g. ?fq=organization:eau-du-ponant
    base = urlunsplit(parts._replace(query="", path=parts.path.rstrip("/")))
    start = 0
    for _page in range(MAX_PAGES):
        query = urlencode({**extra, "rows": 1000, "start": start})
        body = json.loads(_get(f"{base}/api/3/action/package_search?{query}"))
        results = body["result"]["results"]
        for pkg in results:
            themes = [g.get("name", "").upper() for g in pkg.get("groups") or []]
            yield {
                "identifier": pkg.get("id") or pkg["name"],
                "title": pkg.get("title") or pkg["name"],
                "description": pkg.get("notes") or "",
                "keywords": [t["name"] for t in pkg.get("tags") or [] if t.get("name")],
                "themes": [t for t in themes if t in THEMES],
                "licence": CKAN_LICENCES.get(str(pkg.get("license_id") or "").lower(),
                                             "etalab-2.0"),
                "resources": [(r.get("name") or "Ressource", r.get("url") or "")
                              for r in pkg.get("resources") or []],
            }
        start += len(results)
        if not results or start >= body["result"]["count"]:
            return


def _dcat_records(source: HarvestSource) -> Iterator[dict[str, Any]]:
    from rdflib import Graph
    from rdflib.namespace import DCAT, DCTERMS, RDF

    from spld.catalog.dcat import HYDRA

    url: str | None = source.url
    seen: set[str] = set()
    for _page in range(MAX_PAGES):
        if not url or url in seen:
            return
        seen.add(url)
        data = _get(url)
        g = Graph()
        fmt = "json-ld" if data.lstrip()[:1] in (b"{", b"[") else (
            "xml" if data.lstrip()[:1] == b"<" else "turtle")
        g.parse(data=data, format=fmt)
        for node in g.subjects(RDF.type, DCAT.Dataset):
            identifier = str(g.value(node, DCTERMS.identifier) or node)
            resources = []
            for dist in g.objects(node, DCAT.distribution):
                link = g.value(dist, DCAT.downloadURL) or g.value(dist, DCAT.accessURL)
                resources.append((str(g.value(dist, DCTERMS.title) or "Ressource"),
                                  str(link or "")))
            licence = next((str(g.value(d, DCTERMS.license) or "")
                            for d in g.objects(node, DCAT.distribution)), "")
            code = next((c for c, (_l, uri, _o) in LICENCES.items() if uri and uri == licence),
                        "etalab-2.0")
            yield {
                "identifier": identifier,
                "title": str(g.value(node, DCTERMS.title) or identifier),
                "description": str(g.value(node, DCTERMS.description) or ""),
                "keywords": sorted(str(k) for k in g.objects(node, DCAT.keyword)),
                "themes": sorted({str(t).removeprefix(EU_THEME_BASE)
                                  for t in g.objects(node, DCAT.theme)} & set(THEMES)),
                "licence": code, "resources": resources,
                "modified": g.value(node, DCTERMS.modified),
            }
        next_page = None
        for view in g.subjects(RDF.type, HYDRA.PartialCollectionView):
            next_page = g.value(view, HYDRA.next)
        url = str(next_page) if next_page else None


def run_harvest(*, actor: Any, source: HarvestSource) -> HarvestRun:
    """Harvest one source: create or update matched datasets, withdraw vanished ones."""
    require(actor, "catalog.harvest")
    run = HarvestRun.objects.create(source=source)
    records = _ckan_records if source.kind == HarvestSource.Kind.CKAN else _dcat_records
    seen: set[str] = set()
    try:
        for record in records(source):
            identifier = record["identifier"][:500]
            if identifier in seen:
                continue
            seen.add(identifier)
            try:
                _upsert(actor, source, record, run)
            except Exception as exc:  # one bad record must not stop the harvest
                run.errors.append({"identifier": identifier, "error": str(exc)[:500]})
    except (FetchError, ValueError, KeyError) as exc:
        run.errors.append({"identifier": "", "error": getattr(exc, "message", str(exc))[:500]})
        run.finished_at = timezone.now()
        run.save()
        return run  # an unreachable portal withdraws nothing
    for dataset in Dataset.objects.filter(harvest_source=source,
                                          status=Dataset.Status.PUBLISHED).exclude(
            identifier__in=seen):
        services.withdraw_dataset(actor=actor, dataset=dataset)
        run.deleted += 1
    run.finished_at = timezone.now()
    run.save()
    return run


def _upsert(actor: Any, source: HarvestSource, record: dict[str, Any], run: HarvestRun) -> None:
    fields = {
        "description": record["description"][:20000], "keywords": record["keywords"][:50],
        "themes": record["themes"], "licence": record["licence"],
    }
    existing = Dataset.objects.filter(harvest_source=source,
                                      identifier=record["identifier"][:500]).first()
    with transaction.atomic():
        if existing is None:
            note = f"Non précisée par le portail d’origine ({source.url})."
            dataset = services.create_dataset(
                actor=actor, publisher=source.publisher, title=record["title"][:250],
                slug=_slug(record["title"]), publish=True, identifier=record["identifier"][:500],
                purpose=note, general_interest=note, retention_period=note[:200], **fields)
            Dataset.objects.filter(pk=dataset.pk).update(harvest_source=source)
            run.created += 1
        else:
            dataset = existing
            changed = {k: v for k, v in {**fields, "title": record["title"][:250]}.items()
                       if getattr(dataset, k) != v}
            if changed or dataset.status != Dataset.Status.PUBLISHED:
                services.update_dataset(actor=actor, dataset=dataset, **changed)
                if dataset.status != Dataset.Status.PUBLISHED:
                    services.publish_dataset(actor=actor, dataset=dataset)
                run.updated += 1
        known = set(dataset.resources.values_list("source_url", flat=True))
        for title, url in record["resources"]:
            if url and url not in known and url.startswith(("http://", "https://")):
                services.create_resource(actor=actor, dataset=dataset, title=title[:250],
                                         source_url=url[:1000])


def _slug(title: str) -> str:
    base = slugify(title)[:90] or "jeu-moissonne"
    slug, n = base, 2
    while Dataset.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
