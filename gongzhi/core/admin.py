from django.contrib import admin

from gongzhi.core import models


@admin.register(models.District, models.Street)
class PlaceAdmin(admin.ModelAdmin):
    search_fields = ["name", "slug"]


@admin.register(models.Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "slug"]
    search_fields = ["name", "slug"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "verified_at", "verification_method"]
    list_filter = ["community", "verification_method"]
    raw_id_fields = ["user", "household", "verified_by"]
    # Verification goes through the staff console, which journals it.
    readonly_fields = ["verified_at", "verified_by", "verification_method"]
    search_fields = ["user__phone", "user__display_name"]


@admin.register(models.Oversight)
class OversightAdmin(admin.ModelAdmin):
    list_display = ["user", "street", "district"]
    raw_id_fields = ["user"]


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Read-only: the journal is append-only, also for administrators."""

    list_display = ["community", "seq", "at", "verb", "actor", "on_behalf_of"]
    list_filter = ["community", "verb"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
