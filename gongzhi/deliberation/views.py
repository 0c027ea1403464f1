"""Pages of the deliberation hall. Parse, call a service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.actions import Action, perform
from gongzhi.core.files import serve_upload
from gongzhi.core.http import posted, request_user
from gongzhi.core.models import Building, Grid
from gongzhi.core.natural import naturally_sorted
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.forms import (
    AnswerForm,
    AppealForm,
    CommentForm,
    DecideForm,
    DismissForm,
    FlagForm,
    HideForm,
    ProposalForm,
    ReactionForm,
)
from gongzhi.deliberation.models import Category, Comment, Proposal, Status

PAGE_SIZE = 20


@require_GET
def proposal_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    order = request.GET.get("order", "new")
    status = request.GET.get("status", "")
    queryset = selectors.proposal_list(
        community=community,
        viewer=request.user,
        status=status,
        order=order,
        mine=request.GET.get("mine") == "1",
    )
    page = paginate_by_ids(queryset, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "deliberation/proposal_list.html",
        {
            "community": community,
            "page": page,
            "order": order,
            "status": status,
            "statuses": [s for s in Status if s not in (Status.DRAFT, Status.WITHDRAWN)],
            "can_create": rules.has_perm("deliberation.create_proposal", request.user, community),
            "can_moderate": rules.has_perm("deliberation.moderate", request.user, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    if not rules.has_perm("deliberation.create_proposal", request.user, community):
        messages.error(request, _("Join this community to raise a proposal."))
        return redirect("community_home", slug=slug)
    categories = list(Category.objects.in_community(community).order_by("name"))
    grids = list(Grid.objects.in_community(community).order_by("name"))
    buildings = naturally_sorted(Building.objects.in_community(community), key=lambda b: b.name)
    form = ProposalForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        categories=categories,
        grids=grids,
        buildings=buildings,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _sep, place_id = (data.get("place") or "").partition(":")
        try:
            proposal = services.proposal_create(
                actor=request_user(request),
                community=community,
                title=data["title"],
                body=data["body"],
                category=next((c for c in categories if str(c.pk) == data["category"]), None),
                scope=data["scope"],
                grid=next((g for g in grids if kind == "grid" and str(g.pk) == place_id), None),
                building=next(
                    (b for b in buildings if kind == "building" and str(b.pk) == place_id), None
                ),
                publish=data["publish"],
                attachments=data.get("attachments") or [],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                _("Your proposal is published.") if data["publish"] else _("Saved as a draft."),
            )
            return redirect("proposal_detail", slug=slug, proposal_id=proposal.pk)
    return render(
        request, "deliberation/proposal_form.html", {"community": community, "form": form}
    )


@require_GET
def proposal_detail(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    proposal = selectors.proposal_get(
        community=community, viewer=request.user, proposal_id=proposal_id
    )
    user = request.user
    discussion = discussion_context(request, proposal, shown=not proposal.masked)
    _moderation_context(proposal, user, discussion["moderation"], discussion["is_moderator"])
    return render(
        request,
        "deliberation/proposal_detail.html",
        {
            "community": community,
            "proposal": proposal,
            "events": proposal.events.select_related("actor").all(),
            "attachments": selectors.attachments(proposal=proposal),
            "revisions": proposal.revisions.count(),
            "i_support": selectors.supports(viewer=user, proposal=proposal),
            "can_support": rules.has_perm("deliberation.support_proposal", user, proposal),
            "can_answer": rules.has_perm("deliberation.answer_proposal", user, proposal),
            "can_put_to_vote": rules.has_perm("voting.manage_votes", user, community)
            and proposal.status != "draft",
            "answer_form": AnswerForm(
                bodies=_answering_bodies(community)
                if rules.has_perm("deliberation.answer_proposal", user, proposal)
                else []
            ),
            "progress": min(100, round(100 * proposal.support_count / proposal.support_threshold))
            if proposal.support_threshold
            else 0,
            **discussion,
        },
    )


# --- A subject's discussion -------------------------------------------------------------------
#
# A proposal's page and another app's (a budgeting idea's) show the same discussion: the
# partial ``deliberation/includes/discussion.html`` with ``discussion_context``, and the routes
# of ``discussion_urls`` under the subject's address. The subject's app gives a function that
# fetches the subject for the viewer (404 if they may not see it), with ``community`` loaded.

SubjectGetter = Callable[..., Any]


def discussion_context(request: HttpRequest, subject: Any, *, shown: bool = True) -> dict:
    """What ``deliberation/includes/discussion.html`` needs for ``subject``: one page of its
    threads with each comment's moderation state, who may comment and moderate, the forms.
    ``shown=False`` (a subject hidden from the viewer) loads no comments."""
    user = request.user
    can_comment = rules.has_perm(subject.COMMENT_PERMISSION, user, subject)
    is_moderator = rules.has_perm("deliberation.moderate", user, subject.community)
    moderation = selectors.moderation_on(subject=subject, viewer=user, is_moderator=is_moderator)
    comment_page = None
    threads: list = []
    if shown:
        comment_page = selectors.comment_threads(subject, viewer=user, page=request.GET.get("page"))
        threads = list(comment_page.object_list)
    for comment in threads:
        for c in [comment, *comment.thread_replies]:
            _moderation_context(c, user, moderation, is_moderator)
    return {
        "threads": threads,
        "comment_page": comment_page,
        "comments_url": f"{subject.discussion_url()}comments/",
        "can_comment": can_comment,
        # Reacting to a shown comment comes to the same as commenting here.
        "can_react": can_comment,
        "is_moderator": is_moderator,
        "moderation": moderation,
        "comment_form": CommentForm(),
        "flag_form": FlagForm(),
    }


def _moderation_context(item, user, moderation, is_moderator: bool) -> None:
    """What the page shows about moderation on one item, kept on the item for the template."""
    key = selectors.key_of(item)
    is_author = user.is_authenticated and item.author_id == user.pk
    item.moderation_history = moderation.history.get(key, [])
    item.open_flags = moderation.open_flags.get(key, 0)
    item.appeal = moderation.appeals.get(key)
    item.flagged_by_me = key in moderation.flagged_by_me
    item.can_flag = (
        user.is_authenticated
        and not is_author
        and item.hidden_at is None
        and not is_moderator
        and not item.flagged_by_me
    )
    item.can_appeal = is_author and item.hidden_at is not None and item.appeal is None


def _act(request: HttpRequest, slug: str, proposal_id: int) -> tuple[Proposal, str]:
    community = community_get(slug=slug, user=request.user)
    proposal = selectors.proposal_get(
        community=community, viewer=request.user, proposal_id=proposal_id
    )
    return proposal, f"/c/{slug}/proposals/{proposal.pk}/"


@login_required
@require_POST
def proposal_support(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    proposal, back = _act(request, slug, proposal_id)
    try:
        if request.POST.get("withdraw") == "1":
            services.proposal_unsupport(actor=request_user(request), proposal=proposal)
            messages.success(request, _("Your support is withdrawn."))
        else:
            services.proposal_support(actor=request_user(request), proposal=proposal)
            messages.success(request, _("Thank you for your support."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(back)


@login_required
@require_POST
def proposal_follow(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    proposal, back = _act(request, slug, proposal_id)
    services.proposal_follow(
        actor=request_user(request), proposal=proposal, follow=request.POST.get("follow") != "0"
    )
    return redirect(back)


@login_required
@require_POST
def comment_add(request: HttpRequest, get_subject: SubjectGetter, **kwargs: Any) -> HttpResponse:
    subject = get_subject(request, **kwargs)
    back = subject.discussion_url()
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment of at most 2000 characters."))
        return redirect(back)
    parent = None
    if form.cleaned_data.get("parent"):
        parent = selectors.comment_get(
            subject=subject, viewer=request.user, comment_id=form.cleaned_data["parent"]
        )
    try:
        comment = services.comment_add(
            actor=request_user(request),
            subject=subject,
            body=form.cleaned_data["body"],
            parent=parent,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    return redirect(_comment_url(back, comment))


def _comment_url(subject_url: str, comment: Comment) -> str:
    """Where a comment is shown: its thread's page of the discussion, at the comment."""
    page = selectors.thread_page_of(comment)
    return f"{subject_url}{f'?page={page}' if page > 1 else ''}#comment-{comment.pk}"


def _answering_bodies(community: Any) -> list[tuple[int, str]]:
    """The bodies whose charter lets them answer proposals (the hall's answer may name one)."""
    from gongzhi.bodies.selectors import bodies_with_power

    return bodies_with_power(community, "answer_proposals")


@login_required
@require_POST
def proposal_answer(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    proposal, back = _act(request, slug, proposal_id)
    form = AnswerForm(request.POST, bodies=_answering_bodies(proposal.community))
    if form.is_valid():
        data = form.cleaned_data
        target = None
        if data.get("merged_into"):
            target = (
                Proposal.objects.in_community(proposal.community_id)
                .filter(pk=data["merged_into"])
                .first()
            )
        try:
            services.proposal_transition(
                actor=request_user(request),
                proposal=proposal,
                to=data["to"],
                reason=data["reason"],
                merged_into=target,
                body_id=data.get("body"),
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("The decision is published on the proposal's timeline."))
    else:
        messages.error(request, _("Choose a decision."))
    return redirect(back)


# --- Moderation ------------------------------------------------------------------------------


def proposal_subject(request: HttpRequest, slug: str, proposal_id: int) -> Proposal:
    """The hall's own subject getter: a proposal the viewer may see."""
    community = community_get(slug=slug, user=request.user)
    return selectors.proposal_get(community=community, viewer=request.user, proposal_id=proposal_id)


def _item(
    request: HttpRequest, get_subject: SubjectGetter, comment_id: int | None, kwargs: dict
) -> tuple[Proposal | Comment, str]:
    """The proposal (``comment_id`` None, from the hall's own routes) or a comment on the
    subject, and where to go back to afterwards."""
    subject = get_subject(request, **kwargs)
    back = subject.discussion_url()
    item: Proposal | Comment = subject
    if comment_id is not None:
        item = selectors.comment_get(subject=subject, viewer=request.user, comment_id=comment_id)
        back = _comment_url(back, item)
    if request.POST.get("back") == "queue":
        back = f"/c/{subject.community.slug}/proposals/moderation/"
    return item, back


def _refused(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


REFUSED = (ValidationError, PermissionDenied)

#: The moderation buttons under a proposal or a comment: the form, the service, what to say.
ITEM_ACTIONS: dict[str, Action[Proposal | Comment]] = {
    "flag": Action(
        form=FlagForm,
        invalid=gettext_lazy("Choose a reason."),
        act=lambda u, item, d: services.flag_add(
            actor=u, item=item, reason=d["reason"], note=d["note"]
        ),
        done=gettext_lazy("Thank you: the moderators will look at it."),
        refused=REFUSED,
    ),
    "hide": Action(
        form=HideForm,
        form_required=False,  # the reason is optional
        act=lambda u, item, d: services.item_hide(actor=u, item=item, reason=d.get("reason", "")),
        done=gettext_lazy("Hidden. Its author is told why."),
        refused=REFUSED,
    ),
    "dismiss": Action(
        form=DismissForm,
        form_required=False,
        act=lambda u, item, d: services.flags_dismiss(
            actor=u, item=item, reason=d.get("reason", "")
        ),
        done=gettext_lazy("The flags are dismissed."),
        refused=REFUSED,
    ),
    "appeal": Action(
        form=AppealForm,
        invalid=gettext_lazy("Say why the moderators should look again."),
        act=lambda u, item, d: services.appeal_add(actor=u, item=item, text=d["text"]),
        done=gettext_lazy("Your appeal is sent: a moderator will decide."),
        refused=REFUSED,
    ),
}


def _item_action(name: str) -> Callable[..., HttpResponse]:
    """The view of ``ITEM_ACTIONS[name]``, on a proposal (from the hall's own routes) or on a
    comment of any subject; it goes back to where the button was."""

    @login_required
    @require_POST
    def view(
        request: HttpRequest,
        get_subject: SubjectGetter = proposal_subject,
        comment_id: int | None = None,
        **kwargs: Any,
    ) -> HttpResponse:
        item, back = _item(request, get_subject, comment_id, kwargs)
        return perform(request, ITEM_ACTIONS[name], item, back=back)

    view.__name__ = view.__qualname__ = f"item_{name}"
    return view


item_flag = _item_action("flag")
item_hide = _item_action("hide")
item_dismiss_flags = _item_action("dismiss")
item_appeal = _item_action("appeal")


@login_required
@require_GET
def moderation_queue(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="deliberation.moderate")
    queue = selectors.moderation_queue(community=community)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deliberation/moderation_queue.html",
        {
            "community": community,
            "page": page,
            "hide_form": HideForm(),
            "decide_form": DecideForm(),
        },
    )


@login_required
@require_POST
def appeal_decide(request: HttpRequest, slug: str, appeal_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="deliberation.moderate")
    appeal = selectors.appeal_get(community=community, viewer=request.user, appeal_id=appeal_id)
    back = reverse("moderation_queue", kwargs={"slug": slug})
    return perform(request, APPEAL_DECIDE, appeal, back=back)


APPEAL_DECIDE: Action[Any] = Action(
    form=DecideForm,
    invalid=gettext_lazy("Choose a decision and give the reason."),
    act=lambda u, appeal, d: services.appeal_decide(
        actor=u, appeal=appeal, restore=d["restore"], reason=d["reason"]
    ),
    done=gettext_lazy("The appeal is decided. Its author is told why."),
    refused=REFUSED,
)


# --- Reactions and attachments ----------------------------------------------------------------


@login_required
@require_POST
def reaction_toggle(
    request: HttpRequest, get_subject: SubjectGetter, comment_id: int, **kwargs: Any
) -> HttpResponse:
    comment, back = _item(request, get_subject, comment_id, kwargs)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.reaction_toggle(
            actor=request_user(request),
            comment=comment,  # type: ignore[arg-type]
            kind=form.cleaned_data["kind"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect(back)


@require_GET
def attachment_file(
    request: HttpRequest, slug: str, proposal_id: int, attachment_id: int
) -> FileResponse:
    """A proposal's file, for whoever may see the proposal (and not when it is hidden to them).
    Photos show inline; PDFs download (``core.files``)."""
    community = community_get(slug=slug, user=request.user)
    proposal = selectors.proposal_get(
        community=community, viewer=request.user, proposal_id=proposal_id
    )
    attachment = selectors.attachment_get(proposal=proposal, attachment_id=attachment_id)
    return serve_upload(attachment, download=not attachment.is_image, cache="private, max-age=3600")
