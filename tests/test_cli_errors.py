"""Every error at the command line is one line on stderr that starts with `error:`, with
exit status 1, and leaves the project as it was; no credential is ever shown."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from qualcode.store.postgres import database_name, redact, redact_text
from tests.conftest import CODEBOOK, EXAMPLE, ROOT, build_example

# --- credentials ---------------------------------------------------------------------

@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://kari:hemmelig@db.nordvik.no/studie",
     "postgresql://kari:***@db.nordvik.no/studie"),
    ("postgresql://:hemmelig@db.nordvik.no/studie", "postgresql://:***@db.nordvik.no/studie"),
    ("postgresql://kari:hem@lig@db.nordvik.no:5433/studie",
     "postgresql://kari:***@db.nordvik.no:5433/studie"),
    ("postgres://kari:hem/lig@db.nordvik.no/studie", "postgres://kari:***@db.nordvik.no/studie"),
    ("postgresql://kari@db.nordvik.no/studie?password=hemmelig&sslmode=require",
     "postgresql://kari@db.nordvik.no/studie?password=***&sslmode=require"),
    ("postgresql://kari@db.nordvik.no/studie?sslmode=require&PASSWORD=hemmelig",
     "postgresql://kari@db.nordvik.no/studie?sslmode=require&PASSWORD=***"),
    ("postgresql://kari:a@db.nordvik.no/studie?password=hem@lig/x",
     "postgresql://kari:***@db.nordvik.no/studie?password=***"),
    ("postgresql+psycopg://db.nordvik.no/studie", "postgresql+psycopg://db.nordvik.no/studie"),
    ("host=db.nordvik.no password=hemmelig dbname=studie",
     "host=db.nordvik.no password=*** dbname=studie"),
    ("host=db.nordvik.no password = 'hem lig' dbname=studie",
     "host=db.nordvik.no password = *** dbname=studie"),
])
def test_redact_masks_every_form_of_password(url, shown):
    assert redact(url) == shown
    assert "hemmelig" not in redact(url) and "lig" not in redact(url)


def test_redact_text_masks_urls_inside_a_message():
    message = ("cannot connect to postgresql://ola:hemmelig@db/studie?password=hemmelig2 "
               "(host=db password=hemmelig3)")
    masked = redact_text(message)
    assert "hemmelig" not in masked and masked.startswith("cannot connect to postgresql://ola:")


def test_a_connection_string_is_refused_rather_than_made_a_file(cli, tmp_path):
    target = "host=db.nordvik.no dbname=studie password=hemmelig"
    for command in ("init", "status"):
        line = _one_error_line(cli(command, project=Path(target)))
        assert "hemmelig" not in line and "postgresql://" in line
    assert list(tmp_path.iterdir()) == []


def test_the_database_name_never_holds_a_password_from_the_query():
    assert database_name("postgresql://kari@db/studie?password=hem/melig") == "studie"
    assert database_name("postgresql://kari:hem/lig@db/studie") == "studie"


# --- one line, status 1, project unchanged ---------------------------------------------

T = "nordvik_rektor"
CODE = "LED.forankring_eier"


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "studie.db"
    build_example(path).close()
    return path


def _content(path: Path) -> list[str]:
    """Every row of every table (the write-ahead log included), to show nothing changed."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return list(db.iterdump())


def _one_error_line(result) -> str:
    code, out, err = result
    assert code == 1, (code, out, err)
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("error: ") and len(err.strip()) > len("error:"), err
    assert "Traceback" not in err and "Usage:" not in err
    return err.strip()


def _refused(cli, project: Path, *args: str) -> str:
    before = _content(project)
    line = _one_error_line(cli(*args, project=project))
    assert _content(project) == before
    return line


def _a_coding(cli, project: Path) -> int:
    code, out, err = cli("coding", "list", "-f", "json", "-t", T, project=project)
    assert code == 0, err
    return json.loads(out)[0]["id"]


@pytest.mark.parametrize(("args", "command"), [
    (["coding", "add", T, "-k", CODE, "-c", "kari", "--turns", "5-2"], "coding add"),
    (["coding", "add", T, "-k", CODE, "-c", "kari", "--turns", "abc"], "coding add"),
    (["coding", "add", T, "-k", CODE, "-c", "kari", "--chars", "500-100"], "coding add"),
    (["coding", "add", T, "-k", CODE, "-c", "kari"], "coding add"),
    (["coding", "add", T, "-k", CODE, "-c", "kari", "--turns", "2", "--chars", "1-5"],
     "coding add"),
    (["coding", "memo", "-1", "x"], "coding memo"),
    (["agreement", "--overlap", "7"], "agreement"),
    (["export", "report", "rapport.pdf"], "export report"),
    (["coding", "add", T, "-k", CODE, "--turns", "2"], "coding add"),
    (["reconcile", "--coders", "anna,bjorn"], "reconcile"),
    (["status", "--bogus"], "status"),
    (["--bogus"], ""),
    (["transkripsjoner"], ""),
    (["coding", "memo"], "coding memo"),
    (["agreement", "--seed", "abc"], "agreement"),
    (["codes", "rename", "LED"], "codes rename"),
    (["codebook", "load"], "codebook load"),
    (["export", "matrix"], "export matrix"),
    (["suggest", "accept", "--bogus"], "suggest accept"),
])
def test_usage_errors_are_one_line_with_a_pointer_to_help(cli, project, args, command):
    line = _refused(cli, project, *args)
    assert line.endswith(f"see `{' '.join(['qualcode', command]).strip()} --help`"), line


@pytest.mark.parametrize("args", [[], ["--help"], ["coding"], ["coding", "--help"],
                                  ["export"], ["codes"], ["codebook"], ["suggest", "--help"]])
def test_help_and_a_bare_group_are_no_error(cli, project, args):
    code, out, err = cli(*args, project=project)
    assert code == 0 and "Usage:" in out and err == ""


@pytest.mark.parametrize(("args", "message"), [
    (["coding", "remove", "99999999999999999999999999"], "no coding #99999999999999999999999999"),
    (["coding", "remove", str(2 ** 63)], f"no coding #{2 ** 63}"),
    (["coding", "remove", "0"], "no coding #0"),
    (["coding", "memo", str(2 ** 64), "notat"], f"no coding #{2 ** 64}"),
    (["coding", "trim", str(2 ** 70), "--turns", "2"], f"no coding #{2 ** 70}"),
    (["coding", "remove", "²"], "'²' is not a valid id"),
    (["coding", "remove", "١٢"], "'١٢' is not a valid id"),
    (["suggest", "accept", str(2 ** 64), "-c", "anna"], str(2 ** 64)),
    (["show", str(2 ** 64)], f"no transcript named '{2 ** 64}'"),
    (["show", "²"], "no transcript named '²'"),
    (["coding", "add", T, "-k", CODE, "-c", "kari", "--sentences", f"{2 ** 64}:1-2"],
     f"has no turn {2 ** 64}"),
    (["coding", "add", T, "-k", CODE, "-c", "kari", "--sentences", "²:1-2"], "TURN:N-M"),
    (["coding", "add", T, "-k", CODE, "-c", "kari", "--turns", "1-²"], "is not N or N-M"),
    (["agreement", "--bootstrap", "99999999999999999999"], "to 100,000"),
    (["agreement", "--bootstrap", "100001"], "to 100,000, not 100,001"),
    (["agreement", "--bootstrap", "-5"], "to 100,000, not -5"),
    (["agreement", "--overlap", "0", "--unit", "segment"], "--overlap"),
    (["agreement", "--overlap", "nan", "--unit", "segment"], "--overlap"),
    (["agreement", "--min-share", "1.5", "--unit", "turn"], "--min-share"),
    (["agreement", "--min-share", "-0.1", "--unit", "turn"], "--min-share"),
])
def test_numbers_out_of_range_are_one_line(cli, project, args, message):
    if "--sentences" in args:  # sentence boundaries are found once, on first use
        assert cli("show", T, "--sentences", project=project)[0] == 0
    assert message in _refused(cli, project, *args)


@pytest.mark.parametrize("args", [
    ["coding", "add", T, "-k", CODE, "-c", "", "--turns", "2"],
    ["coding", "add", T, "-k", CODE, "-c", "   ", "--turns", "2"],
    ["coding", "add", T, "-k", CODE, "-c", "ka\x00ri", "--turns", "2"],
    ["coding", "add", T, "-k", CODE, "-c", "ka\nri", "--turns", "2"],
    ["coding", "list", "-c", ""],
    ["coding", "undo", "-c", " "],
    ["coding", "remove", "1", "-c", ""],
    ["quotes", CODE, "-c", ""],
    ["matrix", "--coder", ""],
    ["agreement", "--coders", "anna,"],
    ["agreement", "--coders", "anna, ,bjorn"],
    ["reconcile", "--coders", "anna,bjorn", "--consensus", " ", "--auto", "union"],
    ["suggest", "run", T, "-c", ""],
])
def test_an_empty_coder_name_is_refused_everywhere(cli, project, args):
    assert "coder name" in _refused(cli, project, *args)


def test_a_coder_name_is_trimmed_as_coding_files_are(cli, project):
    code, out, err = cli("coding", "add", T, "-k", CODE, "-c", "  kari ", "--turns", "2",
                         project=project)
    assert code == 0, err
    code, out, err = cli("coding", "list", "-c", "kari", "-f", "json", project=project)
    assert [r["coder"] for r in json.loads(out)] == ["kari"]


@pytest.mark.parametrize("memo", ["før\x00etter", "farge\x1b[31m", "bjelle\x07"])
def test_a_memo_with_control_characters_is_refused(cli, project, memo):
    coding = _a_coding(cli, project)
    line = _refused(cli, project, "coding", "memo", str(coding), memo)
    assert "a memo cannot hold the control character" in line and "\x1b" not in line
    line = _refused(cli, project, "coding", "add", T, "-k", CODE, "-c", "kari", "--turns",
                    "3", "-m", memo)
    assert "a memo cannot hold" in line


def test_a_memo_keeps_tabs_and_line_breaks(cli, project):
    coding = _a_coding(cli, project)
    code, out, err = cli("coding", "memo", str(coding), "første linje\r\nandre\tlinje",
                         project=project)
    assert code == 0, err
    code, out, err = cli("coding", "list", "-f", "json", "-t", T, project=project)
    memo = next(r for r in json.loads(out) if r["id"] == coding).get("memo")
    assert memo in (None, "første linje\nandre\tlinje")  # the listing may leave memos out
    with contextlib.closing(sqlite3.connect(project)) as db:
        stored = db.execute("SELECT memo FROM coding WHERE pk = ?", (coding,)).fetchone()[0]
    assert stored == "første linje\nandre\tlinje"


def test_a_nul_in_a_coding_files_memo_is_removed_and_said(cli, project, tmp_path):
    """Files follow the import rule for control characters (removed, with a warning that
    names the file); a memo typed at the command line is refused instead (above)."""
    sheet = tmp_path / "koder.csv"
    sheet.write_text("transcript,turns,code,coder,memo\n"
                     f"{T},2,{CODE},kari,greit\n"
                     f"{T},3,{CODE},kari,ikke\x00greit\n", encoding="utf-8")
    code, _, err = cli("coding", "import", str(sheet), project=project)
    assert code == 0
    assert "koder.csv: 1 control character(s)" in err and "were removed" in err
    code, out, _ = cli("coding", "list", "-c", "kari", "-f", "json", project=project)
    assert sorted(r["memo"] for r in json.loads(out)) == ["greit", "ikkegreit"]


# --- paths and names that are not plain --------------------------------------------------

def test_a_project_in_a_folder_with_brackets_is_shown_as_it_is(cli, tmp_path):
    folder = tmp_path / "studie [final]"
    folder.mkdir()
    project = folder / "p [2].db"
    code, out, err = cli("init", project=project)
    assert code == 0, err
    assert "studie [final]/p [2].db" in out.replace("\n", "")
    code, out, err = cli("status", project=project)
    assert code == 0 and "studie [final]/p [2].db" in out, (out, err)
    transcript = folder / "nordvik [1].txt"
    transcript.write_text("Rektor: Vi har [elevene] i fokus.\nI: Ja.\n", encoding="utf-8")
    code, out, err = cli("import", str(transcript), project=project)
    assert code == 0, err
    code, out, err = cli("transcripts", project=project)
    assert "nordvik [1]" in out
    code, out, err = cli("show", "nordvik [1]", project=project)
    assert "[elevene]" in out
    line = _refused(cli, project, "import", str(folder / "mangler [x].txt"))
    assert "mangler [x].txt" in line


def test_a_file_name_with_a_newline_cannot_split_the_error_line(cli, project, tmp_path):
    empty = tmp_path / "ola\nnordmann [x].txt"
    empty.write_text("", encoding="utf-8")
    line = _refused(cli, project, "import", str(empty))
    assert "ola\\nnordmann [x].txt" in line


def test_a_broken_file_in_a_large_batch_gives_one_line(cli, project, tmp_path):
    batch = tmp_path / "runde2"
    batch.mkdir()
    for name in ("kari", "ola", "per", "lise", "nils"):
        (batch / f"vestbo_{name}.txt").write_text(f"Rektor: Jeg heter {name}.\nI: Takk.\n",
                                                  encoding="utf-8")
    (batch / "vestbo_odelagt.docx").write_bytes(b"ikke en docx")
    line = _refused(cli, project, "import", str(batch))
    assert "vestbo_odelagt.docx" in line


# --- database errors: the driver's words, never the statement or its parameters -----------

def test_a_database_error_shows_neither_the_sql_nor_the_memo(cli, project):
    coding = _a_coding(cli, project)
    with contextlib.closing(sqlite3.connect(project)) as db:
        db.execute("CREATE TRIGGER full_disk BEFORE UPDATE ON coding "
                   "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        db.commit()
    line = _refused(cli, project, "coding", "memo", str(coding), "Kari sa noe fortrolig")
    assert "database or disk is full" in line
    assert "fortrolig" not in line and "UPDATE" not in line and "[SQL" not in line


def test_the_database_message_is_looked_up_without_importing_drivers():
    code = ("import sys; from qualcode.cli.common import database_message; "
            "database_message(ValueError('x')); "
            "print(sorted(m for m in ('sqlalchemy', 'psycopg') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


# --- PostgreSQL: the password in every form, never shown -----------------------------------

@pytest.fixture
def pg():
    """(database URL with the password in its user part, user, password, host and port,
    database name) of a new, empty database; skipped without a test server."""
    pytest.importorskip("psycopg")
    from tests.test_postgres import _database, server_url

    server = server_url()
    parts = urlsplit(server)
    if not parts.password:
        pytest.skip("the test server's URL carries no password to look for")
    with _database(server) as url:
        yield url, parts, urlsplit(url).path.lstrip("/")


def _forms(parts, database: str, password: str) -> dict[str, str]:
    host = f"{parts.hostname}:{parts.port or 5432}"
    return {
        "user part": f"postgresql://{parts.username}:{quote(password, safe='')}@{host}/"
                     f"{database}",
        "query": f"postgresql://{parts.username}@{host}/{database}?password="
                 f"{quote(password, safe='')}&connect_timeout=5",
        "both": f"postgres://{parts.username}:{quote(password, safe='')}@{host}/{database}"
                f"?sslmode=prefer&password={quote(password, safe='')}",
    }


@pytest.mark.parametrize("form", ["user part", "query", "both"])
def test_a_postgres_password_is_never_shown(pg, cli, tmp_path, form):
    _url, parts, database = pg
    secret = parts.password
    url = _forms(parts, database, secret)[form]
    said = []

    def run(*args, expect=0):
        code, out, err = cli(*args, project=url)
        said.append(out + err)
        assert code == expect, (args, out, err)
        return out, err

    out, _ = run("init")
    assert "***" in out
    run("codebook", "load", str(CODEBOOK))
    run("attributes", "import", str(EXAMPLE / "attributes.yaml"))
    run("import", str(EXAMPLE / "nordvik_rektor.txt"))
    out, _ = run("status")
    assert "***" in out
    out, _ = run("status", "-f", "json")
    assert "***" in json.loads(out)["project"]
    run("status", "-f", "csv")
    _, err = run("init", expect=1)
    assert "already holds a qualcode project" in err and err.count("\n") == 1
    for args in (["coding", "remove", str(2 ** 31)], ["show", str(2 ** 31)],
                 ["coding", "memo", str(2 ** 40), "notat"]):
        _, err = run(*args, expect=1)
        assert err.startswith("error: no ") and err.count("\n") == 1, err
    archive = tmp_path / "arkiv.db"
    run("copy", str(archive))
    qdpx = tmp_path / "studie.qdpx"
    run("export", "qdpx", str(qdpx))
    for text in said:
        assert secret not in text, text
    with contextlib.closing(sqlite3.connect(archive)) as db:
        assert not any(secret in line for line in db.iterdump())
    with zipfile.ZipFile(qdpx) as z:
        for name in z.namelist():
            assert secret.encode() not in z.read(name), name


def test_a_wrong_postgres_password_is_one_line_without_it(pg, cli):
    _url, parts, database = pg
    for form, url in _forms(parts, database, "feil-h@m/melig").items():
        code, out, err = cli("status", project=url)
        assert code == 1 and err.startswith("error: ") and err.count("\n") == 1, (form, err)
        assert "feil" not in err and "melig" not in err, (form, err)
    nameless = f"postgresql://:{quote(parts.password, safe='')}@{parts.hostname}:" \
               f"{parts.port or 5432}/{database}"
    code, out, err = cli("status", project=nameless)
    assert code == 1 and err.count("\n") == 1 and parts.password not in err, err


def test_a_nul_in_a_memo_is_refused_on_postgres_as_on_sqlite(pg, cli):
    url, _parts, _database = pg
    assert cli("init", project=url)[0] == 0
    assert cli("codebook", "load", str(CODEBOOK), project=url)[0] == 0
    assert cli("attributes", "import", str(EXAMPLE / "attributes.yaml"), project=url)[0] == 0
    assert cli("import", str(EXAMPLE / "nordvik_rektor.txt"), project=url)[0] == 0
    code, out, err = cli("coding", "add", T, "-k", CODE, "-c", "kari", "--turns", "2",
                         project=url)
    assert code == 0, err
    coding = out.split("#", 1)[1].split(":", 1)[0]
    code, out, err = cli("coding", "memo", coding, "før\x00etter", project=url)
    assert code == 1 and err.count("\n") == 1 and "control character \\x00" in err, err
    code, out, err = cli("coding", "list", "-f", "json", project=url)
    assert [r.get("memo") for r in json.loads(out)] in ([None], [])


def test_the_workbench_shows_a_memo_with_brackets_as_written(example):
    """A memo is user text in the workbench too: not read as markup."""
    from qualcode.cli import workbench
    from qualcode.services.coding_ops import add_coding, set_memo
    from tests.test_workbench import free_turn, go_to, run

    turn = free_turn(example)
    added = add_coding(example, T, CODE, "anna", turn["start"], turn["end"])
    set_memo(example, added.pk, "[bold]viktig[/] for [elevene]", coder="anna")
    app = workbench.create_app(example, T, "anna")
    titles = []

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await pilot.press("m")
        await pilot.pause()
        assert type(app.screen).__name__ == "MemoScreen"
        titles.append(str(app.screen.query_one("#dialog-title").render()))

    run(app, steps)
    assert "[bold]viktig[/] for [elevene]" in titles[0]
