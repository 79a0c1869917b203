"""The Patchwork client against a local REST server: paging, people, filters, events,
comments, the project check, failures."""

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
from tests.patch_helpers import S1, S1_COVER, SECOND_ADDRESS, SUBMITTER, event, patchwork_data
from tests.servers.patchwork import Behaviour, PatchworkServer

START = dt.datetime(2023, 2, 3, 15, 0, tzinfo=dt.UTC)  # Saturday 00:00 in Asia/Tokyo
END = dt.datetime(2023, 2, 10, 15, 0, tzinfo=dt.UTC)


def client(url: str, max_pages: int = 20, deadline_s: float = 30, project: str = "uboot",
           timezone: str = "Australia/Canberra") -> PatchworkClient:
    return PatchworkClient(PatchworkConfig(url=url, project=project, api_version="1.3",
                                           timezone=timezone),
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
    assert (first.number, first.reviewed, first.tested) == (1, 0, 0)  # `tags` is always {}
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
    with PatchworkServer(patchwork_data(), Behaviour(people_forbidden=False)) as pw:
        people = client(pw.url).people(SUBMITTER[1])
    assert people is not None
    assert [(p.id, p.email) for p in people] == [(10, SUBMITTER[1]), (11, SECOND_ADDRESS)]
    assert merge_people_keys(SUBMITTER[1], people) == (SUBMITTER[1], 11)


def test_a_forbidden_people_lookup_is_optional() -> None:
    with PatchworkServer(patchwork_data()) as pw:  # 403 to anonymous readers, as 3.2.1
        c = client(pw.url)
        assert c.people(SUBMITTER[1]) is None
        assert [i.patch.id for i in c.patches(SUBMITTER[1], None)][:1] == [1001]
    assert merge_people_keys(SUBMITTER[1], None) == (SUBMITTER[1],)


def test_state_changes_are_the_events_of_the_week() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        changes = client(pw.url).state_changes(START, END)
    assert [(c.patch_id, c.previous, c.current, m[:14]) for c, m in changes] == [
        (1002, "new", "accepted", "20230207021500"), (1001, "new", "accepted", "20230207021500"),
        (2001, "new", "changes-requested", "20230208000000"),
        (1004, "new", "under-review", "20230110080000")]
    assert changes[1][0].date == "2023-02-09T13:40:12.345678+00:00"
    assert changes[1][0].actor == "xypron"
    # Asked in the server's time (Canberra, UTC+11 in summer) with a day's margin each side.
    query = pw.requests[0]
    assert "category=patch-state-changed" in query
    assert "since=2023-02-03T02%3A00%3A00" in query and "before=2023-02-12T02%3A00%3A00" in query


def test_a_friday_evening_change_in_tokyo_is_of_that_week() -> None:
    data = patchwork_data()
    # Friday 2023-02-10 19:00 in Tokyo: 10:00 UTC, stored by the server as 21:00 Canberra.
    # Friday 2023-02-03 20:00 in Tokyo (11:00 UTC) is the week before.
    data.events = [event(6001, "2023-02-10T10:00:00", data.patches[5], "new", "accepted"),
                   event(6002, "2023-02-03T11:00:00", data.patches[6], "new", "accepted")]
    assert data.events[0]["date"] == "2023-02-10T21:00:00"
    with PatchworkServer(data) as pw:
        changes = client(pw.url).state_changes(START, END)
        utc_reader = client(pw.url, timezone="UTC").state_changes(START, END)
    assert [(c.patch_id, c.date) for c, _ in changes] == [(1006, "2023-02-10T10:00:00+00:00")]
    # Read as UTC, as before: the first lands on Saturday 06:00 in Tokyo, the next week,
    # and the week before's takes its place (Saturday 07:00).
    assert [c.patch_id for c, _ in utc_reader] == [1007]


def test_the_events_of_given_patches_whenever_they_happened() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        changes = client(pw.url).patch_events([1005, 1004])
    assert sorted((c.patch_id, c.current) for c in changes) == [(1004, "under-review"),
                                                               (1005, "accepted")]
    assert "patch=1004&patch=1005" in pw.requests[0] and "since" not in pw.requests[0]


def test_review_tags_come_from_the_comments_but_not_the_submitters_own() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        c = client(pw.url)
        tags = c.patch_tags(1002, S1[1], [SUBMITTER[1]])
        cover = c.cover_tags(1000, S1_COVER, [SUBMITTER[1]])
        assert c.patch_tags(1003, S1[2], [SUBMITTER[1]]) == []
    assert [(t.kind, t.name, t.email, t.patch_msgid, t.date) for t in tags] == [
        ("Reviewed-by", "Simon Glass", "sjg@chromium.org", S1[1], "2023-02-08T15:00:00+00:00")]
    assert [(t.kind, t.name, t.patch_msgid) for t in cover] == [
        ("Reviewed-by", "Ilias Apalodimas", S1_COVER)]
    assert pw.requests[0].startswith("/api/1.3/patches/1002/comments/?")


def test_a_project_the_server_does_not_have_is_named() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        client(pw.url).check_project()
        with pytest.raises(SourceError) as info:
            client(pw.url, project="u-boot").check_project()
    assert info.value.message == f"patchwork: {pw.url} has no project 'u-boot'; it has uboot"
    assert "patches.patchwork.project" in (info.value.hint or "")
    assert pw.requests[:2] == ["/api/1.3/projects/uboot/", "/api/1.3/projects/u-boot/"]


def test_unknown_filter_values_answer_an_empty_list_not_an_error() -> None:
    with PatchworkServer(patchwork_data()) as pw:
        c = client(pw.url)
        assert c.patches("nobody@example.org", None) == []
        assert not c.has_patches("nobody@example.org") and c.has_patches(SUBMITTER[1])
        assert client(pw.url, project="u-boot").patches(SUBMITTER[1], None) == []
    assert "per_page=1" in pw.requests[-2]


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


def test_dates_are_utc_and_event_dates_local() -> None:
    from zoneinfo import ZoneInfo

    from reporter.sources.patchwork_json import parse_local_date

    assert parse_date("2023-02-07T02:15:00") == "2023-02-07T02:15:00+00:00"
    assert parse_local_date("2023-02-07T13:15:00", ZoneInfo("Australia/Canberra")) == \
        "2023-02-07T02:15:00+00:00"
    with pytest.raises(SourceError):
        parse_date(None)
