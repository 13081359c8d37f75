"""Read content files: YAML data and Markdown with front matter, keeping file and line.

The YAML loader is deliberately stricter and simpler than YAML 1.1: only `true`/`false`
are booleans, no base-60 numbers (`9:30` stays the text "9:30"), no octal, no automatic
dates (dates are parsed by model.py with French messages), no aliases, no duplicate keys,
no type tags, no nesting deeper than content ever needs. Hostile input (a 50 MB file,
control characters, a YAML bomb, a Markdown body that would take minutes to render) is
refused with a French message before it costs anything.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from . import errors
from .errors import Problem

try:
    _BaseLoader = yaml.CSafeLoader  # libyaml: the fast parser
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

MAX_TEXT_BYTES = 2_000_000  # a content file larger than this is not text an editor wrote
MAX_DEPTH = 10  # nested YAML mappings and lists (content needs 4)
MAX_BODY_CHARS = 200_000  # Markdown text of one page or field
MAX_BLOCK_CHARS = 15_000  # one paragraph, list or table (between blank lines)
MAX_BLOCK_BRACKETS = 100  # "[" per paragraph: no editor needs more; link parsing stays cheap
MAX_BODY_INDENT = 80  # spaces before a Markdown line (lists nested 20 deep)
DEEP_INDENT = re.compile(rf"^[^\S\n]{{{MAX_BODY_INDENT + 1}}}", re.M)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab and newline allowed
INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,17})$")  # longer numbers stay text
FLOAT_RE = re.compile(r"^[-+]?[0-9]{1,18}\.[0-9]{1,18}$")
READ_ERRORS = {errno.EACCES: "accès refusé", errno.EPERM: "accès refusé",
               errno.EIO: "erreur du disque"}
SCALAR_TAGS = {  # tag -> what an untagged value must look like to get it
    "tag:yaml.org,2002:str": None,
    "tag:yaml.org,2002:null": re.compile(r"^(?:~|null|Null|NULL|)$"),
    "tag:yaml.org,2002:bool": re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    "tag:yaml.org,2002:int": INT_RE,
    "tag:yaml.org,2002:float": FLOAT_RE,
}


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
    for tag, pattern in SCALAR_TAGS.items():
        first = {"null": list("~nN") + [""], "bool": list("tTfF")}.get(
            tag.rsplit(":", 1)[1], list("-+0123456789"))
        for char in first if pattern else []:
            table.setdefault(char, []).append((tag, pattern))
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
            key = str(self.construct_object(key_node, deep=True))
            line = key_node.start_mark.line + 1 + self.line_offset
            if key == "<<":
                raise _Failure(line, errors.ALIAS_USED)
            if key in result:
                raise _Failure(line, errors.duplicate_key(key, result.key_lines[key]))
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = line
            if result[key] is None and self._value_is_a_comment(key_node):
                raise _Failure(line, errors.value_starts_with_hash(key))
        return result

    def _value_is_a_comment(self, key_node: yaml.Node) -> bool:
        """`couleur: #8a0000` reads as an empty value followed by a comment."""
        lines = getattr(self, "source_lines", [])
        mark = key_node.end_mark
        if mark.line >= len(lines):
            return False
        rest = lines[mark.line][mark.column:].lstrip()
        return rest.startswith(":") and rest[1:].lstrip().startswith("#")

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


def read_text(path: Path, shown: str, content_root: Path, data: bytes | None = None) -> str:
    """Read a UTF-8 text file, refusing what an editor could not mean to publish.

    `data`: the file's bytes when the caller has just read them (hashing them); the file
    is checked all the same, not read again."""
    data = _read_bytes(path, shown, content_root, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise_problem(shown, line, errors.not_utf8(line))
    if "\x00" in text:
        raise_problem(shown, text[: text.index("\x00")].count("\n") + 1, errors.NUL_BYTE)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", " ").replace("\u2029", " ")  # YAML would count them as lines
    control = CONTROL.search(text)
    if control:
        raise_problem(shown, text[: control.start()].count("\n") + 1,
                      errors.control_character(f"U+{ord(control.group()):04X}"))
    if not text.strip():
        raise_problem(shown, None, errors.EMPTY_FILE)
    return text


def _read_bytes(path: Path, shown: str, content_root: Path, known: bytes | None = None
                ) -> bytes:
    """The bytes of a regular file inside content/, at most MAX_TEXT_BYTES of them."""
    data = b""
    try:
        inside = _is_inside(_real_path(path), _real_folder(str(content_root)))
        info = path.stat()
        if inside and stat.S_ISREG(info.st_mode) and info.st_size <= MAX_TEXT_BYTES:
            if known is not None:
                data = known
            else:
                with open(path, "rb") as handle:
                    data = handle.read(MAX_TEXT_BYTES + 1)
    except FileNotFoundError:
        if path.is_symlink():
            raise_problem(_unresolved(path), None, errors.SYMLINK_BROKEN)
        raise
    except RuntimeError:  # Path.resolve() in a symbolic link loop
        raise_problem(_unresolved(path), None, errors.SYMLINK_BROKEN)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise_problem(_unresolved(path), None, errors.SYMLINK_BROKEN)
        raise_problem(shown, None, errors.unreadable(READ_ERRORS.get(exc.errno, "erreur système")))
    if not inside:  # named by the link, not by its target
        raise_problem(_unresolved(path), None, errors.SYMLINK_OUTSIDE)
    if not stat.S_ISREG(info.st_mode):
        raise_problem(shown, None, errors.NOT_A_FILE)
    size = max(info.st_size, len(data))  # a file can grow after stat()
    if size > MAX_TEXT_BYTES:
        raise_problem(shown, None, errors.too_large(size / 1e6, MAX_TEXT_BYTES / 1e6))
    return data


def _real_path(path: Path) -> Path:
    """path.resolve(), resolving each folder once rather than once per file in it."""
    if path.is_symlink():
        return path.resolve()
    return _real_folder(str(path.parent)) / path.name


def _real_folder(folder: str) -> Path:
    """A folder with its links resolved, remembered while the folder stays the same."""
    info = os.lstat(folder)  # a folder replaced by a link, or moved, gets another entry
    return _resolved_folder(folder, info.st_ino, info.st_dev, info.st_mode)


@functools.lru_cache(maxsize=1024)
def _resolved_folder(folder: str, inode: int, device: int, mode: int) -> Path:
    return Path(folder).resolve()


def _unresolved(path: Path) -> str:
    """A path as the editor sees it in the folder, symbolic links not followed."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


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
    loader = ContentLoader(text)
    loader.line_offset = line_offset
    loader.source_lines = text.split("\n")
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, shown, line_offset)
        return loader.construct_document(node)
    except _Failure as failure:
        raise_problem(shown, failure.line, failure.text)
    except yaml.MarkedYAMLError as exc:
        line, text_ = _translate_yaml_error(exc, text)
        if line is not None:  # libyaml may point just past the last line
            line = min(line, text.count("\n") + 1) + line_offset
        raise_problem(shown, line, text_)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (raw text was checked)
        line = text[: exc.position].count("\n") + 1 + line_offset
        raise_problem(shown, line, errors.control_character(f"U+{exc.character:04X}")
                      if isinstance(exc.character, int) else errors.YAML_UNREADABLE)
    except (yaml.YAMLError, ValueError, RecursionError, MemoryError):
        raise_problem(shown, None, errors.YAML_UNREADABLE)
    finally:
        loader.dispose()


def _check_nodes(root: yaml.Node, shown: str, line_offset: int) -> None:
    """Walk the parsed tree once, before building anything from it.

    A node reached twice is an alias (a billion-laughs bomb is refused at its first one);
    depth is bounded; keys are plain words; no type tag is accepted (`!!python/…`,
    `!!binary`, `!!set`, `!!int 0x1F`…).
    """
    seen: set[int] = {id(root)}
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1 + line_offset
        if depth > MAX_DEPTH:
            raise_problem(shown, line, errors.TOO_DEEP)
        if not _has_plain_tag(node):
            raise_problem(shown, line, errors.YAML_TAG)
        children = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise_problem(shown, key.start_mark.line + 1 + line_offset,
                                  errors.YAML_COMPLEX_KEY)
                children += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        for child in reversed(children):  # popped in document order
            if id(child) in seen:
                raise_problem(shown, child.start_mark.line + 1 + line_offset, errors.ALIAS_USED)
            seen.add(id(child))
            stack.append((child, depth + 1))


def _has_plain_tag(node: yaml.Node) -> bool:
    """True for the tags the resolvers above give; False for an explicit `!…` tag."""
    if isinstance(node, yaml.MappingNode):
        return node.tag == "tag:yaml.org,2002:map"
    if isinstance(node, yaml.SequenceNode):
        return node.tag == "tag:yaml.org,2002:seq"
    if node.tag not in SCALAR_TAGS:
        return False
    pattern = SCALAR_TAGS[node.tag]
    return pattern is None or bool(pattern.match(node.value))


def _translate_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int | None, tuple]:
    """Turn PyYAML's English into the line (1-based) and what the editor did wrong."""
    problem, context = str(exc.problem or ""), str(exc.context or "")
    mark = exc.problem_mark or exc.context_mark
    if "quoted scalar" in context and exc.context_mark:
        mark = exc.context_mark  # the line where the quotes were opened
    if "simple key" in context and exc.context_mark:
        mark = exc.context_mark  # the line that lacks its ": "
    lines = text.split("\n")
    line_text = lines[mark.line] if mark and mark.line < len(lines) else ""
    line = mark.line + 1 if mark else None
    message = _yaml_message(problem, context, line_text, mark.column if mark else 0)
    if message == errors.YAML_INDENT and mark and mark.line > 0 and "\u00a0" in lines[
            mark.line - 1]:
        return mark.line, errors.YAML_NBSP_INSIDE  # an invisible space spoilt the line above
    if message == errors.YAML_INDENT and mark and ('"' in line_text or "'" in line_text):
        for number in range(mark.line - 1, -1, -1):  # quotes opened earlier, closed here
            if _quote_problem(lines[number]) == errors.YAML_QUOTE:
                return number + 1, errors.YAML_QUOTE
    return line, message


def _yaml_message(problem: str, context: str, line_text: str, column: int) -> tuple[str, str]:
    """The French message for one libyaml complaint about one line."""
    indent = line_text[: len(line_text) - len(line_text.lstrip())]
    if "\u00a0" in indent or "\u00a0" in line_text[:1]:
        return errors.YAML_NBSP
    stripped = line_text.lstrip(" ")
    if stripped[:1] in ("–", "—", "•", "·", "‐", "−"):
        return errors.YAML_WORD_DASH
    if re.match(r"-(\u00a0|[^\s-])", stripped):
        return errors.YAML_DASH_SPACE
    if "\u00a0" in line_text:
        return errors.YAML_NBSP_INSIDE
    if "\t" in problem or "'\\t'" in problem or line_text.startswith("\t"):
        return errors.YAML_TAB
    if "mapping values are not allowed" in problem:
        return errors.YAML_INDENT if line_text.find(":") == column else errors.YAML_COLON
    if "found character" in problem and "cannot start any token" in problem:
        return errors.YAML_SPECIAL_START
    if "escape" in problem or "hexdecimal" in problem:
        return errors.YAML_ESCAPE
    if "another document" in problem:
        return errors.YAML_SEVERAL_DOCUMENTS
    if "nesting depth" in problem:
        return errors.TOO_DEEP
    if "expected ',' or" in problem:
        return errors.YAML_BRACKET
    if "block sequence entries are not allowed" in problem:
        return errors.YAML_DASH
    if "anchor" in problem + context or "alias" in problem + context:
        return errors.ALIAS_USED
    if "could not find expected ':'" in problem and re.match(r"^\s*(?:- )?[^\s:#'\"]+:\S",
                                                              line_text):
        return errors.YAML_COLON_SPACE
    quote = _quote_problem(line_text)
    if quote or "unexpected end of" in problem or "quoted scalar" in context:
        return quote or errors.YAML_QUOTE
    if any(words in problem for words in ("expected <block end>", "did not find expected key",
                                          "could not find expected ':'", "expected '-'")):
        return errors.YAML_INDENT
    return errors.YAML_UNREADABLE


def _quote_problem(line_text: str) -> tuple[str, str] | None:
    """A quoted value closed too early (an inner quote) or never closed."""
    value = line_text.split(": ", 1)[1].strip() if ": " in line_text else ""
    if value[:1] not in ("'", '"'):
        return None
    closing = value.replace("''", "  ").find(value[0], 1) if value[0] == "'" else \
        re.sub(r"\\.", "  ", value).find('"', 1)
    if closing == -1:
        return errors.YAML_QUOTE
    rest = value[closing + 1 :].strip()
    return errors.YAML_INNER_QUOTE if rest and not rest.startswith("#") else None


FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def split_front_matter(text: str, shown: str) -> tuple[str, str, int]:
    """Split `---` front matter from a Markdown body.

    Returns (front matter, body, line of the body's first line).
    """
    if not FRONT_MATTER_FENCE.match(text):
        raise_problem(shown, 1, errors.FRONT_MATTER_MISSING)
    start = text.index("\n") + 1 if "\n" in text else len(text)
    closing = FRONT_MATTER_FENCE.search(text, pos=start)
    if closing is None:
        raise_problem(shown, 1, errors.FRONT_MATTER_UNCLOSED)
    head = text[start : closing.start()]
    body = text[closing.end() + 1 :]
    body_line = text[: closing.end()].count("\n") + 2
    return head, body, body_line


def markdown_problem(text: str) -> tuple[int, tuple[str, str]] | None:
    """(line within text, message) when Markdown is too big or tangled to render quickly."""
    if len(text) > MAX_BODY_CHARS:
        return 1, errors.body_too_long(len(text), MAX_BODY_CHARS)
    if (len(text) <= MAX_BLOCK_CHARS and text.count("[") <= MAX_BLOCK_BRACKETS
            and not DEEP_INDENT.search(text)):
        return None  # the usual page: no block can break a limit (the scan below is slower)
    line = 1
    for block in re.split(r"(\n[ \t]*\n)", text):
        for offset, row in enumerate(block.split("\n")):
            if len(row) - len(row.lstrip()) > MAX_BODY_INDENT:
                return line + offset, errors.body_too_indented(MAX_BODY_INDENT)
        if block.strip() and (len(block) > MAX_BLOCK_CHARS
                              or block.count("[") > MAX_BLOCK_BRACKETS):
            return line, errors.block_too_complex(MAX_BLOCK_CHARS, MAX_BLOCK_BRACKETS)
        line += block.count("\n")
    return None


def load_markdown_file(path: Path, shown: str, content_root: Path, data: bytes | None = None
                       ) -> tuple[Mapping, str, int]:
    """Read a Markdown file: (front matter mapping, body, first line of body)."""
    text = read_text(path, shown, content_root, data)
    head, body, body_line = split_front_matter(text, shown)
    data = parse_yaml(head, shown, line_offset=1)
    if data is None:
        data = Mapping()
        data.line, data.key_lines = 1, {}
    if not isinstance(data, Mapping):
        raise_problem(shown, 2, errors.NOT_A_MAPPING)
    found = markdown_problem(body)
    if found:
        raise_problem(shown, body_line + found[0] - 1, found[1])
    return data, body, body_line


def load_yaml_file(path: Path, shown: str, content_root: Path) -> Any:
    """Read a YAML data file."""
    return parse_yaml(read_text(path, shown, content_root), shown)
