"""Entry point for `python -m reporter`: the same as the `reporter` console script."""

from reporter.cli import run

run()
