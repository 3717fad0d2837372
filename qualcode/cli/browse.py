"""`qualcode transcripts`, `qualcode show`, `qualcode cases`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, Group, RawOption, coder_option, open_project
from qualcode.cli.pseudonyms import IdentifiableOption
from qualcode.cli.render import OutputFormat, console, emit_json, emit_rows, err_console, plain

ROLE_STYLE = {"intervjuer": "dim", "rektor": "magenta", "radgiver": "cyan", "laerer": "green"}


def register(app: typer.Typer) -> None:
    app.add_typer(transcripts_app, name="transcripts")
    app.command("show")(show)
    app.command("cases")(cases)
    app.command("quotes")(quotes)
    app.command("search")(search)


transcripts_app = typer.Typer(
    cls=Group,
    help="List transcripts with site, format, speakers and word count (rename and remove "
         "them with the commands below).", invoke_without_command=True)


@transcripts_app.callback()
def transcripts(ctx: typer.Context, fmt: FormatOption = OutputFormat.table,
                raw: RawOption = False, identifiable: IdentifiableOption = False) -> None:
    """List transcripts with site, format, speakers and word count."""
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.cli.pseudonyms import listing_key, masked
    from qualcode.services.overview import list_transcripts

    store = open_project(ctx)
    rows = masked(list_transcripts(store), listing_key(store, identifiable).key)
    if fmt is not OutputFormat.table:
        emit_rows(rows, fmt, columns=["name", "site", "format", "file_type", "speakers",
                                      "turns", "words", "title"], raw=raw)
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} transcripts, {sum(r['words'] for r in rows)} words",
                  header_style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("site", no_wrap=True)
    table.add_column("format")
    table.add_column("type")
    table.add_column("speakers")
    table.add_column("turns", justify="right")
    table.add_column("words", justify="right")
    for r in rows:
        table.add_row(*map(plain, (r["name"], r["site"] or "—", r["format"] or "—",
                                    r["file_type"], ", ".join(r["speakers"]))),
                      str(r["turns"]), str(r["words"]))
    console.print(table)


def show(
    ctx: typer.Context,
    transcript: Annotated[str, typer.Argument(help="Transcript name (file stem) or id.")],
    fmt: FormatOption = OutputFormat.table,
    sentences: Annotated[bool, typer.Option(
        "--sentences", help="Number the sentences inside each turn.")] = False,
    raw: RawOption = False,
) -> None:
    """Show a transcript as numbered speaker turns."""
    from qualcode.media import format_clock
    from qualcode.services.queries import transcript_turns

    data = transcript_turns(open_project(ctx), transcript, sentences=sentences)
    if fmt is OutputFormat.json:
        emit_json(data["turns"])
        return
    if fmt is OutputFormat.csv:
        emit_rows(data["turns"], fmt, columns=["index", "speaker", "role", "person", "start",
                                               "end", "time", "time_end", "text"], raw=raw)
        return
    from rich.markup import escape
    from rich.table import Table

    attrs = " · ".join(f"{k}: {v}" for k, v in data["attributes"].items())
    console.print(f"[bold]{escape(data['title'] or data['name'])}[/]  "
                  f"[dim]{escape(data['name'])} · site {escape(data['site'] or '—')} · "
                  f"{data['words']} words[/]", highlight=False)
    if attrs:
        console.print(f"[dim]{escape(attrs)}[/]", highlight=False)
    table = Table(show_header=False, box=None, padding=(0, 1, 1, 0), expand=True)
    table.add_column(justify="right", style="dim", no_wrap=True)
    table.add_column(no_wrap=True, max_width=18)
    table.add_column(ratio=1)
    for turn in data["turns"]:
        style = ROLE_STYLE.get(turn["role"] or "", "yellow")
        who = escape(turn["speaker"] or "—")
        who_detail = turn["person"] or (f"({turn['role']})" if turn["role"] else "")
        role = f"\n[dim]{escape(who_detail)}[/]" if who_detail else ""
        if turn["time"] is not None:
            role += f"\n[dim]{escape(format_clock(turn['time']))}[/]"
        if sentences:
            body = " ".join(f"[dim]⟨{s['index']}⟩[/]{escape(s['text'])}"
                            for s in turn["sentences"])
        else:
            body = escape(turn["text"])
        table.add_row(str(turn["index"]), f"[{style}]{who}[/]{role}", body)
    console.print(table)


@transcripts_app.command("rename")
def rename(ctx: typer.Context,
           old: Annotated[str, typer.Argument(help="The transcript's name or id.")],
           new: Annotated[str, typer.Argument(help="Its new name.")]) -> None:
    """Rename a transcript (its codings, turns and attributes stay with it)."""
    from qualcode.services.transcript_maintenance import rename_transcript

    before = rename_transcript(open_project(ctx), old, new)
    console.print(f"renamed {before} to {new}", highlight=False, markup=False)


@transcripts_app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The transcript's name or id.")],
    with_codings: Annotated[bool, typer.Option(
        "--with-codings", help="Also remove its codings (each is kept in the audit log).")
    ] = False,
) -> None:
    """Remove a transcript; refused while it has codings, unless --with-codings."""
    from qualcode.services.transcript_maintenance import remove_transcript

    n = remove_transcript(open_project(ctx), name, with_codings=with_codings)
    console.print(f"removed {name}" + (f" and its {n} coding(s)" if n else ""),
                  highlight=False, markup=False)


def cases(
    ctx: typer.Context,
    fmt: FormatOption = OutputFormat.table,
    which: Annotated[str, typer.Option("--show", help="sites, persons or both.")] = "both",
    raw: RawOption = False,
    identifiable: IdentifiableOption = False,
) -> None:
    """Sites (schools) and persons (informants) with their attributes; names are replaced
    by the pseudonym key unless --identifiable."""
    from qualcode.cli.pseudonyms import listing_key, masked
    from qualcode.services.overview import list_cases

    if which not in ("both", "sites", "persons"):
        raise typer.BadParameter("use sites, persons or both", param_hint="--show")
    if fmt is OutputFormat.csv and which == "both":
        raise typer.BadParameter("CSV holds one table: add --show sites or --show persons",
                                 param_hint="--show")
    store = open_project(ctx)
    data = masked(list_cases(store), listing_key(store, identifiable).key)
    if fmt is OutputFormat.json:
        emit_json(data if which == "both" else data[which])
        return
    if fmt is OutputFormat.csv:
        emit_rows(data[which], fmt, raw=raw)
        return
    from rich.markup import escape
    from rich.table import Table

    # Attributes vary per case: one wrapped "key: value" column reads better than
    # a dozen narrow columns in an 80-column terminal.
    fixed = {"sites": ("site", "name"), "persons": ("person", "site", "rolle", "interviews")}
    for kind in ("sites", "persons"):
        if which not in ("both", kind):
            continue
        table = Table(title=f"{len(data[kind])} {kind}", header_style="bold")
        for column in fixed[kind]:
            table.add_column(column, no_wrap=column in ("site", "person"))
        table.add_column("attributes", ratio=1)
        for row in data[kind]:
            rest = " · ".join(f"[dim]{escape(k)}:[/] {escape(str(v))}" for k, v in row.items()
                              if k not in fixed[kind])
            table.add_row(*[escape(str(row.get(c) if row.get(c) is not None else "—"))
                            for c in fixed[kind]], rest)
        console.print(table)


class QuoteFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


def quotes(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code id, e.g. LED or LED.forankring_eier.")],
    coder: Annotated[list[str] | None, typer.Option(
        "--coder", "-c", callback=coder_option,
        help="Only this coder's codings (repeat for several).")] = None,
    where: Annotated[list[str] | None, typer.Option(
        "--where", "-w", help="NAME=VALUE on a site, person or interview attribute, e.g. "
                              "rolle=rektor or skoleslag=videregaende (repeat to combine).")
    ] = None,
    transcript: Annotated[list[str] | None, typer.Option(
        "--transcript", "-t", help="Only these transcripts.")] = None,
    exact: Annotated[bool, typer.Option(
        "--exact", help="Only the code itself, not the codes below it.")] = False,
    context: Annotated[int, typer.Option(
        "--context", help="Characters of surrounding text to show.")] = 0,
    details: Annotated[bool, typer.Option(
        "--details", help="Show transcript, turns, coder and code with each quote.")] = False,
    fmt: Annotated[QuoteFormat, typer.Option(
        "--format", "-f", help="table, csv, json, or md (Markdown for a report draft).",
        case_sensitive=False)] = QuoteFormat.table,
    raw: RawOption = False,
    identifiable: IdentifiableOption = False,
    consensus: Annotated[bool, typer.Option(
        "--consensus", help="The consensus layer (after `reconcile`) instead of the "
                            "coders' own codings.")] = False,
    sentences: Annotated[bool, typer.Option(
        "--sentences", help="Quote as the Word report does: the informants' whole sentences, "
                            "without leading fillers, cut between sentences and marked […]."
    )] = False,
    max_chars: Annotated[int, typer.Option(
        "--max-chars", min=40, help="With --sentences: the longest quote, in characters.")
    ] = 600,
) -> None:
    """Every passage coded with a code (and its sub-codes), attributed by role and school
    type as in a report ("Rådgiver, videregående skole"). Like `matrix`, it reads the
    coders' own codings, or the consensus layer with --consensus. Names are replaced by
    the project's pseudonym key unless --identifiable."""
    from qualcode.cli.pseudonyms import listing_key, tell
    from qualcode.services.retrieval import quotes as find

    store = open_project(ctx)
    ek = listing_key(store, identifiable)
    rows = find(store, code, descendants=not exact, coders=coder, where=where,
                transcripts=transcript, context=context, key=ek.key, consensus=consensus,
                sentences=sentences, max_chars=max_chars if sentences else None)
    tell(ek)  # before the listing: a pipe reads stdout, the researcher reads this
    columns = ["coding", "attribution", "transcript", "site", "turns", "speakers", "roles",
               "persons", "code", "coder", "start", "end", "time", "text", "memo"]
    if fmt in (QuoteFormat.csv, QuoteFormat.json):
        emit_rows(rows, OutputFormat(fmt.value), columns=columns + (
            ["before", "after"] if context else []), raw=raw)
        return
    if not details:  # the same passage coded by several coders reads once
        seen: set[tuple] = set()
        rows = [r for r in rows if (key := (r["transcript"], r["start"], r["end"])) not in seen
                and not seen.add(key)]
    if fmt is QuoteFormat.md:
        import sys

        sys.stdout.write(f"## {code}\n\n")
        for r in rows:
            body = " ".join(r["text"].split())
            if context:
                before, after = (" ".join(r[k].split()) for k in ("before", "after"))
                body = f"…{before} **{body}** {after}…"
            where_from = (f" ({r['transcript']}, turn {_turns(r['turns'])}{_clock(r)}, "
                          f"{r['code']}, {r['coder']})" if details else "")
            sys.stdout.write(f"> {body}\n>\n> — {r['attribution']}{where_from}\n\n")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(rows)} coded passages: {code}", header_style="bold",
                  show_lines=True)
    table.add_column("who", max_width=22)
    table.add_column("quote", ratio=1)
    for r in rows:
        who = escape(r["attribution"] or ", ".join(r["speakers"]) or "—")
        if details:
            who += (f"\n[dim]{escape(r['transcript'])}\nturn {_turns(r['turns'])}"
                    f"{escape(_clock(r))}\n{escape(r['code'])}\n{escape(r['coder'])}[/]")
        text = escape(r["text"])
        if context:
            text = f"[dim]…{escape(r['before'])}[/]{text}[dim]{escape(r['after'])}…[/]"
        table.add_row(who, text)
    console.print(table)


def _clock(row: dict) -> str:
    """`` [00:12:31]`` where the passage starts in the recording, if the transcript says."""
    from qualcode.media import format_clock

    return f" {format_clock(row['time'])}" if row.get("time") is not None else ""


def _turns(turns: list[int]) -> str:
    from qualcode.domain.labels import turn_range

    return turn_range(turns, "—")


def search(
    ctx: typer.Context,
    pattern: Annotated[str, typer.Argument(help="Text to find (case-insensitive).")],
    regex: Annotated[bool, typer.Option("--regex", help="PATTERN is a regular expression.")
                     ] = False,
    transcript: Annotated[list[str] | None, typer.Option(
        "--transcript", "-t", help="Only these transcripts.")] = None,
    code: Annotated[str | None, typer.Option(
        "--code", "-k", help="Code every hit's turn with this code (needs --coder).")] = None,
    coder: Annotated[str | None, typer.Option("--coder", "-c", callback=coder_option,
                                              help="Who codes the hits.")
                     ] = None,
    only_match: Annotated[bool, typer.Option(
        "--only-match", help="With --code: code just the matched text, not its turn.")
    ] = False,
    include_interviewer: Annotated[bool, typer.Option(
        "--include-interviewer", help="With --code: code the interviewer's turns too.")
    ] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="With --code: code the hits (without it, only say what would "
                            "be coded).")] = False,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    """Find text in the transcripts; show each hit in context, and optionally code it:
    `--code K --coder NAME` says what it would code, and `--yes` codes it, as one action
    that one `coding undo` takes back. Interviewer turns are left out unless asked."""
    from qualcode.services.queries import search_text

    if code and not coder:
        raise typer.BadParameter("coding the hits needs --coder", param_hint="--code")
    store = open_project(ctx)
    hits = search_text(store, pattern, regex=regex, transcripts=transcript)
    if code:
        from qualcode.services.coding_ops import add_codings

        chosen = [h for h in hits if include_interviewer or h["role"] != "intervjuer"]
        spans = list(dict.fromkeys(
            (h["transcript"], h["start"], h["end"]) if only_match else
            (h["transcript"], h["turn_start"], h["turn_end"]) for h in chosen))
        left = len(hits) - len(chosen)
        what = (f"{len(spans)} span(s) in {len({s[0] for s in spans})} transcript(s) with "
                f"{code} for {coder}" + (f" ({left} hit(s) in interviewer turns left out)"
                                         if left else ""))
        if yes:
            add_codings(store, spans, code, coder)
            console.print(f"coded {what}; `qualcode coding undo --coder {coder}` takes them "
                          "back", highlight=False, markup=False, soft_wrap=True)
        else:
            err_console.print(f"would code {what}: add --yes to code them", highlight=False,
                              markup=False, soft_wrap=True)
    if fmt is not OutputFormat.table:
        emit_rows(hits, fmt, columns=["transcript", "turn", "speaker", "role", "start", "end",
                                      "match", "before", "after"], raw=raw)
        return
    from rich.markup import escape

    for h in hits:
        console.print(f"[dim]{escape(h['transcript'])} {h['turn']} "
                      f"{escape(h['speaker'] or '')}:[/] …{escape(h['before'])}"
                      f"[bold reverse]{escape(h['match'])}[/]{escape(h['after'])}…",
                      highlight=False)
    console.print(f"[dim]{len(hits)} hit(s)[/]")
