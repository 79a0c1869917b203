"""Faults end in one line and the right exit status: 3 for a bug, 2 for local files,
impossible dates and templates, 1 for bad data from a source; never a traceback."""

from __future__ import annotations

import contextlib
import errno
import importlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter import cli
from reporter.errors import SourceError
from reporter.sources.lore import fetch_thread
from reporter.sources.patch_http import Deadline, make_session
from tests.deliver_helpers import ROOT, WEEK, run_cli, write_config
from tests.patch_helpers import S1, archive_for, build_repos, patchwork_data
from tests.servers.lore import ArchiveServer
from tests.servers.patchwork import PatchworkServer
from tests.servers.smtp import LoopbackSMTP

# The arguments each command needs to reach its `run`.
ARGS = {"note": ("STR-76", "text"), "measure": ("some-file.csv",), "history": ("STR-76",),
        "trace": ("some-trace.txt",)}


@pytest.fixture
def server() -> Iterator[LoopbackSMTP]:
    with LoopbackSMTP() as smtp:
        yield smtp


def boom(*_args: object) -> int:
    raise RuntimeError("an unexpected\nfailure")


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_an_unexpected_exception_in_any_command_is_one_line_and_exit_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    config = write_config(tmp_path)
    module = importlib.import_module(cli._module_of(command))
    monkeypatch.setattr(module, "run", boom)
    run = run_cli(config, command, *ARGS.get(command, ()))
    assert run.status == 3
    assert run.err == ("reporter: internal error: RuntimeError: an unexpected failure; "
                       "rerun with --debug for the traceback\n")
    assert "Traceback" not in run.out + run.err
    # --debug shows the traceback, then the same line
    debug = run_cli(config, "--debug", command, *ARGS.get(command, ()))
    assert debug.status == 3 and "Traceback (most recent call last)" in debug.err
    assert debug.err.splitlines()[-1] == ("reporter: internal error: RuntimeError: an "
                                          "unexpected failure")


@pytest.mark.parametrize(("error", "status", "line"), [
    (KeyError("cards"), 3, "reporter: internal error: KeyError: 'cards'; rerun with --debug "
     "for the traceback"),
    (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), 3,
     "reporter: internal error: ConnectionResetError: [Errno 104] Connection reset by peer; "
     "rerun with --debug for the traceback"),
    (PermissionError(errno.EACCES, "Permission denied", "/srv/data/snapshots"), 2,
     "reporter: error: /srv/data/snapshots: Permission denied (check the permissions and "
     "free space of that folder)"),
], ids=["KeyError", "OSError-without-a-file", "OSError-with-a-file"])
def test_what_escapes_a_command_is_mapped_to_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, status: int,
        line: str) -> None:
    config = write_config(tmp_path)
    module = importlib.import_module("reporter.commands.status")

    def fail(*_args: object) -> int:
        raise error

    monkeypatch.setattr(module, "run", fail)
    run = run_cli(config, "status")
    assert (run.status, run.err) == (status, line + "\n")


def test_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    code = textwrap.dedent(f"""\
        import sys
        import reporter.commands.status as status
        def run(ctx, args):
            return {{}}["missing"]
        status.run = run
        from reporter.cli import main
        raise SystemExit(main(["--config", {str(config)!r}, "status"]))
        """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(ROOT),
                                                      "PATH": "/usr/bin:/bin"})
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr == ("reporter: internal error: KeyError: 'missing'; rerun with "
                           "--debug for the traceback\n")


# -- local files ---------------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "1m") -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_data_dir_is_exit_2_with_the_path(tmp_path: Path,
                                                      server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port, summary=None, notes=None)
    data = tmp_path / "data"
    with tmpfs(data):
        write_config(tmp_path, port=server.port)  # the notes and snapshot, on the tmpfs
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        run = run_cli(config, "send")
        note = run_cli(config, "note", "--week", str(WEEK), "STR-76", "more")
    assert run.status == 2 and server.received == []
    assert run.err == (f"reporter: error: {data}/.lock: cannot take the lock: Read-only file "
                       "system; nothing was sent (check that data_dir is writable and not "
                       "full)\n")
    assert note.status == 2 and "Read-only file system" in note.err
    assert len(note.err.strip().splitlines()) == 1 and str(data) in note.err


def test_a_full_data_dir_is_exit_2_and_nothing_is_sent(tmp_path: Path,
                                                       server: LoopbackSMTP) -> None:
    config = write_config(tmp_path, port=server.port, summary=None, notes=None)
    data = tmp_path / "data"
    with tmpfs(data, size="256k"):
        write_config(tmp_path, port=server.port)
        with contextlib.suppress(OSError):
            with (data / "filler").open("wb") as fh:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
        run = run_cli(config, "send")
    assert run.status == 2 and server.received == []
    assert "No space left on device" in run.err and "nothing was sent" in run.err
    assert f"{data}/sent/" in run.err and len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize("in_the_way", ["sent", "snapshots"])
def test_a_file_where_a_folder_should_be_is_exit_2_with_the_path(
        tmp_path: Path, server: LoopbackSMTP, in_the_way: str) -> None:
    config = write_config(tmp_path, port=server.port, summary=None,
                          top_extra="measurements:\n  - {card: STR-76, files: 'm/*.csv'}\n")
    (tmp_path / "data" / in_the_way).write_text("not a folder\n")
    run = run_cli(config, "send")
    assert run.status == 2 and server.received == []
    [line] = run.err.strip().splitlines()
    assert line.startswith(f"reporter: error: {tmp_path}/data/{in_the_way}")
    assert "Not a directory" in line or "a file is in the way" in line
    assert "Traceback" not in run.err


def test_data_dir_itself_a_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, notes=None, summary=None)
    (tmp_path / "data" / "weeks").rmdir()
    (tmp_path / "data").rmdir()
    (tmp_path / "data").write_text("oops\n")
    run = run_cli(config, "note", "--issue", "x")
    assert run.status == 2 and f"{tmp_path}/data" in run.err
    assert len(run.err.strip().splitlines()) == 1


# -- impossible dates, templates, bad data -------------------------------------------


def test_an_impossible_date_in_the_configuration_names_the_line(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    config.write_text(config.read_text() + "calendar: {country: JP, subdivision: 2026-02-30}\n")
    run = run_cli(config, "preview")
    line_number = config.read_text().count("\n")
    assert run.status == 2
    assert run.err == (f"reporter: error: {config}:{line_number}: not a real date "
                       "'2026-02-30': day is out of range for month\n")


def make_templates(tmp_path: Path, body: str) -> str:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "weekly.txt.j2").write_text(body, encoding="utf-8")
    return f"templates_dir: {folder}\n"


@pytest.mark.parametrize(("body", "message"), [
    ("{% for s in sections %}{{ s.title }}\n{% endfor %}\n{% for i in range(10**9) %}x"
     "{% endfor %}\n", "weekly.txt.j2:3: template error: OverflowError: Range too big."),
    ("{{ sections }}\n{{ nothing_of_that_name }}\n",
     "weekly.txt.j2:2: template error: UndefinedError: 'nothing_of_that_name' is undefined"),
    ("fine\n{% for x in %}\n", "weekly.txt.j2:2: template syntax error: "),
], ids=["range-too-big", "undefined", "syntax"])
def test_a_template_error_is_exit_2_naming_template_and_line(
        tmp_path: Path, body: str, message: str) -> None:
    config = write_config(tmp_path, top_extra=make_templates(tmp_path, body))
    for command in ("preview", "send"):
        run = run_cli(config, command)
        assert run.status == 2, run.err
        [line] = run.err.strip().splitlines()
        assert line.startswith(f"reporter: error: {tmp_path}/templates/{message}"), line
        assert "Traceback" not in run.err


def test_a_non_numeric_patchwork_version_names_the_source_and_field(tmp_path: Path) -> None:
    data = patchwork_data()
    data.series[0]["version"] = "two"
    with PatchworkServer(data) as pw:
        config = write_config(tmp_path, summary=None, top_extra=textwrap.dedent(f"""\
            patches:
              submitter: takahiro.akashi@linaro.org
              patchwork: {{url: '{pw.url}', project: uboot}}
            """))
        run = run_cli(config, "pull", "--week", str(WEEK))
    assert run.status == 1
    [line] = run.err.strip().splitlines()
    assert line.startswith("reporter: error: patchwork: 'version' is missing or not a number "
                           "in {'id': 301, ")


# -- lore's decompression cap --------------------------------------------------------


def test_a_thread_mbox_past_the_cap_is_refused(tmp_path: Path) -> None:
    archive = archive_for(build_repos(tmp_path / "repos"))
    with ArchiveServer(archive) as server:
        whole = fetch_thread(make_session(retries=0), server.lore, S1[0], timeout_s=5,
                             deadline=Deadline(30))
        assert whole is not None and len(whole) > 3
        size = len(archive.threads[S1[0]])
        with pytest.raises(SourceError) as caught:
            fetch_thread(make_session(retries=0), server.lore, S1[0], timeout_s=5,
                         deadline=Deadline(30), max_bytes=size - 1)
    assert caught.value.message == (f"lore: the thread mbox from {server.lore}/{S1[0]}/"
                                    f"t.mbox.gz is larger than {(size - 1) / 2**20:g} MiB "
                                    "decompressed")
    assert "patches.archive.max_thread_mb" in (caught.value.hint or "")


def test_the_cap_is_a_configuration_key(tmp_path: Path) -> None:
    from reporter.config import load_config

    config = write_config(tmp_path, summary=None, top_extra=textwrap.dedent("""\
        patches:
          submitter: takahiro.akashi@linaro.org
          archive: {lore: 'https://lore.kernel.org/u-boot', max_thread_mb: 0.5}
        """))
    patches = load_config(config).patches
    assert patches is not None and patches.archive.max_thread_bytes == 512 * 1024
    default = write_config(tmp_path, summary=None, top_extra=textwrap.dedent("""\
        patches:
          submitter: takahiro.akashi@linaro.org
          archive: {lore: 'https://lore.kernel.org/u-boot'}
        """))
    patches = load_config(default).patches
    assert patches is not None and patches.archive.max_thread_bytes == 128 * 1024 * 1024
