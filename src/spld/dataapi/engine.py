"""DuckDB over Parquet versions: the data.gouv.fr tabular-API query syntax, safely compiled.

Column names come from the version's own column list (an allow-list) and are quoted;
operators come from a fixed table; every value is a bound parameter. Nothing the client
sends is ever formatted into SQL text.
"""
# ruff: noqa: S608  (identifiers are allow-listed and quoted, values are bound parameters)

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import functools
import hashlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.utils.translation import gettext as _

from spld.catalog.ingest import ID_COLUMN, parquet_rows, quote_ident

MAX_PAGE_SIZE = 10_000
DEFAULT_PAGE_SIZE = 20
FILTER_OPS = ("exact", "differs", "contains", "notcontains", "in", "notin", "less", "greater",
              "strictly_less", "strictly_greater", "isnull", "isnotnull")
AGGREGATES = ("count", "avg", "min", "max", "sum")
OPERATORS = (*FILTER_OPS, "sort", "groupby", *AGGREGATES)
RESERVED = ("page", "page_size", "columns")
_COMPARE = {"less": "<=", "greater": ">=", "strictly_less": "<", "strictly_greater": ">",
            "exact": "=", "differs": "IS DISTINCT FROM"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COUNTS_IN_MEMORY = 5_000  # values of one column whose counts are kept in memory (bounded LRU)

_local = threading.local()
_root_lock = threading.Lock()
_root: Any = None
_attached: dict[str, str] = {}
_counted: dict[str, set[str]] = {}
# alias → group column → (rollup table, {(column, function): rollup column})
_rollups: dict[str, dict[str, tuple[str, dict[tuple[str, str], str]]]] = {}


def _root_connection() -> Any:
    global _root
    with _root_lock:
        if _root is None:
            _root = duckdb.connect(":memory:")
            _root.execute("SET enable_object_cache = true")
        return _root


def connection() -> Any:
    """A per-thread DuckDB cursor on one shared in-process database (attachments, caches)."""
    cursor = getattr(_local, "cursor", None)
    if cursor is None:
        cursor = _local.cursor = _root_connection().cursor()
    return cursor


def _alias(path: str) -> str | None:
    """Attach (once, read-only) the query database derived from a version's Parquet file."""
    if path in _attached:
        return _attached[path]
    db = Path(path).with_suffix(".duckdb")
    if not db.exists():
        return None
    alias = "q_" + hashlib.sha1(path.encode()).hexdigest()[:16]  # noqa: S324  (a name, not security)
    root = _root_connection()
    with _root_lock:
        if path not in _attached:
            root.execute(f"ATTACH IF NOT EXISTS '{str(db).replace(chr(39), chr(39) * 2)}' "
                         f"AS {alias} (READ_ONLY)")
            _counted[alias] = {r[0] for r in root.execute(
                f"SELECT DISTINCT col FROM {alias}.counts").fetchall()}
            _rollups[alias] = _read_rollups(root, alias)
            _attached[path] = alias
    return alias


def _read_rollups(con: Any, alias: str) -> dict[str, tuple[str, dict[tuple[str, str], str]]]:
    """The rollup tables of a query database (none in databases built before them)."""
    try:
        rows = con.execute(f"SELECT grp, tbl, col, fn, name FROM {alias}.rollups").fetchall()
    except duckdb.CatalogException:
        return {}
    out: dict[str, tuple[str, dict[tuple[str, str], str]]] = {}
    for grp, table, column, fn, name in rows:
        out.setdefault(grp, (table, {}))[1][(column, fn)] = name
    return out


class QueryError(Exception):
    """A bad query parameter: 400 with a message listing what is accepted."""

    def __init__(self, message: str, fields: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []


@dataclass
class Query:
    filters: list[tuple[str, str, Any]] = field(default_factory=list)
    sort: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    groupby: list[str] = field(default_factory=list)
    aggregates: list[tuple[str, str]] = field(default_factory=list)
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def is_aggregate(self) -> bool:
        return bool(self.groupby or self.aggregates)


def _convert(value: str, kind: str, column: str) -> Any:
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value.replace(",", "."))
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "datetime":
            return dt.datetime.fromisoformat(value)
        if kind == "boolean":
            lowered = value.lower()
            if lowered in ("true", "1", "oui"):
                return True
            if lowered in ("false", "0", "non"):
                return False
            raise ValueError(value)
    except ValueError as exc:
        raise QueryError(_("Valeur « {value} » invalide pour la colonne {column} ({kind}).")
                         .format(value=value[:100], column=column, kind=kind),
                         [{"field": column, "message": kind}]) from exc
    return value


def parse_query(params: Mapping[str, Any], columns: dict[str, str], *,
                paged: bool = True) -> Query:
    """Read tabular-API parameters against the version's columns {name: type}."""
    query = Query()
    valid_columns = [ID_COLUMN, *columns]
    kinds = {ID_COLUMN: "integer", **columns}

    def known(column: str, param: str) -> str:
        if column not in kinds:
            raise QueryError(
                _("Colonne inconnue « {column} » dans « {param} ». Colonnes valides : {valid}.")
                .format(column=column[:100], param=param[:100], valid=", ".join(valid_columns)),
                [{"field": param[:100], "valid_columns": valid_columns}])
        return column

    getlist = getattr(params, "getlist", None)
    for key in params:
        values = getlist(key) if getlist else [params[key]]
        value = str(values[-1]) if values else ""
        if key in RESERVED:
            if key == "columns":
                query.columns = [known(c.strip(), key) for c in value.split(",") if c.strip()]
            else:
                try:
                    number = int(value)
                except ValueError as exc:
                    raise QueryError(_("« {key} » doit être un entier.").format(key=key)) from exc
                if key == "page":
                    if number < 1:
                        raise QueryError(_("« page » commence à 1."))
                    query.page = number
                else:
                    if not 1 <= number <= MAX_PAGE_SIZE:
                        raise QueryError(_("« page_size » va de 1 à {max}.").format(
                            max=MAX_PAGE_SIZE))
                    query.page_size = number
            continue
        column, sep, op = key.rpartition("__")
        if not sep or op not in OPERATORS:
            raise QueryError(
                _("Paramètre inconnu « {key} ». Paramètres acceptés : page, page_size, columns, "
                  "et <colonne>__<opérateur> avec les opérateurs {ops} ; colonnes valides : "
                  "{valid}.").format(key=key[:100], ops=", ".join(OPERATORS),
                                      valid=", ".join(valid_columns)),
                [{"field": key[:100], "valid_columns": valid_columns,
                  "valid_operators": list(OPERATORS)}])
        known(column, key)
        kind = kinds[column]
        if op == "sort":
            if value not in ("asc", "desc"):
                raise QueryError(_("« {key} » vaut asc ou desc.").format(key=key))
            query.sort.append((column, value))
        elif op == "groupby":
            query.groupby.append(column)
        elif op in AGGREGATES:
            if op in ("avg", "sum") and kind not in ("integer", "number"):
                raise QueryError(_("« {op} » ne s’applique qu’aux colonnes numériques ; "
                                   "{column} est de type {kind}.").format(op=op, column=column,
                                                                         kind=kind))
            query.aggregates.append((column, op))
        elif op in ("isnull", "isnotnull"):
            query.filters.append((column, op, None))
        elif op in ("contains", "notcontains"):
            query.filters.append((column, op, value))
        elif op in ("in", "notin"):
            items = [v for v in value.split(",") if v != ""]
            if not items:
                raise QueryError(_("« {key} » attend une liste de valeurs séparées par des "
                                   "virgules.").format(key=key))
            query.filters.append((column, op, [_convert(v, kind, column) for v in items]))
        else:
            query.filters.append((column, op, _convert(value, kind, column)))
    if not paged:
        query.page, query.page_size = 1, 0
    if query.is_aggregate:
        allowed_sort = set(query.groupby)
        bad = [c for c, _d in query.sort if c not in allowed_sort]
        if bad:
            raise QueryError(_("Avec une agrégation, le tri ne porte que sur les colonnes "
                               "regroupées ({cols}).").format(cols=", ".join(query.groupby)))
    return query


def where_clause(query: Query) -> tuple[str, list[Any]]:
    """WHERE … with bound parameters."""
    parts: list[str] = []
    params: list[Any] = []
    for column, op, value in query.filters:
        col = quote_ident(column)
        if op == "isnull":
            parts.append(f"{col} IS NULL")
        elif op == "isnotnull":
            parts.append(f"{col} IS NOT NULL")
        elif op == "contains":
            parts.append(f"contains(lower(CAST({col} AS VARCHAR)), lower(?))")
            params.append(value)
        elif op == "notcontains":
            parts.append(f"NOT coalesce(contains(lower(CAST({col} AS VARCHAR)), lower(?)), false)")
            params.append(value)
        elif op in ("in", "notin"):
            marks = ", ".join("?" for _v in value)
            parts.append(f"{col} {'NOT ' if op == 'notin' else ''}IN ({marks})")
            params.extend(value)
        else:
            parts.append(f"{col} {_COMPARE[op]} ?")
            params.append(value)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def source(path: str) -> str:
    """The FROM source for a version (a server-side path, never client input).

    The immutable Parquet file is the reference; its derived DuckDB database (native
    storage, zone maps, exact value counts) answers queries faster when present.
    """
    alias = _alias(path)
    if alias is not None:
        return f"{alias}.v"
    return parquet_rows(path)


def _counted_total(query: Query, path: str) -> int | None:
    """Exact total from the precomputed value counts, for a single equality filter."""
    if query.is_aggregate or len(query.filters) != 1:
        return None
    column, op, value = query.filters[0]
    alias = _attached.get(path)
    if alias is None or op != "exact" or column not in _counted.get(alias, ()):
        return None
    text = str(value).lower() if isinstance(value, bool) else str(value)
    counts = _column_counts(alias, column)
    if counts is not None:
        return counts.get(text, 0)
    row = connection().execute(f"SELECT coalesce(sum(n), 0) FROM {alias}.counts "
                               "WHERE col = ? AND val = ?", [column, text]).fetchone()
    return int(row[0])


@functools.lru_cache(maxsize=128)
def _column_counts(alias: str, column: str) -> dict[str, int] | None:
    """A column's value counts in memory when it has few values (a query costs ~1 ms)."""
    rows = connection().execute(
        f"SELECT val, n FROM {alias}.counts WHERE col = ? LIMIT {COUNTS_IN_MEMORY + 1}",
        [column]).fetchall()
    if len(rows) > COUNTS_IN_MEMORY:
        return None
    return {val: int(n) for val, n in rows}


def _rollup(query: Query, path: str) -> tuple[str, dict[tuple[str, str], str]] | None:
    """The precomputed table answering a whole-table group-by on one column, if there is one."""
    if query.filters or len(query.groupby) != 1:
        return None
    alias = _attached.get(path)
    found = _rollups.get(alias, {}).get(query.groupby[0]) if alias else None
    if found is None:
        return None
    table, names = found
    needed = [(column, part) for column, fn in query.aggregates
              for part in (("sum", "count") if fn == "avg" else (fn,))]
    if any(key not in names for key in needed):
        return None
    return f"{alias}.{table}", names


def _rollup_select(query: Query, table: str, names: dict[tuple[str, str], str]) -> str:
    """The group-by read from its rollup table: same columns, order and values as the scan."""
    outputs = [f"g AS {quote_ident(query.groupby[0])}"]
    for column, fn in query.aggregates:
        value = (f"CAST({names[(column, 'sum')]} AS DOUBLE) / nullif({names[(column, 'count')]}, 0)"
                 if fn == "avg" else names[(column, fn)])
        outputs.append(f"{value} AS {quote_ident(f'{column}__{fn}')}")
    order = ", ".join(f"g {direction.upper()}" for _c, direction in
                      (query.sort or [(query.groupby[0], "asc")]))
    return f"SELECT {', '.join(outputs)} FROM {table} ORDER BY {order}"


def select_sql(query: Query, path: str, all_columns: list[str], *,
               escape_formulas: set[str] | None = None,
               row_ids: bool = True) -> tuple[str, list[Any]]:
    """The SELECT for rows or aggregates of a version (without LIMIT; `__id` if `row_ids`)."""
    src = source(path)
    rollup = _rollup(query, path) if query.is_aggregate else None
    if rollup is not None:
        return _rollup_select(query, *rollup), []
    where, params = where_clause(query)
    if query.is_aggregate:
        outputs = [quote_ident(c) for c in query.groupby]
        for column, fn in query.aggregates:
            outputs.append(f"{fn}({quote_ident(column)}) AS {quote_ident(f'{column}__{fn}')}")
        sql = f"SELECT {', '.join(outputs)} FROM {src}{where}"
        if query.groupby:
            sql += " GROUP BY " + ", ".join(quote_ident(c) for c in query.groupby)
        order = query.sort or [(c, "asc") for c in query.groupby]
    else:
        wanted = query.columns or ([ID_COLUMN, *all_columns] if row_ids else list(all_columns))
        outputs = []
        for c in wanted:
            if escape_formulas and c in escape_formulas:
                q = quote_ident(c)
                starts = ", ".join("'" + s + "'" for s in FORMULA_START)
                outputs.append(f"CASE WHEN left({q}, 1) IN ({starts}) THEN '''' || {q} "
                               f"ELSE {q} END AS {q}")
            else:
                outputs.append(quote_ident(c))
        sql = f"SELECT {', '.join(outputs)} FROM {src}{where}"
        order = query.sort
    if order:
        sql += " ORDER BY " + ", ".join(f"{quote_ident(c)} {d.upper()}" for c, d in order)
    return sql, params


def count_sql(query: Query, path: str) -> tuple[str, list[Any]]:
    """Total rows (or groups) matching the query."""
    src = source(path)
    rollup = _rollup(query, path) if query.is_aggregate else None
    if rollup is not None:
        return f"SELECT count(*) FROM {rollup[0]}", []
    where, params = where_clause(query)
    if query.groupby:
        cols = ", ".join(quote_ident(c) for c in query.groupby)
        return f"SELECT count(*) FROM (SELECT DISTINCT {cols} FROM {src}{where})", params
    if query.aggregates:
        return "SELECT 1", []
    return f"SELECT count(*) FROM {src}{where}", params


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def run_page(query: Query, path: str, all_columns: list[str]) -> tuple[list[dict[str, Any]], int]:
    """One page of rows (or groups) and the total."""
    con = connection()
    sql, params = select_sql(query, path, all_columns)
    sql += f" LIMIT {int(query.page_size)}"
    if query.page > 1:  # an OFFSET, even 0, makes DuckDB use a slower limit (~1 ms more)
        sql += f" OFFSET {int((query.page - 1) * query.page_size)}"
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    rows = [{n: _jsonable(v) for n, v in zip(names, row, strict=True)}
            for row in cursor.fetchall()]
    total = _counted_total(query, path)
    if total is None and query.is_aggregate and query.page == 1 and len(rows) < query.page_size:
        total = len(rows)  # every group fits in the first page: no second scan to count them
    if total is None:
        csql, cparams = count_sql(query, path)
        total = int(con.execute(csql, cparams).fetchone()[0])
    return rows, total


def stream_batches(sql: str, params: list[Any], batch_rows: int = 100_000) -> Iterator[Any]:
    """Arrow record batches of a query, fetched lazily (memory does not grow with the table)."""
    con = _root_connection().cursor()  # its own connection: a long export must not block
    try:
        reader = con.sql(sql, params=params).to_arrow_reader(batch_rows)
        yield from reader
    finally:
        con.close()


def stream_strings(sql: str, params: list[Any], batch_rows: int = 100_000) -> Iterator[list[str]]:
    """Lists of strings from a one-column VARCHAR query, fetched lazily."""
    for batch in stream_batches(sql, params, batch_rows):
        yield batch.column(0).to_pylist()


def stream_copy(sql: str, params: list[Any], options: str) -> Iterator[bytes]:
    """DuckDB's own writer (COPY … TO a named pipe) streamed in chunks: fast, constant memory.

    A guard write end keeps reads blocking until the COPY ends; if the client goes away,
    closing the read end makes the COPY fail with a broken pipe, which ends the thread.
    """
    import fcntl
    import logging
    import os
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="spld-export-")
    fifo = os.path.join(folder, "out")
    os.mkfifo(fifo, 0o600)
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    guard = os.open(fifo, os.O_WRONLY)
    os.set_blocking(rfd, True)
    with contextlib.suppress(OSError):
        fcntl.fcntl(rfd, 1031, 1 << 20)  # F_SETPIPE_SZ: larger pipe, fewer wake-ups

    def run() -> None:
        con = _root_connection().cursor()
        try:
            con.execute(f"COPY ({sql}) TO '{fifo}' ({options})", params)
        except duckdb.Error as exc:
            logging.getLogger(__name__).info("export stopped: %s", str(exc).splitlines()[0])
        finally:
            con.close()
            os.close(guard)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        while chunk := os.read(rfd, 1 << 20):
            yield chunk
    finally:
        os.close(rfd)
        thread.join(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
