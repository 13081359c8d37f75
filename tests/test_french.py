"""Tests for sitegen.french: French dates, numbers and typography."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.french import (
    format_date,
    format_date_range,
    format_month_year,
    format_number,
    format_size,
    format_time,
    format_time_range,
    reading_time,
    typography,
    typography_html,
)

NBSP = "\u00a0"
NNBSP = "\u202f"


def _no_spaces(text: str) -> str:
    """Drop every whitespace character, including no-break spaces."""
    return re.sub(r"\s", "", text)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("d", "kwargs", "expected"),
    [
        (date(2025, 2, 5), {}, "mercredi 5 février 2025"),
        (date(2025, 4, 1), {}, "mardi 1er avril 2025"),
        (date(2025, 2, 5), {"weekday": False}, "5 février 2025"),
        (date(2025, 2, 5), {"year": False}, "mercredi 5 février"),
        (date(2025, 4, 1), {"weekday": False, "year": False}, "1er avril"),
        (date(2025, 8, 11), {}, "lundi 11 août 2025"),
        (date(2025, 12, 21), {}, "dimanche 21 décembre 2025"),
    ],
)
def test_format_date(d: date, kwargs: dict[str, bool], expected: str) -> None:
    assert format_date(d, **kwargs) == expected


@pytest.mark.parametrize(
    ("start", "end", "weekday", "expected"),
    [
        (date(2025, 2, 5), date(2025, 2, 5), True, "mercredi 5 février 2025"),
        (date(2025, 5, 27), date(2025, 5, 28), True, "mardi 27 et mercredi 28 mai 2025"),
        (date(2025, 5, 27), date(2025, 5, 28), False, "27 et 28 mai 2025"),
        (date(2025, 1, 6), date(2025, 1, 10), True, "du lundi 6 au vendredi 10 janvier 2025"),
        (date(2025, 1, 6), date(2025, 1, 10), False, "du 6 au 10 janvier 2025"),
        (
            date(2025, 1, 6),
            date(2025, 3, 14),
            True,
            "du lundi 6 janvier au vendredi 14 mars 2025",
        ),
        (
            date(2025, 12, 29),
            date(2026, 1, 2),
            True,
            "du lundi 29 décembre 2025 au vendredi 2 janvier 2026",
        ),
        (date(2025, 12, 29), date(2026, 1, 2), False, "du 29 décembre 2025 au 2 janvier 2026"),
        (date(2025, 10, 1), date(2025, 10, 3), True, "du mercredi 1er au vendredi 3 octobre 2025"),
        (date(2025, 10, 1), date(2025, 10, 2), True, "mercredi 1er et jeudi 2 octobre 2025"),
        (
            date(2025, 1, 31),
            date(2025, 2, 1),
            True,
            "du vendredi 31 janvier au samedi 1er février 2025",
        ),
    ],
)
def test_format_date_range(start: date, end: date, weekday: bool, expected: str) -> None:
    assert format_date_range(start, end, weekday=weekday) == expected


def test_format_date_range_rejects_reversed_range() -> None:
    with pytest.raises(ValueError):
        format_date_range(date(2025, 3, 2), date(2025, 3, 1))


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=0, max_value=800),
    st.booleans(),
)
def test_format_date_range_properties(start: date, days: int, weekday: bool) -> None:
    end = min(start + timedelta(days=days), date(2100, 12, 31))
    text = format_date_range(start, end, weekday=weekday)
    assert text.endswith(str(end.year))
    assert format_date(end, weekday=weekday, year=False) in text


def test_format_month_year() -> None:
    assert format_month_year(date(2025, 2, 5)) == "février 2025"


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (time(14, 30), f"14{NBSP}h{NBSP}30"),
        (time(9, 0), f"9{NBSP}h"),
        (time(9, 5), f"9{NBSP}h{NBSP}05"),
        (time(0, 0), f"0{NBSP}h"),
        (time(16, 0, 59), f"16{NBSP}h"),
    ],
)
def test_format_time(t: time, expected: str) -> None:
    assert format_time(t) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (time(14, 30), time(16, 0), f"de 14{NBSP}h{NBSP}30 à 16{NBSP}h"),
        (time(14, 30), None, f"à 14{NBSP}h{NBSP}30"),
    ],
)
def test_format_time_range(start: time, end: time | None, expected: str) -> None:
    assert format_time_range(start, end) == expected


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, f"0{NBSP}o"),
        (820, f"820{NBSP}o"),
        (1000, f"1{NBSP}ko"),
        (61_900, f"61,9{NBSP}ko"),
        (1_234_567, f"1,2{NBSP}Mo"),
        (3_000_000_000, f"3{NBSP}Go"),
        (3_040_000_000, f"3{NBSP}Go"),
        (999_950, f"1{NBSP}Mo"),
        (1_050, f"1,1{NBSP}ko"),
    ],
)
def test_format_size(n: int, expected: str) -> None:
    assert format_size(n) == expected


def test_format_size_rejects_negative() -> None:
    with pytest.raises(ValueError):
        format_size(-1)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(216, "216"), (1000, f"1{NNBSP}000"), (10_000_000, f"10{NNBSP}000{NNBSP}000")],
)
def test_format_number(n: int, expected: str) -> None:
    assert format_number(n) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 1),
        ("un deux trois", 1),
        ("mot " * 401, 3),
        ("**gras** " * 200 + "[lien](https://example.org/a/b/c)", 2),
        ("<p>aujourd’hui</p> " * 200, 1),
    ],
)
def test_reading_time(text: str, expected: int) -> None:
    assert reading_time(text) == expected


def test_reading_time_custom_speed() -> None:
    assert reading_time("mot " * 100, words_per_minute=50) == 2


# ---------------------------------------------------------------- typography


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date limite : 15 mars", f"Date limite{NBSP}: 15 mars"),
        ("Date limite: 15 mars", "Date limite: 15 mars"),
        ("Vraiment ?", f"Vraiment{NNBSP}?"),
        (f"Vraiment{NBSP}!", f"Vraiment{NNBSP}!"),
        ("a ; b", f"a{NNBSP}; b"),
        ("Vraiment?", "Vraiment?"),
        ("« TNE »", f"«{NBSP}TNE{NBSP}»"),
        ("«TNE»", f"«{NBSP}TNE{NBSP}»"),
        ("«  TNE  »", f"«{NBSP}TNE{NBSP}»"),
        ("https://e-demarches.finistere.fr", "https://e-demarches.finistere.fr"),
        ("Voir : https://a.fr/?q=1;b=2!", f"Voir{NBSP}: https://a.fr/?q=1;b=2!"),
        ("mailto:a@b.fr www.x.fr", "mailto:a@b.fr www.x.fr"),
        ("Écrire à a.b@c.fr : merci", f"Écrire à a.b@c.fr{NBSP}: merci"),
        ("Rendez-vous à 14:30", "Rendez-vous à 14:30"),
        ("std ::vector", "std ::vector"),
        ("Liste\n  : item", "Liste\n  : item"),
    ],
)
def test_typography(text: str, expected: str) -> None:
    assert typography(text) == expected


_TYPO_ALPHABET = st.sampled_from(list("ab1 :;!?«»/.@\n\t") + [NBSP, NNBSP])
_ANY_TEXT = st.text(_TYPO_ALPHABET) | st.text()


@given(_ANY_TEXT)
def test_typography_properties(text: str) -> None:
    once = typography(text)
    assert typography(once) == once
    assert _no_spaces(once) == _no_spaces(text)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Date limite : 15 mars</p>", f"<p>Date limite{NBSP}: 15 mars</p>"),
        ("<p><code>a : b</code> ?</p>", f"<p><code>a : b</code>{NNBSP}?</p>"),
        ("<pre><code>x ? y</code> ; z</pre>", "<pre><code>x ? y</code> ; z</pre>"),
        ('<a href="x" title="a : b ?">c ?</a>', f'<a href="x" title="a : b ?">c{NNBSP}?</a>'),
        ('<img alt="« a »"/>', '<img alt="« a »"/>'),
        ("<script>if (a ? b : c) {}</script>", "<script>if (a ? b : c) {}</script>"),
        ("<style>a :hover {}</style> b !", f"<style>a :hover {{}}</style> b{NNBSP}!"),
        ("<!-- a : b --> c : d", f"<!-- a : b --> c{NBSP}: d"),
        ("<strong>Note</strong> : x", f"<strong>Note</strong>{NBSP}: x"),
        ("«<em>TNE</em>»", f"«{NBSP}<em>TNE</em>{NBSP}»"),
        ("&laquo;TNE&raquo; &amp; co ?", f"«{NBSP}TNE{NBSP}» &amp; co{NNBSP}?"),
        ("Tom &amp; Jerry&nbsp;: a &lt; b", f"Tom &amp; Jerry{NBSP}: a &lt; b"),
        ("Vraiment&nbsp;? &#171;x&#xBB;", f"Vraiment{NNBSP}? «{NBSP}x{NBSP}»"),
        ("&eacute;t&eacute; ! &#58;", f"&eacute;t&eacute;{NNBSP}! &#58;"),
        ('<a title="x > y : z">t</a>', '<a title="x > y : z">t</a>'),
    ],
)
def test_typography_html(html: str, expected: str) -> None:
    assert typography_html(html) == expected


_TAG = re.compile(r"<[^>]*>")
_ATTR_TEXT = st.text(st.sampled_from(list("ab :;?!«»/.")))
_TAGS = st.one_of(
    st.sampled_from(["<p>", "</p>", "<code>", "</code>", "<pre>", "</pre>", "<br/>"]),
    _ATTR_TEXT.map(lambda v: f'<a href="{v}" title="{v}">'),
    _ATTR_TEXT.map(lambda v: f"<img alt='{v}'>"),
)
_TEXTS = _ANY_TEXT.map(lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
_HTML = st.lists(st.one_of(_TAGS, _TEXTS)).map("".join)


@given(_HTML)
def test_typography_html_properties(html: str) -> None:
    once = typography_html(html)
    assert typography_html(once) == once
    assert _TAG.findall(once) == _TAG.findall(html)
    assert _no_spaces(once) == _no_spaces(html)


@given(st.text())
def test_typography_html_never_raises(html: str) -> None:
    once = typography_html(html)
    assert typography_html(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='<>/!-"\'= :;?«»&a\u00a0\u202f\npb', max_size=60))
def test_fast_typography_equals_the_token_by_token_one(fragment: str) -> None:
    """Without code or raw text elements, whole-fragment splitting gives the same result."""
    from sitegen.french import _typography_around_code

    assert typography_html(fragment) == _typography_around_code(fragment)
