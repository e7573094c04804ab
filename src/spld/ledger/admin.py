"""Admin views of the log: read only, since every write must go through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from spld.ledger.models import Checkpoint, Cosignature, LogEntry, Witness


class ReadOnlyAdmin(admin.ModelAdmin):
    """Entries, checkpoints and witnesses change only through spld.ledger.services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ("index", "subject_type", "subject_id", "action", "actor_org", "at")
    list_filter = ("subject_type", "action")
    search_fields = ("subject_id",)
    exclude = ("leaf", "leaf_hash", "payload")


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("size", "created_at")


@admin.register(Witness)
class WitnessAdmin(ReadOnlyAdmin):
    list_display = ("label", "name", "organization", "active")


@admin.register(Cosignature)
class CosignatureAdmin(ReadOnlyAdmin):
    list_display = ("witness", "checkpoint", "timestamp")
