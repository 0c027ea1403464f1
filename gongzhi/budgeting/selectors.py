"""Reads that the budgeting pages and the API share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.budgeting.models import (
    Ballot,
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
    Spending,
    Tally,
    TallyStatus,
)
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def process_list(*, community: Community) -> QuerySet[Process]:
    return Process.objects.in_community(community).select_related("grid")


def process_get(*, community: Community, process_id: int) -> Process:
    process = (
        Process.objects.in_community(community).select_related("grid").filter(pk=process_id).first()
    )
    if process is None:
        raise Http404
    process.community = community
    return process


def process_at(*, slug: str, process_id: int, user: Any) -> Process:
    return process_get(community=community_get(slug=slug, user=user), process_id=process_id)


def ideas_of(*, process: Process, status: str | None = None) -> QuerySet[Idea]:
    ideas = (
        Idea.objects.in_community(process.community_id)
        .filter(process=process)
        .select_related("author", "building")
        .annotate(comment_count=Count("comments", distinct=True))
    )
    return ideas.filter(status=status) if status else ideas


def projects_of(*, process: Process) -> list[Idea]:
    return list(ideas_of(process=process, status=IdeaStatus.ACCEPTED))


def idea_get(*, process: Process, idea_id: int) -> Idea:
    """An idea of the process, with ``process`` and ``community`` loaded (its discussion's
    permissions and address need them)."""
    idea = (
        Idea.objects.in_community(process.community_id)
        .select_related("author", "building")
        .filter(process=process, pk=idea_id)
        .first()
    )
    if idea is None:
        raise Http404
    idea.process = process
    idea.community = process.community
    return idea


def photos_of(*, idea: Idea) -> QuerySet[IdeaPhoto]:
    return IdeaPhoto.objects.in_community(idea.community_id).filter(idea=idea)


def photo_get(*, idea: Idea, photo_id: int) -> IdeaPhoto:
    photo = photos_of(idea=idea).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def reviews_of(*, idea: Idea) -> QuerySet[Review]:
    return (
        Review.objects.in_community(idea.community_id).filter(idea=idea).select_related("reviewer")
    )


def panel_of(*, process: Process) -> QuerySet[Reviewer]:
    return (
        Reviewer.objects.in_community(process.community_id)
        .filter(process=process)
        .select_related("user")
    )


def latest_tally(*, process: Process) -> Tally | None:
    return Tally.objects.in_community(process.community_id).filter(process=process).first()


def latest_result(*, process: Process) -> Tally | None:
    return (
        Tally.objects.in_community(process.community_id)
        .filter(process=process, status=TallyStatus.DONE)
        .first()
    )


def voter_count(*, process: Process) -> int:
    return Participation.objects.in_community(process.community_id).filter(process=process).count()


def reason_text(code: str, params: dict[str, str]) -> str:
    """Why a project was or was not funded, in the reader's language (codes from explain.py)."""
    texts = {
        "funded_greedy": _("Funded: it had more votes per yuan than the projects left, and fit."),
        "funded_points": _("Funded: it had more points than the projects left, and fit."),
        "funded_phragmen": _("Funded: its supporters' share of the budget covered it in time."),
        "funded_mes": _(
            "Funded: its %(payers)s supporters shared the cost; none paid more than %(most)s yuan."
        ),
        "funded_completion": _("Funded from the money left over after equal shares."),
        "no_votes": _("Not funded: nobody voted for it."),
        "over_budget": _("Not funded: it costs more than the whole budget (%(budget)s yuan)."),
        "not_enough_left": _(
            "Not funded: not enough budget left (%(left)s yuan) when its turn came."
        ),
        "mes_supporters_short": _(
            "Not funded: its %(supporters)s supporters could not cover it; they had "
            "%(pool)s yuan of their equal shares left between them."
        ),
        "phragmen_stopped": _(
            "Not funded: the count stopped when the next project did not fit in the budget."
        ),
    }
    return str(texts.get(code, code)) % params


# --- Implementation tracking ------------------------------------------------------------------


def funded_ids(*, process: Process) -> set[int]:
    """The projects the latest finished count funded (cached on the process for one request)."""
    cached = getattr(process, "_funded_ids", None)
    if cached is None:
        tally = latest_result(process=process)
        selected = tally.outcome.get("selected", []) if tally is not None else []
        cached = {int(p) for p in selected}
        process._funded_ids = cached  # type: ignore[attr-defined]
    return cached


class Spent(TypedDict):
    """What ``funded_projects`` adds to each project: the money spent on it so far."""

    spent: int


def funded_projects(*, process: Process) -> list[WithAnnotations[Idea, Spent]]:
    """Funded projects with the money spent so far (``spent``), in ballot order."""
    ids = funded_ids(process=process)
    if not ids:
        return []
    projects: list[WithAnnotations[Idea, Spent]] = list(
        Idea.objects.in_community(process.community_id)
        .filter(process=process, pk__in=ids)
        .annotate(spent=Sum("spendings__amount"))
    )
    for project in projects:
        project.process = process
        project.spent = project.spent or 0
    return projects


def funded_get(*, process: Process, idea_id: int) -> Idea:
    """A funded project, or 404 for any other idea (its tracking page does not exist)."""
    idea = idea_get(process=process, idea_id=idea_id)
    if idea.pk not in funded_ids(process=process):
        raise Http404
    return idea


def milestones_of(*, idea: Idea) -> QuerySet[Milestone]:
    return Milestone.objects.in_community(idea.community_id).filter(idea=idea)


def updates_of(*, idea: Idea) -> QuerySet[ProgressUpdate]:
    photos = ProgressPhoto.objects.in_community(idea.community_id).order_by("pk")
    return (
        ProgressUpdate.objects.in_community(idea.community_id)
        .filter(idea=idea)
        .select_related("author")
        .prefetch_related(Prefetch("photos", queryset=photos))
    )


def spendings_of(*, idea: Idea) -> QuerySet[Spending]:
    return Spending.objects.in_community(idea.community_id).filter(idea=idea)


def progress_comments_of(*, idea: Idea) -> QuerySet[ProgressComment]:
    return (
        ProgressComment.objects.in_community(idea.community_id)
        .filter(idea=idea)
        .select_related("author")
    )


def progress_photo_get(*, idea: Idea, photo_id: int) -> ProgressPhoto:
    photo = (
        ProgressPhoto.objects.in_community(idea.community_id)
        .filter(update__idea=idea, pk=photo_id)
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def paper_count(*, process: Process) -> int:
    return (
        Ballot.objects.in_community(process.community_id)
        .filter(process=process, channel="paper")
        .count()
    )


def paper_entries_of(*, process: Process) -> QuerySet[PaperEntry]:
    return (
        PaperEntry.objects.in_community(process.community_id)
        .filter(process=process)
        .select_related("entered_by")
        .order_by("-entered_at", "-pk")
    )
