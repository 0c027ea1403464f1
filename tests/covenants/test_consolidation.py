"""Consolidation: the round's draft with the accepted amendments applied in the order they were
accepted, as a new version whose every article and paragraph says which amendment wrote it —
and, for any draft and any sequence of amendments decided through the service, exactly what
folding text.py's ``apply`` over the accepted ones in that order gives."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.models import Activity
from gongzhi.covenants import revision_services as services
from gongzhi.covenants import text as covtext
from gongzhi.covenants.models import AmendmentKind, AmendmentStatus, VersionKind
from tests.covenants.revision_world import UNANIMOUS, covenant_in, deciding_body
from tests.covenants.world import amendment_of, covenant_of, current_round, keys
from tests.factories import member

pytestmark = pytest.mark.django_db


def accept(actor, amendment):
    return services.amendment_decide(
        actor=actor, amendment=amendment, accept=True, reason="采纳。", **UNANIMOUS
    )


def shape(text: covtext.Text) -> list[tuple]:
    return [
        (a.key, a.heading, a.origin, [(p.key, p.text, p.origin) for p in a.paras])
        for a in text.articles
    ]


@pytest.fixture
def round_(community, worker):
    covenant, _people = covenant_in(community, worker)
    return current_round(covenant)


def test_the_consolidated_version_applies_the_accepted_amendments_in_order(round_, worker):
    covenant = round_.covenant
    replace = amendment_of(round_, article_key=1, paragraph_key=2, text="遛狗必须牵绳。")
    insert = amendment_of(
        round_,
        kind=AmendmentKind.INSERT_PARAGRAPH,
        article_key=4,
        paragraph_key=5,
        text="节假日同样适用。",
    )
    article = amendment_of(
        round_,
        kind=AmendmentKind.INSERT_ARTICLE,
        article_key=6,
        heading="垃圾",
        text="分类投放。\n\n按时投放。",
    )
    delete = amendment_of(
        round_, kind=AmendmentKind.DELETE_PARAGRAPH, article_key=6, paragraph_key=8
    )
    rejected = amendment_of(round_, kind=AmendmentKind.DELETE_ARTICLE, article_key=4)
    for amendment in (article, replace, insert, delete):
        accept(worker, amendment)
    services.amendment_decide(
        actor=worker, amendment=rejected, accept=False, reason="保留。", **UNANIMOUS
    )
    next_key = covenant.next_key

    version = services.consolidate(actor=worker, round=round_)

    round_.refresh_from_db()
    covenant.refresh_from_db()
    assert round_.consolidated == version
    assert (version.kind, version.number, version.based_on) == (
        VersionKind.CONSOLIDATED,
        2,
        round_.draft,
    )
    assert keys(version) == [
        (1, [2, 3]),
        (4, [5, next_key + 3]),
        (6, [7]),
        (next_key, [next_key + 1, next_key + 2]),
    ]
    text = services.text_of(version, covenant.next_key)
    assert [a.heading for a in text.articles] == ["宠物", "噪音", "停车", "垃圾"]
    assert text.articles[0].paras[0] == covtext.Para(2, "遛狗必须牵绳。", replace.pk)
    assert text.articles[0].paras[1].origin is None
    assert text.articles[1].paras[1].text == "节假日同样适用。"
    assert text.articles[1].paras[1].origin == insert.pk
    assert [p.text for p in text.articles[3].paras] == ["分类投放。", "按时投放。"]
    assert text.articles[3].origin == article.pk
    assert [p.key for p in text.articles[2].paras] == [7]
    assert covenant.next_key > next_key
    entry = Activity.objects.in_community(round_.community).get(verb="covenant.consolidated")
    assert entry.data == {"round": round_.pk, "accepted": 4}


def test_nothing_may_be_left_undecided(round_, worker):
    amendment_of(round_, article_key=1, paragraph_key=2, text="甲")

    with pytest.raises(ValidationError) as error:
        services.consolidate(actor=worker, round=round_)

    assert error.value.code == "undecided_amendments"
    round_.refresh_from_db()
    assert round_.consolidated is None


def test_a_round_is_consolidated_once(round_, worker):
    services.consolidate(actor=worker, round=round_)

    with pytest.raises(ValidationError) as error:
        services.consolidate(actor=worker, round=round_)

    assert error.value.code == "already_consolidated"


def test_not_during_the_consultation(community, worker):
    covenant, _people = covenant_in(community, worker, phase="consultation")

    with pytest.raises(ValidationError) as error:
        services.consolidate(actor=worker, round=current_round(covenant))

    assert error.value.code == "consultation_open"


def test_only_for_the_body(round_, community):
    with pytest.raises(PermissionDenied):
        services.consolidate(actor=member(community), round=round_)


def test_no_decision_after_consolidation(round_, worker):
    late = amendment_of(round_, article_key=1, paragraph_key=2, text="甲", status="withdrawn")
    services.consolidate(actor=worker, round=round_)
    late.status = AmendmentStatus.PROPOSED
    late.save(update_fields=["status"])

    with pytest.raises(ValidationError) as error:
        accept(worker, late)

    assert error.value.code == "revision_closed"


# --- the property ------------------------------------------------------------------------------

line = st.text(alphabet="甲乙丙丁戊己庚辛壬癸", min_size=1, max_size=6)
articles = st.lists(st.tuples(line, st.lists(line, min_size=1, max_size=3)), min_size=1, max_size=4)
change = st.tuples(
    st.sampled_from([k.value for k in AmendmentKind]),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=20),
    line,
    st.lists(line, min_size=1, max_size=2),
)


@pytest.fixture
def body(community, worker):
    return deciding_body(community, worker)[0]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(draft=articles, changes=st.lists(change, max_size=6))
def test_the_database_consolidation_folds_apply_in_acceptance_order(
    community, worker, body, draft, changes
):
    with transaction.atomic():
        _check(community, worker, body, draft, changes)
        transaction.set_rollback(True)


def _check(community, worker, body, draft, changes) -> None:
    covenant = covenant_of(community, worker, body=body, articles=draft, phase="revision")
    round_ = current_round(covenant)
    layout = keys(round_.draft)
    article_keys = [a for a, _ps in layout]
    paragraph_keys = [(a, p) for a, ps in layout for p in ps]
    for kind, a_pick, p_pick, heading, lines in changes:
        a_key = article_keys[a_pick % len(article_keys)]
        p_article, p_key = paragraph_keys[p_pick % len(paragraph_keys)]
        fields = {"kind": kind, "heading": "", "text": "\n".join(lines)}
        if kind in (AmendmentKind.REPLACE, AmendmentKind.DELETE_PARAGRAPH):
            fields.update(article_key=p_article, paragraph_key=p_key)
        elif kind == AmendmentKind.INSERT_PARAGRAPH:
            fields.update(article_key=p_article, paragraph_key=p_key if p_pick % 3 else None)
        elif kind == AmendmentKind.INSERT_ARTICLE:
            fields.update(article_key=a_key if a_pick % 3 else None, heading=heading)
        else:
            fields.update(article_key=a_key)
        amendment = amendment_of(round_, **fields)
        try:
            accept(worker, amendment)
        except ValidationError as error:
            assert error.code == "amendment_conflicts"
            services.amendment_decide(
                actor=worker, amendment=amendment, accept=False, reason="冲突。", **UNANIMOUS
            )
    covenant.refresh_from_db()
    start = services.text_of(round_.draft, covenant.next_key)
    accepted = services._accepted(round_)  # noqa: SLF001 - the order the service applies
    assert [a.sequence for a in accepted] == list(range(1, len(accepted) + 1))
    expected = covtext.consolidate(start, [services.op_of(a) for a in accepted])

    version = services.consolidate(actor=worker, round=round_)

    covenant.refresh_from_db()
    assert shape(services.text_of(version, covenant.next_key)) == shape(expected)
    assert covenant.next_key == expected.next_key
