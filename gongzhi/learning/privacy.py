"""What learning holds about a person (see ``core.privacy``).

Kept after an erasure, pointing at the tombstone account: the qualifications awarded or recorded
(a record of training others rely on: the verification page still answers, the holder shown
masked as the tombstone's pseudonym), the enrolments whose completion was decided and the
attendance at sessions (the course's results and its attendance counts rest on them), a rating's
stars (the session's average; the comment goes) and an assessment's mark (a completion rests on
it; the trainer's note about the person goes), and the acts of office (courses created, trainers
added, sessions trained, assessments marked, awards granted or revoked, invitations sent: in the
journal too).

What only served the person goes: their places on courses not finished yet (cancelled; the first
on the waiting list moves up), their choice to stay off the pipeline, their invitation links,
the invitations to lead they had not answered (withdrawn, the message emptied) and every tie of
who invited, recruited or trained whom that names them (a tie is about two people; the
community's counts of how leadership spreads come from the journal, which keeps the acts).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.places import promote_waiting
from gongzhi.core.privacy import Section, rows
from gongzhi.learning.models import (
    Assessment,
    Attendance,
    Award,
    Connection,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Invitation,
    InvitationStatus,
    InviteLink,
    PipelineOptOut,
    Rating,
    Trainer,
)

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (an act of office: it is in the journal, which the copy holds).
COVERS = frozenset(
    {
        "learning.Course.created_by",
        "learning.Trainer.person",
        "learning.Trainer.added_by",
        "learning.CourseSession.trainer",
        "learning.Material.added_by",
        "learning.Enrolment.person",
        "learning.Enrolment.enrolled_by",
        "learning.Enrolment.recruited_by",
        "learning.Enrolment.decided_by",
        "learning.Attendance.recorded_by",
        "learning.Assessment.marked_by",
        "learning.Award.person",
        "learning.Award.granted_by",
        "learning.Award.revoked_by",
        "learning.Rating.person",
        "learning.PipelineOptOut.person",
        "learning.Invitation.person",
        "learning.Invitation.invited_by",
        "learning.InviteLink.owner",
        "learning.Connection.source",
        "learning.Connection.target",
    }
)

#: Enrolments that hold (or wait for) a place.
HOLDING_PLACE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
#: Courses whose places still matter: an erasure frees the person's place in them.
RUNNING = (CourseStatus.DRAFT, CourseStatus.OPEN)


def _community(prefix: str = "") -> dict[str, str]:
    return {"community": f"{prefix}community.slug"}


def export(user: Any) -> list[Section]:
    return [*_learning(user), *_awards(user), *_leadership(user)]


def _learning(user: Any) -> list[Section]:
    enrolments = (
        Enrolment.objects.all_communities()
        .filter(person=user)
        .select_related("community", "course")
        .annotate(attended=Count("attendances"))
        .order_by("pk")
    )
    assessments = {
        a.enrolment_id: a
        for a in Assessment.objects.all_communities().filter(enrolment__person=user)
    }
    attendances = (
        Attendance.objects.all_communities()
        .filter(enrolment__person=user)
        .select_related("community", "session__course")
        .order_by("pk")
    )
    ratings = (
        Rating.objects.all_communities()
        .filter(person=user)
        .select_related("community", "session__course")
        .order_by("pk")
    )
    trained = (
        Trainer.objects.all_communities()
        .filter(person=user)
        .select_related("community", "course", "partner")
        .order_by("pk")
    )
    return [
        Section(
            "course_enrolments",
            _("Courses I enrolled in"),
            rows(
                enrolments,
                **_community(),
                course="course.title",
                status="status",
                enrolled_at="created_at",
                by_someone_else=lambda e: e.enrolled_by_id not in (None, user.pk),
                recruited_by="recruited_by_id",
                sessions_attended="attended",
                assessment_passed=lambda e: getattr(assessments.get(e.pk), "passed", None),
                assessment_note=lambda e: getattr(assessments.get(e.pk), "note", None),
                decided_at="decided_at",
            ),
        ),
        Section(
            "course_attendances",
            _("Course sessions I attended"),
            rows(
                attendances,
                **_community(),
                course="session.course.title",
                session_starts_at="session.starts_at",
                arrived_at="arrived_at",
                by_myself=lambda a: a.recorded_by_id == user.pk,
            ),
        ),
        Section(
            "session_ratings",
            _("My ratings of course sessions"),
            rows(
                ratings,
                **_community(),
                course="session.course.title",
                session_starts_at="session.starts_at",
                stars="stars",
                comment="comment",
                at="created_at",
            ),
        ),
        Section(
            "courses_trained",
            _("Courses I train or trained"),
            rows(
                trained,
                **_community(),
                course="course.title",
                as_a="kind",
                partner=lambda t: t.partner.name if t.partner_id else None,
                since="created_at",
            ),
        ),
    ]


def _awards(user: Any) -> list[Section]:
    awards = (
        Award.objects.all_communities()
        .filter(person=user)
        .select_related("community", "enrolment__course")
        .order_by("pk")
    )
    return [
        Section(
            "qualifications",
            _("Qualifications I hold or held"),
            rows(
                awards,
                **_community(),
                qualification="qualification",
                valid_from="valid_from",
                valid_until="valid_until",
                course=lambda a: a.enrolment.course.title if a.enrolment_id else None,
                evidence="evidence",
                number="number",
                granted_at="granted_at",
                revoked_at="revoked_at",
                revoke_reason="revoke_reason",
            ),
        )
    ]


def _leadership(user: Any) -> list[Section]:
    invitations = (
        Invitation.objects.all_communities()
        .filter(person=user)
        .select_related("community")
        .order_by("pk")
    )
    links = (
        InviteLink.objects.all_communities()
        .filter(owner=user)
        .select_related("community")
        .order_by("pk")
    )
    ties = (
        Connection.objects.all_communities()
        .filter(Q(source=user) | Q(target=user))
        .select_related("community")
        .order_by("pk")
    )
    return [
        Section(
            "pipeline_choice",
            _("My choice to stay off the list of people ready to lead"),
            rows(
                PipelineOptOut.objects.all_communities()
                .filter(person=user)
                .select_related("community")
                .order_by("pk"),
                **_community(),
                since="created_at",
            ),
        ),
        Section(
            "invitations_to_lead",
            _("Invitations to lead I received"),
            rows(
                invitations,
                **_community(),
                step="step",
                message="message",
                status="status",
                at="created_at",
                answered_at="answered_at",
            ),
        ),
        Section(
            "invite_links",
            _("My invitation links"),
            rows(links, **_community(), created_at="created_at", revoked_at="revoked_at"),
        ),
        Section(
            "connections",
            _("Who invited, recruited or trained me, and whom I did"),
            rows(
                ties,
                **_community(),
                kind="kind",
                i_did=lambda c: c.source_id == user.pk,
                other_person=lambda c: c.target_id if c.source_id == user.pk else c.source_id,
                at="at",
            ),
        ),
    ]


def _release_places(user: Any, now: Any) -> int:
    """Cancel the person's places on courses still running; the first on each waiting list
    moves up into a freed place (the courses part's rule, done here without notifying: an
    erasure is not a cancellation the person chose)."""
    holding = list(
        Enrolment.objects.all_communities().filter(
            person=user, status__in=HOLDING_PLACE, course__status__in=RUNNING
        )
    )
    for enrolment in holding:
        # the course's row is the lock its enrolments are counted under
        course = (
            Course.objects.in_community(enrolment.community_id)
            .select_for_update()
            .get(pk=enrolment.course_id)
        )
        enrolments = Enrolment.objects.in_community(enrolment.community_id).filter(course=course)
        enrolments.filter(pk=enrolment.pk).update(status=EnrolmentStatus.CANCELLED, updated_at=now)
        if enrolment.status == EnrolmentStatus.ENROLLED:
            taken = enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
            promote_waiting(
                enrolments.filter(status=EnrolmentStatus.WAITLISTED),
                free=course.capacity - taken,
                status=EnrolmentStatus.ENROLLED,
            )
    return len(holding)


def erase(user: Any) -> dict[str, int]:
    """Runs before core's eraser removes the person's memberships (``Holding.order``)."""
    now = timezone.now()
    invitations = Invitation.objects.all_communities().filter(person=user)
    return {
        "course_places_released": _release_places(user, now),
        "assessment_notes_emptied": Assessment.objects.all_communities()
        .filter(enrolment__person=user)
        .exclude(note="")
        .update(note=""),
        "rating_comments_emptied": Rating.objects.all_communities()
        .filter(person=user)
        .exclude(comment="")
        .update(comment=""),
        "pipeline_choices_deleted": PipelineOptOut.objects.all_communities()
        .filter(person=user)
        .delete()[0],
        "invitations_withdrawn": invitations.filter(status=InvitationStatus.SENT).update(
            status=InvitationStatus.WITHDRAWN
        ),
        "invitation_messages_emptied": invitations.exclude(message="").update(message=""),
        "invite_links_deleted": InviteLink.objects.all_communities().filter(owner=user).delete()[0],
        "recruitments_forgotten": Enrolment.objects.all_communities()
        .filter(recruited_by=user)
        .update(recruited_by=None),
        "connections_deleted": Connection.objects.all_communities()
        .filter(Q(source=user) | Q(target=user))
        .delete()[0],
    }
