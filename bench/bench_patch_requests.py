"""Benchmark: the Patchwork requests a week's pull makes when the project is busy.

Run from the repository root: `python bench/bench_patch_requests.py` (`--quick`: 60
other people's state changes, 3 pairs). The local Patchwork holds the submitter's
series (tests/patch_helpers.py) plus N state changes of other people's patches in the
week, and one of the submitter's old, closed series that changes state that week.

Every event of the week is checked against the submitter: events of patches already
known (by id or message-id) cost nothing, each other patch costs one `/patches/ID/`
lookup (bounded by patches.max_lookups), and the old series one `/patches/?series=`
read. A is a pull with an empty lookup cache (the first pull of a week), B the same
pull again with the cache A left (preview, then send); A and B alternate and the
figures are medians. The requests of each kind are counted, and the `extra` line
gives what the event check adds over the submitter's own queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporter.config import load_config  # noqa: E402
from reporter.sources.patch_http import make_session  # noqa: E402
from reporter.sources.patches import pull_patches  # noqa: E402
from tests.patch_helpers import (  # noqa: E402
    SECOND_ADDRESS,
    SUBMITTER,
    event,
    patchwork_data,
    write_config,
)
from tests.servers.patchwork import Behaviour, PatchworkData, PatchworkServer  # noqa: E402

WEEK = dt.date(2023, 2, 10)
BEFORE = dt.date(2023, 2, 3)
NOW = dt.datetime(2023, 2, 13, 0, 30, tzinfo=dt.UTC)


def busy_week(others: int) -> PatchworkData:
    data = patchwork_data()
    marek = data.patches[7]
    for n in range(others):
        other = dict(marek, id=3000 + n, msgid=f"<2023020{n % 5 + 5}.{n}-marex@denx.de>")
        data.patches.append(other)
        data.events.append(event(20000 + n, f"2023-02-0{n % 5 + 5}T0{n % 10}:{n % 60:02d}:00",
                                 other, "new", "accepted"))
    old = data.patches[4]  # accepted in December, archived
    old["state"] = "mainlined"
    data.events.append(event(30000, "2023-02-08T02:00:00", old, "accepted", "mainlined"))
    return data


def kind(path: str) -> str:
    rest = path.split("/api/1.3/", 1)[1]
    if rest.startswith("patches/") and rest.split("/")[1].isdigit():
        return "comments" if "/comments/" in rest else "patch lookups"
    if rest.startswith("covers/"):
        return "comments"
    if rest.startswith(("patches/?", "series/?")) and "submitter=" in rest:
        return "submitter queries"
    if rest.startswith("patches/?") and "series=" in rest or \
            rest.startswith("series/") and rest.split("/")[1].isdigit():
        return "old series reads"
    if rest.startswith("events/") and "patch=" in rest:
        return "state dates"
    if rest.startswith("events/"):
        return "event pages"
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", type=int, default=300,
                        help="other people's state changes in the week")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    others, pairs = (60, 3) if args.quick else (args.others, args.pairs)
    root = Path(tempfile.mkdtemp(prefix="bench-patch-requests-"))
    try:
        with PatchworkServer(busy_week(others), Behaviour(page_size=100)) as pw:
            path = write_config(root, patchwork=pw.url, lore=None, repo=None)
            path.write_text(path.read_text().replace(
                f"submitter: {SUBMITTER[1]}", f"submitter: [{SUBMITTER[1]}, {SECOND_ADDRESS}]"))
            config = load_config(path)
            assert config.patches is not None
            previous = pull_patches(config, BEFORE, NOW, previous=None,
                                    session=make_session(retries=0))
            cache = config.data_dir / "cache"
            runs: dict[str, list[tuple[float, Counter[str]]]] = {"A": [], "B": []}
            for _ in range(pairs):
                for label in ("A", "B"):
                    if label == "A":
                        shutil.rmtree(cache, ignore_errors=True)
                    pw.requests.clear()
                    started = time.perf_counter()
                    snap = pull_patches(config, WEEK, NOW, previous=previous,
                                        session=make_session(retries=0))
                    elapsed = time.perf_counter() - started
                    assert snap.find(303) is not None, "the old series was missed"
                    runs[label].append((elapsed, Counter(kind(r) for r in pw.requests)))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    events = others + 5  # 3 of the submitter's, 1 of the old series, 1 of Marek's
    unknown = others + 2  # Marek's, the old series' (older than the submitter queries)
    print(f"patch pull of a week with {events} state changes ({others + 1} of other people's "
          f"patches), patches.max_lookups {config.patches.max_lookups}, "
          f"median of {pairs} A/B pairs")
    for label, what in (("A", "empty cache (first pull of the week)"),
                        ("B", "cache from A (the same week again)")):
        times = [t for t, _ in runs[label]]
        counts = runs[label][0][1]
        total = sum(counts.values())
        extra = counts["patch lookups"] + counts["old series reads"]
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"  {label} {what}: {total} requests ({detail})")
        print(f"    extra for the event check: {extra} (lookups {counts['patch lookups']} for "
              f"{unknown} patches not known as the submitter's, bound "
              f"{config.patches.max_lookups}; old series {counts['old series reads']})  "
              f"wall median {statistics.median(times):.3f} s")
    median_a = statistics.median(t for t, _ in runs["A"])
    median_b = statistics.median(t for t, _ in runs["B"])
    requests_a = sum(runs["A"][0][1].values())
    requests_b = sum(runs["B"][0][1].values())
    print(f"ratio B/A: requests {requests_b / requests_a:.2f}, "
          f"wall {median_b / median_a:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
