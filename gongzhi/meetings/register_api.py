"""The decision register in the API, mounted at /api/v1/: public, like its page. Pages go by
keyset: ``older`` (and ``newer``) in a response is the cursor to pass as ``before`` (``after``)
for the next page; the filters are the page's."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongzhi.core.selectors import community_get
from gongzhi.meetings import register_selectors as selectors
from gongzhi.meetings.register_selectors import Cursor, RegisterFilters

router = Router(tags=["meetings"])


class RegisterQuery(Schema):
    body: int | None = Field(None, description="Only this body's decisions (its id).")
    kind: str = Field("", description="Only this kind of decision (a decision-kind code).")
    topic: str = Field("", max_length=60, description="Only decisions on this topic.")
    from_: date | None = Field(None, alias="from", description="Decided on or after this day.")
    to: date | None = Field(None, description="Decided on or before this day.")
    q: str = Field("", max_length=100, description="Words that must all appear in the title.")
    before: str = Field("", description="A cursor (`older` of a page): the rows after it.")
    after: str = Field("", description="A cursor (`newer` of a page): the rows before it.")
    limit: int = Field(selectors.PER_PAGE, ge=1, le=100, description="How many rows (1–100).")


class BasisOut(Schema):
    kind: str = Field(..., description="proposal | vote | meeting | minutes | document | …")
    title: str
    url: str
    voters: int | None = None
    electorate: int | None = None
    turnout: float | None = Field(None, description="voters / electorate, where known.")


class RegisterEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    decided_on: date
    title: str
    topic: str
    body_id: int | None = Field(..., description="The deciding body; null: the residents.")
    body_name: str
    url: str = Field(..., description="The decision's own page (a path within the site).")
    basis: list[BasisOut]


class RegisterPageOut(Schema):
    items: list[RegisterEntryOut]
    newer: str | None = Field(..., description="Pass as `after` for the newer page.")
    older: str | None = Field(..., description="Pass as `before` for the older page.")
    searched_to: date | None = Field(
        None,
        description="A title search reads a bounded number of rows per page: it stopped at "
        "this day, and `older`/`newer` search on from there.",
    )


def _entry_out(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "kind_label": str(selectors.kind_label(entry.kind)),
        "decided_on": entry.decided_on,
        "title": entry.title,
        "topic": entry.topic,
        "body_id": entry.body_id,
        "body_name": entry.body_name,
        "url": entry.url,
        "basis": [
            {
                "kind": str(link.get("kind", "")),
                "title": str(link.get("title", "")),
                "url": str(link.get("url", "")),
                **{
                    name: link[name]
                    for name in ("voters", "electorate", "turnout")
                    if isinstance(link.get(name), int | float)
                },
            }
            for link in entry.basis or []
            if isinstance(link, dict)
        ],
    }


@router.get(
    "/communities/{slug}/decisions",
    response=RegisterPageOut,
    auth=None,
    summary="The decision register: who decided what, when, on what basis (public)",
)
def decision_register(
    request: HttpRequest, slug: str, params: Query[RegisterQuery]
) -> dict[str, Any]:
    community = community_get(slug=slug, user=request.user)
    filters = RegisterFilters(
        body_id=params.body,
        kind=params.kind,
        topic=params.topic.strip(),
        since=params.from_,
        until=params.to,
        text=params.q.strip(),
    )
    page = selectors.register_page(
        community_id=community.pk,
        filters=filters,
        before=Cursor.parse(params.before),
        after=Cursor.parse(params.after),
        per_page=params.limit,
    )
    return {
        "items": [_entry_out(entry) for entry in page.rows],
        "newer": str(page.newer) if page.newer else None,
        "older": str(page.older) if page.older else None,
        "searched_to": page.searched_to,
    }
