"""`qualcode media attach | list | detach` and `qualcode play`: the recordings behind the
transcripts, and going from a turn, a coding or a clock time to that moment in them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, Group, open_project
from qualcode.cli.render import OutputFormat, console, emit_rows

app = typer.Typer(cls=Group, help="Recordings (audio or video) behind the transcripts.",
                  no_args_is_help=True)


@app.command("attach")
def attach(
    ctx: typer.Context,
    transcript: Annotated[str, typer.Argument(help="Transcript name or id.")],
    file: Annotated[Path, typer.Argument(help="The recording: .m4a, .mp3, .wav, .mp4, …")],
) -> None:
    """Attach the recording a transcript was made from. The file stays where it is; the
    project keeps its path (relative to the project file), size, hash and duration."""
    from qualcode.media import format_clock
    from qualcode.services.media import attach as attach_recording

    done = attach_recording(open_project(ctx), transcript, file)
    length = (f", {format_clock(done['duration']).strip('[]')} long"
              if done["duration"] is not None else ", duration unknown (no ffprobe)")
    console.print(f"{done['transcript']}: recording {done['path']} "
                  f"({done['size']:,} bytes{length})", highlight=False, markup=False)


@app.command("list")
def list_recordings(
    ctx: typer.Context,
    verify: Annotated[bool, typer.Option(
        "--verify", help="Also compare each file's hash (reads every recording whole).")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Attached recordings and whether each is still there and unchanged."""
    from qualcode.services.media import recordings

    emit_rows(recordings(open_project(ctx), verify=verify), fmt,
              columns=["transcript", "recording", "state", "size", "duration"])


@app.command("detach")
def detach(ctx: typer.Context,
           transcript: Annotated[str, typer.Argument(help="Transcript name or id.")]) -> None:
    """Forget a transcript's recording (the file itself is not touched)."""
    from qualcode.services.media import detach as detach_recording

    path = detach_recording(open_project(ctx), transcript)
    console.print(f"{transcript}: recording {path} detached (the file was left as it was)",
                  highlight=False, markup=False)


def play(
    ctx: typer.Context,
    transcript: Annotated[str | None, typer.Argument(
        help="Transcript name or id (not needed with --coding).")] = None,
    turn: Annotated[int | None, typer.Option("--turn", "-t", help="Play this turn.")] = None,
    at: Annotated[str | None, typer.Option(
        "--at", help="Play from a clock time: HH:MM:SS, MM:SS or seconds.")] = None,
    coding: Annotated[int | None, typer.Option(
        "--coding", help="Play the passage of this coding id.")] = None,
    player: Annotated[str | None, typer.Option(
        "--player", help="ffplay, mpv or vlc (default: the first one installed).")] = None,
    video: Annotated[bool, typer.Option("--video", help="Show the picture too.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print the player's command line instead of playing.")] = False,
) -> None:
    """Play a transcript's recording from a turn, a coding or a clock time, with a player
    found on the system, so a quote can be checked against what was said."""
    import contextlib
    import shlex
    import subprocess

    from qualcode.domain.errors import InputFileError
    from qualcode.media import find_player, format_clock, parse_clock, player_command
    from qualcode.services.media import moment

    if sum(x is not None for x in (turn, at, coding)) > 1:
        raise InputFileError("play", "give one of --turn, --at and --coding")
    if transcript is None and coding is None:
        raise InputFileError("play", "name a transcript, or give --coding ID")
    try:
        seconds = parse_clock(at) if at is not None else None
    except ValueError as exc:
        raise InputFileError("--at", str(exc)) from None
    where = moment(open_project(ctx), transcript, turn=turn, at=seconds, coding=coding)
    name, executable = find_player(player)
    command = player_command(name, executable, where.recording, where.start, where.duration,
                             video=video)
    if dry_run:
        console.print(shlex.join(command), highlight=False, markup=False, soft_wrap=True)
        return
    console.print(f"{where.transcript}, {where.what}: playing from "
                  f"{format_clock(where.start)} with {name} (Ctrl-C stops)",
                  highlight=False, markup=False)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the player, not qualcode
        subprocess.run(command, check=False)
