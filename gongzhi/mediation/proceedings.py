"""The proceedings of a mediation case (keyword-only, atomic, journalled with no target and no
content): sessions and their notes (调解笔录) that each party confirms, the agreement
(调解协议书, art. 29) signed by each party and a mediator and sealed by the committee's head,
the outcomes (agreed, not agreed with referral advice, withdrawn), follow-up visits (回访) and
attachments.

Every write locks the case's row first, so two acts on one case are serialised: a party cannot
sign while the mediator rewrites the agreement, nor two heads seal it twice. A party confirms or
signs only for their own party (``not_a_party`` / ``not_your_agreement``); a paper signature is
recorded by a mediator with its scan. Texts and scans are sealed (encrypted) by their fields.

The journal gets no target and no content, ever: ``mediation.case_concluded`` carries
``{"outcome", "days"}`` and ``mediation.follow_up_recorded`` ``{"performance"}``; every other
verb ``{}``. Its actor is the mediator or the committee's head acting in office; a party's own
act (confirming notes, signing, withdrawing, attaching evidence) is journalled with no actor,
since who is party to a case is itself confidential and the staff read the journal. Notifications say only that there is news, with the case's URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.policies import require
from gongzhi.core.uploads import check_upload
from gongzhi.mediation.models import (
    Agreement,
    Assignment,
    Attachment,
    Case,
    CaseStatus,
    Confirmation,
    ConfirmVia,
    FollowUp,
    Party,
    Performance,
    Side,
    Sitting,
)

#: Attachments and scans: photos or PDFs up to 10 MB.
UPLOAD_KINDS = frozenset({"jpeg", "png", "pdf"})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Long texts are bounded (a page of notes is far less).
MAX_TEXT = 20000
#: Outcomes a mediator or the head records; "agreed" comes only from sealing the agreement.
CONCLUDE_OUTCOMES = (CaseStatus.NOT_AGREED, CaseStatus.WITHDRAWN)


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this for this mediation case."))


def case_url(case: Case) -> str:
    """The case's page (the cases part's), else its proceedings page."""
    from django.urls import NoReverseMatch

    kwargs = {"slug": case.community.slug, "case_id": case.pk}
    for name in ("mediation_case", "mediation_case_detail"):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def _notify(case: Case, users: Iterable[Any]) -> None:
    """Content-free: "there is news on your mediation case" and the URL, nothing more."""
    from gongzhi.core.manifests import notification_kinds
    from gongzhi.core.notify import send

    people = [u for u in users if u is not None]
    if not people or "mediation_case" not in notification_kinds():
        return
    send(
        users=people,
        community=case.community,
        kind="mediation_case",
        message="news",
        params={},
        url=case_url(case),
    )


def _parties(case: Case) -> list[Party]:
    return list(Party.objects.in_community(case.community_id).filter(case=case).order_by("pk"))


def _persons(case: Case, *, but: Any = None) -> list[Any]:
    return [p.person for p in _parties(case) if p.person is not None and p.person != but]


def _lock(case: Case) -> Case:
    """The case's row, locked until the transaction ends, read again."""
    return (
        Case.objects.in_community(case.community_id)
        .select_related("community")
        .select_for_update()
        .get(pk=case.pk)
    )


def _open(case: Case) -> None:
    if case.status != CaseStatus.ACCEPTED:
        raise ValidationError(
            _("This case is not being mediated now: nothing more can be recorded."),
            code="case_not_open",
        )


def _text(value: str, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(
            _("Please fill in %(field)s.") % {"field": label}, code="text_missing"
        )
    if len(value) > MAX_TEXT:
        raise ValidationError(
            _("%(field)s is too long (at most %(max)d characters).")
            % {"field": label, "max": MAX_TEXT},
            code="text_too_long",
        )
    return value


def _checked_file(upload: Any) -> tuple[str, ContentFile[bytes]]:
    checked = check_upload(upload, kinds=UPLOAD_KINDS, max_bytes=MAX_UPLOAD_BYTES)
    return checked.name, ContentFile(checked.content, name=checked.name)


@contextmanager
def _files_kept_only_on_commit() -> Iterator[list[Any]]:
    """The sealed files saved inside the block are deleted again if the block fails (the row
    that would have named them was rolled back)."""
    written: list[Any] = []
    try:
        yield written
    except BaseException:
        for stored in written:
            stored.delete(save=False)
        raise


def _own_party(actor: Any, case: Case, code: str, message: str) -> Party:
    mine = [p for p in _parties(case) if p.person_id is not None and p.person_id == actor.pk]
    if not mine:
        raise ValidationError(message, code=code)
    return mine[0]


def _party_of(case: Case, party: Party) -> Party:
    if party.case_id != case.pk or party.community_id != case.community_id:
        raise ValidationError(_("That is not a party to this case."), code="not_a_party")
    return party


def days_taken(case: Case) -> int:
    """Days from acceptance (or opening) to conclusion, in local dates."""
    start = case.accepted_at or case.opened_at
    end = case.concluded_at or timezone.now()
    return (timezone.localtime(end).date() - timezone.localtime(start).date()).days


def is_overdue(case: Case, today: date | None = None) -> bool:
    """Still being mediated after its one-month target."""
    today = today or timezone.localdate()
    return (
        case.status in (CaseStatus.APPLIED, CaseStatus.ACCEPTED)
        and case.due_on is not None
        and case.due_on < today
    )


def _conclude(case: Case, actor: Any, outcome: str) -> None:
    case.status = outcome
    case.concluded_at = timezone.now()
    case.save(update_fields=["status", "concluded_at", "referral_advice"])
    journal.record(
        community=case.community,
        actor=_in_office(actor, case),
        verb="mediation.case_concluded",
        data={"outcome": outcome, "days": days_taken(case)},
    )


def _in_office(actor: Any, case: Case) -> Any:
    """``actor`` as the journal names them: a mediator on the case or the committee's head
    acting in office, who is not also a party; None for a party's own act (the staff read the
    journal, and who is party to a case is itself confidential)."""
    from gongzhi.mediation.policies import is_case_mediator, is_committee_head, is_party

    if actor is None or is_party(actor, case):
        return None
    if is_case_mediator(actor, case) or is_committee_head(actor, case):
        return actor
    return None


def _record(case: Case, actor: Any, verb: str) -> None:
    journal.record(community=case.community, actor=_in_office(actor, case), verb=verb, data={})


# --- sessions and their notes -------------------------------------------------------------------


def sitting_record(
    *,
    actor: Any,
    case: Case,
    held_at: datetime,
    place: str,
    notes: str,
    scan: Any = None,
) -> Sitting:
    """A mediator records a session: when and where, the notes, and a scan of the paper notes
    if the parties signed them on paper. A session is recorded after it was held."""
    _require("mediation.mediate", actor, case)
    place = _text(place, _("the place"), required=False)
    notes = _text(notes, _("the notes"), required=False)
    if not notes and scan is None:
        raise ValidationError(
            _("Write the notes of the session, or attach a scan of the paper notes."),
            code="notes_missing",
        )
    if held_at > timezone.now():
        raise ValidationError(
            _("A session is recorded once it was held: its time cannot be in the future."),
            code="sitting_in_future",
        )
    stored = _checked_file(scan) if scan is not None else None
    with _files_kept_only_on_commit() as written, transaction.atomic():
        case = _lock(case)
        _open(case)
        sitting = Sitting(
            community=case.community,
            case=case,
            held_at=held_at,
            place=place,
            notes=notes,
            recorded_by=actor,
        )
        if stored is not None:
            sitting.scan.save(stored[0], stored[1], save=False)
            written.append(sitting.scan)
        sitting.save()
        _record(case, actor, "mediation.sitting_recorded")
        _notify(case, _persons(case, but=actor))
    return sitting


def _confirm_notes(sitting: Sitting, party: Party, **fields: Any) -> Confirmation:
    if (
        Confirmation.objects.in_community(sitting.community_id)
        .filter(sitting=sitting, party=party)
        .exists()
    ):
        raise ValidationError(
            _("These notes were already confirmed for this party."), code="already_confirmed"
        )
    return Confirmation.objects.in_community(sitting.community_id).create(
        party=party, sitting=sitting, **fields
    )


def notes_confirm(*, actor: Any, sitting: Sitting) -> Confirmation:
    """A party confirms a session's notes on their phone, for their own party only, once."""
    _require("mediation.view_case", actor, sitting.case)
    with transaction.atomic():
        case = _lock(sitting.case)
        _open(case)
        party = _own_party(
            actor,
            case,
            "not_a_party",
            _("Only a party to the case confirms the notes, and only for their own party."),
        )
        confirmation = _confirm_notes(sitting, party, via=ConfirmVia.PHONE)
        _record(case, actor, "mediation.notes_confirmed")
    return confirmation


def notes_paper(*, actor: Any, sitting: Sitting, party: Party, scan: Any) -> Confirmation:
    """A mediator records that ``party`` signed the notes on paper, with the scan."""
    _require("mediation.mediate", actor, sitting.case)
    if scan is None:
        raise ValidationError(_("Attach the scan of the signed notes."), code="scan_missing")
    stored = _checked_file(scan)
    with _files_kept_only_on_commit() as written, transaction.atomic():
        case = _lock(sitting.case)
        _open(case)
        _party_of(case, party)
        confirmation = Confirmation(
            community=case.community,
            party=party,
            sitting=sitting,
            via=ConfirmVia.PAPER,
            recorded_by=actor,
        )
        if (
            Confirmation.objects.in_community(case.community_id)
            .filter(sitting=sitting, party=party)
            .exists()
        ):
            raise ValidationError(
                _("These notes were already confirmed for this party."), code="already_confirmed"
            )
        confirmation.scan.save(stored[0], stored[1], save=False)
        written.append(confirmation.scan)
        confirmation.save()
        _record(case, actor, "mediation.notes_confirmed")
    return confirmation


# --- the agreement ------------------------------------------------------------------------------


def _signed(agreement: Agreement) -> bool:
    return agreement.mediator_signed_at is not None or (
        Confirmation.objects.in_community(agreement.community_id)
        .filter(agreement=agreement)
        .exists()
    )


def agreement_draft(
    *,
    actor: Any,
    case: Case,
    facts: str,
    terms: str,
    performance: str,
    perform_by: date,
) -> Agreement:
    """A mediator writes (or rewrites, until the first signature) the agreement's statutory
    content: the facts and responsibilities, the rights and duties agreed, the manner and
    deadline of performance (art. 29). The parties are the case's parties."""
    _require("mediation.mediate", actor, case)
    facts = _text(facts, _("the facts and responsibilities"), required=False)
    terms = _text(terms, _("the rights and duties agreed"), required=False)
    performance = _text(performance, _("how it will be performed"), required=False)
    if not (facts and terms and performance and perform_by):
        raise ValidationError(
            _(
                "An agreement states the facts and responsibilities, the rights and duties "
                "agreed, and how and by when it will be performed: fill in each of them."
            ),
            code="agreement_incomplete",
        )
    if perform_by < timezone.localdate():
        raise ValidationError(
            _("The deadline for performing the agreement cannot be in the past."),
            code="perform_by_past",
        )
    with transaction.atomic():
        case = _lock(case)
        _open(case)
        agreement = Agreement.objects.in_community(case.community_id).filter(case=case).first()
        if agreement is not None and _signed(agreement):
            raise ValidationError(
                _("The agreement has been signed: it can no longer be changed."),
                code="agreement_signed",
            )
        if agreement is None:
            agreement = Agreement(community=case.community, case=case, drafted_by=actor)
        agreement.facts = facts
        agreement.terms = terms
        agreement.performance = performance
        agreement.perform_by = perform_by
        agreement.drafted_by = actor
        agreement.drafted_at = timezone.now()
        agreement.save()
        _record(case, actor, "mediation.agreement_drafted")
        _notify(case, _persons(case, but=actor))
    return agreement


def _signable(agreement: Agreement) -> Case:
    case = _lock(agreement.case)
    _open(case)
    agreement.refresh_from_db()
    if agreement.sealed_at is not None:
        raise ValidationError(_("The agreement is already sealed."), code="agreement_sealed")
    return case


def _sign(agreement: Agreement, party: Party, **fields: Any) -> Confirmation:
    if (
        Confirmation.objects.in_community(agreement.community_id)
        .filter(agreement=agreement, party=party)
        .exists()
    ):
        raise ValidationError(
            _("The agreement is already signed for this party."), code="already_signed"
        )
    confirmation = Confirmation(
        community_id=agreement.community_id, party=party, agreement=agreement, **fields
    )
    return confirmation


def agreement_sign(*, actor: Any, agreement: Agreement, party: Party | None = None) -> Confirmation:
    """A party signs the agreement on their phone, for their own party only (``party``, when
    given, must be theirs): signing someone else's agreement is refused, nothing saved."""
    _require("mediation.view_case", actor, agreement.case)
    with transaction.atomic():
        case = _signable(agreement)
        own = _own_party(
            actor,
            case,
            "not_your_agreement",
            _("You can only sign an agreement for your own party in your own case."),
        )
        if party is not None and party.pk != own.pk:
            raise ValidationError(
                _("You can only sign an agreement for your own party in your own case."),
                code="not_your_agreement",
            )
        confirmation = _sign(agreement, own, via=ConfirmVia.PHONE)
        confirmation.save()
        _record(case, actor, "mediation.agreement_signed")
        _notify(case, _persons(case, but=actor))
    return confirmation


def agreement_paper_sign(
    *, actor: Any, agreement: Agreement, party: Party, scan: Any
) -> Confirmation:
    """A mediator records a party's signature on the paper agreement, with the scan."""
    _require("mediation.mediate", actor, agreement.case)
    if scan is None:
        raise ValidationError(_("Attach the scan of the signed agreement."), code="scan_missing")
    stored = _checked_file(scan)
    with _files_kept_only_on_commit() as written, transaction.atomic():
        case = _signable(agreement)
        _party_of(case, party)
        confirmation = _sign(agreement, party, via=ConfirmVia.PAPER, recorded_by=actor)
        confirmation.scan.save(stored[0], stored[1], save=False)
        written.append(confirmation.scan)
        confirmation.save()
        _record(case, actor, "mediation.agreement_signed")
    return confirmation


def agreement_mediator_sign(*, actor: Any, agreement: Agreement) -> Agreement:
    """A mediator on the case signs the agreement (once: one mediator's signature suffices)."""
    _require("mediation.mediate", actor, agreement.case)
    with transaction.atomic():
        case = _signable(agreement)
        if agreement.mediator_signed_at is not None:
            raise ValidationError(
                _("A mediator has already signed this agreement."), code="already_signed"
            )
        agreement.mediator_signed_at = timezone.now()
        agreement.mediator_signed_by = actor
        agreement.save(update_fields=["mediator_signed_at", "mediator_signed_by"])
        _record(case, actor, "mediation.agreement_signed")
    return agreement


def signatures_missing(agreement: Agreement) -> list[Party]:
    """The parties who have not signed yet."""
    signed = set(
        Confirmation.objects.in_community(agreement.community_id)
        .filter(agreement=agreement)
        .values_list("party_id", flat=True)
    )
    return [p for p in _parties(agreement.case) if p.pk not in signed]


def agreement_seal(*, actor: Any, agreement: Agreement) -> Agreement:
    """The committee's head seals the agreement once every party and a mediator signed: the
    case is agreed and concluded."""
    _require("mediation.seal_agreement", actor, agreement.case)
    with transaction.atomic():
        case = _signable(agreement)
        if signatures_missing(agreement) or agreement.mediator_signed_at is None:
            raise ValidationError(
                _("Every party and a mediator must sign the agreement before it is sealed."),
                code="signatures_missing",
            )
        agreement.sealed_at = timezone.now()
        agreement.sealed_by = actor
        agreement.save(update_fields=["sealed_at", "sealed_by"])
        _record(case, actor, "mediation.agreement_sealed")
        _conclude(case, actor, CaseStatus.AGREED)
        _notify(case, _persons(case, but=actor))
    return agreement


# --- outcomes -----------------------------------------------------------------------------------


def case_conclude(*, actor: Any, case: Case, outcome: str, referral_advice: str = "") -> Case:
    """A mediator or the head concludes a case without agreement (with the referral advice: the
    court, arbitration, the department concerned …) or records its withdrawal."""
    _require("mediation.conclude_case", actor, case)
    if outcome not in CONCLUDE_OUTCOMES:
        raise ValidationError(
            _("A case is concluded as not agreed or withdrawn (an agreement is sealed)."),
            code="outcome_unknown",
        )
    advice = _text(referral_advice, _("the referral advice"), required=False)
    if outcome == CaseStatus.NOT_AGREED and not advice:
        raise ValidationError(
            _("When no agreement is reached, tell the parties where they may turn next."),
            code="referral_advice_missing",
        )
    with transaction.atomic():
        case = _lock(case)
        _open(case)
        case.referral_advice = advice
        _conclude(case, actor, outcome)
        _notify(case, _persons(case, but=actor))
    return case


def case_withdraw(*, actor: Any, case: Case) -> Case:
    """The applicant withdraws their case (before or during mediation)."""
    _require("mediation.view_case", actor, case)
    with transaction.atomic():
        case = _lock(case)
        if case.status not in (CaseStatus.APPLIED, CaseStatus.ACCEPTED):
            raise ValidationError(
                _("This case is not being mediated now: nothing more can be recorded."),
                code="case_not_open",
            )
        applicants = [
            p for p in _parties(case) if p.side == Side.APPLICANT and p.person_id == actor.pk
        ]
        if not applicants:
            raise ValidationError(
                _("Only the applicant can withdraw the case."), code="not_the_applicant"
            )
        _conclude(case, actor, CaseStatus.WITHDRAWN)
        mediators = [
            a.mediator
            for a in Assignment.objects.in_community(case.community_id)
            .filter(case=case, ended_at__isnull=True)
            .select_related("mediator")
        ]
        _notify(case, [*_persons(case, but=actor), *mediators])
    return case


# --- follow-up visits ---------------------------------------------------------------------------


def follow_up_record(
    *, actor: Any, case: Case, visited_on: date, performance: str, notes: str = ""
) -> FollowUp:
    """A mediator or the head records a follow-up visit on an agreed case: how it is performed."""
    _require("mediation.follow_up", actor, case)
    if performance not in Performance.values:
        raise ValidationError(
            _("Choose how the agreement is performed."), code="performance_unknown"
        )
    notes = _text(notes, _("the notes"), required=False)
    with transaction.atomic():
        case = _lock(case)
        if case.status != CaseStatus.AGREED:
            raise ValidationError(
                _("Follow-up visits are for cases that reached an agreement."),
                code="not_agreed_case",
            )
        assert case.concluded_at is not None
        concluded = timezone.localtime(case.concluded_at).date()
        if visited_on > timezone.localdate() or visited_on < concluded:
            raise ValidationError(
                _("The visit's date is between the agreement and today."), code="visit_date"
            )
        follow_up = FollowUp.objects.in_community(case.community_id).create(
            case=case,
            visited_on=visited_on,
            performance=performance,
            notes=notes,
            recorded_by=actor,
        )
        journal.record(
            community=case.community,
            actor=_in_office(actor, case),
            verb="mediation.follow_up_recorded",
            data={"performance": performance},
        )
    return follow_up


# --- attachments --------------------------------------------------------------------------------


def attachment_add(*, actor: Any, case: Case, file: Any) -> Attachment:
    """A viewer of the case (a party's evidence, a mediator's document) adds a photo or a PDF,
    kept encrypted; not after the case's contents were deleted."""
    _require("mediation.attach", actor, case)
    if file is None:
        raise ValidationError(_("Choose a file to attach."), code="upload_empty")
    name, content = _checked_file(file)
    with _files_kept_only_on_commit() as written, transaction.atomic():
        case = _lock(case)
        if case.purged_at is not None:
            raise ValidationError(
                _("This case's contents were deleted after the retention period."),
                code="case_purged",
            )
        attachment = Attachment(community=case.community, case=case, name=name, uploaded_by=actor)
        attachment.file.save(name, content, save=False)
        written.append(attachment.file)
        attachment.save()
        _record(case, actor, "mediation.attachment_added")
    return attachment


CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
}


def content_type(name: str) -> str:
    """The type an attachment was checked as, from the extension ``check_upload`` gave it."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(extension, "application/octet-stream")
