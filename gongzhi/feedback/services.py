"""Every write of the hotline (接诉即办). Each service checks permission, runs in one
transaction, locks the ticket it moves (``select_for_update``) and checks the move against
``models.TRANSITIONS`` on the locked row, so two people acting at once cannot both apply a
step; it writes the ticket's timeline and the journal, and notifies within the same
transaction (``notify`` defers e-mail and SMS to the commit). Retraining the router after a
correction runs in a background task."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import rules
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import journal
from gongzhi.core.models import Building, Community, Membership, Role, RoleGrant, active_grant_q
from gongzhi.core.policies import membership_in, require
from gongzhi.core.ratelimit import count_hit
from gongzhi.core.uploads import MAX_PHOTO_BYTES, PHOTOS, check_upload, store_upload
from gongzhi.feedback import policies, routing
from gongzhi.feedback.lexicon import DEFAULT_LEXICON
from gongzhi.feedback.models import (
    MAX_TEXT,
    OPEN_STATUSES,
    TRANSITIONS,
    Category,
    Contact,
    Department,
    EventKind,
    Follower,
    Handler,
    Rating,
    Routing,
    RoutingCorrection,
    Status,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketPhoto,
)
from gongzhi.notifications.services import notify

MAX_PHOTOS = 5
MAX_UNIT = 60
MAX_COMMENT = 1000
#: A ticket waiting in triage has no category yet, so no category deadline: it must be looked
#: at within this many hours.
TRIAGE_RESPOND_HOURS = 24
#: Tickets a resident may file in a day (a worker filing for residents is not limited).
FILINGS_PER_DAY = 20

#: The default categories, in the order the filing form lists them: code -> (respond within
#: hours, resolve within days). Names come from the router's vocabulary (lexicon.py).
DEFAULT_CATEGORIES: dict[str, tuple[int, int]] = {
    "property_repair": (24, 7),
    "sanitation": (24, 3),
    "noise": (24, 5),
    "parking": (24, 7),
    "elevator": (4, 2),
    "utilities": (4, 3),
    "safety_hazard": (2, 1),
    "greenery": (48, 14),
    "waste_sorting": (48, 7),
    "dogs": (48, 7),
    "neighbour_dispute": (48, 15),
    "illegal_construction": (24, 15),
    "elderly_services": (24, 7),
    "suggestion": (72, 30),
}


def _require(perm: str, user: User, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this on the hotline."))


def _ticket_url(ticket: Ticket) -> str:
    return reverse("hotline_ticket", args=[ticket.community.slug, ticket.number])


def _tell(users: Iterable[User], kind: str, ticket: Ticket, message: str) -> None:
    recipients = {u.pk: u for u in users if u is not None}
    if not recipients:
        return
    # The reporters of tickets merged into a private one may not open it: their link is to
    # their own ticket, whose page shows the progress of the one it was merged into.
    own: dict[int, Ticket] = {}
    if not ticket.is_public:
        merged = Ticket.objects.in_community(ticket.community_id).filter(
            duplicate_of=ticket, reporter_id__in=list(recipients)
        )
        own = {t.reporter_id: t for t in merged.order_by("pk") if t.reporter_id is not None}
        own = {
            pk: t
            for pk, t in own.items()
            if not rules.has_perm("feedback.view_ticket", recipients[pk], ticket)
        }
    groups: dict[str, list[User]] = {}
    for pk, user in recipients.items():
        url = _ticket_url(own[pk]) if pk in own else _ticket_url(ticket)
        groups.setdefault(url, []).append(user)
    for url, group in groups.items():
        notify(
            users=group,
            kind=kind,
            message=message,
            params={"ref": ticket.reference, "community": ticket.community.name},
            url=url,
            community=ticket.community,
        )


def _followers(ticket: Ticket, *, but: User | None = None) -> list[User]:
    rows = Follower.objects.in_community(ticket.community_id).filter(ticket=ticket)
    users = [f.user for f in rows.select_related("user")]
    return [u for u in users if but is None or u.pk != but.pk]


def _handlers_of(ticket: Ticket) -> list[User]:
    """Whoever should act: the assignee, else the department's handlers."""
    if ticket.assignee_id is not None:
        return [ticket.assignee] if ticket.assignee else []
    if ticket.department_id is None:
        return []
    return [
        h.user
        for h in Handler.objects.in_community(ticket.community_id)
        .filter(department_id=ticket.department_id)
        .select_related("user")
    ]


def _role_holders(community_id: int, *roles: str) -> list[User]:
    grants = RoleGrant.objects.in_community(community_id).filter(active_grant_q(), role__in=roles)
    return list(
        User.objects.filter(
            pk__in=Membership.objects.in_community(community_id)
            .filter(pk__in=grants.values("membership_id"))
            .values("user_id")
        )
    )


def _event(
    ticket: Ticket,
    kind: str,
    author: User | None,
    *,
    note: str = "",
    public: bool = True,
    status: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent.objects.in_community(ticket.community_id).create(
        ticket=ticket,
        kind=kind,
        author=author,
        note=note,
        public=public,
        status=status,
        data=data or {},
        at=timezone.now(),
    )


def _record(ticket: Ticket, actor: User | None, verb: str, **data: Any) -> None:
    journal.record(
        community=ticket.community,
        actor=actor,
        verb=verb,
        target=ticket,
        data={"number": ticket.number, **data},
    )


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.in_community(ticket.community_id)
        .select_for_update(of=("self",))
        .select_related("community", "category", "department", "assignee")
        .get(pk=ticket.pk)
    )


def _wrong_status(ticket: Ticket) -> ValidationError:
    return ValidationError(
        _("This cannot be done while the ticket is “%(status)s”.")
        % {"status": ticket.get_status_display()},
        code="wrong_status",
    )


def _check_move(ticket: Ticket, to: str) -> None:
    if to not in TRANSITIONS[ticket.status]:
        raise _wrong_status(ticket)


def _advance(
    locked: Ticket,
    actor: User,
    status: str,
    kind: str,
    *,
    note: str,
    message: str,
    stamp: str | None = None,
) -> Ticket:
    """Move a locked ticket to ``status`` now (setting the time field ``stamp`` if it is not set
    yet), write the step on the timeline and in the journal, and tell its followers."""
    now = timezone.now()
    locked.status = status
    if stamp is not None and getattr(locked, stamp) is None:
        setattr(locked, stamp, now)
    locked.updated_at = now
    locked.save()
    _event(locked, kind, actor, note=note, status=status)
    _record(locked, actor, f"hotline.{kind}")
    _tell(_followers(locked, but=actor), "hotline_ticket_update", locked, message)
    return locked


def _clean_text(text: str, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(_("Please write what happened."), code="empty")
    if len(text) > max_length:
        raise ValidationError(
            _("The text is too long: at most %(max)d characters, this one has %(n)d.")
            % {"max": max_length, "n": len(text)},
            code="too_long",
        )
    return text


def _category(community_id: int, category: Category | str) -> Category:
    if isinstance(category, Category):
        if category.community_id == community_id and category.active:
            return category
        code = category.code
    else:
        code = str(category)
        found = Category.objects.in_community(community_id).filter(code=code, active=True).first()
        if found is not None:
            return found
    raise ValidationError(
        _("There is no category “%(code)s” on this hotline.") % {"code": code},
        code="unknown_category",
    )


def _set_deadlines(ticket: Ticket) -> None:
    """Deadlines follow from the category: respond counted from filing, resolve from filing or
    from the last reopening."""
    if ticket.category is None:
        ticket.respond_by = ticket.created_at + timedelta(hours=TRIAGE_RESPOND_HOURS)
        ticket.resolve_by = None
        return
    ticket.respond_by = ticket.created_at + timedelta(hours=ticket.category.respond_within_hours)
    base = ticket.reopened_at or ticket.created_at
    ticket.resolve_by = base + timedelta(days=ticket.category.resolve_within_days)


def _point(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    bad = ValidationError(
        _(
            "The map point needs a latitude between -90 and 90 and a longitude between -180 and 180."
        ),
        code="point",
    )
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as exc:
        raise bad from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad
    return lat, lon


def _next_number(community: Community) -> int:
    counter, _created = (
        TicketCounter.objects.in_community(community).select_for_update().get_or_create()
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


# --- Categories and departments ---------------------------------------------------------------


def categories_install_defaults(
    *, community: Community, actor: User | None = None
) -> list[Category]:
    """Give a community the default categories the router's vocabulary knows (idempotent: codes
    the community already has are left as they are)."""
    if actor is not None:
        _require("feedback.manage", actor, community)
    created: list[Category] = []
    with transaction.atomic():
        existing = set(Category.objects.in_community(community).values_list("code", flat=True))
        for position, (code, (hours, days)) in enumerate(DEFAULT_CATEGORIES.items()):
            if code in existing:
                continue
            created.append(
                Category.objects.in_community(community).create(
                    code=code,
                    name=DEFAULT_LEXICON[code].name,
                    respond_within_hours=hours,
                    resolve_within_days=days,
                    position=position,
                )
            )
        if created:
            journal.record(
                community=community,
                actor=actor,
                verb="hotline.categories_installed",
                data={"codes": [c.code for c in created]},
            )
            # Train the cold-start router in the background, not in the first filing.
            transaction.on_commit(lambda: routing.request_retrain(community.pk))
    return list(Category.objects.in_community(community))


CATEGORY_FIELDS = (
    "name",
    "description",
    "keywords",
    "respond_within_hours",
    "resolve_within_days",
    "department",
    "active",
    "position",
)


def _check_category(community_id: int, values: dict[str, Any]) -> None:
    if not str(values.get("name", "")).strip():
        raise ValidationError(_("Give the category a name."), code="name")
    for field in ("respond_within_hours", "resolve_within_days"):
        if field in values and (values[field] is None or int(values[field]) <= 0):
            raise ValidationError(_("Deadlines must be at least 1."), code="deadline")
    department = values.get("department")
    if department is not None and department.community_id != community_id:
        raise ValidationError(_("Choose a department of this community."), code="department")


def category_create(
    *, actor: User, community: Community, code: str, name: str, **values: Any
) -> Category:
    _require("feedback.manage", actor, community)
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    from django.utils.text import slugify

    code = (code or "").strip()
    if not code or slugify(code) != code.lower() or len(code) > 40:
        raise ValidationError(
            _("The code may use only letters, digits, - and _ (at most 40)."), code="code"
        )
    values = {"name": name.strip(), **values}
    _check_category(community.pk, values)
    try:
        with transaction.atomic():
            category = Category.objects.in_community(community).create(code=code, **values)
            journal.record(
                community=community,
                actor=actor,
                verb="hotline.category_created",
                target=category,
                data={"code": code},
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("This hotline already has a category with the code “%(code)s”.") % {"code": code},
            code="duplicate_code",
        ) from exc
    return category


def category_update(*, actor: User, category: Category, **values: Any) -> Category:
    """Change a category (its code stays: Open311 clients and statistics know it by code)."""
    _require("feedback.manage", actor, category)
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    merged = {f: getattr(category, f) for f in CATEGORY_FIELDS} | values
    _check_category(category.community_id, merged)
    with transaction.atomic():
        for field, value in merged.items():
            setattr(category, field, value)
        category.save()
        journal.record(
            community=category.community,
            actor=actor,
            verb="hotline.category_updated",
            target=category,
            data={"code": category.code},
        )
    return category


def department_create(
    *, actor: User | None, community: Community, name: str, description: str = ""
) -> Department:
    if actor is not None:
        _require("feedback.manage", actor, community)
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the department a name."), code="name")
    try:
        with transaction.atomic():
            department = Department.objects.in_community(community).create(
                name=name, description=description.strip()[:300]
            )
            journal.record(
                community=community,
                actor=actor,
                verb="hotline.department_created",
                target=department,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("There is already a department called “%(name)s”.") % {"name": name},
            code="duplicate_name",
        ) from exc
    return department


def handler_add(*, actor: User | None, department: Department, user: User) -> Handler:
    """Make a member of the community a handler of ``department``."""
    if actor is not None:
        _require("feedback.manage", actor, department)
    if membership_in(user, department.community_id) is None:
        raise ValidationError(
            _("Only a member of this community can handle its tickets."), code="not_member"
        )
    with transaction.atomic():
        handler, created = Handler.objects.in_community(department.community_id).get_or_create(
            department=department, user=user
        )
        if created:
            journal.record(
                community=department.community,
                actor=actor,
                verb="hotline.handler_added",
                target=department,
                data={"handler": user.pk},
            )
    policies.forget_handler_cache(user)
    return handler


def handler_remove(*, actor: User, department: Department, user: User) -> None:
    _require("feedback.manage", actor, department)
    with transaction.atomic():
        deleted, _rows = (
            Handler.objects.in_community(department.community_id)
            .filter(department=department, user=user)
            .delete()
        )
        if deleted:
            journal.record(
                community=department.community,
                actor=actor,
                verb="hotline.handler_removed",
                target=department,
                data={"handler": user.pk},
            )
    policies.forget_handler_cache(user)


# --- Filing -----------------------------------------------------------------------------------


def ticket_file(
    *,
    actor: User,
    community: Community,
    text: str,
    category: Category | str | None = None,
    building: Building | None = None,
    unit: str = "",
    latitude: Any = None,
    longitude: Any = None,
    is_public: bool = False,
    contact: str = Contact.IN_APP,
    photos: Sequence[Any] = (),
    on_behalf_of: User | None = None,
) -> Ticket:
    """A resident reports a problem (or a community worker for them, 代办). The router picks the
    category when it is confident enough; otherwise the ticket waits in the triage queue. Every
    input is checked before anything is written: one bad photo refuses the ticket."""
    if on_behalf_of is not None and on_behalf_of.pk != actor.pk:
        require(
            "core.act_on_behalf",
            actor,
            community,
            _("Only a community worker can report a problem for a resident."),
        )
        if membership_in(on_behalf_of, community.pk) is None:
            raise ValidationError(
                _("The resident is not a member of this community."), code="not_member"
            )
        reporter = on_behalf_of
    else:
        on_behalf_of = None
        _require("feedback.file", actor, community)
        reporter = actor
    text = _clean_text(text)
    unit = (unit or "").strip()
    if len(unit) > MAX_UNIT:
        raise ValidationError(
            _("The unit or spot is too long: at most %(max)d characters.") % {"max": MAX_UNIT},
            code="unit_too_long",
        )
    if contact not in Contact.values:
        raise ValidationError(_("Choose how you would like to be contacted."), code="contact")
    if building is not None and building.community_id != community.pk:
        raise ValidationError(_("Choose a building of this community."), code="building")
    lat, lon = _point(latitude, longitude)
    chosen = _category(community.pk, category) if category not in (None, "") else None
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("At most %(max)d photos.") % {"max": MAX_PHOTOS}, code="too_many_files"
        )
    checked = [check_upload(f, kinds=PHOTOS, max_bytes=MAX_PHOTO_BYTES) for f in photos]
    if on_behalf_of is None and count_hit("hotline.file", actor.pk, window=86400) > FILINGS_PER_DAY:
        raise ValidationError(
            _(
                "You have reported %(n)d problems today, the most a day. Please call the community office."
            )
            % {"n": FILINGS_PER_DAY},
            code="rate_limited",
        )
    # The router is read (or trained, the first time) before the transaction: no lock is held
    # while it thinks.
    router = routing.router_for(community.pk)
    prediction = router.predict(text) if router is not None else None

    written: list[Any] = []
    try:
        with transaction.atomic():
            by_code = {
                c.code: c for c in Category.objects.in_community(community).filter(active=True)
            }
            predicted = by_code.get(prediction.category) if prediction else None
            if chosen is not None:
                category_row, state = chosen, Routing.CHOSEN
            elif prediction is not None and predicted is not None and not prediction.needs_triage:
                category_row, state = predicted, Routing.AUTO
            else:
                category_row, state = None, Routing.TRIAGE
            ticket = Ticket(
                community=community,
                number=_next_number(community),
                text=text,
                building=building,
                unit=unit,
                latitude=lat,
                longitude=lon,
                is_public=bool(is_public),
                contact=contact,
                reporter=reporter,
                filed_by=actor if on_behalf_of is not None else None,
                category=category_row,
                predicted_category=predicted,
                confidence=round(prediction.confidence, 4) if prediction else None,
                routing=state,
                department=category_row.department if category_row else None,
                created_at=timezone.now(),
            )
            ticket.updated_at = ticket.created_at
            _set_deadlines(ticket)
            ticket.save()
            for upload in checked:
                store_upload(TicketPhoto(community_id=community.pk, ticket=ticket), upload, written)
            Follower.objects.in_community(community).create(ticket=ticket, user=reporter)
            _event(
                ticket,
                EventKind.FILED,
                actor,
                status=Status.SUBMITTED,
                data={"on_behalf": on_behalf_of is not None},
            )
            _event(
                ticket,
                EventKind.ROUTED,
                None,
                public=False,
                data={
                    "routing": state,
                    "predicted": prediction.category if prediction else None,
                    "predicted_name": predicted.name if predicted else None,
                    "confidence": ticket.confidence,
                    "ranking": [[c, round(p, 4)] for c, p in prediction.ranking[:3]]
                    if prediction
                    else [],
                },
            )
            journal.record(
                community=community,
                actor=actor,
                on_behalf_of=on_behalf_of,
                verb="hotline.filed",
                target=ticket,
                data={
                    "number": ticket.number,
                    "routing": state,
                    "category": category_row.code if category_row else None,
                    "photos": len(checked),
                },
            )
            _tell(_handlers_of(ticket), "hotline_ticket_assigned", ticket, "for_department")
    except Exception:
        for file in written:
            file.delete(save=False)
        raise
    return ticket


def ticket_add_photos(*, actor: User, ticket: Ticket, photos: Sequence[Any]) -> list[TicketPhoto]:
    """The reporter (or the worker who filed for them) adds photos to an open ticket, up to
    ``MAX_PHOTOS`` in all. Every file is checked first: one bad file adds none."""
    if actor.pk not in (ticket.reporter_id, ticket.filed_by_id):
        _require("feedback.handle", actor, ticket)
    if not photos:
        raise ValidationError(_("Choose at least one photo."), code="empty")
    checked = [check_upload(f, kinds=PHOTOS, max_bytes=MAX_PHOTO_BYTES) for f in photos]
    written: list[Any] = []
    try:
        with transaction.atomic():
            locked = _locked(ticket)
            if not locked.is_open:
                raise _wrong_status(locked)
            have = TicketPhoto.objects.in_community(locked.community_id).filter(ticket=locked)
            if have.count() + len(checked) > MAX_PHOTOS:
                raise ValidationError(
                    _("At most %(max)d photos.") % {"max": MAX_PHOTOS}, code="too_many_files"
                )
            added = []
            for upload in checked:
                row = TicketPhoto(community_id=locked.community_id, ticket=locked)
                store_upload(row, upload, written)
                added.append(row)
            _record(locked, actor, "hotline.photos_added", photos=len(added))
    except Exception:
        for file in written:
            file.delete(save=False)
        raise
    return added


def ticket_follow(*, actor: User, ticket: Ticket) -> Follower:
    """“This is my problem too”: a resident follows an open ticket instead of filing another."""
    _require("feedback.follow", actor, ticket)
    if not ticket.is_open:
        raise ValidationError(
            _("This ticket is no longer open: please report your problem instead."),
            code="not_open",
        )
    with transaction.atomic():
        follower, created = Follower.objects.in_community(ticket.community_id).get_or_create(
            ticket=ticket, user=actor
        )
        if created:
            _record(ticket, actor, "hotline.followed")
    return follower


# --- Routing ----------------------------------------------------------------------------------


def ticket_recategorise(*, actor: User, ticket: Ticket, category: Category | str) -> Ticket:
    """Staff choose the category (in triage, or over the router's guess). The choice is a
    labelled example: the router is retrained from it in the background."""
    _require("feedback.manage", actor, ticket)
    category = _category(ticket.community_id, category)
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.status == Status.CLOSED:
            raise ValidationError(
                _("A closed ticket's category cannot change."), code="wrong_status"
            )
        if locked.category_id == category.pk and locked.routing == Routing.OVERRIDDEN:
            return locked
        previous = locked.category
        locked.category = category
        locked.routing = Routing.OVERRIDDEN
        if locked.assignee_id is None and category.department_id is not None:
            locked.department = category.department
        old = (locked.respond_by, locked.resolve_by)
        _set_deadlines(locked)
        if locked.respond_by != old[0]:
            locked.respond_reminded_at = None
        if locked.resolve_by != old[1]:
            locked.resolve_reminded_at = None
        locked.updated_at = timezone.now()
        locked.save()
        RoutingCorrection.objects.in_community(locked.community_id).create(
            ticket=locked,
            text=locked.text,
            category=category,
            predicted=locked.predicted_category,
            by=actor,
        )
        _event(
            locked,
            EventKind.RECATEGORISED,
            actor,
            data={"from": previous.name if previous else None, "to": category.name},
        )
        _record(
            locked,
            actor,
            "hotline.recategorised",
            category=category.code,
            previous=previous.code if previous else None,
        )
        if previous is None or previous.department_id != category.department_id:
            _tell(
                [u for u in _handlers_of(locked) if u.pk != actor.pk],
                "hotline_ticket_assigned",
                locked,
                "for_department",
            )
        community_id = locked.community_id
        transaction.on_commit(lambda: routing.request_retrain(community_id))
    return locked


# --- The workflow -----------------------------------------------------------------------------


def ticket_assign(
    *,
    actor: User,
    ticket: Ticket,
    department: Department | None = None,
    assignee: User | None = None,
    note: str = "",
) -> Ticket:
    """Staff give an open ticket to a department and/or one handler (who must handle tickets
    in the community, or be one of its workers)."""
    _require("feedback.manage", actor, ticket)
    note = _clean_text(note, required=False)
    if department is None and assignee is None:
        raise ValidationError(_("Choose a department or a handler."), code="no_assignee")
    if department is not None and (
        department.community_id != ticket.community_id or not department.active
    ):
        raise ValidationError(_("Choose a department of this community."), code="department")
    if assignee is not None:
        handles_in = set(
            Handler.objects.in_community(ticket.community_id)
            .filter(user=assignee, department__active=True)
            .values_list("department_id", flat=True)
        )
        is_worker = policies.manage_hotline(assignee, ticket.community)
        if department is not None and department.pk not in handles_in and not is_worker:
            raise ValidationError(
                _("%(name)s does not handle tickets in %(department)s.")
                % {"name": str(assignee), "department": department.name},
                code="not_handler",
            )
        if not handles_in and not is_worker:
            raise ValidationError(
                _("%(name)s does not handle hotline tickets in this community.")
                % {"name": str(assignee)},
                code="not_handler",
            )
        if department is None and handles_in:
            department = (
                Department.objects.in_community(ticket.community_id)
                .filter(pk__in=handles_in)
                .order_by("pk")
                .first()
            )
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.status not in OPEN_STATUSES:
            raise _wrong_status(locked)
        if department is not None:
            locked.department = department
        locked.assignee = assignee
        locked.updated_at = timezone.now()
        locked.save(update_fields=["department", "assignee", "updated_at"])
        _event(
            locked,
            EventKind.ASSIGNED,
            actor,
            note=note,
            public=False,
            data={
                "department": locked.department.name if locked.department else None,
                "assignee": str(assignee) if assignee else None,
            },
        )
        _record(
            locked,
            actor,
            "hotline.assigned",
            department=locked.department_id,
            assignee=assignee.pk if assignee else None,
        )
        _tell(
            [u for u in _handlers_of(locked) if u.pk != actor.pk],
            "hotline_ticket_assigned",
            locked,
            "given_to_you",
        )
    return locked


def ticket_accept(*, actor: User, ticket: Ticket, note: str = "") -> Ticket:
    """受理: a handler or a community worker takes the ticket on (the response the
    respond-by deadline asks for). A handler who accepts an unassigned ticket gets it."""
    _require("feedback.handle", actor, ticket)
    note = _clean_text(note, required=False)
    with transaction.atomic():
        locked = _locked(ticket)
        _check_move(locked, Status.ACCEPTED)
        if locked.category_id is None:
            raise ValidationError(
                _("Choose the ticket's category before accepting it."), code="no_category"
            )
        if locked.assignee_id is None and policies.handles_ticket(actor, locked):
            locked.assignee = actor
        return _advance(
            locked,
            actor,
            Status.ACCEPTED,
            EventKind.ACCEPTED,
            note=note,
            stamp="accepted_at",
            message="accepted",
        )


def ticket_start(*, actor: User, ticket: Ticket, note: str = "") -> Ticket:
    """处置中: work on the problem has begun."""
    _require("feedback.handle", actor, ticket)
    note = _clean_text(note, required=False)
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.status != Status.ACCEPTED:  # in progress again after a reopening, not here
            raise _wrong_status(locked)
        return _advance(
            locked,
            actor,
            Status.IN_PROGRESS,
            EventKind.STARTED,
            note=note,
            stamp="started_at",
            message="started",
        )


def ticket_resolve(*, actor: User, ticket: Ticket, note: str) -> Ticket:
    """办结: the handler answers what was done. The reporter is asked to rate it."""
    _require("feedback.handle", actor, ticket)
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            _("Please say what was done: the resident reads this answer."), code="empty"
        )
    note = _clean_text(note)
    with transaction.atomic():
        locked = _locked(ticket)
        _check_move(locked, Status.RESOLVED)
        locked.resolution = note
        return _advance(
            locked,
            actor,
            Status.RESOLVED,
            EventKind.RESOLVED,
            note=note,
            stamp="resolved_at",
            message="resolved",
        )


def ticket_rate(
    *, actor: User, ticket: Ticket, solved: bool, satisfaction: int, comment: str = ""
) -> Rating:
    """评价: the reporter says whether the problem was solved and how satisfied they are (1–5);
    this closes the ticket. One rating per ticket."""
    try:
        satisfaction = int(satisfaction)
    except (TypeError, ValueError):
        satisfaction = 0
    if not 1 <= satisfaction <= 5:
        raise ValidationError(
            _("Choose a satisfaction from 1 (very unsatisfied) to 5 (very satisfied)."),
            code="satisfaction",
        )
    if not isinstance(solved, bool):
        raise ValidationError(_("Say whether the problem was solved."), code="solved")
    comment = _clean_text(comment, required=False, max_length=MAX_COMMENT)
    try:
        with transaction.atomic():
            locked = _locked(ticket)
            if locked.reporter_id != getattr(actor, "pk", None):
                _require("feedback.rate", actor, locked)
            if Rating.objects.in_community(locked.community_id).filter(ticket=locked).exists():
                raise ValidationError(
                    _("This ticket has already been rated."), code="already_rated"
                )
            if locked.status != Status.RESOLVED:
                raise ValidationError(
                    _("A ticket can be rated once it is resolved."), code="wrong_status"
                )
            now = timezone.now()
            rating = Rating.objects.in_community(locked.community_id).create(
                ticket=locked,
                rater=actor,
                solved=solved,
                satisfaction=satisfaction,
                comment=comment,
                created_at=now,
            )
            locked.status = Status.CLOSED
            locked.closed_at = now
            locked.updated_at = now
            locked.save()
            _event(
                locked,
                EventKind.RATED,
                actor,
                status=Status.CLOSED,
                data={"solved": solved, "satisfaction": satisfaction},
            )
            _record(locked, actor, "hotline.rated", solved=solved, satisfaction=satisfaction)
            _tell(
                _handlers_of(locked),
                "hotline_ticket_update",
                locked,
                "rated",
            )
    except IntegrityError as exc:  # a second rating raced the first past the check
        raise ValidationError(
            _("This ticket has already been rated."), code="already_rated"
        ) from exc
    return rating


def ticket_reopen(*, actor: User, ticket: Ticket, reason: str) -> Ticket:
    """The problem is back (or was never solved): the reporter reopens within ``REOPEN_DAYS``
    of the resolution, before rating; staff may reopen a resolved or closed ticket."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please say why the ticket is reopened."), code="empty")
    reason = _clean_text(reason)
    with transaction.atomic():
        locked = _locked(ticket)
        _require("feedback.reopen", actor, locked)
        if locked.duplicate_of is not None:
            raise ValidationError(
                _("This ticket was merged into %(ref)s: follow that one.")
                % {"ref": locked.duplicate_of.reference},
                code="merged",
            )
        if locked.status not in (Status.RESOLVED, Status.CLOSED):
            raise _wrong_status(locked)
        now = timezone.now()
        if locked.accepted_at is None:  # closed straight from submission by staff
            locked.accepted_at = now
        locked.status = Status.IN_PROGRESS
        locked.reopened_at = now
        locked.reopen_count += 1
        locked.resolved_at = None
        locked.closed_at = None
        locked.resolve_reminded_at = None
        locked.resolve_escalated_at = None
        locked.updated_at = now
        _set_deadlines(locked)
        locked.save()
        _event(locked, EventKind.REOPENED, actor, note=reason, status=Status.IN_PROGRESS)
        _record(locked, actor, "hotline.reopened")
        _tell(
            [*_handlers_of(locked), *_followers(locked)],
            "hotline_ticket_update",
            locked,
            "reopened",
        )
    return locked


def ticket_close(*, actor: User, ticket: Ticket, note: str = "") -> Ticket:
    """Staff close a ticket: a resolved one that was not rated, or one that cannot be handled
    (then with a reason the reporter reads)."""
    _require("feedback.manage", actor, ticket)
    note = _clean_text(note, required=False)
    with transaction.atomic():
        locked = _locked(ticket)
        _check_move(locked, Status.CLOSED)
        if locked.status != Status.RESOLVED and not note:
            raise ValidationError(
                _("Please give the reason for closing a ticket that was not resolved."),
                code="empty",
            )
        return _advance(
            locked,
            actor,
            Status.CLOSED,
            EventKind.CLOSED,
            note=note,
            stamp="closed_at",
            message="closed",
        )


def ticket_merge(*, actor: User, ticket: Ticket, into: Ticket) -> Ticket:
    """合并: ``ticket`` reports the same problem as ``into``. It is closed as a duplicate and its
    followers (its reporter first) follow ``into`` from now on, so they hear of every step."""
    _require("feedback.manage", actor, ticket)
    if into.community_id != ticket.community_id or into.pk == ticket.pk:
        raise ValidationError(
            _("Choose another ticket of this community to merge into."), code="merge_target"
        )
    with transaction.atomic():
        # Both rows locked, always in the same order, so two merges cannot deadlock.
        rows = {
            t.pk: t
            for t in Ticket.objects.in_community(ticket.community_id)
            .select_for_update(of=("self",))
            .select_related("community")
            .filter(pk__in=[ticket.pk, into.pk])
            .order_by("pk")
        }
        duplicate, target = rows[ticket.pk], rows[into.pk]
        if duplicate.status == Status.CLOSED:
            raise ValidationError(_("This ticket is already closed."), code="wrong_status")
        if target.status == Status.CLOSED or target.duplicate_of_id is not None:
            raise ValidationError(
                _("Ticket %(ref)s is closed: merge into an open ticket.")
                % {"ref": target.reference},
                code="merge_target",
            )
        now = timezone.now()
        duplicate.status = Status.CLOSED
        duplicate.closed_at = now
        duplicate.duplicate_of = target
        duplicate.updated_at = now
        duplicate.save()
        moved = []
        for follower in (
            Follower.objects.in_community(ticket.community_id)
            .filter(ticket=duplicate)
            .select_related("user")
        ):
            _row, created = Follower.objects.in_community(ticket.community_id).get_or_create(
                ticket=target, user=follower.user
            )
            if created:
                moved.append(follower.user)
        _event(
            duplicate,
            EventKind.MERGED,
            actor,
            status=Status.CLOSED,
            data={"into": target.number},
        )
        _event(target, EventKind.MERGED, actor, data={"from": duplicate.number})
        _record(duplicate, actor, "hotline.merged", into=target.number)
        _tell(
            [u for u in _followers(duplicate) if u.pk != actor.pk],
            "hotline_ticket_update",
            duplicate,
            "merged",
        )
    return duplicate


def ticket_note(*, actor: User, ticket: Ticket, note: str, public: bool = False) -> TicketEvent:
    """A note on the timeline: internal for staff and handlers, or public for the reporter."""
    _require("feedback.handle", actor, ticket)
    note = _clean_text(note)
    with transaction.atomic():
        locked = _locked(ticket)
        event = _event(locked, EventKind.NOTE, actor, note=note, public=public)
        _record(locked, actor, "hotline.noted", public=public)
        if public:
            _tell(
                _followers(locked, but=actor),
                "hotline_ticket_update",
                locked,
                "news",
            )
    return event


# --- Deadlines (manage.py hotline_deadlines) --------------------------------------------------


@dataclass
class Sweep:
    reminded: int = 0
    escalated: int = 0
    closed: int = 0


#: A reminder goes out when a quarter of the allowed time is left, at most this long before.
REMIND_AT_MOST = timedelta(hours=24)


def _lead(deadline: datetime, start: datetime) -> timedelta:
    return min(REMIND_AT_MOST, (deadline - start) / 4)


def _claim(ticket: Ticket, field: str, now: datetime) -> bool:
    """Mark ``field`` once, if the ticket still waits for that deadline: a conditional UPDATE,
    so two sweeps at once send one message, and a ticket answered since the sweep read it is
    left alone."""
    waiting = [Status.SUBMITTED] if field.startswith("respond") else list(OPEN_STATUSES)
    return bool(
        Ticket.objects.in_community(ticket.community_id)
        .filter(pk=ticket.pk, status__in=waiting, **{f"{field}__isnull": True})
        .update(**{field: now})
    )


def _remind(ticket: Ticket, which: str, now: datetime) -> bool:
    with transaction.atomic():
        if not _claim(ticket, f"{which}_reminded_at", now):
            return False
        _event(ticket, EventKind.REMINDER, None, public=False, data={"deadline": which})
        recipients = _handlers_of(ticket) or _role_holders(
            ticket.community_id, Role.COMMUNITY_WORKER
        )
        _tell(recipients, "hotline_deadline", ticket, f"{which}_soon")
    return True


def _escalate(ticket: Ticket, which: str, now: datetime) -> bool:
    with transaction.atomic():
        if not _claim(ticket, f"{which}_escalated_at", now):
            return False
        _event(ticket, EventKind.ESCALATED, None, public=False, data={"deadline": which})
        _record(ticket, None, "hotline.escalated", deadline=which)
        recipients = [
            *_handlers_of(ticket),
            *_role_holders(ticket.community_id, Role.COMMUNITY_WORKER, Role.SUPERVISOR),
        ]
        _tell(recipients, "hotline_deadline", ticket, f"{which}_late")
    return True


def _close_unrated(ticket: Ticket, now: datetime) -> bool:
    with transaction.atomic():
        locked = _locked(ticket)
        if locked.status != Status.RESOLVED or locked.resolved_at is None:
            return False
        if locked.resolved_at + timedelta(days=policies.REOPEN_DAYS) > now:
            return False
        locked.status = Status.CLOSED
        locked.closed_at = now
        locked.updated_at = now
        locked.save()
        _event(locked, EventKind.CLOSED, None, status=Status.CLOSED, data={"unrated": True})
        _record(locked, None, "hotline.closed", unrated=True)
    return True


def deadlines_sweep(*, communities: Sequence[int] | None = None) -> Sweep:
    """Remind before a deadline, escalate after it (each once per ticket and deadline), and
    close resolved tickets left unrated past the reopening window. Safe to run as often as
    wanted, and by two processes at once."""
    now = timezone.now()
    sweep = Sweep()
    tickets = Ticket.objects.all_communities().select_related("community", "assignee", "category")
    if communities is not None:
        tickets = tickets.filter(community__in=communities)

    respond = tickets.filter(
        status=Status.SUBMITTED,
        respond_by__lte=now + REMIND_AT_MOST,
    ).filter(Q(respond_reminded_at__isnull=True) | Q(respond_escalated_at__isnull=True))
    for ticket in respond.order_by("respond_by")[:10_000]:
        assert ticket.respond_by is not None
        if ticket.respond_by <= now and ticket.respond_escalated_at is None:
            sweep.escalated += _escalate(ticket, "respond", now)
        elif (
            ticket.respond_reminded_at is None
            and ticket.respond_escalated_at is None
            and now >= ticket.respond_by - _lead(ticket.respond_by, ticket.created_at)
        ):
            sweep.reminded += _remind(ticket, "respond", now)

    resolve = tickets.filter(
        status__in=OPEN_STATUSES,
        resolve_by__lte=now + REMIND_AT_MOST,
    ).filter(Q(resolve_reminded_at__isnull=True) | Q(resolve_escalated_at__isnull=True))
    for ticket in resolve.order_by("resolve_by")[:10_000]:
        assert ticket.resolve_by is not None
        start = ticket.reopened_at or ticket.created_at
        if ticket.resolve_by <= now and ticket.resolve_escalated_at is None:
            sweep.escalated += _escalate(ticket, "resolve", now)
        elif (
            ticket.resolve_reminded_at is None
            and ticket.resolve_escalated_at is None
            and now >= ticket.resolve_by - _lead(ticket.resolve_by, start)
        ):
            sweep.reminded += _remind(ticket, "resolve", now)

    unrated = tickets.filter(
        status=Status.RESOLVED, resolved_at__lte=now - timedelta(days=policies.REOPEN_DAYS)
    )
    for ticket in unrated[:10_000]:
        sweep.closed += _close_unrated(ticket, now)
    return sweep
