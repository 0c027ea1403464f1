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
``mase_demo=`` (the demo's two years of bookings and tickets) joins when the app's demo data
exists.

Prints the command line's ``key=value`` lines (``mase=``, ``mase_naive=``, ``mase_p25=``,
``mase_p75=``, ``origins=``, ``horizon=``, ``method=``), then the seasonal naive's quartiles,
how many origins the model wins, MASE by week ahead, the origins it loses, and the time taken;
also written to bench/results/spaces-forecast-<time>.txt.

    make bench-spaces
    .venv/bin/python bench/spaces_forecast.py --value casual      # leisure demand
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--date", default="dteday")
    parser.add_argument("--value", default="cnt")
    parser.add_argument("--holiday", default="holiday", help="'' for none")
    parser.add_argument("--horizon", type=int, default=forecast.HORIZON)
    return parser.parse_args(argv)


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
    setup_translation()
    buffer = io.StringIO()
    try:
        with redirect_stdout(buffer):
            run(args)
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
