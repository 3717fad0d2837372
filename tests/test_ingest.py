"""Importing transcripts and attribute sheets into a project."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlmodel import func, select

from qualcode.domain.errors import ConflictError, InputFileError, NotFoundError, QualcodeError
from qualcode.services import codings, ingest, overview, queries
from qualcode.store.models import AuditEvent, Coding, Participation, Person, Transcript, Turn
from tests.conftest import CODEBOOK, write

FRONT = """---
site: skole_a
format: individuelt
dato: 2021-10-14
runde: 1
speakers:
  Rektor: rektor_a
---
"""
BODY = """Intervjuer: Hvem har ansvaret for karriereveiledningen på skolen?
Rektor: Til syvende og sist er det jeg som står ansvarlig, men i praksis er det rådgiveren
som har oversikten.
Vi har stor tillit til henne.
Intervjuer: Og ressursene?
Rektor: Det er knapt med tid. Ærlig talt strekker det ikke til.
"""
SHEET = """sites:
  skole_a: {navn: Skole A, skoleslag: ungdomsskole, landsdel: nord}
persons:
  rektor_a: {site: skole_a, rolle: rektor}
  laerer_a: {site: skole_a, rolle: laerer}
"""


def _count(store, model) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def small(store, tmp_path):
    """A project with one site and two persons, and a folder with one transcript."""
    from qualcode.services.codebooks import load_into_project

    load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [write(tmp_path / "attrs.yaml", SHEET)])
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "rektor_a.txt", FRONT + BODY)
    return store, folder


def test_import_stores_turns_that_round_trip(small):
    store, folder = small
    report = ingest.import_transcripts(store, [folder])
    assert report.added == ["rektor_a"] and report.turns == 4
    data = queries.transcript_turns(store, "rektor_a")
    assert [t["speaker"] for t in data["turns"]] == ["Intervjuer", "Rektor", "Intervjuer",
                                                     "Rektor"]
    assert [t["role"] for t in data["turns"]] == ["intervjuer", "rektor", "intervjuer",
                                                  "rektor"]
    assert data["turns"][1]["person"] == "rektor_a"
    assert data["turns"][1]["text"] == (
        "Til syvende og sist er det jeg som står ansvarlig, men i praksis er det rådgiveren\n"
        "som har oversikten.\nVi har stor tillit til henne.")
    with store.read() as session:
        t = session.exec(select(Transcript)).one()
        for turn in session.exec(select(Turn)).all():
            assert t.text[turn.start:turn.end] == next(
                x["text"] for x in data["turns"] if x["index"] == turn.idx)
    assert data["attributes"] == {"dato": dt.date(2021, 10, 14), "format": "individuelt",
                                  "runde": 1}
    assert data["site"] == "skole_a"


def test_reimporting_an_identical_file_is_a_noop(small):
    store, folder = small
    ingest.import_transcripts(store, [folder])
    events = _count(store, AuditEvent)
    report = ingest.import_transcripts(store, [folder])
    assert report.unchanged == ["rektor_a"] and report.added == []
    assert _count(store, AuditEvent) == events
    assert _count(store, Turn) == 4


def test_batch_with_one_broken_file_writes_nothing(small):
    store, folder = small
    (folder / "broken.docx").write_bytes(b"this is not a zip file at all")
    events = _count(store, AuditEvent)
    with pytest.raises(InputFileError, match=r"broken\.docx.*not a valid \.docx"):
        ingest.import_transcripts(store, [folder])
    assert _count(store, Transcript) == 0
    assert _count(store, Turn) == 0
    assert _count(store, AuditEvent) == events


def test_empty_file_in_batch_is_named(small):
    store, folder = small
    write(folder / "tom.txt", "   \n\n")
    with pytest.raises(InputFileError, match=r"tom\.txt: the file is empty"):
        ingest.import_transcripts(store, [folder])
    assert _count(store, Transcript) == 0


def test_unknown_site_in_metadata_writes_nothing(small):
    store, folder = small
    write(folder / "other.txt", FRONT.replace("skole_a", "skole_x") + BODY)
    with pytest.raises(NotFoundError, match="unknown site 'skole_x'"):
        ingest.import_transcripts(store, [folder])
    assert _count(store, Transcript) == 0


def test_changed_text_is_refused_without_replace(small):
    store, folder = small
    ingest.import_transcripts(store, [folder])
    write(folder / "rektor_a.txt", FRONT + BODY.replace("knapt", "veldig knapt"))
    with pytest.raises(ConflictError, match="--replace"):
        ingest.import_transcripts(store, [folder])
    assert "veldig" not in queries.transcript_turns(store, "rektor_a")["turns"][3]["text"]


def _code_turn(store, folder, turn: int, code: str = "RAM.ressurser_knappe"):
    csv = write(folder.parent / "c.csv", "transcript,turns,start,end,code,coder,memo\n"
                f"rektor_a,{turn},,,{code},anna,\n")
    codings.import_codings(store, [csv])


def test_replace_reanchors_codings_to_their_moved_text(small):
    store, folder = small
    ingest.import_transcripts(store, [folder])
    _code_turn(store, folder, 4)
    with store.read() as session:
        before = session.exec(select(Coding)).one()
    new_body = BODY.replace("Intervjuer: Og ressursene?",
                            "Intervjuer: Og ressursene, hvordan er de?")
    write(folder / "rektor_a.txt", FRONT + new_body)
    report = ingest.import_transcripts(store, [folder], replace=True)
    assert report.replaced == ["rektor_a"] and len(report.reanchored) == 1
    with store.read() as session:
        after = session.exec(select(Coding)).one()
        text = session.exec(select(Transcript)).one().text
        reanchor = session.exec(select(AuditEvent).where(AuditEvent.action == "reanchor")).one()
    assert after.quote == before.quote
    assert after.start == before.start + len(", hvordan er de")
    assert text[after.start:after.end] == after.quote
    assert reanchor.entity_key == str(after.pk)


def test_replace_that_would_lose_a_coded_passage_is_refused(small):
    store, folder = small
    ingest.import_transcripts(store, [folder])
    _code_turn(store, folder, 4)
    write(folder / "rektor_a.txt", FRONT + BODY.replace(
        "Rektor: Det er knapt med tid. Ærlig talt strekker det ikke til.\n", ""))
    with pytest.raises(ConflictError, match="would lose all their text in the new version"):
        ingest.import_transcripts(store, [folder], replace=True)
    text = queries.transcript_turns(store, "rektor_a")["turns"][3]["text"]
    assert "Ærlig talt" in text  # the project is as it was


def test_unmapped_label_gets_role_from_label_and_is_reported(small):
    store, folder = small
    write(folder / "rektor_a.txt", FRONT + BODY + "Lærer 2: Jeg vil bare legge til noe.\n")
    report = ingest.import_transcripts(store, [folder])
    assert any("'Lærer 2' is not mapped" in w for w in report.warnings)
    turns = queries.transcript_turns(store, "rektor_a")["turns"]
    assert turns[-1]["role"] == "laerer" and turns[-1]["person"] is None
    status = overview.project_status(store)
    assert status["unmapped_speakers"] == [
        {"transcript": "rektor_a", "label": "Lærer 2", "role": "laerer"}]


def test_transcript_without_speakers_is_one_unattributed_turn(small):
    store, folder = small
    write(folder / "notat.txt", "Feltnotat fra besøket. Rektor var positiv til prosjektet.\n")
    report = ingest.import_transcripts(store, [folder / "notat.txt"])
    assert any("no speaker labels found" in w for w in report.warnings)
    turns = queries.transcript_turns(store, "notat")["turns"]
    assert len(turns) == 1 and turns[0]["speaker"] is None
    assert turns[0]["text"].startswith("Feltnotat")


def test_attribute_sheet_with_unknown_site_writes_nothing(store, tmp_path):
    sheet = write(tmp_path / "persons.csv", "person,site,rolle\np1,skole_a,rektor\n"
                  "p2,skole_x,laerer\n")
    sites = write(tmp_path / "sites.csv", "site,navn\nskole_a,Skole A\n")
    with pytest.raises(NotFoundError, match=r"persons\.csv:3.*unknown site 'skole_x'"):
        ingest.import_attributes(store, [sites, sheet])
    assert _count(store, Person) == 0
    assert overview.list_cases(store)["sites"] == []


def test_attribute_sheets_are_typed(store, tmp_path):
    sites = write(tmp_path / "sites.csv", "site;navn;elevtall;privat;stilling\n"
                  "s1;Fjord skole;412;nei;37,5\ns2;Øya vgs;;ja;60\n")
    ingest.import_attributes(store, [sites])
    rows = {r["site"]: r for r in overview.list_cases(store)["sites"]}
    assert rows["s1"] == {"site": "s1", "name": "Fjord skole", "elevtall": 412,
                          "privat": False, "stilling": 37.5}
    assert rows["s2"]["name"] == "Øya vgs" and "elevtall" not in rows["s2"]


def test_sheet_transcripts_section_maps_speakers_after_import(small, tmp_path):
    store, folder = small
    write(folder / "rektor_a.txt", BODY + "Lærer: Kort kommentar.\n")  # no front matter
    ingest.import_transcripts(store, [folder])
    write(tmp_path / "meta.yaml", "transcripts:\n  rektor_a:\n    site: skole_a\n"
          "    format: individuelt\n    speakers: {Rektor: rektor_a, Lærer: laerer_a}\n")
    ingest.import_attributes(store, [tmp_path / "meta.yaml"])
    turns = queries.transcript_turns(store, "rektor_a")["turns"]
    assert turns[1]["person"] == "rektor_a" and turns[-1]["person"] == "laerer_a"
    assert overview.project_status(store)["unmapped_speakers"] == []


def test_example_study_imports_completely(example):
    """The bundled study: 2 schools, 9 informants, 8 interviews, focus groups by role."""
    status = overview.project_status(example)
    assert status["sites"] == 2 and status["persons"] == 9
    assert status["transcripts"] == 8
    assert status["transcripts_by_format"] == {"fokusgruppe": 2, "gruppe": 1,
                                               "individuelt": 3, "parvis": 2}
    # every informant takes part in two interviews: a role interview and a focus group
    assert status["participations"] == 18
    assert all(p["interviews"] == 2 for p in overview.list_cases(example)["persons"])
    assert status["transcripts_without_site"] == []
    listed = {t["name"]: t for t in overview.list_transcripts(example)}
    assert {t["file_type"] for t in listed.values()} == {"txt", "md", "docx"}
    assert all(t["words"] >= 1500 for t in listed.values())
    roles = {t["role"] for t in queries.transcript_turns(example, "vestbo_fokusgruppe")["turns"]}
    assert {"rektor", "radgiver", "laerer", "intervjuer"} <= roles


def test_duplicate_names_in_one_batch_are_refused(small, tmp_path):
    store, folder = small
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(folder / "rektor_a.txt", other / "rektor_a.md")
    with pytest.raises(InputFileError, match="both named 'rektor_a'"):
        ingest.import_transcripts(store, [folder, other])


def test_participations_link_person_transcript_label(small):
    store, folder = small
    ingest.import_transcripts(store, [folder])
    with store.read() as session:
        parts = session.exec(select(Participation.label, Participation.person_pk)).all()
    assert sorted(label for label, _ in parts) == ["Intervjuer", "Rektor"]
    assert sum(1 for _, person in parts if person) == 1


def _many(folder, n: int) -> None:
    for i in range(n):
        write(folder / f"intervju_{i:02d}.txt",
              f"Intervjuer: Spørsmål {i}?\nRektor: Svar nummer {i}, med æøå.\n")


@pytest.fixture
def two_workers(monkeypatch):
    """Large batches parsed by two worker processes, whatever the machine's cores."""
    monkeypatch.setenv(ingest.WORKERS_SETTING, "2")
    assert ingest.parsing_workers(ingest.PARALLEL_MIN_FILES) == 2


def test_large_batch_is_parsed_in_parallel_and_kept_in_order(store, tmp_path, two_workers):
    folder = tmp_path / "many"
    folder.mkdir()
    _many(folder, ingest.PARALLEL_MIN_FILES + 6)
    seen: list[str] = []
    report = ingest.import_transcripts(store, [folder], progress=seen.append)
    assert seen == sorted(seen) and len(seen) == ingest.PARALLEL_MIN_FILES + 6
    assert len(report.added) == len(seen)
    turns = queries.transcript_turns(store, "intervju_17")["turns"]
    assert turns[1]["text"] == "Svar nummer 17, med æøå."


def test_a_large_batch_written_as_it_is_read_tells_its_problems_in_the_old_order(small,
                                                                                two_workers):
    """Transcripts go in while later files are still being parsed: a problem far down the
    batch still leaves the project as it was, and of several problems the one told is the
    one told before files were written as they came: an unreadable file before an unknown
    person, an unknown person before a transcript that conflicts with the project."""
    store, folder = small
    ingest.import_transcripts(store, [folder])
    before = _count(store, Transcript), _count(store, Turn), _count(store, AuditEvent)
    _many(folder, ingest.PARALLEL_MIN_FILES + 40)
    write(folder / "rektor_a.txt", FRONT + BODY + "Rektor: Og en ting til.\n")  # changed
    unknown = FRONT.replace("rektor_a\n---", "ukjent_person\n---")
    write(folder / "intervju_50.txt", unknown + BODY)
    with pytest.raises(ConflictError, match="'rektor_a' is already in the project"):
        ingest.import_transcripts(store, [folder / "intervju_00.txt", folder / "rektor_a.txt",
                                          folder / "intervju_01.txt"])
    def conflict_first():
        return [folder / "rektor_a.txt", *sorted(folder.glob("intervju_*"))]

    with pytest.raises(NotFoundError, match="intervju_50.txt: speaker 'Rektor' is mapped "
                                            "to unknown person 'ukjent_person'"):
        ingest.import_transcripts(store, conflict_first())
    (folder / "intervju_60.docx").write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(InputFileError, match=r"intervju_60\.docx: not a valid \.docx"):
        ingest.import_transcripts(store, conflict_first())
    assert (_count(store, Transcript), _count(store, Turn), _count(store, AuditEvent)) == before
    (folder / "intervju_60.docx").unlink()
    (folder / "intervju_50.txt").unlink()
    report = ingest.import_transcripts(store, [folder], replace=True)
    assert len(report.added) == ingest.PARALLEL_MIN_FILES + 39
    assert report.replaced == ["rektor_a"]
    turns = queries.transcript_turns(store, "intervju_63")["turns"]
    assert turns[1]["text"] == "Svar nummer 63, med æøå."


def test_a_batch_parsed_by_the_workers_stores_what_files_read_one_by_one_store(tmp_path,
                                                                               two_workers):
    """Transcripts come back from the parsing workers with their turns as rows: times, labels,
    unattributed openings and Norwegian text arrive as the reader made them."""
    from qualcode.services.project import init_project

    folder = tmp_path / "mange"
    folder.mkdir()
    for i in range(ingest.PARALLEL_MIN_FILES + 2):
        write(folder / f"samtale_{i:02d}.vtt",
              f"WEBVTT\n\n00:00:0{i % 9}.500 --> 00:00:10.000\n<v Kari Nordmann>Hei, "
              f"nummer {i}?\n\n00:00:11.000 --> 00:00:12.250\n<v Ørjan Æsøy>Ja, "
              "på Røros.\n")
        write(folder / f"notat_{i:02d}.txt", f"Overskrift {i}\n\nRektor: Svar [00:01:0{i % 9}] "
              "med tid inni.\nLærer 2: Og så?\nRektor: Ja.\n")
    together = init_project(tmp_path / "sammen.db")
    one_by_one = init_project(tmp_path / "hver.db")
    try:
        ingest.import_transcripts(together, [folder])
        files = sorted(folder.iterdir())
        for path in files:
            ingest.import_transcripts(one_by_one, [path])
        for path in files:
            shown = queries.transcript_turns(together, path.stem)
            assert shown == queries.transcript_turns(one_by_one, path.stem)
        assert queries.transcript_turns(together, "samtale_07")["turns"][1]["speaker"] == (
            "Ørjan Æsøy")
        assert queries.transcript_turns(together, "samtale_07")["turns"][0]["time"] == 7.5
    finally:
        together.close()
        one_by_one.close()


def test_large_batch_with_one_broken_file_names_it_and_writes_nothing(store, tmp_path,
                                                                      two_workers):
    folder = tmp_path / "many"
    folder.mkdir()
    _many(folder, ingest.PARALLEL_MIN_FILES + 6)
    (folder / "intervju_11.docx").write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(InputFileError, match=r"intervju_11\.docx: not a valid \.docx"):
        ingest.import_transcripts(store, [folder])
    assert _count(store, Transcript) == 0


def test_parsing_workers_leave_the_writer_a_core(monkeypatch):
    """A large batch is parsed by one process fewer than the machine has cores, at most 8;
    with only one core to spare, the import parses it itself. A small batch never starts
    workers. The setting overrides the cores, and a mistyped one is refused in one line."""
    big = ingest.PARALLEL_MIN_FILES
    monkeypatch.delenv(ingest.WORKERS_SETTING, raising=False)
    for cores, workers in [(1, 0), (2, 0), (3, 2), (4, 3), (16, 8)]:
        monkeypatch.setattr(ingest.os, "cpu_count", lambda cores=cores: cores)
        assert ingest.parsing_workers(big) == workers, cores
        assert ingest.parsing_workers(big - 1) == 0
    monkeypatch.setenv(ingest.WORKERS_SETTING, "0")
    assert ingest.parsing_workers(1000) == 0
    monkeypatch.setenv(ingest.WORKERS_SETTING, " 3 ")
    assert ingest.parsing_workers(1000) == 3
    monkeypatch.setenv(ingest.WORKERS_SETTING, "64")
    assert ingest.parsing_workers(1000) == 8
    for wrong in ["to", "-1", "1.5", "²"]:
        monkeypatch.setenv(ingest.WORKERS_SETTING, wrong)
        with pytest.raises(QualcodeError, match="QUALCODE_IMPORT_WORKERS=.* is not a number "
                                                "of processes — set it to 0"):
            ingest.parsing_workers(1000)
