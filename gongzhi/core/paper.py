"""Paper ballots by double entry (纸质选票双录入), one block for every app that takes them.

A paper ballot carries a serial number printed on it. Staff type each ballot in; it counts only
once two *different* people have typed it the same way. When the second reading differs, the
ballot is a conflict and stays uncounted until a third person types it: a reading that agrees
with any earlier one by someone else confirms it. This is the "two-pass verification" (双人
双录) used for keying in paper forms: an error has to be made twice, identically, by two people
to pass.

An app keeps its own table (``PaperEntry`` in voting and in budgeting, a concrete subclass of
``PaperEntryBase`` with a foreign key to its ballot box: a vote, a budget process) and calls
``double_entry`` with the parts only it knows: how a ballot is checked, how a confirmed one is
counted, what is journalled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.tenancy import TenantModel, TenantQuerySet

SERIAL_MAX = 30

Event = Literal["entered", "conflict", "confirmed"]


class PaperEntryBase(TenantModel):
    """One staff member's typing of one paper ballot (the serial is printed on the paper).

    A concrete subclass adds the foreign key to its ballot box and, in its ``Meta``, the
    constraint ``one_per_person(box, name)``: nobody types the same ballot twice.
    """

    serial = models.CharField(max_length=SERIAL_MAX)
    content = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["pk"]

    @staticmethod
    def one_per_person(box: str, name: str) -> models.UniqueConstraint:
        """The database's guarantee that a second reading comes from a second person."""
        return models.UniqueConstraint(fields=["community", box, "serial", "entered_by"], name=name)


E = TypeVar("E", bound=PaperEntryBase)


@dataclass(frozen=True)
class PaperResult:
    """What one typing did: confirmed the ballot, found a conflict, or waits for a second one."""

    confirmed: bool
    conflict: bool


def paper_serial(serial: str | None) -> str:
    """The serial as typed, trimmed; refused when empty or longer than the printed ones."""
    serial = (serial or "").strip()
    if not serial or len(serial) > SERIAL_MAX:
        raise ValidationError(
            _("Type the serial number printed on the ballot."), code="serial_invalid"
        )
    return serial


def double_entry(
    *,
    entries: TenantQuerySet[E],
    box_field: str,
    box: Any,
    actor: Any,
    serial: str,
    content: Any,
    counted: Callable[[], bool],
    count: Callable[[], object],
    verbs: Mapping[Event, str],
) -> PaperResult:
    """Record ``actor``'s typing of ballot ``serial`` in ``box`` and count it when two agree.

    ``entries`` is the app's paper entries, scoped to the community; ``box`` is the ballot box
    (a vote, a budget process: it has a ``community``) and ``box_field`` the entries' foreign
    key to it. ``content`` is the ballot already checked by the app, in the form it is stored
    and compared. ``counted()`` says whether this serial is already counted; ``count()`` writes
    the counted ballot (it may refuse with a ``ValidationError``, which undoes the typing too).
    Each outcome is journalled on the box under ``verbs[event]`` for the events "entered" (a
    first reading), "conflict" and "confirmed", with the serial and never the content. Call it
    inside the caller's transaction when the caller locks something first.
    """

    def record(event: Event) -> None:
        journal.record(
            community=box.community,
            actor=actor,
            verb=verbs[event],
            target=box,
            data={"serial": serial},
        )

    serial = paper_serial(serial)
    with transaction.atomic():
        if counted():
            raise ValidationError(
                _("This paper ballot is already counted."), code="already_counted"
            )
        try:
            with transaction.atomic():
                entries.create(**{box_field: box}, serial=serial, content=content, entered_by=actor)
        except IntegrityError as error:
            raise ValidationError(
                _("You have already entered this ballot; a second person must confirm it."),
                code="same_person",
            ) from error
        others = list(
            entries.filter(**{box_field: box}, serial=serial)
            .exclude(entered_by=actor)
            .values_list("content", flat=True)
        )
        if not others:
            record("entered")
            return PaperResult(confirmed=False, conflict=False)
        if content not in others:
            record("conflict")
            return PaperResult(confirmed=False, conflict=True)
        count()
        record("confirmed")
    return PaperResult(confirmed=True, conflict=False)
