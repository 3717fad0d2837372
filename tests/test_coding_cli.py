"""Scripted coding from the command line, and two coders writing at once."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import CODEBOOK, EXAMPLE, ROOT, build_example


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "study.db"
    build_example(path).close()
    return path


def _codings(cli, project, *args):
    code, out, err = cli("coding", "list", "-f", "json", *args, project=project)
    assert code == 0, err
    return json.loads(out)


def test_add_by_turns_with_parallel_codes(cli, project):
    code, out, err = cli("coding", "add", "nordvik_rektor", "--turns", "4-6", "-k",
                         "LED.forankring_eier", "-k", "RAM.ressurser_knappe", "-c", "cecilie",
                         "-m", "to koder på samme svar", project=project)
    assert code == 0, err
    rows = _codings(cli, project, "-c", "cecilie")
    assert [(r["code"], r["turns"], r["memo"]) for r in rows] == [
        ("LED.forankring_eier", "4-6", "to koder på samme svar"),
        ("RAM.ressurser_knappe", "4-6", "to koder på samme svar")]
    turns = json.loads(cli("show", "nordvik_rektor", "-f", "json", project=project)[1])
    assert rows[0]["start"] == turns[3]["start"] and rows[0]["end"] == turns[5]["end"]


def test_adding_an_overlapping_span_extends_instead_of_duplicating(cli, project):
    for turns in ("4-5", "5-7"):
        assert cli("coding", "add", "nordvik_rektor", "-t", turns, "-k", "UTB.frafall",
                   "-c", "cecilie", project=project)[0] == 0
    rows = _codings(cli, project, "-c", "cecilie")
    assert len(rows) == 1 and rows[0]["turns"] == "4-7"


def test_add_by_chars_and_sentences(cli, project):
    assert cli("coding", "add", "vestbo_laerere", "--chars", "100-180", "-k", "KOM",
               "-c", "cecilie", project=project)[0] == 0
    shown = json.loads(cli("show", "vestbo_laerere", "--sentences", "-f", "json",
                           project=project)[1])
    turn = next(t for t in shown if len(t["sentences"]) >= 3)
    code, _, err = cli("coding", "add", "vestbo_laerere", "--sentences",
                       f"{turn['index']}:2-3", "-k", "TIL.aktiviteter", "-c", "cecilie",
                       project=project)
    assert code == 0, err
    sentences = turn["sentences"]
    rows = {r["code"]: r for r in _codings(cli, project, "-c", "cecilie")}
    assert (rows["KOM"]["start"], rows["KOM"]["end"]) == (100, 180)
    assert rows["TIL.aktiviteter"]["start"] == sentences[1]["start"]
    assert rows["TIL.aktiviteter"]["end"] == sentences[2]["end"]


def test_remove_memo_and_undo(cli, project):
    cli("coding", "add", "nordvik_rektor", "-t", "4", "-k", "UTB.frafall", "-c", "cecilie",
        project=project)
    coding_id = _codings(cli, project, "-c", "cecilie")[0]["id"]
    assert cli("coding", "memo", str(coding_id), "viktig sitat", project=project)[0] == 0
    assert _codings(cli, project, "-c", "cecilie")[0]["memo"] == "viktig sitat"
    assert cli("coding", "remove", str(coding_id), project=project)[0] == 0
    assert _codings(cli, project, "-c", "cecilie") == []
    code, out, _ = cli("coding", "undo", "-c", "cecilie", project=project)
    assert code == 0 and "undid remove" in out
    restored = _codings(cli, project, "-c", "cecilie")
    assert [(r["id"], r["memo"]) for r in restored] == [(coding_id, "viktig sitat")]
    cli("coding", "undo", "-c", "cecilie", project=project)  # the memo
    assert _codings(cli, project, "-c", "cecilie")[0]["memo"] is None


def test_bad_input_is_one_line_and_writes_nothing(cli, project):
    before = len(_codings(cli, project))
    cases = [
        (("-t", "999", "-k", "LED"), "has turns 1-46, not 999-999"),
        (("-t", "2", "-k", "LED.nope"), "no code 'LED.nope'"),
        (("--chars", "10-5", "-k", "LED"), "runs backwards"),
    ]
    for args, message in cases:
        code, _, err = cli("coding", "add", "nordvik_rektor", *args, "-c", "cecilie",
                           project=project)
        assert code != 0 and message in err, err
        assert "Traceback" not in err
    code, _, err = cli("coding", "remove", "1", "-c", "cecilie", project=project)
    assert code == 1 and "belongs to" in err
    assert len(_codings(cli, project)) == before


def test_list_filters(cli, project):
    everything = _codings(cli, project)
    led = _codings(cli, project, "-k", "LED")
    assert led and all(r["code"].startswith("LED") for r in led)
    anna_rektor = _codings(cli, project, "-c", "anna", "-t", "nordvik_rektor")
    assert anna_rektor and {r["coder"] for r in anna_rektor} == {"anna"}
    assert len(everything) > len(led) > 0
    assert _codings(cli, project, "--origin", "manual") == []


_WRITER = """
import sys
from qualcode.services.project import open_project
from qualcode.services.coding_ops import add_coding
store = open_project(sys.argv[1])
coder, transcript = sys.argv[2], sys.argv[3]
for i in range(40):
    add_coding(store, transcript, "UTB.frafall", coder, i * 30, i * 30 + 10)
print("done")
"""


def test_two_processes_code_the_same_project_at_once(project):
    """Two coders, two processes, different transcripts of one project file: every write lands."""
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(project), coder, transcript],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for coder, transcript in (("cecilie", "nordvik_rektor"),
                                       ("dag", "vestbo_rektor"))]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "done"
    from qualcode.services.coding_ops import list_codings
    from qualcode.services.project import open_project

    store = open_project(project)
    assert len(list_codings(store, coder="cecilie")) == 40
    assert len(list_codings(store, coder="dag")) == 40
    store.close()


def test_codebook_and_example_paths_exist():
    assert CODEBOOK.exists() and (EXAMPLE / "attributes.yaml").exists()
