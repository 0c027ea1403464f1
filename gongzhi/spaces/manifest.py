"""What spaces write to the journal, and what they add to the shared registries: notifications,
indicators, holdings of personal data, demo, home tile and the staff console's links. Each part
of the app owns a section below; the registries merge them."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.notify import Kind, Message

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
