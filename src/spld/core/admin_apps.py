"""App config that swaps in the SPLD admin site."""

from django.contrib.admin.apps import AdminConfig


class SpldAdminConfig(AdminConfig):
    """The Django admin, open to SPLD admins only."""

    default_site = "spld.core.admin_site.SpldAdminSite"
