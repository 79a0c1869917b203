"""The mbox scanner on a large mboxrd file, against stdlib readers of the same headers.

    python bench/bench_mbox.py            # 50,000 messages (about 320 MB)
    python bench/bench_mbox.py --quick    # 5,000 messages

Goal (issue 14): the scan of 50,000 messages takes <= 0.25x the baseline (B).

Writes an mboxrd file of patch mails and review replies (about 6.4 KB each, as on
the U-Boot list). A is alternated with each B over `--pairs` pairs (at least 5),
in this process, and the medians compared:

  A   scan    reporter.sources.mbox.iter_messages over the file: each message's ten
              header fields the lore source uses, and its raw body.
  B   mailbox the standard library's mbox reader reading only those headers:
              mailbox.mbox splits the file, and for each message the header lines
              (up to the first blank line, nothing after) go to BytesHeaderParser
              and the ten fields are read. This is the like-for-like baseline: the
              stdlib way to read an mbox, minus everything the scan does not do (it
              parses no body and builds no full message, as mailbox.mbox's own
              iteration would).
  B'  split   a stricter reference: the file split as cheaply as Python can (8 MiB
              blocks, `bytes.split` on `\nFrom `), each header block handed to
              BytesHeaderParser, the ten fields read. It borrows the scan's own way
              of splitting, so what it shows is the header parsing alone.
  A'  facts   the scan plus lore.thread_facts on each thread of ten (bodies decoded,
              trailers and "Applied to" replies found): informative, against B.

The peak RSS of one scan, measured in a fresh process, is printed last.
"""

from __future__ import annotations

import argparse
import email.policy
import mailbox
import subprocess
import sys
import tempfile
from email.parser import BytesHeaderParser
from pathlib import Path

from benchlib import ROOT, alternate, ratio_line

sys.path.insert(0, str(ROOT))

from reporter.sources.lore import thread_facts  # noqa: E402
from reporter.sources.mbox import iter_messages  # noqa: E402

DIFF_LINE = "+\tret = efi_capsule_update_firmware(capsule_data, size, &index); /* pad */\n"
FIELDS = ("From", "Subject", "Message-ID", "In-Reply-To", "References", "Date", "Reply-To",
          "Content-Transfer-Encoding", "Content-Type", "X-Original-From")
RSS_PROBE = """
import resource, sys
from reporter.sources.mbox import iter_messages
with open(sys.argv[1], "rb") as stream:
    count = sum(1 for _ in iter_messages(stream))
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def message(n: int) -> bytes:
    if n % 10 == 0:  # a patch
        head = (f"From: AKASHI Takahiro <takahiro.akashi@linaro.org>\n"
                f"Subject: [PATCH v2 {n % 9 + 1}/9] efi_loader: change {n}\n"
                f"Message-Id: <{n}.patch@linaro.org>\n")
        body = ("Explain the change.\n\nSigned-off-by: AKASHI Takahiro "
                "<takahiro.akashi@linaro.org>\n---\n"
                "diff --git a/lib/efi_loader/efi_capsule.c b/lib/efi_loader/efi_capsule.c\n"
                "--- a/lib/efi_loader/efi_capsule.c\n+++ b/lib/efi_loader/efi_capsule.c\n"
                "@@ -1,3 +1,80 @@\n" + DIFF_LINE * 80 + "From a line that needs quoting\n")
    else:
        parent = n - n % 10
        head = (f"From: Reviewer {n % 13} <reviewer{n % 13}@example.org>\n"
                f"Subject: Re: [PATCH v2 1/9] efi_loader: change {parent}\n"
                f"Message-Id: <{n}.reply@example.org>\n"
                f"In-Reply-To: <{parent}.patch@linaro.org>\n"
                f"References: <{parent}.patch@linaro.org>\n")
        quoted = "> " + DIFF_LINE
        body = "On Tue, Feb 7, 2023 someone wrote:\n" + quoted * 78 + \
            (f"\nReviewed-by: Reviewer {n % 13} <reviewer{n % 13}@example.org>\n"
             if n % 3 else "\nApplied to u-boot-efi/next, thanks!\n")
    head += ("To: u-boot@lists.denx.de\nDate: Tue, 07 Feb 2023 11:15:00 +0900\n"
             "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
             "Content-Transfer-Encoding: 8bit\nList-Id: <u-boot.lists.denx.de>\n")
    text = head + "\n" + body
    text = text.replace("\nFrom ", "\n>From ")
    return ("From mboxrd@z Thu Jan  1 00:00:00 1970\n" + text + "\n").encode()


def scan(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in iter_messages(stream))


def facts(path: Path) -> int:
    found = 0
    with path.open("rb") as stream:
        batch = []
        for msg in iter_messages(stream):
            batch.append(msg)
            if len(batch) == 10:  # one patch and its replies: a thread
                result = thread_facts(batch, [batch[0].msgid], [])
                found += len(result.tags) + len(result.applied)
                batch = []
    return found


def mailbox_headers(path: Path) -> int:
    """B: mailbox.mbox splits; each message's header lines go to BytesHeaderParser."""
    parser = BytesHeaderParser(policy=email.policy.compat32)
    box = mailbox.mbox(str(path), create=False)
    count = 0
    try:
        for key in box.iterkeys():
            handle = box.get_file(key)
            handle.readline()  # the `From ` line
            lines = []
            for line in iter(handle.readline, b""):
                if line in (b"\n", b"\r\n"):
                    break
                lines.append(line)
            headers = parser.parsebytes(b"".join(lines))
            _ = [headers[name] for name in FIELDS]
            count += 1
    finally:
        box.close()
    return count


def stdlib_headers(path: Path) -> int:
    """B': split on newline-From lines; each header block to BytesHeaderParser."""
    parser = BytesHeaderParser(policy=email.policy.compat32)
    count = 0
    pending = b""
    with path.open("rb") as stream:
        while True:
            block = stream.read(8 << 20)
            if block:
                parts = (pending + block).split(b"\nFrom ")
                pending = parts.pop()
            else:
                parts = [pending] if pending.strip() else []
            for part in parts:
                start = part.find(b"\n") + 1
                end = part.find(b"\n\n", start)
                headers = parser.parsebytes(part[start:end + 1 if end >= 0 else len(part)])
                _ = [headers[name] for name in FIELDS]
                count += 1
            if not block:
                return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 messages instead of 50,000")
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--pairs", type=int, default=5, help="A/B pairs (at least 5)")
    args = parser.parse_args()
    count = args.messages or (5_000 if args.quick else 50_000)
    pairs = max(args.pairs, 5)
    with tempfile.TemporaryDirectory(prefix="bench-mbox-") as tmp:
        path = Path(tmp) / "list.mbox"
        with path.open("wb") as out:
            for n in range(count):
                out.write(message(n))
        size_mb = path.stat().st_size / 1e6
        counts = scan(path), mailbox_headers(path), stdlib_headers(path)  # warm the cache
        assert counts == (count, count, count), counts
        print(f"mbox: {count} messages, {size_mb:.0f} MB; {pairs} pairs each")
        scan_s, mailbox_s = alternate(pairs, lambda: scan(path), lambda: mailbox_headers(path))
        print(f"A  scan     {scan_s:7.3f} s  ({count / scan_s:,.0f} messages/s)")
        print(f"B  mailbox  {mailbox_s:7.3f} s  ({count / mailbox_s:,.0f} messages/s)")
        print(ratio_line("scan/mailbox", scan_s, mailbox_s, "goal <= 0.25x"))
        scan2_s, split_s = alternate(pairs, lambda: scan(path), lambda: stdlib_headers(path))
        print(f"A  scan     {scan2_s:7.3f} s")
        print(f"B' split    {split_s:7.3f} s  ({count / split_s:,.0f} messages/s)")
        print(ratio_line("scan/split", scan2_s, split_s, "stricter reference"))
        facts_s, mailbox2_s = alternate(pairs, lambda: facts(path),
                                        lambda: mailbox_headers(path))
        print(f"A' facts    {facts_s:7.3f} s  ({count / facts_s:,.0f} messages/s)")
        print(ratio_line("facts/mailbox", facts_s, mailbox2_s, "informative"))
        probe = subprocess.run([sys.executable, "-c", RSS_PROBE, str(path)], check=True,
                               capture_output=True, text=True,
                               env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        print(f"peak RSS of one scan (fresh process): {probe.stdout.split()[1]} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
