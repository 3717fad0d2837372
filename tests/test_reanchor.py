"""A corrected transcript comes back with `import --replace`: every coding follows its text.

A typo fixed inside a coded passage keeps the coding with the corrected words; a sentence
inserted before it moves it; words inserted inside it make it grow; a coded sentence that
is deleted refuses the import (or, when asked, goes, kept in the audit log). Nothing moves
without being listed and audited.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from qualcode.domain.errors import ConflictError
from qualcode.domain.realign import align
from qualcode.services import ingest, memos, overview, queries
from qualcode.services.coding_ops import add_coding, list_codings, remove_coding, undo_last
from qualcode.services.log import read_log
from qualcode.services.matrix import list_summaries, set_summary
from qualcode.store.models import AuditEvent, Coding, Transcript, Turn
from tests.conftest import CODEBOOK, write

SHEET = """sites:
  nordvik: {navn: Nordvik skole, skoleslag: ungdomsskole, landsdel: nord}
  solbakken: {navn: Solbakken skole, skoleslag: ungdomsskole, landsdel: vest}
persons:
  nordvik_kari: {site: nordvik, rolle: rektor}
  nordvik_ola: {site: nordvik, rolle: radgiver}
"""
FRONT = """---
site: nordvik
format: individuelt
runde: 1
speakers:
  Rektor: nordvik_kari
---
"""
BODY = """Intervjuer: Hvordan er karriereveiledningen organisert hos dere?
Rektor: Vi har en rådgivr som har ansvaret for det meste. Hun kjenner elevene godt.
Intervjuer: Og lærerne?
Rektor: Lærerne er med i faget utdanningsvalg. Det fungerer ganske bra.
Intervjuer: Hva med ressursene?
Rektor: Det er knapt med tid. Vi skulle gjerne hatt mer.
"""
TYPO = "Vi har en rådgivr som har ansvaret for det meste."
TEACHERS = "Lærerne er med i faget utdanningsvalg."
TIME = "Det er knapt med tid."


@pytest.fixture
def nordvik(store, tmp_path):
    """Nordvik skole's rektor interview, imported, with three passages coded by Kari."""
    from qualcode.services.codebooks import load_into_project

    load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [write(tmp_path / "attrs.yaml", SHEET)])
    folder = tmp_path / "t"
    folder.mkdir()
    path = write(folder / "nordvik_rektor.txt", FRONT + BODY)
    ingest.import_transcripts(store, [path])
    pks = {}
    for passage, code in ((TYPO, "LED"), (TEACHERS, "KOM"), (TIME, "RAM.ressurser_knappe")):
        start = _text(store).index(passage)
        pks[passage] = add_coding(store, "nordvik_rektor", code, "kari", start,
                                  start + len(passage)).pk
    return store, path, pks


def _text(store) -> str:
    with store.read() as session:
        return session.exec(select(Transcript.text)).one()


def _coding(store, pk: int) -> Coding | None:
    with store.read() as session:
        return session.get(Coding, pk)


def _events(store, action: str) -> list[AuditEvent]:
    with store.read() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def _replace(store, path, body: str, **options) -> ingest.ImportReport:
    write(path, FRONT + body)
    return ingest.import_transcripts(store, [path], replace=True, **options)


def _fits(store, pk: int) -> str:
    """The coding's text, checked against the transcript at its offsets."""
    coding = _coding(store, pk)
    assert _text(store)[coding.start:coding.end] == coding.quote
    return coding.quote


def test_a_typo_fixed_inside_a_coding_keeps_the_coding_with_the_corrected_text(nordvik):
    store, path, pks = nordvik
    report = _replace(store, path, BODY.replace("rådgivr", "rådgiver"))
    pk = pks[TYPO]
    assert _fits(store, pk) == "Vi har en rådgiver som har ansvaret for det meste."
    assert [(m.pk, m.coder, m.code, m.quote, m.new_quote) for m in report.moved][0] == (
        pk, "kari", "LED", TYPO, "Vi har en rådgiver som har ansvaret for det meste.")
    # the codings after the edit shift by the one letter and keep their text
    assert _fits(store, pks[TEACHERS]) == TEACHERS and _fits(store, pks[TIME]) == TIME
    assert {m.pk for m in report.moved} == set(pks.values())
    event = next(e for e in read_log(store, action="reanchor") if e["key"] == str(pk))
    assert (event["code"], event["transcript"]) == ("LED", "nordvik_rektor")
    assert event["before"]["quote"] == TYPO
    assert event["after"]["quote"].startswith("Vi har en rådgiver")


def test_a_sentence_inserted_before_a_coding_moves_it(nordvik):
    store, path, pks = nordvik
    added = "Det har vi jobbet mye med. "
    before = _coding(store, pks[TEACHERS])
    report = _replace(store, path, BODY.replace("Rektor: Lærerne", "Rektor: " + added + "Lærerne"))
    after = _coding(store, pks[TEACHERS])
    assert after.start == before.start + len(added) and _fits(store, after.pk) == TEACHERS
    assert _coding(store, pks[TYPO]).start == _text(store).index(TYPO)  # before the edit
    moved = {m.pk: m for m in report.moved}
    assert set(moved) == {pks[TEACHERS], pks[TIME]}  # the coding before the edit stays put
    assert moved[after.pk].new_quote == moved[after.pk].quote == TEACHERS
    assert report.reanchored == ["nordvik_rektor: 2 coding(s) moved with the corrected text"]


def test_a_word_inserted_inside_a_coding_makes_it_grow(nordvik):
    store, path, pks = nordvik
    _replace(store, path, BODY.replace("er med i faget", "er godt med i faget"))
    assert _fits(store, pks[TEACHERS]) == "Lærerne er godt med i faget utdanningsvalg."


def test_words_deleted_inside_a_coding_make_it_shrink(nordvik):
    store, path, pks = nordvik
    _replace(store, path, BODY.replace(" som har ansvaret for det meste", ""))
    assert _fits(store, pks[TYPO]) == "Vi har en rådgivr."


def test_a_coded_sentence_deleted_refuses_the_import_and_writes_nothing(nordvik):
    store, path, pks = nordvik
    before = [(c["id"], c["start"], c["end"], c["text"]) for c in list_codings(store)]
    events = len(_events(store, "import"))
    with pytest.raises(ConflictError) as refused:
        _replace(store, path, BODY.replace(" " + TEACHERS, "").replace("rådgivr", "rådgiver"))
    message = str(refused.value)
    assert f"#{pks[TEACHERS]} (kari, KOM) in nordvik_rektor «{TEACHERS}»" in message
    assert "--remove-lost-codings" in message and "nothing was imported" in message
    assert "rådgivr" in _text(store)  # the typo fix did not go in either
    assert [(c["id"], c["start"], c["end"], c["text"]) for c in list_codings(store)] == before
    assert not _events(store, "reanchor") and len(_events(store, "import")) == events


def test_with_the_flag_a_coding_whose_text_is_gone_is_removed_and_audited(nordvik):
    store, path, pks = nordvik
    report = _replace(store, path, BODY.replace(" " + TEACHERS, ""), remove_lost=True)
    assert _coding(store, pks[TEACHERS]) is None
    assert [(c.pk, c.quote) for c in report.removed] == [(pks[TEACHERS], TEACHERS)]
    (event,) = _events(store, "remove_lost_in_replace")
    assert event.entity_key == str(pks[TEACHERS])
    assert json.loads(event.before)["quote"] == TEACHERS
    assert _fits(store, pks[TIME]) == TIME  # the others followed their text


def test_an_edit_in_an_interviewer_turn_shifts_the_turn_numbers(nordvik):
    store, path, pks = nordvik
    turns = {c["id"]: c["turns"] for c in list_codings(store)}
    assert turns[pks[TIME]] == "6"
    # the interviewer's question becomes two questions with an answer between them
    _replace(store, path, BODY.replace(
        "Intervjuer: Og lærerne?",
        "Intervjuer: Og elevene?\nRektor: De er fornøyde.\nIntervjuer: Og lærerne?"))
    turns = {c["id"]: c["turns"] for c in list_codings(store)}
    assert turns[pks[TEACHERS]] == "6" and turns[pks[TIME]] == "8"
    assert turns[pks[TYPO]] == "2"
    shown = queries.transcript_turns(store, "nordvik_rektor")["turns"]
    assert shown[5]["text"].startswith(TEACHERS) and len(shown) == 8
    assert _fits(store, pks[TIME]) == TIME


def test_memos_and_summaries_survive_a_replace(nordvik):
    store, path, _ = nordvik
    memo = memos.add_memo(store, "transcript:nordvik_rektor", "Rektor virker engasjert.")
    set_summary(store, "LED", person="nordvik_kari", text="Rektor delegerer til rådgiver.")
    _replace(store, path, BODY.replace("rådgivr", "rådgiver"))
    assert memos.get_memo(store, memo)["text"] == "Rektor virker engasjert."
    assert [s["text"] for s in list_summaries(store, "LED")] == [
        "Rektor delegerer til rådgiver."]


def test_undo_after_a_replace_does_not_put_a_coding_back_at_old_offsets(nordvik):
    store, path, pks = nordvik
    remove_coding(store, pks[TIME], coder="kari")
    _replace(store, path, "Intervjuer: Velkommen.\n" + BODY)
    with pytest.raises(ConflictError, match="came before transcript 'nordvik_rektor' was "
                                            "replaced"):
        undo_last(store, "kari")
    assert _coding(store, pks[TIME]) is None
    # an action on the corrected text is undone as always
    start = _text(store).index("Vi skulle gjerne")
    pk = add_coding(store, "nordvik_rektor", "LED", "kari", start, start + 10).pk
    assert undo_last(store, "kari").startswith("undid add")
    assert _coding(store, pk) is None


def test_the_command_lists_every_moved_coding_and_refuses_in_one_line(nordvik, cli):
    store, path, pks = nordvik
    write(path, FRONT + BODY.replace("rådgivr", "rådgiver"))
    code, out, err = cli("import", str(path), "--replace", project=store.path)
    assert code == 0, err
    assert (f"#{pks[TYPO]} kari LED in nordvik_rektor: «Vi har en rådgivr som har ansvaret "
            "for…» → «Vi har en rådgiver som har ansvaret for…»") in out
    assert f"#{pks[TIME]} kari RAM.ressurser_knappe in nordvik_rektor: [" in out
    assert "its text unchanged" in out
    write(path, FRONT + BODY.replace(" " + TIME, ""))
    code, out, err = cli("import", str(path), "--replace", project=store.path)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert f"#{pks[TIME]} (kari, RAM.ressurser_knappe)" in err
    code, out, err = cli("import", str(path), "--replace", "--remove-lost-codings",
                         project=store.path)
    assert code == 0, err
    assert f"removed (its text is gone): #{pks[TIME]} kari RAM.ressurser_knappe" in out
    code, _, err = cli("import", str(path), "--remove-lost-codings", project=store.path)
    assert code == 1 and "applies to --replace" in err


# --- metadata that changes while the text does not --------------------------------------


def _attributes(store) -> dict:
    return queries.transcript_turns(store, "nordvik_rektor")["attributes"]


def _listed(store) -> dict:
    return {t["name"]: t for t in overview.list_transcripts(store)}["nordvik_rektor"]


def test_a_changed_sidecar_updates_the_metadata_and_nothing_else(nordvik):
    store, path, pks = nordvik
    with store.read() as session:
        turns = list(session.exec(select(Turn.pk, Turn.start, Turn.end)))
    codings = list_codings(store)
    write(path, BODY)  # the metadata moves from front matter to a sidecar, and changes
    write(path.with_suffix(".yaml"), FRONT.strip().strip("-").replace("runde: 1", "runde: 2")
          .replace("site: nordvik", "site: solbakken").replace(
              "Rektor: nordvik_kari", "Rektor: nordvik_kari\n  Intervjuer: nordvik_ola"))
    report = ingest.import_transcripts(store, [path])
    assert report.metadata_updated == ["nordvik_rektor"] and not report.unchanged
    assert not report.replaced and not report.added
    assert _listed(store)["site"] == "solbakken" and _attributes(store)["runde"] == 2
    shown = queries.transcript_turns(store, "nordvik_rektor")["turns"]
    assert shown[0]["person"] == "nordvik_ola" and shown[1]["person"] == "nordvik_kari"
    with store.read() as session:
        assert list(session.exec(select(Turn.pk, Turn.start, Turn.end))) == turns
    assert list_codings(store) == codings
    (event,) = _events(store, "set-metadata")
    assert json.loads(event.before) == {"runde": "1", "site": "nordvik",
                                        "speakers": {"Intervjuer": None}}
    assert json.loads(event.after) == {"runde": "2", "site": "solbakken",
                                       "speakers": {"Intervjuer": "nordvik_ola"}}
    again = ingest.import_transcripts(store, [path])
    assert again.unchanged == ["nordvik_rektor"] and not again.metadata_updated
    assert len(_events(store, "set-metadata")) == 1


def test_a_speaker_mapped_anew_who_speaks_once_makes_a_turn_of_their_own(nordvik):
    """'Ola:' on one line is text until the metadata maps Ola; then the turns are read
    anew, and the codings, on the same text, stay as they were."""
    store, path, _ = nordvik
    body = BODY + "Ola: Jeg er rådgiveren, jeg kan legge til noe.\n"
    write(path, FRONT + body)
    ingest.import_transcripts(store, [path], replace=True)
    assert len(queries.transcript_turns(store, "nordvik_rektor")["turns"]) == 6
    codings = list_codings(store)
    write(path, FRONT.replace("  Rektor: nordvik_kari", "  Rektor: nordvik_kari\n"
                              "  Ola: nordvik_ola") + body)
    report = ingest.import_transcripts(store, [path])
    assert report.replaced == ["nordvik_rektor"] and not report.moved
    turns = queries.transcript_turns(store, "nordvik_rektor")["turns"]
    assert len(turns) == 7 and turns[-1]["person"] == "nordvik_ola"
    assert list_codings(store) == codings


def test_changed_front_matter_is_reported_by_the_command(nordvik, cli):
    store, path, _ = nordvik
    code, out, _ = cli("import", str(path), project=store.path)
    assert code == 0 and "1 unchanged" in out and "metadata updated" not in out
    write(path, FRONT.replace("individuelt", "parvis") + BODY)
    code, out, err = cli("import", str(path), project=store.path)
    assert code == 0, err
    assert "metadata updated: 1 transcripts (nordvik_rektor)" in out
    assert _listed(store)["format"] == "parvis"


# --- the alignment itself ---------------------------------------------------------------

_WORDS = st.lists(st.sampled_from(["rektor", "rådgiver", "lærer", "elevene", "og", "det",
                                   "er", "skolen", "tid", "Kari", "Ola", "Nordvik", "ja"]),
                  min_size=12, max_size=60)


@settings(max_examples=80, deadline=None)
@given(_WORDS, st.data())
def test_text_inserted_outside_a_span_or_at_its_ends_leaves_its_text_alone(words, data):
    old = "".join(word + data.draw(st.sampled_from([" ", " ", "\n", ", "])) for word in words)
    start = data.draw(st.integers(0, len(old) - 2))
    end = data.draw(st.integers(start + 1, len(old)))
    assume(any(ch.isalpha() for ch in old[start:end]))
    places = data.draw(st.lists(st.integers(0, start) | st.integers(end, len(old)),
                                min_size=1, max_size=4, unique=True))
    new = old
    for place in sorted(places, reverse=True):  # digits: nothing in the old text is like them
        new = new[:place] + data.draw(st.text("0123456789", min_size=1, max_size=8)) + \
            new[place:]
    mapped = align(old, new).span(start, end)
    assert mapped is not None and new[mapped[0]:mapped[1]] == old[start:end]


def test_an_edit_between_repeated_words_is_aligned_letter_by_letter():
    old = "Rektor: ja ja ja, det stemmer."
    new = "Rektor: ja jaa ja, det stemmer."
    start = old.index("ja,")
    mapped = align(old, new).span(start, start + 2)
    assert new[mapped[0]:mapped[1]] == "ja" and mapped[0] == new.index("ja,")


def test_a_sentence_replaced_by_another_is_not_held_by_chance_letters():
    old = "Rektor: Vi har en rådgiver. Det er knapt med tid."
    new = "Rektor: Vi har en rådgiver. Elevene liker praksis godt."
    start = old.index("Det")
    assert align(old, new).span(start, len(old)) is None
