#!/usr/bin/env python3
"""Command line of the site generator: build (default), serve, check, nouveau.

    python build.py                  build content/ into site/
    python build.py --today 2025-02-01
    python build.py serve            live preview on http://127.0.0.1:8000
    python build.py check --strict   validate everything, warnings fail
    python build.py nouveau evenement "Titre" --date 2025-06-12 --lieu "…" --ville "…"
"""

import os
import sys

from sitegen.cli import main

if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written and closed: skip the interpreter's teardown, which would free
    # the records of every page one by one (a tenth of a one-page rebuild).
    os._exit(status or 0)
