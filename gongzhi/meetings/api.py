"""API routes of this part, mounted at /api/v1/ (write full paths: /communities/{slug}/...)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["meetings"])
