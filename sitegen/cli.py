"""Argument parsing and terminal output; the stages live in pipeline.py."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from . import errors
from .errors import ContentError, Problem
from .options import BuildOptions, reference_date
from .pipeline import BuildResult, build_site
from .write import OutputError


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with its complaints in French (an unknown option, a bad value…)."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse hook
        self.exit(2, errors.bad_command_line(message))


def make_parser() -> argparse.ArgumentParser:
    """The command line, in French for editors."""
    parser = FrenchArgumentParser(prog="build.py", description="Génère le site statique.",
                                  add_help=False)
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.add_argument("commande", nargs="?", default="build",
                        choices=["build", "serve", "check", "nouveau"],
                        help="build (défaut), serve (aperçu), check (vérification), nouveau")
    parser.add_argument("arguments", nargs="*", help="pour « nouveau » : type et titre")
    parser.add_argument("--content", default="content", help="dossier du contenu")
    parser.add_argument("--templates", default="templates", help="dossier des gabarits")
    parser.add_argument("--output", help="dossier de sortie (build : site ; serve : .cache/apercu)")
    parser.add_argument("--today", help="date de référence AAAA-MM-JJ des statuts")
    parser.add_argument("--jobs", type=int, default=available_cores(),
                        help="processus de rendu en parallèle (défaut : tous les cœurs, "
                             f"ici {available_cores()})")
    parser.add_argument("--force", action="store_true",
                        help="remplacer un dossier de sortie contenant d'autres fichiers")
    parser.add_argument("--strict", action="store_true", help="check : avertissements bloquants")
    parser.add_argument("--port", type=int, default=8000, help="serve : port")
    parser.add_argument("--host", default="127.0.0.1", help="serve : adresse d'écoute")
    parser.add_argument("--date", help="nouveau : date de l'événement")
    parser.add_argument("--lieu", help="nouveau : lieu de l'événement")
    parser.add_argument("--ville", help="nouveau : ville de l'événement")
    parser.add_argument("--debug", action="store_true", help="afficher les traces Python")
    return parser


def main(argv: list[str]) -> int:
    """Entry point; returns the exit status."""
    args = make_parser().parse_intermixed_args(argv)
    try:
        options = options_from(args)
        if args.commande == "build":
            return run_build(options)
        if args.commande == "serve":
            from .serve import serve
            return serve(options, args.host, args.port, pin_today=bool(args.today),
                         debug=args.debug)
        if args.commande == "check":
            from .check import run_check
            return run_check(options, args.strict)
        from .scaffold import run_new  # argparse allows nothing else than "nouveau" here

        return run_new(options, args.arguments, args.date, args.lieu, args.ville)
    except ContentError as exc:
        return report_problems(exc.problems, built=False)
    except OutputError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu : le site précédent est intact.", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.errno not in errors.WRITE_ERRNOS:
            raise
        if args.debug:
            traceback.print_exc()
        print(errors.cannot_write(exc.filename, exc.errno), file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 - last resort: never a bare traceback for an editor
        if args.debug:
            traceback.print_exc()
        print(errors.internal_error(None), file=sys.stderr)
        return 3


def options_from(args: argparse.Namespace) -> BuildOptions:
    """Build options from the command line."""
    try:
        today = reference_date(args.today)
    except ValueError:
        raise ContentError([Problem("--today", None, f"la date « {args.today} » n'est pas "
                                    "reconnue.", "Écrivez-la au format AAAA-MM-JJ.")]) from None
    preview = args.commande == "serve"  # drafts shown, built apart from site/
    output = Path(args.output) if args.output else Path(".cache/apercu" if preview else "site")
    return BuildOptions(content_dir=Path(args.content), templates_dir=Path(args.templates),
                        output_dir=output, today=today, force=args.force, preview=preview,
                        jobs=max(1, args.jobs))


def available_cores() -> int:
    """Cores this process may run on (a container's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_build(options: BuildOptions) -> int:
    """Build once and report."""
    result = build_site(options)
    report = result.report
    for problem in result.warnings:
        print(problem.format(), file=sys.stderr)
    total = report.written + report.unchanged
    print(f"{total} fichiers générés dans {options.output_dir}/ "
          f"({report.written} écrits, {report.unchanged} inchangés, {report.removed} supprimés), "
          f"statuts au {options.today.strftime('%d/%m/%Y')}.")
    print(build_report(result))
    print(errors.summary(0, len(result.warnings), built=True))
    return 0


def build_report(result: BuildResult) -> str:
    """One line: how much was redone, how fast, and by how many processes."""
    how = f"{result.seconds:.2f}".replace(".", ",") + " s"
    if result.processes > 1:
        how += f", {result.processes} processus"
    if result.site is None:
        return f"Rien n'a changé depuis la dernière génération ({how})."
    rendered = result.report.rendered
    return (f"{rendered} fichier{'s' if rendered > 1 else ''} recalculé"
            f"{'s' if rendered > 1 else ''} en {how}.")


def report_problems(problems: list[Problem], built: bool) -> int:
    """Print every problem, then the summary; 1 when any is an error."""
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    n_errors = sum(p.is_error for p in problems)
    print(errors.summary(n_errors, len(problems) - n_errors, built), file=sys.stderr)
    return 1 if n_errors else 0


