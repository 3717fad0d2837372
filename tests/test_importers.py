"""Transcript import: speaker turns, metadata, encodings and .docx files.

The promise users rely on: for every turn, ``text[turn.start:turn.end]`` is exactly what
that speaker said, so codings stored as offsets always point at the right words.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest

from qualcode.domain.errors import InputFileError
from qualcode.importers import read_transcript
from qualcode.importers.speakers import normalise_label, parse_turns, role_from_label
from qualcode.sheets import read_attribute_sheets

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "transcripts_example"
_SHEET = read_attribute_sheets([EXAMPLE / "attributes.yaml"])
EXAMPLE_SITES = {s.site_id for s in _SHEET.sites}
EXAMPLE_PERSONS = {p.person_id for p in _SHEET.persons}
EXAMPLE_TRANSCRIPTS = sorted(
    p for pattern in ("*.txt", "*.md", "*.docx") for p in EXAMPLE.glob(pattern)
    if not p.name.upper().startswith("README")
)


def turns_of(text: str, mapped: set[str] | None = None, extra: set[str] | None = None):
    """(label, spoken text) per turn, checking the offsets slice back to the text."""
    turns = parse_turns(text, mapped or set(), extra or set())
    assert [t.index for t in turns] == list(range(1, len(turns) + 1))
    return [(t.label, text[t.start:t.end]) for t in turns]


def spoken(parsed) -> list[tuple[str | None, str]]:
    return [(t.label, parsed.text[t.start:t.end]) for t in parsed.turns]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- parse_turns: labels ---------------------------------------------------------------

def test_role_labels_with_numbers():
    """'Intervjuer:', 'Rådgiver 1:' and 'Lærer 2:' start turns; offsets slice to the answer."""
    text = "Intervjuer: Hva gjør dere?\nRådgiver 1: Vi har ni klasser.\nLærer 2: Og jeg er ærlig."
    assert turns_of(text) == [
        ("Intervjuer", "Hva gjør dere?"),
        ("Rådgiver 1", "Vi har ni klasser."),
        ("Lærer 2", "Og jeg er ærlig."),
    ]


def test_turn_offsets_are_exact():
    """Start and end are code-point offsets that exclude the label and surrounding spaces."""
    text = "Intervjuer: Hei.\nRektor: Ja, blåbær."
    turns = parse_turns(text)
    assert [(t.label, t.start, t.end) for t in turns] == [
        ("Intervjuer", 12, 16),
        ("Rektor", 25, 36),
    ]


def test_i_r_convention():
    """The short I:/R: convention is recognised even though R is no role word."""
    text = "I: Hvor lenge har du vært rektor?\nR: Ni år.\nI: Og før det?\nR: Lærer."
    assert turns_of(text) == [
        ("I", "Hvor lenge har du vært rektor?"),
        ("R", "Ni år."),
        ("I", "Og før det?"),
        ("R", "Lærer."),
    ]
    assert role_from_label("I") == "intervjuer"
    assert role_from_label("R") is None


def test_repeated_names_are_labels():
    """A first name used as a label on two or more lines ('Kari:') is a speaker."""
    text = "Kari: Hei.\nOla: Hei på deg.\nKari: Hvordan går det?\nOla: Bra."
    assert turns_of(text) == [
        ("Kari", "Hei."),
        ("Ola", "Hei på deg."),
        ("Kari", "Hvordan går det?"),
        ("Ola", "Bra."),
    ]


def test_name_used_once_is_a_label_only_when_mapped():
    """A name used once is accepted if the metadata maps it, otherwise it stays text."""
    text = "Intervjuer: Velkommen.\nKari: Takk."
    assert turns_of(text) == [("Intervjuer", "Velkommen.\nKari: Takk.")]
    assert turns_of(text, mapped={"Kari"}) == [("Intervjuer", "Velkommen."), ("Kari", "Takk.")]


def test_timestamp_before_label():
    """'[00:12:31] Rektor: …' — the timestamp is neither label nor spoken text."""
    text = "[00:12:31] Rektor: Vi har ni klasser.\n[00:12:40] Intervjuer: Ni?"
    assert turns_of(text) == [("Rektor", "Vi har ni klasser."), ("Intervjuer", "Ni?")]


def test_timestamp_after_label():
    """'Rektor [00:12:31]: …' — bracketed timestamp between label and colon."""
    text = "Rektor [00:12:31]: Vi har ni klasser.\nIntervjuer (00:12:40): Ni?"
    assert turns_of(text) == [("Rektor", "Vi har ni klasser."), ("Intervjuer", "Ni?")]


def test_unbracketed_timestamp_after_label():
    """'Rektor 00:12:31: …' is Rektor speaking, not a speaker called 'Rektor 0'."""
    text = "Rektor 00:12:31: Vi har ni klasser.\nIntervjuer 00:12:40: Ni?"
    assert turns_of(text) == [("Rektor", "Vi har ni klasser."), ("Intervjuer", "Ni?")]


def test_markdown_bold_labels():
    """'**Rektor:**', '**Intervjuer**:' and '__Rektor:__' are labels without the asterisks."""
    text = "**Rektor:** Ja.\n**Intervjuer**: Hvorfor?\n__Rektor:__ Fordi."
    assert turns_of(text) == [("Rektor", "Ja."), ("Intervjuer", "Hvorfor?"), ("Rektor", "Fordi.")]


def test_continuation_lines_join_previous_turn():
    """Lines without a label belong to the turn before, blank lines included."""
    text = ("Intervjuer: Fortell.\nRådgiver: Første avsnitt.\n\nAndre avsnitt, "
            "på øya.\nTredje.\nIntervjuer: Takk.")
    assert turns_of(text) == [
        ("Intervjuer", "Fortell."),
        ("Rådgiver", "Første avsnitt.\n\nAndre avsnitt, på øya.\nTredje."),
        ("Intervjuer", "Takk."),
    ]


def test_colon_inside_sentence_is_not_a_turn():
    """'Det er sånn: vi …' at the start of a line stays inside the running turn."""
    text = ("Intervjuer: Hvordan er det?\nRektor: Tja.\nDet er sånn: vi har ikke tid.\n"
            "Intervjuer: Skjønner.")
    assert turns_of(text) == [
        ("Intervjuer", "Hvordan er det?"),
        ("Rektor", "Tja.\nDet er sånn: vi har ikke tid."),
        ("Intervjuer", "Skjønner."),
    ]


def test_rektor_sa_is_not_a_label():
    """'Rektor sa: …' reports speech; it is not the rektor speaking."""
    text = "Intervjuer: Hva skjedde?\nRådgiver: Jeg spurte.\nRektor sa: nei.\nIntervjuer: Å?"
    assert turns_of(text) == [
        ("Intervjuer", "Hva skjedde?"),
        ("Rådgiver", "Jeg spurte.\nRektor sa: nei."),
        ("Intervjuer", "Å?"),
    ]


def test_reported_speech_twice_is_not_a_label():
    """Even when 'Rektor sa:' opens two lines it is reported speech, not a speaker."""
    text = ("Intervjuer: Hva skjedde?\nRådgiver: Jeg spurte to ganger.\nRektor sa: nei.\n"
            "Rektor sa: kanskje.\nIntervjuer: Å?")
    assert turns_of(text) == [
        ("Intervjuer", "Hva skjedde?"),
        ("Rådgiver", "Jeg spurte to ganger.\nRektor sa: nei.\nRektor sa: kanskje."),
        ("Intervjuer", "Å?"),
    ]


def test_text_before_first_label_is_not_a_turn():
    """A preamble before the first label stays in the text but belongs to no turn."""
    text = "Opptak 14. oktober.\nIntervjuer: Hei.\nRektor: Hei."
    assert turns_of(text) == [("Intervjuer", "Hei."), ("Rektor", "Hei.")]


def test_label_alone_on_its_line():
    """'Rektor:' on its own line: the answer on the next line is Rektor's."""
    text = "Intervjuer: Spørsmål?\nRektor:\nSvaret kommer her.\nIntervjuer: Takk."
    assert turns_of(text) == [
        ("Intervjuer", "Spørsmål?"),
        ("Rektor", "Svaret kommer her."),
        ("Intervjuer", "Takk."),
    ]


def test_no_labels_gives_no_turns():
    assert parse_turns("Bare løpende tekst.\nIngen etiketter: her.") == []


def test_normalise_label_compares_case_and_spacing_insensitively():
    assert normalise_label("Rådgiver  1.") == "rådgiver 1"
    assert normalise_label("LÆRER 2") == normalise_label("lærer 2")


# --- read_transcript: metadata ---------------------------------------------------------

FRONT = """---
title: Intervju med rektor
site: nordvik_u
format: individuelt
dato: 2021-10-14
runde: 1
modus: fysisk
speakers:
  Rektor: nordvik_rektor
---
Intervjuer: Velkommen.
Rektor: Takk, det er fint å være med.
"""


def test_front_matter_is_parsed_and_removed_from_text(tmp_path):
    """Front matter gives site, title, speakers and typed attributes; the body starts after it."""
    parsed = read_transcript(write(tmp_path / "nordvik_rektor.txt", FRONT))
    meta = parsed.metadata
    assert meta.site == "nordvik_u"
    assert meta.title == "Intervju med rektor"
    assert meta.speakers == {"Rektor": "nordvik_rektor"}
    assert meta.attributes == {
        "format": "individuelt",
        "dato": dt.date(2021, 10, 14),
        "runde": 1,
        "modus": "fysisk",
    }
    assert type(meta.attributes["runde"]) is int
    assert parsed.text == "Intervjuer: Velkommen.\nRektor: Takk, det er fint å være med."
    assert spoken(parsed) == [("Intervjuer", "Velkommen."),
                              ("Rektor", "Takk, det er fint å være med.")]
    assert parsed.name == "nordvik_rektor"
    assert parsed.source_format == "txt"
    assert parsed.encoding == "utf-8"
    assert parsed.warnings == []


def test_front_matter_with_windows_line_ends(tmp_path):
    """A transcript saved on Windows (CRLF) has its front matter read like any other."""
    parsed = read_transcript(write(tmp_path / "nordvik_rektor.txt", FRONT.replace("\n", "\r\n")))
    assert parsed.metadata.site == "nordvik_u"
    assert parsed.text == "Intervjuer: Velkommen.\nRektor: Takk, det er fint å være med."


def test_front_matter_may_end_with_dots(tmp_path):
    """YAML's '...' document end closes front matter too."""
    parsed = read_transcript(write(tmp_path / "t.md", "---\nsite: vestby_vgs\n...\n"
                                   "Intervjuer: Hei.\nRektor: Hei."))
    assert parsed.metadata.site == "vestby_vgs"
    assert parsed.text == "Intervjuer: Hei.\nRektor: Hei."


def test_sidecar_yaml_for_docx(tmp_path):
    """A .docx gets its metadata from '<stem>.yaml' next to it."""
    path = tmp_path / "nordvik_laerere.docx"
    document = docx.Document()
    for label, said in [("Intervjuer", "Hei."), ("Lærer 1", "Hei."), ("Lærer 2", "Hallo.")]:
        para = document.add_paragraph()
        para.add_run(f"{label}:").bold = True
        para.add_run(f" {said}")
    document.save(path)
    write(tmp_path / "nordvik_laerere.yaml",
          "site: nordvik_u\nformat: parvis\ndato: 2021-10-15\nrunde: 1\n"
          "speakers:\n  Lærer 1: nordvik_laerer1\n  Lærer 2: nordvik_laerer2\n")
    parsed = read_transcript(path)
    assert parsed.metadata.site == "nordvik_u"
    assert parsed.metadata.speakers == {"Lærer 1": "nordvik_laerer1",
                                        "Lærer 2": "nordvik_laerer2"}
    assert parsed.metadata.attributes["format"] == "parvis"
    assert parsed.metadata.attributes["runde"] == 1
    assert str(parsed.metadata.attributes["dato"]) == "2021-10-15"
    assert parsed.source_format == "docx"
    assert parsed.encoding is None
    assert spoken(parsed) == [("Intervjuer", "Hei."), ("Lærer 1", "Hei."), ("Lærer 2", "Hallo.")]


def test_sidecar_overrides_front_matter_key_by_key(tmp_path):
    """With both, the sidecar wins for the keys it sets; the rest comes from front matter."""
    path = write(tmp_path / "t.txt", "---\nsite: nordvik_u\nmodus: fysisk\n---\n"
                 "Intervjuer: Hei.\nRektor: Hei.")
    write(tmp_path / "t.yaml", "modus: digital\n")
    meta = read_transcript(path).metadata
    assert meta.site == "nordvik_u"
    assert meta.attributes == {"modus": "digital"}


def test_invalid_format_names_the_file(tmp_path):
    """'format: intervju' is refused with the file named and the allowed values listed."""
    path = write(tmp_path / "feil_format.txt", "---\nformat: intervju\n---\nIntervjuer: Hei.\n")
    with pytest.raises(InputFileError) as info:
        read_transcript(path)
    message = str(info.value)
    assert "feil_format.txt" in message
    assert "format 'intervju' is not one of individuelt, parvis, gruppe, fokusgruppe" in message


def test_yaml_error_in_front_matter_gives_file_line(tmp_path):
    """A YAML mistake in front matter is reported with the line number in the transcript file."""
    path = write(tmp_path / "yamlfeil.txt",
                 "---\nsite: nordvik_u\nspeakers:\n  Rektor: nordvik_rektor\n"
                 "   Intervjuer: ingen\n---\nIntervjuer: Hei.\n")
    with pytest.raises(InputFileError) as info:
        read_transcript(path)
    assert info.value.line == 5
    assert str(info.value).startswith(f"{path}:5: YAML syntax error")


def test_speakers_must_be_a_mapping(tmp_path):
    path = write(tmp_path / "t.txt", "---\nspeakers: [Rektor, Intervjuer]\n---\nRektor: Hei.\n")
    with pytest.raises(InputFileError, match="'speakers' must map each speaker label"):
        read_transcript(path)


def test_no_speaker_labels_gives_one_unattributed_turn_and_a_warning(tmp_path):
    """A transcript without labels is still imported, as one turn, with a warning."""
    body = "Vi snakket om rådgivning.\nDet var en god samtale."
    parsed = read_transcript(write(tmp_path / "notat.txt", body))
    assert len(parsed.turns) == 1
    turn = parsed.turns[0]
    assert (turn.index, turn.label, turn.start, turn.end) == (1, None, 0, len(body))
    assert parsed.text[turn.start:turn.end] == body
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith("notat.txt: no speaker labels found")


def test_mapped_label_that_never_speaks_is_warned(tmp_path):
    parsed = read_transcript(write(tmp_path / "t.txt", "---\nspeakers:\n  Rektor: r\n"
                                   "  Lærer 1: l1\n---\nIntervjuer: Hei.\nRektor: Hei."))
    assert parsed.warnings == [
        "t.txt: speaker 'Lærer 1' is mapped in the metadata but never speaks"
    ]


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t"])
def test_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "tom.txt"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match="the file is empty") as info:
        read_transcript(path)
    assert info.value.path == str(path)


def test_front_matter_only_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="no text after its metadata"):
        read_transcript(write(tmp_path / "bare_meta.md", "---\nsite: nordvik_u\n---\n"))


def test_unsupported_suffix(tmp_path):
    with pytest.raises(InputFileError, match="unsupported file type '.rtf'"):
        read_transcript(write(tmp_path / "t.rtf", "Intervjuer: Hei."))


# --- encodings -------------------------------------------------------------------------

NORWEGIAN = "Intervjuer: Er rådgiveren ærlig?\nRektor: Ja, på øya er hun det. Blåbær!"
NORWEGIAN_TURNS = [("Intervjuer", "Er rådgiveren ærlig?"),
                   ("Rektor", "Ja, på øya er hun det. Blåbær!")]


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"),
     ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le")],
)
def test_txt_encodings_keep_norwegian_letters(tmp_path, encoding, reported):
    """cp1252 and UTF-16 .txt files are read with æøå intact."""
    parsed = read_transcript(write(tmp_path / "t.txt", NORWEGIAN, encoding))
    assert parsed.encoding == reported
    assert parsed.text == NORWEGIAN
    assert spoken(parsed) == NORWEGIAN_TURNS


def test_crlf_file_round_trips(tmp_path):
    parsed = read_transcript(write(tmp_path / "t.txt", NORWEGIAN.replace("\n", "\r\n") + "\r\n"))
    assert parsed.text == NORWEGIAN
    assert spoken(parsed) == NORWEGIAN_TURNS


def test_nfd_text_and_labels_become_nfc(tmp_path):
    """Decomposed letters (macOS) are stored composed, in labels, text and speaker maps."""
    nfd = unicodedata.normalize("NFD", "---\nspeakers:\n  Rådgiver: nordvik_radgiver\n---\n"
                                "Intervjuer: Hvem er du?\nRådgiver: Jeg er lærer på øya.")
    assert nfd != unicodedata.normalize("NFC", nfd)
    parsed = read_transcript(write(tmp_path / "t.md", nfd))
    assert unicodedata.is_normalized("NFC", parsed.text)
    assert parsed.metadata.speakers == {"Rådgiver": "nordvik_radgiver"}
    assert spoken(parsed) == [("Intervjuer", "Hvem er du?"),
                              ("Rådgiver", "Jeg er lærer på øya.")]
    assert parsed.warnings == []


def test_txt_that_is_a_zip_is_refused(tmp_path):
    """A Word file renamed to .txt is refused with a hint, not imported as garbage."""
    path = tmp_path / "egentlig_word.txt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InputFileError, match="zip/Word file with a text extension") as info:
        read_transcript(path)
    assert info.value.hint == "rename it to .docx"


# --- .docx -----------------------------------------------------------------------------

def _docx(path: Path, build) -> Path:
    document = docx.Document()
    build(document)
    document.save(path)
    return path


def _para(document, *runs: tuple[str, bool]):
    para = document.add_paragraph()
    for text, bold in runs:
        para.add_run(text).bold = bold
    return para


def test_docx_bold_label_with_colon(tmp_path):
    """A bold 'Rektor:' run followed by plain text is Rektor speaking."""
    def build(d):
        _para(d, ("Intervjuer:", True), (" Hva gjør dere?", False))
        _para(d, ("Rektor:", True), (" Vi har ni klasser på øya.", False))
    parsed = read_transcript(_docx(tmp_path / "t.docx", build))
    assert parsed.text == "Intervjuer: Hva gjør dere?\nRektor: Vi har ni klasser på øya."
    assert spoken(parsed) == [("Intervjuer", "Hva gjør dere?"),
                              ("Rektor", "Vi har ni klasser på øya.")]


def test_docx_bold_label_without_colon_then_colon_text(tmp_path):
    """Bold 'Rektor' followed by plain ': text' is a label as well."""
    def build(d):
        _para(d, ("Intervjuer", True), (": Hva gjør dere?", False))
        _para(d, ("Rektor", True), (" ", False), (": Vi har ni klasser.", False))
    parsed = read_transcript(_docx(tmp_path / "t.docx", build))
    assert parsed.text == "Intervjuer: Hva gjør dere?\nRektor: Vi har ni klasser."
    assert spoken(parsed) == [("Intervjuer", "Hva gjør dere?"),
                              ("Rektor", "Vi har ni klasser.")]


def test_docx_bold_heading_without_colon_is_not_a_label(tmp_path):
    """A bold heading or emphasised opening word does not start a turn."""
    def build(d):
        _para(d, ("Intervjuer:", True), (" Første tema.", False))
        _para(d, ("Ledelse", True))
        _para(d, ("Viktig", True), (" poeng her.", False))
        _para(d, ("Rektor:", True), (" Svar.", False))
    parsed = read_transcript(_docx(tmp_path / "t.docx", build))
    assert parsed.text == ("Intervjuer: Første tema.\nLedelse\nViktig poeng her.\n"
                           "Rektor: Svar.")
    assert spoken(parsed) == [("Intervjuer", "Første tema.\nLedelse\nViktig poeng her."),
                              ("Rektor", "Svar.")]


def test_docx_bold_name_used_once_is_trusted(tmp_path):
    """A bold label in Word is a speaker even if the name appears only once."""
    def build(d):
        _para(d, ("Intervjuer:", True), (" Hei.", False))
        _para(d, ("Kari Nordmann:", True), (" Hei på deg.", False))
    parsed = read_transcript(_docx(tmp_path / "t.docx", build))
    assert spoken(parsed) == [("Intervjuer", "Hei."), ("Kari Nordmann", "Hei på deg.")]


def test_docx_two_column_table(tmp_path):
    """A speaker | text table reads like labelled lines; an empty speaker cell continues."""
    def build(d):
        d.add_paragraph("Parintervju, Nordvik")
        table = d.add_table(rows=0, cols=2)
        for who, said in [("Intervjuer", "Hva gjør dere?"), ("Lærer 1:", "Utdanningsvalg."),
                          ("Lærer 2", "Jeg er kontaktlærer."), ("", "Og mer til."),
                          ("Intervjuer", "Takk.")]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = who, said
    parsed = read_transcript(_docx(tmp_path / "t.docx", build))
    assert parsed.text == ("Parintervju, Nordvik\nIntervjuer: Hva gjør dere?\n"
                           "Lærer 1: Utdanningsvalg.\nLærer 2: Jeg er kontaktlærer.\n"
                           "Og mer til.\nIntervjuer: Takk.")
    assert spoken(parsed) == [
        ("Intervjuer", "Hva gjør dere?"),
        ("Lærer 1", "Utdanningsvalg."),
        ("Lærer 2", "Jeg er kontaktlærer.\nOg mer til."),
        ("Intervjuer", "Takk."),
    ]


def test_docx_that_is_not_a_zip(tmp_path):
    path = write(tmp_path / "x.docx", "Intervjuer: dette er egentlig tekst")
    with pytest.raises(InputFileError, match="not a valid .docx") as info:
        read_transcript(path)
    assert info.value.path == str(path)


def test_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "arkiv.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hei.txt", "hei")
    with pytest.raises(InputFileError) as info:
        read_transcript(path)
    assert info.value.path == str(path)
    assert ".docx" in info.value.reason
    assert info.value.hint == "open it in Word or LibreOffice and save it again as .docx"


# --- the bundled example study ---------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLE_TRANSCRIPTS, ids=lambda p: p.name)
def test_example_transcript_parses(path):
    """Each example transcript has at least 20 turns, exact offsets and mapped informants."""
    parsed = read_transcript(path)
    assert len(parsed.turns) >= 20
    assert unicodedata.is_normalized("NFC", parsed.text)
    assert parsed.warnings == []
    previous_end = 0
    for number, turn in enumerate(parsed.turns, start=1):
        assert turn.index == number
        said = parsed.text[turn.start:turn.end]
        assert said == said.strip() and said
        assert turn.start >= previous_end
        # the label and colon sit right before what was said
        line_start = parsed.text.rfind("\n", 0, turn.start) + 1
        assert parsed.text[line_start:turn.start].rstrip().endswith(f"{turn.label}:")
        previous_end = turn.end
    mapped = {normalise_label(label) for label, person in parsed.metadata.speakers.items()
              if person}
    informants = {normalise_label(t.label) for t in parsed.turns
                  if role_from_label(t.label) != "intervjuer"}
    assert informants - mapped <= {"elev"}
    # the metadata points at sites and persons that the example attributes sheet defines
    assert parsed.metadata.site in EXAMPLE_SITES
    assert {p for p in parsed.metadata.speakers.values() if p} <= EXAMPLE_PERSONS


def test_example_study_is_present():
    """The example study ships transcripts in all three formats."""
    assert {p.suffix for p in EXAMPLE_TRANSCRIPTS} == {".txt", ".md", ".docx"}


def test_a_parsed_transcript_arrives_from_a_parsing_worker_unchanged(tmp_path):
    """A big batch is parsed in worker processes and each transcript is pickled to the
    import: it must arrive whole, with its turns' labels, offsets, words and times, the
    unattributed turns and the warnings."""
    import pickle

    path = tmp_path / "intervju.txt"
    path.write_text("---\nsite: nv\nspeakers:\n  Lærer: ola\n---\nOverskrift\n"
                    "[00:00:05] Rektor: Hei, og velkommen.\n"
                    "Rådgiver: Takk – [00:01:10] skole-hjem-samarbeid.\n00:02:00\n"
                    "Rektor: Ja.\nKari: Én gang.\n", encoding="utf-8")
    parsed = read_transcript(path)
    assert len(parsed.turns) >= 3 and parsed.sync_points and parsed.warnings
    assert any(turn.t_start is not None for turn in parsed.turns)
    arrived = pickle.loads(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
    assert arrived == parsed
    assert [type(turn) for turn in arrived.turns] == [type(turn) for turn in parsed.turns]
