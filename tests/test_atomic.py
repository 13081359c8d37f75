"""Atomic output: the published site/ is always complete, and nothing else is ever touched.

Every build here is a real `python build.py` process in a throw-away project (a copy of
tests/hostile/base as content/, a copy of the templates, a fake home folder), so a broken
guard can only damage temporary files. Guarantees checked:

- a build that fails (content, template, a full disk), is interrupted (SIGINT) or killed
  (SIGKILL) at a random moment leaves site/ as it was, or as the new site, never a mix;
  while builds run, a reader never sees a half-written file; the next build recovers;
- two builds at once: a lock, and a French message for the one that has to wait;
- the output folder is never /, the home folder, the project, content/ or templates/
  (or inside or above them), even with --force; a folder holding files the generator did
  not produce is refused unless --force; nothing outside the output folder changes.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sitegen.write import output_lock

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "hostile" / "base"
TODAY = "2025-02-01"
LOCK_MESSAGE = "une autre génération du site est en cours"
EVENT_TEMPLATE = (BASE / "agenda" / "2025-04-02-forum.md").read_text(encoding="utf-8")


def make_project(tmp: Path, events: int = 0) -> Path:
    """tmp/projet with content/ (plus `events` generated events) and templates/."""
    project = tmp / "projet"
    shutil.copytree(BASE, project / "content")
    shutil.copytree(ROOT / "templates", project / "templates")
    (tmp / "maison").mkdir(exist_ok=True)
    for number in range(events):
        day = f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}"
        slug = f"{day}-evenement-{number:03d}"
        text = (EVENT_TEMPLATE.replace("2025-04-02-forum-d4e5f6", f"{slug}-{number:06d}")
                .replace("date: 2025-04-02", f"date: {day}")
                .replace("Forum d'essai", f"Événement {number}"))
        text += ("Un paragraphe pour donner du corps à la page. " * 40 + "\n\n") * 4
        (project / "content" / "agenda" / f"{slug}.md").write_text(text, encoding="utf-8")
    return project


def build_command(*extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "build", "--today", TODAY, *extra]


def environment(project: Path) -> dict[str, str]:
    """The build's environment: a fake home beside the project."""
    return {**os.environ, "HOME": str(project.parent / "maison"), "PYTHONPATH": str(ROOT)}


def run(project: Path, *extra: str, **kwargs) -> subprocess.CompletedProcess:
    """One build in the project, waited for."""
    return subprocess.run(build_command(*extra), cwd=project, env=environment(project),
                          capture_output=True, text=True, timeout=120, **kwargs)


def start(project: Path, *extra: str) -> subprocess.Popen:
    """One build in the project, in the background."""
    return subprocess.Popen(build_command(*extra), cwd=project, env=environment(project),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, hidden ones included; a symbolic link as its target."""
    tree = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            tree[rel] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            tree[rel] = path.read_bytes()
    return tree


def digest(folder: Path) -> str:
    """One hash of a folder's tree (see read_tree)."""
    value = hashlib.sha256()
    for rel, data in read_tree(folder).items():
        value.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return value.hexdigest()


def outside_output(project: Path) -> dict[str, bytes]:
    """Everything in and beside the project but the output folder and its own companions."""
    ours = ("site", ".site-", ".site.", ".cache")
    return {rel: data for rel, data in read_tree(project.parent).items()
            if not rel.startswith(tuple(f"projet/{name}" for name in ours))}


def edit(project: Path, version: int) -> None:
    """Two versions of the content: a changed page, and an event that comes and goes."""
    page = project / "content" / "pages" / "accueil.md"
    text = page.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    page.write_text(f"{text}\n---\nVersion {version} de l'accueil.\n", encoding="utf-8")
    extra = project / "content" / "agenda" / "2025-09-01-en-plus.md"
    if version == 2:
        extra.write_text(EVENT_TEMPLATE.replace("d4e5f6", "e5f6a7"), encoding="utf-8")
    else:
        extra.unlink(missing_ok=True)


def assert_clean_failure(result: subprocess.CompletedProcess) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr


# ---------------------------------------------------------------- failed builds


def fails_cleanly(project: Path, **kwargs) -> subprocess.CompletedProcess:
    """A build that must fail, changing nothing: not site/, not anything around it."""
    before, around = digest(project / "site"), outside_output(project)
    result = run(project, **kwargs)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert digest(project / "site") == before
    assert outside_output(project) == around
    return result


def small_disk() -> None:
    """In the child process: writing more than 4 kB fails, as on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_failed_builds_leave_the_site_as_it_was(tmp_path):
    project = make_project(tmp_path)
    assert run(project).returncode == 0
    edit(project, 2)
    page = project / "content" / "pages" / "programme.md"
    page.write_text("sans en-tête\n", encoding="utf-8")
    fails_cleanly(project)
    shutil.copy(BASE / "pages" / "programme.md", page)
    template = project / "templates" / "page.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good.replace("{% block content %}",
                                     "{% block content %}{{ variable_inconnue.attribut }}"),
                        encoding="utf-8")
    assert "page.html" in fails_cleanly(project).stderr
    template.write_text(good, encoding="utf-8")
    full = fails_cleanly(project, preexec_fn=small_disk)
    assert "Erreur : impossible d'écrire" in full.stderr, full.stderr
    assert "Le site précédent est intact." in full.stderr
    assert run(project).returncode == 0
    assert "Version 2" in (project / "site" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- interrupted builds


class Reader(threading.Thread):
    """Reads the site over and over, as a web server would, until told to stop."""

    def __init__(self, site: Path, versions: list[dict[str, bytes]]):
        super().__init__(daemon=True)
        self.site, self.versions = site, versions
        self.paths = sorted(set().union(*versions))
        self.problems: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            if not (self.site / "index.html").is_file():
                self.problems.append("site/index.html absent")
            for rel in self.paths[::7]:
                try:
                    data = (self.site / rel).read_bytes()
                except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                    continue
                if all(data != version.get(rel) for version in self.versions):
                    self.problems.append(f"{rel} : contenu partiel ou inconnu")


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    """A project of about 800 outputs (a build takes about a second), and both versions."""
    tmp = tmp_path_factory.mktemp("atomic")
    project = make_project(tmp, events=300)
    versions = {}
    for version in (1, 2):
        edit(project, version)
        assert run(project, "--output", f"reference-{version}").returncode == 0
        versions[version] = read_tree(project / f"reference-{version}")
    return project, versions


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_builds_leave_a_complete_site(big_project, how):
    project, versions = big_project
    edit(project, 1)
    assert run(project).returncode == 0
    state = 1
    reader = Reader(project / "site", list(versions.values()))
    reader.start()
    seeded = random.Random(20250201 + how)
    try:
        for trial in range(8):
            target = 3 - state
            edit(project, target)
            process = start(project)
            delay = seeded.uniform(0.05, 1.5)
            time.sleep(delay)
            process.send_signal(how)
            out, err = process.communicate(timeout=60)
            now = read_tree(project / "site")
            assert now in (versions[1], versions[2]), f"essai {trial}, {delay:.2f} s : site mêlé"
            state = 1 if now == versions[1] else 2
            if how == signal.SIGINT and process.returncode == 130:
                assert "Interrompu" in err, err
    finally:
        reader.stop.set()
        reader.join()
    assert not reader.problems, reader.problems[:10]
    edit(project, 2)
    result = run(project)
    assert result.returncode == 0, result.stderr
    assert read_tree(project / "site") == versions[2]
    leftovers = [p.name for p in project.iterdir()
                 if p.name.startswith(".site") and p.name not in (".site-spare", ".site.lock")]
    assert not leftovers


# ---------------------------------------------------------------- concurrent builds


def test_a_second_build_waits_for_the_lock(tmp_path):
    project = make_project(tmp_path)
    assert run(project).returncode == 0
    before = digest(project / "site")
    edit(project, 2)
    with output_lock(project / "site"):
        result = run(project)
    assert result.returncode == 1
    assert LOCK_MESSAGE in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(project / "site") == before


@pytest.mark.slow
def test_builds_started_together_do_not_corrupt_each_other(big_project):
    project, versions = big_project
    edit(project, 1)
    assert run(project).returncode == 0
    edit(project, 2)
    for _ in range(3):
        processes = [start(project) for _ in range(4)]
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert "Traceback" not in err, err
            assert process.returncode == 0 or (process.returncode == 1 and LOCK_MESSAGE in err), err
        assert read_tree(project / "site") == versions[2]


# ---------------------------------------------------------------- the output folder


PROTECTED = {  # --output value (relative to the project), with --force or not
    "/": ("/", False),
    "home": ("{home}", True),
    "project": (".", True),
    "project parent": ("..", True),
    "content": ("content", True),
    "templates": ("templates", True),
    "inside content": ("content/pages", True),
    "inside templates": ("templates/assets", True),
    "home without force": ("{home}", False),
    "inside content without force": ("content/agenda", False),
}


@pytest.mark.parametrize("name", list(PROTECTED))
def test_dangerous_output_folders_are_refused(name, tmp_path):
    value, force = PROTECTED[name]
    project = make_project(tmp_path)
    (tmp_path / "maison" / "notes.txt").write_text("à garder\n")
    output = value.format(home=tmp_path / "maison")
    everything, root_entries = read_tree(tmp_path), set(os.listdir("/"))
    result = run(project, "--output", output, *(["--force"] if force else []))
    created_at_root = set(os.listdir("/")) - root_entries
    for entry in created_at_root:  # keep the machine clean even when the guard is broken
        if entry.startswith(".-"):
            shutil.rmtree(Path("/") / entry, ignore_errors=True)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert "dossier de sortie" in result.stderr, result.stderr
    assert not created_at_root, f"créé à la racine : {created_at_root}"
    after = {k: v for k, v in read_tree(tmp_path).items() if not k.startswith("projet/.cache/")}
    assert sorted(set(after) ^ set(everything)) == []
    assert after == everything


def test_foreign_files_are_refused_unless_forced(tmp_path):
    project = make_project(tmp_path)
    site = project / "site"
    site.mkdir()
    (site / "ancien.html").write_text("<p>Un autre site</p>\n")
    result = run(project)
    assert result.returncode == 1 and "--force" in result.stderr
    assert (site / "ancien.html").is_file()
    assert run(project, "--force").returncode == 0
    assert not (site / "ancien.html").exists() and (site / "index.html").is_file()


def test_a_file_added_by_hand_to_the_site_is_not_silently_deleted(tmp_path):
    project = make_project(tmp_path)
    site = project / "site"
    assert run(project).returncode == 0
    (site / "google1234.html").write_text("google-site-verification\n")
    edit(project, 2)
    result = run(project)
    assert (site / "google1234.html").is_file(), "supprimé sans --force"
    assert result.returncode == 1 and "--force" in result.stderr, result.stderr
    assert run(project, "--force").returncode == 0
    assert not (site / "google1234.html").exists()


def test_links_inside_the_old_site_are_not_followed(tmp_path):
    project = make_project(tmp_path)
    site = project / "site"
    site.mkdir()
    (site / "contenu").symlink_to(project / "content", target_is_directory=True)
    (site / "page.html").symlink_to(project / "content" / "site.yaml")
    edit(project, 2)
    around = outside_output(project)
    assert run(project, "--force").returncode == 0
    edit(project, 1)
    around = {k: v for k, v in outside_output(project).items() if "accueil.md" in k} | {
        k: v for k, v in around.items() if "accueil.md" not in k and "en-plus" not in k}
    assert run(project).returncode == 0
    assert outside_output(project) == around


def test_an_output_folder_given_as_a_link_stays_a_link(tmp_path):
    """Deployments often point site/ at the web server's folder (site -> /var/www/tne)."""
    project = make_project(tmp_path)
    served = tmp_path / "www" / "tne"
    served.mkdir(parents=True)
    (project / "site").symlink_to(served, target_is_directory=True)
    for version in (1, 2, 1):
        edit(project, version)
        result = run(project)
        if result.returncode == 1:  # refusing a link is acceptable, with a French message
            assert "Traceback" not in result.stderr and "site" in result.stderr
            return
        assert result.returncode == 0, result.stderr
        assert (project / "site").is_symlink(), "site/ n'est plus un lien"
        assert os.readlink(project / "site") == str(served)
        assert f"Version {version}" in (served / "index.html").read_text(encoding="utf-8")
