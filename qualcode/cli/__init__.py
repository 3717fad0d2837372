"""The command line: a thin skin over :mod:`qualcode.services`.

Services are imported inside the commands, so ``qualcode --help`` never loads SQLModel,
spaCy or python-docx.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from qualcode import __version__
from qualcode.cli.common import Group

# Every group of commands, and the root, turns errors into one line (see Group).
_Group = Group

app = typer.Typer(
    cls=_Group,
    help="qualcode — code interview transcripts from the terminal.\n\n"
         "A project is one SQLite file (default ./qualcode.db, or --project / "
         "QUALCODE_PROJECT), or a PostgreSQL database a team shares. Start with "
         "`qualcode init`, then `codebook load`, `attributes import`, `import`, and "
         "`status`.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qualcode {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option(
        "--project", "-p", envvar="QUALCODE_PROJECT",
        help="Project file (default: ./qualcode.db), or a postgresql://user@host/db URL "
             "for a project a team shares.", show_default=False)] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    ctx.obj = {"project": project or "qualcode.db"}


from qualcode.cli import (  # noqa: E402
    agreement,
    analysis,
    browse,
    codebook,
    codes,
    coding,
    ingest,
    log,
    media,
    memo,
    project,
    pseudonyms,
    query,
    refi,
    workbench,
)

project.register(app)
ingest.register(app)
browse.register(app)
workbench.register(app)
analysis.register(app)
query.register(app)
agreement.register(app)
analysis.export_app.command("agreement")(agreement.export_agreement)
analysis.export_app.command("qdpx")(refi.export_qdpx)
analysis.export_app.command("transcripts")(pseudonyms.export_transcripts)
app.add_typer(codebook.app, name="codebook")
codebook.app.command("diff")(codes.diff)
app.add_typer(coding.app, name="coding")
app.add_typer(codes.app, name="codes")
app.add_typer(codes.suggest_app, name="suggest")
app.add_typer(media.app, name="media")
app.command("play")(media.play)
app.command("log")(log.log)
app.add_typer(memo.app, name="memo")
app.add_typer(pseudonyms.app, name="pseudonyms")


def main() -> None:
    """The command line. Typer makes every one of the ~70 commands' options (their
    signatures read and annotations evaluated) before it parses anything, about 0.06 s
    of each start; when the words before the command name nothing but the project, only
    the command or group named is made. Anything else (no command, --help, --version, a
    name that is no command) goes to the whole tree, with its help and messages."""
    # numpy's OpenBLAS starts a thread per core when it loads (0.06 s of CPU) and qualcode's
    # arrays gain nothing from them (the agreement bootstrap ran faster on one): one
    # thread, unless the user chose otherwise.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # numpy asks Linux for 2 MB pages for every large array, and the kernel zeroes each
    # such page when a fresh array first touches it: the analyses make many short-lived
    # arrays, and at 2 000 schools a third of `frequencies` went to clearing pages (3.3-4.2
    # s of system time against 1.2-1.4 s with ordinary pages, the same user time).
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    chosen = _named_command(sys.argv[1:])
    if chosen is None:
        app(prog_name="qualcode")
        return
    every = app.registered_commands, app.registered_groups
    app.registered_commands, app.registered_groups = chosen
    try:
        app(prog_name="qualcode")
    finally:
        app.registered_commands, app.registered_groups = every


def _named_command(args: list[str]) -> tuple[list, list] | None:
    """The registered command or group that ``args`` run, as ([command], []) or ([],
    [group]); None unless the words before it are only the project option."""
    from typer.main import get_command_name

    rest = iter(args)
    for word in rest:
        if word in ("-p", "--project"):
            next(rest, None)
        elif word.startswith("--project=") or (word.startswith("-p") and len(word) > 2
                                                and not word.startswith("--")):
            continue
        elif word.startswith("-"):
            return None
        else:
            commands = [c for c in app.registered_commands
                        if (c.name or get_command_name(c.callback.__name__)) == word]
            groups = [g for g in app.registered_groups if g.name == word]
            return (commands, groups) if len(commands) + len(groups) == 1 else None
    return None
