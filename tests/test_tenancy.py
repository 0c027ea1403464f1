"""Tenancy: every tenant table has a community column, and code names the scope of its queries.

The second test reads the project's source: a tenant model queried through
``Model.objects.filter/get/all/...`` without ``in_community``/``all_communities`` fails it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

from gongzhi.core.tenancy import TenantModel

ROOT = Path(__file__).resolve().parent.parent / "gongzhi"
UNSCOPED_METHODS = {
    "filter",
    "get",
    "all",
    "exclude",
    "first",
    "last",
    "count",
    "values",
    "values_list",
    "update",
    "delete",
    "aggregate",
    "annotate",
    "exists",
    "iterator",
    "order_by",
    "select_related",
    "prefetch_related",
    "select_for_update",
}


def tenant_models() -> set[str]:
    return {m.__name__ for m in apps.get_models() if issubclass(m, TenantModel)}


def test_tenant_models_have_a_community_foreign_key():
    names = tenant_models()
    assert {"Membership", "Activity", "RoleGrant", "Household", "Building"} <= names
    for model in apps.get_models():
        if issubclass(model, TenantModel):
            field = model._meta.get_field("community")
            assert field.related_model._meta.label == "core.Community"


def find_unscoped(source: str, names: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in UNSCOPED_METHODS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "objects"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id in names
        ):
            found.append((node.lineno, f"{node.value.value.id}.objects.{node.attr}"))
    return found


def test_the_check_catches_an_unscoped_query():
    source = (
        "Membership.objects.filter(user=u)\nMembership.objects.in_community(c).filter(user=u)\n"
    )
    assert find_unscoped(source, {"Membership"}) == [(1, "Membership.objects.filter")]


def test_no_unscoped_queries_in_project_code():
    names = tenant_models()
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for line, what in find_unscoped(path.read_text(encoding="utf-8"), names):
            offenders.append(f"{path.relative_to(ROOT.parent)}:{line} {what}")
    assert not offenders, "unscoped tenant queries:\n" + "\n".join(offenders)
