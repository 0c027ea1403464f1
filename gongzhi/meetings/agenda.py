"""The agenda of a meeting (议程): items, their order, documents, publication and history.

Items come from residents' proposals that reached the council's agenda (offered to the next
meeting of the body that answers their category, or assigned by a worker), from staff and
members, and from overdue follow-ups carried over by the minutes' deadlines. Publishing snapshots
the working list as a numbered ``AgendaVersion``; the first publication must respect the
charter's notice period (``notice_days``, ``extraordinary_notice_days`` for an extraordinary
meeting) and sends the invitations; later publications are new versions, kept with what changed.

``record_item`` checks no permission: the minutes' carry-over and a second sitting call it
after their own checks. Every other write here checks ``meetings.run_meeting`` (or
``meetings.add_item`` for a seated member's own item).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.bodies.charter import check_power
from gongzhi.bodies.models import Charter
from gongzhi.bodies.selectors import charter_in_force, rules_of
from gongzhi.core import journal
from gongzhi.core.decisions import decision_kind_registry
from gongzhi.core.models import Membership
from gongzhi.core.policies import require
from gongzhi.core.uploads import DOCUMENTS, MB, PHOTOS, check_upload, store_upload
from gongzhi.deliberation.models import Proposal
from gongzhi.deliberation.models import Status as ProposalStatus
from gongzhi.meetings import agenda_selectors
from gongzhi.meetings.models import (
    AgendaItem,
    AgendaVersion,
    ItemDocument,
    ItemSource,
    Meeting,
    MeetingKind,
    MeetingStatus,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.meetings.models import ActionItem


def _next_position(meeting: Meeting) -> int:
    last = meeting.items.filter(withdrawn_at__isnull=True).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def record_item(
    *,
    meeting: Meeting,
    title: str,
    source: str,
    added_by: User | None = None,
    proposal: Proposal | None = None,
    action: ActionItem | None = None,
    description: str = "",
    decision_kind: str = "",
    topic: str = "",
    amount_fen: int | None = None,
    presenter: User | None = None,
    presenter_name: str = "",
    minutes_allotted: int = 10,
) -> AgendaItem:
    """Append an item at the end of the working agenda and journal it (no permission check).

    The actor of the journal entry is ``added_by``, or nobody when the system adds it."""
    # The meeting row is the lock that keeps positions unique under concurrent additions.
    Meeting.objects.in_community(meeting.community_id).select_for_update().filter(
        pk=meeting.pk
    ).first()
    item = AgendaItem.objects.create(
        community_id=meeting.community_id,
        meeting=meeting,
        position=_next_position(meeting),
        title=title,
        description=description,
        source=ItemSource(source),
        proposal=proposal,
        action=action,
        presenter=presenter,
        presenter_name=presenter_name,
        minutes_allotted=minutes_allotted,
        decision_kind=decision_kind,
        amount_fen=amount_fen,
        topic=topic,
        added_by=added_by,
    )
    journal.record(
        community=meeting.community,
        actor=added_by,
        verb="agenda.item_added",
        target=item,
        data={
            "meeting": meeting.pk,
            "item": item.pk,
            "source": item.source,
            "proposal": proposal.pk if proposal is not None else None,
            "action": action.pk if action is not None else None,
        },
    )
    return item


# --- Checks shared by the writes ---------------------------------------------------------------

MAX_MINUTES = 600
MAX_DOCUMENT_BYTES = 20 * MB


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to change this meeting's agenda."))


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.in_community(meeting.community_id)
        .select_for_update(of=("self",))
        .select_related("community", "body")
        .get(pk=meeting.pk)
    )


def _refuse_done(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(
            _("This meeting is closed: its agenda can no longer change."), code="meeting_closed"
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code="meeting_cancelled")


def _check_item_fields(
    *,
    meeting: Meeting,
    title: str,
    description: str,
    presenter: User | None,
    presenter_name: str,
    minutes_allotted: int,
    decision_kind: str,
    topic: str,
    amount_fen: int | None,
) -> tuple[str, str, str]:
    title, description, presenter_name = title.strip(), description.strip(), presenter_name.strip()
    if not title or len(title) > 200:
        raise ValidationError(
            _("Give the item a title of up to 200 characters."), code="item_title"
        )
    if len(description) > 5000:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": 5000},
            code="item_description",
        )
    if len(presenter_name) > 120:
        raise ValidationError(
            _("A presenter's name has at most 120 characters."), code="item_presenter"
        )
    if not 1 <= minutes_allotted <= MAX_MINUTES:
        raise ValidationError(
            _("Give the item between 1 and %(max)d minutes.") % {"max": MAX_MINUTES},
            code="item_minutes",
        )
    if presenter is not None and not (
        Membership.objects.in_community(meeting.community_id).filter(user=presenter).exists()
    ):
        raise ValidationError(
            _("The presenter must be a member of this community."), code="presenter_not_member"
        )
    if amount_fen is not None and amount_fen < 0:
        raise ValidationError(_("An amount cannot be negative."), code="item_amount")
    if decision_kind:
        _check_power(meeting, decision_kind, amount_fen, topic)
    return title, description, presenter_name


def _check_power(meeting: Meeting, kind: str, amount_fen: int | None, topic: str) -> None:
    """The decision asked for must be one the body's charter grants (kind, ceiling, topic)."""
    registry = decision_kind_registry()
    if kind not in registry:
        raise ValidationError(
            _("“%(kind)s” is not a kind of decision any part of the platform knows.")
            % {"kind": kind},
            code="unknown_decision_kind",
        )
    charter = charter_in_force(body=meeting.body)
    refusals = (
        check_power(rules_of(charter), kind=kind, amount_fen=amount_fen, topic=topic)
        if charter is not None
        else [None]
    )
    if refusals:
        raise ValidationError(
            _("The charter of %(body)s does not let it decide this: “%(kind)s”.")
            % {"body": meeting.body.name, "kind": registry[kind].label},
            code="outside_charter",
        )


def _active(meeting: Meeting) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, withdrawn_at__isnull=True)
        .order_by("position", "pk")
    )


def _renumber(items: list[AgendaItem]) -> None:
    for number, item in enumerate(items, start=1):
        if item.position != number:
            item.position = number
            item.save(update_fields=["position"])


def _locked_item(item: AgendaItem) -> tuple[Meeting, AgendaItem]:
    meeting = _lock(item.meeting)
    current = (
        AgendaItem.objects.in_community(meeting.community_id)
        .select_related("meeting")
        .get(pk=item.pk)
    )
    current.meeting = meeting
    if current.withdrawn_at is not None:
        raise ValidationError(_("This item was withdrawn from the agenda."), code="item_withdrawn")
    return meeting, current


# --- Items from staff and members -------------------------------------------------------------


def item_add(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    description: str = "",
    presenter: User | None = None,
    presenter_name: str = "",
    minutes_allotted: int = 10,
    decision_kind: str = "",
    topic: str = "",
    amount_fen: int | None = None,
) -> AgendaItem:
    """Staff (those who run the meeting) or a member seated in the body add an item at the end
    of the working agenda; a member's item is marked as coming from a member."""
    _require("meetings.add_item", actor, meeting)
    with transaction.atomic():
        locked = _lock(meeting)
        _refuse_done(locked)
        title, description, presenter_name = _check_item_fields(
            meeting=locked,
            title=title,
            description=description,
            presenter=presenter,
            presenter_name=presenter_name,
            minutes_allotted=minutes_allotted,
            decision_kind=decision_kind,
            topic=topic,
            amount_fen=amount_fen,
        )
        runs = rules.has_perm("meetings.run_meeting", actor, locked)
        return record_item(
            meeting=locked,
            title=title,
            source=ItemSource.STAFF if runs else ItemSource.MEMBER,
            added_by=actor,
            description=description,
            decision_kind=decision_kind,
            topic=topic.strip(),
            amount_fen=amount_fen,
            presenter=presenter,
            presenter_name=presenter_name,
            minutes_allotted=minutes_allotted,
        )


def item_change(
    *,
    actor: User,
    item: AgendaItem,
    title: str,
    description: str = "",
    presenter: User | None = None,
    presenter_name: str = "",
    minutes_allotted: int = 10,
    decision_kind: str = "",
    topic: str = "",
    amount_fen: int | None = None,
) -> AgendaItem:
    """Change an item's title, text, presenter, time or the decision it asks for (the item's
    source and proposal stay)."""
    _require("meetings.edit_item", actor, item)
    with transaction.atomic():
        meeting, current = _locked_item(item)
        _refuse_done(meeting)
        title, description, presenter_name = _check_item_fields(
            meeting=meeting,
            title=title,
            description=description,
            presenter=presenter,
            presenter_name=presenter_name,
            minutes_allotted=minutes_allotted,
            decision_kind=decision_kind,
            topic=topic,
            amount_fen=amount_fen,
        )
        current.title, current.description = title, description
        current.presenter, current.presenter_name = presenter, presenter_name
        current.minutes_allotted, current.decision_kind = minutes_allotted, decision_kind
        current.topic, current.amount_fen = topic.strip(), amount_fen
        current.save()
        journal.record(
            community=meeting.community,
            actor=actor,
            verb="agenda.item_changed",
            target=current,
            data={"meeting": meeting.pk, "item": current.pk},
        )
    return current


# --- Items from residents' proposals -------------------------------------------------------------


def _check_proposal(meeting: Meeting, proposal: Proposal) -> None:
    if proposal.community_id != meeting.community_id:
        raise ValidationError(
            _("This proposal belongs to another community: it cannot be on this agenda."),
            code="other_community",
        )
    if proposal.status != ProposalStatus.UNDER_REVIEW or proposal.hidden_at is not None:
        raise ValidationError(
            _(
                "Only a proposal that is “on the council's agenda” can be put on a meeting's "
                "agenda; this one is “%(status)s”."
            )
            % {"status": ProposalStatus(proposal.status).label},
            code="proposal_not_on_agenda",
        )
    if agenda_selectors.proposal_is_taken(proposal):
        raise ValidationError(
            _("This proposal is already on the agenda of a meeting to come."),
            code="proposal_already_on_agenda",
        )


def item_from_proposal(
    *,
    actor: User,
    meeting: Meeting,
    proposal: Proposal,
    presenter: User | None = None,
    minutes_allotted: int = 10,
) -> AgendaItem:
    """Put a residents' proposal on a meeting's agenda, presented by its author unless someone
    else is named. A worker may assign it to any meeting; those who run a meeting may take the
    proposals its body's charter answers (those offered to it). The item asks the body to
    answer the proposal when its charter grants that power."""
    _require("meetings.run_meeting", actor, meeting)
    with transaction.atomic():
        locked = _lock(meeting)
        _refuse_done(locked)
        current = (
            Proposal.objects.in_community(proposal.community_id)
            .select_for_update(of=("self",))
            .select_related("category", "author")
            .get(pk=proposal.pk)
        )
        _check_proposal(locked, current)
        charter = charter_in_force(body=locked.body)
        answers = agenda_selectors.covers(charter, current)
        if not answers and not rules.has_perm("meetings.assign_proposal", actor, locked):
            raise ValidationError(
                _(
                    "The charter of %(body)s does not let it answer proposals on this topic: "
                    "only a community worker can put it on this agenda."
                )
                % {"body": locked.body.name},
                code="outside_charter",
            )
        if not 1 <= minutes_allotted <= MAX_MINUTES:
            raise ValidationError(
                _("Give the item between 1 and %(max)d minutes.") % {"max": MAX_MINUTES},
                code="item_minutes",
            )
        return record_item(
            meeting=locked,
            title=current.title[:200],
            source=ItemSource.PROPOSAL,
            added_by=actor,
            proposal=current,
            description=current.body,
            decision_kind=agenda_selectors.ANSWER_PROPOSALS if answers else "",
            topic=agenda_selectors.topic_of(current),
            presenter=presenter or current.author,
            minutes_allotted=minutes_allotted,
        )


def proposal_offer(*, actor: User, proposal: Proposal) -> AgendaItem:
    """Put a proposal on the agenda of the meeting it is offered to: the next scheduled meeting
    of a body whose charter answers its category."""
    meeting = agenda_selectors.offer_for(proposal)
    if meeting is None:
        raise ValidationError(
            _("No body that answers this proposal's topic has a meeting scheduled."),
            code="no_meeting",
        )
    return item_from_proposal(actor=actor, meeting=meeting, proposal=proposal)


# --- Order and withdrawal ---------------------------------------------------------------------


def item_move(*, actor: User, item: AgendaItem, position: int) -> AgendaItem:
    """Move an item to ``position`` (1 is first; beyond the end is last); the others close up."""
    _require("meetings.run_meeting", actor, item.meeting)
    with transaction.atomic():
        meeting, current = _locked_item(item)
        _refuse_done(meeting)
        items = [i for i in _active(meeting) if i.pk != current.pk]
        before = current.position
        target = min(max(position, 1), len(items) + 1)
        items.insert(target - 1, current)
        _renumber(items)
        journal.record(
            community=meeting.community,
            actor=actor,
            verb="agenda.reordered",
            target=current,
            data={"meeting": meeting.pk, "item": current.pk, "from": before, "to": target},
        )
    return current


def item_withdraw(*, actor: User, item: AgendaItem, reason: str = "") -> AgendaItem:
    """Take an item off the working agenda (it stays in the versions already published); the
    items after it move up. A withdrawn proposal waits for another meeting."""
    _require("meetings.edit_item", actor, item)
    reason = reason.strip()
    if len(reason) > 300:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": 300},
            code="reason_too_long",
        )
    with transaction.atomic():
        meeting, current = _locked_item(item)
        _refuse_done(meeting)
        if hasattr(current, "decision"):
            raise ValidationError(
                _("This item has been decided: it can no longer be withdrawn."), code="item_decided"
            )
        current.withdrawn_at = timezone.now()
        current.save(update_fields=["withdrawn_at"])
        _renumber(_active(meeting))
        journal.record(
            community=meeting.community,
            actor=actor,
            verb="agenda.item_withdrawn",
            target=current,
            data={
                "meeting": meeting.pk,
                "item": current.pk,
                "proposal": current.proposal_id,
                "reason": reason,
            },
        )
    return current


# --- Documents --------------------------------------------------------------------------------


def document_add(*, actor: User, item: AgendaItem, file: Any, title: str = "") -> ItemDocument:
    """Attach a PDF or a photo to an item (checked by its content, photos stripped of their
    metadata); without a title it is called by its file's name."""
    _require("meetings.edit_item", actor, item)
    title = title.strip()
    if len(title) > 200:
        raise ValidationError(_("Give the document a title of up to 200 characters."), code="title")
    upload = check_upload(file, kinds=PHOTOS | DOCUMENTS, max_bytes=MAX_DOCUMENT_BYTES)
    written: list[Any] = []
    try:
        with transaction.atomic():
            meeting, current = _locked_item(item)
            _refuse_done(meeting)
            document = ItemDocument(
                community_id=meeting.community_id,
                item=current,
                title=title or upload.name,
                uploaded_by=actor,
            )
            store_upload(document, upload, written)
            journal.record(
                community=meeting.community,
                actor=actor,
                verb="agenda.item_changed",
                target=current,
                data={"meeting": meeting.pk, "item": current.pk, "document": document.pk},
            )
    except Exception:
        for stored in written:
            stored.delete(save=False)
        raise
    return document


# --- Publication ------------------------------------------------------------------------------


def notice_days(meeting: Meeting, charter: Charter) -> int:
    """Days of notice the charter asks for this meeting (extraordinary meetings: fewer)."""
    if meeting.kind == MeetingKind.EXTRAORDINARY:
        return int(charter.extraordinary_notice_days)
    return int(charter.notice_days)


def publish_by(meeting: Meeting) -> datetime | None:
    """The last moment the agenda may first be published (None: no charter in force)."""
    charter = charter_in_force(body=meeting.body)
    if charter is None:
        return None
    return meeting.starts_at - timedelta(days=notice_days(meeting, charter))


def _presenter_label(item: AgendaItem) -> str:
    if item.presenter_name:
        return item.presenter_name
    if item.presenter is not None and not item.presenter.is_erased:
        return item.presenter.display_name
    return ""


def snapshot(items: list[AgendaItem]) -> list[dict[str, Any]]:
    """A version's items as ``AgendaVersion.items`` keeps them."""
    return [
        {
            "item": item.pk,
            "position": item.position,
            "title": item.title,
            "source": item.source,
            "proposal": item.proposal_id,
            "presenter": _presenter_label(item),
            "minutes": item.minutes_allotted,
            "decision_kind": item.decision_kind,
        }
        for item in items
    ]


def agenda_publish(*, actor: User, meeting: Meeting, note: str = "") -> AgendaVersion:
    """Publish the working agenda as the next numbered version.

    The first publication must come at least the charter's notice period before the meeting
    (``notice_days``; ``extraordinary_notice_days`` for an extraordinary meeting) and sends the
    invitations to the members seated. Later publications (an item added, moved or withdrawn)
    are allowed until the meeting closes, each a new version that says what changed; the
    members were already invited."""
    _require("meetings.run_meeting", actor, meeting)
    note = note.strip()
    if len(note) > 300:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": 300},
            code="note_too_long",
        )
    with transaction.atomic():
        locked = _lock(meeting)
        _refuse_done(locked)
        items = list(
            AgendaItem.objects.in_community(locked.community_id)
            .filter(meeting=locked, withdrawn_at__isnull=True)
            .select_related("presenter")
            .order_by("position", "pk")
        )
        if not items:
            raise ValidationError(
                _("The agenda has no items yet: add one first."), code="agenda_empty"
            )
        last = agenda_selectors.latest_version(locked)
        entries = snapshot(items)
        if last is None:
            charter = charter_in_force(body=locked.body)
            if charter is None:
                raise ValidationError(
                    _("This body has no charter in force: its meetings would have no rules."),
                    code="no_charter",
                )
            days = notice_days(locked, charter)
            if timezone.now() + timedelta(days=days) > locked.starts_at:
                raise ValidationError(
                    ngettext(
                        "Too late: the charter asks for the agenda to be published at least "
                        "%(days)d day before the meeting. Move the meeting to a later date.",
                        "Too late: the charter asks for the agenda to be published at least "
                        "%(days)d days before the meeting. Move the meeting to a later date.",
                        days,
                    )
                    % {"days": days},
                    code="notice_too_short",
                )
        elif last.items == entries:
            raise ValidationError(
                _("Nothing changed since version %(number)d was published.")
                % {"number": last.number},
                code="agenda_unchanged",
            )
        version = AgendaVersion.objects.create(
            community_id=locked.community_id,
            meeting=locked,
            number=(last.number + 1) if last is not None else 1,
            items=entries,
            note=note,
            published_by=actor,
        )
        journal.record(
            community=locked.community,
            actor=actor,
            verb="agenda.published",
            target=locked,
            data={"meeting": locked.pk, "version": version.number, "items": len(entries)},
        )
        if last is None:
            from gongzhi.meetings import services

            services.invitations_send(meeting=locked)
    return version


# --- The meeting page's part ------------------------------------------------------------------


def _published_entries(meeting: Meeting, version: AgendaVersion | None) -> list[dict[str, Any]]:
    """The latest published version's items, each with its kind's label and its documents."""
    if version is None:
        return []
    registry = decision_kind_registry()
    ids = [entry["item"] for entry in version.items]
    documents: dict[int, list[ItemDocument]] = {}
    for document in (
        ItemDocument.objects.in_community(meeting.community_id)
        .filter(item_id__in=ids)
        .order_by("uploaded_at", "pk")
    ):
        documents.setdefault(document.item_id, []).append(document)
    entries = []
    for entry in version.items:
        kind = registry.get(entry.get("decision_kind") or "")
        entries.append(
            {
                **entry,
                "source_label": ItemSource(entry["source"]).label,
                "decision_label": kind.label if kind is not None else "",
                "documents": documents.get(entry["item"], []),
            }
        )
    return entries


def page_context(meeting: Meeting, user: Any) -> dict[str, Any]:
    """What this part adds to the meeting page (``meetings/_agenda.html`` reads only these
    keys): the published agenda for everyone, and for those who run the meeting the working
    list with its forms and the proposals waiting for a meeting of the body."""
    from gongzhi.meetings.agenda_forms import ItemForm, ProposalForm, PublishForm

    version = agenda_selectors.latest_version(meeting)
    runs = bool(rules.has_perm("meetings.run_meeting", user, meeting))
    may_add = bool(rules.has_perm("meetings.add_item", user, meeting))
    open_ = meeting.status in agenda_selectors.OPEN_STATUSES
    context: dict[str, Any] = {
        "agenda_version": version,
        "agenda_published": _published_entries(meeting, version),
        "agenda_runs": runs,
        "agenda_open": open_,
        "agenda_items": None,
    }
    if runs or may_add:
        registry = decision_kind_registry()
        items = list(agenda_selectors.working_items(meeting))
        for item in items:
            kind = registry.get(item.decision_kind)
            item.decision_label = kind.label if kind is not None else ""  # type: ignore[attr-defined]
            item.may_edit = bool(rules.has_perm("meetings.edit_item", user, item))  # type: ignore[attr-defined]
        context["agenda_items"] = items
        context["agenda_add_form"] = ItemForm(meeting=meeting) if open_ and may_add else None
    if runs and open_:
        deadline = publish_by(meeting)
        context.update(
            agenda_publish_form=PublishForm(),
            agenda_publish_by=deadline if version is None else None,
            agenda_too_late=version is None and deadline is not None and timezone.now() > deadline,
            agenda_proposal_form=ProposalForm(),
            agenda_waiting=agenda_selectors.waiting_proposals(meeting.body),
            agenda_assigns=bool(rules.has_perm("meetings.assign_proposal", user, meeting)),
        )
    return context
