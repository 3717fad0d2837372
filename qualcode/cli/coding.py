"""`qualcode coding add | trim | remove | memo | undo | list | import | recode-sample`:
coding without the workbench."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import (
    FormatOption,
    Group,
    RawOption,
    coder_option,
    open_project,
    parse_id,
)
from qualcode.cli.render import OutputFormat, console, emit_rows, err_console

app = typer.Typer(cls=Group, help="Codings: spans of transcripts coded by a coder.",
                  no_args_is_help=True)


@app.command("import")
def import_codings(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(
        help="CSV files with transcript, turns | start,end, code, coder, memo.")],
    coder: Annotated[str | None, typer.Option(
        "--coder", "-c", callback=coder_option,
        help="Write every coding as this coder's (the files may then leave the coder "
        "column out; one coder's codings only). A recode of a sample comes in as a later "
        "round: --coder anna@2.", show_default=False)] = None,
) -> None:
    """Import codings from a coding file — validated whole, all or nothing."""
    from qualcode.services.codings import import_codings as run

    report = run(open_project(ctx), paths, coder=coder)
    for line in report.warnings:
        err_console.print(f"warning: {line}", highlight=False, markup=False, soft_wrap=True)
    per = ", ".join(f"{k} {v}" for k, v in sorted(report.by_coder.items()))
    skipped = (f"; {report.skipped_duplicates} already present"
               if report.skipped_duplicates else "")
    console.print(f"Imported {report.added} codings ({per or 'none new'}){skipped}.",
                  highlight=False, markup=False)


CodingId = Annotated[int, typer.Argument(help="Coding id (see `coding list`).",
                                          parser=parse_id, metavar="CODING_ID")]


@app.command("export")
def export_codings(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The coding file to write (.csv).")],
    coder: Annotated[str, typer.Option("--coder", "-c", callback=coder_option,
                                       help="Whose codings.")],
) -> None:
    """Write one coder's codings as a coding file that `coding import` reads back exactly
    (in another copy of the study, say): offsets, code, origin, memo and the quoted text."""
    from qualcode.output import check_output_path
    from qualcode.services.codings import export_coder_layer

    target = check_output_path(path)
    n = export_coder_layer(open_project(ctx), coder, target)
    console.print(f"Wrote {n} codings by {coder} to {target}", highlight=False, markup=False)


def _range(text: str, what: str) -> tuple[int, int]:
    first, _, last = text.replace("–", "-").partition("-")
    last = last or first
    if not all(n.isascii() and n.isdigit() for n in (first, last)):
        raise typer.BadParameter(f"'{text}' is not N or N-M", param_hint=what)
    lo, hi = int(first), int(last)
    if lo > hi:
        raise typer.BadParameter(f"'{text}' runs backwards", param_hint=what)
    return lo, hi


TurnsOption = Annotated[str | None, typer.Option(
    "--turns", "-t", help="Turn N or N-M (holistic coding of whole answers).")]
CharsOption = Annotated[str | None, typer.Option(
    "--chars", help="Code-point offsets START-END (half-open).")]
SentencesOption = Annotated[str | None, typer.Option(
    "--sentences", "-s", help="TURN:N-M, sentences N to M of one turn "
                              "(see `show --sentences`).")]


def _one_span(turns: str | None, chars: str | None, sentences: str | None) -> None:
    if len([x for x in (turns, chars, sentences) if x]) != 1:
        raise typer.BadParameter("give exactly one of --turns, --chars, --sentences")


def _span(store, transcript: str, turns: str | None, chars: str | None,
          sentences: str | None) -> tuple[int, int]:
    """The offsets that --turns, --chars or --sentences name in ``transcript``."""
    from qualcode.services.coding_ops import sentence_span, turn_span
    from qualcode.services.common import get_transcript

    if turns:
        first, last = _range(turns, "--turns")
        with store.read() as session:
            return turn_span(session, get_transcript(session, transcript), first, last)
    if chars:
        return _range(chars, "--chars")
    turn, _, rest = sentences.partition(":")
    if not (turn.isascii() and turn.isdigit()) or not rest:
        raise typer.BadParameter("use TURN:N-M, e.g. 12:2-3", param_hint="--sentences")
    first, last = _range(rest, "--sentences")
    return sentence_span(store, transcript, int(turn), first, last)


@app.command("add")
def add(
    ctx: typer.Context,
    transcript: Annotated[str, typer.Argument(help="Transcript name or id.")],
    code: Annotated[list[str], typer.Option(
        "--code", "-k", help="Code id; repeat for parallel codes on the same span.")],
    coder: Annotated[str, typer.Option("--coder", "-c", callback=coder_option,
                                       help="Who is coding.")],
    turns: TurnsOption = None,
    chars: CharsOption = None,
    sentences: SentencesOption = None,
    memo: Annotated[str | None, typer.Option("--memo", "-m", help="A note on the coding.")
                    ] = None,
    snap: Annotated[bool, typer.Option(
        "--snap", help="Move a --chars span to whole words, and off an interviewer's turn "
                       "at either end.")] = False,
) -> None:
    """Code a span: whole turns, a character range, or sentences inside a turn. A --chars
    span that starts or ends inside a word, or runs into an interviewer's turn, is coded as
    given with a warning; --snap codes the words and turns it was meant to."""
    from qualcode.services.coding_ops import add_coding

    _one_span(turns, chars, sentences)
    store = open_project(ctx)
    start, end = _span(store, transcript, turns, chars, sentences)
    if chars:
        from qualcode.domain.errors import QualcodeError
        from qualcode.services.span_check import check_span

        check = check_span(store, transcript, start, end)
        if snap and check.snapped != (start, end):
            if check.snapped[0] >= check.snapped[1]:
                raise QualcodeError(f"span {start}-{end} holds no words to snap to")
            start, end = check.snapped
            check = check_span(store, transcript, start, end)  # what snapping cannot mend
        if check.warning():
            err_console.print(f"warning: {check.warning()}", highlight=False, markup=False,
                              soft_wrap=True)
    for code_id in code:
        result = add_coding(store, transcript, code_id, coder, start, end, memo=memo)
        verb = "extended" if result.merged else "added"
        console.print(f"{verb} coding #{result.pk}: {code_id} on {transcript} "
                      f"[{result.start}-{result.end}) for {coder}", highlight=False, markup=False)


@app.command("trim")
def trim(
    ctx: typer.Context,
    coding_id: CodingId,
    turns: TurnsOption = None,
    chars: CharsOption = None,
    sentences: SentencesOption = None,
    coder: Annotated[str | None, typer.Option(
        "--coder", "-c", callback=coder_option,
        help="Refuse unless the coding is this coder's.")] = None,
) -> None:
    """Cut turns, characters or sentences out of a coding; the rest stays coded (split in
    two when the cut lies inside). `coding undo` restores the coding whole."""
    from qualcode.services.coding_ops import coding_transcript, trim_coding

    _one_span(turns, chars, sentences)
    store = open_project(ctx)
    transcript = coding_transcript(store, coding_id)
    start, end = _span(store, transcript, turns, chars, sentences)
    result = trim_coding(store, coding_id, start, end, coder=coder)
    which = f"coding #{coding_id} ({result.code} on {transcript})"
    spans = " and ".join(f"#{pk} [{s}-{e})" for pk, s, e in result.left)
    console.print(f"removed {which}: the cut took all of it" if not result.left else
                  f"trimmed {which}: now {spans}" if len(result.left) == 1 else
                  f"split {which} in two: {spans}", highlight=False, markup=False)


@app.command("remove")
def remove(
    ctx: typer.Context,
    coding_id: CodingId,
    coder: Annotated[str | None, typer.Option(
        "--coder", "-c", callback=coder_option,
        help="Whose coding it is: refused unless it is this coder's.")] = None,
    any_coder: Annotated[bool, typer.Option(
        "--any-coder", help="Remove it whoever coded it (a supervisor tidying up).")
    ] = False,
) -> None:
    """Remove one of your codings (recorded in the audit log; `coding undo` brings it
    back). A coder changes only their own layer: give --coder, or --any-coder."""
    from qualcode.domain.errors import ConflictError
    from qualcode.services.coding_ops import coding_owner, remove_coding

    store = open_project(ctx)
    if coder is None and not any_coder:
        owner = coding_owner(store, coding_id)
        raise ConflictError(f"coding #{coding_id} is {owner}'s: say whose layer you change",
                            hint=f"add --coder {owner} (a coder changes only their own "
                                 "layer), or --any-coder")
    remove_coding(store, coding_id, coder=coder)
    console.print(f"removed coding #{coding_id}", highlight=False, markup=False)


@app.command("memo")
def memo(
    ctx: typer.Context,
    coding_id: CodingId,
    text: Annotated[str, typer.Argument(help="The memo; an empty string removes it.")],
    coder: Annotated[str | None, typer.Option(
        "--coder", "-c", callback=coder_option,
        help="Refuse unless the coding is this coder's.")] = None,
) -> None:
    """Set or clear the memo of a coding."""
    from qualcode.services.coding_ops import set_memo

    set_memo(open_project(ctx), coding_id, text, coder=coder)
    console.print(f"memo {'set' if text else 'cleared'} on coding #{coding_id}",
                  highlight=False, markup=False)


@app.command("undo")
def undo(
    ctx: typer.Context,
    coder: Annotated[str, typer.Option("--coder", "-c", callback=coder_option,
                                       help="Whose last action to undo.")],
    skip: Annotated[bool, typer.Option(
        "--skip", help="Pass over the last action without undoing it, when it cannot be "
                       "undone (its code was removed), so earlier actions can be.")] = False,
) -> None:
    """Undo the coder's last coding action (add, extend, trim, remove, memo), or the last
    coding import they ran (the codings it added, in one step)."""
    from qualcode.services.coding_ops import undo_last

    done = undo_last(open_project(ctx), coder, skip=skip)
    console.print(done or f"nothing to undo for {coder}", highlight=False, markup=False)


@app.command("recode-sample")
def recode_sample(
    ctx: typer.Context,
    coder: Annotated[str, typer.Option("--coder", "-c", callback=coder_option,
                                       help="The coder whose transcripts to sample.")],
    transcripts: Annotated[int, typer.Option(
        "--transcripts", "-n", min=1, help="How many transcripts to recode.")],
    seed: Annotated[int, typer.Option(
        "--seed", help="The same seed gives the same sample.")] = 0,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    """Draw a random sample of a coder's transcripts for her to code again later, as her
    next round (anna@2): a stability check, compared with `qualcode agreement --coders
    anna,anna@2`."""
    from qualcode.services.stability import recode_sample as draw

    sample = draw(open_project(ctx), coder, transcripts, seed=seed)
    if fmt is not OutputFormat.table:
        emit_rows([{"transcript": t, "coder": sample["round"], "seed": sample["seed"]}
                   for t in sample["transcripts"]], fmt, raw=raw)
        return
    console.print(f"{len(sample['transcripts'])} of the {sample['coded']} transcripts "
                  f"{sample['coder']} coded (seed {sample['seed']}), to code again as "
                  f"{sample['round']}:", highlight=False, markup=False)
    for name in sample["transcripts"]:
        console.print(f"  qualcode code {name} --coder {sample['round']}", highlight=False,
                      markup=False)
    console.print(f"Then compare: qualcode agreement --coders {sample['coder']},"
                  f"{sample['round']}", highlight=False, markup=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    transcript: Annotated[str | None, typer.Option(
        "--transcript", "-t", help="Only this transcript.")] = None,
    code: Annotated[str | None, typer.Option(
        "--code", "-k", help="Only this code and the codes below it.")] = None,
    coder: Annotated[str | None, typer.Option("--coder", "-c", callback=coder_option,
                                              help="Only this coder.")] = None,
    origin: Annotated[str | None, typer.Option(
        "--origin", help="manual, imported, suggested or consensus.")] = None,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    """List codings with code, coder, turns and text."""
    from qualcode.services.coding_ops import list_codings

    rows = list_codings(open_project(ctx), transcript=transcript, code=code, coder=coder,
                        origin=origin, known_coder=True)
    if fmt is not OutputFormat.table:
        emit_rows(rows, fmt, raw=raw)
        return
    # One plain line per coding, cut to the terminal's width (`qualcode quotes` shows
    # passages in full); the columns a filter already fixes are left out.
    from rich.markup import escape

    columns = [c for c, fixed in (("id", False), ("transcript", transcript), ("turns", False),
                                  ("code", False), ("coder", coder)) if not fixed]
    widths = {c: min(max([len(c)] + [len(str(r[c])) for r in rows]), 30) for c in columns}
    head = "  ".join(c.ljust(widths[c]) for c in columns) + "  text"
    console.print(f"[bold]{escape(head)}[/]", highlight=False)
    for r in rows:
        cells = "  ".join(str(r[c])[:widths[c]].ljust(widths[c]) for c in columns)
        line = f"{cells}  {' '.join(r['text'].split())}"
        if len(line) > console.width:
            line = line[:console.width - 1] + "…"
        console.print(escape(line), highlight=False, soft_wrap=True)
    console.print(f"[dim]{len(rows)} codings[/]")
