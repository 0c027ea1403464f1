"""API of the statistics part."""

from ninja import Router

router = Router(tags=["mediation"])
