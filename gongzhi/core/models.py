"""Places, people's place in them, and the activity journal.

District (区) → Street (街道) → Community (社区, the tenant) → Grid (网格) / Building → Household.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.tenancy import TenantManager, TenantModel


class District(models.Model):
    """区"""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(unique=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """街道"""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(unique=True)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """社区: the tenant. Everything residents do belongs to one."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Grid(TenantModel):
    """网格: the patch of buildings one grid worker looks after."""

    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Building(TenantModel):
    """楼栋"""

    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="building_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Household(TenantModel):
    """户: a flat, with the floor area that owners' votes weigh (Civil Code art. 278)."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="households")
    unit = models.CharField(_("unit and room"), max_length=30)
    floor_area = models.DecimalField(
        _("exclusive floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "building", "unit"], name="household_unique_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.building.name} {self.unit}"


class Role(models.TextChoices):
    RESIDENT = "resident", _("resident")
    VERIFIED_RESIDENT = "verified_resident", _("verified resident")
    VOLUNTEER = "volunteer", _("volunteer")
    ORG_LEADER = "org_leader", _("organisation leader")
    COUNCIL_MEMBER = "council_member", _("council member")
    REVIEWER = "reviewer", _("reviewer")
    MEDIATOR = "mediator", _("mediator")
    SUPERVISOR = "supervisor", _("supervisor")
    COMMUNITY_WORKER = "community_worker", _("community worker")
    STREET_OFFICIAL = "street_official", _("street official")
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")


#: Roles held inside one community, granted by its staff (resident and verified resident follow
#: from the membership itself; street officials and platform admins sit above communities).
GRANTABLE_ROLES = [
    Role.VOLUNTEER,
    Role.ORG_LEADER,
    Role.COUNCIL_MEMBER,
    Role.REVIEWER,
    Role.MEDIATOR,
    Role.SUPERVISOR,
    Role.COMMUNITY_WORKER,
]
#: Roles whose holders see residents' personal data: they must use two-factor login.
STAFF_ROLES = {Role.COMMUNITY_WORKER, Role.STREET_OFFICIAL, Role.PLATFORM_ADMIN}
#: Separation of duties: a community worker records ledger entries and a supervisor (监督委员)
#: approves them, so no worker may make a supervisor or a fellow worker. Until self-governing
#: bodies elect them, these roles come from above: a street official overseeing the community
#: or a platform admin (core/policies.py, ``core.grant_role_from_above``).
ROLES_GRANTED_FROM_ABOVE = frozenset({Role.SUPERVISOR, Role.COMMUNITY_WORKER})
#: ... and nobody holds both in one community (a database constraint on ``RoleGrant`` too).
MUTUALLY_EXCLUSIVE_ROLES = frozenset({Role.SUPERVISOR, Role.COMMUNITY_WORKER})


class VerificationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("in person by a community worker")
    LETTER_CODE = "letter_code", _("household letter code")
    ROSTER = "roster", _("resident roster")


class Membership(TenantModel):
    """A user's place in one community. A user can belong to several communities."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL)
    joined_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_method = models.CharField(
        max_length=20, choices=VerificationMethod.choices, blank=True
    )
    # Vulnerable-group flags (R9.2): only with the resident's consent, only used in aggregate.
    groups_consented_at = models.DateTimeField(null=True, blank=True)
    is_elderly = models.BooleanField(_("aged 60 or over"), default=False)
    has_disability = models.BooleanField(_("living with a disability"), default=False)
    is_low_income = models.BooleanField(_("low income household"), default=False)
    # Declared only with the same consent, for the age bands of evaluation; erased with the groups.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)

    objects = TenantManager["Membership"]()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=Q(groups_consented_at__isnull=False)
                | Q(is_elderly=False, has_disability=False, is_low_income=False),
                name="membership_group_flags_need_consent",
            ),
            models.CheckConstraint(
                condition=Q(groups_consented_at__isnull=False) | Q(birth_year__isnull=True),
                name="membership_birth_year_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | ~Q(verification_method=""),
                name="membership_verified_has_method",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "joined_at"]),
            # Counting verified members (every community page) reads only this index.
            models.Index(fields=["community", "verified_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.community_id}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def role_set(self) -> set[str]:
        """All roles, derived and granted. Uses prefetched grants when they are there."""
        roles = {Role.RESIDENT.value}
        if self.verified_at:
            roles.add(Role.VERIFIED_RESIDENT.value)
        now = timezone.now()
        roles.update(grant.role for grant in self.role_grants.all() if grant.in_force(now))
        return roles


def active_grant_q(at: datetime | None = None, prefix: str = "") -> Q:
    """Grants in force at ``at`` (now by default): a term's role starts and ends with the term,
    read from its dates, so no periodic job has to remove it."""
    at = at or timezone.now()
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": at})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": at})
    )


class RoleGrant(TenantModel):
    """One role held by one member, with who granted it and when (leadership pathways, R8.2).

    A role granted by hand (``source`` empty) lasts until revoked. A role that comes from a
    position in a self-governing body names its source (the body's term of office, ``bodies``)
    and holds only from ``valid_from`` until ``valid_until``: permission checks read the dates
    (``active_grant_q``), so the role ends with the term without anyone removing it. Past grants
    stay as the record of who held what."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    source_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    objects = TenantManager["RoleGrant"]()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            # A role granted by hand is held once; a role from a position once per term.
            models.UniqueConstraint(
                fields=["community", "membership", "role"],
                condition=Q(source_type__isnull=True),
                name="rolegrant_unique",
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id", "role"],
                condition=Q(source_type__isnull=False),
                name="rolegrant_unique_per_source",
            ),
            models.CheckConstraint(
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
                name="rolegrant_source_whole",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="rolegrant_valid_order",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in GRANTABLE_ROLES]),
                name="rolegrant_grantable_role",
            ),
            # At most one of the mutually exclusive roles granted by hand per membership (the
            # services lock the membership and refuse with a clear message, for grants from
            # positions too, whose dates a constraint cannot compare; this is the last line).
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(role__in=sorted(r.value for r in MUTUALLY_EXCLUSIVE_ROLES))
                & Q(source_type__isnull=True),
                name="rolegrant_supervisor_or_worker",
            ),
        ]
        indexes = [models.Index(fields=["community", "role"])]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.role}"

    def in_force(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return (self.valid_from is None or self.valid_from <= at) and (
            self.valid_until is None or at < self.valid_until
        )


class Oversight(models.Model):
    """A street or district official's remit: every community below that street or district."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oversights"
    )
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.CASCADE)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("oversight")
        verbose_name_plural = _("oversights")
        constraints = [
            models.CheckConstraint(
                condition=Q(street__isnull=False, district__isnull=True)
                | Q(street__isnull=True, district__isnull=False),
                name="oversight_street_xor_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.street or self.district}"


class RosterImport(TenantModel):
    """One uploaded resident roster (花名册), applied whole or not at all."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    row_count = models.PositiveIntegerField(default=0)

    objects = TenantManager["RosterImport"]()

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return self.filename


class RosterEntry(TenantModel):
    """A phone number the community office knows is a resident: signing up with it verifies."""

    roster_import = models.ForeignKey(
        RosterImport, on_delete=models.CASCADE, related_name="entries"
    )
    phone = models.CharField(max_length=20)
    name = models.CharField(max_length=60, blank=True)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["RosterEntry"]()

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        constraints = [
            models.UniqueConstraint(fields=["community", "phone"], name="rosterentry_unique_phone")
        ]
        indexes = [models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.phone


class HouseholdCode(TenantModel):
    """A one-time code printed on a letter posted to a household (入户核验码)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["HouseholdCode"]()

    class Meta:
        verbose_name = _("household letter code")
        verbose_name_plural = _("household letter codes")
        constraints = [
            models.UniqueConstraint(fields=["community", "code_hash"], name="householdcode_unique")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} ({self.created_at:%Y-%m-%d})"


# --- The activity journal -------------------------------------------------------------------


GENESIS_HASH = "0" * 64


def _canonical(entry: Any, community_id: int | None) -> bytes:
    """The signed content of a journal entry. Platform entries have no community (null), so no
    platform entry can pass for a community's and the other way round."""
    payload: dict[str, Any] = {
        "community": community_id,
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "on_behalf_of": entry.on_behalf_of_id,
        "verb": entry.verb,
        "target_type": entry.target_type_id,
        "target_id": entry.target_id,
        "data": entry.data,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


class ChainedEntry(models.Model):
    """What the entries of both journals share: they are only ever appended, and each is sealed
    by an HMAC over the previous entry's hash and its own canonical form."""

    prev_hash: str  # each journal's own field: the hash the entry was chained after

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Chaining fills seq and the hashes of pending rows with one UPDATE (journal.chain);
        # nothing else ever changes an entry.
        if not self._state.adding:
            raise AppendOnlyError("journal entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("journal entries are never deleted")

    def canonical(self) -> bytes:
        # A community's entry signs its community; a platform entry has none (null).
        return _canonical(self, getattr(self, "community_id", None))

    def compute_hash(self, key: str | None = None) -> str:
        """The entry's HMAC under ``key`` (by default the current JOURNAL_KEY; chaining and
        verifying pass the key of the chain's own key schedule, see journal.py)."""
        secret = key if key is not None else settings.JOURNAL_KEY
        message = self.prev_hash.encode() + self.canonical()
        return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


#: The key id every chain begins under, unless its first entry names another (journal.py).
GENESIS_KEY_ID = "1"


class JournalHead(models.Model):
    """The last link of a community's chain. Locked while appending, so the chain never forks."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # The id of the key that signs the next entry. A convenience for appending: verification
    # derives it from the chain's own ``journal.key_rotated`` entries, never from here.
    key_id = models.CharField(max_length=40, default=GENESIS_KEY_ID)

    def __str__(self) -> str:
        return f"{self.community_id}#{self.seq}"


class AppendOnlyError(Exception):
    pass


class Activity(ChainedEntry, TenantModel):
    """One participatory act, written once by the service that did it (see journal.py).

    ``actor`` did it; ``on_behalf_of`` is the resident a community worker acted for (代办).
    Rows are chained per community: ``hash = HMAC-SHA256(key, prev_hash + canonical row)``, the key
    being the chain's current journal key (it rotates, see journal.py). The key is not in the
    database, so someone who can write to the database cannot forge a
    consistent chain after changing an entry. A row is written *pending* (no ``seq`` or hash)
    inside the act's transaction and chained moments later (``journal.chain``).
    """

    # Null while pending: the act's transaction does not wait for the community's chain lock.
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    # PROTECT: deleting a person would rewrite their entries and break the chain. People who
    # leave are anonymised (their account emptied), never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=60)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = TenantManager["Activity"]()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["community", "seq"], name="activity_unique_seq")
        ]
        indexes = [
            models.Index(
                fields=["community", "id"],
                condition=Q(seq__isnull=True),
                name="activity_pending",
            ),
            models.Index(fields=["community", "actor", "at"]),
            models.Index(fields=["community", "on_behalf_of", "at"]),
            models.Index(fields=["community", "verb", "at"]),
            # "Took part in the last 30 days" reads a date range of actors from this index.
            models.Index(fields=["community", "at", "actor"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb}"

    @property
    def participant_id(self) -> int | None:
        """Whose participation this is: the resident, also when a worker acted for them."""
        return self.on_behalf_of_id or self.actor_id

    def clean(self) -> None:
        if self.on_behalf_of_id and self.on_behalf_of_id == self.actor_id:
            raise ValidationError(_("A person cannot act on their own behalf."))


# --- The platform journal -------------------------------------------------------------------


class PlatformJournalHead(models.Model):
    """The last link of the platform journal's chain (one row, pk 1), locked while appending."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    key_id = models.CharField(max_length=40, default=GENESIS_KEY_ID)

    def __str__(self) -> str:
        return f"platform#{self.seq}"


class PlatformActivity(ChainedEntry):
    """One act above the communities (创建街道/社区, appointing street officials, platform admins),
    chained and keyed like ``Activity`` but in one stream, and chained at once: these acts are
    rare, so each takes the head's lock inside its own transaction (journal.record_platform)."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=60)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    #: Platform acts are never done on someone's behalf; the canonical form still names the field.
    on_behalf_of_id = None

    class Meta:
        verbose_name = _("platform activity")
        verbose_name_plural = _("platform activities")
        indexes = [models.Index(fields=["verb", "at"], name="platformactivity_verb_at")]

    def __str__(self) -> str:
        return f"platform #{self.seq} {self.verb}"


class CheckIn(TenantModel):
    """到场签到: a person recorded as present at a meeting, shift, course or space booking.

    The target is any model an app registers with ``core/checkin.py``; one row per person and
    target, held by the database so that two scans at once record one presence.
    """

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["CheckIn"]()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "person"], name="checkin_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.target_type_id}:{self.target_id}"


class CalendarFeed(models.Model):
    """A person's secret calendar address (日历订阅): the token in the URL is the only key, so
    revoking it (deleting the row) or issuing a new one cuts off every copy of the old address."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of {self.person_id}"


class RegisterEntry(TenantModel):
    """决策登记: one row of the public decision register (R6.2), written by the service that
    decided, in the same transaction: who decided what, when, on what basis, and where the
    decision itself lives. The register keeps no other copy: the title and the links point to
    the source (a body's decision, a binding vote, a budget's results, a panel's assessment…).

    ``kind`` is a code of the decision-kind registry (``core/decisions.py``); the body is named by
    its id and name, not a foreign key, since core knows no feature app.
    """

    kind = models.CharField(max_length=60)
    body_id = models.PositiveBigIntegerField(null=True, blank=True)
    body_name = models.CharField(max_length=120, blank=True)
    decided_on = models.DateField()
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=60, blank=True)
    #: the decision's own page (a path within the site)
    url = models.CharField(max_length=300)
    #: what it rests on: ``[{"kind": "proposal"|"vote"|"minutes"|"meeting"|"document"|…,
    #: "title": str, "url": str, …}]`` (a vote adds its turnout)
    basis = models.JSONField(default=list, blank=True)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["RegisterEntry"]()

    class Meta:
        verbose_name = _("decision register entry")
        verbose_name_plural = _("decision register entries")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="register_entry_once_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["community", "-decided_on", "-id"], name="register_by_date"),
            models.Index(
                fields=["community", "body_id", "-decided_on", "-id"], name="register_by_body"
            ),
            models.Index(
                fields=["community", "kind", "-decided_on", "-id"], name="register_by_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RoleRequirement(TenantModel):
    """A qualification a role needs in this community (调解员须经调解培训), turned on by a worker
    when the community is ready: from ``applies_from`` a grant of ``role`` (a ``core.Role`` or a
    role an app declares in its manifest's ``REQUIRABLE_ROLES``, ``core/requirements.py``) checks
    that the person holds ``qualification`` on the day. People who held the role when it was
    turned on keep it (``RequirementExemption``) and are reminded to qualify. Turned off, the row
    stays as the record."""

    role = models.CharField(_("role"), max_length=40)
    qualification = models.CharField(_("qualification"), max_length=40)
    applies_from = models.DateField(_("applies from"))
    turned_on_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    turned_on_at = models.DateTimeField(default=timezone.now)
    turned_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    turned_off_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["RoleRequirement"]()

    class Meta:
        verbose_name = _("role requirement")
        verbose_name_plural = _("role requirements")
        ordering = ["role", "-turned_on_at"]
        constraints = [
            # One requirement in force per role: two workers turning one on at once save one.
            models.UniqueConstraint(
                fields=["community", "role"],
                condition=Q(turned_off_at__isnull=True),
                name="rolerequirement_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} ← {self.qualification}"


class RequirementExemption(TenantModel):
    """Someone who held the role when its requirement was turned on: they keep it (and may be
    given it again) without the qualification, and are reminded to get it."""

    requirement = models.ForeignKey(
        RoleRequirement, on_delete=models.CASCADE, related_name="exemptions"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["RequirementExemption"]()

    class Meta:
        verbose_name = _("holder kept without the qualification")
        verbose_name_plural = _("holders kept without the qualification")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "person"], name="requirementexemption_once"
            ),
        ]
