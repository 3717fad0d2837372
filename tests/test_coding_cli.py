"""Scripted coding from the command line and the coding services behind it, and two coders
writing at once."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qualcode.domain.errors import ConflictError, InputFileError
from qualcode.services.coding_ops import add_coding, list_codings, trim_coding, undo_last
from qualcode.services.common import coding_row
from qualcode.services.queries import transcript_turns
from qualcode.store.models import Coding, Transcript
from tests.conftest import CODEBOOK, EXAMPLE, ROOT, build_example

T = "nordvik_rektor"


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
    code, _, err = cli("coding", "remove", str(coding_id), project=project)
    assert code == 1 and f"coding #{coding_id} is cecilie's" in err and "--coder cecilie" in err
    assert cli("coding", "remove", str(coding_id), "-c", "cecilie", project=project)[0] == 0
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


# --------------------------------------------------------------------------- trimming


def _turn(store, index: int) -> dict:
    return transcript_turns(store, T)["turns"][index - 1]


def _turns_4_to_6(store, memo: str | None = "forankring\npå papiret") -> int:
    """cecilie's coding of turns 4-6 (rektor, intervjuer, rektor); its id."""
    return add_coding(store, T, "UTB.frafall", "cecilie", _turn(store, 4)["start"],
                      _turn(store, 6)["end"], memo=memo).pk


def test_trimming_the_whole_coding_removes_it(example):
    pk = _turns_4_to_6(example)
    # A cut a little wider than the coding still takes all of it.
    result = trim_coding(example, pk, _turn(example, 4)["start"] - 5,
                         _turn(example, 6)["end"], coder="cecilie")
    assert result.left == () and result.code == "UTB.frafall"
    assert list_codings(example, coder="cecilie") == []


def test_trimming_the_first_turn_shrinks_the_coding_from_the_left(example):
    pk = _turns_4_to_6(example)
    four, five, six = (_turn(example, i) for i in (4, 5, 6))
    result = trim_coding(example, pk, four["start"], four["end"], coder="cecilie")
    # What is left starts at turn 5 itself, not at its speaker label.
    assert result.left == ((pk, five["start"], six["end"]),)
    [row] = list_codings(example, coder="cecilie")
    assert (row["id"], row["turns"], row["start"], row["end"]) == (
        pk, "5-6", five["start"], six["end"])
    assert row["text"].startswith(five["text"]) and row["text"].endswith(six["text"])


def test_trimming_the_last_turn_shrinks_the_coding_from_the_right(example):
    pk = _turns_4_to_6(example)
    four, five, six = (_turn(example, i) for i in (4, 5, 6))
    result = trim_coding(example, pk, six["start"], six["end"], coder="cecilie")
    assert result.left == ((pk, four["start"], five["end"]),)
    [row] = list_codings(example, coder="cecilie")
    assert (row["turns"], row["memo"]) == ("4-5", "forankring\npå papiret")
    assert row["text"].startswith(four["text"]) and row["text"].endswith(five["text"])


def test_trimming_the_middle_splits_the_coding_in_two(example):
    pk = _turns_4_to_6(example)
    four, five, six = (_turn(example, i) for i in (4, 5, 6))
    result = trim_coding(example, pk, five["start"], five["end"], coder="cecilie")
    assert [(s, e) for _, s, e in result.left] == [(four["start"], four["end"]),
                                                   (six["start"], six["end"])]
    assert result.left[0][0] == pk
    rows = list_codings(example, coder="cecilie")
    # Two codings as if turns 4 and 6 had been coded one by one: same code, origin, memo.
    assert [(r["turns"], r["code"], r["origin"], r["memo"], r["text"]) for r in rows] == [
        ("4", "UTB.frafall", "manual", "forankring\npå papiret", four["text"]),
        ("6", "UTB.frafall", "manual", "forankring\npå papiret", six["text"])]
    with example.read() as session:
        first, second = (session.get(Coding, r["id"]) for r in rows)
        transcript = session.get(Transcript, first.transcript_pk)
        assert first.text_sha256 == second.text_sha256 == transcript.text_sha256
        assert (second.coder_pk, second.code_pk) == (first.coder_pk, first.code_pk)
        assert second.created_at == first.created_at  # one coding act, cut in two


def test_a_cut_inside_a_turn_leaves_the_words_around_it(example):
    four = _turn(example, 4)
    pk = add_coding(example, T, "UTB.frafall", "cecilie", four["start"], four["end"]).pk
    text = four["text"]
    word = text.index("rektor")  # "Ja, jeg har vært rektor her på Nordvik …"
    start, end = four["start"] + word, four["start"] + word + len("rektor")
    result = trim_coding(example, pk, start, end, coder="cecilie")
    # The space on each side of the cut word goes with it.
    assert [(s, e) for _, s, e in result.left] == [(four["start"], start - 1),
                                                   (end + 1, four["end"])]
    left, right = list_codings(example, coder="cecilie")
    assert left["text"] == text[:word - 1] and right["text"] == text[word + len("rektor") + 1:]


def test_undo_after_a_split_restores_the_original_coding_exactly(example):
    pk = _turns_4_to_6(example)
    with example.read() as session:
        original = coding_row(session.get(Coding, pk))
    before = list_codings(example, coder="cecilie")
    five = _turn(example, 5)
    trim_coding(example, pk, five["start"], five["end"], coder="cecilie")
    assert len(list_codings(example, coder="cecilie")) == 2
    # One step takes back both halves: the shortened coding and the piece split off.
    assert undo_last(example, "cecilie") == (
        f"undid update of coding #{pk} and of 1 more coding in the same action")
    after = list_codings(example, coder="cecilie")
    assert [(r["id"], r["start"], r["end"], r["code"], r["coder"], r["memo"], r["text"])
            for r in after] == [(r["id"], r["start"], r["end"], r["code"], r["coder"],
                                 r["memo"], r["text"]) for r in before]
    with example.read() as session:
        assert coding_row(session.get(Coding, pk)) == original
    assert undo_last(example, "cecilie") == f"undid add of coding #{pk}"  # then the add


def test_a_cut_that_misses_the_coding_or_is_not_yours_is_refused(example):
    pk = _turns_4_to_6(example)
    before = list_codings(example, coder="cecilie")
    two = _turn(example, 2)
    with pytest.raises(InputFileError) as missed:
        trim_coding(example, pk, two["start"], two["end"], coder="cecilie")
    assert f"is outside coding #{pk} (UTB.frafall" in str(missed.value)
    assert "give a span that overlaps it" in str(missed.value)
    assert "\n" not in str(missed.value)
    five = _turn(example, 5)
    with pytest.raises(ConflictError, match="belongs to cecilie, not anna"):
        trim_coding(example, pk, five["start"], five["end"], coder="anna")
    assert list_codings(example, coder="cecilie") == before


def test_trim_from_the_command_line(cli, project):
    cli("coding", "add", "nordvik_rektor", "-t", "4-6", "-k", "UTB.frafall", "-c", "cecilie",
        project=project)
    coding_id = _codings(cli, project, "-c", "cecilie")[0]["id"]
    code, out, err = cli("coding", "trim", str(coding_id), "--turns", "5", "-c", "cecilie",
                         project=project)
    assert code == 0, err
    assert out.startswith(f"split coding #{coding_id} (UTB.frafall on nordvik_rektor) in two")
    assert len(out.strip().splitlines()) == 1
    rows = _codings(cli, project, "-c", "cecilie")
    assert [r["turns"] for r in rows] == ["4", "6"]
    # Sentences are numbered in the coding's own transcript.
    code, out, err = cli("coding", "trim", str(rows[1]["id"]), "--sentences", "6:1-1",
                         project=project)
    assert code == 0 and out.startswith(f"trimmed coding #{rows[1]['id']}"), err
    code, out, err = cli("coding", "trim", str(rows[0]["id"]), "--chars",
                         f"{rows[0]['start']}-{rows[0]['end']}", project=project)
    assert code == 0 and out.startswith(f"removed coding #{rows[0]['id']}"), err
    code, _, err = cli("coding", "trim", str(rows[1]["id"]), "--turns", "2", project=project)
    assert code == 1 and "is outside coding" in err and "Traceback" not in err
    code, _, err = cli("coding", "trim", str(rows[1]["id"]), "--turns", "6", "--chars", "1-2",
                       project=project)
    assert code != 0 and "exactly one of" in err
    code, out, _ = cli("coding", "undo", "-c", "cecilie", project=project)
    assert code == 0 and "undid remove" in out


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
