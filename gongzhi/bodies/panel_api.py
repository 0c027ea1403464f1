"""API routes (filled in by this issue's work)."""

from ninja import Router

router = Router(tags=["bodies"])
