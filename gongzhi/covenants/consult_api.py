"""API of the consultation part."""

from ninja import Router

router = Router(tags=["covenants"])
