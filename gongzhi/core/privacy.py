"""A person's rights over their data (PIPL art. 45: a copy; art. 47: erasure).

Each app declares in its ``manifest.py`` what it holds about a person, as ``PRIVACY = {name:
Holding(...)}``: a label, the module with its ``export(user)`` and ``erase(user)``, and what the
law makes it keep (pseudonymised) instead of deleting. This module runs them all: core imports
no feature app, it reads the manifests (``core.manifests.collect``).

- ``export(user) -> list[Section]``: the person's rows, as JSON-ready dicts (ids, dates as ISO
  text). Only that person's data: another person appears at most by an id.
- ``erase(user) -> dict[str, int]``: deletes or empties what is theirs, inside the caller's
  transaction, and says how many rows of each kind it touched. Rows the law keeps stay and
  point at the person's account, which ``accounts.services.account_erase`` turns into a
  tombstone afterwards (no phone, name or login): that is the pseudonymisation. The journal
  chain hashes ``actor_id``, never a name, so it still verifies.

Core's own holding (memberships, roles, roster entries, household letters, the journal) is at the
bottom of this module.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.manifests import collect
from gongzhi.core.models import (
    Activity,
    CalendarFeed,
    CheckIn,
    HouseholdCode,
    Membership,
    Oversight,
    PlatformActivity,
    RequirementExemption,
    RoleGrant,
    RosterEntry,
)


@dataclass(frozen=True)
class Holding:
    """What one app holds about a person, and where its exporter and eraser live."""

    label: Any
    module: str
    #: What the law makes the app keep after an erasure (kept pseudonymised), for the page.
    kept: tuple[Any, ...] = ()
    #: Erasers run in this order (lowest first); the account itself goes last.
    order: int = 50


@dataclass
class Section:
    """One kind of row in an export: a stable key for the JSON, a label for the page."""

    key: str
    label: Any
    rows: list[dict[str, Any]] = field(default_factory=list)


#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "core.Membership.user",
        "core.Membership.verified_by",
        "core.RoleGrant.granted_by",
        "core.Oversight.user",
        "core.RosterImport.uploaded_by",
        "core.RosterEntry.claimed_by",
        "core.HouseholdCode.created_by",
        "core.HouseholdCode.used_by",
        "core.Activity.actor",
        "core.Activity.on_behalf_of",
        "core.PlatformActivity.actor",
        "core.CheckIn.person",
        "core.CalendarFeed.person",
        "core.RequirementExemption.person",
        # A worker's act (turning a requirement on or off), in the journal: kept.
        "core.RoleRequirement.turned_on_by",
        "core.RoleRequirement.turned_off_by",
    }
)


def holdings() -> list[tuple[str, Holding]]:
    registered = collect("PRIVACY")
    items = [(name, h) for name, h in registered.items() if isinstance(h, Holding)]
    return sorted(items, key=lambda item: (item[1].order, item[0]))


def plain(value: Any) -> Any:
    """A value as JSON can carry it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def rows(queryset: Iterable[Any], **columns: Any) -> list[dict[str, Any]]:
    """``columns``: name -> attribute path ("community.slug") or a function of the row."""
    out = []
    for obj in queryset:
        row = {}
        for name, spec in columns.items():
            if callable(spec):
                value = spec(obj)
            else:
                value = obj
                for part in spec.split("."):
                    value = getattr(value, part) if value is not None else None
            row[name] = plain(value)
        out.append(row)
    return out


def delete_files(files: Iterable[Any]) -> int:
    """Delete stored uploads (photos, attachments) from storage; returns how many."""
    count = 0
    for stored in files:
        name = getattr(stored, "name", stored)
        if name and default_storage.exists(name):
            default_storage.delete(name)
            count += 1
    return count


def person_export(user: Any) -> dict[str, Any]:
    """Everything the platform holds about ``user``: {app: {"label", "sections", "kept"}}."""
    result: dict[str, Any] = {}
    for name, holding in holdings():
        module = importlib.import_module(holding.module)
        sections: list[Section] = module.export(user)
        result[name] = {
            "label": str(holding.label),
            "sections": [{"key": s.key, "label": str(s.label), "rows": s.rows} for s in sections],
            "kept_after_erasure": [str(k) for k in holding.kept],
        }
    return result


def person_export_json(user: Any) -> dict[str, Any]:
    """The download: per app and section, the rows (labels are for the page)."""
    return {
        name: {section["key"]: section["rows"] for section in app["sections"]}
        for name, app in person_export(user).items()
    }


def person_erase(user: Any) -> dict[str, dict[str, int]]:
    """Run every app's eraser for ``user`` (inside the caller's transaction)."""
    done: dict[str, dict[str, int]] = {}
    for name, holding in holdings():
        module = importlib.import_module(holding.module)
        done[name] = module.erase(user)
    return done


def kept_everywhere() -> list[tuple[str, list[str]]]:
    """What each app keeps after an erasure, for the page that explains it beforehand."""
    return [(str(h.label), [str(k) for k in h.kept]) for _name, h in holdings() if h.kept]


# --- Core's own holding -----------------------------------------------------------------------


def export(user: Any) -> list[Section]:
    memberships = (
        Membership.objects.all_communities()
        .filter(user=user)
        .select_related("community", "household__building")
        .order_by("pk")
    )
    grants = (
        RoleGrant.objects.all_communities()
        .filter(membership__user=user)
        .select_related("community")
        .order_by("pk")
    )
    roster = (
        RosterEntry.objects.all_communities()
        .filter(models.Q(claimed_by=user) | models.Q(phone=user.phone))
        .select_related("community", "household__building")
        .order_by("pk")
    )
    codes = (
        HouseholdCode.objects.all_communities()
        .filter(used_by=user)
        .select_related("community", "household__building")
        .order_by("pk")
    )
    oversights = Oversight.objects.filter(user=user).select_related("street", "district")
    journal = (
        Activity.objects.all_communities()
        .filter(models.Q(actor=user) | models.Q(on_behalf_of=user))
        .select_related("community")
        .order_by("community_id", "pk")
    )
    return [
        Section(
            "memberships",
            _("Communities I belong to"),
            rows(
                memberships,
                community="community.slug",
                community_name="community.name",
                household=lambda m: str(m.household) if m.household else None,
                joined_at="joined_at",
                verified_at="verified_at",
                verification_method="verification_method",
                groups_consented_at="groups_consented_at",
                is_elderly="is_elderly",
                has_disability="has_disability",
                is_low_income="is_low_income",
                birth_year="birth_year",
            ),
        ),
        Section(
            "roles",
            _("Roles I hold"),
            rows(grants, community="community.slug", role="role", granted_at="granted_at"),
        ),
        Section(
            "roles_kept",
            _("Roles I keep without a qualification they now need"),
            rows(
                RequirementExemption.objects.all_communities()
                .filter(person=user)
                .select_related("community", "requirement")
                .order_by("pk"),
                community="community.slug",
                role="requirement.role",
                qualification="requirement.qualification",
                kept_since="created_at",
                reminded_at="reminded_at",
            ),
        ),
        Section(
            "check_ins",
            _("Where I checked in"),
            rows(
                CheckIn.objects.all_communities().filter(person=user).order_by("pk"),
                community="community.slug",
                at="at",
            ),
        ),
        Section(
            "roster_entries",
            _("Resident rosters that name me"),
            rows(
                roster,
                community="community.slug",
                phone="phone",
                name="name",
                household=lambda r: str(r.household) if r.household else None,
                claimed_at="claimed_at",
            ),
        ),
        Section(
            "household_codes",
            _("Household letter codes I used"),
            rows(
                codes,
                community="community.slug",
                household=lambda c: str(c.household),
                used_at="used_at",
            ),
        ),
        Section(
            "oversight",
            _("Streets and districts I oversee"),
            rows(
                oversights,
                street=lambda o: o.street.name if o.street else None,
                district=lambda o: o.district.name if o.district else None,
            ),
        ),
        Section(
            "journal",
            _("My entries in the activity journal"),
            rows(
                journal,
                community="community.slug",
                seq="seq",
                at="at",
                verb="verb",
                by_me=lambda a: a.actor_id == user.pk,
                for_me=lambda a: a.on_behalf_of_id == user.pk,
                data="data",
            ),
        ),
        *_platform_journal(user),
    ]


def _platform_journal(user: Any) -> list[Section]:
    """The platform's own journal: acts above the communities (appointments, an erasure)."""
    entries = PlatformActivity.objects.filter(actor=user).order_by("pk")
    return [
        Section(
            "platform_journal",
            _("My entries in the platform's journal"),
            rows(entries, seq="seq", at="at", verb="verb", data="data"),
        )
    ]


def erase(user: Any) -> dict[str, int]:
    """Memberships go (with their household, group flags and roles, and the roles kept without
    a qualification): the person has left. Roster rows naming their phone go. The journal and the household letters they used stay,
    pointing at the tombstone account."""
    grants = RoleGrant.objects.all_communities().filter(membership__user=user).delete()[0]
    memberships = Membership.objects.all_communities().filter(user=user).delete()[0]
    roster = (
        RosterEntry.objects.all_communities()
        .filter(models.Q(claimed_by=user) | models.Q(phone=user.phone))
        .delete()[0]
    )
    oversights = Oversight.objects.filter(user=user).delete()[0]
    check_ins = CheckIn.objects.all_communities().filter(person=user).delete()[0]
    CalendarFeed.objects.filter(person=user).delete()
    kept = RequirementExemption.objects.all_communities().filter(person=user).delete()[0]
    return {
        "roles_kept": kept,
        "check_ins": check_ins,
        "memberships": memberships,
        "roles": grants,
        "roster_entries": roster,
        "oversight": oversights,
    }
