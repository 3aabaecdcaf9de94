"""regex_shape: the generated span table agrees with the reader, entry by entry."""

from __future__ import annotations

from secretsfile.scanner.regex_shape import UNBOUNDED, newline_span, read_span
from secretsfile.scanner.regex_spans import SPANS
from secretsfile.scanner.rules import BUILTIN_RULES

REGENERATE = (
    "regenerate it: python -m secretsfile.scanner.regex_shape > secretsfile/scanner/regex_spans.py"
)


def test_every_table_entry_is_what_the_reader_says() -> None:
    wrong = [regex for regex, span in SPANS.items() if read_span(regex) != span]
    assert not wrong, f"{len(wrong)} stale entries in regex_spans.py; {REGENERATE}"


def test_the_table_holds_exactly_the_builtin_regexes() -> None:
    builtin = {rule.regex for rule in BUILTIN_RULES if rule.regex}
    assert set(SPANS) == builtin, f"regex_spans.py does not match the catalog; {REGENERATE}"


def test_a_regex_outside_the_table_is_read() -> None:
    assert r"a[\s'\"]{0,3}b" not in SPANS
    assert 0 < newline_span(r"a[\s'\"]{0,3}b") < 10
    assert newline_span(r"(?s)a.*b") == UNBOUNDED
    assert newline_span(r"a[^\n]*b") == 0
    assert newline_span("(unbalanced") == 0  # re rejects it: reported when compiled
