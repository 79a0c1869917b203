"""`reporter doctor` against loopback Jira, Patchwork, lore/pipermail, git and aiosmtpd with AUTH:
each check ok, and each in a failing state; nothing is sent and nothing is written."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from reporter.doctor.result import Check
from tests.doctor_helpers import (
    JIRA_TOKEN,
    MONDAY,
    SMTP_PASSWORD,
    WEEK,
    run_doctor,
    silent_port,
    tree_digest,
    world,
)
from tests.servers.jira import Reply
from tests.servers.lore import Archive, ArchiveServer
from tests.servers.smtp import LoopbackSMTP

EVERY_CHECK = ["config", "data_dir", "ledger", "notes", "secret jira", "secret smtp",
               "jira server", "jira auth", "jira jql", "jira search", "patchwork",
               "patchwork project", "patchwork submitter", "lore", "pipermail", "git clone",
               "git fetch", "smtp connect", "smtp tls", "smtp auth"]


def test_all_ok_sends_nothing_writes_nothing_and_shows_no_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        before = tree_digest(tmp_path)
        run = run_doctor(w.config)
        assert tree_digest(tmp_path) == before  # byte for byte, modes included
        assert w.counter.mail_from == [] and w.smtp.received == []
        assert w.counter.transactions == 0
    assert run.status == 0, run.out
    assert list(run.levels()) == EVERY_CHECK
    assert set(run.levels().values()) == {"ok"}
    assert run.out.splitlines()[-1] == f"doctor: {len(EVERY_CHECK)} ok, 0 warn, 0 FAIL"
    assert "found: user takahiro.akashi@linaro.org with the API token from " \
           "$DOCTOR_JIRA_TOKEN" in run.line("secret jira")
    assert "from $DOCTOR_SMTP_PASSWORD" in run.line("secret smtp")
    assert "logged in as takahiro.akashi@linaro.org" in run.line("jira auth")
    assert "parses: assignee = currentUser()" in run.line("jira jql")
    assert run.line("jira search").endswith("answers: 1 card")
    assert "is known: AKASHI Takahiro <takahiro.akashi@linaro.org> (#10), " \
           "AKASHI Takahiro <akashi.tkhro@gmail.com> (#11)" in run.line("patchwork submitter")
    assert "STARTTLS, TLSv1." in run.line("smtp tls")
    assert run.line("smtp auth").endswith("logged in as takahiro.akashi@linaro.org; "
                                          "QUIT without sending")
    assert run.line("git fetch").startswith("ok    git fetch: last fetched ")
    assert run.line("notes").startswith(f"ok    notes: {tmp_path}/data/weeks/{WEEK}.yaml")
    for secret in (JIRA_TOKEN, SMTP_PASSWORD):
        assert secret not in run.out + run.err


def test_a_certificate_that_expires_soon_warns(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch, cert_days=3) as w:
        run = run_doctor(w.config)
    assert run.status == 0
    assert run.line("smtp tls").startswith("warn  smtp tls: STARTTLS, TLSv1.")
    assert "the certificate is valid but expires in 2 days" in run.line("smtp tls")


def test_a_wrong_jira_token_fails_auth_and_names_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        monkeypatch.setenv("DOCTOR_JIRA_TOKEN", "not-the-token")
        run = run_doctor(w.config)
    assert run.status == 1
    assert run.line("jira server").startswith("ok")
    line = run.line("jira auth")
    assert line.startswith("FAIL  jira auth: jira: HTTP 401")
    assert "; fix: check the token and the user" in line
    assert "jira jql" not in run.levels()  # the walk stops where it failed
    assert "not-the-token" not in run.out + run.err


def test_a_missing_secret_fails_without_trying_jira(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        monkeypatch.delenv("DOCTOR_JIRA_TOKEN")
        monkeypatch.delenv("DOCTOR_SMTP_PASSWORD")
        run = run_doctor(w.config)
        assert w.jira.seen() == [] and w.counter.mail_from == []
    assert run.status == 1
    assert run.line("secret jira").startswith("FAIL  secret jira: jira: no secret found "
                                              "($DOCTOR_JIRA_TOKEN is not set")
    assert run.line("secret smtp").startswith("FAIL")
    assert run.levels()["jira"] == "warn" and run.levels()["smtp"] == "warn"


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_a_jql_jira_refuses_fails_the_jql_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                deployment: str) -> None:
    with world(tmp_path, monkeypatch) as w:
        w.jira.deployment = deployment
        if deployment == "Server":
            w.jira.user = "takahiro.akashi@linaro.org"
        w.write_config(jira=f"""\
            jira: {{server: '{w.jira.url}', user: takahiro.akashi@linaro.org,
                   token_env: DOCTOR_JIRA_TOKEN, jql: 'project = STR AND (status = Open',
                   timeout_s: 2, deadline_s: 20}}""")
        run = run_doctor(w.config)
    assert run.status == 1
    line = run.line("jira jql")
    assert line.startswith("FAIL  jira jql: Jira does not accept the JQL")
    assert "Expecting ')' before the end of the query" in line
    assert line.endswith("; fix: fix jira.jql")
    assert "jira search" not in run.levels()


def test_on_server_the_search_itself_checks_the_jql(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        w.jira.deployment = "Server"
        run = run_doctor(w.config)
        assert w.jira.seen("jql/parse") == []  # Server/Data Center has no such endpoint
    assert run.status == 0, run.out
    assert run.line("jira server").endswith("answers (Jira Server)")
    assert run.line("jira jql").startswith("ok    jira jql: the search accepts it: assignee")
    assert run.line("jira search") == "ok    jira search: answers: 1 card"


def test_a_search_that_finds_nothing_warns(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        w.jira.issues.clear()
        run = run_doctor(w.config)
    assert run.status == 0
    assert run.line("jira search").startswith("warn  jira search: answers, but no card matches")


def test_jira_down_or_too_slow_fails_within_the_timeout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        w.jira.script("/serverInfo", Reply(200, {}, delay_s=6), Reply(200, {}, delay_s=6))
        started = time.monotonic()
        run = run_doctor(w.config)
        took = time.monotonic() - started
        w.jira.stop()
        down = run_doctor(w.config)
    assert run.status == 1
    assert run.line("jira server").startswith("FAIL  jira server: jira: no answer from")
    assert took < 6  # timeout_s is 2, one retry: the 6 s answer is never waited for
    assert down.line("jira server").startswith("FAIL  jira server: jira: cannot connect")


def test_patchwork_project_and_submitter_failures(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        patches = """\
            patches:
              submitter: {who}
              patchwork: {{url: '{url}', project: {project}}}
              timeout_s: 2"""
        w.write_config(patches=patches.format(who="takahiro.akashi@linaro.org",
                                              url=w.patchwork.url, project="linux"))
        no_project = run_doctor(w.config)
        w.patchwork.behaviour.strict_submitter = True
        w.write_config(patches=patches.format(who="nobody@example.org", url=w.patchwork.url,
                                              project="uboot"))
        unknown = run_doctor(w.config)
        w.patchwork.behaviour.people_forbidden = True
        w.write_config(patches=patches.format(who="takahiro.akashi@linaro.org",
                                              url=w.patchwork.url, project="uboot"))
        forbidden = run_doctor(w.config)
        w.patchwork.behaviour.status = 500
        failing = run_doctor(w.config)
    assert no_project.status == 1
    assert no_project.line("patchwork project").startswith(
        "FAIL  patchwork project: 'linux' is not a project of")
    assert unknown.line("patchwork submitter").startswith(
        "FAIL  patchwork submitter: ") and "knows no one with the address nobody@" in \
        unknown.line("patchwork submitter")
    assert forbidden.status == 0
    assert forbidden.line("patchwork submitter").endswith(
        "has patches in uboot (the people list needs a token here)")
    assert failing.line("patchwork").startswith("FAIL  patchwork: patchwork: HTTP 500")


def test_archives_missing_failing_and_silent(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w, ArchiveServer(Archive(status=503)) as broken, \
            silent_port() as port:
        w.write_config(patches=f"""\
            patches:
              submitter: takahiro.akashi@linaro.org
              archive: {{lore: '{w.archive.url}/linux', pipermail: '{broken.pipermail}'}}
              timeout_s: 1""")
        run = run_doctor(w.config)
        w.write_config(patches=f"""\
            patches:
              submitter: takahiro.akashi@linaro.org
              patchwork: {{url: 'http://127.0.0.1:{port}', project: uboot}}
              archive: {{lore: 'http://127.0.0.1:{port}/u-boot'}}
              timeout_s: 1""")
        started = time.monotonic()
        silent = run_doctor(w.config)
        took = time.monotonic() - started
    assert run.status == 1
    assert run.line("lore").startswith("FAIL  lore: HTTP 404 from")
    assert "fix: check patches.archive.lore" in run.line("lore")
    assert run.line("pipermail").startswith("FAIL  pipermail: HTTP 503 from")
    assert silent.line("lore").startswith("FAIL  lore: no answer from")
    assert silent.line("patchwork").startswith("FAIL  patchwork: patchwork: ")
    assert "timed out" in silent.line("patchwork")
    assert took < 6  # two requests of timeout_s 1, not retried


def test_git_clone_branches_and_an_old_fetch(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        month_ago = MONDAY.timestamp() - 30 * 86400
        for path in [w.clone / ".git" / "FETCH_HEAD",
                     *(w.clone / ".git" / "logs" / "refs" / "remotes").rglob("*")]:
            os.utime(path, (month_ago, month_ago))
        run = run_doctor(w.config)
        w.write_config(patches=f"""\
            patches:
              submitter: takahiro.akashi@linaro.org
              git: {{repo: '{w.clone}', branches: [origin/master, origin/next]}}""")
        branch = run_doctor(w.config)
        shutil.rmtree(w.clone)
        gone = run_doctor(w.config)
    assert run.status == 0
    assert run.line("git fetch").startswith("warn  git fetch: last fetched 30 days ago")
    assert f"fix: run `git -C {w.clone} fetch`" in run.line("git fetch")
    assert branch.line("git clone").startswith("FAIL  git clone: git: branch origin/next is "
                                               "not in")
    assert gone.line("git clone").startswith(f"FAIL  git clone: git: {w.clone} does not exist")


def test_smtp_wrong_password_untrusted_certificate_and_no_starttls(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        monkeypatch.setenv("DOCTOR_SMTP_PASSWORD", "wrong-password")
        wrong = run_doctor(w.config)
        monkeypatch.setenv("DOCTOR_SMTP_PASSWORD", SMTP_PASSWORD)
        monkeypatch.delenv("SSL_CERT_FILE")
        untrusted = run_doctor(w.config)
        assert w.counter.mail_from == []
    with LoopbackSMTP() as plain:  # no STARTTLS offered
        w.write_config(mail=f"""\
            mail:
              from: Test <takahiro.akashi@linaro.org>
              to: [team@example.org]
              smtp: {{host: 127.0.0.1, port: {plain.port}, security: starttls, timeout_s: 2}}""")
        clear = run_doctor(w.config)
        assert plain.received == []
    assert wrong.status == 1
    line = wrong.line("smtp")
    assert line.startswith("FAIL  smtp: smtp 127.0.0.1:") and " at AUTH" in line
    assert "fix: check the password in $DOCTOR_SMTP_PASSWORD" in line
    assert "wrong-password" not in wrong.out + wrong.err
    assert "TLS certificate not trusted" in untrusted.line("smtp")
    assert "does not offer STARTTLS" in clear.line("smtp")


def test_smtp_over_implicit_tls_logs_in_and_quits(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.deliver_helpers import make_tls

    with world(tmp_path, monkeypatch) as w:
        (tmp_path / "tls").mkdir()
        tls, cafile = make_tls(tmp_path / "tls", valid_days=90)
        monkeypatch.setenv("SSL_CERT_FILE", str(cafile))
        with LoopbackSMTP(tls=tls, implicit_tls=True,
                          users={"takahiro.akashi@linaro.org": SMTP_PASSWORD}) as ssl_server:
            w.write_config(jira="", patches="", mail=f"""\
                mail:
                  from: Test <takahiro.akashi@linaro.org>
                  to: [team@example.org]
                  smtp: {{host: 127.0.0.1, port: {ssl_server.port}, security: ssl,
                         user: takahiro.akashi@linaro.org, password_env: DOCTOR_SMTP_PASSWORD,
                         timeout_s: 2}}""")
            run = run_doctor(w.config)
            assert ssl_server.received == []
    assert run.status == 0, run.out
    assert run.line("smtp tls").startswith("ok    smtp tls: SSL, TLSv1.")
    assert run.line("smtp auth").startswith("ok    smtp auth: logged in as takahiro.akashi@")


def test_an_smtp_server_that_never_answers_fails_within_its_timeout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w, silent_port() as port:
        w.write_config(jira="", patches="", mail=f"""\
            mail:
              from: Test <takahiro.akashi@linaro.org>
              to: [team@example.org]
              smtp: {{host: 127.0.0.1, port: {port}, security: starttls, timeout_s: 1}}""")
        started = time.monotonic()
        run = run_doctor(w.config)
        took = time.monotonic() - started
    assert run.status == 1
    assert "cannot talk to the server: " in run.line("smtp")
    assert "timed out" in run.line("smtp")
    assert took < 5


def test_sendmail_is_looked_for_and_never_run(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    program = tmp_path / "fake-sendmail"
    program.write_text(f"#!/bin/sh\ntouch {marker}\n")
    program.chmod(0o755)
    with world(tmp_path, monkeypatch) as w:
        mail = """\
            mail:
              from: Test <takahiro.akashi@linaro.org>
              to: [team@example.org]
              transport: sendmail
              sendmail: ['{program}', -t]"""
        w.write_config(jira="", patches="", mail=mail.format(program=program))
        found = run_doctor(w.config)
        w.write_config(jira="", patches="", mail=mail.format(program=tmp_path / "nope"))
        missing = run_doctor(w.config)
    assert found.status == 0 and found.line("sendmail") == \
        f"ok    sendmail: {program} exists (not run)"
    assert not marker.exists()
    assert missing.status == 1 and missing.line("sendmail").startswith("FAIL")


def test_local_files_missing_notes_corrupt_ledger_and_no_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as w:
        w.write_config(jira="", patches="", mail="")
        (tmp_path / "data" / "weeks" / f"{WEEK}.yaml").unlink()
        sent = tmp_path / "data" / "sent"
        sent.mkdir()
        (sent / "2023-02-03.json").write_text("")
        run = run_doctor(w.config)
        shutil.rmtree(tmp_path / "data")
        fresh = run_doctor(w.config)
    assert run.status == 1
    assert run.line("notes").startswith(f"FAIL  notes: no notes for the week ending {WEEK}")
    assert "fix: `reporter draft --week 2023-02-10` starts them" in run.line("notes")
    assert run.line("ledger").startswith("FAIL  ledger: ") and "corrupt sent ledger" in \
        run.line("ledger")
    assert run.levels()["mail"] == "warn"
    assert fresh.line("data_dir").startswith("warn  data_dir: ")
    assert "does not exist yet" in fresh.line("data_dir")
    assert not (tmp_path / "data").exists()  # still not made: the doctor writes nothing


def test_an_invalid_configuration_fails_line_by_line_and_stops(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("author: {name: X, email: nope}\nsections: []\ncolour: blue\n")
    run = run_doctor(config)
    assert run.status == 1
    lines = run.out.splitlines()
    assert all(line.startswith("FAIL  config: ") for line in lines[:-1]) and len(lines) == 4
    assert "colour: unknown key" in run.out and "not an e-mail address" in run.out
    missing = run_doctor(tmp_path / "nope.yaml")
    assert missing.status == 1 and "no such configuration file" in missing.out
    assert "reporter init" in missing.out


def test_the_week_can_be_given_before_or_after_the_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from reporter.cli import main

    with world(tmp_path, monkeypatch) as w:
        w.write_config(jira="", patches="", mail="")
        after = run_doctor(w.config, "--week", "2023-02-17")
        capsys.readouterr()
        assert main(["--week", "2023-02-17", "--config", str(w.config), "doctor"],
                    now=MONDAY) == 0
        before = capsys.readouterr().out
        ended = run_doctor(w.config, "--week", "2023-02-03")
    # a week not over yet may still lack notes: a warning
    assert after.status == 0
    assert after.line("notes").startswith("warn  notes: no notes for the week ending 2023-02-17")
    assert after.line("notes") in before.splitlines()
    assert ended.status == 1 and ended.line("notes").startswith("FAIL")


def test_a_check_line_shows_the_fix_only_when_something_is_wrong() -> None:
    from reporter.commands.doctor import format_check

    assert format_check(Check("ok", "lore", "answers", "unused")) == "ok    lore: answers"
    assert format_check(Check("FAIL", "lore", "HTTP 404", "fix the URL")) == \
        "FAIL  lore: HTTP 404; fix: fix the URL"
