"""Static pages of the site, « Mes tâches » and the localized error pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from spld.core import selectors
from spld.core.principles import PRINCIPLES


def charter(request: HttpRequest) -> HttpResponse:
    """The charter's principles in short."""
    return render(request, "core/charter.html", {"principles": PRINCIPLES})


def accessibility(request: HttpRequest) -> HttpResponse:
    """Accessibility statement (RGAA)."""
    return render(request, "core/accessibility.html")


def legal(request: HttpRequest) -> HttpResponse:
    """Legal notice and personal-data information."""
    return render(request, "core/legal.html")


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Background tasks started by the signed-in user, with their progress."""
    return render(request, "core/tasks.html", {"tasks": selectors.tasks_of(request.user)})


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON under /api/, a French/English page elsewhere."""
    if _wants_json(request):
        return _api_error(404, "not_found", _("Cette adresse n’existe pas."))
    return render(request, "errors/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page."""
    message = str(exception) if exception and str(exception) else ""
    if _wants_json(request):
        return _api_error(403, "forbidden", message or _("Action non autorisée."))
    return render(request, "errors/403.html", {"message": message}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 page."""
    if _wants_json(request):
        return _api_error(400, "bad_request", _("Requête invalide."))
    return render(request, "errors/400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 page, rendered without a context that could fail again."""
    if _wants_json(request):
        return _api_error(500, "server_error", _("Erreur interne. L’équipe a été prévenue."))
    return render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 when a form lacks its CSRF token (expired page, forged request)."""
    if _wants_json(request):
        return _api_error(403, "csrf_failed", _("Jeton CSRF absent ou invalide."))
    return render(request, "errors/csrf.html", status=403)
