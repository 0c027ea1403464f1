"""Mediation cases: the committee, intake (a party's application, a walk-in a worker registers,
a hotline ticket referred with its reporter's consent), the parties' consent or refusal, and
the mediators (qualified, refused by a party, declined for a conflict). Keyword-only, atomic,
journalled.

Confidentiality rules every write here (人民调解法 art. 15, 23):
- The journal gets a verb and the person acting in office only (the worker who registers a
  walk-in, the committee's head, a mediator): no target, no names, no text, no kind
  (``mediation.case_opened`` carries the channel, nothing else). A party's own act is
  journalled with no actor: the staff read the journal, and who is party to a case is itself
  confidential. The walk-in's applicant is never ``on_behalf_of``, for the same reason.
- Notifications say only that there is news on "your mediation case", with its link.
- Nothing about a case goes to a feed, a search, an export, a home tile or the decision
  register; the hotline ticket a case came from is closed with a neutral public note.
- Mediation is voluntary (art. 17): a party's refusal ends the case as not taken up.

A case's number (``<SLUG>-M<year>-<000001>``) is taken under a lock on the committee's row, so
two intakes at once never share one; the unique constraint backs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.bodies.models import Body, BodyKind
from gongzhi.core import journal, qualifications
from gongzhi.core.models import Community, Membership
from gongzhi.core.numbering import next_number, numbered_prefix
from gongzhi.core.phones import normalize_phone
from gongzhi.core.policies import require
from gongzhi.mediation.models import (
    CONCLUDED,
    Assignment,
    AssignmentEnd,
    Case,
    CaseStatus,
    Channel,
    DisputeKind,
    MediationCommittee,
    Party,
    Side,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.feedback.models import Ticket, TicketEvent

#: the qualification a mediator and the committee's head hold (learning's catalogue)
QUALIFICATION = "mediation"
#: the target: a case concluded within a month of its acceptance
DUE_DAYS = 30
MAX_SUMMARY = 5000
MAX_NAME = 100
#: the hotline category a ticket must have to be offered mediation
DISPUTE_CATEGORY = "neighbour_dispute"
#: the marker on the hotline ticket's timeline event that offers mediation to its reporter
OFFER_MARK = "mediation_offer"


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this in mediation."))


def case_url(case: Case) -> str:
    return reverse("mediation_case", kwargs={"slug": case.community.slug, "case_id": case.pk})


def _tell(users: Iterable[Any], case: Case) -> None:
    """Content-free news: no number, no name, no kind, no text; the link says the rest to those
    allowed to open it."""
    from gongzhi.core.notify import send

    people = {u.pk: u for u in users if u is not None and getattr(u, "pk", None) is not None}
    if not people:
        return
    send(
        users=list(people.values()),
        community=case.community,
        kind="mediation_case",
        message="news",
        params={},
        url=case_url(case),
    )


def _record(community: Any, actor: Any, verb: str, **data: Any) -> None:
    """The journal of a mediation act: who acted and the verb; never a target. ``actor`` is
    None for a party's own act: the staff and supervisors read the journal (and can narrow it
    to one person), and who is party to a case is itself confidential."""
    journal.record(community=community, actor=actor, verb=verb, data=data)


def _is_member(person: Any, community_id: int) -> bool:
    return (
        Membership.objects.in_community(community_id)
        .filter(user=person, user__is_active=True)
        .exists()
    )


def _is_verified_member(person: Any, community_id: int) -> bool:
    return (
        Membership.objects.in_community(community_id)
        .filter(user=person, user__is_active=True, verified_at__isnull=False)
        .exists()
    )


def _qualified(person: Any) -> bool:
    return not qualifications.missing(person, [QUALIFICATION], timezone.localdate())


def _name_of(person: Any) -> str:
    return (getattr(person, "display_name", "") or str(person))[:MAX_NAME]


def _heads_and_mediators(case: Case) -> list[Any]:
    from gongzhi.mediation.policies import head_id

    ids = set(
        Assignment.objects.in_community(case.community_id)
        .filter(case=case, ended_at__isnull=True)
        .values_list("mediator_id", flat=True)
    )
    head = head_id(case.community_id)
    if head is not None:
        ids.add(head)
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(pk__in=ids))


def _party_people(case: Case, *, but: Any = None) -> list[Any]:
    rows = Party.objects.in_community(case.community_id).filter(case=case, person__isnull=False)
    people = [p.person for p in rows.select_related("person") if p.person is not None]
    return [p for p in people if but is None or p.pk != but.pk]


# --- The committee ----------------------------------------------------------------------------


def committee_set(
    *,
    actor: User,
    community: Community,
    body: Body,
    head: User,
    retention_days: int | None = None,
) -> MediationCommittee:
    """Name the community's people's mediation committee (a body of kind mediation committee)
    and its head (主任). The head is a verified member holding the mediation qualification, and
    never the one naming them. Naming a new head takes the cases from the old one."""
    _require("mediation.manage_committee", actor, community)
    if body.community_id != community.pk or body.kind != BodyKind.MEDIATION_COMMITTEE:
        raise ValidationError(
            _("Choose a body of this community that is a people's mediation committee."),
            code="committee_body",
        )
    if body.dissolved_at is not None:
        raise ValidationError(_("This body has been dissolved."), code="committee_body")
    if head.pk == actor.pk:
        raise ValidationError(
            _("Nobody names themself the head of the mediation committee."), code="own_appointment"
        )
    if not _is_verified_member(head, community.pk):
        raise ValidationError(
            _("The head must be a verified member of this community."), code="head_not_member"
        )
    if not _qualified(head):
        raise ValidationError(
            _("The head must hold the mediation qualification: %(name)s does not.")
            % {"name": _name_of(head)},
            code="head_unqualified",
        )
    if retention_days is not None and not 30 <= retention_days <= 36500:
        raise ValidationError(
            _("Keep case contents between 30 days and 100 years."), code="retention_days"
        )
    with transaction.atomic():
        committee = MediationCommittee.objects.in_community(community).select_for_update().first()
        now = timezone.now()
        if committee is None:
            committee = MediationCommittee(community=community)
        committee.body = body
        committee.head = head
        committee.appointed_by = actor
        committee.appointed_at = now
        if retention_days is not None:
            committee.retention_days = retention_days
        committee.save()
        _record(community, actor, "mediation.committee_set")
    return committee


# --- Intake -----------------------------------------------------------------------------------


def _clean_kind(kind: str) -> str:
    if kind not in DisputeKind.values:
        raise ValidationError(_("Choose the kind of dispute."), code="kind_unknown")
    return kind


def _clean_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError(_("Please say what the dispute is about."), code="summary_missing")
    if len(summary) > MAX_SUMMARY:
        raise ValidationError(
            _("Please keep it under %(n)s characters.") % {"n": MAX_SUMMARY},
            code="summary_too_long",
        )
    return summary


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        raise ValidationError(
            _("A name is at most %(n)s characters.") % {"n": MAX_NAME}, code="name_too_long"
        )
    return name


def _member_with(phone: str, community_id: int) -> tuple[str, Any]:
    """``(the number in E.164, the member with that number or None)``."""
    from django.contrib.auth import get_user_model

    number = normalize_phone(phone)
    person = (
        get_user_model()
        .objects.filter(phone=number, memberships__community_id=community_id)
        .first()
    )
    return number, person


def _committee_locked(community_id: int) -> MediationCommittee:
    committee = MediationCommittee.objects.in_community(community_id).select_for_update().first()
    if committee is None:
        raise ValidationError(
            _("This community has no mediation committee yet: ask the community office."),
            code="no_committee",
        )
    return committee


def _respondent(community_id: int, applicant: Any, phone: str, name: str) -> tuple[Any, str, str]:
    """``(person or None, name, contact)`` of the other side: a member found by their phone,
    or a name (an organisation such as the property company), or both."""
    phone = (phone or "").strip()
    name = _clean_name(name)
    if not phone and not name:
        raise ValidationError(
            _("Give the other side's phone number or name (for a company, its name)."),
            code="respondent_missing",
        )
    person = None
    contact = ""
    if phone:
        number, person = _member_with(phone, community_id)
        if applicant is not None and person is not None and person.pk == applicant.pk:
            raise ValidationError(
                _("The other side cannot be the applicant themself."),
                code="respondent_is_applicant",
            )
        if person is None:
            contact = number
    if not name:
        name = _name_of(person) if person is not None else contact
    return person, name, contact


def _open_case(
    *,
    actor: Any,
    community: Community,
    kind: str,
    summary: str,
    channel: str,
    applicant: tuple[Any, str, str],
    respondent: tuple[Any, str, str],
    ticket: Any = None,
) -> Case:
    """Inside the caller's atomic block: the case, its two parties (the applicant consented by
    applying), the journal, and the news to the respondent and the committee's head."""
    committee = _committee_locked(community.pk)
    now = timezone.now()
    prefix = numbered_prefix(community.slug, timezone.localdate().year, "M")
    number = next_number(Case.objects.in_community(community), prefix)
    case = Case.objects.in_community(community).create(
        number=number,
        kind=kind,
        channel=channel,
        ticket=ticket,
        summary=summary,
        opened_at=now,
    )
    case.community = community
    for side, (person, name, contact), consented in (
        (Side.APPLICANT, applicant, now),
        (Side.RESPONDENT, respondent, None),
    ):
        Party.objects.in_community(community).create(
            case=case,
            side=side,
            person=person,
            name=name,
            contact=contact,
            consented_at=consented,
        )
    # The kind stays out of the journal (it says what the case is about; the statistics
    # show it only counted and suppressed); a resident who applies is a party, not named.
    _record(
        community,
        actor if channel == Channel.WALK_IN else None,
        "mediation.case_opened",
        channel=channel,
    )
    # A walk-in's applicant with an account hears of it too; one who applied knows already.
    told = [respondent[0], committee.head]
    if applicant[0] is not None and applicant[0].pk != actor.pk:
        told.append(applicant[0])
    _tell(told, case)
    return case


def case_apply(
    *,
    actor: User,
    community: Community,
    kind: str,
    summary: str,
    respondent_phone: str = "",
    respondent_name: str = "",
) -> Case:
    """A verified resident applies for mediation of their own dispute (申请调解)."""
    _require("mediation.apply", actor, community)
    kind = _clean_kind(kind)
    summary = _clean_summary(summary)
    respondent = _respondent(community.pk, actor, respondent_phone, respondent_name)
    with transaction.atomic():
        return _open_case(
            actor=actor,
            community=community,
            kind=kind,
            summary=summary,
            channel=Channel.APPLICATION,
            applicant=(actor, _name_of(actor), ""),
            respondent=respondent,
        )


def case_register(
    *,
    actor: User,
    community: Community,
    kind: str,
    summary: str,
    applicant_phone: str,
    applicant_name: str = "",
    respondent_phone: str = "",
    respondent_name: str = "",
) -> Case:
    """A community worker registers a walk-in (来访登记): the applicant came to the office and
    asked for mediation. The worker hands it to the committee and cannot read it afterwards."""
    _require("mediation.register_case", actor, community)
    kind = _clean_kind(kind)
    summary = _clean_summary(summary)
    applicant_name = _clean_name(applicant_name)
    if not (applicant_phone or "").strip():
        raise ValidationError(_("Give the applicant's phone number."), code="applicant_missing")
    number, applicant = _member_with(applicant_phone, community.pk)
    if applicant is None and not applicant_name:
        raise ValidationError(
            _("The applicant has no account here: give their name too."), code="applicant_missing"
        )
    respondent = _respondent(community.pk, applicant, respondent_phone, respondent_name)
    if applicant is None and respondent[0] is None and respondent[2] == number:
        raise ValidationError(
            _("The other side cannot be the applicant themself."), code="respondent_is_applicant"
        )
    with transaction.atomic():
        return _open_case(
            actor=actor,
            community=community,
            kind=kind,
            summary=summary,
            channel=Channel.WALK_IN,
            applicant=(
                applicant,
                applicant_name or _name_of(applicant),
                "" if applicant is not None else number,
            ),
            respondent=respondent,
        )


# --- The hotline's referral (with the reporter's consent) --------------------------------------


def _ticket_locked(ticket: Ticket) -> Ticket:
    from gongzhi.feedback.models import Ticket as TicketModel

    return (
        TicketModel.objects.in_community(ticket.community_id)
        .select_for_update(of=("self",))
        .select_related("community", "category")
        .get(pk=ticket.pk)
    )


def _check_referable(ticket: Ticket) -> None:
    from gongzhi.feedback.models import OPEN_STATUSES

    category = ticket.category
    if category is None or category.code != DISPUTE_CATEGORY:
        raise ValidationError(
            _("Only a neighbour dispute can be referred to mediation."), code="not_a_dispute"
        )
    if ticket.status not in OPEN_STATUSES:
        raise ValidationError(_("This ticket is no longer open."), code="ticket_closed")
    if ticket.reporter_id is None:
        raise ValidationError(
            _("Only the reporter can agree to mediation, and this ticket has none."),
            code="no_reporter",
        )


def referral_offered(ticket: Ticket) -> bool:
    """Whether the hotline has offered mediation to this ticket's reporter."""
    from gongzhi.feedback.models import TicketEvent as Event

    return (
        Event.objects.in_community(ticket.community_id)
        .filter(ticket=ticket, data__has_key=OFFER_MARK)
        .exists()
    )


def referral_offer(*, actor: User, ticket: Ticket) -> TicketEvent:
    """A hotline handler offers the reporter of a neighbour dispute to refer it to the
    mediation committee. Only a public note on the ticket: nothing moves without consent."""
    from gongzhi.feedback.models import EventKind
    from gongzhi.feedback.models import TicketEvent as Event

    _require("feedback.handle", actor, ticket)
    with transaction.atomic():
        locked = _ticket_locked(ticket)
        _check_referable(locked)
        if referral_offered(locked):
            raise ValidationError(
                _("Mediation has already been offered to the reporter."), code="already_offered"
            )
        with translation.override(settings.LANGUAGE_CODE):
            note = _(
                "The hotline suggests neighbour mediation: the community's people's mediation "
                "committee can help both sides agree. Nothing happens unless you agree."
            )
        event = Event.objects.in_community(locked.community_id).create(
            ticket=locked,
            kind=EventKind.NOTE,
            author=actor,
            note=note,
            public=True,
            data={OFFER_MARK: True},
            at=timezone.now(),
        )
        journal.record(
            community=locked.community,
            actor=actor,
            verb="hotline.noted",
            target=locked,
            data={"number": locked.number, "public": True},
        )
        from gongzhi.core.notify import send

        send(
            users=[locked.reporter],
            community=locked.community,
            kind="hotline_ticket_update",
            message="news",
            params={"ref": locked.reference, "community": locked.community.name},
            url=reverse("hotline_ticket", args=[locked.community.slug, locked.number]),
        )
    return event


def referral_consent(
    *,
    actor: User,
    ticket: Ticket,
    kind: str = DisputeKind.OTHER,
    respondent_phone: str = "",
    respondent_name: str = "",
) -> Case:
    """The reporter agrees: a case comes in from the hotline and the ticket is closed with a
    neutral public note.

    What the reporter told the hotline moves into the case, sealed, and stops being kept in
    clear on the ticket, which the hotline's workers read: its text (and the unit or spot)
    becomes the case's summary, its photos the case's attachments; the ticket keeps only the
    neutral line, its category, building and dates (the hotline's statistics), and loses its
    unit, map point, contact preference, public flag, the reporter's own notes on its timeline
    and the copy of its text kept to train the router — what the hotline's erasure empties.
    The workers saw the report before; a resident who takes it to confidential mediation
    expects it no longer to lie open on the hotline's desk."""
    from gongzhi.feedback.models import Contact, EventKind, RoutingCorrection, Status, TicketPhoto
    from gongzhi.feedback.models import TicketEvent as Event

    if ticket.reporter_id != actor.pk:
        raise PermissionDenied(_("Only the reporter can agree to refer their ticket."))
    kind = _clean_kind(kind)
    respondent = _respondent(ticket.community_id, actor, respondent_phone, respondent_name)
    moved: list[str] = []
    with transaction.atomic():
        locked = _ticket_locked(ticket)
        _check_referable(locked)
        if not referral_offered(locked):
            raise ValidationError(
                _("The hotline has not offered mediation on this ticket."), code="no_offer"
            )
        if Case.objects.in_community(locked.community_id).filter(ticket=locked).exists():
            raise ValidationError(
                _("This ticket is already with the mediation committee."), code="referred"
            )
        summary = locked.text
        if locked.unit:
            with translation.override(settings.LANGUAGE_CODE):
                summary += "\n" + _("unit or spot") + ": " + locked.unit
        case = _open_case(
            actor=actor,
            community=locked.community,
            kind=kind,
            summary=_clean_summary(summary),
            channel=Channel.HOTLINE,
            applicant=(actor, _name_of(actor), ""),
            respondent=respondent,
            ticket=locked,
        )
        photos = TicketPhoto.objects.in_community(locked.community_id).filter(ticket=locked)
        for photo in photos.order_by("pk"):
            moved.append(_photo_to_case(photo, case, actor))
        photos.delete()
        RoutingCorrection.objects.in_community(locked.community_id).filter(ticket=locked).update(
            text=""
        )
        Event.objects.in_community(locked.community_id).filter(ticket=locked, author=actor).exclude(
            note=""
        ).exclude(data__has_key=OFFER_MARK).update(note="")
        now = timezone.now()
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Referred to neighbour mediation at the reporter's request.")
        locked.text = note
        locked.unit = ""
        locked.latitude = None
        locked.longitude = None
        locked.contact = Contact.NONE
        locked.is_public = False
        locked.status = Status.CLOSED
        locked.closed_at = now
        locked.updated_at = now
        locked.save()
        Event.objects.in_community(locked.community_id).create(
            ticket=locked,
            kind=EventKind.CLOSED,
            author=actor,
            note=note,
            public=True,
            status=Status.CLOSED,
            at=now,
        )
        journal.record(
            community=locked.community,
            actor=actor,
            verb="hotline.closed",
            target=locked,
            data={"number": locked.number},
        )
        # The photos' clear copies leave the storage once the sealed ones are committed.
        transaction.on_commit(lambda: _delete_stored(moved))
    return case


def _photo_to_case(photo: Any, case: Case, actor: Any) -> str:
    """A hotline photo becomes a sealed attachment of the case; returns the clear file's name
    (deleted after the commit)."""
    from django.core.files.base import ContentFile

    from gongzhi.mediation.models import Attachment

    with photo.file.open("rb") as handle:
        data = handle.read()
    name = photo.name or "photo.jpg"
    attachment = Attachment(community_id=case.community_id, case=case, name=name, uploaded_by=actor)
    attachment.file.save(name, ContentFile(data, name=name), save=False)
    attachment.save()
    return str(photo.file.name)


def _delete_stored(names: Iterable[str]) -> None:
    from gongzhi.core.privacy import delete_files

    delete_files(names)


# --- Parties: mediation is voluntary -----------------------------------------------------------


def _case_locked(case: Case) -> Case:
    locked = (
        Case.objects.in_community(case.community_id)
        .select_for_update(of=("self",))
        .select_related("community")
        .get(pk=case.pk)
    )
    return locked


def _check_open(case: Case) -> None:
    if case.status in CONCLUDED:
        raise ValidationError(_("This case is concluded."), code="case_concluded")


def _acting_party(actor: Any, case: Case, party: Party | None) -> Party:
    """The party row ``actor`` acts for: their own; or, for the committee's head or an open
    mediator, a party without an account (a company, a neighbour not on the platform) whose
    answer they record."""
    from gongzhi.mediation.policies import is_case_mediator, is_committee_head

    own = Party.objects.in_community(case.community_id).filter(case=case, person=actor).first()
    if party is None or (own is not None and party.pk == own.pk):
        if own is None:
            raise PermissionDenied(_("Only a party to this case can answer for it."))
        return own
    if party.case_id != case.pk:
        raise PermissionDenied(_("Only a party to this case can answer for it."))
    if party.person_id is not None:
        raise ValidationError(
            _("A party with an account answers for themself."), code="not_your_party"
        )
    if not (is_committee_head(actor, case) or is_case_mediator(actor, case)):
        raise PermissionDenied(_("Only a party to this case can answer for it."))
    return party


def party_consent(*, actor: User, case: Case, party: Party | None = None) -> Party:
    """A party agrees to mediation (their own; the head or a mediator records the answer of a
    party without an account)."""
    with transaction.atomic():
        locked = _case_locked(case)
        _check_open(locked)
        row = _acting_party(actor, locked, party)
        row = Party.objects.in_community(locked.community_id).select_for_update().get(pk=row.pk)
        if row.refused_at is not None:
            raise ValidationError(_("This party has refused mediation."), code="already_refused")
        if row.consented_at is not None:
            raise ValidationError(
                _("This party has already agreed to mediation."), code="already_consented"
            )
        row.consented_at = timezone.now()
        row.save(update_fields=["consented_at"])
        _tell([*_party_people(locked, but=actor), *_heads_and_mediators(locked)], locked)
    return row


def party_refuse(*, actor: User, case: Case, party: Party | None = None) -> Case:
    """A party refuses mediation (art. 17: it is voluntary): the case is not taken up."""
    with transaction.atomic():
        locked = _case_locked(case)
        _check_open(locked)
        row = _acting_party(actor, locked, party)
        row = Party.objects.in_community(locked.community_id).select_for_update().get(pk=row.pk)
        now = timezone.now()
        row.refused_at = now
        row.save(update_fields=["refused_at"])
        locked.status = CaseStatus.DECLINED
        locked.concluded_at = now
        locked.save(update_fields=["status", "concluded_at"])
        # The head or a mediator recording an accountless party's answer acts in office.
        _record(
            locked.community,
            None if row.person_id == actor.pk else actor,
            "mediation.case_declined",
        )
        _tell([*_party_people(locked, but=actor), *_heads_and_mediators(locked)], locked)
    return locked


# --- Mediators -------------------------------------------------------------------------------


def _check_mediator(case: Case, mediator: Any) -> None:
    if mediator is None or getattr(mediator, "pk", None) is None:
        raise ValidationError(_("Choose a mediator."), code="mediator_missing")
    if not _is_member(mediator, case.community_id):
        raise ValidationError(
            _("A mediator must be a member of this community."), code="mediator_not_member"
        )
    if Party.objects.in_community(case.community_id).filter(case=case, person=mediator).exists():
        raise ValidationError(
            _("%(name)s is a party to this case and cannot mediate it.")
            % {"name": _name_of(mediator)},
            code="mediator_is_party",
        )
    if not _qualified(mediator):
        raise ValidationError(
            _("%(name)s does not hold the mediation qualification today.")
            % {"name": _name_of(mediator)},
            code="mediator_unqualified",
        )
    ended = (
        Assignment.objects.in_community(case.community_id)
        .filter(
            case=case,
            mediator=mediator,
            end_reason__in=[AssignmentEnd.REFUSED, AssignmentEnd.CONFLICT],
        )
        .first()
    )
    if ended is not None:
        if ended.end_reason == AssignmentEnd.REFUSED:
            raise ValidationError(
                _("A party refused %(name)s as mediator of this case: choose someone else.")
                % {"name": _name_of(mediator)},
                code="mediator_refused",
            )
        raise ValidationError(
            _("%(name)s declined this case for a conflict of interest: choose someone else.")
            % {"name": _name_of(mediator)},
            code="mediator_refused",
        )
    if (
        Assignment.objects.in_community(case.community_id)
        .filter(case=case, mediator=mediator, ended_at__isnull=True)
        .exists()
    ):
        raise ValidationError(
            _("%(name)s already mediates this case.") % {"name": _name_of(mediator)},
            code="already_assigned",
        )


def _assign(actor: Any, case: Case, mediator: Any) -> Assignment:
    try:
        with transaction.atomic():
            assignment = Assignment.objects.in_community(case.community_id).create(
                case=case, mediator=mediator, assigned_by=actor, assigned_at=timezone.now()
            )
    except IntegrityError as error:
        raise ValidationError(
            _("%(name)s cannot be assigned to this case again.") % {"name": _name_of(mediator)},
            code="already_assigned",
        ) from error
    _record(case.community, actor, "mediation.mediator_assigned")
    return assignment


def case_accept(*, actor: User, case: Case, mediators: Sequence[User]) -> Case:
    """The committee's head accepts the case (受理): the target date is a month away, and one or
    more mediators holding the mediation qualification take it."""
    _require("mediation.accept_case", actor, case)
    people = list({m.pk: m for m in mediators if m is not None}.values())
    if not people:
        raise ValidationError(_("Choose at least one mediator."), code="mediator_missing")
    with transaction.atomic():
        locked = _case_locked(case)
        _check_open(locked)
        if locked.status != CaseStatus.APPLIED:
            raise ValidationError(
                _("This case has already been accepted."), code="already_accepted"
            )
        for mediator in people:
            _check_mediator(locked, mediator)
        now = timezone.now()
        locked.status = CaseStatus.ACCEPTED
        locked.accepted_at = now
        locked.due_on = timezone.localdate() + timedelta(days=DUE_DAYS)
        locked.save(update_fields=["status", "accepted_at", "due_on"])
        _record(locked.community, actor, "mediation.case_accepted")
        for mediator in people:
            _assign(actor, locked, mediator)
        _tell([*_party_people(locked), *people], locked)
    return locked


def mediator_assign(*, actor: User, case: Case, mediator: User) -> Assignment:
    """The head adds a mediator to an accepted case (or replaces a refused one)."""
    _require("mediation.assign_mediator", actor, case)
    with transaction.atomic():
        locked = _case_locked(case)
        _check_open(locked)
        if locked.status != CaseStatus.ACCEPTED:
            raise ValidationError(
                _("Accept the case first: its mediators are chosen then."), code="case_not_accepted"
            )
        _check_mediator(locked, mediator)
        assignment = _assign(actor, locked, mediator)
        _tell([*_party_people(locked), mediator], locked)
    return assignment


def _assignment_locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.in_community(assignment.community_id)
        .select_for_update(of=("self",))
        .select_related("case", "case__community", "mediator")
        .get(pk=assignment.pk)
    )


def _check_assignment_open(assignment: Assignment) -> None:
    if assignment.ended_at is not None:
        raise ValidationError(
            _("This mediator no longer mediates this case."), code="assignment_ended"
        )
    _check_open(assignment.case)


def mediator_refuse(*, actor: User, assignment: Assignment) -> Assignment:
    """A party refuses a mediator (art. 20: the parties may choose or refuse one): the
    mediator leaves the case and loses sight of it, and cannot be assigned to it again."""
    with transaction.atomic():
        _case_locked(assignment.case)
        locked = _assignment_locked(assignment)
        own = (
            Party.objects.in_community(locked.community_id)
            .filter(case_id=locked.case_id, person=actor)
            .first()
        )
        if own is None:
            raise PermissionDenied(_("Only a party to this case can refuse its mediator."))
        _check_assignment_open(locked)
        locked.ended_at = timezone.now()
        locked.end_reason = AssignmentEnd.REFUSED
        locked.refused_by = own
        locked.save(update_fields=["ended_at", "end_reason", "refused_by"])
        _record(locked.case.community, None, "mediation.mediator_refused")  # a party's act
        _tell(
            [*_party_people(locked.case, but=actor), *_heads_and_mediators(locked.case)],
            locked.case,
        )
    return locked


def mediator_decline(*, actor: User, assignment: Assignment) -> Assignment:
    """A mediator with a conflict of interest declines the case (回避): they leave it and lose
    sight of it."""
    with transaction.atomic():
        _case_locked(assignment.case)
        locked = _assignment_locked(assignment)
        if locked.mediator_id != actor.pk:
            raise PermissionDenied(_("Only the mediator themself can decline a case."))
        _check_assignment_open(locked)
        locked.ended_at = timezone.now()
        locked.end_reason = AssignmentEnd.CONFLICT
        locked.save(update_fields=["ended_at", "end_reason"])
        _record(locked.case.community, actor, "mediation.mediator_declined")
        _tell([*_party_people(locked.case), *_heads_and_mediators(locked.case)], locked.case)
    return locked
