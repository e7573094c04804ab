"""Admin pages of the catalogue: datasets and resources (read-only), harvest sources, runs."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from spld.catalog.models import Dataset, HarvestRun, HarvestSource, Resource


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("title", "publisher", "access_level", "status", "modified", "downloads")
    list_filter = ("status", "access_level", "licence")
    search_fields = ("title", "slug")
    # Read-only (the SPLD admin site makes every public record so): datasets change only
    # through the services, which validate and log each change.


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "dataset", "ingest_status", "current_version")
    readonly_fields = ("rid", "current_version", "ingest_status", "ingest_error",
                       "ingest_report")


class HarvestRunInline(admin.TabularInline):
    model = HarvestRun
    extra = 0
    readonly_fields = ("started_at", "finished_at", "created", "updated", "deleted", "errors")
    can_delete = False


@admin.register(HarvestSource)
class HarvestSourceAdmin(admin.ModelAdmin):
    list_display = ("url", "kind", "publisher", "created_at")
    inlines = [HarvestRunInline]
    actions = ["run_now"]

    @admin.action(description="Moissonner maintenant (tâche en arrière-plan)")
    def run_now(self, request: HttpRequest, queryset: Any) -> None:
        from spld.catalog.tasks import harvest_source, serialize_actor

        for source in queryset:
            harvest_source.enqueue(source.pk, serialize_actor(request.user))
        n = queryset.count()
        messages.success(request, f"{n} moissonnage mis en file." if n <= 1
                         else f"{n} moissonnages mis en file.")


