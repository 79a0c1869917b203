"""Times the mbox scanner on a large synthetic mbox, against Python's mailbox.mbox.

    python bench/bench_mbox.py            # 50,000 messages (about 320 MB)
    python bench/bench_mbox.py --quick    # 5,000 messages

Writes an mboxrd file of patch mails and review replies (about 6.4 KB each, as on
the U-Boot list), then prints:
  scan      reporter.sources.mbox.iter_messages over the file (8 MiB blocks): the
            header fields of every message
  facts     the same, plus lore.thread_facts (bodies decoded, trailers and "Applied
            to" replies found) for every message
  mailbox   mailbox.mbox iterating the same file, reading From/Subject/Message-ID
and the peak memory (RSS) after our passes, before the mailbox baseline runs.
"""

from __future__ import annotations

import argparse
import mailbox
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporter.sources.lore import thread_facts  # noqa: E402
from reporter.sources.mbox import iter_messages  # noqa: E402

DIFF_LINE = "+\tret = efi_capsule_update_firmware(capsule_data, size, &index); /* pad */\n"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 messages instead of 50,000")
    parser.add_argument("--messages", type=int, default=None)
    args = parser.parse_args()
    count = args.messages or (5_000 if args.quick else 50_000)
    with tempfile.TemporaryDirectory(prefix="bench-mbox-") as tmp:
        path = Path(tmp) / "list.mbox"
        with path.open("wb") as out:
            for n in range(count):
                out.write(message(n))
        size_mb = path.stat().st_size / 1e6
        print(f"mbox: {count} messages, {size_mb:.0f} MB")

        started = time.perf_counter()
        with path.open("rb") as stream:
            seen = sum(1 for _ in iter_messages(stream))
        scan_s = time.perf_counter() - started

        started = time.perf_counter()
        tags = applied = 0
        with path.open("rb") as stream:
            batch = []
            for msg in iter_messages(stream):
                batch.append(msg)
                if len(batch) == 10:  # one patch and its replies: a thread
                    facts = thread_facts(batch, [batch[0].msgid], [])
                    tags += len(facts.tags)
                    applied += len(facts.applied)
                    batch = []
        facts_s = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        started = time.perf_counter()
        box = mailbox.mbox(str(path), create=False)
        baseline = 0
        for msg in box:
            _ = (msg["From"], msg["Subject"], msg["Message-Id"])
            baseline += 1
        mailbox_s = time.perf_counter() - started

        print(f"scan:    {scan_s:7.3f} s  {seen} messages  ({seen / scan_s:,.0f} messages/s)")
        print(f"facts:   {facts_s:7.3f} s  {tags} tags, {applied} applied replies  "
              f"({seen / facts_s:,.0f} messages/s)")
        print(f"mailbox: {mailbox_s:7.3f} s  {baseline} messages  "
              f"(scan is {mailbox_s / scan_s:.1f}x faster)")
        print(f"peak RSS after scan and facts: {peak_mb:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
