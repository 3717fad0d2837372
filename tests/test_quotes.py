"""Retrieving coded passages with their attribution, and single coding writes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qualcode.domain.errors import InputFileError, NotFoundError
from qualcode.services import codings, ingest
from qualcode.services.codebooks import load_into_project
from qualcode.services.retrieval import quotes
from qualcode.store.models import AuditEvent, Coding
from tests.conftest import CODEBOOK, write

FOCUS = """---
speakers: {Rektor: r1, Rådgiver: g1, Lærer 1: l1}
---
Intervjuer: Påstand: «Ledelsen forankrer arbeidet hos eier.» Hva tenker dere?
Rektor: Forankringen hos kommunen er mest på papiret.
Rådgiver: Jeg er enig, kommunen betaler bare for nettverket.
Lærer 1: Det visste jeg ikke.
"""
SHEET = """sites:
  s1: {skoleslag: ungdomsskole}
persons:
  r1: {site: s1, rolle: rektor}
  g1: {site: s1, rolle: Rådgiver}
  l1: {site: s1, rolle: laerer}
"""


@pytest.fixture
def focus(store, tmp_path):
    load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [write(tmp_path / "a.yaml", SHEET)])
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "fokus.txt", FOCUS)
    ingest.import_transcripts(store, [folder])
    write(tmp_path / "c.csv", "transcript,turns,start,end,code,coder,memo\n"
          "fokus,2-3,,,LED.forankring_eier,anna,forankring på papiret\n"
          "fokus,3,,,NET.radgivernettverk,anna,\n"
          "fokus,2,,,LED.forankring_eier,bjorn,\n")
    codings.import_codings(store, [tmp_path / "c.csv"])
    return store


def test_a_span_over_two_turns_is_attributed_to_both_speakers(focus):
    rows = quotes(focus, "LED.forankring_eier", coders=["anna"])
    assert len(rows) == 1
    row = rows[0]
    assert row["turns"] == [2, 3]
    assert row["speakers"] == ["Rektor", "Rådgiver"]
    assert row["roles"] == ["radgiver", "rektor"]  # a sheet's 'Rådgiver' is role radgiver
    assert row["persons"] == ["g1", "r1"]
    assert row["site"] == "s1"
    assert row["text"].startswith("Forankringen hos kommunen")
    assert row["text"].endswith("kommunen betaler bare for nettverket.")
    assert row["memo"] == "forankring på papiret"


def test_quotes_of_an_area_include_its_sub_codes_unless_exact(focus):
    assert {r["code"] for r in quotes(focus, "LED")} == {"LED.forankring_eier"}
    assert len(quotes(focus, "LED")) == 2
    assert quotes(focus, "LED", descendants=False) == []
    assert [r["coder"] for r in quotes(focus, "LED.forankring_eier")] == ["anna", "bjorn"]


def test_quotes_for_unknown_code(focus):
    with pytest.raises(NotFoundError, match="no code 'LED.finnes_ikke'"):
        quotes(focus, "LED.finnes_ikke")


def test_single_coding_write_is_stored_with_quote_and_audited(focus):
    from qualcode.services.coding_ops import add_coding

    turn = quotes(focus, "NET.radgivernettverk")[0]
    pk = add_coding(focus, "fokus", "KOM.nettverk_som_laering", "cecilie", turn["start"],
                    turn["start"] + 20, memo="nettverk").pk
    with focus.read() as session:
        coding = session.get(Coding, pk)
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "coding",
                                                      AuditEvent.entity_key == str(pk))).one()
    assert coding.quote == turn["text"][:20] and coding.origin == "manual"
    assert event.actor == "cecilie" and event.action == "add"


def test_single_coding_write_rejects_spans_outside_the_text(focus):
    from qualcode.services.coding_ops import add_coding

    with pytest.raises(InputFileError, match="outside the text"):
        add_coding(focus, "fokus", "LED", "anna", 10, 10_000_000)
    with pytest.raises(NotFoundError, match="no code 'LED.nope'"):
        add_coding(focus, "fokus", "LED.nope", "anna", 0, 10)


def test_attribution_reads_like_the_report(focus):
    row = quotes(focus, "LED.forankring_eier", coders=["bjorn"])[0]
    assert row["attribution"] == "Rektor, ungdomsskole"
    both = quotes(focus, "LED.forankring_eier", coders=["anna"])[0]
    assert both["attribution"] == "Rektor, ungdomsskole; Rådgiver, ungdomsskole"


def test_where_filters_on_speaker_and_site_attributes(focus):
    assert {r["coder"] for r in quotes(focus, "LED", where=["rolle=radgiver"])} == {"anna"}
    assert len(quotes(focus, "LED", where=["skoleslag=ungdomsskole"])) == 2
    assert quotes(focus, "LED", where=["skoleslag=videregående"]) == []
    # a span over a rektor turn and a rådgiver turn qualifies for both roles
    assert len(quotes(focus, "LED", where=["rolle=Rektor"])) == 2
    with pytest.raises(NotFoundError, match="no attribute named farge"):
        quotes(focus, "LED", where=["farge=blå"])


def test_context_gives_the_surrounding_text(focus):
    row = quotes(focus, "NET.radgivernettverk", context=12)[0]
    assert row["before"] == "\nRådgiver: " or row["before"].endswith("Rådgiver: ")
    assert row["after"].startswith("\nLærer 1")


def test_search_finds_text_in_turns_and_codes_hits(focus):
    from qualcode.services.coding_ops import list_codings
    from qualcode.services.queries import search_text

    hits = search_text(focus, "KOMMUNEN")
    assert [(h["turn"], h["speaker"], h["match"]) for h in hits] == [
        (2, "Rektor", "kommunen"), (3, "Rådgiver", "kommunen")]
    assert search_text(focus, r"nett\w+", regex=True)[0]["match"] == "nettverket"
    code, out, err = _cli(focus, "search", "kommunen", "--code", "KOM", "--coder", "dag")
    assert code == 0 and "would code 2 span(s) in 1 transcript(s)" in err
    assert list_codings(focus, coder="dag") == []  # said what it would do, wrote nothing
    code, out, err = _cli(focus, "search", "kommunen", "--code", "KOM", "--coder", "dag",
                          "--yes")
    assert code == 0, err
    assert [r["turns"] for r in list_codings(focus, coder="dag")] == ["2", "3"]
    # one action: one undo takes back every span it coded
    from qualcode.services.coding_ops import undo_last

    assert "and of 1 more coding" in undo_last(focus, "dag")
    assert list_codings(focus, coder="dag") == []


def test_search_codes_no_interviewer_turn_unless_asked(example):
    from qualcode.services.coding_ops import list_codings
    from qualcode.services.queries import search_text, transcript_turns

    roles = {t["index"]: t["role"] for t in transcript_turns(example, "nordvik_rektor")["turns"]}
    hit_roles = {roles[h["turn"]] for h in search_text(example, "skolen",
                                                       transcripts=["nordvik_rektor"])}
    assert "intervjuer" in hit_roles and "rektor" in hit_roles  # both say it
    code, _, err = _cli(example, "search", "skolen", "-t", "nordvik_rektor", "--code", "KOM",
                        "--coder", "dag", "--yes")
    assert code == 0 and "interviewer turns left out" in err + _
    coded = {roles[int(t)] for r in list_codings(example, coder="dag")
             for t in r["turns"].split("-")}
    assert coded == {"rektor"}


def _cli(store, *args):
    from typer.testing import CliRunner

    from qualcode.cli import app

    result = CliRunner().invoke(app, ["--project", str(store.path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_where_value_the_project_lacks_lists_the_values_and_a_printed_label_is_read(
        example):
    """`--where rolle=rektr` is a typo, not an empty result; and the label a report prints
    ("videregående skole") finds the stored value (videregaende)."""
    import pytest

    from qualcode.domain.errors import NotFoundError
    from qualcode.services.retrieval import quotes

    with pytest.raises(NotFoundError, match=r"no rolle 'rektr' in this project.*did you "
                                            r"mean 'rektor'\?.*rolle: .*radgiver"):
        quotes(example, "LED", where=["rolle=rektr"])
    by_label = quotes(example, "LED", where=["skoleslag=videregående skole"])
    by_value = quotes(example, "LED", where=["skoleslag=videregaende"])
    assert by_label == by_value and by_value
    assert quotes(example, "LED", where=["rolle=Rådgiver"]) == quotes(
        example, "LED", where=["rolle=radgiver"])


SENTENCES = """Intervjuer: Hvordan følger dere opp elevene?
Rådgiver: Tja. (ler) Det er et godt spørsmål. Vi har faste samtaler med alle elever i \
tiende. De fleste kommer tilbake etterpå. Noen trenger mer hjelp enn andre. \
Kari tar de fleste av dem. Ola tar resten.
"""


def test_quotes_in_sentences_widen_skip_fillers_and_cut_between_sentences(store, tmp_path):
    import json

    from qualcode.services.coding_ops import add_coding

    load_into_project(store, CODEBOOK)
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "nordvik_radgiver.txt", SENTENCES)
    ingest.import_transcripts(store, [folder])
    at = SENTENCES.index("Tja.")
    add_coding(store, "nordvik_radgiver", "LED.forankring_eier", "kari", at,
               SENTENCES.index("med alle"))
    inner = SENTENCES.index("kommer tilbake")
    add_coding(store, "nordvik_radgiver", "NET.radgivernettverk", "kari", inner,
               SENTENCES.index(" Ola tar"))
    [plain] = quotes(store, "LED.forankring_eier")
    assert plain["text"].startswith("Tja. (ler)") and "i tiende" not in plain["text"]
    [whole] = quotes(store, "LED.forankring_eier", sentences=True)
    assert whole["text"] == "Vi har faste samtaler med alle elever i tiende."
    assert (whole["start"], whole["end"]) == (plain["start"], plain["end"])
    [cut] = quotes(store, "NET.radgivernettverk", sentences=True, max_chars=80)
    assert cut["text"] == ("De fleste kommer tilbake etterpå. Noen trenger mer hjelp enn "
                           "andre. […]")
    code, out, err = _cli(store, "quotes", "NET", "--sentences", "-f", "json",
                          "--identifiable")
    assert code == 0, err
    assert json.loads(out)[0]["text"] == ("De fleste kommer tilbake etterpå. Noen trenger mer "
                                          "hjelp enn andre. Kari tar de fleste av dem.")
    code, out, err = _cli(store, "quotes", "LED", "--sentences", "-f", "csv", "--identifiable")
    assert code == 0 and "Vi har faste samtaler med alle elever i tiende." in out
    assert "Tja" not in out
    code, out, err = _cli(store, "quotes", "LED", "--sentences", "--identifiable")
    assert code == 0 and "elever i tiende." in out and "Tja" not in out
    code, out, err = _cli(store, "quotes", "LED", "--identifiable")
    assert code == 0 and "Tja" in out and "elever i tiende" not in out
