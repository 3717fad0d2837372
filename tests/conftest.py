"""Shared fixtures: every test gets its own project file on disk (no mocks of the store)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.services import codebooks, codings, ingest
from qualcode.services.project import init_project, open_project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "transcripts_example"
CODEBOOK = ROOT / "codebooks" / "kvalitetsmodellen.yaml"
CODING_FILES = sorted(EXAMPLE.glob("codings_*.csv"))


@pytest.fixture
def store(tmp_path):
    """A new, empty project."""
    s = init_project(tmp_path / "project.db")
    yield s
    s.close()


def build_example(path: Path):
    s = init_project(path)
    codebooks.load_into_project(s, CODEBOOK)
    ingest.import_attributes(s, [EXAMPLE / "attributes.yaml"])
    ingest.import_transcripts(s, [EXAMPLE])
    if CODING_FILES:
        codings.import_codings(s, CODING_FILES)
    return s


@pytest.fixture(scope="session")
def _example_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("example") / "example.db"
    build_example(path).close()
    return path


@pytest.fixture
def example(_example_template, tmp_path):
    """The bundled example study, fully imported, in a private copy of the project."""
    target = tmp_path / "example.db"
    shutil.copy(_example_template, target)
    s = open_project(target)
    yield s
    s.close()


# Output that tests compare must not depend on the terminal that runs them: rich wraps
# lines and sizes tables to the terminal, 80 columns when there is none. Every test sees
# this wide terminal unless it asks for a width (`cli(..., columns=100)`).
TERMINAL_COLUMNS = 250


@pytest.fixture(autouse=True)
def _fixed_terminal_width(monkeypatch):
    from qualcode.cli import render

    monkeypatch.setenv("COLUMNS", str(TERMINAL_COLUMNS))
    for console in (render.console, render.err_console):
        # A width fixed when the console was made (from COLUMNS at import) would win over
        # the environment of every later test: measure the terminal when printing instead.
        monkeypatch.setattr(console, "_width", None)


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run qualcode commands against a project in tmp_path; returns (exit, stdout, stderr).
    ``columns`` sets the terminal's width (a wide one by default)."""
    from qualcode.cli import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, project: Path | None = None, columns: int = TERMINAL_COLUMNS):
        env = {"QUALCODE_PROJECT": str(project or tmp_path / "cli.db"),
               "COLUMNS": str(columns)}
        result = runner.invoke(app, list(args), env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def assert_same_study(one, other, *, ids: bool = False, codebook_file: bool = True) -> None:
    """Two projects hold the same study: status, cases, transcripts, a full matrix with
    quotes, frequencies, co-occurrence, quotes, codings and agreement are equal (coding
    ids too, with ``ids``; without ``codebook_file``, the codebook may have been loaded
    from another file with the same content)."""
    from qualcode.services import agreement_report, coding_ops, overview, retrieval
    from qualcode.services import matrix as mx

    def status(store):
        found = {k: v for k, v in overview.project_status(store).items() if k != "project"}
        if not codebook_file and found.get("codebook"):
            found["codebook"] = {k: v for k, v in found["codebook"].items()
                                 if k not in ("file", "path", "sha256")}
        return found

    def matrix(store):
        return mx.matrix_json(mx.build_matrix(store, rows=["all"],
                                              columns=["rolle", "skoleslag"], quotes=2))

    def codings(store):
        skip = () if ids else ("id",)
        return [{k: v for k, v in c.items() if k not in skip}
                for c in coding_ops.list_codings(store)]

    def quotes(store):
        found = retrieval.quotes(store, "LED")
        return found if ids else [{k: v for k, v in q.items() if k != "coding"}
                                  for q in found]

    def agreement(store):
        return agreement_report.agreement(store, coders="anna,bjorn", bootstrap=200, seed=1)

    for view in (status, overview.list_cases, overview.list_transcripts, matrix,
                 mx.frequencies, lambda s: mx.cooccurrence(s).pairs(), quotes, codings,
                 agreement):
        assert view(one) == view(other)
