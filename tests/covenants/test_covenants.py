"""Creating a covenant (its first draft and round) and editing the draft while it is drafted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Activity, Building
from gongzhi.covenants import selectors, services
from gongzhi.covenants.models import Article, Covenant, Round, Scope, Version
from tests.bodies.bodies_world import seat, term
from tests.covenants.world import covenant_of, current_round, drafting_body, keys
from tests.factories import member

PLAIN = """幸福社区居民公约
为了大家和睦相处，制定本公约。

第一条 宠物
遛狗须牵绳，及时清理粪便。
犬只须依法登记。

第二条 噪音
晚十时至早七时不得装修。
"""


def dates(**shift_days: int) -> services.Dates:
    now = timezone.now()
    days = {
        "drafting_starts": 0,
        "consultation_starts": 5,
        "revision_starts": 20,
        "revision_ends": 30,
    }
    days.update(shift_days)
    return services.Dates(**{name: now + timedelta(days=n) for name, n in days.items()})


def sitting_member(body):
    person = member(body.community)
    today = timezone.localdate()
    term(
        body,
        seat(body),
        person,
        starts=today - timedelta(days=30),
        ends=today + timedelta(days=300),
    )
    return person


def create(actor, community, body, **fields):
    return services.covenant_create(
        actor=actor,
        community=community,
        title=fields.pop("title", "幸福社区居民公约"),
        drafting_body=body,
        plain_text=fields.pop("plain_text", PLAIN),
        dates=fields.pop("dates", dates()),
        **fields,
    )


def test_a_sitting_member_drafts_a_covenant(community, worker):
    body = drafting_body(community, worker)
    author = sitting_member(body)
    covenant = create(author, community, body, summary="宠物、噪音")
    round_ = current_round(covenant)
    draft = round_.draft
    assert (draft.number, draft.kind, draft.round_id) == (1, "draft", round_.pk)
    assert draft.preamble == "幸福社区居民公约\n为了大家和睦相处，制定本公约。"
    assert keys(draft) == [(1, [2, 3]), (4, [5])]
    assert covenant.next_key == 6
    assert [a.heading for a in draft.articles.order_by("position")] == ["宠物", "噪音"]
    assert (round_.number, round_.kind, round_.status) == (1, "drafting", "open")
    assert selectors.current_phase(round_) == "drafting"
    entry = Activity.objects.in_community(community).get(verb="covenant.created")
    assert entry.actor == author
    assert entry.data == {"round": round_.pk, "scope": "community", "articles": 2}


def test_a_worker_may_draft_for_any_body(community, worker):
    covenant = create(worker, community, drafting_body(community, worker))
    assert covenant.created_by == worker


def test_a_resident_who_does_not_sit_in_the_body_may_not(community, worker, resident):
    body = drafting_body(community, worker)
    with pytest.raises(PermissionDenied):
        create(resident, community, body)
    assert not Covenant.objects.in_community(community).exists()


def test_a_building_covenant_needs_its_building(community, worker):
    body = drafting_body(community, worker)
    with pytest.raises(ValidationError) as caught:
        create(worker, community, body, scope=Scope.BUILDING)
    assert caught.value.code == "building_missing"
    building = Building.objects.in_community(community).create(name="3号楼")
    covenant = create(worker, community, body, scope=Scope.BUILDING, building=building)
    assert covenant.building == building
    # A community covenant drops a building given by mistake.
    assert create(worker, community, body, building=building).building is None


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"title": "  "}, "title_missing"),
        ({"title": "公" * 121}, "title_too_long"),
        ({"plain_text": "只有序言，没有条文。"}, "empty_text"),
        ({"plain_text": "第一条 宠物\n第二条 噪音\n不得喧哗。"}, "article_empty"),
        ({"plain_text": "第一条 " + "长" * 121 + "\n一款"}, "heading_too_long"),
        ({"plain_text": "第一条 宠物\n" + "长" * 2001}, "paragraph_too_long"),
        ({"dates": dates(consultation_starts=25)}, "phases_order"),
        ({"dates": dates(revision_starts=5)}, "consultation_empty"),
        ({"dates": dates(revision_ends=20)}, "revision_empty"),
        ({"dates": dates(drafting_starts=-10, consultation_starts=-1)}, "date_passed"),
        ({"scope": "street"}, "scope_invalid"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(community, worker, fields, code):
    body = drafting_body(community, worker)
    with pytest.raises(ValidationError) as caught:
        create(worker, community, body, **fields)
    assert caught.value.code == code
    assert caught.value.messages[0]
    assert not Covenant.objects.in_community(community).exists()
    assert not Version.objects.in_community(community).exists()


def test_a_dissolved_body_drafts_nothing(community, worker):
    body = drafting_body(community, worker)
    body.dissolved_at = timezone.now()
    body.save()
    with pytest.raises(ValidationError) as caught:
        create(worker, community, body)
    assert caught.value.code == "body_dissolved"


def test_a_naive_date_is_refused(community, worker):
    body = drafting_body(community, worker)
    naive = dates()
    naive = services.Dates(
        naive.drafting_starts.replace(tzinfo=None),
        naive.consultation_starts,
        naive.revision_starts,
        naive.revision_ends,
    )
    with pytest.raises(ValidationError) as caught:
        create(worker, community, body, dates=naive)
    assert caught.value.code == "phases_naive"


# --- Editing the draft --------------------------------------------------------------------------


def test_the_draft_is_replaced_while_drafting_keeping_keys_that_line_up(community, worker):
    body = drafting_body(community, worker)
    covenant = create(worker, community, body)
    round_ = current_round(covenant)
    draft = services.draft_replace(
        actor=worker,
        round=round_,
        plain_text=(
            "序言改了。\n第一条 宠物\n遛狗须牵绳，及时清理粪便。\n犬只须依法登记并接种疫苗。\n"
            "第二条 停车\n不占用消防通道。\n第三条 噪音\n晚十时至早七时不得装修。\n"
        ),
    )
    assert draft.pk == round_.draft_id
    # 宠物 keeps its key and its first paragraph's; the edited paragraph keeps its place's key;
    # 停车 is new (keys from the covenant's counter); 噪音 keeps its keys.
    assert keys(draft) == [(1, [2, 3]), (6, [7]), (4, [5])]
    covenant.refresh_from_db()
    assert covenant.next_key == 8
    assert draft.preamble == "序言改了。"
    assert Version.objects.in_community(community).filter(covenant=covenant).count() == 1
    entry = Activity.objects.in_community(community).get(verb="covenant.draft_changed")
    assert entry.data == {"round": round_.pk, "articles": 3}


def test_the_draft_cannot_change_once_consultation_opened(community, worker):
    covenant = covenant_of(community, worker, phase="consultation")
    round_ = current_round(covenant)
    before = keys(round_.draft)
    with pytest.raises(ValidationError) as caught:
        services.draft_replace(actor=worker, round=round_, plain_text=PLAIN)
    assert caught.value.code == "drafting_over"
    assert keys(round_.draft) == before


def test_a_bad_draft_leaves_the_old_one(community, worker):
    covenant = covenant_of(community, worker, phase="drafting")
    round_ = current_round(covenant)
    before = keys(round_.draft)
    with pytest.raises(ValidationError) as caught:
        services.draft_replace(actor=worker, round=round_, plain_text="")
    assert caught.value.code == "empty_text"
    assert keys(round_.draft) == before


def test_only_those_who_draft_may_replace_the_draft(community, worker, resident):
    covenant = covenant_of(community, worker, phase="drafting")
    round_ = current_round(covenant)
    with pytest.raises(PermissionDenied):
        services.draft_replace(actor=resident, round=round_, plain_text=PLAIN)
    body_member = sitting_member(covenant.drafting_body)
    services.draft_replace(actor=body_member, round=round_, plain_text=PLAIN)
    assert Article.objects.in_community(community).filter(version=round_.draft).count() == 2


def test_one_covenant_one_round_at_a_time(community, worker):
    covenant = create(worker, community, drafting_body(community, worker))
    assert Round.objects.in_community(community).filter(covenant=covenant).count() == 1


# --- Who may (the drafting part's perms) ---------------------------------------------------------


def test_who_reads_and_who_drafts(
    community,
    other_community,
    worker,
    resident,
    unverified,
    supervisor,
    official,
    admin_user,
    outsider,
):
    covenant = covenant_of(community, worker)
    body_member = sitting_member(covenant.drafting_body)
    other_worker = member(other_community)
    people = {
        "anonymous": (AnonymousUser(), False, False, False),
        "outsider": (outsider, False, False, False),
        "other community's member": (other_worker, False, False, False),
        "unverified": (unverified, True, False, False),
        "resident": (resident, True, False, False),
        "supervisor": (supervisor, True, False, False),
        "drafting body member": (body_member, True, True, False),
        "worker": (worker, True, True, True),
        "street official": (official, True, True, True),
        "platform admin": (admin_user, True, True, True),
    }
    for name, (person, reads, drafts, manages) in people.items():
        assert rules.has_perm("covenants.view_covenant", person, covenant) == reads, name
        assert rules.has_perm("covenants.draft", person, covenant) == drafts, name
        assert rules.has_perm("covenants.draft", person, current_round(covenant)) == drafts, name
        assert rules.has_perm("covenants.manage", person, community) == manages, name
        assert rules.has_perm("covenants.act_for_body", person, covenant) == drafts, name
