"""What volunteering writes to the journal, and what it adds to the shared registries: its
indicators, its notifications, its holdings of personal data, its demo, the home tile and the
staff console's link. Each part of the app owns a section below."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.decisions import DecisionKind
from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, HomeTile
from gongzhi.core.indicators import Indicator
from gongzhi.core.leadership import Evidence, Step
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding
from gongzhi.core.requirements import Requirable

VERBS = {
    # volunteers, teams and settings (services.py)
    "volunteer.registered": _("registered as a volunteer"),
    "volunteer.updated": _("updated a volunteer's registration"),
    "volunteer.withdrawn": _("withdrew from volunteering"),
    "team.created": _("set up a volunteer team"),
    "team.updated": _("changed a volunteer team"),
    "team.closed": _("closed a volunteer team"),
    "team.joined": _("joined a volunteer team"),
    "team.left": _("left a volunteer team"),
    "team.leader_appointed": _("appointed a team leader"),
    "team.leader_removed": _("removed a team leader"),
    "volunteering.settings_changed": _("changed the community's volunteering rules"),
    # activities and shifts (shifts.py)
    "activity.created": _("created a volunteer activity"),
    "activity.updated": _("changed a volunteer activity"),
    "activity.published": _("published a volunteer activity"),
    "activity.cancelled": _("cancelled a volunteer activity"),
    "shift.created": _("added a shift"),
    "shift.updated": _("changed a shift"),
    "shift.cancelled": _("cancelled a shift"),
    "shift.signed_up": _("signed up for a shift"),
    "shift.signup_cancelled": _("cancelled a sign-up for a shift"),
    "shift.promoted": _("moved someone from the waiting list onto a shift"),
    # attendance and the hours ledger (attendance.py, ledger.py)
    "shift.arrival_recorded": _("recorded a volunteer's arrival"),
    "shift.departure_recorded": _("recorded a volunteer's departure"),
    "shift.no_show_recorded": _("recorded that a volunteer did not come"),
    "hours.confirmed": _("confirmed a volunteer's hours"),
    "hours.reversed": _("reversed a volunteer's hours, with a reason"),
    # certificates and the national export (certificates.py, records.py)
    "certificate.issued": _("issued a volunteer service certificate"),
    "certificate.revoked": _("revoked a volunteer service certificate"),
    "signing_key.rotated": _("rotated the key that signs certificates"),
    "records.exported": _("exported volunteer service records"),
    # honours (honours.py)
    "recognition.proposed": _("proposed a recognition list"),
    "recognition.decided": _("decided on a recognition list"),
    "recognition.withdrawn": _("withdrew a recognition list"),
    "thanks.sent": _("thanked a volunteer"),
    "thanks.hidden": _("hid a thank-you note"),
    # mutual aid and the time bank (aid.py, timebank.py)
    "aid.posted": _("posted a mutual-aid request or offer"),
    "aid.withdrawn": _("withdrew a mutual-aid post"),
    "exchange.proposed": _("proposed a mutual-aid exchange"),
    "exchange.agreed": _("agreed to a mutual-aid exchange"),
    "exchange.confirmed": _("confirmed a mutual-aid exchange took place"),
    "exchange.cancelled": _("cancelled a mutual-aid exchange"),
    "exchange.reported": _("reported a problem with a mutual-aid exchange"),
    "exchange.report_resolved": _("dealt with a problem reported on an exchange"),
    "timebank.transferred": _("moved time between time-bank accounts"),
    "timebank.granted": _("granted starting credit in the time bank"),
    "timebank.reversed": _("reversed a time-bank transfer, with a reason"),
}

# Each part fills only its own dicts below; the registries merge them.

# --- the evaluation part (indicators.py, privacy.py, demo.py) ------------------------------
#: Volunteering for evaluation (``core.indicators``), from the journal alone (``indicators.py``).
INDICATORS = {
    "volunteering.volunteers": Indicator(
        name=_("Registered volunteers"),
        definition=_(
            "Residents registered as volunteers at the end of the month (registered with "
            "consent, by themselves or by a worker for them, and not withdrawn)."
        ),
        kind="count",
        compute="gongzhi.volunteering.indicators.volunteers",
        unit=_("volunteers"),
        order=110,
    ),
    "volunteering.active": Indicator(
        name=_("Active volunteers"),
        definition=_(
            "Volunteers with at least one service in the month whose hours the organiser "
            "confirmed (a service whose hours were reversed in full does not count)."
        ),
        kind="count",
        compute="gongzhi.volunteering.indicators.active_volunteers",
        unit=_("volunteers"),
        order=111,
    ),
    "volunteering.hours": Indicator(
        name=_("Confirmed volunteer hours"),
        definition=_(
            "Hours credited by the community's rounding rule for services in the month, once "
            "the organiser confirmed them, less the hours reversed since (from the hours "
            "ledger). Time-bank hours are not service hours and are not counted."
        ),
        kind="count",
        compute="gongzhi.volunteering.indicators.confirmed_hours",
        unit=_("hours"),
        order=112,
        headline=True,
    ),
    "volunteering.residents_serving": Indicator(
        name=_("Residents who volunteered"),
        definition=_(
            "Of the verified residents, the share who served as volunteers in the month (at "
            "least one confirmed service); split by group, it shows who gives the hours."
        ),
        kind="rate",
        compute="gongzhi.volunteering.indicators.residents_serving",
        numerator=_("verified residents with a confirmed service in the month"),
        denominator=_("verified residents at the end of the month"),
        people=True,
        order=113,
    ),
    "volunteering.retention": Indicator(
        name=_("Volunteers who came back"),
        definition=_(
            "Of the volunteers who served in the month three months earlier, the share who "
            "served again in one of the three months after it (this month included)."
        ),
        kind="rate",
        compute="gongzhi.volunteering.indicators.retention",
        numerator=_("of them, volunteers who served again within three months"),
        denominator=_("volunteers who served three months earlier"),
        people=True,
        order=114,
    ),
    "volunteering.exchanges": Indicator(
        name=_("Mutual-aid exchanges done"),
        definition=_(
            "Mutual-aid exchanges between residents that both sides confirmed took place in "
            "the month."
        ),
        kind="count",
        compute="gongzhi.volunteering.indicators.exchanges_done",
        unit=_("exchanges"),
        order=115,
    ),
}
#: What volunteering holds about a person (``privacy.py``): registrations, team memberships,
#: sign-ups, the hours ledger, certificates, recognition, thanks, mutual aid and the time bank.
PRIVACY = {
    "volunteering": Holding(
        label=_("Volunteering, mutual aid and the time bank"),
        module="gongzhi.volunteering.privacy",
        kept=(
            _(
                "your confirmed volunteer hours and their reversals, and your sign-ups to shifts "
                "that already started: the hours ledger is append-only and a volunteer service "
                "record the community must keep (民政部令第67号); certificates rest on it"
            ),
            _(
                "the certificates issued to you, with your name masked as they print it (王*芳), "
                "so that anyone holding one can still check it; recognition lists a body "
                "approved (your name is taken off every public page)"
            ),
            _(
                "your time-bank accounts and transfers, and the mutual-aid exchanges that took "
                "place: a double-entry ledger whose other side is another person's balance"
            ),
            _(
                "what you did as an organiser, leader or worker (activities, recorded and "
                "confirmed hours, certificates handled): acts of office, in the journal too"
            ),
        ),
        order=7,
    ),
}
#: The demo street's volunteering (``demo.py``), after the bodies' and meetings' demos: teams,
#: volunteers, shifts worked and confirmed, recognition, mutual aid and the time bank.
DEMO = {"volunteering": DemoContent(order=98, seed="gongzhi.volunteering.demo.seed")}

#: A role here a community may make require a qualification (core/requirements.py).
REQUIRABLE_ROLES = {
    "volunteering.team_leader": Requirable(
        _("leader of a volunteer team"),
        "leadership",
        "gongzhi.volunteering.requirable.team_leader_holders",
    ),
}

# --- notifications, by part ------------------------------------------------------------------
_CORE_NOTIFICATIONS: dict = {}
# Shifts (shifts.py): a place freed for someone waiting, a day-ahead reminder, a change or a
# cancellation of a shift one is signed up or waiting for.
_SHIFT_NOTIFICATIONS: dict = {
    "shift_place": Kind(
        _("A place on a volunteer shift I was waiting for"),
        {
            "promoted": Message(
                _("A place freed up: you are signed up for “%(title)s” on %(starts)s"),
                _("Where: %(place)s"),
            )
        },
    ),
    "shift_reminder": Kind(
        _("Reminders of volunteer shifts I signed up for"),
        {
            "tomorrow": Message(
                _("Reminder: your shift for “%(title)s” starts %(starts)s"), _("Where: %(place)s")
            )
        },
    ),
    "shift_changed": Kind(
        _("Changes to volunteer shifts I signed up for"),
        {
            "changed": Message(
                _("Your shift for “%(title)s” has changed: now %(starts)s"), _("Where: %(place)s")
            ),
            "cancelled": Message(
                _("Your shift for “%(title)s” on %(starts)s is cancelled"), _("Why: %(reason)s")
            ),
        },
    ),
}
# The ledger (ledger.py): a volunteer's hours confirmed by the organiser.
_LEDGER_NOTIFICATIONS: dict = {
    "hours_confirmed": Kind(
        _("My volunteer hours confirmed"),
        {"confirmed": Message(_("Your %(hours)s hours for “%(title)s” were confirmed"))},
    ),
}
_CERTIFICATE_NOTIFICATIONS: dict = {
    # certificates.py: a certificate issued to the volunteer, or revoked when hours it counted
    # were reversed.
    "volunteer_certificate": Kind(
        _("My volunteer service certificates, issued or revoked"),
        {
            "issued": Message(_("Your volunteer service certificate %(number)s is ready")),
            "revoked": Message(
                _("Your volunteer service certificate %(number)s was revoked"),
                _("Hours it counted were reversed: %(reason)s"),
            ),
        },
    ),
}
# Honours (honours.py): a list waiting for a body's decision, the decision told to its
# proposer, a volunteer named on an approved list, a thank-you note.
_HONOUR_NOTIFICATIONS: dict = {
    "recognition_waiting": Kind(
        _("Recognition lists waiting for my body's decision"),
        {
            "proposed": Message(
                _("A recognition list waits for the decision of %(body)s: “%(title)s”")
            )
        },
    ),
    "recognition_decided": Kind(
        _("Decisions on recognition lists I proposed"),
        {
            "approved": Message(_("“%(title)s” is approved")),
            "rejected": Message(_("“%(title)s” is not approved"), _("Why: %(reason)s")),
        },
    ),
    "volunteer_recognised": Kind(
        _("When I am named on an approved recognition list"),
        {"recognised": Message(_("You are named on “%(title)s”: thank you for what you do!"))},
    ),
    "volunteer_thanked": Kind(
        _("Thank-you notes for my volunteering"),
        {"thanked": Message(_("%(author)s thanked you for your volunteering"))},
    ),
}
# Mutual aid (aid.py): someone answered my post, the post's author agreed, and (to the
# community's workers) a problem reported on an exchange.
_AID_NOTIFICATIONS: dict = {
    "exchange_proposed": Kind(
        _("Answers to my mutual-aid requests and offers"),
        {"proposed": Message(_("%(name)s answered your post “%(title)s”"))},
    ),
    "exchange_agreed": Kind(
        _("Mutual-aid exchanges agreed with me"),
        {
            "agreed": Message(
                _("%(name)s agreed: “%(title)s”"),
                _("Once it has taken place, both of you confirm it."),
            )
        },
    ),
    "exchange_reported": Kind(
        _("Problems reported on mutual-aid exchanges"),
        {"reported": Message(_("A problem was reported on the exchange “%(title)s”"))},
        roles=("community_worker",),
    ),
}
NOTIFICATION_KINDS = {
    **_CORE_NOTIFICATIONS,
    **_SHIFT_NOTIFICATIONS,
    **_LEDGER_NOTIFICATIONS,
    **_CERTIFICATE_NOTIFICATIONS,
    **_HONOUR_NOTIFICATIONS,
    **_AID_NOTIFICATIONS,
}

# --- the core part: the staff console's link -------------------------------------------------
CONSOLE_LINKS = {
    "volunteering.volunteers": ConsoleLink(
        order=97,
        label=_("Volunteering: volunteers, teams and settings"),
        url_name="volunteering_volunteers",
        perm="volunteering.manage",
    ),
}

# --- the shifts part: the community home's tile (upcoming shifts with free places) -----------
HOME_TILES: dict = {
    "volunteering.shifts": HomeTile(
        order=40, provider="gongzhi.volunteering.shift_selectors.home_open_shifts"
    ),
}

# --- the honours part: a body approves a recognition list ----------------------------------
DECISION_KINDS = {
    "approve_volunteer_recognition": DecisionKind(
        _("approve volunteer recognition lists"),
        _("approve the annual lists that thank volunteers by name, as a worker proposed them"),
        order=160,
    ),
}

# --- the leadership ladder (learning, issue 18): volunteering, organising, leading a team ----
LEADERSHIP_EVIDENCE = {
    "volunteering.served": Evidence(
        2, _("served as a volunteer"), "gongzhi.volunteering.leadership.volunteered", order=20
    ),
    "volunteering.organised": Evidence(
        3,
        _("organised a volunteer activity"),
        "gongzhi.volunteering.leadership.organised",
        order=30,
        rows="gongzhi.volunteering.leadership.organised_rows",
    ),
    "volunteering.team_leader": Evidence(
        5, _("led a volunteer team"), "gongzhi.volunteering.leadership.led_team", order=50
    ),
}
LEADERSHIP_STEPS = {
    "volunteering.shift": Step(
        2, _("Sign up for a volunteer shift"), "volunteering_home", order=20
    ),
    "volunteering.organise": Step(
        3, _("Organise a volunteer activity"), "volunteering_activity_list", order=30
    ),
    "volunteering.lead_team": Step(
        5,
        _("Lead a volunteer team"),
        "volunteering_teams",
        role="volunteering.team_leader",
        order=50,
    ),
}
