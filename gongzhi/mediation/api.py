"""API of the cases part."""

from ninja import Router

router = Router(tags=["mediation"])
