from django.urls import path

from spld.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("nouveau/", views.dataset_create, name="create"),
    path("<slug:slug>/", views.dataset_detail, name="detail"),
    path("<slug:slug>/modifier/", views.dataset_edit, name="edit"),
    path("<slug:slug>/publier/", views.dataset_publish, name="publish"),
    path("<slug:slug>/ressources/ajouter/", views.resource_add, name="resource_add"),
    path("<slug:slug>/ressources/<uuid:rid>/nouvelle-version/", views.resource_version,
         name="resource_version"),
]
