"""Recordings and times through REFI-QDA: a transcript with a recording goes out as an audio
or video source whose transcript is the text its TextSource holds, with a sync point per
known time; coming back, the sync points are turn times and timestamps again, and the
recording is attached when it lies beside the .qdpx. The recording itself never goes into
the file. Everything here is invented (Nordvik skole, Kari, Eva)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from qualcode.media import time_points, turn_times
from qualcode.services import ingest, media
from qualcode.services.project import init_project
from qualcode.services.refi import write_qdpx
from qualcode.services.refi_import import import_qdpx
from tests.test_media import make_wav
from tests.test_refi import NS, SCHEMA, Qdpx
from tests.test_refi_import import HEAD, guid, import_cli, make_qdpx

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
    assert transcript.get("creationDateTime") == sources["teams_rektor"].get("creationDateTime")
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


def test_a_video_is_a_video_source_and_a_name_in_its_path_is_replaced(example, tmp_path):
    """The kind of source follows the file; in a pseudonymised export a name of the key in
    the recording's path is replaced like every other text (the file is then not found
    from the export, which is reported on import)."""
    video = tmp_path / "Eva og rektor.mp4"
    video.write_bytes(b"\0" * 2048)  # what a player would make of it does not matter here
    media.attach(example, "nordvik_radgiver", video)
    key = _with_key(example, tmp_path)
    exported = Qdpx(write_qdpx(example, tmp_path / "studie.qdpx", key=key).path)
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(exported.root)
    (source,) = exported.all("//q:VideoSource")
    assert not exported.all("//q:AudioSource")
    assert source.get("path") == "relative:///Rådgiver A og rektor.mp4"
    assert source.get("name") == "nordvik_radgiver.mp4"
    assert "Eva og rektor" not in exported.qde.decode("utf-8")
    identifiable = Qdpx(write_qdpx(example, tmp_path / "navn.qdpx").path)
    (source,) = identifiable.all("//q:VideoSource")
    assert source.get("path") == "relative:///Eva og rektor.mp4"


# --- the round trip --------------------------------------------------------------------------

def _import_into_new_project(path: Path, folder: Path):
    folder.mkdir()
    copy = init_project(folder / "kopi.db")
    return copy, import_qdpx(copy, path)


@pytest.mark.parametrize("pseudonymised", [False, True])
def test_times_and_recordings_come_back_from_the_exported_file(timed, tmp_path,
                                                                pseudonymised):
    from qualcode.services.queries import transcript_turns

    key = _with_key(timed, tmp_path) if pseudonymised else None
    path = write_qdpx(timed, timed.path.parent / "studie.qdpx", key=key,
                      identifiable=not pseudonymised).path
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(Qdpx(path).root)
    copy, report = _import_into_new_project(path, tmp_path / "kopi")
    try:
        # One transcript per TextSource: the audio sources' transcripts are not copies.
        assert len(report.transcripts) == 10 and report.skipped == []
        assert sorted(report.timed) == ["nordvik_radgiver2", "teams_rektor"]
        assert report.missing_recordings == []
        original, again = _times(timed), _times(copy)
        # nordvik_rektor has no recording: its times come back from its text alone.
        for name in ("teams_rektor", "nordvik_radgiver2", "nordvik_rektor"):
            (turns, sync), (new_turns, new_sync) = original[name], again[name]
            assert [(idx, t0, t1) for idx, _, _, t0, t1 in new_turns] == \
                [(idx, t0, t1) for idx, _, _, t0, t1 in turns]
            assert [seconds for _, seconds in new_sync] == [seconds for _, seconds in sync]
            if not pseudonymised:
                assert new_turns == turns and new_sync == sync
        assert [row[3:] for row in again["teams_rektor"][0]] == [
            (3.12, 6.48), (7.0, 19.9), (20.5, 22.0), (22.4, 30.0)]
        assert len(again["nordvik_radgiver2"][1]) == 2
        # The same files, found from the new project's folder: nothing was copied.
        assert [(n, s, h, d) for n, _, s, h, d in _recordings(copy)] == \
            [(n, s, h, d) for n, _, s, h, d in _recordings(timed)]
        assert [(r["transcript"], r["state"]) for r in media.recordings(copy)] == [
            ("nordvik_radgiver2", "ok"), ("teams_rektor", "ok")]
        assert not list((tmp_path / "kopi").glob("**/*.wav"))
        moment = media.moment(copy, "teams_rektor", turn=2)
        assert moment.recording.resolve() == (timed.path.parent / "opptak" /
                                              "teams_rektor.wav").resolve()
        assert (moment.start, moment.duration) == (pytest.approx(7.0), pytest.approx(12.9))
        turn = transcript_turns(copy, "nordvik_radgiver2")["turns"][1]
        later = turn["start"] + turn["text"].index("så med")
        with copy.snapshot() as db:
            (pk,) = db.column("SELECT pk FROM transcript WHERE name = 'nordvik_radgiver2'")
        assert 41.0 <= media.times_of(copy, [(pk, later)])[(pk, later)] < 42.0
    finally:
        copy.close()


def test_under_the_pseudonym_key_every_time_stays_on_its_words(timed, tmp_path):
    """Names before, inside and as speaker labels change the text's length: each sync
    point moves with its words through the key's offset map, so a turn's times stay on
    that turn and a timestamp inside a turn stays before the same words."""
    key = _with_key(timed, tmp_path)
    path = write_qdpx(timed, tmp_path / "pseudo.qdpx", key=key).path
    exported = Qdpx(path)
    qde = exported.qde.decode("utf-8")
    assert "Kari" not in qde and "Nordvik" not in qde
    with timed.snapshot() as db:
        texts = dict(db.rows("SELECT name, text FROM transcript"))
    original = _times(timed)
    for audio in exported.all("//q:AudioSource"):
        (transcript,) = audio.findall("q:Transcript", NS)
        name = transcript.get("name")
        text = exported.files["sources/" + transcript.get("plainTextPath")
                              .removeprefix("internal://")]
        replaced, moved = key.replace(texts[name])
        assert text == replaced and len(text) != len(texts[name])
        points = {(int(p.get("position")), int(p.get("timeStamp")) / 1000)
                  for p in transcript.findall("q:SyncPoint", NS)}
        turns, sync = original[name]
        expected = {(moved.position(start), t0) for _, start, _, t0, _ in turns
                    if t0 is not None}
        expected |= {(moved.position(end, end=True), t1) for _, _, end, _, t1 in turns
                     if t1 is not None}
        expected |= {(moved.position(offset), seconds) for offset, seconds in sync}
        assert points == expected
        for offset, _ in sync:
            words = key.apply(texts[name][offset:offset + 10])
            assert text[moved.position(offset):].startswith(words[:6])
    copy, _ = _import_into_new_project(path, tmp_path / "kopi")
    try:
        again = _times(copy)
        with copy.snapshot() as db:
            new_texts = dict(db.rows("SELECT name, text FROM transcript"))
        turns, _ = again["teams_rektor"]
        assert new_texts["teams_rektor"][turns[1][1]:].startswith("Ja, Rådgiver A og jeg")
        assert turns[1][3:] == (7.0, 19.9)
        assert new_texts["teams_rektor"][turns[3][1]:].startswith("Lærerne på UN")
        (_, answer_start, answer_end, *_), = [t for t in again["nordvik_radgiver2"][0]
                                              if t[0] == 2]
        for offset, _ in again["nordvik_radgiver2"][1]:
            assert answer_start < offset < answer_end
    finally:
        copy.close()


# --- what other programs write ------------------------------------------------------------

QUALCODER_TEXT = ("Intervjuer: Hvem har ansvaret for karriereveiledningen?\n"
                  "Rektor: Formelt er det meg, men i praksis er det rådgiveren på Nordvik "
                  "skole.\nIntervjuer: Og lærerne?\nRektor: De får lite tid til det.\n")


def qualcoder(tmp_path: Path, recording: str) -> Path:
    """QualCoder's layout: the transcript's text only inside the audio source (its own
    internal file, UTF-8 with a BOM), a sync point at 0, one at each end of every coded
    passage, and a TranscriptSelection between them; the recording by absolute path."""
    user, code, text_guid = guid(1), guid(10), guid(40)
    start = QUALCODER_TEXT.index("Formelt")
    middle = QUALCODER_TEXT.index(", men i praksis")
    qde = (HEAD.format(name="Nordvik", origin="QualCoder 3.6", creator=user)
           + f'<Users><User guid="{user}" name="kari"/></Users>'
           + f'<CodeBook><Codes><Code guid="{code}" name="Ansvar" isCodable="true"/>'
           + '</Codes></CodeBook><Sources>'
           + f'<AudioSource creatingUser="{user}" creationDateTime="2021-10-14T10:00:00Z" '
           + f'path="{recording}" guid="{guid(20)}" name="rektor_intervju.m4a">'
           + f'<Transcript plainTextPath="internal://{text_guid}.txt" creatingUser="{user}" '
           + f'creationDateTime="2021-10-14T10:00:00Z" guid="{guid(21)}" '
           + 'name="rektor_intervju.m4a.transcribed">'
           + f'<SyncPoint guid="{guid(30)}" position="0" timeStamp="0"/>'
           + f'<SyncPoint guid="{guid(31)}" position="{start}" timeStamp="4000"/>'
           + f'<SyncPoint guid="{guid(32)}" position="{middle}" timeStamp="9000"/>'
           + f'<TranscriptSelection guid="{guid(33)}" name="rektor_intervju.m4a.transcribed" '
           + f'fromSyncPoint="{guid(31)}" toSyncPoint="{guid(32)}">'
           + f'<Coding guid="{guid(34)}"><CodeRef targetGUID="{code}"/></Coding>'
           + '</TranscriptSelection></Transcript></AudioSource></Sources></Project>')
    return make_qdpx(tmp_path / "qualcoder.qdpx", qde, {
        f"sources/{text_guid}.txt": QUALCODER_TEXT.encode("utf-8-sig")})


def test_a_qualcoder_transcript_comes_with_its_times(cli, tmp_path):
    qdpx = qualcoder(tmp_path, "absolute:///home/forsker/lyd/rektor_intervju.m4a")
    code, out, err, project = import_cli(cli, tmp_path, qdpx)
    assert code == 0, err
    assert "skipped: rektor_intervju.m4a (audio, its transcript imported as text)" in err
    assert ("recording not attached: rektor_intervju.m4a.transcribed: "
            "absolute:///home/forsker/lyd/rektor_intervju.m4a — missing") in err
    assert "1 transcripts" in out and "Times of 1 transcripts from their sync points" in out
    from qualcode.services.project import open_project

    store = open_project(project)
    try:
        (turns, sync), = _times(store).values()
        text = QUALCODER_TEXT.rstrip("\n")
        assert [(idx, text[start:start + 7], t0, t1) for idx, start, _, t0, t1 in turns] == [
            (1, "Hvem ha", 0.0, None),  # the point at 0 lies on the label before it
            (2, "Formelt", 4.0, None), (3, "Og lære", None, None),
            (4, "De får ", None, None)]
        assert sync == [(text.index(", men i praksis"), 9.0)]
        assert _recordings(store) == []
        with store.snapshot() as db:
            assert db.column("SELECT quote FROM coding") == ["Formelt er det meg"]
    finally:
        store.close()


def test_a_transcript_sharing_a_text_sources_file_is_that_source(cli, tmp_path):
    """The layout qualcode writes, by hand: a TextSource and an audio source whose
    Transcript names the same internal file. One transcript comes in, with the times and
    the recording beside the .qdpx attached (not copied)."""
    user, code, text_guid = guid(1), guid(10), guid(40)
    answer = QUALCODER_TEXT.index("Formelt")
    question = QUALCODER_TEXT.index("Og lærerne")
    qde = (HEAD.format(name="Nordvik", origin="qualcode 0.1.0", creator=user)
           + f'<Users><User guid="{user}" name="kari"/></Users>'
           + f'<CodeBook><Codes><Code guid="{code}" name="Ansvar" isCodable="true"/>'
           + '</Codes></CodeBook><Sources>'
           + f'<TextSource guid="{guid(19)}" name="rektor" '
           + f'plainTextPath="internal://{text_guid}.txt">'
           + f'<PlainTextSelection guid="{guid(50)}" startPosition="{answer}" '
           + f'endPosition="{answer + 18}" creatingUser="{user}">'
           + f'<Coding guid="{guid(51)}" creatingUser="{user}"><CodeRef targetGUID="{code}"/>'
           + '</Coding></PlainTextSelection></TextSource>'
           + f'<AudioSource guid="{guid(20)}" name="rektor.wav" path="relative:///lyd/rektor.wav">'
           + f'<Transcript guid="{guid(21)}" name="rektor" '
           + f'plainTextPath="internal://{text_guid}.txt">'
           + f'<SyncPoint guid="{guid(30)}" position="12" timeStamp="1500"/>'
           + f'<SyncPoint guid="{guid(31)}" position="{answer - 9}" timeStamp="5250"/>'
           + f'<SyncPoint guid="{guid(32)}" position="{answer}" timeStamp="6000"/>'
           + f'<SyncPoint guid="{guid(33)}" position="{question}" timeStamp="15000"/>'
           + '</Transcript></AudioSource></Sources></Project>')
    qdpx = make_qdpx(tmp_path / "delt.qdpx", qde, {
        f"sources/{text_guid}.txt": QUALCODER_TEXT.encode("utf-8")})
    (tmp_path / "lyd").mkdir()
    wav = make_wav(tmp_path / "lyd" / "rektor.wav", 2.0)
    code, out, err, project = import_cli(cli, tmp_path, qdpx)
    assert code == 0, err
    assert "skipped" not in err and "not attached" not in err
    assert "1 transcripts" in out and "1 codings" in out
    assert "recording attached (left where it is): rektor: lyd/rektor.wav" in out
    from qualcode.services.project import open_project

    store = open_project(project)
    try:
        (turns, sync), = _times(store).values()
        # 12 is turn 1's start; answer - 9 its end (the end of the question's line).
        assert [(t0, t1) for _, _, _, t0, t1 in turns] == [
            (1.5, 5.25), (6.0, None), (15.0, None), (None, None)]
        assert sync == []
        (name, path, size, _, duration), = _recordings(store)
        assert (name, path, size) == ("rektor", str(Path("lyd") / "rektor.wav"),
                                      wav.stat().st_size)
        assert duration == pytest.approx(2.0)
        assert [r["state"] for r in media.recordings(store)] == ["ok"]
    finally:
        store.close()
    assert sorted(p.name for p in (tmp_path / "lyd").iterdir()) == ["rektor.wav"]
