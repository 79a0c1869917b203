"""The Patchwork client against a local REST server: paging, people, filters, failures."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from reporter.config import PatchworkConfig
from reporter.errors import SourceError
from reporter.sources.patch_http import USER_AGENT, Deadline, make_session
from reporter.sources.patchwork import (
    PatchworkClient,
    clean_subject,
    merge_people_keys,
    parse_date,
    patch_number,
)
from tests.patch_helpers import SECOND_ADDRESS, SUBMITTER, patchwork_data
from tests.servers.patchwork import Behaviour, PatchworkServer

START = dt.datetime(2023, 2, 3, 15, 0, tzinfo=dt.UTC)  # Saturday 00:00 in Asia/Tokyo
END = dt.datetime(2023, 2, 10, 15, 0, tzinfo=dt.UTC)


def client(url: str, max_pages: int = 20, deadline_s: float = 30) -> PatchworkClient:
    return PatchworkClient(PatchworkConfig(url=url, project="uboot", api_version="1.3"),
                           make_session(retries=0), timeout_s=5,
                           deadline=Deadline(deadline_s), max_pages=max_pages)


def test_patches_of_every_state_come_from_three_linked_pages() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        infos = client(pw.url).patches(SUBMITTER[1], None)
    assert [i.patch.id for i in infos] == [1001, 1002, 1003, 1005, 1006, 1007]
    pages = [r for r in pw.requests if r.startswith("/api/1.3/patches/")]
    assert len(pages) == 3 and "page=2" in pages[1] and "page=3" in pages[2]
    archived = next(i.patch for i in infos if i.patch.id == 1005)
    assert archived.archived and archived.state == "accepted" and not archived.is_open
    first = infos[0].patch
    assert first.msgid == "20230207021500.2-takahiro.akashi@linaro.org"
    assert (first.number, first.reviewed, first.tested) == (1, 1, 1)
    assert first.date == "2023-02-07T02:15:00+00:00"
    assert infos[0].series_ids == (301,)


def test_since_compares_the_submission_date() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        infos = client(pw.url).patches(SUBMITTER[1], dt.datetime(2023, 2, 8, tzinfo=dt.UTC))
    assert [i.patch.id for i in infos] == [1006, 1007]
    assert "since=2023-02-08T00%3A00%3A00" in pw.requests[0]


def test_series_carry_version_counts_and_cover_letter() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        series = {s.id: s for s in client(pw.url).series(SUBMITTER[1], None)}
    assert set(series) == {301, 303, 304}
    s1 = series[301]
    assert (s1.version, s1.total, s1.received) == (2, 3, 3)
    assert s1.cover_msgid == "20230207021500.1-takahiro.akashi@linaro.org"
    assert s1.patch_ids == (1001, 1002, 1003)
    assert (series[304].total, series[304].received) == (3, 2)


def test_people_by_email_and_by_their_user_account() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        people = client(pw.url).people(SUBMITTER[1])
    assert people is not None
    assert [(p.id, p.email) for p in people] == [(10, SUBMITTER[1]), (11, SECOND_ADDRESS)]
    assert merge_people_keys(SUBMITTER[1], people) == (SUBMITTER[1], 11)


def test_a_forbidden_people_lookup_is_optional() -> None:
    with PatchworkServer(patchwork_data(), Behaviour(people_forbidden=True)) as pw:
        c = client(pw.url)
        assert c.people(SUBMITTER[1]) is None
        assert [i.patch.id for i in c.patches(SUBMITTER[1], None)][:1] == [1001]
    assert merge_people_keys(SUBMITTER[1], None) == (SUBMITTER[1],)


def test_state_changes_are_the_events_of_the_week() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        changes = client(pw.url).state_changes(START, END)
    assert [(c.patch_id, c.previous, c.current) for c in changes] == [
        (1002, "new", "accepted"), (1001, "new", "accepted"), (2001, "new", "changes-requested"),
        (1004, "new", "under-review")]
    assert changes[1].date == "2023-02-09T13:40:12.345678+00:00"
    assert changes[1].actor == "xypron"
    query = pw.requests[0]
    assert "category=patch-state-changed" in query and "since=2023-02-03T15%3A00%3A00" in query


def test_requests_name_the_tool() -> None:
    assert make_session().headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("reporter/")


def test_a_link_back_to_a_read_page_is_a_source_error() -> None:
    with PatchworkServer(patchwork_data(), Behaviour(loop_endpoint="patches")) as pw:
        with pytest.raises(SourceError) as info:
            client(pw.url).patches(SUBMITTER[1], None)
    assert info.value.message.startswith("patchwork: the Link header sent the reader back")
    assert len(pw.requests) == 1  # page 1 named itself as next: not read twice


def test_the_page_cap_is_a_source_error() -> None:
    with PatchworkServer(patchwork_data(), Behaviour(endless_endpoint="patches")) as pw:
        with pytest.raises(SourceError) as info:
            client(pw.url, max_pages=5).patches(SUBMITTER[1], None)
    assert "more than 5 pages" in info.value.message
    assert "patches.max_pages" in (info.value.hint or "")
    assert len(pw.requests) == 5


def test_an_unreachable_server_is_a_source_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError) as info:
        client(f"http://127.0.0.1:{port}").patches(SUBMITTER[1], None)
    assert info.value.message == f"patchwork: cannot reach http://127.0.0.1:{port}: " \
                                 "Connection refused"
    assert "patches.patchwork.url" in (info.value.hint or "")


@pytest.mark.parametrize(("status", "words"), [(500, "HTTP 500"), (404, "HTTP 404"),
                                               (429, "HTTP 429")])
def test_http_errors_are_source_errors(status: int, words: str) -> None:
    with PatchworkServer(patchwork_data(), Behaviour(status=status)) as pw:
        with pytest.raises(SourceError, match=words):
            client(pw.url).series(SUBMITTER[1], None)


def test_a_refused_filter_names_the_submitter_setting() -> None:
    with PatchworkServer(patchwork_data(), Behaviour(status=400)) as pw:
        with pytest.raises(SourceError, match="HTTP 400") as info:
            client(pw.url).patches("nobody@example.org", None)
    assert "patches.submitter" in (info.value.hint or "")


def test_a_server_error_is_retried_before_failing() -> None:
    session = make_session(retries=2, backoff_s=0)
    with PatchworkServer(patchwork_data(), Behaviour(status=503)) as pw:
        c = PatchworkClient(PatchworkConfig(pw.url, "uboot", "1.3"), session, timeout_s=5,
                            deadline=Deadline(30), max_pages=5)
        with pytest.raises(SourceError, match="HTTP 503"):
            c.series(SUBMITTER[1], None)
    assert len(pw.requests) == 3


def test_a_web_page_instead_of_json_is_a_source_error() -> None:
    with PatchworkServer(patchwork_data(), Behaviour(not_json=True)) as pw:
        with pytest.raises(SourceError, match="not JSON"):
            client(pw.url).series(SUBMITTER[1], None)


def test_the_deadline_stops_the_pull() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        with pytest.raises(SourceError, match="longer than 0 s") as info:
            client(pw.url, deadline_s=0).series(SUBMITTER[1], None)
    assert "patches.deadline_s" in (info.value.hint or "")
    assert pw.requests == []


@pytest.mark.parametrize(("name", "clean", "number"), [
    ("[v2,1/3] efi_loader: capsule: check", "efi_loader: capsule: check", (1, 3)),
    ("[RFC,v3,12/14] dm: core: x", "dm: core: x", (12, 14)),
    ("[U-Boot] [PATCH] cmd: y", "cmd: y", None),
    ("cmd: bootefi: clean up", "cmd: bootefi: clean up", None),
])
def test_names_lose_their_prefixes(name: str, clean: str, number: tuple[int, int] | None) -> None:
    assert clean_subject(name) == clean
    assert patch_number(name) == number


def test_dates_are_utc() -> None:
    assert parse_date("2023-02-07T02:15:00") == "2023-02-07T02:15:00+00:00"
    with pytest.raises(SourceError):
        parse_date(None)
