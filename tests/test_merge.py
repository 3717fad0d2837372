"""Two coders on two laptops: each codes a copy of the study, and the supervisor brings
both layers into one project. Transcripts are matched by their text, codes by id, coders
by name; a layer comes in whole or not at all, and merging twice changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qualcode.domain.errors import ConflictError, NotFoundError
from qualcode.domain.text import sha256_text
from qualcode.services.coding_ops import add_coding, list_codings, set_memo, turn_span
from qualcode.services.common import get_transcript
from qualcode.services.merge import merge_project
from qualcode.services.project import open_project


def _turn(store, transcript: str, n: int) -> tuple[int, int]:
    with store.read() as session:
        return turn_span(session, get_transcript(session, transcript), n, n)


@pytest.fixture
def laptops(example, tmp_path):
    """The example study copied to two laptops before coding starts."""
    example.close()
    copies = []
    for name in ("anna.db", "bjorn.db"):
        shutil.copy(example.path, tmp_path / name)
        copies.append(open_project(tmp_path / name))
    yield example, *copies
    for store in copies:
        store.close()


def _layer(store, coder: str) -> list[tuple]:
    return [(r["transcript"], r["code"], r["start"], r["end"], r["text"], r["memo"])
            for r in list_codings(store, coder=coder)]


def test_two_laptops_come_together_and_a_second_merge_changes_nothing(laptops):
    supervisor, anna, bjorn = (open_project(laptops[0].path), *laptops[1:])
    pk = add_coding(anna, "nordvik_rektor", "LED", "ny_anna",
                    *_turn(anna, "nordvik_rektor", 2)).pk
    set_memo(anna, pk, "rektor forankrer arbeidet", coder="ny_anna")
    add_coding(bjorn, "vestbo_rektor", "KOM", "ny_bjorn", *_turn(bjorn, "vestbo_rektor", 3))
    first = merge_project(supervisor, anna)
    second = merge_project(supervisor, bjorn)
    assert first.added == {"ny_anna": 1} and second.added == {"ny_bjorn": 1}
    assert _layer(supervisor, "ny_anna") == _layer(anna, "ny_anna")
    assert _layer(supervisor, "ny_bjorn") == _layer(bjorn, "ny_bjorn")
    assert _layer(supervisor, "ny_anna")[0][5] == "rektor forankrer arbeidet"
    before = len(list_codings(supervisor))
    again = merge_project(supervisor, anna)
    assert not again.changed and "ny_anna" in again.unchanged
    assert len(list_codings(supervisor)) == before
    supervisor.close()


def test_a_coder_with_other_codings_here_is_refused_unless_replaced(laptops):
    supervisor, anna, _ = laptops
    supervisor = open_project(supervisor.path)
    add_coding(anna, "nordvik_rektor", "LED", "anna", *_turn(anna, "nordvik_rektor", 2))
    before = list_codings(supervisor)
    with pytest.raises(ConflictError, match=r"coders with other codings here.*anna"):
        merge_project(supervisor, anna)
    assert list_codings(supervisor) == before  # nothing was merged
    with pytest.raises(NotFoundError, match="no codings by nobody"):
        merge_project(supervisor, anna, only_coders=["nobody"])
    report = merge_project(supervisor, anna, only_coders=["anna"], replace_coders=["anna"])
    assert report.replaced["anna"] == len([r for r in before if r["coder"] == "anna"])
    assert _layer(supervisor, "anna") == _layer(anna, "anna")
    assert _layer(supervisor, "bjorn") == [  # the other coder's layer is untouched
        (r["transcript"], r["code"], r["start"], r["end"], r["text"], r["memo"])
        for r in before if r["coder"] == "bjorn"]
    supervisor.close()


def test_a_transcript_whose_text_differs_has_its_codings_carried_to_this_text(laptops):
    """Anna added a sentence to a transcript in her copy: her codings after it move to where
    their text is here, and a coding of the sentence itself, not here, is left out."""
    supervisor, anna, _ = laptops
    supervisor = open_project(supervisor.path)
    added = " Det vil jeg legge til."
    with anna.write() as session:
        t = get_transcript(session, "vestbo_rektor")
        end = turn_span(session, t, 2, 2)[1]
        t.text = t.text[:end] + added + t.text[end:]
        t.text_sha256 = sha256_text(t.text)
        session.add(t)
    start, end_3 = _turn(supervisor, "vestbo_rektor", 3)
    shift = len(added)
    carried = add_coding(anna, "vestbo_rektor", "KOM", "ny_anna", start + shift,
                         end_3 + shift).pk
    add_coding(anna, "vestbo_rektor", "LED", "ny_anna", end + 1, end + shift)  # the sentence
    add_coding(anna, "nordvik_rektor", "KOM", "ny_anna", *_turn(anna, "nordvik_rektor", 3))
    report = merge_project(supervisor, anna, only_coders=["ny_anna"])
    assert report.transcripts_changed == ["vestbo_rektor"]
    assert report.reanchored == 1 and report.skipped_codings == 1
    assert report.added == {"ny_anna": 2}
    layer = {(r["transcript"], r["code"]): r for r in list_codings(supervisor, coder="ny_anna")}
    assert (layer["vestbo_rektor", "KOM"]["start"], layer["vestbo_rektor", "KOM"]["end"]) == (
        start, end_3)
    assert layer["vestbo_rektor", "KOM"]["text"] == [
        r for r in list_codings(anna, coder="ny_anna") if r["id"] == carried][0]["text"]
    with supervisor.read() as session:
        from sqlmodel import select

        from qualcode.store.models import AuditEvent
        events = [json.loads(e.after) for e in session.exec(
            select(AuditEvent).where(AuditEvent.action == "merge_add"))]
    assert [e["reanchored_from"]["start"] for e in events if "reanchored_from" in e] == [
        start + shift]
    again = merge_project(supervisor, anna, only_coders=["ny_anna"])
    assert not again.changed and again.unchanged == ["ny_anna"]
    supervisor.close()


def test_another_study_or_a_code_this_project_lacks_is_refused(laptops, store):
    supervisor, anna, _ = laptops
    supervisor = open_project(supervisor.path)
    add_coding(anna, "nordvik_rektor", "LED", "ny_anna", *_turn(anna, "nordvik_rektor", 2))
    with pytest.raises(ConflictError, match="shares no transcript"):
        merge_project(store, anna)
    with supervisor.write() as session:  # the supervisor's codebook lacks LED's child
        from sqlmodel import select

        from qualcode.store.models import Code, Coding
        code = session.exec(select(Code).where(Code.code_id == "UTB.frafall")).one()
        for coding in session.exec(select(Coding).where(Coding.code_pk == code.pk)):
            session.delete(coding)
        session.flush()
        session.delete(code)
    add_coding(anna, "nordvik_rektor", "UTB.frafall", "ny_anna",
               *_turn(anna, "nordvik_rektor", 4))
    with pytest.raises(ConflictError, match="uses codes this project does not have: "
                                            "UTB.frafall"):
        merge_project(supervisor, anna)
    supervisor.close()


def test_the_command_merges_and_says_what_it_did(laptops, cli):
    supervisor, anna, _ = laptops
    add_coding(anna, "nordvik_rektor", "LED", "ny_anna", *_turn(anna, "nordvik_rektor", 2))
    code, out, err = cli("merge", str(anna.path), project=supervisor.path)
    assert code == 0, err
    assert "ny_anna: 1 coding(s) merged in" in out
    code, out, _ = cli("merge", str(anna.path), project=supervisor.path)
    assert "Nothing to merge" in out
    code, _, err = cli("merge", str(anna.path), "--replace", project=supervisor.path)
    assert code == 1 and "name the coder(s)" in err


def test_a_coders_layer_leaves_as_csv_and_comes_back_exactly(example, tmp_path, cli, store):
    """`coding list -f csv` from one project is a coding file for another copy."""
    code, out, _ = cli("coding", "list", "-c", "anna", "-f", "csv", "--raw",
                       project=example.path)
    assert code == 0
    exported = tmp_path / "anna.csv"
    exported.write_text(out, encoding="utf-8")
    example.close()
    other = tmp_path / "copy.db"
    shutil.copy(example.path, other)
    copy = open_project(other)
    with copy.write() as session:  # the copy has no codings by anna yet
        from sqlmodel import delete, select

        from qualcode.store.models import Coder, Coding
        anna = session.exec(select(Coder).where(Coder.name == "anna")).one()
        session.exec(delete(Coding).where(Coding.coder_pk == anna.pk))
    copy.close()
    code, _, err = cli("coding", "import", str(exported), project=other)
    assert code == 0, err
    assert _layer(open_project(other), "anna") == _layer(open_project(example.path), "anna")


def test_coding_export_writes_what_coding_import_reads_back(example, tmp_path, cli):
    out = tmp_path / "anna.csv"
    code, said, err = cli("coding", "export", str(out), "--coder", "anna",
                          project=example.path)
    assert code == 0, err
    n = int(said.split()[1])
    layer = _layer(example, "anna")
    assert n == len(layer) > 0
    example.close()
    fresh = tmp_path / "fresh.db"
    shutil.copy(example.path, fresh)
    with open_project(fresh).write() as session:
        from sqlmodel import delete, select

        from qualcode.store.models import Coder, Coding
        anna = session.exec(select(Coder).where(Coder.name == "anna")).one()
        session.exec(delete(Coding).where(Coding.coder_pk == anna.pk))
    code, _, err = cli("coding", "import", str(out), project=fresh)
    assert code == 0, err
    assert _layer(open_project(fresh), "anna") == layer
    code, _, err = cli("coding", "export", str(out), "--coder", "nobody",
                       project=example.path)
    assert code == 1 and "no codings by 'nobody'" in err and "anna" in err


def test_every_merged_and_every_replaced_coding_is_in_the_log_with_its_times(laptops):
    """A merge writes its codings in one go, yet the log still names each of them, and a
    replaced layer can be read back whole from it; a coder's undo leaves the merge alone."""
    from qualcode.services.coding_ops import undo_last
    from qualcode.services.log import read_log

    supervisor, anna, _ = laptops
    supervisor = open_project(supervisor.path)
    theirs = add_coding(anna, "nordvik_rektor", "LED", "anna",
                        *_turn(anna, "nordvik_rektor", 2)).pk
    before = {r["id"]: r for r in list_codings(supervisor, coder="anna")}
    report = merge_project(supervisor, anna, only_coders=["anna"], replace_coders=["anna"])
    removed = read_log(supervisor, action="merge_remove", limit=None)
    assert sorted(int(e["key"]) for e in removed) == sorted(before)
    assert {(e["before"]["start"], e["before"]["end"], e["before"]["quote"])
            for e in removed} == {(r["start"], r["end"], r["text"]) for r in before.values()}
    added = read_log(supervisor, action="merge_add", limit=None)
    now_here = {r["id"]: r for r in list_codings(supervisor, coder="anna")}
    assert len(added) == report.added["anna"] == len(now_here) == len(before) + 1
    assert {int(e["key"]) for e in added} == set(now_here)
    assert all(e["after"]["coder"] == "anna" and e["after"]["merged_from"] == anna.location
               and e["batch"] == added[0]["batch"] for e in added)
    with anna.snapshot() as db, supervisor.snapshot() as here:
        # The codings keep the times they were made at on the laptop.
        sql = ('SELECT c.start, c."end", c.created_at, c.updated_at FROM coding c '
               "JOIN coder o ON o.pk = c.coder_pk WHERE o.name = 'anna' ORDER BY 1, 2, 3")
        assert here.rows(sql) == db.rows(sql)
    assert undo_last(supervisor, "anna") is None  # nothing of anna's own to take back
    assert theirs in {r["id"] for r in list_codings(anna, coder="anna")}
    assert len(list_codings(supervisor, coder="anna")) == len(now_here)
    supervisor.close()


def test_a_recording_comes_along_when_this_copy_has_none_and_never_replaces_one(example,
                                                                                 tmp_path, cli):
    from qualcode.services import media
    from tests.test_media import make_wav

    example.close()
    (tmp_path / "anna" / "opptak").mkdir(parents=True)
    shutil.copy(example.path, tmp_path / "anna" / "anna.db")
    anna = open_project(tmp_path / "anna" / "anna.db")
    supervisor = open_project(example.path)
    try:
        folder = tmp_path / "anna" / "opptak"
        media.attach(anna, "nordvik_rektor", make_wav(folder / "nordvik_rektor.wav", 1.0))
        media.attach(anna, "vestbo_rektor", make_wav(folder / "vestbo_rektor.wav", 1.0))
        gone = make_wav(folder / "nordvik_radgiver.wav", 1.0)
        media.attach(anna, "nordvik_radgiver", gone)
        gone.unlink()
        mine = media.attach(supervisor, "vestbo_rektor",
                            make_wav(tmp_path / "vestbo_egen.wav", 2.0))
        before = {r["transcript"]: r["recording"] for r in media.recordings(supervisor)}
        supervisor.close()
        code, out, err = cli("merge", str(anna.path), project=example.path)
        assert code == 0, err
        supervisor = open_project(example.path)
        now = {r["transcript"]: (r["recording"], r["state"])
               for r in media.recordings(supervisor, verify=True)}
        assert now["nordvik_rektor"] == (
            str(Path("anna", "opptak", "nordvik_rektor.wav")), "ok")
        assert now["vestbo_rektor"] == (before["vestbo_rektor"], "ok") == (mine["path"], "ok")
        assert "nordvik_radgiver" not in now
        assert "recording attached (left where it is): nordvik_rektor: " in out
        assert "recording not attached: nordvik_radgiver: " in out and "not found" in out
        again = merge_project(supervisor, anna)
        assert not again.recordings and not again.changed
    finally:
        anna.close()
        supervisor.close()
