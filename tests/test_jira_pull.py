"""pull_jira against a local Jira (Cloud and Server) through the real `jira` library."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporter.errors import ConfigError, SourceError
from reporter.model.cards import JiraSnapshot
from reporter.sources.jira import jira_default_jql, pull_jira
from reporter.store.snapshot import part_path, read_part, write_part
from tests.jira_helpers import FAST, NOW, TOKEN_ENV, WEEK_END, adf, make_config
from tests.servers.jira import LocalJira, MediaHost, Reply

TOKEN = "jira-test-token"
ENV = {TOKEN_ENV: TOKEN}
IN_WEEK = "2023-02-08T10:15:00.000+0900"


@pytest.fixture(params=["Cloud", "Server"])
def jira(request: pytest.FixtureRequest) -> Iterator[LocalJira]:
    with LocalJira(request.param, token=TOKEN) as server:
        yield server


@pytest.fixture
def cloud() -> Iterator[LocalJira]:
    with LocalJira("Cloud", token=TOKEN) as server:
        yield server


@pytest.fixture
def server() -> Iterator[LocalJira]:
    with LocalJira("Server", token=TOKEN) as server:
        yield server


@pytest.fixture(autouse=True)
def no_user_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real ~/.netrc or keyring: HOME is a fresh folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def body(jira: LocalJira, text: str) -> object:
    """A comment body as this deployment's API sends it: ADF on Cloud, wiki on Server."""
    return adf(text) if jira.cloud else text


def pull(tmp_path: Path, jira: LocalJira, **keys: object) -> JiraSnapshot:
    return pull_jira(make_config(tmp_path, jira.url, **keys), WEEK_END, NOW, environ=ENV,
                     policy=FAST)


# -- search and paging ---------------------------------------------------------------


def test_three_pages_are_read_with_the_endpoint_of_each_deployment(
        tmp_path: Path, jira: LocalJira) -> None:
    for n in range(1, 251):
        jira.add_issue(f"STR-{n}", f"card {n}")
    snap = pull(tmp_path, jira)
    assert [c.key for c in snap.cards] == [f"STR-{n}" for n in range(1, 251)]
    if jira.cloud:
        pages = jira.seen(r"^/rest/api/3/search/jql$")
        assert [p.query.get("nextPageToken") is None for p in pages] == [True, False, False]
        assert not jira.seen(r"/search$")
    else:
        pages = jira.seen(r"^/rest/api/2/search$")
        assert [p.query["startAt"] for p in pages] == [["0"], ["100"], ["200"]]
    assert len(pages) == 3
    for page in pages:  # asked by name: the enhanced search returns only ids otherwise
        asked = {f for v in page.query["fields"] for f in v.split(",")}
        assert asked == {"summary", "status", "resolution", "updated", "comment", "attachment"}
        assert page.query["maxResults"] == ["100"]
    # The fixed calls: serverInfo, myself, field; nothing else besides the pages.
    assert len(jira.requests) == 3 + 3


def test_cards_keep_status_resolution_updated_and_a_non_ascii_summary(
        tmp_path: Path, jira: LocalJira) -> None:
    jira.add_issue("STR-76", "Break down the latency: 遅延の内訳 – café")
    jira.add_issue("LBO-293", "Talk", status="Closed", category="done", resolution="Done",
                   updated="2023-02-10T09:00:00.000+0900")
    snap = pull(tmp_path, jira)
    first, second = snap.cards
    assert first.summary == "Break down the latency: 遅延の内訳 – café"
    assert (first.status, first.status_category, first.resolution) == (
        "In Progress", "In Progress", None)
    assert (second.status, second.status_category, second.resolution, second.is_done) == (
        "Closed", "Done", "Done", True)
    assert second.updated == "2023-02-10T09:00:00.000+0900"
    assert snap.server == jira.url and snap.pulled_at == NOW.isoformat()
    assert snap.jql == jira_default_jql(make_config(tmp_path, jira.url), WEEK_END)
    # The snapshot survives the store's JSON round trip unchanged.
    write_part(tmp_path / "data", WEEK_END, "jira", snap)
    assert read_part(tmp_path / "data", WEEK_END, "jira", JiraSnapshot) == snap


def test_the_default_jql_has_explicit_dates_and_a_configured_jql_replaces_it(
        tmp_path: Path, cloud: LocalJira) -> None:
    config = make_config(tmp_path, cloud.url)
    assert jira_default_jql(config, WEEK_END) == (
        'assignee = currentUser() AND project in ("STR", "LBO", "TS") AND '
        '(statusCategory != Done OR status CHANGED DURING '
        '("2023-02-04 00:00", "2023-02-10 23:59")) ORDER BY key ASC')
    pull(tmp_path, cloud)
    assert cloud.seen("/search/jql")[0].query["jql"] == [jira_default_jql(config, WEEK_END)]
    snap = pull(tmp_path, cloud, jql="filter = 10042")
    assert cloud.seen("/search/jql")[-1].query["jql"] == ["filter = 10042"]
    assert snap.jql == "filter = 10042"


def test_paging_stops_on_a_missing_token_or_an_empty_page(tmp_path: Path,
                                                          cloud: LocalJira) -> None:
    cloud.add_issue("STR-1", "one")
    cloud.script("/search/jql", Reply(200, {"issues": [], "nextPageToken": "more"}))
    assert pull(tmp_path, cloud).cards == ()
    cloud.script("/search/jql", Reply(200, {"issues": [
        {"id": "1", "key": "STR-9", "fields": {"summary": "nine"}}]}))  # no isLast, no token
    assert [c.key for c in pull(tmp_path, cloud).cards] == ["STR-9"]
    before = len(cloud.seen("/search/jql"))
    cloud.script("/search/jql", Reply(200, {"issues": [
        {"id": "1", "key": "STR-8", "fields": {"summary": "eight"}}],
        "nextPageToken": "ignored", "isLast": True}))
    assert [c.key for c in pull(tmp_path, cloud).cards] == ["STR-8"]
    assert len(cloud.seen("/search/jql")) == before + 1  # isLast wins over a token


def test_paging_fails_on_a_repeated_token_and_past_the_page_cap(tmp_path: Path,
                                                                cloud: LocalJira) -> None:
    hit = {"id": "1", "key": "STR-1", "fields": {"summary": "one"}}
    cloud.script("/search/jql", *[Reply(200, {"issues": [hit], "nextPageToken": t,
                                              "isLast": False}) for t in ("a", "b", "a")])
    with pytest.raises(SourceError, match=r"search page 3 repeats an earlier nextPageToken"):
        pull(tmp_path, cloud)
    cloud.script("/search/jql", *[Reply(200, {"issues": [hit], "nextPageToken": f"t{i}",
                                              "isLast": False}) for i in range(3)])
    with pytest.raises(SourceError, match=r"more than 2 pages") as caught:
        pull(tmp_path, cloud, max_pages=2)
    assert "jira.max_pages" in (caught.value.hint or "")


# -- comments ------------------------------------------------------------------------


def test_the_weeks_comments_are_kept_per_the_comments_setting(tmp_path: Path,
                                                              jira: LocalJira) -> None:
    jira.add_issue("STR-76", "x", comments=[
        jira.comment("1", body(jira, "before the week"), created="2023-02-03T23:59:00.000+0900"),
        jira.comment("2", body(jira, "mine, late"), created="2023-02-10T23:30:00.000+0900"),
        jira.comment("3", body(jira, "theirs"), created=IN_WEEK, mine=False),
        jira.comment("4", body(jira, "mine, early"), created="2023-02-03T15:30:00.000+0000"),
        jira.comment("5", body(jira, "after the week"), created="2023-02-10T15:00:00.000+0000"),
    ])
    # 2023-02-03T15:30Z is Feb 4 00:30 in Tokyo: inside; 2023-02-10T15:00Z is Feb 11: outside.
    mine = pull(tmp_path, jira).cards[0].comments
    assert [(c.id, c.body, c.mine) for c in mine] == [
        ("4", "mine, early", True), ("2", "mine, late", True)]
    every = pull(tmp_path, jira, comments="all").cards[0].comments
    assert [(c.id, c.mine) for c in every] == [("4", True), ("3", False), ("2", True)]
    assert every[1].author == "Alex Bennée"
    assert pull(tmp_path, jira, comments="off").cards[0].comments == ()


def test_v2_wiki_and_v3_adf_bodies_become_plain_text(tmp_path: Path, jira: LocalJira) -> None:
    rich = (adf("unused") if jira.cloud else
            "Measured *guest* latency, see [the slides|https://docs.google.com/p/1UFV]")
    if jira.cloud:
        rich["content"][0]["content"] = [  # type: ignore[index]
            {"type": "text", "text": "Measured "},
            {"type": "text", "text": "guest", "marks": [{"type": "strong"}]},
            {"type": "text", "text": " latency, see "},
            {"type": "text", "text": "the slides",
             "marks": [{"type": "link", "attrs": {"href": "https://docs.google.com/p/1UFV"}}]}]
    jira.add_issue("STR-76", "x", comments=[jira.comment("1", rich, created=IN_WEEK)])
    (comment,) = pull(tmp_path, jira).cards[0].comments
    assert comment.body == "Measured guest latency, see the slides <https://docs.google.com/p/1UFV>"
    api = "3" if jira.cloud else "2"
    assert jira.seen(f"^/rest/api/{api}/search")


def test_a_truncated_comment_list_is_fetched_in_full(tmp_path: Path, jira: LocalJira) -> None:
    comments = [jira.comment(str(i), body(jira, f"c{i}"), created=IN_WEEK)
                for i in range(1, 131)]
    jira.add_issue("STR-76", "x", comments=comments)
    jira.add_issue("STR-77", "y", comments=comments[:3])
    jira.inline_comments = 5
    cards = pull(tmp_path, jira).cards
    assert [c.body for c in cards[0].comments] == [f"c{i}" for i in range(1, 131)]
    assert len(cards[1].comments) == 3
    pages = jira.seen(r"/issue/STR-76/comment$")
    assert [p.query["startAt"] for p in pages] == [["0"], ["100"]]
    assert not jira.seen(r"/issue/STR-77/comment$")


def test_remote_links_are_kept_when_configured(tmp_path: Path, cloud: LocalJira) -> None:
    from tests.servers.jira import fixture

    cloud.add_issue("STR-76", "x")
    cloud.remote_links["STR-76"] = fixture("remotelinks.json")
    assert pull(tmp_path, cloud).cards[0].remote_links == ()
    assert not cloud.seen("/remotelink")
    links = pull(tmp_path, cloud, remote_links=True).cards[0].remote_links
    assert [(link.url, link.title) for link in links] == [
        ("https://lore.kernel.org/u-boot/20230208021544.18221-1-takahiro.akashi@linaro.org/",
         "[PATCH v2] efi_loader: fix a latency regression"),
        ("https://linaro.atlassian.net/wiki/spaces/STR/pages/2087585793", "Page")]


# -- attachments ---------------------------------------------------------------------


def test_measurement_attachments_of_the_week_are_downloaded_once(tmp_path: Path,
                                                                 jira: LocalJira) -> None:
    data = b"latency_us\n41\n118\n402\n"
    jira.add_issue("STR-76", "x", attachments=[
        jira.attachment("10400", "latency-0208.csv", data, created=IN_WEEK),
        jira.attachment("10401", "photo.png", b"\x89PNG", created=IN_WEEK, mime="image/png"),
        jira.attachment("10399", "latency-old.csv", b"1\n", created="2023-01-20T10:00:00.000+0900"),
        jira.attachment("10402", "../../../etc/cyclictest hist.txt", b"# hist\n",
                        created=IN_WEEK, mime="text/plain"),
    ])
    snap = pull(tmp_path, jira)
    atts = {a.id: a for a in snap.cards[0].attachments}
    assert set(atts) == {"10400", "10401", "10402"}  # 10399 is from an earlier week
    assert atts["10400"].local_path == "attachments/2023-02-10/10400-latency-0208.csv"
    assert atts["10401"].local_path is None and atts["10401"].skipped is None
    assert atts["10402"].local_path == "attachments/2023-02-10/10402-cyclictest_hist.txt"
    assert atts["10402"].filename == "../../../etc/cyclictest hist.txt"
    folder = tmp_path / "data" / "attachments" / "2023-02-10"
    assert (folder / "10400-latency-0208.csv").read_bytes() == data
    assert sorted(p.name for p in folder.iterdir()) == [
        "10400-latency-0208.csv", "10402-cyclictest_hist.txt"]  # no temporary file left
    fetched = len(jira.seen("attachment/"))
    assert fetched == 2
    again = pull(tmp_path, jira)  # already there: not downloaded again
    assert len(jira.seen("attachment/")) == fetched
    assert again.cards[0].attachments == snap.cards[0].attachments


def test_cloud_content_redirected_to_another_host_gets_no_credentials(
        tmp_path: Path, cloud: LocalJira) -> None:
    with MediaHost() as media:
        cloud.media = media
        cloud.add_issue("STR-76", "x", attachments=[
            cloud.attachment("10400", "latency.csv", b"1\n2\n", created=IN_WEEK)])
        snap = pull(tmp_path, cloud)
    assert snap.cards[0].attachments[0].local_path == "attachments/2023-02-10/10400-latency.csv"
    (asked,) = cloud.seen("/attachment/content/10400")
    assert asked.headers["Authorization"].startswith("Basic ")
    (fetched,) = media.requests
    assert fetched.path == "/file/10400/binary" and "Authorization" not in fetched.headers


def test_an_oversized_attachment_is_skipped_with_a_warning(
        tmp_path: Path, server: LocalJira, caplog: pytest.LogCaptureFixture) -> None:
    big = b"1\n" * 4096  # 8 KiB, against a cap of about 2 KiB
    server.add_issue("STR-76", "x", attachments=[
        server.attachment("10400", "latency-declared.csv", big, created=IN_WEEK),
        server.attachment("10401", "latency-lying.csv", big, created=IN_WEEK, size=10),
    ])
    server.script("/secure/attachment/10401", Reply(200, big, {"Transfer-Encoding": "chunked"}))
    caplog.set_level(logging.WARNING, logger="reporter.sources.jira")
    snap = pull(tmp_path, server, max_attachment_mb=0.002)
    declared, lying = snap.cards[0].attachments
    assert declared.local_path is None and "jira.max_attachment_mb" in (declared.skipped or "")
    assert lying.local_path is None and lying.skipped == declared.skipped
    assert not server.seen("/secure/attachment/10400")  # its size said enough
    assert server.seen("/secure/attachment/10401")  # streamed, then cut at the cap
    folder = tmp_path / "data" / "attachments" / "2023-02-10"
    assert list(folder.iterdir()) == []
    assert [r.getMessage() for r in caplog.records if "10401" in r.getMessage()]


# -- authentication ------------------------------------------------------------------


def test_pat_sends_a_bearer_token(tmp_path: Path) -> None:
    with LocalJira("Server", token="pat-123", auth="bearer") as server:
        server.add_issue("STR-1", "x")
        snap = pull_jira(make_config(tmp_path, server.url, auth="pat"), WEEK_END, NOW,
                         environ={TOKEN_ENV: "pat-123"}, policy=FAST)
        assert [c.key for c in snap.cards] == ["STR-1"]
        assert server.seen("/myself")[0].headers["Authorization"] == "Bearer pat-123"


def test_netrc_supplies_the_login_for_the_host(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalJira("Server", user="tak", token="from-netrc") as server:
        server.add_issue("STR-1", "x")
        netrc = tmp_path / "netrc"
        netrc.write_text("machine 127.0.0.1 login tak password from-netrc\n")
        netrc.chmod(0o600)
        monkeypatch.setenv("NETRC", str(netrc))
        snap = pull_jira(make_config(tmp_path, server.url, auth="netrc"), WEEK_END, NOW,
                         environ={}, policy=FAST)
        assert [c.key for c in snap.cards] == ["STR-1"]


def test_netrc_without_an_entry_for_the_host_says_how_to_add_one(
        tmp_path: Path, server: LocalJira, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine elsewhere.example.org login tak password x\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with pytest.raises(ConfigError) as caught:
        pull_jira(make_config(tmp_path, server.url, auth="netrc"), WEEK_END, NOW, environ={})
    assert caught.value.message == "jira: ~/.netrc has no login for 127.0.0.1 (jira.auth: netrc)"
    assert "machine 127.0.0.1 login USER password SECRET" in (caught.value.hint or "")
    assert server.requests == []


def test_auth_none_sends_no_credentials_not_even_from_netrc(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalJira("Server", auth="none") as server:
        server.add_issue("STR-1", "x", comments=[
            server.comment("1", "hello", created=IN_WEEK)])
        netrc = tmp_path / "netrc"
        netrc.write_text("machine 127.0.0.1 login tak password never-sent\n")
        netrc.chmod(0o600)
        monkeypatch.setenv("NETRC", str(netrc))
        snap = pull_jira(make_config(tmp_path, server.url, auth="none",
                                     user="takahiro.akashi@linaro.org"),
                         WEEK_END, NOW, environ={}, policy=FAST)
        assert snap.cards[0].comments[0].mine  # matched by the configured e-mail
        assert all("Authorization" not in r.headers for r in server.requests)
        assert not server.seen("/myself")


def test_a_missing_secret_names_every_place_to_put_it(tmp_path: Path, cloud: LocalJira) -> None:
    with pytest.raises(ConfigError) as caught:
        pull_jira(make_config(tmp_path, cloud.url), WEEK_END, NOW, environ={}, policy=FAST)
    error = caught.value
    assert error.exit_status == 2
    assert error.message.startswith("jira: no secret found")
    assert "no keyring is available" in error.message
    assert TOKEN_ENV in (error.hint or "") and "~/.netrc" in (error.hint or "")
    assert cloud.requests == []


# -- failures ------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "path", "says", "hint"), [
    (401, "/myself", "HTTP 401 Unauthorized", "check the token and the user"),
    (403, "/myself", "HTTP 403 Forbidden", "check the token and the user"),
    (404, "/serverInfo", "HTTP 404 Not Found", "check jira.server"),
    (500, "/field", "HTTP 500 Internal Server Error", "try again later"),
])
def test_http_failures_name_jira_and_the_fix(tmp_path: Path, cloud: LocalJira, status: int,
                                            path: str, says: str, hint: str) -> None:
    cloud.script(path, Reply(status, {"errorMessages": ["nope"], "errors": {}}))
    with pytest.raises(SourceError) as caught:
        pull(tmp_path, cloud)
    assert caught.value.exit_status == 1
    assert caught.value.message.startswith(f"jira: {says} from {cloud.url}/rest/api/")
    assert hint in (caught.value.hint or "")


def test_a_wrong_token_is_a_401_naming_where_the_token_came_from(tmp_path: Path,
                                                                 cloud: LocalJira) -> None:
    with pytest.raises(SourceError) as caught:
        pull_jira(make_config(tmp_path, cloud.url), WEEK_END, NOW,
                  environ={TOKEN_ENV: "wrong"}, policy=FAST)
    assert "HTTP 401" in caught.value.message
    assert f"the API token from ${TOKEN_ENV}" in (caught.value.hint or "")


def test_410_from_the_removed_search_says_so(tmp_path: Path, cloud: LocalJira) -> None:
    # A Cloud site that claims to be Server: the old search answers 410 Gone.
    from tests.servers.jira import fixture

    cloud.script("/serverInfo", Reply(200, fixture("serverinfo-server.json")))
    with pytest.raises(SourceError) as caught:
        pull(tmp_path, cloud)
    assert caught.value.message.startswith(
        f"jira: HTTP 410 Gone from {cloud.url}/rest/api/2/search: the endpoint was removed: "
        "The requested API has been removed.")
    assert "/rest/api/3/search/jql" in (caught.value.hint or "")


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_429_then_success_honours_retry_after(tmp_path: Path, cloud: LocalJira,
                                              form: str) -> None:
    cloud.add_issue("STR-1", "x")
    header = "1" if form == "seconds" else (
        lambda: email.utils.formatdate(time.time() + 2, usegmt=True))
    cloud.script("/search/jql", Reply(429, {"errorMessages": ["Rate limit exceeded"]},
                                      {"Retry-After": header}))
    started = time.monotonic()
    snap = pull(tmp_path, cloud)
    assert [c.key for c in snap.cards] == ["STR-1"]
    assert time.monotonic() - started >= 1.0  # it did wait as told
    assert len(cloud.seen("/search/jql")) == 2


def test_a_read_timeout_is_retried_and_then_named(tmp_path: Path, server: LocalJira) -> None:
    server.add_issue("STR-1", "x")
    server.script("/search", Reply(200, {}, delay_s=0.5))
    assert [c.key for c in pull(tmp_path, server, timeout_s=0.2).cards] == ["STR-1"]
    server.script("/search", *[Reply(200, {}, delay_s=0.5)] * 4)
    with pytest.raises(SourceError) as caught:
        pull(tmp_path, server, timeout_s=0.2)
    assert caught.value.message == (f"jira: no answer from {server.url}/rest/api/2/search "
                                    "within 0.2 s (4 tries)")
    assert "jira.timeout_s" in (caught.value.hint or "")


@pytest.mark.parametrize(("reply", "says"), [
    (Reply(200, (Path(__file__).parent / "fixtures/jira/login-page.html").read_text(),
           {"Content-Type": "text/html;charset=UTF-8"}), "answered with an HTML page"),
    (Reply(200, '{"issues": [', {"Content-Type": "application/json"}),
     "search page 1: the answer is not valid JSON"),
    (Reply(200, {"isLast": True}), "search page 1: unexpected answer"),
    (Reply(200, {"issues": [{"id": "1"}], "isLast": True, "total": 1}),
     "expected an issue key"),
])
def test_a_200_that_is_not_search_results_is_an_error_never_zero_cards(
        tmp_path: Path, jira: LocalJira, reply: Reply, says: str) -> None:
    jira.add_issue("STR-1", "x")
    jira.script("/search", reply)
    with pytest.raises(SourceError, match=says):
        pull(tmp_path, jira)


def test_a_failed_pull_leaves_the_previous_snapshot_intact(tmp_path: Path,
                                                           cloud: LocalJira) -> None:
    cloud.add_issue("STR-1", "x")
    data_dir = tmp_path / "data"
    before = pull(tmp_path, cloud)
    write_part(data_dir, WEEK_END, "jira", before)
    stored = part_path(data_dir, WEEK_END, "jira").read_bytes()
    cloud.script("/search/jql", Reply(503, b""), *[Reply(503, b"")] * 5)
    with pytest.raises(SourceError, match="HTTP 503"):
        pull(tmp_path, cloud)
    assert part_path(data_dir, WEEK_END, "jira").read_bytes() == stored
    assert read_part(data_dir, WEEK_END, "jira", JiraSnapshot) == before


# -- status transitions from the changelog ---------------------------------------------


def _changelog(jira: LocalJira) -> list[dict[str, object]]:
    """To Do -> In Progress long before the week; In Progress -> Done on Wednesday in
    Tokyo (with an assignee edit in the same history); a summary edit on Thursday."""
    edit = jira.history("10003", "2023-02-09T11:00:00.000+0900", "x", "y")
    edit["items"] = [dict(edit["items"][0], field="summary", fieldId="summary")] \
        if jira.cloud else [dict(edit["items"][0], field="summary")]
    return [jira.history("10001", "2023-01-20T10:00:00.000+0900", "To Do", "In Progress"),
            jira.history("10002", "2023-02-08T10:15:00.000+0900", "In Progress", "Done",
                         other_field=True),
            edit]


def test_the_weeks_transitions_come_with_the_search(tmp_path: Path, jira: LocalJira) -> None:
    jira.add_issue("STR-76", "Latency", status="Done", category="done",
                   changelog=_changelog(jira))
    jira.add_issue("STR-68", "Quiet")
    snap = pull(tmp_path, jira)
    card = snap.card("STR-76")
    assert card is not None and snap.card("STR-68").status_changes == ()  # type: ignore[union-attr]
    assert [(c.from_status, c.to_status, c.date) for c in card.status_changes] == [
        ("In Progress", "Done", "2023-02-08T10:15:00.000+0900")]
    search = jira.seen(r"/search(/jql)?$")
    assert all(s.query["expand"] == ["changelog"] for s in search)
    assert not jira.seen(r"/changelog$")  # the search carried it: no request per card
    write_part(tmp_path / "data", WEEK_END, "jira", snap)
    assert read_part(tmp_path / "data", WEEK_END, "jira", JiraSnapshot) == snap


def test_a_change_just_before_the_week_in_tokyo_is_not_of_the_week(tmp_path: Path,
                                                                   jira: LocalJira) -> None:
    # Friday 23:30 in Tokyo is the week before; Saturday 00:10 is this week.
    jira.add_issue("STR-76", "Latency", changelog=[
        jira.history("1", "2023-02-03T14:30:00.000+0000", "To Do", "In Progress"),
        jira.history("2", "2023-02-03T15:10:00.000+0000", "In Progress", "In Review")])
    card = pull(tmp_path, jira).cards[0]
    assert [(c.from_status, c.to_status) for c in card.status_changes] == [
        ("In Progress", "In Review")]


def test_cloud_reads_the_changelog_the_search_cut_from_the_newest_page_back(
        tmp_path: Path, cloud: LocalJira) -> None:
    cloud.inline_histories = 2
    histories = [cloud.history(str(i), f"2023-01-{10 + i}T10:00:00.000+0900", "a", "b")
                 for i in range(5)]  # before the week
    for i in range(5, 150):  # in the week, a minute apart from Monday on
        minute = i - 5
        histories.append(cloud.history(
            str(i), f"2023-02-06T{10 + minute // 60:02d}:{minute % 60:02d}:00.000+0900",
            "x", "y"))
        for item in histories[-1]["items"]:
            item.update(field="labels", fieldId="labels")
    histories[20] = cloud.history("20", histories[20]["created"], "In Progress", "In Review")
    histories[140] = cloud.history("140", histories[140]["created"], "In Review", "Done")
    cloud.add_issue("STR-76", "Latency", status="Done", category="done", changelog=histories)
    card = pull(tmp_path, cloud).cards[0]
    assert [(c.from_status, c.to_status) for c in card.status_changes] == [
        ("In Progress", "In Review"), ("In Review", "Done")]
    pages = cloud.seen(r"^/rest/api/3/issue/STR-76/changelog$")
    assert [(p.query["startAt"], p.query["maxResults"]) for p in pages] == [
        (["50"], ["100"]), (["0"], ["50"])]


def test_the_status_line_comes_from_the_changelog_on_a_first_run() -> None:
    from reporter.config import Section
    from reporter.model.cards import Card, StatusChange
    from reporter.report.compose import Inputs, compose

    moved = Card("STR-76", "Latency", status="Done", status_changes=(
        StatusChange("2023-02-08T10:15:00.000+0900", "In Progress", "Done"),))
    undone = Card("STR-68", "Back", status="In Progress", status_changes=(
        StatusChange("2023-02-06T10:00:00.000+0900", "In Progress", "Done"),
        StatusChange("2023-02-07T10:00:00.000+0900", "Done", "In Progress")))
    snap = JiraSnapshot("2023-02-13T09:00:00+09:00", None, None, (moved, undone))
    old = JiraSnapshot("2023-02-06T09:00:00+09:00", None, None, (
        Card("STR-76", "Latency", status="To Do"), Card("STR-68", "Back", status="In Progress")))

    def first_bullets(previous: JiraSnapshot | None) -> list[str]:
        view = compose(Inputs(week_end=WEEK_END, sections=(Section("Stratos", ("STR",)),),
                              notes=None, jira=snap, previous_jira=previous)).view
        return [card.bullets[0] for card in view.sections[0].cards]

    assert first_bullets(None) == ["Status: In Progress -> Done -> In Progress",
                                   "Status: In Progress -> Done"]
    assert first_bullets(old) == ["Status: In Progress -> Done -> In Progress",
                                  "Status: In Progress -> Done; last report: To Do"]
