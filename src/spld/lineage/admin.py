"""Admin: the SPLD team can reassign a namespace claimed by the wrong organisation."""

from django.contrib import admin

from spld.lineage.models import DatasetAlias, Namespace


@admin.register(Namespace)
class NamespaceAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "created_at")
    list_filter = ("organization",)
    search_fields = ("name",)


@admin.register(DatasetAlias)
class DatasetAliasAdmin(admin.ModelAdmin):
    list_display = ("namespace", "name", "catalog_dataset", "created_at")
    search_fields = ("namespace", "name")
