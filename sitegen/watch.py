"""Watch stage of the live preview: which content and template files changed.

A scan lists every watched file with its size and mtime; comparing two scans gives the
changed files. Scans are cheap on a small site but not free on a big one, so on Linux an
inotify descriptor says *which* files changed and whether their save is complete (closed
after writing, moved in, deleted): the preview then stats those files only, and scans the
trees only when inotify cannot tell (a folder moved, a queue overflow) and, rarely, as a
safety net. Editors' temporary and backup files are ignored everywhere.
"""

from __future__ import annotations

import ctypes
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

# inotify(7) event bits
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_ISDIR = 0x400, 0x800, 0x4000, 0x40000000
IN_IGNORED = 0x8000
DONE = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE  # the file is as it will be
WRITING = IN_MODIFY | IN_CREATE  # the file may still be being written
WATCHED = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
           | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


def is_ignored(name: str) -> bool:
    """Editor temporary and backup files (vim, emacs, Office, gedit) and hidden files."""
    return (name.startswith((".", "~$")) or name.endswith(("~", ".swp", ".swo", ".swx", ".tmp"))
            or name == "4913")


def scan_tree(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """Every watched file with its (mtime_ns, size); temporary files left out."""
    found: dict[str, tuple[int, int]] = {}
    pending = [str(folder) for folder in folders]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue  # a folder removed while scanning
        for entry in entries:
            if is_ignored(entry.name):
                continue
            try:
                if entry.is_dir():
                    pending.append(entry.path)
                else:
                    stat = entry.stat()
                    found[entry.path] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                continue  # a file removed while scanning
    return found


def changed_paths(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
                  ) -> set[str]:
    """Files added, removed or modified between two scans."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def stat_key(path: str) -> tuple[int, int] | None:
    """(mtime_ns, size) of one file as scan_tree records it; None when it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@dataclass
class Events:
    """What one read of the inotify queue says; false when nothing watched changed."""

    done: set[str] = field(default_factory=set)  # closed after writing, moved, deleted
    writing: set[str] = field(default_factory=set)  # created or modified, maybe still open
    rescan: bool = False  # a folder came or went, or events were lost: scan the trees

    def __bool__(self) -> bool:
        return bool(self.done or self.writing or self.rescan)

    def add(self, path: str, mask: int) -> None:
        """Record one file event; the file's latest event decides where it stands."""
        if mask & DONE:
            self.done.add(path)
            self.writing.discard(path)
        elif mask & WRITING:
            self.writing.add(path)
            self.done.discard(path)
        elif path not in self.writing:  # IN_ATTRIB alone (touch, chmod): complete
            self.done.add(path)


class Notifier:
    """Linux inotify on every folder under the watched ones: which files changed, and how."""

    def __init__(self, folders: list[Path]):
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.folders: dict[int, str] = {}  # watch descriptor -> folder
        for folder in folders:
            self.watch_tree(Path(folder))

    def watch_tree(self, folder: Path) -> None:
        """Watch a folder and every folder under it."""
        for path, subfolders, _ in os.walk(folder):
            subfolders[:] = [name for name in subfolders if not is_ignored(name)]
            wd = self._libc.inotify_add_watch(self.fd, os.fsencode(path), WATCHED)
            if wd < 0:
                raise OSError(ctypes.get_errno(), "inotify_add_watch", path)
            self.folders[wd] = path

    def drain(self) -> Events:
        """Read every pending event; the result is false when none concerns a watched file."""
        events = Events()
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return events
            offset = 0
            while offset < len(data):
                wd, mask, _, length = EVENT.unpack_from(data, offset)
                name = os.fsdecode(data[offset + EVENT.size:offset + EVENT.size + length]
                                   .rstrip(b"\0"))
                offset += EVENT.size + length
                folder = self.folders.get(wd)
                if mask & IN_IGNORED:
                    self.folders.pop(wd, None)  # a watched folder is gone (seen already)
                elif mask & IN_Q_OVERFLOW or folder is None or not name:
                    events.rescan = True  # lost events, or the watched folder itself moved
                elif is_ignored(name):
                    continue
                elif mask & IN_ISDIR:
                    if mask & (IN_CREATE | IN_MOVED_TO):
                        self.watch_tree(Path(folder) / name)
                    if mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE):
                        events.rescan = True  # its files come or go without their own events
                else:
                    events.add(os.path.join(folder, name), mask)

    def close(self) -> None:
        os.close(self.fd)


def open_notifier(folders: list[Path]) -> Notifier | None:
    """An inotify notifier, or None where there is none (not Linux, limit reached)."""
    try:
        return Notifier(folders)
    except (OSError, AttributeError):
        return None
