"""Recordings behind transcripts: clock times, where in a recording a position was spoken,
attaching a file (relative path, size, hash, duration), noticing a missing or changed one,
and the command line that plays a moment with each player qualcode knows."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from qualcode.domain.errors import NotFoundError
from qualcode.media import Timeline, find_player, format_clock, parse_clock, player_command
from qualcode.services import media


def make_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A silent mono WAV file made with the standard library."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(seconds * rate))
    return path


# --- clock times ------------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [
    ("00:12:31", 751.0), ("12:31", 751.0), ("0:08", 8.0), ("1:02:03.250", 3723.25),
    ("00:00:06,835", 6.835), ("[00:12:31]", 751.0), ("42", 42.0), ("7.5", 7.5),
])
def test_clock_times_as_transcripts_and_users_write_them(text, seconds):
    assert parse_clock(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["12:61", "abc", "1:2:3:4", "", "00:75:00"])
def test_a_time_that_is_no_time_is_refused(text):
    with pytest.raises(ValueError, match="is not a time"):
        parse_clock(text)


def test_quotes_point_into_the_recording_in_whole_seconds():
    assert format_clock(751.9) == "[00:12:31]"
    assert format_clock(3723.25) == "[01:02:03]"


# --- positions to times -----------------------------------------------------------------

def test_a_position_inside_a_turn_gets_a_time_between_the_known_ones():
    # Turn 1: text 0-100 spoken 10-20 s; turn 2: 101-201 from 30 s with a timestamp at
    # offset 151 saying 40 s.
    line = Timeline.build([(0, 100, 10.0, 20.0), (101, 201, 30.0, None)], [(151, 40.0)])
    assert line.time_at(0) == 10.0
    assert line.time_at(50) == pytest.approx(15.0)  # halfway through turn 1
    assert line.time_at(100) == 20.0
    assert line.time_at(101) == 30.0
    assert line.time_at(126) == pytest.approx(35.0)  # halfway to the inner timestamp
    assert line.time_at(190) == 40.0  # after the last known time: that time
    assert Timeline.build([(5, 10, 3.0, None)]).time_at(2) is None  # before any time
    assert not Timeline.build([(0, 10, None, None)])


def test_timestamps_out_of_order_are_not_interpolated_across():
    line = Timeline.build([(0, 10, 50.0, None), (11, 20, 40.0, None)])
    assert line.time_at(5) == 50.0


# --- players ----------------------------------------------------------------------------

@pytest.mark.parametrize("player, executable, expected", [
    ("ffplay", "/usr/bin/ffplay", ["/usr/bin/ffplay", "-hide_banner", "-loglevel", "error",
                                   "-autoexit", "-ss", "751.000", "-nodisp", "-t", "12.500",
                                   "opptak.m4a"]),
    ("mpv", "/usr/bin/mpv", ["/usr/bin/mpv", "--really-quiet", "--start=751.000",
                             "--no-video", "--length=12.500", "opptak.m4a"]),
    ("vlc", "/usr/bin/cvlc", ["/usr/bin/cvlc", "--play-and-exit", "--start-time=751.000",
                              "--intf=dummy", "--no-video", "--stop-time=763.500",
                              "opptak.m4a"]),
])
def test_each_player_starts_at_the_moment_and_stops_after_the_passage(player, executable,
                                                                       expected):
    assert player_command(player, executable, Path("opptak.m4a"), 751.0, 12.5) == expected


def _fake_player(folder: Path, name: str) -> Path:
    script = folder / name
    script.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_the_first_installed_player_is_found_and_none_is_a_clear_message(tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NotFoundError, match=r"no media player found \(ffplay or mpv or vlc\)"):
        find_player()
    _fake_player(tmp_path, "cvlc")
    assert find_player() == ("vlc", str(tmp_path / "cvlc"))
    _fake_player(tmp_path, "mpv")
    assert find_player()[0] == "mpv"
    assert find_player("vlc")[0] == "vlc"
    with pytest.raises(NotFoundError, match="does not know the player 'winamp'"):
        find_player("winamp")


# --- attaching, checking, playing -------------------------------------------------------

def test_a_recording_is_attached_by_relative_path_with_size_hash_and_duration(example):
    folder = example.path.parent / "opptak"
    folder.mkdir()
    wav = make_wav(folder / "nordvik_rektor.wav", 1.5)
    done = media.attach(example, "nordvik_rektor", wav)
    assert done["path"] == os.path.join("opptak", "nordvik_rektor.wav")
    assert done["duration"] == pytest.approx(1.5)
    assert done["size"] == wav.stat().st_size
    assert [(r["transcript"], r["state"]) for r in media.recordings(example)] == [
        ("nordvik_rektor", "ok")]
    # The study folder moves as a whole: the relative path still finds the recording.
    example.close()
    moved = example.path.parent.parent / "flyttet"
    shutil.copytree(example.path.parent, moved)
    from qualcode.services.project import open_project

    again = open_project(moved / example.path.name)
    assert [r["state"] for r in media.recordings(again)] == ["ok"]
    again.close()


def test_status_lists_a_recording_that_is_missing_or_changed(example, cli):
    first = make_wav(example.path.parent / "a.wav", 1.0)
    second = make_wav(example.path.parent / "b.wav", 1.0)
    media.attach(example, "nordvik_rektor", first)
    media.attach(example, "vestbo_rektor", second)
    first.unlink()
    make_wav(second, 2.0)  # re-recorded over: another size
    code, out, _ = cli("status", "-f", "json", project=example.path)
    info = json.loads(out)
    assert info["recordings"] == 2
    assert {(p["transcript"], p["state"]) for p in info["recording_problems"]} == {
        ("nordvik_rektor", "missing"), ("vestbo_rektor", "changed")}
    code, out, _ = cli("status", project=example.path)
    assert "2 recording(s) missing or changed" in out and "a.wav — missing" in out


def test_the_same_size_but_other_content_is_found_by_verify(example):
    wav = make_wav(example.path.parent / "a.wav", 1.0)
    media.attach(example, "nordvik_rektor", wav)
    data = bytearray(wav.read_bytes())
    data[-1] ^= 0xFF
    wav.write_bytes(bytes(data))
    assert media.recordings(example)[0]["state"] == "ok"  # quick check: size only
    assert media.recordings(example, verify=True)[0]["state"] == "changed"


def test_play_refuses_what_it_cannot_play_in_one_line(example, cli):
    code, _, err = cli("play", "nordvik_rektor", "--at", "0:10", project=example.path)
    assert code == 1 and "has no recording attached" in err and err.count("\n") == 1
    media.attach(example, "nordvik_rektor", make_wav(example.path.parent / "a.wav", 1.0))
    code, _, err = cli("play", "nordvik_rektor", "--turn", "3", "--player", "mpv",
                       project=example.path)
    assert code == 1 and "has no time for turn 3" in err and "--at" in err
    code, _, err = cli("play", "nordvik_rektor", "--at", "1:75", project=example.path)
    assert code == 1 and "is not a time" in err


@pytest.fixture
def mpv_only(tmp_path, monkeypatch) -> Path:
    """A PATH that holds one player, mpv (a script that does nothing): its folder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_player(bin_dir, "mpv")
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_play_gives_each_player_the_moment_of_a_clock_time(example, cli, mpv_only):
    wav = make_wav(example.path.parent / "a.wav", 3.0)
    media.attach(example, "nordvik_rektor", wav)
    bin_dir = mpv_only
    code, out, err = cli("play", "nordvik_rektor", "--at", "0:02", "--dry-run",
                         project=example.path)
    assert code == 0, err
    assert out.split() == [str(bin_dir / "mpv"), "--really-quiet", "--start=2.000",
                           "--no-video", str(wav.resolve())]


@pytest.mark.skipif(shutil.which("ffplay") is None, reason="ffplay is not installed "
                    "(CI installs ffmpeg from Debian's packages)")
def test_a_second_of_a_recording_really_plays_headless(example, tmp_path):
    media.attach(example, "nordvik_rektor", make_wav(example.path.parent / "a.wav", 3.0))
    example.close()
    env = {**os.environ, "SDL_AUDIODRIVER": "dummy", "QUALCODE_PROJECT": str(example.path)}
    done = subprocess.run([sys.executable, "-m", "qualcode", "play", "nordvik_rektor",
                           "--at", "0:01", "--player", "ffplay"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "playing from [00:00:01] with ffplay" in done.stdout


TEAMS_VTT = """WEBVTT

1a2b3c4d-0000-0000-0000-000000000001/12-0
00:00:03.120 --> 00:00:06.480
<v Intervjuer>Kan du fortelle om karriereveiledningen på skolen?</v>

1a2b3c4d-0000-0000-0000-000000000001/13-0
00:00:07.000 --> 00:00:12.200
<v Kari Nordmann>Ja, vi har en plan som rådgiverne lager hvert år.</v>

1a2b3c4d-0000-0000-0000-000000000001/13-1
00:00:12.200 --> 00:00:19.900
<v Kari Nordmann>Men den er ikke godt forankret i ledelsen, synes jeg.</v>
"""


@pytest.fixture
def teams(store, tmp_path):
    """A Teams transcript with its times, and a 25-second recording attached."""
    from qualcode.services import ingest

    source = tmp_path / "teams_rektor.vtt"
    source.write_text(TEAMS_VTT, encoding="utf-8")
    ingest.import_transcripts(store, [source])
    media.attach(store, "teams_rektor", make_wav(tmp_path / "teams_rektor.wav", 25.0))
    return store


def test_a_turn_plays_from_its_cue_for_as_long_as_it_was_spoken(teams, cli, mpv_only):
    code, out, err = cli("play", "teams_rektor", "--turn", "2", "--dry-run",
                         project=teams.path)
    assert code == 0, err
    assert "--start=7.000" in out and "--length=12.900" in out
    where = media.moment(teams, "teams_rektor", turn=1)
    assert (where.start, where.duration) == (pytest.approx(3.12), pytest.approx(3.36))


def test_a_coded_passage_knows_when_it_was_said(teams, cli):
    from qualcode.services.codebooks import load_into_project
    from qualcode.services.coding_ops import add_coding
    from qualcode.services.retrieval import quotes
    from tests.conftest import CODEBOOK

    load_into_project(teams, CODEBOOK)
    text = media.moment(teams, "teams_rektor", turn=2)  # the recording is there
    assert text.start == pytest.approx(7.0)
    from qualcode.services.queries import transcript_turns

    turn = transcript_turns(teams, "teams_rektor")["turns"][1]
    add_coding(teams, "teams_rektor", "LED", "anna", turn["start"], turn["end"])
    (row,) = quotes(teams, "LED")
    assert row["time"] == pytest.approx(7.0)
    code, out, _ = cli("quotes", "LED", "--details", "-f", "md", project=teams.path)
    assert "[00:00:07]" in out


def test_the_workbench_plays_the_selection_and_p_again_stops(teams, tmp_path, monkeypatch):
    from qualcode.cli import workbench
    from tests.test_workbench import run

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    player = bin_dir / "mpv"  # a player that plays until it is stopped, and says how
    player.write_text('#!/bin/sh\necho "$@" > "${0%/*}/args"\nexec /bin/sleep 30\n',
                      encoding="utf-8")
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))  # this player only, not an installed one
    app = workbench.create_app(teams, "teams_rektor", "anna")

    async def steps(pilot):
        await pilot.press("j", "p")  # turn 2
        await pilot.pause(0.3)
        assert app.model.player is not None and app.model.player.poll() is None
        assert "playing turn 2 from [00:00:07]" in app.message.plain
        await pilot.press("p")
        await pilot.pause()
        assert app.message.plain == "stopped playing"

    run(app, steps)
    assert "--start=7.000" in (bin_dir / "args").read_text(encoding="utf-8")


def test_a_timestamp_inside_a_long_answer_times_the_words_after_it(store, tmp_path):
    """'[00:00:20]' in the middle of an answer is a sync point: a passage after it is timed
    from it, not from the turn's start."""
    from qualcode.services import ingest
    from qualcode.services.queries import transcript_turns

    source = tmp_path / "rektor.txt"
    source.write_text("Intervjuer: [00:00:05] Hvordan jobber dere?\n"
                      "Rektor: [00:00:09] Vi har en plan. [00:00:20] Og så har vi et "
                      "årshjul.\n", encoding="utf-8")
    ingest.import_transcripts(store, [source])
    turn = transcript_turns(store, "rektor")["turns"][1]
    assert turn["time"] == 9.0
    text = turn["text"]
    after = turn["start"] + text.index("Og så")
    times = media.times_of(store, [(1, turn["start"]), (1, after)])
    assert times[(1, turn["start"])] == 9.0
    assert 20.0 <= times[(1, after)] < 21.0
