"""Django admin site restricted to SPLD administrators."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from spld.core.models import PublicRecord
from spld.core.permissions import has_perm


class PublicRecordReadOnly:
    """Admin mixin: public records are viewed here, changed only through the logging services."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SpldAdminSite(admin.AdminSite):
    site_header = "SPLD — administration"
    site_title = "SPLD"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_perm(request.user, "admin.access"))

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Register as usual, but every public record's admin is made read-only."""
        # No change without a log entry: an admin form would save (or delete) a public record
        # without the service that logs it, so no app can register one writable, even by
        # forgetting. Writes go through services (views, API, commands).
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(
            model_or_iterable)
        for model in models:
            cls = admin_class or admin.ModelAdmin
            if issubclass(model, PublicRecord) and not issubclass(cls, PublicRecordReadOnly):
                cls = type(f"ReadOnly{cls.__name__}", (PublicRecordReadOnly, cls), {})
            super().register(model, cls, **options)
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """One sign-in page for everyone, so the admin cannot bypass its throttling."""
        if request.user.is_authenticated:
            raise PermissionDenied(_("L’administration est réservée à l’équipe SPLD."))
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, reverse("accounts:login"))
