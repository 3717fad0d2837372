"""Recordings and times through REFI-QDA: a transcript with a recording goes out as an audio
or video source whose transcript is the text its TextSource holds, with a sync point per
known time; coming back, the sync points are turn times and timestamps again, and the
recording is attached when it lies beside the .qdpx. The recording itself never goes into
the file. Everything here is invented (Nordvik skole, Kari, Eva)."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from qualcode.media import time_points, turn_times
from qualcode.services import ingest, media
from qualcode.services.refi import write_qdpx
from tests.test_media import make_wav
from tests.test_refi import NS, SCHEMA, Qdpx

TEAMS_VTT = """WEBVTT

1a2b3c4d-0000-0000-0000-000000000001/12-0
00:00:03.120 --> 00:00:06.480
<v Intervjuer>Kan du fortelle om karriereveiledningen på Nordvik?</v>

1a2b3c4d-0000-0000-0000-000000000001/13-0
00:00:07.000 --> 00:00:19.900
<v Kari Nordmann>Ja, Eva og jeg har en plan som rådgiverne lager hvert år, men den er \
ikke godt forankret i ledelsen på Nordvik, synes jeg.</v>

1a2b3c4d-0000-0000-0000-000000000001/14-0
00:00:20.500 --> 00:00:22.000
<v Intervjuer>Takk, Kari. Hva med lærerne?</v>

1a2b3c4d-0000-0000-0000-000000000001/15-0
00:00:22.400 --> 00:00:30.000
<v Kari Nordmann>Lærerne på Nordvik får lite tid til det.</v>
"""

# A long answer with timestamps inside it: sync points, not turn starts.
RADGIVER_TXT = ("Intervjuer: [00:00:05] Hvordan jobber dere med årshjulet?\n"
                "Rådgiver: [00:00:09] Eva lager årshjulet. [00:00:20] Hun snakker med "
                "rektor på Nordvik først, og [00:00:41] så med lærerne.\n"
                "Intervjuer: Takk.\n")

KEY = """pseudonyms:
  - original: Nordvik ungdomsskole
    replacement: UN
    kind: site
    variants: [Nordvik]
  - original: Eva
    replacement: Rådgiver A
    kind: person
  - original: Kari Nordmann
    replacement: Rektor A
    kind: person
  - original: Kari
    replacement: Rektor A
    kind: person
"""


def _times(store) -> dict[str, tuple[list, list]]:
    """Per transcript: its turns as (idx, start, end, t_start, t_end) and its timestamps."""
    with store.snapshot() as db:
        names = dict(db.rows("SELECT pk, name FROM transcript"))
        found = {}
        for pk, name in names.items():
            turns = db.rows('SELECT idx, start, "end", t_start, t_end FROM turn '
                            "WHERE transcript_pk = ? ORDER BY idx", (pk,))
            sync = db.rows('SELECT "offset", seconds FROM sync_point WHERE transcript_pk = ? '
                           'ORDER BY "offset"', (pk,))
            found[name] = (turns, sync)
    return found


def _recordings(store) -> list[tuple]:
    with store.snapshot() as db:
        return db.rows("SELECT t.name, r.path, r.size, r.sha256, r.duration FROM recording r "
                       "JOIN transcript t ON t.pk = r.transcript_pk ORDER BY t.name")


@pytest.fixture
def timed(example, tmp_path):
    """The example study plus a Teams interview (times from its cues, none in its text)
    and a .txt interview with timestamps inside an answer, each with a recording: a WAV
    in the study folder's recordings folder."""
    folder = example.path.parent
    (folder / "teams_rektor.vtt").write_text(TEAMS_VTT, encoding="utf-8")
    (folder / "nordvik_radgiver2.txt").write_text(RADGIVER_TXT, encoding="utf-8")
    ingest.import_transcripts(example, [folder / "teams_rektor.vtt",
                                        folder / "nordvik_radgiver2.txt"])
    (folder / "opptak").mkdir()
    media.attach(example, "teams_rektor", make_wav(folder / "opptak" / "teams_rektor.wav",
                                                    1.0))
    media.attach(example, "nordvik_radgiver2",
                 make_wav(folder / "opptak" / "nordvik_radgiver2.wav", 2.0))
    return example


def _with_key(store, tmp_path):
    from qualcode.services.pseudonyms import import_key, project_key

    (tmp_path / "key.yaml").write_text(KEY, encoding="utf-8")
    import_key(store, tmp_path / "key.yaml")
    return project_key(store)


# --- the pure part: times written as points and read back ------------------------------

def test_points_read_back_as_the_turn_times_and_timestamps_they_came_from():
    # Turn 1 [0, 10) 1-4 s, turn 2 [10, 30) from 5 s with a timestamp at 20 (8 s), its end
    # unknown; turn 3 [35, 50) from 12 s to 15 s: its start follows turn 2's end at once.
    turns = [(0, 10, 1.0, 4.0), (10, 30, 5.0, None), (35, 50, 12.0, 15.0)]
    points = time_points(turns, [(20, 8.0)])
    assert points == [(0, 1.0), (10, 4.0), (10, 5.0), (20, 8.0), (35, 12.0), (50, 15.0)]
    back = turn_times([(s, e) for s, e, _, _ in turns], points)
    assert back.starts == [1.0, 5.0, 12.0]
    assert back.ends == [4.0, None, 15.0]
    assert back.inner == [(20, 8.0)]
    assert back.unplaced == 0


def test_a_point_on_a_label_starts_the_next_turn_and_one_after_the_text_is_counted():
    # "Rektor: " is [0, 8) and the answer [8, 30); QualCoder writes a point at 0 (0 ms).
    back = turn_times([(8, 30), (40, 60)], [(0, 0.0), (35, 11.0), (40, 12.0), (70, 20.0)])
    assert back.starts == [0.0, 12.0]  # the turn's own point wins over the label's
    assert back.inner == [] and back.unplaced == 1


# --- export -------------------------------------------------------------------------------

def test_a_recording_is_an_audio_source_sharing_its_transcripts_text(timed, tmp_path):
    (tmp_path / "ut").mkdir()
    exported = Qdpx(write_qdpx(timed, tmp_path / "ut" / "studie.qdpx").path)
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(exported.root)
    sources = {s.get("name"): s for s in exported.all("//q:TextSource")}
    audio = {a.get("name"): a for a in exported.all("//q:AudioSource")}
    assert set(audio) == {"teams_rektor.wav", "nordvik_radgiver2.wav"}
    assert not exported.all("//q:VideoSource")
    # The path from the .qdpx's folder, which the project names as its base.
    assert audio["teams_rektor.wav"].get("path") == "relative:///../opptak/teams_rektor.wav"
    assert exported.root.get("basePath") == (tmp_path / "ut").resolve().as_posix()
    (transcript,) = audio["teams_rektor.wav"].findall("q:Transcript", NS)
    assert transcript.get("plainTextPath") == sources["teams_rektor"].get("plainTextPath")
    # No recording in the zip: the project XML and one text per transcript.
    assert sorted(exported.names) == sorted(["project.qde", *(
        "sources/" + s.get("plainTextPath").removeprefix("internal://")
        for s in sources.values())])
    turns, _ = _times(timed)["teams_rektor"]
    text = exported.text_of(sources["teams_rektor"])
    points = [(int(p.get("position")), int(p.get("timeStamp")))
              for p in transcript.findall("q:SyncPoint", NS)]
    expected = sorted({(start, round(t_start * 1000)) for _, start, _, t_start, _ in turns}
                      | {(end, round(t_end * 1000)) for _, _, end, _, t_end in turns})
    assert points == expected and len(points) == 8
    assert text[points[2][0]:].startswith("Ja, Eva og jeg")  # turn 2 at 7 s
    assert points[2][1] == 7000
    (radgiver,) = audio["nordvik_radgiver2.wav"].findall("q:Transcript", NS)
    stamps = {int(p.get("timeStamp")): int(p.get("position"))
              for p in radgiver.findall("q:SyncPoint", NS)}
    answer = exported.text_of(sources["nordvik_radgiver2"])
    assert answer[stamps[20000]:].startswith("[00:00:20] Hun snakker")
    assert answer[stamps[41000]:].startswith("[00:00:41] så med")


def test_without_recordings_the_export_is_what_it_was(example, tmp_path):
    """A project without recordings exports as before: no media source, no base path;
    attaching a recording adds its source and changes nothing else."""
    before = Qdpx(write_qdpx(example, tmp_path / "uten.qdpx").path)
    assert b"AudioSource" not in before.qde and b"basePath" not in before.qde
    assert b"SyncPoint" not in before.qde
    media.attach(example, "nordvik_rektor", make_wav(tmp_path / "nordvik_rektor.wav", 1.0))
    after = Qdpx(write_qdpx(example, tmp_path / "med.qdpx").path)
    assert after.files == before.files

    def without_media(qdpx: Qdpx) -> bytes:
        root = etree.fromstring(qdpx.qde, etree.XMLParser(remove_blank_text=True))
        for element in root.xpath("//q:AudioSource", namespaces=NS):
            element.getparent().remove(element)
        for name in ("basePath", "modifiedDateTime"):  # attaching is a change
            root.attrib.pop(name, None)
        return etree.tostring(root)

    assert without_media(after) == without_media(before)
    assert len(after.all("//q:AudioSource")) == 1


def test_the_summary_says_the_recordings_stay_out_of_the_file(timed, cli, tmp_path):
    code, out, err = cli("export", "qdpx", str(tmp_path / "studie.qdpx"),
                         "--identifiable", project=timed.path)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"Wrote {tmp_path / 'studie.qdpx'} (REFI-QDA): 10 sources")
    assert "2 recording(s) named by their path" in out
    assert "not in the file (they identify people)" in out
    with zipfile.ZipFile(tmp_path / "studie.qdpx") as archive:
        assert not [n for n in archive.namelist() if n.endswith(".wav")]
