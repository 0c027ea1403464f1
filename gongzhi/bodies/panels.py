"""Review panels chosen by lot (居民评议小组, R5.2): every write, from opening the pool to the
reviewed body's answer.

The order is what makes the draw fair and checkable:

1. a worker opens the panel: what it reviews, its seats, the features volunteers declare and
   the quotas on them, when the pool closes, how long the panel works, how many days the
   reviewed body has to answer;
2. verified residents volunteer, declaring their features with explicit consent (they are
   published with a random pseudonym), and may withdraw while the pool is open;
3. after the pool closes a worker closes it: ``sortition.maximin`` computes the portfolio of
   possible panels that maximises the smallest chance of anyone in the pool under the quotas
   (Flanigan et al., *Nature* 596, 2021); the portfolio as canonical JSON, its SHA-256 and
   everyone's probability by pseudonym are published — quotas that cannot be met are refused
   here, naming the quotas that conflict, and nothing is published;
4. only then a supervisor (never the worker who opened the panel) enters the public seed, once
   (a conditional UPDATE: of two supervisors typing at once one wins); ``sortition.pick`` picks
   one panel of the published portfolio through ``core.lottery``; the panel becomes a body of
   kind review panel whose drawn members hold the reviewer role for its term
   (``services.record_body`` / ``record_mandate``);
5. the panel works in its own space (invited experts and stakeholders, documents, a closed
   discussion), publishes its assessment, and the reviewed body answers within its deadline.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.bodies import services as body_services
from gongzhi.bodies import sortition
from gongzhi.bodies.models import (
    Body,
    BodyKind,
    ChosenBy,
    Panel,
    PanelDocument,
    PanelMember,
    PanelStatus,
    PoolEntry,
    Position,
    Quota,
    SeatKind,
    VacancyRule,
)
from gongzhi.bodies.panel_policies import active_mandate_q
from gongzhi.core import journal
from gongzhi.core.models import Community, Grid, Membership, Role, RoleGrant, active_grant_q
from gongzhi.core.notify import send as notify
from gongzhi.core.policies import membership_in, require
from gongzhi.core.uploads import DOCUMENTS, MB, PHOTOS, check_upload, store_upload

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.budgeting.models import Process

# --- The features volunteers declare ------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """A feature a quota can be set on; ``values`` empty means the community's grids."""

    label: Promise
    values: tuple[tuple[str, Promise], ...] = ()


FEATURES: dict[str, Feature] = {
    "grid": Feature(gettext_lazy("grid")),
    "age_band": Feature(
        gettext_lazy("age band"),
        (
            ("18-29", gettext_lazy("18 to 29")),
            ("30-44", gettext_lazy("30 to 44")),
            ("45-59", gettext_lazy("45 to 59")),
            ("60-74", gettext_lazy("60 to 74")),
            ("75+", gettext_lazy("75 or over")),
        ),
    ),
    "gender": Feature(
        gettext_lazy("gender"),
        (("female", gettext_lazy("female")), ("male", gettext_lazy("male"))),
    ),
    "tenure": Feature(
        gettext_lazy("owner or tenant"),
        (("owner", gettext_lazy("owner")), ("tenant", gettext_lazy("tenant"))),
    ),
    "vulnerable": Feature(
        gettext_lazy("vulnerable group"),
        (
            ("yes", gettext_lazy("elderly living alone, disability or low income")),
            ("no", gettext_lazy("none of these")),
        ),
    ),
}

REVIEWER_TITLE = "评议员"
MAX_SEATS = 60
MAX_DOCUMENT_BYTES = 20 * MB
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def feature_values(community_id: int, feature: str) -> list[tuple[str, str]]:
    """The values a volunteer may declare for ``feature``, with their labels."""
    if feature == "grid":
        names = (
            Grid.objects.in_community(community_id).order_by("name").values_list("name", flat=True)
        )
        return [(name, name) for name in names]
    return [(value, str(label)) for value, label in FEATURES[feature].values]


def value_label(feature: str, value: str) -> str:
    """How a declared value reads (a grid is its own name; a code the CSVs keep is labelled)."""
    labels = dict(FEATURES[feature].values) if feature in FEATURES else {}
    return str(labels.get(value, value))


def household_grid(membership: Membership | None) -> str:
    """The grid of the volunteer's household's building, to prefill the form, or ""."""
    household = getattr(membership, "household", None)
    building = getattr(household, "building", None)
    grid = getattr(building, "grid", None)
    return grid.name if grid is not None else ""


# --- Opening a panel ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaIn:
    """At least ``minimum`` and at most ``maximum`` drawn seats with ``feature = value``."""

    feature: str
    value: str
    minimum: int
    maximum: int


def _check_features(community_id: int, features: list[str]) -> list[str]:
    unknown = [f for f in features if f not in FEATURES]
    if unknown or len(set(features)) != len(features):
        raise ValidationError(
            _("Choose features from the list, each once."), code="feature_unknown"
        )
    if "grid" in features and not feature_values(community_id, "grid"):
        raise ValidationError(_("This community has no grids to declare."), code="no_grids")
    return [f for f in FEATURES if f in features]


def _check_quota(community_id: int, quota: QuotaIn, features: list[str], seats: int) -> None:
    if quota.feature not in features:
        raise ValidationError(
            _("A quota is on “%(feature)s”, which volunteers are not asked to declare.")
            % {"feature": quota.feature},
            code="quota_feature",
        )
    if quota.value not in dict(feature_values(community_id, quota.feature)):
        raise ValidationError(
            _("A quota's value “%(value)s” is not one of the values of “%(feature)s”.")
            % {"value": quota.value, "feature": FEATURES[quota.feature].label},
            code="quota_value",
        )
    if quota.minimum < 0 or quota.minimum > quota.maximum:
        raise ValidationError(
            _("The quota %(feature)s = %(value)s asks for at least %(min)d and at most %(max)d.")
            % {
                "feature": FEATURES[quota.feature].label,
                "value": quota.value,
                "min": quota.minimum,
                "max": quota.maximum,
            },
            code="quota_min_max",
        )
    if quota.minimum > seats or quota.maximum > seats:
        raise ValidationError(
            _("The quota %(feature)s = %(value)s asks for more seats than the panel has.")
            % {"feature": FEATURES[quota.feature].label, "value": quota.value},
            code="quota_over_seats",
        )


def _check_dates(pool_closes_at: datetime, ends_on: date, answer_days: int) -> None:
    if pool_closes_at <= timezone.now():
        raise ValidationError(_("The pool must close in the future."), code="closes_in_past")
    if ends_on <= timezone.localdate(pool_closes_at):
        raise ValidationError(
            _("The panel must work until after the pool closes."), code="ends_before_close"
        )
    if not 1 <= answer_days <= 365:
        raise ValidationError(
            _("The body has between 1 and 365 days to answer."), code="answer_days"
        )


def _check_panel_input(
    *, community: Community, reviewed_body: Body, seats: int, quotas: list[QuotaIn]
) -> None:
    if reviewed_body.community_id != community.pk or reviewed_body.dissolved_at is not None:
        raise ValidationError(_("Choose a body of this community."), code="other_community")
    if not 1 <= seats <= MAX_SEATS:
        raise ValidationError(
            _("A panel has between 1 and %(max)d seats.") % {"max": MAX_SEATS}, code="seats"
        )
    keys = [(q.feature, q.value) for q in quotas]
    if len(set(keys)) != len(keys):
        raise ValidationError(
            _("Each value of a feature has one quota at most."), code="quota_twice"
        )


def panel_create(
    *,
    actor: User,
    community: Community,
    title: str,
    reviewed_body: Body,
    seats: int,
    features: list[str],
    quotas: list[QuotaIn],
    pool_closes_at: datetime,
    ends_on: date,
    answer_days: int = 30,
    description: str = "",
    budget_process: Process | None = None,
) -> Panel:
    """A worker opens a review panel's pool, with its quotas; verified residents are told."""
    require("bodies.manage_panels", actor, community)
    title = title.strip()
    if not title or len(title) > 200:
        raise ValidationError(
            _("Say in up to 200 characters what the panel reviews."), code="title"
        )
    _check_panel_input(community=community, reviewed_body=reviewed_body, seats=seats, quotas=quotas)
    features = _check_features(community.pk, features)
    for quota in quotas:
        _check_quota(community.pk, quota, features, seats)
    if timezone.is_naive(pool_closes_at):  # a time without its zone is the community's
        pool_closes_at = timezone.make_aware(pool_closes_at)
    _check_dates(pool_closes_at, ends_on, answer_days)
    if budget_process is not None and budget_process.community_id != community.pk:
        raise ValidationError(_("Choose a budget of this community."), code="other_community")
    with transaction.atomic():
        panel = Panel.objects.in_community(community).create(
            title=title,
            description=description.strip(),
            reviewed_body=reviewed_body,
            budget_process=budget_process,
            seats=seats,
            features=features,
            pool_closes_at=pool_closes_at,
            ends_on=ends_on,
            answer_days=answer_days,
            created_by=actor,
        )
        Quota.objects.in_community(community).bulk_create(
            Quota(
                community=community,
                panel=panel,
                feature=q.feature,
                value=q.value,
                minimum=q.minimum,
                maximum=q.maximum,
            )
            for q in quotas
        )
        journal.record(
            community=community,
            actor=actor,
            verb="panel.created",
            target=panel,
            data={"panel": panel.pk, "seats": seats, "quotas": len(quotas)},
        )
        _tell_residents(panel)
    return panel


def _panel_url(panel: Panel) -> str:
    return f"/c/{panel.community.slug}/bodies/panels/{panel.pk}/"


def _tell_residents(panel: Panel) -> None:
    from gongzhi.accounts.models import User

    verified = Membership.objects.in_community(panel.community_id).filter(verified_at__isnull=False)
    users = User.objects.filter(pk__in=verified.values("user_id"), is_active=True)
    closes = timezone.localtime(panel.pool_closes_at).strftime("%Y-%m-%d %H:%M")
    notify(
        users=users.exclude(pk=panel.created_by_id),
        community=panel.community,
        kind="panel_pool_opened",
        message="opened",
        params={"title": panel.title, "closes": closes},
        url=_panel_url(panel),
    )


# --- The pool -----------------------------------------------------------------------------


def _volunteer_membership(actor: User, panel: Panel) -> Membership:
    membership = membership_in(actor, panel.community_id)
    if membership is None:
        raise ValidationError(
            _("Only residents of this community can volunteer for its review panels."),
            code="other_community",
        )
    if membership.verified_at is None:
        raise ValidationError(
            _("Verify your residence first: only verified residents can volunteer."),
            code="not_verified",
        )
    return membership


def _check_declared(panel: Panel, features: dict[str, str]) -> dict[str, str]:
    declared = {name: str(features.get(name, "")).strip() for name in panel.features}
    for name, value in declared.items():
        if value not in dict(feature_values(panel.community_id, name)):
            raise ValidationError(
                _("Choose your %(feature)s from the list.") % {"feature": FEATURES[name].label},
                code="feature_value",
            )
    return declared


def _check_pool_open(panel: Panel) -> None:
    if panel.status != PanelStatus.POOL_OPEN or timezone.now() >= panel.pool_closes_at:
        raise ValidationError(_("This panel's pool is closed."), code="pool_closed")


def _new_pseudonym() -> str:
    return "".join(secrets.choice(PSEUDONYM_ALPHABET) for _i in range(8))


def _locked(panel: Panel) -> Panel:
    return Panel.objects.in_community(panel.community_id).select_for_update().get(pk=panel.pk)


def pool_join(*, actor: User, panel: Panel, features: dict[str, str], consent: bool) -> PoolEntry:
    """A verified resident joins the pool, declaring the panel's features with consent."""
    membership = _volunteer_membership(actor, panel)
    _check_pool_open(panel)
    require("bodies.volunteer_panel", actor, panel)
    if not consent:
        raise ValidationError(
            _("Agree that your features are used for the quotas and published with a pseudonym."),
            code="consent_required",
        )
    declared = _check_declared(panel, features)
    with transaction.atomic():
        locked = _locked(panel)
        _check_pool_open(locked)
        entry = _join_locked(locked, membership, declared)
        journal.record(
            community=panel.community,
            actor=actor,
            verb="panel.volunteered",
            target=locked,
            data={"panel": panel.pk},
        )
    return entry


def _join_locked(panel: Panel, membership: Membership, declared: dict[str, str]) -> PoolEntry:
    now = timezone.now()
    pool = PoolEntry.objects.in_community(panel.community_id)
    entry = pool.filter(panel=panel, membership=membership).first()
    if entry is not None and entry.withdrawn_at is None:
        raise ValidationError(_("You are already in this panel's pool."), code="already_in_pool")
    if entry is not None:
        entry.features, entry.consented_at, entry.withdrawn_at = declared, now, None
        entry.save(update_fields=["features", "consented_at", "withdrawn_at"])
        return entry
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return pool.create(
                    panel=panel,
                    membership=membership,
                    features=declared,
                    consented_at=now,
                    pseudonym=_new_pseudonym(),
                )
        except IntegrityError:  # the one-in-a-trillion pseudonym already drawn
            continue
    raise RuntimeError("no free pseudonym after 5 tries")


def pool_withdraw(*, actor: User, panel: Panel) -> PoolEntry:
    """A volunteer leaves the pool while it is open (their pseudonym is kept for a rejoin)."""
    with transaction.atomic():
        locked = _locked(panel)
        _check_pool_open(locked)
        entry = (
            PoolEntry.objects.in_community(panel.community_id)
            .filter(panel=locked, membership__user=actor, withdrawn_at__isnull=True)
            .first()
        )
        if entry is None:
            raise ValidationError(_("You are not in this panel's pool."), code="not_in_pool")
        entry.withdrawn_at = timezone.now()
        entry.save(update_fields=["withdrawn_at"])
        journal.record(
            community=panel.community,
            actor=actor,
            verb="panel.withdrew",
            target=locked,
            data={"panel": panel.pk},
        )
    return entry


# --- Closing the pool: the portfolio ------------------------------------------------------


def active_pool(panel: Panel) -> QuerySet[PoolEntry]:
    """The volunteers still in the pool, in the published order (by pseudonym)."""
    return (
        PoolEntry.objects.in_community(panel.community_id)
        .filter(panel=panel, withdrawn_at__isnull=True)
        .order_by("pseudonym")
    )


def people_and_rules(
    panel: Panel,
) -> tuple[list[sortition.Person], list[sortition.QuotaRule]]:
    """The pool and the quotas as the sortition (and its command line) reads them."""
    people = [
        sortition.Person(
            id=e.pseudonym, features={f: e.features.get(f, "") for f in panel.features}
        )
        for e in active_pool(panel)
    ]
    rules_ = [
        sortition.QuotaRule(feature=q.feature, value=q.value, minimum=q.minimum, maximum=q.maximum)
        for q in Quota.objects.in_community(panel.community_id).filter(panel=panel)
    ]
    return people, rules_


def _maximin(panel: Panel) -> sortition.Portfolio:
    people, quota_rules = people_and_rules(panel)
    if len(people) < panel.seats:
        raise ValidationError(
            _("The pool has %(pool)d volunteers, fewer than the %(seats)d seats.")
            % {"pool": len(people), "seats": panel.seats},
            code="pool_too_small",
        )
    try:
        return sortition.maximin(people, quota_rules, panel.seats)
    except sortition.QuotaConflict as conflict:
        raise ValidationError(str(conflict), code="quotas_infeasible") from conflict


def pool_close(*, actor: User, panel: Panel) -> Panel:
    """After ``pool_closes_at`` a worker closes the pool: the portfolio, its SHA-256 and
    everyone's probability are computed and published. Infeasible quotas save nothing."""
    require("bodies.close_panel_pool", actor, panel)
    with transaction.atomic():
        locked = _locked(panel)
        if locked.status != PanelStatus.POOL_OPEN:
            raise ValidationError(_("This panel's pool is already closed."), code="pool_closed")
        if timezone.now() < locked.pool_closes_at:
            raise ValidationError(
                _("The pool stays open until %(at)s.")
                % {"at": timezone.localtime(locked.pool_closes_at).strftime("%Y-%m-%d %H:%M")},
                code="pool_still_open",
            )
        portfolio = _maximin(locked)
        _publish(locked, portfolio)
        journal.record(
            community=locked.community,
            actor=actor,
            verb="panel.portfolio_published",
            target=locked,
            data={
                "panel": locked.pk,
                "sha256": locked.portfolio_sha256,
                "min_probability": locked.min_probability,
                "pool": len(portfolio.people),
                "panels": len(portfolio.panels),
            },
        )
    return locked


def _publish(panel: Panel, portfolio: sortition.Portfolio) -> None:
    published = sortition.portfolio_json(portfolio)
    panel.portfolio = json.loads(published)
    panel.portfolio_sha256 = sortition.portfolio_sha256(portfolio)
    panel.min_probability = portfolio.min_probability
    panel.published_at = timezone.now()
    panel.status = PanelStatus.PUBLISHED
    panel.save(
        update_fields=["portfolio", "portfolio_sha256", "min_probability", "published_at", "status"]
    )
    chances = portfolio.person_probabilities()
    entries = list(active_pool(panel))
    for entry in entries:
        entry.probability = chances.get(entry.pseudonym, 0.0)
    PoolEntry.objects.in_community(panel.community_id).bulk_update(entries, ["probability"])


def published_portfolio(panel: Panel) -> sortition.Portfolio:
    """The published portfolio, read back from the stored document."""
    return sortition.portfolio_from_json(json.dumps(panel.portfolio).encode())


def published_bytes(panel: Panel) -> bytes:
    """The exact bytes whose SHA-256 was published (checked: a mismatch is an error)."""
    portfolio = published_portfolio(panel)
    if sortition.portfolio_sha256(portfolio) != panel.portfolio_sha256:
        raise RuntimeError(f"panel {panel.pk}: the stored portfolio no longer hashes as published")
    return sortition.portfolio_json(portfolio)


# --- The public seed and the draw ---------------------------------------------------------


def _check_seed(seed: str) -> str:
    if not seed or not seed.strip() or len(seed) > 200:
        raise ValidationError(
            _("Type the public seed exactly as it was announced (up to 200 characters)."),
            code="seed_invalid",
        )
    return seed


def _seed_refusal(panel: Panel) -> ValidationError:
    panel.refresh_from_db(fields=["seed", "status"])
    if panel.seed:
        return ValidationError(
            _("The seed of this panel has already been entered."), code="seed_entered"
        )
    return ValidationError(
        _(
            "The seed can be entered only after the pool has closed and the portfolio of "
            "panels is published."
        ),
        code="seed_too_early",
    )


def seed_enter(*, actor: User, panel: Panel, seed: str) -> Panel:
    """A supervisor enters the public seed, once; it picks the panel from the published
    portfolio and the drawn members take their seats."""
    require(
        "bodies.enter_panel_seed",
        actor,
        panel,
        _("Only a supervisor who did not open this panel can enter its seed."),
    )
    seed = _check_seed(seed)
    with transaction.atomic():
        claimed = (
            Panel.objects.in_community(panel.community_id)
            .filter(pk=panel.pk, seed="", status=PanelStatus.PUBLISHED)
            .exclude(portfolio_sha256="")
            .update(seed=seed, seed_entered_by=actor, seed_entered_at=timezone.now())
        )
        if not claimed:
            raise _seed_refusal(panel)
        locked = _locked(panel)
        journal.record(
            community=locked.community,
            actor=actor,
            verb="panel.seed_entered",
            target=locked,
            data={"panel": locked.pk, "seed": seed},
        )
        _draw(actor=actor, panel=locked)
    return locked


def _panel_charter(panel: Panel) -> body_services.CharterIn:
    today, ends = timezone.localdate(), panel.ends_on
    months = (ends.year - today.year) * 12 + ends.month - today.month + (ends.day > today.day)
    return body_services.CharterIn(
        powers=[],
        quorum_percent=50,
        threshold_percent=50,
        meeting_every_days=14,
        term_months=max(1, months),
        vacancy_rule=VacancyRule.LEFT_EMPTY,
        text=_("A review panel drawn by lot assesses: %(title)s") % {"title": panel.title},
    )


def _panel_body(*, actor: User, panel: Panel) -> tuple[Body, Position]:
    # Numbered within the community (its n-th panel), not by the row's id, which differs
    # between databases and restores.
    number = Panel.objects.in_community(panel.community_id).filter(pk__lte=panel.pk).count()
    body = body_services.record_body(
        community=panel.community,
        kind=BodyKind.REVIEW_PANEL,
        name=f"评议小组 {number}：{panel.title}"[:120],
        purpose=panel.description or panel.title,
        charter=_panel_charter(panel),
        created_by=actor,
    )
    position = Position.objects.in_community(panel.community_id).create(
        body=body, title=REVIEWER_TITLE, seats=panel.seats, role=Role.REVIEWER
    )
    journal.record(
        community=panel.community,
        actor=actor,
        verb="body.position_added",
        target=position,
        data={"body": body.pk, "position": REVIEWER_TITLE, "seats": panel.seats},
    )
    return body, position


def _draw(*, actor: User, panel: Panel) -> None:
    portfolio = published_portfolio(panel)
    index = sortition.pick(portfolio, panel.seed)
    drawn = list(portfolio.panels[index])
    by_pseudonym = {e.pseudonym: e for e in active_pool(panel).select_related("membership__user")}
    body, position = _panel_body(actor=actor, panel=panel)
    today = timezone.localdate()
    # A drawn volunteer who erased their account since the portfolio was published has no
    # entry any more: their seat stays empty (the published draw itself does not change).
    seated = [(seat, by_pseudonym[p]) for seat, p in enumerate(drawn, start=1) if p in by_pseudonym]
    for seat, entry in seated:
        membership = entry.membership
        body_services.record_mandate(
            body=body,
            position=position,
            membership=membership,
            seat=seat,
            chosen_by=ChosenBy.LOT,
            starts_on=today,
            ends_on=panel.ends_on,
            recorded_by=actor,
        )
        PanelMember.objects.in_community(panel.community_id).create(
            panel=panel, kind=SeatKind.DRAWN, user=membership.user
        )
    panel.body, panel.drawn_index, panel.status = body, index, PanelStatus.DRAWN
    panel.save(update_fields=["body", "drawn_index", "status"])
    journal.record(
        community=panel.community,
        actor=actor,
        verb="panel.drawn",
        target=panel,
        data={"panel": panel.pk, "seats": panel.seats, "index": index, "drawn": drawn},
    )
    users = [entry.membership.user for _seat, entry in seated]
    _assign_budget_reviewers(actor=actor, panel=panel, users=users)
    notify(
        users=users,
        community=panel.community,
        kind="panel_drawn",
        message="drawn",
        params={"title": panel.title},
        url=_panel_url(panel),
    )


def _assign_budget_reviewers(*, actor: User, panel: Panel, users: list[User]) -> None:
    """A panel reviewing a budget's ideas is that budget's review panel: budgeting's review
    permission reads its ``Reviewer`` rows, so the drawn members get one each."""
    if panel.budget_process_id is None:
        return
    from gongzhi.budgeting.models import Reviewer

    reviewers = Reviewer.objects.in_community(panel.community_id)
    for user in users:
        _row, created = reviewers.get_or_create(
            process_id=panel.budget_process_id, user=user, defaults={"assigned_by": actor}
        )
        if created:
            journal.record(
                community=panel.community,
                actor=actor,
                verb="budget.reviewer_assigned",
                target=panel.budget_process,
                data={"reviewer": user.pk, "panel": panel.pk},
            )


# --- The panel's own space ----------------------------------------------------------------


def member_invite(
    *,
    actor: User,
    panel: Panel,
    kind: str,
    name: str,
    affiliation: str = "",
    user: User | None = None,
) -> PanelMember:
    """A worker invites an expert or a stakeholder, marked as such (an account is optional)."""
    require("bodies.invite_to_panel", actor, panel)
    if kind not in (SeatKind.EXPERT, SeatKind.STAKEHOLDER):
        raise ValidationError(_("Invite an expert or a stakeholder."), code="invite_kind")
    name, affiliation = name.strip(), affiliation.strip()
    if user is None and not name:
        raise ValidationError(_("Give the invited person's name."), code="invite_name")
    if len(name) > 120 or len(affiliation) > 200:
        raise ValidationError(_("The name or the affiliation is too long."), code="invite_too_long")
    members = PanelMember.objects.in_community(panel.community_id)
    if user is not None and members.filter(panel=panel, user=user).exists():
        raise ValidationError(_("This person already sits on the panel."), code="already_member")
    with transaction.atomic():
        member = members.create(
            panel=panel, kind=kind, user=user, name=name, affiliation=affiliation
        )
        journal.record(
            community=panel.community,
            actor=actor,
            verb="panel.invited",
            target=panel,
            data={"panel": panel.pk, "kind": kind},
        )
    return member


def document_add(*, actor: User, panel: Panel, file: Any, title: str = "") -> PanelDocument:
    """A member or a worker adds a PDF or a photo to the panel's space (checked by content);
    without a title it is called by its file's name."""
    require("bodies.add_panel_document", actor, panel)
    if len(title.strip()) > 200:
        raise ValidationError(_("Give the document a title of up to 200 characters."), code="title")
    upload = check_upload(file, kinds=PHOTOS | DOCUMENTS, max_bytes=MAX_DOCUMENT_BYTES)
    title = title.strip() or upload.name
    written: list[Any] = []
    try:
        with transaction.atomic():
            document = PanelDocument(
                community_id=panel.community_id, panel=panel, title=title, uploaded_by=actor
            )
            store_upload(document, upload, written)
            journal.record(
                community=panel.community,
                actor=actor,
                verb="panel.document_added",
                target=panel,
                data={"panel": panel.pk, "document": document.pk},
            )
    except Exception:
        for stored in written:
            stored.delete(save=False)
        raise
    return document


# --- The assessment and the answer --------------------------------------------------------


def _check_text(text: str, message: str) -> str:
    text = text.strip()
    if not text or len(text) > 20000:
        raise ValidationError(message, code="text")
    return text


def answer_due_on(panel: Panel) -> date | None:
    """The last day the reviewed body may answer on time."""
    if panel.assessed_at is None:
        return None
    return timezone.localdate(panel.assessed_at) + timedelta(days=panel.answer_days)


def assessment_publish(*, actor: User, panel: Panel, text: str) -> Panel:
    """A member of the panel publishes its assessment; the reviewed body is told its deadline."""
    require("bodies.assess_panel", actor, panel)
    text = _check_text(text, _("Write the assessment (at most 20,000 characters)."))
    with transaction.atomic():
        now = timezone.now()
        done = (
            Panel.objects.in_community(panel.community_id)
            .filter(pk=panel.pk, status=PanelStatus.DRAWN)
            .update(assessment=text, assessed_at=now, status=PanelStatus.ASSESSED)
        )
        if not done:
            raise ValidationError(
                _("This panel's assessment is already published."), code="assessed"
            )
        panel.refresh_from_db()
        journal.record(
            community=panel.community,
            actor=actor,
            verb="panel.assessment_published",
            target=panel,
            data={"panel": panel.pk},
        )
        _register_finding(panel)
        _tell_reviewed_body(panel)
    return panel


def _register_finding(panel: Panel) -> None:
    """The decision register's row of a published assessment: the panel decided it, on the
    reviewed body's work (inside assessment_publish's transaction)."""
    from django.urls import reverse

    from gongzhi.core.decisions import register_decision

    slug = panel.community.slug
    reviewed = panel.reviewed_body
    register_decision(
        community_id=panel.community_id,
        kind="panel_finding",
        decided_on=timezone.localdate(panel.assessed_at),
        title=panel.title,
        source=panel,
        url=_panel_url(panel),
        body_id=panel.body_id,
        body_name=panel.body.name if panel.body is not None else "",
        basis=[
            {
                "kind": "body",
                "title": reviewed.name,
                "url": reverse("body_detail", kwargs={"slug": slug, "body_id": reviewed.pk}),
            },
            {"kind": "panel", "title": panel.title, "url": _panel_url(panel)},
        ],
    )


def answerers(panel: Panel) -> QuerySet[Any]:
    """Who answers for the reviewed body: its members in office and the community's workers."""
    from gongzhi.accounts.models import User

    in_office = panel.reviewed_body.mandates.filter(active_mandate_q()).values("membership")
    workers = RoleGrant.objects.in_community(panel.community_id).filter(
        active_grant_q(), role=Role.COMMUNITY_WORKER
    )
    memberships = Membership.objects.in_community(panel.community_id).filter(
        Q(pk__in=in_office) | Q(pk__in=workers.values("membership"))
    )
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True)


def _tell_reviewed_body(panel: Panel) -> None:
    due = answer_due_on(panel)
    notify(
        users=answerers(panel),
        community=panel.community,
        kind="panel_assessed",
        message="assessed",
        params={"title": panel.title, "due": due.isoformat() if due else ""},
        url=_panel_url(panel),
    )


def panel_answer(*, actor: User, panel: Panel, text: str) -> Panel:
    """The reviewed body answers the assessment publicly (a worker, or a member in office)."""
    require("bodies.answer_panel", actor, panel)
    text = _check_text(text, _("Write the answer (at most 20,000 characters)."))
    with transaction.atomic():
        now = timezone.now()
        done = (
            Panel.objects.in_community(panel.community_id)
            .filter(pk=panel.pk, status=PanelStatus.ASSESSED)
            .update(answer=text, answered_by=actor, answered_at=now, status=PanelStatus.ANSWERED)
        )
        if not done:
            raise ValidationError(_("This assessment is already answered."), code="answered")
        panel.refresh_from_db()
        due = answer_due_on(panel)
        on_time = due is not None and timezone.localdate(now) <= due
        journal.record(
            community=panel.community,
            actor=actor,
            verb="panel.answered",
            target=panel,
            data={"panel": panel.pk, "on_time": on_time, "body": panel.reviewed_body_id},
        )
    return panel
