"""Role requirements (R8.1): a role that needs a qualification in a community — a mediator
mediation training, the chair of a council meeting the chairing course — checked when the role
is given, without core knowing the app that trains people or the apps that give the roles.

- The roles: ``core.Role``'s grantable roles (core's manifest) and any role an app declares in
  its manifest's ``REQUIRABLE_ROLES = {code: Requirable(label, suggested, holders)}`` (the chair
  of a meeting, a volunteer team's leader).
- The qualifications: ``core/qualifications.py`` (the learning app declares them and checks
  who holds one on a day).
- A community turns a requirement on (``RoleRequirement``); off by default. From its
  ``applies_from`` day, ``check()`` refuses to give the role to someone who does not hold the
  qualification on the day — unless they held the role when it was turned on, or were given
  it after that for a day before ``applies_from`` (``RequirementExemption``: kept, and
  reminded to qualify).

Every app that gives a role calls ``check(community, person, role)`` inside its transaction
before it gives it: core's ``role_grant``, the bodies' terms of office, a meeting's chair, a
team's leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gongzhi.core import journal, notify, qualifications
from gongzhi.core.manifests import collect
from gongzhi.core.models import RequirementExemption, RoleGrant, RoleRequirement

User = get_user_model()


@dataclass(frozen=True)
class Requirable:
    #: gettext_lazy: what a person reads ("chair of a meeting")
    label: Any
    #: the qualification code a community would usually ask for ("chairing"), or ""
    suggested: str = ""
    #: dotted path of ``holders(community) -> set[int]``: the user ids holding the role now
    #: (kept when a requirement is turned on), or "" when the role is held by ``RoleGrant``
    holders: str = ""


def registry() -> dict[str, Requirable]:
    """``{role code: Requirable}`` from every manifest (core's grantable roles included)."""
    return cast("dict[str, Requirable]", collect("REQUIRABLE_ROLES"))


#: How often a kept holder is reminded to qualify (``remind_kept``).
REMIND_EVERY = timedelta(days=90)


def label_of(role: str) -> str:
    """What a person reads for ``role`` (the code itself when no manifest declares it)."""
    found = registry().get(role)
    return str(found.label) if found is not None else role


def in_force(community: Any, role: str, on: date | None = None) -> RoleRequirement | None:
    """The requirement of ``role`` that applies in ``community`` on the day ``on`` (today by
    default): turned on, not turned off, ``applies_from`` on or before the day."""
    on = on or timezone.localdate()
    return (
        RoleRequirement.objects.in_community(community)
        .filter(role=role, turned_off_at__isnull=True, applies_from__lte=on)
        .first()
    )


def is_kept(requirement: RoleRequirement, person: Any) -> bool:
    return (
        RequirementExemption.objects.in_community(requirement.community_id)
        .filter(requirement=requirement, person=person)
        .exists()
    )


def check(community: Any, person: Any, role: str, on: date | None = None) -> None:
    """Refuse (``qualification_required``) to give ``person`` the ``role`` in ``community`` on
    the day ``on`` (today by default) when a requirement applies that day and they neither
    hold its qualification on the day nor were kept when it was turned on. Given the role on a
    day before a requirement turned on applies, someone who lacks its qualification on its day
    is kept (and told) like the holders at turn-on. Call it inside the transaction that gives
    the role, before writing anything else."""
    on = on or timezone.localdate()
    requirement = (
        RoleRequirement.objects.in_community(community)
        .filter(role=role, turned_off_at__isnull=True)
        .first()
    )
    if requirement is None:
        return
    if requirement.applies_from > on:
        _keep_given_before(requirement, person)
        return
    if is_kept(requirement, person):
        return
    if not qualifications.missing(person, [requirement.qualification], on):
        return
    raise ValidationError(
        _(
            "In this community, “%(role)s” needs the qualification “%(qualification)s”, "
            "which %(person)s does not hold on %(day)s."
        )
        % {
            "role": label_of(role),
            "qualification": qualifications.label(requirement.qualification),
            "person": person,
            "day": date_format(on),
        },
        code="qualification_required",
    )


def _keep_given_before(requirement: RoleRequirement, person: Any) -> None:
    """Given the role after the requirement was turned on but before its day (allowed): kept
    and told, like those who held it when it was turned on, unless qualified on the day."""
    if not qualifications.missing(person, [requirement.qualification], requirement.applies_from):
        return
    now = timezone.now()
    _exemption, created = RequirementExemption.objects.in_community(
        requirement.community_id
    ).get_or_create(
        community_id=requirement.community_id,
        requirement=requirement,
        person=person,
        defaults={"created_at": now, "reminded_at": now},
    )
    if created:
        _tell([person], requirement, "needed")


def holders(community: Any, role: str, on: date | None = None) -> set[int]:
    """The user ids holding ``role`` in ``community`` now or from a term already recorded (a
    ``RoleGrant`` in force now or later for core's roles; the role's ``holders`` function
    otherwise)."""
    found = registry().get(role)
    if found is not None and found.holders:
        return set(import_string(found.holders)(community))
    now = timezone.now()
    return set(
        RoleGrant.objects.in_community(community)
        .filter(role=role)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .values_list("membership__user_id", flat=True)
    )


def _require(actor: Any, community: Any) -> None:
    if not rules.has_perm("core.manage_requirements", actor, community):
        raise PermissionDenied


def _journal_data(requirement: RoleRequirement, kept: list[int]) -> dict[str, Any]:
    return {
        "role": requirement.role,
        "qualification": requirement.qualification,
        "applies_from": requirement.applies_from.isoformat(),
        "kept": kept,
    }


def _url(community: Any) -> str:
    """Where a kept holder finds a course: the training page when an app serves one (named,
    not imported), else the community's page."""
    try:
        return reverse("learning_home", kwargs={"slug": community.slug})
    except NoReverseMatch:
        return f"/c/{community.slug}/"


def _tell(users: list[Any], requirement: RoleRequirement, message: str) -> None:
    if not users:
        return
    community = requirement.community
    notify.send(
        users=users,
        community=community,
        kind="qualification_needed",
        message=message,
        params={
            "role": registry()[requirement.role].label
            if requirement.role in registry()
            else requirement.role,
            "qualification": qualifications.registry().get(
                requirement.qualification, requirement.qualification
            ),
            "community": community.name,
            "day": requirement.applies_from.isoformat(),
        },
        url=_url(community),
    )


def turn_on(
    *, actor: Any, community: Any, role: str, qualification: str, applies_from: date
) -> RoleRequirement:
    """From ``applies_from`` (today or later), giving ``role`` in ``community`` needs
    ``qualification``. Its holders then who lack it on that day keep the role
    (``RequirementExemption``) and are told to qualify."""
    _require(actor, community)
    if role not in registry():
        raise ValidationError(_("No app declares this role."), code="role_unknown")
    if qualification not in qualifications.registry():
        raise ValidationError(
            _("No course grants this qualification."), code="qualification_unknown"
        )
    if applies_from < timezone.localdate():
        raise ValidationError(
            _("A requirement applies from today or later."), code="applies_in_past"
        )
    exists = ValidationError(
        _("“%(role)s” already has a requirement turned on: turn it off first.")
        % {"role": label_of(role)},
        code="requirement_exists",
    )
    with transaction.atomic():
        if (
            RoleRequirement.objects.in_community(community)
            .filter(role=role, turned_off_at__isnull=True)
            .exists()
        ):
            raise exists
        try:
            # Two workers at once: the partial unique constraint saves one; the other is told.
            with transaction.atomic():
                requirement = RoleRequirement.objects.create(
                    community=community,
                    role=role,
                    qualification=qualification,
                    applies_from=applies_from,
                    turned_on_by=actor,
                )
        except IntegrityError:
            raise exists from None
        kept = _keep_holders(requirement)
        journal.record(
            community=community,
            actor=actor,
            verb="requirement.turned_on",
            target=requirement,
            data=_journal_data(requirement, [person.pk for person in kept]),
        )
        _tell(kept, requirement, "needed")
    return requirement


def _keep_holders(requirement: RoleRequirement) -> list[Any]:
    """Holders who lack the qualification on ``applies_from`` keep the role, reminded now."""
    user_ids = holders(requirement.community, requirement.role)
    people = User.objects.filter(pk__in=user_ids).order_by("pk")
    lacking = [
        person
        for person in people
        if qualifications.missing(person, [requirement.qualification], requirement.applies_from)
    ]
    now = timezone.now()
    RequirementExemption.objects.bulk_create(
        [
            RequirementExemption(
                community_id=requirement.community_id,
                requirement=requirement,
                person=person,
                created_at=now,
                reminded_at=now,
            )
            for person in lacking
        ]
    )
    return lacking


def turn_off(*, actor: Any, requirement: RoleRequirement) -> RoleRequirement:
    """The role no longer needs the qualification; the row stays as the record."""
    community = requirement.community
    _require(actor, community)
    with transaction.atomic():
        locked = (
            RoleRequirement.objects.in_community(community)
            .select_for_update()
            .get(pk=requirement.pk)
        )
        if locked.turned_off_at is not None:
            raise ValidationError(
                _("This requirement is already turned off."), code="requirement_off"
            )
        locked.turned_off_by = actor
        locked.turned_off_at = timezone.now()
        locked.save(update_fields=["turned_off_by", "turned_off_at"])
        kept = list(
            RequirementExemption.objects.in_community(community)
            .filter(requirement=locked)
            .order_by("person_id")
            .values_list("person_id", flat=True)
        )
        journal.record(
            community=community,
            actor=actor,
            verb="requirement.turned_off",
            target=locked,
            data=_journal_data(locked, kept),
        )
    return locked


def remind_kept(now: datetime | None = None) -> int:
    """Remind kept holders, in every community, who still lack the qualification of a
    requirement still turned on — at most once every ``REMIND_EVERY``; how many were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        RequirementExemption.objects.all_communities()
        .filter(requirement__turned_off_at__isnull=True)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY))
        .select_related("requirement__community", "person")
        .order_by("pk")
    )
    reminded = 0
    for exemption in due:
        requirement = exemption.requirement
        if not qualifications.missing(exemption.person, [requirement.qualification], today):
            continue
        with transaction.atomic():
            updated = (
                RequirementExemption.objects.in_community(exemption.community_id)
                .filter(pk=exemption.pk)
                .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY))
                .update(reminded_at=now)
            )
            if updated:
                _tell([exemption.person], requirement, "reminder")
                reminded += updated
    return reminded
