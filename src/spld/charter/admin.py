"""Admin of the charter: read-mostly views (writes go through services) and the report button."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse

from spld.charter.models import (
    Alert,
    AnnualReport,
    CharterVersion,
    CommitteeMeeting,
    CommitteeMember,
    Evaluation,
    Exclusion,
    Membership,
    Opinion,
)


class ReadOnly(admin.ModelAdmin):
    # Public records change only through services so that every change reaches the log.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnly):
    list_display = ("organization", "status", "status_since", "route")
    list_filter = ("status", "route")


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ("membership", "level", "principle", "status", "deadline")
    list_filter = ("status", "level", "origin")


for model in (CharterVersion, Evaluation, Exclusion, CommitteeMember, CommitteeMeeting, Opinion):
    admin.site.register(model, ReadOnly)


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnly):
    list_display = ("year", "status", "readability", "pdf_sha256", "published_at")
    change_list_template = "admin/charter/annualreport/change_list.html"

    def get_urls(self) -> list[Any]:
        return [path("generer/", self.admin_site.admin_view(self.generate),
                     name="charter_annualreport_generate"), *super().get_urls()]

    def generate(self, request: HttpRequest) -> HttpResponse:
        """The admin button: queue last year's report (or ?year=) as a background task."""
        from django.utils import timezone

        from spld.charter.tasks import generate_report_task
        from spld.core import progress
        from spld.core.permissions import require

        require(request.user, "charter.manage")
        if request.method != "POST":
            return redirect(reverse("admin:charter_annualreport_changelist"))
        try:
            year = int(request.POST.get("year") or timezone.localdate().year - 1)
        except ValueError:
            messages.error(request, "Année invalide.")
            return redirect(reverse("admin:charter_annualreport_changelist"))
        result = generate_report_task.enqueue(year, request.user.pk)
        progress.track(result, owner=request.user, label=f"Rapport annuel {year}")
        messages.success(request, f"Génération du rapport {year} lancée (voir « Mes tâches »).")
        return redirect(reverse("admin:charter_annualreport_changelist"))
