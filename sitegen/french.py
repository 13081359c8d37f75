"""French date, number and typography helpers for administrative prose.

Day and month names come from Babel (CLDR, locale fr_FR), never from the machine
locale. What CLDR gets wrong or does not offer for French prose is fixed here:
"1er" for the first day of a month, "14 h 30" times, ranges written "du ... au ...",
and French spacing around punctuation.
"""

from __future__ import annotations

import html as _html
import math
import re
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "format_date",
    "format_date_range",
    "format_month_year",
    "format_number",
    "format_size",
    "format_time",
    "format_time_range",
    "reading_time",
    "typography",
    "typography_html",
]

LOCALE = "fr_FR"
NBSP = "\u00a0"
NNBSP = "\u202f"

# ---------------------------------------------------------------- dates and times


def _weekday_name(d: date) -> str:
    """Return the French weekday name of d, e.g. "mercredi"."""
    return _name("EEEE", d.weekday() + 1)  # 1 January 2024 was a Monday


def _month_name(d: date) -> str:
    """Return the French month name of d, e.g. "février"."""
    return _name("MMMM", d.month)


_NAMES: dict[str, str] = {}  # "MMMM 2" -> "février": what Babel said, once per name


def _name(pattern: str, number: int) -> str:
    key = f"{pattern} {number}"
    found = _NAMES.get(key)
    if found is None:
        from babel.dates import format_date  # imported when a new name is first needed

        day = date(2024, 1, number) if pattern == "EEEE" else date(2024, number, 1)
        found = _NAMES[key] = format_date(day, pattern, locale=LOCALE)
    return found


def known_names() -> dict[str, str]:
    """The day and month names asked of Babel so far, to keep in a build cache."""
    return dict(_NAMES)


def remember_names(names: dict[str, str]) -> None:
    """Names kept from an earlier run with the same Babel: loading its locale data costs
    more than a whole one-page rebuild."""
    _NAMES.update(names)


def _day(d: date, weekday: bool) -> str:
    """Return the day part of d ("mardi 1er", "5"), without month."""
    number = "1er" if d.day == 1 else str(d.day)
    return f"{_weekday_name(d)} {number}" if weekday else number


def format_date(d: date, *, weekday: bool = True, year: bool = True) -> str:
    """Format d as French prose: "mercredi 5 février 2025", "mardi 1er avril 2025"."""
    text = f"{_day(d, weekday)} {_month_name(d)}"
    return f"{text} {d.year}" if year else text


def format_date_range(start: date, end: date, *, weekday: bool = True) -> str:
    """Format an inclusive date range: "du lundi 6 au vendredi 10 janvier 2025"."""
    if end < start:
        raise ValueError(f"date range ends before it starts: {start} > {end}")
    if start == end:
        return format_date(start, weekday=weekday)
    last = format_date(end, weekday=weekday)
    if (start.year, start.month) == (end.year, end.month):
        if (end - start).days == 1:
            return f"{_day(start, weekday)} et {last}"
        return f"du {_day(start, weekday)} au {last}"
    first = format_date(start, weekday=weekday, year=start.year != end.year)
    return f"du {first} au {last}"


def format_month_year(d: date) -> str:
    """Format the month of d: "février 2025"."""
    return f"{_month_name(d)} {d.year}"


def format_time(t: time) -> str:
    """Format t the French way: "14 h 30", "9 h" (no-break spaces, seconds dropped)."""
    text = f"{t.hour}{NBSP}h"
    return f"{text}{NBSP}{t.minute:02d}" if t.minute else text


def format_time_range(start: time, end: time | None) -> str:
    """Format a time slot: "de 14 h 30 à 16 h", or "à 14 h 30" without end."""
    if end is None:
        return f"à {format_time(start)}"
    return f"de {format_time(start)} à {format_time(end)}"


# ---------------------------------------------------------------- numbers

_SIZE_UNITS = ("o", "ko", "Mo", "Go", "To", "Po")


def format_number(n: int) -> str:
    """Format an integer with narrow no-break thousands separators: "10 000 000"."""
    return f"{n:,}".replace(",", NNBSP)


def format_size(n_bytes: int) -> str:
    """Format a file size in decimal French units: "1,2 Mo", "820 o", "3 Go"."""
    if n_bytes < 0:
        raise ValueError(f"negative size: {n_bytes}")
    value, unit = Decimal(n_bytes), 0
    while unit < len(_SIZE_UNITS) - 1 and _round1(value) >= 1000:
        value, unit = value / 1000, unit + 1
    rounded = _round1(value)
    whole, tenth = divmod(int(rounded * 10), 10)
    text = format_number(whole) + (f",{tenth}" if tenth else "")
    return f"{text}{NBSP}{_SIZE_UNITS[unit]}"


def _round1(value: Decimal) -> Decimal:
    """Round value to one decimal, halves away from zero."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- reading time

_MARKUP = re.compile(r"<!--.*?-->|<[^>]*>|&#?\w+;|\]\([^)\s]*\)|https?://\S+", re.DOTALL)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def reading_time(text: str, words_per_minute: int = 200) -> int:
    """Estimate reading time in whole minutes (at least 1) of Markdown/HTML text."""
    if words_per_minute <= 0:
        raise ValueError("words_per_minute must be positive")
    words = len(_WORD.findall(_MARKUP.sub(" ", text)))
    return max(1, math.ceil(words / words_per_minute))


# ---------------------------------------------------------------- typography

# Rules only rewrite runs of horizontal spaces, and only insert a space next to
# a guillemet. URLs, e-mail addresses, "14:30" and "::" contain neither, so they
# are never modified. A run counts only if it does not follow other whitespace
# (indentation after a line break is left alone).
_SPACES = "[ \t\u00a0\u202f]"
_RUN_BEFORE = rf"(?<!\s){_SPACES}+"
_OPEN_QUOTE = re.compile(rf"«{_SPACES}*(?![ \t\u00a0\u202f\r\n])")
_CLOSE_QUOTE = re.compile(rf"(?<!\s){_SPACES}*»")
_BEFORE_COLON = re.compile(rf"{_RUN_BEFORE}(?=:(?!:))")
_BEFORE_HIGH_PUNCT = re.compile(rf"{_RUN_BEFORE}(?=[;!?])")


def typography(text: str) -> str:
    """Apply French spacing to plain text (no-break spaces before : ; ! ? and in « »)."""
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _CLOSE_QUOTE.sub(NBSP + "»", text)
    text = _BEFORE_COLON.sub(NBSP, text)
    return _BEFORE_HIGH_PUNCT.sub(NNBSP, text)


# A comment, a CDATA section, a declaration or a tag; NAME is the tag name's pattern.
_TOKEN = r"""<!--.*?(?:-->|\Z)
      | <!\[CDATA\[.*?(?:\]\]>|\Z)
      | <[!?][^>]*>?
      | </?NAME(?:[^>"']|"[^"]*(?:"|\Z)|'[^']*(?:'|\Z))*>?"""
_TAG_NAME = r"[A-Za-z][^\s/>]*"
_HTML_TOKEN = re.compile(_TOKEN.replace("NAME", f"({_TAG_NAME})"), re.DOTALL | re.VERBOSE)
_RAW_TEXT_TAGS = frozenset({"script", "style", "textarea"})
_VERBATIM_TAGS = frozenset({"code", "pre", "kbd", "samp"})
# Entities for guillemets and no-break spaces (nh3 writes U+00A0 as "&nbsp;") are
# turned into their characters so that the rules above see them.
_SPACING_ENTITY = re.compile(
    r"&(?:laquo|raquo|nbsp|#0*(?:160|171|187|8239)|#x0*(?:a0|ab|bb|202f));", re.IGNORECASE
)


_TYPOGRAPHY_MATTERS = re.compile(r"[:;!?«»&]")  # text without them is left as it is


def _text(chunk: str) -> str:
    """Apply typography to a raw HTML text chunk, keeping entities valid."""
    if not _TYPOGRAPHY_MATTERS.search(chunk):
        return chunk
    return typography(_SPACING_ENTITY.sub(lambda m: _html.unescape(m.group()), chunk))


_TAG_SPLIT = re.compile(f"({_TOKEN.replace('NAME', _TAG_NAME)})", re.DOTALL | re.VERBOSE)
_SPECIAL_TAG = re.compile(
    rf"<(?:{'|'.join(sorted(_RAW_TEXT_TAGS | _VERBATIM_TAGS))})(?![^\s/>])", re.IGNORECASE)


def typography_html(html: str) -> str:
    """Apply typography to the text nodes of an HTML fragment, not to code or tags."""
    if not _TYPOGRAPHY_MATTERS.search(html):
        return html
    if _SPECIAL_TAG.search(html):
        return _typography_around_code(html)
    parts = _TAG_SPLIT.split(html)  # text, tag, text, tag, …, text
    for i in range(0, len(parts), 2):
        parts[i] = _text(parts[i])
    return "".join(parts)


def _typography_around_code(html: str) -> str:
    """typography_html, token by token, for fragments with code or raw text elements."""
    out: list[str] = []
    pos, verbatim_depth = 0, 0
    while (tag := _HTML_TOKEN.search(html, pos)) is not None:
        chunk = html[pos : tag.start()]
        out.append(chunk if verbatim_depth else _text(chunk))
        out.append(tag.group())
        pos = tag.end()
        name = (tag.group(1) or "").lower()
        closing = tag.group().startswith("</")
        if name in _RAW_TEXT_TAGS and not closing:
            end = re.compile(rf"</{name}(?![^\s/>])", re.IGNORECASE).search(html, pos)
            stop = end.start() if end else len(html)
            out.append(html[pos:stop])
            pos = stop
        elif name in _VERBATIM_TAGS and not tag.group().endswith("/>"):
            verbatim_depth = max(0, verbatim_depth + (-1 if closing else 1))
    rest = html[pos:]
    out.append(rest if verbatim_depth else _text(rest))
    return "".join(out)
