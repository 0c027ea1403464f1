"""Pages of participatory budgets, under /c/<slug>/budgets/. Parse, call a service or a
selector, render. No page says who voted what; the count runs in a background task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.budgeting import selectors, services
from gongzhi.budgeting.forms import (
    CommentForm,
    DecisionForm,
    IdeaForm,
    MilestoneForm,
    PabulibImportForm,
    PaperSerialForm,
    PaperVoterForm,
    ProcessForm,
    ProgressForm,
    ReviewerForm,
    ReviewForm,
    SpendingForm,
)
from gongzhi.budgeting.models import BallotType, Idea, Process, TallyStatus
from gongzhi.core.actions import Action, perform
from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.deliberation.views import discussion_context

PAGE_SIZE = 20


@require_GET
def process_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    page = paginate_by_ids(
        selectors.process_list(community=community), request.GET.get("page"), PAGE_SIZE
    )
    return render(
        request,
        "budgeting/process_list.html",
        {
            "community": community,
            "page": page,
            "can_manage": rules.has_perm("budgeting.manage", request.user, community),
        },
    )


def _process_form_page(request: HttpRequest, slug: str, process: Process | None) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="budgeting.manage")
    form = ProcessForm(posted(request), instance=process, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            if process is None:
                process = services.process_create(
                    actor=request_user(request), community=community, **form.cleaned_data
                )
                messages.success(request, _("The budgeting process is open."))
            else:
                process = services.process_update(
                    actor=request_user(request), process=process, **form.cleaned_data
                )
                messages.success(request, _("The budgeting process is saved."))
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("budget_detail", slug=slug, process_id=process.pk)
    return render(
        request,
        "budgeting/process_form.html",
        {"community": community, "form": form, "process": process},
    )


@login_required
@require_http_methods(["GET", "POST"])
def process_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _process_form_page(request, slug, None)


@login_required
@require_http_methods(["GET", "POST"])
def process_edit(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="budgeting.manage")
    process = selectors.process_get(community=community, process_id=process_id)
    return _process_form_page(request, slug, process)


@require_GET
def process_detail(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    user = request.user
    return render(
        request,
        "budgeting/process_detail.html",
        {
            "community": process.community,
            "process": process,
            "ideas": list(selectors.ideas_of(process=process)),
            "voters": selectors.voter_count(process=process),
            "tally": selectors.latest_tally(process=process),
            "funded": selectors.funded_projects(process=process),
            "can_manage": rules.has_perm("budgeting.manage", user, process),
            "can_submit": rules.has_perm("budgeting.submit_idea", user, process),
            "can_vote": rules.has_perm("budgeting.vote", user, process),
            "can_count": rules.has_perm("budgeting.count", user, process),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="budgeting.manage")
    process = selectors.process_get(community=community, process_id=process_id)
    form = ReviewerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = member_by_phone(phone=form.cleaned_data["phone"], community=community)
            services.reviewer_assign(actor=request_user(request), process=process, user=person)
        except ValidationError as exc:
            form.add_error("phone", error_text(exc))
        else:
            messages.success(request, _("The resident is on the review panel."))
            return redirect("budget_panel", slug=slug, process_id=process.pk)
    return render(
        request,
        "budgeting/panel.html",
        {
            "community": community,
            "process": process,
            "form": form,
            "panel": selectors.panel_of(process=process),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_submit(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    if not rules.has_perm("budgeting.submit_idea", request.user, process):
        raise PermissionDenied(
            _(
                "Ideas are taken from verified residents of this budget's area while it collects ideas."
            )
        )
    form = IdeaForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        community=process.community,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.idea_submit(
                actor=request_user(request),
                process=process,
                title=data["title"],
                description=data["description"],
                estimated_cost=data["estimated_cost"],
                location=data["location"],
                building=data["building"],
                photos=data.get("photos") or [],
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request, _("Your idea is submitted. The review panel will look at it.")
            )
            return redirect("budget_idea", slug=slug, process_id=process.pk, idea_id=idea.pk)
    return render(
        request,
        "budgeting/idea_form.html",
        {"community": process.community, "process": process, "form": form},
    )


@require_GET
def idea_detail(request: HttpRequest, slug: str, process_id: int, idea_id: int) -> HttpResponse:
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    idea = selectors.idea_get(process=process, idea_id=idea_id)
    user = request.user
    can_review = rules.has_perm("budgeting.review", user, process)
    can_decide = rules.has_perm("budgeting.decide", user, process)
    # The panel's working notes are for the panel and staff; the decision is public.
    show_reviews = can_review or rules.has_perm("budgeting.manage", user, process)
    return render(
        request,
        "budgeting/idea_detail.html",
        {
            "community": process.community,
            "process": process,
            "idea": idea,
            "photos": selectors.photos_of(idea=idea),
            "is_funded": idea.pk in selectors.funded_ids(process=process),
            "reviews": selectors.reviews_of(idea=idea) if show_reviews else None,
            "review_form": ReviewForm() if can_review and idea.status == "submitted" else None,
            "decision_form": DecisionForm(initial={"cost": idea.estimated_cost})
            if can_decide and idea.status == "submitted"
            else None,
            **discussion_context(request, idea),
        },
    )


def idea_subject(request: HttpRequest, slug: str, process_id: int, idea_id: int) -> Idea:
    """An idea as the subject of its discussion (``deliberation.urls.discussion_urls``)."""
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    return selectors.idea_get(process=process, idea_id=idea_id)


def _idea_post(request: HttpRequest, slug: str, process_id: int, idea_id: int):
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    return process, selectors.idea_get(process=process, idea_id=idea_id)


def _idea_url(slug: str, idea: Idea) -> str:
    return reverse(
        "budget_idea", kwargs={"slug": slug, "process_id": idea.process_id, "idea_id": idea.pk}
    )


@login_required
@require_POST
def idea_review(request: HttpRequest, slug: str, process_id: int, idea_id: int) -> HttpResponse:
    _process, idea = _idea_post(request, slug, process_id, idea_id)
    return perform(request, IDEA_ACTIONS["review"], idea, back=_idea_url(slug, idea))


@login_required
@require_POST
def idea_decide(request: HttpRequest, slug: str, process_id: int, idea_id: int) -> HttpResponse:
    _process, idea = _idea_post(request, slug, process_id, idea_id)
    return perform(request, IDEA_ACTIONS["decide"], idea, back=_idea_url(slug, idea))


#: The reviewers' and staff's buttons on an idea's page: the form, the service, what to say.
IDEA_ACTIONS: dict[str, Action[Idea]] = {
    "review": Action(
        form=ReviewForm,
        invalid=gettext_lazy("Give both scores (1–5), a cost and your reasons."),
        act=lambda u, idea, d: services.review_submit(actor=u, idea=idea, **d),
        done=gettext_lazy("Your review is saved."),
    ),
    "decide": Action(
        form=DecisionForm,
        invalid=gettext_lazy("Choose a decision and give the public reasons."),
        act=lambda u, idea, d: services.idea_decide(
            actor=u,
            idea=idea,
            accept=d["decision"] == "accept",
            cost=d["cost"],
            reason=d["reason"],
        ),
        done=gettext_lazy("The decision is published."),
    ),
}


@require_GET
def photo_file(
    request: HttpRequest, slug: str, process_id: int, idea_id: int, photo_id: int
) -> FileResponse:
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    idea = selectors.idea_get(process=process, idea_id=idea_id)
    return serve_upload(selectors.photo_get(idea=idea, photo_id=photo_id))


def _read_ballot(process: Process, data) -> tuple[list[int], list[int] | None]:
    """The ballot form: ticks (``project``), points (``points-<id>``) or ranks (``rank-<id>``)."""

    def number(text: str) -> int | None:
        text = (text or "").strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValidationError(_("Write whole numbers only.")) from None

    if process.ballot_type == BallotType.CUMULATIVE:
        pairs = [
            (int(key[7:]), number(value))
            for key, value in data.items()
            if key.startswith("points-") and key[7:].isdigit()
        ]
        given = [(p, n) for p, n in pairs if n]
        return [p for p, _n in given], [n for _p, n in given]
    if process.ballot_type == BallotType.RANKED:
        ranks = [
            (number(value), int(key[5:]))
            for key, value in data.items()
            if key.startswith("rank-") and key[5:].isdigit()
        ]
        ranked = sorted((r, p) for r, p in ranks if r is not None)
        if len({r for r, _p in ranked}) != len(ranked):
            raise ValidationError(
                _("Each rank can be given only once: two projects have the same rank."),
                code="repeated_rank",
            )
        return [p for _r, p in ranked], None
    projects = []
    for value in data.getlist("project"):
        if not value.isdigit():
            raise ValidationError(_("Project %(id)s is not on this ballot.") % {"id": value})
        projects.append(int(value))
    return projects, None


@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    """The ballot. "Update" shows the running total (no JavaScript needed); "Vote" casts."""
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    projects = selectors.projects_of(process=process)
    # A project on the ballot has its cost set when it was accepted.
    costs = {p.pk: p.cost or 0 for p in projects}
    can_vote = rules.has_perm("budgeting.vote", request.user, process)
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        try:
            chosen, points = _read_ballot(process, request.POST)
        except ValidationError as exc:
            chosen, points, error = [], None, error_text(exc)
        if error is None and request.POST.get("action") == "cast":
            try:
                changed = services.ballot_cast(
                    actor=request_user(request), process=process, projects=chosen, points=points
                )
            except (ValidationError, PermissionDenied) as exc:
                error = error_text(exc)
            else:
                messages.success(
                    request,
                    _("Your new ballot replaces the earlier one.")
                    if changed
                    else _("Your ballot is cast. You can change it until voting closes."),
                )
                return redirect("budget_ballot", slug=slug, process_id=process.pk)
        elif error is None:
            try:
                services.ballot_check(process, costs, chosen, points)
            except ValidationError as exc:
                error = error_text(exc)
    else:
        stored = services.my_ballot(process=process, voter=request.user) or []
        chosen = [p for p, _n in stored]
        points = [n for _p, n in stored]
    given = dict(zip(chosen, points or [], strict=False))
    total = sum(costs.get(p, 0) for p in chosen)
    rows = [
        {
            "project": p,
            "chosen": p.pk in given or p.pk in chosen,
            "points": given.get(p.pk, ""),
            "rank": chosen.index(p.pk) + 1 if p.pk in chosen else "",
        }
        for p in projects
    ]
    return render(
        request,
        "budgeting/ballot.html",
        {
            "community": process.community,
            "process": process,
            "rows": rows,
            "total": total,
            "left": process.budget - total,
            "points_given": sum(n for n in (points or []) if isinstance(n, int)),
            "error": error,
            "can_vote": can_vote,
            "has_voted": request.method == "GET" and bool(chosen),
        },
        status=400 if error and request.POST.get("action") == "cast" else 200,
    )


@login_required
@require_POST
def count(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    try:
        services.tally_request(actor=request_user(request), process=process)
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The count has started; the results appear when it is done."))
    return redirect("budget_results", slug=slug, process_id=process.pk)


@require_GET
def results(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    tally = selectors.latest_result(process=process)
    latest = selectors.latest_tally(process=process)
    rows: list[dict] = []
    if tally is not None:
        outcome = tally.outcome.get("projects", {})
        for project in selectors.projects_of(process=process):
            row = outcome.get(str(project.pk))
            if row is None:
                continue
            rows.append(
                {
                    "project": project,
                    **row,
                    "why": selectors.reason_text(row["reason"], row.get("params", {})),
                }
            )
        rows.sort(key=lambda r: (not r["funded"], r["order"] or 0, -r["votes"]))
    return render(
        request,
        "budgeting/results.html",
        {
            "community": process.community,
            "process": process,
            "tally": tally,
            "pending": latest is not None and latest.status == TallyStatus.PENDING,
            "latest": latest,
            "rows": rows,
            "can_count": rules.has_perm("budgeting.count", request.user, process),
            "can_manage": rules.has_perm("budgeting.manage", request.user, process),
        },
    )


@login_required
@require_GET
def export_pb(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="budgeting.manage")
    process = selectors.process_get(community=community, process_id=process_id)
    text = services.pabulib_export(process=process, tally=selectors.latest_result(process=process))
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="budget-{process.pk}.pb"'
    return response


# --- Paper ballots ---------------------------------------------------------------------------


def _staff_process(request: HttpRequest, slug: str, process_id: int) -> Process:
    community = community_get(slug=slug, user=request.user, perm="budgeting.manage")
    return selectors.process_get(community=community, process_id=process_id)


@login_required
@require_GET
def paper(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    """The polling table's page: hand out paper ballots, and type them in twice."""
    process = _staff_process(request, slug, process_id)
    return render(
        request,
        "budgeting/paper.html",
        {
            "community": process.community,
            "process": process,
            "projects": selectors.projects_of(process=process),
            "voter_form": PaperVoterForm(),
            "serial_form": PaperSerialForm(),
            "can_issue": rules.has_perm("budgeting.paper_issue", request.user, process),
            "can_enter": rules.has_perm("budgeting.paper_enter", request.user, process),
            "counted": selectors.paper_count(process=process),
            "entries": selectors.paper_entries_of(process=process)[:50],
        },
    )


@login_required
@require_POST
def paper_issue(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    process = _staff_process(request, slug, process_id)
    form = PaperVoterForm(request.POST)
    try:
        phone = form.cleaned_data["phone"] if form.is_valid() else ""
        person = member_by_phone(phone=phone, community=process.community)
        services.paper_voter_mark(actor=request_user(request), process=process, voter=person)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("Marked: this resident has a paper ballot and cannot vote online.")
        )
    return redirect("budget_paper", slug=slug, process_id=process.pk)


@login_required
@require_POST
def paper_enter(request: HttpRequest, slug: str, process_id: int) -> HttpResponse:
    process = _staff_process(request, slug, process_id)
    form = PaperSerialForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Type the serial number printed on the ballot."))
        chosen, points = _read_ballot(process, request.POST)
        result = services.paper_ballot_enter(
            actor=request_user(request),
            process=process,
            serial=form.cleaned_data["serial"],
            projects=chosen,
            points=points,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        if result.confirmed:
            messages.success(request, _("Both readings agree: the paper ballot is counted."))
        elif result.conflict:
            messages.error(request, _("The two readings differ: check the paper ballot together."))
        else:
            messages.success(request, _("Entered. A second person must now enter the same ballot."))
    return redirect("budget_paper", slug=slug, process_id=process.pk)


# --- Implementation tracking -----------------------------------------------------------------


def _funded(request: HttpRequest, slug: str, process_id: int, idea_id: int):
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    return selectors.funded_get(process=process, idea_id=idea_id)


@require_GET
def progress(request: HttpRequest, slug: str, process_id: int, idea_id: int) -> HttpResponse:
    """A funded project's public record: progress, milestones, spending, delays, comments."""
    idea = _funded(request, slug, process_id, idea_id)
    user = request.user
    spendings = list(selectors.spendings_of(idea=idea))
    spent = sum(s.amount for s in spendings)
    can_track = rules.has_perm("budgeting.track", user, idea)
    return render(
        request,
        "budgeting/progress.html",
        {
            "community": idea.process.community,
            "process": idea.process,
            "idea": idea,
            "milestones": list(selectors.milestones_of(idea=idea)),
            "updates": list(selectors.updates_of(idea=idea)),
            "spendings": spendings,
            "spent": spent,
            "over": max(0, spent - (idea.cost or 0)),
            "comments": list(selectors.progress_comments_of(idea=idea)),
            "can_track": can_track,
            "progress_form": ProgressForm(initial={"progress": idea.progress})
            if can_track and idea.progress < 100
            else None,
            "milestone_form": MilestoneForm() if can_track else None,
            "spending_form": SpendingForm() if can_track else None,
            # Its own ids: the progress report has a ``body`` field too.
            "comment_form": CommentForm(auto_id="comment_%s")
            if rules.has_perm("budgeting.comment_progress", user, idea)
            else None,
        },
    )


#: The posts on a funded project's page (staff report, plan and book; residents comment): the
#: form, the service, what to say. Each goes back to the project's page.
TRACKING: dict[str, Action[Idea]] = {
    "report": Action(
        form=ProgressForm,
        invalid=gettext_lazy("Give the progress (0–100%) and say what happened."),
        act=lambda u, idea, d: services.progress_report(
            actor=u,
            idea=idea,
            progress=d["progress"],
            body=d["body"],
            delay_reason=d["delay_reason"],
            expected_finish=d["expected_finish"],
            photos=d.get("photos") or [],
        ),
        done=gettext_lazy("The progress report is published."),
    ),
    "milestone_add": Action(
        form=MilestoneForm,
        invalid=gettext_lazy("Name the milestone and give the date it is planned for."),
        act=lambda u, idea, d: services.milestone_add(actor=u, idea=idea, **d),
        done=gettext_lazy("The milestone is added."),
    ),
    "milestone_done": Action(
        act=lambda u, idea, d: services.milestone_done(
            actor=u, idea=idea, milestone_id=d["milestone_id"]
        ),
        done=gettext_lazy("The milestone is marked reached."),
    ),
    "spending": Action(
        form=SpendingForm,
        invalid=gettext_lazy("Give the amount in whole yuan, the date and what it paid for."),
        act=lambda u, idea, d: services.spending_record(actor=u, idea=idea, **d),
        done=gettext_lazy("The spending is booked."),
    ),
    "comment": Action(
        form=CommentForm,
        invalid=gettext_lazy("Write a comment of at most 2000 characters."),
        act=lambda u, idea, d: services.progress_comment(actor=u, idea=idea, body=d["body"]),
    ),
}


def _tracking(name: str) -> Callable[..., HttpResponse]:
    """The view of ``TRACKING[name]``; URL arguments past the project's (a milestone's id) go
    to the action with the form's data."""

    @login_required
    @require_POST
    def view(
        request: HttpRequest, slug: str, process_id: int, idea_id: int, **more: Any
    ) -> HttpResponse:
        idea = _funded(request, slug, process_id, idea_id)
        back = reverse(
            "budget_progress",
            kwargs={"slug": slug, "process_id": idea.process_id, "idea_id": idea.pk},
        )
        return perform(request, TRACKING[name], idea, back=back, extra=more)

    view.__name__ = view.__qualname__ = name
    return view


progress_report = _tracking("report")
milestone_add = _tracking("milestone_add")
milestone_done = _tracking("milestone_done")
spending_add = _tracking("spending")
progress_comment = _tracking("comment")


@require_GET
def progress_photo(
    request: HttpRequest, slug: str, process_id: int, idea_id: int, photo_id: int
) -> FileResponse:
    idea = _funded(request, slug, process_id, idea_id)
    return serve_upload(selectors.progress_photo_get(idea=idea, photo_id=photo_id))


@login_required
@require_http_methods(["GET", "POST"])
def pabulib_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff bring in a past election from a Pabulib file; it is counted in the background."""
    community = community_get(slug=slug, user=request.user, perm="budgeting.manage")
    form = PabulibImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            process = services.pabulib_import(
                actor=request_user(request),
                community=community,
                content=upload.read(services.IMPORT_MAX_BYTES + 1),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("file", error_text(exc))
        else:
            messages.success(request, _("Imported. The ballots are being counted."))
            return redirect("budget_results", slug=slug, process_id=process.pk)
    return render(
        request,
        "budgeting/import.html",
        {"community": community, "form": form},
        status=400 if request.method == "POST" else 200,
    )
