"""What evaluation holds about a person (see ``core.privacy``).

The interventions a staff member recorded are the community's records of what it started,
which the before/after comparisons rest on: they stay, pointing at the tombstone account after
an erasure. The indicator rollups hold no person at all (counts of pseudonymous people only).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.evaluation.models import Intervention

COVERS = frozenset({"evaluation.Intervention.recorded_by"})


def export(user: Any) -> list[Section]:
    return [
        Section(
            "interventions",
            _("Interventions I recorded"),
            rows(
                Intervention.objects.all_communities()
                .filter(recorded_by=user)
                .select_related("community")
                .order_by("pk"),
                community="community.slug",
                name="name",
                kind="kind",
                started_on="started_on",
                ended_on="ended_on",
                recorded_at="recorded_at",
            ),
        )
    ]


def erase(user: Any) -> dict[str, int]:
    return {}
