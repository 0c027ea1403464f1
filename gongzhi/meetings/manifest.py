"""What meetings write to the journal, the decisions they record and what they show."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, HomeTile
from gongzhi.core.indicators import Indicator
from gongzhi.core.leadership import Evidence, Step
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding
from gongzhi.core.requirements import Requirable

VERBS = {
    # meetings (services.py)
    "meeting.created": _("scheduled a meeting"),
    "meeting.updated": _("changed a meeting's time or place"),
    "meeting.cancelled": _("cancelled a meeting"),
    "meeting.opened": _("opened a meeting"),
    "meeting.closed": _("closed a meeting"),
    "meeting.second_sitting_called": _("called a second sitting of a meeting without quorum"),
    "series.created": _("scheduled a recurring meeting"),
    "meeting.registered": _("registered for a public meeting"),
    "meeting.registration_cancelled": _("cancelled a registration for a meeting"),
    "meeting.invited": _("invited people to a meeting"),
    # the agenda (agenda.py)
    "agenda.item_added": _("added an item to a meeting's agenda"),
    "agenda.item_changed": _("changed an agenda item"),
    "agenda.item_withdrawn": _("withdrew an agenda item"),
    "agenda.reordered": _("reordered a meeting's agenda"),
    "agenda.published": _("published a meeting's agenda"),
    # the roll call and decisions (room.py)
    "roll.arrived": _("recorded an arrival at a meeting"),
    "roll.left": _("recorded a departure from a meeting"),
    "roll.confirmed": _("confirmed a meeting's roll call"),
    "proxy.recorded": _("recorded a proxy"),
    "proxy.revoked": _("revoked a proxy"),
    "recusal.declared": _("declared a conflict of interest on an agenda item"),
    "item.decided": _("recorded the vote on an agenda item"),
    # minutes and follow-ups (minutes.py)
    "minutes.drafted": _("drafted a meeting's minutes"),
    "minutes.circulated": _("sent the minutes to the members present"),
    "minutes.confirmed": _("confirmed a meeting's minutes"),
    "minutes.correction_asked": _("asked for a correction of the minutes"),
    "minutes.correction_resolved": _("dealt with a correction of the minutes"),
    "minutes.approved": _("approved a meeting's minutes"),
    "action.created": _("set a follow-up of a decision"),
    "action.updated": _("updated a follow-up of a decision"),
    "action.flagged": _("reported an overdue follow-up to the supervision committee"),
    # hearings and round tables (hearings.py)
    "hearing.created": _("set up a hearing"),
    "hearing.speaker_registered": _("registered to speak at a hearing"),
    "hearing.speakers_drawn": _("drew the speakers of a hearing by lot"),
    "hearing.submission_made": _("made a written submission"),
    "hearing.response_published": _("published the response to a hearing"),
    "roundtable.participant_added": _("recorded a round table's participant"),
    "roundtable.point_agreed": _("recorded a point a round table agreed"),
}

#: Meetings for evaluation (``core.indicators``), from the journal alone
#: (``gongzhi/meetings/indicators.py``).
INDICATORS = {
    "meetings.held": Indicator(
        name=_("Meetings held"),
        definition=_(
            "Meetings of the community's bodies (councils, committees, hearings, round tables) "
            "closed in the month."
        ),
        kind="count",
        compute="gongzhi.meetings.indicators.meetings_held",
        unit=_("meetings"),
        order=100,
    ),
    "meetings.quorum": Indicator(
        name=_("Meetings held with quorum"),
        definition=_(
            "Of the ordinary and extraordinary meetings closed in the month, the share where "
            "enough members were present at some moment for the body to decide (hearings and "
            "round tables need no quorum)."
        ),
        kind="rate",
        compute="gongzhi.meetings.indicators.quorum_share",
        numerator=_("meetings that reached quorum"),
        denominator=_("ordinary and extraordinary meetings closed in the month"),
        order=101,
    ),
    "meetings.attendance": Indicator(
        name=_("Members' attendance at meetings"),
        definition=_(
            "At the ordinary and extraordinary meetings closed in the month, the members who "
            "came (at any time during the meeting) out of the members seated, added up over "
            "the meetings."
        ),
        kind="rate",
        compute="gongzhi.meetings.indicators.attendance",
        numerator=_("members present, summed over the meetings"),
        denominator=_("members seated, summed over the meetings"),
        order=102,
    ),
    "meetings.members_attending": Indicator(
        name=_("Members who came to their body's meetings"),
        definition=_(
            "Of the residents seated in a body that held an ordinary or extraordinary meeting "
            "in the month, the share who came to at least one of them; split by group."
        ),
        kind="rate",
        compute="gongzhi.meetings.indicators.members_attending",
        numerator=_("seated members who came to a meeting"),
        denominator=_("members seated in a body that met in the month"),
        people=True,
        order=103,
    ),
    "meetings.items_from_proposals": Indicator(
        name=_("Agenda items from residents' proposals"),
        definition=_(
            "Of the items put on meetings' agendas in the month, the share that a residents' "
            "proposal brought (the others come from staff, members or overdue follow-ups)."
        ),
        kind="rate",
        compute="gongzhi.meetings.indicators.items_from_proposals",
        numerator=_("agenda items from a residents' proposal"),
        denominator=_("agenda items added in the month"),
        order=104,
    ),
    "meetings.actions_on_time": Indicator(
        name=_("Decisions' follow-ups done on time"),
        definition=_(
            "Of the follow-ups of decisions due in the month, the share done by their due date. "
            "A follow-up still open, dropped or reopened is not done on time."
        ),
        kind="rate",
        compute="gongzhi.meetings.indicators.actions_on_time",
        numerator=_("follow-ups done by their due date"),
        denominator=_("follow-ups due in the month"),
        order=105,
    ),
}

#: What meetings hold about a person (``privacy.py``): registrations, invitations, presences,
#: proxies, recusals, recorded votes, responses to minutes, follow-ups, hearings' speakers and
#: submissions, round tables' seats.
PRIVACY = {
    "meetings": Holding(
        label=_("Meetings, hearings and round tables"),
        module="gongzhi.meetings.privacy",
        kept=(
            _(
                "your arrivals and departures as a member, the proxies you gave or held, the "
                "conflicts of interest you declared and your recorded votes: the public record "
                "of who decided what, on which the quorum and the minutes rest"
            ),
            _(
                "your confirmations of and corrections to minutes, and the follow-ups of "
                "decisions you were responsible for: acts of office, in the journal too"
            ),
            _(
                "your written submissions to hearings (shown under a pseudonym; they were "
                "answered in the published response) and your speaking slot if you were drawn "
                "(without what you said you would speak about)"
            ),
        ),
        order=6,
    ),
}

#: The demo street's meetings (``demo.py``), after the bodies' demo: its council and residents'
#: committee meet.
DEMO = {"meetings": DemoContent(order=96, seed="gongzhi.meetings.demo.seed")}

#: A role here a community may make require a qualification (core/requirements.py).
REQUIRABLE_ROLES = {
    "meetings.chair": Requirable(
        _("chair of a meeting"),
        "chairing",
        "gongzhi.meetings.requirable.chair_holders",
    ),
}

NOTIFICATION_KINDS = {
    # Meetings (services.py): an invitation, a day-ahead reminder, a change or cancellation,
    # a place freed for someone on the waiting list.
    "meeting_invitation": Kind(
        _("Invitations to meetings"),
        {
            "invited": Message(
                _("You are invited to “%(title)s” on %(starts)s"), _("Where: %(place)s")
            )
        },
    ),
    "meeting_reminder": Kind(
        _("Reminders of meetings I am invited or registered to"),
        {"tomorrow": Message(_("Reminder: “%(title)s” starts %(starts)s"), _("Where: %(place)s"))},
    ),
    "meeting_changed": Kind(
        _("Changes to meetings I am invited or registered to"),
        {
            "changed": Message(_("“%(title)s” has changed: now %(starts)s"), _("Where: %(place)s")),
            "cancelled": Message(_("“%(title)s” on %(starts)s is cancelled"), _("Why: %(reason)s")),
        },
    ),
    "meeting_registration": Kind(
        _("My place at a public meeting"),
        {
            "promoted": Message(
                _("A place freed up: you are registered for “%(title)s” on %(starts)s")
            )
        },
    ),
    # Minutes and follow-ups (minutes.py): the members present are asked to confirm the minutes,
    # the secretary hears of a correction, supervisors of an overdue follow-up.
    "minutes_circulated": Kind(
        _("Minutes of a meeting I attended, to confirm"),
        {
            "circulated": Message(
                _("Please confirm the minutes of “%(title)s”"),
                _("Confirm them or ask for a correction by %(until)s; silence approves them."),
            )
        },
    ),
    "minutes_correction": Kind(
        _("A correction asked for the minutes I wrote"),
        {"asked": Message(_("A member asked for a correction of the minutes of “%(title)s”"))},
    ),
    "action_overdue": Kind(
        _("An overdue follow-up of a body's decision"),
        {
            "overdue": Message(
                _("Follow-up overdue: “%(title)s” of %(body)s was due %(due)s"),
                _("It goes onto the body's next meeting's agenda."),
            )
        },
        roles=("supervisor", "community_worker"),
    ),
}

#: The staff console's link to the meetings (``core.home.ConsoleLink``).
CONSOLE_LINKS = {
    "meetings.meetings": ConsoleLink(
        order=96,
        label=_("Meetings: schedule, agendas, roll calls and minutes"),
        url_name="meeting_list",
        perm="meetings.schedule_any",
    ),
}

#: The community home's tile: the next public meetings (``selectors.home_next_meetings``).
HOME_TILES = {
    "meetings.next": HomeTile(order=30, provider="gongzhi.meetings.selectors.home_next_meetings")
}

# --- the leadership ladder (learning, issue 18): what here shows a person chairing -----------
LEADERSHIP_EVIDENCE = {
    "meetings.chaired": Evidence(
        4,
        _("chaired a meeting"),
        "gongzhi.meetings.leadership.chaired",
        order=40,
        rows="gongzhi.meetings.leadership.chaired_rows",
    ),
    "meetings.minutes": Evidence(
        4,
        _("kept the minutes of a meeting"),
        "gongzhi.meetings.leadership.kept_minutes",
        order=41,
        rows="gongzhi.meetings.leadership.kept_minutes_rows",
    ),
}
LEADERSHIP_STEPS = {
    "meetings.attend": Step(1, _("Come to a public meeting"), "meeting_list", order=10),
    "meetings.chair": Step(
        4, _("Chair a meeting of a body"), "meeting_list", role="meetings.chair", order=40
    ),
}
