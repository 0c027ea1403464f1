"""API of the revision part."""

from ninja import Router

router = Router(tags=["covenants"])
