"""Meetings: scheduling, series, second sittings, registration, invitations (keyword-only,
atomic, journalled)."""

from __future__ import annotations
