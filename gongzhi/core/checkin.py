"""Rotating-QR check-in (扫码签到): presence at a meeting, shift, course or space booking.

A screen at the door shows a QR code that changes every 30 seconds. The code is
``HMAC-SHA256(key, "<target>:<pk>:<step>")`` with ``step = floor(unix time / 30)``, as TOTP
(RFC 6238) derives its codes from a time step, keyed here by Django's ``salted_hmac`` over
``SECRET_KEY``. The server accepts the current step and the one before, so a code scanned in its
last second still works while a screenshot sent to someone at home stops working within a
minute. A person scanning it with their logged-in phone confirms, and is recorded once: the
database's unique constraint on ``CheckIn`` (target, person) keeps a double tap or two phones
racing to one row.

Apps make their objects check-in targets with ``register``: who may show the screen (staff of the
meeting), who may check in (members of the community; an app adds "signed up for this shift" or
"during the meeting" itself). Targets are tenant models: the check-in row and its journal entry
belong to the target's community.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.models import CheckIn
from gongzhi.core.policies import is_community_worker, is_member

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

STEP_SECONDS = 30
#: Steps accepted: the current one and the one before (scan delay, a slow phone camera).
ACCEPTED_STEPS = 2
CODE_LENGTH = 12
_SALT = "gongzhi.core.checkin"

Predicate = Callable[[Any, Any], bool]


#: ``on_recorded(person, target, checkin)``: what the app does after a scan (inside its
#: transaction; also on a repeated scan, so it must be idempotent)
Recorded = Callable[[Any, Any, Any], None]
#: ``status(person, target)``: one sentence the scanning person reads after a scan, where the
#: app knows more than "checked in" (a shift's second scan records the departure)
Status = Callable[[Any, Any], str]
#: ``count(target)``: the number the door screen shows, where "everyone who ever checked in" is
#: not the one that matters (a space counts today's bookings checked in)
Count = Callable[[Any], int]


@dataclass(frozen=True)
class Target:
    model: type[models.Model]
    may_display: Predicate
    may_check_in: Predicate
    on_recorded: Recorded | None = None
    status: Status | None = None
    count: Count | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_registry: dict[str, Target] = {}


def register(
    model: type[models.Model],
    *,
    may_display: Predicate = is_community_worker,
    may_check_in: Predicate = is_member,
    on_recorded: Recorded | None = None,
    status: Status | None = None,
    count: Count | None = None,
) -> Target:
    """Make ``model`` (a tenant model) a check-in target; called from the app's ready().
    ``on_recorded`` lets the app record its own row after each scan (a meeting's presence)."""
    target = Target(model, may_display, may_check_in, on_recorded, status, count)
    _registry[target.label] = target
    return target


def unregister(model: type[models.Model]) -> None:
    _registry.pop(model._meta.label_lower, None)


def target_for(label: str) -> Target | None:
    return _registry.get(label)


def resolve(label: str, pk: int) -> tuple[Target, models.Model] | None:
    """The registered target and its object, or None for an unknown label or a missing object."""
    target = _registry.get(label)
    if target is None:
        return None
    obj = target.model._default_manager.filter(pk=pk).first()
    return (target, obj) if obj is not None else None


def _label_of(obj: models.Model) -> str:
    return obj._meta.label_lower


# --- Codes ----------------------------------------------------------------------------------


def time_step(now: datetime | None = None) -> int:
    return int((now or timezone.now()).timestamp()) // STEP_SECONDS


def seconds_left(now: datetime | None = None) -> int:
    """Seconds until the code on the screen changes (for its refresh)."""
    timestamp = int((now or timezone.now()).timestamp())
    return STEP_SECONDS - timestamp % STEP_SECONDS


def code_for(obj: models.Model, step: int) -> str:
    value = f"{_label_of(obj)}:{obj.pk}:{step}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:CODE_LENGTH]


def current_code(obj: models.Model, now: datetime | None = None) -> str:
    return code_for(obj, time_step(now))


def code_is_fresh(obj: models.Model, code: str, now: datetime | None = None) -> bool:
    step = time_step(now)
    return any(
        hmac.compare_digest(code.encode(), code_for(obj, step - back).encode())
        for back in range(ACCEPTED_STEPS)
    )


def scan_url(obj: models.Model, code: str) -> str:
    """The path the QR code opens (the view makes it absolute)."""
    return reverse("checkin_scan", args=[_label_of(obj), obj.pk, code])


# --- Recording ------------------------------------------------------------------------------


def checkin_record(
    *, actor: User, target: models.Model, code: str, now: datetime | None = None
) -> tuple[CheckIn, bool]:
    """Record ``actor`` as present at ``target`` with a scanned ``code``; (row, created).

    Refuses a code that is not the target's current or previous one (an old screenshot, another
    event's code) and a person the target's registration does not let in. A second scan returns
    the first row.
    """
    registration = _registry.get(_label_of(target))
    if registration is None:
        raise ValueError(f"{_label_of(target)} is not a check-in target")
    if not code_is_fresh(target, code, now):
        raise ValidationError(
            _(
                "This code has expired or belongs to another event. Scan the code on the screen again."
            ),
            code="checkin_code",
        )
    if not registration.may_check_in(actor, target):
        raise PermissionDenied(_("You cannot check in here."))
    community = target.community  # type: ignore[attr-defined]  # a TenantModel
    target_type = ContentType.objects.get_for_model(target)
    rows = CheckIn.objects.in_community(community)
    existing = rows.filter(target_type=target_type, target_id=target.pk, person=actor).first()
    if existing is not None:
        _recorded(registration, actor, target, existing)
        return existing, False
    try:
        with transaction.atomic():
            row = rows.create(
                community=community,
                target_type=target_type,
                target_id=target.pk,
                person=actor,
                at=now or timezone.now(),
            )
            journal.record(community=community, actor=actor, verb="checkin.recorded", target=target)
            _recorded(registration, actor, target, row)
    except IntegrityError:
        # Another scan of the same person won the race: theirs is the one presence.
        return rows.get(target_type=target_type, target_id=target.pk, person=actor), False
    return row, True


def _recorded(registration: Target, actor: Any, target: models.Model, row: CheckIn) -> None:
    if registration.on_recorded is not None:
        with transaction.atomic():
            registration.on_recorded(actor, target, row)


def status_of(person: Any, target: models.Model) -> str:
    """What the target's app tells ``person`` after a scan; empty when it says nothing more."""
    registration = _registry.get(_label_of(target))
    if registration is None or registration.status is None:
        return ""
    return registration.status(person, target)


def count_of(target: models.Model) -> int:
    """The door screen's number: the app's ``count``, else everyone who checked in."""
    registration = _registry.get(_label_of(target))
    if registration is not None and registration.count is not None:
        return registration.count(target)
    return present(target).count()


def present(target: models.Model) -> models.QuerySet[CheckIn]:
    """Who checked in at ``target``, first come first."""
    community = target.community_id  # type: ignore[attr-defined]  # a TenantModel
    return (
        CheckIn.objects.in_community(community)
        .filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
        .select_related("person")
    )
