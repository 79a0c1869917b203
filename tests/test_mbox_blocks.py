"""The mbox scanner reads the same messages whatever the block size: the seams of blocks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from reporter.sources.mbox import TruncatedMbox, iter_chunks, iter_messages

FIXTURE = Path(__file__).parent / "fixtures" / "patches" / "public-inbox-thread.mbox"


def _mbox() -> bytes:
    messages = [
        b"From: A <a@example.org>\nSubject: [PATCH] one\nMessage-ID: <1@example.org>\n\n"
        b"body one\n>From a quoted line\n",
        b"From: B <b@example.org>\r\nSubject: Re: [PATCH]\r\n one, folded\r\n"
        b"Message-ID: <2@example.org>\r\nIn-Reply-To: <1@example.org>\r\n\r\nReviewed-by: B\r\n",
        b"From: C <c@example.org>\nMessage-ID: <3@example.org>\nReferences: <1@example.org>\n"
        b" <2@example.org>\n\n" + b"a long body line that crosses many blocks\n" * 40,
        b"From: D <d@example.org>\nMessage-ID: <4@example.org>\n\n",
        b"From: E <e@example.org>\nMessage-ID: <5@example.org>\n\nFrom",
    ]
    return b"".join(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + m + b"\n" for m in messages)


@pytest.mark.parametrize(("data", "count"), [(_mbox(), 5), (FIXTURE.read_bytes(), 2)],
                         ids=["seams", "public-inbox"])
def test_every_block_size_reads_the_same_messages(data: bytes, count: int) -> None:
    whole = list(iter_messages(io.BytesIO(data)))
    assert len(whole) == count
    chunks = list(iter_chunks(io.BytesIO(data)))
    for size in [*range(5, 120), 257, 1000, 4096]:
        assert list(iter_messages(io.BytesIO(data), block_bytes=size)) == whole, size
        assert list(iter_chunks(io.BytesIO(data), block_bytes=size)) == chunks, size


def test_the_seam_cases_parse_as_written() -> None:
    first, second, third, fourth, fifth = iter_messages(io.BytesIO(_mbox()), block_bytes=64)
    assert first.body() == "body one\nFrom a quoted line\n"
    assert (second.subject, second.in_reply_to) == ("Re: [PATCH] one, folded", "1@example.org")
    assert second.body_raw == b"Reviewed-by: B\r\n"
    assert third.references == ("1@example.org", "2@example.org")
    assert (fourth.msgid, fourth.body_raw) == ("4@example.org", b"")
    assert fifth.body_raw == b"From\n"


def test_a_message_cut_inside_its_header_is_refused_at_any_block_size() -> None:
    data = _mbox() + b"From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: x@y.z\nSubject: cut"
    for size in (5, 13, 64, 1 << 20):
        with pytest.raises(TruncatedMbox):
            list(iter_messages(io.BytesIO(data), block_bytes=size))
