"""API of the proceedings part."""

from ninja import Router

router = Router(tags=["mediation"])
