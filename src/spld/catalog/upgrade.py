"""Bring version files written by earlier releases up to the current storage format.

Current format (ADR 0004): the Parquet file holds only the data's columns (`__id` is the
row's position, not stored) and a derived query database `….duckdb` sits beside it.
Versions ingested before that carry their own `__id` column and have no derived database.
"""

# SQL below only embeds quoted identifiers and literals (quote_ident, _lit).
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.db import transaction

from spld.catalog.ingest import (
    ID_COLUMN,
    _lit,
    build_query_db,
    parquet_column_names,
    query_db_path,
    quote_ident,
    sha256_file,
)
from spld.catalog.models import Dataset, Resource, ResourceVersion
from spld.ledger import services as ledger

logger = logging.getLogger(__name__)

# What one version needed; "missing" is a version whose Parquet file is not on disk.
REWRITE, BUILD, CURRENT, MISSING = "rewrite", "build", "current", "missing"


class Platform:
    """The platform itself, acting from the upgrade command (logged as the SPLD team)."""

    is_authenticated = True
    pk = None

    def roles_for(self, organization: Any) -> set[str]:
        return set()


@dataclass
class Step:
    """What the upgrade did (or, in a dry run, would do) to one version."""

    version: ResourceVersion
    actions: list[str]

    @property
    def label(self) -> str:
        return f"{self.version.resource.rid} v{self.version.number}"


def plan(version: ResourceVersion) -> list[str]:
    """The actions a version needs: rewrite (holds `__id`), build (no derived database)."""
    path = version.file_path
    if not path.exists():
        return [MISSING]
    actions = []
    if ID_COLUMN in parquet_column_names(str(path)):
        actions.append(REWRITE)  # the rewritten file gets its own derived database
        actions.append(BUILD)
    elif not _derived_is_current(query_db_path(path), version.row_count):
        actions.append(BUILD)
    return actions or [CURRENT]


# Tables of the derived database since value counts and rollups were added (ADR 0004).
DERIVED_TABLES = frozenset({"data", "counts", "rollups"})


def _derived_is_current(path: Path, row_count: int) -> bool:
    """Whether a derived database exists, opens, has today's tables and every row."""
    if not path.exists():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:  # broken, or not a DuckDB file: rebuilt
        return False
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if not tables >= DERIVED_TABLES:
            return False
        row = con.execute("SELECT count(*) FROM data").fetchone()
        return row is not None and int(row[0]) == row_count
    except duckdb.Error:
        return False
    finally:
        con.close()


def _rewrite_without_id(version: ResourceVersion) -> None:
    """Write the data of a version without `__id` to a new file and point the version at it.

    The new file has another name, so a server still running keeps no stale cache of the old
    one (column names, attached database, CSV digest). The data, its order and its number of
    rows are unchanged; the checksum changes and is logged like a new publication.
    """
    old = version.file_path
    relative = Path(version.path).with_name(
        f"v{version.number}-{uuid.uuid4().hex[:8]}.parquet")
    new = Path(settings.DATA_DIR) / relative
    tmp = new.with_suffix(".parquet.tmp")
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute(
            f"COPY (SELECT * EXCLUDE ({quote_ident(ID_COLUMN)}) FROM read_parquet({_lit(str(old))})"
            f" ORDER BY {quote_ident(ID_COLUMN)}) TO {_lit(str(tmp))} "
            "(FORMAT parquet, ROW_GROUP_SIZE 122880)")
        rows = con.execute(f"SELECT count(*) FROM read_parquet({_lit(str(tmp))})").fetchone()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    if rows is None or int(rows[0]) != version.row_count:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"{version}: {rows} rows rewritten, {version.row_count} expected")
    os.replace(tmp, new)
    try:
        with transaction.atomic():
            # Versions are immutable records of their data; only the storage of that data
            # changes here, so the row is updated in place (save() refuses by design).
            ResourceVersion.objects.filter(pk=version.pk).update(
                path=str(relative), sha256=sha256_file(new), byte_size=new.stat().st_size)
            resource = Resource.objects.select_related("dataset").get(pk=version.resource_id)
            if (resource.current_version_id == version.pk
                    and resource.dataset.status == Dataset.Status.PUBLISHED):
                # The log's earlier entry keeps the old checksum; this one gives the new one.
                ledger.record(actor=Platform(), subject=resource, action="version_reformatted")
    except BaseException:
        new.unlink(missing_ok=True)
        raise
    version.refresh_from_db()
    for stale in _files_of(old):
        stale.unlink(missing_ok=True)


def _files_of(parquet: Path) -> Iterator[Path]:
    """A version file and what was derived from it (query database, CSV digest, exports)."""
    yield parquet
    yield query_db_path(parquet)
    yield from parquet.parent.glob(parquet.name + ".*")
    yield from parquet.parent.glob(parquet.stem + ".export.*")


def upgrade(*, dry_run: bool = False,
            on_step: Callable[[int, int, Step], None] = lambda _i, _n, _s: None) -> list[Step]:
    """Bring every version up to the current format (idempotent); returns what each needed."""
    versions = list(ResourceVersion.objects.select_related("resource").order_by("pk"))
    steps = []
    for index, version in enumerate(versions, 1):
        step = Step(version=version, actions=plan(version))
        if not dry_run:
            if REWRITE in step.actions:
                _rewrite_without_id(version)
            if BUILD in step.actions:
                # Unlike after an ingest, a failure here is reported: it is what was asked.
                build_query_db(version.file_path, version.profile.get("columns", []))
        steps.append(step)
        on_step(index, len(versions), step)
    with contextlib.suppress(AttributeError):
        parquet_column_names.cache_clear()
    return steps
