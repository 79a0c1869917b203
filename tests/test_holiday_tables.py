"""The holidays package's answers, built once and cached under data_dir; bad caches rebuilt."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reporter import holiday_tables
from reporter.config import load_config
from reporter.errors import ConfigError
from reporter.holiday_tables import country_problem, package_version, year_table
from tests.conftest import ROOT, write_config

JP_2023 = ((dt.date(2023, 1, 1), "New Year's Day"), (dt.date(2023, 1, 2), "Substitute Holiday"))


@pytest.fixture(autouse=True)
def fresh_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts like a new run: nothing built in memory yet."""
    monkeypatch.setattr(holiday_tables, "_built", {})


def _cache_file(cache: Path, year: int = 2023) -> Path:
    version = package_version().replace(".", "_")
    return cache / "holidays" / f"{version}-JP-_-{year}.json"


def test_the_version_is_the_installed_one() -> None:
    from importlib.metadata import version

    assert package_version() == version("holidays")


def test_a_table_is_cached_and_read_back_without_the_package(tmp_path: Path) -> None:
    cache = tmp_path / "data" / "cache"
    cache.parent.mkdir()
    table = year_table("JP", None, 2023, cache)
    assert table[:2] == JP_2023 and len(table) == 17
    doc = json.loads(_cache_file(cache).read_text())
    assert (doc["holidays"], doc["country"], doc["subdivision"], doc["year"]) == (
        package_version(), "JP", None, 2023)
    probe = ("import sys\nfrom pathlib import Path\nfrom reporter.holiday_tables import year_table"
             f"\nt = year_table('JP', None, 2023, Path({str(cache)!r}))\n"
             "print(len(t), t[0][1], 'holidays' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.split("\n")[0] == "17 New Year's Day False"


@pytest.mark.parametrize("damage", [
    b"{not json", b"\xff\xfe", b"[]", b'{"format": 1}',
    None,  # the right key, but days that are not dates
    "other-version",  # a file written by another version of the package
])
def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path, damage: bytes | str | None
                                                ) -> None:
    cache = tmp_path / "data" / "cache"
    cache.parent.mkdir()
    year_table("JP", None, 2023, cache)
    path = _cache_file(cache)
    doc = json.loads(path.read_text())
    if damage is None:
        doc["days"] = [["not a date", "x"]]
        path.write_text(json.dumps(doc))
    elif damage == "other-version":
        doc["holidays"], doc["days"] = "0.0", [["2023-07-01", "Invented Day"]]
        path.write_text(json.dumps(doc))
    else:
        assert isinstance(damage, bytes)
        path.write_bytes(damage)
    holiday_tables._built.clear()
    assert year_table("JP", None, 2023, cache)[:2] == JP_2023
    assert json.loads(path.read_text())["days"][0] == ["2023-01-01", "New Year's Day"]


def test_each_table_is_built_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    built: list[int] = []
    real = holiday_tables.build_table

    def counting(country: str, subdivision: str | None, year: int) -> holiday_tables.Table:
        built.append(year)
        return real(country, subdivision, year)

    monkeypatch.setattr(holiday_tables, "build_table", counting)
    for _ in range(3):
        year_table("JP", None, 2023)
        year_table("JP", None, 2024)
    assert built == [2023, 2024]


def test_an_unwritable_cache_costs_only_the_build(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "cache").mkdir(parents=True)
    (data / "cache" / "holidays").write_text("a file where the folder should be")
    assert year_table("JP", None, 2023, data / "cache")[:2] == JP_2023


def test_checking_a_configuration_creates_no_data_folder(tmp_path: Path) -> None:
    assert country_problem("JP", None, tmp_path / "data" / "cache") is None
    assert not (tmp_path / "data").exists()


def test_countries_and_subdivisions_are_checked_and_the_answer_kept(tmp_path: Path) -> None:
    cache = tmp_path / "data" / "cache"
    cache.parent.mkdir()
    assert country_problem("XX", None, cache) == (
        "country", "unknown country code 'XX' for the holidays package")
    assert country_problem("JP", "99", cache) == ("subdivision", "unknown subdivision '99' of JP")
    assert country_problem("DE", "BY", cache) is None
    registry = json.loads(next((cache / "holidays").glob("*-registry.json")).read_text())
    assert "JP" in registry["countries"] and "JPN" in registry["countries"]
    assert registry["subdivisions"] == [["DE", "BY"]]
    # Answered from the file alone now; a damaged file is read afresh from the package.
    assert country_problem("DE", "BY", cache) is None
    next((cache / "holidays").glob("*-registry.json")).write_text('{"countries": 3}')
    assert country_problem("XX", None, cache) is not None
    assert country_problem("DE", "BY", cache) is None


def test_a_bad_country_stops_the_configuration(tmp_path: Path) -> None:
    path = write_config(tmp_path, "calendar: {country: XX}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "config.yaml:7: calendar.country: unknown country code 'XX'" in str(info.value)
    path = write_config(tmp_path, "calendar: {country: DE, subdivision: ZZ}\n")
    with pytest.raises(ConfigError, match="calendar.subdivision: unknown subdivision 'ZZ' of DE"):
        load_config(path)
