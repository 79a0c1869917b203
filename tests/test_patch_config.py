"""The `patches:` settings this pull adds: a list of addresses, the Patchwork server's
time zone, the lookup bound; bad values name the file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.config import load_config
from reporter.errors import ConfigError
from tests.conftest import write_config

PATCHWORK = "  patchwork: {url: 'https://patchwork.ozlabs.org', project: uboot}\n"


def test_one_address_or_a_list(tmp_path: Path) -> None:
    one = load_config(write_config(tmp_path, "patches: {submitter: Me@Example.org}\n"))
    assert one.patches is not None
    assert (one.patches.submitter, one.patches.addresses) == ("me@example.org",
                                                              ("me@example.org",))
    many = load_config(write_config(
        tmp_path, "patches:\n  submitter: [new@example.org, old@example.org, New@example.org]\n"
        + PATCHWORK))
    assert many.patches is not None
    assert many.patches.submitter == "new@example.org"
    assert many.patches.addresses == ("new@example.org", "old@example.org")


def test_defaults_are_patchworks_own_zone_and_500_lookups(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "patches:\n  submitter: me@example.org\n"
                                      + PATCHWORK))
    assert config.patches is not None and config.patches.patchwork is not None
    assert config.patches.patchwork.timezone == "Australia/Canberra"
    assert config.patches.max_lookups == 500


@pytest.mark.parametrize(("body", "expected"), [
    ("patches: {submitter: []}\n", "config.yaml:7: patches.submitter: the list is empty"),
    ("patches:\n  submitter: [me@example.org, nobody]\n",
     "config.yaml:8: patches.submitter[1]: not an e-mail address"),
    ("patches:\n  submitter: me@example.org\n  patchwork: {url: 'https://p.example', "
     "project: uboot, timezone: Canberra}\n",
     "config.yaml:9: patches.patchwork.timezone: unknown time zone 'Canberra'"),
    ("patches: {submitter: me@example.org, max_lookups: 0}\n",
     "config.yaml:7: patches.max_lookups: must be greater than 0"),
])
def test_bad_values_name_file_key_and_line(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path, body))
    assert expected in str(info.value)
