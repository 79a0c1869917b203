"""Test hook: REPORTER_TEST_CRASH_AT=<step> kills this process with SIGKILL at that step.

Only the tests set the variable (tests/test_send_processes.py), to prove that a run
killed at any step of the ledger leaves the week sent at most once and loses
nothing. The steps, in the order a send reaches them, are in STEPS.
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "REPORTER_TEST_CRASH_AT"
STEPS = (
    "locked",  # the lock is held, nothing written yet
    "sending-written",  # the ledger says `sending` with the Message-ID
    "eml-written",  # the .eml of the bytes to hand over is stored
    "handover-written",  # the ledger says `ambiguous`, the data is about to go
    "accepted",  # the server confirmed; `sent` not recorded yet
    "sent-written",  # the ledger says `sent`
)
# After the send, with jira.post_comments: the Jira write is done, not yet recorded.
JIRA_STEPS = (
    "jira-comment-posted",  # Jira answered the comment's POST
    "jira-transition-posted",  # Jira answered the transition's POST
)


def crash_point(step: str) -> None:
    if os.environ.get(ENV_VAR) == step:
        os.kill(os.getpid(), signal.SIGKILL)
