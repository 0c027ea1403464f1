"""Vote pages: the ballot, the results with every measure, the published lists, and staff tools."""

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

from gongzhi.core.http import posted, request_user
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.roster import RosterFileError, rejected_message
from gongzhi.core.selectors import community_get
from gongzhi.core.services import RosterRejected
from gongzhi.deliberation.models import Proposal
from gongzhi.voting import selectors, services
from gongzhi.voting.forms import OwnerRollForm, PaperEntryForm, VoteForm, ballot_from_post
from gongzhi.voting.models import Electorate, Method


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_GET
def vote_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    page = paginate_by_ids(selectors.vote_list(community=community), request.GET.get("page"), 20)
    return render(
        request,
        "voting/vote_list.html",
        {
            "community": community,
            "page": page,
            "can_manage": rules.has_perm("voting.manage_votes", request.user, community),
        },
    )


@require_GET
def vote_detail(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    vote = selectors.vote_get(community=community, vote_id=vote_id)
    options = selectors.options_of(vote)
    participation = selectors.my_participation(vote=vote, user=request.user)
    labels = {o.pk: o.label for o in options}
    shown = rules.has_perm("voting.view_results", request.user, vote)
    result = services.results(vote) if shown else None
    return render(
        request,
        "voting/vote_detail.html",
        {
            "community": community,
            "vote": vote,
            "options": options,
            "labels": labels,
            "participation": participation,
            "my_choice": participation
            and selectors.my_choice(vote=vote, user=request.user, labels=labels),
            "eligible": services.eligible(vote, request.user),
            "result": result,
            "explained": result
            and selectors.result_explained(vote=vote, result=result, labels=labels),
            "score_range": range(vote.min_score, vote.max_score + 1),
            "rank_range": range(1, len(options) + 1),
            "can_manage": rules.has_perm("voting.manage_votes", request.user, community),
            "Method": Method,
        },
    )


@login_required
@require_POST
def ballot_cast(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    vote = selectors.vote_get(community=community, vote_id=vote_id)
    content = ballot_from_post(vote, selectors.options_of(vote), request.POST)
    try:
        receipt = services.ballot_cast(actor=request_user(request), vote=vote, content=content)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        if receipt.changed:
            messages.success(request, _("Your ballot is changed. Only your last ballot counts."))
        else:
            messages.success(
                request,
                _(
                    "Your ballot is cast. Your receipt code is %(receipt)s: after the vote closes, check that it is on the published list."
                )
                % {"receipt": receipt.receipt},
            )
    return redirect("vote_detail", slug=slug, vote_id=vote.pk)


@require_GET
def vote_published(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    vote = selectors.vote_get(community=community, vote_id=vote_id)
    if not vote.is_closed():
        raise Http404
    receipts, contents = services.published_lists(vote)
    labels = {o.pk: o.label for o in selectors.options_of(vote)}
    return render(
        request,
        "voting/vote_published.html",
        {
            "community": community,
            "vote": vote,
            "receipts": receipts,
            "ballots": [selectors.ballot_words(c, labels) for c in contents],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="voting.manage_votes")
    initial = {}
    proposal_id = _int_or_none(request.GET.get("proposal"))
    from_proposal = (
        Proposal.objects.in_community(community).filter(pk=proposal_id).first()
        if proposal_id is not None
        else None
    )
    if from_proposal is not None:
        initial = {
            "title": from_proposal.title,
            "proposal": from_proposal.pk,
            "kind": "binding",
            "method": "yes_no",
        }
    form = VoteForm(posted(request), initial=initial, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proposal = (
            Proposal.objects.in_community(community).filter(pk=data.get("proposal") or 0).first()
        )
        try:
            vote = services.vote_create(
                actor=request_user(request),
                community=community,
                title=data["title"],
                options=data["options"].splitlines(),
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                description=data["description"],
                kind=data["kind"],
                method=data["method"],
                electorate=data["electorate"],
                building=data["building"],
                secret=data["secret"],
                results_shown=data["results_shown"],
                max_choices=data["max_choices"],
                proposal=proposal,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("The vote is set up."))
            return redirect("vote_detail", slug=slug, vote_id=vote.pk)
    return render(request, "voting/vote_form.html", {"community": community, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="voting.manage_votes")
    vote = selectors.vote_get(community=community, vote_id=vote_id)
    options = selectors.options_of(vote)
    form = PaperEntryForm(posted(request))
    if request.method == "POST" and form.is_valid():
        content = ballot_from_post(vote, options, request.POST)
        try:
            result = services.paper_ballot_enter(
                actor=request_user(request),
                vote=vote,
                serial=form.cleaned_data["serial"],
                content=content,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if result.confirmed:
                messages.success(request, _("Both readings agree: the paper ballot is counted."))
            elif result.conflict:
                messages.error(
                    request, _("The two readings differ: check the paper ballot together.")
                )
            else:
                messages.success(
                    request, _("Entered. A second person must now enter the same ballot.")
                )
        return redirect("paper_entry", slug=slug, vote_id=vote.pk)
    return render(
        request,
        "voting/paper_entry.html",
        {
            "community": community,
            "vote": vote,
            "options": options,
            "form": form,
            "score_range": range(vote.min_score, vote.max_score + 1),
            "rank_range": range(1, len(options) + 1),
            "Method": Method,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def owner_roll(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    """业主名册: the owners of an owners' vote and their floor areas, imported from a file."""
    community = community_get(slug=slug, user=request.user, perm="voting.manage_votes")
    vote = selectors.vote_get(community=community, vote_id=vote_id)
    if vote.electorate != Electorate.OWNERS:
        raise Http404
    form = OwnerRollForm(posted(request), request.FILES if request.method == "POST" else None)
    row_errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = services.owner_roll_import(
                actor=request_user(request),
                vote=vote,
                filename=upload.name,
                content=upload.read(settings.ROSTER_MAX_BYTES + 1),
            )
        except (RosterFileError, ValidationError) as exc:
            form.add_error("file", " ".join(getattr(exc, "messages", [str(exc)])))
        except RosterRejected as exc:
            row_errors = exc.errors
            form.add_error(None, rejected_message(len(exc.errors)))
        else:
            messages.success(
                request,
                _(
                    "Owners' roll imported: %(owners)d owners of %(units)d units, "
                    "%(area)s m² in all; %(created)d new accounts."
                )
                % {
                    "owners": summary.owners,
                    "units": summary.units,
                    "area": summary.area,
                    "created": summary.accounts_created,
                },
            )
            return redirect("owner_roll", slug=slug, vote_id=vote.pk)
    return render(
        request,
        "voting/owner_roll.html",
        {
            "community": community,
            "vote": vote,
            "form": form,
            "row_errors": row_errors,
            "roll": selectors.owner_roll(vote=vote),
            "can_change": not (vote.is_open() or vote.is_closed()),
        },
        status=400 if request.method == "POST" else 200,
    )
