"""`preview` shows the message `send` hands over, byte for byte (but the Date header),
for every combination of configured sources: Jira, patches, measurement files, none."""

from __future__ import annotations

import itertools
import shutil
import textwrap
from contextlib import ExitStack
from pathlib import Path

import pytest

from reporter.deliver.ledger import eml_path
from tests.deliver_helpers import ROOT, WEEK, run_cli, without_date, write_config
from tests.jira_helpers import TOKEN_ENV, adf
from tests.patch_helpers import Scenario, archive_for, build_repos, patchwork_data
from tests.servers.jira import LocalJira
from tests.servers.lore import ArchiveServer
from tests.servers.patchwork import PatchworkServer
from tests.servers.smtp import LoopbackSMTP

SOURCES = ("jira", "patches", "measurements")
COMBINATIONS = [combo for n in range(len(SOURCES) + 1)
                for combo in itertools.combinations(SOURCES, n)]
IN_WEEK = "2023-02-08T10:00:00.000+0900"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_repos(tmp_path_factory.mktemp("repos"))


def jira_server(stack: ExitStack) -> str:
    jira = stack.enter_context(LocalJira("Cloud"))
    jira.add_issue("STR-76", "Break down the latency")
    jira.add_issue("STR-99", "A card only Jira knows", comments=[
        jira.comment("20001", adf("Tried the FIFO priority on ksoftirqd; " * 6),
                     created=IN_WEEK, mine=False)])
    return textwrap.dedent(f"""\
        jira: {{server: '{jira.url}', user: takahiro.akashi@linaro.org,
               token_env: {TOKEN_ENV}, comments: all, attachments: false}}
        """)


def patch_servers(stack: ExitStack, scenario: Scenario) -> str:
    pw = stack.enter_context(PatchworkServer(patchwork_data()))
    archive = stack.enter_context(ArchiveServer(archive_for(scenario)))
    return textwrap.dedent(f"""\
        patches:
          submitter: takahiro.akashi@linaro.org
          patchwork: {{url: '{pw.url}', project: uboot}}
          archive: {{lore: '{archive.lore}'}}
        """)


def measurement_files(tmp_path: Path) -> str:
    folder = tmp_path / "meas" / "2023-02-08"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "data" / "measurements" / "STR-76" / "2023-02-16" / "latency-0216.csv",
                folder / "latency-0208.csv")
    return textwrap.dedent("""\
        measurements:
          - {card: STR-76, files: "meas/*/latency-*.csv", threshold_us: 3000, label: long run}
        """)


@pytest.mark.parametrize("sources", COMBINATIONS,
                         ids=["+".join(c) or "none" for c in COMBINATIONS])
def test_preview_is_the_message_send_hands_over(
        tmp_path: Path, scenario: Scenario, monkeypatch: pytest.MonkeyPatch,
        sources: tuple[str, ...]) -> None:
    monkeypatch.setenv(TOKEN_ENV, "jira-test-token")
    with ExitStack() as stack:
        smtp = stack.enter_context(LoopbackSMTP())
        extra = ""
        if "jira" in sources:
            extra += jira_server(stack)
        if "patches" in sources:
            extra += patch_servers(stack, scenario)
        if "measurements" in sources:
            extra += measurement_files(tmp_path)
        config = write_config(tmp_path, port=smtp.port, top_extra=extra,
                              summary=None if "jira" in sources else "Break down the latency")
        preview = run_cli(config, "preview")
        assert preview.status == 0, preview.err
        dry = run_cli(config, "send", "--dry-run")
        assert dry.status == 0, dry.err
        sent = run_cli(config, "send")
        assert sent.status == 0, sent.err
        [got] = smtp.received
    eml = eml_path(tmp_path / "data", WEEK).read_bytes()
    assert got.data.replace(b"\r\n", b"\n") == eml  # what aiosmtpd got is the stored .eml
    assert preview.out.encode("utf-8") == without_date(eml)
    assert without_date(dry.out.encode("utf-8")).startswith(without_date(eml))
    body = got.message.get_content()
    if "jira" in sources:
        assert "[STR-99] (A card only Jira knows)" in body
    if "patches" in sources:
        assert "efi_loader: capsule: fix the update order (v2, 3 patches)" in body
    if "measurements" in sources:
        assert "* Latency, long run (latency-0208.csv, 300000 samples" in body
    else:
        assert "* Latency" not in body
