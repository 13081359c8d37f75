"""What a build is asked to do: where to read, where to write, as of which day.

Both sides of a build take these options (pipeline.py the build, stages.py the render side,
serve.py and check.py their own runs), so they live apart from all of them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

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
    jobs: int = 1  # processes rendering in parallel (the command line uses every core)


def reference_date(cli_value: str | None, environ: dict[str, str] | None = None) -> dt.date:
    """--today, else SOURCE_DATE_EPOCH, else today in Europe/Paris."""
    environ = os.environ if environ is None else environ
    if cli_value:
        return dt.date.fromisoformat(cli_value)
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), PARIS).date()
    return dt.datetime.now(PARIS).date()
