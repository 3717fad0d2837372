"""Loading codebooks into a project: renames, merges, archives, and never losing codings."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from qualcode.domain.errors import CodebookError
from qualcode.services import codings, ingest
from qualcode.services.codebooks import code_tree, load_into_project
from qualcode.services.overview import codebook_info
from qualcode.store.models import AuditEvent, Code, Coding
from tests.conftest import write

V1 = """codebook: test
version: 1
codes:
  - id: LED
    label: Ledelse
    description: Ledelse av karriereveiledningen.
    children:
      - id: LED.eier
        label: Forankring hos eier
        description: Skoleeiers rolle.
      - id: LED.tillit
        label: Tillit til rådgiver
        description: Rektor overlater ansvaret.
  - id: RAM
    label: Rammer
    description: Ressurser og organisering.
"""
TRANSCRIPT = "Intervjuer: Hvem leder arbeidet?\nRektor: Det er skoleeier som bestemmer.\n"


@pytest.fixture
def coded(store, tmp_path):
    """A project with codebook V1 and one coding on LED.eier by anna and one by bjorn."""
    load_into_project(store, write(tmp_path / "v1.yaml", V1))
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "intervju.txt", TRANSCRIPT)
    ingest.import_transcripts(store, [folder])
    csv = write(tmp_path / "c.csv", "transcript,turns,start,end,code,coder,memo\n"
                "intervju,2,,,LED.eier,anna,\nintervju,2,,,LED.eier,bjorn,\n"
                "intervju,2,,,LED.tillit,anna,\n")
    codings.import_codings(store, [csv])
    return store, tmp_path


def _codes(store) -> dict[str, Code]:
    with store.read() as session:
        return {c.code_id: c for c in session.exec(select(Code)).all()}


def _coding_codes(store) -> list[str]:
    with store.read() as session:
        rows = session.exec(select(Code.code_id).join(Coding, Coding.code_pk == Code.pk)).all()
    return sorted(rows)


def test_first_load_adds_every_code_with_hierarchy(store, tmp_path):
    result = load_into_project(store, write(tmp_path / "v1.yaml", V1))
    assert result.plan.added == ["LED", "LED.eier", "LED.tillit", "RAM"]
    codes = _codes(store)
    assert codes["LED.eier"].parent_pk == codes["LED"].pk
    assert codes["RAM"].parent_pk is None
    assert codebook_info(store)["name"] == "test"


def test_loading_the_same_file_twice_changes_nothing(coded):
    store, tmp_path = coded
    with store.read() as session:
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    result = load_into_project(store, tmp_path / "v1.yaml")
    assert result.plan.is_noop
    with store.read() as session:
        # only the "load" event itself is added
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == events + 1


def test_removing_a_coded_code_is_refused_and_nothing_changes(coded):
    store, tmp_path = coded
    v2 = V1.replace("""      - id: LED.eier
        label: Forankring hos eier
        description: Skoleeiers rolle.
""", "").replace("label: Rammer", "label: Rammer og organisering")
    with pytest.raises(CodebookError) as excinfo:
        load_into_project(store, write(tmp_path / "v2.yaml", v2))
    message = str(excinfo.value)
    assert "LED.eier (2 codings: anna 1, bjorn 1)" in message
    assert "archived: true" in message and "was:" in message
    assert _codes(store)["RAM"].label == "Rammer"  # the label change was not applied either
    assert _coding_codes(store) == ["LED.eier", "LED.eier", "LED.tillit"]


def test_rename_with_was_keeps_codings(coded):
    store, tmp_path = coded
    v2 = V1.replace("- id: LED.eier", "- id: LED.forankring_eier\n        was: LED.eier")
    result = load_into_project(store, write(tmp_path / "v2.yaml", v2))
    assert result.plan.renamed == [("LED.eier", "LED.forankring_eier")]
    assert result.plan.added == [] and result.plan.removed == []
    assert _coding_codes(store) == ["LED.forankring_eier", "LED.forankring_eier", "LED.tillit"]
    # loading again is a no-op: the rename is already done
    assert load_into_project(store, tmp_path / "v2.yaml").plan.is_noop


def test_merge_with_was_moves_codings(coded):
    store, tmp_path = coded
    v2 = V1.replace("""      - id: LED.eier
        label: Forankring hos eier
        description: Skoleeiers rolle.
""", "").replace("label: Tillit til rådgiver", "label: Tillit til rådgiver\n"
                 "        was: LED.eier")
    result = load_into_project(store, write(tmp_path / "v2.yaml", v2))
    assert result.plan.merged == [("LED.eier", "LED.tillit", 2)]
    assert _coding_codes(store) == ["LED.tillit"] * 3
    assert "LED.eier" not in _codes(store)


def test_archive_keeps_code_and_codings(coded):
    store, tmp_path = coded
    v2 = V1.replace("label: Forankring hos eier", "label: Forankring hos eier\n"
                    "        archived: true")
    result = load_into_project(store, write(tmp_path / "v2.yaml", v2))
    assert result.plan.archived == ["LED.eier"]
    assert _codes(store)["LED.eier"].archived
    assert len(_coding_codes(store)) == 3


def test_uncoded_code_left_out_is_removed_and_reported(coded):
    store, tmp_path = coded
    v2 = V1.replace("""  - id: RAM
    label: Rammer
    description: Ressurser og organisering.
""", "")
    result = load_into_project(store, write(tmp_path / "v2.yaml", v2))
    assert result.plan.removed == ["RAM"]
    assert "RAM" not in _codes(store)


def test_dry_run_changes_nothing(coded):
    store, tmp_path = coded
    v2 = V1 + "  - id: ETI\n    label: Etikk\n    description: Etisk praksis.\n"
    result = load_into_project(store, write(tmp_path / "v2.yaml", v2), dry_run=True)
    assert result.plan.added == ["ETI"]
    assert "ETI" not in _codes(store)


def test_tree_counts_codings_with_descendants(coded):
    store, _ = coded
    nodes = {n.id: n for n in code_tree(store)}
    assert nodes["LED.eier"].codings == 2 and nodes["LED.eier"].coders == 2
    assert nodes["LED"].codings == 0 and nodes["LED"].codings_with_descendants == 3
    assert [n.id for n in code_tree(store)] == ["LED", "LED.eier", "LED.tillit", "RAM"]


def test_coding_import_rejects_unknown_code_with_line(coded):
    store, tmp_path = coded
    from qualcode.domain.errors import InputFileError

    bad = write(tmp_path / "bad.csv", "transcript,turns,code,coder\nintervju,1,LED.eier,cecilie\n"
                "intervju,2,LED.nope,cecilie\n")
    with pytest.raises(InputFileError, match=r"bad\.csv:3: unknown code 'LED\.nope'"):
        codings.import_codings(store, [bad])
    assert len(_coding_codes(store)) == 3  # nothing from the file was written


def test_coding_import_rejects_turn_out_of_range(coded):
    store, tmp_path = coded
    from qualcode.domain.errors import InputFileError

    bad = write(tmp_path / "bad.csv", "transcript,turns,code,coder\nintervju,2-3,LED.eier,c\n")
    with pytest.raises(InputFileError, match="has turns 1-2, not 2-3"):
        codings.import_codings(store, [bad])


def test_tree_counts_one_coders_codings_when_asked(coded):
    store, _ = coded
    nodes = {n.id: n for n in code_tree(store, coder="bjorn")}
    assert nodes["LED.eier"].codings == 1 and nodes["LED.tillit"].codings == 0
    assert nodes["LED"].codings_with_descendants == 1


def test_recent_codes_newest_first(coded):
    from qualcode.services.coding_ops import add_coding, recent_codes

    add_coding(store := coded[0], "intervju", "RAM", "anna", 0, 5)
    assert recent_codes(store, "anna")[0] == "RAM"
    assert set(recent_codes(store, "anna")) == {"RAM", "LED.eier", "LED.tillit"}
