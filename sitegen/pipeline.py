"""The whole build, as a table of contents: load and validate -> render -> write.

Nothing is written until every file has been read and validated. A build redoes only
what changed since the previous one (Builder, below): its output is byte for byte that
of a clean build, which tests/test_incremental.py checks on random sequences of edits.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache, french
from .errors import ContentError, Problem
from .options import BuildOptions
from .stages import Stages, compile_templates_aside, template_problem
from .write import (
    MANIFEST,
    OutputError,
    SiteWriter,
    WriteReport,
    check_output_dir,
    find_foreign,
    output_lock,
)

if TYPE_CHECKING:

    from .model import Site
    from .schedule import Output

__all__ = ["BuildOptions", "BuildResult", "Builder", "build_site", "load_site", "render_site",
           "OutputError"]


@dataclass
class BuildResult:
    """The outcome of a successful build."""

    site: Site | None  # None when nothing changed: the content was not even parsed
    warnings: list[Problem]
    report: WriteReport
    changed: list[str] = field(default_factory=list)  # outputs written or removed: to reload
    seconds: float = 0.0
    output_dir: Path | None = None
    processes: int = 1  # processes that rendered

    @property
    def files(self) -> Mapping[str, bytes]:
        """Every output of the site, its bytes read from the output folder when asked for."""
        return OutputFiles(self.output_dir) if self.output_dir else {}


class OutputFiles(Mapping):
    """The files of a built site, by output path, read on demand (never all in memory)."""

    def __init__(self, output: Path):
        self.output = output
        self._paths: list[str] | None = None

    def _names(self) -> list[str]:
        if self._paths is None:
            self._paths = sorted(SiteWriter(self.output).live)
        return self._paths

    def __getitem__(self, path: str) -> bytes:
        if path not in set(self._names()):
            raise KeyError(path)
        return (self.output / path).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def _agenda_changed(snapshot: cache.Snapshot | None, inputs: dict, recheck: set[str],
                    content_dir: Path) -> bool:
    """Whether an event file may have changed since the last build (reading the feed is
    not free: the preview skips it when only a page or a template was edited)."""
    if snapshot is None:
        return True
    agenda = os.path.abspath(content_dir / "agenda")
    if any(path.startswith(agenda + os.sep) for path in recheck):
        return True
    keys = {k for k in (*inputs, *snapshot.files) if k.startswith("content/agenda/")}
    return any(inputs.get(k) != snapshot.files.get(k) for k in keys)


def build_site(options: BuildOptions) -> BuildResult:
    """Build the site into options.output_dir, or raise ContentError / OutputError."""
    return Builder(options).build()


class Builder:
    """Builds the site again and again, redoing only what changed.

        builder = Builder(options)        # BuildOptions(..., preview=True) for the preview
        result = builder.build()          # reuses .cache/ when there is one
        result = builder.build({Path("content/pages/accueil.md")})  # after an edit

    Between calls it keeps in memory the parsed records, the Jinja environment (made
    again when a template changes), what every output read, and the Markdown cache; so a
    one-file change costs a stat of every input, parsing that file, the cross-file checks,
    and rendering the outputs that read something that changed. `changed_paths` is a hint
    (those files are compared byte for byte) and every input is checked anyway, unless
    `complete`: a watcher that saw every change (the preview) says only those files may
    have changed, so the others are not even looked at. Raises
    ContentError (all problems; nothing written) or OutputError; after an error the next
    call starts from the last successful build. result.changed lists the output paths
    whose bytes changed: what a live preview reloads. With persist=False nothing is saved
    in .cache/ (faster repeated builds in a long-running process).
    """

    def __init__(self, options: BuildOptions, persist: bool = True):
        self.options, self.persist = options, persist
        folders = [options.content_dir, options.templates_dir, options.output_dir]
        where = "\n".join(str(p.resolve()) for p in folders) + f"\n{options.preview}"
        base = cache.cache_folder(options.root, options.output_dir)
        self.folder = base / hashlib.blake2b(where.encode(), digest_size=8).hexdigest()
        self.store_path = base / "markdown.sqlite"
        self.compiled = base / "jinja"  # compiled templates, checked against their source
        self.salt = cache.generator_salt()
        self.shards = cache.EntryShards(self.folder, self.salt)
        self.snapshot: cache.Snapshot | None = None
        self.state: cache.BuildState | None = None
        self.stages: Stages | None = None  # render side, kept between builds
        self.told: set[str] = set()  # paths named since the last successful build
        self.last_site: tuple | None = None  # (stat of the feed it wrote, Site) of the last build

    def build(self, changed_paths: Iterable[Path] | None = None,
              complete: bool = False) -> BuildResult:
        """Bring the output folder up to date with the content; see the class docstring."""
        try:
            return self._build(changed_paths, complete)
        finally:
            if self.persist:
                gc.unfreeze()  # see _build: the collector may look at everything again
            # A preview keeps them frozen: a full collection of a large site takes about a
            # second, which the preview spends when idle (collect_garbage).

    def load(self) -> None:
        """Read the cache now rather than at the first build (the build server, when idle)."""
        self._snapshot()
        self._state()

    def collect_garbage(self) -> None:
        """Collect everything, frozen objects included (a long-running preview, when idle)."""
        gc.unfreeze()
        gc.collect()

    def _build(self, changed_paths: Iterable[Path] | None, complete: bool) -> BuildResult:
        started = time.perf_counter()
        options = self.options
        key = f"{self.salt}:{options.today.isoformat()}"
        read_at = cache.now_ns()
        self.told |= {os.path.abspath(p) for p in changed_paths or ()}
        recheck = set(self.told)
        snapshot = self._snapshot()
        if complete and snapshot is not None and snapshot.key == key:
            inputs = self._restat(snapshot.files, recheck)
        else:
            inputs = self._scan()
        if not recheck and _is_unchanged(snapshot, key, inputs, options.output_dir):
            report = WriteReport(unchanged=snapshot.outputs)
            return BuildResult(None, snapshot.warnings, report, [],
                               time.perf_counter() - started, options.output_dir)
        compiling = compile_templates_aside(options, self.compiled)
        try:
            state = self._state()
            stats = {k[8:]: v for k, v in inputs.items() if k.startswith("content/")}
            site, problems, entries, sources = cache.read_site_cached(
                options.content_dir, options.root, options.today, options.preview,
                state.entries, recheck, stats)
        finally:
            if compiling is not None:
                os.waitpid(compiling, 0)  # done before the templates are loaded
        if site is None:
            raise ContentError(problems)
        # The records of a large site live as long as the build: the collector need not
        # look at them again and again (nor would forked workers then copy them by doing so).
        gc.freeze()
        if _agenda_changed(snapshot, inputs, recheck, options.content_dir):
            problems = problems + self._moved_events(site)
        problems = sorted(problems + _broken_links(site, entries), key=lambda p: p.sort_key)
        result = self._render_and_write(site, state, sources, self._templates(inputs))
        result.warnings, result.seconds = problems, time.perf_counter() - started
        state.entries, state.sources = entries, sources
        self.snapshot = cache.Snapshot(key, inputs, read_at,
                                       cache.stat_key(options.output_dir / MANIFEST),
                                       problems, result.report.unchanged + result.report.written)
        self.told.clear()
        feed = options.output_dir / site.config.calendar_file
        self.last_site = (cache.stat_key(feed), site)
        self.stages.release()  # made again by the next build: free them before saving
        self._save()
        return result

    def _moved_events(self, site: Site) -> list[Problem]:
        """Warn, before the feed is replaced, of events moved without a « sequence » raise."""
        feed = self.options.output_dir / site.config.calendar_file
        if not feed.is_file():
            return []  # nothing published yet (a first build): no event can have moved
        from . import ics

        published = None
        if self.last_site is not None and self.last_site[0] == cache.stat_key(feed):
            published = ics.as_published(ics.feed_entries(self.last_site[1]))  # no parsing
        return ics.moved_event_problems(site, self.options.output_dir, published)

    def _scan(self) -> dict[str, cache.StatKey]:
        files = {f"content/{k}": v for k, v in cache.scan_tree(self.options.content_dir).items()}
        files.update((f"templates/{k}", v)
                     for k, v in cache.scan_tree(self.options.templates_dir).items())
        return files

    def _restat(self, known: dict[str, cache.StatKey], paths: set[str]
                ) -> dict[str, cache.StatKey]:
        """The inputs of the last build, with these files looked at again."""
        inputs = dict(known)
        folders = (("content/", os.path.abspath(self.options.content_dir)),
                   ("templates/", os.path.abspath(self.options.templates_dir)))
        for path in paths:
            for prefix, folder in folders:
                if path.startswith(folder + os.sep):
                    name = prefix + os.path.relpath(path, folder).replace(os.sep, "/")
                    stat = cache.stat_key(path) if os.path.isfile(path) else None
                    if stat is None:
                        inputs.pop(name, None)
                    else:
                        inputs[name] = stat
        return inputs

    def _snapshot(self) -> cache.Snapshot | None:
        if self.snapshot is None and self.persist:
            self.snapshot = cache.load_pickle(self.folder / "snapshot.pickle", cache.Snapshot)
        return self.snapshot

    def _state(self) -> cache.BuildState:
        if self.state is None and self.persist:
            self.state = cache.load_pickle(self.folder / "state.pickle", cache.BuildState)
            if self.state is not None and self.state.salt == self.salt:
                self.state.entries = self.shards.load()
        if self.state is None or self.state.salt != self.salt:
            self.state = cache.BuildState(self.salt)
        french.remember_names(self.state.names)
        return self.state

    def _save(self) -> None:
        """Save what the last build learnt in .cache/ (unless persist is off)."""
        if self.persist:
            self.state.names = french.known_names()
            entries, self.state.entries = self.state.entries, {}
            try:
                cache.save_pickle(self.folder / "state.pickle", self.state)
                self.shards.save(entries)
            finally:
                self.state.entries = entries
            cache.save_pickle(self.folder / "snapshot.pickle", self.snapshot)

    def _templates(self, inputs: dict[str, cache.StatKey]) -> dict[str, str]:
        """Hash of every template file, by dependency key (templates are few and small)."""
        folder = self.options.templates_dir
        return {f"template:{name[10:]}": cache.digest_bytes((folder / name[10:]).read_bytes())
                for name in inputs if name.startswith("templates/")}

    def _render_and_write(self, site: Site, state: cache.BuildState, sources: dict[str, str],
                          templates: dict[str, str]) -> BuildResult:
        """Plan the outputs, render those that are stale, and swap the new site in."""
        from .schedule import RenderJob, render_outputs, stale_outputs

        options = self.options
        check_output_dir(options.output_dir, protected_folders(options), options.force,
                         (options.content_dir, options.templates_dir))
        stages = self._stages(site, sources, templates)  # creates the cache folders
        with output_lock(options.output_dir):
            writer = SiteWriter(options.output_dir)
            foreign = self._foreign_files(writer, state)
            stale = stale_outputs(stages.plan, state.outputs, state.dep_sets, writer.live,
                                  sources, stages.fingerprints, _unchanged(site, state, sources))
            copies = {rel: options.content_dir / rel for rel in site.files}
            writer.open(set(stages.plan) | set(copies))
            job = RenderJob(stages.env, stages.addresses, stages.fingerprints,
                            set(stages.renderer.globals), stages.plan, writer,
                            lambda exc: template_problem(exc, options.templates_dir, options.root),
                            stages.store)
            stale_set = set(stale)
            kept = [p for p in stages.plan if p not in stale_set]
            lost = [p for p in kept if not writer.keep(p)]  # live file deleted by hand
            rendered = render_outputs(job, sorted(set(stale) | set(lost)), options.jobs)
            if rendered.problems:
                raise ContentError(sorted(set(rendered.problems), key=lambda p: p.sort_key))
            stages.store.flush()
            target = {p: state.outputs[p][0] for p in kept if p not in rendered.digests}
            target.update(rendered.digests)
            written = rendered.written
            for rel, source in sorted(copies.items()):
                target[rel], copied = writer.copy(rel, source)
                written += copied
            writer.finish(target, foreign)
        self._remember(state, stages.plan, target, rendered.deps, sources)
        changed = sorted(p for p in set(target) | set(writer.live)
                         if target.get(p) != writer.live.get(p))
        report = WriteReport(written=written, unchanged=len(target) - written,
                             removed=len(set(writer.live) - set(target)),
                             rendered=len(rendered.digests))
        return BuildResult(site, [], report, changed, 0.0, options.output_dir,
                           rendered.processes)

    def _foreign_files(self, writer: SiteWriter, state: cache.BuildState) -> list[str]:
        """Files added by hand to the output: refused unless --force (then deleted)."""
        if not writer.live or not self.persist:
            return []  # a first build, a folder accepted by check_output_dir, the preview's
        root = cache.stat_key(writer.output)
        known = state.folders.get(root[2]) if root else None
        foreign, stamps = find_foreign(writer.output, writer.live, known, cache.now_ns())
        if root:
            state.folders = {k: v for k, v in state.folders.items() if k != root[2]}
            state.folders = dict(list(state.folders.items())[-1:]) | {root[2]: stamps}
        if foreign and not self.options.force:
            shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
            raise OutputError(f"le dossier de sortie {self.options.output_dir} contient des "
                              f"fichiers qui n'ont pas été produits par le générateur ({shown})."
                              "\n  → Déplacez-les, ou relancez avec --force pour les supprimer.")
        return foreign

    def _stages(self, site: Site, sources: dict[str, str], templates: dict[str, str]
                ) -> Stages:
        """Environment, assets, renderer and plan for this Site (environment reused)."""
        if self.stages is None or self.stages.templates != templates:
            self.stages = Stages(self.options, templates, self.store_path, self.compiled)
        self.stages.prepare(site, sources, self.salt)
        return self.stages

    def _remember(self, state: cache.BuildState, plan: dict[str, Output], target: dict,
                  fresh: dict[str, frozenset], sources: dict[str, str]) -> None:
        """Record each output's hash and dependencies (identical sets stored once)."""
        from .schedule import own_signature

        ids: dict[frozenset, int] = {}
        dep_sets: list[frozenset] = []
        outputs = {}
        for path, output in plan.items():
            deps = fresh.get(path) or state.dep_sets[state.outputs[path][1]]
            index = ids.get(deps)
            if index is None:
                index = ids[deps] = len(dep_sets)
                dep_sets.append(deps)
            outputs[path] = (target[path], index, own_signature(output.own, sources))
        state.outputs, state.dep_sets = outputs, dep_sets


def _broken_links(site: Site, entries: dict[str, cache.FileEntry]) -> list[Problem]:
    """Links of published texts to nothing (load_site leaves them to `check`, which finds
    them, and more, in the built pages)."""
    from .links import broken_links

    return broken_links([*site.pages, *site.events], list(entries.values()), site.files)


def _unchanged(site: Site, state: cache.BuildState, sources: dict[str, str]) -> set[str]:
    """Addresses of records whose source bytes are those of the previous build."""
    from .track import DATA_KINDS, SITE_LISTS

    same = {a for a, d in sources.items() if state.sources.get(a) == d}
    for attribute, cls in SITE_LISTS.items():
        name = DATA_KINDS[cls]
        if name in same:
            same.update(f"{name}#{i}" for i in range(len(getattr(site, attribute))))
    return same


def _is_unchanged(snapshot: cache.Snapshot | None, key: str, inputs: dict[str, cache.StatKey],
                  output: Path) -> bool:
    """True when no input, option or date changed since the last build, nor its output."""
    if snapshot is None or snapshot.key != key or snapshot.files.keys() != inputs.keys():
        return False
    if cache.stat_key(output / MANIFEST) != snapshot.manifest:
        return False
    return all(snapshot.files[name] == stat and not cache.is_racy(stat, snapshot.read_at_ns)
               for name, stat in inputs.items())


def load_site(options: BuildOptions) -> tuple[Site, list[Problem]]:
    """Load and validate; raise ContentError with every problem if any is an error."""
    from .validate import read_site

    site, problems = read_site(options.content_dir, options.root, options.today,
                               options.preview)
    if site is None:
        raise ContentError(problems)
    return site, problems


def render_site(site: Site, templates_dir: Path, root: Path) -> dict[str, bytes]:
    """Render every output in memory (small sites and tests; builds write as they go)."""
    import jinja2

    from .render import SiteRenderer, load_assets, make_environment

    env = make_environment(templates_dir)
    try:
        assets = load_assets(templates_dir, env, site)
        renderer = SiteRenderer(site, env, assets)
        return {path: render() for path, render in sorted(renderer.outputs().items())}
    except jinja2.TemplateError as exc:
        raise ContentError([template_problem(exc, templates_dir, root)]) from None


def protected_folders(options: BuildOptions) -> list[Path]:
    """Folders an output folder must never be (it is replaced wholesale)."""
    return [options.root, options.content_dir, options.templates_dir]
