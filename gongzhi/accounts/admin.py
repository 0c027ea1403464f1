"""People in the admin site: read-only, with the few acts on accounts as journalled actions.

Ticking ``is_staff`` or ``is_superuser`` on a form would be a power anyone with the admin could
give (themselves included) without a trace. Here those flags, ``is_active``, and every personal
field are read-only; making or unmaking a platform administrator, blocking an account and
revoking an API token are actions that go through the services in core/services.py, which
refuse to act on oneself and write the platform journal. Residents edit their own profile; the
first platform administrator is appointed at the console (``manage.py platform_admin``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext

from gongzhi.accounts.models import ApiToken, User
from gongzhi.core import services
from gongzhi.core.admin import ReadOnlyAdmin, actor, run_service


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
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
    actions = ["grant_platform_admin", "revoke_platform_admin", "deactivate", "reactivate"]

    @admin.action(description=gettext_lazy("Make platform administrator"))
    def grant_platform_admin(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        run_service(
            request,
            queryset,
            lambda user: services.platform_admin_grant(actor=actor(request), user=user),
            lambda n: (
                ngettext(
                    "%(count)d person made platform administrator.",
                    "%(count)d people made platform administrators.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Remove from platform administrators"))
    def revoke_platform_admin(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        run_service(
            request,
            queryset,
            lambda user: services.platform_admin_revoke(actor=actor(request), user=user),
            lambda n: (
                ngettext(
                    "%(count)d person removed from the platform administrators.",
                    "%(count)d people removed from the platform administrators.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Block the account"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        run_service(
            request,
            queryset,
            lambda user: services.user_set_active(actor=actor(request), user=user, active=False),
            lambda n: (
                ngettext("%(count)d account blocked.", "%(count)d accounts blocked.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=gettext_lazy("Unblock the account"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        run_service(
            request,
            queryset,
            lambda user: services.user_set_active(actor=actor(request), user=user, active=True),
            lambda n: (
                ngettext("%(count)d account unblocked.", "%(count)d accounts unblocked.", n)
                % {"count": n}
            ),
        )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Only platform admins are offered them (and the services check again).
        return super().get_actions(request) if request.user.is_superuser else {}


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "hint", "created_at", "revoked_at"]
    exclude = ["token_hash"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    @admin.action(description=gettext_lazy("Revoke the token"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        run_service(
            request,
            queryset.select_related("user"),
            lambda token: services.api_token_revoke_as_admin(actor=actor(request), token=token),
            lambda n: (
                ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", n) % {"count": n}
            ),
        )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if request.user.is_superuser else {}
