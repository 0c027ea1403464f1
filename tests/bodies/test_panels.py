"""Review panels through the services: the whole flow from opening the pool to the body's
answer, and every refusal of the issue's bad inputs (translated, nothing saved)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.bodies import panels, sortition
from gongzhi.bodies.models import (
    Body,
    BodyKind,
    Mandate,
    Panel,
    PanelMember,
    PoolEntry,
    Quota,
)
from gongzhi.bodies.panels import QuotaIn
from gongzhi.core.models import Activity, Role
from gongzhi.core.policies import forget_access
from gongzhi.notifications.models import Notification
from tests.bodies.bodies_world import seat, term
from tests.bodies.panel_helpers import open_panel, pool_closes_now, resident_in, volunteers
from tests.factories import member


def code_of(excinfo) -> str:
    return excinfo.value.code


def journal(community, verb: str) -> list[dict]:
    entries = Activity.objects.in_community(community).filter(verb=verb).order_by("pk")
    return [entry.data for entry in entries]


def drawn_panel(community, worker, supervisor, seed="2026-12-04 开奖 07 19 23"):
    panel = open_panel(community, worker)
    people = volunteers(panel, community)
    panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    panel = panels.seed_enter(actor=supervisor, panel=panel, seed=seed)
    return panel, people


# --- opening the pool ------------------------------------------------------------------------


def test_a_worker_opens_a_panel_with_its_quotas_and_residents_are_told(community, worker):
    neighbour = member(community)
    panel = open_panel(community, worker)

    assert panel.status == "pool_open"
    assert panel.features == ["grid", "gender"]
    quotas = Quota.objects.in_community(community).filter(panel=panel)
    assert {(q.value, q.minimum, q.maximum) for q in quotas} == {("female", 1, 2), ("male", 1, 2)}
    assert journal(community, "panel.created") == [{"panel": panel.pk, "seats": 3, "quotas": 2}]
    told = Notification.objects.filter(kind="panel_pool_opened", user=neighbour)
    assert told.count() == 1


def test_a_resident_cannot_open_a_panel(community, worker, resident):
    with pytest.raises(PermissionDenied):
        open_panel(community, resident, body=open_panel(community, worker).reviewed_body)


@pytest.mark.parametrize(
    ("quota", "code"),
    [
        (QuotaIn("gender", "female", 3, 2), "quota_min_max"),
        (QuotaIn("gender", "nobody", 1, 2), "quota_value"),
        (QuotaIn("tenure", "owner", 1, 2), "quota_feature"),
        (QuotaIn("gender", "female", 4, 5), "quota_over_seats"),
    ],
)
def test_quotas_that_are_wrong_on_their_face_are_refused_at_once(community, worker, quota, code):
    with pytest.raises(ValidationError) as excinfo:
        open_panel(community, worker, quotas=[quota])
    assert code_of(excinfo) == code
    assert not Panel.objects.in_community(community).exists()
    assert not journal(community, "panel.created")


def test_min_over_max_is_refused_with_a_translated_message(community, worker):
    with pytest.raises(ValidationError) as excinfo:
        open_panel(community, worker, quotas=[QuotaIn("gender", "female", 3, 2)])
    expected = gettext(
        "The quota %(feature)s = %(value)s asks for at least %(min)d and at most %(max)d."
    ) % {"feature": gettext("gender"), "value": "female", "min": 3, "max": 2}
    assert excinfo.value.messages == [expected]


def test_a_pool_closing_in_the_past_is_refused(community, worker):
    with pytest.raises(ValidationError) as excinfo:
        open_panel(community, worker, pool_closes_at=timezone.now() - timedelta(hours=1))
    assert code_of(excinfo) == "closes_in_past"


# --- the pool --------------------------------------------------------------------------------


def test_volunteers_join_with_consent_and_a_random_pseudonym_each(community, worker):
    panel = open_panel(community, worker)
    people = volunteers(panel, community)
    entries = PoolEntry.objects.in_community(community).filter(panel=panel)
    assert entries.count() == len(people)
    pseudonyms = {e.pseudonym for e in entries}
    assert len(pseudonyms) == len(people)
    assert all(len(p) == 8 for p in pseudonyms)
    assert all(e.consented_at is not None for e in entries)
    assert journal(community, "panel.volunteered") == [{"panel": panel.pk}] * len(people)


def test_the_grid_is_prefilled_from_the_household(community, worker):
    open_panel(community, worker)
    user = resident_in(community, "二网格")
    membership = user.memberships.select_related("household__building__grid").get()
    assert panels.household_grid(membership) == "二网格"


def test_volunteering_needs_consent_and_declared_features(community, worker):
    panel = open_panel(community, worker)
    user = resident_in(community, "一网格")
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_join(
            actor=user, panel=panel, features={"grid": "一网格", "gender": "male"}, consent=False
        )
    assert code_of(excinfo) == "consent_required"
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_join(actor=user, panel=panel, features={"grid": "一网格"}, consent=True)
    assert code_of(excinfo) == "feature_value"
    assert not PoolEntry.objects.in_community(community).exists()


def test_a_pool_entry_from_another_community_is_refused(community, other_community, worker):
    panel = open_panel(community, worker)
    outsider = member(other_community)
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_join(
            actor=outsider, panel=panel, features={"grid": "一网格", "gender": "male"}, consent=True
        )
    assert code_of(excinfo) == "other_community"
    assert excinfo.value.messages == [
        gettext("Only residents of this community can volunteer for its review panels.")
    ]
    assert not PoolEntry.objects.all_communities().exists()
    assert not journal(community, "panel.volunteered")


def test_an_unverified_resident_cannot_volunteer(community, worker, unverified):
    panel = open_panel(community, worker)
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_join(
            actor=unverified,
            panel=panel,
            features={"grid": "一网格", "gender": "male"},
            consent=True,
        )
    assert code_of(excinfo) == "not_verified"


def test_a_volunteer_withdraws_while_open_and_may_come_back(community, worker):
    panel = open_panel(community, worker)
    (user,) = volunteers(panel, community, genders=("male",))
    entry = panels.pool_withdraw(actor=user, panel=panel)
    assert entry.withdrawn_at is not None
    back = panels.pool_join(
        actor=user, panel=panel, features={"grid": "一网格", "gender": "male"}, consent=True
    )
    assert back.pk == entry.pk and back.withdrawn_at is None
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_join(
            actor=user, panel=panel, features={"grid": "一网格", "gender": "male"}, consent=True
        )
    assert code_of(excinfo) == "already_in_pool"


def test_nobody_joins_or_leaves_after_the_closing_time(community, worker):
    panel = open_panel(community, worker)
    (user,) = volunteers(panel, community, genders=("male",))
    pool_closes_now(panel)
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_withdraw(actor=user, panel=panel)
    assert code_of(excinfo) == "pool_closed"
    latecomer = resident_in(community, "一网格")
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_join(
            actor=latecomer,
            panel=panel,
            features={"grid": "一网格", "gender": "female"},
            consent=True,
        )
    assert code_of(excinfo) == "pool_closed"


# --- closing the pool: the portfolio ---------------------------------------------------------


def test_closing_before_the_closing_time_is_refused(community, worker):
    panel = open_panel(community, worker)
    volunteers(panel, community)
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_close(actor=worker, panel=panel)
    assert code_of(excinfo) == "pool_still_open"


def test_closing_publishes_the_portfolio_its_sha256_and_every_chance(community, worker):
    panel = open_panel(community, worker)
    volunteers(panel, community)
    panel = panels.pool_close(actor=worker, panel=pool_closes_now(panel))

    assert panel.status == "published"
    published = panels.published_bytes(panel)
    assert hashlib.sha256(published).hexdigest() == panel.portfolio_sha256
    document = json.loads(published)
    entries = list(PoolEntry.objects.in_community(community).filter(panel=panel))
    pseudonyms = {e.pseudonym for e in entries}
    # Pseudonyms only: no user id, name or phone in what is published.
    assert set(document["people"]) == pseudonyms
    assert all(set(p["members"]) <= pseudonyms for p in document["panels"])
    # Every panel meets the quotas, and the chances add up to the seats.
    genders = {e.pseudonym: e.features["gender"] for e in entries}
    for p in document["panels"]:
        women = sum(genders[m] == "female" for m in p["members"])
        assert len(p["members"]) == 3 and 1 <= women <= 2
    assert sum(e.probability for e in entries) == pytest.approx(3, abs=1e-6)
    assert min(e.probability for e in entries) == pytest.approx(panel.min_probability)
    # 5 volunteers, 3 seats, 1–2 of each gender: everyone's chance can be 3/5.
    assert panel.min_probability == pytest.approx(0.6, abs=1e-6)
    (entry,) = journal(community, "panel.portfolio_published")
    assert entry["sha256"] == panel.portfolio_sha256 and entry["pool"] == 5
    assert entry["min_probability"] == panel.min_probability


def test_quotas_that_cannot_be_met_are_refused_when_the_pool_closes(community, worker):
    panel = open_panel(community, worker, quotas=[QuotaIn("gender", "female", 2, 3)])
    volunteers(panel, community, genders=("female", "male", "male", "male"))
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    assert code_of(excinfo) == "quotas_infeasible"
    (message,) = excinfo.value.messages
    assert "gender=female" in message
    panel.refresh_from_db()
    assert panel.status == "pool_open" and panel.portfolio_sha256 == ""
    entries = PoolEntry.objects.in_community(community).filter(panel=panel)
    assert all(e.probability is None for e in entries)
    assert not journal(community, "panel.portfolio_published")


def test_a_pool_smaller_than_the_seats_is_refused(community, worker):
    panel = open_panel(community, worker, quotas=[])
    volunteers(panel, community, genders=("female", "male"))
    with pytest.raises(ValidationError) as excinfo:
        panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    assert code_of(excinfo) == "pool_too_small"


# --- the seed and the draw -------------------------------------------------------------------


def test_a_seed_before_the_pool_closed_is_refused(community, worker, supervisor):
    panel = open_panel(community, worker)
    volunteers(panel, community)
    with pytest.raises(ValidationError) as excinfo:
        panels.seed_enter(actor=supervisor, panel=panel, seed="123")
    assert code_of(excinfo) == "seed_too_early"
    assert excinfo.value.messages == [
        gettext(
            "The seed can be entered only after the pool has closed and the portfolio of "
            "panels is published."
        )
    ]
    # After the closing time but before the portfolio is published: still too early.
    with pytest.raises(ValidationError) as excinfo:
        panels.seed_enter(actor=supervisor, panel=pool_closes_now(panel), seed="123")
    assert code_of(excinfo) == "seed_too_early"
    panel.refresh_from_db()
    assert panel.seed == "" and panel.body_id is None
    assert not journal(community, "panel.seed_entered")


def test_only_a_supervisor_in_office_who_did_not_open_it_enters_the_seed(community, worker):
    panel = open_panel(community, worker)
    volunteers(panel, community)
    panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    with pytest.raises(PermissionDenied):
        panels.seed_enter(actor=worker, panel=panel, seed="123")
    resident = member(community)
    with pytest.raises(PermissionDenied):
        panels.seed_enter(actor=resident, panel=panel, seed="123")


def test_the_seed_draws_the_panel_as_a_body_with_reviewers_for_its_term(
    community, worker, supervisor
):
    seed = "2026-12-04 开奖 07 19 23"
    panel, people = drawn_panel(community, worker, supervisor, seed)

    assert panel.status == "drawn" and panel.seed == seed
    portfolio = panels.published_portfolio(panel)
    assert panel.drawn_index == sortition.pick(portfolio, seed)
    chosen = set(portfolio.panels[panel.drawn_index])
    by_pseudonym = {
        e.pseudonym: e.membership.user_id
        for e in PoolEntry.objects.in_community(community).filter(panel=panel)
    }
    drawn_users = {by_pseudonym[p] for p in chosen}
    body = Body.objects.in_community(community).get(pk=panel.body_id)
    assert body.kind == BodyKind.REVIEW_PANEL
    mandates = Mandate.objects.in_community(community).filter(body=body)
    assert {m.membership.user_id for m in mandates} == drawn_users
    assert {(m.chosen_by, m.ends_on, m.position.title) for m in mandates} == {
        ("lot", panel.ends_on, "评议员")
    }
    members = PanelMember.objects.in_community(community).filter(panel=panel)
    assert {(m.kind, m.user_id) for m in members} == {("drawn", u) for u in drawn_users}
    for user in people:
        forget_access(user)
        holds = Role.REVIEWER in user.memberships.get().role_set()
        assert holds is (user.pk in drawn_users)
    assert journal(community, "panel.seed_entered") == [{"panel": panel.pk, "seed": seed}]
    (drawn,) = journal(community, "panel.drawn")
    assert (drawn["panel"], drawn["seats"], drawn["index"]) == (panel.pk, 3, panel.drawn_index)
    started = journal(community, "body.mandate_started")
    assert {(e["kind"], e["position"], e["chosen_by"]) for e in started} == {
        ("review_panel", "评议员", "lot")
    }
    told = Notification.objects.filter(kind="panel_drawn").values_list("user_id", flat=True)
    assert set(told) == drawn_users


def test_the_reviewer_role_ends_with_the_panels_term(community, worker, supervisor, time_machine):
    panel, _people = drawn_panel(community, worker, supervisor)
    user = PanelMember.objects.in_community(community).filter(panel=panel).first().user
    time_machine.move_to(timezone.now() + timedelta(days=100))
    forget_access(user)
    assert Role.REVIEWER not in user.memberships.get().role_set()


def test_a_second_seed_is_refused_and_draws_nothing(community, worker, supervisor):
    panel, _people = drawn_panel(community, worker, supervisor)
    other = member(community, Role.SUPERVISOR)
    with pytest.raises(ValidationError) as excinfo:
        panels.seed_enter(actor=other, panel=panel, seed="another")
    assert code_of(excinfo) == "seed_entered"
    panel.refresh_from_db()
    assert panel.seed == "2026-12-04 开奖 07 19 23"
    assert Mandate.objects.in_community(community).count() == 3
    assert len(journal(community, "panel.drawn")) == 1


def test_repeating_the_draw_from_the_published_files_gives_the_same_panel(
    community, worker, supervisor, tmp_path, capsys
):
    from gongzhi.bodies import panel_selectors

    panel, _people = drawn_panel(community, worker, supervisor)
    (tmp_path / panel_selectors.pool_file(panel)).write_bytes(panel_selectors.pool_csv(panel))
    (tmp_path / panel_selectors.quotas_file(panel)).write_bytes(panel_selectors.quotas_csv(panel))
    assert (
        sortition.main(
            [
                str(tmp_path / panel_selectors.pool_file(panel)),
                "--quotas",
                str(tmp_path / panel_selectors.quotas_file(panel)),
                "--seats",
                str(panel.seats),
                "--seed",
                panel.seed,
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out.splitlines()
    chosen = panels.published_portfolio(panel).panels[panel.drawn_index]
    assert printed[:-1] == list(chosen)
    assert printed[-1].startswith("min_probability=")
    assert "--seed '2026-12-04 开奖 07 19 23'" in panel_selectors.repeat_command(panel)


def test_a_panel_reviewing_a_budget_makes_its_members_the_budgets_reviewers(
    community, worker, supervisor
):
    from gongzhi.budgeting.models import Reviewer
    from tests.budgeting.helpers import make_process

    process = make_process(community, worker)
    panel = open_panel(community, worker, budget_process=process)
    volunteers(panel, community)
    panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    panel = panels.seed_enter(actor=supervisor, panel=panel, seed="s")
    members = set(
        PanelMember.objects.in_community(community)
        .filter(panel=panel)
        .values_list("user", flat=True)
    )
    reviewers = Reviewer.objects.in_community(community).filter(process=process)
    assert set(reviewers.values_list("user", flat=True)) == members


# --- the panel's space, assessment and answer ------------------------------------------------


def test_a_worker_invites_an_expert_marked_as_such(community, worker, supervisor):
    panel, _people = drawn_panel(community, worker, supervisor)
    expert = panels.member_invite(
        actor=worker, panel=panel, kind="expert", name="李工", affiliation="市政设计院"
    )
    assert expert.kind == "expert" and expert.user_id is None
    with pytest.raises(ValidationError) as excinfo:
        panels.member_invite(actor=worker, panel=panel, kind="drawn", name="冒充")
    assert code_of(excinfo) == "invite_kind"
    assert journal(community, "panel.invited") == [{"panel": panel.pk, "kind": "expert"}]


def test_documents_are_checked_and_kept_in_the_panel_space(
    community, worker, supervisor, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.disclosure.helpers import pdf

    settings.MEDIA_ROOT = str(tmp_path)
    panel, people = drawn_panel(community, worker, supervisor)
    member_user = PanelMember.objects.in_community(community).filter(panel=panel).first().user
    document = panels.document_add(actor=member_user, panel=panel, title="方案图", file=pdf())
    assert document.content_type == "application/pdf"
    fake = SimpleUploadedFile("方案.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        panels.document_add(actor=member_user, panel=panel, title="假的", file=fake)
    assert code_of(excinfo) == "upload_type"
    outsider = member(community)
    with pytest.raises(PermissionDenied):
        panels.document_add(actor=outsider, panel=panel, title="x", file=pdf())


def _member_of(panel):
    return PanelMember.objects.in_community(panel.community).filter(panel=panel).first().user


def test_the_panel_publishes_its_assessment_and_the_body_answers_on_time(
    community, worker, supervisor
):
    panel, _people = drawn_panel(community, worker, supervisor)
    body_member = member(community)
    term(
        panel.reviewed_body,
        seat(panel.reviewed_body),
        body_member,
        starts=timezone.localdate() - timedelta(days=10),
        ends=timezone.localdate() + timedelta(days=300),
    )
    with pytest.raises(PermissionDenied):
        panels.assessment_publish(actor=worker, panel=panel, text="不是成员")
    panel = panels.assessment_publish(
        actor=_member_of(panel), panel=panel, text="方案可行，但要加无障碍车位。"
    )
    assert panel.status == "assessed"
    assert panels.answer_due_on(panel) == timezone.localdate() + timedelta(days=30)
    told = set(Notification.objects.filter(kind="panel_assessed").values_list("user", flat=True))
    assert {body_member.pk, worker.pk} <= told
    with pytest.raises(PermissionDenied):
        panels.panel_answer(actor=member(community), panel=panel, text="我来答")
    panel = panels.panel_answer(actor=body_member, panel=panel, text="采纳，下月施工。")
    assert panel.status == "answered" and panel.answered_by == body_member
    assert journal(community, "panel.assessment_published") == [{"panel": panel.pk}]
    (answered,) = journal(community, "panel.answered")
    assert answered["panel"] == panel.pk and answered["on_time"] is True


def test_a_late_answer_is_journalled_as_late(community, worker, supervisor, time_machine):
    panel, _people = drawn_panel(community, worker, supervisor)
    panel = panels.assessment_publish(actor=_member_of(panel), panel=panel, text="需要重新设计。")
    time_machine.move_to(timezone.now() + timedelta(days=31))
    forget_access(worker)
    panels.panel_answer(actor=worker, panel=panel, text="迟到的答复")
    (answered,) = journal(community, "panel.answered")
    assert answered["on_time"] is False


def test_a_drawn_volunteer_erased_after_publishing_leaves_the_seat_empty(
    community, worker, supervisor
):
    from gongzhi.core.privacy import person_erase

    panel = open_panel(community, worker)
    people = volunteers(panel, community)
    panels.pool_close(actor=worker, panel=pool_closes_now(panel))
    panel.refresh_from_db()
    seed = "2026-12-04 开奖 07 19 23"
    portfolio = panels.published_portfolio(panel)
    chosen = set(portfolio.panels[sortition.pick(portfolio, seed)])
    entries = PoolEntry.objects.in_community(community).filter(panel=panel)
    gone = next(e.membership.user for e in entries if e.pseudonym in chosen)
    person_erase(gone)
    panel = panels.seed_enter(actor=supervisor, panel=Panel.objects.get(pk=panel.pk), seed=seed)
    assert panel.status == "drawn"
    members = PanelMember.objects.in_community(community).filter(panel=panel, kind="drawn")
    assert members.count() == len(chosen) - 1
    assert gone.pk not in set(members.values_list("user_id", flat=True))
    assert len(people) >= len(chosen)
