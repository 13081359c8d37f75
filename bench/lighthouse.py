"""Lighthouse scores of the home, agenda and one event page: `make lighthouse` (not in CI).

Lighthouse 12.2.3 (pinned by bench/lighthouse.package*.json, the last line that runs on
Node 20) is installed with `npm ci` into .cache/lighthouse/. The real content is built with
its public address replaced by the local server's, so that the canonical URLs point to the
origin being audited, then served on 127.0.0.1 with the production headers and audited in
Debian's Chromium. Prints the four scores per page (mobile, simulated throttling; add
--preset desktop for the desktop profile) and keeps the JSON reports in bench/out/.
Targets: 100 for accessibility, best practices and SEO; at least 95 for performance.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from siteserver import CHROMIUM, CHROMIUM_ARGS, build_site, copy_content_with_base_url, serve  # noqa: E402

TOOLS = ROOT / ".cache" / "lighthouse"
OUT = ROOT / "bench" / "out"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def install_lighthouse() -> Path:
    """npm ci the pinned Lighthouse into .cache/lighthouse/ unless already there."""
    files = {"package.json": ROOT / "bench" / "lighthouse.package.json",
             "package-lock.json": ROOT / "bench" / "lighthouse.package-lock.json"}
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files.values())).hexdigest()
    stamp = TOOLS / ".installed"
    cli = TOOLS / "node_modules" / "lighthouse" / "cli" / "index.js"
    if stamp.is_file() and stamp.read_text() == digest and cli.is_file():
        return cli
    if shutil.which("npm") is None:
        sys.exit("npm est introuvable : installez Node.js 20 et npm.")
    TOOLS.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        shutil.copyfile(source, TOOLS / name)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=TOOLS,
                   check=True)
    stamp.write_text(digest)
    return cli


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def audit(cli: Path, url: str, name: str, preset: str | None) -> dict[str, int]:
    """Run Lighthouse on one URL; return its category scores out of 100."""
    report = OUT / f"lighthouse-{name}{'-' + preset if preset else ''}.json"
    command = ["node", str(cli), url, "--output=json", f"--output-path={report}",
               f"--chrome-path={CHROMIUM}", "--chrome-flags=" + " ".join(CHROMIUM_ARGS),
               "--only-categories=" + ",".join(CATEGORIES), "--quiet", "--locale=fr"]
    if preset:
        command.append(f"--preset={preset}")
    subprocess.run(command, check=True, env={"PATH": "/usr/bin:/bin", "CHROME_PATH": CHROMIUM,
                                             "HOME": str(TOOLS)})
    data = json.loads(report.read_text(encoding="utf-8"))
    failed = [f"{a['id']} ({a['score']})" for a in data["audits"].values()
              if a.get("score") is not None and a["score"] < 1
              and a.get("scoreDisplayMode") in ("binary", "numeric")
              and any(a["id"] == ref["id"] and ref.get("weight", 0) > 0
                      for c in data["categories"].values() for ref in c["auditRefs"])]
    if failed:
        print(f"  {name} : audits pondérés non parfaits : {', '.join(failed)}")
    return {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=["desktop"], help="profil Lighthouse (mobile sinon)")
    args = parser.parse_args(argv)
    cli = install_lighthouse()
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        content = copy_content_with_base_url(Path(tmp) / "content", base_url)
        site = build_site(Path(tmp) / "site", content=content)
        event = sorted(p.parent.name for p in (site / "agenda").glob("*/index.html"))[0]
        pages = {"accueil": "/", "agenda": "/agenda/", "evenement": f"/agenda/{event}/"}
        with serve(site, port):
            for name, path in pages.items():
                results[name] = audit(cli, base_url + path, name, args.preset)
    print(f"\nLighthouse 12.2.3, profil {args.preset or 'mobile'}, Chromium Debian")
    print(f"{'page':<12}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, scores in results.items():
        print(f"{name:<12}" + "".join(f"{scores[c]:>16}" for c in CATEGORIES))
    misses = [f"{n} {c} {s[c]} < {TARGETS[c]}" for n, s in results.items() for c in CATEGORIES
              if s[c] < TARGETS[c]]
    print("Objectifs atteints." if not misses else "Objectifs manqués : " + " ; ".join(misses))
    return 0 if not misses else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
