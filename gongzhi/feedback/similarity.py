"""How alike two tickets are, and how far apart their places: plain Python, no Django.

Similarity is the cosine of character-bigram counts (with single characters for very short
texts), after Unicode NFKC normalisation, lower-casing and dropping punctuation and spaces. It is
the classic measure for near-duplicate detection in short Chinese text, where word segmentation
is unreliable (Manning, Raghavan & Schütze, *Introduction to Information Retrieval*, §3.3 and
§19.6): two residents writing about the same broken lamp share most bigrams (路灯, 灯坏, 不亮)
even when their sentences differ. Distance is the haversine great-circle distance on a sphere of
the Earth's mean radius (6,371 km), precise to well under a metre at a neighbourhood's scale.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter

EARTH_RADIUS_M = 6_371_000.0


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def shingles(text: str) -> Counter[str]:
    """Character bigrams of the cleaned text (its characters, if it has fewer than three)."""
    clean = _clean(text)
    if len(clean) < 3:
        return Counter(clean)
    return Counter(clean[i : i + 2] for i in range(len(clean) - 1))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """The cosine of two count vectors, 0.0 when either is empty."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b[key] for key, count in a.items() if key in b)
    if dot == 0:
        return 0.0
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return min(1.0, dot / norm)


def similarity(a: str, b: str) -> float:
    """0.0 (nothing in common) to 1.0 (the same characters in the same pairs)."""
    return cosine(shingles(a), shingles(b))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres (haversine formula)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def degrees_around(lat: float, metres: float) -> tuple[float, float]:
    """Half the side of a latitude/longitude box that holds a circle of ``metres`` around a
    point at latitude ``lat``: a prefilter an index can use before the exact distance."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return dlat, dlon
