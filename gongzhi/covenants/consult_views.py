"""Pages of the consultation, under /c/<slug>/covenants/: the comment and amendment forms of an
article (full pages, for a phone without the article page's inline forms, and to show a
refused form again with what was typed), an amendment's page (its change as a diff of the
draft, its supporters, the drafting body's decision and reason), the steps on an amendment
(support, take support back, withdraw) and "my contributions".

The article page itself is the drafting part's: it includes ``covenants/_article_consult.html``
with ``consult_selectors.article_context``. Every page answers 404 for a round or amendment the
visitor may not read, as for a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.actions import Action, perform
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.selectors import community_get
from gongzhi.covenants import consult_selectors as selectors
from gongzhi.covenants import consult_services as services
from gongzhi.covenants.consult_forms import AmendmentForm, CommentForm
from gongzhi.covenants.models import Amendment, Article, Paragraph, Round


def _round(request: HttpRequest, slug: str, round_id: int) -> Round:
    community = community_get(slug=slug, user=request.user)
    round = (
        Round.objects.in_community(community)
        .select_related("covenant__community", "covenant__drafting_body", "community", "draft")
        .filter(pk=round_id)
        .first()
    )
    if round is None or not selectors.may_read(request.user, round):
        raise Http404
    return round


def _amendment(request: HttpRequest, slug: str, amendment_id: int) -> Amendment:
    community = community_get(slug=slug, user=request.user)
    amendment = selectors.amendment_get(request.user, community, amendment_id)
    if amendment is None:
        raise Http404
    return amendment


def _article(round: Round, article_key: int) -> tuple[Article, list[Paragraph]]:
    article = (
        Article.objects.in_community(round.community_id)
        .filter(version_id=round.draft_id, key=article_key)
        .first()
    )
    if article is None:
        raise Http404
    paragraphs = list(
        Paragraph.objects.in_community(round.community_id)
        .filter(article=article)
        .order_by("position")
    )
    return article, paragraphs


def article_url(round: Round, article_key: int, paragraph_key: int | None = None) -> str:
    """The article's page (the drafting part's), at the consultation's forms."""
    url = reverse(
        "covenants_article",
        kwargs={
            "slug": round.covenant.community.slug,
            "covenant_id": round.covenant_id,
            "key": article_key,
        },
    )
    if paragraph_key is not None:
        url += f"?p={paragraph_key}"
    return url + "#consult"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _gone(request: HttpRequest, round: Round) -> HttpResponse:
    """A form posted to an article the draft does not hold (an old link): said in words, on
    the covenant's page, rather than a bare 404; nothing is saved."""
    messages.error(request, _("This article does not exist in the draft: it may no longer exist."))
    return redirect(
        "covenants_detail", slug=round.covenant.community.slug, covenant_id=round.covenant_id
    )


def _form_page(
    request: HttpRequest, slug: str, round_id: int, article_key: int, *, amend: bool
) -> HttpResponse:
    round = _round(request, slug, round_id)
    try:
        article, paragraphs = _article(round, article_key)
    except Http404:
        if request.method == "POST":
            return _gone(request, round)
        raise
    keys = {p.key for p in paragraphs}
    tapped = _int(request.GET.get("p"))
    initial = {"paragraph": tapped} if tapped in keys else {}
    form_class = AmendmentForm if amend else CommentForm
    form = form_class(posted(request), paragraphs=paragraphs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = request_user(request)
        try:
            if amend:
                amendment = services.amendment_propose(
                    actor=user,
                    round=round,
                    kind=data["kind"],
                    article_key=article.key,
                    paragraph_key=data["paragraph"],
                    heading=data["heading"],
                    text=data["text"],
                    reason=data["reason"],
                )
            else:
                services.comment_add(
                    actor=user,
                    round=round,
                    article_key=article.key,
                    paragraph_key=data["paragraph"],
                    text=data["text"],
                )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            if amend:
                messages.success(
                    request,
                    _("Your amendment is proposed: others can support it now."),
                )
                return redirect("covenants_amendment", slug=slug, amendment_id=amendment.pk)
            messages.success(request, _("Thank you: your comment is published."))
            return redirect(article_url(round, article.key, data["paragraph"]))
    phase = selectors.current_phase(round, timezone.now())
    return render(
        request,
        "covenants/amendment_form.html" if amend else "covenants/comment_form.html",
        {
            "community": round.covenant.community,
            "covenant": round.covenant,
            "round": round,
            "article": article,
            "article_label": selectors.article_label(article.position),
            "paragraphs": paragraphs,
            "tapped": tapped if tapped in keys else None,
            "form": form,
            "consultation_open": phase == "consultation",
            "may_take_part": selectors.may_take_part(request.user, round),
            "back": article_url(round, article.key),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_form(request: HttpRequest, slug: str, round_id: int, article_key: int) -> HttpResponse:
    """Comment on an article or one of its paragraphs (``?p=<key>`` preselects it)."""
    return _form_page(request, slug, round_id, article_key, amend=False)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_form(
    request: HttpRequest, slug: str, round_id: int, article_key: int
) -> HttpResponse:
    """Propose an amendment to an article (``?p=<key>`` preselects the paragraph)."""
    return _form_page(request, slug, round_id, article_key, amend=True)


@require_GET
def amendment_detail(request: HttpRequest, slug: str, amendment_id: int) -> HttpResponse:
    """An amendment: the change as a diff of the draft, its reason, supporters, the decision."""
    amendment = _amendment(request, slug, amendment_id)
    round = amendment.round
    phase = selectors.current_phase(round, timezone.now())
    user = request.user
    supported = bool(selectors.supported_ids(user, [amendment]))
    own = getattr(user, "pk", None) == amendment.author_id
    waiting = amendment.status == "proposed" and phase in ("consultation", "revision")
    return render(
        request,
        "covenants/amendment.html",
        {
            "community": round.covenant.community,
            "covenant": round.covenant,
            "round": round,
            "amendment": amendment,
            "change": selectors.amendment_change(amendment),
            "supported": supported,
            "own": own,
            "may_support": waiting and not own and selectors.may_take_part(user, round),
            "may_withdraw": waiting and own,
            "back": article_url(round, amendment.article_key)
            if amendment.article_key is not None
            else None,
        },
    )


def _step(act: Any, perm: str, done: Any) -> Action[Amendment]:
    return Action(
        act=act,
        perm=perm,
        done=done,
        denied=gettext_lazy("You are not allowed to do this to this amendment."),
    )


#: Each step an amendment's page posts: who may, the service it calls.
STEPS: dict[str, Action[Amendment]] = {
    "support": _step(
        lambda u, a, d: services.support_add(actor=u, amendment=a),
        "covenants.take_part",
        gettext_lazy("You support this amendment."),
    ),
    "unsupport": _step(
        lambda u, a, d: services.support_remove(actor=u, amendment=a),
        "covenants.read_consultation",
        gettext_lazy("You no longer support this amendment."),
    ),
    "withdraw": _step(
        lambda u, a, d: services.amendment_withdraw(actor=u, amendment=a),
        "covenants.withdraw_amendment",
        gettext_lazy("Your amendment is withdrawn."),
    ),
}


@login_required
@require_POST
def amendment_step(request: HttpRequest, slug: str, amendment_id: int, name: str) -> HttpResponse:
    spec = STEPS.get(name)
    if spec is None:
        raise Http404
    amendment = _amendment(request, slug, amendment_id)
    back = reverse("covenants_amendment", kwargs={"slug": slug, "amendment_id": amendment.pk})
    return perform(request, spec, amendment, back=back)


@login_required
@require_GET
def my_contributions(request: HttpRequest, slug: str) -> HttpResponse:
    """The visitor's comments, amendments and supports in the community's covenants."""
    community = community_get(slug=slug, user=request.user)
    return render(
        request,
        "covenants/my_contributions.html",
        {"community": community, **selectors.my_contributions(request.user, community)},
    )


urlpatterns: list[URLPattern] = [
    path(
        "rounds/<int:round_id>/articles/<int:article_key>/comment/",
        comment_form,
        name="covenants_comment",
    ),
    path(
        "rounds/<int:round_id>/articles/<int:article_key>/amend/",
        amendment_form,
        name="covenants_amendment_new",
    ),
    path("amendments/<int:amendment_id>/", amendment_detail, name="covenants_amendment"),
    path(
        "amendments/<int:amendment_id>/<slug:name>/",
        amendment_step,
        name="covenants_amendment_step",
    ),
    path("mine/", my_contributions, name="covenants_my_contributions"),
]
