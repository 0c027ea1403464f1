"""The community (社区) is the tenant.

Every tenant-owned table inherits ``TenantModel``: it carries a ``community`` foreign key (the
distribution column when a city shards by community, see docs/operations.md), and its manager
makes the scoped query the short one to write:

    Membership.objects.in_community(community).filter(...)   # the normal path
    Membership.objects.all_communities().filter(...)         # cross-tenant: stands out

``tests/test_tenancy.py`` reads the project's code and fails when a tenant model is queried
through ``objects.filter/get/all/...`` without naming its scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

if TYPE_CHECKING:
    from gongzhi.core.models import Community

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet[M], Generic[M]):
    """A queryset that, once scoped, also creates rows in its community."""

    _scope: Any = None

    def _clone(self) -> TenantQuerySet[M]:
        clone = super()._clone()  # type: ignore[misc]
        clone._scope = self._scope
        return clone

    def in_community(self, community: Community | int) -> TenantQuerySet[M]:
        scoped = self.filter(community=community)
        scoped._scope = community
        return scoped

    def _with_scope(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if self._scope is not None and "community" not in kwargs and "community_id" not in kwargs:
            key = "community_id" if isinstance(self._scope, int) else "community"
            kwargs[key] = self._scope
        return kwargs

    def create(self, **kwargs: Any) -> M:
        return super().create(**self._with_scope(kwargs))

    def get_or_create(self, defaults: Any = None, **kwargs: Any) -> tuple[M, bool]:
        return super().get_or_create(defaults=defaults, **self._with_scope(kwargs))

    def update_or_create(
        self, defaults: Any = None, create_defaults: Any = None, **kwargs: Any
    ) -> tuple[M, bool]:
        return super().update_or_create(
            defaults=defaults, create_defaults=create_defaults, **self._with_scope(kwargs)
        )

    def in_communities(self, communities: Iterable[Community] | Any) -> TenantQuerySet[M]:
        return self.filter(community__in=communities)

    def all_communities(self) -> TenantQuerySet[M]:
        """Every community's rows: for officials' aggregates, commands and the admin."""
        return self.all()


class TenantManager(models.Manager[M], Generic[M]):
    def get_queryset(self) -> TenantQuerySet[M]:
        return TenantQuerySet(self.model, using=self._db)

    def in_community(self, community: Community | int) -> TenantQuerySet[M]:
        return self.get_queryset().in_community(community)

    def in_communities(self, communities: Iterable[Community] | Any) -> TenantQuerySet[M]:
        return self.get_queryset().in_communities(communities)

    def all_communities(self) -> TenantQuerySet[M]:
        return self.get_queryset()


class TenantModel(models.Model):
    community = models.ForeignKey("core.Community", on_delete=models.CASCADE, related_name="+")

    objects: TenantManager[Any] = TenantManager()

    class Meta:
        abstract = True
