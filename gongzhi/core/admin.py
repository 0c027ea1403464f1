"""The admin site: a window on the data, and the platform's few acts, through their services.

Every write it offers goes through a service that checks who may and journals the act
(the platform journal for acts above the communities). What has no service is read-only here:
memberships and roles change in the staff console, the journals never change. Third-party
models (Django's groups, allauth's e-mail addresses and authenticators, the task queue) are
read-only too: permissions come from roles (core/policies.py), not from Django's groups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from gongzhi.core import models, services
from gongzhi.core.http import request_user
from gongzhi.core.policies import is_platform_admin

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written."""

    actions: Any = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceAdmin(admin.ModelAdmin):
    """Adds through a service (each subclass's ``create(request, data)``); no bulk actions, no
    deleting unless a subclass routes it through a service too."""

    actions: Any = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        created = self.create(request, form.cleaned_data)  # type: ignore[attr-defined]
        # The admin goes on with ``obj`` (its log entry, the redirect): make it the created row.
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db


@admin.register(models.District)
class DistrictAdmin(ServiceAdmin):
    search_fields = ["name", "slug"]
    fields = ["name", "slug"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.district_create(
            actor=request_user(request), name=data["name"], slug=data["slug"]
        )


@admin.register(models.Street)
class StreetAdmin(ServiceAdmin):
    list_display = ["name", "district", "slug"]
    search_fields = ["name", "slug"]
    fields = ["district", "name", "slug"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.street_create(
            actor=request_user(request),
            district=data["district"],
            name=data["name"],
            slug=data["slug"],
        )


@admin.register(models.Community)
class CommunityAdmin(ServiceAdmin):
    list_display = ["name", "street", "slug"]
    search_fields = ["name", "slug"]
    fields = ["street", "name", "slug", "description"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A community's address (slug) and street stay: links and officials' remits hang on them.
        return ["street", "slug"] if obj is not None else []

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.community_create(
            actor=request_user(request),
            street=data["street"],
            name=data["name"],
            slug=data["slug"],
            description=data.get("description", ""),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        services.community_update(
            actor=request_user(request),
            community=obj,
            name=form.cleaned_data["name"],
            description=form.cleaned_data.get("description", ""),
        )


class OversightForm(forms.ModelForm):
    actor: Any = None

    class Meta:
        model = models.Oversight
        fields = ["user", "street", "district"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user = data.get("user")
        if user is not None:
            services.refuse_self_appointment(self.actor, user)
        return data


@admin.register(models.Oversight)
class OversightAdmin(ServiceAdmin):
    """Street (or district) officials: appointed and removed through the services, journalled."""

    list_display = ["user", "street", "district"]
    raw_id_fields = ["user"]
    form = OversightForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("OversightFormFor", (form,), {"actor": request_user(request)})

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.oversight_grant(
            actor=request_user(request),
            user=data["user"],
            street=data.get("street"),
            district=data.get("district"),
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nobody removes themselves either.
        return is_platform_admin(request.user) and (obj is None or obj.user_id != request.user.pk)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.oversight_revoke(actor=request_user(request), oversight=obj)


@admin.register(models.Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Joining, verifying, roles and group flags happen in the staff console, which journals."""

    list_display = ["user", "community", "verified_at", "verification_method"]
    list_filter = ["community", "verification_method"]
    search_fields = ["user__phone", "user__display_name"]


@admin.register(models.Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """The journal is append-only, also for administrators."""

    list_display = ["community", "seq", "at", "verb", "actor", "on_behalf_of"]
    list_filter = ["community", "verb"]


@admin.register(models.PlatformActivity)
class PlatformActivityAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "verb", "actor", "target_type", "target_id", "data"]
    list_filter = ["verb"]
    ordering = ["-seq"]


def _read_only(model: type[Model]) -> None:
    """Re-register another app's admin as read-only."""
    if not admin.site.is_registered(model):
        return
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{base.__name__}", (ReadOnlyAdmin, base), {}))


def _read_only_third_party() -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django_tasks_db.models import DBTaskResult

    if admin.site.is_registered(Group):
        admin.site.unregister(Group)  # unused: permissions come from roles
    for model in (EmailAddress, Authenticator, DBTaskResult):
        _read_only(model)


_read_only_third_party()


def service_action(name: str, description: Any, act: Callable[[User, Any], bool], done: Any) -> Any:
    """An admin action that calls a service for each selected row: ``act(actor, row)`` returns
    whether it changed the row; refusals are shown, not raised. ``done`` is an
    ``ngettext_lazy(..., "count")`` message for how many changed. Offered to platform admins
    only (the services check again)."""

    @admin.action(description=description)
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = 0
        for row in queryset:
            try:
                count += bool(act(request_user(request), row))
            except ValidationError as exc:
                messages.error(request, f"{row}: {' '.join(exc.messages)}")
        if count:
            messages.success(request, done % {"count": count})

    action.__name__ = name
    return action


class ServiceActionsAdmin(ReadOnlyAdmin):
    """Read-only, with ``service_action``s for platform admins."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if is_platform_admin(request.user) else {}
