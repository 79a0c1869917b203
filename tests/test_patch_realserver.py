"""The local Patchwork answers as the real Patchwork 3.2.1 did on loopback.

The recorded answers are in tests/fixtures/patches/patchwork-3.2.1/ (its README says
how they were made); each test asks the local server the same question and compares
the shape: keys, date formats, status, body and `Link` header.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from tests.patch_helpers import SUBMITTER, patchwork_data
from tests.servers.patchwork import PatchworkServer

REAL = Path(__file__).parent / "fixtures" / "patches" / "patchwork-3.2.1"
NAIVE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?$")


def recorded(name: str) -> tuple[int, dict[str, str], Any]:
    head = (REAL / f"{name}.headers").read_text().splitlines()
    status = int(head[0].split()[1])
    headers = dict(line.split(": ", 1) for line in head[1:])
    return status, headers, json.loads((REAL / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def pw() -> Iterator[PatchworkServer]:
    with PatchworkServer(patchwork_data()) as server:
        yield server


def ask(pw: PatchworkServer, path: str) -> requests.Response:
    return requests.get(f"{pw.url}/api/1.3/{path}", timeout=5)


def keys(value: Any) -> Any:
    """The shape of a JSON value: keys, recursively; lists by their first item."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def same_keys(real: Any, ours: Any) -> None:
    if isinstance(real, dict):
        assert set(real) == set(ours)
        for key in real:
            if key == "headers":  # a mail's own headers: their names vary
                continue
            if real[key] is not None and ours[key] is not None:
                same_keys(real[key], ours[key])
    elif isinstance(real, list) and real and ours:
        same_keys(real[0], ours[0])


def links(header: str) -> dict[str, list[tuple[str, str]]]:
    out = {}
    for part in header.split(", <"):
        url, rel = part.strip("<").split(">; rel=")
        out[rel.strip('"')] = parse_qsl(urlsplit(url).query)
    return out


@pytest.mark.parametrize(("name", "path"), [
    ("patch-detail", "patches/1004/"), ("series-detail", "series/301/"),
    ("patch-comments", "patches/1002/comments/"), ("cover-comments", "covers/1000/comments/"),
    ("project", "projects/uboot/"),
])
def test_objects_have_the_real_shape(pw: PatchworkServer, name: str, path: str) -> None:
    status, _, real = recorded(name)
    answer = ask(pw, path)
    assert answer.status_code == status == 200
    same_keys(real, answer.json())


def test_events_have_the_real_shape_naive_local_dates_and_order(pw: PatchworkServer) -> None:
    _, headers, real = recorded("events-page1")
    answer = ask(pw, "events/?project=uboot&category=patch-state-changed&per_page=3")
    ours = answer.json()
    same_keys(real, ours)
    assert all(NAIVE.match(e["date"]) for e in real + ours)  # no offset, no Z
    assert [e["date"] for e in real] == sorted((e["date"] for e in real), reverse=True)
    assert [e["date"] for e in ours] == sorted((e["date"] for e in ours), reverse=True)
    # Recorded at 09:32 UTC, stored as 20:32: Canberra's summer time, not UTC.
    assert headers["Date"].startswith("Tue, 01 Dec 2026 09:3")
    assert real[0]["date"].startswith("2026-12-01T20:3")


def test_the_tags_field_is_always_empty(pw: PatchworkServer) -> None:
    _, _, real = recorded("patch-detail")
    assert real["tags"] == {}
    assert ask(pw, "patches/1002/").json()["tags"] == {}
    assert all(p["tags"] == {} for p in ask(pw, "patches/?project=uboot").json())


def test_link_headers_name_every_page_as_drf_writes_them(pw: PatchworkServer) -> None:
    _, first_headers, _ = recorded("events-page1")
    _, last_headers, _ = recorded("events-page3")
    query = "events/?project=uboot&category=patch-state-changed"
    page1 = ask(pw, query).headers["Link"]
    last_rel = links(page1)["last"]
    last_page = dict(last_rel)["page"]
    page_n = ask(pw, f"{query}&page={last_page}").headers["Link"]
    for real, ours in ((first_headers["Link"], page1), (last_headers["Link"], page_n)):
        real_links, our_links = links(real), links(ours)
        assert list(real_links) == list(our_links)  # the same rels in the same order
        for pairs in (*real_links.values(), *our_links.values()):
            assert [k for k, _ in pairs] == sorted(k for k, _ in pairs)  # keys sorted
            assert "page" in dict(pairs)  # page=1 spelt out in `first`


@pytest.mark.parametrize(("name", "path"), [
    ("patches-unknown-submitter", "patches/?project=uboot&submitter=nobody%40example.org"),
    ("patches-unknown-project", f"patches/?project=u-boot&submitter={SUBMITTER[1]}"),
    ("patches-one-unknown-submitter-of-two",
     f"patches/?project=uboot&submitter={SUBMITTER[1]}&submitter=nobody%40example.org"),
    ("patches-bad-since", "patches/?project=uboot&since=notadate"),
])
def test_an_unusable_filter_value_is_200_and_an_empty_list(pw: PatchworkServer, name: str,
                                                          path: str) -> None:
    status, headers, real = recorded(name)
    answer = ask(pw, path)
    assert (status, real) == (answer.status_code, answer.json()) == (200, [])
    assert list(links(headers["Link"])) == list(links(answer.headers["Link"])) == [
        "first", "last"]


def test_event_filters_compare_the_servers_local_time(pw: PatchworkServer) -> None:
    # Recorded: events made at 20:32 Canberra time (09:32 UTC) are not found by a window
    # of 09:00 to 10:00: the filter compares the stored local times.
    _, _, real = recorded("events-since-utc-window")
    assert real == []
    # The local server's event 5003 happened at 01:00 UTC on Feb 6, 12:00 in Canberra.
    utc = ask(pw, "events/?category=patch-state-changed&since=2023-02-06T00:30:00"
                  "&before=2023-02-06T01:30:00").json()
    local = ask(pw, "events/?category=patch-state-changed&since=2023-02-06T11:30:00"
                    "&before=2023-02-06T12:30:00").json()
    assert utc == [] and [e["id"] for e in local] == [5003]


@pytest.mark.parametrize(("name", "path"), [("project-missing", "projects/u-boot/"),
                                            ("people-anonymous", "people/?q=takahiro")])
def test_refusals_match(pw: PatchworkServer, name: str, path: str) -> None:
    status, _, real = recorded(name)
    answer = ask(pw, path)
    assert (answer.status_code, answer.json()) == (status, real)
