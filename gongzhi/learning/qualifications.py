"""Qualifications held (资格): who holds which qualification on a day, how one is granted for a
completed course, recorded from an outside certificate, or revoked.

- ``holds`` is core's checker (``QUALIFICATION_CHECK`` in the manifest): ``core/qualifications``
  asks it for a volunteer shift's first aid or a role requirement.
- ``grant_for_completion``: the attendance part calls it inside ``completion_decide``'s
  transaction. The award is valid from the day completed for the course's ``valid_months``
  (none: it does not expire). Renewal is simply a later award of the same code: ``holds`` reads
  any valid row, so a person who renews is never without it in between.
- Numbers ``<SLUG>-Q<year>-<000001>`` run per community and year; they are allocated under a lock
  on the community's row (one at a time per community), and unique in the database.
- ``record_outside``: a worker records a qualification held from outside training
  (红十字会急救证 …), with the evidence they saw; ``revoke`` keeps the row, with a reason.

Nobody grants, records or revokes their own qualification (``own_award``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core import qualifications as core_qualifications
from gongzhi.core.models import Community, Membership
from gongzhi.core.numbering import next_number, numbered_prefix
from gongzhi.core.policies import require
from gongzhi.learning.models import Award, Enrolment, EnrolmentStatus


def holds(person: Any, code: str, on: date) -> bool:
    """Whether ``person`` holds qualification ``code`` on the day ``on`` (core's checker).

    A qualification is the person's, not a community's: an award made in one community counts
    in every other (a first-aid certificate does not stop at the street's edge), so the query
    deliberately spans communities. Valid on ``valid_from`` and on ``valid_until`` (inclusive),
    never once revoked. One indexed probe (person, qualification, valid_from)."""
    if person is None or getattr(person, "pk", None) is None:
        return False
    return (
        Award.objects.all_communities()
        .filter(person=person, qualification=code, valid_from__lte=on, revoked_at__isnull=True)
        .exclude(valid_until__lt=on)
        .exists()
    )


def valid_until_of(valid_from: date, months: int) -> date | None:
    """The last day a qualification valid ``months`` months from ``valid_from`` holds: the day
    before the same date ``months`` later (24 months from 2026-03-01: 2028-02-29); None for 0."""
    if months <= 0:
        return None
    return valid_from + relativedelta(months=months) - relativedelta(days=1)


def _next_number(community: Community, year: int) -> str:
    return next_number(
        Award.objects.in_community(community), numbered_prefix(community.slug, year, "Q")
    )


def _lock_community(community_id: int) -> Community:
    # Serialises numbering in a community: two completions at once never take the same number.
    return Community.objects.select_for_update().get(pk=community_id)


def _journal_data(award: Award) -> dict[str, Any]:
    return {
        "person": award.person_id,
        "qualification": award.qualification,
        "valid_from": award.valid_from.isoformat(),
        "valid_until": award.valid_until.isoformat() if award.valid_until else None,
    }


def award_url(award: Award) -> str:
    return reverse(
        "learning_award_detail", kwargs={"slug": award.community.slug, "award_id": award.pk}
    )


def verify_path(award: Award) -> str:
    return reverse(
        "learning_award_verify", kwargs={"slug": award.community.slug, "token": award.token}
    )


def _notify(award: Award, message: str, **params: Any) -> None:
    from gongzhi.core.notify import send

    person = award.person
    community = award.community
    url = award_url(award)
    payload = {"qualification": core_qualifications.label(award.qualification), **params}
    transaction.on_commit(
        lambda: send(
            users=[person],
            community=community,
            kind="qualification_held",
            message=message,
            params=payload,
            url=url,
        )
    )


def grant_for_completion(*, actor: Any, enrolment: Enrolment) -> Award | None:
    """The award for ``enrolment``'s completed course, made once (a second call returns the
    first award); None when the course grants no qualification. Runs inside the caller's
    transaction (``completion_decide``), which has checked that ``actor`` may decide."""
    course = enrolment.course
    if not course.qualification:
        return None
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise ValidationError(
            _("Only a completed course grants its qualification."), code="not_completed"
        )
    if enrolment.person_id == actor.pk:
        raise ValidationError(
            _("Nobody grants a qualification to themself: ask another trainer or worker."),
            code="own_award",
        )
    with transaction.atomic():
        community = _lock_community(enrolment.community_id)
        existing = Award.objects.in_community(community).filter(enrolment=enrolment).first()
        if existing is not None:
            return existing
        valid_from = timezone.localdate(enrolment.decided_at or timezone.now())
        award = Award.objects.in_community(community).create(
            person_id=enrolment.person_id,
            qualification=course.qualification,
            valid_from=valid_from,
            valid_until=valid_until_of(valid_from, course.valid_months),
            enrolment=enrolment,
            granted_by=actor,
            number=_next_number(community, valid_from.year),
        )
        journal.record(
            community=community,
            actor=actor,
            verb="qualification.granted",
            target=award,
            data=_journal_data(award),
        )
    return award


def _is_member(person: Any, community: Community) -> bool:
    return Membership.objects.in_community(community).filter(user=person).exists()


def record_outside(
    *,
    actor: Any,
    community: Community,
    person: Any,
    code: str,
    valid_from: date,
    valid_until: date | None,
    evidence: str,
    on_behalf_of: Any = None,
) -> Award:
    """A worker records that ``person`` holds ``code`` from outside training (the evidence they
    saw: 红十字会急救证 No. …). Such a record has no certificate number: the certificate is the
    outside one."""
    require(
        "learning.record_award",
        actor,
        community,
        _("Only a community worker may record a qualification."),
    )
    if person.pk == actor.pk:
        raise ValidationError(
            _("Nobody records their own qualification: ask another worker."), code="own_award"
        )
    if code not in core_qualifications.registry():
        raise ValidationError(
            _("“%(code)s” is not a qualification this platform knows.") % {"code": code},
            code="qualification_unknown",
        )
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError(
            _("Say what you saw: the certificate, who issued it and its number."),
            code="evidence_required",
        )
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError(
            _("The qualification cannot end before it starts."), code="bad_period"
        )
    if not _is_member(person, community):
        raise ValidationError(_("This person is not a member of the community."), code="not_member")
    with transaction.atomic():
        award = Award.objects.in_community(community).create(
            person=person,
            qualification=code,
            valid_from=valid_from,
            valid_until=valid_until,
            evidence=evidence[:200],
            granted_by=actor,
        )
        journal.record(
            community=community,
            actor=actor,
            on_behalf_of=on_behalf_of,
            verb="qualification.recorded",
            target=award,
            data=_journal_data(award),
        )
        _notify(award, "recorded")
    return award


def revoke(*, actor: Any, award: Award, reason: str) -> Award:
    """A worker revokes ``award`` (a mistake, a forged certificate); the row stays, marked."""
    require(
        "learning.revoke_award",
        actor,
        award,
        _("Only a community worker may revoke a qualification."),
    )
    if award.person_id == actor.pk:
        raise ValidationError(
            _("Nobody revokes their own qualification: ask another worker."), code="own_award"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the qualification is revoked."), code="reason_required")
    with transaction.atomic():
        locked = Award.objects.in_community(award.community_id).select_for_update().get(pk=award.pk)
        if locked.revoked_at is not None:
            raise ValidationError(
                _("This qualification was revoked already."), code="already_revoked"
            )
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revoke_reason = reason[:300]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        journal.record(
            community=locked.community,
            actor=actor,
            verb="qualification.revoked",
            target=locked,
            data={"person": locked.person_id, "qualification": locked.qualification},
        )
        _notify(locked, "revoked", reason=locked.revoke_reason)
    return locked


# --- expiry reminders (manage.py learning_remind) ------------------------------------------------

#: A holder is reminded once this many days before their qualification ends.
REMIND_DAYS = 30


def expiring_remind(now: datetime | None = None) -> int:
    """Remind, once each (``reminded_at``), the holders whose qualification ends within
    ``REMIND_DAYS`` days and who hold no later award of it (a renewal already done, or a later
    outside record, needs no reminder). Returns how many were reminded. Safe to run twice at
    once: an award is claimed by a conditional update before its notice is sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    later = Award.objects.all_communities().filter(
        person_id=OuterRef("person_id"),
        qualification=OuterRef("qualification"),
        revoked_at__isnull=True,
    )
    later = later.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until")))
    due = (
        Award.objects.all_communities()
        .filter(
            revoked_at__isnull=True,
            reminded_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=REMIND_DAYS),
        )
        .exclude(Exists(later))
        .select_related("community", "person")
        .order_by("valid_until", "pk")
    )
    reminded = 0
    for award in due:
        with transaction.atomic():
            claimed = (
                Award.objects.in_community(award.community_id)
                .filter(pk=award.pk, reminded_at__isnull=True)
                .update(reminded_at=now)
            )
            if not claimed:
                continue
            _notify_expiring(award)
        reminded += 1
    return reminded


def _notify_expiring(award: Award) -> None:
    from gongzhi.core.notify import send

    # Sent inside the claim's transaction: a failed send leaves the award to the next run.
    send(
        users=[award.person],
        community=award.community,
        kind="qualification_expiring",
        message="expiring",
        params={
            "qualification": core_qualifications.label(award.qualification),
            "until": award.valid_until.isoformat() if award.valid_until else "",
        },
        url=award_url(award),
    )
