"""`nouveau`: create an event or a page with valid front matter, as a draft.

The file is named from the title (AAAA-MM-JJ-slug.md for an event), gets a permanent
identifiant, is parsed with the real model before it is written, and is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from pathlib import Path

from . import errors
from .errors import ContentError, Problem
from .load import ContentFileError, display_path, parse_yaml, split_front_matter
from .model import parse_event, parse_page, suggest_uid
from .options import BuildOptions

KINDS = {"evenement": "evenement", "événement": "evenement", "evenements": "evenement",
         "événements": "evenement", "page": "page", "pages": "page"}
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
MAX_SLUG = 60


def slugify(title: str) -> str:
    """File-name form of a title: ASCII, lower case, hyphens, accents folded."""
    decomposed = unicodedata.normalize("NFKD", title.translate(LIGATURES))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG + 1].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG + 1] else \
            slug[:MAX_SLUG]
    return slug.strip("-")


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def run_new(options: BuildOptions, arguments: list[str], date: str | None,
            place: str | None, town: str | None) -> int:
    """Create the file and print its path; 1 with French messages when it cannot."""
    try:
        path, text = plan_new(options, arguments, date, place, town)
        write_new(path, text, options)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        return 1
    print(errors.new_created(display_path(path, options.root)))
    return 0


def plan_new(options: BuildOptions, arguments: list[str], date: str | None,
             place: str | None, town: str | None) -> tuple[Path, str]:
    """The file to create and its text, or ContentError saying what is missing."""
    kind = KINDS.get(arguments[0].lower()) if arguments else None
    if kind is None:
        fail("nouveau", *errors.new_unknown_kind(arguments[0] if arguments else None))
    title = " ".join(arguments[1:]).strip()
    if not title:
        fail("nouveau", *errors.new_missing_title(arguments[0]))
    slug = slugify(title)
    if not slug:
        fail("nouveau", *errors.new_bad_title(title))
    if kind == "page":
        text = errors.NEW_PAGE_FILE.format(title=quoted(title), today=options.today.isoformat())
        return options.content_dir / "pages" / f"{slug}.md", text
    day = event_day(date)
    for option, value, example in (("--lieu", place, '"Collège Jean-Moulin"'),
                                   ("--ville", town, "Amiens")):
        if not value or not value.strip():
            fail(option, *errors.new_missing_option(option, example))
    name = f"{day.isoformat()}-{slug}"
    text = errors.NEW_EVENT_FILE.format(
        uid=suggest_uid(day, name), title=quoted(title), day=day.isoformat(),
        place=quoted(place.strip()), town=quoted(town.strip()), today=options.today.isoformat())
    return options.content_dir / "agenda" / f"{name}.md", text


def event_day(value: str | None) -> dt.date:
    """The --date option as a date."""
    if not value:
        fail("--date", *errors.new_missing_option("--date", "2025-06-12"))
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        fail("--date", *errors.new_bad_date(value))
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        fail("--date", *errors.new_impossible_date(value))


def write_new(path: Path, text: str, options: BuildOptions) -> None:
    """Check the text with the real model, then create the file; never overwrite."""
    shown = display_path(path, options.root)
    if path.exists():
        fail(shown, *errors.new_exists())
    problems: list[Problem] = []
    try:
        head, body, body_line = split_front_matter(text, shown)
        front = parse_yaml(head, shown, line_offset=1)
    except ContentFileError as exc:
        problems.append(exc.problem)
    else:
        parse = parse_event if path.parent.name == "agenda" else parse_page
        parse(front, body, body_line, path.stem, shown, problems)
    if any(p.is_error for p in problems):
        raise ContentError(problems + [Problem(shown, None, errors.new_invalid(len(problems)))])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        fail(shown, *errors.new_exists())


def fail(where: str, message: str, hint: str = "") -> None:
    """Stop with one located problem."""
    raise ContentError([Problem(where, None, message, hint)])
