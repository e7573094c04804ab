"""Django admin site restricted to SPLD administrators."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from spld.core.permissions import has_perm


class SpldAdminSite(admin.AdminSite):
    site_header = "SPLD — administration"
    site_title = "SPLD"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_perm(request.user, "admin.access"))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """One sign-in page for everyone, so the admin cannot bypass its throttling."""
        if request.user.is_authenticated:
            raise PermissionDenied(_("L’administration est réservée à l’équipe SPLD."))
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, reverse("accounts:login"))
