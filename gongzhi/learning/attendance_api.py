"""This part's API, under /communities/{slug}/learning/."""

from ninja import Router

router = Router(tags=["learning"])
