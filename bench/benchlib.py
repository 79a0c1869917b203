"""What every bench shares: A and B alternated, medians of the pairs, and a fair process env.

Alternating A and B (rather than all A runs, then all B runs) spreads whatever
else the machine does over both alike; the median of the pairs ignores the odd
slow run. `python_env` gives subprocesses the byte-code cache an installed
package has (PYTHONPYCACHEPREFIX in a folder of the bench's own), so that
neither side compiles its modules on every run when PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_PAIRS = 5


def alternate(pairs: int, a: Callable[[], object], b: Callable[[], object]
              ) -> tuple[float, float]:
    """Median seconds of A and of B over `pairs` (at least MIN_PAIRS) runs, A then B."""
    a_s, b_s = [], []
    for _ in range(max(pairs, MIN_PAIRS)):
        a_s.append(_once(a))
        b_s.append(_once(b))
    return statistics.median(a_s), statistics.median(b_s)


def alternate_timed(pairs: int, a: Callable[[], float], b: Callable[[], float]
                    ) -> tuple[float, float]:
    """As alternate(), for functions that return the seconds they measured themselves."""
    a_s, b_s = [], []
    for _ in range(max(pairs, MIN_PAIRS)):
        a_s.append(a())
        b_s.append(b())
    return statistics.median(a_s), statistics.median(b_s)


def _once(func: Callable[[], object]) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def python_env(pycache: Path, **extra: str) -> dict[str, str]:
    """The environment for `python -m reporter` runs: this tree first, byte-code cached."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update(PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(pycache), **extra)
    return env


def run(cmd: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> float:
    """Wall seconds of one run of `cmd` (which must exit 0), output discarded."""
    started = time.perf_counter()
    subprocess.run(list(cmd), cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def ratio_line(label: str, a: float, b: float, goal: str = "") -> str:
    return f"ratio {label} {a / b:.2f}x" + (f"  ({goal})" if goal else "")
