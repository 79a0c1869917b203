"""Global options before or after the command, and the shell completion scripts (shtab)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.cli import main
from tests.conftest import MONDAY_AFTER_GOLDEN, ROOT

DEMO = str(ROOT / "config" / "demo.yaml")


def test_config_week_and_debug_may_follow_the_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", DEMO, "--week", "2023-02-10", "preview"],
                now=MONDAY_AFTER_GOLDEN) == 0
    before = capsys.readouterr().out
    assert main(["preview", "--config", DEMO, "--week", "2023-02-10", "--debug"],
                now=MONDAY_AFTER_GOLDEN) == 0
    after = capsys.readouterr()
    assert after.out == before and "[STR-76]" in before
    missing = str(ROOT / "no-such.yaml")
    assert main(["status", "--config", missing, "--debug"]) == 2
    assert "Traceback" in capsys.readouterr().err  # --debug after the command counts too
    assert main(["status", "--config", missing]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert main(["--week", "2023-02-10", "preview", "--config", DEMO],
                now=MONDAY_AFTER_GOLDEN) == 0
    assert capsys.readouterr().out == before


def test_a_week_after_the_command_wins_over_one_before(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", DEMO, "--week", "2023-02-17", "preview", "--week", "2023-02-10"],
                now=MONDAY_AFTER_GOLDEN) == 0
    assert "Week ending 2023-02-10" in capsys.readouterr().out


def test_a_week_given_to_a_command_without_one_is_bad_usage(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--week", "last", "--config", DEMO, "status"]) == 2
    assert "reporter status: takes no --week" in capsys.readouterr().err


def test_the_bash_completion_completes_commands_and_their_options(tmp_path: Path) -> None:
    script = tmp_path / "reporter.bash"
    script.write_text(_completion("bash"))
    for line, expected in [("reporter pre", ["preview"]),
                           ("reporter do", ["doctor"]),
                           ("reporter preview --of", ["--offline"]),
                           ("reporter init --pr", ["--print"]),
                           ("reporter doctor --c", ["--config"]),
                           ("reporter --print-completion z", ["zsh"])]:
        words = line.split(" ")
        probe = (f"source {script}; COMP_WORDS=({' '.join(words)}); "
                 f"COMP_CWORD={len(words) - 1}; COMP_LINE='{line}'; "
                 "COMP_POINT=${#COMP_LINE}; _shtab_reporter; printf '%s\\n' \"${COMPREPLY[@]}\"")
        done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == expected, line


def test_the_zsh_completion_registers_with_compinit(tmp_path: Path) -> None:
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed (.ci/run installs Debian's zsh)")
    folder = tmp_path / "functions"
    folder.mkdir()
    (folder / "_reporter").write_text(_completion("zsh"))
    probe = (f"fpath=({folder} $fpath); autoload -Uz compinit; "
             f"compinit -u -d {tmp_path}/zcompdump; print -r -- $_comps[reporter]")
    done = subprocess.run(["zsh", "-f", "-c", probe], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "_reporter"
    syntax = subprocess.run(["zsh", "-n", str(folder / "_reporter")], capture_output=True,
                            text=True, timeout=30)
    assert syntax.returncode == 0, syntax.stderr
    text = (folder / "_reporter").read_text()
    assert "doctor:'check the configuration" in text and "--offline" in text


def test_the_completion_script_needs_no_configuration(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "reporter", "--print-completion", "bash"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "XDG_CONFIG_HOME": str(tmp_path)})
    assert done.returncode == 0 and done.stdout.startswith("# AUTOMATICALLY GENERATED")
    assert main(["--print-completion", "fish"]) == 2


def _completion(shell: str) -> str:
    done = subprocess.run([sys.executable, "-m", "reporter", "--print-completion", shell],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout
