"""Adoption (R5.4): a consolidated covenant is ratified by a vote, filed (备案) with the street
office, published and acknowledged per household.

- ``ratification_open``: a community worker puts the round's consolidated text to a binding
  yes/no vote of the voting app: the owners (Civil Code art. 278, an ordinary matter: the roll is
  imported on the vote's own page) when the covenant concerns owners' common parts, the
  building's residents for a building covenant, else the verified residents or one vote per
  household as the worker chooses (a residents' meeting, 居民会议: half of the electorate must
  take part and more than half of those voting say yes). The round is then ``ratifying``.
- ``ratification_settle`` reads the closed vote's result (lazily, from the pages, and from
  ``manage.py covenants_settle`` through ``ratification_settle_all``): passed → ``ratified``,
  the consolidated version becomes the adopted text and the decision register gets its row
  (``adopt_covenant``); failed → ``not_adopted`` with the tally as the note.
- Filing (Organisation Law art. 15): a worker submits; a street official overseeing the
  community receives it (never the one who submitted: ``own_filing``), and the covenant is in
  force from that day.
- ``covenant_publish``: the text in force goes to the disclosure app (a policy document) and
  onto the community's "Covenants" notice board; the households in scope are told; the printable
  A4 PDF with a QR code is ``adoption_views.covenant_print``.
- ``acknowledge``: a verified resident confirms for their household that it has read the
  covenant in force, once per household (the constraint decides between two members at once);
  a worker records a paper confirmation for a resident (代办, ``on_behalf_of``).

Every refusal is a ``ValidationError`` with a stable code, raised before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.models import Household, Membership
from gongzhi.core.policies import require
from gongzhi.covenants import text as covtext
from gongzhi.covenants.models import (
    Acknowledgement,
    Article,
    Covenant,
    Paragraph,
    Round,
    RoundStatus,
    Scope,
    Version,
    VersionKind,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.disclosure.models import NoticeBoard

#: the decision register's kind for an adopted covenant (declared by the drafting part)
ADOPT_KIND = "adopt_covenant"
#: the notification households in scope get when a covenant is published in force
NOTIFY_KIND = "covenant_in_force"
#: the ratification electorates a worker may choose for a community covenant not about owners
CHOSEN_ELECTORATES = ("verified", "household")
MAX_REFERENCE = 60


def covenant_url(covenant: Covenant) -> str:
    """The covenant's page."""
    return reverse(
        "covenants_detail", kwargs={"slug": covenant.community.slug, "covenant_id": covenant.pk}
    )


def adoption_url(covenant: Covenant) -> str:
    return reverse(
        "covenants_adoption", kwargs={"slug": covenant.community.slug, "covenant_id": covenant.pk}
    )


def _locked(round_: Round) -> Round:
    return (
        Round.objects.in_community(round_.community_id)
        .select_for_update(of=("self",))
        .select_related("covenant", "covenant__community")
        .get(pk=round_.pk)
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- Ratification ------------------------------------------------------------------------------


def ratification_open(
    *,
    actor: User,
    round: Round,  # noqa: A002 - the spec's name
    opens_at: datetime,
    closes_at: datetime,
    electorate: str = "verified",
) -> Round:
    """Put the round's consolidated text to its ratification vote; returns the round, now
    ``ratifying``, with ``ratification_vote`` set."""
    from gongzhi.voting.models import Electorate, Kind, Method
    from gongzhi.voting.services import vote_create

    covenant = round.covenant
    require(
        "covenants.adopt",
        actor,
        covenant.community,
        _("Community workers put a covenant to its ratification vote."),
    )
    if not rules.has_perm("voting.manage_votes", actor, covenant.community):
        raise PermissionDenied(_("Votes are set up by community workers."))
    if electorate not in CHOSEN_ELECTORATES:
        raise ValidationError(
            _("Choose who ratifies: the verified residents or one vote per household."),
            code="electorate_invalid",
        )
    if closes_at <= opens_at:
        raise ValidationError(_("A vote must close after it opens."), code="window_invalid")
    with transaction.atomic():
        locked = _locked(round)
        if locked.status != RoundStatus.OPEN:
            raise ValidationError(
                _("This round is already past its ratification vote."), code="ratification_opened"
            )
        if locked.consolidated_id is None:
            raise ValidationError(
                _("The text is put to the vote once it is consolidated from the amendments."),
                code="not_consolidated",
            )
        covenant = locked.covenant
        fields: dict[str, Any] = {
            "method": Method.YES_NO,
            "kind": Kind.BINDING,
            "quorum": Decimal("0.5"),
            "threshold": Decimal("0.5"),
        }
        if covenant.owners_matter:
            # Art. 278: an ordinary matter (a management covenant), by heads and by area.
            fields.update(electorate=Electorate.OWNERS, weighty=False, quorum=Decimal(0))
        elif covenant.scope == Scope.BUILDING:
            fields.update(electorate=Electorate.BUILDING, building=covenant.building)
        else:
            fields["electorate"] = (
                Electorate.HOUSEHOLD if electorate == "household" else Electorate.VERIFIED
            )
        title = (_("Ratify “%(title)s”") % {"title": covenant.title})[:200]
        vote = vote_create(
            actor=actor,
            community=covenant.community,
            title=title,
            options=[],
            opens_at=opens_at,
            closes_at=closes_at,
            description=_(
                "Yes adopts the consolidated text of the covenant as it stands after the "
                "public consultation and the revision; no leaves it not adopted."
            ),
            **fields,
        )
        locked.ratification_vote = vote
        locked.status = RoundStatus.RATIFYING
        locked.save(update_fields=["ratification_vote", "status"])
        journal.record(
            community=covenant.community,
            actor=actor,
            verb="covenant.ratification_opened",
            target=locked,
            data={"round": locked.pk, "vote": vote.pk, "electorate": vote.electorate},
        )
    return locked


def tally_note(result: Any) -> str:
    """The vote's count in a line, for the round's note when it is not adopted."""
    return _("Yes %(yes)s, no %(no)s, abstaining %(abstain)s.") % {
        "yes": result.yes,
        "no": result.no,
        "abstain": result.abstain,
    }


def ratification_settle(round: Round, *, now: datetime | None = None) -> str:  # noqa: A002
    """Read a closed ratification vote's result into the round, once: returns "ratified",
    "not_adopted" or "" (nothing to settle yet)."""
    from gongzhi.voting import services as voting

    now = now or timezone.now()
    if round.status != RoundStatus.RATIFYING or round.ratification_vote_id is None:
        return ""
    vote = round.ratification_vote
    if vote is None or not vote.is_closed(now):
        return ""
    result = voting.results(vote)
    with transaction.atomic():
        locked = _locked(round)
        if locked.status != RoundStatus.RATIFYING:
            return ""
        covenant = locked.covenant
        if result.passed:
            locked.status = RoundStatus.RATIFIED
            locked.ratified_at = now
            locked.save(update_fields=["status", "ratified_at"])
            adopted = locked.consolidated_id
            assert adopted is not None  # only a consolidated text goes to the vote
            Version.objects.in_community(locked.community_id).filter(pk=adopted).update(
                kind=VersionKind.ADOPTED, adopted_at=now
            )
            _register(locked, vote, now)
            verb, outcome = "covenant.ratified", "ratified"
        else:
            locked.status = RoundStatus.NOT_ADOPTED
            locked.closing_note = tally_note(result)[:500]
            locked.save(update_fields=["status", "closing_note"])
            verb, outcome = "covenant.not_adopted", "not_adopted"
        journal.record(
            community=covenant.community,
            actor=None,
            verb=verb,
            target=locked,
            data={"round": locked.pk, "vote": vote.pk, "yes": result.yes, "no": result.no},
        )
    round.refresh_from_db()
    return outcome


def _register(round_: Round, vote: Any, now: datetime) -> None:
    from gongzhi.core.decisions import register_decision

    covenant = round_.covenant
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Covenant adopted: %(title)s") % {"title": covenant.title}
        vote_link = {
            "kind": "vote",
            "title": vote.title,
            "url": reverse("vote_detail", args=[covenant.community.slug, vote.pk]),
        }
    register_decision(
        community_id=covenant.community_id,
        kind=ADOPT_KIND,
        decided_on=timezone.localdate(now),
        title=title,
        source=round_,
        url=covenant_url(covenant),
        basis=[vote_link],
    )


@dataclass(frozen=True)
class Settled:
    ratified: int = 0
    not_adopted: int = 0


def ratification_settle_all(*, now: datetime | None = None) -> Settled:
    """Settle every round whose ratification vote has closed (``manage.py covenants_settle``)."""
    now = now or timezone.now()
    counts = {"ratified": 0, "not_adopted": 0}
    rounds = (
        Round.objects.all_communities()
        .filter(status=RoundStatus.RATIFYING, ratification_vote__closes_at__lte=now)
        .select_related("ratification_vote", "covenant__community")
    )
    for round_ in rounds:
        outcome = ratification_settle(round_, now=now)
        if outcome:
            counts[outcome] += 1
    return Settled(**counts)


# --- Filing with the street office (备案) ---------------------------------------------------------


def filing_submit(*, actor: User, round: Round) -> Round:  # noqa: A002
    """A worker submits the ratified covenant for filing with the street office."""
    require(
        "covenants.adopt",
        actor,
        round.covenant.community,
        _("Community workers submit a covenant for filing."),
    )
    with transaction.atomic():
        locked = _locked(round)
        if locked.status != RoundStatus.RATIFIED:
            raise ValidationError(_("Only a ratified covenant is filed."), code="not_ratified")
        if locked.filing_submitted_at is not None:
            raise ValidationError(
                _("This covenant was already submitted for filing."), code="already_submitted"
            )
        locked.filing_submitted_at = timezone.now()
        locked.filing_submitted_by = actor
        locked.save(update_fields=["filing_submitted_at", "filing_submitted_by"])
        journal.record(
            community=locked.covenant.community,
            actor=actor,
            verb="covenant.filing_submitted",
            target=locked,
            data={"round": locked.pk},
        )
    return locked


def filing_receive(*, actor: User, round: Round, reference: str = "") -> Round:  # noqa: A002
    """A street official overseeing the community receives the filing: the covenant is in force
    from today. Whoever submitted it cannot receive it (``own_filing``)."""
    require(
        "covenants.receive_filing",
        actor,
        round.covenant.community,
        _("A street official overseeing the community receives a covenant's filing."),
    )
    reference = " ".join((reference or "").split())
    if len(reference) > MAX_REFERENCE:
        raise ValidationError(
            _("The filing reference has at most %(n)s characters.") % {"n": MAX_REFERENCE},
            code="reference_too_long",
        )
    with transaction.atomic():
        locked = _locked(round)
        if locked.status != RoundStatus.RATIFIED:
            if locked.status == RoundStatus.IN_FORCE:
                raise ValidationError(
                    _("This filing was already received."), code="already_received"
                )
            raise ValidationError(_("Only a ratified covenant is filed."), code="not_ratified")
        if locked.filing_submitted_at is None:
            raise ValidationError(
                _("The community has not submitted this covenant for filing yet."),
                code="filing_not_submitted",
            )
        if locked.filing_submitted_by_id == actor.pk:
            raise ValidationError(
                _("You submitted this filing: another official of the street office receives it."),
                code="own_filing",
            )
        covenant = locked.covenant
        now = timezone.now()
        locked.filing_received_at = now
        locked.filing_received_by = actor
        locked.filing_reference = reference
        locked.in_force_from = timezone.localdate(now)
        locked.status = RoundStatus.IN_FORCE
        locked.save(
            update_fields=[
                "filing_received_at",
                "filing_received_by",
                "filing_reference",
                "in_force_from",
                "status",
            ]
        )
        Covenant.objects.in_community(covenant.community_id).filter(pk=covenant.pk).update(
            in_force=locked.consolidated_id
        )
        covenant.in_force_id = locked.consolidated_id
        journal.record(
            community=covenant.community,
            actor=actor,
            verb="covenant.filing_received",
            target=locked,
            data={"round": locked.pk, "version": locked.consolidated_id},
        )
    return locked


# --- Publication ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedArticle:
    label: str
    heading: str
    paragraphs: tuple[str, ...]


def printed_text(version: Version) -> tuple[str, list[PrintedArticle]]:
    """A version's preamble and its articles numbered 第N条 (two queries)."""
    articles = list(
        Article.objects.in_community(version.community_id)
        .filter(version=version)
        .order_by("position")
    )
    texts: dict[int, list[str]] = {a.pk: [] for a in articles}
    rows = (
        Paragraph.objects.in_community(version.community_id)
        .filter(article__version=version)
        .order_by("article_id", "position")
        .values_list("article_id", "text")
    )
    for article_id, text in rows:
        texts[article_id].append(text)
    return version.preamble, [
        PrintedArticle(covtext.article_label(a.position), a.heading, tuple(texts[a.pk]))
        for a in articles
    ]


def plain_text(version: Version) -> str:
    preamble, articles = printed_text(version)
    blocks = [preamble] if preamble else []
    for article in articles:
        head = f"{article.label} {article.heading}".rstrip()
        blocks.append("\n".join([head, *article.paragraphs]))
    return "\n\n".join(blocks)


def covenants_board(community: Any) -> NoticeBoard:
    """The community's "Covenants" notice board, made the first time a covenant is published;
    its title in the site's language, whoever's request made it."""
    from gongzhi.disclosure.models import NoticeBoard

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Community covenants")
    board = NoticeBoard.objects.in_community(community).filter(title=title).order_by("pk").first()
    if board is None:
        board = NoticeBoard.objects.in_community(community).create(title=title)
    return board


def households_in_scope(covenant: Covenant) -> Any:
    households = Household.objects.in_community(covenant.community_id)
    if covenant.building_id is not None:
        households = households.filter(building_id=covenant.building_id)
    return households


def covenant_publish(*, actor: User, round: Round) -> Round:  # noqa: A002
    """Publish the covenant in force: a policy document of the disclosure app, on the
    community's "Covenants" notice board; the households in scope are told."""
    from gongzhi.core.notify import send
    from gongzhi.disclosure import services as disclosure
    from gongzhi.disclosure.models import DocumentKind

    require(
        "covenants.adopt",
        actor,
        round.covenant.community,
        _("Community workers publish a covenant."),
    )
    with transaction.atomic():
        locked = _locked(round)
        if locked.status != RoundStatus.IN_FORCE:
            raise ValidationError(
                _("A covenant is published once it is in force."), code="not_in_force"
            )
        if locked.published_at is not None:
            raise ValidationError(
                _("This covenant is already published."), code="already_published"
            )
        covenant = locked.covenant
        version = locked.consolidated
        assert version is not None  # a round in force has its adopted text
        with translation.override(settings.LANGUAGE_CODE):
            dates = _(
                "Adopted on %(adopted)s; filed with the street office on %(filed)s; in force "
                "from %(from)s."
            ) % {
                "adopted": timezone.localdate(locked.ratified_at or timezone.now()).isoformat(),
                "filed": timezone.localdate(
                    locked.filing_received_at or timezone.now()
                ).isoformat(),
                "from": locked.in_force_from.isoformat() if locked.in_force_from else "",
            }
            note = _("Covenant in force")
        document = disclosure.document_record(
            community=covenant.community,
            kind=DocumentKind.POLICY,
            title=covenant.title,
            body=f"{plain_text(version)}\n\n{dates}",
            author=actor,
            change_note=note,
        )
        disclosure.board_append(board=covenants_board(covenant.community), document=document)
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at"])
        journal.record(
            community=covenant.community,
            actor=actor,
            verb="covenant.published",
            target=locked,
            data={"round": locked.pk, "version": version.pk, "document": document.pk},
        )
        members = Membership.objects.in_community(covenant.community_id).filter(
            verified_at__isnull=False, household__in=households_in_scope(covenant)
        )
        people = list(members.filter(user__is_active=True).values_list("user", flat=True))
        if people:
            from gongzhi.accounts.models import User as UserModel

            send(
                users=UserModel.objects.filter(pk__in=people),
                community=covenant.community,
                kind=NOTIFY_KIND,
                message="in_force",
                params={
                    "title": covenant.title,
                    "day": locked.in_force_from.isoformat() if locked.in_force_from else "",
                },
                url=covenant_url(covenant),
            )
    return locked


# --- Acknowledgement per household -----------------------------------------------------------------


def acknowledge(
    *, actor: User, covenant: Covenant, on_behalf_of: User | None = None
) -> Acknowledgement:
    """The person's household confirms it has read the covenant in force: the actor for
    themself, or a worker recording a resident's paper confirmation (代办)."""
    person = on_behalf_of or actor
    if on_behalf_of is not None:
        require("core.act_on_behalf", actor, covenant.community)
    require(
        "covenants.acknowledge",
        person,
        covenant.community,
        _("Verified residents confirm a covenant for their household."),
    )
    if covenant.in_force_id is None:
        raise ValidationError(_("This covenant is not in force."), code="not_in_force")
    membership = (
        Membership.objects.in_community(covenant.community_id)
        .select_related("household")
        .filter(user=person)
        .first()
    )
    household = membership.household if membership is not None else None
    if household is None:
        raise ValidationError(
            _("Only a resident registered with a household confirms for it."), code="no_household"
        )
    if covenant.building_id is not None and household.building_id != covenant.building_id:
        raise ValidationError(
            _("This covenant is for one building: only its households confirm it."),
            code="not_in_building",
        )
    version_id = covenant.in_force_id
    rows = Acknowledgement.objects.in_community(covenant.community_id)
    try:
        with transaction.atomic():
            existing = rows.filter(version_id=version_id, household=household).first()
            if existing is not None:
                raise _already(existing)
            row = rows.create(
                version_id=version_id,
                household=household,
                person=person,
                recorded_by=actor if on_behalf_of is not None else None,
            )
            journal.record(
                community=covenant.community,
                actor=actor,
                on_behalf_of=on_behalf_of,
                verb="covenant.acknowledged",
                target=row,
                data={"version": version_id, "household": household.pk},
            )
    except IntegrityError:
        # Another member of the household confirmed at the same moment: the constraint kept one.
        existing = rows.filter(version_id=version_id, household=household).first()
        if existing is None:
            raise
        raise _already(existing) from None
    return row


def _already(existing: Acknowledgement) -> ValidationError:
    person = existing.person
    return ValidationError(
        _("Your household has already confirmed this covenant: %(name)s on %(day)s.")
        % {
            "name": getattr(person, "display_name", "") or str(person),
            "day": timezone.localdate(existing.created_at).isoformat(),
        },
        code="already_acknowledged",
    )


@dataclass(frozen=True)
class AckCounts:
    acknowledged: int
    households: int

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.households) if self.households else 0


def acknowledgement_counts(covenant: Covenant) -> AckCounts:
    """N of M: the households that confirmed the text in force, of the households in scope."""
    if covenant.in_force_id is None:
        return AckCounts(0, households_in_scope(covenant).count())
    acknowledged = (
        Acknowledgement.objects.in_community(covenant.community_id)
        .filter(version_id=covenant.in_force_id, household__in=households_in_scope(covenant))
        .count()
    )
    return AckCounts(acknowledged, households_in_scope(covenant).count())
