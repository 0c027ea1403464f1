"""What spaces write to the journal, and what they add to the shared registries: notifications,
indicators, holdings of personal data, demo, home tile and the staff console's links. Each part
of the app owns a section below; the registries merge them."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.demo import DemoContent
from gongzhi.core.home import ConsoleLink, HomeTile
from gongzhi.core.indicators import Indicator
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

VERBS = {
    # the booking engine (booking.py)
    "booking.made": _("booked a shared space"),
    "booking.requested": _("asked to book a shared space"),
    "booking.approved": _("approved a request to book a space"),
    "booking.rejected": _("did not approve a request to book a space"),
    "booking.expired": _("let a booking request expire undecided"),
    "booking.cancelled": _("cancelled a booking of a space"),
    "booking.waiting": _("asked to wait for a taken time of a space"),
    "booking.from_waiting": _("gave a freed time of a space to the first waiting"),
    # the catalogue (catalogue.py)
    "space.created": _("set up a shared space"),
    "space.updated": _("changed a shared space or its rules"),
    "space.opened": _("opened a shared space for booking"),
    "space.closed": _("closed a shared space for booking"),
    # series and draws (series.py, draws.py)
    "series.booked": _("booked a space for a repeating series"),
    "series.cancelled": _("cancelled the rest of a repeating booking"),
    "draw.opened": _("opened a draw for a popular time of a space"),
    "draw.requested": _("asked for a time of a space given by draw"),
    "draw.withdrawn": _("withdrew a request from a draw for a space"),
    "draw.drawn": _("drew the winners of a popular time of a space"),
    "draw.cancelled": _("cancelled a draw for a popular time of a space"),
    # attendance and lending (attendance.py, lending.py)
    "booking.checked_in": _("checked in at a booked space"),
    "booking.released": _("released a booking nobody checked in to"),
    "booking.no_show_appealed": _("appealed a no-show at a space"),
    "booking.no_show_upheld": _("upheld a no-show at a space"),
    "booking.no_show_withdrawn": _("withdrew a no-show at a space"),
    "booking.fee_paid": _("recorded the fee paid for a booking of a space"),
    "resource.created": _("added something the community lends out"),
    "resource.updated": _("changed something the community lends out"),
    "loan.lent": _("lent something out to a resident"),
    "loan.returned": _("took back something lent out"),
    # idle-space revival (revival.py)
    "idle.recorded": _("recorded an idle space"),
    "idle.consulting": _("linked the consultation on an idle space's use"),
    "idle.renovating": _("linked the renovation project of an idle space"),
    "idle.opened": _("opened an idle space as a shared space"),
    "idle.dropped": _("dropped an idle space, with a reason"),
}

# --- the booking engine (booking.py, notices.py) ----------------------------------------------
_BOOKING_NOTIFICATIONS: dict = {
    "space_booking": Kind(
        _("My bookings of shared spaces"),
        {
            "from_waiting": Message(
                _("The time you waited for is yours: %(space)s, %(starts)s"),
                _("It is in your bookings; cancel it there if you no longer need it."),
            ),
            "approved": Message(_("Your booking of %(space)s on %(starts)s is approved")),
            "rejected": Message(
                _("Your request for %(space)s on %(starts)s was not approved"),
                _("The reason: %(reason)s"),
            ),
            "expired": Message(
                _("Your request for %(space)s on %(starts)s expired undecided"),
                _("The time is free again; you may ask once more."),
            ),
        },
    ),
}

# --- series and draws (draws.py) ----------------------------------------------------------
_SERIES_NOTIFICATIONS: dict = {
    "space_draw": Kind(
        _("Draws for popular times of shared spaces"),
        {
            "won": Message(
                _("You were drawn: %(space)s, %(starts)s"),
                _("The time is in your bookings; cancel it there if you no longer need it."),
            ),
            "not_drawn": Message(
                _("You were not drawn for %(space)s, %(starts)s"),
                _("The draw's list, seed and order are published on its page."),
            ),
            "cancelled": Message(
                _("The draw for %(space)s, %(starts)s is cancelled"),
                _("The reason: %(reason)s"),
            ),
        },
    ),
}

# --- attendance and lending (attendance.py, lending.py) -------------------------------------
_LENDING_NOTIFICATIONS: dict = {
    "space_attendance": Kind(
        _("No-shows at shared spaces"),
        {
            "released": Message(
                _("Your booking of %(space)s on %(starts)s was released"),
                _(
                    "Nobody checked in within %(minutes)s minutes of the start. If you were "
                    "there, appeal the no-show from your bookings."
                ),
            ),
            "appeal_upheld": Message(
                _("Your appeal about %(space)s on %(starts)s: the no-show stands"),
                _("The answer: %(answer)s"),
            ),
            "appeal_overturned": Message(
                _("Your appeal about %(space)s on %(starts)s: the no-show is withdrawn"),
            ),
        },
    ),
    "space_loan": Kind(
        _("Things borrowed from the community"),
        {
            "overdue": Message(
                _("Please bring back %(resource)s: it was due on %(due)s"),
                _("Return it to %(place)s, or tell the community office if you need longer."),
            ),
        },
    ),
}

NOTIFICATION_KINDS = {
    **_BOOKING_NOTIFICATIONS,
    **_SERIES_NOTIFICATIONS,
    **_LENDING_NOTIFICATIONS,
}

# --- the demo (demo.py): after mediation, so the bodies that manage a space exist -------------
DEMO = {"spaces": DemoContent(order=120, seed="gongzhi.spaces.demo.seed")}


# --- evaluation, privacy, home and console (indicators.py, privacy.py, home.py) ---------------
#: Who books, how much the spaces are used, no-shows, idle space revived, things lent
#: (``indicators.py``; its docstring says which rows and verbs each reads). Figures per space
#: divide by the spaces open for booking in the month.
INDICATORS = {
    "spaces.bookers": Indicator(
        name=_("Residents booking shared spaces"),
        definition=_(
            "Of the verified residents, the share who booked a shared space in the month, from "
            "the journal: a booking or a request for approval, a repeating booking or a request "
            "in a draw (a worker's booking for a resident is the resident's). Split by grid, "
            "building and group (older residents, residents with a disability), it shows who "
            "uses the spaces. It cannot see whether the booking was then used, nor who came "
            "with the booker."
        ),
        kind="rate",
        compute="gongzhi.spaces.indicators.bookers",
        numerator=_("verified residents who booked a shared space in the month"),
        denominator=_("verified residents at the end of the month"),
        people=True,
        order=180,
    ),
    "spaces.bookings_per_space": Indicator(
        name=_("Bookings per shared space"),
        definition=_(
            "From the booking rows: bookings starting in the month that were given to someone "
            "(confirmed, or released as a no-show; not cancelled, refused, expired or still "
            "pending), per space open for booking at some time in the month (from the journal's "
            "opened and closed entries) or booked then. A repeating booking counts each time; a "
            "20-seat room "
            "counts each seat booked. Not in the journal export: the journal does not carry a "
            "booking's end or who it was for."
        ),
        kind="rate",
        compute="gongzhi.spaces.indicators.bookings_per_space",
        numerator=_("bookings given, starting in the month"),
        denominator=_("spaces open for booking or booked in the month"),
        journal_only=False,
        order=181,
        headline=True,
    ),
    "spaces.hours_per_space": Indicator(
        name=_("Hours of use per shared space"),
        definition=_(
            "From the booking rows: the booked hours of the confirmed bookings starting in the "
            "month (no-shows released are left out), per space open for booking at some time in "
            "the month or booked then. It counts the time booked, not the time people stayed: check-in is "
            "recorded, leaving is not."
        ),
        kind="rate",
        compute="gongzhi.spaces.indicators.hours_per_space",
        numerator=_("hours booked and not released, starting in the month"),
        denominator=_("spaces open for booking or booked in the month"),
        journal_only=False,
        order=182,
    ),
    "spaces.occupancy": Indicator(
        name=_("Occupancy of shared spaces"),
        definition=_(
            "Booked hours over open hours in the month, over the spaces with opening hours set: "
            "the hours of the bookings given (confirmed or released as a no-show) starting in "
            "the month, over each space's opening hours (weekly hours, closures, public "
            "holidays and make-up working days) on the days it was open for booking, times its "
            "seats. Spaces open at any time (no hours set) are left out; cleaning time between "
            "bookings counts as free."
        ),
        kind="rate",
        compute="gongzhi.spaces.indicators.occupancy",
        numerator=_("seat-hours booked in the month"),
        denominator=_("seat-hours open for booking in the month"),
        journal_only=False,
        order=183,
    ),
    "spaces.bookings_residents": Indicator(
        name=_("Bookings of shared spaces by residents"),
        definition=_(
            "From the booking rows: bookings given starting in the month that a resident made "
            "for themselves (or a worker made for them), not for an organisation or a partner. "
            "A member who books for a group without naming it is counted here."
        ),
        kind="count",
        compute="gongzhi.spaces.indicators.bookings_by_residents",
        unit=_("bookings"),
        journal_only=False,
        order=184,
    ),
    "spaces.bookings_organisations": Indicator(
        name=_("Bookings of shared spaces by organisations"),
        definition=_(
            "From the booking rows: bookings given starting in the month that a member made for "
            "a resident organisation or another body of the community. It cannot see groups "
            "that are not recorded as a body."
        ),
        kind="count",
        compute="gongzhi.spaces.indicators.bookings_by_organisations",
        unit=_("bookings"),
        journal_only=False,
        order=185,
    ),
    "spaces.bookings_partners": Indicator(
        name=_("Bookings of shared spaces by partners"),
        definition=_(
            "From the booking rows: bookings given starting in the month that were made for a "
            "partner (a unit, firm or social organisation working with the community). Use "
            "arranged with the community office off the platform is not in it."
        ),
        kind="count",
        compute="gongzhi.spaces.indicators.bookings_by_partners",
        unit=_("bookings"),
        journal_only=False,
        order=186,
    ),
    "spaces.no_shows": Indicator(
        name=_("No-shows at shared spaces"),
        definition=_(
            "From the journal: bookings released in the month because nobody checked in within "
            "the space's time (each once); a no-show withdrawn on appeal is not counted. It "
            "cannot see someone who checked in and left at once."
        ),
        kind="count",
        compute="gongzhi.spaces.indicators.no_shows",
        unit=_("bookings"),
        better="down",
        order=187,
    ),
    "spaces.idle_area_opened": Indicator(
        name=_("Idle space revived"),
        definition=_(
            "From the journal: square metres of idle space opened as shared spaces in the month "
            "(each idle space once, at the size recorded). Space revived without being recorded "
            "as idle first is not in it."
        ),
        kind="count",
        compute="gongzhi.spaces.indicators.idle_area_opened",
        unit=_("m²"),
        order=188,
        headline=True,
    ),
    "spaces.things_lent": Indicator(
        name=_("Things lent out"),
        definition=_(
            "From the journal: things the community lent to residents in the month (folding "
            "tables, a projector, tools, wheelchairs and walkers; a loan of three counts "
            "three). Lending not recorded on the platform is not in it."
        ),
        kind="count",
        compute="gongzhi.spaces.indicators.things_lent",
        unit=_("things"),
        order=189,
    ),
}
#: What spaces hold about a person (``privacy.py``): bookings, repeating bookings, waiting and
#: draw requests, no-show appeals, loans.
PRIVACY = {
    "spaces": Holding(
        label=_("Shared spaces and things borrowed"),
        module="gongzhi.spaces.privacy",
        kept=(
            _(
                "your past bookings of shared spaces (without their purpose), and those made "
                "for an organisation: the use of the spaces, no-shows and fees are counted "
                "from them"
            ),
            _(
                "your requests in draws whose list was already published (without their "
                "purpose): anyone can check the draw again from its list and seed"
            ),
            _(
                "what you borrowed and whether you brought it back: the community must know "
                "where its things are"
            ),
            _(
                "what you did as a worker or manager (spaces set up, requests decided, fees "
                "recorded, things lent, idle spaces recorded): acts of office, in the journal "
                "too"
            ),
        ),
        order=9,
    ),
}
#: The community home's tile: where to book, and my bookings (``home.py``; no query).
HOME_TILES = {
    "spaces.book": HomeTile(order=48, provider="gongzhi.spaces.home.shared_spaces"),
}
CONSOLE_LINKS = {
    "spaces.spaces": ConsoleLink(
        order=100,
        label=_("Shared spaces: set up, opening hours and approvals"),
        url_name="spaces_home",
        perm="spaces.manage_spaces",
    ),
}
