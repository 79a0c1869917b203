"""Patchwork (the project exists, the submitter is known there); the list archives answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from reporter.config import PatchesConfig
from reporter.doctor.result import Check, fail, failed, ok, warn
from reporter.errors import SourceError

if TYPE_CHECKING:
    import requests

    from reporter.sources.patch_http import Deadline


def doctor_session() -> requests.Session:
    """The patch sources' session, without retries: the doctor reports the state as it is."""
    from reporter.sources.patch_http import make_session

    return make_session(retries=0)


def check_patchwork(pc: PatchesConfig, session: requests.Session, deadline: Deadline
                    ) -> Iterator[Check]:
    from reporter.sources.patchwork import NotFound, PatchworkClient

    pw = pc.patchwork
    assert pw is not None
    client = PatchworkClient(pw, session, timeout_s=pc.timeout_s, deadline=deadline,
                             max_pages=pc.max_pages)
    step = "patchwork"
    try:
        client.read("")
        yield ok(step, f"{client.api}/ answers")
        step = "patchwork project"
        try:
            client.read(f"projects/{pw.project}/")
        except NotFound:
            yield fail(step, f"{pw.project!r} is not a project of {pw.url}",
                       "set patches.patchwork.project to the project's link name, as in "
                       f"{pw.url}/project/NAME/list/")
            return
        yield ok(step, f"{pw.project} exists")
        step = "patchwork submitter"
        people = client.people(pc.submitter)
        if people:
            names = ", ".join(f"{p.name} <{p.email}> (#{p.id})" if p.name
                              else f"{p.email} (#{p.id})" for p in people)
            yield ok(step, f"{pc.submitter} is known: {names}")
            return
        try:
            page = client.read("patches/", {"project": pw.project, "submitter": pc.submitter,
                                            "per_page": 1})
        except SourceError as exc:
            if "HTTP 400" not in exc.message:  # Patchwork: no person has that address
                raise
            yield fail(step, f"{pw.url} knows no one with the address {pc.submitter}",
                       "set patches.submitter to the address your patches are sent from")
            return
        if isinstance(page, list) and page:
            yield ok(step, f"{pc.submitter} has patches in {pw.project}"
                     + (" (the people list needs a token here)" if people is None else ""))
        else:
            yield fail(step, f"no person and no patch of {pc.submitter} in {pw.project}",
                       "set patches.submitter to the address your patches are sent from")
    except SourceError as exc:
        yield failed(step, exc)


def check_archive(name: str, url: str, session: requests.Session, timeout_s: float,
                  deadline: Deadline) -> Check:
    """The archive's list page answers (`<lore>/`, `<pipermail>/`)."""
    import requests

    page = f"{url.rstrip('/')}/"
    fix = f"check patches.archive.{name} (the list's page, like " + (
        "https://lore.kernel.org/u-boot)" if name == "lore"
        else "https://lists.denx.de/pipermail/u-boot)")
    if deadline.remaining() <= 0:
        return fail(name, "not checked: the patches deadline ran out",
                    "raise patches.deadline_s")
    try:
        response = session.get(page, timeout=deadline.timeout(timeout_s))
        response.close()
    except requests.RequestException as exc:
        # Without retries urllib3 reports a read timeout as "max retries exceeded", which
        # requests turns into a ConnectionError: its text still says it timed out.
        if isinstance(exc, requests.Timeout) or "timed out" in str(exc):
            return fail(name, f"no answer from {page} within {timeout_s:g} s",
                        "raise patches.timeout_s, or try again later")
        return fail(name, f"cannot reach {page} ({type(exc).__name__})",
                    f"{fix}, and the network")
    if response.status_code == 404:
        return fail(name, f"HTTP 404 from {page}: no list archive there", fix)
    if response.status_code >= 400:
        return fail(name, f"HTTP {response.status_code} from {page}",
                    "the archive is failing; try again later")
    return ok(name, f"{page} answers")


def check_patch_sources(pc: PatchesConfig, session: requests.Session | None = None
                        ) -> Iterator[Check]:
    """Patchwork, lore and pipermail, each as configured, within patches.deadline_s."""
    from reporter.sources.patch_http import Deadline

    http = session or doctor_session()
    deadline = Deadline(pc.deadline_s)
    if pc.patchwork is not None:
        yield from check_patchwork(pc, http, deadline)
    elif pc.links == "patchwork":
        yield warn("patchwork", "not configured, yet patches.links is patchwork")
    for name, url in (("lore", pc.archive.lore), ("pipermail", pc.archive.pipermail)):
        if url:
            yield check_archive(name, url, http, pc.timeout_s, deadline)
