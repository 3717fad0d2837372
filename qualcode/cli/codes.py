"""`qualcode codes rename | merge | move | archive`, `qualcode codebook diff`, and
`qualcode suggest [run] | accept | reject`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import Group, coder_option, open_project, parse_id
from qualcode.cli.render import console, err_console, plain

app = typer.Typer(cls=Group, help="Code maintenance that keeps every coding: rename, merge, move, "
                       "archive. The codebook file follows.", no_args_is_help=True)


def _report(result) -> None:
    console.print(result.summary, highlight=False, markup=False)
    if result.file:
        console.print(f"updated {result.file}", highlight=False, markup=False)
    elif result.file_note:
        err_console.print(f"[yellow]note:[/] {plain(result.file_note)}", highlight=False,
                          soft_wrap=True)


@app.command("rename")
def rename(ctx: typer.Context,
           old: Annotated[str, typer.Argument(help="Current code id.")],
           new: Annotated[str, typer.Argument(help="New code id.")]) -> None:
    """Give a code a new id; its codings follow."""
    from qualcode.services.code_maintenance import rename_code

    _report(rename_code(open_project(ctx), old, new))


@app.command("merge")
def merge(ctx: typer.Context,
          codes: Annotated[list[str], typer.Argument(help="Codes to merge.")],
          into: Annotated[str, typer.Option("--into", help="The code that takes their codings.")]
          ) -> None:
    """Merge codes into one; each coder's overlapping spans are united, not duplicated."""
    from qualcode.services.code_maintenance import merge_codes

    _report(merge_codes(open_project(ctx), codes, into))


@app.command("move")
def move(ctx: typer.Context,
         code: Annotated[str, typer.Argument(help="The code to move.")],
         parent: Annotated[str | None, typer.Option(
             "--parent", help="New parent code; leave out to make it top-level.")] = None
         ) -> None:
    """Move a code (with its sub-codes) under another parent."""
    from qualcode.services.code_maintenance import move_code

    _report(move_code(open_project(ctx), code, parent))


@app.command("archive")
def archive(ctx: typer.Context,
            code: Annotated[str, typer.Argument(help="The code to archive.")]) -> None:
    """Stop offering a code; its codings are kept and still counted."""
    from qualcode.services.code_maintenance import archive_code

    _report(archive_code(open_project(ctx), code))


def diff(ctx: typer.Context,
         path: Annotated[Path, typer.Argument(help="A codebook YAML file.")]) -> None:
    """What loading FILE would change in the project (and what the file lacks)."""
    from qualcode.services.codebooks import diff_with_file

    plan = diff_with_file(open_project(ctx), path)
    if plan.is_noop and not plan.blocked:
        console.print(f"{path} and the project agree.", highlight=False, markup=False)
        return
    lines = [
        ("only in the file (would be added)", plan.added),
        ("renamed in the file (was:)", [f"{a} → {b}" for a, b in plan.renamed]),
        ("merged in the file (was:)", [f"{a} → {b} ({n} codings)" for a, b, n in plan.merged]),
        ("different", [f"{c} ({', '.join(f)})" for c, f in plan.changed]),
        ("archived in the file", plan.archived), ("un-archived in the file", plan.unarchived),
        ("only in the project, no codings (would be removed)", plan.removed),
        ("only in the project, WITH codings (load would refuse)",
         [f"{c.id} ({c.n_codings} codings)" for c in plan.blocked]),
    ]
    for name, items in lines:
        if items:
            console.print(f"{name}: {', '.join(items)}", highlight=False, markup=False)


class _SuggestGroup(Group):
    """`qualcode suggest T1 T2` means `qualcode suggest run T1 T2`."""

    def parse_args(self, ctx, args):  # type: ignore[override]
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


suggest_app = typer.Typer(cls=_SuggestGroup, no_args_is_help=True,
                          help="Suggested codings from the codebook's keywords: proposed in "
                               "a coder's layer, counted nowhere until accepted.")


@suggest_app.command("run")
def suggest_run(
    ctx: typer.Context,
    transcripts: Annotated[list[str], typer.Argument(help="Transcript names.")],
    coder: Annotated[str, typer.Option("--coder", "-c", callback=coder_option,
                                       help="Whose layer gets them.")],
    code: Annotated[list[str] | None, typer.Option(
        "--code", "-k", help="Only these codes and their sub-codes.")] = None,
    min_keywords: Annotated[int, typer.Option(
        "--min-keywords", min=1, help="Different keywords of a code a turn needs.")] = 2,
) -> None:
    """Propose codings where the codebook's keywords occur (whole informant turns)."""
    from qualcode.services.suggestions import suggest

    report = suggest(open_project(ctx), transcripts, coder, codes=code,
                     min_keywords=min_keywords)
    top = sorted(report.by_code.items(), key=lambda kv: -kv[1])[:5]
    console.print(f"{report.suggested} suggestion(s) for {coder}"
                  + (f" (most: {', '.join(f'{c} {n}' for c, n in top)})" if top else "")
                  + (f"; {report.skipped_already_coded} already coded"
                     if report.skipped_already_coded else ""), highlight=False, markup=False)
    console.print("Review them with `qualcode coding list --origin suggested --coder "
                  f"{coder}`, then `qualcode suggest accept|reject`.", highlight=False,
                      markup=False)


SuggestionIds = Annotated[list[int] | None, typer.Argument(help="Suggestion ids.",
                                                         parser=parse_id)]
SuggestionCoder = Annotated[str, typer.Option("--coder", "-c", callback=coder_option,
                                              help="Whose suggestions.")]
SuggestionTranscript = Annotated[str | None, typer.Option(
    "--transcript", "-t", help="All suggestions in this transcript.")]
AllSuggestions = Annotated[bool, typer.Option("--all", help="All of the coder's suggestions.")]


def _decide(ctx: typer.Context, decide, verb: str, ids, coder, transcript, all_) -> None:
    if not ids and not transcript and not all_:
        raise typer.BadParameter("name coding ids, --transcript, or --all")
    n = decide(open_project(ctx), coder, ids or None, transcript)
    console.print(f"{verb} {n} suggestion(s)", highlight=False, markup=False)


@suggest_app.command("accept")
def suggest_accept(ctx: typer.Context, ids: SuggestionIds = None, coder: SuggestionCoder = ...,
                   transcript: SuggestionTranscript = None, all_: AllSuggestions = False
                   ) -> None:
    """Accept suggestions: they become the coder's own codings."""
    from qualcode.services.suggestions import accept

    _decide(ctx, accept, "accepted", ids, coder, transcript, all_)


@suggest_app.command("reject")
def suggest_reject(ctx: typer.Context, ids: SuggestionIds = None, coder: SuggestionCoder = ...,
                   transcript: SuggestionTranscript = None, all_: AllSuggestions = False
                   ) -> None:
    """Reject suggestions: they are deleted (the audit log keeps them)."""
    from qualcode.services.suggestions import reject

    _decide(ctx, reject, "rejected", ids, coder, transcript, all_)
