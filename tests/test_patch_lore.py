"""The lore source: t.mbox.gz over HTTP, the mboxrd scanner and the facts of a thread."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from reporter.errors import SourceError
from reporter.sources.lore import fetch_thread, message_url, parse_thread_mbox, thread_facts
from reporter.sources.mbox import TruncatedMbox, iter_messages, normalize_person
from reporter.sources.patch_http import Deadline, make_session
from tests.patch_helpers import (
    EFI,
    ILIAS,
    MAINTAINER,
    REVIEWER,
    S1,
    S1_COVER,
    SUBMITTER,
    Scenario,
    archive_for,
    build_repos,
    s1_thread,
)
from tests.servers.lore import Archive, ArchiveServer, mboxrd

FIXTURES = Path(__file__).parent / "fixtures" / "patches"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_repos(tmp_path_factory.mktemp("repos"))


def test_the_public_inbox_fixture_reads_back_with_from_lines_unquoted() -> None:
    data = (FIXTURES / "public-inbox-thread.mbox").read_bytes()
    messages = list(iter_messages(io.BytesIO(data)))
    assert [m.msgid for m in messages] == ["20230208010000.1-takahiro.akashi@linaro.org",
                                           "20230208020000.1-sjg@chromium.org"]
    assert messages[1].in_reply_to == messages[0].msgid
    body = messages[0].body()
    assert "\nFrom here a line\n>From quoted\n" in body
    assert messages[0].subject == "[PATCH] cmd: fix something"


def test_headers_are_unfolded_and_encoded_words_decoded() -> None:
    raw = (b"From: =?utf-8?q?J=C3=B6rg_Krause?= <joerg@example.org>\n"
           b"Subject: [PATCH] a very long subject\n that is folded\n"
           b"Message-ID:\n <folded@example.org>\nDate: Wed, 08 Feb 2023 10:00:00 +0900\n"
           b"Content-Transfer-Encoding: quoted-printable\n"
           b"Content-Type: text/plain; charset=utf-8\n\nTested-by: J=C3=B6rg <joerg@example.org>\n")
    (message,) = list(iter_messages(io.BytesIO(mboxrd([raw]))))
    assert message.msgid == "folded@example.org"
    assert message.subject == "[PATCH] a very long subject that is folded"
    assert normalize_person(message.sender) == ("Jörg Krause", "joerg@example.org")
    assert message.date == "2023-02-08T01:00:00+00:00"
    assert "Tested-by: Jörg <joerg@example.org>" in message.body()


def test_a_truncated_mbox_is_refused() -> None:
    data = mboxrd([b"From: a@b.c\nSubject: x\nMessage-ID: <1@b.c>\n\nbody\n"])
    data += b"From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: a@b.c\nSubject: cut"
    with pytest.raises(TruncatedMbox):
        list(iter_messages(io.BytesIO(data)))
    with pytest.raises(TruncatedMbox):
        list(iter_messages(io.BytesIO(b"<html>not an mbox</html>")))


def test_small_blocks_split_messages_like_one_big_block(scenario: Scenario) -> None:
    data = mboxrd(list(s1_thread(scenario).values()))
    whole = [m.msgid for m in iter_messages(io.BytesIO(data))]
    assert [m.msgid for m in iter_messages(io.BytesIO(data), block_bytes=7)] == whole
    assert len(whole) == 10


@pytest.mark.parametrize(("value", "reply_to", "expected"), [
    ("AKASHI Takahiro <takahiro.akashi@linaro.org>", "",
     ("AKASHI Takahiro", "takahiro.akashi@linaro.org")),
    ("takahiro.akashi at linaro.org (AKASHI Takahiro)", "",
     ("AKASHI Takahiro", "takahiro.akashi@linaro.org")),
    ("Simon Glass <sjg at chromium.org>", "", ("Simon Glass", "sjg@chromium.org")),
    ("Simon Glass via U-Boot <u-boot@lists.denx.de>", "Simon Glass <sjg@chromium.org>",
     ("Simon Glass", "sjg@chromium.org")),
    ('"Simon Glass via U-Boot" <u-boot@lists.denx.de>', "", ("Simon Glass", "")),
    ("Tom Rini", "", ("Tom Rini", "")),
])
def test_people_are_normalised(value: str, reply_to: str, expected: tuple[str, str]) -> None:
    assert normalize_person(value, reply_to) == expected


def test_thread_facts_collect_tags_and_applied_replies(scenario: Scenario) -> None:
    data = mboxrd(list(s1_thread(scenario).values()))
    messages = list(iter_messages(io.BytesIO(data)))
    facts = thread_facts(messages, [S1_COVER, *S1], [SUBMITTER[1]])
    tags = {(t.kind, t.name, t.email, t.patch_msgid) for t in facts.tags}
    assert tags == {
        ("Reviewed-by", ILIAS[0], ILIAS[1], S1_COVER),
        ("Reviewed-by", ILIAS[0], ILIAS[1], S1[1]),  # carried in the patch itself
        ("Reviewed-by", REVIEWER[0], REVIEWER[1], S1[1]),  # sender rewritten "via U-Boot"
        ("Tested-by", EFI[0], EFI[1], S1[0]),  # pipermail-obfuscated
        ("Acked-by", REVIEWER[0], REVIEWER[1], S1_COVER),  # a reply to a reply
    }
    # Quoted trailers and the submitter's own "Acked-by" do not count.
    assert all(t.email not in ("quoted@example.org", SUBMITTER[1]) for t in facts.tags)
    (applied,) = facts.applied
    assert (applied.tree, applied.name, applied.email, applied.patch_msgid) == (
        "u-boot/master", MAINTAINER[0], MAINTAINER[1], S1[0])
    assert applied.date == "2023-02-09T15:00:00+00:00"
    assert set(facts.patch_texts) == {S1_COVER, *S1}


@pytest.mark.parametrize(("text", "tree"), [
    ("Applied to u-boot-efi/next, thanks!\n", "u-boot-efi/next"),
    ("applied to u-boot-dm, thanks\n", "u-boot-dm"),
    ("Applied to u-boot/master.\n", "u-boot/master"),
    ("Applied, thanks!\n", ""),
    ("> Applied to u-boot/master, thanks!\n", None),
    ("I have not applied this yet.\n", None),
])
def test_applied_replies_name_the_tree(text: str, tree: str | None) -> None:
    raw = (f"From: Tom Rini <trini@konsulko.com>\nMessage-ID: <a@k.com>\n"
           f"In-Reply-To: <{S1[0]}>\nSubject: Re: x\nDate: Thu, 09 Feb 2023 10:00:00 -0500\n\n"
           f"{text}").encode()
    patch = f"From: A <{SUBMITTER[1]}>\nMessage-ID: <{S1[0]}>\nSubject: x\n\nbody\n".encode()
    messages = list(iter_messages(io.BytesIO(mboxrd([patch, raw]))))
    facts = thread_facts(messages, [S1[0]], [SUBMITTER[1]])
    assert [a.tree for a in facts.applied] == ([] if tree is None else [tree])


def test_fetch_thread_reads_the_gzip_mbox_from_the_archive(scenario: Scenario) -> None:
    with ArchiveServer(archive_for(scenario)) as server:
        messages = fetch_thread(make_session(retries=0), server.lore, S1[2], timeout_s=5,
                                deadline=Deadline(30))
        missing = fetch_thread(make_session(retries=0), server.lore, "nowhere@x.org",
                               timeout_s=5, deadline=Deadline(30))
    assert messages is not None and len(messages) == 10
    assert missing is None
    assert server.requests[0] == f"/u-boot/{S1[2]}/t.mbox.gz"


def test_a_truncated_download_is_a_source_error(scenario: Scenario) -> None:
    archive = archive_for(scenario)
    archive.truncate = True
    with ArchiveServer(archive) as server, pytest.raises(SourceError) as info:
        fetch_thread(make_session(retries=0), server.lore, S1[0], timeout_s=5,
                     deadline=Deadline(30))
    assert info.value.message.startswith("lore: ")
    assert "truncated" in info.value.message


def test_an_unreachable_archive_is_a_source_error() -> None:
    with ArchiveServer(Archive()) as server:
        lore = server.lore
    with pytest.raises(SourceError) as info:
        fetch_thread(make_session(retries=0), lore, S1[0], timeout_s=2, deadline=Deadline(30))
    assert info.value.message.startswith("lore: cannot reach")
    assert "patches.archive.lore" in (info.value.hint or "")


def test_a_failing_archive_is_a_source_error() -> None:
    with ArchiveServer(Archive(status=503)) as server, pytest.raises(SourceError,
                                                                     match="lore: HTTP 503"):
        fetch_thread(make_session(retries=0), server.lore, S1[0], timeout_s=5,
                     deadline=Deadline(30))


def test_gzip_and_plain_answers_both_parse() -> None:
    data = mboxrd([b"From: a@b.c\nMessage-ID: <1@b.c>\nSubject: s\n\nbody\n"])
    assert [m.msgid for m in parse_thread_mbox(gzip.compress(data))] == ["1@b.c"]
    assert [m.msgid for m in parse_thread_mbox(data)] == ["1@b.c"]


def test_message_urls_escape_like_public_inbox() -> None:
    assert message_url("https://lore.kernel.org/u-boot", "a/b+c@x.org") == \
        "https://lore.kernel.org/u-boot/a%2Fb+c@x.org/"


def test_trailers_are_found_whatever_their_case_and_letters() -> None:
    body = ("İstanbul greetings.\nREVIEWED-BY: Ömer Çelik <omer@example.org>\n"
            "tested-by: Ana <ana@example.org>\n")
    raw = (f"From: Ömer <omer@example.org>\nMessage-ID: <t@e.org>\nIn-Reply-To: <{S1[0]}>\n"
           f"Subject: Re: x\nContent-Type: text/plain; charset=utf-8\n\n{body}").encode()
    patch = f"From: A <{SUBMITTER[1]}>\nMessage-ID: <{S1[0]}>\nSubject: x\n\nbody\n".encode()
    facts = thread_facts(list(iter_messages(io.BytesIO(mboxrd([patch, raw])))), [S1[0]],
                         [SUBMITTER[1]])
    assert [(t.kind, t.name) for t in facts.tags] == [("Reviewed-by", "Ömer Çelik"),
                                                       ("Tested-by", "Ana")]
