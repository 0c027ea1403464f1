"""Spaces' lending part in the API, under /communities/{slug}/spaces/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["spaces"])
