"""The "library floor": the least any Python generator must do for the same pages.

Read each Markdown file, split the front matter and parse it with PyYAML's C loader,
convert the body with Python-Markdown, render one Jinja template, write the file.
Nothing else: no validation, no sanitising, no typography, no aggregate pages.

    python bench/floor.py CONTENT OUT [--jobs 2]

Prints the number of pages and the wall time in seconds (one line of JSON).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import time
from pathlib import Path

import jinja2
import markdown
import yaml
from markupsafe import Markup

TEMPLATE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
{{ body }}
</main></body></html>
"""


def render_files(paths: list[Path], out: Path) -> int:
    """Render a list of Markdown files into OUT/<stem>/index.html; return how many."""
    template = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    converter = markdown.Markdown()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        _, head, body = text.split("---\n", 2)
        meta = yaml.load(head, Loader=yaml.CSafeLoader)
        converter.reset()
        html = converter.convert(body)
        target = out / path.parent.name / path.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.render(title=meta["titre"], body=Markup(html)),
                          encoding="utf-8")
    return len(paths)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    paths = sorted(args.content.glob("pages/*.md")) + sorted(args.content.glob("agenda/*.md"))
    start = time.perf_counter()
    if args.jobs == 1:
        count = render_files(paths, args.out)
    else:
        slices = [paths[i::args.jobs] for i in range(args.jobs)]
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            count = sum(pool.starmap(render_files, [(s, args.out) for s in slices]))
    print(json.dumps({"pages": count, "seconds": round(time.perf_counter() - start, 3)}))


if __name__ == "__main__":
    main()
