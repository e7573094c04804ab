"""A read subset of the CKAN API v3 (/api/3/action/…), so CKAN clients and harvesters work."""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from spld.catalog import search, selectors
from spld.catalog.models import Dataset
from spld.catalog.vocabularies import LICENCES
from spld.organizations.models import Organization

MAX_ROWS = 1000
# The CKAN actions served here, with the text help_show gives for each.
ACTIONS = {
    "status_show": "Site title, URL and CKAN API version.",
    "package_list": "Names of the open datasets (offset, limit).",
    "package_show": "One open dataset with its resources (id).",
    "package_search": "Search open datasets (q, fq, rows, start, sort).",
    "organization_list": "Organisation names, or details with all_fields=true.",
    "organization_show": "One organisation (id), its datasets with include_datasets=true.",
    "help_show": "What an action does (name).",
}
_FQ = re.compile(r'(\w+):("([^"]*)"|(\S+))')


def _base() -> str:
    return settings.SITE_URL.rstrip("/")


def _ok(request: HttpRequest, action: str, result: Any) -> JsonResponse:
    return JsonResponse({"help": f"{_base()}/api/3/action/help_show?name={action}",
                         "success": True, "result": result},
                        json_dumps_params={"ensure_ascii": False})


def _error(action: str, status: int, kind: str, message: str) -> JsonResponse:
    return JsonResponse({"help": f"{_base()}/api/3/action/help_show?name={action}",
                         "success": False, "error": {"__type": kind, "message": message}},
                        status=status)


def organization_dict(org: Organization, count: int | None = None) -> dict[str, Any]:
    out = {"id": org.slug, "name": org.slug, "title": org.name, "display_name": org.name,
           "description": org.description, "type": "organization", "state": "active",
           "is_organization": True, "image_url": "", "approval_status": "approved",
           "created": org.created_at.isoformat()}
    if count is not None:
        out["package_count"] = count
    return out


def _iso(value: Any) -> str | None:
    return value.replace(tzinfo=None).isoformat() if value else None


def package_dict(dataset: Dataset) -> dict[str, Any]:
    """A dataset in CKAN's package shape (resource id = data API rid)."""
    base = _base()
    resources = []
    for position, resource in enumerate(dataset.resources.all()):
        version = resource.current_version
        if version is None or not version.is_available:  # not advertised until restored
            continue
        resources.append({
            "id": str(resource.rid), "package_id": dataset.slug, "position": position,
            "name": resource.title, "description": resource.description, "format": "CSV",
            "url": f"{base}/api/1/resources/{resource.rid}/data/csv/",
            "mimetype": "text/csv", "size": None, "hash": "",
            "created": _iso(version.created_at), "last_modified": _iso(version.created_at),
            "datastore_active": False, "state": "active", "url_type": None,
            "parquet_url": f"{base}/api/1/resources/{resource.rid}/data/parquet/",
            "api_url": f"{base}/api/1/resources/{resource.rid}/data/",
        })
    label, url, _open = LICENCES[dataset.licence]
    return {
        "id": dataset.slug, "name": dataset.slug, "title": dataset.title,
        "notes": dataset.description, "url": base + dataset.get_absolute_url(),
        "type": "dataset", "state": "active", "private": False,
        "license_id": dataset.licence, "license_title": str(label), "license_url": url,
        "maintainer": "", "maintainer_email": dataset.contact_point,
        "author": dataset.publisher.name, "author_email": "",
        "owner_org": dataset.publisher.slug,
        "organization": organization_dict(dataset.publisher),
        "tags": [{"name": k, "display_name": k, "state": "active"} for k in dataset.keywords],
        "groups": [{"name": t.lower(), "title": t} for t in dataset.themes],
        "metadata_created": _iso(dataset.issued or dataset.created_at),
        "metadata_modified": _iso(dataset.modified or dataset.updated_at),
        "frequency": dataset.frequency,
        "extras": [{"key": k, "value": v} for k, v in (
            ("purpose", dataset.purpose), ("general_interest", dataset.general_interest),
            ("retention_period", dataset.retention_period),
            ("spatial_insee", ",".join(dataset.spatial)),
            ("dcat_uri", f"{base}/datasets/{dataset.slug}"))],
        "resources": resources, "num_resources": len(resources),
        "num_tags": len(dataset.keywords),
    }


def _params(request: HttpRequest) -> dict[str, Any]:
    params: dict[str, Any] = {k: v for k, v in request.GET.items()}
    if request.method == "POST" and request.body:
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            body = {k: v for k, v in request.POST.items()}
        if isinstance(body, dict):
            params.update(body)
    return params


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _search(params: dict[str, Any]) -> dict[str, Any]:
    qs = selectors.open_datasets()
    q = str(params.get("q") or "").strip()
    if q and q != "*:*":
        qs = qs.filter(pk__in=search.ranked_ids(q))
    items = list(qs)
    for key, _whole, quoted, bare in _FQ.findall(str(params.get("fq") or "")):
        value = quoted or bare
        if key in ("organization", "owner_org"):
            items = [d for d in items if d.publisher.slug == value]
        elif key == "tags":
            items = [d for d in items if value in d.keywords]
        elif key == "license_id":
            items = [d for d in items if d.licence == value]
        elif key == "groups":
            items = [d for d in items if value.upper() in d.themes]
        elif key == "name":
            items = [d for d in items if d.slug == value]
    sort = str(params.get("sort") or "")
    if sort.startswith("metadata_modified"):
        items.sort(key=lambda d: d.modified or d.created_at, reverse=sort.endswith("desc"))
    elif sort.startswith(("title_string", "name")):
        items.sort(key=lambda d: d.title.lower(), reverse=sort.endswith("desc"))
    rows = min(max(_int(params.get("rows"), 10), 0), MAX_ROWS)
    start = max(_int(params.get("start"), 0), 0)
    return {"count": len(items), "sort": sort or "score desc, metadata_modified desc",
            "results": [package_dict(d) for d in items[start:start + rows]],
            "facets": {}, "search_facets": {}}


@csrf_exempt
def action(request: HttpRequest, name: str) -> JsonResponse:
    """Dispatch one CKAN action (GET query string or POST JSON body)."""
    params = _params(request)
    if name == "status_show":
        return _ok(request, name, {"site_title": settings.SITE_NAME, "site_url": _base(),
                                   "ckan_version": "2.10.0", "api_version": 3,
                                   "extensions": ["spld"], "locale_default": "fr"})
    if name == "help_show":
        # Every answer links here ("help"): say what the action does, as CKAN does.
        about = str(params.get("name") or "")
        if about not in ACTIONS:
            return _error(name, 404, "Not Found Error", f"Action not found: {about}")
        return _ok(request, name, ACTIONS[about])
    if name == "package_list":
        slugs = list(selectors.open_datasets().values_list("slug", flat=True))
        offset = _int(params.get("offset"), 0)
        limit = params.get("limit")
        return _ok(request, name, slugs[offset:offset + _int(limit, len(slugs))] if limit
                   else slugs[offset:])
    if name == "package_show":
        key = str(params.get("id") or params.get("name") or "")
        dataset = selectors.open_datasets().filter(slug=key).first()
        if dataset is None:
            return _error(name, 404, "Not Found Error", "Not found")
        return _ok(request, name, package_dict(dataset))
    if name == "package_search":
        rows = _int(params.get("rows"), 10)
        if rows > MAX_ROWS:
            return _error(name, 409, "Validation Error",
                          f"rows: must be lower or equal to {MAX_ROWS}")
        return _ok(request, name, _search(params))
    if name == "organization_list":
        counts = {}
        for slug in selectors.open_datasets().values_list("publisher__slug", flat=True):
            counts[slug] = counts.get(slug, 0) + 1
        orgs = Organization.objects.order_by("slug")
        if str(params.get("all_fields", "")).lower() in ("true", "1"):
            return _ok(request, name, [organization_dict(o, counts.get(o.slug, 0)) for o in orgs])
        return _ok(request, name, [o.slug for o in orgs])
    if name == "organization_show":
        org = Organization.objects.filter(slug=str(params.get("id") or "")).first()
        if org is None:
            return _error(name, 404, "Not Found Error", "Not found")
        datasets = selectors.open_datasets().filter(publisher=org)
        out = organization_dict(org, datasets.count())
        if str(params.get("include_datasets", "")).lower() in ("true", "1"):
            out["packages"] = [package_dict(d) for d in datasets[:MAX_ROWS]]
        return _ok(request, name, out)
    return _error(name, 400, "Bad Request", f"Action inconnue : {name[:50]}. Actions : "
                  "package_list, package_show, package_search, organization_list, "
                  "organization_show, status_show.")
