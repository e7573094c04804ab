"""Pages of the organisations; the portal mounts them with its page under `organizations:`."""

from django.urls import path

from spld.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.organization_list, name="list"),
    path("nouvelle/", views.organization_create, name="create"),
    path("<slug:slug>/modifier/", views.organization_edit, name="edit"),
]
