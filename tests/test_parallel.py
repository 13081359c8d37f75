"""Parallel builds write exactly the bytes of a serial build."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from pathlib import Path

import pytest

from sitegen import schedule
from sitegen.errors import ContentError
from sitegen.pipeline import Builder, BuildOptions
from sitegen.write import MANIFEST

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 2, 1)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of an output tree, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(content: Path, output: Path, jobs: int) -> dict[str, bytes]:
    result = Builder(BuildOptions(content, ROOT / "templates", output, TODAY,
                                  root=output.parent, jobs=jobs)).build()
    assert result.processes == jobs
    return tree(output)


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    """A generated site of 90 pages and 9 events (bench/generate.py)."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    return generate.generate(90, tmp_path / "synthetique")


def test_two_processes_write_the_bytes_of_one(synthetic: Path, tmp_path: Path) -> None:
    serial = build(synthetic, tmp_path / "serie" / "site", jobs=1)
    parallel = build(synthetic, tmp_path / "parallele" / "site", jobs=2)
    assert len(serial) > 100
    assert serial.keys() == parallel.keys()
    assert [p for p in serial if serial[p] != parallel[p]] == []


def test_the_real_content_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule, "PARALLEL_MIN", 1)  # a small site: fork all the same
    monkeypatch.setattr(schedule, "CHUNK", 3)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    serial = build(content, tmp_path / "serie" / "site", jobs=1)
    parallel = build(content, tmp_path / "parallele" / "site", jobs=2)
    assert serial == parallel and MANIFEST in serial


def test_a_parallel_rebuild_after_an_edit_matches_a_serial_one(
        synthetic: Path, tmp_path: Path) -> None:
    outputs = {jobs: tmp_path / f"jobs{jobs}" / "site" for jobs in (1, 2)}
    for jobs, output in outputs.items():
        build(synthetic, output, jobs)
    style = synthetic / "site.yaml"  # a setting read by every page: all are rendered again
    style.write_text(style.read_text("utf-8").replace("TNE démo", "TNE d'essai"), "utf-8")
    assert build(synthetic, outputs[1], 1) == build(synthetic, outputs[2], 2)


def test_a_parallel_build_reports_the_problems_of_a_serial_one(
        synthetic: Path, tmp_path: Path) -> None:
    pages = sorted((synthetic / "pages").glob("page-*.md"))
    pages[3].write_text("---\ntitre: [pas fermé\n---\nTexte.\n", "utf-8")
    pages[40].write_text(pages[40].read_text("utf-8").replace("titre:", "titer:", 1), "utf-8")
    (synthetic / "pages" / "Mauvais Nom.md").write_text("---\ntitre: x\n---\n", "utf-8")
    reported = {}
    for jobs in (1, 2):
        with pytest.raises(ContentError) as failure:
            Builder(BuildOptions(synthetic, ROOT / "templates", tmp_path / f"j{jobs}" / "site",
                                 TODAY, root=tmp_path, jobs=jobs)).build()
        reported[jobs] = [problem.format() for problem in failure.value.problems]
    assert len(reported[1]) >= 3 and reported[1] == reported[2]
    assert any("titer" in line for line in reported[2])


def test_a_broken_template_is_reported_alike_on_one_core_and_two(
        synthetic: Path, tmp_path: Path) -> None:
    """On two cores a first build compiles the templates in a helper process while it reads
    the content; an error there must still reach the editor, with its file and line."""
    templates = tmp_path / "gabarits"
    shutil.copytree(ROOT / "templates", templates)
    page = templates / "page.html"
    page.write_text(page.read_text("utf-8").replace("{% endblock %}", "{% endblok %}", 1),
                    "utf-8")
    reported = {}
    for jobs in (1, 2):
        output = tmp_path / f"j{jobs}" / "site"
        with pytest.raises(ContentError) as failure:
            Builder(BuildOptions(synthetic, templates, output, TODAY, root=output.parent,
                                 jobs=jobs)).build()
        reported[jobs] = [problem.format() for problem in failure.value.problems]
        assert not output.exists()
    assert reported[1] == reported[2]
    assert "page.html" in reported[2][0] and "endblok" in reported[2][0]


def test_a_first_build_on_two_cores_leaves_every_template_compiled(
        synthetic: Path, tmp_path: Path) -> None:
    """The next build loads them (4 ms) instead of compiling them again (70 ms)."""
    output = tmp_path / "site"
    builder = Builder(BuildOptions(synthetic, ROOT / "templates", output, TODAY,
                                   root=tmp_path, jobs=2))
    builder.build()
    templates = [p for p in (ROOT / "templates").rglob("*") if p.is_file()]
    assert len(list(builder.compiled.iterdir())) == len(templates)
