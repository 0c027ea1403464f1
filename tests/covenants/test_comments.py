"""Comments on a covenant's draft during the public consultation: anchored to an article or a
paragraph, only in consultation, only by those who take part, written down by a worker (代办)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gongzhi.core.models import Activity, Building, Household, Membership
from gongzhi.covenants import consult_selectors as selectors
from gongzhi.covenants.consult_services import comment_add
from gongzhi.covenants.models import Comment, Round, RoundStatus, Scope
from tests.covenants.world import comment_of, covenant_of, current_round, keys
from tests.factories import member

pytestmark = pytest.mark.django_db


def _round(community, worker, **fields):
    return current_round(covenant_of(community, worker, **fields))


def _comments(community):
    return Comment.objects.in_community(community)


def _code(excinfo):
    return excinfo.value.code


def lives_in(user, community, building, unit="101"):
    household = Household.objects.in_community(community).create(building=building, unit=unit)
    Membership.objects.in_community(community).filter(user=user).update(household=household)
    return household


def test_a_resident_comments_on_an_article_and_on_a_paragraph(community, worker, resident):
    round_ = _round(community, worker)
    (article, paragraphs), *_ = keys(round_.draft)
    on_article = comment_add(
        actor=resident, round=round_, article_key=article, text="  写得很好。 "
    )
    on_paragraph = comment_add(
        actor=resident,
        round=round_,
        article_key=article,
        paragraph_key=paragraphs[1],
        text="疫苗每年一次？",
    )
    assert on_article.text == "写得很好。"
    assert on_article.paragraph_key is None
    assert on_paragraph.paragraph_key == paragraphs[1]
    assert on_paragraph.author == resident and on_paragraph.written_by is None
    entry = Activity.objects.in_community(community).filter(verb="covenant.commented").last()
    assert entry.data == {"round": round_.pk, "article": article}
    assert entry.target_id == str(on_paragraph.pk)
    assert entry.actor == resident and entry.on_behalf_of is None


@pytest.mark.parametrize("phase", ["drafting", "revision", "ratification"])
def test_no_comment_outside_the_consultation(community, worker, resident, phase):
    round_ = _round(community, worker, phase=phase)
    (article, _), *_ = keys(round_.draft)
    with pytest.raises(ValidationError) as excinfo:
        comment_add(actor=resident, round=round_, article_key=article, text="晚了吗？")
    assert _code(excinfo) == "consultation_closed"
    assert not _comments(community).exists()


def test_no_comment_on_an_abandoned_round(community, worker, resident):
    round_ = _round(community, worker)
    Round.objects.in_community(community).filter(pk=round_.pk).update(status=RoundStatus.ABANDONED)
    round_.refresh_from_db()
    (article, _), *_ = keys(round_.draft)
    with pytest.raises(ValidationError) as excinfo:
        comment_add(actor=resident, round=round_, article_key=article, text="还算数吗？")
    assert _code(excinfo) == "consultation_closed"


def test_an_article_or_paragraph_not_in_the_draft_is_refused(community, worker, resident):
    round_ = _round(community, worker)
    (first, _), (second, second_paragraphs), *_ = keys(round_.draft)
    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        comment_add(actor=resident, round=round_, article_key=999, text="这一条呢？")
    assert _code(excinfo) == "article_missing"
    assert "article" in excinfo.value.messages[0]
    with pytest.raises(ValidationError) as excinfo:
        comment_add(
            actor=resident,
            round=round_,
            article_key=first,
            paragraph_key=second_paragraphs[0],
            text="不是这一条的款。",
        )
    assert _code(excinfo) == "paragraph_missing"
    assert not _comments(community).exists()


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "comment_missing"), ("   ", "comment_missing"), ("长" * 2001, "comment_too_long")],
)
def test_the_comment_must_say_something_and_not_too_much(community, worker, resident, text, code):
    round_ = _round(community, worker)
    (article, _), *_ = keys(round_.draft)
    with pytest.raises(ValidationError) as excinfo:
        comment_add(actor=resident, round=round_, article_key=article, text=text)
    assert _code(excinfo) == code
    assert not _comments(community).exists()


def test_only_verified_members_comment(community, worker, unverified, outsider, other_community):
    round_ = _round(community, worker)
    (article, _), *_ = keys(round_.draft)
    stranger = member(other_community)
    for person in (unverified, outsider, stranger):
        with pytest.raises(PermissionDenied):
            comment_add(actor=person, round=round_, article_key=article, text="我也说两句。")
    assert not _comments(community).exists()


def test_a_building_covenant_is_for_that_buildings_residents(community, worker):
    building = Building.objects.in_community(community).create(name="3号楼")
    elsewhere = Building.objects.in_community(community).create(name="5号楼")
    inside, outside, homeless = member(community), member(community), member(community)
    lives_in(inside, community, building)
    lives_in(outside, community, elsewhere)
    round_ = _round(community, worker, scope=Scope.BUILDING, building=building, title="3号楼公约")
    (article, _), *_ = keys(round_.draft)
    assert comment_add(actor=inside, round=round_, article_key=article, text="同意。")
    for person in (outside, homeless):
        with pytest.raises(ValidationError) as excinfo:
            comment_add(actor=person, round=round_, article_key=article, text="我住别的楼。")
        assert _code(excinfo) == "not_in_building"
    assert _comments(community).count() == 1


def test_a_worker_writes_a_comment_down_for_a_resident(community, worker, resident):
    round_ = _round(community, worker)
    (article, _), *_ = keys(round_.draft)
    comment = comment_add(
        actor=worker,
        round=round_,
        article_key=article,
        text="王阿姨说：好。",
        on_behalf_of=resident,
    )
    assert comment.author == resident and comment.written_by == worker
    entry = Activity.objects.in_community(community).get(verb="covenant.commented")
    assert entry.actor == worker and entry.on_behalf_of == resident


def test_a_resident_does_not_write_for_another(community, worker, resident):
    round_ = _round(community, worker)
    (article, _), *_ = keys(round_.draft)
    with pytest.raises(PermissionDenied):
        comment_add(
            actor=member(community),
            round=round_,
            article_key=article,
            text="替邻居说。",
            on_behalf_of=resident,
        )


def test_a_worker_cannot_write_for_someone_who_may_not_take_part(community, worker, unverified):
    round_ = _round(community, worker)
    (article, _), *_ = keys(round_.draft)
    with pytest.raises(PermissionDenied):
        comment_add(
            actor=worker, round=round_, article_key=article, text="？", on_behalf_of=unverified
        )


def test_comments_are_paged_newest_first(community, worker, resident):
    round_ = _round(community, worker)
    (article, _), (other, _), *_ = keys(round_.draft)
    made = [
        comment_of(round_, resident, article_key=article, text=f"第{n}条意见") for n in range(45)
    ]
    comment_of(round_, resident, article_key=other)
    first = selectors.comment_page(round_, article, 1)
    assert first.total == 45 and first.pages == 3 and first.has_more and not first.has_previous
    assert [c.pk for c in first.comments] == [c.pk for c in reversed(made)][:20]
    last = selectors.comment_page(round_, article, 3)
    assert len(last.comments) == 5 and not last.has_more
    assert selectors.comment_page(round_, article, 10**23).page == 3
    assert selectors.comment_page(round_, article, "x").page == 1
    assert selectors.comment_page(round_, None, 1).total == 46
