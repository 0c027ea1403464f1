"""Reading and writing Pabulib files: every shared file reads and round-trips; broken files
are refused with the line and the reason."""

from __future__ import annotations

from fractions import Fraction

import pytest

from gongzhi.budgeting import pabulib
from tests.budgeting.data import ALL_FILES, PABULIB, file_id, needs_data, ours

GOOD = '''META
key;value
description;"Tiny; with a semicolon"
num_projects;3
num_votes;3
budget;100
vote_type;cumulative
max_sum_points;5
max_length;2
PROJECTS
project_id;cost;name;selected
a;60;"Park ""Green""";1
b;40.5;Library;0
c;10;Bench;1
VOTES
voter_id;vote;points;age
1;a,b;3,2;30
2;c;5;
3;;;41
'''


def test_reads_every_field() -> None:
    instance = pabulib.loads(GOOD)
    assert instance.budget == 100
    assert instance.vote_type == "cumulative"
    assert instance.meta["description"] == "Tiny; with a semicolon"
    assert instance.constraint("max_sum_points") == 5
    assert instance.constraint("max_length") == 2
    assert instance.constraint("min_length") is None
    assert instance.projects["b"].cost == Fraction(81, 2)
    assert instance.projects["a"].fields["name"] == 'Park "Green"'
    assert instance.selected_ids() == ["a", "c"]
    assert instance.ballots[0].vote == ("a", "b")
    assert instance.ballots[0].points == (3, 2)
    assert instance.ballots[0].fields == {"age": "30"}
    assert instance.ballots[2].vote == ()


def test_round_trip_of_a_small_file() -> None:
    instance = pabulib.loads(GOOD)
    text = pabulib.dumps(instance)
    assert pabulib.loads(text) == instance
    assert '"Tiny; with a semicolon"' in text
    assert "40.5" in text


def test_ballot_problems_name_each_broken_constraint() -> None:
    instance = pabulib.loads(GOOD)
    ok = pabulib.Ballot("9", ("a", "c"), (Fraction(2), Fraction(3)))
    assert pabulib.ballot_problems(instance, ok) == []
    too_many = pabulib.Ballot("9", ("a", "b", "c"), (Fraction(2), Fraction(2), Fraction(2)))
    problems = pabulib.ballot_problems(instance, too_many)
    assert any("max_length=2" in p for p in problems)
    assert any("max_sum_points=5" in p for p in problems)


def test_writes_counts_true_to_the_content(tmp_path) -> None:
    instance = pabulib.loads(GOOD)
    del instance.ballots[0]
    path = tmp_path / "out.pb"
    pabulib.write(instance, path)
    again = pabulib.read(path)
    assert again.meta["num_votes"] == "2"
    assert len(again.ballots) == 2


def _broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (GOOD.replace("META\n", "", 1), 1, "must start with a META section"),
        (_broken("budget;100", "budget;lots"), 6, "META budget is not a number"),
        (_broken("max_length;2", "max_length;2.5"), 9, "whole number"),
        (_broken("vote_type;cumulative", "vote_type;plurality"), 7, "unknown vote_type"),
        (_broken("vote_type;cumulative\n", ""), 9, "no 'vote_type'"),
        (_broken("budget;100\n", "budget;100\nbudget;200\n"), 7, "appears twice"),
        (_broken("project_id;cost;name;selected", "id;cost;name;selected"), 11, "project_id"),
        (_broken("b;40.5;Library;0", "b;-3;Library;0"), 13, "negative"),
        (_broken("b;40.5;Library;0", "b;forty;Library;0"), 13, "cost of project 'b'"),
        (_broken("b;40.5;Library;0", "a;40.5;Library;0"), 13, "project 'a' appears twice"),
        (_broken("c;10;Bench;1", "c;10;Bench"), 14, "3 fields, the header has 4"),
        (_broken("1;a,b;3,2;30", "1;a,z;3,2;30"), 17, "unknown project 'z'"),
        (_broken("1;a,b;3,2;30", "1;a,b;3;30"), 17, "2 projects but 1 points"),
        (_broken("1;a,b;3,2;30", "1;a,a;3,2;30"), 17, "names a project twice"),
        (_broken("1;a,b;3,2;30", "1;a,b;3,x;30"), 17, "points of voter '1'"),
        (_broken("2;c;5;", "1;c;5;"), 18, "voter '1' appears twice"),
        (_broken("voter_id;vote;points;age", "voter_id;vote;age;age"), 16, "twice"),
        (_broken("num_votes;3", "num_votes;4"), 5, "num_votes is 4 but the file has 3"),
        (GOOD.split("VOTES")[0], 15, "without section(s) VOTES"),
        (_broken("PROJECTS\n", "VOTES\n"), 10, "VOTES comes before PROJECTS"),
        (_broken('"Park ""Green"""', '"Park'), 12, "broken CSV quoting"),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(pabulib.PabulibError) as caught:
        pabulib.loads(text)
    assert caught.value.line == line
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")


def test_a_file_without_key_value_header_still_reads() -> None:
    instance = pabulib.loads(GOOD.replace("key;value\n", "", 1))
    assert instance.meta["description"] == "Tiny; with a semicolon"


@needs_data
@pytest.mark.parametrize("path", ALL_FILES, ids=file_id)
def test_every_shared_file_reads_and_round_trips(path) -> None:
    instance, _ = ours(path)
    assert len(instance.ballots) == int(instance.meta["num_votes"])
    again = pabulib.loads(pabulib.dumps(instance))
    assert again == instance


@needs_data
def test_the_shared_folder_holds_what_the_issue_names() -> None:
    assert (PABULIB / "poland_warszawa_2026.pb").is_file()
    assert len(list((PABULIB / "small").glob("*.pb"))) == 272
