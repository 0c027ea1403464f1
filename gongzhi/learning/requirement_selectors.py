"""Reads of the requirements part: every role a community may make require a qualification,
whether it does (from when), and who kept the role without it — for the requirements page, the
API and the learning home's section."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.http import Http404
from django.utils import timezone

from gongzhi.core import qualifications, requirements
from gongzhi.core.models import Community, RequirementExemption, RoleRequirement


@dataclass
class Kept:
    person: Any
    #: holds the qualification today (qualified since it was turned on)
    qualified: bool


@dataclass
class RoleRow:
    role: str
    label: str
    suggested: str
    suggested_label: str
    #: the requirement turned on and not off (it may apply from a later day), or None
    requirement: RoleRequirement | None = None
    kept: list[Kept] = field(default_factory=list)

    @property
    def required_label(self) -> str:
        return qualifications.label(self.requirement.qualification) if self.requirement else ""

    @property
    def applies(self) -> bool:
        return self.requirement is not None and self.requirement.applies_from <= (
            timezone.localdate()
        )


def can_manage(user: Any, community: Community) -> bool:
    return bool(rules.has_perm("core.manage_requirements", user, community))


def current(community: Community) -> dict[str, RoleRequirement]:
    """``{role: requirement}`` of the requirements turned on and not off."""
    return {
        r.role: r
        for r in RoleRequirement.objects.in_community(community).filter(turned_off_at__isnull=True)
    }


def rows(community: Community, *, with_kept: bool = True) -> list[RoleRow]:
    """Every requirable role, core's first then the apps', with its requirement if on."""
    on = current(community)
    kept: dict[int, list[Any]] = {}
    if with_kept and on:
        for exemption in (
            RequirementExemption.objects.in_community(community)
            .filter(requirement__in=list(on.values()))
            .select_related("person")
            .order_by("pk")
        ):
            kept.setdefault(exemption.requirement_id, []).append(exemption.person)
    today = timezone.localdate()
    out = []
    for code, role in requirements.registry().items():
        requirement = on.get(code)
        people = kept.get(requirement.pk, []) if requirement else []
        out.append(
            RoleRow(
                role=code,
                label=str(role.label),
                suggested=role.suggested,
                suggested_label=qualifications.label(role.suggested) if role.suggested else "",
                requirement=requirement,
                kept=[
                    Kept(
                        person=p,
                        qualified=not qualifications.missing(p, [requirement.qualification], today),
                    )
                    for p in people
                    if requirement is not None
                ],
            )
        )
    return out


def requirement_get(*, community: Community, user: Any, requirement_id: int) -> RoleRequirement:
    """A requirement of ``community`` the user may manage; 404 otherwise (as a missing one)."""
    found = (
        RoleRequirement.objects.in_community(community)
        .select_related("community")
        .filter(pk=requirement_id)
        .first()
    )
    if found is None or not can_manage(user, community):
        raise Http404
    return found


def kept_ids(requirement: RoleRequirement) -> list[int]:
    return list(
        RequirementExemption.objects.in_community(requirement.community_id)
        .filter(requirement=requirement)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


def hub(community: Community, viewer: Any) -> dict[str, Any]:
    """The learning home's section: the roles that need a qualification here (for everyone:
    a resident sees which course leads to which role), and the page's link for staff."""
    on = sorted(current(community).values(), key=lambda r: (r.applies_from, r.role))
    return {
        "can_manage": can_manage(viewer, community),
        "required": [
            {
                "role": requirements.label_of(r.role),
                "qualification": qualifications.label(r.qualification),
                "applies_from": r.applies_from,
            }
            for r in on
        ],
    }


def mine(community: Community, user: Any) -> dict[str, Any]:
    """ "My learning"'s section: the roles I keep here without the qualification they now need
    (still lacking it today), each with the open courses that grant it."""
    from gongzhi.learning.models import Course, CourseStatus

    if not getattr(user, "is_authenticated", False):
        return {"kept": []}
    today = timezone.localdate()
    kept = []
    for exemption in (
        RequirementExemption.objects.in_community(community)
        .filter(person=user, requirement__turned_off_at__isnull=True)
        .select_related("requirement")
        .order_by("pk")
    ):
        requirement = exemption.requirement
        if not qualifications.missing(user, [requirement.qualification], today):
            continue
        kept.append(
            {
                "role": requirements.label_of(requirement.role),
                "qualification": qualifications.label(requirement.qualification),
                "applies_from": requirement.applies_from,
                "courses": list(
                    Course.objects.in_community(community)
                    .filter(qualification=requirement.qualification, status=CourseStatus.OPEN)
                    .order_by("pk")[:3]
                ),
            }
        )
    return {"kept": kept}
