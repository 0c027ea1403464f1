"""The community home's spaces tile: where to book a shared space and one's bookings.

It runs no query: the home's budget of one query per tile is spent by the tiles before it (the
test in tests/test_home.py counts them), and what a person booked is one tap away on "my
bookings". A visitor sees no tile (they cannot book).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.home import Tile, TileItem


def shared_spaces(community: Any, user: Any) -> Tile | None:
    """Two links for a logged-in person: book a space, my bookings."""
    if not getattr(user, "is_authenticated", False):
        return None
    slug = community.slug
    return Tile(
        key="spaces.book",
        title=_("Shared spaces"),
        items=[
            TileItem(
                label=_("Book an activity room, a hall or a garden"),
                url=reverse("spaces_home", kwargs={"slug": slug}),
                note=_("see the free times of the week"),
            ),
            TileItem(
                label=_("My bookings"),
                url=reverse("spaces_mine", kwargs={"slug": slug}),
                note=_("cancel one, or add them to your calendar"),
            ),
        ],
        empty="",
    )
