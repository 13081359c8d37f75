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
from collections.abc import Callable
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
    """Paths to render again, sorted; `unchanged` lists addresses whose source is the same."""
    relative: dict[int, bool] = {}  # dependency set id -> has keys relative to OWN
    verdicts: dict[tuple, bool] = {}
    stale = []
    for path, output in plan.items():
        old = previous.get(path)
        if (old is None or live.get(path) != old[0]
                or old[2] != own_signature(output.own, own_sources)):
            stale.append(path)
            continue
        if old[1] not in relative:
            relative[old[1]] = any(OWN in key for key, _ in dep_sets[old[1]])
        verdict = (old[1], output.own if relative[old[1]] else None)
        if verdict not in verdicts:
            verdicts[verdict] = _has_changed(dep_sets[old[1]], fingerprints, unchanged,
                                             verdict[1])
        if verdicts[verdict]:
            stale.append(path)
    return sorted(stale)


def own_signature(own: str | None, sources: dict[str, str]) -> tuple | None:
    """The record an output shows, and the hash of its source file."""
    return (own, sources.get(own, "absent")) if own else None


def _has_changed(deps: frozenset, fingerprints: Fingerprints, unchanged: set[str],
                 own: str | None) -> bool:
    for key, value in deps:
        if key[0] == "attr" and key[1] in unchanged:
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
    total = _render_chunk(job, paths[:CHUNK])  # warms templates, Markdown, fingerprints
    total.processes = jobs  # ... so that every fresh fork inherits them ready to use
    chunks = [paths[i:i + CHUNK] for i in range(CHUNK, len(paths), CHUNK)]
    gc.freeze()  # the collector of a worker must not touch (so copy) every inherited object
    try:
        with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=RECYCLE) as pool:
            for part in pool.imap_unordered(_render_in_worker, chunks):
                _merge(total, part)
    finally:
        _JOB = None
        gc.unfreeze()
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
    total.deps.update(part.deps)
    total.written += part.written
    total.problems.extend(part.problems)
