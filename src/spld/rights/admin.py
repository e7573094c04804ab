"""Admin: notices and the access log, read-only. Citizens' data is never shown here, so that
every staff read goes through the logged back-office."""

from django.contrib import admin

from spld.rights.models import AccessLogEntry, ConsentNotice


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ConsentNotice)
class ConsentNoticeAdmin(ReadOnly):
    list_display = ("organization", "purpose", "version", "language", "created_at")
    list_filter = ("organization", "language")


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnly):
    list_display = ("at", "organization", "staff_id", "record_type", "purpose")
    list_filter = ("organization", "purpose")
