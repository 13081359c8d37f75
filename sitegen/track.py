"""Dependency tracking: what each output read while it was rendered, and whether it changed.

An output is rendered again only when something it read has changed. What it read is
recorded, not guessed: the Jinja environment below notes every template it loads, every
context variable it resolves and every attribute it reads on a content record; the
site-wide functions (page_for, event_status, asset) note their arguments. Each of these
is a dependency key; its fingerprint is recomputed from the new Site, and the output is
stale as soon as one fingerprint differs. Outputs made in Python (feeds, sitemap) declare
their keys in pipeline.py. Anything unknown falls back to a key that always changes.

Keys (tuples):
  ("own", address)            the record's source file (its bytes hash)
  ("attr", address, name)     one attribute of a record, the settings or the site
  ("global", name)            a context variable shared by every page (today, menu…)
  ("call", function, *args)   a site-wide function and its result (OWN: the output's record)
  ("template", name)          a template file, or its absence
  ("input", name)             a whole input: settings, all events, all campaigns…
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2.runtime import Context

from .model import Campaign, Contact, Document, Event, Partner, Site, Theme, event_status

DATA_KINDS = {Campaign: "campagnes.yaml", Partner: "partenaires.yaml", Contact: "contacts.yaml",
              Theme: "thematiques.yaml", Document: "documents.yaml"}
SITE_LISTS = {"campaigns": Campaign, "partners": Partner, "contacts": Contact, "themes": Theme,
              "documents": Document}
PURE_GLOBALS = {"reading_time"}  # functions of their arguments only
CALLS = ("page_for", "event_status", "asset")
OWN = "@own"  # in a key: the record of the output being rendered (shared dependency sets)


class Addresses:
    """Stable names of the records of one Site, and the records behind them."""

    def __init__(self, site: Site, site_fingerprint: str = ""):
        self.site, self.site_fingerprint = site, site_fingerprint
        self.names: dict[int, str] = {id(site): "site", id(site.config): "config"}
        self.records: dict[str, Any] = {"site": site, "config": site.config}
        for page in site.pages:
            self._add(f"page:{page.slug}", page)
        for event in site.events:
            self._add(f"event:{event.slug}", event)
        for attribute, cls in SITE_LISTS.items():
            for index, record in enumerate(getattr(site, attribute)):
                self._add(f"{DATA_KINDS[cls]}#{index}", record)

    def _add(self, address: str, record: Any) -> None:
        self.names[id(record)] = address
        self.records[address] = record

    def of(self, value: Any) -> str | None:
        """The address of a record of this site, else None."""
        return self.names.get(id(value))


def fingerprint(value: Any, addresses: Addresses) -> str:
    """A short text that changes whenever `value` (as a template may see it) changes."""
    return hashlib.blake2b(_describe(value, addresses).encode(), digest_size=12).hexdigest()


def _describe(value: Any, addresses: Addresses) -> str:
    if value is None or isinstance(value, (bool, int, float, str, dt.date, dt.time)):
        return f"{type(value).__name__}:{value!r}"
    address = addresses.of(value)
    if address is not None:
        return f"@{address}"  # identity only: attributes read are keys of their own
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_describe(item, addresses) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_describe(k, addresses)}:{_describe(v, addresses)}"
                              for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    owner = getattr(value, "__self__", None)
    if callable(value) and owner is not None and addresses.of(owner) is not None:
        if owner is addresses.site:
            return f"method:{value.__name__}:{addresses.site_fingerprint}"
        return f"method:{value.__name__}:{_deep(owner)}"  # it may read all of its record
    return f"opaque:{addresses.site_fingerprint}"  # unknown: stale on any change of the site


def _deep(value: Any) -> str:
    """Everything a record holds (for its methods)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


class Recorder:
    """The dependencies of the output being rendered."""

    def __init__(self, addresses: Addresses, global_names: set[str], own: str | None):
        self.addresses, self.global_names, self.own = addresses, global_names, own
        self.deps: set[tuple] = set()

    def attribute(self, obj: Any, name: str) -> None:
        address = self.addresses.of(obj)
        if address is not None and address != self.own:
            self.deps.add(("attr", address, name))

    def name(self, key: str) -> None:
        if key in self.global_names:
            self.deps.add(("global", key))


class TrackingContext(Context):
    """A Jinja context that notes which shared variables a template resolves."""

    def resolve_or_missing(self, key: str) -> Any:  # noqa: D102 - Jinja hook
        recorder = getattr(self.environment, "recorder", None)
        if recorder is not None:
            recorder.name(key)
        return super().resolve_or_missing(key)


class TrackingEnvironment(jinja2.Environment):
    """A Jinja environment that notes templates loaded and record attributes read."""

    context_class = TrackingContext
    recorder: Recorder | None = None

    def getattr(self, obj: Any, attribute: str) -> Any:  # noqa: D102 - Jinja hook
        if self.recorder is not None:
            self.recorder.attribute(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:  # noqa: D102 - Jinja hook
        if self.recorder is not None and isinstance(argument, str):
            self.recorder.attribute(obj, argument)
        return super().getitem(obj, argument)

    def _load_template(self, name: str, globals: Any) -> Any:  # noqa: D102 - Jinja hook
        if self.recorder is not None:
            self.recorder.deps.add(("template", name))
        return super()._load_template(name, globals)


def tracked_globals(values: dict[str, Any], env: TrackingEnvironment) -> dict[str, Any]:
    """Wrap the site-wide functions so that each call is a dependency of the page."""
    wrapped = dict(values)
    for name in CALLS:
        if name in values:
            wrapped[name] = _tracked_call(name, values[name], env)
    return wrapped


def _tracked_call(name: str, function: Callable, env: TrackingEnvironment) -> Callable:
    if name == "page_for":  # Site.page_for scans every page: once per role and build
        function = functools.lru_cache(maxsize=None)(function)

    def call(*args: Any) -> Any:
        recorder = env.recorder
        if recorder is not None:
            shown = tuple(OWN if a is not None and recorder.addresses.of(a) == recorder.own
                          else recorder.addresses.of(a) or a for a in args)
            if all(isinstance(a, (str, int)) for a in shown):
                recorder.deps.add(("call", name, *shown))
            else:
                recorder.deps.add(("input", "site"))
        return function(*args)

    call.__name__ = name
    return call


class Fingerprints:
    """Fingerprints of dependency keys on a new Site (each computed once per build)."""

    def __init__(self, site: Site, addresses: Addresses, globals_: dict[str, Any],
                 inputs: dict[str, str]):
        self.site, self.addresses, self.globals, self.inputs = site, addresses, globals_, inputs
        self._memo: dict[tuple, str] = {}

    def __call__(self, key: tuple, own: str | None = None) -> str:
        if OWN in key:  # relative to the output's own record: the same key for every event
            key = tuple(own if part == OWN else part for part in key)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._compute(key)
        return found

    def _compute(self, key: tuple) -> str:
        kind = key[0]
        if kind == "attr":
            record = self.addresses.records.get(key[1])
            if record is None:
                return "absent"
            try:
                return fingerprint(getattr(record, key[2]), self.addresses)
            except AttributeError:
                return "no-attribute"
        if kind == "global":
            return self._global(key[1])
        if kind == "call":
            return self._call(key[1], key[2:])
        return self.inputs.get(f"{kind}:{key[1]}", "absent")  # own, template, input

    def _global(self, name: str) -> str:
        value = self.globals.get(name)
        if name == "markdown":  # its output depends on the site's host and template ids
            return getattr(value, "signature", self.site.config.base_url)
        if name in CALLS or name in PURE_GLOBALS:
            return "function"
        return fingerprint(value, self.addresses)

    def _call(self, name: str, args: tuple) -> str:
        real = [self.addresses.records.get(a, a) if isinstance(a, str) else a for a in args]
        if name == "event_status":
            event = real[0]
            return event_status(event, self.site.today) if isinstance(event, Event) else "absent"
        try:
            return fingerprint(self.globals[name](*real), self.addresses)
        except Exception as exc:  # noqa: BLE001 - the page would fail the same way: re-render it
            return f"error:{type(exc).__name__}"
