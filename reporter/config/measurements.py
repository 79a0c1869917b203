"""The `measurements:` list: which files hold a card's latency runs, and how to read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reporter.config.checker import Checker, check_card_key, positive
from reporter.yamldoc import KeyPath


@dataclass(frozen=True)
class MeasurementConfig:
    card: str
    files: str  # a glob, relative to the config file's folder
    threshold_us: float | None
    label: str | None
    column: str | None
    unit: str | None


def check_measurements(c: Checker, top: dict[str, Any],
                       projects: set[str]) -> tuple[MeasurementConfig, ...]:
    """`projects`: the configured sections' projects, which a measured card must be in."""
    items = c.get(top, (), "measurements", list, [])
    out = []
    for i, item in enumerate(items or []):
        kp: KeyPath = ("measurements", i)
        m = c.mapping(item, kp, {"card", "files", "threshold_us", "label", "column",
                                    "unit"})
        if m is None:
            continue
        card = c.get(m, kp, "card", str, check=check_card_key)
        if card and projects and card.split("-")[0] not in projects:
            c.fail(kp + ("card",), f"project of {card} is in no configured section")
        out.append(MeasurementConfig(
            card=card or "",
            files=str(c.path(c.get(m, kp, "files", str) or "")),
            threshold_us=c.get(m, kp, "threshold_us", float, None, positive),
            label=c.get(m, kp, "label", str, None),
            column=c.get(m, kp, "column", (str, int), None),
            unit=c.choice(m, kp, "unit", ("ns", "us", "ms", "s"), None),
        ))
    return tuple(out)
