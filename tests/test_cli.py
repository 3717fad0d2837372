"""The command line as a user meets it: commands, formats, one-line errors, fast --help."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CODEBOOK, CODING_FILES, EXAMPLE, ROOT, write


@pytest.fixture
def loaded(cli, tmp_path):
    """A CLI project with the example study imported through the commands themselves."""
    assert cli("init")[0] == 0
    assert cli("codebook", "load", str(CODEBOOK))[0] == 0
    assert cli("attributes", "import", str(EXAMPLE / "attributes.yaml"))[0] == 0
    code, out, err = cli("import", str(EXAMPLE))
    assert code == 0, err
    return cli


def test_main_job_commands(loaded):
    code, out, err = loaded("status")
    assert code == 0
    assert "kvalitetsmodellen v1 (116 codes)" in out
    assert "Transcripts" in out and "Nordvik" not in err


def test_show_json_has_stable_keys_and_round_trips(loaded):
    code, out, _ = loaded("show", "nordvik_rektor", "--format", "json")
    turns = json.loads(out)
    assert code == 0 and len(turns) >= 20
    assert set(turns[0]) == {"index", "speaker", "role", "person", "start", "end", "time",
                             "time_end", "text"}
    assert [t["index"] for t in turns] == list(range(1, len(turns) + 1))
    assert {t["role"] for t in turns} == {"intervjuer", "rektor"}
    assert any("æ" in t["text"] or "ø" in t["text"] or "å" in t["text"] for t in turns)


def test_show_sentences_are_cached_segments(loaded):
    code, out, _ = loaded("show", "nordvik_radgiver", "-f", "json")
    plain = json.loads(out)
    code, out, _ = loaded("show", "nordvik_radgiver", "--sentences", "-f", "json")
    # json output of plain turns does not change when sentences are computed
    assert code == 0
    code, out, _ = loaded("show", "nordvik_radgiver", "--sentences")
    assert code == 0 and "⟨1⟩" in out
    assert plain == json.loads(loaded("show", "nordvik_radgiver", "-f", "json")[1])


def test_transcripts_csv_is_parseable(loaded):
    code, out, _ = loaded("transcripts", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert {r["name"] for r in rows} >= {"nordvik_rektor", "nordvik_laerere"}
    assert all(int(r["words"]) > 0 for r in rows)


def test_cases_json_and_csv(loaded):
    code, out, _ = loaded("cases", "-f", "json")
    data = json.loads(out)
    assert code == 0 and len(data["sites"]) == 2 and len(data["persons"]) == 9
    nordvik = next(s for s in data["sites"] if s["site"] == "nordvik_u")
    assert nordvik["skoleslag"] == "ungdomsskole" and nordvik["antall_radgivere"] == 1
    code, out, _ = loaded("cases", "--show", "persons", "-f", "csv")
    assert code == 0 and out.splitlines()[0].startswith("person,site,rolle,interviews")
    code, _, err = loaded("cases", "-f", "csv")
    assert code != 0 and "--show" in err


def test_codebook_show_formats(loaded):
    code, out, _ = loaded("codebook", "show", "-f", "json")
    codes = json.loads(out)
    assert code == 0 and len(codes) == 116
    assert codes[0]["id"] == "UTB" and codes[0]["depth"] == 0
    assert {"id", "label", "parent", "codings", "codings_with_descendants"} <= set(codes[0])
    code, out, _ = loaded("codebook", "show")
    assert "Ledelse" in out


@pytest.mark.skipif(not CODING_FILES, reason="example coding files not present")
def test_coding_import_counts_appear_in_codebook_show(loaded):
    code, out, err = loaded("coding", "import", *map(str, CODING_FILES))
    assert code == 0, err
    assert "anna" in out and "bjorn" in out
    codes = json.loads(loaded("codebook", "show", "-f", "json")[1])
    total = sum(c["codings"] for c in codes)
    roots = sum(c["codings_with_descendants"] for c in codes if c["depth"] == 0)
    assert total > 0 and total == roots
    code, out, _ = loaded("coding", "import", *map(str, CODING_FILES))
    assert "Imported 0 codings" in out and "already present" in out


def test_copy_the_project_to_a_new_file(cli, example, tmp_path):
    example.close()
    target = tmp_path / "delt.db"
    code, out, err = cli("copy", str(target), project=example.path)
    assert code == 0, err
    assert "8 transcripts" in out and "315 codings" in out
    code, out, err = cli("status", "--format", "json", project=target)
    assert json.loads(out)["codings"] == 315
    _one_line_error(*cli("copy", str(target), project=example.path)[::2], "already exists")
    _one_line_error(*cli("copy", "mysql://x@y/z", project=example.path)[::2],
                    "mysql:// projects are not supported")


def _one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error:")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_errors_are_one_line(cli, tmp_path):
    _one_line_error(*cli("status")[::2], "no project at", "qualcode init")
    cli("init")
    _one_line_error(*cli("init")[::2], "already exists")
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a zip")
    _one_line_error(*cli("import", str(bad))[::2], "broken.docx", "not a valid .docx")
    _one_line_error(*cli("show", "nobody")[::2], "no transcript named 'nobody'")
    typo = write(tmp_path / "cb.yaml", "codebook: x\ncodes:\n  - id: A\n    label: [unclosed\n")
    _one_line_error(*cli("codebook", "load", str(typo))[::2], "cb.yaml:", "YAML syntax error")
    sheet = write(tmp_path / "persons.csv", "person,site\np1,skole_x\n")
    _one_line_error(*cli("attributes", "import", str(sheet))[::2], "persons.csv:2",
                    "unknown site 'skole_x'")


def test_codebook_validate_reports_every_problem_with_lines(cli, tmp_path):
    book = write(tmp_path / "bad.yaml", """codebook: test
codes:
  - id: LED
    label: Ledelse
    description: Ledelse av tjenesten.
    color: "#ff0000"
    children:
      - id: LED.a
        label: A
  - id: LED
    label: Igjen
    description: Duplikat.
  - id: ETI.x
    label: X
    parent: NOPE
    description: x
""")
    code, out, err = cli("codebook", "validate", str(book))
    assert code == 1
    assert f"{book}:6: error: unknown key 'color' (did you mean 'colour'?)" in err
    assert f"{book}:10: error: code id 'LED' is used twice (first at line 3)" in err
    assert f"{book}:13: error: 'ETI.x' has parent 'NOPE'" in err
    assert f"{book}:8: warning: code 'LED.a' has an empty description" in err
    assert "3 error(s), 1 warning(s)" in out


def test_codebook_validate_accepts_the_bundled_codebook(cli):
    code, out, err = cli("codebook", "validate", str(CODEBOOK), "--strict")
    assert code == 0, err
    assert "116 codes in 13 top-level codes, 0 warning(s)" in out


def _run_and_list_imports(argv: list[str], modules: tuple[str, ...]) -> tuple[str, list[str]]:
    """Run qualcode with ``argv`` in a fresh interpreter; its output, and which of
    ``modules`` it imported."""
    probe = ("import sys\nfrom qualcode.cli import main\n"
             f"sys.argv = ['qualcode', *{argv!r}]\n"
             "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
             f"print('\\nLOADED', [m for m in {modules!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    output, _, loaded = out.rpartition("\nLOADED ")
    return output, ast.literal_eval(loaded)


def test_help_does_not_import_heavy_modules():
    """`qualcode --help` stays fast: no spaCy, python-docx, SQLModel or textual."""
    out, loaded = _run_and_list_imports(
        ["--help"], ("spacy", "docx", "sqlmodel", "sqlalchemy", "textual"))
    assert loaded == []
    assert "Commands" in out or "Usage" in out


@pytest.mark.parametrize("command", [
    ["matrix", "--cols", "rolle"], ["cooccur"], ["status"], ["transcripts"],
    ["cases", "--show", "persons"], ["quotes", "LED"],
    ["agreement", "--areas", "--bootstrap", "50"]])
def test_read_only_commands_do_not_load_the_orm(example, command):
    """Read-only commands read through plain SQL: on the example study they give their
    table without SQLModel or SQLAlchemy (about 0.4 s of every call) being imported."""
    example.close()
    out, loaded = _run_and_list_imports(
        ["-p", str(example.path), *command, "--format", "csv"], ("sqlmodel", "sqlalchemy"))
    assert loaded == []
    header, *rows = out.strip().splitlines()
    assert len(rows) > 1
    if command[0] == "matrix":
        assert header.startswith("code,label,depth,") and header.endswith(",total")
        assert any(row.startswith("LED,") for row in rows)


@pytest.mark.parametrize("command", [["codebook", "show"], ["frequencies"]])
def test_counts_a_user_asks_for_first_do_not_load_the_orm(example, command):
    """The code tree with its counts and the frequency table are read in plain SQL too."""
    example.close()
    out, loaded = _run_and_list_imports(
        ["-p", str(example.path), *command, "--format", "csv"], ("sqlmodel", "sqlalchemy"))
    assert loaded == []
    header, *rows = out.strip().splitlines()
    assert header.startswith(("id,label,parent", "code,label,depth"))
    assert len(rows) > 100


@pytest.mark.parametrize("command", [
    ["frequencies", "--depth", "1", "--coder", "anna", "--format", "CSV"],
    ["matrix", "--rows", "all", "--cols", "rolle", "--cols", "skoleslag", "-f", "csv"],
    ["quotes", "LED", "--format", "json"], ["status"], ["codebook", "show", "-f", "csv"]])
def test_common_command_lines_start_without_pydantic(example, command):
    """Typer would check each option's value through pydantic (about 0.1 s of every
    start); text, choices, flags and whole numbers are taken as typer takes them, so
    a user's everyday command lines never load it."""
    example.close()
    out, loaded = _run_and_list_imports(["-p", str(example.path), *command],
                                        ("pydantic", "sqlmodel"))
    assert loaded == []
    assert out.strip()


def test_option_values_are_read_as_typer_reads_them(example, cli):
    """Choices in any case, whole numbers within their bounds, repeated options; a value
    typer refuses is refused with typer's own message."""
    example.close()
    project = example.path
    code, out, err = cli("frequencies", "--depth", "0", "--coder", "anna", "-f", "CSV",
                         project=project)
    assert code == 0, err
    header, *rows = out.strip().splitlines()
    assert header == "code,label,depth,layer,references,informants,transcripts,sites,words"
    assert rows and all(row.split(",")[2] == "0" and row.split(",")[3] == "anna"
                        for row in rows)
    code, out, err = cli("matrix", "--rows", "LED", "--cols", "rolle", "--cols",
                         "skoleslag", "--format", "Json", project=project)
    assert code == 0, err
    assert json.loads(out)["dimensions"] == ["rolle", "skoleslag"]
    code, out, err = cli("frequencies", "-f", "xml", project=project)
    assert code == 1 and out == ""
    assert "'xml' is not one of 'table', 'csv', 'json'" in err
    code, out, err = cli("agreement", "--coders", "anna,bjorn", "--bootstrap", "-5",
                         project=project)
    assert code == 1 and "--bootstrap" in err and err.count("\n") == 1
    code, out, err = cli("frequencies", "--depth", "x", project=project)
    assert code == 1 and "--depth" in err and "valid integer" in err


def _answer(argv: list[str], *, whole_tree: bool) -> tuple[int, str, str]:
    """qualcode run with ``argv`` in a fresh interpreter, as the installed command runs
    (``main``), or with typer making every command first."""
    run = "app(prog_name='qualcode')" if whole_tree else "main()"
    probe = ("import sys\nfrom qualcode.cli import app, main\n"
             f"sys.argv = ['qualcode', *{argv!r}]\n{run}")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "COLUMNS": "120"})
    return done.returncode, done.stdout, done.stderr


def test_the_command_named_answers_as_the_whole_command_tree_does(example, tmp_path):
    """Only the command named is made when a command runs; what it prints, its help, its
    errors and those of a name that is no command are the same as with every command."""
    example.close()
    project = str(example.path)
    for argv in (["-p", project, "status"], [f"--project={project}", "codebook", "show",
                                               "-f", "csv"],
                 ["-p", project, "frequencies", "--depth", "0"], ["frequencies", "--help"],
                 ["-p", project, "export", "--help"], ["-p", project, "codebook", "diff",
                                                        "--help"],
                 ["-p", project, "statu"], ["-p", project, "frequencies", "-f", "xml"],
                 ["--help"], ["--version"], ["-p", project, "summary", "list"],
                 ["-p", str(tmp_path / "none.db"), "status"]):
        assert _answer(argv, whole_tree=False) == _answer(argv, whole_tree=True), argv


@pytest.mark.parametrize("variable, shown, default, chosen", [
    # one OpenBLAS thread: qualcode's arrays gained nothing from more
    ("OPENBLAS_NUM_THREADS", "import os\nprint(os.environ['OPENBLAS_NUM_THREADS'])",
     ("1",), ("2", "2")),
    # ordinary pages: huge ones made the kernel clear 2 MB for each fresh large array
    ("NUMPY_MADVISE_HUGEPAGE",
     "import numpy\nprint(numpy._core.multiarray._get_madvise_hugepage())",
     ("False",), ("1", "True")),
])
def test_numpy_settings_have_qualcodes_default_unless_the_user_says_otherwise(
        variable, shown, default, chosen):
    """A command sets numpy's environment before numpy loads; a user's own setting is
    kept."""
    probe = ("import sys\nfrom qualcode.cli import main\nsys.argv = ['qualcode', '--version']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n" + shown)
    env = {k: v for k, v in os.environ.items() if k != variable}
    for given, expected in ((None, *default), chosen):
        run_env = env if given is None else {**env, variable: given}
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             cwd=ROOT, env=run_env, check=True).stdout
        assert out.splitlines()[-1] == expected


def test_a_coding_import_writes_without_the_orm(example, tmp_path):
    """100 000 codings go in as plain rows: the import never loads SQLModel."""
    example.close()
    sheet = tmp_path / "ny.csv"
    sheet.write_text("transcript,turns,code,coder\nnordvik_rektor,3,KOM,dag\n",
                     encoding="utf-8")
    out, loaded = _run_and_list_imports(
        ["-p", str(example.path), "coding", "import", str(sheet)], ("sqlmodel", "sqlalchemy"))
    assert loaded == []
    assert "Imported 1 codings (dag 1)." in out


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "qualcode", "--version"], capture_output=True,
                         text=True, cwd=ROOT, check=True).stdout
    assert out.startswith("qualcode ")


def _all_commands():
    from typer.main import get_command

    from qualcode.cli import app

    root = get_command(app)
    stack = [((), root)]
    while stack:
        path, cmd = stack.pop()
        subs = getattr(cmd, "commands", None)
        if subs:
            stack.extend(((*path, name), sub) for name, sub in subs.items())
        else:
            yield path, cmd


def test_every_command_is_documented():
    for path, cmd in _all_commands():
        assert (cmd.help or "").strip(), f"qualcode {' '.join(path)} has no help text"
        for param in cmd.params:
            if param.name not in ("ctx",) and hasattr(param, "help"):
                assert param.help, f"qualcode {' '.join(path)} {param.name} has no help"
