"""Watch stage of the live preview: which content and template files changed.

A scan lists every watched file with its size and mtime; comparing two scans gives the
changed files. Scans are cheap on a small site but not free on a big one, so on Linux an
inotify descriptor says *when* to scan: nothing runs while the editor is not saving.
Editors' temporary and backup files are ignored everywhere.
"""

from __future__ import annotations

import ctypes
import os
import struct
from pathlib import Path

# inotify(7) event bits
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_ISDIR = 0x400, 0x800, 0x4000, 0x40000000
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


class Notifier:
    """Linux inotify on every folder under the watched ones: tells when to scan again."""

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

    def drain(self) -> bool:
        """Read every pending event; True when one concerns a file that is not ignored."""
        relevant = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return relevant
            offset = 0
            while offset < len(data):
                wd, mask, _, length = EVENT.unpack_from(data, offset)
                name = os.fsdecode(data[offset + EVENT.size:offset + EVENT.size + length]
                                   .rstrip(b"\0"))
                offset += EVENT.size + length
                if mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO) and wd in self.folders \
                        and not is_ignored(name):
                    self.watch_tree(Path(self.folders[wd]) / name)
                relevant = relevant or bool(mask & IN_Q_OVERFLOW) or not is_ignored(name)

    def close(self) -> None:
        os.close(self.fd)


def open_notifier(folders: list[Path]) -> Notifier | None:
    """An inotify notifier, or None where there is none (not Linux, limit reached)."""
    try:
        return Notifier(folders)
    except (OSError, AttributeError):
        return None
