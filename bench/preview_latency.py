"""Preview latency: from saving a file to the browser having the new page.

    python bench/preview_latency.py                 # the real site, then 1,000 pages
    python bench/preview_latency.py --pages 0       # the real site only
    python bench/preview_latency.py --pages 10000 --no-real --rounds 5
    python bench/preview_latency.py --rounds 20

For each site, starts `build.py serve` on a free loopback port in a temporary copy,
connects to /livereload as livereload.js does, then, round after round, saves a file
(a Markdown page, an event, a YAML data file) and measures the time until the reload
message has arrived AND a fetch of the page returns the new text. Prints the figures;
targets (those of `make bench`, bench/run.py): 300 ms on the real site, 100 ms on the
1,000-page site, 300 ms on the 10,000-page one. "rebuild (server log)" is the Builder's own
share; the rest is the preview's (watching, coalescing, reloading) and the client's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from generate import generate  # noqa: E402  (bench/generate.py: the synthetic site)
from test_serve import LiveReloadClient, PreviewServer  # noqa: E402

TARGETS = {"réel": 0.300, "synthétique": 0.100}  # synthetic: 100 ms at 1,000 pages


def synthetic_target(pages: int) -> float:
    """bench/run.py's PREVIEW_MS: 100 ms up to 1,000 pages, 300 ms at 10,000."""
    return 0.100 if pages < 5000 else 0.300


def real_project(folder: Path) -> tuple[Path, list[tuple[str, str, str]]]:
    """A copy of the real site, and the edits to time: (file, text to find, page URL)."""
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copytree(ROOT / "templates", folder / "templates")
    return folder, [
        ("content/pages/programme.md", "", "/programme/"),
        ("content/agenda/2025-04-02-forum-des-webradios.md", "", "/agenda/2025-04-02-forum-des-"
                                                                 "webradios/"),
        ("content/partenaires.yaml", 'nom: "', "/partenaires/"),
    ]


def synthetic_project(folder: Path, pages: int) -> tuple[Path, list[tuple[str, str, str]]]:
    """bench/generate.py's site of `pages` pages with the real templates."""
    content = generate(pages, folder)
    shutil.copytree(ROOT / "templates", folder / "templates")
    event = sorted((content / "agenda").glob("*.md"))[len(list((content / "agenda")
                                                              .glob("*.md"))) // 2]
    return folder, [
        ("content/pages/page-00042.md", "", "/page-00042/"),
        (f"content/agenda/{event.name}", "", f"/agenda/{event.stem}/"),
        ("content/partenaires.yaml", 'nom: "', "/partenaires/"),
    ]


def save(path: Path, anchor: str, word: str) -> None:
    """Save the file with a new word: after `anchor` (YAML), else as a new paragraph."""
    text = path.read_text(encoding="utf-8")
    if anchor:
        text = text.replace(anchor, anchor + word + " ", 1)
    else:
        text = text.rstrip("\n") + f"\n\n{word}\n"
    path.write_text(text, encoding="utf-8")


def measure(project: Path, edits: list[tuple[str, str, str]], rounds: int,
            startup: float) -> dict[str, list[float]]:
    """Seconds from save to new page, per kind of edit."""
    server = PreviewServer(project, timeout=startup)
    client = LiveReloadClient(server.port)
    figures: dict[str, list[float]] = {}
    try:
        for number in range(rounds):
            for file, anchor, url in edits:
                word = f"mesure{number}x{uuid.uuid4().hex[:8]}"
                started = time.perf_counter()
                save(project / file, anchor, word)
                message = client.receive(timeout=60)
                assert message["command"] == "reload", message
                notified = time.perf_counter()
                status, _, body = server.get(url)
                while word not in body:  # never expected: the reload comes after the build
                    status, _, body = server.get(url)
                done = time.perf_counter()
                figures.setdefault(file, []).append(done - started)
                figures.setdefault("notification", []).append(notified - started)
        lines = [line for line in server.output().splitlines() if "régénéré en" in line]
        figures["rebuild (server log)"] = [int(line.split("régénéré en ")[1].split(" ms")[0])
                                           / 1000 for line in lines]
    finally:
        client.close()
        server.stop()
    return figures


def report(name: str, figures: dict[str, list[float]], target: float | None = None) -> dict:
    """Print median / p90 / max in ms; return them."""
    target = TARGETS[name] if target is None else target
    print(f"\nSite {name} (objectif : {target * 1000:.0f} ms de l'enregistrement à la page)")
    summary = {}
    for label, values in figures.items():
        values = sorted(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        row = {"n": len(values), "median_ms": round(statistics.median(values) * 1000),
               "p90_ms": round(p90 * 1000), "max_ms": round(values[-1] * 1000)}
        summary[label] = row
        print(f"  {label:55} médiane {row['median_ms']:5} ms   p90 {row['p90_ms']:5} ms   "
              f"max {row['max_ms']:5} ms   (n={row['n']})")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="synthetic site (0: none)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-real", action="store_true", help="the synthetic site only")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="apercu-bench-") as tmp:
        if not args.no_real:
            project, edits = real_project(Path(tmp) / "reel")
            results["réel"] = report("réel", measure(project, edits, args.rounds, 60))
        if args.pages:
            project, edits = synthetic_project(Path(tmp) / "synthetique", args.pages)
            results["synthétique"] = report("synthétique",
                                            measure(project, edits, args.rounds, 600),
                                            synthetic_target(args.pages))
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
