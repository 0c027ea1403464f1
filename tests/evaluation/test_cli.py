"""``python -m gongzhi.evaluation.engine --from-export DIR``: the recomputation anyone can run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gongzhi.evaluation.engine import (
    JOURNAL_INDICATORS,
    evaluate,
    format_lines,
    load_export,
    main,
    resolve,
)
from tests.evaluation import fixture

ROOT = Path(__file__).resolve().parents[2]


def write_export(directory: Path) -> Path:
    """The fixture's community as journal_export writes it (the fields the engine reads, and
    the chain's fields it ignores)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "journal.jsonl").open("w", encoding="utf-8") as out:
        # Written out of order: the engine puts them back in seq order.
        for entry in reversed(fixture.entries()):
            row = {
                "seq": entry.seq,
                "at": entry.at.isoformat().replace("+00:00", "Z"),
                "verb": entry.verb,
                "actor": entry.actor,
                "on_behalf_of": entry.on_behalf_of,
                "target": entry.target,
                "data": dict(entry.data),
                "prev_hash": "0" * 64,
                "hash": "1" * 64,
                "key_id": "k1",
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (directory / "persons.jsonl").open("w", encoding="utf-8") as out:
        for p in fixture.PERSONS:
            row = {
                "pid": p.pid,
                "verified_on": p.verified_on.isoformat() if p.verified_on else None,
                "left_on": p.left_on.isoformat() if p.left_on else None,
                "grid": p.grid,
                "building": p.building,
                "consented": p.consented,
                "groups": sorted(p.groups),
                "age_band": p.age_band,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    meta = {
        "format": 1,
        "community": "test",
        "exported_at": "2026-03-01T00:00:00Z",
        "timezone": "Asia/Shanghai",
        "months": fixture.MONTHS,
        "pseudonyms": "HMAC-SHA256 of community id and user id under the journal key, 16 hex",
    }
    (directory / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return directory


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongzhi.evaluation.engine", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_load_export_reads_back_the_fixture(tmp_path: Path) -> None:
    inp = load_export(write_export(tmp_path / "export"))
    assert list(inp.entries) == fixture.entries()
    assert dict(inp.persons) == {p.pid: p for p in fixture.PERSONS}
    assert list(inp.months) == fixture.MONTHS
    assert str(inp.tz) == "Asia/Shanghai"


def test_cli_prints_what_the_engine_computes(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export")
    done = run("--from-export", str(export))
    assert done.returncode == 0, done.stderr
    expected = format_lines(evaluate(fixture.make_input(), JOURNAL_INDICATORS))
    assert done.stdout.splitlines() == expected
    assert len(expected) == len(JOURNAL_INDICATORS) * len(fixture.MONTHS)
    assert (
        "key=participation.rate month=2026-01 numerator=2 denominator=5 value=0.400000" in expected
    )
    assert (
        "key=budget.money_decided month=2026-02 numerator=10000 denominator=- value=10000.000000"
        in expected
    )


def test_cli_given_indicators(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export")
    done = run(
        "--from-export",
        str(export),
        "--indicators",
        "hotline.solved=gongzhi.feedback.indicators:solved,gongzhi.deliberation.indicators:proposals_raised",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "key=gongzhi.deliberation.indicators:proposals_raised month=2025-12 numerator=0 denominator=- value=0.000000",
        "key=gongzhi.deliberation.indicators:proposals_raised month=2026-01 numerator=1 denominator=- value=1.000000",
        "key=gongzhi.deliberation.indicators:proposals_raised month=2026-02 numerator=1 denominator=- value=1.000000",
        "key=hotline.solved month=2025-12 numerator=0 denominator=- value=0.000000",
        "key=hotline.solved month=2026-01 numerator=2 denominator=- value=2.000000",
        "key=hotline.solved month=2026-02 numerator=1 denominator=- value=1.000000",
    ]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "meta.json"),
        (lambda d: (d / "meta.json").write_text('{"format": 2}'), "format"),
        (
            lambda d: (write_export(d), (d / "journal.jsonl").write_text("{not json\n")),
            "journal.jsonl, line 1",
        ),
    ],
)
def test_cli_bad_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup, message: str
) -> None:
    directory = tmp_path / "bad"
    directory.mkdir()
    setup(directory)
    assert main(["--from-export", str(directory)]) == 2
    assert message in capsys.readouterr().err


def test_cli_unknown_indicator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = write_export(tmp_path / "export")
    assert (
        main(
            ["--from-export", str(export), "--indicators", "x=gongzhi.evaluation.measures:nothing"]
        )
        == 2
    )
    assert "nothing" in capsys.readouterr().err


def test_default_indicators_are_the_registrys_journal_only_ones() -> None:
    from gongzhi.core.manifests import indicator_registry

    registry = {k: i for k, i in indicator_registry().items() if i.journal_only}
    assert set(registry) == set(JOURNAL_INDICATORS)
    for key, indicator in registry.items():
        assert resolve(indicator.compute) is resolve(JOURNAL_INDICATORS[key]), key
