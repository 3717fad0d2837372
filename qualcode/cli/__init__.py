"""The command line: a thin skin over :mod:`qualcode.services`.

Services are imported inside the commands, so ``qualcode --help`` never loads SQLModel,
spaCy or python-docx.
"""

from __future__ import annotations

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
    app(prog_name="qualcode")
