"""Writes of the catalogue: datasets, resources, uploads and ingests (each change logged)."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from spld.catalog import conf, search, staging
from spld.catalog.ingest import IngestError, ingest_file
from spld.catalog.models import Dataset, IngestAttempt, Resource, ResourceVersion
from spld.core.permissions import require
from spld.ledger import services as ledger

logger = logging.getLogger(__name__)

DATASET_FIELDS = (
    "title", "description", "contact_point", "themes", "keywords", "licence", "access_level",
    "spatial", "spatial_geometry", "temporal_start", "temporal_end", "frequency", "conforms_to",
    "schema", "purpose", "general_interest", "retention_period", "identifier",
)


class UploadTooLarge(Exception):
    """An upload went over SPLD_UPLOAD_MAX_BYTES; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(_("Fichier trop volumineux : la limite est de {mb} Mo.").format(
            mb=limit // (1024 * 1024)))
        self.limit = limit


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(DATASET_FIELDS)
    if unknown:
        raise TypeError(f"unknown dataset fields: {sorted(unknown)}")


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "jeu-de-donnees"
    slug, n = base, 2
    while Dataset.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_dataset(*, actor: Any, publisher: Any, title: str, slug: str = "",
                   publish: bool = False, **fields: Any) -> Dataset:
    """Describe a new dataset of `publisher` (a draft unless `publish`)."""
    require(actor, "catalog.publish", publisher)
    _check_fields(fields)
    with transaction.atomic():
        dataset = Dataset(publisher=publisher, title=title, slug=slug or _unique_slug(title),
                          **fields)
        dataset.modified = timezone.now()
        if publish:
            dataset.status = Dataset.Status.PUBLISHED
            dataset.issued = dataset.modified
        dataset.full_clean()
        dataset.save()
        search.index_dataset(dataset)
        if publish:
            ledger.record(actor=actor, subject=dataset, action="published")
    return dataset


def update_dataset(*, actor: Any, dataset: Dataset, **changes: Any) -> Dataset:
    """Change a dataset's metadata (logged when it is published)."""
    require(actor, "catalog.publish", dataset)
    _check_fields(changes)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(dataset, name, value)
        dataset.modified = timezone.now()
        dataset.full_clean()
        dataset.save()
        search.index_dataset(dataset)
        if dataset.status == Dataset.Status.PUBLISHED:
            ledger.record(actor=actor, subject=dataset, action="updated")
    return dataset


def publish_dataset(*, actor: Any, dataset: Dataset) -> Dataset:
    """Make a dataset public and record it (and its resources) in the transparency log."""
    require(actor, "catalog.publish", dataset)
    with transaction.atomic():
        dataset.status = Dataset.Status.PUBLISHED
        dataset.issued = dataset.issued or timezone.now()
        dataset.modified = timezone.now()
        dataset.full_clean()
        dataset.save()
        search.index_dataset(dataset)
        for resource in dataset.resources.select_related("current_version"):
            ledger.record(actor=actor, subject=resource, action="published")
        ledger.record(actor=actor, subject=dataset, action="published")
    return dataset


def withdraw_dataset(*, actor: Any, dataset: Dataset) -> Dataset:
    """Withdraw a dataset from publication (its log entries stay)."""
    require(actor, "catalog.publish", dataset)
    with transaction.atomic():
        dataset.status = Dataset.Status.WITHDRAWN
        dataset.modified = timezone.now()
        dataset.save()
        search.index_dataset(dataset)
        ledger.record(actor=actor, subject=dataset, action="withdrawn")
    return dataset


def create_resource(*, actor: Any, dataset: Dataset, title: str, description: str = "",
                    source_url: str = "") -> Resource:
    """Add a resource (a file, filled by an upload or a remote URL) to a dataset."""
    require(actor, "catalog.publish", dataset)
    with transaction.atomic():
        resource = Resource(dataset=dataset, title=title, description=description,
                            source_url=source_url)
        resource.full_clean()
        resource.save()
        if dataset.status == Dataset.Status.PUBLISHED:
            ledger.record(actor=actor, subject=resource, action="created")
    return resource


def staging_path(filename: str) -> Path:
    """A fresh path under SPLD_DATA_DIR/uploads for an incoming file."""
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(filename).suffix.lower()[:10] if filename else ""
    return folder / f"{uuid.uuid4().hex}{suffix}"


def receive_upload(*, actor: Any, resource: Resource, chunks: Iterable[bytes],
                   filename: str) -> Path:
    """Stream an upload to disk within SPLD_UPLOAD_MAX_BYTES; returns the staged path."""
    require(actor, "catalog.publish", resource)
    limit = conf.upload_max_bytes()
    dest = staging_path(filename)
    size = 0
    try:
        with staging.hashing_writer(dest) as write:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(limit)
                write(chunk)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return dest


def discard_staged(staged: Path) -> None:
    """Remove a staged file and the checksum kept beside it."""
    staged.unlink(missing_ok=True)
    staging.checksum_path(staged).unlink(missing_ok=True)


_RESOURCE_STATUS = {
    IngestAttempt.Status.PENDING: Resource.IngestStatus.PENDING,
    IngestAttempt.Status.RUNNING: Resource.IngestStatus.RUNNING,
    IngestAttempt.Status.OK: Resource.IngestStatus.OK,
    IngestAttempt.Status.FAILED: Resource.IngestStatus.FAILED,
}


def settle_attempt(resource: Resource, attempt: IngestAttempt | None, status: str, *,
                   error: str = "", report: dict | None = None) -> None:
    """Record how a sent file fares; the resource shows the state of the last file sent."""
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if attempt is not None:
            finished = status in (IngestAttempt.Status.OK, IngestAttempt.Status.FAILED)
            IngestAttempt.objects.filter(pk=attempt.pk).update(
                status=status, error=error[:2000],
                finished_at=timezone.now() if finished else None)
            if locked.attempts.filter(pk__gt=attempt.pk).exists():
                return  # a file sent later decides what the resource shows
        fields: dict[str, Any] = {"ingest_status": _RESOURCE_STATUS[status]}
        if status == IngestAttempt.Status.FAILED:
            fields.update(ingest_error=error[:2000], ingest_report=report or {})
        Resource.objects.filter(pk=locked.pk).update(**fields)


def _fail(resource: Resource, error: IngestError | Exception,
          attempt: IngestAttempt | None = None) -> None:
    settle_attempt(resource, attempt, IngestAttempt.Status.FAILED,
                   error=getattr(error, "message", str(error)),
                   report=getattr(error, "report", {}) or {})


def attempt_key(attempt: IngestAttempt | None) -> str:
    """The tag in the names of an attempt's files, so that its leftovers can be found."""
    return attempt.task_id.replace("-", "")[:12] if attempt is not None else uuid.uuid4().hex[:8]


def discard_attempt_files(resource: Resource, attempt: IngestAttempt,
                          staged: Path | None = None) -> None:
    """Remove what an interrupted attempt left: temporary Parquet/DuckDB files, its work folder."""
    key = attempt_key(attempt)
    folder = Path(settings.DATA_DIR) / "datasets" / str(resource.rid)
    if folder.is_dir():
        for path in folder.glob(f"*-{key}.*"):
            if path.name.endswith(".tmp") or path.name.startswith("incoming-"):
                path.unlink(missing_ok=True)
    if staged is not None:
        shutil.rmtree(staged.with_name(staged.name + ".work"), ignore_errors=True)


def ingest_staged(*, actor: Any, resource: Resource, staged: Path, filename: str,
                  progress: Callable[[int, str], None] = lambda _p, _m: None,
                  attempt: IngestAttempt | None = None) -> ResourceVersion:
    """Turn a staged file into a new immutable version; on failure keep the previous one."""
    require(actor, "catalog.publish", resource)
    if attempt is not None and attempt.version_id:
        # Retried after a crash that followed the publication: only the query cache may lack.
        version = attempt.version
        if not version.file_path.with_suffix(".duckdb").exists():
            build_query_cache(version=version)
        return version
    settle_attempt(resource, attempt, IngestAttempt.Status.RUNNING)
    key = attempt_key(attempt)
    folder = Path("datasets") / str(resource.rid)
    # The version number is only known once the resource is locked, at publication.
    dest = Path(settings.DATA_DIR) / folder / f"incoming-{key}.parquet"
    source_bytes = staged.stat().st_size if staged.exists() else 0
    try:
        from spld.catalog.ingest import sha256_file

        # Uploads and downloads hash their bytes on the way in; other staged files (demo,
        # harvest) are read for it beside the conversion (hashlib releases the GIL).
        source_sha = staging.known_checksum(staged)
        with ThreadPoolExecutor(max_workers=1) as pool:
            source_hash = (pool.submit(sha256_file, staged)
                           if staged.exists() and not source_sha else None)
            result = ingest_file(staged, filename=filename, dest=dest,
                                 workdir=staged.with_name(staged.name + ".work"),
                                 schema=resource.dataset.schema,
                                 # The reading steps fill 90 %; publishing and the cache follow.
                                 progress=lambda pct, msg: progress(pct * 9 // 10, msg))
            source_sha = source_hash.result() if source_hash else source_sha
    except IngestError as exc:
        _fail(resource, exc, attempt)
        raise
    except Exception as exc:
        # Never leave the resource "running": the previous version keeps serving.
        logger.exception("ingest of resource %s failed", resource.pk)
        error = IngestError("internal_error", _(
            "L’import a échoué à cause d’une erreur interne ; la version précédente reste en "
            "ligne. Réessayez ou contactez l’équipe du service."))
        _fail(resource, error, attempt)
        raise error from exc
    finally:
        discard_staged(staged)
    final: Path | None = None
    try:
        with transaction.atomic():
            # One publication at a time per resource (a row lock on PostgreSQL; SQLite
            # serialises writers): the next number is then free, whatever the other workers do.
            locked = Resource.objects.select_for_update().get(pk=resource.pk)
            number = (ResourceVersion.objects.filter(resource=locked)
                      .aggregate(n=Max("number"))["n"] or 0) + 1
            relative = folder / f"v{number}-{key}.parquet"
            final = Path(settings.DATA_DIR) / relative
            os.replace(dest, final)
            version = ResourceVersion(
                resource=locked, number=number, path=str(relative), byte_size=result.byte_size,
                sha256=result.sha256, source_name=Path(filename).name[:255],
                source_format=result.source_format, source_bytes=source_bytes,
                source_sha256=source_sha, encoding=result.encoding, delimiter=result.delimiter,
                row_count=result.row_count, columns=result.columns, profile=result.profile,
                validation_report=result.report, geometry_column=result.geometry_column,
                created_by=actor if hasattr(actor, "memberships") else None,
            )
            version.save()
            # The last file sent wins: a file sent earlier but converted later is kept in
            # the history without replacing the newer one.
            wins = attempt is None or not locked.attempts.filter(
                pk__gt=attempt.pk, status=IngestAttempt.Status.OK).exists()
            latest = attempt is None or not locked.attempts.filter(pk__gt=attempt.pk).exists()
            if attempt is not None:
                IngestAttempt.objects.filter(pk=attempt.pk).update(
                    status=IngestAttempt.Status.OK, error="", version=version,
                    finished_at=timezone.now())
            if wins:
                locked.current_version = version
            if latest:
                locked.ingest_status = Resource.IngestStatus.OK
                locked.ingest_error = ""
                locked.ingest_report = {}
            locked.save()
            dataset = locked.dataset
            Dataset.objects.filter(pk=dataset.pk).update(modified=timezone.now())
            if dataset.status == Dataset.Status.PUBLISHED:
                ledger.record(actor=actor, subject=locked, action="version_published")
    except Exception:
        dest.unlink(missing_ok=True)
        if final is not None:
            final.unlink(missing_ok=True)
        raise
    progress(95, _("préparation de la consultation en ligne (aperçu, filtres, API)"))
    build_query_cache(version=version)
    progress(100, _("terminé : version {n} en ligne, {rows} lignes").format(
        n=version.number, rows=version.row_count))
    return version


def build_query_cache(*, version: ResourceVersion) -> None:
    """Build the derived query database of a version (the Parquet file serves until then)."""
    from spld.catalog.ingest import build_query_db

    try:
        build_query_db(version.file_path, version.profile.get("columns", []))
    except Exception:  # a cache: never fail an ingest that already published its version
        logger.exception("query cache of version %s not built", version.pk)


def count_download(*, resource: Resource) -> None:
    """Count one download of a dataset (sort by popularity)."""
    Dataset.objects.filter(pk=resource.dataset_id).update(downloads=F("downloads") + 1)


def validate_schema(schema: Any) -> None:
    """Raise a ValidationError when a Table Schema descriptor is malformed."""
    from spld.catalog.ingest import validate_schema_descriptor

    if schema is None:
        return
    try:
        validate_schema_descriptor(schema)
    except IngestError as exc:
        raise ValidationError({"schema": exc.message}) from exc
