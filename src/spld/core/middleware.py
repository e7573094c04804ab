"""Security headers that Django does not set by itself."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    """Add Permissions-Policy and Cross-Origin-Resource-Policy to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-site")
        return response


class RejectNulBytesMiddleware:
    """Refuse NUL bytes in the path or query with a 400 (PostgreSQL text cannot hold them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            from spld.core.views import bad_request

            return bad_request(request)
        return self.get_response(request)


class HealthCheckMiddleware:
    """Answer /healthz before host checks and the HTTPS redirect (load balancers, local checks)."""

    PATH = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != self.PATH:
            return self.get_response(request)
        from django.db import DatabaseError, connection
        from django.http import JsonResponse

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            status, code = "ok", 200
        except DatabaseError:
            # No details: the endpoint is public; the server log has the error.
            import logging

            logging.getLogger(__name__).exception("health check: database unreachable")
            status, code = "database unreachable", 503
        response = JsonResponse({"status": status}, status=code)
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class MailUnavailableMiddleware:
    """Turn an unreachable mail server into a 503 page that says so (views may do better)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from spld.core.mail import MailUnavailable

        if not isinstance(exception, MailUnavailable):
            return None
        from django.shortcuts import render

        response = render(request, "errors/503_mail.html", status=503)
        response["Retry-After"] = "300"
        return response
