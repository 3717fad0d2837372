"""The command line: a thin skin over :mod:`qualcode.services`.

Services are imported inside the commands, so ``qualcode --help`` never loads SQLModel,
spaCy or python-docx.
"""

from __future__ import annotations

from typing import Annotated

import typer
from typer.core import TyperGroup

from qualcode import __version__


class _Group(TyperGroup):
    """Turn a :class:`QualcodeError` into one line on stderr and exit status 1."""

    def invoke(self, ctx):  # type: ignore[override]
        from qualcode.domain.errors import QualcodeError

        try:
            return super().invoke(ctx)
        except QualcodeError as exc:
            from rich.markup import escape

            from qualcode.cli.render import err_console

            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True,
                              highlight=False)
            raise typer.Exit(1) from None

    def list_commands(self, ctx):  # keep the order in which commands were added
        return list(self.commands)


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
    project,
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
app.add_typer(codebook.app, name="codebook")
codebook.app.command("diff")(codes.diff)
app.add_typer(coding.app, name="coding")
app.add_typer(codes.app, name="codes")
app.add_typer(codes.suggest_app, name="suggest")
app.add_typer(media.app, name="media")
app.command("play")(media.play)
app.command("log")(log.log)


def main() -> None:
    app(prog_name="qualcode")
