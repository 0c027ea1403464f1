"""text.py: amendments applied to a covenant's text, the consolidation, the exact diff, the plain
form and 第N条 numbering — plain values, no database."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.covenants import text as T
from gongzhi.covenants.models import AmendmentKind

DRAFT = T.from_outline(
    [
        ("宠物", ["遛狗须牵绳。", "犬只须登记。"]),
        ("噪音", ["晚十时后不得喧哗。"]),
    ],
    preamble="幸福社区居民公约",
)
# Keys: article 宠物 1 (paragraphs 2, 3), article 噪音 4 (paragraph 5); next key 6.


def outline(text: T.Text) -> list[tuple[str, list[str]]]:
    return [(a.heading, [p.text for p in a.paras]) for a in text.articles]


def all_keys(text: T.Text) -> list[int]:
    return [a.key for a in text.articles] + [p.key for a in text.articles for p in a.paras]


def test_the_kinds_are_the_amendment_kinds():
    assert set(T.KINDS) == set(AmendmentKind.values)


def test_keys_are_given_article_then_its_paragraphs():
    assert [(a.key, [p.key for p in a.paras]) for a in DRAFT.articles] == [(1, [2, 3]), (4, [5])]
    assert DRAFT.next_key == 6


def test_replace_keeps_the_key_and_records_where_the_text_came_from():
    new = T.apply(DRAFT, T.Op(T.REPLACE, paragraph_key=3, text=" 犬只须依法登记。\n", ref=12))
    assert new.articles[0].paras[1] == T.Para(3, "犬只须依法登记。", 12)
    assert new.next_key == 6
    assert DRAFT.articles[0].paras[1].text == "犬只须登记。"  # values, not changed in place


def test_insert_paragraph_takes_the_next_key_after_the_paragraph_named_or_first():
    after = T.apply(DRAFT, T.Op(T.INSERT_PARAGRAPH, article_key=1, paragraph_key=2, text="新款"))
    assert [p.key for p in after.articles[0].paras] == [2, 6, 3]
    assert after.next_key == 7
    first = T.apply(DRAFT, T.Op(T.INSERT_PARAGRAPH, article_key=4, text="首款", ref=3))
    assert first.articles[1].paras[0] == T.Para(6, "首款", 3)


def test_insert_article_takes_one_key_and_one_per_line():
    new = T.apply(
        DRAFT,
        T.Op(
            T.INSERT_ARTICLE,
            article_key=1,
            heading="停车",
            text="不占消防通道。\n\n电动车不进楼道。",
            ref=9,
        ),
    )
    art = new.articles[1]
    assert (art.key, art.heading, art.origin) == (6, "停车", 9)
    assert art.paras == (T.Para(7, "不占消防通道。", 9), T.Para(8, "电动车不进楼道。", 9))
    assert new.next_key == 9
    first = T.apply(DRAFT, T.Op(T.INSERT_ARTICLE, heading="总则", text="一"))
    assert first.articles[0].heading == "总则"


def test_deletes():
    new = T.apply(DRAFT, T.Op(T.DELETE_PARAGRAPH, paragraph_key=2))
    assert outline(new)[0] == ("宠物", ["犬只须登记。"])
    new = T.apply(DRAFT, T.Op(T.DELETE_ARTICLE, article_key=1))
    assert [a.key for a in new.articles] == [4]
    assert new.next_key == 6  # keys are never reused


@pytest.mark.parametrize(
    "op, code",
    [
        (T.Op(T.REPLACE, paragraph_key=99, text="x"), "paragraph_missing"),
        (T.Op(T.REPLACE, article_key=4, paragraph_key=2, text="x"), "paragraph_missing"),
        (T.Op(T.REPLACE, article_key=99, paragraph_key=2, text="x"), "article_missing"),
        (T.Op(T.REPLACE, paragraph_key=2, text=" \n "), "empty_text"),
        (T.Op(T.INSERT_PARAGRAPH, article_key=99, text="x"), "article_missing"),
        (T.Op(T.INSERT_PARAGRAPH, text="x"), "article_missing"),
        (T.Op(T.INSERT_PARAGRAPH, article_key=1, paragraph_key=5, text="x"), "paragraph_missing"),
        (T.Op(T.INSERT_PARAGRAPH, article_key=1, text=""), "empty_text"),
        (T.Op(T.INSERT_ARTICLE, article_key=99, text="x"), "article_missing"),
        (T.Op(T.INSERT_ARTICLE, heading="空", text="\n\n"), "empty_text"),
        (T.Op(T.DELETE_PARAGRAPH, paragraph_key=5), "last_paragraph"),
        (T.Op(T.DELETE_PARAGRAPH, paragraph_key=1), "paragraph_missing"),
        (T.Op(T.DELETE_ARTICLE, article_key=2), "article_missing"),
    ],
)
def test_what_cannot_be_applied_says_why(op, code):
    with pytest.raises(T.NotApplicable) as caught:
        T.apply(DRAFT, op)
    assert caught.value.code == code
    assert caught.value.message == T.MESSAGES[code]


def test_the_last_article_cannot_go():
    alone = T.from_outline([("唯一", ["一款"])])
    with pytest.raises(T.NotApplicable) as caught:
        T.apply(alone, T.Op(T.DELETE_ARTICLE, article_key=1))
    assert caught.value.code == "last_article"


def test_an_amendment_to_an_article_that_no_longer_exists():
    ops = [
        T.Op(T.DELETE_ARTICLE, article_key=1, ref=7),
        T.Op(T.REPLACE, article_key=1, paragraph_key=2, text="新", ref=8),
    ]
    with pytest.raises(T.NotApplicable) as caught:
        T.consolidate(DRAFT, ops)
    assert caught.value.code == "article_missing"


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown"):
        T.apply(DRAFT, T.Op("move"))


# --- the plain form, numbering ----------------------------------------------------------------


def test_parse_reads_articles_headings_paragraphs_and_preamble():
    preamble, articles = T.parse(
        "幸福社区居民公约\n  为了和睦。\n\n第一条 宠物\n遛狗须牵绳。\n\n 犬只须登记。 \n"
        "第二条：噪音\n晚十时后。\n第12条\n第十条第二款\n"
    )
    assert preamble == "幸福社区居民公约\n为了和睦。"
    assert articles == [
        ("宠物", ["遛狗须牵绳。", "犬只须登记。"]),
        ("噪音", ["晚十时后。"]),
        ("", []),
        ("第二款", []),
    ]


def test_render_plain_numbers_articles():
    assert T.render_plain(DRAFT) == (
        "幸福社区居民公约\n\n第一条 宠物\n遛狗须牵绳。\n犬只须登记。\n\n第二条 噪音\n晚十时后不得喧哗。\n"
    )


@pytest.mark.parametrize(
    "n, words",
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (101, "一百零一"),
        (105, "一百零五"),
        (110, "一百一十"),
        (115, "一百一十五"),
        (200, "二百"),
        (230, "二百三十"),
        (999, "九百九十九"),
    ],
)
def test_chinese_number(n, words):
    assert T.chinese_number(n) == words
    assert T.ARTICLE_LINE.match(f"第{words}条 x")


@pytest.mark.parametrize("n", [0, 1000, -1])
def test_chinese_number_range(n):
    with pytest.raises(ValueError):
        T.chinese_number(n)


def test_chinese_numbers_are_distinct():
    assert len({T.chinese_number(n) for n in range(1, 1000)}) == 999


# --- the diff ----------------------------------------------------------------------------------


def test_diff_marks_characters_and_where_changes_came_from():
    new = T.consolidate(
        DRAFT,
        [
            T.Op(T.REPLACE, paragraph_key=2, text="遛狗须牵绳，及时清理。", ref=12),
            T.Op(T.DELETE_PARAGRAPH, paragraph_key=3, ref=13),
            T.Op(T.INSERT_ARTICLE, article_key=1, heading="停车", text="不占通道。", ref=14),
        ],
    )
    changes = T.diff(DRAFT, new)
    assert [(c.kind, c.key, c.old_position, c.new_position) for c in changes] == [
        ("changed", 1, 1, 1),
        ("inserted", 6, None, 2),
        ("same", 4, 2, 3),
    ]
    first = changes[0].paras
    assert [(p.kind, p.key, p.origin) for p in first] == [("changed", 2, 12), ("deleted", 3, None)]
    assert T.marked(first[0].segments) == "遛狗须牵绳{+，及时清理+}。"
    assert [(p.kind, p.origin) for p in changes[1].paras] == [("inserted", 14)]
    result = T.summary(changes)
    assert result.articles == {"same": 1, "changed": 1, "inserted": 1, "deleted": 0}
    assert result.paragraphs == {"same": 1, "changed": 1, "inserted": 1, "deleted": 1}


def test_a_deleted_article_and_its_paragraphs():
    changes = T.diff(DRAFT, T.apply(DRAFT, T.Op(T.DELETE_ARTICLE, article_key=4)))
    assert changes[1].kind == "deleted"
    assert [p.kind for p in changes[1].paras] == ["deleted"]
    assert T.side(changes[1].paras[0].segments, "old") == "晚十时后不得喧哗。"


def test_a_key_out_of_order_reads_as_deleted_and_inserted():
    old = T.Text((T.Art(1, "a", (T.Para(3, "x"),)), T.Art(2, "b", (T.Para(4, "y"),))), 5)
    new = T.Text((old.articles[1], old.articles[0]), 5)
    changes = T.diff(old, new)
    assert [(c.kind, c.key) for c in changes] == [("deleted", 1), ("same", 2), ("inserted", 1)]
    assert T.patch(old, changes) == new


# --- properties --------------------------------------------------------------------------------

words = st.text(alphabet="宠物噪音停车须不的。，ab", min_size=1, max_size=10)
outlines = st.lists(
    st.tuples(
        st.text(alphabet="宠物噪音停车", max_size=4), st.lists(words, min_size=1, max_size=4)
    ),
    min_size=1,
    max_size=5,
)
texts = st.builds(lambda o: T.from_outline(o, preamble="公约"), outlines)
keys = st.one_of(st.none(), st.integers(min_value=1, max_value=40))
ops = st.builds(
    T.Op,
    kind=st.sampled_from(T.KINDS),
    article_key=keys,
    paragraph_key=keys,
    heading=st.text(alphabet="宠物噪音", max_size=3),
    text=st.one_of(words, st.lists(words, min_size=1, max_size=3).map("\n".join), st.just("")),
    ref=st.integers(min_value=1, max_value=1000),
)


def accepted(text: T.Text, candidates: list[T.Op]) -> tuple[T.Text, list[T.Op]]:
    """Fold ``apply`` over the ops, keeping those that apply (as the drafting body can accept
    only an amendment that still applies)."""
    kept = []
    for op in candidates:
        try:
            text = T.apply(text, op)
        except T.NotApplicable:
            continue
        kept.append(op)
    return text, kept


def well_formed(text: T.Text) -> None:
    found = all_keys(text)
    assert len(found) == len(set(found))
    assert all(key < text.next_key for key in found)
    assert text.articles and all(a.paras for a in text.articles)
    assert all(p.text and p.text == T.one_line(p.text) for a in text.articles for p in a.paras)


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(ops, max_size=12))
def test_consolidation_is_applying_the_accepted_ops_in_order(draft, candidates):
    folded, kept = accepted(draft, candidates)
    assert T.consolidate(draft, kept) == folded
    well_formed(folded)
    assert folded.next_key >= draft.next_key
    # What an accepted op wrote carries its ref; untouched paragraphs keep their origin (None).
    refs = {op.ref for op in kept}
    assert all(p.origin is None or p.origin in refs for a in folded.articles for p in a.paras)


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(ops, max_size=12))
def test_the_diff_is_exact(draft, candidates):
    new, _kept = accepted(draft, candidates)
    changes = T.diff(draft, new)
    # The new text, origins and all, is rebuilt from the old one and the diff alone …
    assert T.patch(draft, changes).articles == new.articles
    # … and the old side of the diff is the old text.
    old_side = [
        (
            c.key,
            T.side(c.heading_segments, "old"),
            [(p.key, T.side(p.segments, "old")) for p in c.paras if p.kind != "inserted"],
        )
        for c in changes
        if c.kind != "inserted"
    ]
    assert old_side == [
        (a.key, a.heading, [(p.key, p.text) for p in a.paras]) for a in draft.articles
    ]
    # Positions follow each side's order.
    assert [c.new_position for c in changes if c.new_position] == list(
        range(1, len(new.articles) + 1)
    )
    assert [c.old_position for c in changes if c.old_position] == list(
        range(1, len(draft.articles) + 1)
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_segments_spell_both_sides(old, new):
    parts = T.segments(old, new)
    assert T.side(parts, "old") == old
    assert T.side(parts, "new") == new


@settings(max_examples=200, deadline=None)
@given(texts)
def test_plain_form_round_trip(text):
    preamble, back = T.parse(T.render_plain(text))
    assert preamble == text.preamble
    assert back == outline(text)
    assert T.from_outline(back, preamble=preamble) == text


@settings(max_examples=100, deadline=None)
@given(texts, st.lists(ops, max_size=8))
def test_rekey_lines_a_keyless_text_up_with_the_old_one(draft, candidates):
    new, _kept = accepted(draft, candidates)
    rekeyed = T.rekey(draft, outline(new), preamble=new.preamble)
    assert outline(rekeyed) == outline(new)
    well_formed(rekeyed)
    # Unchanged articles keep their keys (where identical twins do not make it ambiguous).
    signatures = outline(draft)
    twins = len({(h, tuple(ps)) for h, ps in signatures}) < len(signatures) or any(
        len(set(ps)) < len(ps) for _h, ps in signatures
    )
    if not twins:
        unchanged = [a for a in draft.articles if a in new.articles]
        assert all(rekeyed.article(a.key) == a for a in unchanged)


# --- command line ------------------------------------------------------------------------------


def test_command_line_apply_and_diff(tmp_path, capsys):
    draft = tmp_path / "draft.txt"
    draft.write_text(T.render_plain(DRAFT), encoding="utf-8")
    ops_file = tmp_path / "ops.json"
    ops_file.write_text(
        json.dumps(
            [
                {"kind": "replace", "paragraph_key": 2, "text": "遛狗须牵绳，及时清理。", "ref": 1},
                {
                    "kind": "insert_article",
                    "article_key": 1,
                    "heading": "停车",
                    "text": "不占通道。",
                },
                {"kind": "delete_paragraph", "paragraph_key": 3},
            ]
        ),
        encoding="utf-8",
    )
    assert T.main(["apply", str(draft), str(ops_file)]) == 0
    out = capsys.readouterr().out
    assert "第二条 停车\n不占通道。\n" in out
    assert out.endswith("articles=3 paragraphs=3\n")

    consolidated = tmp_path / "new.txt"
    consolidated.write_text(out.rsplit("articles=", 1)[0], encoding="utf-8")
    assert T.main(["diff", str(draft), str(consolidated)]) == 0
    out = capsys.readouterr().out
    assert "遛狗须牵绳{+，及时清理+}。" in out
    assert "articles changed=1 inserted=1 deleted=0\n" in out
    assert out.endswith("paragraphs changed=1 inserted=1 deleted=1\n")


def test_command_line_refuses_an_op_that_does_not_apply(tmp_path, capsys):
    draft = tmp_path / "draft.txt"
    draft.write_text(T.render_plain(DRAFT), encoding="utf-8")
    ops_file = tmp_path / "ops.json"
    ops_file.write_text(
        json.dumps([{"kind": "delete_paragraph", "paragraph_key": 5}]), encoding="utf-8"
    )
    assert T.main(["apply", str(draft), str(ops_file)]) == 1
    assert "op 1: last_paragraph" in capsys.readouterr().err
