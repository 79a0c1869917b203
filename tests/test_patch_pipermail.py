"""The pipermail resolver: a month's date index and article pages -> a message's page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reporter.sources.patch_http import Deadline, make_session
from reporter.sources.pipermail import (
    month_url,
    page_message_id,
    parse_date_index,
    resolve,
    same_subject,
)
from tests.patch_helpers import S1_COVER, pipermail_pages
from tests.servers.lore import Archive, ArchiveServer

MONTH = Path(__file__).parent / "fixtures" / "patches" / "pipermail" / "2023-February"
SUBJECT = "[PATCH v2 0/3] efi_loader: capsule: fix the update order"
POSTED = dt.datetime(2023, 2, 7, 2, 15, tzinfo=dt.UTC)


def test_the_date_index_lists_pages_subjects_and_authors() -> None:
    entries = parse_date_index((MONTH / "date.html").read_text())
    assert [(e.page, e.author) for e in entries] == [
        ("506600.html", "Marek Vasut"), ("506601.html", "AKASHI Takahiro"),
        ("506602.html", "AKASHI Takahiro"), ("506650.html", "Ilias Apalodimas")]
    assert entries[1].subject == SUBJECT


def test_an_article_names_its_message_id_in_the_reply_link() -> None:
    assert page_message_id((MONTH / "506601.html").read_text()) == S1_COVER
    assert page_message_id("<html>no link</html>") is None


def test_subjects_match_without_prefixes_and_spacing() -> None:
    assert same_subject("Re: [PATCH v2 0/3] efi_loader:  fix", "[PATCH v3 0/3] efi_loader: fix")
    assert not same_subject("[PATCH] efi_loader: fix", "[PATCH] efi_loader: fix it")


def test_month_urls_use_the_english_month_name() -> None:
    assert month_url("https://lists.denx.de/pipermail/u-boot", dt.date(2022, 5, 12)) == \
        "https://lists.denx.de/pipermail/u-boot/2022-May/"


def test_a_message_resolves_to_its_own_page_among_same_subjects() -> None:
    with ArchiveServer(pipermail_pages(Archive())) as server:
        session = make_session(retries=0)
        cover = resolve(session, server.pipermail, S1_COVER, POSTED, SUBJECT, timeout_s=5,
                        deadline=Deadline(30))
        reply = resolve(session, server.pipermail, "r1@linaro.org", POSTED, SUBJECT,
                        timeout_s=5, deadline=Deadline(30))
    assert cover == f"{server.pipermail}/2023-February/506601.html"
    assert reply == f"{server.pipermail}/2023-February/506650.html"


def test_an_unknown_message_or_month_resolves_to_nothing() -> None:
    with ArchiveServer(pipermail_pages(Archive())) as server:
        session = make_session(retries=0)
        assert resolve(session, server.pipermail, "nobody@x.org", POSTED, SUBJECT,
                       timeout_s=5, deadline=Deadline(30)) is None
        assert resolve(session, server.pipermail, S1_COVER,
                       dt.datetime(2021, 6, 15, tzinfo=dt.UTC), SUBJECT, timeout_s=5,
                       deadline=Deadline(30)) is None
    assert "/pipermail/u-boot/2021-June/date.html" in server.requests


def test_a_message_near_the_month_edge_is_looked_for_in_both_months() -> None:
    with ArchiveServer(pipermail_pages(Archive())) as server:
        found = resolve(make_session(retries=0), server.pipermail, S1_COVER,
                        dt.datetime(2023, 1, 31, 23, 30, tzinfo=dt.UTC), SUBJECT,
                        timeout_s=5, deadline=Deadline(30))
    assert found == f"{server.pipermail}/2023-February/506601.html"
    assert server.requests[0] == "/pipermail/u-boot/2023-January/date.html"


def test_a_failing_archive_resolves_to_nothing() -> None:
    with ArchiveServer(Archive(status=500)) as server:
        assert resolve(make_session(retries=0), server.pipermail, S1_COVER, POSTED, SUBJECT,
                       timeout_s=5, deadline=Deadline(30)) is None
