"""The build server (sitegen/buildserver.py): after a first `python build.py`, the next ones
are built by a resident process, which must be invisible but for the speed.

Real processes in a throw-away project: the server is started by a real build, talked to
through its real socket, and stopped at the end of each test.
"""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import build_servers, stop_build_servers

ROOT = Path(__file__).resolve().parent.parent
EXEMPLE = ROOT / "tests" / "fixtures" / "exemple"
SERVED = "serveur de génération"
FOLDER = Path(".cache") / "sitegen"


@pytest.fixture
def project(tmp_path: Path):
    """tmp/projet with content/ and templates/; any server it started is stopped after."""
    project = tmp_path / "projet"
    shutil.copytree(EXEMPLE, project / "content")
    shutil.copytree(ROOT / "templates", project / "templates")
    yield project
    stop_build_servers(project)


def build(project: Path, *extra: str, server: bool | None = True, idle: int = 120,
          stderr: int = subprocess.PIPE) -> subprocess.CompletedProcess:
    """python build.py in the project; server None: the default setting (none)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SITEGEN_SERVEUR", "CI"}}
    environment["SITEGEN_SERVEUR_VEILLE"] = str(idle)
    # Without a terminal (here), only « oui » starts a server; « non » never asks one either.
    if server is not None:
        environment["SITEGEN_SERVEUR"] = "oui" if server else "non"
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--today", "2025-02-01",
                           *extra], cwd=project, env=environment, stdout=subprocess.PIPE,
                          stderr=stderr, text=True, timeout=120)


def server_pid(project: Path) -> int | None:
    try:
        return int((project / FOLDER / "serveur.lock").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def is_running(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # not our child: harmless; reaps it if it were
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def started_server(project: Path, idle: int = 120) -> int:
    """A first build, which starts the server; its pid once it listens."""
    first = build(project, idle=idle)
    assert first.returncode == 0, first.stderr
    assert SERVED not in first.stdout
    assert wait_for(lambda: (project / FOLDER / "serveur.sock").exists(), 30)
    pid = server_pid(project)
    assert pid is not None and is_running(pid)
    return pid


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_the_next_builds_are_made_by_the_server_and_equal_a_clean_build(project: Path):
    started_server(project)
    page = project / "content" / "pages" / "accueil.md"
    page.write_text(page.read_text("utf-8") + "\nUn paragraphe ajouté.\n", "utf-8")
    second = build(project)
    assert second.returncode == 0, second.stderr
    assert SERVED in second.stdout
    assert "1 écrits" in second.stdout  # the home page only
    assert "Un paragraphe ajouté." in (project / "site" / "index.html").read_text("utf-8")
    clean = build(project, "--output", "propre", server=False)
    assert clean.returncode == 0, clean.stderr
    assert tree(project / "site") == tree(project / "propre")
    unchanged = build(project)
    assert SERVED in unchanged.stdout and "(0 écrits" in unchanged.stdout


def test_an_editor_mistake_reads_the_same_through_the_server(project: Path):
    started_server(project)
    before = tree(project / "site")
    page = project / "content" / "pages" / "accueil.md"
    page.write_text(page.read_text("utf-8").replace("ordre: 1", "ordre: premier", 1), "utf-8")
    served = build(project)
    alone = build(project, server=False)
    assert served.returncode == alone.returncode == 1
    assert "accueil.md" in served.stderr
    assert served.stderr == alone.stderr and served.stdout == alone.stdout
    assert tree(project / "site") == before
    assert "Traceback" not in served.stderr


def test_warnings_come_before_the_summary_as_without_server(project: Path):
    """Standard output and errors reach a terminal in the order the build wrote them."""
    started_server(project)
    contacts = project / "content" / "contacts.yaml"
    contacts.write_text(contacts.read_text("utf-8").replace("courriel:", "# courriel:"), "utf-8")

    def merged(server: bool) -> list[str]:
        """Both streams in one, less the two lines that say how much was redone."""
        result = build(project, server=server, stderr=subprocess.STDOUT)
        assert result.returncode == 0
        return [line for line in result.stdout.splitlines()
                if not re.search(r"fichiers? générés|recalculés?|Rien n'a changé", line)]

    served, alone = merged(True), merged(False)
    assert any("avertissement :" in line for line in served)
    assert served[-1] == "Site généré (1 avertissement)."  # standard output, after the rest
    assert served == alone


def test_a_wrong_command_line_is_answered_as_without_server(project: Path):
    started_server(project)
    served, alone = build(project, "--jobs", "deux"), build(project, "--jobs", "deux",
                                                              server=False)
    assert served.returncode == alone.returncode == 2
    assert served.stderr == alone.stderr != ""


def test_an_editor_stops_the_server_at_once(project: Path):
    pid = started_server(project)
    stopped = build(project, "arret")
    assert stopped.returncode == 0 and "arrêté" in stopped.stdout
    assert wait_for(lambda: not is_running(pid), 10)
    assert not (project / FOLDER / "serveur.sock").exists()
    again = build(project, "arret")
    assert again.returncode == 0 and "Aucun serveur" in again.stdout
    time.sleep(0.5)
    assert build_servers(project) == []  # stopping starts nothing


def test_no_server_when_the_setting_says_no(project: Path):
    """« non »: a build from a terminal starts none, and a running one is not asked."""
    result, shown = build_in_terminal(project, "non")
    assert result.returncode == 0, shown
    time.sleep(1)
    assert build_servers(project) == [] and server_pid(project) is None
    started_server(project)
    alone = build(project, server=False)
    assert alone.returncode == 0 and SERVED not in alone.stdout


def test_a_build_from_a_terminal_starts_the_server(project: Path):
    """An editor's `make build`, in a terminal (a real pseudo-terminal here)."""
    result, shown = build_in_terminal(project, None)
    assert result.returncode == 0, shown
    assert "Site généré".encode() in shown
    assert wait_for(lambda: (project / FOLDER / "serveur.sock").exists(), 30)
    assert build(project, server=None).stdout.count(SERVED) == 1


def build_in_terminal(project: Path, setting: str | None
                      ) -> tuple[subprocess.CompletedProcess, bytes]:
    """python build.py with its output on a pseudo-terminal; SITEGEN_SERVEUR=setting."""
    primary, secondary = pty.openpty()
    shown: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(primary, shown), daemon=True)
    reader.start()
    environment = {k: v for k, v in os.environ.items() if k not in {"SITEGEN_SERVEUR", "CI"}}
    if setting is not None:
        environment["SITEGEN_SERVEUR"] = setting
    try:
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--today",
                                 "2025-02-01"], cwd=project, env=environment,
                                stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary,
                                timeout=120)
    finally:
        os.close(secondary)
    reader.join(10)
    return result, b"".join(shown)


def _drain(descriptor: int, into: list[bytes]) -> None:
    """Read a pseudo-terminal until its other end is closed."""
    try:
        while chunk := os.read(descriptor, 65536):
            into.append(chunk)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def test_a_build_without_terminal_starts_no_server(project: Path):
    """A script, a scheduled build or CI leaves no process behind by default."""
    result = build(project, server=None)
    assert result.returncode == 0, result.stderr
    time.sleep(1)
    assert build_servers(project) == []


def test_a_running_server_answers_a_build_without_terminal(project: Path):
    started_server(project)
    result = build(project, server=None)
    assert result.returncode == 0 and SERVED in result.stdout


def test_the_server_stops_when_idle(project: Path):
    pid = started_server(project, idle=2)
    assert wait_for(lambda: not is_running(pid), 20)
    assert not (project / FOLDER / "serveur.sock").exists()


def test_the_server_stops_when_the_cache_is_deleted(project: Path):
    pid = started_server(project, idle=20)  # checks its socket every 5 s
    shutil.rmtree(project / ".cache")  # what `make clean` does
    assert wait_for(lambda: not is_running(pid), 15)


def test_a_server_with_older_code_steps_aside(project: Path):
    """After the generator changes (an update), the server's code is stale: the build runs
    on its own, and a new server is started for the next."""
    pid = started_server(project)
    script = ROOT / "build.py"
    stat = script.stat()
    os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        result = build(project)
    finally:
        os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert result.returncode == 0, result.stderr
    assert SERVED not in result.stdout
    assert wait_for(lambda: not is_running(pid), 10)
    assert wait_for(lambda: any(other != pid for other in build_servers(project)), 10)
