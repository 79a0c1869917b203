"""The compiled template kept under DATA_DIR/cache/templates: used only for its own source."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import jinja2
import pytest

from reporter.config import Section
from reporter.report.compose import Inputs, compose
from reporter.report.render import TEMPLATE, default_templates_dir, make_environment
from reporter.report.view import ReportView
from tests.conftest import ROOT
from tests.deliver_helpers import run_process

WEEK = dt.date(2023, 2, 10)


def view() -> ReportView:
    inputs = Inputs(week_end=WEEK, sections=(Section("Stratos", ("STR",)),), notes=None)
    return compose(inputs).view


def render(env: jinja2.Environment) -> str:
    v = view()
    return env.get_template(TEMPLATE).render(sections=v.sections, patches=v.patches,
                                             issues=v.issues, calendar=v.calendar)


def never_compile(env: jinja2.Environment) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled although the cache holds this source")

    env.compile = refuse  # type: ignore[method-assign]


def cache_files(cache: Path) -> list[str]:
    return sorted(p.name.split(".", 1)[1] for p in (cache / "templates").glob("*.cache"))


def test_a_later_run_renders_from_the_cache_without_compiling(tmp_path: Path) -> None:
    cache = tmp_path / "data" / "cache"
    cache.parent.mkdir()
    first = render(make_environment(None, cache))
    assert cache_files(cache) == ["shipped.cache"]
    later = make_environment(None, cache)
    never_compile(later)
    assert render(later) == first
    assert first == render(make_environment(None, None))  # the same as without a cache


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    cache = tmp_path / "data" / "cache"
    cache.parent.mkdir()
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / TEMPLATE).write_text("one {{ sections|length }}\n", encoding="utf-8")
    assert render(make_environment(folder, cache)) == "one 1\n"
    (folder / TEMPLATE).write_text("two {{ sections|length }}\n", encoding="utf-8")
    assert render(make_environment(folder, cache)) == "two 1\n"
    again = make_environment(folder, cache)
    never_compile(again)  # the cache now holds the edited source
    assert render(again) == "two 1\n"
    assert cache_files(cache) == ["sandboxed.cache"]


@pytest.mark.parametrize("damage", [b"", b"garbage", None], ids=["empty", "foreign", "cut"])
def test_a_damaged_cache_file_is_ignored_and_rewritten(tmp_path: Path,
                                                       damage: bytes | None) -> None:
    cache = tmp_path / "data" / "cache"
    cache.parent.mkdir()
    good = render(make_environment(None, cache))
    [path] = (cache / "templates").glob("*.cache")
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2] if damage is None else damage)
    assert render(make_environment(None, cache)) == good
    assert path.read_bytes() == whole
    later = make_environment(None, cache)
    never_compile(later)
    assert render(later) == good


def test_the_sandbox_never_runs_code_compiled_for_the_shipped_template(tmp_path: Path) -> None:
    # templates_dir naming the shipped folder: the same file, the same jinja2 key.
    cache = tmp_path / "data" / "cache"
    cache.parent.mkdir()
    shipped = render(make_environment(None, cache))
    user = make_environment(default_templates_dir(), cache)
    calls: list[str] = []
    compile_ = user.compile

    def counted(source: str, name: str | None = None, filename: str | None = None,
                raw: bool = False, defer_init: bool = False) -> object:
        calls.append(str(name))
        return compile_(source, name, filename, raw, defer_init)

    user.compile = counted  # type: ignore[method-assign, assignment]
    assert render(user) == shipped
    assert calls == [TEMPLATE]
    assert cache_files(cache) == ["sandboxed.cache", "shipped.cache"]


def test_no_data_folder_no_cache_written(tmp_path: Path) -> None:
    cache = tmp_path / "no-data" / "cache"
    assert render(make_environment(None, cache)) == render(make_environment(None, None))
    assert not (tmp_path / "no-data").exists()


def test_an_unusable_cache_folder_costs_only_the_compile(tmp_path: Path) -> None:
    cache = tmp_path / "data" / "cache"
    cache.mkdir(parents=True)
    (cache / "templates").write_text("a file where the folder should be\n")
    assert render(make_environment(None, cache)) == render(make_environment(None, None))


def test_preview_from_the_cache_is_still_the_golden_body(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("cache"))
    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "demo.yaml"
    shutil.copy(ROOT / "config" / "demo.yaml", config)
    golden = (ROOT / "tests" / "golden" / "2023-02-10.body.txt").read_text(encoding="utf-8")
    for _ in range(2):  # each its own process: the second loads the compiled template
        run = run_process(config, "preview", "--week", "2023-02-10")
        assert run.returncode == 0, run.stderr
        assert run.stdout.split("\n\n", 1)[1] == golden
        assert cache_files(tmp_path / "data" / "cache") == ["shipped.cache"]
