"""Property-based tests: whatever an editor (or a copy-paste) feeds the loaders and the
French helpers, the answer is a value or a French message, never an unexpected exception.

Inputs are drawn from YAML's own alphabet (keys, colons, quotes, dashes, tabs, brackets,
anchors, tags, no-break spaces, control characters) and from raw bytes, so the loaders
meet their error paths far more often than with uniformly random text.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import french
from sitegen.errors import Problem
from sitegen.fields import PARSERS, Field, FieldError, parse_record
from sitegen.load import (
    ContentFileError,
    Mapping,
    load_markdown_file,
    load_yaml_file,
    parse_yaml,
    split_front_matter,
)
from sitegen.model import EVENT_FIELDS, PAGE_FIELDS, PARTNER_FIELDS

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
PIECES = ["titre", "date", "lieu", "- ", "  ", "\t", ": ", ":", "\n", "\n  ", '"', "'", "[", "]",
          "{", "}", ",", "#", "&a ", "*a", "!!str ", "!!python/object ", "? ", "|", ">", "@",
          "`", "%", "---", "...", "\u00a0", "\ufeff", "\x0c", "\x00", "\\", "\\x", "é", "«",
          "»", "14:30", "2025-02-30", "0x1F", "1e3", "99999999999999999999", "oui", "no",
          "~", "<<", "https://", "javascript:", "<script>", "\u2028", "🎉"]
YAMLISH = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=40).map("".join)
ENGLISH = re.compile(r"\b(?:found|expected|while (?:scanning|parsing)|could not|"
                     r"mapping values|block sequence|cannot start|token|end of stream|"
                     r"another document|[A-Z]\w+Error)\b")
TEXT_FIELDS = EVENT_FIELDS + PAGE_FIELDS + PARTNER_FIELDS


def assert_french_problem(problem: Problem, shown: str, lines: int) -> None:
    """A located, French message, with a hint, and no PyYAML English leaking through."""
    assert problem.path == shown
    assert problem.line is None or 1 <= problem.line <= lines + 2
    assert problem.message and problem.hint
    text = problem.format()
    assert not ENGLISH.search(text), text
    assert "Traceback" not in text


@SETTINGS
@given(YAMLISH)
def test_yaml_loads_or_explains_in_french(text):
    try:
        parse_yaml(text, "f.yaml")
    except ContentFileError as error:
        assert_french_problem(error.problem, "f.yaml", text.count("\n") + 1)


@SETTINGS
@given(st.binary(max_size=300) | YAMLISH.map(str.encode))
def test_any_bytes_load_or_explain_in_french(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("octets")
    for name, load in (("f.yaml", load_yaml_file), ("p.md", load_markdown_file)):
        path = folder / name
        path.write_bytes(data)
        try:
            load(path, name, folder)
        except ContentFileError as error:
            assert_french_problem(error.problem, name, data.count(b"\n") + 1)


@SETTINGS
@given(YAMLISH, YAMLISH)
def test_front_matter_splits_or_explains(head, body):
    text = f"---\n{head}\n---\n{body}"
    try:
        front, rest, line = split_front_matter(text, "p.md")
    except ContentFileError as error:
        assert_french_problem(error.problem, "p.md", text.count("\n") + 1)
    else:
        assert text.endswith(rest) and 3 <= line <= text.count("\n") + 2


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(PIECES),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8)


@SETTINGS
@given(st.sampled_from(sorted(PARSERS)), VALUES)
def test_every_field_type_parses_or_explains(kind, raw):
    field = Field("champ", "champ", kind, "doc", "exemple", choices=("oui", "non"),
                  bounds=(0, 100))
    try:
        PARSERS[kind](field, raw)
    except FieldError as error:
        message, hint = error.text
        assert "« champ »" in message and hint
        assert not ENGLISH.search(message + hint), message


@SETTINGS
@given(st.dictionaries(st.sampled_from([f.key for f in TEXT_FIELDS]) | st.text(max_size=8),
                       VALUES, max_size=8))
def test_records_collect_problems_never_raise(data):
    mapping = Mapping(data)
    mapping.line, mapping.key_lines = 2, {key: 3 + i for i, key in enumerate(data)}
    for fields in (EVENT_FIELDS, PAGE_FIELDS, PARTNER_FIELDS):
        problems: list[Problem] = []
        values = parse_record(mapping, fields, "f.md", problems)
        assert (values is None) == bool(problems)
        for problem in problems:
            assert_french_problem(problem, "f.md", 3 + len(data))


DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


@SETTINGS
@given(DATES, DATES, st.booleans())
def test_french_dates_never_fail(first, second, weekday):
    start, end = sorted((first, second))
    text = french.format_date_range(start, end, weekday=weekday)
    assert str(end.year) in text and text == text.strip()
    assert french.format_month_year(start).endswith(str(start.year))
    assert re.fullmatch(r"[a-zéû]+ (?:1er|\d{1,2}) [a-zéû]+ \d{4}", french.format_date(start))


@SETTINGS
@given(st.times(), st.none() | st.times(), st.integers(min_value=0, max_value=10**18))
def test_french_times_and_numbers_never_fail(start, end, number):
    assert french.format_time_range(start, end).count("\u00a0h") >= 1
    assert french.format_number(number).replace("\u202f", "") == str(number)
    assert french.format_size(number)[-1] == "o"


@SETTINGS
@given(YAMLISH | st.text(max_size=200))
def test_typography_never_fails_and_only_touches_spaces(text):
    once = french.typography(text)
    assert french.typography(once) == once
    assert re.sub(r"[ \t\u00a0\u202f]", "", once) == re.sub(r"[ \t\u00a0\u202f]", "", text)
    html = french.typography_html(text)
    assert french.typography_html(html) == html
    tag = r"</?[A-Za-z][^>]*>"  # what HTML reads as a tag: "<" then a letter ("<«>" is text)
    assert re.findall(tag, html) == re.findall(tag, text)
    assert french.reading_time(text) >= 1


def test_hostile_corpus_files_are_valid_examples_for_the_properties():
    """The corpus base folder itself loads without a problem (the properties' baseline)."""
    base = Path(__file__).parent / "hostile" / "base"
    for path in sorted(base.rglob("*")):
        if path.suffix == ".yaml":
            assert load_yaml_file(path, path.name, base) is not None
        elif path.suffix == ".md":
            assert isinstance(load_markdown_file(path, path.name, base)[0], Mapping)
