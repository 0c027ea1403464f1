"""The Polis method (意见地图的算法): from agree / disagree / pass votes to opinion groups, the
statements that represent each group, group-informed consensus and the statements that divide.

Plain NumPy/SciPy, no Django: votes in, a frozen :class:`OpinionMap` out. The steps follow
Polis's own math (``compdemocracy/polis``, ``math/src/polismath/math/``: ``conversation.clj``
for the update graph, ``pca.clj``, ``clusters.clj``, ``repness.clj``, ``stats.clj``), as
described in Small et al., "Polis: Scaling deliberation by mapping high dimensional opinion
spaces" (Recerca 26(2), 2021) and in the red-dwarf documentation, which reimplements it:

1. **Vote matrix.** Participants × statements; agree ``1``, disagree ``-1``, pass ``0``, not
   seen = missing. The columns of moderated-out statements are set to ``0`` for everyone
   (Polis's ``zero-out-columns``), so they carry no variance but still count as "seen".
2. **Who is clustered** (``in-conv``): participants with at least ``min(7, n_statements)``
   votes; if fewer than 15 qualify, the most active participants are added up to 15. Once in,
   a participant stays in (through ``previous``).
3. **PCA** of the matrix with each missing vote replaced by its statement's mean vote, over all
   participants. Because the imputed value *is* the column mean, the centred matrix is zero
   wherever a vote is missing: it is exactly as sparse as the votes, so we never densify it.
   The two components are the top eigenvectors of its Gram matrix (dense ``eigh`` up to 500
   statements, Lanczos beyond), which is what Polis's power iteration converges to.
4. **Sparsity-aware projection**: a participant's position is the dot product of their centred
   votes (missing votes contribute nothing) with the components, scaled by
   ``sqrt(n_statements / n_seen)`` so that someone who voted on few statements is not pulled
   into the middle of the map (``sparsity-aware-project-ptpt``).
5. **Base clusters**: k-means with k = 100 on the positions of the clustered participants.
6. **Opinion groups**: weighted k-means (weights = base-cluster sizes) of the base-cluster
   centres for each k in 2..``min(5, 2 + n_base // 12)``; each clustering is scored by its mean
   silhouette over the base clusters; the best k is taken only once it has been the best
   ``4`` updates running (``group-k-smoother``). Each update starts its k-means from the previous
   update's clusters (``clean-start-clusters``: recentre the old clusters on their members' new
   positions, then split off the most distant points), which is what keeps groups from
   flickering. Without a previous result there is nothing to start from, so the whole
   clustering (base clusters and groups) is run from ``starts`` independent k-means++ seedings
   drawn from ``seed`` (at most ``start_budget`` participants' worth): k is the one with the best silhouette averaged over the starts, and the
   start whose clustering into k groups scores best is kept. A single start (Polis starts from
   the first k distinct points) made the groups depend on the seed; one lucky start deciding k
   did too.
7. **Representative statements** per group (``repness.clj``): with pseudo-counts,
   ``pa = (1 + agree) / (2 + seen)`` in the group, ``ra = pa / pa_rest`` against the other groups
   together, a one-proportion z-test of ``pa`` against ½ and a two-proportion z-test of the group
   against the rest; significant at 90 % (z > 1.2816) in both, ranked by
   ``ra · z_ra · pa · z_pa``, at most 5, the group's best agreed statement first, agreements
   before disagreements.
8. **Group-informed consensus** (``group-aware-consensus``): per statement the product over
   groups of ``(agree + 1) / (seen + 2)``; the consensus statements are those more than half of
   every group agreed with, best first.
9. **Divisive statements** (ours; Polis shows them only as group repness): the statements whose
   agreement differs most between the most and the least agreeing group, when that difference is
   significant by the same two-proportion test.

Everything is deterministic given ``seed`` and invariant to the order of the votes: participants
and statements are sorted by id before anything is computed. The one freedom left, the sign of
each principal component, is fixed by the previous result or else by making its largest entry
positive.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import LinearOperator, eigsh
from scipy.spatial import cKDTree

AGREE = 1
DISAGREE = -1
PASS = 0

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Counts = NDArray[np.floating] | NDArray[np.integer] | float

#: One-sided z for 90 % confidence, as in Polis's ``z-sig-90?``.
Z_90 = 1.2816
#: Up to this many statements the Gram matrix is decomposed densely.
_DENSE_GRAM_MAX = 500
#: From this many centres on, nearest centres are found with a k-d tree.
_KDTREE_MIN = 16


@dataclass(frozen=True)
class PolisParams:
    """Polis's defaults (``conversation.clj``, ``base-conv-update-graph``)."""

    min_votes: int = 7
    greedy_n: int = 15
    base_k: int = 100
    base_iters: int = 100
    max_k: int = 5
    group_iters: int = 20
    k_buffer: int = 4
    group_starts: int = 20
    #: Independent starts of the whole clustering (base clusters and groups) when there is no
    #: previous update; the one with the best silhouette is kept. One start made the groups
    #: depend on the seed (median ARI 0.64–0.94 over seeds on the shared conversations).
    starts: int = 7
    #: ... but no more starts than this many participants' worth: with hundreds of participants
    #: per base cluster the base clustering hardly moves with the seed, and each start costs a
    #: k-means over every participant (100,000 participants get one start, as before).
    start_budget: int = 50_000
    rep_max: int = 5
    consensus_max: int = 5
    divisive_max: int = 5


@dataclass(frozen=True)
class Votes:
    """Votes as three aligned arrays; at most one vote per participant and statement.

    Build it with :meth:`from_triples` or :meth:`from_arrays`, which keep the *last* of repeated
    votes (pass them in the order cast: a resident may change their mind).
    """

    participant: IntArray
    statement: IntArray
    vote: NDArray[np.int8]

    @classmethod
    def from_arrays(
        cls,
        participant: Iterable[int] | NDArray[np.integer],
        statement: Iterable[int] | NDArray[np.integer],
        vote: Iterable[int] | NDArray[np.integer],
    ) -> Votes:
        p = np.asarray(participant if isinstance(participant, np.ndarray) else list(participant))
        s = np.asarray(statement if isinstance(statement, np.ndarray) else list(statement))
        v = np.asarray(vote if isinstance(vote, np.ndarray) else list(vote))
        if not (p.shape == s.shape == v.shape) or p.ndim != 1:
            raise ValueError("participant, statement and vote must be one-dimensional, same length")
        if p.size and not (
            np.issubdtype(p.dtype, np.integer)
            and np.issubdtype(s.dtype, np.integer)
            and np.issubdtype(v.dtype, np.integer)
        ):
            raise ValueError("participant ids, statement ids and votes must be integers")
        p, s, v = p.astype(np.int64), s.astype(np.int64), v.astype(np.int64)
        if v.size and not np.isin(v, (AGREE, DISAGREE, PASS)).all():
            raise ValueError("a vote must be 1 (agree), -1 (disagree) or 0 (pass)")
        # Keep the last vote of each (participant, statement): sort by key, stable on position.
        order = np.lexsort((np.arange(p.size), s, p))
        p, s, v = p[order], s[order], v[order]
        last = np.ones(p.size, dtype=bool)
        if p.size > 1:
            last[:-1] = (p[1:] != p[:-1]) | (s[1:] != s[:-1])
        return cls(p[last], s[last], v[last].astype(np.int8))

    @classmethod
    def from_triples(cls, triples: Iterable[tuple[int, int, int]]) -> Votes:
        rows = list(triples)
        if not rows:
            return cls.from_arrays([], [], [])
        p, s, v = zip(*rows, strict=True)
        return cls.from_arrays(p, s, v)

    def __len__(self) -> int:
        return int(self.participant.size)


@dataclass(frozen=True)
class KSmoother:
    """Polis's ``group-k-smoother``: the k shown changes only after ``k_buffer`` agreeing updates."""

    last_k: int
    last_k_count: int
    smoothed_k: int


@dataclass(frozen=True)
class RepStatement:
    """A statement that sets a group apart (``finalize-cmt-stats``)."""

    statement: int
    repful_for: Literal["agree", "disagree"]
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement more than half of every group agreed with."""

    statement: int
    group_consensus: float
    p_agree: tuple[float, ...]  # (agree + 1) / (seen + 2) per group


@dataclass(frozen=True)
class DivisiveStatement:
    """A statement the groups disagree about."""

    statement: int
    spread: float  # highest minus lowest group agreement probability
    z: float  # two-proportion z of the most against the least agreeing group
    p_agree: tuple[float, ...]


@dataclass(frozen=True)
class OpinionMap:
    """The result of one update; pass it back as ``previous`` to the next one.

    Arrays indexed by participant follow :attr:`participants` (sorted ids); arrays indexed by
    statement follow :attr:`statements`. ``group`` is ``-1`` for participants not clustered.
    """

    participants: IntArray
    statements: IntArray
    moderated_out: BoolArray
    n_votes: IntArray
    coords: FloatArray
    in_conv: BoolArray
    group: IntArray
    center: FloatArray
    components: FloatArray
    base_ids: IntArray
    base_centers: FloatArray
    base_weights: IntArray
    base_of: IntArray  # base-cluster id per participant, -1 if not clustered
    group_clusterings: Mapping[int, IntArray]  # k -> group index per base cluster
    silhouettes: Mapping[int, float]
    k_smoother: KSmoother | None
    group_centers: FloatArray
    group_agree: IntArray  # groups × statements
    group_disagree: IntArray
    group_seen: IntArray
    repness: Mapping[int, tuple[RepStatement, ...]]
    group_consensus: FloatArray  # per statement, agree
    group_consensus_disagree: FloatArray
    consensus: tuple[ConsensusStatement, ...]
    divisive: tuple[DivisiveStatement, ...]
    params: PolisParams = field(default_factory=PolisParams)

    @property
    def n_groups(self) -> int:
        return int(self.group_centers.shape[0])

    def assignments(self) -> dict[int, int]:
        """``{participant id: group}`` for the clustered participants."""
        mask = self.group >= 0
        return dict(zip(self.participants[mask].tolist(), self.group[mask].tolist(), strict=True))


# --- The vote matrix ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Matrix:
    participants: IntArray
    statements: IntArray
    row: IntArray  # CSR order: by row, then column
    col: IntArray
    val: FloatArray
    indptr: IntArray

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.participants.size), int(self.statements.size)


def _matrix(votes: Votes, extra_statements: Collection[int] = ()) -> _Matrix:
    participants, row = np.unique(votes.participant, return_inverse=True)
    statements = np.unique(
        np.concatenate([votes.statement, np.asarray(list(extra_statements), dtype=np.int64)])
    )
    col = np.searchsorted(statements, votes.statement)
    order = np.lexsort((col, row))
    row, col = row[order].astype(np.int64), col.astype(np.int64)[order]
    indptr = np.zeros(participants.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=participants.size), out=indptr[1:])
    return _Matrix(participants, statements, row, col, votes.vote[order].astype(np.float64), indptr)


# --- PCA with Polis's sparsity-aware projection ------------------------------------------------


def _principal_components(
    m: _Matrix, moderated_out: BoolArray, previous: OpinionMap | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Column means, two components (2 × statements) and each participant's scaled position."""
    n, d = m.shape
    col_n = np.bincount(m.col, minlength=d)
    col_sum = np.bincount(m.col, weights=m.val, minlength=d)
    center = np.divide(col_sum, col_n, out=np.zeros(d), where=col_n > 0)
    center[moderated_out] = 0.0
    data = m.val - center[m.col]
    data[moderated_out[m.col]] = 0.0
    centred = sp.csr_array((data, m.col, m.indptr), shape=(n, d))

    components = np.zeros((2, d))
    if n and d:
        if d <= _DENSE_GRAM_MAX:
            gram = (centred.T @ centred).toarray()
            _, vectors = scipy.linalg.eigh(gram, subset_by_index=[max(d - 2, 0), d - 1])
            top = vectors[:, ::-1].T
        else:
            op = LinearOperator(
                (d, d), matvec=lambda x: centred.T @ (centred @ x), dtype=np.float64
            )
            values, vectors = eigsh(op, k=2, which="LA", v0=np.ones(d), tol=1e-8)
            top = vectors[:, np.argsort(values)[::-1]].T
        components[: top.shape[0]] = top
    _orient(components, m.statements, previous)

    # Moderated-out columns hold a 0 for everyone: Polis counts them as seen.
    modin = ~moderated_out[m.col]
    seen = np.bincount(m.row[modin], minlength=n) + int(moderated_out.sum())
    coords = np.asarray(centred @ components.T)
    coords *= np.sqrt(d / np.maximum(seen, 1))[:, None]
    return center, components, coords


def _orient(components: FloatArray, statements: IntArray, previous: OpinionMap | None) -> None:
    """Fix each component's sign: as the previous update had it, else largest entry positive."""
    for i in range(components.shape[0]):
        c = components[i]
        sign = 0.0
        if previous is not None and previous.statements.size:
            common, here, there = np.intersect1d(
                statements, previous.statements, return_indices=True
            )
            if common.size:
                sign = float(np.sign(c[here] @ previous.components[i, there]))
        if sign == 0.0 and c.size:
            sign = 1.0 if c[int(np.argmax(np.abs(c)))] >= 0 else -1.0
        if sign < 0:
            components[i] = -c


# --- k-means as Polis runs it ------------------------------------------------------------------


def _nearest(points: FloatArray, centers: FloatArray) -> IntArray:
    """Index of the nearest centre for each point (ties: the lower index, below the k-d tree)."""
    if centers.shape[0] >= _KDTREE_MIN:
        _, index = cKDTree(centers).query(points, k=1)
        return np.asarray(index, dtype=np.int64)
    out = np.empty(points.shape[0], dtype=np.int64)
    c2 = (centers**2).sum(1)
    step = 32768
    for start in range(0, points.shape[0], step):
        p = points[start : start + step]
        d2 = c2[None, :] - 2.0 * (p @ centers.T)
        out[start : start + step] = np.argmin(d2, axis=1)
    return out


def _lloyd(
    points: FloatArray, weights: FloatArray, centers: FloatArray, max_iters: int
) -> tuple[FloatArray, IntArray, IntArray]:
    """Weighted Lloyd iterations; clusters that lose all members are dropped (``cluster-step``).

    Returns the centres, each point's cluster and, per returned cluster, its index in ``centers``.
    """
    kept = np.arange(centers.shape[0])
    labels = _nearest(points, centers)
    for _ in range(max(max_iters, 1)):
        k = centers.shape[0]
        mass = np.bincount(labels, weights=weights, minlength=k)
        alive = mass > 0
        sums = np.stack(
            [np.bincount(labels, weights=weights * points[:, j], minlength=k) for j in range(2)],
            axis=1,
        )
        new_centers = sums[alive] / mass[alive, None]
        if not alive.all():
            remap = np.cumsum(alive) - 1
            labels = remap[labels]
            kept = kept[alive]
        centers = new_centers
        new_labels = _nearest(points, centers)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centers, labels, kept


def _farthest_fill(points: FloatArray, centers: FloatArray, k: int) -> tuple[FloatArray, int]:
    """Add the most distant point as a new centre until there are ``k`` (``most-distal``)."""
    if centers.shape[0] >= k:
        return centers, 0
    if centers.shape[0] == 0:
        # Polis starts from the first distinct point; ours is the lexicographically smallest.
        centers = np.unique(points, axis=0)[:1]
    dist = ((points - centers[0]) ** 2).sum(1)
    for c in centers[1:]:
        np.minimum(dist, ((points - c) ** 2).sum(1), out=dist)
    added: list[FloatArray] = []
    while centers.shape[0] + len(added) < k:
        i = int(np.argmax(dist))
        if dist[i] <= 0:
            break
        added.append(points[i])
        np.minimum(dist, ((points - points[i]) ** 2).sum(1), out=dist)
    if added:
        centers = np.vstack([centers, np.asarray(added)])
    return centers, len(added)


def _kmeans_pp(
    points: FloatArray, weights: FloatArray, k: int, rng: np.random.Generator
) -> FloatArray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007), weighted."""
    first = int(rng.choice(points.shape[0], p=weights / weights.sum()))
    centers = [points[first]]
    dist = ((points - points[first]) ** 2).sum(1)
    for _ in range(1, k):
        p = dist * weights
        total = p.sum()
        if total <= 0:
            break
        i = int(rng.choice(points.shape[0], p=p / total))
        centers.append(points[i])
        np.minimum(dist, ((points - points[i]) ** 2).sum(1), out=dist)
    return np.asarray(centers)


def _inertia(
    points: FloatArray, weights: FloatArray, centers: FloatArray, labels: IntArray
) -> float:
    return float((weights * ((points - centers[labels]) ** 2).sum(1)).sum())


def _recentered(
    points: FloatArray,
    weights: FloatArray,
    point_ids: IntArray,
    old_ids: IntArray,
    old_cluster: IntArray,
    n_old: int,
) -> tuple[FloatArray, IntArray]:
    """Previous clusters recentred on their members' current positions; empty ones dropped.

    ``old_ids``/``old_cluster`` say which cluster each previously clustered member was in.
    Returns the centres and the indices (into the previous clusters) of those kept.
    """
    cluster = np.full(point_ids.size, -1, dtype=np.int64)
    if old_ids.size:
        order = np.argsort(old_ids)
        old_ids, old_cluster = old_ids[order], old_cluster[order]
        pos = np.minimum(np.searchsorted(old_ids, point_ids), old_ids.size - 1)
        found = old_ids[pos] == point_ids
        cluster[found] = old_cluster[pos[found]]
    member = cluster >= 0
    mass = np.bincount(cluster[member], weights=weights[member], minlength=n_old)
    sums = np.stack(
        [
            np.bincount(cluster[member], weights=(weights * points[:, j])[member], minlength=n_old)
            for j in range(2)
        ],
        axis=1,
    )
    alive = mass > 0
    return sums[alive] / mass[alive, None], np.flatnonzero(alive)


# --- Base clusters and groups ------------------------------------------------------------------


def _base_clusters(
    points: FloatArray,
    pids: IntArray,
    previous: OpinionMap | None,
    params: PolisParams,
    rng: np.random.Generator,
) -> tuple[FloatArray, IntArray, IntArray]:
    """Centres, each point's base cluster (index) and the clusters' persistent ids."""
    ones = np.ones(points.shape[0])
    distinct = np.unique(points, axis=0)
    k = min(params.base_k, distinct.shape[0])
    if previous is not None and previous.base_ids.size:
        was = previous.base_of >= 0
        old_index = np.searchsorted(previous.base_ids, previous.base_of[was])
        centers, kept = _recentered(
            points, ones, pids, previous.participants[was], old_index, previous.base_ids.size
        )
        ids = previous.base_ids[kept]
        centers, n_new = _farthest_fill(points, centers, k)
        next_id = int(previous.base_ids.max()) + 1
        ids = np.concatenate([ids, np.arange(next_id, next_id + n_new, dtype=np.int64)])
    elif distinct.shape[0] <= params.base_k:
        centers = distinct
        ids = np.arange(centers.shape[0], dtype=np.int64)
    else:
        centers = _kmeans_pp(points, ones, k, rng)
        ids = np.arange(centers.shape[0], dtype=np.int64)
    centers, labels, kept = _lloyd(points, ones, centers, params.base_iters)
    return centers, labels, ids[kept]


def _silhouette(points: FloatArray, labels: IntArray) -> float:
    """Mean silhouette over the points, unweighted; a point alone in its cluster scores 0."""
    k = int(labels.max()) + 1 if labels.size else 0
    if k < 2:
        return -1.0
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    onehot = np.zeros((points.shape[0], k))
    onehot[np.arange(points.shape[0]), labels] = 1.0
    size = onehot.sum(0)
    sums = dist @ onehot  # distance of each point to all members of each cluster
    own = size[labels] - 1
    a = np.divide(
        sums[np.arange(labels.size), labels], own, out=np.zeros(labels.size), where=own > 0
    )
    other = np.where(onehot > 0, np.inf, sums / np.maximum(size, 1)[None, :])
    b = other.min(1)
    denom = np.maximum(a, b)
    s = np.divide(b - a, denom, out=np.zeros(labels.size), where=denom > 0)
    s[own == 0] = 0.0
    return float(s.mean())


def _canonical_order(centers: FloatArray, weights: FloatArray, labels: IntArray) -> IntArray:
    """Fresh groups numbered by size, largest first (ties: by position)."""
    k = centers.shape[0]
    mass = np.bincount(labels, weights=weights, minlength=k)
    order = np.lexsort((centers[:, 1], centers[:, 0], -mass))
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return rank


def _group_clustering(
    centers: FloatArray,
    weights: FloatArray,
    base_ids: IntArray,
    k: int,
    previous: OpinionMap | None,
    params: PolisParams,
    rng: np.random.Generator,
) -> tuple[FloatArray, IntArray]:
    """Groups of base clusters for one k: group centres and each base cluster's group."""
    k = min(k, np.unique(centers, axis=0).shape[0])
    prior = previous.group_clusterings.get(k) if previous is not None else None
    if previous is not None and prior is not None:
        init, _ = _recentered(
            centers, weights, base_ids, previous.base_ids, prior, int(prior.max()) + 1
        )
        init, _ = _farthest_fill(centers, init, k)
        g_centers, labels, _ = _lloyd(centers, weights, init, params.group_iters)
        return g_centers, labels
    # Several k-means++ starts; among the local optima keep the one with the best silhouette,
    # the score Polis chooses k by (then the lower weighted inertia).
    best: tuple[float, float, FloatArray, IntArray] | None = None
    for _ in range(params.group_starts):
        init = _kmeans_pp(centers, weights, k, rng)
        g_centers, labels, _ = _lloyd(centers, weights, init, params.group_iters)
        sil = _silhouette(centers, labels)
        inertia = _inertia(centers, weights, g_centers, labels)
        if (
            best is None
            or sil > best[0] + 1e-12
            or (sil >= best[0] - 1e-12 and inertia < best[1] - 1e-9)
        ):
            best = (sil, inertia, g_centers, labels)
    assert best is not None
    _, _, g_centers, labels = best
    rank = _canonical_order(g_centers, weights, labels)
    reordered = np.empty_like(g_centers)
    reordered[rank] = g_centers
    return reordered, rank[labels]


def _smooth_k(this_k: int, previous: KSmoother | None, buffer: int) -> KSmoother:
    if previous is None:
        return KSmoother(this_k, 1, this_k)
    count = previous.last_k_count + 1 if this_k == previous.last_k else 1
    smoothed = this_k if count >= buffer else previous.smoothed_k
    return KSmoother(this_k, count, smoothed)


# --- Statistics (stats.clj, repness.clj) -------------------------------------------------------


def prop_test(successes: Counts, n: Counts) -> FloatArray:
    """z of a proportion against ½, with a pseudo-count (Polis's ``prop-test``)."""
    s, t = np.asarray(successes, dtype=float) + 1, np.asarray(n, dtype=float) + 1
    return np.asarray(2.0 * np.sqrt(t) * (s / t - 0.5))


def two_prop_test(
    succ_in: Counts,
    succ_out: Counts,
    n_in: Counts,
    n_out: Counts,
) -> FloatArray:
    """Two-proportion z-test with pseudo-counts (Polis's ``two-prop-test``)."""
    s1, s2 = np.asarray(succ_in, dtype=float) + 1, np.asarray(succ_out, dtype=float) + 1
    n1, n2 = np.asarray(n_in, dtype=float) + 1, np.asarray(n_out, dtype=float) + 1
    pi1, pi2 = s1 / n1, s2 / n2
    pi_hat = (s1 + s2) / (n1 + n2)
    var = pi_hat * (1 - pi_hat) * (1 / n1 + 1 / n2)
    z = np.divide(
        pi1 - pi2,
        np.sqrt(np.maximum(var, 0)),
        out=np.zeros(np.broadcast(pi1, pi2).shape),
        where=var > 0,
    )
    return np.asarray(z)


@dataclass(frozen=True)
class _Stat:
    na: int
    nd: int
    ns: int
    pa: float
    pd: float
    pat: float
    pdt: float
    ra: float
    rd: float
    rat: float
    rdt: float


def _finalize(tid: int, s: _Stat, best_agree: bool = False) -> RepStatement:
    if s.rat > s.rdt:
        return RepStatement(tid, "agree", s.na, s.ns, s.pa, s.pat, s.ra, s.rat, best_agree)
    return RepStatement(tid, "disagree", s.nd, s.ns, s.pd, s.pdt, s.rd, s.rdt, best_agree)


def _beats_best_agree(s: _Stat, best: _Stat | None) -> bool:
    if s.na == 0 and s.nd == 0:
        return False
    if best is not None and best.ra > 1.0:
        return s.ra * s.rat * s.pa * s.pat > best.ra * best.rat * best.pa * best.pat
    if best is not None:
        return s.pa * s.pat > best.pa * best.pat
    return s.pat > Z_90 or (s.ra > 1.0 and s.pa > 0.5)


def _select_repness(stats: list[tuple[int, _Stat]], rep_max: int) -> tuple[RepStatement, ...]:
    """One group's representative statements (``select-rep-comments``)."""
    sufficient: list[RepStatement] = []
    best: RepStatement | None = None
    best_agree: tuple[int, _Stat] | None = None
    for tid, s in stats:
        if (s.rat > Z_90 and s.pat > Z_90) or (s.rdt > Z_90 and s.pdt > Z_90):
            sufficient.append(_finalize(tid, s))
        if not sufficient and (best is None or max(s.rat, s.rdt) > best.repness_test):
            best = _finalize(tid, s)
        if _beats_best_agree(s, best_agree[1] if best_agree else None):
            best_agree = (tid, s)
    head: list[RepStatement] = []
    if best_agree is not None:
        tid, s = best_agree
        head = [RepStatement(tid, "agree", s.na, s.ns, s.pa, s.pat, s.ra, s.rat, best_agree=True)]
    if not sufficient:
        return tuple(head or ([best] if best else []))
    rest = [r for r in sufficient if not head or r.statement != head[0].statement]
    rest.sort(key=lambda r: -(r.repness * r.repness_test * r.p_success * r.p_test))
    chosen = (head + rest)[:rep_max]
    return tuple(
        [r for r in chosen if r.repful_for == "agree"]
        + [r for r in chosen if r.repful_for == "disagree"]
    )


def _group_counts(
    m: _Matrix, group: IntArray, n_groups: int
) -> tuple[IntArray, IntArray, IntArray]:
    d = m.shape[1]
    g = group[m.row]
    keep = g >= 0
    key = g[keep] * d + m.col[keep]
    val = m.val[keep]
    size = n_groups * d
    agree = np.bincount(key[val > 0], minlength=size).reshape(n_groups, d)
    disagree = np.bincount(key[val < 0], minlength=size).reshape(n_groups, d)
    seen = np.bincount(key, minlength=size).reshape(n_groups, d)
    return agree.astype(np.int64), disagree.astype(np.int64), seen.astype(np.int64)


def _repness(
    statements: IntArray,
    moderated_out: BoolArray,
    agree: IntArray,
    disagree: IntArray,
    seen: IntArray,
    rep_max: int,
) -> dict[int, tuple[RepStatement, ...]]:
    n_groups = agree.shape[0]
    a_rest, d_rest, s_rest = agree.sum(0) - agree, disagree.sum(0) - disagree, seen.sum(0) - seen
    pa = (1 + agree) / (2 + seen)
    pd = (1 + disagree) / (2 + seen)
    pat, pdt = prop_test(agree, seen), prop_test(disagree, seen)
    ra = pa / ((1 + a_rest) / (2 + s_rest))
    rd = pd / ((1 + d_rest) / (2 + s_rest))
    rat = two_prop_test(agree, a_rest, seen, s_rest)
    rdt = two_prop_test(disagree, d_rest, seen, s_rest)
    out: dict[int, tuple[RepStatement, ...]] = {}
    for g in range(n_groups):
        stats = [
            (
                int(statements[j]),
                _Stat(
                    int(agree[g, j]),
                    int(disagree[g, j]),
                    int(seen[g, j]),
                    float(pa[g, j]),
                    float(pd[g, j]),
                    float(pat[g, j]),
                    float(pdt[g, j]),
                    float(ra[g, j]),
                    float(rd[g, j]),
                    float(rat[g, j]),
                    float(rdt[g, j]),
                ),
            )
            for j in np.flatnonzero(~moderated_out)
        ]
        out[g] = _select_repness(stats, rep_max)
    return out


def _consensus(
    statements: IntArray,
    moderated_out: BoolArray,
    agree: IntArray,
    seen: IntArray,
    gac: FloatArray,
    limit: int,
) -> tuple[ConsensusStatement, ...]:
    p = (agree + 1.0) / (seen + 2.0)
    ok = ~moderated_out & (p > 0.5).all(0) if p.shape[0] else np.zeros(statements.size, bool)
    idx = np.flatnonzero(ok)
    idx = idx[np.lexsort((statements[idx], -gac[idx]))][:limit]
    return tuple(
        ConsensusStatement(int(statements[j]), float(gac[j]), tuple(p[:, j].tolist())) for j in idx
    )


def _divisive(
    statements: IntArray,
    moderated_out: BoolArray,
    agree: IntArray,
    seen: IntArray,
    limit: int,
) -> tuple[DivisiveStatement, ...]:
    if agree.shape[0] < 2:
        return ()
    p = (agree + 1.0) / (seen + 2.0)
    cols = np.arange(p.shape[1])
    hi, lo = p.argmax(0), p.argmin(0)
    spread = p[hi, cols] - p[lo, cols]
    z = two_prop_test(agree[hi, cols], agree[lo, cols], seen[hi, cols], seen[lo, cols])
    ok = ~moderated_out & (z > Z_90)
    idx = np.flatnonzero(ok)
    idx = idx[np.lexsort((statements[idx], -spread[idx]))][:limit]
    return tuple(
        DivisiveStatement(
            int(statements[j]), float(spread[j]), float(z[j]), tuple(p[:, j].tolist())
        )
        for j in idx
    )


# --- The update --------------------------------------------------------------------------------


def _in_conv(
    participants: IntArray,
    n_votes: IntArray,
    n_statements: int,
    previous: OpinionMap | None,
    already_in: Collection[int],
    params: PolisParams,
) -> BoolArray:
    in_conv = n_votes >= min(params.min_votes, n_statements)
    if previous is not None:
        in_conv |= np.isin(participants, previous.participants[previous.in_conv])
    if already_in:
        in_conv |= np.isin(participants, np.fromiter(already_in, dtype=np.int64))
    missing = params.greedy_n - int(in_conv.sum())
    if missing > 0:
        # Most active first, then the earliest id.
        candidates = np.flatnonzero(~in_conv)
        order = candidates[np.lexsort((participants[candidates], -n_votes[candidates]))]
        in_conv[order[:missing]] = True
    return in_conv


def in_conv_over_time(
    participants: Iterable[int], statements: Iterable[int], params: PolisParams | None = None
) -> set[int]:
    """Who Polis would have taken into the conversation, updating after every vote.

    ``participants`` and ``statements`` are the voter and statement of each vote, in the order
    cast. Early in a conversation there are fewer than 7 statements, so fewer votes suffice, and
    the 15 most active are taken in anyway; Polis keeps whoever it took in. Replaying the votes
    recovers those participants from an export, which keeps no such state.
    """
    params = params or PolisParams()
    counts: dict[int, set[int]] = {}
    seen: set[int] = set()
    taken: set[int] = set()
    for p, s in zip(participants, statements, strict=True):
        counts.setdefault(p, set()).add(s)
        seen.add(s)
        if p not in taken and len(counts[p]) >= min(params.min_votes, len(seen)):
            taken.add(p)
        if len(taken) < params.greedy_n:
            rest = sorted((q for q in counts if q not in taken), key=lambda q: (-len(counts[q]), q))
            taken.update(rest[: params.greedy_n - len(taken)])
    return taken


@dataclass(frozen=True)
class _Clustering:
    """One start of the clustering: base clusters and the groups for every k."""

    base_centers: FloatArray
    base_label: IntArray
    base_ids: IntArray
    base_weights: IntArray
    clusterings: dict[int, IntArray]
    centers_by_k: dict[int, FloatArray]
    silhouettes: dict[int, float]
    this_k: int

    @property
    def score(self) -> tuple[float, int]:
        """Best silhouette first, then the fewer groups (as k itself is chosen)."""
        return (self.silhouettes[self.this_k], -self.this_k)


def _most_agreed(found: list[_Clustering]) -> tuple[_Clustering, int]:
    """The number of groups and the start to keep: k with the best silhouette averaged over the
    starts (ties: the fewer groups), then the start whose clustering for that k scores best.
    Keeping the single best start instead lets one lucky start decide k, and k is where the
    seed mattered most."""
    ks = sorted(set().union(*(c.silhouettes for c in found)))
    mean = {k: float(np.mean([c.silhouettes[k] for c in found if k in c.silhouettes])) for k in ks}
    k = max(ks, key=lambda k: (mean[k], -k))
    return max((c for c in found if k in c.silhouettes), key=lambda c: c.silhouettes[k]), k


def _clustering(
    points: FloatArray,
    pids: IntArray,
    previous: OpinionMap | None,
    params: PolisParams,
    rng: np.random.Generator,
) -> _Clustering:
    base_centers, base_label, base_ids = _base_clusters(points, pids, previous, params, rng)
    base_weights = np.bincount(base_label, minlength=base_ids.size).astype(np.int64)
    weights = base_weights.astype(np.float64)
    max_k = min(params.max_k, 2 + base_ids.size // 12)
    clusterings: dict[int, IntArray] = {}
    centers_by_k: dict[int, FloatArray] = {}
    silhouettes: dict[int, float] = {}
    for k in range(2, max_k + 1):
        g_centers, labels = _group_clustering(
            base_centers, weights, base_ids, k, previous, params, rng
        )
        clusterings[k] = labels
        centers_by_k[k] = g_centers
        silhouettes[k] = _silhouette(base_centers, labels)
    this_k = max(silhouettes, key=lambda k: (silhouettes[k], -k))
    return _Clustering(
        base_centers,
        base_label,
        base_ids,
        base_weights,
        clusterings,
        centers_by_k,
        silhouettes,
        this_k,
    )


def opinion_map(
    votes: Votes,
    *,
    moderated_out: Collection[int] = (),
    previous: OpinionMap | None = None,
    in_conv: Collection[int] = (),
    seed: int = 0,
    params: PolisParams | None = None,
) -> OpinionMap:
    """One Polis update: the opinion map of ``votes``.

    ``moderated_out`` are statement ids hidden by moderation. ``previous`` is the last update's
    result: who was clustered stays clustered, the clusters start from where they were, and the
    number of groups changes only once a new one has won ``k_buffer`` updates in a row.
    ``in_conv`` names participants to cluster whatever their vote count (those an earlier
    update took in, when there is no ``previous``: see :func:`in_conv_over_time`).
    """
    params = params or PolisParams()
    rng = np.random.default_rng(seed)
    m = _matrix(votes, moderated_out)
    n, d = m.shape
    modout = np.isin(m.statements, np.asarray(list(moderated_out), dtype=np.int64))
    n_votes = np.bincount(m.row, minlength=n).astype(np.int64)
    clustered = _in_conv(m.participants, n_votes, d, previous, in_conv, params)

    center, components, coords = _principal_components(m, modout, previous)

    idx = np.flatnonzero(clustered)
    base_of = np.full(n, -1, dtype=np.int64)
    group = np.full(n, -1, dtype=np.int64)
    base_centers = np.zeros((0, 2))
    base_ids = np.zeros(0, dtype=np.int64)
    base_weights = np.zeros(0, dtype=np.int64)
    clusterings: dict[int, IntArray] = {}
    silhouettes: dict[int, float] = {}
    smoother: KSmoother | None = None
    group_centers = np.zeros((0, 2))
    if idx.size:
        starts = 1 if previous is not None else params.starts
        starts = max(1, min(starts, params.start_budget // idx.size))
        found = [
            _clustering(coords[idx], m.participants[idx], previous, params, child)
            for child in rng.spawn(starts)
        ]
        best, this_k = _most_agreed(found)
        base_centers, base_ids, base_weights = best.base_centers, best.base_ids, best.base_weights
        clusterings, silhouettes = best.clusterings, best.silhouettes
        base_of[idx] = base_ids[best.base_label]
        smoother = _smooth_k(
            this_k, previous.k_smoother if previous is not None else None, params.k_buffer
        )
        k = smoother.smoothed_k if smoother.smoothed_k in clusterings else this_k
        group_centers = best.centers_by_k[k]
        group[idx] = clusterings[k][best.base_label]

    n_groups = group_centers.shape[0]
    agree, disagree, seen = _group_counts(m, group, n_groups)
    gac = np.prod((agree + 1.0) / (seen + 2.0), axis=0) if n_groups else np.zeros(d)
    gac_d = np.prod((disagree + 1.0) / (seen + 2.0), axis=0) if n_groups else np.zeros(d)
    return OpinionMap(
        participants=m.participants,
        statements=m.statements,
        moderated_out=modout,
        n_votes=n_votes,
        coords=coords,
        in_conv=clustered,
        group=group,
        center=center,
        components=components,
        base_ids=base_ids,
        base_centers=base_centers,
        base_weights=base_weights,
        base_of=base_of,
        group_clusterings=clusterings,
        silhouettes=silhouettes,
        k_smoother=smoother,
        group_centers=group_centers,
        group_agree=agree,
        group_disagree=disagree,
        group_seen=seen,
        repness=_repness(m.statements, modout, agree, disagree, seen, params.rep_max),
        group_consensus=gac,
        group_consensus_disagree=gac_d,
        consensus=_consensus(m.statements, modout, agree, seen, gac, params.consensus_max),
        divisive=_divisive(m.statements, modout, agree, seen, params.divisive_max),
        params=params,
    )
