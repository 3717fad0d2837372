"""Transcripts in the layouts that meeting and transcription services really export.

Each test holds a small invented file in the shape of one export (Zoom, Teams, Otter.ai,
WhisperX and other diarization programs, QualCoder, Word, Markdown). The promise for every
layout: each turn has the right speaker, the labels and times are out of what was said, and
no word is lost. Where qualcode had to decide something a researcher should check, the
import says so, naming the line.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from qualcode.domain.errors import InputFileError
from qualcode.domain.text import count_words
from qualcode.importers import read_transcript
from qualcode.services import ingest, queries


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def spoken(parsed) -> list[tuple[str | None, str]]:
    return [(t.label, parsed.text[t.start:t.end]) for t in parsed.turns]


def read(tmp_path: Path, name: str, text: str, sidecar: str | None = None):
    path = write(tmp_path / name, text)
    if sidecar is not None:
        write(path.with_suffix(".yaml"), sidecar)
    return read_transcript(path)


def words(text: str) -> list[str]:
    return text.split()


# --- Zoom ------------------------------------------------------------------------------

# Zoom's cloud recording transcript: a cue number, the timing, and "Display name: text".
# Display names are what people typed: one used once, one in lower case, one with a
# lower-case surname.
ZOOM = """WEBVTT

1
00:00:01.200 --> 00:00:04.900
Kari Nordmann: Velkommen, alle sammen.

2
00:00:05.100 --> 00:00:09.000
ola: Takk. Jeg er rådgiver på Nordvik skole.

3
00:00:09.300 --> 00:00:12.000
Kari Nordmann: Og du, Nandani?

4
00:00:12.500 --> 00:00:16.000
Nandani butola: Jeg er kontaktlærer på tiende trinn.

5
00:00:16.200 --> 00:00:18.000
Kari Nordmann: Hva gjør dere i utdanningsvalg?

6
00:00:18.400 --> 00:00:21.000
ola: Vi har besøk fra videregående.

7
00:00:21.000 --> 00:00:23.000
Og så har vi hospitering i november.
"""


def test_zoom_names_used_once_or_in_lower_case(tmp_path):
    """Every named cue goes to its speaker, whatever the case of the display name; the
    cue without a name is joined to the speaker before it, and the import counts it."""
    parsed = read(tmp_path, "zoom.vtt", ZOOM)
    assert spoken(parsed) == [
        ("Kari Nordmann", "Velkommen, alle sammen."),
        ("ola", "Takk. Jeg er rådgiver på Nordvik skole."),
        ("Kari Nordmann", "Og du, Nandani?"),
        ("Nandani butola", "Jeg er kontaktlærer på tiende trinn."),
        ("Kari Nordmann", "Hva gjør dere i utdanningsvalg?"),
        ("ola", "Vi har besøk fra videregående. Og så har vi hospitering i november."),
    ]
    assert [(t.t_start, t.t_end) for t in parsed.turns] == [
        (1.2, 4.9), (5.1, 9.0), (9.3, 12.0), (12.5, 16.0), (16.2, 18.0), (18.4, 23.0)]
    assert parsed.warnings == [
        "zoom.vtt: speaker 'Nandani butola' speaks only once (the cue at line 16); check "
        "that it is a speaker, or map it in the metadata",
        "zoom.vtt: 1 cue(s) name no speaker and were joined to the turn before them "
        "(the first at line 28)",
    ]


def test_zoom_sentence_with_a_colon_is_not_a_display_name(tmp_path):
    """A three-word opening with a colon in a Zoom file is a sentence, not a name."""
    text = ZOOM.replace("Og så har vi hospitering i november.",
                        "Det er sånn: vi rekker ikke alt.")
    parsed = read(tmp_path, "zoom.vtt", text)
    assert spoken(parsed)[-1] == (
        "ola", "Vi har besøk fra videregående. Det er sånn: vi rekker ikke alt.")


def test_zoom_lower_case_name_used_once(tmp_path):
    text = ZOOM.replace("Nandani butola: Jeg", "nandani: Jeg")
    parsed = read(tmp_path, "zoom.vtt", text)
    assert spoken(parsed)[3] == ("nandani", "Jeg er kontaktlærer på tiende trinn.")


# Zoom's newer layout: the speaker's name in the cue identifier line, the text bare.
ZOOM_NEW = """WEBVTT

1 "Kari Nordmann" (1063281152)
00:00:00.940 --> 00:00:03.210
Hei, og takk for at du stiller opp.

2 "Ola Nordmann" (2087765504)
00:00:03.900 --> 00:00:07.100
Takk selv. Møtet startet 10:00 i dag,

3 "Ola Nordmann" (2087765504)
00:00:07.100 --> 00:00:09.000
så vi har god tid.

4 "Kari Nordmann" (1063281152)
00:00:09.500 --> 00:00:11.000
Flott.
"""


def test_zoom_speaker_in_the_cue_identifier(tmp_path):
    parsed = read(tmp_path, "zoom_ny.vtt", ZOOM_NEW)
    assert spoken(parsed) == [
        ("Kari Nordmann", "Hei, og takk for at du stiller opp."),
        ("Ola Nordmann", "Takk selv. Møtet startet 10:00 i dag, så vi har god tid."),
        ("Kari Nordmann", "Flott."),
    ]
    assert "1063281152" not in parsed.text
    assert parsed.warnings == []


# --- Otter.ai --------------------------------------------------------------------------

# Otter's text export: a title and date, then "Name  m:ss" alone on its line and what was
# said below. A speaker Otter could not name is "Unknown Speaker"; a guest speaks once.
OTTER = """Intervju Nordvik skole
Tue, 10/12 10:04AM • 12:30

Kari Nordmann  0:00
Velkommen. Vi starter med rollen din.

Unknown Speaker  0:06
Ja, hei.

Kari Nordmann  0:09
Hvordan ser en vanlig dag ut?

Ola Nordmann  0:12
Møtet startet 10:00
og så hadde vi elevsamtaler resten av dagen.

Kari Nordmann  0:31
Takk, det var alt.
"""


def test_otter_unknown_speaker_and_a_name_used_once(tmp_path):
    """A speaker line counts by its shape even when its name occurs once, so "Ja, hei."
    is not filed under the interviewer; "Møtet startet 10:00" stays in the answer."""
    parsed = read(tmp_path, "otter.txt", OTTER)
    assert spoken(parsed) == [
        ("Kari Nordmann", "Velkommen. Vi starter med rollen din."),
        ("Unknown Speaker", "Ja, hei."),
        ("Kari Nordmann", "Hvordan ser en vanlig dag ut?"),
        ("Ola Nordmann", "Møtet startet 10:00\nog så hadde vi elevsamtaler resten av dagen."),
        ("Kari Nordmann", "Takk, det var alt."),
    ]
    assert [t.t_start for t in parsed.turns] == [0, 6, 9, 12, 31]
    assert parsed.warnings == [
        "otter.txt: speaker 'Unknown Speaker' speaks only once (line 7); check that it is a "
        "speaker, or map it in the metadata",
        "otter.txt: speaker 'Ola Nordmann' speaks only once (line 13); check that it is a "
        "speaker, or map it in the metadata",
    ]


def test_otter_docx_names_the_paragraph(tmp_path):
    """Otter's Word export has the same lines as paragraphs; a note names the paragraph,
    which is what Word counts."""
    document = docx.Document()
    for line in OTTER.splitlines():
        if line:
            document.add_paragraph(line)
    document.save(tmp_path / "otter.docx")
    parsed = read_transcript(tmp_path / "otter.docx")
    assert [label for label, _ in spoken(parsed)] == [
        "Kari Nordmann", "Unknown Speaker", "Kari Nordmann", "Ola Nordmann", "Kari Nordmann"]
    assert parsed.warnings[0] == (
        "otter.docx: speaker 'Unknown Speaker' speaks only once (paragraph 5); check that it "
        "is a speaker, or map it in the metadata")


def test_otter_names_mapped_in_a_sidecar_are_not_reported(tmp_path):
    parsed = read(tmp_path, "otter.txt", OTTER,
                  "speakers:\n  Unknown Speaker: null\n  Ola Nordmann: nordvik_radgiver\n")
    assert [t.label for t in parsed.turns][:2] == ["Kari Nordmann", "Unknown Speaker"]
    assert parsed.warnings == []


def test_a_time_line_in_an_answer_needs_the_layout(tmp_path):
    """Without speaker lines elsewhere, a lone "Møtet startet 10:00" is text, as before."""
    parsed = read(tmp_path, "notat.txt",
                  "Intervjuer: Når startet møtet?\nRektor: Det var sånn.\nMøtet startet 10:00\n"
                  "Ferdig 11:00\nSå gikk vi.")
    assert spoken(parsed) == [
        ("Intervjuer", "Når startet møtet?"),
        ("Rektor", "Det var sånn.\nMøtet startet 10:00\nFerdig 11:00\nSå gikk vi."),
    ]


# --- diarization output ----------------------------------------------------------------

# A WhisperX + pyannote script's text output: one line per segment with its time range.
WHISPERX_RANGES = """[0:00:00.031 - 0:00:04.120] SPEAKER_00 - Hei, og velkommen til intervjuet.
[0:00:04.500 - 0:00:06.835] SPEAKER_00 - Kan du si litt om deg selv?
[0:00:06.835 - 0:00:07.235] SPEAKER_01 - Ja.
[0:00:07.400 - 0:00:12.010] SPEAKER_01 - Jeg er rådgiver på Nordvik skole,
og har vært det i ni år.
[0:00:12.300 - 0:00:13.000] SPEAKER_02 - Hm.
[0:00:13.100 - 0:00:15.900] SPEAKER_00 - Takk.
"""


def test_diarization_segments_join_into_turns(tmp_path):
    """Consecutive segments of one speaker are one turn; times and labels are out of the
    text, and a SPEAKER_ label is mapped to a person like any label."""
    parsed = read(tmp_path, "whisperx.txt", WHISPERX_RANGES,
                  "speakers:\n  SPEAKER_01: nordvik_radgiver\n")
    assert spoken(parsed) == [
        ("SPEAKER_00", "Hei, og velkommen til intervjuet. Kan du si litt om deg selv?"),
        ("SPEAKER_01", "Ja. Jeg er rådgiver på Nordvik skole, og har vært det i ni år."),
        ("SPEAKER_02", "Hm."),
        ("SPEAKER_00", "Takk."),
    ]
    assert [(t.t_start, t.t_end) for t in parsed.turns] == [
        (0.031, 6.835), (6.835, 12.01), (12.3, 13.0), (13.1, 15.9)]
    assert "0:00" not in parsed.text
    assert words(" ".join(t for _, t in spoken(parsed))) == [
        w for line in WHISPERX_RANGES.splitlines() for w in line.split("] ")[-1].split()
        if w not in {"SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "-"}]
    assert parsed.warnings == []


@pytest.mark.parametrize("layout", ["{label}: {said}", "[{label}]: {said}"])
def test_machine_labels_in_text(tmp_path, layout):
    """WhisperX's own .txt ("[SPEAKER_00]: …") and the bare "SPEAKER_00: …" of other
    scripts; a label used once is a speaker too."""
    segments = [("SPEAKER_00", "Hva gjør dere i utdanningsvalg?"),
                ("SPEAKER_01", "Vi har besøk fra videregående."),
                ("SPEAKER_01", "Og hospitering."),
                ("SPEAKER_02", "Det stemmer."),
                ("SPEAKER_00", "Takk.")]
    text = "\n".join(layout.format(label=label, said=said) for label, said in segments)
    parsed = read(tmp_path, "whisperx.txt", text + "\n")
    assert spoken(parsed) == [
        ("SPEAKER_00", "Hva gjør dere i utdanningsvalg?"),
        ("SPEAKER_01", "Vi har besøk fra videregående. Og hospitering."),
        ("SPEAKER_02", "Det stemmer."),
        ("SPEAKER_00", "Takk."),
    ]


def test_numbered_speaker_used_once(tmp_path):
    """'Speaker 0:' as Deepgram and others number speakers, counted even when used once."""
    parsed = read(tmp_path, "t.txt", "Speaker 0: Hei.\nSpeaker 1: Hei på deg.\n"
                                     "Speaker 0: Takk.\nSpeaker 2: Og jeg.\n")
    assert [t.label for t in parsed.turns] == ["Speaker 0", "Speaker 1", "Speaker 0",
                                                "Speaker 2"]


def test_time_ranges_without_spaces_and_names(tmp_path):
    parsed = read(tmp_path, "t.txt", "[00:00:01.000-00:00:03.000] Kari: Hei.\n"
                                     "[00:00:03.000-00:00:05.000] Kari: Velkommen.\n"
                                     "[00:00:05.500-00:00:07.000] Ola: Takk.\n")
    assert spoken(parsed) == [("Kari", "Hei. Velkommen."), ("Ola", "Takk.")]
    assert [(t.t_start, t.t_end) for t in parsed.turns] == [(1, 5), (5.5, 7)]


def test_machine_label_among_colon_labels(tmp_path):
    """A SPEAKER_ label is a label by its shape in an ordinary transcript too."""
    parsed = read(tmp_path, "t.txt", "Intervjuer: Hei.\nSPEAKER_01: Hei på deg.\n")
    assert spoken(parsed) == [("Intervjuer", "Hei."), ("SPEAKER_01", "Hei på deg.")]


# WhisperX's SubRip with diarization: "[SPEAKER_00]: " opens each cue; one speaker once.
WHISPERX_SRT = """1
00:00:00,031 --> 00:00:04,120
[SPEAKER_00]: Hei, og velkommen.

2
00:00:04,500 --> 00:00:06,835
[SPEAKER_01]: Takk.

3
00:00:06,900 --> 00:00:09,000
[SPEAKER_00]: Hva gjør du?

4
00:00:09,100 --> 00:00:12,000
[SPEAKER_00]: Altså, til daglig?
"""


def test_diarized_srt_with_a_label_used_once(tmp_path):
    parsed = read(tmp_path, "whisperx.srt", WHISPERX_SRT)
    assert spoken(parsed) == [
        ("SPEAKER_00", "Hei, og velkommen."),
        ("SPEAKER_01", "Takk."),
        ("SPEAKER_00", "Hva gjør du? Altså, til daglig?"),
    ]
    assert [(t.t_start, t.t_end) for t in parsed.turns] == [(0.031, 4.12), (4.5, 6.835),
                                                            (6.9, 12.0)]
    assert parsed.warnings == []


# --- Teams -----------------------------------------------------------------------------

# Teams' WebVTT: cue ids "<utterance id>/<n>-<k>"; while Kari answers, Ola says "Ja." and
# his cue falls between two cues of her utterance.
TEAMS_VTT = """WEBVTT

4f1c2a7e-9b3d-4c8e-a1f0-2d5e6b7c8a90/12-0
00:00:03.120 --> 00:00:07.480
<v Kari Nordmann>Vi begynte med karrieredager i fjor,</v>

7a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d/15-0
00:00:06.900 --> 00:00:07.300
<v Ola Nordmann>Ja.</v>

4f1c2a7e-9b3d-4c8e-a1f0-2d5e6b7c8a90/12-1
00:00:07.480 --> 00:00:10.960
<v Kari Nordmann>og det har elevene likt godt.</v>

7a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d/16-0
00:00:11.200 --> 00:00:13.000
<v Ola Nordmann>Hvordan har dere organisert dem?</v>
"""


def test_teams_overlapping_cues_keep_each_utterance_whole(tmp_path):
    parsed = read(tmp_path, "teams.vtt", TEAMS_VTT)
    assert spoken(parsed) == [
        ("Kari Nordmann", "Vi begynte med karrieredager i fjor, og det har elevene likt godt."),
        ("Ola Nordmann", "Ja. Hvordan har dere organisert dem?"),
    ]
    assert [(t.t_start, t.t_end) for t in parsed.turns] == [(3.12, 10.96), (6.9, 13.0)]
    assert parsed.warnings == []


def test_teams_cue_without_a_voice_is_counted(tmp_path):
    text = TEAMS_VTT.replace("<v Ola Nordmann>Hvordan har dere organisert dem?</v>",
                             "Hvordan har dere organisert dem?")
    parsed = read(tmp_path, "teams.vtt", text)
    assert spoken(parsed)[-1] == ("Ola Nordmann", "Ja. Hvordan har dere organisert dem?")
    assert parsed.warnings == [
        "teams.vtt: 1 cue(s) name no speaker and were joined to the turn before them "
        "(the first at line 16)"]


# Teams' Word/text download in Norwegian: a time alone where Teams could not tell who
# spoke, and the closing notice.
TEAMS_TXT = """Intervju rådgiver
4. november 2021, 09:58

Kari Nordmann startet transkripsjonen

Kari Nordmann   0:03
Da er vi i gang. Hvordan jobber dere med hospitering?

Ola Nordmann   0:09
Vi sender alle på tiende trinn ut i to dager.

0:21
Det er elevrådet som spør.

Kari Nordmann   0:25
Takk, det var alt.

Ola Nordmann   0:30
Takk selv.

Kari Nordmann stoppet transkripsjonen
"""


@pytest.mark.parametrize("language", ["nb", "en"])
def test_teams_time_alone_and_closing_notice(tmp_path, language):
    text = TEAMS_TXT
    if language == "en":
        text = text.replace("startet transkripsjonen", "started transcription").replace(
            "stoppet transkripsjonen", "stopped transcription")
    parsed = read(tmp_path, "teams.txt", text)
    assert spoken(parsed) == [
        ("Kari Nordmann", "Da er vi i gang. Hvordan jobber dere med hospitering?"),
        ("Ola Nordmann", "Vi sender alle på tiende trinn ut i to dager."),
        (None, "Det er elevrådet som spør."),
        ("Kari Nordmann", "Takk, det var alt."),
        ("Ola Nordmann", "Takk selv."),
    ]
    assert parsed.text.endswith("Kari Nordmann " + (
        "stoppet transkripsjonen" if language == "nb" else "stopped transcription"))
    assert parsed.warnings == [
        "teams.txt: 1 turn(s) name no speaker (a time alone on its line, first at line 12)"]


def test_notice_words_inside_an_answer_are_speech(tmp_path):
    text = TEAMS_TXT.replace("Takk selv.", "Takk selv.\nOg da stoppet transkripsjonen.")
    parsed = read(tmp_path, "teams.txt", text)
    assert spoken(parsed)[-1] == ("Ola Nordmann", "Takk selv.\nOg da stoppet transkripsjonen.")


def test_teams_docx_download(tmp_path):
    """The same layout in a Word download: one paragraph per line."""
    document = docx.Document()
    for line in TEAMS_TXT.splitlines():
        if line:
            document.add_paragraph(line)
    document.save(tmp_path / "teams.docx")
    parsed = read_transcript(tmp_path / "teams.docx")
    assert [label for label, _ in spoken(parsed)] == [
        "Kari Nordmann", "Ola Nordmann", None, "Kari Nordmann", "Ola Nordmann"]
    assert spoken(parsed)[-1] == ("Ola Nordmann", "Takk selv.")


# --- QualCoder -------------------------------------------------------------------------

QUALCODER = """Intervju 3, Vestbo videregående

[id1] Hva er rådgiverens viktigste oppgave?
[id2] Å se hver elev. [latter] Det er ikke lett.
[id1] Hvorfor ikke?
[id2] Vi er to rådgivere på 600 elever.
[latter] Men vi prøver.
[id3] Og jeg er med når det gjelder yrkesfag.
"""


def test_qualcoder_bracketed_ids(tmp_path):
    """Ids in brackets open each turn; once the file is laid out so, an id used once counts
    (and is reported), while a sound note in brackets stays text."""
    parsed = read(tmp_path, "qualcoder.txt", QUALCODER)
    assert spoken(parsed) == [
        ("id1", "Hva er rådgiverens viktigste oppgave?"),
        ("id2", "Å se hver elev. [latter] Det er ikke lett."),
        ("id1", "Hvorfor ikke?"),
        ("id2", "Vi er to rådgivere på 600 elever.\n[latter] Men vi prøver."),
        ("id3", "Og jeg er med når det gjelder yrkesfag."),
    ]
    assert parsed.warnings == [
        "qualcoder.txt: speaker 'id3' speaks only once (line 8); check that it is a speaker, "
        "or map it in the metadata"]


def test_sound_notes_in_brackets_are_not_speakers(tmp_path):
    parsed = read(tmp_path, "t.txt", "Intervjuer: Hei.\n[Latter] Ja.\nRektor: Hei.\n"
                                     "[Latter] Godt sagt.\n")
    assert [t.label for t in parsed.turns] == ["Intervjuer", "Rektor"]


# --- Word ------------------------------------------------------------------------------

def test_docx_bold_label_after_a_question_in_one_paragraph(tmp_path):
    """A question and its answer typed into one paragraph: the answer is its own turn. A
    bold "Merk:" used once inside an answer is emphasis, and stays in the answer."""
    document = docx.Document()
    para = document.add_paragraph()
    para.add_run("Interviewer:").bold = True
    para.add_run(" Har dere informasjonen på nettsidene? ")
    para.add_run("Guest:").bold = True
    para.add_run(" Not super oppdatert, nei. Vi har ")
    para.add_run("mye").bold = True
    para.add_run(" å gjøre der.")
    para = document.add_paragraph()
    para.add_run("Interviewer:").bold = True
    para.add_run(" Takk. Noe mer? ")
    para.add_run("Guest:").bold = True
    para.add_run(" Ja. Det er viktig. ")
    para.add_run("Merk:").bold = True
    para.add_run(" vi har bare én rådgiver.")
    document.save(tmp_path / "t.docx")
    parsed = read_transcript(tmp_path / "t.docx")
    assert spoken(parsed) == [
        ("Interviewer", "Har dere informasjonen på nettsidene?"),
        ("Guest", "Not super oppdatert, nei. Vi har mye å gjøre der."),
        ("Interviewer", "Takk. Noe mer?"),
        ("Guest", "Ja. Det er viktig.\nMerk: vi har bare én rådgiver."),
    ]


def test_docx_heading_between_interviews_ends_the_turn(tmp_path):
    document = docx.Document()
    document.add_heading("Interview 1", level=1)
    for label, said in [("Intervjuer:", "Hei."), ("Rektor:", "Hei, velkommen.")]:
        para = document.add_paragraph()
        para.add_run(label).bold = True
        para.add_run(" " + said)
    document.add_heading("Interview 2", level=1)
    para = document.add_paragraph()
    para.add_run("Intervjuer:").bold = True
    para.add_run(" Da begynner vi.")
    document.save(tmp_path / "t.docx")
    parsed = read_transcript(tmp_path / "t.docx")
    assert spoken(parsed) == [
        ("Intervjuer", "Hei."), ("Rektor", "Hei, velkommen."), ("Intervjuer", "Da begynner vi."),
    ]
    assert "Interview 2" in parsed.text


# --- Markdown --------------------------------------------------------------------------

MARKDOWN = r"""# Intervju, Nordvik skole

**Intervjuer:** \[00:00:04\] Velkommen. Kan du si noe om \*rollen\* din?

**Rektor:** \[00:00:09\] Jeg har vært rektor i fem år.

**Break:** 10 minutter pause.

**Intervjuer:** \[00:12:31\] Da fortsetter vi.

**Rektor:** Ja\.
"""


def test_markdown_escapes_times_and_section_markers(tmp_path):
    parsed = read(tmp_path, "t.md", MARKDOWN)
    assert spoken(parsed) == [
        ("Intervjuer", "Velkommen. Kan du si noe om *rollen* din?"),
        ("Rektor", "Jeg har vært rektor i fem år."),
        ("Intervjuer", "Da fortsetter vi."),
        ("Rektor", "Ja."),
    ]
    assert [t.t_start for t in parsed.turns] == [4, 9, 751, None]
    assert "**Break:** 10 minutter pause." in parsed.text
    assert "\\" not in parsed.text


def test_markdown_heading_between_interviews_ends_the_turn(tmp_path):
    parsed = read(tmp_path, "t.md", "## Intervju 1\n\nIntervjuer: Hei.\n\nRektor: Hei.\n\n"
                                    "## Intervju 2\n\nIntervjuer: Da begynner vi.\n")
    assert spoken(parsed) == [("Intervjuer", "Hei."), ("Rektor", "Hei."),
                              ("Intervjuer", "Da begynner vi.")]


def test_unbracketed_time_after_a_label_is_what_was_said(tmp_path):
    parsed = read(tmp_path, "t.txt", "Intervjuer: Når?\nRektor: 10:00 passer fint.\n")
    assert spoken(parsed)[1] == ("Rektor", "10:00 passer fint.")


# --- SubRip with blank lines inside a cue ----------------------------------------------

def test_srt_blank_line_inside_a_cue_is_read_with_a_warning(tmp_path):
    text = ("1\n00:00:01,000 --> 00:00:03,000\nRektor: Vi har to rådgivere,\n\n"
            "og en karriereveileder.\n\n"
            "2\n00:00:03,500 --> 00:00:05,000\nIntervjuer: Takk.\n")
    parsed = read(tmp_path, "tjeneste.srt", text)
    assert spoken(parsed) == [("Rektor", "Vi har to rådgivere, og en karriereveileder."),
                              ("Intervjuer", "Takk.")]
    assert parsed.warnings == [
        "tjeneste.srt: 1 block(s) of text without a timing (a blank line inside a cue, "
        "first at line 5) were read as text of the cue above"]


def test_srt_text_before_the_first_cue_is_still_refused(tmp_path):
    with pytest.raises(InputFileError, match="expected a cue timing line"):
        read(tmp_path, "feil.srt", "Rektor: Hei.\n\n1\n00:00:01,000 --> 00:00:02,000\nJa.\n")


# --- front matter ----------------------------------------------------------------------

def test_front_matter_list_is_stored_as_joined_text(tmp_path):
    parsed = read(tmp_path, "t.md", "---\ntitle: Samtale\nparticipants: [Are, Bastian]\n"
                                    "tags: []\n---\nIntervjuer: Hei.\nRektor: Hei.\n")
    assert parsed.metadata.attributes == {"participants": "Are, Bastian"}


def test_front_matter_list_of_mappings_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="'participants' is a list of lists or mappings"):
        read(tmp_path, "t.md", "---\nparticipants:\n  - navn: Are\n---\nIntervjuer: Hei.\n")


# --- partly recognised -----------------------------------------------------------------

def test_speakers_recognised_in_only_part_of_a_file_are_reported(tmp_path):
    """Forty words before the first speaker are not a heading: the import says so."""
    lead = " ".join(["Ola sa at han hadde vært rådgiver lenge, og at det var fint."] * 4)
    parsed = read(tmp_path, "delvis.txt",
                  f"Intervju\n\n{lead}\n\nIntervjuer: Og så?\nRektor: Ja.\nIntervjuer: Takk.\n")
    assert count_words(lead) > 30
    assert parsed.warnings == [
        f"delvis.txt: speakers are recognised only from line 5: the {count_words(lead) + 1} "
        "words before it belong to no turn; check for speakers written in a layout qualcode "
        "does not read"]


def test_text_after_a_heading_in_no_turn_is_reported(tmp_path):
    """A second interview in a layout qualcode does not read: the words after its heading
    are kept but belong to no turn, and the import names the line."""
    lead = " ".join(["Ola sa at han hadde vært rådgiver lenge, og at det var fint."] * 4)
    parsed = read(tmp_path, "to.md", f"---\ntitle: To intervjuer\n---\n# Intervju 1\n\n"
                                     f"Intervjuer: Hei.\nRektor: Hei.\n\n# Intervju 2\n\n{lead}\n")
    assert spoken(parsed) == [("Intervjuer", "Hei."), ("Rektor", "Hei.")]
    assert parsed.warnings == [
        f"to.md: the {count_words(lead)} words from line 11 to the next speaker belong to no "
        "turn; check for speakers written in a layout qualcode does not read"]


# --- the warnings reach the import -----------------------------------------------------

def test_import_reports_what_to_check_and_stores_the_turns(store, tmp_path):
    folder = tmp_path / "eksport"
    folder.mkdir()
    write(folder / "otter.txt", OTTER)
    write(folder / "teams.vtt", TEAMS_VTT)
    report = ingest.import_transcripts(store, [folder])
    assert sorted(report.added) == ["otter", "teams"]
    assert "otter.txt: speaker 'Unknown Speaker' speaks only once (line 7); check that it " \
           "is a speaker, or map it in the metadata" in report.warnings
    data = queries.transcript_turns(store, "otter")
    assert [(t["speaker"], t["text"]) for t in data["turns"]][1] == ("Unknown Speaker",
                                                                     "Ja, hei.")


def test_qualcode_import_prints_what_to_check(cli, tmp_path):
    """The researcher sees each note on the terminal when importing, and the turn is
    stored under the speaker who said it."""
    assert cli("init")[0] == 0
    code, out, err = cli("import", str(write(tmp_path / "otter.txt", OTTER)))
    assert code == 0, err
    assert "speaker 'Unknown Speaker' speaks only once (line 7)" in " ".join(err.split())
    assert "5 turns" in out
