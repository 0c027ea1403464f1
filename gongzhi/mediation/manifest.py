"""What mediation writes to the journal and adds to the shared registries. The journal records
the mediator (or the worker, the committee's head) acting in office as actor, with no target and
no content: a verb alone says that something happened, never to whom or about what. A party's
own act has no actor: who is party to a case is itself confidential. Cases appear
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
        # Who is party to a case is itself confidential: not on the staff's delivery log.
        confidential=True,
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
    "mediation.statistics": ConsoleLink(
        order=82,
        label=_("Mediation statistics (counts only)"),
        url_name="mediation_statistics",
        perm="mediation.view_statistics",
    ),
}

# --- the proceedings part (proceedings.py …) ----------------------------------------------------

# --- the statistics and privacy part (stats.py, privacy.py, indicators.py, demo.py) -------------

from gongzhi.core.demo import DemoContent  # noqa: E402
from gongzhi.core.indicators import Indicator  # noqa: E402
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

#: Mediation for evaluation (``indicators.py``), from the journal's content-free entries alone.
INDICATORS = {
    "mediation.cases_opened": Indicator(
        name=_("Mediation cases opened"),
        definition=_(
            "Neighbour disputes brought to the mediation committee in the month: applications, "
            "walk-ins and hotline referrals."
        ),
        kind="count",
        compute="gongzhi.mediation.indicators.cases_opened",
        unit=_("cases"),
        order=140,
    ),
    "mediation.agreement_rate": Indicator(
        name=_("Mediation agreement rate"),
        definition=_(
            "Of the mediation cases concluded in the month after mediation (agreed, not agreed "
            "or withdrawn), the share that reached an agreement."
        ),
        kind="rate",
        compute="gongzhi.mediation.indicators.agreement_rate",
        numerator=_("cases agreed"),
        denominator=_("cases mediated to an end in the month"),
        order=141,
    ),
    "mediation.days_to_agreement": Indicator(
        name=_("Days to a mediation agreement"),
        definition=_(
            "The median number of days from the committee's acceptance of a case to its sealed "
            "agreement, over the cases agreed in the month."
        ),
        kind="median",
        compute="gongzhi.mediation.indicators.days_to_agreement",
        unit=_("days"),
        better="down",
        order=142,
    ),
    "mediation.performed_in_full": Indicator(
        name=_("Mediation agreements performed in full"),
        definition=_(
            "Of the follow-up visits in the month that found an agreement due, the share that "
            "found it performed in full."
        ),
        kind="rate",
        compute="gongzhi.mediation.indicators.performed_in_full",
        numerator=_("visits finding the agreement performed in full"),
        denominator=_("follow-up visits finding the agreement due"),
        order=143,
    ),
}

#: The demo street's mediation (``demo.py``), after learning's (its mediators hold learning's
#: qualification): the committee, two mediators and three cases.
DEMO = {"mediation": DemoContent(order=110, seed="gongzhi.mediation.demo.seed")}
