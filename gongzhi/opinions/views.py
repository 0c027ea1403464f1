"""Pages of conversations (意见征集), under /c/<slug>/conversations/. Parse, call a service or
selector, render. No page says who voted what: a resident sees their own votes, everyone sees
totals and the map."""

from __future__ import annotations

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get
from gongzhi.opinions import selectors, services
from gongzhi.opinions.forms import (
    ConversationForm,
    ImportForm,
    ModerateForm,
    StatementForm,
    VoteForm,
)
from gongzhi.opinions.models import VoteValue

PAGE_SIZE = 20


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (``request.htmx``), for the type checker."""

    htmx: HtmxDetails


@require_GET
def conversation_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    page = paginate_by_ids(
        selectors.conversation_list(community=community), request.GET.get("page"), PAGE_SIZE
    )
    return render(
        request,
        "opinions/conversation_list.html",
        {
            "community": community,
            "page": page,
            "can_manage": rules.has_perm("opinions.manage_conversations", request.user, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="opinions.manage_conversations")
    form = ConversationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = services.conversation_open(
                actor=request_user(request),
                community=community,
                question=data["question"],
                description=data["description"],
                seed_statements=data["seed_statements"].splitlines(),
                moderation=data["moderation"],
                visitors_allowed=data["visitors_allowed"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The conversation is open."))
            return redirect("conversation_detail", slug=slug, conversation_id=conversation.pk)
    return render(
        request, "opinions/conversation_form.html", {"community": community, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_import(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="opinions.manage_conversations")
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        limit = settings.ROSTER_MAX_BYTES * 4
        files = []
        for field, name in (
            ("comments", "comments.csv"),
            ("votes", "votes.csv"),
            ("participants_votes", "participants-votes.csv"),
        ):
            if data.get(field):
                content = data[field].read(limit + 1)
                if len(content) > limit:
                    form.add_error(
                        field,
                        _("The file is larger than %(mb)d MB.") % {"mb": limit // 2**20},
                    )
                files.append((name, content))
        if form.is_valid():
            try:
                conversation = services.conversation_import(
                    actor=request_user(request),
                    community=community,
                    question=data["question"],
                    description=data["description"],
                    data=services.read_export(files),
                )
            except ValidationError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(
                    request, _("The conversation is imported. Its map is drawn in a moment.")
                )
                return redirect("conversation_detail", slug=slug, conversation_id=conversation.pk)
    return render(
        request,
        "opinions/conversation_import.html",
        {"community": community, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def conversation_detail(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    conversation = selectors.conversation_get(community=community, conversation_id=conversation_id)
    return render(
        request,
        "opinions/conversation_detail.html",
        {
            "community": community,
            "conversation": conversation,
            "counts": selectors.counts(conversation=conversation),
            "refusal": services.take_part_refusal(conversation, request.user),
            "my_statements": selectors.my_statements(conversation=conversation, user=request.user),
            "statement_form": StatementForm(),
            "can_moderate": rules.has_perm("opinions.moderate", request.user, community),
            "can_manage": rules.has_perm("opinions.manage_conversations", request.user, community),
        },
    )


@require_http_methods(["GET", "POST"])
def vote_page(request: HtmxHttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    """One statement at a time: agree, disagree or pass; then the next one.

    A vote sent by htmx (``HX-Request``) is answered with the next statement and "your votes"
    only (``_vote_swap.html``), so the page does not reload; a plain form post is redirected
    back to the page, which shows the same."""
    community = community_get(slug=slug, user=request.user)
    conversation = selectors.conversation_get(community=community, conversation_id=conversation_id)
    if request.method == "POST":
        if not request.user.is_authenticated:
            login = f"{settings.LOGIN_URL}?next={request.path}"
            return HttpResponseClientRedirect(login) if request.htmx else redirect(login)
        form = VoteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Vote agree, disagree or pass."))
        else:
            try:
                statement = selectors.statement_get(
                    conversation=conversation,
                    number=form.cleaned_data["statement"],
                    viewer=request.user,
                )
                services.vote_cast(
                    actor=request_user(request), statement=statement, value=form.value()
                )
            except Http404:
                messages.error(request, _("This statement is not in this conversation."))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
        if not request.htmx:
            return redirect("opinion_vote", slug=slug, conversation_id=conversation.pk)
    participant = selectors.participant_of(conversation=conversation, user=request.user)
    stored = selectors.stored_map(conversation=conversation)
    shown, progress = selectors.next_statement(
        conversation=conversation,
        participant=participant,
        summary=stored.summary if stored is not None else {},
    )
    context = {
        "community": community,
        "conversation": conversation,
        "statement": shown,
        "progress": progress,
        "refusal": services.take_part_refusal(conversation, request.user),
        "my_votes": selectors.my_votes(participant=participant),
        "VoteValue": VoteValue,
    }
    if request.method == "POST":  # sent by htmx: swap in the next statement
        return render(request, "opinions/_vote_swap.html", {**context, "partial": True})
    return render(request, "opinions/vote.html", {**context, "statement_form": StatementForm()})


@login_required
@require_POST
def statement_add(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    conversation = selectors.conversation_get(community=community, conversation_id=conversation_id)
    form = StatementForm(request.POST)
    form.is_valid()
    try:
        statement = services.statement_add(
            actor=request_user(request),
            conversation=conversation,
            text=form.cleaned_data.get("text", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        if statement.is_shown(conversation):
            messages.success(request, _("Your statement is added. Others can now vote on it."))
        else:
            messages.success(
                request,
                _("Your statement is added. It is shown once a moderator has accepted it."),
            )
    if request.POST.get("next") == "vote":
        return redirect("opinion_vote", slug=slug, conversation_id=conversation.pk)
    return redirect("conversation_detail", slug=slug, conversation_id=conversation.pk)


@login_required
@require_GET
def moderation_queue(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="opinions.moderate")
    conversation = selectors.conversation_get(community=community, conversation_id=conversation_id)
    page = paginate_by_ids(
        selectors.moderation_queue(conversation=conversation), request.GET.get("page"), 50
    )
    return render(
        request,
        "opinions/moderation.html",
        {
            "community": community,
            "conversation": conversation,
            "page": page,
            "form": ModerateForm(),
        },
    )


@login_required
@require_POST
def statement_moderate(
    request: HttpRequest, slug: str, conversation_id: int, number: int
) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="opinions.moderate")
    conversation = selectors.conversation_get(community=community, conversation_id=conversation_id)
    statement = selectors.statement_get(
        conversation=conversation, number=number, viewer=request.user
    )
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to show the statement or to take it out."))
    else:
        try:
            services.statement_moderate(
                actor=request_user(request),
                statement=statement,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Done."))
    return redirect("opinion_moderation", slug=slug, conversation_id=conversation.pk)


def _results_context(request: HttpRequest, slug: str, conversation_id: int) -> dict:
    community = community_get(slug=slug, user=request.user)
    conversation = selectors.conversation_get(community=community, conversation_id=conversation_id)
    return {
        "community": community,
        "conversation": conversation,
        "map": selectors.map_view(conversation=conversation, user=request.user),
        "counts": selectors.counts(conversation=conversation),
        "days": selectors.participation_over_time(conversation=conversation),
        "can_export": rules.has_perm("opinions.export", request.user, community),
    }


@require_GET
def results(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    """The opinion map, its groups, consensus and divisive statements, participation."""
    return render(
        request, "opinions/results.html", _results_context(request, slug, conversation_id)
    )


@require_GET
def report(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    """The same, on paper for the council, with the method explained."""
    return render(request, "opinions/report.html", _results_context(request, slug, conversation_id))


@login_required
@require_GET
def export_file(request: HttpRequest, slug: str, conversation_id: int, name: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="opinions.export")
    conversation = selectors.conversation_get(community=community, conversation_id=conversation_id)
    if name not in selectors.EXPORT_FILES:
        raise Http404
    content = selectors.polis_export(conversation=conversation)[name]
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="conversation-{conversation.pk}-{name}"'
    )
    return response
