"""API of the drafting part."""

from ninja import Router

router = Router(tags=["covenants"])
