"""`make bench`: build speed and memory at N = 1,000 and 10,000 pages, against the floor.

For each N: generate a synthetic site (bench/generate.py, seeded), time the serial library
floor (bench/floor.py) in the same run, then time our build as separate processes, as an
editor would run it: cold (empty cache, no output), no change, one page edited, one data
file edited, each through the build server that the first build starts (the default) and
without it (SITEGEN_SERVEUR=non); record the peak memory of the cold build (all its
processes added up) and the server's when idle; and
time the live preview from a file saved to the browser told to reload (a page, an event,
a data file), through a real `python build.py serve` and its livereload websocket. Every
time is also printed as a ratio to the floor of the same run, next to its target. The
floor and the cold build run in turns, and the cold ratio is the median of each pair's:
on a shared machine a slow moment slows both.

    python bench/run.py                      # N = 1000 and 10000, 3 rounds each
    python bench/run.py --sizes 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2025-02-01"
TARGETS = {  # (N=1000, N=10000); None: no target
    "cold": (0.6, 0.6), "nochange": (0.05, 0.03), "page": (0.05, None), "data": (None, None),
}
MEMORY_MB = (100, 200)
PREVIEW_MS = (100, 300)
UNMEASURED = "non mesuré (serve indisponible)"
# Outputs of a previous round are moved into this folder of `out`, emptied only when every
# figure is taken: after deleting thousands of files, ext4 avoids their inodes for a minute
# or more, and each new folder's inode is then found by scanning past them. Our build makes
# a folder per page (pretty addresses), the floor flat files: deleting between rounds made
# our cold build pay 0.4 to 1.4 s of kernel time the floor does not (measured with perf),
# which an editor's first build on a fresh clone never pays.
TRASH = "corbeille"


def run(command: list[str], cwd: Path, memory: bool = False, server: bool = False
        ) -> tuple[float, float, float]:
    """Run a command; (wall seconds, peak MB of it and its children added up, as PSS,
    processor seconds of all its processes). Memory is sampled only when asked: reading
    /proc/PID/smaps_rollup walks the page tables of each process, and would slow down
    (and so misreport) a build of several processes more than a one-process one.
    Builds run on their own unless `server`: then they use (or start) the build server."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SITEGEN_SERVEUR", "CI"}}
    environment["SITEGEN_SERVEUR"] = "oui" if server else "non"  # « oui »: as from a terminal
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak = [0]
    sampler = threading.Thread(target=_sample_memory, args=(process, peak), daemon=True)
    if memory:
        sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if memory:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"échec de {' '.join(command)} :\n{stderr.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, peak[0] / 1024, cpu


def _sample_memory(process: subprocess.Popen, peak: list[int]) -> None:
    while process.poll() is None:
        peak[0] = max(peak[0], sum(_rss_kb(pid) for pid in _tree(process.pid)))
        time.sleep(0.01)


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    """Proportional set size: pages shared by forked workers are counted once in the sum."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def build_command(site: Path) -> list[str]:
    """Our build, as an editor runs it (every core)."""
    return [sys.executable, str(ROOT / "build.py"), "--content", str(site / "content"),
            "--templates", str(ROOT / "templates"), "--output", str(site / "site"),
            "--today", TODAY]


def measure_size(pages: int, repeat: int, out: Path) -> dict:
    """Every figure for one N."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    site = out / f"n{pages}"
    content = generate(pages, site)
    figures: dict = {"pages": pages, "events": pages // 10}
    floor_cmd = [sys.executable, str(HERE / "floor.py"), str(content), str(site / "plancher")]
    floors, colds = [], []
    for round_ in range(repeat):  # in turns: a slow moment of a shared machine hits both
        set_aside(site, "plancher", "site", ".site-spare", ".cache")
        if round_ % 2:  # who goes first after the clean-up alternates, too
            colds.append(run(build_command(site), site))
            floors.append(run(floor_cmd, site))
        else:
            floors.append(run(floor_cmd, site))
            colds.append(run(build_command(site), site))
    figures["rounds"] = [[round(f[0], 2), round(c[0], 2)] for f, c in zip(floors, colds,
                                                                          strict=True)]
    figures["floor"] = statistics.median(f[0] for f in floors)
    figures["floor_cpu"] = statistics.median(f[2] for f in floors)
    figures["cold"] = statistics.median(c[0] for c in colds)
    pairs = zip(colds, floors, strict=True)
    figures["cold_ratio"] = statistics.median(c[0] / f[0] for c, f in pairs)
    figures["cold_cpu"] = statistics.median(c[2] for c in colds)
    set_aside(site, "site", ".site-spare", ".cache")  # one more cold build, for memory
    figures["memory_mb"] = run(build_command(site), site, memory=True)[1]
    figures["nochange"] = statistics.median(run(build_command(site), site)[0]
                                            for _ in range(repeat))
    page = content / "pages" / "page-00001.md"
    figures["page"] = _median_after_edits(site, repeat, page, edit_page)
    data = content / "partenaires.yaml"
    figures["data"] = _median_after_edits(site, repeat, data, edit_data)
    figures.update(server_figures(site, repeat, page, data))
    event = sorted((content / "agenda").glob("*.md"))[5]
    edits = {"page": (page, edit_page), "event": (event, edit_page), "data": (data, edit_data)}
    for kind, value in preview_latency(site, repeat, edits).items():
        figures[f"preview_{kind}_ms"] = value
    return figures


def set_aside(site: Path, *names: str) -> None:
    """Move what a previous round left in SITE to the trash (see TRASH); not timed."""
    trash = site.parent / TRASH
    trash.mkdir(exist_ok=True)
    for name in names:
        if (site / name).exists():
            (site / name).rename(trash / f"{site.name}-{name.lstrip('.')}-{time.time_ns()}")


def edit_page(text: str, i: int) -> str:
    return text + f"\nMesure numéro {i}.\n"


def edit_data(text: str, i: int) -> str:
    return text.replace('role: "', f'role: "Modifié ({i}). ', 1)


def _median_after_edits(site: Path, repeat: int, path: Path, edit, server: bool = False
                        ) -> float:
    times = []
    original = path.read_text("utf-8")
    path.write_text(edit(original, -1), "utf-8")  # the first rebuild after a cold one also
    run(build_command(site), site, server=server)  # makes the spare folder: not timed
    for i in range(repeat):
        path.write_text(edit(original, i), "utf-8")
        times.append(run(build_command(site), site, server=server)[0])
    path.write_text(original, "utf-8")
    run(build_command(site), site, server=server)
    return statistics.median(times)


def server_figures(site: Path, repeat: int, page: Path, data: Path) -> dict:
    """The rebuilds again, as they run by default: through the build server that the
    first build starts (sitegen/buildserver.py); and the server's memory when idle."""
    lock = site / ".cache" / "sitegen" / "serveur.lock"
    run(build_command(site), site, server=True)  # runs alone, then starts the server
    for _ in range(600):
        if (site / ".cache" / "sitegen" / "serveur.sock").exists():
            break
        time.sleep(0.05)
    else:
        raise SystemExit("le serveur de génération n'a pas démarré : rien à mesurer avec lui")
    run(build_command(site), site, server=True)  # waits for the server to be ready
    figures = {"server_nochange": statistics.median(
        run(build_command(site), site, server=True)[0] for _ in range(repeat))}
    figures["server_page"] = _median_after_edits(site, repeat, page, edit_page, server=True)
    figures["server_data"] = _median_after_edits(site, repeat, data, edit_data, server=True)
    pid = int(lock.read_text().split()[0])
    figures["server_memory_mb"] = _rss_kb(pid) / 1024
    os.kill(pid, signal.SIGTERM)
    return figures


def preview_latency(site: Path, repeat: int, edits: dict) -> dict[str, float | str]:
    """Median ms from a file saved to the livereload message, through a real server, for
    each kind of edit: {kind: (path, edit function)}."""
    unmeasured = {kind: UNMEASURED for kind in edits}
    try:
        from tornado.ioloop import IOLoop
        from tornado.websocket import websocket_connect
    except ImportError:
        return unmeasured
    port = _free_port()
    command = [sys.executable, str(ROOT / "build.py"), "serve", "--content",
               str(site / "content"), "--templates", str(ROOT / "templates"), "--output",
               str(site / "apercu"), "--port", str(port), "--today", TODAY]
    server = subprocess.Popen(command, cwd=site, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        return IOLoop.current().run_sync(
            lambda: _measure_reloads(server, port, edits, repeat, websocket_connect),
            timeout=900)
    except Exception:  # noqa: BLE001 - no server, or not one that reloads: say so
        return unmeasured
    finally:
        server.terminate()
        server.wait()


async def _measure_reloads(server, port, edits, repeat, websocket_connect) -> dict:
    import asyncio

    url = f"ws://127.0.0.1:{port}/livereload"
    for _ in range(3000):  # the first build of a large preview takes a while
        if server.poll() is not None:
            return {kind: UNMEASURED for kind in edits}
        try:
            connection = await websocket_connect(url)
            break
        except OSError:
            await asyncio.sleep(0.1)
    else:
        return {kind: UNMEASURED for kind in edits}
    await connection.write_message(json.dumps(
        {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    await connection.read_message()
    await connection.write_message(json.dumps(
        {"command": "info", "url": f"http://127.0.0.1:{port}/", "plugins": {}}))
    await asyncio.sleep(1.0)
    medians = {}
    for kind, (path, edit) in edits.items():
        original, times = path.read_text("utf-8"), []
        for i in range(repeat):
            started = time.perf_counter()
            path.write_text(edit(original, i), "utf-8")
            while True:
                message = await asyncio.wait_for(connection.read_message(), timeout=120)
                if message is None:
                    return {kind: UNMEASURED for kind in edits}
                if json.loads(message).get("command") == "reload":
                    break
            times.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.5)
        path.write_text(original, "utf-8")
        while json.loads(await asyncio.wait_for(connection.read_message(), timeout=120)
                         ).get("command") != "reload":
            pass  # the reload of the restored file is not measured
        await asyncio.sleep(0.5)
        medians[kind] = statistics.median(times)
    return medians


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def report(results: list[dict]) -> str:
    """The table printed by `make bench`."""
    load = os.getloadavg()[0]
    lines = [f"Banc d'essai : {os.cpu_count()} cœurs, Python {platform.python_version()}, "
             f"{platform.machine()}, charge moyenne {load:.1f} à la fin ; durées en secondes, "
             "ratio au plancher série du même passage."]
    for figures in results:
        index, floor = (0 if figures["pages"] < 5000 else 1), figures["floor"]
        lines += ["", f"N = {figures['pages']:,} pages et {figures['events']:,} événements"
                  .replace(",", " "),
                  f"  {'plancher série (bench/floor.py)':42} {floor:8.2f} s   1,000"]
        for key, label in (("cold", "construction à froid (cache vide)"),
                           ("server_nochange", "reconstruction sans changement"),
                           ("server_page", "une page modifiée (ligne de commande)"),
                           ("server_data", "un fichier de données modifié"),
                           ("nochange", "  sans serveur : sans changement"),
                           ("page", "  sans serveur : une page modifiée"),
                           ("data", "  sans serveur : un fichier de données")):
            if key not in figures:
                continue
            ratio = figures.get(f"{key}_ratio", figures[key] / floor)
            target = TARGETS[key.removeprefix("server_")][index]
            verdict = "" if target is None else (
                f"cible ≤ {target:.2f} : {'atteinte' if ratio <= target else 'MANQUÉE'}")
            lines.append(f"  {label:42} {figures[key]:8.2f} s   {ratio:.3f}   {verdict}")
            if key == "cold" and "rounds" in figures:
                pairs = ", ".join(f"{c:.2f}/{f:.2f}" for f, c in figures["rounds"])
                lines.append(f"  {'  (à froid/plancher, tour par tour)':42} {pairs}")
        lines.append(f"  {'temps processeur, à froid (tous cœurs)':42} {figures['cold_cpu']:8.2f} s"
                     f"   {figures['cold_cpu'] / figures['floor_cpu']:.3f}   (plancher : "
                     f"{figures['floor_cpu']:.2f} s de processeur)")
        memory, limit = figures["memory_mb"], MEMORY_MB[index]
        lines.append(f"  {'mémoire maximale, à froid (tous processus)':42} {memory:8.0f} Mo"
                     f"           cible ≤ {limit} Mo : "
                     f"{'atteinte' if memory <= limit else 'MANQUÉE'}")
        if "server_memory_mb" in figures:
            lines.append(f"  {'mémoire du serveur de génération, au repos':42} "
                         f"{figures['server_memory_mb']:8.0f} Mo           (pas de cible)")
        for kind, label in (("page", "une page"), ("event", "un événement"),
                            ("data", "un fichier de données")):
            preview, limit = figures[f"preview_{kind}_ms"], PREVIEW_MS[index]
            name = f"aperçu, {label} : enregistré → rechargé"
            if isinstance(preview, str):
                lines.append(f"  {name:42} {preview}")
                continue
            verdict = f"cible ≤ {limit} ms : {'atteinte' if preview <= limit else 'MANQUÉE'}"
            lines.append(f"  {name:42} {preview:8.0f} ms   {preview / 1000 / floor:.3f}   "
                         + (verdict if kind == "page" else "(pas de cible)"))
    if len(results) >= 2:
        scale = results[1]["cold"] / results[0]["cold"]
        cpu = results[1]["cold_cpu"] / results[0]["cold_cpu"]
        lines += ["", f"Passage à l'échelle, à froid : N = {results[1]['pages']} coûte "
                  f"{scale:.1f} fois N = {results[0]['pages']} en durée, {cpu:.1f} fois en "
                  f"processeur (cible ≤ 11 : {'atteinte' if scale <= 11 else 'MANQUÉE'})"]
    return "\n".join(lines)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    # Bytecode of the generator, as installing a package writes it (the floor's libraries
    # have theirs): with PYTHONDONTWRITEBYTECODE set, every run would compile the sources.
    compileall.compile_dir(ROOT / "sitegen", quiet=1)
    results = []
    try:
        for pages in args.sizes:
            print(f"N = {pages} : mesure en cours…", file=sys.stderr, flush=True)
            results.append(measure_size(pages, args.repeat, args.out.resolve()))
    finally:
        shutil.rmtree(args.out / TRASH, ignore_errors=True)
    (args.out / "resultats.json").write_text(json.dumps(results, indent=2), "utf-8")
    print(report(results))


if __name__ == "__main__":
    main()
