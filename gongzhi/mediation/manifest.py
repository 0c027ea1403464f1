"""What mediation writes to the journal and adds to the shared registries. The journal records
the mediator (or the worker, the party, the committee's head) as actor, with no target and no
content: a verb alone says that something happened, never to whom or about what. Cases appear
in no search, export, feed or home tile; notifications name no party and carry no case text.
Each part of the app owns a section below."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    # the committee, cases, parties, mediators (services.py)
    "mediation.committee_set": _("named the mediation committee and its head"),
    "mediation.case_opened": _("opened a mediation case"),
    "mediation.case_accepted": _("accepted a mediation case"),
    "mediation.case_declined": _("recorded that a mediation case was not taken up"),
    "mediation.mediator_assigned": _("assigned a mediator to a case"),
    "mediation.mediator_declined": _("declined a case for a conflict of interest"),
    "mediation.mediator_refused": _("refused a mediator as a party"),
    # sittings, notes, agreements, follow-ups, outcomes (proceedings.py)
    "mediation.sitting_recorded": _("recorded a mediation session"),
    "mediation.notes_confirmed": _("confirmed the notes of a mediation session"),
    "mediation.agreement_drafted": _("drafted a mediation agreement"),
    "mediation.agreement_signed": _("signed a mediation agreement"),
    "mediation.agreement_sealed": _("sealed a mediation agreement for the committee"),
    "mediation.follow_up_recorded": _("recorded a follow-up visit"),
    "mediation.case_concluded": _("concluded a mediation case"),
    "mediation.attachment_added": _("added an attachment to a case"),
    # retention (mediation_purge)
    "mediation.contents_purged": _("deleted the contents of concluded cases past retention"),
}

# Each part fills only its own dicts below; the registries merge them.

# --- the cases part (services.py …) -------------------------------------------------------------

from gongzhi.core.home import ConsoleLink  # noqa: E402
from gongzhi.core.notify import Kind, Message  # noqa: E402

#: Content-free: no case number, name, kind or text in the message or its parameters; the link
#: opens the case for those allowed to see it (404 for anyone else).
NOTIFICATION_KINDS = {
    "mediation_case": Kind(
        _("My mediation cases"),
        {
            "news": Message(
                _("There is news on your mediation case"),
                _("Open the link to read it: only the people on the case can."),
            )
        },
    ),
}

#: The staff console: a worker registers a walk-in and names the committee; no case is listed.
CONSOLE_LINKS = {
    "mediation.register": ConsoleLink(
        order=80,
        label=_("Register a mediation walk-in"),
        url_name="mediation_register",
        perm="mediation.register_case",
    ),
    "mediation.committee": ConsoleLink(
        order=81,
        label=_("Mediation committee"),
        url_name="mediation_committee",
        perm="mediation.manage_committee",
    ),
}

# --- the proceedings part (proceedings.py …) ----------------------------------------------------

# --- the statistics and privacy part (stats.py, privacy.py, indicators.py, demo.py) -------------

from gongzhi.core.privacy import Holding  # noqa: E402

#: What mediation holds about a person (``privacy.py``): their cases as a party, the cases they
#: mediated, the committee they head.
PRIVACY = {
    "mediation": Holding(
        label=_("Neighbour mediation"),
        module="gongzhi.mediation.privacy",
        kept=(
            _(
                "the cases you were a party to, with your name as the agreement shows it, "
                "encrypted, until the committee's retention period ends: they are the other "
                "party's record too (you are no longer linked to them)"
            ),
            _(
                "what you did as a mediator or the committee's head (sessions recorded, "
                "agreements drafted, signed or sealed, follow-up visits): acts of office"
            ),
        ),
        order=50,
    ),
}
