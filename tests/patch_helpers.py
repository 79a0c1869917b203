"""Builds the patch-status scenario: git repos, posted mails, archive threads, Patchwork data."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.servers.lore import Archive
from tests.servers.patchwork import PatchworkData, local_naive

FIXTURES = Path(__file__).parent / "fixtures" / "patches"
SUBMITTER = ("AKASHI Takahiro", "takahiro.akashi@linaro.org")
SECOND_ADDRESS = "akashi.tkhro@gmail.com"
MAINTAINER = ("Tom Rini", "trini@konsulko.com")
REVIEWER = ("Simon Glass", "sjg@chromium.org")
EFI = ("Heinrich Schuchardt", "xypron.glpk@gmx.de")
ILIAS = ("Ilias Apalodimas", "ilias.apalodimas@linaro.org")

# S1: a v2 series of three patches with a cover letter, posted in the week.
S1_COVER = "20230207021500.1-takahiro.akashi@linaro.org"
S1 = ["20230207021500.2-takahiro.akashi@linaro.org",
      "20230207021500.3-takahiro.akashi@linaro.org",
      "20230207021500.4-takahiro.akashi@linaro.org"]
S1_SUBJECTS = ["efi_loader: capsule: check the image index first",
               "efi_loader: capsule: free the buffer on error",
               "efi_loader: capsule: reorder the checks"]
# S2: one patch from the submitter's second address, older, still under review.
S2 = "20230110080000.1-akashi.tkhro@gmail.com"
S2_SUBJECT = "cmd: bootefi: clean up"
# S3: accepted and archived long ago: never shown.
S3 = "20221201000000.1-takahiro.akashi@linaro.org"
# S4: posted in the week, two of three patches arrived, not in the archive yet.
S4 = ["20230209050000.1-takahiro.akashi@linaro.org",
      "20230209050000.2-takahiro.akashi@linaro.org"]
S4_SUBJECTS = ["doc: fix typos in README", "doc: describe the capsule update"]
# The shape of U-Boot's own .mailmap line for the submitter (u-boot/u-boot, HEAD).
MAILMAP = ("# Proper Name <proper@email.xx> <commit@email.xx>\n"
           f"{SUBMITTER[0]} <{SECOND_ADDRESS}> <{SUBMITTER[1]}>\n"
           "Tom Rini <trini@konsulko.com> <trini@ti.com>\n")


def git_env(author: tuple[str, str] = SUBMITTER, date: str = "2023-01-02T00:00:00+00:00",
            committer: tuple[str, str] | None = None) -> dict[str, str]:
    committer = committer or author
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": date, "LC_ALL": "C",
    })
    return env


def git(repo: Path, *args: str, env: dict[str, str] | None = None,
        stdin: bytes | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True,
                          env=env or git_env(), check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
    return proc.stdout.decode()


def commit(repo: Path, message: str, files: dict[str, str], *,
           author: tuple[str, str] = SUBMITTER, committer: tuple[str, str] = MAINTAINER,
           date: str = "2023-01-02T00:00:00+00:00") -> str:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message,
        env=git_env(author=author, date=date, committer=committer))
    return git(repo, "rev-parse", "HEAD").strip()


def source(name: str, lines: int, extra: str = "") -> str:
    body = "".join(f"int {name}_{i}(void) {{ return {i}; }}\n" for i in range(lines))
    return f"// SPDX-License-Identifier: GPL-2.0+\n{body}{extra}"


@dataclass
class Scenario:
    work: Path
    upstream: Path
    mails: dict[str, bytes] = field(default_factory=dict)  # msgid -> posted mail
    commits: dict[str, str] = field(default_factory=dict)  # role -> sha in upstream


def build_repos(root: Path) -> Scenario:
    """The submitter's work tree (S1 and S2 as commits) and the upstream tree that merged S1."""
    work = root / "work"
    work.mkdir(parents=True)
    git(work, "init", "-q", "-b", "master")
    base_files = {
        "lib/efi_loader/efi_capsule.c": source("capsule", 30),
        "lib/efi_loader/efi_firmware.c": source("firmware", 30),
        "include/efi_capsule.h": "/* capsule */\n" + source("hdr", 10),
        "cmd/bootefi.c": source("bootefi", 30),
        "doc/README": "Das U-Boot\n" * 5,
        ".mailmap": MAILMAP,
    }
    base = commit(work, "Initial commit", base_files, author=MAINTAINER,
                  date="2023-01-01T00:00:00+00:00")
    git(work, "checkout", "-q", "-b", "s1")
    [
        commit(work, f"{S1_SUBJECTS[0]}\n\nCheck the index before the size.\n\n"
               f"Signed-off-by: {SUBMITTER[0]} <{SUBMITTER[1]}>",
               {"lib/efi_loader/efi_capsule.c": source("capsule", 30, "int index_first;\n")},
               date="2023-02-06T10:00:00+00:00"),
        commit(work, f"{S1_SUBJECTS[1]}\n\nReviewed-by: {ILIAS[0]} <{ILIAS[1]}>\n"
               f"Signed-off-by: {SUBMITTER[0]} <{SUBMITTER[1]}>",
               {"lib/efi_loader/efi_firmware.c": source("firmware", 30, "int freed;\n")},
               date="2023-02-06T10:01:00+00:00"),
        commit(work, f"{S1_SUBJECTS[2]}\n\nSigned-off-by: {SUBMITTER[0]} <{SUBMITTER[1]}>",
               {"include/efi_capsule.h": "/* capsule */\n" + source("hdr", 10, "int order;\n")},
               date="2023-02-06T10:02:00+00:00"),
    ]
    git(work, "checkout", "-q", "-b", "s2", base)
    commit(work, f"{S2_SUBJECT}\n\nSigned-off-by: {SUBMITTER[0]} <{SECOND_ADDRESS}>",
           {"cmd/bootefi.c": source("bootefi", 30, "int tidy;\n")},
           author=(SUBMITTER[0], SECOND_ADDRESS), date="2023-01-10T08:00:00+00:00")

    scenario = Scenario(work=work, upstream=root / "upstream")
    patches = format_patches(work, f"{base}..s1", "PATCH v2")
    for msgid, mail in zip(S1, patches, strict=False):
        scenario.mails[msgid] = mail_headers(mail, msgid, in_reply_to=S1_COVER,
                                             date="Tue, 07 Feb 2023 11:15:00 +0900")
    scenario.mails[S1_COVER] = cover_letter()
    (s2_mail,) = format_patches(work, f"{base}..s2", "PATCH")
    scenario.mails[S2] = mail_headers(s2_mail, S2, in_reply_to=None,
                                      date="Tue, 10 Jan 2023 17:00:00 +0900")

    up = scenario.upstream
    git(root, "clone", "-q", "-b", "master", str(work), str(up))
    git(up, "reset", "-q", "--hard", base)
    git(up, "remote", "remove", "origin")
    tom = git_env(author=MAINTAINER, committer=MAINTAINER, date="2023-02-08T09:00:00+00:00")
    # 1: applied unchanged: matches by patch-id.
    git(up, "am", "-q", env=tom, stdin=scenario.mails[S1[0]])
    scenario.commits["p1"] = git(up, "rev-parse", "HEAD").strip()
    git(up, "tag", "-a", "-m", "v2023.04-rc1", "v2023.04-rc1",
        env=git_env(author=MAINTAINER, date="2023-02-08T10:00:00+00:00"))
    # Commits that must not match: another author with an S4 subject, and the submitter's
    # other work with a near subject.
    scenario.commits["other-author"] = commit(
        up, S4_SUBJECTS[0], {"doc/README": "Das U-Boot!\n" * 5}, author=REVIEWER,
        date="2023-02-08T11:00:00+00:00")
    scenario.commits["other-work"] = commit(
        up, f"{S2_SUBJECT} the help text", {"cmd/bootefi.c": source("bootefi", 31)},
        date="2023-02-08T12:00:00+00:00")
    # 2: applied, then changed by the maintainer: matches by author and subject only.
    git(up, "am", "-q", env=git_env(author=MAINTAINER, date="2023-02-09T09:00:00+00:00"),
        stdin=scenario.mails[S1[1]])
    (up / "lib/efi_loader/efi_firmware.c").write_text(
        source("firmware", 30, "int freed; /* fixed up */\n"))
    git(up, "commit", "-q", "-a", "--amend", "--no-edit",
        env=git_env(author=MAINTAINER, date="2023-02-09T09:00:00+00:00"))
    scenario.commits["p2"] = git(up, "rev-parse", "HEAD").strip()
    git(up, "tag", "-a", "-m", "v2023.04-rc2", "v2023.04-rc2",
        env=git_env(author=MAINTAINER, date="2023-02-09T10:00:00+00:00"))
    # 3: rewritten by a custodian on next (new author, subject and diff), with a Link:.
    git(up, "checkout", "-q", "-b", "next")
    scenario.commits["p3"] = commit(
        up, "efi_loader: capsule: reorder checks in efi_capsule_update\n\n"
        f"Signed-off-by: {SUBMITTER[0]} <{SUBMITTER[1]}>\n"
        f"Link: https://lore.kernel.org/r/{S1[2]}\n"
        f"Signed-off-by: {EFI[0]} <{EFI[1]}>",
        {"include/efi_capsule.h": "/* capsule */\n" + source("hdr", 10, "int order = 1;\n")},
        author=EFI, committer=EFI, date="2023-02-09T12:00:00+00:00")
    git(up, "checkout", "-q", "master")
    return scenario


def format_patches(repo: Path, revs: str, prefix: str) -> list[bytes]:
    out = git(repo, "format-patch", "--stdout", f"--subject-prefix={prefix}", revs)
    parts = re.split(r"^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\n", out, flags=re.M)
    return [p.encode() for p in parts if p.strip()]


def mail_headers(mail: bytes, msgid: str, *, in_reply_to: str | None, date: str) -> bytes:
    """A format-patch mail as the list delivers it: Message-Id, threading, To, Date."""
    head, _, body = mail.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.startswith(b"Date:")]
    lines.append(f"Date: {date}".encode())
    lines.append(f"Message-Id: <{msgid}>".encode())
    lines.append(b"To: u-boot@lists.denx.de")
    if in_reply_to:
        lines.append(f"In-Reply-To: <{in_reply_to}>".encode())
        lines.append(f"References: <{in_reply_to}>".encode())
    return b"\n".join(lines) + b"\n\n" + body


def cover_letter() -> bytes:
    return (
        f"From: {SUBMITTER[0]} <{SUBMITTER[1]}>\n"
        "To: u-boot@lists.denx.de\n"
        "Date: Tue, 07 Feb 2023 11:15:00 +0900\n"
        f"Message-Id: <{S1_COVER}>\n"
        "Subject: [PATCH v2 0/3] efi_loader: capsule: fix the update order\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n"
        "The capsule update checks things in the wrong order.\n"
        "From v1: rebased.\n\n"
        f"{SUBMITTER[0]} (3):\n  " + "\n  ".join(S1_SUBJECTS) + "\n"
    ).encode()


def reply(msgid: str, parent: str, sender: str, subject: str, date: str, body: str,
          extra: str = "") -> bytes:
    return (f"From: {sender}\nTo: u-boot@lists.denx.de\nDate: {date}\n"
            f"Message-ID: <{msgid}>\nIn-Reply-To: <{parent}>\nReferences: <{parent}>\n"
            f"Subject: {subject}\n{extra}\n{body}").encode()


def s1_thread(scenario: Scenario) -> dict[str, bytes]:
    """The S1 thread as the archive holds it: the series and its replies."""
    thread = {S1_COVER: scenario.mails[S1_COVER]}
    thread.update({m: scenario.mails[m] for m in S1})
    thread["r1@linaro.org"] = reply(
        "r1@linaro.org", S1_COVER, f"{ILIAS[0]} <{ILIAS[1]}>",
        "Re: [PATCH v2 0/3] efi_loader: capsule: fix the update order",
        "Wed, 08 Feb 2023 09:00:00 +0200",
        "From the cover letter this looks right.\n\n"
        f"Reviewed-by: {ILIAS[0]} <{ILIAS[1]}>\n")
    thread["r2@chromium.org"] = reply(
        "r2@chromium.org", S1[1], "Simon Glass via U-Boot <u-boot@lists.denx.de>",
        f"Re: [PATCH v2 2/3] {S1_SUBJECTS[1]}", "Wed, 08 Feb 2023 08:00:00 -0700",
        f"On Tue, 7 Feb 2023 at 03:15, {SUBMITTER[0]} wrote:\n"
        "> Reviewed-by: Quoted Person <quoted@example.org>\n> ---\n\n"
        f"Reviewed-by: {REVIEWER[0]} <{REVIEWER[1]}>\n",
        extra=f"Reply-To: {REVIEWER[0]} <{REVIEWER[1]}>\n")
    thread["r3@gmx.de"] = reply(
        "r3@gmx.de", S1[0], f"xypron.glpk at gmx.de ({EFI[0]})",
        f"Re: [PATCH v2 1/3] {S1_SUBJECTS[0]}", "Wed, 08 Feb 2023 20:00:00 +0100",
        f"Tested-by: {EFI[0]} <xypron.glpk at gmx.de>\n")
    thread["r4@konsulko.com"] = reply(
        "r4@konsulko.com", S1[0], f"{MAINTAINER[0]} <{MAINTAINER[1]}>",
        f"Re: [PATCH v2 1/3] {S1_SUBJECTS[0]}", "Thu, 09 Feb 2023 10:00:00 -0500",
        "On Tue, Feb 07, 2023 at 11:15:00AM +0900, AKASHI Takahiro wrote:\n\n"
        "> Check the index before the size.\n> Applied to nowhere, quoted\n\n"
        "Applied to u-boot/master, thanks!\n\n-- \nTom\n")
    thread["r5@linaro.org"] = reply(
        "r5@linaro.org", "r2@chromium.org", f"{SUBMITTER[0]} <{SUBMITTER[1]}>",
        f"Re: [PATCH v2 2/3] {S1_SUBJECTS[1]}", "Thu, 09 Feb 2023 11:00:00 +0900",
        f"Thanks.\nAcked-by: {SUBMITTER[0]} <{SUBMITTER[1]}>\n")
    thread["r6@chromium.org"] = reply(
        "r6@chromium.org", "r1@linaro.org", f"{REVIEWER[0]} <{REVIEWER[1]}>",
        "Re: [PATCH v2 0/3] efi_loader: capsule: fix the update order",
        "Thu, 09 Feb 2023 12:00:00 -0700", f"Acked-by: {REVIEWER[0]} <{REVIEWER[1]}>\n")
    return thread


def s2_thread(scenario: Scenario) -> dict[str, bytes]:
    return {
        S2: scenario.mails[S2],
        "r7@linaro.org": reply("r7@linaro.org", S2, f"{ILIAS[0]} <{ILIAS[1]}>",
                               f"Re: [PATCH] {S2_SUBJECT}", "Mon, 06 Feb 2023 09:00:00 +0200",
                               f"Reviewed-by: {ILIAS[0]} <{ILIAS[1]}>\n"),
    }


def archive_for(scenario: Scenario) -> Archive:
    archive = Archive()
    archive.add_thread(s1_thread(scenario))
    archive.add_thread(s2_thread(scenario))
    return archive


# -- Patchwork's JSON -----------------------------------------------------------


def _template(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "patchwork" / name).read_text())


def person(pid: int, name: str, email: str, user: int | None) -> dict[str, Any]:
    data = _template("person.json")
    data.update(id=pid, url=f"https://pw.example/api/1.3/people/{pid}/", name=name, email=email)
    if user is None:
        data["user"] = None
    else:
        data["user"] = dict(data["user"], id=user)
    return data


def _submitter(pid: int, name: str, email: str) -> dict[str, Any]:
    return {"id": pid, "url": f"https://pw.example/api/1.3/people/{pid}/", "name": name,
            "email": email}


def _embedded(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "url", "web_url", "msgid", "list_archive_url", "date", "name", "mbox")
    return {k: item[k] for k in keys if k in item}


def patch(pid: int, msgid: str, name: str, date: str, state: str, series: dict[str, Any],
          submitter: dict[str, Any], archived: bool = False) -> dict[str, Any]:
    data = copy.deepcopy(_template("patch.json"))
    data.update(
        id=pid, url=f"https://pw.example/api/1.3/patches/{pid}/",
        web_url=f"https://pw.example/project/uboot/patch/{msgid}/", msgid=f"<{msgid}>",
        list_archive_url=f"https://lore.kernel.org/u-boot/{msgid}/", date=date, name=name,
        state=state, archived=archived, submitter=submitter, tags={},
        series=[{k: series[k] for k in ("id", "url", "web_url", "date", "name", "version",
                                         "mbox")}],
        mbox=f"https://pw.example/project/uboot/patch/{msgid}/mbox/",
    )
    return data


def series(sid: int, name: str, date: str, version: int, total: int,
           submitter: dict[str, Any], cover: tuple[int, str, str] | None) -> dict[str, Any]:
    data = copy.deepcopy(_template("series.json"))
    data.update(
        id=sid, url=f"https://pw.example/api/1.3/series/{sid}/",
        web_url=f"https://pw.example/project/uboot/list/?series={sid}", name=name, date=date,
        version=version, total=total, received_total=0, received_all=False,
        submitter=submitter, patches=[],
        mbox=f"https://pw.example/series/{sid}/mbox/",
    )
    if cover is None:
        data["cover_letter"] = None
    else:
        cid, msgid, cname = cover
        data["cover_letter"] = dict(data["cover_letter"], id=cid, msgid=f"<{msgid}>",
                                    name=cname, date=date)
    return data


def event(eid: int, utc: str, patch_item: dict[str, Any], previous: str, current: str,
          zone: str = "Australia/Canberra") -> dict[str, Any]:
    """A state change at `utc` (naive UTC), stored as the server does: naive local time."""
    data = copy.deepcopy(_template("event-state-changed.json"))
    data.update(id=eid, date=local_naive(utc, zone))
    data["payload"] = {"patch": _embedded(patch_item), "previous_state": previous,
                       "current_state": current}
    return data


def comment(cid: int, target: dict[str, Any], sender: tuple[str, str], utc: str,
            content: str) -> dict[str, Any]:
    """A comment in Patchwork 3.2.1's shape (recorded: patchwork-3.2.1/patch-comments.json);
    `date` is the reply's Date header in naive UTC."""
    data: dict[str, Any] = copy.deepcopy(json.loads(
        (FIXTURES / "patchwork-3.2.1" / "patch-comments.json").read_text())[0])
    msgid = f"c{cid}@example.org"
    data.update(id=cid, url=f"https://pw.example/api/1.3/comments/{cid}/",
                web_url=f"https://pw.example/comment/{cid}/", msgid=f"<{msgid}>", date=utc,
                subject=f"Re: {target['name']}", content=content,
                submitter={"id": 900 + cid, "url": "https://pw.example/api/1.3/people/0/",
                           "name": sender[0], "email": sender[1]})
    data["headers"] = dict(data["headers"], From=f"{sender[0]} <{sender[1]}>",
                           **{"Message-ID": f"<{msgid}>", "In-Reply-To": target["msgid"],
                              "References": target["msgid"]})
    return data


def patchwork_data() -> PatchworkData:
    """The project as Patchwork holds it for the week ending Friday 2023-02-10."""
    me = _submitter(10, *SUBMITTER)
    me2 = _submitter(11, SUBMITTER[0], SECOND_ADDRESS)
    marek = _submitter(30, "Marek Vasut", "marex@denx.de")
    data = PatchworkData()
    data.people = [  # /people/ answers them only where anonymous readers may list people
        person(10, SUBMITTER[0], SUBMITTER[1], user=5),
        person(11, SUBMITTER[0], SECOND_ADDRESS, user=5),
        person(12, f"{SUBMITTER[0]} via U-Boot", "u-boot@lists.denx.de", user=None),
        person(20, *REVIEWER, user=7),
        person(30, "Marek Vasut", "marex@denx.de", user=9),
    ]
    s1 = series(301, "efi_loader: capsule: fix the update order", "2023-02-07T02:15:00", 2, 3,
                me, (1000, S1_COVER, "[v2,0/3] efi_loader: capsule: fix the update order"))
    s2 = series(302, S2_SUBJECT, "2023-01-10T08:00:00", 1, 1, me2, None)
    s3 = series(303, "test: dm: add a test for the capsule", "2022-12-01T00:00:00", 1, 1, me,
                None)
    s4 = series(304, "[v3,1/3] doc: fix typos in README", "2023-02-09T05:00:00", 3, 3, me,
                None)
    s9 = series(401, "usb: fix the reset", "2023-02-08T00:00:00", 1, 1, marek, None)
    p = [
        patch(1001, S1[0], f"[v2,1/3] {S1_SUBJECTS[0]}", "2023-02-07T02:15:00", "accepted",
              s1, me),
        patch(1002, S1[1], f"[v2,2/3] {S1_SUBJECTS[1]}", "2023-02-07T02:15:01", "accepted",
              s1, me),
        patch(1003, S1[2], f"[v2,3/3] {S1_SUBJECTS[2]}", "2023-02-07T02:15:02", "new", s1, me),
        patch(1004, S2, S2_SUBJECT, "2023-01-10T08:00:00", "under-review", s2, me2),
        patch(1005, S3, "test: dm: add a test for the capsule", "2022-12-01T00:00:00",
              "accepted", s3, me, archived=True),
        patch(1006, S4[0], f"[v3,1/3] {S4_SUBJECTS[0]}", "2023-02-09T05:00:00", "new", s4, me),
        patch(1007, S4[1], f"[v3,2/3] {S4_SUBJECTS[1]}", "2023-02-09T05:00:01", "new", s4, me),
        patch(2001, "20230208000000.1-marex@denx.de", "usb: fix the reset",
              "2023-02-08T00:00:00", "new", s9, marek),
    ]
    for s, members in ((s1, p[0:3]), (s2, p[3:4]), (s3, p[4:5]), (s4, p[5:7]), (s9, p[7:8])):
        s["patches"] = [_embedded(x) for x in members]
        s["received_total"] = len(members)
        s["received_all"] = len(members) == s["total"]
    data.patches = p
    data.series = [s1, s2, s3, s4, s9]
    # Review replies as Patchwork stores them (the lore threads' tags, as comments).
    data.comments = {
        1002: [comment(1, p[1], REVIEWER, "2023-02-08T15:00:00",
                       "> Reviewed-by: Quoted Person <quoted@example.org>\n\n"
                       f"Reviewed-by: {REVIEWER[0]} <{REVIEWER[1]}>"),
               comment(2, p[1], SUBMITTER, "2023-02-09T02:00:00",
                       f"Thanks.\nAcked-by: {SUBMITTER[0]} <{SUBMITTER[1]}>")],
        1001: [comment(3, p[0], EFI, "2023-02-08T19:00:00",
                       f"Tested-by: {EFI[0]} <{EFI[1]}>")],
        1004: [comment(4, p[3], ILIAS, "2023-02-06T07:00:00",
                       f"Reviewed-by: {ILIAS[0]} <{ILIAS[1]}>")],
    }
    data.cover_comments = {
        1000: [comment(5, s1["cover_letter"], ILIAS, "2023-02-08T07:00:00",
                       f"From the cover letter this looks right.\n\n"
                       f"Reviewed-by: {ILIAS[0]} <{ILIAS[1]}>")],
    }
    data.events = [
        event(5001, "2023-02-09T13:40:12.345678", p[0], "new", "accepted"),
        event(5002, "2023-02-09T13:40:15.000000", p[1], "new", "accepted"),
        event(5003, "2023-02-06T01:00:00.000000", p[3], "new", "under-review"),
        event(5004, "2023-02-08T03:00:00.000000", p[7], "new", "changes-requested"),
        event(4001, "2023-01-20T03:00:00.000000", p[4], "new", "accepted"),
    ]
    return data


def write_config(root: Path, *, patchwork: str | None, lore: str | None,
                 pipermail: str | None = None, links: str = "lore",
                 repo: Path | None = None, branches: tuple[str, ...] = ("master", "next"),
                 extra: str = "") -> Path:
    """A real configuration file for the scenario (paths relative to `root`)."""
    lines = [
        "author: {name: AKASHI Takahiro, email: takahiro.akashi@linaro.org}",
        "timezone: Asia/Tokyo",
        "data_dir: data",
        "sections:",
        "  - {title: U-Boot support, projects: [TS]}",
        "patches:",
        f"  submitter: {SUBMITTER[1]}",
        f"  links: {links}",
        "  timeout_s: 5",
        "  deadline_s: 60",
    ]
    if patchwork:
        lines.append(f"  patchwork: {{url: '{patchwork}', project: uboot}}")
    archive = []
    if lore:
        archive.append(f"lore: '{lore}'")
    if pipermail:
        archive.append(f"pipermail: '{pipermail}'")
    if archive:
        lines.append(f"  archive: {{{', '.join(archive)}}}")
    if repo is not None:
        lines.append(f"  git: {{repo: '{repo}', branches: [{', '.join(branches)}]}}")
    path = root / "config.yaml"
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def pipermail_pages(archive: Archive) -> Archive:
    """Serve the fixture pipermail month under /pipermail/u-boot/."""
    root = FIXTURES / "pipermail"
    for path in root.rglob("*.html"):
        archive.pages[f"/pipermail/u-boot/{path.relative_to(root).as_posix()}"] = \
            path.read_text(encoding="us-ascii")
    return archive
