"""The API world and steps of covenants' consultation part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from typing import Any

from tests.covenants.world import (
    amendment_of,
    comment_of,
    covenant_of,
    current_round,
    drafting_body,
    keys,
)

C = "communities/{slug}/covenants"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker, writer = world.users["worker"], world.users["writer"]
    body = drafting_body(community, worker, name="公约征求意见小组")
    covenant = covenant_of(community, worker, body=body, title="征求意见中的公约")
    round_ = current_round(covenant)
    (first_article, first_paragraphs), *_rest = keys(round_.draft)
    ids = world.ids
    ids["consult_round_id"] = round_.pk
    ids["consult_article_key"] = first_article
    ids["consult_paragraph_key"] = first_paragraphs[0]
    comment_of(round_, writer, article_key=first_article)
    ids["consult_amendment_id"] = amendment_of(
        round_,
        writer,
        article_key=first_article,
        paragraph_key=first_paragraphs[0],
        text="遛狗必须牵绳。",
    ).pk


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    round_ = {"round_id": "consult_round_id"}
    amendment = {"amendment_id": "consult_amendment_id"}
    return [
        Step(
            f"GET {C}/rounds/{{round_id}}/comments",
            "resident",
            200,
            params=round_,
            query="article=1",
        ),
        Step(
            f"POST {C}/rounds/{{round_id}}/comments",
            "resident",
            201,
            lambda ids: {
                "article": ids["consult_article_key"],
                "paragraph": ids["consult_paragraph_key"],
                "text": "晚上也要牵绳。",
            },
            params=round_,
        ),
        Step(f"GET {C}/rounds/{{round_id}}/amendments", "resident", 200, params=round_),
        Step(
            f"POST {C}/rounds/{{round_id}}/amendments",
            "resident",
            201,
            lambda ids: {
                "kind": "insert_paragraph",
                "article": ids["consult_article_key"],
                "text": "小区内禁止遛烈性犬。",
                "reason": "安全。",
            },
            params=round_,
        ),
        Step(f"GET {C}/amendments/{{amendment_id}}", "resident", 200, params=amendment),
        Step(f"POST {C}/amendments/{{amendment_id}}/support", "resident", 200, params=amendment),
        Step(f"POST {C}/amendments/{{amendment_id}}/unsupport", "resident", 200, params=amendment),
        Step(f"POST {C}/amendments/{{amendment_id}}/withdraw", "writer", 200, params=amendment),
    ]
