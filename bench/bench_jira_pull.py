"""Benchmark: pull_jira of 500 cards from the local Jira; HTTP requests vs the minimum, time.

Run from the repository root: `python bench/bench_jira_pull.py` (`--quick` for 100 cards).
The minimum is one search page per 100 cards plus the fixed calls the client makes
(serverInfo, myself, field). The baseline, measured in the same run on the same
server, is the jira library paging the same search by itself (its
enhanced_search_issues / search_issues with maxResults=0 and the same fields),
without comments, attachments or our session.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporter.sources.jira import pull_jira  # noqa: E402
from reporter.sources.jira.search import FIELDS, PAGE_SIZE  # noqa: E402
from tests.jira_helpers import NOW, TOKEN_ENV, WEEK_END, adf, make_config  # noqa: E402
from tests.servers.jira import LocalJira  # noqa: E402

FIXED_CALLS = 3  # serverInfo, myself, field
TOKEN = "bench-token"


def populate(jira: LocalJira, cards: int) -> None:
    projects = ("STR", "LBO", "TS")
    for n in range(cards):
        key = f"{projects[n % 3]}-{n + 1}"
        made = f"2023-02-0{4 + n % 6}T1{n % 10}:15:00.000+0900"
        text = f"Progress on {key}: measured again, see https://example.org/{n}"
        jira.add_issue(key, f"Card {n + 1}: latency of VM guests", comments=[
            jira.comment(f"{n}1", adf(text) if jira.cloud else text, created=made),
            jira.comment(f"{n}2", adf("ack") if jira.cloud else "ack", created=made, mine=False),
        ])


def run_pull(jira: LocalJira) -> tuple[float, int]:
    before = len(jira.requests)
    with tempfile.TemporaryDirectory() as tmp:
        config = make_config(Path(tmp), jira.url, comments="all")
        started = time.perf_counter()
        snap = pull_jira(config, WEEK_END, NOW, environ={TOKEN_ENV: TOKEN})
        elapsed = time.perf_counter() - started
    assert len(snap.cards) == len(jira.issues), "the pull lost cards"
    return elapsed, len(jira.requests) - before


def run_library_baseline(jira: LocalJira) -> tuple[float, int]:
    from jira import JIRA

    before = len(jira.requests)
    started = time.perf_counter()
    client = JIRA(server=jira.url, basic_auth=(jira.user, TOKEN), timeout=30,
                  options={"rest_api_version": "3" if jira.cloud else "2"})
    jql = "assignee = currentUser()"
    if jira.cloud:
        issues = client.enhanced_search_issues(jql, maxResults=0, fields=list(FIELDS))
    else:
        issues = client.search_issues(jql, maxResults=False, fields=list(FIELDS))
    elapsed = time.perf_counter() - started
    client.close()  # type: ignore[no-untyped-call]
    assert len(issues) == len(jira.issues), "the library lost cards"
    return elapsed, len(jira.requests) - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="100 cards, 2 repeats")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--deployment", choices=("Cloud", "Server", "both"), default="both")
    args = parser.parse_args(argv)
    cards, repeat = (100, 2) if args.quick else (args.cards, args.repeat)
    deployments = ("Cloud", "Server") if args.deployment == "both" else (args.deployment,)
    minimum = math.ceil(cards / PAGE_SIZE) + FIXED_CALLS
    print(f"jira pull of {cards} cards (2 comments each), best and median of {repeat} runs")
    for deployment in deployments:
        with LocalJira(deployment, token=TOKEN) as jira:
            populate(jira, cards)
            ours = [run_pull(jira) for _ in range(repeat)]
            base = [run_library_baseline(jira) for _ in range(repeat)]
        requests_ours = ours[0][1]
        requests_base = base[0][1]
        times_ours = [t for t, _ in ours]
        times_base = [t for t, _ in base]
        print(f"  {deployment:6}  requests: {requests_ours} (minimum {minimum}: "
              f"{math.ceil(cards / PAGE_SIZE)} pages + {FIXED_CALLS} fixed)  "
              f"wall: best {min(times_ours):.3f} s, median {statistics.median(times_ours):.3f} s")
        print(f"  {'':6}  baseline, the library paging alone: requests {requests_base}, "
              f"wall best {min(times_base):.3f} s, median {statistics.median(times_base):.3f} s"
              f"  (ours/baseline {min(times_ours) / min(times_base):.2f}x)")
        if requests_ours != minimum:
            print(f"  {'':6}  NOTE: {requests_ours - minimum} requests above the minimum")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
