"""`make bench-spaces` (its forecast part): the rolling-origin backtest of the spaces' demand
forecast (gongzhi.spaces.forecast, issue 20 R11.1) on a real daily series.

Protocol: ``../shared/data/forecast/bike-sharing-daily.csv`` (Capital Bikeshare, 2011-2012, 731
days), the column ``cnt`` with the file's own ``holiday`` column as the holidays; the module's
backtest as its docstring defines it (MASE of the 1-28-day-ahead forecasts over the in-sample
MAE of the week-back seasonal-naive forecast up to each origin; origins every 7 days with their
test windows in the last 365 days: 49 origins from 2012-01-03 to 2012-12-04, each trained on
everything before it, so on one to two years). The seasonal-naive forecaster is scored on the
same origins. Nothing is tuned while the bench runs.

This file is a **development set**: the model's choices were made after looking at it (see
docs/performance.md, "Spaces: demand forecast"), so ``mase`` here is not an independent figure.

``mase_demo=``: the same backtest on the demo's data (``manage.py seed_demo``, built in a scratch
SQLite database, ``--demo-db``; kept and reused the same day, since the demo's history ends on
the day it is seeded): every series the forecast page forecasts, counted as the page counts
them (``forecast_selectors.daily_series``: each open space's bookings a day, each hotline
category with enough tickets), with the Chinese holidays and make-up working days from core.
Each series prints its own ``mase_demo_series=`` line; ``mase_demo`` is the plain mean of the
series' MASE over those with at least a year of history (a space opened twelve weeks ago has
too little for 28-day-ahead origins and is printed but left out), ``mase_demo_bookings`` and
``mase_demo_tickets`` the means over each kind, ``mase_demo_naive`` the seasonal naive's mean on
the same origins. The demo's counts are drawn by gongzhi/spaces/demo.py and
gongzhi/feedback/demo.py from known means (weekly, yearly and holiday factors, Poisson noise),
so they are independent of the model's choices but kinder than real data: no shocks, no trend
breaks.

Prints the command line's ``key=value`` lines (``mase=``, ``mase_naive=``, ``mase_p25=``,
``mase_p75=``, ``origins=``, ``horizon=``, ``method=``), then the seasonal naive's quartiles,
how many origins the model wins, MASE by week ahead, the origins it loses, and the time taken;
also written to bench/results/spaces-forecast-<time>.txt.

    make bench-spaces
    .venv/bin/python bench/spaces_forecast.py --value casual      # leisure demand
    .venv/bin/python bench/spaces_forecast.py --no-demo           # the file only
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tempfile
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gongzhi.evaluation.cli import InputError, setup_translation  # noqa: E402
from gongzhi.spaces import forecast  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "forecast" / "bike-sharing-daily.csv"
DEMO_DB = Path(tempfile.gettempdir()) / "gongzhi-bench-forecast" / "demo.sqlite3"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--date", default="dteday")
    parser.add_argument("--value", default="cnt")
    parser.add_argument("--holiday", default="holiday", help="'' for none")
    parser.add_argument("--horizon", type=int, default=forecast.HORIZON)
    parser.add_argument("--no-demo", action="store_true", help="skip mase_demo")
    parser.add_argument("--demo-db", type=Path, default=DEMO_DB)
    parser.add_argument(
        "--demo-residents", type=int, default=None, help="seed_demo's own default unless given"
    )
    return parser.parse_args(argv)


def _demo_environment(path: Path) -> None:
    """The project's (test) settings on the scratch database; before anything sets Django up."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["GONGZHI_DATA_DIR"] = str(path.parent)


def _demo_database(path: Path, residents: int | None) -> bool:
    """Set Django up on the scratch database, seeding the demo unless it was seeded today;
    returns whether it was reused."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.utils import timezone

    stamp = path.with_suffix(".seeded")
    today = timezone.localdate().isoformat()
    if path.exists() and stamp.exists() and stamp.read_text() == today:
        return True
    for leftover in (path, stamp):
        leftover.unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    sizes = {} if residents is None else {"residents": residents}
    call_command("seed_demo", seed=1, quiet=True, stdout=io.StringIO(), **sizes)
    stamp.write_text(today)
    return False


def run_demo(args: argparse.Namespace) -> None:
    from gongzhi.core import holidays

    wall = time.perf_counter()
    reused = _demo_database(args.demo_db, args.demo_residents)
    print(
        f"demo_db={args.demo_db} demo_db_reused={int(reused)} build_s={time.perf_counter() - wall:.1f}"
    )
    from django.utils import timezone

    from gongzhi.core.models import Community
    from gongzhi.spaces import forecast_selectors

    community = Community.objects.get(slug="xingfu")
    scores: dict[str, list[tuple[float, float]]] = {"space": [], "hotline": []}
    wall = time.perf_counter()
    for kind, label, dates, values in forecast_selectors.daily_series(
        community, timezone.localdate()
    ):
        result = forecast.backtest(
            dates,
            values,
            horizon=args.horizon,
            holidays=holidays.is_holiday,
            workdays=holidays.is_makeup_workday,
        )
        counted = len(dates) >= 365 and bool(result.origins)
        wins = sum(s.mase < s.mase_naive for s in result.origins)
        print(
            f"mase_demo_series={result.mase:.3f} naive={result.mase_naive:.3f} kind={kind} "
            f"name={label} days={len(dates)} mean={sum(values) / len(values):.2f} "
            f"origins={len(result.origins)} wins={wins} "
            f"coverage_80={dict(result.coverage).get(0.8, float('nan')):.3f} "
            f"counted={int(counted)}"
        )
        if counted:
            scores[kind].append((result.mase, result.mase_naive))
    every = scores["space"] + scores["hotline"]
    if every:
        print(f"mase_demo={sum(m for m, _n in every) / len(every):.3f}")
        print(f"mase_demo_naive={sum(n for _m, n in every) / len(every):.3f}")
    for kind, name in (("space", "bookings"), ("hotline", "tickets")):
        if scores[kind]:
            mean = sum(m for m, _n in scores[kind]) / len(scores[kind])
            naive = sum(n for _m, n in scores[kind]) / len(scores[kind])
            print(f"mase_demo_{name}={mean:.3f} mase_demo_{name}_naive={naive:.3f}")
    print(f"mase_demo_series_counted={len(every)}")
    print(f"demo_bench_s={time.perf_counter() - wall:.1f}")


def run(args: argparse.Namespace) -> None:
    dates, values, holidays = forecast.read_series(
        str(args.data),
        date_column=args.date,
        value_column=args.value,
        holiday_column=args.holiday or None,
    )
    print(f"data={args.data.name} column={args.value} days={len(dates)} holidays={len(holidays)}")
    print(f"python={platform.python_version()} machine={platform.machine()}")
    print(f"load_average_before={os.getloadavg()[0]:.2f}")
    print("# development set: the model's choices were made after looking at this file")
    wall, cpu = time.perf_counter(), time.process_time()
    result = forecast.backtest(dates, values, horizon=args.horizon, holidays=holidays or None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(result.lines())
    print(f"naive_p25={result.naive_p25:.3f}")
    print(f"naive_p75={result.naive_p75:.3f}")
    wins = sum(s.mase < s.mase_naive for s in result.origins)
    print(f"origins_model_wins={wins}")
    fallbacks = sum(s.method != forecast.MODEL for s in result.origins)
    print(f"origins_fallback={fallbacks}")
    for level, share in result.coverage:
        print(f"coverage_{round(level * 100)}={share:.3f}")
    if result.origins:
        print(f"first_origin={result.origins[0].origin} last_origin={result.origins[-1].origin}")
    for week, (model, naive) in enumerate(result.by_week, start=1):
        first, last = (week - 1) * 7 + 1, min(week * 7, result.horizon)
        print(f"mase_days_{first}_{last}={model:.3f} naive_days_{first}_{last}={naive:.3f}")
    losses = [s for s in result.origins if s.mase >= s.mase_naive]
    print(
        "origins_lost="
        + ",".join(f"{s.origin:%m-%d}:{s.mase:.2f}/{s.mase_naive:.2f}" for s in losses)
    )
    print(f"bench_s={wall:.1f}")
    print(f"cpu_s={cpu:.1f}")
    print(f"load_average_after={os.getloadavg()[0]:.2f}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.data.exists():
        print(f"no daily series at {args.data}", file=sys.stderr)
        return 2
    if not args.no_demo:
        _demo_environment(args.demo_db)
    setup_translation()
    buffer = io.StringIO()
    try:
        with redirect_stdout(buffer):
            run(args)
            if not args.no_demo:
                run_demo(args)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        sys.stdout.write(buffer.getvalue())
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"spaces-forecast-{stamp}.txt").write_text(buffer.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
