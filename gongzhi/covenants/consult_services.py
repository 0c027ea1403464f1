"""The public consultation on a covenant's draft (征求意见): the writes.

While a round is in its consultation phase, residents comment on an article or on one of its
paragraphs (anchored by key, so a comment stays on what it was about), and propose amendments:
replace a paragraph's text, insert a paragraph or an article, delete a paragraph or an article,
always with a reason. An amendment is checked against the draft with ``text.apply`` when it is
proposed, so one whose target does not exist is refused with the same code the consolidation
would give (``article_missing``, ``paragraph_missing``, ``last_paragraph`` …). Others support an
amendment (not their own, once) while it waits for the drafting body, in consultation and in
revision. Its author may withdraw it until the drafting body decides.

Who: verified residents of the community, and for a building covenant only those whose
household is in that building (``not_in_building``); a community worker may write a resident's
comment or amendment down for them (代办, ``on_behalf_of``): the resident is the author, the
worker the one who wrote it.

Against floods: one resident writes at most ``RATE_LIMITS`` comments and amendments in a window
of time (``core.ratelimit``, the deliberation hall's way): beyond it the comment or amendment is
refused with ``rate_limited`` (the API answers 429) and nothing is saved. A worker writing for a
resident (代办) counts towards the resident's limit, not their own; a refused one counts for
nothing.

Concurrency: an amendment's number is the next under a lock on the round's row (the revision
part's decisions lock the same row, so a withdrawal and a decision never interleave); a support
locks the amendment's row and the unique constraint keeps one support per person, with the
count moved by ``F()`` in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import journal
from gongzhi.core.policies import require
from gongzhi.core.ratelimit import count_hit
from gongzhi.covenants import consult_selectors as selectors
from gongzhi.covenants import text as covenant_text
from gongzhi.covenants.consult_policies import in_scope
from gongzhi.covenants.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Article,
    Comment,
    Paragraph,
    Round,
    Support,
)

COMMENT_MAX = 2000
PARAGRAPH_MAX = 2000
AMENDMENT_TEXT_MAX = 4000
HEADING_MAX = 120
REASON_MAX = 2000

#: The kinds whose target is a paragraph, an article, or an article to insert after.
PARAGRAPH_KINDS = (AmendmentKind.REPLACE, AmendmentKind.DELETE_PARAGRAPH)
#: The phases in which an amendment may still be supported or withdrawn.
OPEN_PHASES = ("consultation", "revision")
#: Per person: (at most this many, in a window of this many seconds of local time).
RATE_LIMITS: dict[str, tuple[int, int]] = {
    "comment": (10, 10 * 60),
    "amendment": (20, 24 * 3600),
}


def _text(value: str, *, limit: int, code: str, empty: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(empty, code=f"{code}_missing")
    if len(value) > limit:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": limit},
            code=f"{code}_too_long",
        )
    return value


def _count_towards_limit(action: str, person: User) -> None:
    """Count one comment or amendment of ``person``'s; refuse it beyond the limit. Called inside
    the writing transaction, after every other check: a refused act is not counted."""
    limit, window = RATE_LIMITS[action]
    if count_hit(f"covenant.{action}", person.pk, window=window) <= limit:
        return
    if action == "comment":
        message = _(
            "You can post at most %(limit)d comments in ten minutes. Please wait a little."
        ) % {"limit": limit}
    else:
        message = _(
            "You can propose at most %(limit)d amendments a day. Please try again tomorrow."
        ) % {"limit": limit}
    raise ValidationError(message, code="rate_limited")


def _participant(actor: User, round: Round, on_behalf_of: User | None) -> User:
    """Who takes part: the actor, or the resident a worker writes for. Refuses whoever may
    not (403), and anyone outside a building covenant's building (``not_in_building``)."""
    person = on_behalf_of or actor
    if on_behalf_of is not None:
        require("core.act_on_behalf", actor, round.community)
    require(
        "covenants.take_part",
        person,
        round,
        _("Only verified residents of the community take part in the consultation."),
    )
    if not in_scope(person, round):
        raise ValidationError(
            _("This covenant is for one building: only its residents take part."),
            code="not_in_building",
        )
    return person


def _check_consultation(round: Round, now: Any = None) -> None:
    if selectors.current_phase(round, now or timezone.now()) != "consultation":
        raise ValidationError(
            _("The public consultation on this draft is not open: it has closed or not begun."),
            code="consultation_closed",
        )


def _lock_round(round: Round) -> Round:
    return (
        Round.objects.in_community(round.community_id)
        .select_for_update()
        .select_related("covenant", "community")
        .get(pk=round.pk)
    )


def _lock_amendment(amendment: Amendment) -> Amendment:
    return (
        Amendment.objects.in_community(amendment.community_id)
        .select_for_update()
        .select_related("round__covenant", "round__community")
        .get(pk=amendment.pk)
    )


def _article(round: Round, article_key: Any) -> Article:
    article = (
        Article.objects.in_community(round.community_id)
        .filter(version_id=round.draft_id, key=article_key)
        .first()
        if isinstance(article_key, int)
        else None
    )
    if article is None:
        raise ValidationError(
            _("This article does not exist in the draft: it may no longer exist."),
            code="article_missing",
        )
    return article


def _paragraph_of(article: Article, paragraph_key: Any) -> Paragraph:
    paragraph = (
        Paragraph.objects.in_community(article.community_id)
        .filter(article=article, key=paragraph_key)
        .first()
        if isinstance(paragraph_key, int)
        else None
    )
    if paragraph is None:
        raise ValidationError(
            _("This paragraph is not part of the article in the draft."), code="paragraph_missing"
        )
    return paragraph


# --- Comments ---------------------------------------------------------------------------------


def comment_add(
    *,
    actor: User,
    round: Round,
    article_key: int,
    paragraph_key: int | None = None,
    text: str,
    on_behalf_of: User | None = None,
) -> Comment:
    """A comment on an article of the draft, or on one of its paragraphs."""
    author = _participant(actor, round, on_behalf_of)
    body = _text(text, limit=COMMENT_MAX, code="comment", empty=_("Write your comment."))
    _check_consultation(round)
    article = _article(round, article_key)
    if paragraph_key is not None:
        _paragraph_of(article, paragraph_key)
    with transaction.atomic():
        _count_towards_limit("comment", author)
        comment = Comment.objects.in_community(round.community_id).create(
            round=round,
            article_key=article.key,
            paragraph_key=paragraph_key,
            author=author,
            text=body,
            written_by=actor if on_behalf_of is not None else None,
        )
        journal.record(
            community=round.community,
            actor=actor,
            on_behalf_of=on_behalf_of,
            verb="covenant.commented",
            target=comment,
            data={"round": round.pk, "article": article.key},
        )
    return comment


# --- Amendments -------------------------------------------------------------------------------


def _target(
    round: Round, kind: str, article_key: int | None, paragraph_key: int | None
) -> tuple[int | None, int | None]:
    """The amendment's target keys, checked against the draft's rows where a form can name
    them wrongly; ``text.apply`` then checks the change itself."""
    if kind in PARAGRAPH_KINDS:
        if paragraph_key is None:
            raise ValidationError(_("Choose the paragraph to change."), code="paragraph_missing")
        if article_key is None:
            # a paragraph's key is unique in the covenant: its article follows from it
            found = (
                Paragraph.objects.in_community(round.community_id)
                .filter(article__version_id=round.draft_id, key=paragraph_key)
                .values_list("article__key", flat=True)
                .first()
            )
            if found is None:
                raise ValidationError(
                    _("This paragraph is not part of the draft: it may no longer exist."),
                    code="paragraph_missing",
                )
            article_key = found
        return article_key, paragraph_key
    if kind == AmendmentKind.INSERT_PARAGRAPH:
        if article_key is None:
            raise ValidationError(
                _("Choose the article to add a paragraph to."), code="article_missing"
            )
        return article_key, paragraph_key
    if kind == AmendmentKind.INSERT_ARTICLE:
        return article_key, None
    if article_key is None:  # delete_article
        raise ValidationError(_("Choose the article to delete."), code="article_missing")
    return article_key, None


def _check_change(round: Round, op: covenant_text.Op) -> None:
    draft = selectors.draft_text(round)
    try:
        changed = covenant_text.apply(draft, op)
    except covenant_text.NotApplicable as refusal:
        raise ValidationError(_(refusal.message), code=refusal.code) from None
    if op.kind == AmendmentKind.REPLACE and changed == draft:
        raise ValidationError(_("The new text is the same as the draft's."), code="no_change")


def amendment_propose(
    *,
    actor: User,
    round: Round,
    kind: str,
    article_key: int | None = None,
    paragraph_key: int | None = None,
    heading: str = "",
    text: str = "",
    reason: str,
    on_behalf_of: User | None = None,
) -> Amendment:
    """Propose a change to the draft, with a reason.

    Targets are keys in the draft: replace and delete_paragraph name a paragraph (its article
    follows); insert_paragraph an article, and the paragraph it comes after (None: first);
    insert_article the article it comes after (None: first), a heading and its paragraphs, one
    per line; delete_article an article."""
    author = _participant(actor, round, on_behalf_of)
    if kind not in AmendmentKind.values:
        raise ValidationError(_("Choose what kind of change you propose."), code="kind_invalid")
    one_paragraph = kind in (AmendmentKind.REPLACE, AmendmentKind.INSERT_PARAGRAPH)
    if kind == AmendmentKind.INSERT_ARTICLE:
        heading = (heading or "").strip()
        if len(heading) > HEADING_MAX:
            raise ValidationError(
                _("A heading has at most %(max)d characters.") % {"max": HEADING_MAX},
                code="heading_too_long",
            )
        text = _text(
            text, limit=AMENDMENT_TEXT_MAX, code="text", empty=_("Write the new article's text.")
        )
        if any(len(line) > PARAGRAPH_MAX for line in covenant_text.lines_of(text)):
            raise ValidationError(
                _("A paragraph has at most %(max)d characters.") % {"max": PARAGRAPH_MAX},
                code="text_too_long",
            )
    elif one_paragraph:
        heading = ""
        text = covenant_text.one_line(
            _text(text, limit=PARAGRAPH_MAX, code="text", empty=_("Write the new text."))
        )
    else:
        heading, text = "", ""
    reason = _text(
        reason,
        limit=REASON_MAX,
        code="reason",
        empty=_("Say why you propose this change: the drafting body answers it."),
    )
    article_key, paragraph_key = _target(round, kind, article_key, paragraph_key)
    op = covenant_text.Op(kind, article_key, paragraph_key, heading, text, None)
    with transaction.atomic():
        round = _lock_round(round)
        _check_consultation(round)
        _check_change(round, op)
        _count_towards_limit("amendment", author)
        last = (
            Amendment.objects.in_community(round.community_id)
            .filter(round=round)
            .aggregate(n=Max("number"))["n"]
        )
        amendment = Amendment.objects.in_community(round.community_id).create(
            round=round,
            number=(last or 0) + 1,
            kind=kind,
            article_key=article_key,
            paragraph_key=paragraph_key,
            heading=heading,
            text=text,
            reason=reason,
            author=author,
            written_by=actor if on_behalf_of is not None else None,
        )
        journal.record(
            community=round.community,
            actor=actor,
            on_behalf_of=on_behalf_of,
            verb="covenant.amendment_proposed",
            target=amendment,
            data={"round": round.pk, "kind": kind},
        )
    return amendment


def _check_proposed(amendment: Amendment) -> None:
    if amendment.status != AmendmentStatus.PROPOSED:
        raise ValidationError(
            _("The drafting body has already dealt with this amendment, or it was withdrawn."),
            code="not_proposed",
        )


def _check_open(round: Round) -> None:
    if selectors.current_phase(round, timezone.now()) not in OPEN_PHASES:
        raise ValidationError(
            _("The consultation and revision of this draft are over."), code="consultation_closed"
        )


def amendment_withdraw(*, actor: User, amendment: Amendment) -> Amendment:
    """Its author withdraws an amendment the drafting body has not decided on."""
    require(
        "covenants.withdraw_amendment",
        actor,
        amendment,
        _("Only the amendment's author withdraws it."),
    )
    with transaction.atomic():
        # the round's lock is the one a decision takes: the two never interleave
        round = _lock_round(amendment.round)
        amendment = _lock_amendment(amendment)
        _check_proposed(amendment)
        _check_open(round)
        amendment.status = AmendmentStatus.WITHDRAWN
        amendment.save(update_fields=["status"])
        journal.record(
            community=round.community,
            actor=actor,
            verb="covenant.amendment_withdrawn",
            target=amendment,
            data={"round": round.pk},
        )
    return amendment


# --- Supports ---------------------------------------------------------------------------------


def support_add(*, actor: User, amendment: Amendment) -> Support:
    """Support someone else's amendment, once, while it waits for the drafting body."""
    _participant(actor, amendment.round, None)
    if amendment.author_id == actor.pk:
        raise ValidationError(_("You cannot support your own amendment."), code="own_amendment")
    try:
        with transaction.atomic():
            amendment = _lock_amendment(amendment)
            _check_proposed(amendment)
            _check_open(amendment.round)
            supports = Support.objects.in_community(amendment.community_id)
            if supports.filter(amendment=amendment, person=actor).exists():
                raise ValidationError(
                    _("You already support this amendment."), code="already_supported"
                )
            support = supports.create(amendment=amendment, person=actor)
            Amendment.objects.in_community(amendment.community_id).filter(pk=amendment.pk).update(
                supporters_count=F("supporters_count") + 1
            )
            journal.record(
                community=amendment.round.community,
                actor=actor,
                verb="covenant.amendment_supported",
                target=amendment,
                data={"round": amendment.round_id},
            )
    except IntegrityError:  # the same person's second request, at the same moment
        raise ValidationError(
            _("You already support this amendment."), code="already_supported"
        ) from None
    return support


def support_remove(*, actor: User, amendment: Amendment) -> None:
    """Take one's support back while the amendment waits for the drafting body."""
    with transaction.atomic():
        amendment = _lock_amendment(amendment)
        supports = Support.objects.in_community(amendment.community_id).filter(
            amendment=amendment, person=actor
        )
        if not supports.exists():
            raise ValidationError(_("You do not support this amendment."), code="not_supported")
        _check_proposed(amendment)
        _check_open(amendment.round)
        supports.delete()
        Amendment.objects.in_community(amendment.community_id).filter(pk=amendment.pk).update(
            supporters_count=F("supporters_count") - 1
        )
        journal.record(
            community=amendment.round.community,
            actor=actor,
            verb="covenant.amendment_unsupported",
            target=amendment,
            data={"round": amendment.round_id},
        )
