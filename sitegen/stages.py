"""The render side of a build: the Jinja environment, the plan of outputs (what each one
shows and reads besides its templates) and the fingerprints of those inputs.

pipeline.Builder makes one Stages per set of templates and prepares it for each Site.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache
from .errors import ContentError, Problem

if TYPE_CHECKING:
    import jinja2

    from .model import Site
    from .options import BuildOptions
    from .schedule import Output


def template_environment(templates_dir: Path, compiled: Path) -> Any:
    """The Jinja environment of builds (it records dependencies), with its compiled
    templates kept in the folder `compiled`."""
    import jinja2

    from .render import make_environment
    from .track import TrackingEnvironment

    env = make_environment(templates_dir, TrackingEnvironment)
    compiled.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
    return env


def compile_templates_aside(options: BuildOptions, compiled: Path) -> int | None:
    """On a first build (no compiled template yet) with a core to spare, fork a helper that
    compiles every template into Jinja's cache while this process reads the content: 70 ms
    of a 1,000-page first build, then loaded in 4 ms. Returns the helper's pid, to wait
    for. What it fails to compile is compiled, and its errors reported, when rendering.
    Only into the project's own .cache/: a cache beside an output folder elsewhere waits
    until that folder has been found safe (check_output_dir)."""
    if (options.jobs <= 1 or options.root.resolve() not in compiled.parents
            or (compiled.is_dir() and any(compiled.iterdir()))):
        return None
    try:
        pid = os.fork()
    except OSError:  # no process to spare: the templates are compiled when rendering
        return None
    if pid:
        return pid
    try:  # the helper: nothing it does may reach the build, not even an exception
        env = template_environment(options.templates_dir, compiled)
        for name in env.list_templates():
            try:
                env.get_template(name)
            except Exception:  # noqa: BLE001 - the build reports it when rendering
                continue
    finally:
        os._exit(0)


class Stages:
    """The render side of a build: environment, assets, renderer, plan, fingerprints."""

    def __init__(self, options: BuildOptions, templates: dict[str, str], store_path: Path,
                 compiled: Path):
        self.options, self.templates = options, templates
        self.env = template_environment(options.templates_dir, compiled)
        self.env.auto_reload = False  # a changed template makes a new environment
        self.store = cache.MarkdownStore(store_path, "")

    def release(self) -> None:
        """Drop what belongs to one Site (the environment and the Markdown store stay)."""
        self.renderer = self.addresses = self.fingerprints = self.plan = None

    def prepare(self, site: Site, sources: dict[str, str], salt: str) -> None:
        """Render-side objects for a new Site."""
        import jinja2

        from .render import SiteRenderer, load_assets
        from .track import Addresses, Fingerprints, tracked_globals

        options = self.options
        try:
            assets = load_assets(options.templates_dir, self.env, site)
        except jinja2.TemplateError as exc:
            raise ContentError([template_problem(exc, options.templates_dir,
                                                 options.root)]) from None
        self.renderer = SiteRenderer(site, self.env, assets, markdown_cache=self.store)
        self.store.salt = cache.digest_bytes(
            f"{salt}:{self.renderer.markdown.signature}".encode())
        self.renderer.globals = tracked_globals(self.renderer.globals, self.env)
        inputs = dict(self.templates)
        inputs.update(_input_fingerprints(site, sources, assets))
        self.addresses = Addresses(site, inputs["input:site"])
        self.fingerprints = Fingerprints(site, self.addresses, self.renderer.globals, inputs)
        self.plan = plan_outputs(site, self.renderer, assets)


CONFIG, EVENTS, CAMPAIGNS = ("input", "config"), ("input", "events"), ("input", "campaigns")
TODAY, ALWAYS, HOST = ("input", "today"), ("input", "always"), ("global", "markdown")


def plan_outputs(site: Site, renderer: Any, assets: dict) -> dict[str, Output]:
    """Every output with its record, the dependencies its Python code reads, and whether it
    may read every record (schedule.Output.wide).

    Keys read through templates are recorded while rendering; these are the others. A
    path this table does not know (a new kind of output) is rendered on every build.
    """
    from .schedule import Output

    known: dict[str, tuple[str | None, tuple, bool]] = {
        site.config.calendar_file: (None, (CONFIG, EVENTS, CAMPAIGNS), False),
        "sitemap.xml": (None, (("input", "sitemap"),), True),
        "statut.json": (None, (EVENTS, CAMPAIGNS, TODAY), False),
        "404.html": (None, (), False), "robots.txt": (None, (), False),
    }
    for page in site.pages:  # a page of its own gabarit may list others (site plan, agenda)
        known[output_path(page.url)] = (f"page:{page.slug}", (HOST,), page.template != "page")
    for event in site.events:
        known[output_path(event.url)] = (f"event:{event.slug}", (CONFIG, HOST), False)
        known[f"agenda/{event.slug}.ics"] = (f"event:{event.slug}", (CONFIG,), False)
    for asset in assets.values():
        known[asset.url.lstrip("/")] = (None, (("input", f"asset:{asset.name}"),), False)
    return {path: Output(render, *known.get(path, (None, (ALWAYS,), True)))
            for path, render in renderer.outputs().items()}


@functools.lru_cache(maxsize=100_000)
def output_path(url: str) -> str:
    """render._index_path, remembered: the same URLs come back at every build."""
    from .render import _index_path

    return _index_path(url)


def _input_fingerprints(site: Site, sources: dict[str, str], assets: dict) -> dict[str, str]:
    """Fingerprints of whole inputs read by Python code (feeds, sitemap, status file)."""
    def digest(parts: Iterable[str]) -> str:
        return cache.digest_bytes("\n".join(parts).encode())

    urls = sorted(r.url for r in [*site.pages, *site.events])
    inputs = {
        "input:config": sources["config"],
        "input:events": digest(f"{e.slug}={sources[f'event:{e.slug}']}" for e in site.events),
        "input:campaigns": sources["campagnes.yaml"],
        "input:sitemap": digest(urls),
        "input:today": site.today.isoformat(),
        "input:always": os.urandom(16).hex(),  # differs at every build
        "input:site": digest([*sorted(f"{k}={v}" for k, v in sources.items()),
                              site.today.isoformat(), str(site.preview)]),
    }
    for asset in assets.values():
        inputs[f"input:asset:{asset.name}"] = cache.digest_bytes(asset.data)
    return inputs


def template_problem(exc: jinja2.TemplateError, templates_dir: Path, root: Path) -> Problem:
    """A template error named by template file and line."""
    import jinja2

    name, line = _template_location(exc)
    shown = (templates_dir / name).as_posix() if name else templates_dir.as_posix()
    try:
        shown = (templates_dir / name).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        pass
    message = str(exc.message if hasattr(exc, "message") and exc.message else exc)
    if isinstance(exc, jinja2.UndefinedError):
        text = f"le gabarit utilise une valeur inconnue ({message})."
        hint = "Vérifiez l'orthographe de la variable dans le gabarit."
    elif isinstance(exc, jinja2.TemplateNotFound):
        text = f"le gabarit « {exc.name} » est introuvable."
        hint = "Vérifiez le nom du fichier dans templates/."
    else:
        text = f"erreur de syntaxe dans le gabarit ({message})."
        hint = "Vérifiez les balises {% … %} et {{ … }} autour de cette ligne."
    return Problem(shown, line, text, hint)


def _template_location(exc: jinja2.TemplateError) -> tuple[str | None, int | None]:
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.name:
        return exc.name, exc.lineno
    for frame, lineno in reversed(list(traceback.walk_tb(sys.exc_info()[2] or
                                                         exc.__traceback__))):
        filename = frame.f_code.co_filename
        if frame.f_globals.get("__jinja_template__") is not None or filename.endswith(
                (".html", ".xml", ".txt", ".css", ".svg")):
            return _relative_template(filename), lineno
    return None, None


def _relative_template(filename: str) -> str:
    marker = "/templates/"
    return filename.split(marker, 1)[1] if marker in filename else Path(filename).name
