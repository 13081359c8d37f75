"""Write stage: put the rendered site in place all at once, or not at all.

The new site is prepared in a spare folder beside the output, reusing (hard-linking)
every file whose bytes did not change, then swapped with the old one in a single rename.
A failed or killed build therefore leaves the previous site complete and serving.
A build in which no byte changed swaps nothing.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".sitegen.json"  # what the generator produced, to tell its files from others
RENAME_EXCHANGE = 2


class OutputError(Exception):
    """The output folder cannot be used; the message is for the editor, in French."""


@dataclass
class WriteReport:
    """What a write changed in the output folder."""

    written: int = 0  # files written afresh
    unchanged: int = 0  # files kept as they were (same inode)
    removed: int = 0
    rendered: int = 0  # outputs rendered again (the others were known to be unchanged)

    def count(self, written: bool) -> None:
        """Count one placed file."""
        if written:
            self.written += 1
        else:
            self.unchanged += 1


def check_output_dir(output: Path, protected: list[Path], force: bool = False,
                     sources: tuple[Path, ...] = ()) -> None:
    """Refuse an output folder whose replacement would destroy something else.

    protected: folders the output may be neither equal to nor above; sources (content/,
    templates/): folders it may not be inside either.
    """
    target = output.resolve()
    dangerous = {Path("/"), Path.home().resolve(), *(p.resolve() for p in protected)}
    inside = [p.resolve() for p in sources]
    if (target in dangerous or any(target in p.parents for p in dangerous if p != Path("/"))
            or any(p in target.parents for p in inside)):
        raise OutputError(f"le dossier de sortie {output} est protégé (racine, dossier personnel, "
                          "dépôt, content/ ou templates/) : il serait effacé.\n  → Choisissez un "
                          "dossier dédié, par exemple --output site.")
    if target.is_dir() and not force and any(target.iterdir()) and not (target / MANIFEST).exists():
        raise OutputError(f"le dossier de sortie {output} contient des fichiers qui n'ont pas été "
                          "produits par le générateur.\n  → Choisissez un dossier vide, ou "
                          "relancez avec --force pour le remplacer entièrement.")


def find_foreign(output: Path, live: dict[str, str], known: dict[str, tuple] | None,
                 read_at_ns: int) -> tuple[list[str], dict[str, tuple]]:
    """Files and folders in the output that its manifest does not list (added by hand).

    Only folders whose (mtime_ns, inode) differ from `known` (the stamps this function
    returned last time for this folder), or changed less than 2 s before they were stamped,
    are listed: adding or removing an entry changes its folder's mtime. Returns the foreign
    paths and the new stamps.
    """
    folders = {""}
    for rel in live:
        while "/" in rel:
            rel = rel.rsplit("/", 1)[0]
            if rel in folders:
                break
            folders.add(rel)
    stamps, foreign, base = {}, [], os.path.join(output, "")
    for folder in folders:
        try:
            st = os.lstat(base + folder)
        except OSError:
            continue
        stamps[folder] = (st.st_mtime_ns, st.st_ino)
        if known is not None and known.get(folder) == stamps[folder] and \
                st.st_mtime_ns < read_at_ns - (2_000_000_000 if st.st_mtime_ns % 10**9 == 0
                                               else 100_000_000):
            continue  # same stamp, taken well after the folder last changed
        for entry in os.scandir(base + folder):
            rel = f"{folder}/{entry.name}" if folder else entry.name
            if entry.is_dir(follow_symlinks=False):
                if rel not in folders:
                    foreign.append(rel + "/")
            elif rel not in live and rel != MANIFEST:
                foreign.append(rel)
    return sorted(foreign), stamps


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Only one build writes a given output folder at a time."""
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_path = output.parent / f".{output.name}.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"une autre génération du site est en cours dans {output}.\n  → "
                              "Attendez qu'elle se termine, puis relancez.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SiteWriter:
    """Prepares the next site in a spare folder beside the output, then swaps the two.

    The spare folder (.NAME-spare) holds the site before the current one, hard-linked to
    it wherever both have the same bytes; its manifest says which bytes it holds. A build
    therefore only touches the files that differ from it: those that changed now or at
    the previous build. An unchanged file is a hard link to the live one, so it keeps its
    inode and mtime across the swap; a changed file is written afresh (new mtime, so no
    cache can mistake it for the old one). The live site is never modified: a failed or
    killed build leaves it complete, and the spare without manifest, rebuilt next time.
    Trade-off: the spare costs one directory tree of links, no file data. A first build
    leaves none: the first build that reuses files makes it (a build from a fresh clone,
    as in CI, never needs one).
    Methods `put` and `keep` may run in forked worker processes.
    """

    def __init__(self, output: Path):
        self.output = output.resolve() if output.is_symlink() else output  # a link stays one
        self.spare = output.parent / f".{output.name}-spare"
        self.live = _read_manifest(output)
        self.held: dict[str, str] = {}  # what the spare folder holds now (from its manifest)
        self._folders: set[Path] = set()  # folders known to exist in the spare

    def open(self, paths: set[str]) -> None:
        """Trust or reset the spare folder; remove what the next site will not have."""
        _remove_stale_temporaries(self.output)
        manifest = self.spare / MANIFEST
        self.held = _read_manifest(self.spare) if manifest.is_file() else {}
        if not self.held:
            shutil.rmtree(self.spare, ignore_errors=True)
        self.spare.mkdir(parents=True, exist_ok=True)
        manifest.unlink(missing_ok=True)  # from now on the spare is work in progress
        for rel in sorted(set(self.held) - paths):
            _remove_file(self.spare, rel)

    def put(self, rel: str, data: bytes) -> tuple[str, bool]:
        """Place rendered bytes; returns (hash, True when written, False when linked)."""
        digest = digest_bytes(data)
        if self.live.get(rel) == digest and self._link(rel):
            return digest, False
        target = self._fresh(rel)
        target.write_bytes(data)
        return digest, True

    def keep(self, rel: str) -> bool:
        """An output known to be unchanged: the spare gets the live file (False if gone)."""
        return self._link(rel)

    def copy(self, rel: str, source: Path) -> tuple[str, bool]:
        """A content file copied as-is (content/fichiers/); its hash is its signature."""
        digest = hashlib.blake2b(digest_size=16)
        with open(source, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        signature = digest.hexdigest()
        if self.live.get(rel) == signature and self._link(rel):
            return signature, False
        shutil.copyfile(source, self._fresh(rel))
        return signature, True

    def finish(self, target: dict[str, str], foreign: list[str] = ()) -> bool:
        """Write the manifest and swap the folders; False when the site was already this.

        `foreign`: paths in the live site that no build wrote (accepted with --force); they
        leave with the old site and are deleted from the spare, never to come back.
        """
        _write_manifest(self.spare, target)
        if target == self.live and (self.output / MANIFEST).is_file() and not foreign:
            return False
        had_manifest = (self.output / MANIFEST).is_file()
        _swap(self.spare, self.output)
        if not had_manifest:  # first build, or a replaced folder: no spare until one is needed
            shutil.rmtree(self.spare, ignore_errors=True)
        for rel in foreign:
            path = self.spare / rel.rstrip("/")
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        return True

    def _link(self, rel: str) -> bool:
        """Give the spare the live file; False when the live file is missing."""
        if rel in self.held and self.held[rel] == self.live.get(rel):
            return True  # already the live file itself (both folders hold it since it changed)
        target = self._fresh(rel)
        try:
            os.link(self.output / rel, target)
        except FileNotFoundError:
            return False
        except OSError:  # another file system, or links not allowed: copy it
            shutil.copyfile(self.output / rel, target)
        return True

    def _fresh(self, rel: str) -> Path:
        """The spare path of an output, emptied: never write through a link to the live site."""
        target = self.spare / rel
        try:
            target.unlink()
        except FileNotFoundError:
            if target.parent not in self._folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(target.parent)
        return target


def write_site(output: Path, files: dict[str, bytes], copies: dict[str, Path]) -> WriteReport:
    """Replace the output folder with exactly `files` (bytes) and `copies` (source files)."""
    writer = SiteWriter(output)
    writer.open(set(files) | set(copies))
    report, target = WriteReport(), {}
    for rel, data in sorted(files.items()):
        target[rel], written = writer.put(rel, data)
        report.count(written)
    for rel, source in sorted(copies.items()):
        target[rel], written = writer.copy(rel, source)
        report.count(written)
    report.removed = len(set(writer.live) - set(target))
    writer.finish(target)
    return report


def digest_bytes(data: bytes) -> str:
    """Short hash of an output's bytes (the manifest's signature)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _remove_file(folder: Path, rel: str) -> None:
    """Remove a file and the folders it leaves empty (a clean build would not have them)."""
    path = folder / rel
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != folder:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def _write_manifest(folder: Path, files: dict[str, str]) -> None:
    """Written beside, then renamed: a manifest is whole or absent."""
    temporary = folder / f"{MANIFEST}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(files, sort_keys=True))  # no indent: the fast encoder
    os.replace(temporary, folder / MANIFEST)


def _read_manifest(output: Path) -> dict[str, str]:
    try:
        files = json.loads((output / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return files if isinstance(files, dict) else {}


def _remove_stale_temporaries(output: Path) -> None:
    """Leftovers of builds that were killed before their swap."""
    for leftover in output.parent.glob(f".{output.name}.tmp-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _is_running(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output.parent.glob(f".{output.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def _swap(staging: Path, output: Path) -> None:
    """Exchange the two folders atomically (Linux renameat2), else with quick renames."""
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        return
    backup = output.parent / f".{output.name}.old-{os.getpid()}"
    os.rename(output, backup)
    os.rename(staging, output)
    os.rename(backup, staging)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): both names swap in one atomic step."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE)
    if result != 0:
        if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EXDEV):
            return False
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))
    return True
