"""Which outputs to render again, and rendering them on one or several cores.

An output is rendered again when it is new, when its own source file changed, when the
live file is not the one it produced last time, or when a fingerprint of one of the
dependencies it recorded (see track.py) differs. Rendering writes each file as it goes
into the spare folder (write.SiteWriter), so the whole site is never held in memory.
With jobs > 1 the outputs are shared among forked worker processes; each output is
rendered by the same code from the same records, so the bytes are those of a serial build.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import jinja2

from .track import OWN, Addresses, Fingerprints, Recorder, TrackingEnvironment

PARALLEL_MIN = 64  # fewer outputs than this: forking costs more than it saves
CHUNK = 32  # outputs per task handed to a worker
RECYCLE = 8  # tasks before a worker is replaced by a fresh fork (what it copied is freed)


@dataclass
class Output:
    """One output of the plan: how to render it and what it depends on besides templates."""

    render: Callable[[], bytes]
    own: str | None  # address of the record it shows (page:…, event:…), if any
    keys: tuple = ()  # dependencies read in Python code, not through a template
    wide: bool = False  # may read every record (a list, the site map): see render_outputs


@dataclass
class RenderJob:
    """Everything a worker needs; inherited by forked processes, never pickled."""

    env: TrackingEnvironment
    addresses: Addresses
    fingerprints: Fingerprints
    global_names: set[str]
    plan: dict[str, Output]
    writer: Any  # write.SiteWriter
    on_template_error: Callable[[jinja2.TemplateError], Any]  # -> Problem
    store: Any = None  # cache.MarkdownStore, flushed after each chunk


@dataclass
class Rendered:
    """What rendering some outputs produced."""

    digests: dict[str, str] = field(default_factory=dict)  # path -> bytes hash
    deps: dict[str, frozenset] = field(default_factory=dict)  # path -> {(key, fingerprint)}
    written: int = 0
    problems: list = field(default_factory=list)
    processes: int = 1


def stale_outputs(plan: dict[str, Output], previous: dict[str, tuple],
                  dep_sets: list[frozenset],
                  live: dict[str, str], own_sources: dict[str, str],
                  fingerprints: Fingerprints, unchanged: set[str]) -> list[str]:
    """Paths to render again, sorted; `unchanged` lists addresses whose source is the same.

    Outputs of one kind share a dependency set whose keys name their own record as OWN:
    the rest of a set is compared once, its OWN keys once per output. Within a set, only
    the keys of records whose source changed are compared: a list of every page looks at
    the one page edited, not at ten thousand.
    """
    global _INDEXES
    indexes = {deps: _INDEXES.get(deps) or DepIndex.of(deps) for deps in dep_sets}
    _INDEXES = indexes  # kept for the next build of a long-running preview
    shared: dict[int, bool] = {}  # set id -> one of its keys not about OWN changed
    stale = []
    for path, output in plan.items():
        old = previous.get(path)
        if (old is None or live.get(path) != old[0]
                or old[2] != own_signature(output.own, own_sources)):
            stale.append(path)
            continue
        index = indexes[dep_sets[old[1]]]
        if old[1] not in shared:
            shared[old[1]] = index.changed(fingerprints, unchanged)
        if shared[old[1]] or index.own_changed(fingerprints, unchanged, output.own):
            stale.append(path)
    return sorted(stale)


@dataclass(frozen=True)
class DepIndex:
    """A dependency set grouped by the record each key reads."""

    other: tuple  # (key, fingerprint) pairs not about one record: templates, globals, calls
    by_address: dict[str, tuple]  # record address -> its (key, fingerprint) pairs
    addresses: frozenset  # the records read, OWN left out
    own: tuple  # pairs about the output's own record

    @classmethod
    def of(cls, deps: frozenset) -> DepIndex:
        other, by_address = [], {}
        for dep in deps:
            key = dep[0]
            if key[0] == "attr":
                by_address.setdefault(key[1], []).append(dep)
            elif OWN in key:
                by_address.setdefault(OWN, []).append(dep)
            else:
                other.append(dep)
        own = tuple(by_address.pop(OWN, ()))
        return cls(tuple(other), {a: tuple(d) for a, d in by_address.items()},
                   frozenset(by_address), own)

    def changed(self, fingerprints: Fingerprints, unchanged: set[str]) -> bool:
        """Whether a key not about the output's own record has another fingerprint now."""
        if _has_changed(self.other, fingerprints, unchanged, None):
            return True
        return any(_has_changed(self.by_address[address], fingerprints, unchanged, None)
                   for address in self.addresses - unchanged)

    def own_changed(self, fingerprints: Fingerprints, unchanged: set[str],
                    own: str | None) -> bool:
        return bool(self.own) and _has_changed(self.own, fingerprints, unchanged, own)


_INDEXES: dict[frozenset, DepIndex] = {}


def own_signature(own: str | None, sources: dict[str, str]) -> tuple | None:
    """The record an output shows, and the hash of its source file."""
    return (own, sources.get(own, "absent")) if own else None


def _has_changed(deps: Iterable[tuple], fingerprints: Fingerprints, unchanged: set[str],
                 own: str | None) -> bool:
    for key, value in deps:
        if key[0] == "attr" and (own if key[1] == OWN else key[1]) in unchanged:
            continue  # same source bytes, same record: no attribute of it can differ
        if fingerprints(key, own) != value:
            return True
    return False


def render_outputs(job: RenderJob, paths: list[str], jobs: int) -> Rendered:
    """Render and place the given outputs, in parallel when worth it."""
    if jobs <= 1 or len(paths) < PARALLEL_MIN:
        return _render_chunk(job, paths)
    import multiprocessing

    global _JOB
    _JOB = job
    # The few outputs that may read every record are rendered here, before forking: in a
    # worker, reading each record would copy it (30 MB more at 10,000 pages).
    wide = [path for path in paths if job.plan[path].wide]
    narrow = [path for path in paths if not job.plan[path].wide]
    total = _render_chunk(job, wide + narrow[:CHUNK])  # also warms templates, Markdown,
    total.processes = jobs  # fingerprints, so that every fresh fork inherits them ready
    chunks = [narrow[i:i + CHUNK] for i in range(CHUNK, len(narrow), CHUNK)]
    gc.freeze()  # the collector of a worker must not touch (so copy) every inherited object
    # (the Builder unfreezes at the end of the build)
    try:
        with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=RECYCLE) as pool:
            for part in pool.imap_unordered(_render_in_worker, chunks):
                _merge(total, part)
    finally:
        _JOB = None
    return total


_JOB: RenderJob | None = None  # the job a forked worker inherits
_INTERNED: dict[frozenset, frozenset] = {}  # equal dependency sets share one object


def _render_in_worker(paths: list[str]) -> Rendered:
    assert _JOB is not None
    return _render_chunk(_JOB, paths)


def _render_chunk(job: RenderJob, paths: list[str]) -> Rendered:
    result = Rendered()
    for path in paths:
        output = job.plan[path]
        recorder = Recorder(job.addresses, job.global_names, output.own)
        job.env.recorder = recorder
        try:
            data = output.render()
        except jinja2.TemplateError as exc:
            result.problems.append(job.on_template_error(exc))
            return result
        finally:
            job.env.recorder = None
        keys = recorder.deps.union(output.keys)
        deps = frozenset((key, job.fingerprints(key, output.own)) for key in keys)
        result.deps[path] = _INTERNED.setdefault(deps, deps)  # pickled once per chunk
        result.digests[path], written = job.writer.put(path, data)
        result.written += written
    if job.store is not None:
        job.store.flush()
    return result


def _merge(total: Rendered, part: Rendered) -> None:
    total.digests.update(part.digests)
    for path, deps in part.deps.items():  # each chunk brings its own copy of shared sets
        total.deps[path] = _INTERNED.setdefault(deps, deps)
    total.written += part.written
    total.problems.extend(part.problems)
