"""Every write of participatory budgeting. Each service checks permission, runs in one
transaction, journals the act and leaves side effects (notifications, the count) to after the
commit. The count itself (``tally_run``) runs in a background task, never in a request."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.budgeting import explain, pabulib, rules
from gongzhi.budgeting.models import (
    PHASE_STARTS,
    PROCESS_FIELDS,
    Ballot,
    BallotType,
    Channel,
    Idea,
    IdeaPhoto,
    IdeaStatus,
    Milestone,
    PaperEntry,
    Participation,
    Process,
    ProgressComment,
    ProgressPhoto,
    ProgressUpdate,
    Review,
    Reviewer,
    Rule,
    Spending,
    Tally,
    TallyStatus,
    TieBreaking,
)
from gongzhi.core import journal, phases
from gongzhi.core.models import Building, Community, Grid
from gongzhi.core.paper import PaperResult, double_entry, paper_serial
from gongzhi.core.policies import require, verified_membership
from gongzhi.core.uploads import MAX_PHOTO_BYTES, MB, PHOTOS, check_upload, store_upload
from gongzhi.notifications.services import notify
from gongzhi.voting import keys  # secret ballots are keyed as in votes

MAX_PHOTOS = 5


def _require(perm: str, user: User, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this in this budgeting process."))


# --- Processes ------------------------------------------------------------------------------


def _check_process(community: Community, values: Mapping[str, Any]) -> None:
    phases.Schedule.contiguous([(phase.value, values[field]) for phase, field in PHASE_STARTS])
    if values["voting_until"] <= values["voting_from"]:
        raise ValidationError(_("Voting must close after it opens."), code="voting_dates")
    if values["budget"] <= 0:
        raise ValidationError(_("The budget must be more than 0 yuan."), code="budget")
    if values["max_projects"] is not None and values["max_projects"] < values["min_projects"]:
        raise ValidationError(
            _("The most projects on a ballot cannot be fewer than the fewest."),
            code="ballot_bounds",
        )
    if values["rule"] not in Rule.values or values["tie_breaking"] not in TieBreaking.values:
        raise ValidationError(_("Choose a rule and a way to break ties."), code="rule")
    _check_rank_points(values)
    if values["ballot_type"] not in BallotType.values:
        raise ValidationError(_("Choose a kind of ballot."), code="ballot_type")
    grid = values["grid"]
    if grid is not None and grid.community_id != community.pk:
        raise ValidationError(_("Choose a grid of this community."), code="grid")


def _check_rank_points(values: Mapping[str, Any]) -> None:
    """Points per rank (greedy-points on a ranked ballot): "3,2,1", never more for a lower rank,
    one number for every rank a ballot may have."""
    text = (values.get("rank_points") or "").strip()
    if not text:
        return
    try:
        per_rank = rules.parse_rank_points(text)
    except ValueError:
        raise ValidationError(
            _(
                "Write the points per rank as whole numbers from the first choice down, "
                "e.g. 3,2,1: a lower rank cannot get more points than a higher one."
            ),
            code="rank_points",
        ) from None
    most = values.get("max_projects")
    if most is not None and len(per_rank) < most:
        raise ValidationError(
            _("Give points to each of the %(count)d ranks a ballot may have.") % {"count": most},
            code="rank_points",
        )


def process_create(*, actor: User, community: Community, **values: Any) -> Process:
    """A community worker opens a budgeting process (参与式预算)."""
    _require("budgeting.manage", actor, community)
    unknown = set(values) - set(PROCESS_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    defaults = {"description": "", "grid": None, "max_projects": None, "max_total_cost": None}
    values = {**defaults, **values}
    values.setdefault("min_projects", 1)
    values.setdefault("points", 10)
    values.setdefault("ballot_type", BallotType.KNAPSACK)
    values.setdefault("rule", Rule.MES_ADD1)
    values.setdefault("rank_points", "")
    values.setdefault("tie_breaking", TieBreaking.VOTES)
    _check_process(community, values)
    with transaction.atomic():
        process = Process.objects.in_community(community).create(created_by=actor, **values)
        journal.record(
            community=community,
            actor=actor,
            verb="budget.created",
            target=process,
            data={"budget": process.budget, "rule": process.rule},
        )
    return process


def process_update(*, actor: User, process: Process, **values: Any) -> Process:
    """Staff change dates or settings. The ballot and the rule are fixed once voting opens."""
    _require("budgeting.manage", actor, process)
    with transaction.atomic():
        locked = (
            Process.objects.in_community(process.community_id)
            .select_for_update()
            .get(pk=process.pk)
        )
        merged = {field: getattr(locked, field) for field in PROCESS_FIELDS} | values
        _check_process(locked.community, merged)
        fixed = (
            *("budget", "ballot_type", "min_projects", "max_projects", "max_total_cost"),
            *("points", "rule", "rank_points", "tie_breaking", "grid"),
        )
        if locked.phase() not in ("announced", "ideas", "review") and any(
            merged[f] != getattr(locked, f) for f in fixed
        ):
            raise ValidationError(
                _("Once voting has opened, the budget, the ballot and the rule cannot change."),
                code="settings_fixed",
            )
        for field, value in merged.items():
            setattr(locked, field, value)
        locked.save()
        journal.record(
            community=locked.community, actor=actor, verb="budget.updated", target=locked
        )
    return locked


# --- Ideas ----------------------------------------------------------------------------------


def idea_submit(
    *,
    actor: User,
    process: Process,
    title: str,
    description: str,
    estimated_cost: int,
    location: str = "",
    building: Building | None = None,
    photos: Sequence[Any] = (),
) -> Idea:
    """A resident proposes a project. Photos are checked (and re-encoded) before anything is
    written: one refused file refuses the idea."""
    _require("budgeting.submit_idea", actor, process)
    title, description = title.strip(), description.strip()
    if not title or not description:
        raise ValidationError(_("Give the idea a title and a description."), code="empty")
    if estimated_cost <= 0:
        raise ValidationError(_("The estimated cost must be more than 0 yuan."), code="cost")
    if estimated_cost > process.budget:
        raise ValidationError(
            _("The estimated cost is more than the whole budget (%(budget)d yuan).")
            % {"budget": process.budget},
            code="cost_over_budget",
        )
    if building is not None and building.community_id != process.community_id:
        raise ValidationError(_("Choose a building of this community."), code="building")
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("At most %(max)d photos.") % {"max": MAX_PHOTOS}, code="too_many_files"
        )
    checked = [check_upload(f, kinds=PHOTOS, max_bytes=MAX_PHOTO_BYTES) for f in photos]
    written: list[Any] = []
    try:
        with transaction.atomic():
            idea = Idea.objects.in_community(process.community_id).create(
                process=process,
                author=actor,
                title=title,
                description=description,
                estimated_cost=estimated_cost,
                location=location.strip(),
                building=building,
            )
            for upload in checked:
                store_upload(
                    IdeaPhoto(community_id=process.community_id, idea=idea), upload, written
                )
            journal.record(
                community=process.community,
                actor=actor,
                verb="budget.idea_submitted",
                target=idea,
                data={"photos": len(checked)} if checked else None,
            )
    except Exception:
        for file in written:
            file.delete(save=False)
        raise
    return idea


# --- The review panel (评议小组) -------------------------------------------------------------


def reviewer_assign(*, actor: User, process: Process, user: User) -> Reviewer:
    """Staff put a verified resident of the community on the process's review panel."""
    _require("budgeting.manage", actor, process)
    if verified_membership(user, process.community_id) is None:
        raise ValidationError(
            _("Only a verified resident of this community can be on the review panel."),
            code="not_resident",
        )
    with transaction.atomic():
        reviewer, created = Reviewer.objects.in_community(process.community_id).get_or_create(
            process=process, user=user, defaults={"assigned_by": actor}
        )
        if created:
            journal.record(
                community=process.community,
                actor=actor,
                verb="budget.reviewer_assigned",
                target=process,
                data={"reviewer": user.pk},
            )
    return reviewer


def review_submit(
    *,
    actor: User,
    idea: Idea,
    feasibility: int,
    legality: int,
    cost: int,
    assessment: str,
) -> Review:
    """A panel member scores an idea; submitting again replaces their review."""
    _require("budgeting.review", actor, idea.process)
    assessment = assessment.strip()
    if not (1 <= feasibility <= 5 and 1 <= legality <= 5):
        raise ValidationError(_("Scores go from 1 to 5."), code="score")
    if cost <= 0:
        raise ValidationError(_("The cost must be more than 0 yuan."), code="cost")
    if not assessment:
        raise ValidationError(_("Give the reasons for your assessment."), code="no_reason")
    if idea.status != IdeaStatus.SUBMITTED:
        raise ValidationError(_("A decision on this idea is already published."), code="decided")
    with transaction.atomic():
        review, _created = Review.objects.in_community(idea.community_id).update_or_create(
            idea=idea,
            reviewer=actor,
            defaults={
                "feasibility": feasibility,
                "legality": legality,
                "cost": cost,
                "assessment": assessment,
                "updated_at": timezone.now(),
            },
        )
        journal.record(
            community=idea.process.community, actor=actor, verb="budget.reviewed", target=idea
        )
    return review


def idea_decide(*, actor: User, idea: Idea, accept: bool, cost: int | None, reason: str) -> Idea:
    """Staff publish the panel's decision: accepted ideas go on the ballot at ``cost``; a
    rejection keeps its public reason. The idea row is locked: one decision wins."""
    _require("budgeting.decide", actor, idea.process)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Publish the reasons with the decision, so residents can read them."),
            code="no_reason",
        )
    if accept and (cost is None or cost <= 0):
        raise ValidationError(_("An accepted project needs its cost in yuan."), code="cost")
    if accept and cost is not None and cost > idea.process.budget:
        raise ValidationError(
            _("The cost is more than the whole budget (%(budget)d yuan).")
            % {"budget": idea.process.budget},
            code="cost_over_budget",
        )
    with transaction.atomic():
        locked = Idea.objects.in_community(idea.community_id).select_for_update().get(pk=idea.pk)
        if locked.status != IdeaStatus.SUBMITTED:
            raise ValidationError(
                _("A decision on this idea is already published."), code="decided"
            )
        locked.status = IdeaStatus.ACCEPTED if accept else IdeaStatus.REJECTED
        locked.cost = cost if accept else None
        locked.decision_reason = reason
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "cost", "decision_reason", "decided_at"])
        journal.record(
            community=idea.process.community,
            actor=actor,
            verb="budget.idea_accepted" if accept else "budget.idea_rejected",
            target=locked,
            data={"cost": cost} if accept else None,
        )
        if locked.author_id is not None:
            notify(
                users=[locked.author],
                community=idea.process.community,
                kind="budget_idea_decided",
                message="accepted" if accept else "rejected",
                params={"title": locked.title, "reason": reason},
            )
    return locked


# --- Ballots --------------------------------------------------------------------------------


def _slot(process: Process, voter: User, key: str) -> str:
    """A pseudonym for (process, voter) that only the server's VOTE_KEY can recompute."""
    return keys.pseudonym(key, f"budget:{process.pk}:{voter.pk}")


def ballot_check(
    process: Process,
    costs: Mapping[int, int],
    projects: Sequence[int],
    points: Sequence[int] | None = None,
) -> list[list[int]]:
    """The ballot as ``[[project, points], …]`` if it follows the process's settings, else a
    ``ValidationError`` saying what is wrong. ``costs``: the projects on the ballot."""
    kind = process.ballot_type
    if kind == BallotType.CUMULATIVE:
        if points is None or len(points) != len(projects):
            raise ValidationError(_("Give points to each project you choose."), code="points")
        pairs = [(p, n) for p, n in zip(projects, points, strict=True) if n != 0]
        if any(n < 0 for _p, n in pairs):
            raise ValidationError(_("Points cannot be negative."), code="points")
    else:
        pairs = [(p, 1) for p in projects]
    chosen = [p for p, _n in pairs]
    unknown = [p for p in chosen if p not in costs]
    if unknown:
        raise ValidationError(
            _("Project %(id)s is not on this ballot.") % {"id": unknown[0]}, code="unknown_project"
        )
    if len(set(chosen)) != len(chosen):
        if kind == BallotType.RANKED:
            raise ValidationError(
                _("Each project can have only one rank: a project is ranked twice."),
                code="repeated_rank",
            )
        raise ValidationError(_("A project is chosen twice."), code="repeated_project")
    if len(chosen) < process.min_projects:
        raise ValidationError(
            _("Choose at least %(n)d projects.") % {"n": process.min_projects}, code="too_few"
        )
    if process.max_projects is not None and len(chosen) > process.max_projects:
        raise ValidationError(
            _("Choose at most %(n)d projects.") % {"n": process.max_projects}, code="too_many"
        )
    total = sum(costs[p] for p in chosen)
    if kind in (BallotType.APPROVAL, BallotType.KNAPSACK):
        if process.max_total_cost is not None and total > process.max_total_cost:
            raise ValidationError(
                _("The projects you chose cost %(total)d yuan, more than %(max)d yuan allowed.")
                % {"total": total, "max": process.max_total_cost},
                code="over_max_cost",
            )
        if kind == BallotType.KNAPSACK and total > process.budget:
            raise ValidationError(
                _(
                    "The projects you chose cost %(total)d yuan, more than the budget of %(max)d yuan."
                )
                % {"total": total, "max": process.budget},
                code="over_budget",
            )
    if kind == BallotType.CUMULATIVE:
        given = sum(n for _p, n in pairs)
        if given > process.points:
            raise ValidationError(
                _("You gave %(given)d points, more than the %(max)d you have.")
                % {"given": given, "max": process.points},
                code="over_points",
            )
    return [[p, n] for p, n in pairs]


def project_costs(process: Process) -> dict[int, int]:
    rows = Idea.objects.in_community(process.community_id).filter(
        process=process, status=IdeaStatus.ACCEPTED
    )
    # An accepted idea always has its (reviewed) cost: a check constraint says so.
    return {pk: int(cost or 0) for pk, cost in rows.values_list("pk", "cost")}


def ballot_cast(
    *,
    actor: User,
    process: Process,
    projects: Sequence[int],
    points: Sequence[int] | None = None,
) -> bool:
    """Cast or change a ballot; returns True if it replaced an earlier one. The journal records
    that the resident voted, never what they chose."""
    _require("budgeting.vote", actor, process)
    choice = ballot_check(process, project_costs(process), projects, points)
    with transaction.atomic():
        participation, first = Participation.objects.in_community(
            process.community_id
        ).get_or_create(process=process, voter=actor)
        if participation.channel == Channel.PAPER:
            raise ValidationError(
                _("You took a paper ballot, so you cannot also vote online."), code="voted_on_paper"
            )
        # The process's ballots are keyed by the key its first ballot was cast under: if that
        # key has changed since, casting stops with a message (voting/keys.py).
        slot = _slot(process, actor, keys.bind(process))
        Ballot.objects.in_community(process.community_id).update_or_create(
            process=process, slot=slot, defaults={"choice": choice}
        )
        journal.record(
            community=process.community,
            actor=actor,
            verb="budget.voted" if first else "budget.vote_changed",
            target=process,
        )
    return not first


def my_ballot(*, process: Process, voter: User | AnonymousUser) -> list[list[int]] | None:
    key = keys.key_for(process.vote_key_id, process.vote_key_check)
    if isinstance(voter, AnonymousUser) or key is None:  # None: a key this server lacks
        return None
    ballot = (
        Ballot.objects.in_community(process.community_id)
        .filter(process=process, slot=_slot(process, voter, key))
        .first()
    )
    return ballot.choice if ballot else None


# --- Paper ballots (纸质选票), by double entry -------------------------------------------------


def paper_voter_mark(*, actor: User, process: Process, voter: User) -> Participation:
    """At the polling table: this resident took a paper ballot, so cannot also vote online.
    The unique participation per voter makes the two channels exclusive in the database."""
    _require("budgeting.paper_issue", actor, process)
    from gongzhi.budgeting.policies import in_scope

    if not in_scope(voter, process):
        raise ValidationError(
            _("This person is not a verified resident of this budget's area."),
            code="not_eligible",
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                participation = Participation.objects.in_community(process.community_id).create(
                    process=process, voter=voter, channel=Channel.PAPER, recorded_by=actor
                )
        except IntegrityError as error:
            raise ValidationError(
                _("This resident has already voted or taken a paper ballot."),
                code="already_voted",
            ) from error
        journal.record(
            community=process.community,
            actor=actor,
            on_behalf_of=voter,
            verb="budget.paper_issued",
            target=process,
        )
    return participation


def paper_ballot_enter(
    *,
    actor: User,
    process: Process,
    serial: str,
    projects: Sequence[int],
    points: Sequence[int] | None = None,
) -> PaperResult:
    """Double entry (core/paper.py): a paper ballot counts once two different people have typed
    it the same. The ballot is checked like an online one; no more paper ballots count than
    were handed out."""
    _require("budgeting.paper_enter", actor, process)
    serial = paper_serial(serial)
    choice = ballot_check(process, project_costs(process), projects, points)
    slot = f"paper:{serial}"
    ballots = Ballot.objects.in_community(process.community_id).filter(process=process)

    def count() -> None:
        issued = (
            Participation.objects.in_community(process.community_id)
            .filter(process=process, channel=Channel.PAPER)
            .count()
        )
        if ballots.filter(channel=Channel.PAPER).count() >= issued:
            raise ValidationError(
                _("More paper ballots would count than were handed out (%(n)d).") % {"n": issued},
                code="more_than_issued",
            )
        ballots.create(process=process, slot=slot, choice=choice, channel=Channel.PAPER)

    with transaction.atomic():
        # One entry at a time per process: the number of counted paper ballots is at stake.
        Process.objects.in_community(process.community_id).select_for_update().get(pk=process.pk)
        return double_entry(
            entries=PaperEntry.objects.in_community(process.community_id),
            box_field="process",
            box=process,
            actor=actor,
            serial=serial,
            content=choice,
            counted=ballots.filter(slot=slot).exists,
            count=count,
            verbs={
                "entered": "budget.paper_entered",
                "conflict": "budget.paper_conflict",
                "confirmed": "budget.paper_confirmed",
            },
        )


# --- Counting -------------------------------------------------------------------------------


def tally_request(*, actor: User, process: Process) -> Tally:
    """Staff ask for the count once voting has closed; a background task runs it."""
    _require("budgeting.count", actor, process)
    from gongzhi.budgeting import tasks

    with transaction.atomic():
        tally = Tally.objects.in_community(process.community_id).create(
            process=process,
            rule=process.rule,
            tie_breaking=process.tie_breaking,
            requested_by=actor,
        )
        journal.record(
            community=process.community, actor=actor, verb="budget.count_requested", target=process
        )
        transaction.on_commit(lambda: tasks.count_ballots.enqueue(process.community_id, tally.pk))
    return tally


def election_of(process: Process, costs: Mapping[int, int], choices: list[Any]) -> rules.Election:
    """The stored ballots as the rules module's election (project ids as text)."""
    costs_ = {str(p): c for p, c in costs.items()}
    if process.ballot_type in (BallotType.APPROVAL, BallotType.KNAPSACK):
        return rules.Election.approval(
            process.budget, costs_, ([str(p) for p, _n in c] for c in choices)
        )
    if process.ballot_type == BallotType.RANKED and process.rule == Rule.GREEDY_POINTS:
        # Points per rank as set, else k − i: k points for a first choice, k the most ranks.
        per_rank: Sequence[int] | None = (
            rules.parse_rank_points(process.rank_points)
            if process.rank_points.strip()
            else (range(process.max_projects, 0, -1) if process.max_projects else None)
        )
        return rules.Election.ranked_points(
            process.budget, costs_, ([str(p) for p, _n in c] for c in choices), per_rank
        )
    if process.ballot_type == BallotType.RANKED:
        return rules.Election.ordinal(
            process.budget, costs_, ([str(p) for p, _n in c] for c in choices)
        )
    return rules.Election.cardinal(
        process.budget, costs_, ({str(p): n for p, n in c} for c in choices)
    )


def _stored_choices(process: Process) -> list[Any]:
    # A stable order (the random ballot id) so the digest does not depend on the database.
    return list(
        Ballot.objects.in_community(process.community_id)
        .filter(process=process)
        .order_by("pk")
        .values_list("choice", flat=True)
    )


def tally_run(*, community_id: int, tally_id: int) -> bool:
    """Run the configured rule on the stored ballots and store the outcome (a task's work)."""
    tally = (
        Tally.objects.in_community(community_id)
        .select_related("process__community")
        .filter(pk=tally_id, status=TallyStatus.PENDING)
        .first()
    )
    if tally is None:
        return False
    process = tally.process
    costs = project_costs(process)
    choices = _stored_choices(process)
    paper = (
        Ballot.objects.in_community(community_id)
        .filter(process=process, channel=Channel.PAPER)
        .count()
    )
    digest = hashlib.sha256(json.dumps(choices, separators=(",", ":")).encode()).hexdigest()
    last_report = [0.0]

    def report(share: Fraction) -> None:
        # Outside any transaction, at most once a second: the results page shows it.
        if time.monotonic() - last_report[0] >= 1:
            last_report[0] = time.monotonic()
            Tally.objects.in_community(community_id).filter(pk=tally.pk).update(
                progress=min(99, int(share * 100))
            )

    try:
        election = election_of(process, costs, choices)
        outcome = rules.run_rule(
            tally.rule, election, tie_breaking=tally.tie_breaking.split(","), progress=report
        )
        projects = explain.explain(election, outcome, tally.rule)
    except (ValueError, ZeroDivisionError) as exc:
        Tally.objects.in_community(community_id).filter(pk=tally.pk).update(
            status=TallyStatus.FAILED, outcome={"error": str(exc)}, finished_at=timezone.now()
        )
        return False
    per_voter = outcome.budget_per_voter
    parameters = {
        "budget": process.budget,
        "ballot_type": process.ballot_type,
        "costs": {str(p): c for p, c in costs.items()},
        "ballots_sha256": digest,
        "rank_points": process.rank_points,
        "paper_ballots": paper,
        "budget_per_voter": str(per_voter) if per_voter is not None else None,
    }
    result = {
        "selected": list(outcome.selected),
        "completed": list(outcome.completed),
        "spent": explain.yuan(outcome.cost(election)),
        "paper_ballots": paper,
        "budget_per_voter": explain.yuan(per_voter) if per_voter is not None else None,
        "projects": projects,
    }
    with transaction.atomic():
        updated = (
            Tally.objects.in_community(community_id)
            .filter(pk=tally.pk, status=TallyStatus.PENDING)
            .update(
                status=TallyStatus.DONE,
                progress=100,
                parameters=parameters,
                outcome=result,
                voters=election.voters,
                finished_at=timezone.now(),
            )
        )
        if updated:
            journal.record(
                community=process.community,
                actor=None,
                verb="budget.counted",
                target=process,
                data={
                    "rule": tally.rule,
                    "selected": list(outcome.selected),
                    # The money residents decided (evaluation's budget.money_decided).
                    "funded_fen": round(outcome.cost(election) / explain.FEN),
                },
            )
            _register_results(process, voters=election.voters, funded=len(outcome.selected))
    return bool(updated)


def _register_results(process: Process, *, voters: int, funded: int) -> None:
    """The decision register's row of a counted budget (a recount updates the same row)."""
    from django.urls import reverse

    from gongzhi.core.decisions import register_decision

    slug = process.community.slug
    url = reverse("budget_results", kwargs={"slug": slug, "process_id": process.pk})
    register_decision(
        community_id=process.community_id,
        kind="budget_results",
        decided_on=timezone.localdate(process.voting_until),
        title=process.title,
        source=process,
        url=url,
        basis=[
            {
                "kind": "ballots",
                "title": process.title,
                "url": url,
                "voters": voters,
                "projects_funded": funded,
            },
            {
                "kind": "process",
                "title": process.title,
                "url": reverse("budget_detail", kwargs={"slug": slug, "process_id": process.pk}),
            },
        ],
    )


def pabulib_export(*, process: Process, tally: Tally | None) -> str:
    """The election as a Pabulib ``.pb`` file: anonymous voters numbered 1…n, the official
    outcome in ``selected`` when a count is stored."""
    ideas = list(
        Idea.objects.in_community(process.community_id).filter(
            process=process, status=IdeaStatus.ACCEPTED
        )
    )
    choices = _stored_choices(process)
    vote_type = {
        BallotType.APPROVAL: "approval",
        BallotType.KNAPSACK: "approval",
        BallotType.CUMULATIVE: "cumulative",
        BallotType.RANKED: "ordinal",
    }[BallotType(process.ballot_type)]
    meta = {
        "description": process.title,
        "country": "China",
        "unit": process.community.name,
        "instance": str(process.pk),
        "num_projects": str(len(ideas)),
        "num_votes": str(len(choices)),
        "budget": str(process.budget),
        "vote_type": vote_type,
        "rule": tally.rule if tally else process.rule,
        "date_begin": process.voting_from.date().isoformat(),
        "date_end": process.voting_until.date().isoformat(),
        "min_length": str(process.min_projects),
    }
    if process.max_projects is not None:
        meta["max_length"] = str(process.max_projects)
    if process.ballot_type == BallotType.KNAPSACK:
        meta["max_sum_cost"] = str(process.budget)
    elif process.max_total_cost is not None and vote_type == "approval":
        meta["max_sum_cost"] = str(process.max_total_cost)
    if vote_type == "cumulative":
        meta["max_sum_points"] = str(process.points)
    selected = set(tally.outcome.get("selected", [])) if tally else None
    votes: dict[str, int] = {str(i.pk): 0 for i in ideas}
    ballots = []
    for n, choice in enumerate(choices, start=1):
        ids = tuple(str(p) for p, _points in choice)
        for p in ids:
            votes[p] += 1
        points = tuple(Fraction(k) for _p, k in choice) if vote_type == "cumulative" else None
        ballots.append(pabulib.Ballot(str(n), ids, points))
    columns = ["project_id", "cost", "votes", "name"] + (
        ["selected"] if selected is not None else []
    )
    projects = {}
    for idea in ideas:
        fields = {"votes": str(votes[str(idea.pk)]), "name": idea.title}
        if selected is not None:
            fields["selected"] = "1" if str(idea.pk) in selected else "0"
        projects[str(idea.pk)] = pabulib.Project(str(idea.pk), Fraction(idea.cost or 0), fields)
    vote_columns = ["voter_id", "vote"] + (["points"] if vote_type == "cumulative" else [])
    instance = pabulib.Instance(meta, projects, ballots, columns, vote_columns)
    return pabulib.dumps(instance)


# --- Implementation tracking (项目实施公开) ----------------------------------------------------


def _journal_on(idea: Idea, actor: User, verb: str, data: dict[str, Any] | None = None) -> None:
    journal.record(community=idea.process.community, actor=actor, verb=verb, target=idea, data=data)


def milestone_add(*, actor: User, idea: Idea, title: str, due: date) -> Milestone:
    """Staff plan a step of a funded project's work."""
    _require("budgeting.track", actor, idea)
    title = title.strip()
    if not title:
        raise ValidationError(_("Name the milestone."), code="empty")
    with transaction.atomic():
        milestone = Milestone.objects.in_community(idea.community_id).create(
            idea=idea, title=title, due=due, created_by=actor
        )
        _journal_on(idea, actor, "budget.milestone_added", {"title": title, "due": str(due)})
    return milestone


def milestone_done(
    *, actor: User, idea: Idea, milestone_id: int, done_on: date | None = None
) -> Milestone:
    """Staff mark a milestone reached (once; the date cannot be in the future)."""
    _require("budgeting.track", actor, idea)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError(_("A milestone cannot be reached in the future."), code="future")
    with transaction.atomic():
        milestone = (
            Milestone.objects.in_community(idea.community_id)
            .select_for_update()
            .filter(idea=idea, pk=milestone_id)
            .first()
        )
        if milestone is None:
            raise ValidationError(_("This milestone does not exist."), code="not_found")
        if milestone.done_on is not None:
            raise ValidationError(_("This milestone is already reached."), code="already_done")
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        _journal_on(idea, actor, "budget.milestone_done", {"title": milestone.title})
    return milestone


def progress_report(
    *,
    actor: User,
    idea: Idea,
    progress: int,
    body: str,
    delay_reason: str = "",
    expected_finish: date | None = None,
    photos: Sequence[Any] = (),
) -> ProgressUpdate:
    """Staff report how far a funded project is, with photos; a delay needs its reason. Going
    backwards (a setback) is a delay too. At 100% the project is finished."""
    _require("budgeting.track", actor, idea)
    body, delay_reason = body.strip(), delay_reason.strip()
    if not 0 <= progress <= 100:
        raise ValidationError(_("Progress goes from 0 to 100%."), code="progress")
    if not body:
        raise ValidationError(_("Say what happened since the last report."), code="empty")
    if expected_finish is not None and not delay_reason:
        raise ValidationError(
            _("A new expected date is a delay: give the reason for it."), code="no_reason"
        )
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("At most %(max)d photos.") % {"max": MAX_PHOTOS}, code="too_many_files"
        )
    checked = [check_upload(f, kinds=PHOTOS, max_bytes=MAX_PHOTO_BYTES) for f in photos]
    written: list[Any] = []
    try:
        with transaction.atomic():
            locked = (
                Idea.objects.in_community(idea.community_id).select_for_update().get(pk=idea.pk)
            )
            if locked.progress >= 100:
                raise ValidationError(_("This project is finished."), code="finished")
            if progress < locked.progress and not delay_reason:
                raise ValidationError(
                    _("Progress went back from %(before)d%%: give the reason for the setback.")
                    % {"before": locked.progress},
                    code="no_reason",
                )
            update = ProgressUpdate.objects.in_community(idea.community_id).create(
                idea=locked,
                author=actor,
                progress=progress,
                body=body,
                delay_reason=delay_reason,
                expected_finish=expected_finish,
            )
            for upload in checked:
                store_upload(
                    ProgressPhoto(community_id=idea.community_id, update=update), upload, written
                )
            locked.progress = progress
            locked.save(update_fields=["progress"])
            idea.progress = progress
            data: dict[str, Any] = {"progress": progress}
            if delay_reason:
                data["delayed"] = True
            if checked:
                data["photos"] = len(checked)
            _journal_on(idea, actor, "budget.progress_reported", data)
    except Exception:
        for file in written:
            file.delete(save=False)
        raise
    return update


def spending_record(*, actor: User, idea: Idea, amount: int, spent_on: date, note: str) -> Spending:
    """Staff book money spent on a funded project. Entries are never changed: a correction is a
    new (possibly negative) entry, and the total can never fall below zero."""
    _require("budgeting.track", actor, idea)
    note = note.strip()
    if amount == 0:
        raise ValidationError(_("The amount cannot be 0 yuan."), code="amount")
    if not note:
        raise ValidationError(_("Say what the money paid for."), code="no_note")
    if spent_on > timezone.localdate():
        raise ValidationError(_("Money cannot be spent in the future."), code="future")
    with transaction.atomic():
        Idea.objects.in_community(idea.community_id).select_for_update().get(pk=idea.pk)
        entries = Spending.objects.in_community(idea.community_id)
        total = sum(entries.filter(idea=idea).values_list("amount", flat=True))
        if total + amount < 0:
            raise ValidationError(
                _("A correction cannot take the money spent below 0 yuan (now %(total)d yuan).")
                % {"total": total},
                code="below_zero",
            )
        spending = entries.create(
            idea=idea, amount=amount, spent_on=spent_on, note=note, entered_by=actor
        )
        _journal_on(idea, actor, "budget.spending_recorded", {"amount": amount})
    return spending


def progress_comment(*, actor: User, idea: Idea, body: str) -> ProgressComment:
    """A resident comments on how a funded project is carried out."""
    _require("budgeting.comment_progress", actor, idea)
    body = body.strip()
    if not body:
        raise ValidationError(_("The comment is empty."), code="empty")
    with transaction.atomic():
        comment = ProgressComment.objects.in_community(idea.community_id).create(
            idea=idea, author=actor, body=body
        )
        _journal_on(idea, actor, "budget.progress_commented")
    return comment


def grid_choices(community: Community) -> Any:
    return Grid.objects.in_community(community)


# --- Importing a past election (Pabulib) -----------------------------------------------------

IMPORT_MAX_BYTES = 50 * MB
_IMPORT_TYPES = {"approval": BallotType.APPROVAL, "cumulative": BallotType.CUMULATIVE}
_IMPORT_TYPES["ordinal"] = BallotType.RANKED


def _whole(value: Fraction, what: str) -> int:
    if value.denominator != 1 or value < 0:
        raise ValidationError(
            _("%(what)s must be a whole number of yuan, not %(value)s.")
            % {"what": what, "value": value},
            code="not_whole",
        )
    return int(value)


def pabulib_import(*, actor: User, community: Community, content: bytes) -> Process:
    """A past election from a Pabulib ``.pb`` file, as a closed process whose projects and
    anonymous ballots are stored like any other and counted by the same task: a community can
    keep its earlier budgets, or an auditor recount a published one. All or nothing."""
    _require("budgeting.manage", actor, community)
    if len(content) > IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": IMPORT_MAX_BYTES // MB},
            code="too_large",
        )
    try:
        instance = pabulib.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ValidationError(_("A .pb file must be UTF-8 text."), code="encoding") from exc
    except pabulib.PabulibError as exc:
        # The reason is the parser's own words (English); the line number is what a reader needs.
        raise ValidationError(
            _("This is not a valid Pabulib file (line %(line)s): %(reason)s")
            % {"line": exc.line or "?", "reason": exc.reason},
            code="pabulib",
        ) from exc
    meta = instance.meta
    ballot_type = _IMPORT_TYPES.get(meta.get("vote_type", ""))
    if ballot_type is None:
        raise ValidationError(
            _("Only approval, cumulative and ordinal ballots can be imported."), code="vote_type"
        )
    budget = _whole(_fraction(meta.get("budget", "0")), _("The budget"))
    costs = {pid: _whole(p.cost, p.project_id) for pid, p in instance.projects.items()}
    now = timezone.now()
    # A past election: every phase before the results is over.
    past = {
        "ideas_from": now - timedelta(days=3),
        "review_from": now - timedelta(days=3),
        "voting_from": now - timedelta(days=2),
        "voting_until": now - timedelta(days=1),
        "implementation_from": now + timedelta(days=365),
        "evaluation_from": now + timedelta(days=730),
    }
    title = meta.get("description") or meta.get("unit") or meta.get("instance") or "Pabulib"
    max_length = meta.get("max_length")
    with transaction.atomic():
        process = process_create(
            actor=actor,
            community=community,
            title=str(title)[:200],
            description=_("Imported from a Pabulib file.")
            + " "
            + "; ".join(f"{k}: {v}" for k, v in meta.items())[:4000],
            budget=budget,
            **past,
            ballot_type=ballot_type,
            min_projects=int(meta.get("min_length", "0") or 0),
            max_projects=int(max_length) if max_length else None,
            points=int(_fraction(meta.get("max_sum_points", "10"))),
        )
        ideas = Idea.objects.in_community(community).bulk_create(
            [
                Idea(
                    community=community,
                    process=process,
                    author=None,
                    title=(p.fields.get("name") or p.project_id)[:120],
                    description=p.fields.get("description", "") or p.project_id,
                    estimated_cost=costs[pid],
                    cost=costs[pid],
                    status=IdeaStatus.ACCEPTED,
                    decision_reason=_("Imported from a Pabulib file."),
                    decided_at=now,
                )
                for pid, p in instance.projects.items()
            ]
        )
        idea_of = {pid: idea.pk for pid, idea in zip(instance.projects, ideas, strict=True)}
        Ballot.objects.in_community(community).bulk_create(
            [
                Ballot(
                    community=community,
                    process=process,
                    # No person behind an imported ballot: its slot is the file's voter id.
                    slot=f"pabulib:{b.voter_id}"[:64],
                    choice=[
                        [idea_of[pid], int(b.points[i]) if b.points else 1]
                        for i, pid in enumerate(b.vote)
                    ],
                )
                for b in instance.ballots
            ],
            batch_size=5000,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="budget.imported",
            target=process,
            data={"projects": len(ideas), "ballots": len(instance.ballots)},
        )
        tally_request(actor=actor, process=process)
    return process


def _fraction(text: str) -> Fraction:
    try:
        return Fraction(text.strip().replace(",", "."))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValidationError(
            _("“%(value)s” is not a number.") % {"value": text}, code="number"
        ) from exc
