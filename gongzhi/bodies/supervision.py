"""The supervision committee (监督委员会, R5.3): supervision opinions and the dashboard's reads.

A supervisor raises an opinion (监督意见) on a decision or a journal entry; the responsible body
must answer by a deadline. Both are published unless the opinion involves private data. Nobody
supervises a role they hold: a supervisor who sits in the body is refused
(``supervises_own_role``), and the supervisor who raised an opinion never answers it. Overdue is
read from ``due_on`` when shown, so no periodic job marks anything.

The dashboard counts, for supervisors, street officials and platform admins, what a
supervision committee watches — bodies' decisions, PB projects' progress and spending, hotline
escalations and overdue tickets, ledger entries awaiting a second approval, unpublished finance
periods, opinions — each number with the list behind it, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.bodies.models import Body, Decision, Mandate, Opinion
from gongzhi.bodies.selectors import day_start, sitting_q
from gongzhi.core import journal
from gongzhi.core.models import Activity, Community, Membership, Role, RoleGrant, active_grant_q
from gongzhi.core.policies import require

MAX_SUBJECT = 200
MAX_TEXT = 5000
#: The longest a supervisor may give a body to answer.
MAX_DAYS = 365
#: An opinion whose answer is due within this many days is "due soon".
SOON_DAYS = 3


# --- Who sits where --------------------------------------------------------------------------


def member_bodies(user: Any, community_id: int | None = None) -> set[int]:
    """The bodies ``user`` sits in today (in one community, or in all), cached on the user
    object for the request as ``access_of`` is."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache: dict[int | None, set[int]] = user.__dict__.setdefault("_gongzhi_sits_in", {})
    if community_id not in cache:
        mandates = Mandate.objects.all_communities().filter(
            sitting_q(timezone.localdate()), membership__user=user
        )
        if community_id is not None:
            mandates = mandates.filter(community_id=community_id)
        cache[community_id] = set(mandates.values_list("body_id", flat=True))
    return cache[community_id]


def sits_in_a_body(user: Any) -> bool:
    """Whether ``user`` sits in any body now: they hear of opinions their body must answer."""
    return bool(member_bodies(user))


def forget_sitting(user: Any) -> None:
    user.__dict__.pop("_gongzhi_sits_in", None)


def _body_audience(body: Body) -> list[User]:
    """Who hears of an opinion on ``body``: its sitting members and the community's workers."""
    sitting = Mandate.objects.in_community(body.community_id).filter(
        sitting_q(timezone.localdate()), body=body
    )
    workers = RoleGrant.objects.in_community(body.community_id).filter(
        active_grant_q(), role=Role.COMMUNITY_WORKER
    )
    memberships = Membership.objects.in_community(body.community_id).filter(
        Q(pk__in=sitting.values("membership")) | Q(pk__in=workers.values("membership"))
    )
    return list(User.objects.filter(pk__in=memberships.values("user"), is_active=True))


# --- Opinions: writes ------------------------------------------------------------------------


def _text(value: str, *, limit: int, empty: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(empty, code=f"{code}_empty")
    if len(value) > limit:
        raise ValidationError(
            _("The text is too long: at most %(max)d characters.") % {"max": limit},
            code=f"{code}_too_long",
        )
    return value


def _check_due(due_on: date) -> None:
    today = timezone.localdate()
    if due_on <= today:
        raise ValidationError(_("The answer must be due after today."), code="due_not_future")
    if due_on > today + timedelta(days=MAX_DAYS):
        raise ValidationError(
            _("Give the body at most %(days)d days to answer.") % {"days": MAX_DAYS},
            code="due_too_far",
        )


def _check_body(actor: User, community: Community, body: Body) -> None:
    if body.community_id != community.pk:
        raise ValidationError(_("This body is not of this community."), code="other_community")
    if body.dissolved_at is not None:
        raise ValidationError(
            _("This body has been dissolved: it can answer nothing."), code="body_dissolved"
        )
    if body.pk in member_bodies(actor, community.pk):
        raise ValidationError(
            _("Nobody supervises a role they hold: you sit in this body."),
            code="supervises_own_role",
        )


def _check_subject(body: Body, decision: Decision | None, activity: Activity | None) -> None:
    if decision is not None and decision.body_id != body.pk:
        raise ValidationError(
            _("The decision was taken by another body."), code="decision_other_body"
        )
    if activity is not None and activity.community_id != body.community_id:
        raise ValidationError(
            _("The journal entry is not of this community."), code="other_community"
        )


def activity_url(activity: Activity) -> str:
    """The journal page narrowed to an entry: its target, or its verb on its day."""
    base = reverse("audit_trail", args=[activity.community.slug])
    kind = activity.target_type
    if kind is not None and activity.target_id:
        target = f"{kind.app_label}.{kind.model}"
        return f"{base}?{urlencode({'target': target, 'target_id': activity.target_id})}"
    day = timezone.localdate(activity.at).isoformat()
    return f"{base}?{urlencode({'verb': activity.verb, 'since': day, 'until': day})}"


def describe_activity(activity: Activity) -> str:
    """A journal entry as an opinion's subject: what was done, its number and day."""
    from gongzhi.core.manifests import verb_labels

    label = str(verb_labels().get(activity.verb, activity.verb))
    day = timezone.localdate(activity.at).isoformat()
    return _("Journal entry %(seq)s (%(day)s): %(what)s") % {
        "seq": activity.seq if activity.seq is not None else activity.pk,
        "day": day,
        "what": label,
    }


def opinion_raise(
    *,
    actor: User,
    community: Community,
    body: Body,
    subject: str,
    text: str,
    due_on: date,
    private: bool = False,
    decision: Decision | None = None,
    activity: Activity | None = None,
) -> Opinion:
    """A supervisor raises an opinion that ``body`` must answer by ``due_on``."""
    require(
        "bodies.raise_opinion",
        actor,
        community,
        _("Only the supervision committee raises supervision opinions."),
    )
    _check_body(actor, community, body)
    _check_subject(body, decision, activity)
    subject = _text(subject, limit=MAX_SUBJECT, empty=_("Say what it is about."), code="subject")
    text = _text(text, limit=MAX_TEXT, empty=_("Write the opinion."), code="text")
    _check_due(due_on)
    with transaction.atomic():
        opinion = Opinion.objects.in_community(community).create(
            raised_by=actor,
            body=body,
            subject=subject,
            subject_url=activity_url(activity) if activity is not None else "",
            activity=activity,
            decision=decision,
            text=text,
            private=bool(private),
            due_on=due_on,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="opinion.raised",
            target=opinion,
            data={"opinion": opinion.pk, "body": body.pk, "private": opinion.private},
        )
        _tell(_body_audience(body), "raised", opinion)
    return opinion


def opinion_answer(*, actor: User, opinion: Opinion, answer: str) -> Opinion:
    """A community worker or a sitting member of the responsible body answers, once."""
    require(
        "bodies.answer_opinion",
        actor,
        opinion,
        _("Only the responsible body or a community worker answers this opinion."),
    )
    if opinion.raised_by_id == actor.pk:
        raise ValidationError(
            _("The supervisor who raised an opinion does not answer it."), code="own_opinion"
        )
    answer = _text(answer, limit=MAX_TEXT, empty=_("Write the answer."), code="answer")
    with transaction.atomic():
        locked = Opinion.objects.in_community(opinion.community_id).select_for_update()
        current = locked.get(pk=opinion.pk)
        if current.answered_at is not None:
            raise ValidationError(_("This opinion has been answered."), code="already_answered")
        now = timezone.now()
        on_time = timezone.localdate(now) <= current.due_on
        Opinion.objects.in_community(opinion.community_id).filter(pk=opinion.pk).update(
            answer=answer, answered_by=actor, answered_at=now
        )
        opinion.answer, opinion.answered_by, opinion.answered_at = answer, actor, now
        journal.record(
            community=opinion.community,
            actor=actor,
            verb="opinion.answered",
            target=opinion,
            data={"opinion": opinion.pk, "body": opinion.body_id, "on_time": on_time},
        )
        if not current.private:
            _register_answer(opinion)
        _tell([opinion.raised_by], "answered", opinion)
    return opinion


def _register_answer(opinion: Opinion) -> None:
    """The decision register's row of a public opinion's answer (a private one stays out of
    the public register): the body answered, on the opinion and what it was about."""
    from gongzhi.core.decisions import register_decision

    basis: list[dict[str, Any]] = [
        {"kind": "opinion", "title": opinion.subject, "url": opinion_url(opinion)}
    ]
    if opinion.decision_id is not None and opinion.decision is not None:
        decision = opinion.decision
        basis.append(
            {
                "kind": "decision",
                "title": decision.title,
                "url": reverse(
                    "body_detail",
                    kwargs={"slug": opinion.community.slug, "body_id": decision.body_id},
                )
                + f"#decision-{decision.pk}",
            }
        )
    elif opinion.subject_url:
        basis.append({"kind": "activity", "title": opinion.subject, "url": opinion.subject_url})
    register_decision(
        community_id=opinion.community_id,
        kind="supervision_answer",
        decided_on=timezone.localdate(opinion.answered_at),
        title=opinion.subject,
        source=opinion,
        url=opinion_url(opinion),
        body_id=opinion.body_id,
        body_name=opinion.body.name,
        basis=basis,
    )


def opinion_url(opinion: Opinion) -> str:
    return reverse("opinion_detail", args=[opinion.community.slug, opinion.pk])


def _tell(users: list[User], message: str, opinion: Opinion) -> None:
    from gongzhi.notifications.services import notify

    kind = "opinion_answered" if message == "answered" else "opinion_raised"
    params = {"body": opinion.body.name, "due": opinion.due_on.isoformat()}
    notify(
        users=users,
        kind=kind,
        message=message,
        params=params,
        url=opinion_url(opinion),
        community=opinion.community,
    )


def opinion_deadlines(*, today: date | None = None) -> int:
    """Remind the responsible bodies of unanswered opinions: those due in ``SOON_DAYS`` days,
    and those that became overdue today. Meant to run once a day (``manage.py
    opinion_deadlines``): each opinion meets each of those two days once, so each reminder is
    sent once without a mark on the row. Returns how many opinions were reminded of."""
    from gongzhi.notifications.services import notify

    today = today or timezone.localdate()
    sent = 0
    for message, due_on in (
        ("soon", today + timedelta(days=SOON_DAYS)),
        ("overdue", today - timedelta(days=1)),
    ):
        opinions = Opinion.objects.all_communities().filter(answered_at__isnull=True, due_on=due_on)
        for opinion in opinions.select_related("body", "community"):
            notify(
                users=_body_audience(opinion.body),
                kind="opinion_due",
                message=message,
                params={"body": opinion.body.name, "due": opinion.due_on.isoformat()},
                url=opinion_url(opinion),
                community=opinion.community,
            )
            sent += 1
    return sent


# --- Opinions: reads -------------------------------------------------------------------------

#: The opinion list's filters.
STATUSES = {
    "open": gettext_lazy("awaiting an answer"),
    "overdue": gettext_lazy("overdue"),
    "answered": gettext_lazy("answered"),
}


def status_q(status: str, today: date | None = None) -> Q:
    today = today or timezone.localdate()
    if status == "open":
        return Q(answered_at__isnull=True)
    if status == "overdue":
        return Q(answered_at__isnull=True, due_on__lt=today)
    if status == "answered":
        return Q(answered_at__isnull=False)
    return Q()


def opinion_list(*, community: Community, viewer: Any, status: str = "") -> QuerySet[Opinion]:
    """The opinions ``viewer`` may read (``bodies.view_opinion``), newest first."""
    from gongzhi.bodies.supervision_policies import view_opinion

    return (
        view_opinion.filter(viewer, Opinion.objects.in_community(community))
        .filter(status_q(status))
        .select_related("body", "raised_by", "answered_by", "decision")
        .order_by("-raised_at", "-pk")
    )


def opinion_get(*, community: Community, viewer: Any, opinion_id: int) -> Opinion:
    from django.http import Http404

    opinion = opinion_list(community=community, viewer=viewer).filter(pk=opinion_id).first()
    if opinion is None:
        raise Http404
    opinion.community = community
    return opinion


def is_overdue(opinion: Opinion, today: date | None = None) -> bool:
    return opinion.answered_at is None and opinion.due_on < (today or timezone.localdate())


def answered_on_time(opinion: Opinion) -> bool | None:
    if opinion.answered_at is None:
        return None
    return timezone.localdate(opinion.answered_at) <= opinion.due_on


# --- The dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard and the list it counts."""

    label: str
    count: int
    url: str
    warn: bool = False


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Dashboard:
    sections: list[Section]
    journal_links: list[tuple[str, str]]


def _url(name: str, slug: str, **query: str) -> str:
    base = reverse(name, args=[slug])
    return f"{base}?{urlencode(query)}" if query else base


def _opinion_figures(community: Community, viewer: Any) -> list[Figure]:
    today = timezone.localdate()
    counts = opinion_list(community=community, viewer=viewer).aggregate(
        open=Count("pk", filter=status_q("open", today)),
        overdue=Count("pk", filter=status_q("overdue", today)),
        answered=Count("pk", filter=status_q("answered", today)),
    )
    slug = community.slug
    return [
        Figure(_("Awaiting an answer"), counts["open"], _url("opinion_list", slug, status="open")),
        Figure(
            _("Past their deadline"),
            counts["overdue"],
            _url("opinion_list", slug, status="overdue"),
            warn=counts["overdue"] > 0,
        ),
        Figure(_("Answered"), counts["answered"], _url("opinion_list", slug, status="answered")),
    ]


#: The window of "recent" decisions on the dashboard.
DECISION_DAYS = 90


def decisions(*, community: Community, since: date | None = None) -> QuerySet[Decision]:
    queryset = Decision.objects.in_community(community)
    if since is not None:
        queryset = queryset.filter(decided_on__gte=since)
    return (
        queryset.select_related("body")
        .annotate(opinion_count=Count("opinions"))
        .order_by("-decided_on", "-pk")
    )


def _decision_figures(community: Community) -> list[Figure]:
    since = timezone.localdate() - timedelta(days=DECISION_DAYS)
    counts = Decision.objects.in_community(community).aggregate(
        all=Count("pk"), recent=Count("pk", filter=Q(decided_on__gte=since))
    )
    slug = community.slug
    return [
        Figure(
            _("Decisions in the last %(days)d days") % {"days": DECISION_DAYS},
            counts["recent"],
            _url("supervision_decisions", slug, since=since.isoformat()),
        ),
        Figure(_("All decisions recorded"), counts["all"], _url("supervision_decisions", slug)),
    ]


#: The window of the hotline's escalations on the dashboard.
ESCALATION_DAYS = 30


def _hotline_figures(community: Community) -> list[Figure]:
    """Open tickets past their deadline (the queue's own rule), and the escalations of the
    last ``ESCALATION_DAYS`` days as the journal lists them."""
    from gongzhi.feedback.home import overdue_q
    from gongzhi.feedback.models import OPEN_STATUSES, Ticket

    overdue = (
        Ticket.objects.in_community(community)
        .filter(status__in=OPEN_STATUSES)
        .filter(overdue_q(timezone.now()))
        .count()
    )
    since = timezone.localdate() - timedelta(days=ESCALATION_DAYS)
    escalated = (
        Activity.objects.in_community(community)
        .filter(verb="hotline.escalated", at__gte=day_start(since))
        .count()
    )
    slug = community.slug
    return [
        Figure(
            _("Open tickets past their deadline"),
            overdue,
            _url("hotline_queue", slug, q="overdue"),
            warn=overdue > 0,
        ),
        Figure(
            _("Tickets escalated in the last %(days)d days") % {"days": ESCALATION_DAYS},
            escalated,
            _url("audit_trail", slug, verb="hotline.escalated", since=since.isoformat()),
            warn=escalated > 0,
        ),
    ]


def _finance_figures(community: Community) -> list[Figure]:
    from gongzhi.disclosure.models import EntryStatus, FinancePeriod, LedgerEntry

    pending = LedgerEntry.objects.in_community(community).filter(status=EntryStatus.PENDING).count()
    periods = (
        FinancePeriod.objects.in_community(community)
        .filter(published_at__isnull=True)
        .aggregate(
            unpublished=Count("pk"),
            ended=Count("pk", filter=Q(ends_on__lt=timezone.localdate())),
        )
    )
    slug = community.slug
    return [
        Figure(
            _("Ledger entries awaiting a second approval"),
            pending,
            _url("finance_entries", slug, status=EntryStatus.PENDING),
            warn=pending > 0,
        ),
        Figure(
            _("Finance reports not yet published"),
            periods["unpublished"],
            _url("supervision_periods", slug),
        ),
        Figure(
            _("… of which the period has ended"),
            periods["ended"],
            _url("supervision_periods", slug),
            warn=periods["ended"] > 0,
        ),
    ]


def unpublished_periods(*, community: Community) -> QuerySet[Any]:
    from gongzhi.disclosure.models import FinancePeriod

    return (
        FinancePeriod.objects.in_community(community)
        .filter(published_at__isnull=True)
        .order_by("ends_on", "kind")
    )


# --- Participatory budgeting: funded projects ------------------------------------------------

#: The project list's filters.
PROJECT_FILTERS = {
    "all": gettext_lazy("all funded projects"),
    "late": gettext_lazy("with a milestone past its date"),
    "over": gettext_lazy("spending more than their cost"),
    "done": gettext_lazy("finished"),
}


def _funded_ids(community: Community) -> set[int]:
    """The projects the latest finished count of each process funded (one query)."""
    from gongzhi.budgeting.models import Tally, TallyStatus

    tallies = (
        Tally.objects.in_community(community)
        .filter(status=TallyStatus.DONE)
        .order_by("process_id", "-requested_at", "-pk")
        .values_list("process_id", "outcome")
    )
    latest: dict[int, Any] = {}
    for process_id, outcome in tallies:
        latest.setdefault(process_id, outcome)
    return {int(p) for outcome in latest.values() for p in outcome.get("selected", [])}


def funded_projects(*, community: Community, show: str = "all") -> QuerySet[Any]:
    """Funded PB projects with ``spent`` (yuan) and ``late_milestones``, by process."""
    from gongzhi.budgeting.models import Idea, Milestone, Spending

    today = timezone.localdate()
    spent = (
        Spending.objects.in_community(community)
        .filter(idea=OuterRef("pk"))
        .values("idea")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    late = (
        Milestone.objects.in_community(community)
        .filter(idea=OuterRef("pk"), done_on__isnull=True, due__lt=today)
        .values("idea")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = (
        Idea.objects.in_community(community)
        .filter(pk__in=_funded_ids(community))
        .select_related("process")
        .annotate(
            spent=Coalesce(Subquery(spent, output_field=IntegerField()), 0),
            late_milestones=Coalesce(Subquery(late, output_field=IntegerField()), 0),
        )
        .order_by("-process__implementation_from", "process_id", "pk")
    )
    if show == "late":
        queryset = queryset.filter(late_milestones__gt=0)
    elif show == "over":
        queryset = queryset.filter(spent__gt=Coalesce("cost", "estimated_cost"))
    elif show == "done":
        queryset = queryset.filter(progress=100)
    return queryset


def _budget_figures(community: Community) -> list[Figure]:
    projects = list(funded_projects(community=community))
    late = sum(1 for p in projects if p.late_milestones)
    over = sum(1 for p in projects if p.spent > (p.cost or p.estimated_cost))
    done = sum(1 for p in projects if p.progress >= 100)
    slug = community.slug
    return [
        Figure(_("Funded projects"), len(projects), _url("supervision_projects", slug)),
        Figure(
            _("Projects with a milestone past its date"),
            late,
            _url("supervision_projects", slug, show="late"),
            warn=late > 0,
        ),
        Figure(
            _("Projects spending more than their cost"),
            over,
            _url("supervision_projects", slug, show="over"),
            warn=over > 0,
        ),
        Figure(_("Projects finished"), done, _url("supervision_projects", slug, show="done")),
    ]


def _action_figures(community: Community) -> list[Figure]:
    """Follow-ups of meetings' decisions past their due date (meetings' minutes part)."""
    from gongzhi.meetings.minutes_selectors import overdue_count

    overdue = overdue_count(community=community)
    return [
        Figure(
            _("Follow-ups of decisions past their due date"),
            overdue,
            _url("action_list", community.slug, status="overdue"),
            warn=overdue > 0,
        )
    ]


def _journal_links(community: Community) -> list[tuple[str, str]]:
    slug = community.slug
    week = (timezone.localdate() - timedelta(days=7)).isoformat()
    return [
        (_("Everything in the last 7 days"), _url("audit_trail", slug, since=week)),
        (
            _("Decisions recorded by bodies"),
            _url("audit_trail", slug, verb="body.decision_recorded"),
        ),
        (
            _("Terms of office started and ended"),
            _url("audit_trail", slug, target="bodies.mandate"),
        ),
        (_("The finance ledger and reports"), _url("audit_trail", slug, area="disclosure")),
        (_("Participatory budgeting"), _url("audit_trail", slug, area="budgeting")),
        (_("The hotline"), _url("audit_trail", slug, area="feedback")),
        (_("Roles granted"), _url("audit_trail", slug, verb="role.granted")),
        (_("Roles revoked"), _url("audit_trail", slug, verb="role.revoked")),
        (_("Supervision opinions"), _url("audit_trail", slug, target="bodies.opinion")),
    ]


def dashboard(*, community: Community, viewer: Any) -> Dashboard:
    """Everything the supervision dashboard counts (about ten queries, whatever the data)."""
    return Dashboard(
        sections=[
            Section("opinions", _("Supervision opinions"), _opinion_figures(community, viewer)),
            Section("decisions", _("Decisions of the bodies"), _decision_figures(community)),
            Section("actions", _("Follow-ups of meetings"), _action_figures(community)),
            Section("budgeting", _("Participatory budgeting projects"), _budget_figures(community)),
            Section("hotline", _("The hotline"), _hotline_figures(community)),
            Section("finance", _("The finance ledger"), _finance_figures(community)),
        ],
        journal_links=_journal_links(community),
    )
