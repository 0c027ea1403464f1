"""Quorum from presence intervals, as plain data (no ORM): see the spec."""

from __future__ import annotations
