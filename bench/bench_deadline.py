"""What the deadline and the decompression cap cost, against what they replaced.

    python bench/bench_deadline.py            # 2000 GETs a round, a 64 MiB mbox
    python bench/bench_deadline.py --quick    # 300 GETs, 16 MiB

Two figures, each as A/B pairs alternated in one run (median of the pairs, and a
`ratio` line, A / B):
  gets      GETs of a small JSON page from a loopback Patchwork, through
            patch_http.make_session() (our retries, every connection registered with
            the pull's socket watch) against a plain requests.Session with urllib3's
            own Retry (what make_session was before)
  gunzip    lore's capped decompression (lore._gunzip_capped, with the default cap)
            against gzip.decompress, on a gzipped synthetic thread mbox
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporter.sources.lore import DEFAULT_MAX_THREAD_BYTES, _gunzip_capped  # noqa: E402
from reporter.sources.patch_http import Deadline, bind_deadline, make_session  # noqa: E402
from tests.patch_helpers import patchwork_data  # noqa: E402
from tests.servers.patchwork import PatchworkServer  # noqa: E402

PAIRS = 7


def old_session() -> object:
    """make_session as it was: urllib3's Retry, Retry-After honoured by urllib3."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    retry = Retry(total=3, connect=3, read=3, status=3, backoff_factor=1.0,
                  status_forcelist=(429, 500, 502, 503, 504),
                  allowed_methods=frozenset({"GET", "HEAD"}), respect_retry_after_header=True,
                  raise_on_status=False)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    return session


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def pairs(a: Callable[[], object], b: Callable[[], object]) -> tuple[float, float, float]:
    ta, tb, ratios = [], [], []
    for i in range(PAIRS):
        if i % 2:
            y, x = timed(b), timed(a)
        else:
            x, y = timed(a), timed(b)
        ta.append(x)
        tb.append(y)
        ratios.append(x / y)
    return statistics.median(ta), statistics.median(tb), statistics.median(ratios)


def mbox(size: int) -> bytes:
    """Review replies with varied diff lines, compressing about as a real thread does."""
    rng = random.Random(12)
    out = bytearray()
    n = 0
    while len(out) < size:
        n += 1
        out += (b"From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Simon Glass <sjg@chromium.org>\n"
                b"Subject: Re: [PATCH v2 1/3] efi_loader: capsule: check the index\n"
                b"Message-Id: <%d@chromium.org>\n\n> quoted\n"
                b"Reviewed-by: Simon Glass <sjg@chromium.org>\n" % n)
        for _ in range(40):
            out += b"+\tret = efi_%s(data_%x, size, 0x%08x);\n" % (
                rng.choice((b"capsule_update", b"firmware_get", b"var_set", b"load_image")),
                rng.getrandbits(16), rng.getrandbits(32))
        out += b"\n"
    return bytes(out[:size])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    gets = 300 if args.quick else 2000
    mib = 16 if args.quick else 64

    with PatchworkServer(patchwork_data()) as pw:
        url = f"{pw.url}/api/1.3/series/301/"
        new = make_session(retries=3)
        bind_deadline(new, Deadline(3600), "patchwork", pw.url)
        old = old_session()

        def run_new() -> int:
            return sum(len(new.get(url, timeout=5).content) for _ in range(gets))

        def run_old() -> int:
            return sum(len(old.get(url, timeout=5).content)  # type: ignore[attr-defined]
                       for _ in range(gets))

        run_new(), run_old()  # warm up both
        a, b, ratio = pairs(run_new, run_old)
    print(f"gets     {gets} GETs a round, median of {PAIRS} alternated pairs")
    print(f"  A watched session   {a:.3f} s  ({a / gets * 1e6:.0f} us a GET)")
    print(f"  B urllib3 Retry     {b:.3f} s  ({b / gets * 1e6:.0f} us a GET)")
    print(f"  ratio A/B {ratio:.3f}")

    data = gzip.compress(mbox(mib * 1024 * 1024), compresslevel=6, mtime=0)
    assert _gunzip_capped(data, DEFAULT_MAX_THREAD_BYTES) == gzip.decompress(data)
    a, b, ratio = pairs(lambda: _gunzip_capped(data, DEFAULT_MAX_THREAD_BYTES),
                        lambda: gzip.decompress(data))
    print(f"gunzip   {mib} MiB mbox ({len(data) / 2**20:.1f} MiB gzipped), median of {PAIRS} "
          "alternated pairs")
    print(f"  A capped (lore)     {a:.3f} s  ({mib / a:.0f} MiB/s)")
    print(f"  B gzip.decompress   {b:.3f} s  ({mib / b:.0f} MiB/s)")
    print(f"  ratio A/B {ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
