"""`reporter history KEY`: a card across five weeks, newest first, with and without the archive."""

from __future__ import annotations

import textwrap

from tests.tracker_helpers import (
    W1,
    W2,
    W3,
    W4,
    W5,
    Setup,
    card,
    make_setup,
    monday_after,
    run,
    write_jira,
    write_ledger,
)

NOW = monday_after(W5)

WEEK_NOTES = {
    W1: """\
        sections:
          Stratos:
            cards:
              STR-76:
                links: [https://docs.google.com/presentation/d/1UFV/edit]
                notes:
                  - Started the long-run measurements.
        """,
    W2: """\
        sections:
          Stratos:
            cards:
              STR-76:
                links: [https://docs.google.com/presentation/d/1UFV/edit]
                notes: []
        """,
    W3: """\
        sections:
          Stratos:
            cards:
              STR-76:
                links: [https://docs.google.com/presentation/d/1UFV/edit]
                notes:
                  - |
                    Sent the fix<https://lore.kernel.org/u-boot/20230215.1@linaro.org/>
                    and a test.

                    Blank line above.
                  - v2 <https://lore.kernel.org/u-boot/20230217.2@linaro.org/>
              STR-68: [Other card <https://example.org/other>]
        """,
    W4: """\
        sections:
          Stratos:
            cards:
              STR-68: []
              STR-76: []
        """,
    W5: """\
        sections:
          Stratos:
            cards:
              STR-76:
                - Merged <https://lore.kernel.org/u-boot/20230217.2@linaro.org/>
        """,
}

EXPECTED = """\
[STR-76] (Break down the latency)

Week ending 2023-03-03: In Progress -> Done; not sent
* Merged [1]

  [1] https://lore.kernel.org/u-boot/20230217.2@linaro.org/

Week ending 2023-02-24: no Jira pull; sending ambiguous
(no notes)

Week ending 2023-02-17: To Do -> In Progress; sent
* Sent the fix[1]
  and a test.

  Blank line above.

* v2 [2]

  [1] https://lore.kernel.org/u-boot/20230215.1@linaro.org/
  [2] https://lore.kernel.org/u-boot/20230217.2@linaro.org/
  [3] https://docs.google.com/presentation/d/1UFV/edit

Week ending 2023-02-10: To Do; sent
(no notes)

  [1] https://docs.google.com/presentation/d/1UFV/edit

Week ending 2023-02-03: To Do; sent
* Started the long-run measurements.

  [1] https://docs.google.com/presentation/d/1UFV/edit
"""


def five_weeks(tmp_path, archive: str = "none") -> Setup:  # type: ignore[no-untyped-def]
    setup = make_setup(tmp_path, archive=archive)
    for week, text in WEEK_NOTES.items():
        setup.notes(week).parent.mkdir(parents=True, exist_ok=True)
        setup.notes(week).write_text(textwrap.dedent(text))
    summary = "Break down the latency"
    write_jira(setup, W1, card("STR-76", "To Do", summary))
    write_jira(setup, W2, card("STR-76", "To Do", summary))
    write_jira(setup, W3, card("STR-76", "In Progress", summary), card("STR-68", "To Do"))
    # W4: no pull at all (the week had only notes)
    write_jira(setup, W5, card("STR-76", "Done", summary))
    for week in (W1, W2, W3):
        write_ledger(setup, week, "sent")
    write_ledger(setup, W4, "ambiguous")
    return setup


def test_five_weeks_newest_first(tmp_path, capsys) -> None:
    setup = five_weeks(tmp_path)
    r = run(capsys, setup, "history", "STR-76", now=NOW)
    assert (r.status, r.err) == (0, "")
    assert r.out == EXPECTED


def test_since_limits_the_weeks_but_still_sees_the_change(tmp_path, capsys) -> None:
    setup = five_weeks(tmp_path)
    r = run(capsys, setup, "history", "str-76", "--since", "2023-02-15", now=NOW)
    assert r.status == 0
    assert r.out == EXPECTED[:EXPECTED.index("Week ending 2023-02-10")].rstrip("\n") + "\n"


def test_a_week_with_only_a_jira_snapshot_counts(tmp_path, capsys) -> None:
    setup = make_setup(tmp_path)
    write_jira(setup, W2, card("TS-219", "In Review", "Follow-up patch"))
    r = run(capsys, setup, "history", "TS-219", now=NOW)
    assert r.out == ("[TS-219] (Follow-up patch)\n\n"
                     "Week ending 2023-02-10: In Review; not sent\n(not in the notes)\n")


def test_an_unknown_card_and_a_bad_date(tmp_path, capsys) -> None:
    setup = five_weeks(tmp_path)
    r = run(capsys, setup, "history", "STR-999", now=NOW)
    assert (r.status, r.out) == (0, "")
    assert r.err == "reporter: no stored week mentions STR-999\n"
    r = run(capsys, setup, "history", "STR-76", "--since", "last tuesday", now=NOW)
    assert r.status == 2 and "--since 'last tuesday' is not a date" in r.err
    r = run(capsys, setup, "history", "76", now=NOW)
    assert r.status == 2 and "'76' is not a card key" in r.err


def test_history_with_the_archive_names_the_commits(tmp_path, capsys, monkeypatch) -> None:
    from reporter.config import load_config
    from reporter.store.datarepo import commit_week

    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    setup = five_weeks(tmp_path, archive="git")
    config = load_config(setup.config)
    commits = {week: commit_week(config, week, f"<weekly-{week}@example.org>")
               for week in (W1, W2, W3)}
    r = run(capsys, setup, "history", "STR-76", now=NOW)
    assert r.status == 0
    for week, commit in commits.items():
        assert commit is not None
        assert f"Week ending {week}: " in r.out
        line = next(x for x in r.out.splitlines() if x.startswith(f"Week ending {week}"))
        assert line.endswith(f"; sent, archived {commit[:7]}")
    # The same weeks read the same, archive or not.
    plain = "\n".join(line.split(", archived ")[0] for line in r.out.split("\n"))
    assert plain == EXPECTED


def test_findings_of_the_week_are_listed(tmp_path, capsys) -> None:
    from reporter.config import load_config
    from reporter.sources import measurements
    from reporter.store import snapshot

    setup = make_setup(tmp_path, extra=textwrap.dedent("""\
        measurements:
          - {card: STR-76, files: "samples/*.txt", threshold_us: 3000, label: long run}
        """))
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "latency-2023-02-16.txt").write_text(
        "".join(f"{100 + (i * 37) % 300}\n" for i in range(1000)) + "3500\n")
    config = load_config(setup.config)
    snap = measurements.pull_measurements(config, W3, monday_after(W3), jira=None)
    snapshot.write_part(setup.data, W3, "measurements", snap)
    r = run(capsys, setup, "history", "STR-76", now=NOW)
    assert r.status == 0, r.err
    assert "Week ending 2023-02-17: no Jira pull; not sent\n* Latency, long run " \
           "(latency-2023-02-16.txt, 1001 samples" in r.out
    assert "1 spikes > 3000 usecs" in r.out or "1 spike > 3000 usecs" in r.out
