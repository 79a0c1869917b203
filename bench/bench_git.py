"""The git tree scan through `reporter pull`, against one `git log` pass of the scan's format.

    python bench/bench_git.py                       # a generated 100,000-commit history
    python bench/bench_git.py --quick               # 10,000 generated commits
    python bench/bench_git.py --repo ~/src/u-boot --branches origin/master,origin/next

Goals (issue 14): a cold scan through `reporter pull` <= 2.0x the baseline; git's
part of a re-run with nothing new <= 20 ms.

A real clone is measured through `git clone --mirror --shared` in a temporary
folder, so nothing is written to it. Without `--repo` the history is built with
`git fast-import` (1% of the commits by the submitter, 5% with a `Link:` trailer,
a release tag every 10,000 commits). Every figure is the median of A and B
alternated over `--pairs` pairs (at least 5), each run a fresh process:

  cold   A: `reporter pull` with an empty cache under data_dir (the configuration has
         only `patches.git`, and last week's snapshot one open series of the
         submitter's 50 latest subjects, so the pull scans and matches);
         B: `git log --no-merges --format=<the scan's format> BRANCHES --`, read in
         1 MiB blocks. B is the fair floor: the same commits in the same format
         (trailers cost git more than `%H %ae %s` does), with no parsing at all.
  rerun  A: GitTree open + scan + find of those 50 patches, nothing new, timed in a
         fresh Python process (git's part of a re-run, reading the index included);
         B: one `git rev-parse BRANCHES`: the least a run must ask git to know that
         nothing is new.
  pull   A: the whole re-run, `reporter pull`; B: `reporter --version`, the
         command line's start-up; informative.
  update A: GitTree scan after 1,000 new commits (cache restored before each run);
         B: `git log` of the scan's format over those 1,000 commits; informative.

Python runs with this tree first and a byte-code cache kept in the temporary
folder between runs of the bench (see benchlib.python_env), as an installed
reporter has its .pyc files. A cold and a warm `pull --debug` are also printed:
the pull's own account of where its time went.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, alternate_timed, python_env, ratio_line, run

sys.path.insert(0, str(ROOT))

from reporter.model.patches import Patch, PatchSnapshot, Series  # noqa: E402
from reporter.sources.gittree import _LOG_FORMAT  # noqa: E402
from reporter.store.snapshot import write_part  # noqa: E402

SUBMITTER = "takahiro.akashi@linaro.org"
# git without the user's configuration; Python with this tree and a byte-code cache
# (kept in the temporary folder between runs of the bench).
ENV = python_env(Path(tempfile.gettempdir()) / "reporter-bench-pycache",
                 GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
WEEK = "2023-02-10"

RERUN_PROBE = """
import sys, time
from pathlib import Path
from reporter.sources.gittree import GitTree, PatchQuery
repo, cache, branches, emails, subjects = sys.argv[1:6]
queries = [PatchQuery(f"bench-{i}@example.org", s, None)
           for i, s in enumerate(subjects.split("\\x1e"))]
started = time.perf_counter()
tree = GitTree(Path(repo), branches.split(","), emails.split(","), Path(cache))
report = tree.scan()
found = tree.find(queries)
elapsed = time.perf_counter() - started
print(elapsed, report.new_commits, report.patch_ids_computed, len(found))
"""


def fast_import_stream(start: int, count: int, ref: str, parent: str | None) -> bytes:
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
        out.append(f"commit {ref}\nmark :{n + 1}\n"
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
    return proc.stdout.decode("utf-8", "replace")


def timed(cmd: list[str], cwd: Path | None = None) -> float:
    return run(cmd, ENV, cwd)


def log_pass(repo: Path, revs: list[str]) -> float:
    """One `git log` of the scan's format, read in 1 MiB blocks (no parsing)."""
    started = time.perf_counter()
    proc = subprocess.Popen(["git", "-C", str(repo), "log", "--no-merges",
                             f"--format={_LOG_FORMAT}", *revs, "--"],
                            stdout=subprocess.PIPE, env=ENV)
    assert proc.stdout is not None
    while proc.stdout.read(1 << 20):
        pass
    if proc.wait() != 0:
        raise RuntimeError("git log failed")
    return time.perf_counter() - started


def show(name: str, a_label: str, a: float, b_label: str, b: float, goal: str) -> None:
    print(f"{name:7s} A {a_label:34s} {a * 1000:9.1f} ms")
    print(f"{'':7s} B {b_label:34s} {b * 1000:9.1f} ms")
    print(f"{'':7s} {ratio_line(name + ' A/B', a, b, goal)}")


def prepare_repo(args: argparse.Namespace, tmp: Path) -> tuple[Path, list[str], str]:
    repo = tmp / "repo.git"
    if args.repo:
        git(tmp, "clone", "-q", "--mirror", "--shared", str(Path(args.repo).expanduser()),
            str(repo))
        branches = args.branches.split(",")
        what = f"{args.repo} (shared mirror clone), branches {', '.join(branches)}"
    else:
        total = args.commits or (10_000 if args.quick else 100_000)
        repo.mkdir()
        git(repo, "init", "-q", "--bare", "-b", "master")
        git(repo, "fast-import", "--quiet",
            stdin=fast_import_stream(0, total, "refs/heads/master", None))
        git(repo, "branch", "next", "master")
        branches = ["master", "next"]
        what = f"generated, {total} commits, branches master, next"
    return repo, branches, what


def write_pull_setup(tmp: Path, repo: Path, branches: list[str], subjects: list[str]) -> Path:
    config = tmp / "config.yaml"
    patches = {"submitter": SUBMITTER, "git": {"repo": str(repo), "branches": branches}}
    config.write_text(json.dumps({  # JSON is YAML
        "author": {"name": "AKASHI Takahiro", "email": SUBMITTER}, "timezone": "UTC",
        "data_dir": "data", "sections": [{"title": "U-Boot", "projects": ["TS"]}],
        "patches": patches}), encoding="utf-8")
    (tmp / "data" / "weeks").mkdir(parents=True)
    posted = tuple(Patch(id=i + 1, msgid=f"bench-{i}@example.org", name=f"[{i + 1}/50] {s}",
                         date="2023-01-02T00:00:00+00:00", state="new", archived=False,
                         web_url="", number=i + 1) for i, s in enumerate(subjects))
    series = Series(id=1, name="bench", version=1, total=len(posted), received=len(posted),
                    date="2023-01-02T00:00:00+00:00", msgid=posted[0].msgid, web_url="",
                    archive_url="", patches=posted)
    last_week = PatchSnapshot(pulled_at="2023-02-03T00:00:00+00:00", submitter=SUBMITTER,
                              series=(series,))
    write_part(tmp / "data", dt.date(2023, 2, 3), "patches", last_week)
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", help="a real clone to measure (default: a generated one)")
    parser.add_argument("--branches", default="master,next",
                        help="with --repo: the branches, comma-separated")
    parser.add_argument("--quick", action="store_true", help="10,000 generated commits")
    parser.add_argument("--commits", type=int, default=None, help="generated commits")
    parser.add_argument("--pairs", type=int, default=5, help="A/B pairs (at least 5)")
    args = parser.parse_args()
    pairs = max(args.pairs, 5)
    with tempfile.TemporaryDirectory(prefix="bench-git-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        repo, branches, what = prepare_repo(args, tmp)
        count = git(repo, "rev-list", "--count", "--no-merges", *branches).strip()
        print(f"history: {what}; {count} commits without merges "
              f"(ready in {time.perf_counter() - started:.1f} s); {pairs} pairs each")
        mine = [line.split("\x1f", 1)[1] for line in git(
            repo, "log", "--no-merges", "--format=%ae%x1f%s", branches[0]).splitlines()
            if line.split("\x1f", 1)[0].lower() == SUBMITTER][:50]
        config = write_pull_setup(tmp, repo, branches, mine)
        cache = tmp / "data" / "cache"
        pull = [sys.executable, "-m", "reporter", "--config", str(config), "pull",
                "--week", WEEK]

        def cold_pull() -> float:
            shutil.rmtree(cache, ignore_errors=True)
            return timed(pull, tmp)

        cold, base = alternate_timed(pairs, cold_pull, lambda: log_pass(repo, branches))
        show("cold", "reporter pull, empty cache", cold, "git log, the scan's format", base,
             "goal <= 2.0x")
        for run in ("cold", "re-run"):  # the pull's own account of each, for the record
            if run == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            debug = subprocess.run([*pull[:3], "--debug", *pull[3:]], cwd=tmp, env=ENV,
                                   capture_output=True, text=True, check=True).stderr
            for line in debug.splitlines():
                if "git:" in line or "pulled in" in line:
                    print(f"        {run} --debug: {line}")

        probe = [sys.executable, "-c", RERUN_PROBE, str(repo), str(cache / "probe"),
                 ",".join(branches), SUBMITTER, "\x1e".join(mine)]
        subprocess.run(probe, env=ENV, check=True, capture_output=True)  # fill its cache

        def probe_run() -> float:
            out = subprocess.run(probe, env=ENV, check=True, capture_output=True, text=True)
            return float(out.stdout.split()[0])

        rerun, rev = alternate_timed(pairs, probe_run,
                               lambda: timed(["git", "-C", str(repo), "rev-parse", *branches]))
        show("rerun", "GitTree open+scan+find, no change", rerun, "git rev-parse BRANCHES",
             rev, f"goal: A <= 20 ms; A is {rerun * 1000:.1f} ms")
        whole, version = alternate_timed(pairs, lambda: timed(pull, tmp),
                                   lambda: timed([*pull[:3], "--version"], tmp))
        show("pull", "reporter pull, nothing new", whole, "reporter --version", version,
             "informative")

        saved = {p: p.read_bytes() for p in (cache / "probe").glob("*.json")}
        head = git(repo, "rev-parse", branches[0]).strip()
        ref = git(repo, "rev-parse", "--symbolic-full-name", branches[0]).strip()
        git(repo, "fast-import", "--quiet", "--force",
            stdin=fast_import_stream(1_000_000, 1000, ref, head))

        def update_run() -> float:
            for path, data in saved.items():
                path.write_bytes(data)
            return probe_run()

        update, update_log = alternate_timed(pairs, update_run,
                                       lambda: log_pass(repo, [branches[0], f"^{head}"]))
        show("update", "GitTree after 1,000 new commits", update,
             "git log of those 1,000 commits", update_log, "informative")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
