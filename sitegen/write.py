"""Write stage: put the rendered site in place all at once, or not at all.

The new site is written into a temporary folder beside the output, reusing (hard-linking)
every file whose bytes did not change, then swapped with the old one in a single rename.
A failed or killed build therefore leaves the previous site complete and serving.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

MANIFEST = ".sitegen.json"  # what the generator produced, to tell its files from others
RENAME_EXCHANGE = 2


class OutputError(Exception):
    """The output folder cannot be used; the message is for the editor, in French."""


@dataclass
class WriteReport:
    """What a write changed in the output folder."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0


def check_output_dir(output: Path, protected: list[Path], force: bool = False) -> None:
    """Refuse an output folder whose replacement would destroy something else."""
    target = output.resolve()
    dangerous = {Path("/"), Path.home().resolve(), *(p.resolve() for p in protected)}
    if target in dangerous or any(target in p.parents for p in dangerous if p != Path("/")):
        raise OutputError(f"le dossier de sortie {output} est protégé (racine, dossier personnel, "
                          "dépôt, content/ ou templates/) : il serait effacé.\n  → Choisissez un "
                          "dossier dédié, par exemple --output site.")
    if target.is_dir() and not force and any(target.iterdir()) and not (target / MANIFEST).exists():
        raise OutputError(f"le dossier de sortie {output} contient des fichiers qui n'ont pas été "
                          "produits par le générateur.\n  → Choisissez un dossier vide, ou "
                          "relancez avec --force pour le remplacer entièrement.")


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


def write_site(output: Path, files: dict[str, bytes], copies: dict[str, Path]) -> WriteReport:
    """Replace the output folder with exactly `files` (bytes) and `copies` (source files)."""
    previous = _read_manifest(output)
    _remove_stale_temporaries(output)
    staging = output.parent / f".{output.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    report, manifest = WriteReport(), {}
    try:
        for rel, data in sorted(files.items()):
            manifest[rel] = hashlib.sha256(data).hexdigest()
            _place(staging, output, rel, manifest[rel], previous, report, data=data)
        for rel, source in sorted(copies.items()):
            stat = source.stat()
            manifest[rel] = f"copie:{stat.st_size}:{stat.st_mtime_ns}"
            _place(staging, output, rel, manifest[rel], previous, report, source=source)
        report.removed = len(set(previous) - set(manifest))
        (staging / MANIFEST).write_text(json.dumps(manifest, sort_keys=True, indent=0))
        _swap(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _place(staging: Path, output: Path, rel: str, signature: str, previous: dict[str, str],
           report: WriteReport, data: bytes | None = None, source: Path | None = None) -> None:
    """Link the old file when unchanged, else write the new bytes."""
    target = staging / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    old = output / rel
    if previous.get(rel) == signature and old.is_file():
        try:
            os.link(old, target)
            report.unchanged += 1
            return
        except OSError:
            pass  # another file system, or links not allowed: write it again
    if source is not None:
        shutil.copyfile(source, target)
    else:
        target.write_bytes(data or b"")
    report.written += 1


def _read_manifest(output: Path) -> dict[str, str]:
    try:
        return json.loads((output / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


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
    """Exchange the two folders atomically (Linux renameat2), else with two quick renames."""
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        return
    backup = output.parent / f".{output.name}.old-{os.getpid()}"
    os.rename(output, backup)
    os.rename(staging, output)
    shutil.rmtree(backup, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): both names swap in one atomic step."""
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
