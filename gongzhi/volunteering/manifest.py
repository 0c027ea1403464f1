"""What volunteering writes to the journal, and what it adds to the shared registries: its
indicators, its notifications, its holdings of personal data, its demo, the home tile and the
staff console's link. Each part of the app owns a section below."""

from django.utils.translation import gettext_lazy as _

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
INDICATORS: dict = {}
PRIVACY: dict = {}
DEMO: dict = {}

# --- notifications, by part ------------------------------------------------------------------
_CORE_NOTIFICATIONS: dict = {}
_SHIFT_NOTIFICATIONS: dict = {}
_LEDGER_NOTIFICATIONS: dict = {}
_CERTIFICATE_NOTIFICATIONS: dict = {}
_HONOUR_NOTIFICATIONS: dict = {}
_AID_NOTIFICATIONS: dict = {}
NOTIFICATION_KINDS = {
    **_CORE_NOTIFICATIONS,
    **_SHIFT_NOTIFICATIONS,
    **_LEDGER_NOTIFICATIONS,
    **_CERTIFICATE_NOTIFICATIONS,
    **_HONOUR_NOTIFICATIONS,
    **_AID_NOTIFICATIONS,
}

# --- the core part: the staff console's link -------------------------------------------------
CONSOLE_LINKS: dict = {}

# --- the shifts part: the community home's tile (upcoming shifts with free places) -----------
HOME_TILES: dict = {}

# --- the honours part: a body approves a recognition list ----------------------------------
DECISION_KINDS: dict = {}
