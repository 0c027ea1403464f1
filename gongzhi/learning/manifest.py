"""What learning writes to the journal, and what it adds to the shared registries: the
qualifications it awards and the checker of who holds one, its evidence and steps for the
leadership ladder, its indicators, notifications, holdings of personal data, its demo, the home
tile and the staff console's links. Each part of the app owns a section below."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, HomeTile
from gongzhi.core.indicators import Indicator
from gongzhi.core.leadership import Evidence, Step
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

VERBS = {
    # courses, trainers, sessions, materials, enrolment (services.py)
    "course.created": _("created a course"),
    "course.updated": _("changed a course"),
    "course.published": _("opened a course for enrolment"),
    "course.cancelled": _("cancelled a course"),
    "course.finished": _("closed a course as finished"),
    "course.trainer_added": _("added a trainer to a course"),
    "course.trainer_removed": _("removed a trainer from a course"),
    "course.session_added": _("added a course session"),
    "course.session_changed": _("changed a course session"),
    "course.session_cancelled": _("cancelled a course session"),
    "course.material_added": _("added course material"),
    "course.material_removed": _("removed course material"),
    "course.enrolled": _("enrolled in a course"),
    "course.enrolment_cancelled": _("cancelled an enrolment in a course"),
    "course.promoted": _("moved someone from a course's waiting list into a place"),
    # attendance, assessment, completion, ratings (attendance.py)
    "course.attendance_recorded": _("recorded a learner at a course session"),
    "course.attendance_removed": _("removed a learner's attendance at a session"),
    "course.assessed": _("marked a learner's assessment"),
    "course.completed": _("recorded that a learner completed a course"),
    "course.not_completed": _("recorded that a learner did not complete a course"),
    "course.session_rated": _("rated a course session"),
    # qualifications held and their certificates (qualifications.py)
    "qualification.granted": _("granted a qualification for a completed course"),
    "qualification.recorded": _("recorded a qualification held from outside training"),
    "qualification.revoked": _("revoked a qualification, with a reason"),
    # the ladder, the pipeline and invitations to lead (ladder.py, pathway.py)
    "pipeline.opted_out": _("asked not to be listed as ready to lead"),
    "pipeline.opted_in": _("agreed to be listed as ready to lead"),
    "leadership.invited": _("invited a resident to try a role"),
    "leadership.invitation_accepted": _("accepted an invitation to try a role"),
    "leadership.invitation_declined": _("declined an invitation to try a role"),
    "leadership.invitation_withdrawn": _("withdrew an invitation to try a role"),
    # how leadership spreads (spread.py, spread_services.py)
    "invite_link.created": _("made an invitation link"),
    "invite_link.revoked": _("stopped an invitation link"),
    "invite_link.joined": _("joined the community through a neighbour's invitation"),
    "recruitment.recorded": _("said who brought them in"),
}

# Each part fills only its own dicts below; the registries merge them.

# --- the courses part (services.py …) ---------------------------------------------------------
# A place freed on a course one waited for; a course or a session cancelled or moved.
_COURSE_NOTIFICATIONS: dict = {
    "course_place": Kind(
        _("A place on a course I was waiting for"),
        {
            "promoted": Message(
                _("A place freed up: you are enrolled in “%(title)s”"),
                _("The sessions are on the course's page."),
            )
        },
    ),
    "course_changed": Kind(
        _("Changes to courses I enrolled in"),
        {
            "cancelled": Message(_("The course “%(title)s” is cancelled")),
            "session_changed": Message(
                _("A session of “%(title)s” has changed: now %(starts)s"), _("Where: %(place)s")
            ),
            "session_cancelled": Message(
                _("The session of “%(title)s” on %(starts)s is cancelled")
            ),
        },
    ),
}
#: The community home's tile: courses open for enrolment (it links to the training pages).
HOME_TILES = {
    "learning.courses": HomeTile(order=45, provider="gongzhi.learning.selectors.home_open_courses"),
}
CONSOLE_LINKS = {
    "learning.courses": ConsoleLink(
        order=98,
        label=_("Training: courses, trainers and enrolments"),
        url_name="learning_courses",
        perm="learning.manage",
    ),
}

# --- the attendance part (attendance.py …) ----------------------------------------------------
# attendance.py: the learner is told a trainer's decision on their completion.
_ATTENDANCE_NOTIFICATIONS: dict = {
    "course_completed": Kind(
        _("Courses I completed"),
        {"completed": Message(_("You completed the course “%(title)s”"))},
    ),
    "course_not_completed": Kind(
        _("Courses I did not complete"),
        {
            "not_completed": Message(
                _("The course “%(title)s” is over: it is not recorded as completed"),
                _("Ask the trainers what you missed; you may enrol again next time."),
            )
        },
    ),
}

# --- the qualifications part (qualifications.py, award_*) ------------------------------------
#: The qualifications courses here grant (``core/qualifications.py``), and who holds one.
QUALIFICATIONS = {
    "leadership": _("community leadership"),
    "mediation": _("neighbour mediation"),
    "chairing": _("chairing and facilitating meetings"),
    "first_aid": _("first aid"),
    "digital_helper": _("helping elderly residents with digital services"),
}
QUALIFICATION_CHECK = "gongzhi.learning.qualifications.holds"
_AWARD_NOTIFICATIONS: dict = {
    # qualifications.py: a worker recorded or revoked a qualification of the person.
    "qualification_held": Kind(
        _("My qualifications, recorded or revoked by a worker"),
        {
            "recorded": Message(_("Your qualification “%(qualification)s” was recorded")),
            "revoked": Message(
                _("Your qualification “%(qualification)s” was revoked"), _("Why: %(reason)s")
            ),
        },
    ),
    # learning_remind: a qualification ends within 30 days and no later award renews it.
    "qualification_expiring": Kind(
        _("My qualifications about to expire"),
        {
            "expiring": Message(
                _("Your qualification “%(qualification)s” ends on %(until)s"),
                _("Take the course again to renew it."),
            ),
        },
    ),
}

# --- the requirements part (core/requirements.py, requirement_*) -----------------------------
_REQUIREMENT_NOTIFICATIONS: dict = {}

# --- the ladder part (ladder.py, pathway.py, ladder_*) ---------------------------------------
#: Rung 6: training others at a course session that took place (``leadership.py``).
LEADERSHIP_EVIDENCE = {
    "learning.trained": Evidence(
        6, _("trained others at a course session"), "gongzhi.learning.leadership.trained", order=60
    ),
}
LEADERSHIP_STEPS = {
    "learning.train": Step(6, _("Train others: offer a course"), "learning_courses", order=60),
}
#: A worker invites a resident to try a role; the inviter hears the answer.
_LADDER_NOTIFICATIONS: dict = {
    "leadership_invitation": Kind(
        _("Invitations to try a role in my community"),
        {
            "invited": Message(
                _("You are invited to try something new: %(step)s"),
                _("Open the invitation to accept or decline it."),
            ),
            "withdrawn": Message(_("An invitation was withdrawn: %(step)s")),
            "accepted": Message(_("Your invitation was accepted: %(step)s")),
            "declined": Message(_("Your invitation was declined: %(step)s")),
        },
    ),
}

# --- the spread part (spread.py, spread_*) ---------------------------------------------------
# spread_services.py: the owner of an invitation link is told a neighbour joined through it.
_SPREAD_NOTIFICATIONS: dict = {
    "invite_link_joined": Kind(
        _("Neighbours who joined through my invitation link"),
        {"joined": Message(_("%(person)s joined %(community)s through your invitation link"))},
    ),
}

# --- the evaluation part (indicators.py, privacy.py, demo.py) --------------------------------
#: Learning and leadership from the journal (``indicators.py``; its docstring says which acts
#: make a leader). Qualified residents: one figure per qualification courses here grant.
INDICATORS = {
    "learning.enrolments": Indicator(
        name=_("Course enrolments"),
        definition=_(
            "Enrolments in courses made in the month: a place, or a place on the waiting list "
            "(a person's enrolments in one course count once a month)."
        ),
        kind="count",
        compute="gongzhi.learning.indicators.enrolments",
        unit=_("enrolments"),
        order=120,
    ),
    "learning.completions": Indicator(
        name=_("Courses completed"),
        definition=_(
            "Learners whose completion of a course was decided in the month as completed "
            "(they attended enough sessions and, where the course is assessed, passed)."
        ),
        kind="count",
        compute="gongzhi.learning.indicators.completions",
        unit=_("learners"),
        order=121,
        headline=True,
    ),
    "learning.completion_rate": Indicator(
        name=_("Completion rate of courses"),
        definition=_(
            "Of the learners whose completion was decided in the month, the share who "
            "completed the course."
        ),
        kind="rate",
        compute="gongzhi.learning.indicators.completion_rate",
        numerator=_("learners decided as completed"),
        denominator=_("learners whose completion was decided in the month"),
        order=122,
    ),
    **{
        f"learning.qualified_{code}": Indicator(
            name=name,
            definition=_(
                "Verified residents who hold the qualification on the last day of the month: "
                "granted for a completed course or recorded from outside training, valid "
                "that day and not revoked (a renewal does not count twice)."
            ),
            kind="count",
            compute=f"gongzhi.learning.indicators.qualified_{code}",
            unit=_("residents"),
            order=order,
        )
        for order, (code, name) in enumerate(
            (
                ("leadership", _("Residents qualified in community leadership")),
                ("mediation", _("Residents qualified in neighbour mediation")),
                ("chairing", _("Residents qualified to chair meetings")),
                ("first_aid", _("Residents qualified in first aid")),
                ("digital_helper", _("Residents qualified to help with digital services")),
            ),
            start=123,
        )
    },
    "learning.new_leaders": Indicator(
        name=_("New leaders"),
        definition=_(
            "People whose first act as a leader the journal shows falls in the month: appointed "
            "leader of a volunteer team, starting a term of office in a body, granted the role "
            "of a resident organisation's leader or a council member, or training a course "
            "whose learners' completion was decided. Leadership before the journal began is "
            "not in it, so a community's first months count its sitting leaders."
        ),
        kind="count",
        compute="gongzhi.learning.indicators.new_leaders",
        unit=_("people"),
        order=128,
        headline=True,
    ),
    "learning.leadership_share": Indicator(
        name=_("Residents who have led"),
        definition=_(
            "Of the verified residents, the share who have led something by the end of the "
            "month (as for new leaders); split by grid and group, it shows who leads."
        ),
        kind="rate",
        compute="gongzhi.learning.indicators.leadership_share",
        numerator=_("verified residents with an act as a leader by the month's end"),
        denominator=_("verified residents at the end of the month"),
        people=True,
        order=129,
    ),
    "learning.network_reach": Indicator(
        name=_("People reached by the spread of leadership"),
        definition=_(
            "People who, by the end of the month, joined the community through a neighbour's "
            "invitation link or accepted an invitation to lead (each once; counted since this "
            "was first recorded)."
        ),
        kind="count",
        compute="gongzhi.learning.indicators.network_reach",
        unit=_("people"),
        order=130,
    ),
}
#: What learning holds about a person (``privacy.py``): enrolments, attendance, ratings,
#: qualifications, the pipeline choice, invitations, invitation links and spread ties.
PRIVACY = {
    "learning": Holding(
        label=_("Training, qualifications and the leadership pathway"),
        module="gongzhi.learning.privacy",
        kept=(
            _(
                "the qualifications awarded to you or recorded for you, so that anyone holding "
                "a certificate can still check it (the holder shown without your name)"
            ),
            _(
                "your enrolments in courses that were decided, the sessions you attended, the "
                "stars you gave (not your comments) and whether you passed an assessment (not "
                "the trainer's note): a course's results and its counts rest on them"
            ),
            _(
                "what you did as a trainer or worker (courses created, sessions trained, "
                "assessments marked, qualifications granted, invitations sent): acts of "
                "office, in the journal too"
            ),
        ),
        order=8,
    ),
}
#: The demo street's learning (``demo.py``), after volunteering's: courses taken and open, the
#: qualifications they granted, ratings, an invitation to chair, a requirement for mediators.
DEMO = {"learning": DemoContent(order=99, seed="gongzhi.learning.demo.seed")}

NOTIFICATION_KINDS = {
    **_COURSE_NOTIFICATIONS,
    **_ATTENDANCE_NOTIFICATIONS,
    **_AWARD_NOTIFICATIONS,
    **_REQUIREMENT_NOTIFICATIONS,
    **_LADDER_NOTIFICATIONS,
    **_SPREAD_NOTIFICATIONS,
}
