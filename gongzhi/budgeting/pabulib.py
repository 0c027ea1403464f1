"""Pabulib `.pb` files: the field's open data format for participatory budgeting elections.

A community imports a past election from Pabulib, or publishes its own as open data, through
this module. The format is specified in Faliszewski, Flis, Peters, Pierczyński, Skowron,
Stolicki, Szufa and Talmon, "Participatory Budgeting: Data, Tools, and Analysis" (IJCAI 2023,
arXiv:2305.11035) and on pabulib.org/format: three sections, ``META``, ``PROJECTS`` and
``VOTES``, each a header row followed by ``;``-separated CSV rows (with ``"`` quoting).

- ``META`` holds ``key;value`` pairs: ``budget`` and ``vote_type`` are required; ballot
  constraints such as ``min_length``, ``max_length``, ``max_sum_cost``, ``max_sum_points`` are
  checked to be numbers.
- ``PROJECTS`` needs ``project_id`` and ``cost``; every other column (``name``, ``votes``,
  ``selected`` — the official outcome —, ``category``, …) is kept as text.
- ``VOTES`` needs ``voter_id`` and ``vote`` (a comma-separated list of project ids; for
  ``ordinal`` ballots in order of preference); ``cumulative`` and ``scoring`` ballots also need
  ``points``, one number per voted project.

A malformed file raises :class:`PabulibError`, whose message starts with the line number and says
what is wrong. Numbers are read as exact :class:`~fractions.Fraction` values. There is no Django
here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

__all__ = [
    "VOTE_TYPES",
    "Ballot",
    "Instance",
    "PabulibError",
    "Project",
    "ballot_problems",
    "dumps",
    "loads",
    "read",
    "write",
]

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
"""Ballot types of the format; ``choose-1`` is an approval ballot with a single project."""

_SECTIONS = ("meta", "projects", "votes")
_INTEGER_META = ("num_projects", "num_votes", "min_length", "max_length")
_NUMBER_META = (
    "budget",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "default_score",
)


class PabulibError(ValueError):
    """A `.pb` file that does not follow the format; ``line`` is 1-based (``None``: whole file)."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


@dataclass(slots=True)
class Project:
    """A row of ``PROJECTS``: the id, the cost, and the other columns as written."""

    project_id: str
    cost: Fraction
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def selected(self) -> bool | None:
        """The official outcome from the ``selected`` column (``None`` if the file has none).

        Pabulib writes 1 for a funded project, 0 for one that was not, and occasionally 2 for
        one funded outside the rule; only 1 counts as selected here.
        """
        value = self.fields.get("selected")
        if value is None or value == "":
            return None
        return value == "1"


@dataclass(slots=True)
class Ballot:
    """A row of ``VOTES``.

    ``vote`` keeps the file's order (the ranking, for ordinal ballots); ``points`` has one
    number per voted project for cumulative and scoring ballots, else ``None`` (an ordinal
    file may carry points too, and they are kept).
    """

    voter_id: str
    vote: tuple[str, ...]
    points: tuple[Fraction, ...] | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Instance:
    """A whole Pabulib file; ``projects`` and ``ballots`` keep the file's order."""

    meta: dict[str, str]
    projects: dict[str, Project]
    ballots: list[Ballot]
    project_columns: list[str] = field(default_factory=lambda: ["project_id", "cost"])
    vote_columns: list[str] = field(default_factory=lambda: ["voter_id", "vote"])

    @property
    def budget(self) -> Fraction:
        return _number(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"].strip().lower()

    def constraint(self, key: str) -> Fraction | None:
        """A numeric META constraint such as ``max_length`` or ``max_sum_cost``, if present."""
        value = self.meta.get(key, "").strip()
        if value == "" or value.lower() == "none":
            return None
        return _number(value)

    def selected_ids(self) -> list[str] | None:
        """The official outcome (``selected`` column), or ``None`` if the file has none."""
        if "selected" not in self.project_columns:
            return None
        return [pid for pid, project in self.projects.items() if project.selected]


def ballot_problems(instance: Instance, ballot: Ballot) -> list[str]:
    """What is wrong with ``ballot`` under the META constraints (empty if nothing).

    Published files do not always respect their own constraints, so reading a file never
    rejects a ballot for this; a community's own ballot box uses this check.
    """
    problems: list[str] = []
    count = len(ballot.vote)
    min_length = instance.constraint("min_length")
    max_length = instance.constraint("max_length")
    if min_length is not None and count < min_length:
        problems.append(f"chooses {count} projects, fewer than min_length={min_length}")
    if max_length is not None and count > max_length:
        problems.append(f"chooses {count} projects, more than max_length={max_length}")
    total_cost = sum((instance.projects[p].cost for p in ballot.vote), Fraction(0))
    min_sum_cost = instance.constraint("min_sum_cost")
    max_sum_cost = instance.constraint("max_sum_cost")
    if min_sum_cost is not None and total_cost < min_sum_cost:
        problems.append(f"costs {total_cost}, less than min_sum_cost={min_sum_cost}")
    if max_sum_cost is not None and total_cost > max_sum_cost:
        problems.append(f"costs {total_cost}, more than max_sum_cost={max_sum_cost}")
    if ballot.points is not None:
        total_points = sum(ballot.points, Fraction(0))
        for key, ok in (
            ("min_sum_points", lambda v: total_points >= v),
            ("max_sum_points", lambda v: total_points <= v),
        ):
            bound = instance.constraint(key)
            if bound is not None and not ok(bound):
                problems.append(f"gives {total_points} points in all, against {key}={bound}")
        low, high = instance.constraint("min_points"), instance.constraint("max_points")
        for pid, value in zip(ballot.vote, ballot.points, strict=True):
            if (low is not None and value < low) or (high is not None and value > high):
                problems.append(f"gives {value} points to {pid}, outside [{low}, {high}]")
    return problems


def read(path: str | Path) -> Instance:
    """Parse the `.pb` file at ``path`` (UTF-8, with or without a byte-order mark)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return _parse(handle)


def loads(text: str) -> Instance:
    """Parse a `.pb` file given as text."""
    return _parse(io.StringIO(text.removeprefix("\ufeff"), newline=""))


def _number(text: str) -> Fraction:
    # Some files write a decimal comma ("1234,50"); the format itself uses a dot.
    return Fraction(text.strip().replace(",", "."))


def _parse_number(text: str, what: str, line: int) -> Fraction:
    try:
        value = _number(text)
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"{what} is not a number: {text!r}", line=line) from None
    if value < 0:
        raise PabulibError(f"{what} is negative: {text!r}", line=line)
    return value


def _rows(handle: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(handle, delimiter=";", quotechar='"', strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise PabulibError(f"broken CSV quoting ({error})", line=start) from None
        if not row or all(cell.strip() == "" for cell in row):
            continue
        # A quoted cell may span several physical lines: name the line the row starts on.
        yield start, row


def _header(row: list[str], line: int, section: str, required: tuple[str, ...]) -> list[str]:
    columns = [cell.strip() for cell in row]
    for name in required:
        if name not in columns:
            raise PabulibError(
                f"the {section} header has no {name!r} column (found {';'.join(columns)})",
                line=line,
            )
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise PabulibError(f"the {section} header names {name!r} twice", line=line)
        if name == "":
            raise PabulibError(f"the {section} header has an empty column name", line=line)
        seen.add(name)
    return columns


def _cells(row: list[str], columns: list[str], line: int, section: str) -> list[str]:
    cells = [cell.strip() for cell in row]
    # Tolerate trailing empty cells (a stray ';' at the end of a line), nothing else.
    while len(cells) > len(columns) and cells[-1] == "":
        cells.pop()
    if len(cells) != len(columns):
        raise PabulibError(
            f"{section} row has {len(cells)} fields, the header has {len(columns)}",
            line=line,
        )
    return cells


def _parse(handle: Iterable[str]) -> Instance:
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: dict[str, Project] = {}
    ballots: list[Ballot] = []
    project_columns: list[str] = []
    vote_columns: list[str] = []
    voter_ids: set[str] = set()
    section = ""
    columns: list[str] | None = None
    seen_sections: list[str] = []
    vote_type = ""
    last_line = 0

    for line, row in _rows(handle):
        last_line = line
        first = row[0].strip().lower()
        if first in _SECTIONS and len([c for c in row if c.strip()]) == 1:
            expected = _SECTIONS[len(seen_sections)] if len(seen_sections) < 3 else None
            if first != expected:
                if first in seen_sections:
                    raise PabulibError(f"section {first.upper()} appears twice", line=line)
                raise PabulibError(
                    f"section {first.upper()} comes before {str(expected).upper()}", line=line
                )
            if first == "projects":
                _check_meta(meta, meta_lines, line)
                vote_type = meta["vote_type"].strip().lower()
            seen_sections.append(first)
            section, columns = first, None
            continue
        if not section:
            raise PabulibError("the file must start with a META section", line=line)
        if (
            columns is None
            and section == "meta"
            and [c.strip() for c in row][:2] != ["key", "value"]
        ):
            # Some published files omit the key;value header: the META rows start at once.
            columns = ["key", "value"]
        if columns is None:
            required = {
                "meta": ("key", "value"),
                "projects": ("project_id", "cost"),
                "votes": ("voter_id", "vote"),
            }[section]
            columns = _header(row, line, section.upper(), required)
            if section == "projects":
                project_columns = columns
            elif section == "votes":
                if vote_type in ("cumulative", "scoring") and "points" not in columns:
                    raise PabulibError(
                        f"a {vote_type} file needs a 'points' column in VOTES", line=line
                    )
                vote_columns = columns
            continue
        if section == "meta":
            cells = [cell.strip() for cell in row]
            while len(cells) > 2 and cells[-1] == "":
                cells.pop()
            if len(cells) != 2:
                raise PabulibError(
                    f"META row needs 2 fields (key;value), found {len(cells)}", line=line
                )
            key, value = cells
            if key == "":
                raise PabulibError("META row has an empty key", line=line)
            if key in meta:
                raise PabulibError(
                    f"META key {key!r} appears twice (first on line {meta_lines[key]})",
                    line=line,
                )
            meta[key] = value
            meta_lines[key] = line
        elif section == "projects":
            project = _project(_cells(row, columns, line, "PROJECTS"), columns, line)
            if project.project_id in projects:
                raise PabulibError(f"project {project.project_id!r} appears twice", line=line)
            projects[project.project_id] = project
        else:
            ballot = _ballot(_cells(row, columns, line, "VOTES"), columns, line, vote_type)
            if ballot.voter_id in voter_ids:
                raise PabulibError(f"voter {ballot.voter_id!r} appears twice", line=line)
            for pid in ballot.vote:
                if pid not in projects:
                    raise PabulibError(
                        f"voter {ballot.voter_id!r} votes for unknown project {pid!r}", line=line
                    )
            voter_ids.add(ballot.voter_id)
            ballots.append(ballot)

    if len(seen_sections) < 3:
        missing = ", ".join(s.upper() for s in _SECTIONS[len(seen_sections) :])
        raise PabulibError(f"the file ends without section(s) {missing}", line=last_line + 1)
    if columns is None:
        raise PabulibError("the VOTES section has no header row", line=last_line + 1)
    for key, actual in (("num_projects", len(projects)), ("num_votes", len(ballots))):
        declared = meta.get(key, "").strip()
        if declared not in ("", "None") and int(_number(declared)) != actual:
            raise PabulibError(
                f"META {key} is {declared} but the file has {actual}", line=meta_lines[key]
            )
    return Instance(meta, projects, ballots, project_columns, vote_columns)


def _check_meta(meta: dict[str, str], meta_lines: dict[str, int], line: int) -> None:
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(f"META has no {key!r} (required)", line=line)
    vote_type = meta["vote_type"].strip().lower()
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"unknown vote_type {meta['vote_type']!r} (expected one of {', '.join(VOTE_TYPES)})",
            line=meta_lines["vote_type"],
        )
    for key in _NUMBER_META + _INTEGER_META:
        value = meta.get(key, "").strip()
        if value == "" or value.lower() == "none":
            continue
        number = _parse_number(value, f"META {key}", meta_lines[key])
        if key in _INTEGER_META and number.denominator != 1:
            raise PabulibError(
                f"META {key} must be a whole number: {value!r}", line=meta_lines[key]
            )


def _project(cells: list[str], columns: list[str], line: int) -> Project:
    values = dict(zip(columns, cells, strict=True))
    pid = values.pop("project_id")
    if pid == "":
        raise PabulibError("project has an empty project_id", line=line)
    if "," in pid:
        raise PabulibError(f"project_id {pid!r} contains a comma", line=line)
    cost = _parse_number(values.pop("cost"), f"cost of project {pid!r}", line)
    return Project(pid, cost, values)


def _ballot(cells: list[str], columns: list[str], line: int, vote_type: str) -> Ballot:
    values = dict(zip(columns, cells, strict=True))
    voter_id = values.pop("voter_id")
    if voter_id == "":
        raise PabulibError("ballot has an empty voter_id", line=line)
    raw_vote = values.pop("vote")
    vote = tuple(p.strip() for p in raw_vote.split(",")) if raw_vote else ()
    if "" in vote:
        raise PabulibError(f"voter {voter_id!r} has an empty entry in vote {raw_vote!r}", line=line)
    if len(set(vote)) != len(vote):
        raise PabulibError(f"voter {voter_id!r} names a project twice: {raw_vote!r}", line=line)
    if vote_type == "choose-1" and len(vote) > 1:
        raise PabulibError(f"voter {voter_id!r} chooses more than one project", line=line)
    points: tuple[Fraction, ...] | None = None
    raw_points = values.pop("points", None)
    if raw_points is not None and (raw_points or vote_type in ("cumulative", "scoring")):
        parts = [p.strip() for p in raw_points.split(",")] if raw_points else []
        if len(parts) != len(vote):
            raise PabulibError(
                f"voter {voter_id!r} has {len(vote)} projects but {len(parts)} points", line=line
            )
        points = tuple(_parse_number(p, f"points of voter {voter_id!r}", line) for p in parts)
    return Ballot(voter_id, vote, points, values)


def _format_number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def dumps(instance: Instance) -> str:
    """The instance as `.pb` text; :func:`loads` of it gives back an equal instance."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    counts = {"num_projects": len(instance.projects), "num_votes": len(instance.ballots)}
    for key, value in instance.meta.items():
        # Keep the declared counts true to the content, or the file would not read back.
        writer.writerow([key, str(counts[key]) if key in counts else value])
    out.write("PROJECTS\n")
    writer.writerow(instance.project_columns)
    for project in instance.projects.values():
        known = {"project_id": project.project_id, "cost": _format_number(project.cost)}
        writer.writerow([known.get(c, project.fields.get(c, "")) for c in instance.project_columns])
    out.write("VOTES\n")
    columns = list(instance.vote_columns)
    if any(b.points is not None for b in instance.ballots) and "points" not in columns:
        columns.insert(columns.index("vote") + 1, "points")
    writer.writerow(columns)
    for ballot in instance.ballots:
        known = {"voter_id": ballot.voter_id, "vote": ",".join(ballot.vote)}
        if ballot.points is not None:
            known["points"] = ",".join(_format_number(p) for p in ballot.points)
        writer.writerow([known.get(c, ballot.fields.get(c, "")) for c in columns])
    return out.getvalue()


def write(instance: Instance, path: str | Path) -> None:
    """Write the instance as a `.pb` file (UTF-8, no byte-order mark)."""
    Path(path).write_text(dumps(instance), encoding="utf-8")
