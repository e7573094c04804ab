"""File → validated Parquet: format, encoding and dialect detection, columnar validation, profile.

Everything heavy runs inside DuckDB (columnar, multi-threaded); Python only looks at a small
sample of the file (encoding, delimiter, header) and builds SQL from an allow-list.
"""
# SQL here is assembled from quoted identifiers (quote_ident) and escaped literals (_lit) only.
# ruff: noqa: S608

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.utils.translation import gettext as _

from spld.catalog import conf

SAMPLE_BYTES = 256 * 1024
DELIMITERS = [";", ",", "\t", "|"]
ID_COLUMN = "__id"
MAX_LISTED_ERRORS = 1000
# Characters that never appear in real text files: C0 controls but tab/CR/LF, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")

Progress = Callable[[int, str], None]


class IngestError(Exception):
    """A file that cannot become a version; `message` is for people, `code` for machines."""

    def __init__(self, code: str, message: str, report: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.report = report or {}


@dataclass
class IngestResult:
    source_format: str
    encoding: str = ""
    delimiter: str = ""
    row_count: int = 0
    columns: list[dict[str, str]] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    geometry_column: str = ""
    byte_size: int = 0
    sha256: str = ""


def quote_ident(name: str) -> str:
    """A SQL identifier, double quotes doubled (names come from the file, never trusted)."""
    return '"' + name.replace('"', '""') + '"'


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# --- format detection ---------------------------------------------------------------------

def detect_format(path: Path, filename: str) -> str:
    """csv, tsv, xlsx, ods, json, geojson or parquet, from the magic bytes first, then the name."""
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty_file", _("Le fichier est vide (0 octet)."))
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and b"spreadsheet" in zf.read("mimetype")[:100]:
                    return "ods"
        except zipfile.BadZipFile as exc:
            raise IngestError("bad_zip", _("Archive ZIP illisible.")) from exc
        raise IngestError("unsupported_format", _(
            "Archive non reconnue : seuls les classeurs XLSX et ODS sont acceptés."))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = filename.lower()
    if stripped[:1] == b"[":
        return "json"
    if stripped[:1] == b"{":
        if lower.endswith((".geojson", ".json")) and b"FeatureCollection" in head:
            return "geojson"
        return "geojson" if b'"features"' in head else "json"
    return "tsv" if lower.endswith((".tsv", ".tab")) else "csv"


# --- text files -----------------------------------------------------------------------------

def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 or ISO-8859-15; refuse binary content."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise IngestError("undecodable", _(
            "Le fichier contient des octets nuls : ce n’est pas un fichier texte lisible."))
    # The sample may cut a multi-byte character at its end.
    for trim in range(4):
        try:
            sample[: len(sample) - trim].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:
                break
    for encoding in ("cp1252", "iso-8859-15"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _CONTROL.search(text):
            return encoding
    raise IngestError("undecodable", _(
        "Encodage du fichier non reconnu : enregistrez-le en UTF-8 (ou Windows-1252)."))


def _transcode(src: Path, dest: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with open(src, "rb") as fin, open(dest, "w", encoding="utf-8", newline="") as fout:
        while block := fin.read(1 << 22):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise IngestError("undecodable", _(
                    "Octets illisibles dans l’encodage {encoding} vers l’octet {offset}."
                ).format(encoding=encoding, offset=offset + exc.start)) from exc
            if _CONTROL.search(text):
                raise IngestError("undecodable", _(
                    "Caractères de contrôle inattendus : l’encodage du fichier n’est pas "
                    "reconnu ({encoding} supposé).").format(encoding=encoding))
            fout.write(text)
            offset += len(block)
        fout.write(decoder.decode(b"", final=True))


def _sample_rows(text: str, delimiter: str) -> list[list[str]]:
    # Quoted fields may hold line breaks: let the csv module split records, not lines.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    rows: list[list[str]] = []
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) > 500:
                break
    except csv.Error:
        pass
    if len(rows) > 1 and len(text) >= SAMPLE_BYTES // 2:
        rows = rows[:-1]  # the last record of a long sample may be cut
    return rows


def sniff_delimiter(text: str, preferred: str = "") -> str:
    """The delimiter that splits the sample into the most consistent rows of >1 fields."""
    best, best_score = preferred or ",", (-1.0, 0)
    candidates = [preferred, *[d for d in DELIMITERS if d != preferred]] if preferred \
        else DELIMITERS
    for delim in candidates:
        rows = _sample_rows(text, delim)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def check_header_and_rows(text: str, delimiter: str) -> list[str]:
    """Refuse empty or duplicate column names and ragged rows seen in the sample."""
    rows = _sample_rows(text, delimiter)
    if not rows:
        raise IngestError("empty_file", _("Le fichier ne contient aucune ligne."))
    header = [h.strip() for h in rows[0]]
    empty = [str(i + 1) for i, h in enumerate(header) if not h]
    if empty:
        raise IngestError("empty_header", _(
            "En-tête vide pour la ou les colonnes n° {cols} : chaque colonne doit avoir un nom."
        ).format(cols=", ".join(empty)))
    seen: set[str] = set()
    dupes = sorted({h for h in header if h in seen or seen.add(h)})  # type: ignore[func-returns-value]
    if dupes:
        raise IngestError("duplicate_header", _(
            "Noms de colonnes en double : {names}.").format(names=", ".join(dupes)))
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise IngestError("ragged_rows", _(
                "Ligne {line} : {found} valeurs au lieu de {expected} (une par colonne)."
            ).format(line=number, found=len(row), expected=len(header)))
    return header


def detect_decimal_comma(text: str, delimiter: str) -> bool:
    """French files write 3,14: true when some column only holds such numbers."""
    if delimiter == ",":
        return False
    rows = _sample_rows(text, delimiter)[1:200]
    if not rows:
        return False
    for col in range(len(rows[0])):
        values = [r[col].strip() for r in rows if col < len(r) and r[col].strip()]
        if values and any(_DECIMAL_COMMA.match(v) for v in values) and all(
            _DECIMAL_COMMA.match(v) or v.lstrip("-").isdigit() for v in values
        ):
            return True
    return False


_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")


def _csv_error(exc: Exception) -> IngestError:
    text = str(exc)
    line = _DUCKDB_LINE.search(text)
    where = line.group(1) if line else "?"
    if "Invalid unicode" in text or "not utf-8" in text:
        return IngestError("undecodable", _(
            "Octets illisibles en UTF-8 à la ligne {line} : enregistrez le fichier en UTF-8."
        ).format(line=where))
    if "Expected Number of Columns" in text or "columns" in text.lower():
        return IngestError("ragged_rows", _(
            "Ligne {line} : le nombre de valeurs ne correspond pas au nombre de colonnes."
        ).format(line=where))
    return IngestError("unreadable_csv", _("Fichier CSV illisible (ligne {line}).").format(
        line=where))


# --- spreadsheets and JSON ----------------------------------------------------------------

def check_zip_bomb(path: Path) -> None:
    """Refuse archives whose content would explode once decompressed."""
    limit = conf.uncompressed_max_bytes()
    with zipfile.ZipFile(path) as zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > limit or (info.file_size > 10 * 1024**2 and ratio > 200):
                raise IngestError("zip_bomb", _(
                    "Classeur refusé : son contenu décompressé serait démesuré "
                    "({size} Mo, taux {ratio:.0f}×).").format(
                    size=info.file_size // 1024**2, ratio=ratio))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def spreadsheet_to_csv(path: Path, dest: Path) -> None:
    """First sheet of an XLSX/ODS workbook → UTF-8 CSV (types are inferred afterwards)."""
    from python_calamine import CalamineWorkbook

    check_zip_bomb(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise IngestError("unreadable_spreadsheet", _("Classeur illisible : {error}").format(
            error=str(exc)[:200])) from exc
    with open(dest, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for row in rows:
            writer.writerow([_cell(v) for v in row])


def geojson_to_arrow(path: Path) -> Any:
    """A FeatureCollection → an Arrow table of properties plus a GeoJSON `geometry` column."""
    import pyarrow as pa

    try:
        with open(path, encoding="utf-8-sig") as fh:
            doc = json.load(fh)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError("bad_json", _("GeoJSON illisible : {error}").format(error=exc)) from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or not features:
        raise IngestError("bad_json", _("GeoJSON sans entités (features)."))
    props = [f.get("properties") or {} for f in features if isinstance(f, dict)]
    keys: list[str] = []
    for p in props:
        keys.extend(k for k in p if k not in keys)
    if "geometry" in keys:
        raise IngestError("reserved_header", _("La propriété « geometry » est réservée."))
    columns: dict[str, Any] = {}
    for key in keys:
        values = [p.get(key) for p in props]
        try:
            columns[key] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            columns[key] = pa.array([None if v is None else str(v) for v in values])
    columns["geometry"] = pa.array(
        [json.dumps(f.get("geometry"), separators=(",", ":")) if f.get("geometry") else None
         for f in features if isinstance(f, dict)])
    return pa.table(columns)


# --- Table Schema validation ---------------------------------------------------------------

SCHEMA_TYPES = {
    "string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
    "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME", "year": "INTEGER",
    "geojson": "VARCHAR", "any": "VARCHAR",
}


def duckdb_to_schema_type(duck_type: str) -> str:
    """DuckDB column type → Table Schema type name."""
    t = duck_type.upper()
    if t in {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER",
             "USMALLINT", "UTINYINT"}:
        return "integer"
    if t in {"DOUBLE", "FLOAT", "REAL"} or t.startswith("DECIMAL"):
        return "number"
    if t == "BOOLEAN":
        return "boolean"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t == "TIME":
        return "time"
    return "string"


def validate_schema_descriptor(schema: Any) -> list[dict[str, Any]]:
    """Check a Table Schema descriptor's shape; returns its fields."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise IngestError("bad_schema", _("Table Schema invalide : il faut une liste « fields »."))
    fields = schema["fields"]
    for f in fields:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            raise IngestError("bad_schema", _("Table Schema invalide : champ sans nom."))
        if f.get("type", "string") not in SCHEMA_TYPES:
            raise IngestError("bad_schema", _("Type inconnu dans le Table Schema : {t}.").format(
                t=f.get("type")))
    return fields


def _typed_expr(f: dict[str, Any], raw_type: str, decimal_comma: bool) -> str:
    """SQL casting the raw column to the schema type (NULL when the value does not fit)."""
    col = quote_ident(f["name"])
    kind = f.get("type", "string")
    text = f"CAST({col} AS VARCHAR)"
    fmt = f.get("format", "default")
    if raw_type.upper() == SCHEMA_TYPES[kind]:
        return col  # already read with the right type: nothing to cast or check
    if kind == "string" or kind in ("any", "geojson"):
        return text
    if raw_type != "VARCHAR":
        return f"TRY_CAST({col} AS {SCHEMA_TYPES[kind]})"
    if kind == "number":
        src = text
        if f.get("groupChar"):
            src = f"replace({src}, {_lit(f['groupChar'])}, '')"
        if f.get("decimalChar", "," if decimal_comma else ".") == ",":
            src = f"replace({src}, ',', '.')"
        return f"TRY_CAST(trim({src}) AS DOUBLE)"
    if kind == "boolean":
        trues = f.get("trueValues", ["true", "True", "TRUE", "1", "oui", "Oui", "OUI"])
        falses = f.get("falseValues", ["false", "False", "FALSE", "0", "non", "Non", "NON"])
        return (f"CASE WHEN {text} IN ({', '.join(map(_lit, trues))}) THEN true "
                f"WHEN {text} IN ({', '.join(map(_lit, falses))}) THEN false END")
    if kind in ("date", "datetime") and fmt not in ("default", "any", None):
        return f"CAST(try_strptime({text}, {_lit(fmt)}) AS {SCHEMA_TYPES[kind]})"
    return f"TRY_CAST(trim({text}) AS {SCHEMA_TYPES[kind]})"


def _lit(value: Any) -> str:
    """A SQL literal for a value taken from a schema descriptor (quotes doubled)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _checks(f: dict[str, Any], typed: str) -> list[tuple[str, str, str]]:
    """(check name, SQL condition that is TRUE on a bad row, message) for one field."""
    col = quote_ident(f["name"])
    text = f"CAST({col} AS VARCHAR)"
    kind = f.get("type", "string")
    cons = f.get("constraints") or {}
    out: list[tuple[str, str, str]] = []
    if kind not in ("string", "any", "geojson") and typed != col:
        out.append(("type", f"{col} IS NOT NULL AND {typed} IS NULL",
                    _("valeur non conforme au type {t}").format(t=kind)))
    if cons.get("required"):
        out.append(("required", f"{col} IS NULL", _("valeur obligatoire manquante")))
    if "enum" in cons and isinstance(cons["enum"], list):
        values = ", ".join(_lit(str(v)) for v in cons["enum"]) or "NULL"
        out.append(("enum", f"{col} IS NOT NULL AND {text} NOT IN ({values})",
                    _("valeur hors de la liste autorisée")))
    if isinstance(cons.get("pattern"), str):
        out.append(("pattern",
                    f"{col} IS NOT NULL AND NOT regexp_full_match({text}, {_lit(cons['pattern'])})",
                    _("valeur qui ne respecte pas le motif {p}").format(p=cons["pattern"])))
    duck = SCHEMA_TYPES[kind]
    for key, op in (("minimum", "<"), ("maximum", ">")):
        if key in cons:
            bound = f"TRY_CAST({_lit(cons[key])} AS {duck})"
            out.append((key, f"{typed} {op} {bound}",
                        _("valeur {op} {bound}").format(op="<" if op == "<" else ">",
                                                         bound=cons[key])))
    for key, op in (("minLength", "<"), ("maxLength", ">")):
        if isinstance(cons.get(key), int):
            out.append((key, f"length({text}) {op} {int(cons[key])}",
                        _("longueur {op} {n}").format(op=op, n=cons[key])))
    return out


def validate_against_schema(con: Any, schema: dict[str, Any], raw_columns: dict[str, str],
                            decimal_comma: bool, row: str = "rowid + 1",
                            known: dict[str, dict[str, Any]] | None = None,
                            counted: set[str] | None = None,
                            ) -> tuple[dict[str, Any], list[str]]:
    """Columnar validation of table `raw`; returns the report and the typed SELECT list.

    With `known` (exact nulls/min/max per column, from the Parquet writer) and `counted`
    (columns whose exact value counts are in table `counts`), checks that these settle are
    answered without reading the rows; the rows are read only to list the errors found.
    """
    fields = validate_schema_descriptor(schema)
    names = [f["name"] for f in fields]
    structure: list[dict[str, Any]] = []
    missing = [n for n in names if n not in raw_columns]
    extra = [n for n in raw_columns if n not in names]
    for name in missing:
        structure.append({"row": None, "column": name, "check": "missing-column",
                          "message": _("colonne du schéma absente du fichier")})
    for name in extra:
        structure.append({"row": None, "column": name, "check": "extra-column",
                          "message": _("colonne absente du schéma")})
    checks: list[tuple[str, str, str, str]] = []  # column, check, condition, message
    select: list[str] = []
    for f in fields:
        if f["name"] not in raw_columns:
            continue
        typed = _typed_expr(f, raw_columns[f["name"]], decimal_comma)
        name = quote_ident(f["name"])
        select.append(name if typed == name else f"{typed} AS {name}")
        for check, cond, message in _checks(f, typed):
            checks.append((f["name"], check, cond, message))
    select += [quote_ident(n) for n in extra]
    try:
        counts = _count_check_failures(con, checks, raw_columns, known or {}, counted or set())
    except duckdb.Error as exc:
        raise IngestError("bad_schema", _("Contrainte du schéma inapplicable : {e}").format(
            e=str(exc).splitlines()[0][:200])) from exc
    uniques = [f["name"] for f in fields
               if (f.get("constraints") or {}).get("unique") and f["name"] in raw_columns]
    errors: list[dict[str, Any]] = list(structure)
    by_check: dict[str, int] = {}
    total = len(structure)
    for (column, check, cond, message), count in zip(checks, counts, strict=True):
        if not count:
            continue
        total += count
        by_check[check] = by_check.get(check, 0) + count
        rows = con.execute(
            f"SELECT {row} AS r, CAST({quote_ident(column)} AS VARCHAR) FROM raw WHERE {cond} "
            f"ORDER BY r LIMIT {MAX_LISTED_ERRORS}").fetchall()
        errors += [{"row": r, "column": column, "check": check, "value": v, "message": message}
                   for r, v in rows]
    for column in uniques:
        col = quote_ident(column)
        dup_sql = (f"FROM raw WHERE {col} IN (SELECT {col} FROM raw WHERE {col} IS NOT NULL "
                   f"GROUP BY 1 HAVING count(*) > 1)")
        count = con.execute(f"SELECT count(*) {dup_sql}").fetchone()[0]
        if count:
            total += count
            by_check["unique"] = by_check.get("unique", 0) + count
            rows = con.execute(f"SELECT {row} AS r, CAST({col} AS VARCHAR) {dup_sql} "
                               f"ORDER BY r LIMIT {MAX_LISTED_ERRORS}").fetchall()
            errors += [{"row": r, "column": column, "check": "unique", "value": v,
                        "message": _("valeur en double")} for r, v in rows]
    errors.sort(key=lambda e: (e["row"] or 0, e["column"]))
    report = {"schema": True, "valid": total == 0, "error_count": total,
              "errors": errors[:MAX_LISTED_ERRORS], "errors_by_check": by_check}
    return report, select


def _count_check_failures(con: Any, checks: list[tuple[str, str, str, str]],
                          raw_columns: dict[str, str], known: dict[str, dict[str, Any]],
                          counted: set[str]) -> list[int]:
    """Rows failing each check: from known statistics or value counts, else one scan."""
    counts: list[int | None] = [None] * len(checks)
    for i, (column, check, cond, _message) in enumerate(checks):
        stats = known.get(column)
        if stats is None:
            continue
        if check == "required":
            counts[i] = stats["nulls"]
        elif check in ("minimum", "maximum") and stats.get("raw_min") is not None:
            # The extreme value passes the bound, so every value does.
            extreme = stats["raw_min" if check == "minimum" else "raw_max"]
            failing = con.execute(
                f"SELECT count_if({cond}) FROM (SELECT CAST(? AS {raw_columns[column]}) "
                f"AS {quote_ident(column)})", [extreme]).fetchone()[0]
            counts[i] = 0 if not failing else None
    for column in {c[0] for c, n in zip(checks, counts, strict=True) if n is None} & counted:
        # Each distinct value once, weighted by how often it occurs.
        mine = [i for i, c in enumerate(checks) if c[0] == column and counts[i] is None]
        weight = "__weight" if column != "__weight" else "__weight2"  # not the column's name
        sums = con.execute(
            "SELECT " + ", ".join(f"coalesce(sum({weight}) FILTER (WHERE {checks[i][2]}), 0)"
                                  for i in mine)
            + f" FROM (SELECT CAST(val AS {raw_columns[column]}) AS {quote_ident(column)}, "
            f"n AS {weight} FROM counts WHERE col = ?)", [column]).fetchone()
        for i, n in zip(mine, sums, strict=True):
            counts[i] = int(n)
    scan = [i for i, n in enumerate(counts) if n is None]
    if scan:
        values = con.execute("SELECT " + ", ".join(f"count_if({checks[i][2]})" for i in scan)
                             + " FROM raw").fetchone()
        for i, n in zip(scan, values, strict=True):
            counts[i] = int(n or 0)  # count_if over NULLs only is NULL
    return [int(n or 0) for n in counts]


# --- profile -----------------------------------------------------------------------------

COUNTED_MAX_DISTINCT = 100_000
COUNT_TYPES = ("string", "integer", "boolean")


def build_value_counts(con: Any, table: str, columns: list[dict[str, Any]]) -> list[str]:
    """Table `counts(col, val, n)` of low-cardinality columns: exact totals for one filter."""
    con.execute("CREATE OR REPLACE TABLE counts (col VARCHAR, val VARCHAR, n BIGINT)")
    counted = []
    for c in columns:
        if c["type"] in COUNT_TYPES and 0 < c["distinct"] <= COUNTED_MAX_DISTINCT:
            q = quote_ident(c["name"])
            con.execute(f"INSERT INTO counts SELECT {_lit(c['name'])}, CAST({q} AS VARCHAR), "
                        f"count(*) FROM {table} WHERE {q} IS NOT NULL GROUP BY {q}")
            counted.append(c["name"])
    return counted


ROLLUP_MAX_GROUPS = 10_000
ROLLUP_GROUP_TYPES = ("string", "integer", "boolean", "date")
ORDERABLE_TYPES = ("integer", "number", "date", "datetime", "time", "string")


def build_rollups(con: Any, table: str, columns: list[dict[str, Any]]) -> list[str]:
    """Per-group aggregates of every column, one table per low-cardinality column.

    A group-by over the whole table on such a column (the usual « total per commune ») is
    then read from a few hundred precomputed rows instead of a scan of every row. Table
    `rollups(grp, tbl, col, fn, name)` says which column of which table holds what.
    """
    con.execute("CREATE OR REPLACE TABLE rollups (grp VARCHAR, tbl VARCHAR, col VARCHAR, "
                "fn VARCHAR, name VARCHAR)")
    groups = [c for c in columns if c["type"] in ROLLUP_GROUP_TYPES
              and 0 < c.get("distinct", 0) <= ROLLUP_MAX_GROUPS]
    for number, group in enumerate(groups):
        table_name = f"rollup_{number}"
        outputs = [f"{quote_ident(group['name'])} AS g"]
        entries = []
        for index, c in enumerate(columns):
            functions = ["count"]
            if c["type"] in ("integer", "number"):
                functions.append("sum")
            if c["type"] in ORDERABLE_TYPES and c["type"] != "string":
                functions += ["min", "max"]  # of text: 6× the cost, rarely asked (scanned)
            for fn in functions:
                outputs.append(f"{fn}({quote_ident(c['name'])}) AS c{index}_{fn}")
                entries.append((group["name"], table_name, c["name"], fn, f"c{index}_{fn}"))
        con.execute(f"CREATE TABLE {table_name} AS SELECT {', '.join(outputs)} "
                    f"FROM {table} GROUP BY 1")
        con.executemany("INSERT INTO rollups VALUES (?, ?, ?, ?, ?)", entries)
    return [g["name"] for g in groups]


def compute_profile(con: Any, table: str, columns: list[dict[str, str]],
                    known: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Rows, and per column: type, nulls, (approximate) distinct, min/max, top values, histogram.

    `known` gives exact nulls and min/max of some columns (from the Parquet writer): they are
    not computed again.
    """
    known = known or {}
    parts = ["count(*)"]
    for c in columns:
        q = quote_ident(c["name"])
        parts.append(f"approx_count_distinct({q})")
        if c["name"] not in known:
            orderable = c["type"] in ORDERABLE_TYPES
            parts += [f"count({q})", f"CAST(min({q}) AS VARCHAR)" if orderable else "NULL",
                      f"CAST(max({q}) AS VARCHAR)" if orderable else "NULL"]
    values = iter(con.execute(f"SELECT {', '.join(parts)} FROM {table}").fetchone())
    total = int(next(values))
    out_cols: list[dict[str, Any]] = []
    for c in columns:
        distinct = int(next(values))
        if c["name"] in known:
            stats = known[c["name"]]
            nulls, vmin, vmax = stats["nulls"], stats["min"], stats["max"]
        else:
            nulls, vmin, vmax = total - int(next(values)), next(values), next(values)
        out_cols.append({"name": c["name"], "type": c["type"], "nulls": nulls,
                         "distinct": distinct, "min": vmin, "max": vmax, "top_counts": []})
    counted = build_value_counts(con, table, out_cols)
    if counted:
        # Frequent values come from the exact counts (high-cardinality columns have none).
        tops = con.execute(
            "SELECT col, val, n FROM (SELECT *, row_number() OVER (PARTITION BY col "
            "ORDER BY n DESC, val) AS r FROM counts) WHERE r <= 5 ORDER BY col, r").fetchall()
        by_name = {c["name"]: c for c in out_cols}
        for col, val, n in tops:
            by_name[col]["top_counts"].append({"value": val, "count": int(n)})
    _add_histograms(con, table, [c for c in out_cols if c["type"] in ("integer", "number")
                                 and c["min"] is not None and c["min"] != c["max"]],
                    set(counted))
    return {"rows": total, "columns": out_cols}


def _add_histograms(con: Any, table: str, numeric: list[dict[str, Any]],
                    counted: set[str]) -> None:
    """Ten equal-width bins per numeric column: from the value counts when there are some."""
    scanned: list[tuple[dict[str, Any], float, float]] = []
    exprs = []
    for c in numeric:
        lo = float(c["min"])
        width = (float(c["max"]) - lo) / 10

        def bin_of(value: str, lo: float = lo, width: float = width) -> str:
            return f"least(CAST(floor(({value} - {lo!r}) / {width!r}) AS INTEGER), 9)"

        if c["name"] in counted:
            rows = con.execute(f"SELECT {bin_of('CAST(val AS DOUBLE)')}, sum(n) FROM counts "
                               "WHERE col = ? GROUP BY 1", [c["name"]]).fetchall()
            c["histogram"] = _bins(lo, width, dict(rows))
        else:
            scanned.append((c, lo, width))
            exprs.append(f"histogram({bin_of(quote_ident(c['name']))})")
    if scanned:  # all the others in one scan
        maps = con.execute(f"SELECT {', '.join(exprs)} FROM {table}").fetchone()
        for (c, lo, width), bins in zip(scanned, maps, strict=True):
            c["histogram"] = _bins(lo, width, dict(bins or {}))


def _bins(lo: float, width: float, counts: dict[int, int]) -> list[dict[str, Any]]:
    return [{"from": lo + i * width, "to": lo + (i + 1) * width,
             "count": int(counts.get(i, 0))} for i in range(10)]


def writer_stats(con: Any, stats: dict[str, dict[str, str]],
                 raw_columns: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Exact nulls and min/max per column from COPY … RETURN_STATS (saves a scan).

    Values come back as text in the writer's own spelling; a cast to the column type and
    back gives what `CAST(min(col) AS VARCHAR)` would. Columns whose statistics are missing,
    truncated (long strings) or hold NaN are left out: the profile computes them.
    """
    known: dict[str, dict[str, Any]] = {}
    for name, duck_type in raw_columns.items():
        st = stats.get(quote_ident(name))
        kind = duckdb_to_schema_type(duck_type)
        if (not st or "null_count" not in st or st.get("has_nan") == "true"
                or kind not in ORDERABLE_TYPES + ("boolean",)):
            continue
        only_nulls = st["null_count"] == st.get("num_values")
        if kind == "boolean" or only_nulls:  # nulls only: the profile has no min/max here
            known[name] = {"nulls": int(st["null_count"]), "min": None, "max": None,
                           "raw_min": None, "raw_max": None}
            continue
        if "min" not in st or "max" not in st or st.get("min_is_exact") != "true" \
                or st.get("max_is_exact") != "true":
            continue
        known[name] = {"nulls": int(st["null_count"]), "raw_min": st["min"],
                       "raw_max": st["max"]}
    with_values = [n for n, k in known.items() if k["raw_min"] is not None]
    if with_values:
        exprs, params = [], []
        for name in with_values:
            exprs += [f"CAST(CAST(? AS {raw_columns[name]}) AS VARCHAR)"] * 2
            params += [known[name]["raw_min"], known[name]["raw_max"]]
        row = con.execute(f"SELECT {', '.join(exprs)}", params).fetchone()
        for i, name in enumerate(with_values):
            known[name]["min"], known[name]["max"] = row[2 * i], row[2 * i + 1]
    return known


# --- the pipeline ------------------------------------------------------------------------

_CONVERSION = re.compile(r'converting column "([^"]+)"', re.I)


def _connect(path: Path, workdir: Path) -> Any:
    con = duckdb.connect(str(path) if str(path) != ":memory:" else ":memory:")
    con.execute(f"SET temp_directory = {_lit(str(workdir))}")
    con.execute("SET preserve_insertion_order = true")
    return con


def build_query_db(parquet: Path, columns: list[dict[str, Any]]) -> Path:
    """Derive from a version's Parquet file a DuckDB database that answers queries faster.

    Native storage (zone maps, light compression), exact value counts of low-cardinality
    columns and their per-group aggregates (rollups). It is a cache: the Parquet file stays
    the reference, used when this is missing.
    """
    final = query_db_path(parquet)
    tmp = final.with_suffix(".duckdb.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute(f"CREATE TABLE data AS SELECT * FROM {parquet_rows(parquet)}")
        con.execute("CREATE VIEW v AS SELECT * FROM data")
        build_value_counts(con, "data", columns)
        build_rollups(con, "data", columns)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, final)
    return final


def parquet_rows(path: Path | str) -> str:
    """SQL source of a version's rows with `__id`, their number from 1 in the file's order.

    Version files hold only the data; `__id` is DuckDB's `file_row_number` plus one, so the
    ingest writes Parquet as fast as a plain conversion (a row_number() would serialise it).
    Files written before this carried their own `__id` column, which is read as it is.
    """
    literal = _lit(str(path))
    names = parquet_column_names(str(path))
    if ID_COLUMN in names:
        return f"read_parquet({literal})"
    if "file_row_number" in names:  # DuckDB cannot add its own column: number the rows
        return (f"(SELECT CAST(row_number() OVER () AS BIGINT) AS {ID_COLUMN}, * "
                f"FROM read_parquet({literal}))")
    # The option, not the virtual column: with the latter, DuckDB 2.0 fails on a filter on
    # the row number followed by LIMIT … OFFSET (internal error).
    return (f"(SELECT CAST(file_row_number + 1 AS BIGINT) AS {ID_COLUMN}, * EXCLUDE "
            f"(file_row_number) FROM read_parquet({literal}, file_row_number = true))")


@functools.lru_cache(maxsize=1024)
def parquet_column_names(path: str) -> frozenset[str]:
    """Top-level column names of a Parquet file (version files are immutable: cached)."""
    con = duckdb.connect()
    try:
        return frozenset(r[0] for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet({_lit(path)})").fetchall())
    finally:
        con.close()


def query_db_path(parquet: Path) -> Path:
    """The DuckDB database derived from a version's Parquet file (same name, .duckdb)."""
    return parquet.with_suffix(".duckdb")


# Words that name a code (INSEE commune, postcode, SIREN…): such a column is an identifier,
# read as text even when every value looks like a number (29011, and 2A004 or 02100 further
# down the file would otherwise be lost or refused).
CODE_WORDS = frozenset({
    "code", "codes", "cod", "insee", "cog", "codgeo", "depcom", "com", "commune", "communes",
    "cp", "postal", "codepostal", "siren", "siret", "nic", "naf", "ape", "uai", "finess", "rna",
    "iris", "dep", "dept", "departement", "reg", "region", "epci", "arr", "canton",
})


INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                           "USMALLINT", "UINTEGER", "UBIGINT"})


def is_code_column(name: str) -> bool:
    """True when a column's name says it holds codes (identifiers, not quantities)."""
    import unicodedata

    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    plain = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", plain) if w]
    return any(w in CODE_WORDS or w.startswith(("code", "insee")) for w in words)


def _schema_types(schema: dict[str, Any] | None) -> dict[str, str]:
    """Column types to read a CSV with when a schema gives them (VARCHAR when a format is set)."""
    if not schema:
        return {}
    types = {}
    for f in validate_schema_descriptor(schema):
        kind = f.get("type", "string")
        custom = f.get("format", "default") not in ("default", "any", None)
        custom_bool = kind == "boolean" and ("trueValues" in f or "falseValues" in f)
        if kind in ("date", "datetime") and custom or custom_bool or (
                kind == "number" and f.get("groupChar")):
            types[f["name"]] = "VARCHAR"
        else:
            types[f["name"]] = SCHEMA_TYPES[kind]
    return types


def _load_csv(con: Any, path: Path, options: list[str], types: dict[str, str]) -> None:
    """CREATE TABLE raw from a CSV; a column that fails its type is re-read as text."""
    for _attempt in range(20):
        opts = list(options)
        if types:
            opts.append("types={" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in types.items())
                        + "}")
        try:
            con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT * FROM read_csv("
                        f"{_lit(str(path))}, {', '.join(opts)})")
            return
        except duckdb.ConversionException as exc:
            match = _CONVERSION.search(str(exc))
            if not match or types.get(match.group(1)) == "VARCHAR":
                raise _csv_error(exc) from exc
            # The sniffer guessed from a sample; the full validation then lists every bad cell.
            types = {**types, match.group(1): "VARCHAR"}
        except duckdb.Error as exc:
            raise _csv_error(exc) from exc
    raise IngestError("unreadable_csv", _("Types de colonnes impossibles à déterminer."))


def _direct_csv_to_parquet(con: Any, path: Path, options: list[str], types: dict[str, str],
                           schema: dict[str, Any] | None, header: list[str],
                           tmp: Path) -> dict[str, dict[str, str]] | None:
    """One pass CSV → Parquet at `tmp` (like a plain conversion) when no column needs a cast.

    Returns the writer's column statistics, or None when the general path is needed: a
    schema field read as text (custom format), an `__id` column in the file, or a value
    that does not fit its column type.
    """
    wanted = _schema_types(schema)
    if ID_COLUMN in header or any(v == "VARCHAR" and SCHEMA_TYPES.get(
            next((f.get("type", "string") for f in (schema or {}).get("fields", [])
                  if f.get("name") == k), "string")) != "VARCHAR" for k, v in wanted.items()):
        return None
    opts = list(options)
    if types:
        opts.append("types={" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in types.items())
                    + "}")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        # No row number here: row_number() would serialise the conversion (see parquet_rows).
        written = con.execute(
            f"COPY (SELECT * FROM read_csv({_lit(str(path))}, {', '.join(opts)})) "
            f"TO {_lit(str(tmp))} (FORMAT parquet, ROW_GROUP_SIZE 122880, RETURN_STATS)"
        ).fetchall()
    except duckdb.ConversionException:
        tmp.unlink(missing_ok=True)
        return None  # the general path re-reads the column as text and reports every error
    except duckdb.Error as exc:
        tmp.unlink(missing_ok=True)
        raise _csv_error(exc) from exc
    return dict(written[0][4]) if len(written) == 1 and written[0][4] else {}


def _finish_direct(con: Any, result: IngestResult, tmp: Path, stats: dict[str, Any],
                   schema: dict[str, Any] | None, decimal_comma: bool, dest: Path,
                   progress: Progress) -> IngestResult:
    """Profile and validate a Parquet file written in one pass, then publish it at `dest`."""
    try:
        progress(50, _("fichier converti"))
        con.execute(f"CREATE VIEW raw AS SELECT * FROM {parquet_rows(tmp)}")
        described = con.execute("DESCRIBE raw").fetchall()
        raw_columns = {r[0]: str(r[1]) for r in described if r[0] != ID_COLUMN}
        known = writer_stats(con, stats, raw_columns)
        result.columns = [{"name": n, "type": duckdb_to_schema_type(t), "duckdb_type": t}
                          for n, t in raw_columns.items()]
        # The profile first: its value counts settle most schema checks without a scan.
        result.profile = compute_profile(con, "raw", result.columns, known=known)
        result.row_count = result.profile["rows"]
        progress(80, _("statistiques des colonnes calculées"))
        if schema:
            counted = {r[0] for r in con.execute("SELECT DISTINCT col FROM counts").fetchall()}
            report, _select = validate_against_schema(con, schema, raw_columns, decimal_comma,
                                                      row=ID_COLUMN, known=known,
                                                      counted=counted)
            if not report["valid"]:
                raise IngestError("validation_failed", _(
                    "{n} erreur(s) de validation par rapport au Table Schema.").format(
                    n=report["error_count"]), report=report)
        else:
            report = {"schema": False, "valid": True, "error_count": 0, "errors": [],
                      "errors_by_check": {}}
        result.report = report
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    result.byte_size = dest.stat().st_size
    result.sha256 = sha256_file(dest)
    progress(100, _("contenu vérifié"))
    return result


def ingest_file(src: Path, *, filename: str, dest: Path, workdir: Path,
                schema: dict[str, Any] | None = None,
                progress: Progress = lambda _pct, _msg: None) -> IngestResult:
    """Turn an uploaded file into a Parquet file at `dest` (plus its query database)."""
    fmt = detect_format(src, filename)
    result = IngestResult(source_format=fmt)
    progress(5, _("format reconnu : {fmt}").format(fmt=fmt))
    workdir.mkdir(parents=True, exist_ok=True)
    con = _connect(Path(":memory:"), workdir)
    decimal_comma = False
    try:
        if fmt in ("csv", "tsv", "xlsx", "ods"):
            text_path = src
            if fmt in ("xlsx", "ods"):
                text_path = workdir / "sheet.csv"
                spreadsheet_to_csv(src, text_path)
                result.encoding = "utf-8"
            with open(text_path, "rb") as fh:
                sample = fh.read(SAMPLE_BYTES)
            if not sample.strip():
                raise IngestError("empty_file", _("Le fichier ne contient aucune ligne."))
            if fmt in ("csv", "tsv"):
                result.encoding = detect_encoding(sample)
                if result.encoding not in ("utf-8", "utf-8-sig"):
                    utf8 = workdir / "utf8.csv"
                    _transcode(src, utf8, result.encoding)
                    text_path = utf8
                    with open(text_path, "rb") as fh:
                        sample = fh.read(SAMPLE_BYTES)
            text = sample.decode("utf-8-sig", errors="ignore")
            result.delimiter = sniff_delimiter(text, "\t" if fmt == "tsv" else "")
            header = check_header_and_rows(text, result.delimiter)
            decimal_comma = detect_decimal_comma(text, result.delimiter) or any(
                f.get("decimalChar") == "," for f in (schema or {}).get("fields", []))
            options = [f"delim={_lit(result.delimiter)}", "header=true", "quote='\"'",
                       "escape='\"'", "sample_size=20480", "strict_mode=true"]
            if decimal_comma:
                options.append("decimal_separator=','")
            types = {k: v for k, v in _schema_types(schema).items() if k in header}
            for name in header:
                if is_code_column(name):
                    types.setdefault(name, "VARCHAR")
            if len(header) == 1:
                types.setdefault(header[0], "VARCHAR")
            tmp = dest.with_suffix(".parquet.tmp")
            stats = _direct_csv_to_parquet(con, text_path, options, types, schema, header, tmp)
            if stats is None:
                _load_csv(con, text_path, options, types)
            else:
                return _finish_direct(con, result, tmp, stats, schema, decimal_comma, dest,
                                      progress)
        elif fmt == "json":
            try:
                con.execute(f"CREATE TABLE raw AS SELECT * FROM read_json({_lit(str(src))}, "
                            "format='array')")
            except duckdb.Error as exc:
                raise IngestError("bad_json", _(
                    "JSON illisible : un tableau d’objets est attendu ({e}).").format(
                    e=str(exc).splitlines()[0][:200])) from exc
        elif fmt == "geojson":
            arrow_table = geojson_to_arrow(src)  # noqa: F841  (read by DuckDB's replacement scan)
            con.execute("CREATE TABLE raw AS SELECT * FROM arrow_table")
            result.geometry_column = "geometry"
        elif fmt == "parquet":
            try:
                con.execute(f"CREATE TABLE raw AS SELECT * FROM read_parquet({_lit(str(src))})")
            except duckdb.Error as exc:
                raise IngestError("bad_parquet", _("Fichier Parquet illisible.")) from exc
        progress(40, _("fichier lu"))
        raw_columns = {r[0]: str(r[1]) for r in con.execute("DESCRIBE raw").fetchall()}
        if ID_COLUMN in raw_columns:
            # An export of SPLD or data.gouv.fr: its row numbers are replaced by ours.
            con.execute(f"ALTER TABLE raw DROP COLUMN {ID_COLUMN}")
            del raw_columns[ID_COLUMN]
        if fmt in ("json", "geojson"):
            # Codes written as JSON numbers (29019) become text like the CSV path reads them,
            # unless the dataset's schema says otherwise.
            declared = {f.get("name") for f in (schema or {}).get("fields", [])}
            for name, kind in list(raw_columns.items()):
                if kind in INTEGER_TYPES and is_code_column(name) and name not in declared:
                    con.execute(f"ALTER TABLE raw ALTER COLUMN {quote_ident(name)} TYPE VARCHAR")
                    raw_columns[name] = "VARCHAR"
        if fmt in ("json", "parquet", "geojson"):
            bad = [n for n in raw_columns if not n.strip()]
            if bad:
                raise IngestError("empty_header", _("Colonne sans nom."))
        if schema:
            report, select = validate_against_schema(con, schema, raw_columns, decimal_comma)
            if not report["valid"]:
                raise IngestError("validation_failed", _(
                    "{n} erreur(s) de validation par rapport au Table Schema.").format(
                    n=report["error_count"]), report=report)
        else:
            report = {"schema": False, "valid": True, "error_count": 0, "errors": [],
                      "errors_by_check": {}}
            select = [quote_ident(n) for n in raw_columns]
        plain = [quote_ident(n) for n in raw_columns]
        if select == plain:
            con.execute("ALTER TABLE raw RENAME TO data")
        else:  # some columns need a cast (text read, schema type wanted)
            con.execute(f"CREATE TABLE data AS SELECT {', '.join(select)} FROM raw")
            con.execute("DROP TABLE raw")
        progress(60, _("contenu vérifié"))
        tmp = dest.with_suffix(".parquet.tmp")
        dest.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY data TO {_lit(str(tmp))} (FORMAT parquet, ROW_GROUP_SIZE 122880)")
        progress(80, _("fichier converti"))
        typed = con.execute("DESCRIBE data").fetchall()
        result.columns = [
            {"name": r[0], "type": "geojson" if r[0] == result.geometry_column
             else duckdb_to_schema_type(str(r[1])), "duckdb_type": str(r[1])}
            for r in typed
        ]
        result.profile = compute_profile(con, "data", result.columns)
        result.row_count = result.profile["rows"]
        result.report = report
        os.replace(tmp, dest)
        result.byte_size = dest.stat().st_size
        result.sha256 = sha256_file(dest)
        progress(100, _("statistiques des colonnes calculées"))
        return result
    finally:
        con.close()
        shutil.rmtree(workdir, ignore_errors=True)
