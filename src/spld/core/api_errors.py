"""One error body for the whole API: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class ApiError(HttpError):
    """An API error with a stable machine code."""

    def __init__(self, status: int, code: str, message: str, fields: Any = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.fields = fields


def error_body(code: str, message: str, fields: Any = None) -> dict[str, Any]:
    """The error envelope."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        # A body error is located as ("body", <parameter name>, field…): name the field.
        path = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:] or loc
        out.append({"loc": loc, "field": ".".join(path), "message": err.get("msg", "")})
    return out


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Code stable (validation_error…)"},
                "message": {"type": "string", "description": "Message en français"},
                "fields": {"type": "array", "items": {"type": "object"},
                           "description": "Champs en cause : loc, field, message"},
            },
        },
    },
}
ERROR_DESCRIPTIONS = {
    400: "Requête invalide (paramètre mal formé, octet nul…)",
    401: "Authentification requise : jeton absent, inconnu ou révoqué",
    403: "Action non autorisée pour ce jeton ou ce compte",
    404: "Ressource ou référence introuvable",
    409: "Conflit avec l’état de la ressource",
    413: "Fichier trop volumineux",
    422: "Valeurs invalides ; « fields » nomme chaque champ en cause",
    429: "Trop de requêtes : réessayez plus tard",
    503: "Service pas encore configuré",
}
# Reads that accept an optional token (shared or restricted data): 401 and 403 there too.
_OPTIONAL_AUTH = ("/api/1/datasets", "/api/1/resources")


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """Every error status an operation can answer, from what the operation does."""
    statuses = [400, 404, 422, 429]  # malformed, unknown reference, invalid value, throttled
    if operation.get("security") or path.startswith(_OPTIONAL_AUTH):
        statuses += [401, 403]
    if method != "get":
        statuses.append(409)  # state conflicts: duplicates, illegal transitions
    if method == "put" and path.endswith("/file"):
        statuses.append(413)
    if path.endswith("/log/checkpoint"):
        statuses.append(503)
    return sorted(statuses)


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare, on every operation of an OpenAPI document, its error statuses and envelope."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            for param in operation.get("parameters", []):
                # A parameter parsed by hand (to answer 400s) has a text default in Python.
                if param.get("schema", {}).get("type") == "integer" and not isinstance(
                        param["schema"].get("default", 0), int):
                    del param["schema"]["default"]
            responses = operation.setdefault("responses", {})
            for status in error_statuses(path, method, operation):
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": ERROR_DESCRIPTIONS[status],
                                         "content": content}
    return schema


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into the error envelope."""
    build_schema = api.get_openapi_schema

    def get_openapi_schema(*args: Any, **kwargs: Any) -> Any:
        return document_errors(build_schema(*args, **kwargs))

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(
            request,
            422,
            error_body(
                "validation_error",
                _("Certaines valeurs sont invalides."),
                _field_errors(exc.errors),
            ),
        )

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = [
                {"loc": [k], "field": k, "message": " ".join(m for e in v for m in e.messages)}
                for k, v in exc.error_dict.items()
            ]
        else:
            fields = [{"loc": [], "field": "", "message": m} for m in exc.messages]
        return respond(
            request,
            422,
            error_body("validation_error", _("Certaines valeurs sont invalides."), fields),
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            error_body(
                "unauthenticated",
                _("Authentification requise : jeton absent, inconnu ou révoqué."),
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="spld"'
        return response

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(
            request, 403, error_body("forbidden", str(exc) or _("Action non autorisée."))
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", _("Ressource introuvable.")))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = getattr(exc, "code", None) or {
            400: "bad_request",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            429: "throttled",
        }.get(exc.status_code, "error")
        return respond(
            request, exc.status_code, error_body(code, str(exc), getattr(exc, "fields", None))
        )
