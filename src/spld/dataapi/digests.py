"""Size and SHA-256 of the full CSV export of a version, as the catalogue advertises them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from typing import Any

from spld.dataapi import engine

CSV_OPTIONS = "FORMAT csv, HEADER true, DELIMITER ','"


def full_export_sql(version: Any, *, escape: bool) -> tuple[str, list[Any]]:
    """The SELECT of an unfiltered export of a version (the same one the export endpoints run)."""
    strings = {c["name"] for c in version.columns if c["type"] in ("string", "geojson")}
    return engine.select_sql(engine.Query(), str(version.file_path), version.column_names,
                             escape_formulas=strings if escape else None)


def csv_digest(version: Any) -> tuple[int, str]:
    """(byte size, sha256 hex) of `data/csv/` without filters; cached beside the Parquet file."""
    sidecar = version.file_path.with_name(version.file_path.name + ".csv-digest.json")
    with contextlib.suppress(OSError, ValueError, KeyError):
        cached = json.loads(sidecar.read_text())
        if cached["parquet_sha256"] == version.sha256:
            return int(cached["bytes"]), str(cached["sha256"])
    sql, params = full_export_sql(version, escape=True)
    digest, size = hashlib.sha256(), 0
    for chunk in engine.stream_copy(sql, params, CSV_OPTIONS):
        digest.update(chunk)
        size += len(chunk)
    # Written whole then renamed, so that a concurrent reader never sees half a file.
    tmp = sidecar.with_name(sidecar.name + f".{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps({"parquet_sha256": version.sha256, "bytes": size,
                                   "sha256": digest.hexdigest()}))
        os.replace(tmp, sidecar)
    return size, digest.hexdigest()
