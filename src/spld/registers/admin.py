"""Read-only admin: register entries change only through the services (which log them)."""

from typing import Any

from django.contrib import admin

from spld.registers.models import Algorithm, DataFlow, ImpactAssessment, ProcessingActivity, Usage


class ReadOnlyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organization", "updated_at")
    list_filter = ("organization",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


for model in (ProcessingActivity, DataFlow, Usage, Algorithm, ImpactAssessment):
    admin.site.register(model, ReadOnlyAdmin)
