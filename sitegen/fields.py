"""Typed fields of the content schema: parsing one value, with a French error on failure.

Each kind of content (model.py, config.py) is a tuple of Field: the French key an editor
writes, the English attribute the code uses, its type and its documentation. That tuple is
the schema; the editors' guide is checked against it (tests/test_docs.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import errors
from .errors import Problem
from .load import CONTROL, Mapping, markdown_problem

MIN_YEAR, MAX_YEAR = 2000, 2100
TIME_RE = re.compile(r"^\s*([01]?\d|2[0-3])\s*(?::|h|H| h )\s*([0-5]\d)?\s*$")
DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
EMAIL_RE = re.compile(
    r"^[^@\s<>\"']+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
INVISIBLE = re.compile("[\u00a0\u200b-\u200d\u2060\ufeff\u202f]")  # pasted from the web
TRUE_WORDS = {"oui", "true", "vrai"}
FALSE_WORDS = {"non", "false", "faux"}


@dataclass(frozen=True)
class Field:
    """One key of a content file."""

    key: str  # French key the editor writes
    attr: str  # attribute name in the dataclass
    kind: str  # text, markdown, date, time, bool, int, float, url, email, choice, link, path, texts
    doc: str  # one-line documentation, in French
    example: str = ""  # example value, shown in messages and in the guide
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 300
    bounds: tuple[float, float] | None = None
    default: Any = None


class FieldError(Exception):
    """A value that does not fit its field."""

    def __init__(self, text: tuple[str, str]):
        self.text = text


def parse_record(data: Any, fields: tuple[Field, ...], shown: str, problems: list[Problem],
                 line: int | None = None) -> dict[str, Any] | None:
    """Check a mapping against its fields; return {attr: value} or None if it had errors."""
    if not isinstance(data, Mapping):
        problems.append(Problem(shown, line or getattr(data, "line", None), *errors.NOT_A_MAPPING))
        return None
    by_key = {f.key: f for f in fields}
    values: dict[str, Any] = {}
    before = len(problems)
    for key, raw in data.items():
        key_line = data.key_lines.get(key, data.line)
        field = by_key.get(key)
        if field is None:
            problems.append(Problem(shown, key_line, *_unknown(key, list(by_key))))
            continue
        if raw is None or raw == "":
            if field.required:
                problems.append(Problem(shown, key_line, *errors.empty_field(key, _example(field))))
            continue
        try:
            values[field.attr] = parse_value(field, raw)
        except FieldError as exc:
            problems.append(Problem(shown, key_line, *exc.text))
    for field in fields:
        if field.required and field.key not in data:
            problems.append(Problem(shown, data.line,
                                    *errors.missing_field(field.key, _example(field))))
        values.setdefault(field.attr, field.default)
    values["_lines"] = dict(data.key_lines)
    return None if len(problems) > before else values


def _example(field: Field) -> str:
    return f"{field.key}: {field.example}" if field.example else f"{field.key}: …"


def _unknown(key: str, known: list[str]) -> tuple[str, str]:
    visible = INVISIBLE.sub("", key).strip()
    if visible != key and visible in known:
        return errors.invisible_in_key(visible)
    close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
    return errors.unknown_key(key, close[0] if close else None, known)


def parse_value(field: Field, raw: Any) -> Any:
    """Convert one raw YAML value to the field's type."""
    return PARSERS[field.kind](field, raw)


def _text(field: Field, raw: Any) -> str:
    if isinstance(raw, bool) or isinstance(raw, (dict, list)):
        raise FieldError(errors.expected_text(field.key))
    text = _unwrap_word_quotes(str(raw).strip())
    control = CONTROL.search(text) or re.search(r"[\ud800-\udfff]", text)
    if control:
        raise FieldError(errors.control_in_value(field.key, f"U+{ord(control.group()):04X}"))
    if len(text) > field.max_length:
        raise FieldError(errors.too_long(field.key, len(text), field.max_length))
    return text


WORD_QUOTES = {"“": "”", "‘": "’", "„": "“"}


def _unwrap_word_quotes(text: str) -> str:
    """A value wrapped in curly quotes pasted from a word processor: the quotes were meant
    as YAML quotes, not as part of the text."""
    if len(text) >= 2 and WORD_QUOTES.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text


def _markdown(field: Field, raw: Any) -> str:
    text = _text(Field(field.key, field.attr, "text", "", max_length=20_000), raw)
    found = markdown_problem(text)
    if found:
        raise FieldError(found[1])
    return text


def _date(field: Field, raw: Any) -> dt.date:
    text = _text(field, raw)
    match = DATE_RE.match(text)
    if not match:
        raise FieldError(errors.bad_date(field.key, errors.shorten(text)))
    year, month, day = (int(part) for part in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FieldError(errors.date_out_of_range(field.key, errors.shorten(text)))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(errors.impossible_date(field.key, text)) from None


def _time(field: Field, raw: Any) -> dt.time:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raise FieldError(errors.bad_time(field.key, errors.shorten(raw)))
    text = _text(field, raw)
    match = TIME_RE.match(text)
    if not match:
        raise FieldError(errors.bad_time(field.key, errors.shorten(text)))
    return dt.time(int(match.group(1)), int(match.group(2) or 0))


def _bool(field: Field, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FieldError(errors.bad_boolean(field.key, errors.shorten(raw)))


def _int(field: Field, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise FieldError(errors.bad_integer(field.key, errors.shorten(raw)))
    _check_bounds(field, raw)
    return raw


def _float(field: Field, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise FieldError(errors.bad_number(field.key, errors.shorten(raw)))
    _check_bounds(field, raw)
    return float(raw)


def _check_bounds(field: Field, value: float) -> None:
    if field.bounds and not field.bounds[0] <= value <= field.bounds[1]:
        raise FieldError(errors.out_of_bounds(field.key, value, *field.bounds))


def _choice(field: Field, raw: Any) -> str:
    text = _text(field, raw)
    normalised = fold_accents(text.lower())
    for choice in field.choices:
        if fold_accents(choice) == normalised:
            return choice
    raise FieldError(errors.bad_choice(field.key, errors.shorten(text), list(field.choices)))


def _url(field: Field, raw: Any) -> str:
    text = _text(field, raw)
    if "://" not in text and re.match(r"^[\w-]+(\.[\w-]+)+(/.*)?$", text):
        text = "https://" + text  # editors copy "www.example.fr" from printed pages
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed [ in the host
        raise FieldError(errors.bad_url(field.key, errors.shorten(text))) from None
    if (parts.scheme not in ("http", "https") or not parts.netloc
            or any(c in text for c in '<>"\\') or re.search(r"\s", text)):
        raise FieldError(errors.bad_url(field.key, errors.shorten(text)))
    return text


def _email(field: Field, raw: Any) -> str:
    text = _text(field, raw)
    if text.lower().startswith("mailto:"):  # copied from a link: the address is what follows
        text = text[len("mailto:"):].strip()
    if not EMAIL_RE.match(text):
        raise FieldError(errors.bad_email(field.key, errors.shorten(text)))
    return text


def _link(field: Field, raw: Any) -> str:
    """A link: https URL, mailto:, tel:, or a site path starting with /."""
    text = _text(field, raw)
    lowered = text.lower()
    if lowered.startswith(("https://", "http://")):
        return _url(field, text)
    if lowered.startswith(("mailto:", "tel:")) or (text.startswith("/") and ".." not in text
                                                     and not text.startswith("//")):
        return text
    raise FieldError(errors.unsafe_link(field.key, errors.shorten(text)))


def _path(field: Field, raw: Any) -> str:
    """A path relative to content/, never escaping it."""
    text = _text(field, raw).replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text) or ".." in text.split("/"):
        raise FieldError(errors.bad_path(field.key, errors.shorten(text)))
    return text


def _phone(field: Field, raw: Any) -> str:
    """A French phone number (10 digits from 0, or +33 and 9 digits), kept as written."""
    text = _text(field, raw)
    digits = re.sub(r"[\s.\-()\u00a0\u202f]", "", text)
    if not re.fullmatch(r"0\d{9}|\+33\d{9}|\+\d{8,15}", digits):
        raise FieldError(errors.bad_phone(field.key, errors.shorten(text)))
    return text


def _texts(field: Field, raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise FieldError(errors.expected_list(field.key))
    return [_text(field, item) for item in raw]


PARSERS: dict[str, Callable[[Field, Any], Any]] = {
    "text": _text, "markdown": _markdown, "date": _date, "time": _time, "bool": _bool,
    "int": _int, "float": _float, "choice": _choice, "url": _url, "email": _email,
    "link": _link, "path": _path, "texts": _texts, "phone": _phone,
}

_ACCENTS = str.maketrans("àâäéèêëîïôöùûüçœ", "aaaeeeeiioouuuco")


def fold_accents(text: str) -> str:
    """Lower-case letters without accents, for lenient matching of choice values."""
    return text.lower().translate(_ACCENTS)
