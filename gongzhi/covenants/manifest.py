"""What covenants write to the journal, and what they add to the shared registries: their
decision kinds, notifications, indicators, holdings of personal data, demo, home tile and the
staff console's link. Each part of the app owns a section below."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.decisions import DecisionKind
from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink
from gongzhi.core.indicators import Indicator
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

VERBS = {
    # covenants, versions, rounds (services.py)
    "covenant.created": _("started drafting a covenant"),
    "covenant.draft_changed": _("changed a covenant's draft"),
    "covenant.round_started": _("started a round of drafting or review of a covenant"),
    "covenant.round_rescheduled": _("changed the dates of a covenant's drafting round"),
    "covenant.round_abandoned": _("abandoned a covenant's drafting round"),
    # consultation (consult_services.py)
    "covenant.commented": _("commented on a covenant's article"),
    "covenant.amendment_proposed": _("proposed an amendment to a covenant"),
    "covenant.amendment_withdrawn": _("withdrew an amendment to a covenant"),
    "covenant.amendment_supported": _("supported an amendment to a covenant"),
    "covenant.amendment_unsupported": _("withdrew support for an amendment to a covenant"),
    # revision (revision_services.py)
    "covenant.amendment_accepted": _("accepted an amendment to a covenant for the drafting body"),
    "covenant.amendment_rejected": _("rejected an amendment to a covenant for the drafting body"),
    "covenant.amendments_to_vote": _("put contested amendments to an article-by-article vote"),
    "covenant.consolidated": _("consolidated a covenant's text from the accepted amendments"),
    # ratification, filing, publication, acknowledgement, review (adoption_services.py)
    "covenant.ratification_opened": _("put a covenant to a ratification vote"),
    "covenant.ratified": _("recorded that a covenant was ratified"),
    "covenant.not_adopted": _("recorded that a covenant was not adopted"),
    "covenant.filing_submitted": _("submitted a covenant for filing with the street office"),
    "covenant.filing_received": _("received a covenant's filing for the street office"),
    "covenant.published": _("published a covenant in force"),
    "covenant.acknowledged": _("acknowledged a covenant for their household"),
}

# Each part fills only its own dicts below; the registries merge them.

# --- the drafting part (services.py …) --------------------------------------------------------

#: The drafting body's decisions (its charter may grant them): on each amendment during the
#: revision (revision_services.amendment_decide), and adopting a covenant.
DECISION_KINDS = {
    "decide_covenant_amendment": DecisionKind(
        _("decide on amendments to a covenant"),
        _("accept or reject an amendment residents proposed to a covenant's draft"),
        order=230,
    ),
    "adopt_covenant": DecisionKind(
        _("adopt a covenant"),
        _("adopt a community or building covenant (after its ratification)"),
        order=231,
    ),
}

#: The staff console's link to the covenants (``core.home.ConsoleLink``).
CONSOLE_LINKS = {
    "covenants.covenants": ConsoleLink(
        order=99,
        label=_("Covenants: drafting, consultation, revision and adoption"),
        url_name="covenants_list",
        perm="covenants.manage",
    ),
}

# --- the consultation part (consult_services.py …) --------------------------------------------

# The author of an amendment hears of the drafting body's decision on it (the revision part sends
# them). Params: "title" (the covenant's title), "number" (the amendment's number in its round),
# "reason" (the drafting body's public reason; empty for to_vote).
_CONSULTATION_NOTIFICATIONS: dict = {
    "covenant_amendment": Kind(
        _("Decisions on my amendments to covenants"),
        {
            "accepted": Message(
                _("Your amendment %(number)s to “%(title)s” was accepted"),
                _("The drafting body's reason: %(reason)s"),
            ),
            "rejected": Message(
                _("Your amendment %(number)s to “%(title)s” was not accepted"),
                _("The drafting body's reason: %(reason)s"),
            ),
            "to_vote": Message(
                _("Your amendment %(number)s to “%(title)s” is put to a vote"),
                _("Residents vote on it article by article."),
            ),
        },
    ),
}


# --- the revision part (revision_services.py …) -----------------------------------------------

# --- the adoption part (adoption_services.py …) -----------------------------------------------

# Households in scope hear that a covenant is in force once it is published (adoption_services
# covenant_publish). Params: "title" (the covenant's title), "day" (in force from, ISO date).
_ADOPTION_NOTIFICATIONS: dict = {
    "covenant_in_force": Kind(
        _("Covenants in force where I live"),
        {
            "in_force": Message(
                _("“%(title)s” is in force from %(day)s"),
                _("Read it and confirm for your household that you have read it."),
            )
        },
    ),
}

# --- the evaluation part (indicators.py, privacy.py, demo.py) ---------------------------------

#: Taking part in covenants, from the journal (``indicators.py``): commenters, amendment authors,
#: amendments accepted, acknowledging households, and the share of residents who took part.
INDICATORS = {
    "covenants.commenters": Indicator(
        name=_("Residents commenting on covenants"),
        definition=_(
            "People who commented on an article or a paragraph of a covenant's draft in the "
            "month, during its public consultation (each person once a month)."
        ),
        kind="count",
        compute="gongzhi.covenants.indicators.commenters",
        unit=_("people"),
        order=170,
    ),
    "covenants.amendment_authors": Indicator(
        name=_("Residents proposing amendments to covenants"),
        definition=_(
            "People who proposed an amendment to a covenant's draft in the month (replacing, "
            "inserting or deleting a paragraph or an article; each person once a month)."
        ),
        kind="count",
        compute="gongzhi.covenants.indicators.amendment_authors",
        unit=_("people"),
        order=171,
    ),
    "covenants.amendments_accepted": Indicator(
        name=_("Amendments to covenants accepted"),
        definition=_(
            "Amendments residents proposed that were accepted in the month, by the drafting "
            "body or by an article-by-article vote (each once, in the month of its decision)."
        ),
        kind="count",
        compute="gongzhi.covenants.indicators.amendments_accepted",
        unit=_("amendments"),
        order=172,
        headline=True,
    ),
    "covenants.acknowledging_households": Indicator(
        name=_("Households acknowledging a covenant"),
        definition=_(
            "Households that confirmed in the month that they read a covenant in force (a "
            "member's confirmation, or a paper one a worker recorded; each household once a "
            "month)."
        ),
        kind="count",
        compute="gongzhi.covenants.indicators.acknowledging_households",
        unit=_("households"),
        order=173,
    ),
    "covenants.participation": Indicator(
        name=_("Residents taking part in covenants"),
        definition=_(
            "Of the verified residents, the share who took part in a covenant in the month: "
            "commented on it, proposed or supported an amendment, or acknowledged it for their "
            "household; split by grid, building and group, it shows who writes the "
            "community's rules."
        ),
        kind="rate",
        compute="gongzhi.covenants.indicators.participation",
        numerator=_("verified residents who took part in a covenant in the month"),
        denominator=_("verified residents at the end of the month"),
        people=True,
        order=174,
    ),
}
#: What covenants hold about a person (``privacy.py``): comments, amendments, supports and
#: household acknowledgements, all kept after an erasure as a public consultation's record.
PRIVACY = {
    "covenants": Holding(
        label=_("Community covenants"),
        module="gongzhi.covenants.privacy",
        kept=(
            _(
                "your comments on covenants, the amendments you proposed and your supports for "
                "amendments, shown as by a former resident: the drafting body answered them in "
                "public, a covenant's text may come from an amendment and the supporters are "
                "counted"
            ),
            _(
                "the confirmations you gave for your household that it read a covenant: they "
                "are the household's and are counted"
            ),
        ),
    ),
}

#: The demo street's covenants (``demo.py``), after learning's: the residents' covenant in public
#: consultation (comments, amendments, supports) and a building covenant in force, acknowledged.
DEMO = {"covenants": DemoContent(order=100, seed="gongzhi.covenants.demo.seed")}

NOTIFICATION_KINDS = {
    **_CONSULTATION_NOTIFICATIONS,
    **_ADOPTION_NOTIFICATIONS,
}
