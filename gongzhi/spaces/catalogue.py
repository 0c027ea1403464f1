"""The catalogue's writes: a community worker sets a space up, changes it and its rules, opens it
for booking and closes it again. Each is one service function: it checks permission, validates
(a clear, translated error with a stable code, nothing saved), writes atomically and journals.

A space starts as a draft (``being prepared``), seen by those who manage it; ``space_open``
puts it in the catalogue and lets the booking engine take bookings for it. Closing it stops new
bookings only: those already made stay, and its managers cancel them one by one if they must
(each booker is then told, by the booking engine).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies.models import Agreement, Body, Partner
from gongzhi.core import journal
from gongzhi.core.models import Building, Community
from gongzhi.core.policies import require
from gongzhi.core.uploads import MAX_PHOTO_BYTES, PHOTOS, check_upload
from gongzhi.spaces.models import Booking, Space, SpaceStatus

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: the fields a worker sets on a space (the form, the API and the services share this list)
FIELDS = (
    "name",
    "kind",
    "description",
    "building",
    "location",
    "capacity",
    "seats",
    "equipment",
    "step_free",
    "lift",
    "accessible_toilet",
    "accessibility_note",
    "hours",
    "managed_by_body",
    "managed_by_partner",
    "residents",
    "organisations",
    "partners",
    "slot_minutes",
    "max_minutes",
    "advance_days",
    "buffer_minutes",
    "quota",
    "quota_period",
    "needs_approval",
    "hold_hours",
    "series_allowed",
    "fee",
    "fee_note",
    "no_show_minutes",
    "no_show_limit",
)


def community_partners(community: Community | int) -> list[Partner]:
    """The partners with an agreement in the community: those who may manage its spaces."""
    ids = Agreement.objects.in_community(community).values("partner_id")
    return list(Partner.objects.filter(pk__in=ids).order_by("name", "pk"))


def hours_checked(value: Any) -> dict:
    """Opening hours as ``hours.py`` stores them, or a clear error. A text form is read by
    ``hours.py`` when it offers one (``parse``); JSON is read as JSON; an empty value means
    "no hours set: open at any time"."""
    if value in (None, "", {}):
        return {}
    from gongzhi.spaces import catalogue_hours

    try:
        return catalogue_hours.normalise(value)
    except (ValueError, TypeError, KeyError, json.JSONDecodeError) as error:
        raise ValidationError(
            _("The opening hours cannot be read: %(error)s") % {"error": error}, code="space_hours"
        ) from error
    except ValidationError as error:
        raise ValidationError(
            _("The opening hours cannot be read: %(error)s") % {"error": " ".join(error.messages)},
            code="space_hours",
        ) from error


def _clean(community: Community, fields: dict[str, Any], *, space: Space | None) -> dict:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown space fields: {sorted(unknown)}")
    base = space if space is not None else Space()  # a new space starts from the defaults
    merged = {name: getattr(base, name) for name in FIELDS}
    merged.update(fields)
    name = (merged.get("name") or "").strip()
    if not name:
        raise ValidationError(_("Give the space a name."), code="space_name")
    fields["name"] = name
    taken = Space.objects.in_community(community).filter(name=name)
    if space is not None:
        taken = taken.exclude(pk=space.pk)
    if taken.exists():
        raise ValidationError(
            _("Another space of this community has this name."), code="space_name_taken"
        )
    body, partner = merged.get("managed_by_body"), merged.get("managed_by_partner")
    if body is not None and partner is not None:
        raise ValidationError(
            _("A space is managed by one organisation or one partner, not both."),
            code="space_two_managers",
        )
    if isinstance(body, Body) and body.community_id != community.pk:
        raise ValidationError(
            _("That organisation is not of this community."), code="space_manager_unknown"
        )
    if isinstance(partner, Partner) and partner.pk not in {
        p.pk for p in community_partners(community)
    }:
        raise ValidationError(
            _("That partner has no agreement with this community."), code="space_manager_unknown"
        )
    building = merged.get("building")
    if isinstance(building, Building) and building.community_id != community.pk:
        raise ValidationError(
            _("That building is not in this community."), code="space_building_unknown"
        )
    seats, capacity = merged.get("seats") or 1, merged.get("capacity") or 0
    if seats < 1:
        raise ValidationError(_("At least one booking must fit at a time."), code="space_seats")
    if seats > 1 and seats > capacity:
        raise ValidationError(
            _("More bookings at once (%(seats)d) than people the space holds (%(capacity)d).")
            % {"seats": seats, "capacity": capacity},
            code="space_seats",
        )
    slot, longest = merged.get("slot_minutes") or 30, merged.get("max_minutes") or 0
    if slot < 5 or longest < slot:
        raise ValidationError(
            _("The longest booking must be at least one step of the grid (%(slot)d minutes).")
            % {"slot": slot},
            code="space_lengths",
        )
    fee = merged.get("fee") or Decimal(0)
    if fee < 0:
        raise ValidationError(_("A fee cannot be negative."), code="space_fee")
    if "hours" in fields:
        fields["hours"] = hours_checked(fields["hours"])
    return fields


def _photo(photo: Any) -> Any:
    return check_upload(photo, kinds=PHOTOS, max_bytes=MAX_PHOTO_BYTES) if photo else None


def _store_photo(space: Space, checked: Any) -> None:
    old = space.photo.name if space.photo else ""
    space.photo.save(checked.name, checked.as_file(), save=False)
    if old:
        storage = space.photo.storage
        transaction.on_commit(lambda: storage.delete(old))


def _save(space: Space) -> None:
    try:
        with transaction.atomic():
            space.save()
    except IntegrityError as error:  # a name taken by a concurrent request
        raise ValidationError(
            _("Another space of this community has this name."), code="space_name_taken"
        ) from error


def space_create(*, actor: User, community: Community, photo: Any = None, **fields: Any) -> Space:
    """Set up a space: a draft until it is opened."""
    require("spaces.manage_spaces", actor, community)
    fields = _clean(community, fields, space=None)
    checked = _photo(photo)
    with transaction.atomic():
        space = Space(community=community, created_by=actor, status=SpaceStatus.DRAFT, **fields)
        if checked is not None:
            _store_photo(space, checked)
        _save(space)
        journal.record(
            community=community,
            actor=actor,
            verb="space.created",
            target=space,
            data={"name": space.name, "kind": space.kind},
        )
    return space


def space_update(
    *,
    actor: User,
    space: Space,
    photo: Any = None,
    remove_photo: bool = False,
    **fields: Any,
) -> Space:
    """Change a space, its rules or its hours. Bookings already made keep their times."""
    require("spaces.manage_spaces", actor, space)
    community = space.community
    fields = _clean(community, fields, space=space)
    checked = _photo(photo)
    with transaction.atomic():
        fresh = Space.objects.in_community(community).select_for_update().get(pk=space.pk)
        changed = sorted(name for name, value in fields.items() if getattr(fresh, name) != value)
        for name, value in fields.items():
            setattr(fresh, name, value)
        if checked is not None:
            _store_photo(fresh, checked)
            changed.append("photo")
        elif remove_photo and fresh.photo:
            old, storage = fresh.photo.name, fresh.photo.storage
            fresh.photo = ""
            transaction.on_commit(lambda: storage.delete(old))
            changed.append("photo")
        _save(fresh)
        journal.record(
            community=community,
            actor=actor,
            verb="space.updated",
            target=fresh,
            data={"changed": changed},
        )
    return fresh


def _set_status(*, actor: User, space: Space, status: str, verb: str, data: dict) -> Space:
    require("spaces.manage_spaces", actor, space)
    with transaction.atomic():
        fresh = Space.objects.in_community(space.community_id).select_for_update().get(pk=space.pk)
        if fresh.status == status:
            raise ValidationError(
                _("The space is already %(status)s.") % {"status": fresh.get_status_display()},
                code="space_status_unchanged",
            )
        fresh.status = status
        fresh.save(update_fields=["status", "updated_at"])
        journal.record(community=fresh.community, actor=actor, verb=verb, target=fresh, data=data)
    return fresh


def space_open(*, actor: User, space: Space) -> Space:
    """Put the space in the catalogue and take bookings for it."""
    return _set_status(
        actor=actor, space=space, status=SpaceStatus.OPEN, verb="space.opened", data={}
    )


def space_close(*, actor: User, space: Space, reason: str = "") -> Space:
    """Stop new bookings; those already made stay (their count is journalled)."""
    reason = (reason or "").strip()[:300]
    ahead = (
        Booking.objects.in_community(space.community_id)
        .filter(space=space, status__in=("confirmed", "pending"), starts_at__gte=timezone.now())
        .count()
    )
    return _set_status(
        actor=actor,
        space=space,
        status=SpaceStatus.CLOSED,
        verb="space.closed",
        data={"reason": reason, "bookings_ahead": ahead},
    )
