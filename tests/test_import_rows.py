"""New transcripts are written as plain rows: what they store, and the audit log's order in
a batch that also replaces a transcript."""

from __future__ import annotations

from datetime import date

from qualcode.services import ingest, overview
from qualcode.services.codebooks import load_into_project
from qualcode.services.log import read_log
from qualcode.services.queries import transcript_turns
from tests.conftest import CODEBOOK, write

SHEET = """sites:
  nordvik: {navn: Nordvik skole, skoleslag: ungdomsskole, landsdel: nord}
persons:
  kari: {site: nordvik, rolle: rektor}
  ola: {site: nordvik, rolle: radgiver}
"""
FRONT = """---
site: nordvik
format: individuelt
dato: 2021-10-14
runde: 2
speakers:
  {label}: {person}
---
"""
REKTOR = """Intervjuer: Hvem har ansvaret for karriereveiledningen?
Rektor: Det er rådgiveren [00:01:10] som har oversikten, og jeg som står ansvarlig.
Intervjuer: Og tiden?
Rektor: Den strekker ikke til.
"""
RADGIVER = """Intervjuer: Hvordan samarbeider dere med lærerne?
Rådgiver: Vi har faste møter hver fjerde uke.
Intervjuer: Fungerer det?
Rådgiver: Stort sett, men det er lett å nedprioritere.
"""


def test_a_new_transcript_stores_its_words_times_attributes_and_log_line(store, tmp_path):
    load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [write(tmp_path / "cases.yaml", SHEET)])
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "nordvik_rektor.txt", FRONT.format(label="Rektor", person="kari") + REKTOR)
    report = ingest.import_transcripts(store, [folder])
    assert report.added == ["nordvik_rektor"] and report.turns == 4
    shown = transcript_turns(store, "nordvik_rektor")
    assert shown["site"] == "nordvik"
    assert shown["words"] == report.words == sum(t["words"] for t in _turn_words(store))
    assert shown["attributes"] == {"dato": date(2021, 10, 14), "format": "individuelt",
                                   "runde": 2}
    assert [t["person"] for t in shown["turns"]] == [None, "kari", None, "kari"]
    with store.snapshot() as db:
        segmented, imported = db.rows("SELECT segmented, imported_at FROM transcript")[0]
        sync = db.rows('SELECT "offset", seconds FROM sync_point')
    assert not segmented and str(imported)[:4].isdigit()
    assert sync == [(shown["turns"][1]["start"] + len("Det er rådgiveren "), 70.0)]
    event = read_log(store, entity="transcript")[0]
    assert (event["action"], event["key"]) == ("import", "nordvik_rektor")
    assert event["after"]["turns"] == 4 and len(event["after"]["sha256"]) == 64


def test_a_batch_that_replaces_one_transcript_and_adds_another_logs_them_in_order(
        store, tmp_path):
    load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [write(tmp_path / "cases.yaml", SHEET)])
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "a_rektor.txt", FRONT.format(label="Rektor", person="kari") + REKTOR)
    ingest.import_transcripts(store, [folder])
    write(folder / "a_rektor.txt", FRONT.format(label="Rektor", person="kari")
          + REKTOR.replace("Og tiden?", "Og tiden, da?"))
    write(folder / "b_radgiver.txt", FRONT.format(label="Rådgiver", person="ola") + RADGIVER)
    report = ingest.import_transcripts(store, [folder], replace=True)
    assert report.replaced == ["a_rektor"] and report.added == ["b_radgiver"]
    events = read_log(store, entity="transcript")
    assert [(e["action"], e["key"]) for e in reversed(events)] == [
        ("import", "a_rektor"), ("replace", "a_rektor"), ("import", "b_radgiver")]
    status = overview.project_status(store)
    assert status["transcripts"] == 2 and status["turns"] == 8
    assert status["participations"] == 2


def _turn_words(store) -> list[dict]:
    with store.snapshot() as db:
        return [{"words": n} for (n,) in db.rows("SELECT n_words FROM turn")]
