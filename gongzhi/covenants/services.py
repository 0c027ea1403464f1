"""Covenants' drafting: a covenant with its first draft and round, the draft edited while it is
being drafted, a round's dates moved or the round abandoned, and a review of the text in force
(keyword-only, atomic, journalled).

Who: whoever acts for the drafting body (``bodies.record_decision``) or manages covenants
(``covenants.draft``). The draft is typed as plain text (``text.parse``: a line ``第N条 heading``
starts an article). Keys: a new covenant's articles and paragraphs take keys from the covenant's
counter; an edited draft keeps the keys of the articles and paragraphs that line up with the
previous draft (``text.rekey``) — nothing points at a draft's keys before consultation opens, so
this only makes the diffs readable; a review copies the text in force with its keys, so that
comments, amendments and diffs of the new round line up with the old text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies.models import Body
from gongzhi.core import journal, phases
from gongzhi.core.models import Building, Community
from gongzhi.core.policies import require
from gongzhi.covenants import text as covtext
from gongzhi.covenants.models import (
    Article,
    Covenant,
    Paragraph,
    Round,
    RoundKind,
    RoundStatus,
    Scope,
    Version,
    VersionKind,
)
from gongzhi.covenants.selectors import current_phase, version_text

TITLE_MAX = 120
SUMMARY_MAX = 300
HEADING_MAX = 120
PARAGRAPH_MAX = 2000
PREAMBLE_MAX = 4000
REASON_MAX = 500
#: 第九百九十九条 is as far as ``text.chinese_number`` counts.
ARTICLES_MAX = 999
#: A date that has passed "has not moved" when the new value is within this of the old one (a
#: form's datetime-local field drops the seconds).
SAME_DATE = timedelta(minutes=1)


def not_applicable(error: covtext.NotApplicable) -> ValidationError:
    """text.py's refusal as a ValidationError with its code and a translated message."""
    return ValidationError(_(error.message), code=error.code)


def _require_draft(actor: Any, obj: Any) -> None:
    require(
        "covenants.draft",
        actor,
        obj,
        _("Only those who act for the drafting body, or community workers, may do this."),
    )


@dataclass(frozen=True)
class Dates:
    """A round's dated phases: drafting from ``drafting_starts``, consultation from
    ``consultation_starts``, revision from ``revision_starts`` until ``revision_ends``."""

    drafting_starts: datetime
    consultation_starts: datetime
    revision_starts: datetime
    revision_ends: datetime

    NAMES = ("drafting_starts", "consultation_starts", "revision_starts", "revision_ends")

    @classmethod
    def of(cls, round_: Round) -> Dates:
        return cls(*(getattr(round_, name) for name in cls.NAMES))

    def as_dict(self) -> dict[str, datetime]:
        return {name: getattr(self, name) for name in self.NAMES}


def check_dates(dates: Dates) -> None:
    """The phases in order, each with its time zone; consultation and revision last a while."""
    phases.Schedule.contiguous(
        [
            ("drafting", dates.drafting_starts),
            ("consultation", dates.consultation_starts),
            ("revision", dates.revision_starts),
        ],
        end=dates.revision_ends,
    )
    if dates.revision_starts <= dates.consultation_starts:
        raise ValidationError(
            _("The public consultation needs time: it must end after it begins."),
            code="consultation_empty",
        )
    if dates.revision_ends <= dates.revision_starts:
        raise ValidationError(
            _("The revision needs time: it must end after it begins."), code="revision_empty"
        )


def _clean(value: str, *, limit: int, code: str, label: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("Please write %(what)s.") % {"what": label}, code=f"{code}_missing")
    if len(value) > limit:
        raise ValidationError(
            _("%(what)s is too long: at most %(limit)d characters.")
            % {"what": label, "limit": limit},
            code=f"{code}_too_long",
        )
    return value


def outline_of(plain_text: str) -> tuple[str, covtext.Outline]:
    """The draft typed as plain text, checked: at least one article, each with a paragraph."""
    preamble, outline = covtext.parse(plain_text or "")
    if not outline:
        raise ValidationError(
            _(
                "The draft has no article: begin each article with a line such as "
                "“第一条 宠物” and write its paragraphs on the lines below."
            ),
            code="empty_text",
        )
    if len(outline) > ARTICLES_MAX:
        raise ValidationError(
            _("A covenant has at most %(n)d articles.") % {"n": ARTICLES_MAX},
            code="too_many_articles",
        )
    if len(preamble) > PREAMBLE_MAX:
        raise ValidationError(
            _("The preamble is too long: at most %(limit)d characters.") % {"limit": PREAMBLE_MAX},
            code="preamble_too_long",
        )
    for position, (heading, paragraphs) in enumerate(outline, start=1):
        label = covtext.article_label(position)
        if not paragraphs:
            raise ValidationError(
                _("%(article)s has no text: write its paragraphs on the lines below it.")
                % {"article": label},
                code="article_empty",
            )
        if len(heading) > HEADING_MAX:
            raise ValidationError(
                _("The heading of %(article)s is too long: at most %(limit)d characters.")
                % {"article": label, "limit": HEADING_MAX},
                code="heading_too_long",
            )
        if any(len(paragraph) > PARAGRAPH_MAX for paragraph in paragraphs):
            raise ValidationError(
                _("A paragraph of %(article)s is too long: at most %(limit)d characters.")
                % {"article": label, "limit": PARAGRAPH_MAX},
                code="paragraph_too_long",
            )
    return preamble, outline


def write_articles(version: Version, text: covtext.Text) -> None:
    """Store ``text``'s articles and paragraphs (keys and origins kept) in ``version``."""
    cid = version.community_id
    articles = Article.objects.in_community(cid).bulk_create(
        [
            Article(
                community_id=cid,
                version=version,
                position=position,
                key=art.key,
                heading=art.heading,
                origin_id=art.origin,
            )
            for position, art in enumerate(text.articles, start=1)
        ]
    )
    Paragraph.objects.in_community(cid).bulk_create(
        [
            Paragraph(
                community_id=cid,
                article=article,
                position=position,
                key=para.key,
                text=para.text,
                origin_id=para.origin,
            )
            for article, art in zip(articles, text.articles, strict=True)
            for position, para in enumerate(art.paras, start=1)
        ]
    )


def _next_number(model: type[Version] | type[Round], covenant: Covenant) -> int:
    top = (
        model.objects.in_community(covenant.community_id)
        .filter(covenant=covenant)
        .aggregate(top=Max("number"))["top"]
    )
    return (top or 0) + 1


def _lock_covenant(covenant: Covenant) -> Covenant:
    return (
        Covenant.objects.in_community(covenant.community_id).select_for_update().get(pk=covenant.pk)
    )


def _lock_round(round_: Round) -> Round:
    return Round.objects.in_community(round_.community_id).select_for_update().get(pk=round_.pk)


# --- A new covenant ------------------------------------------------------------------------------


def covenant_create(
    *,
    actor: Any,
    community: Community,
    title: str,
    summary: str = "",
    scope: str = Scope.COMMUNITY,
    building: Building | None = None,
    drafting_body: Body,
    owners_matter: bool = False,
    plain_text: str,
    dates: Dates,
) -> Covenant:
    """A covenant with its first draft (version 1) and its first round, dated ``dates``."""
    if drafting_body.community_id != community.pk:
        raise ValueError("the drafting body belongs to another community")
    _require_draft(actor, drafting_body)
    if drafting_body.dissolved_at is not None:
        raise ValidationError(
            _("This body has been dissolved: it cannot draft a covenant."), code="body_dissolved"
        )
    title = _clean(title, limit=TITLE_MAX, code="title", label=_("the covenant's title"))
    summary = _clean(
        summary, limit=SUMMARY_MAX, code="summary", label=_("what it covers"), required=False
    )
    if scope not in Scope.values:
        raise ValidationError(_("Choose what the covenant applies to."), code="scope_invalid")
    if scope == Scope.BUILDING:
        if building is None:
            raise ValidationError(
                _("Choose the building a building covenant applies to."), code="building_missing"
            )
        if building.community_id != community.pk:
            raise ValueError("the building belongs to another community")
    else:
        building = None
    preamble, outline = outline_of(plain_text)
    check_dates(dates)
    if dates.consultation_starts < timezone.now():
        raise ValidationError(
            _("The public consultation cannot begin in the past: the draft comes first."),
            code="date_passed",
        )
    with transaction.atomic():
        covenant = Covenant.objects.in_community(community).create(
            title=title,
            summary=summary,
            scope=scope,
            building=building,
            drafting_body=drafting_body,
            owners_matter=owners_matter,
            created_by=actor,
        )
        text = covtext.from_outline(outline, preamble=preamble, start_key=covenant.next_key)
        draft = Version.objects.in_community(community).create(
            covenant=covenant,
            number=1,
            kind=VersionKind.DRAFT,
            preamble=preamble,
            created_by=actor,
        )
        write_articles(draft, text)
        round_ = Round.objects.in_community(community).create(
            covenant=covenant,
            number=1,
            kind=RoundKind.DRAFTING,
            draft=draft,
            created_by=actor,
            **dates.as_dict(),
        )
        draft.round = round_
        draft.save(update_fields=["round"])
        covenant.next_key = text.next_key
        covenant.save(update_fields=["next_key"])
        journal.record(
            community=community,
            actor=actor,
            verb="covenant.created",
            target=covenant,
            data={"round": round_.pk, "scope": scope, "articles": len(text.articles)},
        )
    return covenant


# --- The draft, while it is being drafted --------------------------------------------------------


def _check_drafting(round_: Round) -> None:
    if current_phase(round_) != "drafting":
        raise ValidationError(
            _(
                "The draft can no longer be edited: the public consultation has begun. "
                "Changes now come from amendments."
            ),
            code="drafting_over",
        )


def draft_replace(*, actor: Any, round: Round, plain_text: str) -> Version:  # noqa: A002
    """Replace the round's draft with ``plain_text`` while the round is being drafted. Articles
    and paragraphs that line up with the previous draft keep their keys; new ones take the
    covenant's next keys."""
    _require_draft(actor, round)
    preamble, outline = outline_of(plain_text)
    with transaction.atomic():
        round_ = _lock_round(round)
        _check_drafting(round_)
        covenant = _lock_covenant(round_.covenant)
        draft = Version.objects.in_community(round_.community_id).get(pk=round_.draft_id)
        before = version_text(draft)
        old = covtext.Text(before.articles, max(covenant.next_key, before.next_key), preamble)
        text = covtext.rekey(old, outline, preamble=preamble)
        Article.objects.in_community(round_.community_id).filter(version=draft).delete()
        write_articles(draft, text)
        draft.preamble = preamble
        draft.save(update_fields=["preamble"])
        covenant.next_key = text.next_key
        covenant.save(update_fields=["next_key"])
        journal.record(
            community=covenant.community,
            actor=actor,
            verb="covenant.draft_changed",
            target=draft,
            data={"round": round_.pk, "articles": len(text.articles)},
        )
    return draft


# --- A round's dates, abandoning it, a review -----------------------------------------------------


def round_reschedule(*, actor: Any, round: Round, dates: Dates) -> Round:  # noqa: A002
    """Move the round's dates that have not passed yet; a consultation under way may be
    lengthened, never shortened."""
    _require_draft(actor, round)
    with transaction.atomic():
        round_ = _lock_round(round)
        if round_.status != RoundStatus.OPEN:
            raise ValidationError(_("This round is no longer being drafted."), code="round_closed")
        now = timezone.now()
        old = Dates.of(round_)
        moved: dict[str, datetime] = {}
        for name in Dates.NAMES:
            before, after = getattr(old, name), getattr(dates, name)
            if abs(after - before) < SAME_DATE:
                moved[name] = before
                continue
            if before <= now:
                raise ValidationError(
                    _("A date that has passed cannot be moved."), code="date_passed"
                )
            if after < now:
                raise ValidationError(
                    _("A date cannot be moved into the past."), code="date_in_past"
                )
            moved[name] = after
        new = Dates(**moved)
        check_dates(new)
        if old.consultation_starts <= now and new.revision_starts < old.revision_starts:
            raise ValidationError(
                _("The public consultation has begun: it may be lengthened, not shortened."),
                code="consultation_shortened",
            )
        if new == old:
            return round_
        for name, value in new.as_dict().items():
            setattr(round_, name, value)
        round_.save(update_fields=list(Dates.NAMES))
        journal.record(
            community=round_.covenant.community,
            actor=actor,
            verb="covenant.round_rescheduled",
            target=round_,
            data={
                "round": round_.pk,
                **{name: value.isoformat() for name, value in new.as_dict().items()},
            },
        )
    return round_


def round_abandon(*, actor: Any, round: Round, reason: str) -> Round:  # noqa: A002
    """Stop a round that is being drafted (drafting, consultation or revision), with the
    reason residents read."""
    _require_draft(actor, round)
    reason = _clean(reason, limit=REASON_MAX, code="reason", label=_("the reason"))
    with transaction.atomic():
        round_ = _lock_round(round)
        if round_.status != RoundStatus.OPEN:
            raise ValidationError(
                _("Only a round still being drafted can be abandoned."), code="round_closed"
            )
        round_.status = RoundStatus.ABANDONED
        round_.closing_note = reason
        round_.save(update_fields=["status", "closing_note"])
        journal.record(
            community=round_.covenant.community,
            actor=actor,
            verb="covenant.round_abandoned",
            target=round_,
            data={"round": round_.pk},
        )
    return round_


def review_start(*, actor: Any, covenant: Covenant, dates: Dates) -> Round:
    """A review of the text in force: a new draft copying it (keys and origins kept) and a new
    round of kind review — only while no round is under way."""
    _require_draft(actor, covenant)
    check_dates(dates)
    if dates.consultation_starts < timezone.now():
        raise ValidationError(
            _("The public consultation cannot begin in the past: the draft comes first."),
            code="date_passed",
        )
    try:
        with transaction.atomic():
            locked = _lock_covenant(covenant)
            if locked.in_force_id is None:
                raise ValidationError(
                    _("A review starts from the text in force: this covenant has none yet."),
                    code="not_in_force",
                )
            under_way = (
                Round.objects.in_community(locked.community_id)
                .filter(
                    covenant=locked,
                    status__in=[RoundStatus.OPEN, RoundStatus.RATIFYING, RoundStatus.RATIFIED],
                )
                .exists()
            )
            if under_way:
                raise _round_under_way()
            in_force = Version.objects.in_community(locked.community_id).get(pk=locked.in_force_id)
            text = version_text(in_force)
            draft = Version.objects.in_community(locked.community_id).create(
                covenant=locked,
                number=_next_number(Version, locked),
                kind=VersionKind.DRAFT,
                based_on=in_force,
                preamble=in_force.preamble,
                created_by=actor,
            )
            write_articles(draft, text)
            round_ = Round.objects.in_community(locked.community_id).create(
                covenant=locked,
                number=_next_number(Round, locked),
                kind=RoundKind.REVIEW,
                draft=draft,
                created_by=actor,
                **dates.as_dict(),
            )
            draft.round = round_
            draft.save(update_fields=["round"])
            journal.record(
                community=locked.community,
                actor=actor,
                verb="covenant.round_started",
                target=round_,
                data={"round": round_.pk, "kind": RoundKind.REVIEW},
            )
    except IntegrityError as error:
        if "covenant_one_round_under_way" in str(error):
            raise _round_under_way() from error
        raise
    return round_


def _round_under_way() -> ValidationError:
    return ValidationError(
        _("A round of this covenant is already under way: finish or abandon it first."),
        code="round_under_way",
    )
