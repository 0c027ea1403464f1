"""Reads of meetings."""

from __future__ import annotations
