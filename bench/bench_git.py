"""Times the merged-detection scan against one plain `git log` pass over the same commits.

    python bench/bench_git.py            # 100,000 commits
    python bench/bench_git.py --quick    # 10,000 commits

Builds a synthetic repository with `git fast-import` (1% of the commits by the
submitter, 5% with a `Link:` trailer, release tags), then prints:
  baseline  `git log --format=%H%x00%ae%x00%s` read line by line
  scan      GitTree.scan() from an empty cache (log pass + patch-ids of the
            submitter's commits + atomic cache write), and its ratio to the baseline
  rerun     GitTree.scan() again with no new commits
  update    GitTree.scan() after 1,000 new commits
  find      GitTree.find() for 50 posted patches
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporter.sources.gittree import GitTree, PatchQuery  # noqa: E402

SUBMITTER = "takahiro.akashi@linaro.org"
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
       "LC_ALL": "C"}


def fast_import_stream(start: int, count: int, branch: str, parent: str | None) -> bytes:
    out: list[bytes] = []
    for n in range(start, start + count):
        author = ("AKASHI Takahiro", SUBMITTER) if n % 100 == 7 else \
            (f"Dev {n % 50}", f"dev{n % 50}@example.org")
        message = f"subsys{n % 40}: change number {n}\n\nExplain change {n}.\n"
        if n % 20 == 3:
            message += f"\nLink: https://lore.kernel.org/r/{n}.msg@example.org\n"
        message += f"Signed-off-by: {author[0]} <{author[1]}>\n"
        content = f"/* file {n % 1000} */\nint value_{n} = {n};\n" * 3
        ts = 1_600_000_000 + n * 60
        msg = message.encode()
        blob = content.encode()
        out.append(f"commit refs/heads/{branch}\nmark :{n + 1}\n"
                   f"author {author[0]} <{author[1]}> {ts} +0000\n"
                   f"committer Tom Rini <trini@konsulko.com> {ts} +0000\n"
                   f"data {len(msg)}\n".encode() + msg)
        if n == start and parent:
            out.append(f"from {parent}\n".encode())
        path = f"src/d{n % 37}/s{n % 7}/f{n % 1000}.c"
        out.append(f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n")
        if n % 10_000 == 9_999:
            out.append(f"reset refs/tags/v{2020 + n // 40_000}.{(n // 10_000) % 4 * 3 + 1:02d}\n"
                       f"from :{n + 1}\n\n".encode())
    return b"".join(out)


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True,
                          env=ENV, check=True)
    return proc.stdout.decode()


def baseline(repo: Path, refs: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(["git", "-C", str(repo), "log", "--format=%H%x00%ae%x00%s", *refs],
                            stdout=subprocess.PIPE, env=ENV)
    assert proc.stdout is not None
    lines = 0
    for _line in proc.stdout:
        lines += 1
    proc.wait()
    return time.perf_counter() - started, lines


def timed(label: str, func, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func(*args)
    elapsed = time.perf_counter() - started
    return elapsed, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 commits instead of 100,000")
    parser.add_argument("--commits", type=int, default=None)
    args = parser.parse_args()
    total = args.commits or (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory(prefix="bench-git-") as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "master")
        started = time.perf_counter()
        git(repo, "fast-import", "--quiet", stdin=fast_import_stream(0, total, "master", None))
        git(repo, "branch", "next", "master")
        build_s = time.perf_counter() - started
        print(f"repository: {total} commits built with git fast-import in {build_s:.2f} s")

        refs = ["master", "next"]
        base_s, lines = baseline(repo, refs)
        cache = Path(tmp) / "cache"
        tree = GitTree(repo, refs, [SUBMITTER], cache)
        scan_s, report = timed("scan", tree.scan)
        again = GitTree(repo, refs, [SUBMITTER], cache)
        rerun_s, rerun = timed("rerun", again.scan)

        head = git(repo, "rev-parse", "master").strip()
        git(repo, "fast-import", "--quiet", "--force",
            stdin=fast_import_stream(total, 1000, "master", head))
        update = GitTree(repo, refs, [SUBMITTER], cache)
        update_s, updated = timed("update", update.scan)
        queries = [PatchQuery(f"{n}.msg@example.org", f"subsys{n % 40}: change number {n}",
                              None) for n in range(7, total, max(1, total // 50))]
        find_s, found = timed("find", update.find, queries)

        rate = lines / base_s if base_s else float("inf")
        print(f"baseline git log:  {base_s:7.3f} s  {lines} commits  ({rate:,.0f} commits/s)")
        print(f"scan (cold cache): {scan_s:7.3f} s  {report.new_commits} commits, "
              f"{report.patch_ids_computed} patch-ids  ratio {scan_s / base_s:.2f}x "
              f"(aim <= 2x)")
        print(f"rerun, no change:  {rerun_s:7.3f} s  {rerun.new_commits} commits read "
              f"({rerun_s / base_s:.3f}x of the baseline)")
        print(f"update, +1000:     {update_s:7.3f} s  {updated.new_commits} commits read, "
              f"{updated.patch_ids_computed} patch-ids")
        print(f"find, {len(queries)} patches: {find_s:7.3f} s  {len(found)} found")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
