"""Whole-table exports of a version, written once, and the size and SHA-256 DCAT advertises."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spld.dataapi import engine

CSV_OPTIONS = "FORMAT csv, HEADER true, DELIMITER ','"
# Bumped whenever the export's bytes change for the same Parquet (2: no `__id` by default;
# 3: rows always in `__id` order).
EXPORT_FORMAT = 3


def full_export_sql(version: Any, *, escape: bool) -> tuple[str, list[Any]]:
    """The SELECT of an unfiltered export of a version (the same one the export endpoints run)."""
    strings = {c["name"] for c in version.columns if c["type"] in ("string", "geojson")}
    return engine.select_sql(engine.Query(), str(version.file_path), version.column_names,
                             escape_formulas=strings if escape else None, row_ids=False)


def cached_export(version: Any, ext: str, chunks: Callable[[], Iterable[bytes]]) -> Path:
    """The whole-table export of a version, written once beside its Parquet file (immutable)."""
    target = version.file_path.with_suffix(f".export.{ext}")
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks():
                    out.write(chunk)
            os.replace(tmp, target)  # atomic: a reader never sees half a file
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return target


def csv_digest(version: Any) -> tuple[int, str]:
    """(byte size, sha256 hex) of `data/csv/` without filters; cached beside the Parquet file."""
    sidecar = version.file_path.with_name(version.file_path.name + ".csv-digest.json")
    with contextlib.suppress(OSError, ValueError, KeyError):
        cached = json.loads(sidecar.read_text())
        if cached["parquet_sha256"] == version.sha256 and cached["format"] == EXPORT_FORMAT:
            return int(cached["bytes"]), str(cached["sha256"])
    sql, params = full_export_sql(version, escape=True)
    # The very file `data/csv/` serves: written here if no one downloaded it yet, then read.
    path = cached_export(version, "csv", lambda: engine.stream_copy(sql, params, CSV_OPTIONS))
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    # Written whole then renamed, so that a concurrent reader never sees half a file.
    tmp = sidecar.with_name(sidecar.name + f".{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps({"parquet_sha256": version.sha256, "format": EXPORT_FORMAT,
                                   "bytes": size,
                                   "sha256": digest.hexdigest()}))
        os.replace(tmp, sidecar)
    return size, digest.hexdigest()
