"""Subtitle transcripts (.vtt from Teams or Zoom, .srt from transcription services).

What researchers rely on: each speaker's answer becomes one turn with the speaker's name as
its label, the text is exactly what was said (no timings, no markup), and a broken file is
refused with the line to fix.
"""

from __future__ import annotations

import pytest

from qualcode.domain.errors import InputFileError
from qualcode.importers import SUPPORTED_SUFFIXES, read_transcript
from qualcode.importers.subtitles import parse_cues
from qualcode.services import ingest, queries
from tests.conftest import write


def spoken(parsed) -> list[tuple[str | None, str]]:
    return [(t.label, parsed.text[t.start:t.end]) for t in parsed.turns]


TEAMS = """WEBVTT

NOTE eksportert fra Teams

3f6c1a2e-77b4-4a5e-9d0e-1c2b3a4d5e6f/12-0
00:00:03.520 --> 00:00:07.410
<v Ola Nordmann>Hvordan jobber dere med rådgivning på skolen?</v>

3f6c1a2e-77b4-4a5e-9d0e-1c2b3a4d5e6f/13-0
00:00:08.000 --> 00:00:12.250
<v Kari Hansen>Vi har én rådgiver i halv stilling,</v>

3f6c1a2e-77b4-4a5e-9d0e-1c2b3a4d5e6f/13-1
00:00:12.250 --> 00:00:15.000
<v Kari Hansen>og lærerne på øya gjør resten.</v>

3f6c1a2e-77b4-4a5e-9d0e-1c2b3a4d5e6f/14-0
00:00:15.500 --> 00:00:17.000
<v Ola Nordmann>Æ, det høres krevende ut.</v>
"""
TEAMS_TURNS = [
    ("Ola Nordmann", "Hvordan jobber dere med rådgivning på skolen?"),
    ("Kari Hansen", "Vi har én rådgiver i halv stilling, og lærerne på øya gjør resten."),
    ("Ola Nordmann", "Æ, det høres krevende ut."),
]


def test_teams_vtt_gives_one_turn_per_answer_with_names_as_labels(tmp_path):
    """Teams voice spans name the speakers; a name needs no role word or repetition."""
    parsed = read_transcript(write(tmp_path / "nordvik_radgiver.vtt", TEAMS))
    assert spoken(parsed) == TEAMS_TURNS
    assert parsed.text == (
        "Ola Nordmann: Hvordan jobber dere med rådgivning på skolen?\n\n"
        "Kari Hansen: Vi har én rådgiver i halv stilling, og lærerne på øya gjør resten.\n\n"
        "Ola Nordmann: Æ, det høres krevende ut.")
    assert parsed.name == "nordvik_radgiver"
    assert parsed.source_format == "vtt"
    assert parsed.encoding == "utf-8"
    assert parsed.warnings == []
    assert [t.n_words for t in parsed.turns] == [7, 13, 5]


def test_consecutive_cues_and_lines_of_one_speaker_join_with_spaces(tmp_path):
    """Four-second cues and two-line cues of one speaker are one turn, joined by spaces;
    a cue that names nobody continues the turn before it."""
    vtt = """WEBVTT

00:01.000 --> 00:04.000
<v Rektor>Vi startet med
karriereveiledning i 2019.

00:04.000 --> 00:06.000
<v Rektor>Det var rådgiverens idé.

00:06.000 --> 00:08.000
Og hun har drevet det siden.

00:08.000 --> 00:09.000
<v Intervjuer>Takk.
"""
    parsed = read_transcript(write(tmp_path / "t.vtt", vtt))
    assert spoken(parsed) == [
        ("Rektor", "Vi startet med karriereveiledning i 2019. Det var rådgiverens idé. "
                   "Og hun har drevet det siden."),
        ("Intervjuer", "Takk."),
    ]


def test_voice_span_with_class_and_without_closing_tag(tmp_path):
    """'<v.loud Name>' and an unclosed '<v Name>' are speakers; two voices in one cue split."""
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v.loud Lærer 1>Nei!\n\n"
           "00:00:03.000 --> 00:00:05.000\n<v Lærer 2>Jo.</v> <v Lærer 1>Vel, kanskje.</v>\n")
    parsed = read_transcript(write(tmp_path / "t.vtt", vtt))
    assert spoken(parsed) == [("Lærer 1", "Nei!"), ("Lærer 2", "Jo."),
                              ("Lærer 1", "Vel, kanskje.")]


def test_zoom_name_prefix_is_the_speaker(tmp_path):
    """Zoom writes 'Name: text' in every cue; a name used once (three-part Norwegian names
    included) counts there, and a colon later in the text does not."""
    vtt = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Ola Nordmann: Hva er det viktigste?

2
00:00:04.000 --> 00:00:09.000
Kari Anne Berg: Det er sånn: elevene må få prøve seg.

3
00:00:09.000 --> 00:00:11.000
Ola Nordmann: Skjønner.
"""
    parsed = read_transcript(write(tmp_path / "zoom.vtt", vtt))
    assert spoken(parsed) == [
        ("Ola Nordmann", "Hva er det viktigste?"),
        ("Kari Anne Berg", "Det er sånn: elevene må få prøve seg."),
        ("Ola Nordmann", "Skjønner."),
    ]


def test_zoom_lower_case_display_names_count_but_sound_notes_do_not(tmp_path):
    """Zoom display names may be lower case ('kari h'); in a file where cues open with names,
    one used twice is a speaker. A bracketed '[latter]' before text is still no speaker."""
    srt = ("1\n00:00:01,000 --> 00:00:02,000\nIntervjuer: Er du enig?\n\n"
           "2\n00:00:02,000 --> 00:00:03,000\nkari h: [latter] Ja.\n\n"
           "3\n00:00:03,000 --> 00:00:04,000\n[latter] Helt enig.\n\n"
           "4\n00:00:04,000 --> 00:00:05,000\nIntervjuer: Hvorfor?\n\n"
           "5\n00:00:05,000 --> 00:00:06,000\nkari h: Fordi.\n[latter] Sånn er det.\n")
    parsed = read_transcript(write(tmp_path / "zoom.srt", srt))
    assert spoken(parsed) == [
        ("Intervjuer", "Er du enig?"),
        ("kari h", "[latter] Ja. [latter] Helt enig."),
        ("Intervjuer", "Hvorfor?"),
        ("kari h", "Fordi. [latter] Sånn er det."),
    ]


def test_colon_sentence_in_a_cue_is_not_a_speaker(tmp_path):
    """'Det er sånn: …' opening a cue stays in the running turn, as in text transcripts."""
    vtt = ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Rektor>Tja.\n\n"
           "00:02.000 --> 00:04.000\nDet er sånn: vi har ikke tid.\n\n"
           "00:04.000 --> 00:05.000\n<v Intervjuer>Skjønner.\n")
    parsed = read_transcript(write(tmp_path / "t.vtt", vtt))
    assert spoken(parsed) == [("Rektor", "Tja. Det er sånn: vi har ikke tid."),
                              ("Intervjuer", "Skjønner.")]


def test_markup_and_entities_are_removed(tmp_path):
    """Italics, classes, karaoke timestamps and font tags go; &amp; &lt; &gt; &nbsp; &lrm;
    are decoded, so the stored text is what was said."""
    vtt = ("WEBVTT Kind: captions\n\n00:00:01.000 --> 00:00:05.000 align:start position:10%\n"
           "<v Rektor><i>Karakterer</i> &amp; <c.gul>vurdering</c> er &lt;viktig&gt;,\n"
           "<00:00:03.000><b>ikke</b>&nbsp;sant?&lrm;\n")
    parsed = read_transcript(write(tmp_path / "t.vtt", vtt))
    assert spoken(parsed) == [("Rektor", "Karakterer & vurdering er <viktig>, ikke sant?")]
    srt = ('1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color="#ffff00">Rektor:</font> '
           "<i>Ja,</i> under <5 elever.\n")
    parsed = read_transcript(write(tmp_path / "t.srt", srt))
    assert spoken(parsed) == [("Rektor", "Ja, under <5 elever.")]


def test_srt_with_name_prefix(tmp_path):
    """SubRip cues with 'Name:' become turns; numbers and timings are not in the text."""
    srt = """1
00:00:01,000 --> 00:00:04,000
Intervjuer: Hvor lenge har du vært rådgiver?

2
00:00:04,500 --> 00:00:07,000
Siri: I ni år,
men først som lærer.

3
00:00:07,000 --> 00:00:09,000
Intervjuer: Og før det?

4
00:00:09,000 --> 00:00:10,000
Siri: Lærer på Nordvik.
"""
    parsed = read_transcript(write(tmp_path / "vestbo_radgiver.srt", srt))
    assert spoken(parsed) == [
        ("Intervjuer", "Hvor lenge har du vært rådgiver?"),
        ("Siri", "I ni år, men først som lærer."),
        ("Intervjuer", "Og før det?"),
        ("Siri", "Lærer på Nordvik."),
    ]
    assert parsed.source_format == "srt"
    assert parsed.warnings == []


def test_srt_bracket_names_and_sound_notes(tmp_path):
    """'[Kari] …' names the speaker (a role, or a name used twice, as in text transcripts);
    a lone '[latter]' is a sound note and stays as text."""
    srt = ("1\n00:00:01,000 --> 00:00:03,000\n[Intervjuer] Var det gøy?\n\n"
           "2\n00:00:03,000 --> 00:00:05,000\n[Kari]: Ja!\n[latter]\n\n"
           "3\n00:00:05,000 --> 00:00:06,000\n[Intervjuer] Fint.\n\n"
           "4\n00:00:06,000 --> 00:00:07,000\n[Kari] Veldig.\n")
    parsed = read_transcript(write(tmp_path / "t.srt", srt))
    assert spoken(parsed) == [("Intervjuer", "Var det gøy?"), ("Kari", "Ja! [latter]"),
                              ("Intervjuer", "Fint."), ("Kari", "Veldig.")]


def test_srt_dialogue_dashes_stay_in_the_running_turn(tmp_path):
    """A dash marks another voice without naming it: qualcode does not guess who, so the
    line stays in the running turn with its dash; '- Name:' does name the speaker."""
    srt = ("1\n00:00:01,000 --> 00:00:03,000\nLærer 1: Skal vi ta det neste?\n- Ja.\n\n"
           "2\n00:00:03,000 --> 00:00:05,000\n- Lærer 2: Vent litt.\n- Lærer 1: Greit.\n")
    parsed = read_transcript(write(tmp_path / "t.srt", srt))
    assert spoken(parsed) == [("Lærer 1", "Skal vi ta det neste? - Ja."),
                              ("Lærer 2", "Vent litt."), ("Lærer 1", "Greit.")]


@pytest.mark.parametrize(("name", "content"), [
    ("teams.vtt", TEAMS),
    ("tjeneste.srt", "1\n00:00:01,000 --> 00:00:02,000\nIntervjuer: Hei på deg.\n\n"
                     "2\n00:00:02,000 --> 00:00:03,000\nRådgiver: Hei, på øya.\n"),
])
def test_bom_and_windows_line_ends(tmp_path, name, content):
    """A Windows export (UTF-8 BOM, CRLF) reads exactly like the plain file."""
    plain = read_transcript(write(tmp_path / f"plain_{name}", content))
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + content.replace("\n", "\r\n").encode("utf-8"))
    parsed = read_transcript(path)
    assert parsed.encoding == "utf-8-sig"
    assert parsed.text == plain.text
    assert spoken(parsed) == spoken(plain)
    assert "\r" not in parsed.text and "\ufeff" not in parsed.text


def test_utf16_and_cp1252_subtitles_keep_norwegian_letters(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:02,000\nRektor: Blåbær på øya.\n"
    for encoding in ("utf-16", "cp1252"):
        path = tmp_path / f"{encoding}.srt"
        path.write_bytes(srt.encode(encoding))
        assert spoken(read_transcript(path)) == [("Rektor", "Blåbær på øya.")]


def test_sidecar_maps_a_speaker_name_to_a_person(tmp_path):
    """'<stem>.yaml' next to a .vtt maps Teams names to persons and sets the metadata; a
    mapped name counts as a speaker even when used once in a 'Name:' prefix."""
    vtt = TEAMS + "\n00:00:17.000 --> 00:00:18.000\nPer Olsen: Jeg vil legge til noe.\n"
    path = write(tmp_path / "nordvik_radgiver.vtt", vtt)
    write(tmp_path / "nordvik_radgiver.yaml",
          "site: nordvik_u\nformat: individuelt\nspeakers:\n  Kari Hansen: nordvik_radgiver\n"
          "  Per Olsen: nordvik_rektor\n")
    parsed = read_transcript(path)
    assert parsed.metadata.site == "nordvik_u"
    assert parsed.metadata.speakers == {"Kari Hansen": "nordvik_radgiver",
                                        "Per Olsen": "nordvik_rektor"}
    assert parsed.metadata.attributes == {"format": "individuelt"}
    assert spoken(parsed) == TEAMS_TURNS + [("Per Olsen", "Jeg vil legge til noe.")]
    assert parsed.warnings == []


def test_names_with_punctuation_become_labels_without_it(tmp_path):
    """'Nordmann, Ola' and 'Kari (Gjest)' cannot be labels as written: punctuation becomes
    spaces, and that is the label to map in the sidecar."""
    vtt = ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Nordmann, Ola>Velkommen.\n\n"
           "00:02.000 --> 00:03.000\n<v Kari (Gjest)>Takk.\n")
    parsed = read_transcript(write(tmp_path / "t.vtt", vtt))
    assert spoken(parsed) == [("Nordmann Ola", "Velkommen."), ("Kari Gjest", "Takk.")]


def test_opening_cues_without_a_speaker_are_kept_and_warned_about(tmp_path):
    """Speech before the first named speaker stays in the text but is in no turn: say so."""
    vtt = ("WEBVTT\n\n00:01.000 --> 00:02.000\nEr opptaket i gang?\n\n"
           "00:02.000 --> 00:03.000\n<v Intervjuer>Da begynner vi.\n")
    parsed = read_transcript(write(tmp_path / "start.vtt", vtt))
    assert parsed.text == "Er opptaket i gang?\n\nIntervjuer: Da begynner vi."
    assert spoken(parsed) == [("Intervjuer", "Da begynner vi.")]
    assert parsed.warnings == ["start.vtt: the cues before the first named speaker (from line "
                               "3) are kept in the text but belong to no turn"]


def test_subtitles_without_speakers_are_one_unattributed_turn(tmp_path):
    """As for text files: the whole text is one turn, with the usual warning."""
    srt = ("1\n00:00:01,000 --> 00:00:02,000\nVi snakket om rådgivning.\n\n"
           "2\n00:00:02,000 --> 00:00:03,000\nDet var fint.\n")
    parsed = read_transcript(write(tmp_path / "notat.srt", srt))
    assert spoken(parsed) == [(None, "Vi snakket om rådgivning. Det var fint.")]
    assert parsed.warnings[0].startswith("notat.srt: no speaker labels found")


def test_cue_times_are_read():
    """Timings are parsed to milliseconds (hours optional); the transcript does not store
    them, but the cues keep them."""
    cues = parse_cues("WEBVTT\n\nid\n01:02.500 --> 1:01:05.040 line:0\nHei.\n\n"
                      "01:01:06.000 --> 01:01:07.000\nHå.\n", "vtt", "t.vtt")
    assert [(c.line, c.start_ms, c.end_ms, c.payload) for c in cues] == [
        (4, 62_500, 3_665_040, ("Hei.",)), (7, 3_666_000, 3_667_000, ("Hå.",))]


def test_subtitle_suffixes_are_supported():
    assert {".vtt", ".srt"} <= set(SUPPORTED_SUFFIXES)


# --- broken files ----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "line", "reason", "hint"), [
    ("uten_header.vtt", "00:00:01.000 --> 00:00:02.000\nRektor: Hei.\n", 1,
     "not a WebVTT file: the first line is not 'WEBVTT'", "add the line WEBVTT at the top"),
    ("egentlig_srt.vtt", "1\n00:00:01,000 --> 00:00:02,000\nRektor: Hei.\n", 1,
     "not a WebVTT file", "rename it to .srt"),
    ("feil_tid.vtt", "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nRektor: Hei.\n\n"
                     "2\n00:00:02.000 --> 00:00:3.000\nRektor: Ja.\n", 8,
     "cannot read the cue timing '00:00:02.000 --> 00:00:3.000'", "00:01:02.500 --> "),
    ("feil_pil.srt", "1\n00:00:01,000 -> 00:00:02,000\nRektor: Hei.\n", 2,
     "cannot read the cue timing", "00:01:02,500 --> 00:01:05,000"),
    ("tekst_foran.srt", "Rektor: Hei,\n\n1\n00:00:01,000 --> 00:00:02,000\nog hallo.\n", 1,
     "expected a cue timing line", "remove the blank line"),
    ("limt.vtt", "WEBVTT\n00:00:01.000 --> 00:00:02.000\nRektor: Hei.\n", 2,
     "a cue follows the WEBVTT header without a blank line", "add an empty line"),
    ("langt_navn.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anne Lise Marie Berg Hansen>Hei.\n",
     4, "speaker name 'Anne Lise Marie Berg Hansen' cannot be a speaker label",
     "rename the speaker"),
])
def test_broken_subtitles_name_the_line(tmp_path, name, content, line, reason, hint):
    path = write(tmp_path / name, content)
    with pytest.raises(InputFileError) as info:
        read_transcript(path)
    error = info.value
    assert (error.path, error.line) == (str(path), line)
    assert error.reason.startswith(reason)
    assert hint in error.hint
    assert "\n" not in str(error)


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("bare_header.vtt", "WEBVTT\n\nNOTE ingen cues her\n", "no cues with text found"),
    ("bare_tall.srt", "1\n00:00:01,000 --> 00:00:02,000\n", "no cues with text found"),
    ("bare_tagger.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Rektor></v>\n",
     "the cues contain no text"),
])
def test_subtitles_without_cues_are_refused(tmp_path, name, content, reason):
    with pytest.raises(InputFileError, match=reason) as info:
        read_transcript(write(tmp_path / name, content))
    assert info.value.hint


# --- end to end ------------------------------------------------------------------------

def test_vtt_import_stores_turns_and_persons(store, tmp_path):
    """A Teams .vtt in a folder is found, imported and stored with its speakers mapped."""
    write(tmp_path / "attrs.yaml", "sites:\n  nordvik_u: {navn: Nordvik}\npersons:\n"
          "  nordvik_radgiver: {site: nordvik_u, rolle: radgiver}\n")
    ingest.import_attributes(store, [tmp_path / "attrs.yaml"])
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    write(folder / "nordvik_radgiver.vtt", TEAMS)
    write(folder / "nordvik_radgiver.yaml",
          "site: nordvik_u\nspeakers:\n  Kari Hansen: nordvik_radgiver\n  Ola Nordmann: null\n")
    report = ingest.import_transcripts(store, [folder])
    assert report.added == ["nordvik_radgiver"]
    assert report.turns == 3
    data = queries.transcript_turns(store, "nordvik_radgiver")
    assert data["site"] == "nordvik_u"
    assert [(t["speaker"], t["person"], t["text"]) for t in data["turns"]] == [
        (label, "nordvik_radgiver" if label == "Kari Hansen" else None, said)
        for label, said in TEAMS_TURNS]
    assert report.words == 25


def test_subtitle_file_alone_is_imported(store, tmp_path):
    """A single .srt given by path imports without metadata; re-importing it is a no-op."""
    path = write(tmp_path / "fokusgruppe.srt",
                 "1\n00:00:01,000 --> 00:00:02,000\nIntervjuer: Hei.\n\n"
                 "2\n00:00:02,000 --> 00:00:03,000\nElev: Hei, hei.\n")
    assert ingest.import_transcripts(store, [path]).added == ["fokusgruppe"]
    data = queries.transcript_turns(store, "fokusgruppe")
    assert [(t["speaker"], t["role"], t["text"]) for t in data["turns"]] == [
        ("Intervjuer", "intervjuer", "Hei."), ("Elev", "elev", "Hei, hei.")]
    assert ingest.import_transcripts(store, [path]).unchanged == ["fokusgruppe"]
