"""Django admin site restricted to SPLD administrators."""

from django.contrib import admin
from django.http import HttpRequest

from spld.core.permissions import has_perm


class SpldAdminSite(admin.AdminSite):
    site_header = "SPLD — administration"
    site_title = "SPLD"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_perm(request.user, "admin.access"))
