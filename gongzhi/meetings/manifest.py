"""What meetings write to the journal, the decisions they record and what they show."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.notify import Kind, Message

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

NOTIFICATION_KINDS = {
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
