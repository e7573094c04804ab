"""Data API: records, aggregates, profile and streaming exports of a resource's current version."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _
from ninja import Router

from spld.catalog import selectors as catalog_selectors
from spld.catalog import services as catalog_services
from spld.catalog.models import Resource
from spld.core.api_errors import ApiError
from spld.core.downloads import serve_file
from spld.dataapi import digests, engine, services
from spld.dataapi.actors import current_actor

router = Router(tags=["données"])


def _readable(request: HttpRequest, rid: str, kind: str) -> tuple[Resource, Any]:
    """The resource if the caller may read it (one rule: catalog.selectors.can_read)."""
    try:
        resource = catalog_selectors.resource_by_rid(rid)
    except (Resource.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    actor = current_actor(request)
    dataset = resource.dataset
    if not catalog_selectors.can_see_metadata(actor, dataset):
        raise Http404
    if not catalog_selectors.can_read(actor, dataset):
        if dataset.access_level == dataset.AccessLevel.SHARED:
            message = _("Données partagées avec les destinataires d’un flux de données actif : "
                        "connectez-vous avec un compte ou un jeton d’une organisation qu’un "
                        "flux actif du registre des partages désigne comme destinataire.")
        else:
            message = _("Données réservées au producteur.")
        raise ApiError(403, "forbidden", message)
    if resource.current_version is None:
        raise ApiError(404, "no_data", _("Cette ressource n’a pas encore de données publiées."))
    if not resource.current_version.is_available:
        raise ApiError(503, "data_unavailable", _(
            "Le fichier de données de cette ressource est momentanément indisponible : "
            "l’équipe du SPLD doit le restaurer. Réessayez plus tard."))
    services.log_read(actor=actor, resource=resource, kind=kind,
                      query=request.META.get("QUERY_STRING", ""))
    return resource, actor


def _columns(resource: Resource) -> dict[str, str]:
    return {c["name"]: c["type"] for c in resource.current_version.columns}


def _query(request: HttpRequest, resource: Resource, *, paged: bool = True,
           params: Any = None) -> engine.Query:
    try:
        return engine.parse_query(request.GET if params is None else params, _columns(resource),
                                  paged=paged)
    except engine.QueryError as exc:
        raise ApiError(400, "bad_query", exc.message, exc.fields) from exc


def _link(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(request.path) + "?" + urlencode(params, doseq=True)


@router.get("/{rid}/data/", summary="Lignes d’une ressource (syntaxe de l’API tabulaire)",
            response={200: dict})
def records(request: HttpRequest, rid: str) -> HttpResponse:
    """Rows filtered, sorted and paged like data.gouv.fr's tabular API (`col__exact=v`…)."""
    resource, _actor = _readable(request, rid, "records")
    query = _query(request, resource)
    rows, total = engine.run_page(query, str(resource.current_version.file_path),
                                  resource.current_version.column_names)
    body = {
        "data": rows,
        "meta": {"total": total, "page": query.page, "page_size": query.page_size},
        "links": {
            "profile": request.build_absolute_uri(f"/api/1/resources/{rid}/profile/"),
            "next": _link(request, query.page + 1) if query.page * query.page_size < total
            else None,
            "prev": _link(request, query.page - 1) if query.page > 1 else None,
        },
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False, default=str),
                        content_type="application/json")


@router.get("/{rid}/profile/", summary="Profil d’une ressource", response={200: dict})
def profile(request: HttpRequest, rid: str) -> dict[str, Any]:
    """Rows, and per column: type, nulls, distinct values, min/max, frequent values."""
    resource, _actor = _readable(request, rid, "profile")
    version = resource.current_version
    return {"rid": str(resource.rid), "version": version.number, "rows": version.row_count,
            "columns": version.columns, "profile": version.profile,
            "validation": {k: version.validation_report.get(k)
                           for k in ("schema", "valid", "error_count")}}


ROW_IDS_VALUES = {"true": True, "1": True, "false": False, "0": False}


def _row_ids(params: Any) -> bool:
    """`row_ids=true` adds the `__id` row numbers to an export (left out by default)."""
    values = params.pop("row_ids", None) or ["false"]
    try:
        return ROW_IDS_VALUES[str(values[-1]).lower()]
    except KeyError as exc:
        raise ApiError(400, "bad_query", _("« row_ids » vaut true ou false."),
                       [{"field": "row_ids", "message": "true | false"}]) from exc


def _export_sql(request: HttpRequest, resource: Resource, *,
                escape: bool = False) -> tuple[engine.Query, str, list[Any], bool]:
    params = request.GET.copy()
    row_ids = _row_ids(params)
    query = _query(request, resource, paged=False, params=params)
    version = resource.current_version
    strings = {c["name"] for c in version.columns if c["type"] in ("string", "geojson")}
    sql, sql_params = engine.select_sql(query, str(version.file_path), version.column_names,
                                        escape_formulas=strings if escape else None,
                                        row_ids=row_ids)
    return query, sql, sql_params, row_ids


def _filename(resource: Resource, ext: str) -> str:
    return f"{resource.dataset.slug}-{str(resource.rid)[:8]}.{ext}"


def _whole(query: engine.Query, row_ids: bool) -> bool:
    """No filter, sort, projection, aggregate or `__id`: the same export for every caller."""
    return not (query.filters or query.sort or query.columns or query.is_aggregate or row_ids)


def _count(request: HttpRequest, resource: Resource) -> None:
    """One download per GET of a whole file (a reader's range requests are not downloads)."""
    if request.method == "GET" and not request.META.get("HTTP_RANGE"):
        catalog_services.count_download(resource=resource)


def _stream(request: HttpRequest, chunks: Any, content_type: str,
            filename: str) -> HttpResponse:
    """A filtered export, streamed (HEAD answers its headers without running the query)."""
    if request.method == "HEAD":
        response: HttpResponse = HttpResponse(content_type=content_type)
    else:
        response = StreamingHttpResponse(chunks(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Accept-Ranges"] = "none"
    return response


def _export(request: HttpRequest, resource: Resource, query: engine.Query, row_ids: bool,
            ext: str, content_type: str, chunks: Any) -> HttpResponse:
    _count(request, resource)
    filename = _filename(resource, ext)
    if not _whole(query, row_ids):
        return _stream(request, chunks, content_type, filename)
    path = digests.cached_export(resource.current_version, ext, chunks)
    return serve_file(request, path, content_type=content_type, filename=filename,
                      etag=f"{resource.current_version.sha256[:32]}-{ext}")


@router.get("/{rid}/data/csv/", summary="Export CSV (flux)")
def export_csv(request: HttpRequest, rid: str) -> HttpResponse:
    """All matching rows as CSV, streamed; cells starting with = + - @ are neutralised.

    Same filters as `/data/`; `row_ids=true` adds the `__id` row numbers (left out by default).
    """
    resource, _actor = _readable(request, rid, "export_csv")
    query, sql, params, row_ids = _export_sql(request, resource, escape=True)
    return _export(request, resource, query, row_ids, "csv", "text/csv; charset=utf-8",
                   lambda: engine.stream_copy(sql, params, "FORMAT csv, HEADER true, "
                                                           "DELIMITER ','"))


@router.get("/{rid}/data/json/", summary="Export JSON (flux)")
def export_json(request: HttpRequest, rid: str) -> HttpResponse:
    """All matching rows as a JSON array, streamed (`row_ids=true` adds `__id`)."""
    resource, _actor = _readable(request, rid, "export_json")
    query, sql, params, row_ids = _export_sql(request, resource)
    return _export(request, resource, query, row_ids, "json", "application/json",
                   lambda: engine.stream_copy(sql, params, "FORMAT json, ARRAY true"))


@router.get("/{rid}/data/parquet/", summary="Export Parquet")
def export_parquet(request: HttpRequest, rid: str) -> HttpResponse:
    """All matching rows as a Parquet file (`row_ids=true` adds `__id`).

    Unfiltered, it is the version's reference file, whose SHA-256 the catalogue publishes.
    """
    resource, _actor = _readable(request, rid, "export_parquet")
    query, sql, params, row_ids = _export_sql(request, resource)
    _count(request, resource)
    version = resource.current_version
    filename = _filename(resource, "parquet")
    content_type = "application/vnd.apache.parquet"
    if _whole(query, row_ids):
        return serve_file(request, version.file_path, content_type=content_type,
                          filename=filename, etag=version.sha256)
    fd, tmp = tempfile.mkstemp(suffix=".parquet")
    os.close(fd)
    try:
        engine.connection().execute(
            f"COPY ({sql}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)", params)
        handle = open(tmp, "rb")  # noqa: SIM115  (the response closes it)
    finally:
        os.unlink(tmp)  # the open handle keeps the data until the response is sent
    # Same version and query give the same rows in the same order: a stable validator.
    tag = hashlib.sha256(f"{version.sha256}?{request.META.get('QUERY_STRING', '')}"
                         .encode()).hexdigest()[:40]
    return serve_file(request, tmp, content_type=content_type, filename=filename, etag=tag,
                      handle=handle)


LAT_NAMES = ("lat", "latitude", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")


def geometry_expr(columns: list[dict[str, str]], geometry_column: str) -> str | None:
    """SQL building a GeoJSON geometry for each row, or None when the data has no geometry."""
    names = {c["name"].lower(): c for c in columns}
    if geometry_column:
        return f"CAST({engine.quote_ident(geometry_column)} AS VARCHAR)"
    lat = next((names[n] for n in LAT_NAMES if n in names), None)
    lon = next((names[n] for n in LON_NAMES if n in names), None)
    if lat and lon and lat["type"] == "number" and lon["type"] == "number":
        la, lo = engine.quote_ident(lat["name"]), engine.quote_ident(lon["name"])
        return (f"CASE WHEN {la} IS NULL OR {lo} IS NULL THEN NULL ELSE "
                f"'{{\"type\":\"Point\",\"coordinates\":[' || CAST({lo} AS VARCHAR) || ',' || "
                f"CAST({la} AS VARCHAR) || ']}}' END")
    return None


@router.get("/{rid}/data/geojson/", summary="Export GeoJSON (flux)")
def export_geojson(request: HttpRequest, rid: str) -> HttpResponse:
    """Matching rows as a GeoJSON FeatureCollection (`row_ids=true` adds `__id`)."""
    resource, _actor = _readable(request, rid, "export_geojson")
    version = resource.current_version
    geom = geometry_expr(version.columns, version.geometry_column)
    if geom is None:
        raise ApiError(400, "no_geometry", _("Cette ressource n’a pas de géométrie (ni colonne "
                                             "GeoJSON, ni latitude/longitude)."))
    query, sql, params, row_ids = _export_sql(request, resource)
    props = [c["name"] for c in version.columns if c["name"] != version.geometry_column]
    if row_ids:
        props.insert(0, engine.ID_COLUMN)
    wrapped = (
        f"SELECT '{{\"type\":\"Feature\",\"geometry\":' || coalesce({geom}, 'null') || "  # noqa: S608
        f"',\"properties\":' || CAST(to_json(struct_pack({_struct(props)})) AS VARCHAR) || '}}' "
        f"FROM ({sql}) t"
    ) if props else (
        f"SELECT '{{\"type\":\"Feature\",\"geometry\":' || coalesce({geom}, 'null') || "  # noqa: S608
        f"',\"properties\":{{}}}}' FROM ({sql}) t"
    )

    def generate() -> Any:
        yield b'{"type":"FeatureCollection","features":['
        first = True
        for strings in engine.stream_strings(wrapped, params):
            if not strings:
                continue
            yield (("" if first else ",") + "\n" + ",\n".join(strings)).encode()
            first = False
        yield b"\n]}\n"

    return _export(request, resource, query, row_ids, "geojson", "application/geo+json",
                   generate)


def _struct(names: list[str]) -> str:
    return ", ".join(f"{engine.quote_ident(n)} := t.{engine.quote_ident(n)}" for n in names)


# HEAD on every file download (readers ask for the size first); kept out of the OpenAPI
# document, which lists the GET of each path.
for _path, _view in (("/{rid}/data/csv/", export_csv), ("/{rid}/data/json/", export_json),
                     ("/{rid}/data/parquet/", export_parquet),
                     ("/{rid}/data/geojson/", export_geojson)):
    router.add_api_operation(_path, ["HEAD"], _view, include_in_schema=False)
