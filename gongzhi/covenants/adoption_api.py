"""API of the adoption part."""

from ninja import Router

router = Router(tags=["covenants"])
