"""Incremental builds equal clean builds, byte for byte, whatever the sequence of edits.

The clean build here is independent of the incremental engine: validate.read_site, then
render_site (no cache, no dependency tracking), then write_site into an empty folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sitegen import cache
from sitegen.errors import ContentError
from sitegen.pipeline import Builder, BuildOptions, load_site, render_site
from sitegen.write import MANIFEST, write_site

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 2, 1)
ROLE_SLUGS = {"abonnement", "accessibilite", "accueil", "agenda", "contacts",
              "deposer-un-projet", "documents", "donnees-personnelles", "mentions-legales",
              "partenaires", "plan-du-site", "programme", "thematiques", "tne-finistere"}


def copy_project(target: Path) -> Path:
    """content/ and templates/ of the repository, copied (tests never write in it)."""
    shutil.copytree(ROOT / "content", target / "content")
    shutil.copytree(ROOT / "templates", target / "templates")
    return target


def options(root: Path, today: dt.date = TODAY, output: str = "site", jobs: int = 1
            ) -> BuildOptions:
    return BuildOptions(root / "content", root / "templates", root / output, today,
                        root=root, jobs=jobs)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file and folder of an output tree (folders as empty entries)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in filenames:
            found[(here / name).relative_to(folder).as_posix()] = (here / name).read_bytes()
        for name in dirnames:
            found[(here / name).relative_to(folder).as_posix() + "/"] = b""
    return found


def clean_build(root: Path, today: dt.date, preview: bool = False
                ) -> dict[str, bytes] | list[str]:
    """The reference: a from-scratch build; its tree, or its problems when it fails."""
    opts = options(root, today, output="clean")
    opts.preview = preview
    shutil.rmtree(opts.output_dir, ignore_errors=True)
    try:
        site, _ = load_site(opts)
        files = render_site(site, opts.templates_dir, root)
    except ContentError as exc:
        return [p.format() for p in exc.problems]
    write_site(opts.output_dir, files, {rel: opts.content_dir / rel for rel in site.files})
    return tree(opts.output_dir)


def incremental_build(builder: Builder) -> dict[str, bytes] | list[str]:
    try:
        builder.build()
    except ContentError as exc:
        return [p.format() for p in exc.problems]
    return tree(builder.options.output_dir)


def assert_same(incremental: dict | list, clean: dict | list) -> None:
    if isinstance(clean, list) or isinstance(incremental, list):
        assert incremental == clean
        return
    assert sorted(incremental) == sorted(clean)
    differing = [path for path in clean if incremental[path] != clean[path]]
    assert differing == []


def event_text(title: str, day: dt.date, status: str, uid: str, timed: bool) -> str:
    times = 'heure_debut: "14:30"\nheure_fin: "16:00"\n' if timed else ""
    return (f"---\nidentifiant: {uid}\ntitre: \"{title}\"\ndate: {day.isoformat()}\n{times}"
            f"lieu: \"Médiathèque\"\nville: Brest\nresume: \"Résumé de {title}.\"\n"
            f"statut: {status}\nmise_a_jour: 2025-01-15\n---\nTexte de l'événement {title}.\n")


def page_text(title: str, body: str, menu: str | None, publish: dt.date | None) -> str:
    extra = (f'menu: "{menu}"\nordre: 50\n' if menu else "")
    extra += f"publication: {publish.isoformat()}\n" if publish else ""
    return f'---\ntitre: "{title}"\ndescription: "À propos de {title}."\n{extra}---\n{body}\n'


WORDS = st.sampled_from(["numérique", "école", "projet", "réseau", "Brest", "collège", "TNE"])
TITLES = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)
SLUGS = st.sampled_from(["alpha", "beta", "gamma", "delta", "epsilon"])
DAYS = st.integers(min_value=-60, max_value=120).map(lambda n: TODAY + dt.timedelta(days=n))


class IncrementalEqualsClean(RuleBasedStateMachine):
    """Random edits; after each, the incremental output is the clean build's, byte for byte."""

    @initialize()
    def start(self) -> None:
        self.root = copy_project(Path(tempfile.mkdtemp(prefix="incremental-")))
        self.today = TODAY
        self.builder = Builder(options(self.root))
        self.counter = 0

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _files(self, folder: str) -> list[Path]:
        return sorted((self.root / "content" / folder).glob("*.md"))

    def _plain_pages(self) -> list[Path]:
        return [p for p in self._files("pages") if p.stem not in ROLE_SLUGS]

    @rule(slug=SLUGS, title=TITLES, body=TITLES, menu=st.none() | WORDS,
          publish=st.none() | DAYS)
    def add_or_change_page(self, slug, title, body, menu, publish) -> None:
        path = self.root / "content" / "pages" / f"{slug}.md"
        path.write_text(page_text(title, f"## {title}\n\n{body}", menu, publish), "utf-8")

    @rule(data=st.data(), title=TITLES)
    def change_role_page(self, data, title) -> None:
        path = data.draw(st.sampled_from(sorted(self._files("pages"))))
        text = path.read_text("utf-8")
        path.write_text(re.sub(r'^titre: ".*"$', f'titre: "{title}"', text, count=1,
                               flags=re.M) + f"\nAjout : {title}.\n", "utf-8")

    @precondition(lambda self: self._plain_pages())
    @rule(data=st.data(), slug=SLUGS)
    def rename_page(self, data, slug) -> None:
        path = data.draw(st.sampled_from(self._plain_pages()))
        path.rename(path.with_name(f"{slug}-{path.stem}.md"[:40]))

    @precondition(lambda self: self._plain_pages())
    @rule(data=st.data())
    def delete_page(self, data) -> None:
        data.draw(st.sampled_from(self._plain_pages())).unlink()

    @rule(slug=SLUGS, title=TITLES, day=DAYS, timed=st.booleans(),
          status=st.sampled_from(["confirmé", "annulé", "reporté"]))
    def add_or_change_event(self, slug, title, day, timed, status) -> None:
        path = self.root / "content" / "agenda" / f"{slug}.md"
        path.write_text(event_text(title, day, status, f"evenement-{slug}-uid", timed), "utf-8")

    @precondition(lambda self: self._files("agenda"))
    @rule(data=st.data(), slug=SLUGS)
    def rename_event(self, data, slug) -> None:
        path = data.draw(st.sampled_from(self._files("agenda")))
        target = path.with_name(f"{slug}-{path.stem}"[:40] + ".md")
        if not target.exists():
            path.rename(target)

    @precondition(lambda self: self._files("agenda"))
    @rule(data=st.data())
    def delete_event(self, data) -> None:
        data.draw(st.sampled_from(self._files("agenda"))).unlink()

    @rule(name=st.sampled_from(["partenaires.yaml", "contacts.yaml", "thematiques.yaml",
                                "campagnes.yaml"]), word=WORDS)
    def edit_data_file(self, name, word) -> None:
        path = self.root / "content" / name
        text = path.read_text("utf-8")
        key = {"partenaires.yaml": "nom", "contacts.yaml": "intitule",
               "thematiques.yaml": "titre", "campagnes.yaml": "titre"}[name]
        path.write_text(re.sub(rf'^(\s*-?\s*{key}: ")([^"]*)"', rf'\g<1>\g<2> {word}"', text,
                               count=1, flags=re.M), "utf-8")

    @rule(name=st.sampled_from(["base.html", "page.html", "event.html", "_macros.html",
                                "agenda.html", "accueil.html"]))
    def edit_template(self, name) -> None:
        path = self.root / "templates" / name
        text = path.read_text("utf-8")
        self.counter += 1
        mark = f"<!-- édition {self.counter} -->"
        if "{% block content %}" in text:
            text = text.replace("{% block content %}", "{% block content %}" + mark, 1)
        elif "{%- endmacro %}" in text:
            text = text.replace("{%- endmacro %}", mark + "{%- endmacro %}", 1)
        else:
            first, rest = text.split("\n", 1)
            text = f"{first}\n{mark}\n{rest}"
        path.write_text(text, "utf-8")

    @rule(days=st.sampled_from([-30, -1, 1, 2, 45, 90]))
    def move_reference_date(self, days) -> None:
        self.today += dt.timedelta(days=days)
        self.builder.options.today = self.today

    @rule()
    def restart_from_disk_cache(self) -> None:
        """As a new `python build.py` would: only .cache/ is left from the previous builds."""
        self.builder = Builder(options(self.root, self.today))

    @invariant()
    def incremental_equals_clean(self) -> None:
        if not hasattr(self, "builder"):
            return
        assert_same(incremental_build(self.builder), clean_build(self.root, self.today))


IncrementalEqualsClean.TestCase.settings = settings(
    max_examples=int(os.environ.get("INCREMENTAL_EXAMPLES", "5")), stateful_step_count=8,
    deadline=None, database=None, derandomize=not os.environ.get("INCREMENTAL_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TestIncrementalEqualsClean = IncrementalEqualsClean.TestCase


class PreviewEqualsClean(IncrementalEqualsClean):
    """The live preview's way: one builder kept in memory (drafts shown) and told exactly
    which files changed, as its watcher would, so it looks at no other input."""

    @initialize()
    def start(self) -> None:
        self.root = copy_project(Path(tempfile.mkdtemp(prefix="apercu-")))
        self.today = TODAY
        self.counter = 0
        self.restart_from_disk_cache()

    def teardown(self) -> None:
        self.builder.collect_garbage()  # as the preview does when idle
        super().teardown()

    @rule()
    def restart_from_disk_cache(self) -> None:  # a restarted preview keeps nothing
        opts = options(self.root, self.today, output="apercu")
        opts.preview = True
        self.builder = Builder(opts, persist=False)
        self.seen: dict[Path, bytes] | None = None

    def _watched(self) -> dict[Path, bytes]:
        return {path: path.read_bytes() for folder in ("content", "templates")
                for path in (self.root / folder).rglob("*") if path.is_file()}

    @invariant()
    def incremental_equals_clean(self) -> None:
        if not hasattr(self, "builder"):
            return
        now = self._watched()
        saved = None if self.seen is None else {
            path for path in self.seen.keys() | now.keys() if self.seen.get(path) != now.get(path)}
        self.seen = now
        try:
            self.builder.build(saved, complete=saved is not None)
            built = tree(self.builder.options.output_dir)
        except ContentError as exc:
            built = [p.format() for p in exc.problems]
        assert_same(built, clean_build(self.root, self.today, preview=True))


PreviewEqualsClean.TestCase.settings = IncrementalEqualsClean.TestCase.settings
TestPreviewEqualsClean = PreviewEqualsClean.TestCase


# --- Plain cases ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def test_deleting_an_event_removes_its_page_and_updates_the_agenda(project: Path) -> None:
    builder = Builder(options(project))
    builder.build()
    site = project / "site"
    assert (site / "agenda/2025-04-02-forum-des-webradios/index.html").exists()
    assert "Forum des webradios" in (site / "agenda/index.html").read_text("utf-8")
    (project / "content/agenda/2025-04-02-forum-des-webradios.md").unlink()
    result = Builder(options(project)).build()
    assert not (site / "agenda/2025-04-02-forum-des-webradios").exists()
    assert not (site / "agenda/2025-04-02-forum-des-webradios.ics").exists()
    assert "Forum des webradios" not in (site / "agenda/index.html").read_text("utf-8")
    assert result.report.removed == 2
    assert {"agenda/index.html", "agenda.ics", "sitemap.xml"} <= set(result.changed)
    assert_same(tree(site), clean_build(project, TODAY))


def test_editing_a_template_renders_the_pages_extending_it(project: Path) -> None:
    builder = Builder(options(project))
    builder.build()
    page = project / "templates/page.html"
    page.write_text(page.read_text("utf-8").replace(
        "{% block content %}", "{% block content %}<!-- modèle modifié -->", 1), "utf-8")
    result = builder.build()
    site = project / "site"
    assert "<!-- modèle modifié -->" in (site / "programme/index.html").read_text("utf-8")
    assert "programme/index.html" in result.changed
    assert not any(path.startswith("agenda/20") for path in result.changed)  # event.html
    assert "modèle modifié" not in (site / "index.html").read_text("utf-8")  # accueil.html
    assert_same(tree(site), clean_build(project, TODAY))


def test_changing_only_the_reference_date_changes_only_time_dependent_pages(
        project: Path) -> None:
    builder = Builder(options(project))
    builder.build()
    before = tree(project / "site")
    builder.options.today = dt.date(2025, 4, 3)  # the forum of April 2nd is now past
    result = builder.build()
    after = tree(project / "site")
    differing = sorted(p for p in after if before.get(p) != after[p] and p != ".sitegen.json")
    assert result.changed == differing
    assert "statut.json" in differing and "agenda/index.html" in differing
    assert "agenda/2025-04-02-forum-des-webradios/index.html" in differing
    assert not {"programme/index.html", "mentions-legales/index.html",
                "agenda/2025-04-02-forum-des-webradios.ics"} & set(differing)
    assert result.report.rendered < len(after) // 2  # plain pages were not even rendered
    assert_same(after, clean_build(project, dt.date(2025, 4, 3)))


def test_unchanged_files_keep_their_inode_and_mtime(project: Path) -> None:
    Builder(options(project)).build()
    site = project / "site"
    kept, edited = site / "mentions-legales/index.html", site / "programme/index.html"
    stamps = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (kept, edited)}
    page = project / "content/pages/programme.md"
    page.write_text(page.read_text("utf-8") + "\nUne phrase de plus.\n", "utf-8")
    result = Builder(options(project)).build()
    assert result.changed == ["programme/index.html"]
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == stamps[kept]
    assert edited.stat().st_ino != stamps[edited][0]
    assert "Une phrase de plus." in edited.read_text("utf-8")


def test_the_spare_is_made_of_links_by_the_first_build_that_needs_it(project: Path) -> None:
    Builder(options(project)).build()
    site, spare = project / "site", project / ".site-spare"
    assert not spare.exists()  # a build from a fresh clone never needs one
    page = project / "content/pages/programme.md"
    page.write_text(page.read_text("utf-8") + "\nUne phrase de plus.\n", "utf-8")
    Builder(options(project)).build()
    files = [p.relative_to(site) for p in site.rglob("*") if p.is_file() and p.name != MANIFEST]
    linked = [rel for rel in files if (spare / rel).stat().st_ino == (site / rel).stat().st_ino]
    assert sorted(set(files) - set(linked)) == [Path("programme/index.html")]


def test_markdown_is_converted_once_per_text_across_builds(project: Path, monkeypatch) -> None:
    from sitegen import render

    Builder(options(project)).build()
    converted = []
    convert = render.markdown_to_html
    monkeypatch.setattr(render, "markdown_to_html",
                        lambda text, *args: converted.append(text) or convert(text, *args))
    base = project / "templates/base.html"
    base.write_text(base.read_text("utf-8").replace("</body>", "<!-- x --></body>"), "utf-8")
    result = Builder(options(project)).build()  # a new process: every page again
    assert result.report.rendered > 15 and converted == []  # all from the store
    page = project / "content/pages/programme.md"
    page.write_text(page.read_text("utf-8") + "\nUne phrase de plus.\n", "utf-8")
    Builder(options(project)).build()
    assert len(converted) == 1 and converted[0].endswith("Une phrase de plus.\n")


def test_a_one_page_rebuild_leaves_heavy_libraries_unloaded(project: Path) -> None:
    """Imports are most of a one-page rebuild: the calendar library, the locale data (day
    and month names are kept in the cache) and the process pool wait until needed."""
    probe = "\n".join([
        "import sys", f"sys.path.insert(0, {str(ROOT)!r})", "from sitegen.cli import main",
        "assert main(sys.argv[1:]) == 0",
        "print(sorted(m for m in ('babel', 'icalendar', 'multiprocessing') if m in sys.modules))"])
    command = [sys.executable, "-c", probe, "--today", TODAY.isoformat()]
    first = subprocess.run(command, cwd=project, capture_output=True, text=True, check=True)
    assert "['babel', 'icalendar'" in first.stdout.splitlines()[-1]  # a first build needs them
    page = project / "content/pages/programme.md"
    page.write_text(page.read_text("utf-8") + "\nUne phrase de plus.\n", "utf-8")
    again = subprocess.run(command, cwd=project, capture_output=True, text=True, check=True)
    assert again.stdout.strip().endswith("[]"), again.stdout
    assert "Une phrase de plus." in (project / "site/programme/index.html").read_text("utf-8")


def test_a_rebuild_without_change_reads_and_writes_nothing(project: Path) -> None:
    Builder(options(project)).build()
    manifest = (project / "site/.sitegen.json").stat()
    result = Builder(options(project)).build()
    assert result.site is None and result.changed == [] and result.report.written == 0
    assert (project / "site/.sitegen.json").stat().st_ino == manifest.st_ino
    assert result.warnings  # the real content has warnings: still reported


def test_the_cache_never_hides_an_error(project: Path) -> None:
    Builder(options(project)).build()
    event = project / "content/agenda/2025-02-05-rencontre-tne.md"
    good = event.read_text("utf-8")
    event.write_text(good.replace("date: 2025-02-05", "date: 5 février"), "utf-8")
    for _attempt in range(2):  # the second run reads the cache the first one left
        with pytest.raises(ContentError) as caught:
            Builder(options(project)).build()
        assert any("2025-02-05-rencontre-tne.md" in p.path for p in caught.value.problems)
    event.write_text(good, "utf-8")
    Builder(options(project)).build()
    assert_same(tree(project / "site"), clean_build(project, TODAY))


def test_a_same_size_same_stamp_edit_is_still_seen(project: Path) -> None:
    """Saved twice within one tick of the file-system clock: the stamp alone cannot tell."""
    page = project / "content/pages/programme.md"
    os.utime(page)  # just saved
    Builder(options(project)).build()
    stat = page.stat()
    page.write_text(page.read_text("utf-8").replace("Finistère", "FINISTÈRE", 1), "utf-8")
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime, inode
    assert (page.stat().st_size, page.stat().st_ino) == (stat.st_size, stat.st_ino)
    result = Builder(options(project)).build()
    assert "programme/index.html" in result.changed
    assert_same(tree(project / "site"), clean_build(project, TODAY))


def test_a_corrupt_cache_is_ignored(project: Path) -> None:
    builder = Builder(options(project))
    builder.build()
    pickles = sorted(builder.folder.glob("*.pickle"))
    assert len(pickles) > 3  # state, snapshot, entries of content files
    for path in pickles:
        path.write_bytes(b"not a pickle")
    builder.store_path.write_bytes(b"not a database either")
    page = project / "content/pages/programme.md"
    page.write_text(page.read_text("utf-8") + "\nEncore.\n", "utf-8")
    Builder(options(project)).build()
    assert_same(tree(project / "site"), clean_build(project, TODAY))


def test_a_failed_build_leaves_the_previous_site_complete(project: Path) -> None:
    Builder(options(project)).build()
    before = tree(project / "site")
    (project / "templates/event.html").write_text("{{ inconnue.valeur }}", "utf-8")
    page = project / "content/pages/programme.md"
    page.write_text(page.read_text("utf-8") + "\nModifié.\n", "utf-8")
    with pytest.raises(ContentError) as caught:
        Builder(options(project)).build()
    assert caught.value.problems[0].path.endswith("event.html")
    assert tree(project / "site") == before
    shutil.copy(ROOT / "templates/event.html", project / "templates/event.html")
    Builder(options(project)).build()
    assert_same(tree(project / "site"), clean_build(project, TODAY))


def test_the_cache_lives_outside_the_output(project: Path, tmp_path: Path) -> None:
    builder = Builder(options(project))
    builder.build()
    assert (project / "site") not in builder.folder.parents
    assert cache.cache_folder(project, project / "site") == project / ".cache" / "sitegen"
    elsewhere = project.parent / "ailleurs" / "sortie"
    assert cache.cache_folder(project, elsewhere) == elsewhere.parent / ".sortie-cache"


def test_the_preview_builder_shows_drafts_and_equals_a_clean_preview(project: Path) -> None:
    opts = options(project, output="apercu")
    opts.preview = True
    builder = Builder(opts, persist=False)  # as the live preview keeps it
    builder.build()
    draft = project / "content/pages/brouillon.md"
    draft.write_text('---\ntitre: "Brouillon"\ndescription: "Pas encore publié."\n'
                     "brouillon: oui\n---\nTexte en cours.\n", "utf-8")
    result = builder.build([draft])
    assert "brouillon/index.html" in result.changed
    assert_same(tree(project / "apercu"), clean_build(project, TODAY, preview=True))
    Builder(options(project)).build()  # the published site has no draft
    assert not (project / "site/brouillon").exists()


def test_the_preview_warns_of_an_event_moved_without_a_sequence_raise(project: Path) -> None:
    opts = options(project, output="apercu")
    opts.preview = True
    builder = Builder(opts, persist=False)
    builder.build()
    event = next(p for p in sorted((project / "content/agenda").glob("*.md"))
                 if re.search(r"^ville: ", p.read_text("utf-8"), re.M))
    event.write_text(re.sub(r"^ville: .*$", "ville: Morlaix", event.read_text("utf-8"),
                            count=1, flags=re.M), "utf-8")
    warnings = [p.format() for p in builder.build([event], complete=True).warnings]
    assert any(event.name in w and "« sequence »" in w and "lieu" in w for w in warnings)


def test_the_cached_reader_reads_exactly_what_validate_reads(project: Path) -> None:
    """cache.read_site_cached mirrors validate.read_site: same records, same problems."""
    from sitegen import validate

    content = project / "content"
    for broken in (False, True):
        if broken:
            (content / "pages/Mauvais Nom.md").write_text("---\ntitre: x\n---\n", "utf-8")
            (content / "agenda/sans-date.md").write_text("---\ntitre: x\n---\n", "utf-8")
        for preview in (False, True):
            site, problems = validate.read_site(content, project, TODAY, preview)
            assert (site is None) == broken
            warm = cache.read_site_cached(content, project, TODAY, preview, {})[2]
            for previous in ({}, warm):
                cached = cache.read_site_cached(content, project, TODAY, preview, previous)
                assert (cached[0], [p.format() for p in cached[1]]) == (
                    site, [p.format() for p in problems])
