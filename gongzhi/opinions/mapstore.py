"""An opinion map as JSON and back (意见地图的存储), so that the database can keep the latest
update and pass it to the next one as ``previous`` (Polis's stability rule needs the clusters,
the base clusters and the k smoother of the last update, not only its groups).

Plain Python and NumPy, no Django. ``from_json(to_json(m))`` gives back an equal map: every
array with its dtype and shape, mappings with their integer keys.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

import numpy as np

from gongzhi.opinions.polis import (
    ConsensusStatement,
    DivisiveStatement,
    KSmoother,
    OpinionMap,
    PolisParams,
    RepStatement,
)

#: Bumped when the layout changes; an old stored map is then ignored (the next update starts
#: afresh, as Polis does after a restart).
FORMAT = 1

_INT_ARRAYS = (
    "participants",
    "statements",
    "n_votes",
    "group",
    "base_ids",
    "base_weights",
    "base_of",
    "group_agree",
    "group_disagree",
    "group_seen",
)
_BOOL_ARRAYS = ("moderated_out", "in_conv")
_FLOAT_ARRAYS = (
    "coords",
    "center",
    "components",
    "base_centers",
    "group_centers",
    "group_consensus",
    "group_consensus_disagree",
)


def _array(values: Any, dtype: Any, columns: int | None = None) -> np.ndarray:
    array = np.asarray(values, dtype=dtype)
    if columns is not None and array.size == 0:
        array = array.reshape(0, columns)
    return array


def to_json(m: OpinionMap) -> dict[str, Any]:
    """Plain lists, numbers and strings: what ``json.dumps`` and a JSONField accept."""
    out: dict[str, Any] = {"format": FORMAT}
    for name in _INT_ARRAYS + _BOOL_ARRAYS + _FLOAT_ARRAYS:
        out[name] = getattr(m, name).tolist()
    out["group_clusterings"] = {str(k): v.tolist() for k, v in m.group_clusterings.items()}
    out["silhouettes"] = {str(k): float(v) for k, v in m.silhouettes.items()}
    out["k_smoother"] = asdict(m.k_smoother) if m.k_smoother is not None else None
    out["repness"] = {str(g): [asdict(r) for r in reps] for g, reps in m.repness.items()}
    out["consensus"] = [asdict(c) for c in m.consensus]
    out["divisive"] = [asdict(d) for d in m.divisive]
    out["params"] = asdict(m.params)
    return out


def from_json(data: dict[str, Any]) -> OpinionMap | None:
    """The map stored by ``to_json``; ``None`` for another format (or nothing stored)."""
    if not data or data.get("format") != FORMAT:
        return None
    n_groups = len(data["group_centers"])
    n_statements = len(data["statements"])
    arrays: dict[str, Any] = {}
    for name in _INT_ARRAYS:
        arrays[name] = _array(data[name], np.int64)
    for name in _BOOL_ARRAYS:
        arrays[name] = _array(data[name], np.bool_)
    for name in _FLOAT_ARRAYS:
        arrays[name] = _array(data[name], np.float64)
    for name in ("coords", "base_centers", "group_centers"):
        arrays[name] = _array(data[name], np.float64, columns=2)
    arrays["components"] = _array(data["components"], np.float64).reshape(2, n_statements)
    for name in ("group_agree", "group_disagree", "group_seen"):
        arrays[name] = arrays[name].reshape(n_groups, n_statements)
    smoother = data.get("k_smoother")

    def tuples(item: dict[str, Any]) -> dict[str, Any]:
        return {k: tuple(v) if isinstance(v, list) else v for k, v in item.items()}

    return OpinionMap(
        **arrays,
        group_clusterings={
            int(k): _array(v, np.int64) for k, v in data["group_clusterings"].items()
        },
        silhouettes={int(k): float(v) for k, v in data["silhouettes"].items()},
        k_smoother=KSmoother(**smoother) if smoother else None,
        repness={
            int(g): tuple(RepStatement(**r) for r in reps) for g, reps in data["repness"].items()
        },
        consensus=tuple(ConsensusStatement(**tuples(c)) for c in data["consensus"]),
        divisive=tuple(DivisiveStatement(**tuples(d)) for d in data["divisive"]),
        params=PolisParams(
            **{
                f.name: data["params"][f.name]
                for f in fields(PolisParams)
                if f.name in data["params"]
            }
        ),
    )
