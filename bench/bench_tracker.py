"""The tracker commands on years of stored weeks, each against its floor in the same run.

    python bench/bench_tracker.py            # 260 weeks (five years), 15 cards a week
    python bench/bench_tracker.py --quick    # 52 weeks

Goal (issue 14): the ratios stay as they were, or improve.

Each command runs as `python -m reporter` in a fresh process, the way a user runs
it, alternated with its baseline over `--pairs` pairs (at least 5); the medians
and their ratio are printed. The baselines are the floors of what each command
must do, measured on the same files:

  history KEY, status   B = one process that reads every notes file (yaml.safe_load)
                        and every Jira snapshot (json.loads): the least work that
                        looks at every stored week, which both commands must.
  draft, note KEY       B = `python -c "import reporter.cli"`: the start-up every
                        command pays; these touch one week only. `draft` starts
                        from no file each time (the file it made is removed first).

Both sides use the same byte-code cache (see benchlib.python_env).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from benchlib import ROOT, alternate_timed, python_env, ratio_line, run

sys.path.insert(0, str(ROOT))
from reporter.deliver.ledger import Attempt, LedgerEntry, write_ledger  # noqa: E402

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

READ_ALL = """\
import json, sys, pathlib, yaml
data = pathlib.Path(sys.argv[1])
for p in sorted((data / "weeks").glob("*.yaml")):
    yaml.safe_load(p.read_text())
for p in sorted((data / "snapshots").glob("*/jira.json")):
    json.loads(p.read_text())
"""


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="52 weeks instead of 260")
    parser.add_argument("--weeks", type=int, default=None)
    parser.add_argument("--pairs", type=int, default=5, help="A/B pairs (at least 5)")
    args = parser.parse_args()
    weeks = args.weeks or (52 if args.quick else 260)
    cards = 15
    with tempfile.TemporaryDirectory(prefix="bench-tracker-") as tmp:
        root = Path(tmp)
        days = make_data(root, weeks, cards)
        last = days[-1]
        now = (last + dt.timedelta(days=4)).isoformat() + "T09:00:00+00:00"
        env = python_env(root / "pycache", REPORTER_NOW=now)
        py = [sys.executable]
        rep = [*py, "-m", "reporter", "--config", str(root / "config.yaml")]
        drafted = root / "data" / "weeks" / f"{last + dt.timedelta(days=7)}.yaml"
        startup = [*py, "-c", "import reporter.cli"]
        read_all = [*py, "-c", READ_ALL, str(root / "data")]

        def draft() -> float:
            drafted.unlink(missing_ok=True)
            return run([*rep, "draft"], env, ROOT)

        key = "TS-2"  # in every week: history reads them all
        cases = [
            (f"history {key}", lambda: run([*rep, "history", key], env, ROOT),
             "read all weeks", lambda: run(read_all, env, ROOT)),
            ("status", lambda: run([*rep, "status"], env, ROOT),
             "read all weeks", lambda: run(read_all, env, ROOT)),
            ("draft (new file)", draft, "start-up", lambda: run(startup, env, ROOT)),
            ("note TS-1 (edit in place)",
             lambda: run([*rep, "note", "TS-1", "bench bullet"], env, ROOT),
             "start-up", lambda: run(startup, env, ROOT)),
        ]
        run(startup, env, ROOT), run(read_all, env, ROOT)  # fill the byte-code cache
        print(f"{weeks} weeks x {cards} cards, medians of {max(args.pairs, 5)} pairs, "
              f"python {sys.version.split()[0]}")
        for name, a, base_name, b in cases:
            a_s, b_s = alternate_timed(args.pairs, a, b)
            print(f"  A {name:<28} {a_s * 1000:8.1f} ms   B {base_name:<15} {b_s * 1000:8.1f} ms"
                  f"   {ratio_line(name.split()[0], a_s, b_s)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
