"""Read content files: YAML data and Markdown with front matter, keeping file and line.

The YAML loader is deliberately stricter and simpler than YAML 1.1: only `true`/`false`
are booleans, no base-60 numbers (`9:30` stays the text "9:30"), no octal, no automatic
dates (dates are parsed by model.py with French messages), no aliases, no duplicate keys.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from . import errors
from .errors import Problem

try:
    _BaseLoader = yaml.CSafeLoader  # libyaml: the fast parser
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_INDENT = 120
MAX_FLOW_DEPTH = 40


class Mapping(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class Sequence(list):
    """A YAML sequence that remembers the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class _Failure(Exception):
    def __init__(self, line: int | None, text: tuple[str, str]):
        self.line, self.text = line, text


def _implicit_resolvers() -> dict:
    """Only null, true/false, decimal integers and decimal floats are implicit."""
    table: dict[str, list] = {}
    rules = [
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", list("-+0123456789")),
        ("tag:yaml.org,2002:float", r"^[-+]?[0-9]+\.[0-9]+$", list("-+0123456789")),
    ]
    for tag, pattern, first in rules:
        for char in first:
            table.setdefault(char, []).append((tag, re.compile(pattern)))
    return table


class ContentLoader(_BaseLoader):
    """Safe loader that records lines and refuses duplicate keys."""

    yaml_implicit_resolvers = _implicit_resolvers()
    line_offset = 0

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep)
        result = Mapping()
        result.line = node.start_mark.line + 1 + self.line_offset
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1 + self.line_offset
            if not isinstance(key, str):
                key = str(key)
            if key == "<<":
                raise _Failure(line, errors.ALIAS_USED)
            if key in result:
                raise _Failure(line, errors.duplicate_key(key, result.key_lines[key]))
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = line
        return result

    def construct_sequence(self, node, deep=False):  # noqa: D102 - PyYAML hook
        result = Sequence(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1 + self.line_offset
        result.item_lines = [child.start_mark.line + 1 + self.line_offset for child in node.value]
        return result


ContentLoader.add_constructor("tag:yaml.org,2002:map", ContentLoader.construct_mapping)
ContentLoader.add_constructor("tag:yaml.org,2002:seq", ContentLoader.construct_sequence)


def display_path(path: Path, root: Path) -> str:
    """The path an editor recognises: relative to the project when possible."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, shown: str, content_root: Path) -> str:
    """Read a UTF-8 text file, refusing what an editor could not mean to publish."""
    if path.is_symlink() and not _is_inside(path.resolve(), content_root.resolve()):
        raise_problem(shown, None, errors.SYMLINK_OUTSIDE)
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise_problem(shown, None, errors.too_large(size / 1e6, MAX_TEXT_BYTES / 1e6))
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise_problem(shown, data[: exc.start].count(b"\n") + 1,
                      errors.not_utf8(data[: exc.start].count(b"\n") + 1))
    if "\x00" in text:
        raise_problem(shown, text[: text.index("\x00")].count("\n") + 1, errors.NUL_BYTE)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise_problem(shown, None, errors.EMPTY_FILE)
    return text


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def raise_problem(shown: str, line: int | None, text: tuple[str, str]) -> None:
    """Stop reading a file with one located problem."""
    raise ContentFileError(Problem(shown, line, *text))


class ContentFileError(Exception):
    """A file that cannot be read at all; carries its single Problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.format())
        self.problem = problem


def parse_yaml(text: str, shown: str, line_offset: int = 0) -> Any:
    """Parse YAML text into Mapping/Sequence/scalars, with French errors."""
    _check_shape(text, shown, line_offset)
    loader = ContentLoader(text)
    loader.line_offset = line_offset
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node, shown, line_offset)
        return loader.construct_document(node)
    except _Failure as failure:
        raise_problem(shown, failure.line, failure.text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise_problem(shown, line, _translate_yaml_error(exc, text, mark))
    finally:
        loader.dispose()


def _check_shape(text: str, shown: str, line_offset: int) -> None:
    """Refuse absurdly deep nesting before libyaml recurses into it."""
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) - len(line.lstrip(" ")) > MAX_INDENT:
            raise_problem(shown, number + line_offset, errors.TOO_DEEP)
        for char in line:
            if char in "[{":
                depth += 1
                if depth > MAX_FLOW_DEPTH:
                    raise_problem(shown, number + line_offset, errors.TOO_DEEP)
            elif char in "]}":
                depth = max(0, depth - 1)


def _refuse_aliases(root: yaml.Node, shown: str, line_offset: int) -> None:
    """A node reached twice means an alias: refuse it (and billion-laughs bombs with it)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise_problem(shown, node.start_mark.line + 1 + line_offset, errors.ALIAS_USED)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _translate_yaml_error(exc: yaml.MarkedYAMLError, text: str, mark) -> tuple[str, str]:
    """Turn PyYAML's English into what the editor did wrong."""
    problem = str(exc.problem or "")
    line_text = text.split("\n")[mark.line] if mark and mark.line < text.count("\n") + 1 else ""
    if "\t" in problem or "'\\t'" in problem or line_text.startswith("\t"):
        return errors.YAML_TAB
    if "mapping values are not allowed" in problem:
        return errors.YAML_COLON
    if "found character" in problem and "cannot start any token" in problem:
        return errors.YAML_SPECIAL_START
    if "found unexpected end of stream" in problem or "unexpected end of" in problem:
        return errors.YAML_QUOTE
    if "expected <block end>" in problem or "did not find expected key" in problem:
        if line_text.lstrip().startswith(("'", '"')) or '"' in line_text:
            return errors.YAML_QUOTE
        return errors.YAML_INDENT
    if "could not find expected ':'" in problem:
        return errors.YAML_QUOTE if ('"' in line_text or "'" in line_text) else errors.YAML_INDENT
    if "found duplicate anchor" in problem or "found undefined alias" in problem:
        return errors.ALIAS_USED
    return errors.yaml_other(problem or "syntaxe")


FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def split_front_matter(text: str, shown: str) -> tuple[str, str, int]:
    """Split `---` front matter from a Markdown body.

    Returns (front matter, body, line of the body's first line).
    """
    if not FRONT_MATTER_FENCE.match(text):
        raise_problem(shown, 1, errors.FRONT_MATTER_MISSING)
    closing = FRONT_MATTER_FENCE.search(text, pos=text.index("\n") + 1 if "\n" in text else len(text))
    if closing is None:
        raise_problem(shown, 1, errors.FRONT_MATTER_UNCLOSED)
    head = text[text.index("\n") + 1 : closing.start()]
    body = text[closing.end() + 1 :]
    body_line = text[: closing.end()].count("\n") + 2
    return head, body, body_line


def load_markdown_file(path: Path, shown: str, content_root: Path) -> tuple[Mapping, str, int]:
    """Read a Markdown file: (front matter mapping, body, first line of body)."""
    text = read_text(path, shown, content_root)
    head, body, body_line = split_front_matter(text, shown)
    data = parse_yaml(head, shown, line_offset=1)
    if data is None:
        data = Mapping()
        data.line, data.key_lines = 1, {}
    if not isinstance(data, Mapping):
        raise_problem(shown, 2, errors.NOT_A_MAPPING)
    return data, body, body_line


def load_yaml_file(path: Path, shown: str, content_root: Path) -> Any:
    """Read a YAML data file."""
    return parse_yaml(read_text(path, shown, content_root), shown)
