"""The patch-status pull: Patchwork, then the list archive, then the git tree, into one snapshot."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from reporter.model.patches import MergedCommit, PatchSnapshot, Series
from reporter.sources.patch_http import Deadline, make_session
from reporter.week import week_start

if TYPE_CHECKING:
    import requests

    from reporter.config import Config, PatchesConfig
    from reporter.sources.mbox import Message

log = logging.getLogger(__name__)


def pull_patches(config: Config, week_end: dt.date, now: dt.datetime, *,
                 previous: PatchSnapshot | None,
                 session: requests.Session | None = None) -> PatchSnapshot:
    """The submitter's series active in the week or still open, with archive and git facts.

    `previous` is the latest stored patches snapshot before this week (None on a first
    pull): its open series bound how far back Patchwork is read. Raises SourceError
    ("patchwork: ...", "lore: ...", "git: ...") naming the fix; writes nothing but the
    git scan and Patchwork lookup caches under `<data_dir>/cache/`.
    """
    pc = config.patches
    if pc is None:
        return PatchSnapshot(pulled_at=now.isoformat(), submitter="", timezone=config.timezone)
    tz = config.tz
    start = dt.datetime.combine(week_start(week_end), dt.time(0), tz).astimezone(dt.UTC)
    end = dt.datetime.combine(week_end + dt.timedelta(days=1), dt.time(0), tz).astimezone(dt.UTC)
    deadline = Deadline(pc.deadline_s)
    http = session or make_session()
    emails = list(submitter_addresses(pc))

    series_list: list[Series] = []
    if pc.patchwork is not None:
        from reporter.sources.patch_series import from_patchwork

        view = from_patchwork(pc, http, deadline, start, end, previous, emails,
                              config.cache_dir)
        series_list, emails = list(view.series), list(view.emails)
    elif previous is not None:
        series_list = [s for s in previous.series if s.is_open]

    texts: dict[str, str] = {}  # patch msgid -> the posted mail, for patch-id
    subjects: dict[int, str] = {}  # series id -> its first mail's subject, for pipermail
    if pc.archive.lore:
        read = []
        for series in series_list:
            series, thread = _with_thread(series, pc, http, deadline, emails)
            read.append(series)
            if thread is not None:
                texts.update(thread[0])
                subjects[series.id] = thread[1]
        series_list = read

    if pc.git is not None and series_list:
        from reporter.sources.patch_versions import claim_merges

        merged = claim_merges(series_list, _merged(pc, config, series_list, emails, texts))
        series_list = [replace(s, merged=tuple(merged[p.msgid] for p in s.patches
                                               if p.msgid in merged))
                       for s in series_list]

    series_list = [replace(s, archive_url=_archive_url(s, pc, http, deadline, previous,
                                                       subjects.get(s.id)))
                   for s in series_list]
    series_list.sort(key=lambda s: (s.date, s.id))
    return PatchSnapshot(
        pulled_at=now.isoformat(),
        submitter=pc.submitter,
        timezone=config.timezone,
        emails=tuple(sorted(set(emails))),
        patchwork=f"{pc.patchwork.url}/project/{pc.patchwork.project}/"
        if pc.patchwork else None,
        git_branches=pc.git.branches if pc.git else (),
        series=tuple(series_list),
    )


def submitter_addresses(pc: PatchesConfig) -> tuple[str, ...]:
    """The configured addresses, then those the git tree's `.mailmap` joins to them."""
    if pc.git is None:
        return pc.addresses
    from reporter.sources.mailmap import mailmap_addresses

    return mailmap_addresses(pc.git.repo, pc.addresses)


# -- the list archive ----------------------------------------------------------


def _with_thread(series: Series, pc: PatchesConfig, http: requests.Session,
                 deadline: Deadline, emails: Sequence[str],
                 ) -> tuple[Series, tuple[dict[str, str], str] | None]:
    """The series with its thread's review tags and applied replies; the patch mails."""
    from reporter.sources.lore import fetch_thread, thread_facts

    assert pc.archive.lore is not None
    targets = [p.msgid for p in series.patches]
    if series.cover_msgid:
        targets.insert(0, series.cover_msgid)
    messages: dict[str, Message] = {}
    fetched = False
    for msgid in targets:
        if msgid in messages:
            continue
        thread = fetch_thread(http, pc.archive.lore, msgid, timeout_s=pc.timeout_s,
                              deadline=deadline, max_bytes=pc.archive.max_thread_bytes)
        if thread is None:
            continue
        fetched = True
        for message in thread:
            messages.setdefault(message.msgid, message)
    if not fetched:
        return series, None
    facts = thread_facts(messages.values(), targets, emails)
    subject = messages[series.msgid].subject if series.msgid in messages else ""
    return (replace(series, review_tags=facts.tags, applied=facts.applied, thread_fetched=True),
            (dict(facts.patch_texts), subject))


# -- the git tree ----------------------------------------------------------------


def _merged(pc: PatchesConfig, config: Config, series_list: Sequence[Series],
            emails: Sequence[str], texts: dict[str, str]) -> dict[str, MergedCommit]:
    from reporter.sources.gittree import GitTree, PatchQuery
    from reporter.sources.patchid import patch_ids_of_mails
    from reporter.sources.patchwork_json import clean_subject

    assert pc.git is not None
    tree = GitTree(pc.git.repo, pc.git.branches, emails, config.cache_dir)
    tree.open()
    tree.scan()
    ids = patch_ids_of_mails(texts, tree.repo)
    queries = [PatchQuery(msgid=p.msgid, subject=clean_subject(p.name),
                          patch_id=ids.get(p.msgid))
               for s in series_list for p in s.patches]
    return tree.find(queries)


# -- the reference ---------------------------------------------------------------


def _archive_url(series: Series, pc: PatchesConfig, http: requests.Session,
                 deadline: Deadline, previous: PatchSnapshot | None,
                 subject: str | None) -> str:
    from reporter.sources.lore import message_url

    lore = message_url(pc.archive.lore, series.msgid) if pc.archive.lore else None
    if pc.links == "patchwork":
        return _patchwork_link(series) or lore or ""
    if pc.links == "pipermail" and pc.archive.pipermail:
        old = previous.find(series.id) if previous else None
        if old is not None and old.archive_url.startswith(pc.archive.pipermail):
            return old.archive_url
        from reporter.sources.pipermail import resolve

        found = resolve(http, pc.archive.pipermail, series.msgid,
                        dt.datetime.fromisoformat(series.date), subject or series.name,
                        timeout_s=pc.timeout_s, deadline=deadline)
        if found:
            return found
    return lore or series.web_url



def _patchwork_link(series: Series) -> str:
    """A Patchwork page that shows the series' patches whatever their state: the patch's
    own page for a one-patch series, else the list with every state and archived ones."""
    if len(series.patches) == 1 and series.total == 1 and series.patches[0].web_url:
        return series.patches[0].web_url
    return series.web_url
