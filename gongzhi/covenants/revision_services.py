"""Revision (R5.4): the drafting body decides on each amendment, sends contested ones to an
article-by-article vote, and consolidates the text from the accepted amendments.

- ``amendment_decide``: someone acting for the drafting body (a sitting member or a community
  worker) records the body's decision through ``bodies.services.decision_record`` (so the
  charter's power, quorum and threshold apply) and accepts or rejects the amendment with a
  public reason. Everything happens under a lock on the ROUND row, the amendment re-read under
  it: one amendment is decided once (``already_decided``), and accepted amendments get the
  sequence numbers 1, 2, 3 … in the order they were accepted, each one checked to apply to the
  draft with the amendments accepted before it (``amendment_conflicts``).
- ``amendments_to_vote``: one binding yes/no vote of the voting app per contested amendment;
  ``votes_settle`` reads the closed votes' results (lazily, from the revision page, and from
  ``manage.py covenants_settle``).
- ``consolidate``: once nothing is undecided, the consolidated version is the draft with the
  accepted amendments applied in sequence order (``text.consolidate``), each paragraph and
  article written by an amendment carrying it as ``origin``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.covenants import text as covtext
from gongzhi.covenants.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Article,
    Paragraph,
    Round,
    RoundStatus,
    Scope,
    Version,
    VersionKind,
)
from gongzhi.covenants.services import write_articles

#: the decision kind a drafting body's charter must grant (declared by the drafting part)
DECIDE_KIND = "decide_covenant_amendment"
#: the notification kind the author of an amendment hears of its fate on (consultation part)
NOTIFY_KIND = "covenant_amendment"
UNDECIDED = (AmendmentStatus.PROPOSED, AmendmentStatus.TO_VOTE)


def acts_for_body(user: Any, round_: Round) -> bool:
    """A sitting member of the covenant's drafting body, or a community worker (or from
    above): who may record the body's decisions."""
    return bool(rules.has_perm("bodies.record_decision", user, round_.covenant.drafting_body))


def _require_body(actor: Any, round_: Round) -> None:
    if not acts_for_body(actor, round_):
        raise PermissionDenied(_("Only the drafting body decides on this covenant's amendments."))


def _open_for_decisions(round_: Round, now: datetime) -> None:
    """Decisions are taken during consultation and revision, while the round is open."""
    if round_.status != RoundStatus.OPEN or round_.consolidated_id is not None:
        raise ValidationError(_("The revision of this covenant is over."), code="revision_closed")
    if now >= round_.revision_ends:
        raise ValidationError(_("The revision of this covenant is over."), code="revision_closed")
    if now < round_.consultation_starts:
        raise ValidationError(
            _("Amendments are decided once the public consultation has opened."),
            code="revision_closed",
        )


def _locked_round(round_: Round) -> Round:
    """The round's row locked (only its own row: not the covenant, body or community joined)."""
    return (
        Round.objects.in_community(round_.community_id)
        .select_for_update(of=("self",))
        .select_related("covenant", "covenant__drafting_body", "community")
        .get(pk=round_.pk)
    )


# --- The text in the database and in text.py -----------------------------------------------


def text_of(version: Version, next_key: int) -> covtext.Text:
    """A stored version as text.py's ``Text`` (two queries); inserts take keys from
    ``next_key`` (the covenant's counter)."""
    articles = list(
        Article.objects.in_community(version.community_id)
        .filter(version=version)
        .order_by("position")
    )
    paragraphs: dict[int, list[covtext.Para]] = {a.pk: [] for a in articles}
    rows = (
        Paragraph.objects.in_community(version.community_id)
        .filter(article__version=version)
        .order_by("article_id", "position")
        .values_list("article_id", "key", "text", "origin_id")
    )
    for article_id, key, text, origin in rows:
        paragraphs[article_id].append(covtext.Para(key=key, text=text, origin=origin))
    return covtext.Text(
        articles=tuple(
            covtext.Art(
                key=a.key, heading=a.heading, paras=tuple(paragraphs[a.pk]), origin=a.origin_id
            )
            for a in articles
        ),
        next_key=next_key,
        preamble=version.preamble,
    )


def op_of(amendment: Amendment) -> covtext.Op:
    return covtext.Op(
        kind=amendment.kind,
        article_key=amendment.article_key,
        paragraph_key=amendment.paragraph_key,
        heading=amendment.heading,
        text=amendment.text,
        ref=amendment.pk,
    )


def _accepted(round_: Round) -> list[Amendment]:
    return list(
        Amendment.objects.in_community(round_.community_id)
        .filter(round=round_, status=AmendmentStatus.ACCEPTED)
        .order_by("sequence")
    )


_REASONS = {
    "article_missing": (
        lambda: _("the article it changes no longer exists"),
        lambda n: _("the article it changes was deleted by amendment %(number)d") % {"number": n},
    ),
    "paragraph_missing": (
        lambda: _("the paragraph it changes no longer exists"),
        lambda n: _("the paragraph it changes was deleted by amendment %(number)d") % {"number": n},
    ),
    "last_paragraph": (
        lambda: _("it would delete the only paragraph left in its article"),
        lambda n: (
            _("after amendment %(number)d it would delete the only paragraph left in its article")
            % {"number": n}
        ),
    ),
    "last_article": (
        lambda: _("it would leave the covenant without any article"),
        lambda n: (
            _("after amendment %(number)d it would leave the covenant without any article")
            % {"number": n}
        ),
    ),
}


def _conflict(
    draft: covtext.Text, accepted: list[Amendment], op: covtext.Op, code: str, message: str
) -> ValidationError:
    """Why ``op`` does not apply after ``accepted``: the first accepted amendment after which
    it stops applying is named."""
    culprit = None
    current = draft
    for earlier in accepted:
        current = covtext.apply(current, op_of(earlier))
        try:
            covtext.apply(current, op)
        except covtext.NotApplicable:
            culprit = earlier.number
            break
    if code in _REASONS:
        plain, named = _REASONS[code]
        reason = named(culprit) if culprit is not None else plain()
    else:
        reason = _(message).rstrip(".")
    return ValidationError(
        _("This amendment cannot be applied any more: %(reason)s (%(code)s).")
        % {"reason": reason, "code": code},
        code="amendment_conflicts",
    )


def _check_applies(round_: Round, amendment: Amendment) -> None:
    """The amendment must apply to the draft with every amendment accepted so far."""
    draft = text_of(round_.draft, round_.covenant.next_key)
    accepted = _accepted(round_)
    try:
        current = covtext.consolidate(draft, [op_of(a) for a in accepted])
        covtext.apply(current, op_of(amendment))
    except covtext.NotApplicable as error:
        raise _conflict(draft, accepted, op_of(amendment), error.code, error.message) from error


def _next_sequence(round_: Round) -> int:
    top = (
        Amendment.objects.in_community(round_.community_id)
        .filter(round=round_)
        .aggregate(top=Max("sequence"))["top"]
    )
    return (top or 0) + 1


# --- Notifications ----------------------------------------------------------------------------


def amendment_url(amendment: Amendment) -> str:
    slug = amendment.round.covenant.community.slug
    return reverse("covenants_amendment", kwargs={"slug": slug, "amendment_id": amendment.pk})


def _notify_author(amendment: Amendment, message: str) -> None:
    from gongzhi.core.notify import send

    round_ = amendment.round
    send(
        users=[amendment.author],
        community=round_.covenant.community,
        kind=NOTIFY_KIND,
        message=message,
        params={
            "number": amendment.number,
            "title": round_.covenant.title,
            "reason": amendment.decision_reason,
        },
        url=amendment_url(amendment),
    )


def _journal_outcome(amendment: Amendment, *, actor: Any, by: str) -> None:
    verb = (
        "covenant.amendment_accepted"
        if amendment.status == AmendmentStatus.ACCEPTED
        else "covenant.amendment_rejected"
    )
    journal.record(
        community=amendment.round.covenant.community,
        actor=actor,
        verb=verb,
        target=amendment,
        data={"round": amendment.round_id, "author": amendment.author_id, "by": by},
    )


# --- The drafting body's decision -------------------------------------------------------------


def amendment_decide(
    *,
    actor: Any,
    amendment: Amendment,
    accept: bool,
    reason: str,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
) -> Amendment:
    """Record the drafting body's decision on ``amendment`` (accepted or rejected, with its
    public ``reason`` and the body's vote); the body's charter must grant the power."""
    round_ = amendment.round
    _require_body(actor, round_)
    if amendment.author_id == actor.pk:
        raise ValidationError(
            _("Nobody decides on their own amendment for the drafting body."), code="own_amendment"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Give the drafting body's reason: residents read it."), code="reason_missing"
        )
    if len(reason) > 2000:
        raise ValidationError(
            _("The reason must have at most 2000 characters."), code="reason_too_long"
        )
    now = timezone.now()
    _open_for_decisions(round_, now)
    from gongzhi.bodies.services import decision_record

    with transaction.atomic():
        round_ = _locked_round(round_)
        _open_for_decisions(round_, now)
        fresh = (
            Amendment.objects.in_community(round_.community_id)
            .select_related("author")
            .get(pk=amendment.pk)
        )
        if fresh.status not in UNDECIDED:
            raise ValidationError(
                _("This amendment has already been decided or withdrawn."), code="already_decided"
            )
        if accept:
            _check_applies(round_, fresh)
        covenant = round_.covenant
        outcome = _("accepted") if accept else _("rejected")
        decision = decision_record(
            actor=actor,
            body=covenant.drafting_body,
            kind=DECIDE_KIND,
            title=_("Amendment %(number)d to “%(covenant)s”: %(outcome)s")
            % {"number": fresh.number, "covenant": covenant.title, "outcome": outcome},
            text=reason,
            decided_on=timezone.localdate(),
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
        )
        fresh.round = round_
        fresh.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
        fresh.sequence = _next_sequence(round_) if accept else None
        fresh.decision_reason = reason
        fresh.decided_by = actor
        fresh.decided_at = now
        fresh.decision = decision
        fresh.save(
            update_fields=[
                "status",
                "sequence",
                "decision_reason",
                "decided_by",
                "decided_at",
                "decision",
            ]
        )
        _journal_outcome(fresh, actor=actor, by="body")
        _notify_author(fresh, "accepted" if accept else "rejected")
    return fresh


# --- Article-by-article votes -------------------------------------------------------------------


def vote_title(round_: Round, amendment: Amendment) -> str:
    """ "第N条修正案 #k": N the position of its article in the draft (an article inserted first
    or a change to no article: "修正案 #k")."""
    position = None
    if amendment.article_key is not None:
        position = (
            Article.objects.in_community(round_.community_id)
            .filter(version_id=round_.draft_id, key=amendment.article_key)
            .values_list("position", flat=True)
            .first()
        )
    if position is None:
        return _("Amendment #%(number)d") % {"number": amendment.number}
    return _("%(article)s, amendment #%(number)d") % {
        "article": covtext.article_label(position),
        "number": amendment.number,
    }


def amendments_to_vote(
    *,
    actor: Any,
    round: Round,  # noqa: A002 - the spec's name
    amendment_ids: Iterable[int],
    opens_at: datetime,
    closes_at: datetime,
) -> list[Amendment]:
    """Send contested amendments to article-by-article votes: one binding yes/no vote each,
    of the building's residents for a building covenant, else of the verified members; the
    vote is set up by ``actor``, who must act for the body and be allowed to set up votes."""
    from gongzhi.voting.models import Electorate, Kind, Method
    from gongzhi.voting.services import vote_create

    round_ = round
    _require_body(actor, round_)
    if not rules.has_perm("voting.manage_votes", actor, round_.covenant.community):
        raise PermissionDenied(
            _("Votes are set up by community workers: ask one to send these amendments.")
        )
    ids = sorted({int(i) for i in amendment_ids})
    if not ids:
        raise ValidationError(
            _("Choose the amendments to put to a vote."), code="amendments_missing"
        )
    now = timezone.now()
    _open_for_decisions(round_, now)
    if closes_at > round_.revision_ends:
        raise ValidationError(
            _("The votes must close by the end of the revision."), code="vote_after_revision"
        )
    if closes_at <= opens_at:
        raise ValidationError(_("A vote must close after it opens."), code="window_invalid")
    with transaction.atomic():
        round_ = _locked_round(round_)
        _open_for_decisions(round_, now)
        covenant = round_.covenant
        amendments = list(
            Amendment.objects.in_community(round_.community_id)
            .filter(round=round_, pk__in=ids)
            .select_related("author")
            .order_by("number")
        )
        if len(amendments) != len(ids):
            raise ValidationError(_("Choose amendments of this round."), code="amendment_unknown")
        if any(a.status != AmendmentStatus.PROPOSED for a in amendments):
            raise ValidationError(
                _("Only amendments not yet decided go to a vote."), code="already_decided"
            )
        building = covenant.scope == Scope.BUILDING
        for amendment in amendments:
            vote = vote_create(
                actor=actor,
                community=covenant.community,
                title=vote_title(round_, amendment),
                options=[],
                opens_at=opens_at,
                closes_at=closes_at,
                description=_vote_description(covenant.title, amendment),
                method=Method.YES_NO,
                kind=Kind.BINDING,
                electorate=Electorate.BUILDING if building else Electorate.VERIFIED,
                building=covenant.building if building else None,
                quorum=Decimal(0),
                threshold=Decimal("0.5"),
            )
            amendment.round = round_
            amendment.status = AmendmentStatus.TO_VOTE
            amendment.vote = vote
            amendment.save(update_fields=["status", "vote"])
            _notify_author(amendment, "to_vote")
        journal.record(
            community=covenant.community,
            actor=actor,
            verb="covenant.amendments_to_vote",
            target=round_,
            data={"round": round_.pk, "amendments": [a.pk for a in amendments]},
        )
    return amendments


def _vote_description(title: str, amendment: Amendment) -> str:
    lines = [
        _("Amendment #%(number)d to “%(covenant)s” (%(kind)s).")
        % {
            "number": amendment.number,
            "covenant": title,
            "kind": AmendmentKind(amendment.kind).label,
        }
    ]
    if amendment.heading:
        lines.append(amendment.heading)
    if amendment.text:
        lines.append(amendment.text)
    lines.append(_("Reason: %(reason)s") % {"reason": amendment.reason})
    return "\n\n".join(lines)[:5000]


@dataclass(frozen=True)
class Settled:
    settled: int = 0
    accepted: int = 0
    rejected: int = 0

    def __add__(self, other: Settled) -> Settled:
        return Settled(
            self.settled + other.settled,
            self.accepted + other.accepted,
            self.rejected + other.rejected,
        )


def votes_settle(round: Round, *, now: datetime | None = None) -> Settled:  # noqa: A002
    """Apply the results of the closed article-by-article votes of ``round``: passed →
    accepted (next in sequence; rejected after all if an accepted amendment made it
    inapplicable), else rejected with the tally as reason. Idempotent; safe to run at once."""
    from gongzhi.voting.services import results

    now = now or timezone.now()
    due = (
        Amendment.objects.in_community(round.community_id)
        .filter(round=round, status=AmendmentStatus.TO_VOTE, vote__closes_at__lte=now)
        .order_by("number")
        .values_list("pk", flat=True)
    )
    total = Settled()
    for pk in list(due):
        with transaction.atomic():
            round_ = _locked_round(round)
            amendment = (
                Amendment.objects.in_community(round_.community_id)
                .select_related("vote", "author")
                .get(pk=pk)
            )
            if amendment.status != AmendmentStatus.TO_VOTE or amendment.vote is None:
                continue
            amendment.round = round_
            result = results(amendment.vote)
            counts = {
                "yes": int(result.yes),
                "no": int(result.no),
                "abstain": int(result.abstain),
            }
            accept = bool(result.passed)
            reason = (
                _("Adopted by the vote: %(yes)d for, %(no)d against, %(abstain)d abstentions.")
                % counts
            )
            if accept:
                try:
                    _check_applies(round_, amendment)
                except ValidationError as error:
                    accept = False
                    reason = " ".join([reason, *error.messages])
            else:
                reason = (
                    _(
                        "Not adopted by the vote: %(yes)d for, %(no)d against, "
                        "%(abstain)d abstentions."
                    )
                    % counts
                )
            amendment.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
            amendment.sequence = _next_sequence(round_) if accept else None
            amendment.decision_reason = reason
            amendment.decided_at = now
            amendment.save(update_fields=["status", "sequence", "decision_reason", "decided_at"])
            _journal_outcome(amendment, actor=None, by="vote")
            _notify_author(amendment, "accepted" if accept else "rejected")
            total = total + Settled(1, int(accept), int(not accept))
    return total


def votes_settle_all(*, now: datetime | None = None) -> Settled:
    """Every round with an article-by-article vote that has closed (the periodic command)."""
    now = now or timezone.now()
    round_ids = (
        Amendment.objects.all_communities()
        .filter(status=AmendmentStatus.TO_VOTE, vote__closes_at__lte=now)
        .values_list("community_id", "round_id")
        .distinct()
    )
    total = Settled()
    for community_id, round_id in sorted(set(round_ids)):
        round_ = Round.objects.in_community(community_id).get(pk=round_id)
        total = total + votes_settle(round_, now=now)
    return total


# --- Consolidation ----------------------------------------------------------------------------


def consolidate(*, actor: Any, round: Round) -> Version:  # noqa: A002 - the spec's name
    """The consolidated version of ``round``: its draft with the accepted amendments applied
    in the order they were accepted; once, when no amendment is left undecided, from the start
    of the revision while the round is open."""
    round_ = round
    _require_body(actor, round_)
    now = timezone.now()
    with transaction.atomic():
        round_ = _locked_round(round_)
        if round_.consolidated_id is not None:
            raise ValidationError(
                _("The text of this round has already been consolidated."),
                code="already_consolidated",
            )
        if round_.status != RoundStatus.OPEN:
            raise ValidationError(
                _("The revision of this covenant is over."), code="revision_closed"
            )
        if now < round_.revision_starts:
            raise ValidationError(
                _("The text is consolidated once the public consultation has closed."),
                code="consultation_open",
            )
        undecided = (
            Amendment.objects.in_community(round_.community_id)
            .filter(round=round_, status__in=UNDECIDED)
            .count()
        )
        if undecided:
            raise ValidationError(
                _("%(count)d amendments are still to be decided.") % {"count": undecided},
                code="undecided_amendments",
            )
        covenant = round_.covenant
        draft = round_.draft
        accepted = _accepted(round_)
        try:
            result = covtext.consolidate(
                text_of(draft, covenant.next_key), [op_of(a) for a in accepted]
            )
        except covtext.NotApplicable as error:
            raise ValidationError(
                _("The accepted amendments do not apply together (%(code)s).")
                % {"code": error.code},
                code="amendment_conflicts",
            ) from error
        version = write_text(
            covenant=covenant,
            text=result,
            round_=round_,
            based_on=draft,
            preamble=draft.preamble,
            actor=actor,
        )
        covenant.next_key = max(covenant.next_key, result.next_key)
        covenant.save(update_fields=["next_key"])
        round_.consolidated = version
        round_.save(update_fields=["consolidated"])
        journal.record(
            community=covenant.community,
            actor=actor,
            verb="covenant.consolidated",
            target=version,
            data={"round": round_.pk, "accepted": len(accepted)},
        )
    return version


def write_text(
    *,
    covenant: Any,
    text: covtext.Text,
    round_: Round,
    based_on: Version,
    preamble: str,
    actor: Any,
) -> Version:
    """A new consolidated version holding ``text`` (its keys and origins kept)."""
    cid = covenant.community_id
    number = (
        Version.objects.in_community(cid)
        .filter(covenant=covenant)
        .aggregate(top=Max("number"))["top"]
        or 0
    ) + 1
    version = Version.objects.in_community(cid).create(
        covenant=covenant,
        number=number,
        kind=VersionKind.CONSOLIDATED,
        round=round_,
        based_on=based_on,
        preamble=preamble,
        created_by=actor,
    )
    write_articles(version, text)
    return version
