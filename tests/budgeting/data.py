"""Where the shared Pabulib files are, and a skip with the reason when they are absent."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from gongzhi.budgeting import pabulib, rules
from gongzhi.budgeting.tally import election_of

PABULIB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pabulib"
BIG_FILES = sorted(PABULIB.glob("*.pb")) if PABULIB.is_dir() else []
SMALL_FILES = sorted((PABULIB / "small").glob("*.pb")) if PABULIB.is_dir() else []
ALL_FILES = BIG_FILES + SMALL_FILES

needs_data = pytest.mark.skipif(
    not PABULIB.is_dir(), reason=f"the shared Pabulib files are not at {PABULIB}"
)


def file_id(path: Path) -> str:
    return path.name if path.parent == PABULIB else f"small/{path.name}"


@cache
def ours(path: Path) -> tuple[pabulib.Instance, rules.Election]:
    instance = pabulib.read(path)
    return instance, election_of(instance)
