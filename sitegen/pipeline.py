"""The whole build, as a table of contents: load and validate -> render -> write.

Nothing is written until every file has been read, validated and rendered.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from .errors import ContentError, Problem
from .model import Site
from .render import SiteRenderer, load_assets, make_environment
from .validate import read_site
from .write import WriteReport, check_output_dir, output_lock, write_site

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class BuildOptions:
    """Where to read, where to write, and as of which day."""

    content_dir: Path
    templates_dir: Path
    output_dir: Path
    today: dt.date
    root: Path = field(default_factory=Path.cwd)
    preview: bool = False  # include drafts and scheduled content (live preview)
    force: bool = False  # replace an output folder holding foreign files


@dataclass
class BuildResult:
    """The outcome of a successful build."""

    site: Site
    warnings: list[Problem]
    report: WriteReport | None = None
    files: dict[str, bytes] = field(default_factory=dict)


def reference_date(cli_value: str | None, environ: dict[str, str] | None = None) -> dt.date:
    """--today, else SOURCE_DATE_EPOCH, else today in Europe/Paris."""
    environ = os.environ if environ is None else environ
    if cli_value:
        return dt.date.fromisoformat(cli_value)
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), PARIS).date()
    return dt.datetime.now(PARIS).date()


def load_site(options: BuildOptions) -> tuple[Site, list[Problem]]:
    """Load and validate; raise ContentError with every problem if any is an error."""
    site, problems = read_site(options.content_dir, options.root, options.today,
                               options.preview)
    if site is None:
        raise ContentError(problems)
    return site, problems


def render_site(site: Site, templates_dir: Path, root: Path) -> dict[str, bytes]:
    """Render every output in memory; template mistakes become located problems."""
    env = make_environment(templates_dir)
    try:
        assets = load_assets(templates_dir, env, site)
        renderer = SiteRenderer(site, env, assets)
        return {path: render() for path, render in sorted(renderer.outputs().items())}
    except jinja2.TemplateError as exc:
        raise ContentError([template_problem(exc, templates_dir, root)]) from None


def build_site(options: BuildOptions) -> BuildResult:
    """Build the site into options.output_dir, or raise ContentError / OutputError."""
    site, warnings = load_site(options)
    files = render_site(site, options.templates_dir, options.root)
    check_output_dir(options.output_dir, protected_folders(options), options.force)
    copies = {rel: options.content_dir / rel for rel in site.files}
    with output_lock(options.output_dir):
        report = write_site(options.output_dir, files, copies)
    return BuildResult(site, warnings, report, files)


def protected_folders(options: BuildOptions) -> list[Path]:
    """Folders an output folder must never be (it is replaced wholesale)."""
    return [options.root, options.content_dir, options.templates_dir]


def template_problem(exc: jinja2.TemplateError, templates_dir: Path, root: Path) -> Problem:
    """A template error named by template file and line."""
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
