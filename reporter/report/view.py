"""The view model of one email: what the template lays out, already decided and numbered."""

from __future__ import annotations

from dataclasses import dataclass

from reporter.report.refs import Ref


@dataclass(frozen=True)
class CardView:
    header: str
    bullets: tuple[str, ...]  # each bullet's text; lines after the first get indented
    loose: bool


@dataclass(frozen=True)
class SectionView:
    title: str
    note: str | None
    cards: tuple[CardView, ...]
    misc: tuple[str, ...]
    misc_loose: bool
    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class TrailerView:
    title: str
    bullets: tuple[str, ...]
    loose: bool
    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class ReportView:
    sections: tuple[SectionView, ...]
    patches: TrailerView
    issues: TrailerView
    calendar: tuple[str, ...]
