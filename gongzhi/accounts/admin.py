"""People in the admin site: read-only, with the few acts on accounts as journalled actions.

Ticking ``is_staff`` or ``is_superuser`` on a form would be a power anyone with the admin could
give (themselves included) without a trace. Here those flags, ``is_active``, and every personal
field are read-only; making or unmaking a platform administrator, blocking an account and
revoking an API token are actions that go through the services in core/services.py, which
refuse to act on oneself and write the platform journal. Residents edit their own profile; the
first platform administrator is appointed at the console (``manage.py platform_admin``).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext_lazy

from gongzhi.accounts.models import ApiToken, User
from gongzhi.accounts.services import api_token_revoke_as_admin
from gongzhi.core import services
from gongzhi.core.admin import ServiceActionsAdmin, service_action


@admin.register(User)
class UserAdmin(ServiceActionsAdmin):
    list_display = [
        "phone",
        "display_name",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
    ]
    list_filter = ["is_superuser", "is_staff", "is_active"]
    search_fields = ["phone", "display_name", "email"]
    exclude = ["password", "groups", "user_permissions"]
    actions = [
        service_action(
            "grant_platform_admin",
            gettext_lazy("Make platform administrator"),
            lambda actor, user: services.platform_admin_grant(actor=actor, user=user),
            ngettext_lazy(
                "%(count)d person made platform administrator.",
                "%(count)d people made platform administrators.",
                "count",
            ),
        ),
        service_action(
            "revoke_platform_admin",
            gettext_lazy("Remove from platform administrators"),
            lambda actor, user: services.platform_admin_revoke(actor=actor, user=user),
            ngettext_lazy(
                "%(count)d person removed from the platform administrators.",
                "%(count)d people removed from the platform administrators.",
                "count",
            ),
        ),
        service_action(
            "deactivate",
            gettext_lazy("Block the account"),
            lambda actor, user: services.user_set_active(actor=actor, user=user, active=False),
            ngettext_lazy("%(count)d account blocked.", "%(count)d accounts blocked.", "count"),
        ),
        service_action(
            "reactivate",
            gettext_lazy("Unblock the account"),
            lambda actor, user: services.user_set_active(actor=actor, user=user, active=True),
            ngettext_lazy("%(count)d account unblocked.", "%(count)d accounts unblocked.", "count"),
        ),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceActionsAdmin):
    list_display = ["user", "name", "hint", "created_at", "revoked_at"]
    exclude = ["token_hash"]
    raw_id_fields = ["user"]
    actions = [
        service_action(
            "revoke",
            gettext_lazy("Revoke the token"),
            lambda actor, token: api_token_revoke_as_admin(actor=actor, token=token),
            ngettext_lazy("%(count)d token revoked.", "%(count)d tokens revoked.", "count"),
        )
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return super().get_queryset(request).select_related("user")
