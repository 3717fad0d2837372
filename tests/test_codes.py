"""Code maintenance keeps every coding, and the codebook file follows the project."""

from __future__ import annotations

import pytest

from qualcode.codebook import load_codebook
from qualcode.domain.errors import ConflictError
from qualcode.services import code_maintenance as cm
from qualcode.services import codings, ingest
from qualcode.services.codebooks import code_tree, diff_with_file, load_into_project
from qualcode.services.coding_ops import add_coding, list_codings, undo_last
from tests.conftest import write

BOOK = """# Kodebok for testing — this comment must survive edits
codebook: t
version: 1
codes:
  - id: LED
    label: Ledelse
    description: Ledelse.
    children:
      - id: LED.eier
        label: Forankring hos eier   # inline comment
        description: Eier.
      - id: LED.tillit
        label: Tillit
        description: Tillit til rådgiver.
  - id: RAM
    label: Rammer
    description: Rammer.
    children:
      - id: RAM.tid
        label: Tid
        description: Tid og ressurser.
"""
TEXT = ("Intervjuer: Hvem leder?\nRektor: Det er kommunen.\nIntervjuer: Og tiden?\n"
        "Rektor: Den er knapp.\n")


@pytest.fixture
def project(store, tmp_path):
    book = write(tmp_path / "book.yaml", BOOK)
    load_into_project(store, book)
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "rektor.txt", TEXT)
    ingest.import_transcripts(store, [folder])
    write(tmp_path / "c.csv", "transcript,turns,code,coder\nrektor,2,LED.eier,anna\n"
          "rektor,2,LED.tillit,anna\nrektor,2-3,LED.tillit,bjorn\nrektor,4,RAM.tid,anna\n")
    codings.import_codings(store, [tmp_path / "c.csv"])
    return store, book


def _codes_of(store, coder=None):
    return sorted((r["code"], r["coder"], r["turns"]) for r in list_codings(store, coder=coder))


def test_rename_moves_codings_and_edits_the_file_keeping_comments(project):
    store, book = project
    result = cm.rename_code(store, "LED.eier", "LED.forankring_eier")
    assert result.file == str(book.resolve())
    assert ("LED.forankring_eier", "anna", "2") in _codes_of(store)
    text = book.read_text()
    assert "# Kodebok for testing" in text and "# inline comment" in text
    assert "id: LED.forankring_eier" in text and "was: LED.eier" in text
    assert "version: 2" in text
    assert diff_with_file(store, book).is_noop  # file and project agree again
    assert load_codebook(book).by_id()["LED.forankring_eier"].parent == "LED"


def test_merge_unites_overlapping_spans_of_one_coder(project):
    store, book = project
    result = cm.merge_codes(store, ["LED.eier", "LED.tillit"], "LED.tillit")
    assert result.merged_spans == 1  # anna had both codes on turn 2: now one coding
    assert _codes_of(store) == [("LED.tillit", "anna", "2"), ("LED.tillit", "bjorn", "2-3"),
                                ("RAM.tid", "anna", "4")]
    text = book.read_text()
    assert "id: LED.eier" not in text and "was: LED.eier" in text
    assert diff_with_file(store, book).is_noop


def test_move_and_archive_follow_into_the_file(project):
    store, book = project
    cm.move_code(store, "RAM.tid", "LED")
    cm.archive_code(store, "LED.tillit")
    nodes = {n.id: n for n in code_tree(store)}
    assert nodes["RAM.tid"].parent == "LED" and nodes["LED.tillit"].archived
    assert nodes["LED"].codings_with_descendants == 4  # archived codes still count
    parsed = load_codebook(book).by_id()
    assert parsed["RAM.tid"].parent == "LED" and parsed["LED.tillit"].archived
    assert diff_with_file(store, book).is_noop
    with pytest.raises(ConflictError, match="archived"):
        add_coding(store, "rektor", "LED.tillit", "anna", 0, 5)


def test_moving_a_code_under_its_own_descendant_is_refused(project):
    store, _ = project
    with pytest.raises(ConflictError, match="own descendant"):
        cm.move_code(store, "LED", "LED.eier")


def test_rename_onto_an_existing_code_is_refused(project):
    store, _ = project
    with pytest.raises(ConflictError, match="already exists"):
        cm.rename_code(store, "LED.eier", "LED.tillit")


def test_an_edited_file_is_left_alone_and_reported(project):
    store, book = project
    book.write_text(BOOK.replace("label: Tid", "label: Tid og tidstyver"))
    result = cm.rename_code(store, "RAM.tid", "RAM.tidsbruk")
    assert result.file is None and "codebook diff" in result.file_note
    assert "RAM.tidsbruk" not in book.read_text()
    plan = diff_with_file(store, book)
    assert [c.id for c in plan.blocked] == ["RAM.tidsbruk"]  # its codings would be orphaned
    assert plan.added == ["RAM.tid"]


def test_undo_after_an_extending_add_restores_the_original_span(project):
    store, _ = project
    before = _codes_of(store, "anna")
    turn4 = TEXT.index("Den er knapp.")
    result = add_coding(store, "rektor", "RAM.tid", "anna", turn4 - 40, turn4 + 5)
    assert result.merged
    undo_last(store, "anna")
    assert _codes_of(store, "anna") == before
