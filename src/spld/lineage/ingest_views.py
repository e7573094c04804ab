"""OpenLineage HTTP endpoints at /api/v1/lineage (the path producers' HttpTransport uses)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from spld.accounts import services as account_services
from spld.core.api_errors import error_body
from spld.lineage import services
from spld.lineage.validation import EventError

MAX_BATCH = 5000
MAX_INFLATED = 64 * 1024 * 1024


def _error(status: int, code: str, message: str, fields: Any = None) -> JsonResponse:
    response = JsonResponse(error_body(code, message, fields), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="spld"'
    return response


def _actor(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return account_services.authenticate_token(token.strip())


def _body(request: HttpRequest) -> Any:
    raw = request.body
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        raw = inflater.decompress(raw, MAX_INFLATED)
        if inflater.unconsumed_tail:  # refuse gzip bombs
            raise ValueError("inflated body too large")
    return json.loads(raw)


def _parse(request: HttpRequest) -> tuple[Any, Any, JsonResponse | None]:
    actor = _actor(request)
    if actor is None:
        return None, None, _error(401, "unauthenticated", _(
            "Authentification requise : jeton d’organisation (Authorization: Bearer …)."))
    try:
        return actor, _body(request), None
    except RequestDataTooBig:
        return actor, None, _error(413, "too_large", _(
            "Corps trop volumineux : envoyez des lots plus petits."))
    except (ValueError, OSError, EOFError, zlib.error):
        return actor, None, _error(400, "invalid_json", _("Le corps n’est pas du JSON valide."))


@csrf_exempt
@require_POST
def lineage_event(request: HttpRequest) -> JsonResponse:
    """One OpenLineage event: 201 stored, 200 duplicate, 400 invalid, 403 foreign namespace."""
    actor, event, failure = _parse(request)
    if failure:
        return failure
    try:
        result = services.ingest_one(actor=actor, event=event)
    except EventError as exc:
        return _error(400, "invalid_event", _("Événement OpenLineage invalide."), exc.errors)
    except PermissionDenied as exc:
        return _error(403, "forbidden", str(exc))
    return JsonResponse(result, status=201 if result["status"] == "created" else 200)


@csrf_exempt
@require_POST
def lineage_batch(request: HttpRequest) -> JsonResponse:
    """An array of events: 200 with one summary line per event."""
    actor, events, failure = _parse(request)
    if failure:
        return failure
    if isinstance(events, dict) and isinstance(events.get("events"), list):
        events = events["events"]
    if not isinstance(events, list):
        return _error(400, "invalid_batch", _("Un tableau d’événements est attendu."))
    if len(events) > MAX_BATCH:
        return _error(413, "too_large", _("{n} événements au plus par lot.").format(n=MAX_BATCH))
    try:
        summary = services.ingest(actor=actor, events=events)
    except PermissionDenied as exc:
        return _error(403, "forbidden", str(exc))
    counts: dict[str, int] = {}
    for row in summary:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return JsonResponse({"received": len(events), "counts": counts, "events": summary})
