"""The Polis open-data export layout (Polis 导出格式): read and write ``comments.csv``,
``votes.csv`` and ``participants-votes.csv``, as published by The Computational Democracy Project
(``compdemocracy/openData``; CC BY 4.0).

The three files, as Polis writes them:

- ``comments.csv``: ``timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,
  comment-body``; ``moderated`` is ``1`` accepted, ``0`` not yet moderated, ``-1`` moderated out.
- ``votes.csv``: ``timestamp,datetime,comment-id,voter-id,vote``, one line per vote cast
  (a changed vote appears again, later); ``vote`` is ``1`` agree, ``-1`` disagree, ``0`` pass.
- ``participants-votes.csv``: ``participant,group-id,n-comments,n-votes,n-agree,n-disagree``
  and then one column per comment id holding that participant's latest vote (empty = not seen);
  ``group-id`` is Polis's opinion group, empty for participants it did not cluster.

No Django here: plain dataclasses and the ``csv`` module. Timestamps are Unix milliseconds.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gongzhi.opinions.polis import Votes

COMMENTS_HEADER = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
VOTES_HEADER = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANTS_HEADER = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")


class PolisDataError(ValueError):
    """An export folder or file that does not follow the layout; the message says where."""


@dataclass(frozen=True)
class Comment:
    comment_id: int
    author_id: int
    body: str
    moderated: int  # 1 in, 0 unmoderated, -1 out
    timestamp: int = 0
    agrees: int = 0
    disagrees: int = 0


@dataclass(frozen=True)
class Vote:
    participant: int
    comment_id: int
    vote: int  # 1 agree, -1 disagree, 0 pass
    timestamp: int = 0


@dataclass(frozen=True)
class ParticipantRow:
    participant: int
    group_id: int | None
    n_comments: int
    votes: Mapping[int, int]  # comment id -> latest vote


@dataclass(frozen=True)
class Conversation:
    """An export folder: whatever of the three files it holds."""

    comments: tuple[Comment, ...]
    votes: tuple[Vote, ...]  # in the order cast
    participants: tuple[ParticipantRow, ...]

    @property
    def moderated_out(self) -> frozenset[int]:
        return frozenset(c.comment_id for c in self.comments if c.moderated < 0)

    def polis_groups(self) -> dict[int, int]:
        """Polis's own ``group-id`` for each participant it clustered."""
        return {p.participant: p.group_id for p in self.participants if p.group_id is not None}

    def latest_votes(self, until: int | None = None) -> Votes:
        """The last vote of each participant on each statement (cast at or before ``until``).

        Without ``votes.csv``, the matrix of ``participants-votes.csv`` is used.
        """
        if self.votes:
            chosen = [v for v in self.votes if until is None or v.timestamp <= until]
            return Votes.from_arrays(
                [v.participant for v in chosen],
                [v.comment_id for v in chosen],
                [v.vote for v in chosen],
            )
        triples = [
            (p.participant, cid, vote) for p in self.participants for cid, vote in p.votes.items()
        ]
        return Votes.from_triples(triples)


def _int(value: str, where: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise PolisDataError(f"{where}: expected a whole number, found {value!r}") from None


def _rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise PolisDataError(f"{path}: missing column(s) {', '.join(missing)}")
            return list(reader)
    except UnicodeDecodeError as e:
        raise PolisDataError(f"{path}: not UTF-8 text ({e.reason})") from None
    except csv.Error as e:
        raise PolisDataError(f"{path}: malformed CSV ({e})") from None


def read_comments(path: Path) -> tuple[Comment, ...]:
    out = []
    for i, r in enumerate(_rows(path, ("comment-id", "moderated")), start=2):
        where = f"{path}, line {i}"
        out.append(
            Comment(
                comment_id=_int(r["comment-id"], where),
                author_id=_int(r.get("author-id") or "0", where),
                body=r.get("comment-body") or "",
                moderated=_int(r["moderated"], where),
                timestamp=_int(r.get("timestamp") or "0", where),
                agrees=_int(r.get("agrees") or "0", where),
                disagrees=_int(r.get("disagrees") or "0", where),
            )
        )
    return tuple(out)


def read_votes(path: Path) -> tuple[Vote, ...]:
    out = []
    for i, r in enumerate(_rows(path, ("comment-id", "voter-id", "vote")), start=2):
        where = f"{path}, line {i}"
        vote = _int(r["vote"], where)
        if vote not in (-1, 0, 1):
            raise PolisDataError(f"{where}: a vote is 1, -1 or 0, found {vote}")
        out.append(
            Vote(
                participant=_int(r["voter-id"], where),
                comment_id=_int(r["comment-id"], where),
                vote=vote,
                timestamp=_int(r.get("timestamp") or "0", where),
            )
        )
    # Stable: votes with the same timestamp keep their order in the file.
    return tuple(sorted(out, key=lambda v: v.timestamp))


def read_participants_votes(path: Path) -> tuple[ParticipantRow, ...]:
    rows = _rows(path, ("participant", "group-id"))
    out = []
    for i, r in enumerate(rows, start=2):
        where = f"{path}, line {i}"
        votes: dict[int, int] = {}
        for key, value in r.items():
            if key is None or not key.lstrip("-").isdigit() or value in ("", None):
                continue
            vote = _int(value, where)
            if vote not in (-1, 0, 1):
                raise PolisDataError(f"{where}: a vote is 1, -1 or 0, found {vote}")
            votes[int(key)] = vote
        group = r["group-id"]
        out.append(
            ParticipantRow(
                participant=_int(r["participant"], where),
                group_id=_int(group, where) if group != "" else None,
                n_comments=_int(r.get("n-comments") or "0", where),
                votes=votes,
            )
        )
    return tuple(out)


def read_conversation(folder: Path | str) -> Conversation:
    """Read an export folder; it needs ``votes.csv`` or ``participants-votes.csv``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolisDataError(f"{folder}: not a folder")
    paths = {name: folder / f"{name}.csv" for name in ("comments", "votes", "participants-votes")}
    if not paths["votes"].is_file() and not paths["participants-votes"].is_file():
        raise PolisDataError(f"{folder}: holds neither votes.csv nor participants-votes.csv")
    return Conversation(
        comments=read_comments(paths["comments"]) if paths["comments"].is_file() else (),
        votes=read_votes(paths["votes"]) if paths["votes"].is_file() else (),
        participants=(
            read_participants_votes(paths["participants-votes"])
            if paths["participants-votes"].is_file()
            else ()
        ),
    )


# --- Writing -----------------------------------------------------------------------------------


def _polis_datetime(ms: int) -> str:
    """Polis's ``datetime`` column (``Tue Jun 30 15:49:52 UTC 2015``), here always in UTC."""
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def write_comments(path: Path, comments: Iterable[Comment]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COMMENTS_HEADER)
        for c in comments:
            w.writerow(
                (
                    c.timestamp,
                    _polis_datetime(c.timestamp),
                    c.comment_id,
                    c.author_id,
                    c.agrees,
                    c.disagrees,
                    c.moderated,
                    c.body,
                )
            )


def write_votes(path: Path, votes: Iterable[Vote]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(VOTES_HEADER)
        for v in votes:
            w.writerow(
                (v.timestamp, _polis_datetime(v.timestamp), v.comment_id, v.participant, v.vote)
            )


def write_participants_votes(
    path: Path, rows: Iterable[ParticipantRow], comment_ids: Sequence[int]
) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(PARTICIPANTS_HEADER + tuple(str(c) for c in comment_ids))
        for r in rows:
            values = list(r.votes.values())
            w.writerow(
                (
                    r.participant,
                    "" if r.group_id is None else r.group_id,
                    r.n_comments,
                    len(values),
                    sum(1 for v in values if v > 0),
                    sum(1 for v in values if v < 0),
                    *("" if c not in r.votes else r.votes[c] for c in comment_ids),
                )
            )


def participant_rows(
    votes: Iterable[Vote], groups: Mapping[int, int], comments: Iterable[Comment] = ()
) -> tuple[ParticipantRow, ...]:
    """The rows of ``participants-votes.csv``: latest votes (in the order cast) and groups."""
    latest: dict[int, dict[int, int]] = {}
    for v in votes:
        latest.setdefault(v.participant, {})[v.comment_id] = v.vote
    authored: dict[int, int] = {}
    for c in comments:
        authored[c.author_id] = authored.get(c.author_id, 0) + 1
    return tuple(
        ParticipantRow(p, groups.get(p), authored.get(p, 0), latest[p]) for p in sorted(latest)
    )


def write_conversation(
    folder: Path | str,
    *,
    comments: Sequence[Comment],
    votes: Sequence[Vote],
    groups: Mapping[int, int],
) -> None:
    """Write the three files of an export folder (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ordered = sorted(votes, key=lambda v: v.timestamp)
    write_comments(folder / "comments.csv", comments)
    write_votes(folder / "votes.csv", ordered)
    comment_ids = sorted({c.comment_id for c in comments} | {v.comment_id for v in votes})
    write_participants_votes(
        folder / "participants-votes.csv",
        participant_rows(ordered, groups, comments),
        comment_ids,
    )
