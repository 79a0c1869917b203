"""The message: headers per SPEC section 2, charset, line lengths, and no header from data."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.utils import getaddresses
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.config import MailConfig
from reporter.deliver.message import (
    MAX_LINE_OCTETS,
    build_message,
    envelope_of,
    make_message_id,
    message_bytes,
    readable_text,
)
from reporter.errors import ConfigError
from tests.deliver_helpers import without_date

WEEK = dt.date(2023, 2, 10)
SENT_AT = dt.datetime(2023, 2, 13, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
BODY = "Stratos\n=======\n[STR-76] (Break down the latency)\n* No progress\n"


def mail(**changes: object) -> MailConfig:
    values: dict[str, object] = dict(
        sender="AKASHI Takahiro <takahiro.akashi@linaro.org>",
        to=("private-kwg@linaro.org", "alex.bennee@linaro.org"), cc=(), bcc_self=True,
        followup_to=True, subject="[Weekly] Week ending {week_end}", transport="smtp",
        smtp=None, sendmail=("/usr/sbin/sendmail",), retries=0, retry_delay_s=0.0)
    values.update(changes)
    return MailConfig(**values)  # type: ignore[arg-type]


def build(body: str = BODY, m: MailConfig | None = None, date: dt.datetime | None = SENT_AT
          ) -> bytes:
    m = m or mail()
    return message_bytes(build_message(m, week_end=WEEK, body=body,
                                       message_id=make_message_id(m, WEEK), date=date))


def parse(data: bytes) -> email.message.EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def test_headers_are_those_of_the_spec_in_order() -> None:
    data = build()
    head = data.split(b"\n\n", 1)[0].decode()
    assert head == (
        "From: AKASHI Takahiro <takahiro.akashi@linaro.org>\n"
        "To: private-kwg@linaro.org, alex.bennee@linaro.org\n"
        "Subject: [Weekly] Week ending 2023-02-10\n"
        "Mail-Followup-To: AKASHI Takahiro <takahiro.akashi@linaro.org>,\n"
        " private-kwg@linaro.org, alex.bennee@linaro.org\n"
        "Date: Mon, 13 Feb 2023 09:00:00 +0900\n"
        f"Message-ID: {make_message_id(mail(), WEEK)}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "Content-Transfer-Encoding: 7bit\n"
        "Content-Disposition: inline")
    assert data.endswith(b"\n\n" + BODY.encode())
    assert b"Bcc" not in data


def test_cc_header_only_when_configured() -> None:
    assert b"\nCc:" not in build()
    msg = parse(build(m=mail(cc=("Lead <lead@linaro.org>",))))
    assert str(msg["Cc"]) == "Lead <lead@linaro.org>"
    assert "lead@linaro.org" in str(msg["Mail-Followup-To"])


def test_no_followup_header_when_off() -> None:
    assert b"Mail-Followup-To" not in build(m=mail(followup_to=False))


def test_envelope_holds_to_cc_and_the_sender_for_bcc_self_once_each() -> None:
    env = envelope_of(mail(cc=("Lead <lead@linaro.org>", "ALEX.BENNEE@linaro.org")))
    assert env.sender == "takahiro.akashi@linaro.org"
    assert env.recipients == ("private-kwg@linaro.org", "alex.bennee@linaro.org",
                              "lead@linaro.org", "takahiro.akashi@linaro.org")
    assert envelope_of(mail(bcc_self=False)).recipients == ("private-kwg@linaro.org",
                                                            "alex.bennee@linaro.org")


def test_non_ascii_text_is_utf8_8bit_and_ascii_text_is_us_ascii() -> None:
    msg = parse(build(body="Akashi: 秋下 — naïve\n"))
    assert msg.get_content_charset() == "utf-8"
    assert msg["Content-Transfer-Encoding"] == "8bit"
    assert msg.get_content() == "Akashi: 秋下 — naïve\n"
    ascii_msg = parse(build())
    assert ascii_msg.get_content_charset() == "us-ascii"
    assert ascii_msg["Content-Transfer-Encoding"] == "7bit"


def test_no_line_passes_998_octets() -> None:
    long_line = "x" * 3000
    for body in (long_line + "\n", "é" + long_line + "\nshort\n"):
        data = build(body=body)
        assert max(len(line) for line in data.split(b"\n")) <= MAX_LINE_OCTETS
        msg = parse(data)
        assert msg["Content-Transfer-Encoding"] == "quoted-printable"
        assert msg.get_content() == body


def test_long_header_is_folded_under_998() -> None:
    many = tuple(f"Person Number {i} <person{i}@example.org>" for i in range(60))
    data = build(m=mail(to=many))
    assert max(len(line) for line in data.split(b"\n")) <= 78
    assert [a for _, a in getaddresses(parse(data).get_all("To", []))] == [
        f"person{i}@example.org" for i in range(60)]


@pytest.mark.parametrize("summary", [
    "Fix it\r\nBcc: x@evil.example",
    "Fix it\nBcc: x@evil.example\n",
    "Fix it\rBcc: x@evil.example",
    "Fix it =?utf-8?q?=0D=0ABcc=3A_x=40evil=2Eexample?=",
    "Fix it\n",
    "\nBcc: x@evil.example",
])
def test_data_in_the_body_never_adds_a_header(summary: str) -> None:
    body = f"Stratos\n=======\n[STR-1] ({summary})\n* No progress\n"
    data = build(body=body)
    msg = parse(data)
    assert "Bcc" not in msg
    assert [k for k, _ in msg.items()] == [
        "From", "To", "Subject", "Mail-Followup-To", "Date", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition"]
    assert "x@evil.example" not in str(msg.items())
    # the text is still there, in the body
    assert "Stratos" in msg.get_content()


@pytest.mark.parametrize("sender", [
    "=?utf-8?q?Evil=0D=0ABcc=3A_x=40evil=2Eexample?= <a@example.org>",
    "Evil\u2028Bcc: x@evil.example <a@example.org>",
    "Evil\x00 <a@example.org>",
])
def test_a_name_that_would_add_a_header_is_refused(sender: str) -> None:
    with pytest.raises(ConfigError, match="mail.from"):
        build(m=mail(sender=sender))


def test_a_subject_with_an_encoded_newline_is_refused() -> None:
    with pytest.raises(ConfigError, match="mail.subject"):
        build(m=mail(subject="Week {week_end} =?utf-8?q?=0D=0ABcc:_x@evil?="))


def test_display_names_with_commas_quotes_and_non_ascii_parse_back() -> None:
    to = ('"Bennée, Alex" <alex.bennee@linaro.org>', '"O\'Brien \\"Bob\\"" <bob@example.org>',
          "秋下 孝浩 <akashi@example.jp>", "plain@example.org")
    m = mail(to=to)
    msg = parse(build(m=m))
    assert getaddresses(msg.get_all("To", [])) == [
        ("Bennée, Alex", "alex.bennee@linaro.org"), ('O\'Brien "Bob"', "bob@example.org"),
        ("秋下 孝浩", "akashi@example.jp"), ("", "plain@example.org")]
    assert envelope_of(m).recipients[:4] == ("alex.bennee@linaro.org", "bob@example.org",
                                             "akashi@example.jp", "plain@example.org")


def test_non_ascii_address_is_refused() -> None:
    with pytest.raises(ConfigError, match="SMTPUTF8"):
        build(m=mail(to=("jörg@example.org",)))


def test_message_id_is_made_once_per_week_and_differs_otherwise() -> None:
    first = make_message_id(mail(), WEEK)
    assert first == make_message_id(mail(), WEEK)
    assert first.startswith("<reporter.2023-02-10.") and first.endswith("@linaro.org>")
    assert first != make_message_id(mail(), WEEK + dt.timedelta(days=7))
    assert first != make_message_id(mail(to=("other@linaro.org",)), WEEK)
    assert first != make_message_id(mail(), WEEK, nonce="again")


def test_preview_form_has_no_date_and_is_otherwise_the_sent_bytes() -> None:
    sent = build()
    preview = build(date=None)
    assert b"\nDate:" not in preview
    assert without_date(sent) == preview


def test_readable_text_decodes_headers_and_body() -> None:
    text = readable_text(build(body="naïve\n", m=mail(to=('"Bennée, Alex" <a@b.org>',))))
    assert 'To: "Bennée, Alex" <a@b.org>\n' in text
    assert "Date:" not in text
    assert text.endswith("\n\nnaïve\n")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400))
def test_any_body_parses_back_with_the_same_headers(body: str) -> None:
    data = build(body=body)
    assert max(len(line) for line in data.split(b"\n")) <= MAX_LINE_OCTETS
    msg = parse(data)
    assert [k for k, _ in msg.items()] == [
        "From", "To", "Subject", "Mail-Followup-To", "Date", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition"]
    assert str(msg["Subject"]) == "[Weekly] Week ending 2023-02-10"


names = st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs", "Zl", "Zp"]),
                min_size=1, max_size=60).filter(lambda n: "=?" not in n and n.strip() == n)


@settings(max_examples=150, deadline=None)
@given(st.lists(names, min_size=1, max_size=4))
def test_any_display_names_parse_back_to_the_configured_recipients(display: list[str]
                                                                   ) -> None:
    from email.headerregistry import Address

    to = tuple(str(Address(display_name=n, addr_spec=f"r{i}@example.org"))
               for i, n in enumerate(display))
    data = build(m=mail(to=to))
    head = data.split(b"\n\n", 1)[0]
    assert max(len(line) for line in head.split(b"\n")) <= 78
    parsed = getaddresses(parse(data).get_all("To", []))
    assert [a for _, a in parsed] == [f"r{i}@example.org" for i in range(len(display))]
    assert envelope_of(mail(to=to)).recipients[:-1] == tuple(a for _, a in parsed)
