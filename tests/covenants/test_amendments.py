"""Amendments proposed during the consultation: every kind of change, checked against the draft
with text.apply (an amendment to an article that no longer exists is refused with a clear
message, nothing saved), only in consultation, with a reason, numbered in order; withdrawn by
their author alone while they wait for the drafting body."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.covenants import consult_selectors as selectors
from gongzhi.covenants import text as covenant_text
from gongzhi.covenants.consult_services import amendment_propose, amendment_withdraw
from gongzhi.covenants.models import Amendment, AmendmentStatus
from tests.concurrency import race_posts
from tests.covenants.world import amendment_of, covenant_of, current_round, keys
from tests.factories import member

pytestmark = pytest.mark.django_db


def _round(community, worker, **fields):
    return current_round(covenant_of(community, worker, **fields))


def _amendments(community):
    return Amendment.objects.in_community(community)


def _propose(actor, round_, **fields):
    fields.setdefault("reason", "说得更清楚。")
    return amendment_propose(actor=actor, round=round_, **fields)


def test_each_kind_of_change_is_proposed_with_its_target(community, worker, resident):
    round_ = _round(community, worker)
    (a1, (p1, p2)), (a2, (p3,)), *_ = keys(round_.draft)
    replace = _propose(resident, round_, kind="replace", paragraph_key=p1, text="遛狗必须牵绳。")
    insert_p = _propose(
        resident, round_, kind="insert_paragraph", article_key=a1, paragraph_key=p2, text="新的一款"
    )
    insert_a = _propose(
        resident,
        round_,
        kind="insert_article",
        article_key=a2,
        heading="垃圾分类",
        text="垃圾分类投放。\n\n大件垃圾预约清运。",
    )
    first = _propose(resident, round_, kind="insert_article", heading="总则", text="本公约……")
    delete_p = _propose(resident, round_, kind="delete_paragraph", paragraph_key=p2)
    delete_a = _propose(resident, round_, kind="delete_article", article_key=a2)
    assert [a.number for a in (replace, insert_p, insert_a, first, delete_p, delete_a)] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    # a paragraph's article follows from its key; irrelevant fields are dropped
    assert (replace.article_key, replace.paragraph_key) == (a1, p1)
    assert (delete_p.article_key, delete_p.text) == (a1, "")
    assert (insert_a.article_key, insert_a.paragraph_key) == (a2, None)
    assert (first.article_key, first.heading) == (None, "总则")
    assert delete_a.paragraph_key is None and delete_a.heading == ""
    assert all(a.status == AmendmentStatus.PROPOSED for a in _amendments(community))
    entry = (
        Activity.objects.in_community(community)
        .filter(verb="covenant.amendment_proposed")
        .order_by("pk")
        .first()
    )
    assert entry.data == {"round": round_.pk, "kind": "replace"}
    assert entry.target_id == str(replace.pk)
    assert p3  # the second article's paragraph stays untouched by these


def test_the_amendment_applies_to_the_draft_as_text_apply_says(community, worker, resident):
    round_ = _round(community, worker)
    (a1, (p1, _p2)), *_ = keys(round_.draft)
    amendment = _propose(resident, round_, kind="replace", paragraph_key=p1, text="新文本")
    draft = selectors.draft_text(round_)
    op = covenant_text.Op(
        amendment.kind,
        amendment.article_key,
        amendment.paragraph_key,
        amendment.heading,
        amendment.text,
        amendment.pk,
    )
    changed = covenant_text.apply(draft, op)
    assert changed.article(a1).paras[0].text == "新文本"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "delete_article", "article_key": 999}, "article_missing"),
        ({"kind": "insert_paragraph", "article_key": 999, "text": "x"}, "article_missing"),
        ({"kind": "insert_article", "article_key": 999, "text": "x"}, "article_missing"),
        ({"kind": "replace", "paragraph_key": 999, "text": "x"}, "paragraph_missing"),
        ({"kind": "delete_paragraph", "paragraph_key": 999}, "paragraph_missing"),
        ({"kind": "replace", "text": "x"}, "paragraph_missing"),
        ({"kind": "delete_article"}, "article_missing"),
        ({"kind": "rewrite_everything", "text": "x"}, "kind_invalid"),
        ({"kind": "replace", "paragraph_key": "P1", "text": ""}, "text_missing"),
        ({"kind": "insert_article", "text": "  \n "}, "text_missing"),
        ({"kind": "insert_article", "text": "x", "heading": "长" * 121}, "heading_too_long"),
        ({"kind": "replace", "paragraph_key": "P1", "text": "长" * 2001}, "text_too_long"),
        ({"kind": "replace", "paragraph_key": "P1", "text": "x", "reason": " "}, "reason_missing"),
        (
            {"kind": "replace", "paragraph_key": "P1", "text": "遛狗须牵绳，及时清理粪便。"},
            "no_change",
        ),
        ({"kind": "delete_paragraph", "paragraph_key": "P3"}, "last_paragraph"),
    ],
)
def test_bad_amendments_are_refused_and_nothing_is_saved(community, worker, resident, fields, code):
    round_ = _round(community, worker)
    (a1, (p1, _p2)), (a2, (p3,)), *_ = keys(round_.draft)
    named = {"P1": p1, "P3": p3}
    fields = {k: named.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
    with pytest.raises(ValidationError) as excinfo:
        _propose(resident, round_, **fields)
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]
    assert not _amendments(community).exists()
    assert (
        not Activity.objects.in_community(community)
        .filter(verb="covenant.amendment_proposed")
        .exists()
    )


def test_an_amendment_to_an_article_that_no_longer_exists_is_told_in_the_readers_language(
    community, worker, resident
):
    round_ = _round(community, worker)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        _propose(resident, round_, kind="delete_article", article_key=999)
    assert "no longer exists" in excinfo.value.messages[0]


@pytest.mark.parametrize("phase", ["drafting", "revision", "ratification"])
def test_no_amendment_after_the_consultation_closed(community, worker, resident, phase):
    round_ = _round(community, worker, phase=phase)
    (_a1, (p1, _)), *_ = keys(round_.draft)
    with pytest.raises(ValidationError) as excinfo:
        _propose(resident, round_, kind="replace", paragraph_key=p1, text="太晚了")
    assert excinfo.value.code == "consultation_closed"
    assert not _amendments(community).exists()


def test_only_verified_residents_propose(community, worker, unverified, outsider):
    round_ = _round(community, worker)
    (_a1, (p1, _)), *_ = keys(round_.draft)
    for person in (unverified, outsider):
        with pytest.raises(PermissionDenied):
            _propose(person, round_, kind="replace", paragraph_key=p1, text="改")
    assert not _amendments(community).exists()


def test_a_worker_writes_an_amendment_down_for_a_resident(community, worker, resident):
    round_ = _round(community, worker)
    (_a1, (p1, _)), *_ = keys(round_.draft)
    amendment = _propose(
        worker, round_, kind="replace", paragraph_key=p1, text="改", on_behalf_of=resident
    )
    assert amendment.author == resident and amendment.written_by == worker
    entry = Activity.objects.in_community(community).get(verb="covenant.amendment_proposed")
    assert entry.actor == worker and entry.on_behalf_of == resident


def test_numbers_follow_within_a_round_and_start_again_in_another(community, worker, resident):
    first = _round(community, worker)
    second = _round(community, worker, title="停车公约", body=first.covenant.drafting_body)
    amendment_of(first, resident, paragraph_key=keys(first.draft)[0][1][0], text="x")
    (_a, (p1, _)), *_ = keys(first.draft)
    assert _propose(resident, first, kind="replace", paragraph_key=p1, text="y").number == 2
    (_a, (q1, _)), *_ = keys(second.draft)
    assert _propose(resident, second, kind="replace", paragraph_key=q1, text="z").number == 1


def test_the_author_withdraws_a_waiting_amendment(community, worker, resident):
    round_ = _round(community, worker)
    amendment = amendment_of(round_, resident, paragraph_key=keys(round_.draft)[0][1][0], text="x")
    with pytest.raises(PermissionDenied):
        amendment_withdraw(actor=member(community), amendment=amendment)
    with pytest.raises(PermissionDenied):
        amendment_withdraw(actor=worker, amendment=amendment)
    amendment = amendment_withdraw(actor=resident, amendment=amendment)
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.WITHDRAWN
    entry = Activity.objects.in_community(community).get(verb="covenant.amendment_withdrawn")
    assert entry.actor == resident and entry.data == {"round": round_.pk}
    with pytest.raises(ValidationError) as excinfo:
        amendment_withdraw(actor=resident, amendment=amendment)
    assert excinfo.value.code == "not_proposed"


@pytest.mark.parametrize("status", [AmendmentStatus.ACCEPTED, AmendmentStatus.REJECTED])
def test_a_decided_amendment_is_not_withdrawn(community, worker, resident, status):
    round_ = _round(community, worker, phase="revision")
    amendment = amendment_of(
        round_,
        resident,
        paragraph_key=keys(round_.draft)[0][1][0],
        text="x",
        status=status,
        sequence=1 if status == AmendmentStatus.ACCEPTED else None,
    )
    with pytest.raises(ValidationError) as excinfo:
        amendment_withdraw(actor=resident, amendment=amendment)
    assert excinfo.value.code == "not_proposed"
    amendment.refresh_from_db()
    assert amendment.status == status


def test_the_change_is_shown_as_a_diff_of_the_paragraph(community, worker, resident):
    round_ = _round(community, worker)
    (a1, (p1, p2)), (a2, _), *_ = keys(round_.draft)
    replace = _propose(
        resident, round_, kind="replace", paragraph_key=p1, text="遛狗须牵绳，随时清理粪便。"
    )
    change = selectors.amendment_change(replace)
    assert change.article_label == "第一条" and change.heading == "宠物"
    label, segments = change.paragraphs[0]
    assert label == "第一款"
    assert covenant_text.side(segments, "old") == "遛狗须牵绳，及时清理粪便。"
    assert covenant_text.side(segments, "new") == "遛狗须牵绳，随时清理粪便。"
    assert {s.tag for s in segments} == {"equal", "insert", "delete"}
    deleted = selectors.amendment_change(
        _propose(resident, round_, kind="delete_paragraph", paragraph_key=p2)
    )
    assert deleted.paragraphs[0][0] == "第二款"
    assert [s.tag for s in deleted.paragraphs[0][1]] == ["delete"]
    inserted = selectors.amendment_change(
        _propose(
            resident, round_, kind="insert_article", article_key=a2, text="甲\n乙", heading="新"
        )
    )
    assert inserted.article_label == "第三条" and inserted.new_heading == "新"
    assert [label for label, _ in inserted.paragraphs] == ["第一款", "第二款"]
    gone = selectors.amendment_change(
        _propose(resident, round_, kind="delete_article", article_key=a1)
    )
    assert len(gone.paragraphs) == 2
    assert all(s.tag == "delete" for _, segs in gone.paragraphs for s in segs)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_proposals_take_distinct_numbers(live_server, community, worker):
    round_ = _round(community, worker)
    (_a1, (p1, _)), *_ = keys(round_.draft)
    tokens = [api_token_create(user=member(community), name="t")[1] for _i in range(6)]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/covenants/rounds/{round_.pk}"
        "/amendments"
    )
    bodies = [
        {"kind": "replace", "paragraph": p1, "text": f"第{n}种写法", "reason": "更清楚"}
        for n in range(6)
    ]

    statuses = race_posts(url, tokens, bodies)

    assert statuses == [201] * 6
    numbers = sorted(_amendments(community).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
