from django.contrib import admin

from gongzhi.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["phone", "display_name", "email", "is_active", "is_staff", "date_joined"]
    search_fields = ["phone", "display_name", "email"]
    exclude = ["password"]
    readonly_fields = ["phone", "phone_verified", "date_joined", "last_login"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "hint", "created_at", "revoked_at"]
    exclude = ["token_hash"]
    raw_id_fields = ["user"]
