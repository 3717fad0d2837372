"""Speaker lines: the speaker's name and a time on a line of their own, the answer below.

Teams, Zoom and transcription services lay transcripts out like this, without colons. The
promise is the same as for colon labels: ``text[turn.start:turn.end]`` is exactly what the
speaker said (never the name or the time), and no sentence of an answer becomes a speaker.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from sqlmodel import func, select

from qualcode.importers import read_transcript
from qualcode.importers.speakers import parse_turns
from qualcode.services import ingest, queries
from qualcode.store.models import Participation, Transcript, Turn


def turns_of(text: str, mapped: set[str] | None = None):
    """(label, spoken text) per turn, checking indices and that nothing spoken is padded."""
    turns = parse_turns(text, mapped or set())
    assert [t.index for t in turns] == list(range(1, len(turns) + 1))
    for t in turns:
        assert text[t.start:t.end] == text[t.start:t.end].strip()
    return [(t.label, text[t.start:t.end]) for t in turns]


def spoken(parsed) -> list[tuple[str | None, str]]:
    return [(t.label, parsed.text[t.start:t.end]) for t in parsed.turns]


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


# A Teams download: a heading the export writes, then speaker lines with what was said
# below; "Møtet startet 10:00" and "Det er sånn: …" are part of an answer.
TEAMS = """Intervju med rådgiver, Nordvik ungdomsskole
14. oktober 2021, 10:02
45m 3s

Kari Intervjuer   0:03
Hei, og takk for at du stiller opp. Kan du fortelle litt om rollen din?

Ola Nordmann   0:08
Ja, jeg er rådgiver her på skolen.
Før det var jeg lærer på øya i ni år.

Kari Intervjuer   0:21
Hvordan ser en vanlig dag ut?

Ola Nordmann   1:02:03
Møtet startet 10:00
Det er sånn: vi rekker ikke alt. Ærlig talt."""

TEAMS_TURNS = [
    ("Kari Intervjuer",
     "Hei, og takk for at du stiller opp. Kan du fortelle litt om rollen din?"),
    ("Ola Nordmann", "Ja, jeg er rådgiver her på skolen.\nFør det var jeg lærer på øya i ni år."),
    ("Kari Intervjuer", "Hvordan ser en vanlig dag ut?"),
    ("Ola Nordmann", "Møtet startet 10:00\nDet er sånn: vi rekker ikke alt. Ærlig talt."),
]


def test_teams_txt_transcript_gives_turns(tmp_path):
    """A Teams .txt export is read into turns by speaker, with the heading in no turn."""
    parsed = read_transcript(write(tmp_path / "nordvik_radgiver.txt", TEAMS))
    assert parsed.text == TEAMS
    assert spoken(parsed) == TEAMS_TURNS
    assert parsed.warnings == []


def test_turn_text_excludes_speaker_line():
    """The speaker line is the turn's header, as 'Rektor:' is: the turn starts on the next
    line and ends before the next speaker line, blank lines trimmed."""
    text = "Intervjuer 0:03\nHei.\n\nRektor   0:08\nJa, blåbær.\n"
    turns = parse_turns(text)
    assert [(t.label, t.start, t.end) for t in turns] == [
        ("Intervjuer", 16, 20),
        ("Rektor", 36, 47),
    ]
    assert text[text.index("Rektor"):turns[1].start] == "Rektor   0:08\n"


def _teams(layout: str, names: tuple[str, str]) -> str:
    times = ["03", "08", "21", "25"]
    said = ["Hei, og takk for at du stiller opp.", "Ja, jeg er rådgiver.\nFør var jeg lærer.",
            "Så bra, blåbær.", "Ærlig talt, ja."]
    return "\n".join(f"{layout.format(name=names[i % 2], s=times[i])}\n{said[i]}\n"
                     for i in range(4))


TEAMS_NAMES = ("Kari Intervjuer", "Ola Nordmann")


@pytest.mark.parametrize(("layout", "names"), [
    pytest.param("{name}   0:{s}", TEAMS_NAMES, id="teams"),
    pytest.param("{name} 0:{s}", TEAMS_NAMES, id="one-space"),
    pytest.param("{name}  00:00:{s}", TEAMS_NAMES, id="hh:mm:ss"),
    pytest.param("{name} 1:02:{s}", TEAMS_NAMES, id="h:mm:ss"),
    pytest.param("{name}\t00:12:{s}.250", TEAMS_NAMES, id="tab-milliseconds"),
    pytest.param("[{name}] 00:12:{s}", TEAMS_NAMES, id="bracketed-name"),
    pytest.param("00:12:{s} {name}", TEAMS_NAMES, id="time-first"),
    pytest.param("[00:12:{s}] {name}", TEAMS_NAMES, id="bracketed-time-first"),
    pytest.param("{name} (00:{s})", TEAMS_NAMES, id="parenthesised-time"),
    pytest.param("{name} [00:{s}]", TEAMS_NAMES, id="bracketed-time"),
    pytest.param("{name} (00:{s})", ("Speaker 1", "Speaker 2"), id="speaker-n"),
    pytest.param("{name} 0:{s}", ("Kari Anne Nordmann-Berg", "Åse Ødegård"), id="long-names"),
    pytest.param("{name} 0:{s}", ("Kari N.", "Ola Ø."), id="initials"),
])
def test_timestamp_variants(layout, names):
    """Each layout seen in exports starts turns; the time is in neither label nor text, and
    a label drops a closing full stop as colon labels do ('Kari N.' → 'Kari N')."""
    first, second = (name.rstrip(".") for name in names)
    assert turns_of(_teams(layout, names)) == [
        (first, "Hei, og takk for at du stiller opp."),
        (second, "Ja, jeg er rådgiver.\nFør var jeg lærer."),
        (first, "Så bra, blåbær."),
        (second, "Ærlig talt, ja."),
    ]


def test_speaker_10_08_is_speaker_at_ten_past():
    """'Speaker 10:08' is 'Speaker' at 10:08, not 'Speaker 1' at 0:08."""
    text = "Speaker 10:08\nHei.\nSpeaker 10:12\nHallo."
    assert turns_of(text) == [("Speaker", "Hei."), ("Speaker", "Hallo.")]


# --- false positives -------------------------------------------------------------------

def test_meeting_time_sentence_is_not_a_speaker():
    """'Møtet startet 10:00' is a sentence with a time: it stays in the answer, whether it
    occurs once, twice, or in a text with no speakers at all."""
    assert parse_turns("Møtet startet 10:00\nVi gikk gjennom planen for året.") == []
    text = ("Intervjuer 0:01\nNår begynte dere?\n"
            "Rektor 0:05\nMøtet startet 10:00\nDet varte lenge.\n"
            "Intervjuer 0:09\nOg dagen etter?\n"
            "Rektor 0:12\nMøtet startet 10:00\nIgjen.")
    assert turns_of(text) == [
        ("Intervjuer", "Når begynte dere?"),
        ("Rektor", "Møtet startet 10:00\nDet varte lenge."),
        ("Intervjuer", "Og dagen etter?"),
        ("Rektor", "Møtet startet 10:00\nIgjen."),
    ]


def test_sentence_ending_in_a_full_stop_is_not_a_name():
    """'Ja. 0:08' on two lines is an answer, not a speaker called 'Ja' (an initial, as in
    'Kari N. 0:08', may end in a full stop: see the variants above)."""
    text = "Intervjuer 0:01\nSvar med tid?\nJa. 0:08\nJa. 0:09\nIntervjuer 0:10\nTakk."
    assert turns_of(text) == [
        ("Intervjuer", "Svar med tid?\nJa. 0:08\nJa. 0:09"),
        ("Intervjuer", "Takk."),
    ]


def test_speaker_line_with_more_text_is_text():
    """A name and a time followed by words is a sentence, not a speaker line."""
    text = ("Intervjuer 0:01\nHva skjedde?\nOla Nordmann 0:08 sa hun\n"
            "Ola Nordmann 0:09 igjen\nIntervjuer 0:10\nÅ?")
    assert turns_of(text) == [
        ("Intervjuer", "Hva skjedde?\nOla Nordmann 0:08 sa hun\nOla Nordmann 0:09 igjen"),
        ("Intervjuer", "Å?"),
    ]


def test_name_line_without_time_is_text():
    """Without a time a name on its own line is a heading or a one-word answer: the time is
    required (a colon label alone on its line, 'Rektor:', is still a label)."""
    text = ("Intervjuer 0:01\nHvem er du?\nOla Nordmann\nJeg er rådgiver.\nOla Nordmann\n"
            "Rektor\nJa.\nRektor:\nSvar.")
    assert turns_of(text) == [
        ("Intervjuer", "Hvem er du?\nOla Nordmann\nJeg er rådgiver.\nOla Nordmann\nRektor\nJa."),
        ("Rektor", "Svar."),
    ]


SINGLE = "Intervjuer 0:01\nVelkommen.\nOla Nordmann 0:05\nTakk, blåbær.\nIntervjuer 0:09\nHa det."


def test_name_used_once_counts_by_its_shape_and_is_reported(tmp_path):
    """In a transcript laid out in speaker lines, a name on one speaker line is a speaker
    (filing the answer under the interviewer would hide it from every matrix); the import
    names the line so it can be checked, and says nothing once a sidecar maps the name."""
    path = write(tmp_path / "en_gang.txt", SINGLE)
    parsed = read_transcript(path)
    assert spoken(parsed) == [
        ("Intervjuer", "Velkommen."),
        ("Ola Nordmann", "Takk, blåbær."),
        ("Intervjuer", "Ha det."),
    ]
    assert parsed.warnings == [
        "en_gang.txt: speaker 'Ola Nordmann' speaks only once (line 3); check that it is a "
        "speaker, or map it in the metadata"]
    write(tmp_path / "en_gang.yaml", "speakers:\n  Ola Nordmann: nordvik_radgiver\n")
    parsed = read_transcript(path)
    assert spoken(parsed) == [
        ("Intervjuer", "Velkommen."),
        ("Ola Nordmann", "Takk, blåbær."),
        ("Intervjuer", "Ha det."),
    ]
    assert parsed.warnings == []


def test_role_label_used_once_counts():
    """As with 'Rektor:', a role label is a speaker on its first use."""
    text = SINGLE.replace("Ola Nordmann 0:05", "Rådgiver 1 0:05")
    assert turns_of(text) == [
        ("Intervjuer", "Velkommen."),
        ("Rådgiver 1", "Takk, blåbær."),
        ("Intervjuer", "Ha det."),
    ]


# --- layouts together ------------------------------------------------------------------

def test_colon_labels_and_speaker_lines_in_one_file():
    """A transcript partly rewritten to 'Intervjuer:' keeps its speaker lines."""
    text = ("Intervjuer: Hva gjør du?\nOla Nordmann 0:08\nJeg er rådgiver.\n\n"
            "Intervjuer: Og før det?\nOla Nordmann 0:20\nLærer på øya.")
    assert turns_of(text) == [
        ("Intervjuer", "Hva gjør du?"),
        ("Ola Nordmann", "Jeg er rådgiver."),
        ("Intervjuer", "Og før det?"),
        ("Ola Nordmann", "Lærer på øya."),
    ]


def test_colon_labels_with_times_are_not_speaker_lines():
    """Timed colon labels parse as before; the time is not read as a speaker line."""
    text = ("Rektor 00:12:31: Vi har ni klasser.\n[00:12:40] Intervjuer: Ni?\n"
            "Rektor (00:12:45):\nJa, ni.")
    assert turns_of(text) == [("Rektor", "Vi har ni klasser."), ("Intervjuer", "Ni?"),
                              ("Rektor", "Ja, ni.")]


# --- .docx and import ------------------------------------------------------------------

def test_teams_docx_parses_like_txt(tmp_path):
    """The same transcript as a Word file, one paragraph per line, gives the same turns."""
    document = docx.Document()
    for line in TEAMS.split("\n"):
        document.add_paragraph(line)
    document.save(tmp_path / "nordvik_radgiver.docx")
    parsed = read_transcript(tmp_path / "nordvik_radgiver.docx")
    assert parsed.text == TEAMS
    assert spoken(parsed) == TEAMS_TURNS


def test_docx_with_bold_names_in_their_own_runs(tmp_path):
    """Word exports often put the name in bold and the time in a run of its own; a bold name
    without a colon is not a colon label, and the line is read as a speaker line."""
    document = docx.Document()
    for line in TEAMS.split("\n"):
        para = document.add_paragraph()
        name, sep, time = line.partition("   ")
        if sep:
            para.add_run(name).bold = True
            para.add_run(sep + time)
        else:
            para.add_run(line)
    document.save(tmp_path / "t.docx")
    parsed = read_transcript(tmp_path / "t.docx")
    assert parsed.text == TEAMS
    assert spoken(parsed) == TEAMS_TURNS


SHEET = """sites:
  nordvik_u: {navn: Nordvik ungdomsskole, skoleslag: ungdomsskole, landsdel: nord}
persons:
  nordvik_radgiver: {site: nordvik_u, rolle: radgiver}
"""


def test_import_stores_speaker_line_turns(store, tmp_path):
    """End to end: a Teams transcript with a sidecar is stored with its turns, speakers and
    the mapped person, and every stored turn slices to what was said."""
    ingest.import_attributes(store, [write(tmp_path / "attrs.yaml", SHEET)])
    folder = tmp_path / "teams"
    folder.mkdir()
    write(folder / "nordvik_radgiver.txt", TEAMS)
    write(folder / "nordvik_radgiver.yaml",
          "site: nordvik_u\nformat: individuelt\nspeakers:\n  Ola Nordmann: nordvik_radgiver\n")
    report = ingest.import_transcripts(store, [folder])
    assert report.added == ["nordvik_radgiver"]
    assert report.turns == 4
    assert report.warnings == [
        "nordvik_radgiver.txt: speaker label 'Kari Intervjuer' is not mapped to a person"]
    data = queries.transcript_turns(store, "nordvik_radgiver")
    assert [(t["speaker"], t["text"]) for t in data["turns"]] == TEAMS_TURNS
    assert [t["person"] for t in data["turns"]] == [None, "nordvik_radgiver"] * 2
    assert data["site"] == "nordvik_u"
    with store.read() as session:
        assert session.exec(select(func.count()).select_from(Turn)).one() == 4
        assert session.exec(select(func.count()).select_from(Participation)).one() == 2
        transcript = session.exec(select(Transcript)).one()
        assert transcript.text == TEAMS
        stored = session.exec(select(Turn).order_by(Turn.idx)).all()
        assert [transcript.text[t.start:t.end] for t in stored] == [s for _, s in TEAMS_TURNS]
