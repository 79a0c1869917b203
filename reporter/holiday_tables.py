"""What the `holidays` package knows, cached under data_dir: its country codes and yearly tables.

Touching a country of the package imports all of them (its `countries` package
imports every module) and building a table costs about 0.1 s, most of a
`preview`; importing the package alone costs 25 ms. So each table is built at
most once per run (kept in memory) and, given a cache folder, kept there as
JSON keyed by the package version, country, subdivision and year; the codes the
configuration is checked against are kept the same way. A cache file that
cannot be read or does not match its key is ignored and rebuilt; one that
cannot be written only costs the next run the work again.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from reporter.fsutil import write_atomic

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
ENGLISH = ("en_US", "en_GB", "en")
_SAFE = re.compile(r"^[A-Za-z0-9_]+$")

Table = tuple[tuple[dt.date, str], ...]
_built: dict[tuple[str, str | None, int], Table] = {}


def year_table(country: str, subdivision: str | None, year: int,
               cache_dir: Path | None = None) -> Table:
    """The public holidays the package gives for `year`, sorted, named in English if it can."""
    key = (country, subdivision, year)
    table = _built.get(key)
    if table is None:
        table = _cached_table(country, subdivision, year, cache_dir)
        _built[key] = table
    return table


def _cached_table(country: str, subdivision: str | None, year: int,
                  cache_dir: Path | None) -> Table:
    if cache_dir is None:
        return build_table(country, subdivision, year)
    header: dict[str, Any] = {"format": CACHE_FORMAT, "holidays": package_version(),
                              "country": country, "subdivision": subdivision, "year": year}
    path = _cache_path(cache_dir, header["holidays"], country, subdivision or "_", str(year))
    doc = _read(path, header) if path else None
    if doc is not None:
        try:
            table = tuple((dt.date.fromisoformat(day), name) for day, name in doc["days"])
            if all(isinstance(name, str) for _, name in table):
                return table
        except (ValueError, TypeError, KeyError):
            pass
        log.debug("holidays: ignoring the malformed cache %s", path)
    table = build_table(country, subdivision, year)
    if path:
        _write(path, {**header, "days": [[day.isoformat(), name] for day, name in table]})
    return table


def build_table(country: str, subdivision: str | None, year: int) -> Table:
    """Build the table with the package: English names where the country has them.

    Otherwise the country's own language, named explicitly so that the names do
    not follow the locale of whichever run filled the cache.
    """
    import holidays

    entity = getattr(holidays, country)  # a lazy loader; the configuration checked the code
    languages = getattr(entity, "supported_languages", ()) or ()
    language = next((lang for lang in ENGLISH if lang in languages),
                    getattr(entity, "default_language", None))
    table = holidays.country_holidays(country, subdiv=subdivision, years=year,
                                      language=language)
    return tuple(sorted((day, str(name)) for day, name in table.items()))


def country_problem(country: str, subdivision: str | None,
                    cache_dir: Path | None = None) -> tuple[str, str] | None:
    """(key, message) when the package knows no such country or subdivision, else None.

    The country is looked up in the package's registry, which names every
    country without importing them; a subdivision needs the country's class.
    Both answers are kept under `cache_dir`, so a checked configuration costs
    the next run one small read.
    """
    header: dict[str, Any] = {"format": CACHE_FORMAT, "holidays": package_version()}
    path = _cache_path(cache_dir, header["holidays"], "registry") if cache_dir else None
    doc = (_read(path, header) if path else None) or {}
    countries, pairs = doc.get("countries"), doc.get("subdivisions")
    if not (isinstance(countries, list) and isinstance(pairs, list)):
        from holidays.registry import COUNTRIES

        countries = sorted({code for names in COUNTRIES.values() for code in names[1:]})
        pairs = []
    elif country in countries and (not subdivision or [country, subdivision] in pairs):
        return None
    if country not in countries:
        return ("country", f"unknown country code {country!r} for the holidays package")
    if subdivision and [country, subdivision] not in pairs:
        import holidays

        try:
            holidays.country_holidays(country, subdiv=subdivision)  # no years: nothing built
        except NotImplementedError:
            return ("subdivision", f"unknown subdivision {subdivision!r} of {country}")
        pairs = sorted([*pairs, [country, subdivision]])
    if path:
        _write(path, {**header, "countries": countries, "subdivisions": pairs})
    return None


@functools.cache
def package_version() -> str:
    """The installed version of `holidays` (looked up once per run), without importing it.

    The name of the `holidays-VERSION.dist-info` folder beside the package, as pip
    installs it; importlib.metadata, which costs 10 ms, when there is no single one.
    """
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    if spec is not None and spec.origin:
        site = os.path.dirname(os.path.dirname(spec.origin))
        try:
            found = [name for name in os.listdir(site)
                     if name.startswith("holidays-") and name.endswith(".dist-info")]
        except OSError:
            found = []
        if len(found) == 1:
            return found[0][len("holidays-"):-len(".dist-info")]
    from importlib.metadata import version

    return version("holidays")


def _cache_path(cache_dir: Path, version: str, *parts: str) -> Path | None:
    names = (version.replace(".", "_"), *parts)
    if not all(_SAFE.match(name) for name in names):
        return None  # not a safe file name: work it out every run rather than guess a spelling
    return cache_dir / "holidays" / f"{'-'.join(names)}.json"


def _read(path: Path, header: dict[str, Any]) -> dict[str, Any] | None:
    """The cache file's document when it holds `header`'s key, else None (missing or corrupt)."""
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # unreadable or not JSON (nor UTF-8): rebuild it
        log.debug("holidays: ignoring the cache %s: %s", path, exc)
        return None
    if not isinstance(doc, dict) or any(doc.get(k) != v for k, v in header.items()):
        log.debug("holidays: ignoring the cache %s: written for another key", path)
        return None
    return doc


def _write(path: Path, doc: dict[str, Any]) -> None:
    data_dir = path.parent.parent.parent  # DATA_DIR/cache/holidays/FILE
    if not data_dir.is_dir():
        return  # checking a configuration must not create its data folder
    try:
        write_atomic(path, (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))
    except OSError as exc:
        log.debug("holidays: cannot cache %s: %s", path, exc)
