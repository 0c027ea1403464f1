"""Spaces in the API, under /communities/{slug}/spaces/: the catalogue and my bookings."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["spaces"])
