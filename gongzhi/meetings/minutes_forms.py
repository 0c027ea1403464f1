"""Forms of this part."""

from __future__ import annotations
