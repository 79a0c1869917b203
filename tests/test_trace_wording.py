"""The layout rules of the breakdown, for any text: the width, no trailing spaces,
continuation indents, and `N usecs > T` kept on one line; and the relative times."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reporter.trace.phrases import dur, rel
from reporter.trace.wording import wrap

WORDS = st.lists(st.one_of(
    st.text(alphabet="abcdefghij-_/:()", min_size=1, max_size=14),
    st.builds(lambda n, t: f"{n} usecs > {t}", st.integers(1, 99999), st.integers(1, 9999)),
), min_size=1, max_size=40)


@given(WORDS, st.sampled_from([("* ", "  "), ("  - ", "    "), ("", "")]),
       st.integers(40, 80))
def test_wrapped_lines_fit_and_keep_their_indents(words: list[str], indents: tuple[str, str],
                                                  width: int) -> None:
    first, rest = indents
    text = " ".join(words)
    lines = wrap(text, first, rest, width)
    assert lines[0].startswith(first.rstrip())
    assert all(line.startswith(rest) for line in lines[1:])
    assert all(line == line.rstrip() for line in lines)
    assert all(len(line) <= width for line in lines)  # no word here is longer than 40
    back = " ".join([lines[0][len(first):]] + [line[len(rest):] for line in lines[1:]])
    assert back.split() == text.split()  # nothing lost, nothing added
    for w in words:
        if " usecs > " in w:
            assert any(w in line for line in lines)


@given(st.integers(-10**9, 10**9))
def test_relative_times_are_whole_usecs(delta_ns: int) -> None:
    text = rel(5_000_000_000 + delta_ns, 5_000_000_000)
    us = round(delta_ns / 1000)
    assert text == ("t0" if us == 0 else f"t0{us:+d}")
    assert dur(abs(delta_ns)) == f"{round(abs(delta_ns) / 1000)} us"
