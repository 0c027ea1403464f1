"""Every write about communities and memberships. Each service checks permission, runs in one
transaction, journals the act, and leaves side effects (notifications) to after the commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal, notify, requirements
from gongzhi.core.models import (
    GRANTABLE_ROLES,
    MUTUALLY_EXCLUSIVE_ROLES,
    ROLES_GRANTED_FROM_ABOVE,
    Building,
    Community,
    District,
    Household,
    HouseholdCode,
    JournalHead,
    Membership,
    Oversight,
    Role,
    RoleGrant,
    RosterEntry,
    RosterImport,
    Street,
    VerificationMethod,
    active_grant_q,
)
from gongzhi.core.phones import normalize_phone
from gongzhi.core.policies import forget_access, is_platform_admin, require, role_grant_perm
from gongzhi.core.ratelimit import count_hit
from gongzhi.core.roster import RowError, parse_roster, read_table, roster_header

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


def _require(perm: str, user: User, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this in this community."))


# --- Joining and verifying ------------------------------------------------------------------


def membership_join(
    *, actor: User, community: Community, on_behalf_of: User | None = None
) -> Membership:
    """A resident joins a community (unverified until one of the three checks)."""
    person = on_behalf_of or actor
    if on_behalf_of is not None:
        _require("core.act_on_behalf", actor, community)
    with transaction.atomic():
        membership, created = Membership.objects.in_community(community).get_or_create(user=person)
        if created:
            journal.record(
                community=community,
                actor=actor,
                on_behalf_of=on_behalf_of,
                verb="membership.joined",
                target=membership,
            )
            _claim_roster_entries(person, only_community=community)
    forget_access(person)
    return membership


def _mark_verified(
    membership: Membership,
    *,
    actor: User | None,
    method: VerificationMethod,
    household: Household | None,
    on_behalf_of: User | None = None,
) -> None:
    membership.verified_at = timezone.now()
    membership.verified_by = actor
    membership.verification_method = method
    if household is not None:
        membership.household = household
    membership.save(
        update_fields=["verified_at", "verified_by", "verification_method", "household"]
    )
    journal.record(
        community=membership.community,
        actor=actor,
        on_behalf_of=on_behalf_of,
        verb="membership.verified",
        target=membership,
        data={"method": method.value},
    )
    user = membership.user
    notify.send(
        users=[user],
        community=membership.community,
        kind="membership_verified",
        message="verified",
        params={"community": membership.community.name},
        url=f"/c/{membership.community.slug}/",
    )
    forget_access(user)


def membership_verify_in_person(
    *, actor: User, community: Community, membership: Membership, household: Household | None = None
) -> Membership:
    """A community worker has seen the resident (and their papers) in person."""
    _require("core.verify_member", actor, community)
    if membership.community_id != community.pk:
        raise PermissionDenied
    if membership.user_id == actor.pk:
        raise ValidationError(
            _("Nobody verifies themselves: another community worker checks your papers."),
            code="own_membership",
        )
    with transaction.atomic():
        locked = (
            Membership.objects.in_community(community).select_for_update().get(pk=membership.pk)
        )
        if locked.verified_at is None:
            _mark_verified(
                locked,
                actor=actor,
                method=VerificationMethod.IN_PERSON,
                household=household,
                on_behalf_of=locked.user,
            )
    return locked


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by elders


def _hash_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"{settings.SECRET_KEY}:{cleaned}".encode()).hexdigest()


def household_codes_issue(
    *, actor: User, community: Community, households: list[Household], valid_days: int = 60
) -> list[tuple[Household, str]]:
    """Make one letter code per household, to print and post. Only the hash is kept."""
    _require("core.verify_member", actor, community)
    issued: list[tuple[Household, str]] = []
    expires = timezone.now() + timedelta(days=valid_days)
    with transaction.atomic():
        for household in households:
            if household.community_id != community.pk:
                raise PermissionDenied
            raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
            HouseholdCode.objects.create(
                community=community,
                household=household,
                code_hash=_hash_code(raw),
                created_by=actor,
                expires_at=expires,
            )
            issued.append((household, f"{raw[:4]}-{raw[4:]}"))
        journal.record(
            community=community,
            actor=actor,
            verb="household_codes.issued",
            data={"count": len(issued)},
        )
    return issued


CODE_TRIES = 5
CODE_TRIES_WINDOW = 15 * 60


def _count_code_try(actor: User) -> None:
    """Guessing codes is the attack: five tries per person per quarter hour, page and API alike."""
    if count_hit("lettercode", actor.pk, window=CODE_TRIES_WINDOW) > CODE_TRIES:
        raise ValidationError(
            _("Too many tries. Wait 15 minutes, or ask your community worker."),
            code="too_many_tries",
        )


def membership_verify_with_code(*, actor: User, community: Community, code: str) -> Membership:
    """A resident types the code from the letter posted to their household."""
    invalid = ValidationError(
        _("This code is not valid for this community, or it has been used or has expired."),
        code="code_invalid",
    )
    _count_code_try(actor)
    if not code or len(code) > 20:
        raise invalid
    with transaction.atomic():
        membership, _created = Membership.objects.in_community(community).get_or_create(user=actor)
        membership = (
            Membership.objects.in_community(community).select_for_update().get(pk=membership.pk)
        )
        if membership.verified_at is not None:
            raise ValidationError(_("You are already a verified resident here."), code="already")
        now = timezone.now()
        # The UPDATE is the claim: of two people typing the same code at once, one wins.
        claimed = (
            HouseholdCode.objects.in_community(community)
            .filter(code_hash=_hash_code(code), used_at__isnull=True, expires_at__gt=now)
            .update(used_at=now, used_by=actor)
        )
        if claimed != 1:
            raise invalid
        letter = HouseholdCode.objects.in_community(community).get(code_hash=_hash_code(code))
        _mark_verified(
            membership,
            actor=actor,
            method=VerificationMethod.LETTER_CODE,
            household=letter.household,
        )
    return membership


# --- Rosters --------------------------------------------------------------------------------


class RosterRejected(Exception):
    """The roster was not applied. ``errors`` lists each bad row; nothing was saved."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


@dataclass
class RosterResult:
    roster_import: RosterImport
    created: int
    updated: int
    verified_now: int


def roster_import(
    *, actor: User, community: Community, filename: str, content: bytes
) -> RosterResult:
    """Apply a roster whole or not at all. Raises RosterFileError or RosterRejected."""
    _require("core.import_roster", actor, community)
    from gongzhi.core.roster import RosterFileError

    if len(content) > settings.ROSTER_MAX_BYTES:
        raise RosterFileError(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.ROSTER_MAX_BYTES // 2**20}
        )
    table = read_table(filename, content, max_rows=settings.ROSTER_MAX_ROWS, header=roster_header)
    parsed = parse_roster(table, settings.ROSTER_MAX_ROWS)
    if parsed.errors:
        raise RosterRejected(parsed.errors)
    with transaction.atomic():
        JournalHead.objects.select_for_update().get_or_create(community=community)
        batch = RosterImport.objects.create(
            community=community,
            uploaded_by=actor,
            filename=filename[:200],
            row_count=len(parsed.rows),
        )
        buildings = {b.name: b for b in Building.objects.in_community(community)}
        existing = {e.phone: e for e in RosterEntry.objects.in_community(community)}
        created = updated = 0
        for row in parsed.rows:
            household = None
            if row.building:
                building = buildings.get(row.building)
                if building is None:
                    building = Building.objects.create(community=community, name=row.building)
                    buildings[row.building] = building
                household, _c = Household.objects.in_community(community).get_or_create(
                    building=building, unit=row.unit
                )
            entry = existing.get(row.phone)
            if entry is None:
                RosterEntry.objects.create(
                    community=community,
                    roster_import=batch,
                    phone=row.phone,
                    name=row.name,
                    household=household,
                )
                created += 1
            else:
                entry.roster_import = batch
                entry.name = row.name or entry.name
                entry.household = household or entry.household
                entry.save(update_fields=["roster_import", "name", "household"])
                updated += 1
        # People who already have an account with a confirmed number are verified now.
        verified_now = 0
        for user in get_user_model().objects.filter(
            phone__in=[row.phone for row in parsed.rows], phone_verified=True
        ):
            verified_now += _claim_roster_entries(user, only_community=community)
        journal.record(
            community=community,
            actor=actor,
            verb="roster.imported",
            target=batch,
            data={"rows": len(parsed.rows), "created": created, "updated": updated},
        )
    return RosterResult(batch, created, updated, verified_now)


def _claim_roster_entries(user: User, only_community: Community | None = None) -> int:
    """Verify ``user`` wherever a roster lists their (confirmed) phone number."""
    if not user.phone_verified:
        return 0
    entries = RosterEntry.objects.all_communities().filter(
        phone=user.phone, claimed_by__isnull=True
    )
    if only_community is not None:
        entries = entries.filter(community=only_community)
    count = 0
    for entry in entries.select_related("community", "household"):
        membership, _created = Membership.objects.in_community(entry.community).get_or_create(
            user=user
        )
        membership = (
            Membership.objects.in_community(entry.community)
            .select_for_update()
            .get(pk=membership.pk)
        )
        if membership.verified_at is None:
            _mark_verified(
                membership,
                actor=user,
                method=VerificationMethod.ROSTER,
                household=entry.household,
            )
            count += 1
        entry.claimed_by = user
        entry.claimed_at = timezone.now()
        entry.save(update_fields=["claimed_by", "claimed_at"])
        if not user.display_name and entry.name:
            user.display_name = entry.name
            user.save(update_fields=["display_name"])
    return count


def roster_claim_on_phone_verified(*, user: User) -> int:
    """Called when a user proves they own their phone (sign-up or change of number)."""
    with transaction.atomic():
        return _claim_roster_entries(user)


# --- Roles, group flags, residents registered by staff ---------------------------------------


def _check_role_change(
    *, actor: User, community: Community, membership: Membership, role: str
) -> None:
    """Who may grant or revoke ``role`` on ``membership`` (separation of duties, R5.3)."""
    _require("core.grant_role", actor, community)
    if role not in {r.value for r in GRANTABLE_ROLES}:
        raise ValidationError(_("This role cannot be granted in a community."), code="role_invalid")
    if membership.community_id != community.pk:
        raise PermissionDenied
    if membership.user_id == actor.pk:
        raise ValidationError(
            _("Nobody can grant or revoke roles on their own membership: ask someone else."),
            code="own_membership",
        )
    if not rules.has_perm(role_grant_perm(role), actor, community):
        if role in ROLES_GRANTED_FROM_ABOVE:
            message = _(
                "Only a street official overseeing this community or a platform administrator "
                "can grant or revoke the role “%(role)s”."
            )
            code = "role_granted_from_above"
        else:
            message = _("Only a community worker of this community can grant the role “%(role)s”.")
            code = "role_granted_in_community"
        raise ValidationError(message % {"role": Role(role).label}, code=code)


def _lock_membership(community: Community, membership: Membership) -> Membership:
    """Role changes of one member queue here, so two at once cannot both pass a check."""
    return Membership.objects.in_community(community).select_for_update().get(pk=membership.pk)


def role_grant(
    *, actor: User, community: Community, membership: Membership, role: str
) -> RoleGrant:
    _check_role_change(actor=actor, community=community, membership=membership, role=role)
    with transaction.atomic():
        locked = _lock_membership(community, membership)
        held = set(
            RoleGrant.objects.in_community(community)
            .filter(active_grant_q(), membership=locked)
            .values_list("role", flat=True)
        )
        clash = (
            held & (MUTUALLY_EXCLUSIVE_ROLES - {role})
            if role in MUTUALLY_EXCLUSIVE_ROLES
            else set()
        )
        if clash:
            raise ValidationError(
                _(
                    "%(person)s is already “%(held)s” here: nobody can be both a supervisor and "
                    "a community worker of one community."
                )
                % {"person": membership.user, "held": Role(clash.pop()).label},
                code="roles_exclusive",
            )
        requirements.check(community, membership.user, role)
        grant, created = RoleGrant.objects.in_community(community).get_or_create(
            membership=locked, role=role, source_type=None, defaults={"granted_by": actor}
        )
        if created:
            journal.record(
                community=community,
                actor=actor,
                verb="role.granted",
                target=membership,
                data={"role": role, "user": membership.user_id},
            )
            notify.send(
                users=[membership.user],
                community=community,
                kind="role_granted",
                message="granted",
                params={"role": Role(role).label, "community": community.name},
                url=f"/c/{community.slug}/",
            )
    forget_access(membership.user)
    return grant


def role_revoke(*, actor: User, community: Community, membership: Membership, role: str) -> None:
    _check_role_change(actor=actor, community=community, membership=membership, role=role)
    with transaction.atomic():
        locked = _lock_membership(community, membership)
        deleted, _rows = (
            RoleGrant.objects.in_community(community)
            .filter(membership=locked, role=role, source_type=None)
            .delete()
        )
        if deleted:
            journal.record(
                community=community,
                actor=actor,
                verb="role.revoked",
                target=membership,
                data={"role": role, "user": membership.user_id},
            )
    forget_access(membership.user)


def membership_set_groups(
    *,
    actor: User,
    community: Community,
    membership: Membership,
    consent: bool,
    is_elderly: bool,
    has_disability: bool,
    is_low_income: bool,
    birth_year: int | None = None,
) -> Membership:
    """Record vulnerable-group flags (and a declared year of birth, for evaluation's age
    bands), only with consent; withdrawing consent clears them."""
    on_behalf_of = None
    if membership.user_id != actor.pk:
        _require("core.act_on_behalf", actor, community)
        on_behalf_of = membership.user
    with transaction.atomic():
        if consent:
            membership.groups_consented_at = membership.groups_consented_at or timezone.now()
            membership.is_elderly = is_elderly
            membership.has_disability = has_disability
            membership.is_low_income = is_low_income
            membership.birth_year = birth_year
        else:
            membership.groups_consented_at = None
            membership.is_elderly = membership.has_disability = membership.is_low_income = False
            membership.birth_year = None
        membership.save(
            update_fields=[
                "groups_consented_at",
                "is_elderly",
                "has_disability",
                "is_low_income",
                "birth_year",
            ]
        )
        # The journal says that the flags changed, never what they are.
        journal.record(
            community=community,
            actor=actor,
            on_behalf_of=on_behalf_of,
            verb="membership.groups_updated",
            target=membership,
            data={"consent": consent},
        )
    return membership


def resident_register_on_behalf(
    *,
    actor: User,
    community: Community,
    phone: str,
    display_name: str,
    building_name: str = "",
    unit: str = "",
) -> Membership:
    """代办: a community worker registers a resident who is not online, verified in person.

    The resident can later log in with a code sent to this phone. The journal names both.
    """
    _require("core.act_on_behalf", actor, community)
    phone = normalize_phone(phone)
    display_name = display_name.strip()
    if not display_name or len(display_name) > 60:
        raise ValidationError(_("Enter the resident's name (at most 60 characters)."), code="name")
    try:
        with transaction.atomic():
            household = None
            if building_name.strip() and unit.strip():
                building, _c = Building.objects.in_community(community).get_or_create(
                    name=building_name.strip()[:60]
                )
                household, _c = Household.objects.in_community(community).get_or_create(
                    building=building, unit=unit.strip()[:30]
                )
            user = get_user_model().objects.filter(phone=phone).first()
            if user is None:
                user = get_user_model().objects.create_user(phone=phone, display_name=display_name)
            membership, created = Membership.objects.in_community(community).get_or_create(
                user=user
            )
            if created:
                journal.record(
                    community=community,
                    actor=actor,
                    on_behalf_of=user,
                    verb="membership.joined",
                    target=membership,
                )
            if membership.verified_at is None:
                _mark_verified(
                    membership,
                    actor=actor,
                    method=VerificationMethod.IN_PERSON,
                    household=household,
                    on_behalf_of=user,
                )
    except IntegrityError as exc:  # the same number registered twice at the same moment
        raise ValidationError(
            _("This resident was just registered; try again."), code="race"
        ) from exc
    return membership


# --- Above the communities: places, street officials, platform admins (platform journal) ----
# ``actor=None`` is the operator at the server's console (manage.py commands): the journal
# records the act without a person. The admin site always passes the person logged in.


def require_platform_admin(actor: User | None) -> None:
    if actor is not None and not is_platform_admin(actor):
        raise PermissionDenied(_("Only a platform administrator can do this."))


def refuse_self_appointment(actor: User | None, user: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(
            _("Nobody can appoint or remove themselves: ask another platform administrator."),
            code="own_appointment",
        )


def _create_place(actor: User | None, place: District | Street | Community, verb: str) -> None:
    place.full_clean()
    data: dict[str, object] = {"name": place.name, "slug": place.slug}
    if isinstance(place, Street):
        data["district"] = place.district_id
    if isinstance(place, Community):
        data["street"] = place.street_id
    try:
        with transaction.atomic():
            place.save()
            journal.record_platform(actor=actor, verb=verb, target=place, data=data)
    except IntegrityError as exc:  # the same slug taken a moment ago
        raise ValidationError(
            _("This short name (slug) is taken; choose another."), code="slug_taken"
        ) from exc


def district_create(*, actor: User | None, name: str, slug: str) -> District:
    """区"""
    require_platform_admin(actor)
    district = District(name=name.strip(), slug=slug)
    _create_place(actor, district, "district.created")
    return district


def street_create(*, actor: User | None, district: District, name: str, slug: str) -> Street:
    """街道"""
    require_platform_admin(actor)
    street = Street(district=district, name=name.strip(), slug=slug)
    _create_place(actor, street, "street.created")
    return street


def community_create(
    *, actor: User | None, street: Street, name: str, slug: str, description: str = ""
) -> Community:
    """社区: a new tenant. Its own journal begins with its first act."""
    require_platform_admin(actor)
    community = Community(street=street, name=name.strip(), slug=slug, description=description)
    _create_place(actor, community, "community.created")
    return community


def community_update(
    *, actor: User | None, community: Community, name: str, description: str
) -> Community:
    """Rename a community or change its description (its slug, the address, stays)."""
    require_platform_admin(actor)
    with transaction.atomic():
        locked = Community.objects.select_for_update().get(pk=community.pk)
        changed = {
            field: value
            for field, value in (("name", name.strip()), ("description", description))
            if getattr(locked, field) != value
        }
        if not changed:
            return locked
        for field, value in changed.items():
            setattr(locked, field, value)
        locked.full_clean()
        locked.save(update_fields=list(changed))
        journal.record_platform(
            actor=actor, verb="community.updated", target=locked, data={"name": locked.name}
        )
    return locked


def oversight_grant(
    *,
    actor: User | None,
    user: User,
    street: Street | None = None,
    district: District | None = None,
) -> Oversight:
    """Appoint a street (or district) official over every community below that place."""
    require_platform_admin(actor)
    refuse_self_appointment(actor, user)
    if (street is None) == (district is None):
        raise ValidationError(_("Choose a street or a district, not both."), code="remit")
    with transaction.atomic():
        oversight, created = Oversight.objects.get_or_create(
            user=user, street=street, district=district
        )
        if created:
            journal.record_platform(
                actor=actor,
                verb="oversight.granted",
                target=oversight,
                data={
                    "user": user.pk,
                    "street": street and street.pk,
                    "district": district and district.pk,
                },
            )
    forget_access(user)
    return oversight


def oversight_revoke(*, actor: User | None, oversight: Oversight) -> None:
    require_platform_admin(actor)
    refuse_self_appointment(actor, oversight.user)
    with transaction.atomic():
        deleted, _rows = Oversight.objects.filter(pk=oversight.pk).delete()
        if deleted:
            journal.record_platform(
                actor=actor,
                verb="oversight.revoked",
                data={
                    "user": oversight.user_id,
                    "street": oversight.street_id,
                    "district": oversight.district_id,
                },
            )
    forget_access(oversight.user)


def _set_user_flags(actor: User | None, user: User, verb: str, **flags: bool) -> bool:
    require_platform_admin(actor)
    refuse_self_appointment(actor, user)
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        if all(getattr(locked, name) == value for name, value in flags.items()):
            return False
        for name, value in flags.items():
            setattr(locked, name, value)
            setattr(user, name, value)
        locked.save(update_fields=list(flags))
        journal.record_platform(actor=actor, verb=verb, target=locked, data={"user": locked.pk})
    forget_access(user)
    return True


def platform_admin_grant(*, actor: User | None, user: User) -> bool:
    """Make ``user`` a platform admin (superuser and the admin site). False if they were."""
    return _set_user_flags(actor, user, "platform_admin.granted", is_superuser=True, is_staff=True)


def platform_admin_revoke(*, actor: User | None, user: User) -> bool:
    return _set_user_flags(
        actor, user, "platform_admin.revoked", is_superuser=False, is_staff=False
    )


def user_set_active(*, actor: User | None, user: User, active: bool) -> bool:
    """Block an account (it can no longer log in) or let it back in."""
    verb = "user.reactivated" if active else "user.deactivated"
    return _set_user_flags(actor, user, verb, is_active=active)


def journal_rotate_keys(*, actor: User | None = None) -> list[str]:
    """Move every journal, the platform's and each community's, to the current key
    (``JOURNAL_KEY_ID``). Returns the slugs of the communities whose chain was rotated."""
    require_platform_admin(actor)
    rotated = [
        community.slug
        for community in Community.objects.order_by("pk")
        if journal.rotate_key(community, actor=actor) is not None
    ]
    with transaction.atomic():
        platform = journal.rotate_platform_key(actor=actor)
        if rotated or platform is not None:
            journal.record_platform(
                actor=actor,
                verb="journal.keys_rotated",
                data={"key_id": str(settings.JOURNAL_KEY_ID), "communities": len(rotated)},
            )
    return rotated
