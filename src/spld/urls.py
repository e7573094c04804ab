"""URL map: French public pages (English under /en/), the API and the admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from spld.api import api
from spld.portal import urls as portal

handler400 = "spld.core.views.bad_request"
handler403 = "spld.core.views.permission_denied"
handler404 = "spld.core.views.page_not_found"
handler500 = "spld.core.views.server_error"

urlpatterns = [
    path("api/1/", api.urls),
    path("api/v1/", include("spld.lineage.api_urls")),
    path("", include("spld.rights.urls_machine")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("log/", include("spld.ledger.public_urls")),
    path("", include("spld.catalog.machine_urls")),
]

urlpatterns += i18n_patterns(
    path("", include(portal.core_pages)),
    path("organisations/", include(portal.organization_pages)),
    path("donnees/", include("spld.catalog.urls")),
    path("charte/", include("spld.charter.urls")),
    path("compte/", include("spld.accounts.urls")),
    path("", include("spld.rights.urls")),
    path("journal/", include("spld.ledger.urls")),
    path("registres/", include("spld.registers.urls")),
    path("lignage/", include("spld.lineage.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
