"""pull_jira of 500 cards from the local Jira, against the jira library paging alone.

    python bench/bench_jira_pull.py [--cards N | --quick] [--pairs N] [--deployment D]

Goal: the number of HTTP requests is the minimum (one search page per 100 cards
plus the fixed calls the client makes: serverInfo, myself, field), and the wall
time stays close to the baseline's.

A is our pull (search pages, comments of the week, our session with its
retries and deadline); B, on the same local server with the same cards, is the
jira library paging the same search by itself (enhanced_search_issues /
search_issues with maxResults=0 and the same fields), without comments,
attachments or our session: the least a client of this library can do to list
the cards, so A can only be slower by what it adds. A and B are alternated over
`--pairs` pairs (at least 5), in this process, and the medians compared.
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
    parser.add_argument("--quick", action="store_true", help="100 cards")
    parser.add_argument("--pairs", type=int, default=5, help="A/B pairs (at least 5)")
    parser.add_argument("--deployment", choices=("Cloud", "Server", "both"), default="both")
    args = parser.parse_args(argv)
    cards = 100 if args.quick else args.cards
    pairs = max(args.pairs, 5)
    deployments = ("Cloud", "Server") if args.deployment == "both" else (args.deployment,)
    minimum = math.ceil(cards / PAGE_SIZE) + FIXED_CALLS
    print(f"jira pull of {cards} cards (2 comments each), medians of {pairs} pairs")
    for deployment in deployments:
        with LocalJira(deployment, token=TOKEN) as jira:
            populate(jira, cards)
            ours: list[tuple[float, int]] = []
            base: list[tuple[float, int]] = []
            for _ in range(pairs):
                ours.append(run_pull(jira))
                base.append(run_library_baseline(jira))
        requests_ours = ours[0][1]
        a = statistics.median(t for t, _ in ours)
        b = statistics.median(t for t, _ in base)
        print(f"  {deployment:6}  A ours     {a * 1000:8.1f} ms  requests {requests_ours} "
              f"(minimum {minimum}: {math.ceil(cards / PAGE_SIZE)} pages + {FIXED_CALLS} fixed)")
        print(f"  {'':6}  B library  {b * 1000:8.1f} ms  requests {base[0][1]} "
              f"(paging alone, no comments)")
        print(f"  {'':6}  ratio ours/library {a / b:.2f}x")
        if requests_ours != minimum:
            print(f"  {'':6}  NOTE: {requests_ours - minimum} requests above the minimum")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
