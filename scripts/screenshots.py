"""Screenshots of the real site in headless Chromium: `make screenshots`.

Builds content/ with the fixed reference date into a temporary folder, serves it on
127.0.0.1 and saves full-page PNGs of the home and agenda pages at 390 px (phone) and
1280 px (desktop) into screenshots/ (git-ignored), or the folder given as argument.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from siteserver import TODAY, build_site, launch_chromium, serve  # noqa: E402

PAGES = {"accueil": "/", "agenda": "/agenda/"}
WIDTHS = {390: {"is_mobile": True, "has_touch": True, "device_scale_factor": 2},
          1280: {"device_scale_factor": 1}}


def reference_time() -> dt.datetime:
    """Noon in Paris on the build's reference date."""
    return dt.datetime.combine(dt.date.fromisoformat(TODAY), dt.time(12), ZoneInfo("Europe/Paris"))


def take_screenshots(output: Path, extra: dict[str, str] | None = None) -> list[Path]:
    """Build, serve and capture every page at every width; return the files written."""
    from playwright.sync_api import sync_playwright

    output.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        site = build_site(Path(tmp) / "site")
        browser = launch_chromium(playwright)
        with serve(site) as base_url:
            for width, options in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": 800},
                                              locale="fr-FR", timezone_id="Europe/Paris",
                                              **options)
                # Statuses as on the reference date, not as statut.js would recompute today.
                context.clock.set_fixed_time(reference_time())
                page = context.new_page()
                for name, path in {**PAGES, **(extra or {})}.items():
                    page.goto(base_url + path)
                    file = output / f"{name}-{width}.png"
                    page.screenshot(path=str(file), full_page=True)
                    written.append(file)
                context.close()
        browser.close()
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=str(ROOT / "screenshots"))
    parser.add_argument("--page", action="append", default=[], metavar="NOM=/chemin/",
                        help="une page de plus à capturer, par exemple evenement=/agenda/…/")
    args = parser.parse_args(argv)
    extra = dict(item.split("=", 1) for item in args.page)
    for file in take_screenshots(Path(args.output), extra):
        print(file.relative_to(ROOT) if file.is_relative_to(ROOT) else file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
