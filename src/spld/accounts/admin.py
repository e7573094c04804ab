from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from spld.accounts.models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class SpldUserAdmin(UserAdmin):
    list_display = (
        "email",
        "display_name",
        "is_superuser",
        "is_committee_member",
        "email_verified_at",
    )
    search_fields = ("email", "display_name")
    ordering = ("email",)
    inlines = [MembershipInline]
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("SPLD", {"fields": ("display_name", "email_verified_at", "is_committee_member")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
