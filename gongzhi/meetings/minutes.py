"""Minutes (会议纪要) and follow-ups (督办事项) of a meeting: every write, and the meeting page's part.

The secretary drafts the minutes after the meeting closed, from the agenda and the roll call
(items, who spoke, what was decided; present, absent, observers, proxies), edits them and
circulates them to the members present. Those members confirm or ask for a correction. The
minutes are approved when more than half of the members present confirmed — never by the
drafter's confirmation alone — or, by ``manage.py minutes_deadlines``, when the charter's
objection period passed with no correction left open (silence approves). Corrections stay on
record with the secretary's resolution; one that changes published minutes becomes a new
version of the published document.

Approved minutes of a public meeting are published as a versioned ``disclosure.Document`` and
put on the community's "Meeting minutes" notice board; closed meetings' minutes stay with those
who may see the meeting. The PDF is rendered from the text on request (``core.pdf``).

Each decision can set follow-ups with an owner and a due date; their owner or a worker marks
them done. ``minutes_deadlines`` reports an overdue one once to the supervision committee and
carries it onto the body's next scheduled meeting, once.

Every service checks permission, validates before writing (bad input saves nothing), runs in
one transaction with the row that matters locked, journals the act and notifies on commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.bodies.models import Mandate
from gongzhi.bodies.selectors import charter_in_force, sitting_q
from gongzhi.core import journal
from gongzhi.core.models import Membership, Role, RoleGrant, active_grant_q
from gongzhi.disclosure import services as disclosure
from gongzhi.disclosure.models import Document, DocumentKind, NoticeBoard
from gongzhi.meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    ItemDecision,
    ItemSource,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesResponse,
    MinutesStatus,
    Presence,
    PresenceRole,
    PresenceVia,
    Proxy,
    ResponseKind,
)
from gongzhi.notifications.services import notify

MAX_MINUTES = 100_000
MAX_TEXT = 5000
MAX_TITLE = 200
#: When a charter says nothing (no charter in force on the meeting's day).
DEFAULT_OBJECTION_DAYS = 7
#: The latest a follow-up may be due.
MAX_DUE_DAYS = 5 * 366


def _text(value: str, *, limit: int, empty: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(empty, code=f"{code}_empty")
    if len(value) > limit:
        raise ValidationError(
            _("The text is too long: at most %(max)d characters.") % {"max": limit},
            code=f"{code}_too_long",
        )
    return value


def _require(perm: str, actor: Any, obj: object) -> None:
    if not rules.has_perm(perm, actor, obj):
        raise PermissionDenied(_("You are not allowed to do this for this meeting."))


def _lock(minutes: Minutes) -> Minutes:
    return (
        Minutes.objects.in_community(minutes.community_id)
        .select_for_update()
        .select_related("meeting__body", "meeting__community", "community")
        .get(pk=minutes.pk)
    )


# --- Who was there -----------------------------------------------------------------------------


def counted_presence_q() -> Any:
    """Presences that count: recorded by the secretary, or scanned and then confirmed."""
    from django.db.models import Q

    return Q(via=PresenceVia.SECRETARY) | Q(confirmed_at__isnull=False)


def members_present_ids(meeting: Meeting) -> set[int]:
    """The members present at any time (observers aside): those the minutes go to."""
    return set(
        Presence.objects.in_community(meeting.community_id)
        .filter(counted_presence_q(), meeting=meeting, role=PresenceRole.MEMBER)
        .values_list("person_id", flat=True)
    )


def _seated_ids(meeting: Meeting) -> list[int]:
    day = timezone.localdate(meeting.starts_at)
    return list(
        Mandate.objects.in_community(meeting.community_id)
        .filter(sitting_q(day), body=meeting.body, membership__isnull=False)
        .order_by("seat", "pk")
        .values_list("membership__user_id", flat=True)
        .distinct()
    )


def _names(ids: list[int] | set[int]) -> dict[int, str]:
    return {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}


def _ordered(names: dict[int, str], ids: list[int]) -> str:
    shown = [names.get(pk, "?") for pk in ids]
    return "、".join(shown) if shown else _("nobody")


# --- The draft ---------------------------------------------------------------------------------


def _decision_line(decision: ItemDecision) -> str:
    outcome = _("adopted") if decision.adopted else _("not adopted")
    line = _(
        "Decision: %(outcome)s (for %(for)d, against %(against)d, abstaining %(abstain)d; "
        "%(present)d of %(seated)d members counted)."
    ) % {
        "outcome": outcome,
        "for": decision.votes_for,
        "against": decision.votes_against,
        "abstain": decision.abstentions,
        "present": decision.present,
        "seated": decision.seated,
    }
    if decision.outcome:
        line += "\n" + decision.outcome
    return line


def draft_text(meeting: Meeting) -> str:
    """The minutes as the agenda and the roll call tell them, for the secretary to edit."""
    seated = _seated_ids(meeting)
    presences = list(
        Presence.objects.in_community(meeting.community_id)
        .filter(counted_presence_q(), meeting=meeting)
        .order_by("arrived_at", "pk")
    )
    members = list(dict.fromkeys(p.person_id for p in presences if p.role == PresenceRole.MEMBER))
    observers = list(
        dict.fromkeys(p.person_id for p in presences if p.role == PresenceRole.OBSERVER)
    )
    absent = [pk for pk in seated if pk not in set(members)]
    proxies = list(
        Proxy.objects.in_community(meeting.community_id).filter(
            meeting=meeting, revoked_at__isnull=True
        )
    )
    names = _names(
        set(seated)
        | set(members)
        | set(observers)
        | {p.giver_id for p in proxies}
        | {p.holder_id for p in proxies}
    )
    local = timezone.localtime(meeting.starts_at)
    lines = [
        meeting.title,
        _("Body: %(body)s") % {"body": meeting.body.name},
        _("Time: %(when)s") % {"when": local.strftime("%Y-%m-%d %H:%M")},
    ]
    if meeting.place:
        lines.append(_("Place: %(place)s") % {"place": meeting.place})
    if meeting.sitting == 2:
        lines.append(_("Second sitting (the first had no quorum)."))
    lines += [
        "",
        _("Members present (%(count)d of %(seated)d): %(names)s")
        % {"count": len(members), "seated": len(seated), "names": _ordered(names, members)},
        _("Members absent: %(names)s") % {"names": _ordered(names, absent)},
        _("Observers: %(names)s") % {"names": _ordered(names, observers)},
    ]
    for proxy in proxies:
        lines.append(
            _("Proxy: %(giver)s's vote carried by %(holder)s")
            % {"giver": names.get(proxy.giver_id, "?"), "holder": names.get(proxy.holder_id, "?")}
        )
    items = (
        AgendaItem.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, withdrawn_at__isnull=True)
        .select_related("decision")
        .prefetch_related("recusals")
        .order_by("position", "pk")
    )
    for number, item in enumerate(items, start=1):
        lines += ["", f"{number}. {item.title}"]
        if item.description:
            lines.append(item.description)
        presenter = item.presenter_name or (str(item.presenter) if item.presenter else "")
        if presenter:
            lines.append(_("Presented by: %(name)s") % {"name": presenter})
        if item.speakers:
            lines.append(_("Who spoke: %(speakers)s") % {"speakers": item.speakers})
        recused = [r.person_id for r in item.recusals.all()]
        if recused:
            lines.append(
                _("Declared a conflict of interest: %(names)s")
                % {"names": _ordered(_names(recused), recused)}
            )
        decision = getattr(item, "decision", None)
        if decision is not None:
            lines.append(_decision_line(decision))
        else:
            lines.append(_("No vote was taken on this item."))
    return "\n".join(lines)


def minutes_draft(*, actor: User, meeting: Meeting) -> Minutes:
    """The secretary drafts the minutes of a closed meeting, once."""
    _require("meetings.run_minutes", actor, meeting)
    with transaction.atomic():
        locked = Meeting.objects.in_community(meeting.community_id).select_for_update()
        meeting = locked.select_related("body", "community").get(pk=meeting.pk)
        if meeting.status != MeetingStatus.CLOSED:
            raise ValidationError(
                _("Minutes are drafted once the meeting is closed."), code="meeting_not_closed"
            )
        if Minutes.objects.in_community(meeting.community_id).filter(meeting=meeting).exists():
            raise ValidationError(
                _("This meeting's minutes are already drafted."), code="minutes_exist"
            )
        minutes = Minutes.objects.in_community(meeting.community_id).create(
            meeting=meeting, text=draft_text(meeting)[:MAX_MINUTES], drafted_by=actor
        )
        journal.record(
            community=meeting.community,
            actor=actor,
            verb="minutes.drafted",
            target=minutes,
            data={"meeting": meeting.pk},
        )
    return minutes


def minutes_edit(*, actor: User, minutes: Minutes, text: str) -> Minutes:
    """Edit the draft. Once circulated, the text changes only by resolving a correction, so
    the members confirm the text they were sent."""
    _require("meetings.run_minutes", actor, minutes)
    text = _text(text, limit=MAX_MINUTES, empty=_("Write the minutes."), code="text")
    with transaction.atomic():
        locked = _lock(minutes)
        if locked.status != MinutesStatus.DRAFT:
            raise ValidationError(
                _(
                    "The minutes were sent to the members present: change them by resolving "
                    "a correction."
                ),
                code="minutes_circulated",
            )
        locked.text = text
        locked.save(update_fields=["text"])
        journal.record(
            community=locked.community,
            actor=actor,
            verb="minutes.drafted",
            target=locked,
            data={"meeting": locked.meeting_id, "edited": True},
        )
    return locked


def objection_days(meeting: Meeting) -> int:
    charter = charter_in_force(body=meeting.body, on=timezone.localdate(meeting.starts_at))
    if charter is None:
        return DEFAULT_OBJECTION_DAYS
    return int(getattr(charter, "minutes_objection_days", DEFAULT_OBJECTION_DAYS))


def minutes_url(meeting: Meeting) -> str:
    return reverse("minutes_detail", args=[meeting.community.slug, meeting.pk])


def minutes_circulate(*, actor: User, minutes: Minutes) -> Minutes:
    """Send the draft to the members present; they have the charter's period to object."""
    _require("meetings.run_minutes", actor, minutes)
    with transaction.atomic():
        locked = _lock(minutes)
        if locked.status != MinutesStatus.DRAFT:
            raise ValidationError(
                _("These minutes were already sent to the members present."),
                code="minutes_circulated",
            )
        now = timezone.now()
        locked.status = MinutesStatus.CIRCULATED
        locked.circulated_at = now
        locked.objections_until = now + timedelta(days=objection_days(locked.meeting))
        locked.save(update_fields=["status", "circulated_at", "objections_until"])
        present = members_present_ids(locked.meeting)
        journal.record(
            community=locked.community,
            actor=actor,
            verb="minutes.circulated",
            target=locked,
            data={
                "meeting": locked.meeting_id,
                "members_present": len(present),
                "objections_until": locked.objections_until.isoformat(),
            },
        )
        until = timezone.localtime(locked.objections_until).strftime("%Y-%m-%d %H:%M")
        notify(
            users=User.objects.filter(pk__in=present, is_active=True),
            kind="minutes_circulated",
            message="circulated",
            params={"title": locked.meeting.title, "until": until},
            url=minutes_url(locked.meeting),
            community=locked.community,
        )
    return locked


# --- Confirmations and corrections -------------------------------------------------------------


def minutes_respond(*, actor: User, minutes: Minutes, kind: str, text: str = "") -> MinutesResponse:
    """A member present confirms the minutes or asks for a correction. A confirmation that
    makes more than half of the members present approves them, at once (under the lock)."""
    if kind not in ResponseKind.values:
        raise ValidationError(_("Confirm the minutes or ask for a correction."), code="bad_kind")
    if kind == ResponseKind.CORRECTION:
        text = _text(
            text, limit=MAX_TEXT, empty=_("Say what should be corrected."), code="correction"
        )
    else:
        text = (text or "").strip()[:MAX_TEXT]
    with transaction.atomic():
        locked = _lock(minutes)
        if locked.status == MinutesStatus.APPROVED:
            raise ValidationError(
                _("These minutes are already approved: responses are closed."),
                code="minutes_approved",
            )
        if locked.status != MinutesStatus.CIRCULATED:
            raise ValidationError(
                _("These minutes have not been sent to the members present yet."),
                code="minutes_not_circulated",
            )
        if locked.objections_until is not None and timezone.now() > locked.objections_until:
            raise ValidationError(
                _("The period for confirming or correcting these minutes is over."),
                code="minutes_period_over",
            )
        present = members_present_ids(locked.meeting)
        if actor.pk not in present:
            raise ValidationError(
                _("Only the members present at the meeting confirm or correct its minutes."),
                code="not_present",
            )
        responses = MinutesResponse.objects.in_community(locked.community_id).filter(minutes=locked)
        if (
            kind == ResponseKind.CONFIRM
            and responses.filter(person=actor, kind=ResponseKind.CONFIRM).exists()
        ):
            raise ValidationError(
                _("You have already confirmed these minutes."), code="already_confirmed"
            )
        response = responses.create(minutes=locked, person=actor, kind=kind, text=text)
        if kind == ResponseKind.CORRECTION:
            journal.record(
                community=locked.community,
                actor=actor,
                verb="minutes.correction_asked",
                target=locked,
                data={"meeting": locked.meeting_id, "response": response.pk},
            )
            notify(
                users=[locked.drafted_by],
                kind="minutes_correction",
                message="asked",
                params={"title": locked.meeting.title},
                url=minutes_url(locked.meeting),
                community=locked.community,
            )
            return response
        journal.record(
            community=locked.community,
            actor=actor,
            verb="minutes.confirmed",
            target=locked,
            data={"meeting": locked.meeting_id},
        )
        confirmers = set(
            responses.filter(kind=ResponseKind.CONFIRM, person_id__in=present).values_list(
                "person_id", flat=True
            )
        )
        # A majority of the members present, and never the drafter's word alone.
        if 2 * len(confirmers) > len(present) and confirmers - {locked.drafted_by_id}:
            _approve(locked, how="majority", actor=actor)
    return response


def minutes_resolve(
    *, actor: User, response: MinutesResponse, resolution: str, text: str = ""
) -> MinutesResponse:
    """The secretary answers a correction; a new ``text`` replaces the minutes' (and is a new
    version of the published document once approved)."""
    minutes = response.minutes
    _require("meetings.run_minutes", actor, minutes)
    resolution = _text(
        resolution, limit=MAX_TEXT, empty=_("Say how the correction was dealt with."), code="res"
    )
    new_text = (text or "").strip()
    if len(new_text) > MAX_MINUTES:
        raise ValidationError(
            _("The text is too long: at most %(max)d characters.") % {"max": MAX_MINUTES},
            code="text_too_long",
        )
    with transaction.atomic():
        locked = _lock(minutes)
        row = (
            MinutesResponse.objects.in_community(locked.community_id)
            .select_for_update()
            .get(pk=response.pk)
        )
        if row.kind != ResponseKind.CORRECTION:
            raise ValidationError(
                _("Only a correction is dealt with; a confirmation needs no answer."),
                code="not_a_correction",
            )
        if row.resolved_at is not None:
            raise ValidationError(
                _("This correction has already been dealt with."), code="already_resolved"
            )
        changed = bool(new_text) and new_text != locked.text
        if changed:
            locked.text = new_text
            locked.save(update_fields=["text"])
            if locked.document_id is not None:
                disclosure.document_record_version(
                    document=Document.objects.in_community(locked.community_id).get(
                        pk=locked.document_id
                    ),
                    title=_document_title(locked.meeting),
                    body=new_text,
                    change_note=resolution[:300],
                    author=actor,
                )
        row.resolution = resolution
        row.resolved_at = timezone.now()
        row.save(update_fields=["resolution", "resolved_at"])
        journal.record(
            community=locked.community,
            actor=actor,
            verb="minutes.correction_resolved",
            target=locked,
            data={"meeting": locked.meeting_id, "response": row.pk, "text_changed": changed},
        )
    return row


# --- Approval and publication ------------------------------------------------------------------


def _document_title(meeting: Meeting) -> str:
    day = timezone.localdate(meeting.starts_at).isoformat()
    return (_("Minutes: %(title)s (%(day)s)") % {"title": meeting.title, "day": day})[:MAX_TITLE]


def minutes_board(community: Any) -> NoticeBoard:
    """The community's "Meeting minutes" notice board, made the first time minutes need it. Its
    title is in the site's language, whoever's request made it."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Meeting minutes")
    board = NoticeBoard.objects.in_community(community).filter(title=title).order_by("pk").first()
    if board is None:
        board = NoticeBoard.objects.in_community(community).create(title=title)
    return board


def _approve(minutes: Minutes, *, how: str, actor: User | None) -> None:
    """Approve locked ``minutes``; publish a public meeting's minutes and put them up."""
    meeting = minutes.meeting
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = timezone.now()
    minutes.approved_how = how
    fields = ["status", "approved_at", "approved_how"]
    if meeting.public:
        with translation.override(settings.LANGUAGE_CODE):
            title = _document_title(meeting)
            note = _("Approved minutes")
        document = disclosure.document_record(
            community=minutes.community,
            kind=DocumentKind.MINUTES,
            title=title,
            body=minutes.text,
            author=minutes.drafted_by,
            change_note=note,
        )
        disclosure.board_append(board=minutes_board(minutes.community), document=document)
        minutes.document = document
        fields.append("document")
    minutes.save(update_fields=fields)
    journal.record(
        community=minutes.community,
        actor=actor,
        verb="minutes.approved",
        target=minutes,
        data={"meeting": meeting.pk, "how": how, "document": minutes.document_id},
    )


def open_corrections(minutes: Minutes) -> Any:
    return MinutesResponse.objects.in_community(minutes.community_id).filter(
        minutes=minutes, kind=ResponseKind.CORRECTION, resolved_at__isnull=True
    )


def approve_by_silence(*, now: datetime | None = None) -> int:
    """Approve circulated minutes whose objection period is over with no correction left
    open. Returns how many were approved."""
    now = now or timezone.now()
    due = Minutes.objects.all_communities().filter(
        status=MinutesStatus.CIRCULATED, objections_until__lte=now
    )
    approved = 0
    for pk, community_id in due.values_list("pk", "community_id"):
        with transaction.atomic():
            locked = (
                Minutes.objects.in_community(community_id)
                .select_for_update()
                .select_related("meeting__body", "meeting__community", "community")
                .get(pk=pk)
            )
            if locked.status != MinutesStatus.CIRCULATED or open_corrections(locked).exists():
                continue
            _approve(locked, how="silence", actor=None)
            approved += 1
    return approved


# --- Follow-ups ----------------------------------------------------------------------------------


def _check_due(due_on: date) -> None:
    today = timezone.localdate()
    if due_on < today:
        raise ValidationError(_("A follow-up cannot be due in the past."), code="due_in_past")
    if due_on > today + timedelta(days=MAX_DUE_DAYS):
        raise ValidationError(_("A follow-up is due within five years."), code="due_too_far")


def action_create(
    *,
    actor: User,
    decision: ItemDecision,
    title: str,
    owner: User | None = None,
    owner_name: str = "",
    due_on: date,
) -> ActionItem:
    """A follow-up of a decision, with who does it and by when."""
    meeting = decision.item.meeting
    _require("meetings.run_minutes", actor, meeting)
    title = _text(title, limit=MAX_TITLE, empty=_("Say what is to be done."), code="title")
    owner_name = (owner_name or "").strip()
    if len(owner_name) > 120:
        raise ValidationError(
            _("The name is too long: at most %(max)d characters.") % {"max": 120},
            code="owner_too_long",
        )
    if owner is None and not owner_name:
        raise ValidationError(_("Say who does it."), code="owner_missing")
    if (
        owner is not None
        and not Membership.objects.in_community(meeting.community_id).filter(user=owner).exists()
    ):
        raise ValidationError(
            _("The person who does it must be a member of this community."),
            code="owner_other_community",
        )
    _check_due(due_on)
    with transaction.atomic():
        action = ActionItem.objects.in_community(meeting.community_id).create(
            decision=decision,
            title=title,
            owner=owner,
            owner_name=owner_name,
            due_on=due_on,
            created_by=actor,
        )
        journal.record(
            community=meeting.community,
            actor=actor,
            verb="action.created",
            target=action,
            data={"action": action.pk, "meeting": meeting.pk, "due_on": due_on.isoformat()},
        )
    return action


def action_update(*, actor: User, action: ActionItem, status: str, note: str = "") -> ActionItem:
    """Its owner or a worker marks a follow-up done (or dropped, saying why)."""
    _require_update(actor, action)
    if status not in (ActionStatus.DONE, ActionStatus.DROPPED):
        raise ValidationError(_("Mark the follow-up done or dropped."), code="bad_status")
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError(
            _("The note is too long: at most %(max)d characters.") % {"max": 500},
            code="note_too_long",
        )
    if status == ActionStatus.DROPPED and not note:
        raise ValidationError(_("Say why the follow-up is dropped."), code="note_empty")
    with transaction.atomic():
        locked = (
            ActionItem.objects.in_community(action.community_id)
            .select_for_update()
            .select_related("decision__item__meeting", "community")
            .get(pk=action.pk)
        )
        if locked.status != ActionStatus.OPEN:
            raise ValidationError(_("This follow-up is already closed."), code="action_not_open")
        now = timezone.now()
        locked.status = status
        locked.done_at = now
        locked.done_note = note
        locked.save(update_fields=["status", "done_at", "done_note"])
        on_time = status == ActionStatus.DONE and timezone.localdate(now) <= locked.due_on
        journal.record(
            community=locked.community,
            actor=actor,
            verb="action.updated",
            target=locked,
            data={
                "action": locked.pk,
                "meeting": locked.decision.item.meeting_id,
                "status": status,
                "on_time": on_time,
            },
        )
    return locked


def _require_update(actor: User, action: ActionItem) -> None:
    if not rules.has_perm("meetings.update_action", actor, action):
        raise PermissionDenied(_("Only the follow-up's owner or a community worker updates it."))


def _supervisors(community_id: int) -> list[User]:
    grants = RoleGrant.objects.in_community(community_id).filter(
        active_grant_q(), role__in=[Role.SUPERVISOR, Role.COMMUNITY_WORKER]
    )
    memberships = Membership.objects.in_community(community_id).filter(
        pk__in=grants.values("membership")
    )
    return list(User.objects.filter(pk__in=memberships.values("user"), is_active=True))


def overdue_q(today: date | None = None) -> Any:
    from django.db.models import Q

    return Q(status=ActionStatus.OPEN, due_on__lt=today or timezone.localdate())


def flag_overdue(*, now: datetime | None = None) -> int:
    """Report each overdue open follow-up once to the community's supervisors (and workers)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = ActionItem.objects.all_communities().filter(overdue_q(today), flagged_at__isnull=True)
    flagged = 0
    for pk, community_id in due.values_list("pk", "community_id"):
        with transaction.atomic():
            action = (
                ActionItem.objects.in_community(community_id)
                .select_for_update()
                .select_related("decision__item__meeting__body", "community")
                .get(pk=pk)
            )
            if action.flagged_at is not None or action.status != ActionStatus.OPEN:
                continue
            action.flagged_at = now
            action.save(update_fields=["flagged_at"])
            meeting = action.decision.item.meeting
            journal.record(
                community=action.community,
                actor=None,
                verb="action.flagged",
                target=action,
                data={
                    "action": action.pk,
                    "meeting": meeting.pk,
                    "body": meeting.body_id,
                    "due_on": action.due_on.isoformat(),
                },
            )
            notify(
                users=_supervisors(community_id),
                kind="action_overdue",
                message="overdue",
                params={
                    "title": action.title,
                    "body": meeting.body.name,
                    "due": action.due_on.isoformat(),
                },
                url=reverse("action_list", args=[action.community.slug]) + "?status=overdue",
                community=action.community,
            )
            flagged += 1
    return flagged


def carry_overdue(*, now: datetime | None = None) -> int:
    """Put each overdue open follow-up onto its body's next scheduled meeting, once (a
    follow-up whose body has no meeting scheduled yet waits for the next run)."""
    from gongzhi.meetings import agenda

    now = now or timezone.now()
    today = timezone.localdate(now)
    due = ActionItem.objects.all_communities().filter(overdue_q(today), carried_to__isnull=True)
    carried = 0
    for pk, community_id in due.values_list("pk", "community_id").distinct():
        with transaction.atomic():
            action = (
                ActionItem.objects.in_community(community_id)
                .select_for_update()
                .select_related("decision__item__meeting")
                .get(pk=pk)
            )
            if action.status != ActionStatus.OPEN or action.carried_to.exists():
                continue
            source = action.decision.item.meeting
            following = (
                Meeting.objects.in_community(community_id)
                .filter(body_id=source.body_id, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
                .order_by("starts_at", "pk")
                .first()
            )
            if following is None:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                title = (_("Overdue follow-up: %(title)s") % {"title": action.title})[:MAX_TITLE]
                description = _(
                    "Decided at “%(meeting)s” on %(day)s; was due %(due)s; who does it: %(who)s."
                ) % {
                    "meeting": source.title,
                    "day": timezone.localdate(source.starts_at).isoformat(),
                    "due": action.due_on.isoformat(),
                    "who": action_owner(action),
                }
            agenda.record_item(
                meeting=following,
                title=title,
                source=ItemSource.ACTION,
                action=action,
                description=description,
            )
            carried += 1
    return carried


def action_owner(action: ActionItem) -> str:
    if action.owner_name:
        return action.owner_name
    if action.owner is not None:
        return str(action.owner)
    return ""


@dataclass(frozen=True)
class DeadlineRun:
    approved: int
    flagged: int
    carried: int


def minutes_deadlines(*, now: datetime | None = None) -> DeadlineRun:
    """The daily run: minutes approved by silence, overdue follow-ups flagged and carried."""
    now = now or timezone.now()
    return DeadlineRun(
        approved=approve_by_silence(now=now),
        flagged=flag_overdue(now=now),
        carried=carry_overdue(now=now),
    )


# --- The meeting page's part -------------------------------------------------------------------


def page_context(meeting: Any, user: Any) -> dict[str, Any]:
    """What this part adds to the meeting page (its partial reads only these keys)."""
    from gongzhi.meetings import minutes_selectors as selectors

    return {"minutes_part": selectors.minutes_view(meeting=meeting, viewer=user)}
