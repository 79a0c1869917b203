"""Times the tracker commands on years of stored weeks, against baselines in the same run.

    python bench/bench_tracker.py            # 260 weeks (five years), 15 cards a week
    python bench/bench_tracker.py --quick    # 52 weeks

Each command runs as `python -m reporter` in a subprocess (start-up included), the way a
user runs it. Baselines, measured in the same run on the same files:
  - start-up: `python -c "import reporter.cli"`;
  - read all: one process that reads every notes file (yaml.safe_load) and every Jira
    snapshot (json.load), the least work that looks at every stored week.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from reporter.deliver.ledger import Attempt, LedgerEntry, write_ledger  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CONFIG = """\
author: {name: Bench, email: bench@example.org}
timezone: UTC
week_ends_on: friday
data_dir: data
sections:
  - {title: Stratos, projects: [STR, LBO]}
  - {title: U-Boot support, projects: [TS]}
"""
FIRST_WEEK = dt.date(2018, 1, 5)  # a Friday


def make_data(root: Path, weeks: int, cards: int) -> list[dt.date]:
    (root / "config.yaml").write_text(CONFIG)
    data = root / "data"
    days = [FIRST_WEEK + dt.timedelta(days=7 * i) for i in range(weeks)]
    for n, week in enumerate(days):
        keys = [f"STR-{100 + (n // 4) + i}" for i in range(cards - 3)] + \
               ["TS-1", "TS-2", "LBO-7"]
        lines = ["# generated", "sections:", "  Stratos:", "    cards:"]
        for key in keys[:-3] + keys[-1:]:
            lines.append(f"      {key}:")
            lines.append("        - |")
            lines.append(f"          Week {n} work on {key} <https://lore.kernel.org/u-boot/"
                         f"{n}.{key}@example.org/>")
            lines.append("          with a second line of text about the measurements.")
        lines += ["  U-Boot support:", "    cards:", "      TS-1: []", "      TS-2:",
                  "        - reviewed", "issues:", "  - an issue"]
        path = data / "weeks" / f"{week}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        snap = {"format": 1, "source": "jira", "week_end": str(week), "data": {
            "pulled_at": f"{week}T09:00:00+00:00", "server": None, "jql": None,
            "cards": [{"key": k, "summary": f"summary of {k}", "status": "In Progress",
                       "status_category": "In Progress", "resolution": None, "updated": None,
                       "comments": [], "attachments": [], "remote_links": []} for k in keys]}}
        spath = data / "snapshots" / str(week) / "jira.json"
        spath.parent.mkdir(parents=True, exist_ok=True)
        spath.write_text(json.dumps(snap, indent=2))
        sent_at = dt.datetime.combine(week + dt.timedelta(days=3), dt.time(9), dt.UTC)
        write_ledger(data, LedgerEntry(week_end=week, state="sent", message_id=f"<{week}@x>",
                                       attempts=(Attempt(1, sent_at, "smtp", "sent"),)))
    return days


def timed(argv: list[str], cwd: Path, env: dict[str, str], runs: int) -> float:
    """Median wall time in seconds of `runs` runs (each must exit 0)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


READ_ALL = """\
import json, sys, pathlib, yaml
data = pathlib.Path(sys.argv[1])
for p in sorted((data / "weeks").glob("*.yaml")):
    yaml.safe_load(p.read_text())
for p in sorted((data / "snapshots").glob("*/jira.json")):
    json.loads(p.read_text())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="52 weeks instead of 260")
    parser.add_argument("--weeks", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    weeks = args.weeks or (52 if args.quick else 260)
    cards = 15
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        days = make_data(root, weeks, cards)
        last = days[-1]
        now = (last + dt.timedelta(days=4)).isoformat() + "T09:00:00+00:00"
        env = dict(os.environ, PYTHONPATH=str(ROOT), REPORTER_NOW=now)
        py = [sys.executable]
        rep = [*py, "-m", "reporter", "--config", str(root / "config.yaml")]
        key = "TS-2"  # in every week: history reads them all
        rows = [
            ("start-up (baseline)", timed([*py, "-c", "import reporter.cli"], ROOT, env,
                                          args.runs)),
            ("read all weeks (baseline)", timed([*py, "-c", READ_ALL, str(root / "data")],
                                                ROOT, env, args.runs)),
            (f"history {key}", timed([*rep, "history", key], ROOT, env, args.runs)),
            ("status", timed([*rep, "status"], ROOT, env, args.runs)),
        ]
        draft_t = timed([*rep, "draft"], ROOT, env, 1)  # creates next week's file once
        rows.append(("draft (new file)", draft_t))
        rows.append(("note TS-1 (edit in place)",
                     timed([*rep, "note", "TS-1", "bench bullet"], ROOT, env, args.runs)))
        print(f"{weeks} weeks x {cards} cards, median of {args.runs} runs "
              f"(draft: 1 run), python {sys.version.split()[0]}")
        base = rows[0][1]
        for name, seconds in rows:
            print(f"  {name:<32} {seconds * 1000:8.1f} ms   {seconds / base:5.1f}x start-up")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
