"""What volunteering holds about a person (see ``core.privacy``).

Kept after an erasure, pointing at the tombstone account: the hours ledger (append-only, held by
database triggers: a volunteer service record that 民政部令第67号 makes the community keep, and
that certificates and the community's totals rest on), the sign-ups of shifts already started
(the attendance the ledger was confirmed from), the certificates issued (their holder's name
reduced to the masked form the PDF and the credential already show, so a third party can still
check one), the recognition lists a body approved (a decision of record; the person is taken
off every public page), the time bank's accounts, transfers and movements (a double-entry
ledger: the other side's balance rests on them), mutual-aid exchanges that took place and the
problems reported on them (a worker's case), and the acts of office (activities organised,
hours recorded and confirmed, certificates handled: in the journal too).

What only served the person goes: the registration's emergency contact, guardian, skills,
availability, languages, insurance and date of birth (the registration is withdrawn, off
public lists); places on shifts not started yet (cancelled; the first on the waiting list
moves up); team memberships (left); thank-you notes they wrote (deleted) and the ones written
to them (hidden); their open mutual-aid posts (withdrawn) and the details and times of all their
posts; their exchanges not done yet (cancelled).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.masking import mask_name
from gongzhi.core.privacy import Section, rows
from gongzhi.volunteering.models import (
    AidPost,
    AidStatus,
    Certificate,
    Exchange,
    ExchangeReport,
    ExchangeStatus,
    HoursEntry,
    RecognitionEntry,
    SignUp,
    SignUpStatus,
    TeamMember,
    ThankYouNote,
    TimeAccount,
    TimeMovement,
    Volunteer,
)

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (an act of office: it is in the journal, which the copy holds).
COVERS = frozenset(
    {
        "volunteering.VolunteeringSettings.updated_by",
        "volunteering.Volunteer.person",
        "volunteering.Volunteer.registered_by",
        "volunteering.Team.created_by",
        "volunteering.TeamMember.appointed_by",
        "volunteering.VolunteerActivity.organiser",
        "volunteering.VolunteerActivity.created_by",
        "volunteering.SignUp.signed_up_by",
        "volunteering.SignUp.recruited_by",
        "volunteering.SignUp.times_recorded_by",
        "volunteering.SignUp.no_show_recorded_by",
        "volunteering.HoursEntry.recorded_by",
        "volunteering.HoursEntry.confirmed_by",
        "volunteering.SigningKey.created_by",
        "volunteering.Certificate.handler",
        "volunteering.RecognitionList.proposed_by",
        "volunteering.RecognitionList.decided_by",
        "volunteering.ThankYouNote.author",
        "volunteering.AidPost.author",
        "volunteering.Exchange.helped",
        "volunteering.Exchange.helper",
        "volunteering.ExchangeReport.reporter",
        "volunteering.ExchangeReport.resolved_by",
        "volunteering.TimeAccount.owner",
        "volunteering.Transfer.created_by",
    }
)

#: Sign-ups that still hold (or wait for) a place.
HOLDING_PLACE = (SignUpStatus.REGISTERED, SignUpStatus.WAITLISTED)
#: Exchanges not done yet: cancelled by an erasure.
UNDONE = (ExchangeStatus.PROPOSED, ExchangeStatus.AGREED)


def _community(prefix: str = "") -> dict[str, str]:
    return {"community": f"{prefix}community.slug"}


def export(user: Any) -> list[Section]:
    return [*_registration(user), *_service(user), *_recognition(user), *_aid(user)]


def _registration(user: Any) -> list[Section]:
    volunteers = (
        Volunteer.objects.all_communities()
        .filter(person=user)
        .select_related("community")
        .order_by("pk")
    )
    teams = (
        TeamMember.objects.all_communities()
        .filter(volunteer__person=user)
        .select_related("community", "team")
        .order_by("pk")
    )
    return [
        Section(
            "volunteer_registrations",
            _("My registrations as a volunteer"),
            rows(
                volunteers,
                **_community(),
                skills="skills",
                availability="availability",
                languages="languages",
                birth_date="birth_date",
                emergency_name="emergency_name",
                emergency_phone="emergency_phone",
                insurance="insurance",
                insured_until="insured_until",
                guardian_name="guardian_name",
                guardian_phone="guardian_phone",
                guardian_consent_at="guardian_consent_at",
                consent_at="consent_at",
                on_public_lists="on_public_lists",
                registered_by_someone_else=lambda v: v.registered_by_id not in (None, user.pk),
                created_at="created_at",
                withdrawn_at="withdrawn_at",
            ),
        ),
        Section(
            "volunteer_teams",
            _("Volunteer teams I am or was in"),
            rows(
                teams,
                **_community(),
                team="team.name",
                leader="leader",
                joined_at="joined_at",
                left_at="left_at",
            ),
        ),
    ]


def _service(user: Any) -> list[Section]:
    signups = (
        SignUp.objects.all_communities()
        .filter(volunteer__person=user)
        .select_related("community", "shift__activity")
        .order_by("pk")
    )
    entries = (
        HoursEntry.objects.all_communities()
        .filter(volunteer__person=user)
        .select_related("community", "activity")
        .order_by("pk")
    )
    certificates = (
        Certificate.objects.all_communities()
        .filter(volunteer__person=user)
        .select_related("community")
        .order_by("pk")
    )
    return [
        Section(
            "volunteer_signups",
            _("Shifts I signed up for"),
            rows(
                signups,
                **_community(),
                activity="shift.activity.title",
                starts_at="shift.starts_at",
                ends_at="shift.ends_at",
                status="status",
                signed_up_at="created_at",
                by_someone_else=lambda s: s.signed_up_by_id not in (None, user.pk),
                arrived_at="arrived_at",
                left_at="left_at",
            ),
        ),
        Section(
            "volunteer_hours",
            _("My volunteer hours (the ledger)"),
            rows(
                entries,
                **_community(),
                kind="kind",
                activity="activity.title",
                served_on="served_on",
                served_minutes="served_minutes",
                credited_minutes="credited_minutes",
                reason="reason",
                recorded_at="created_at",
            ),
        ),
        Section(
            "volunteer_certificates",
            _("Volunteer service certificates issued to me"),
            rows(
                certificates,
                **_community(),
                number="number",
                holder_name="holder_name",
                period_from="period_from",
                period_to="period_to",
                credited_minutes="credited_minutes",
                content="content",
                issuer="issuer_name",
                issued_on="issued_on",
                revoked_at="revoked_at",
                revoked_reason="revoked_reason",
            ),
        ),
    ]


def _recognition(user: Any) -> list[Section]:
    recognised = (
        RecognitionEntry.objects.all_communities()
        .filter(volunteer__person=user)
        .select_related("community", "recognition")
        .order_by("pk")
    )
    received = (
        ThankYouNote.objects.all_communities()
        .filter(volunteer__person=user)
        .select_related("community")
        .order_by("pk")
    )
    written = (
        ThankYouNote.objects.all_communities()
        .filter(author=user)
        .select_related("community")
        .order_by("pk")
    )
    return [
        Section(
            "volunteer_recognition",
            _("Recognition lists that name me"),
            rows(
                recognised,
                **_community(),
                year="recognition.year",
                title="recognition.title",
                status="recognition.status",
                citation="citation",
            ),
        ),
        Section(
            "thanks_received",
            _("Thank-you notes to me"),
            rows(received, **_community(), text="text", at="created_at", hidden_at="hidden_at"),
        ),
        Section(
            "thanks_written",
            _("Thank-you notes I wrote to volunteers"),
            rows(written, **_community(), text="text", at="created_at", hidden_at="hidden_at"),
        ),
    ]


def _aid(user: Any) -> list[Section]:
    posts = (
        AidPost.objects.all_communities()
        .filter(author=user)
        .select_related("community")
        .order_by("pk")
    )
    exchanges = (
        Exchange.objects.all_communities()
        .filter(Q(helped=user) | Q(helper=user))
        .select_related("community", "post")
        .order_by("pk")
    )
    reports = (
        ExchangeReport.objects.all_communities()
        .filter(reporter=user)
        .select_related("community", "exchange__post")
        .order_by("pk")
    )
    movements = (
        TimeMovement.objects.all_communities()
        .filter(account__owner=user)
        .select_related("community", "transfer")
        .order_by("pk")
    )
    accounts = (
        TimeAccount.objects.all_communities()
        .filter(owner=user)
        .select_related("community")
        .order_by("pk")
    )
    return [
        Section(
            "aid_posts",
            _("My mutual-aid requests and offers"),
            rows(
                posts,
                **_community(),
                kind="kind",
                title="title",
                details="description",
                when="when",
                minutes="minutes",
                status="status",
                created_at="created_at",
            ),
        ),
        Section(
            "aid_exchanges",
            _("Mutual-aid exchanges I took part in"),
            rows(
                exchanges,
                **_community(),
                post="post.title",
                i_was_helped=lambda e: e.helped_id == user.pk,
                i_helped=lambda e: e.helper_id == user.pk,
                minutes="minutes",
                status="status",
                created_at="created_at",
                done_at="done_at",
            ),
        ),
        Section(
            "aid_reports",
            _("Problems I reported with an exchange"),
            rows(
                reports,
                **_community(),
                post="exchange.post.title",
                text="text",
                at="created_at",
                resolution="resolution",
                resolved_at="resolved_at",
            ),
        ),
        Section(
            "timebank_accounts",
            _("My time-bank accounts"),
            rows(
                accounts,
                **_community(),
                opened_at="created_at",
                balance_minutes=lambda a: sum(
                    TimeMovement.objects.in_community(a.community_id)
                    .filter(account=a)
                    .values_list("minutes", flat=True)
                ),
            ),
        ),
        Section(
            "timebank_movements",
            _("Time moved into and out of my time-bank accounts"),
            rows(
                movements,
                **_community(),
                kind="transfer.kind",
                minutes="minutes",
                reason="transfer.reason",
                at="transfer.created_at",
            ),
        ),
    ]


def _release_places(user: Any, now: Any) -> int:
    """Cancel the person's places on shifts not started yet; the first on each waiting list
    moves up into a freed place (the shifts part's rule, done here without notifying: an
    erasure is not a cancellation the person chose)."""
    upcoming = list(
        SignUp.objects.all_communities()
        .filter(volunteer__person=user, status__in=HOLDING_PLACE, shift__starts_at__gt=now)
        .select_related("shift")
    )
    for signup in upcoming:
        held = signup.status == SignUpStatus.REGISTERED
        SignUp.objects.in_community(signup.community_id).filter(pk=signup.pk).update(
            status=SignUpStatus.CANCELLED, updated_at=now
        )
        if held and signup.shift.cancelled_at is None:
            waiting = (
                SignUp.objects.in_community(signup.community_id)
                .filter(shift=signup.shift, status=SignUpStatus.WAITLISTED)
                .order_by("created_at", "pk")
                .first()
            )
            if waiting is not None:
                SignUp.objects.in_community(signup.community_id).filter(pk=waiting.pk).update(
                    status=SignUpStatus.REGISTERED, updated_at=now
                )
    return len(upcoming)


def erase(user: Any) -> dict[str, int]:
    """Runs before core's eraser removes the person's memberships (``Holding.order``)."""
    now = timezone.now()
    volunteers = Volunteer.objects.all_communities().filter(person=user)
    withdrawn = volunteers.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    registrations = volunteers.update(
        skills=[],
        availability="",
        languages="",
        birth_date=None,
        emergency_name="",
        emergency_phone="",
        insurance="",
        insured_until=None,
        guardian_name="",
        guardian_phone="",
        on_public_lists=False,
    )
    masked = 0
    for certificate in Certificate.objects.all_communities().filter(volunteer__person=user):
        name = mask_name(certificate.holder_name)
        if name != certificate.holder_name:
            Certificate.objects.in_community(certificate.community_id).filter(
                pk=certificate.pk
            ).update(holder_name=name)
            masked += 1
    posts = AidPost.objects.all_communities().filter(author=user)
    return {
        "registrations_emptied": registrations,
        "registrations_withdrawn": withdrawn,
        "team_memberships_ended": TeamMember.objects.all_communities()
        .filter(volunteer__person=user, left_at__isnull=True)
        .update(left_at=now, leader=False),
        "upcoming_signups_cancelled": _release_places(user, now),
        "certificate_names_masked": masked,
        "thanks_written_deleted": ThankYouNote.objects.all_communities()
        .filter(author=user)
        .delete()[0],
        "thanks_received_hidden": ThankYouNote.objects.all_communities()
        .filter(volunteer__person=user, hidden_at__isnull=True)
        .update(hidden_at=now),
        "aid_posts_withdrawn": posts.filter(status=AidStatus.OPEN).update(
            status=AidStatus.WITHDRAWN
        ),
        "aid_post_details_emptied": posts.filter(~Q(description="") | ~Q(when="")).update(
            description="", when=""
        ),
        "exchanges_cancelled": Exchange.objects.all_communities()
        .filter(Q(helped=user) | Q(helper=user), status__in=UNDONE)
        .update(status=ExchangeStatus.CANCELLED),
    }
