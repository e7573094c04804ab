"""The portal's pages, mounted in the URL namespaces the templates already name.

The home page, the hub and an organisation's page keep their names (`core:home`,
`organizations:detail`…) while their code lives here, above the apps they combine.
"""

from django.urls import path

from spld.core import urls as core_urls
from spld.organizations import urls as organization_urls
from spld.portal import views

core_pages = (
    [
        path("", views.home, name="home"),
        path("transparence/", views.hub, name="hub"),
        *core_urls.urlpatterns,
    ],
    core_urls.app_name,
)

# After the app's own patterns, so that `nouvelle/` is not read as an organisation's slug.
organization_pages = (
    [
        *organization_urls.urlpatterns,
        path("<slug:slug>/", views.organization_detail, name="detail"),
    ],
    organization_urls.app_name,
)
