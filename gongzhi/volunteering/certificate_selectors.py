"""Reads of the certificate part that pages and the API share.

``hub`` and ``mine`` feed the volunteering home page and a volunteer's own page (views.py,
owned by the core part): each returns the context its partial
(``volunteering/_hub_certificate.html``, ``volunteering/_mine_certificate.html``) reads as
``hub_certificate`` / ``mine_certificate``."""

from __future__ import annotations

from typing import Any


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    """What the volunteering home page shows of this part to ``viewer`` (may be anonymous)."""
    return {}


def mine(community: Any, user: Any, volunteer: Any) -> dict[str, Any]:
    """What a person's own volunteering page shows of this part (``volunteer`` may be None)."""
    return {}
