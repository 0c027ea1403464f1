"""Permissions of this part (django-rules); imported by apps.ready()."""

from __future__ import annotations
