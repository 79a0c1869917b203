"""Reads and checks the week's notes file, data/weeks/YYYY-MM-DD.yaml."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from reporter.config import Config
from reporter.errors import InputError
from reporter.model.notes import CardNotes, SectionNotes, WeekNotes
from reporter.yamldoc import KeyPath, YamlDoc, YamlSyntaxError, load_yaml_file

CARD_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")


def notes_path(data_dir: Path, week_end: dt.date) -> Path:
    return data_dir / "weeks" / f"{week_end.isoformat()}.yaml"


def note_weeks(config: Config) -> list[dt.date]:
    """Weeks that have a notes file, oldest first; a file dated off a week end is an error."""
    folder = config.data_dir / "weeks"
    weeks = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            try:
                week = dt.date.fromisoformat(path.stem)
            except ValueError:
                continue
            if week.weekday() != config.week_ends_on:
                raise InputError(
                    f"{path}: {week} is a {week.strftime('%A')}, not the last day of a week",
                    hint=f"weeks end on {_weekday_name(config.week_ends_on)}; rename the file "
                    "to the week's last day",
                )
            weeks.append(week)
    return weeks


def load_week_notes(config: Config, week_end: dt.date) -> WeekNotes | None:
    """The notes of the week, or None when the week has no notes file yet."""
    path = notes_path(config.data_dir, week_end)
    try:
        doc = load_yaml_file(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except YamlSyntaxError as exc:
        raise InputError(str(exc), hint="fix the file; nothing was changed") from None
    return parse_week_notes(doc, config, week_end)


def parse_week_notes(doc: YamlDoc, config: Config, week_end: dt.date) -> WeekNotes:
    if week_end.weekday() != config.week_ends_on:
        raise InputError(
            f"{doc.path}: {week_end} is a {week_end.strftime('%A')}, not the last day of a week",
            hint=f"weeks end on {_weekday_name(config.week_ends_on)}",
        )
    data = doc.data if doc.data is not None else {}
    _expect(doc, (), data, dict, "a mapping with `sections` and `issues`")
    _only(doc, (), data, {"sections", "issues"})
    titles = [s.title for s in config.sections]
    raw_sections = data.get("sections") or {}
    _expect(doc, ("sections",), raw_sections, dict, "a mapping of section titles")
    sections = []
    seen_cards: dict[str, str] = {}
    for title, body in raw_sections.items():
        kp: KeyPath = ("sections", str(title))
        if title not in titles:
            raise InputError(
                f"{doc.where(kp)}: section {title!r} is not configured",
                hint=f"configured sections: {', '.join(map(repr, titles)) or 'none'}",
            )
        sections.append(_section(doc, kp, str(title), body or {}, seen_cards))
    sections.sort(key=lambda s: titles.index(s.title))
    issues = _bullets(doc, ("issues",), data.get("issues") or [])
    return WeekNotes(week_end=week_end, sections=tuple(sections), issues=issues)


def _section(doc: YamlDoc, kp: KeyPath, title: str, body: Any,
             seen_cards: dict[str, str]) -> SectionNotes:
    _expect(doc, kp, body, dict, "a mapping with `note`, `cards` and `misc`")
    _only(doc, kp, body, {"note", "cards", "misc"})
    note = body.get("note")
    if note is not None:
        note = _text(doc, kp + ("note",), note)
    cards = []
    raw_cards = body.get("cards") or {}
    _expect(doc, kp + ("cards",), raw_cards, dict, "a mapping of card keys")
    for key, value in raw_cards.items():
        ckp = kp + ("cards", str(key))
        if not isinstance(key, str) or not CARD_KEY_RE.match(key):
            raise InputError(f"{doc.where(ckp)}: {key!r} is not a card key shaped like ABC-123")
        if key in seen_cards:
            raise InputError(
                f"{doc.where(ckp)}: card {key} is named twice (also in {seen_cards[key]!r})",
                hint="keep one entry per card",
            )
        seen_cards[key] = title
        cards.append(_card(doc, ckp, key, value))
    misc = _bullets(doc, kp + ("misc",), body.get("misc") or [])
    return SectionNotes(title=title, note=note, cards=tuple(cards), misc=misc)


def _card(doc: YamlDoc, kp: KeyPath, key: str, value: Any) -> CardNotes:
    if value is None:
        return CardNotes(key)
    if isinstance(value, list):
        return CardNotes(key, notes=_bullets(doc, kp, value))
    if isinstance(value, dict):
        _only(doc, kp, value, {"notes", "links", "summary", "status"})
        notes = _bullets(doc, kp + ("notes",), value.get("notes") or [])
        links_raw = value.get("links") or []
        _expect(doc, kp + ("links",), links_raw, list, "a list of URLs")
        links = []
        for i, link in enumerate(links_raw):
            text = _text(doc, kp + ("links", i), link).strip()
            if not re.match(r"^https?://\S+$", text):
                raise InputError(f"{doc.where(kp + ('links', i))}: not a URL: {text!r}")
            links.append(text)
        return CardNotes(key, notes=notes, links=tuple(links),
                         summary=_summary(doc, kp + ("summary",), value.get("summary")),
                         status=_status(doc, kp + ("status",), value.get("status")))
    raise InputError(
        f"{doc.where(kp)}: a card is a list of bullets or "
        "{notes: [...], links: [...], summary: ..., status: ...}",
    )


def _summary(doc: YamlDoc, kp: KeyPath, value: Any) -> str | None:
    """The card's title given in the notes: one line of text (None when absent)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{doc.where(kp)}: a summary is the card's title, one line of text",
                         hint="quote it if YAML reads it as a number, date or true/false")
    return " ".join(value.split())


def _status(doc: YamlDoc, kp: KeyPath, value: Any) -> str | None:
    """`status: Done`: the name of a workflow transition, one line of text."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else ""
    if not text or "\n" in text:
        raise InputError(f"{doc.where(kp)}: status is the name of a workflow transition, "
                         "on one line (for example `status: Done`)")
    return text


def _bullets(doc: YamlDoc, kp: KeyPath, value: Any) -> tuple[str, ...]:
    _expect(doc, kp, value, list, "a list of bullets")
    return tuple(_text(doc, kp + (i,), item) for i, item in enumerate(value))


def _text(doc: YamlDoc, kp: KeyPath, value: Any) -> str:
    if not isinstance(value, str):
        kind = "nothing" if value is None else type(value).__name__
        raise InputError(
            f"{doc.where(kp)}: a bullet must be text, not {kind}",
            hint="quote it if YAML reads it as a number, date, mapping or true/false",
        )
    # Block scalars (`|`) end in a newline; the bullet is the text before it.
    return value.rstrip("\n")


def _expect(doc: YamlDoc, kp: KeyPath, value: Any, kind: type, what: str) -> None:
    if not isinstance(value, kind):
        raise InputError(f"{doc.where(kp)}: expected {what}")


def _only(doc: YamlDoc, kp: KeyPath, value: dict[str, Any], allowed: set[str]) -> None:
    for key in value:
        if key not in allowed:
            raise InputError(
                f"{doc.where(kp + (str(key),))}: unknown key",
                hint=f"allowed here: {', '.join(sorted(allowed))}",
            )


def _weekday_name(day: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[day]
