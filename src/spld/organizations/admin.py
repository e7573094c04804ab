from django.contrib import admin

from spld.organizations.models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "siren", "slug")
    list_filter = ("kind",)
    search_fields = ("name", "siren", "slug")
    # Changes go through services so that they reach the transparency log.
    readonly_fields = (
        "slug",
        "name",
        "siren",
        "kind",
        "description",
        "territory",
        "website",
        "dpo_contact",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
