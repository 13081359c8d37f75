"""Build cache: what the last build read, parsed and produced, so the next one redoes less.

Lives in `.cache/sitegen/` at the project root, or beside the output folder when it is
elsewhere; git-ignored and safe to delete (an unreadable or corrupt cache is ignored and
rebuilt). Nothing in it can hide an error:

- a content file is parsed again unless its (size, mtime_ns, inode) match, and, when it
  was modified less than RACY_NS before it was read (a later edit could keep the same
  stamp), unless its bytes hash the same; its problems are stored with it and reported again;
- everything is keyed by the generator's own version (its source files and libraries).

Only the file-level reading lives here; the cross-file checks run on every build.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sqlite3
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .links import link_paths

CACHE_VERSION = 1
SHARDS = 16  # files the entries of content files are saved in
RACY_NS = 2_000_000_000  # file-system stamps may be this coarse (FAT: 2 s)
FINE_RACY_NS = 100_000_000  # stamps with a fraction of a second: jiffies (4-10 ms) or finer
LIBRARIES = ("jinja2", "cmarkgfm", "markupsafe", "nh3", "yaml", "icalendar", "babel")
NOT_RENDERING = {"__init__.py", "cli.py", "serve.py", "check.py", "scaffold.py"}  # no output
StatKey = tuple  # (size, mtime_ns, inode)


def digest_bytes(data: bytes) -> str:
    """Short hash of some bytes (files, outputs)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stat_key(path: Path | str) -> StatKey | None:
    """(size, mtime_ns, inode) of a file, following links; None when it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def scan_tree(folder: Path) -> dict[str, StatKey]:
    """Every file under a folder (relative POSIX path -> stat key), hidden ones included."""
    found: dict[str, StatKey] = {}
    stack = [(str(folder), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_dir():
                    stack.append((entry.path, rel + "/"))
                    continue
                st = entry.stat()
            except OSError:
                continue
            found[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def is_racy(key: StatKey, read_at_ns: int) -> bool:
    """True when a file changed so close to its reading that a later edit could look the same.

    A stamp in whole seconds may come from a coarse file system (FAT: 2 s); one with a
    fraction of a second from a fine one, whose stamps move at least every few ms.
    """
    window = RACY_NS if key[1] % 1_000_000_000 == 0 else FINE_RACY_NS
    return key[1] >= read_at_ns - window


def generator_salt() -> str:
    """Changes whenever the generator or a library it renders with changes."""
    package = Path(__file__).parent
    parts = [f"v{CACHE_VERSION}", sys.version]
    for path in sorted(package.glob("*.py")):
        if path.name not in NOT_RENDERING:
            parts.append(f"{path.name}:{stat_key(path)}")
    for name in LIBRARIES:  # found, not imported: an upgrade changes the file's stamp
        spec = importlib.util.find_spec(name)
        parts.append(f"{name}:{stat_key(spec.origin) if spec and spec.origin else None}")
    return digest_bytes("\n".join(parts).encode())


def cache_folder(root: Path, output: Path) -> Path:
    """.cache/sitegen at the project root, or beside an output folder outside the project."""
    root, output = root.resolve(), output.resolve()
    if root == output or root in output.parents:
        return root / ".cache" / "sitegen"
    return output.parent / f".{output.name}-cache"


@dataclass
class FileEntry:
    """One content file as last read: its stamp, hash, record and problems."""

    stat: StatKey | None
    digest: str
    racy: bool  # stamp too recent to be trusted alone: compare the bytes next time
    record: Any  # Page, Event, or None when the file has errors
    problems: list  # the Problems found in this file alone
    links: tuple = ()  # paths of the site its text links to (links.py), read once
    # (here, not on the record: one more attribute there costs 7 MB at 10,000 pages)

    def __reduce__(self) -> tuple:
        """Pickled with the body as UTF-8 bytes: pickling a str would keep a UTF-8 copy of
        it inside the str for as long as it lives (twice the memory of every body)."""
        record, body = self.record, None
        if isinstance(getattr(record, "body", None), str):
            body, record = record.body.encode(), _with_body(record, "")
        return _restore_entry, (self.stat, self.digest, self.racy, record, self.problems, body,
                                self.links)


def _restore_entry(stat: StatKey | None, digest: str, racy: bool, record: Any, problems: list,
                   body: bytes | None, links: tuple) -> FileEntry:
    if body is not None:  # the record was just unpickled: nobody else holds it
        object.__setattr__(record, "body", body.decode())
    return FileEntry(stat, digest, racy, record, problems, links)


def _with_body(record: Any, body: str) -> Any:
    """A copy of a frozen record with another body (dataclasses.replace, without the cost
    of validating every field again: thousands of calls per build)."""
    clone = object.__new__(type(record))
    clone.__dict__.update(record.__dict__, body=body)
    return clone


@dataclass
class Snapshot:
    """Everything a build depended on, to answer « nothing changed » without parsing."""

    key: str  # generator salt, options and reference date
    files: dict[str, tuple]  # "content/…" or "templates/…" -> (stat key, digest or None)
    read_at_ns: int
    manifest: StatKey | None  # the output's manifest as this build left it
    warnings: list
    outputs: int


@dataclass
class BuildState:
    """What one configuration (folders, preview) learnt from its previous builds."""

    salt: str
    entries: dict[str, FileEntry] = field(default_factory=dict)  # content Markdown files
    sources: dict[str, str] = field(default_factory=dict)  # record address -> source hash
    inputs: dict[str, str] = field(default_factory=dict)  # non-record fingerprints
    outputs: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # path -> (hash,
    # dependency set id, own record signature)
    dep_sets: list[frozenset] = field(default_factory=list)  # id -> {(key, fingerprint)}
    folders: dict[int, dict] = field(default_factory=dict)  # output inode -> folder stamps
    snapshot: Snapshot | None = None
    names: dict[str, str] = field(default_factory=dict)  # French day and month names (Babel)


def load_pickle(path: Path, expected: type) -> Any:
    """A pickled object of the expected type, or None if missing, stale or unreadable."""
    try:
        with open(path, "rb") as handle:
            value = pickle.load(handle)
    except Exception:  # noqa: BLE001 - any broken cache is simply rebuilt
        return None
    return value if isinstance(value, expected) else None


def save_pickle(path: Path, value: Any) -> None:
    """Write atomically (a killed build leaves the previous file); errors are ignored."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except Exception:  # noqa: BLE001 - a cache that cannot be saved is rebuilt next time
        temporary.unlink(missing_ok=True)


class EntryShards:
    """The content files' entries, saved in SHARDS files by name: a rebuild after one edit
    writes one small file, not the records of the whole site.

    Each file holds (salt, entries) and is written atomically; entries check themselves
    against the disk (stat, hash), so files saved by different builds mix safely.
    """

    def __init__(self, folder: Path, salt: str):
        self.folder, self.salt = folder, salt
        self.saved: list[dict[str, tuple]] = [{} for _ in range(SHARDS)]  # as last on disk

    def load(self) -> dict[str, FileEntry]:
        entries: dict[str, FileEntry] = {}
        for number in range(SHARDS):
            found = load_pickle(self._path(number), tuple)
            if found and len(found) == 2 and found[0] == self.salt:
                entries.update(found[1])
                self.saved[number] = _marks(found[1])
        return entries

    def save(self, entries: dict[str, FileEntry]) -> None:
        shards: list[dict[str, FileEntry]] = [{} for _ in range(SHARDS)]
        for name, entry in entries.items():
            shards[_shard(name)][name] = entry
        for number, shard in enumerate(shards):
            marks = _marks(shard)
            if marks != self.saved[number]:
                save_pickle(self._path(number), (self.salt, shard))
                self.saved[number] = marks

    def _path(self, number: int) -> Path:
        return self.folder / f"entries-{number:02d}.pickle"


def _shard(name: str) -> int:
    return zlib.crc32(name.encode()) % SHARDS


def _marks(entries: dict[str, FileEntry]) -> dict[str, tuple]:
    """What tells a saved entry from a changed one (its record follows from its hash)."""
    return {name: (entry.digest, entry.stat, entry.racy) for name, entry in entries.items()}


class MarkdownStore:
    """Rendered Markdown by hash of its text, in SQLite, shared by processes and builds.

    Acts as the dict MarkdownRenderer expects (get, item assignment). The keys it holds
    are read once, so a text it does not have costs no query (every text of a first
    build). New entries are buffered and written in batches; a corrupt database is
    deleted and started again;
    if even that fails the store keeps entries in memory for this build only.
    """

    BATCH = 200

    def __init__(self, path: Path, salt: str):
        self.path, self.salt = path, salt
        self._pid, self._db, self._pending, self._memory = 0, None, {}, {}
        self._known: set[str] | None = None  # keys in the database: ask it for those only

    def _connection(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a forked worker opens its own connection
            self._pid, self._db, self._pending = os.getpid(), None, {}
            for _attempt in range(2):
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                    db.execute("PRAGMA synchronous=OFF")
                    db.execute("CREATE TABLE IF NOT EXISTS html (key TEXT PRIMARY KEY, value TEXT)")
                    if self._known is None:  # forked workers inherit the parent's
                        self._known = {key for key, in db.execute("SELECT key FROM html")}
                    self._db = db
                    break
                except (sqlite3.Error, OSError):
                    self.path.unlink(missing_ok=True)
        return self._db

    def get(self, key: str) -> str | None:
        """The HTML of a text already converted, if known."""
        full = self.salt + key
        found = self._pending.get(full) or self._memory.get(full)
        db = self._connection()
        if found is None and db is not None and full in self._known:
            try:
                row = db.execute("SELECT value FROM html WHERE key = ?", (full,)).fetchone()
                found = row[0] if row else None
            except sqlite3.Error:
                self._db = None
        return found

    def __setitem__(self, key: str, html: str) -> None:
        if self._connection() is None:
            self._memory[self.salt + key] = html
            return
        self._pending[self.salt + key] = html
        if len(self._pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write buffered entries (one transaction)."""
        db = self._connection()
        if not self._pending or db is None:
            return
        try:
            with db:
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO html VALUES (?, ?)",
                               self._pending.items())
            self._known.update(self._pending)
        except sqlite3.Error:
            pass
        self._pending = {}


def now_ns() -> int:
    """The wall clock, comparable with file stamps."""
    return time.time_ns()


def read_site_cached(content_dir: Path, root: Path, today: Any, preview: bool,
                     previous: dict[str, FileEntry], recheck: set[str] = frozenset(),
                     stats: dict[str, StatKey] | None = None
                     ) -> tuple[Any, list, dict[str, FileEntry], dict[str, str]]:
    """validate.read_site, reusing the records of unchanged Markdown files.

    Returns (site or None, problems, the new file entries, source hash by record address).
    Settings and data files are small: they are parsed again every time. `stats`: stat
    keys of the content files by relative path, when the caller has just taken them.
    """
    from . import validate
    from .config import load_config
    from .model import parse_event, parse_page

    reader = validate.Reader(content_dir, root)
    sources = {"config": _file_digest(content_dir / "site.yaml")}
    sources.update((name, _file_digest(content_dir / name)) for name in validate.DATA_FILES)
    config = load_config(content_dir, reader.shown(content_dir / "site.yaml"))
    entries: dict[str, FileEntry] = {}
    pages = _read_kind(reader, "pages", parse_page, previous, entries, recheck, stats)
    events = _read_kind(reader, "agenda", parse_event, previous, entries, recheck, stats)
    site, problems = validate.assemble_site(reader, config, pages, events, today, preview)
    if site is not None:
        for kind, records in (("page", site.pages), ("event", site.events)):
            for record in records:
                sources[f"{kind}:{record.slug}"] = entries[f"{kind}:{record.slug}"].digest
    return site, problems, entries, sources


def _read_kind(reader: Any, folder: str, parse: Any, previous: dict[str, FileEntry],
               entries: dict[str, FileEntry], recheck: set[str], stats: dict | None) -> list:
    """The records of one folder of Markdown files (validate._read_markdown_kind, cached).

    Files whose entry is still good are taken as they are; the others are parsed. (Parsing
    them on every core saved 5 % of a first build but raised its peak memory by a quarter:
    the records come back to the parent as copies.)"""
    from . import errors
    from .errors import Problem
    from .model import SLUG_RE

    kind = "page" if folder == "pages" else "event"
    started = now_ns()
    slots: list[tuple] = []  # in file order: (address, FileEntry | Problem | todo index, stat)
    todo: list[tuple] = []  # files to parse: (path, shown, stat key, digest, bytes)
    for name, path, shown in _markdown_files(reader, folder):
        stem = name[:-3]
        address = f"{kind}:{stem}"
        entry = previous.get(address)
        if (entry is not None and stats is not None and not entry.racy and path not in recheck
                and entry.stat is not None and entry.stat == stats.get(f"{folder}/{name}")):
            slots.append((address, entry, entry.stat))  # the common case: kept short
            continue
        if not SLUG_RE.match(stem):
            slots.append((address, Problem(shown, None, *errors.bad_file_name(name)), None))
            continue
        key = stats.get(f"{folder}/{name}") if stats is not None else None
        key = key or stat_key(path)
        digest = data = None
        if entry is not None and (entry.stat != key or entry.racy or path in recheck):
            data = _file_bytes(path)
            digest = "absent" if data is None else digest_bytes(data)
        if entry is None or digest not in (None, entry.digest):
            slots.append((address, len(todo), key))
            todo.append((path, shown, key, digest, data))
        else:
            slots.append((address, entry, key))  # touched, same bytes
    parsed = [_parse_file(reader, parse, *job) for job in todo]
    records = []
    for address, found, key in slots:
        if isinstance(found, Problem):
            reader.problems.append(found)
            continue
        entry = parsed[found] if isinstance(found, int) else found
        entry.racy = key is not None and is_racy(key, started)
        entry.stat = key
        entries[address] = entry
        reader.problems.extend(entry.problems)
        if entry.record is not None:
            records.append(entry.record)
    return records


def _markdown_files(reader: Any, folder: str) -> list[tuple[str, str, str]]:
    """reader.markdown_files as (name, path, shown), resolving only links (much faster).

    A long-running preview lists a folder again only when the folder changed: adding,
    removing or renaming a file changes its mtime, trusted once it is older than the last
    listing by more than the file system's stamp granularity (see is_racy)."""
    directory = reader.content_dir / folder
    absolute = os.path.abspath(directory)  # entry paths compare with those of `recheck`
    prefix, stamp, listed_at = reader.shown(directory), stat_key(absolute), now_ns()
    known = _LISTINGS.get((absolute, prefix))
    if known is not None and stamp is not None and known[0] == stamp \
            and not is_racy(stamp, known[1]):
        return known[2]
    try:
        entries = [e for e in os.scandir(absolute) if e.name.endswith(".md")
                   and not e.name.startswith((".", "~$"))]
    except (FileNotFoundError, NotADirectoryError):
        return []
    if any(e.is_symlink() for e in entries):  # links: exactly what the reader does
        return [(p.name, os.path.abspath(p), shown) for p, shown in reader.markdown_files(folder)]
    found = [(e.name, e.path, f"{prefix}/{e.name}") for e in sorted(entries, key=lambda e: e.name)]
    _LISTINGS[(absolute, prefix)] = (stamp, listed_at, found)
    return found


_LISTINGS: dict[tuple[str, str], tuple] = {}  # (folder, as shown) -> (stamp, time, listing)


def _parse_file(reader: Any, parse: Any, path: str, shown: str, key: StatKey | None,
                digest: str | None, data: bytes | None) -> FileEntry:
    """Read (unless its bytes are given) and check one Markdown file, keeping its problems
    apart."""
    if data is None:
        data = _file_bytes(path)
        digest = "absent" if data is None else digest_bytes(data)
    before = list(reader.problems)
    reader.problems.clear()
    stem = os.path.basename(path)[:-3]
    loaded = reader.markdown(Path(path), shown, data)
    record = parse(*loaded, stem, shown, reader.problems) if loaded is not None else None
    problems = list(reader.problems)
    reader.problems[:] = before
    links = link_paths(record.body, record.url) if record is not None else ()
    return FileEntry(key, digest, False, record, problems, links)


def _file_digest(path: Path | str) -> str:
    data = _file_bytes(path)
    return "absent" if data is None else digest_bytes(data)


def _file_bytes(path: Path | str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None
