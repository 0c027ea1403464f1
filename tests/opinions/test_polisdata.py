"""The Polis open-data layout (gongzhi.opinions.polisdata), the command-line tool, and agreement
with Polis's own groups on the four real conversations in ../shared/data/polis/.

No database. The real conversations are read in place, never copied into the project.
"""

from __future__ import annotations

import io
import statistics
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from gongzhi.opinions import cluster, polisdata
from gongzhi.opinions.polisdata import Comment, Vote

POLIS_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis"

COMMENTS = (
    Comment(0, 10, "公交站应该加顶棚", 1, 1_500_000_000_000, 2, 1),
    Comment(1, 11, 'Parking, "everywhere"\nand more', -1, 1_500_000_001_000, 0, 1),
    Comment(2, 10, "I'd like more trees", 0, 1_500_000_002_000, 1, 0),
)
VOTES = (
    Vote(10, 0, 1, 1_500_000_000_000),
    Vote(11, 0, -1, 1_500_000_000_500),
    Vote(11, 1, -1, 1_500_000_001_000),
    Vote(10, 2, 0, 1_500_000_002_000),
    Vote(12, 0, 1, 1_500_000_003_000),
    Vote(10, 2, 1, 1_500_000_004_000),  # changed from pass to agree
)


def test_round_trip_of_the_export_layout(tmp_path):
    polisdata.write_conversation(tmp_path, comments=COMMENTS, votes=VOTES, groups={10: 0, 11: 1})
    header = (tmp_path / "participants-votes.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2"
    conv = polisdata.read_conversation(tmp_path)
    assert conv.comments == COMMENTS
    assert conv.votes == VOTES
    assert conv.moderated_out == {1}
    assert conv.polis_groups() == {10: 0, 11: 1}
    rows = {r.participant: r for r in conv.participants}
    assert rows[10].votes == {0: 1, 2: 1} and rows[10].n_comments == 2
    assert rows[12].group_id is None and rows[12].votes == {0: 1}
    latest = conv.latest_votes()
    assert sorted(zip(latest.participant, latest.statement, latest.vote, strict=True)) == [
        (10, 0, 1),
        (10, 2, 1),
        (11, 0, -1),
        (11, 1, -1),
        (12, 0, 1),
    ]
    # Up to a time: the pass still stands.
    early = conv.latest_votes(until=1_500_000_002_000)
    assert (10, 2, 0) in set(zip(early.participant, early.statement, early.vote, strict=True))
    # Without votes.csv the matrix of participants-votes.csv gives the same latest votes.
    (tmp_path / "votes.csv").unlink()
    again = polisdata.read_conversation(tmp_path).latest_votes()
    assert sorted(zip(again.participant, again.statement, again.vote, strict=True)) == sorted(
        zip(latest.participant, latest.statement, latest.vote, strict=True)
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("votes.csv", "timestamp,comment-id,voter-id\n1,2,3\n", "missing column(s) vote"),
        ("votes.csv", "comment-id,voter-id,vote\n1,2,yes\n", "line 2: expected a whole number"),
        ("votes.csv", "comment-id,voter-id,vote\n1,2,5\n", "a vote is 1, -1 or 0"),
        ("participants-votes.csv", "participant,group-id,0\n1,,7\n", "a vote is 1, -1 or 0"),
    ],
)
def test_malformed_files_are_named_with_the_line(tmp_path, name, text, message):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(
        polisdata.PolisDataError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        polisdata.read_conversation(tmp_path)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cluster.main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_prints_participant_group_lines(tmp_path):
    votes = [
        Vote(p, j, (1 if (p < 20) == (j < 5) else -1), 1_000 * (p * 10 + j))
        for p in range(40)
        for j in range(10)
    ]
    polisdata.write_conversation(tmp_path, comments=(), votes=votes, groups={})
    code, out, err = run_cli(str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 40
    groups = dict(tuple(map(int, line.split(","))) for line in lines)
    assert len({groups[p] for p in range(20)}) == 1 and len({groups[p] for p in range(20, 40)}) == 1
    assert groups[0] != groups[20] and set(groups.values()) == {0, 1}
    assert "40 participants, 10 statements" in err and "2 groups" in err


def test_cli_errors_exit_with_status_2(tmp_path):
    code, out, err = run_cli(str(tmp_path / "missing"))
    assert (code, out) == (2, "") and "not a folder" in err
    code, out, err = run_cli(str(tmp_path))
    assert code == 2 and "neither votes.csv nor participants-votes.csv" in err
    (tmp_path / "votes.csv").write_text("timestamp,comment-id,voter-id,vote\n", encoding="utf-8")
    code, out, err = run_cli(str(tmp_path))
    assert code == 2 and "no votes" in err


# --- The four real conversations ---------------------------------------------------------------

# Adjusted Rand index against Polis's group-id. These four conversations are the development
# set the method was built on, so the floors below are development-set figures, loose on purpose:
# the test is that the result does not hang on one seed (the median over seeds clears the floor,
# and most seeds find Polis's number of groups), not a claim about conversations never seen.
# Measured over seeds 0-9 (docs/performance.md): medians 0.71, 1.00, 0.82, 0.94.
# Polis's groups are the end of a history of incremental updates that an export does not keep;
# vtaiwan.uberx ends in a local optimum of Polis's k-means that a fresh run does not reach, and
# brexit-consensus is close to a tie between two and three groups.
FLOOR_ARI = {
    "vtaiwan.uberx": 0.6,
    "canadian-electoral-reform": 0.75,
    "brexit-consensus": 0.75,
    "15-per-hour-seattle": 0.75,
}
SEEDS = (0, 1, 2)


@pytest.mark.parametrize("name", sorted(FLOOR_ARI))
def test_agreement_with_polis_groups_over_seeds(name):
    folder = POLIS_DATA / name
    if not (folder / "participants-votes.csv").is_file():
        pytest.skip(f"{folder} is absent: the shared Polis conversations are not on this machine")
    scores, right_k = [], 0
    for seed in SEEDS:
        conv, result = cluster.cluster_folder(str(folder), seed=seed)
        polis_groups = conv.polis_groups()
        ours = result.assignments()
        # Only the participants Polis grouped; one we left out counts as a group of its own.
        participants = sorted(polis_groups)
        scores.append(
            adjusted_rand_score(
                [polis_groups[p] for p in participants], [ours.get(p, -1) for p in participants]
            )
        )
        right_k += result.n_groups == len(set(polis_groups.values()))
    assert statistics.median(scores) >= FLOOR_ARI[name], f"{name}: ARI over seeds {scores}"
    assert right_k > len(SEEDS) // 2, f"{name}: Polis's number of groups in {right_k} seeds"
