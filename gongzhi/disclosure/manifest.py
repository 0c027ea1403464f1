"""What information disclosure writes to the journal and the notifications it sends."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from gongzhi.core.demo import DemoContent
from gongzhi.core.home import HomeTile, OverviewFigure
from gongzhi.core.indicators import Indicator
from gongzhi.core.notify import Kind, Message
from gongzhi.core.privacy import Holding

VERBS = {
    "notice.created": _("wrote an announcement"),
    "notice.published": _("published an announcement"),
    "notice.pinned": _("pinned or unpinned an announcement"),
    "notice.read_confirmed": _("confirmed reading an important announcement"),
    "finance.entry_recorded": _("entered an income or expenditure in the ledger"),
    "finance.voucher_attached": _("attached a voucher to a ledger entry"),
    "finance.entry_approved": _("approved a ledger entry"),
    "finance.entry_rejected": _("refused to approve a ledger entry"),
    "finance.entry_reversed": _("entered a reversal correcting a ledger entry"),
    "finance.period_created": _("opened a finance reporting period"),
    "finance.period_published": _("published a finance report"),
    "document.created": _("wrote a document"),
    "document.revised": _("wrote a new version of a document"),
    "document.published": _("published a document"),
    "board.created": _("made a notice board"),
}

NOTIFICATION_KINDS = {
    "notice_published": Kind(
        _("A new announcement in my community"),
        {"published": Message(_("New announcement: %(title)s"))},
    ),
    "notice_important": Kind(
        _("An important announcement I am asked to confirm reading"),
        {"published": Message(_("Important notice, please confirm you have read it: %(title)s"))},
    ),
    "finance_published": Kind(
        _("My community's finance report is published"),
        {"published": Message(_("The finance report for %(period)s is published"))},
    ),
}

#: What this app holds about a person: its copy and its erasure (PIPL arts. 45 and 47).
PRIVACY = {
    "disclosure": Holding(
        label=_("Information disclosure"),
        module="gongzhi.disclosure.privacy",
        kept=(
            _(
                "ledger entries you entered or approved and their vouchers (accounting records are kept 30 years)"
            ),
            _("announcements, documents and minutes you wrote"),
        ),
    ),
}

#: The community home's tile and the street officials' overview column (``core.home``).
HOME_TILES = {
    "disclosure.unread": HomeTile(
        order=40, provider="gongzhi.disclosure.home.unread_announcements"
    ),
}
OVERVIEW_FIGURES = {
    "disclosure.finance": OverviewFigure(
        order=60,
        label=_("Finances published up to"),
        help=_("The end of the latest published finance period; marked when over four months ago"),
        provider="gongzhi.disclosure.home.finance_published",
    ),
}

#: The demo street's content (``core.demo``): announcements, an approved month of accounts, a notice board.
DEMO = {"disclosure": DemoContent(order=60, seed="gongzhi.disclosure.demo.seed")}

#: Disclosure for evaluation (``core.indicators``), from the journal alone.
INDICATORS = {
    "disclosure.timeliness": Indicator(
        name=_("Timely finance reports"),
        definition=_(
            "Of the finance reports published in the month, the share published within 30 days "
            "of the end of the period they cover."
        ),
        kind="rate",
        compute="gongzhi.disclosure.indicators.disclosure_timeliness",
        numerator=_("reports published within 30 days of their period's end"),
        denominator=_("reports published in the month"),
        # Publications began to record the period's end on this day.
        complete_from=date(2026, 12, 3),
        order=70,
    ),
}
