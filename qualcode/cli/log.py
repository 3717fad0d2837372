"""`qualcode log`: the audit log, filtered, as a table or for other programs."""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, coder_option, open_project
from qualcode.cli.render import OutputFormat, console, emit_rows


def log(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option(
        "--coder", "--actor", "-c", callback=coder_option,
        help="Only what this coder (or user) did.")] = None,
    entity: Annotated[str | None, typer.Option(
        "--kind", "-k", help="Only events about this: coding, code, transcript, recording, "
                             "undo, …")] = None,
    action: Annotated[str | None, typer.Option(
        "--action", help="Only this action: add, remove, update, import, merge, …")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="From a date (2026-11-30), a time (2026-11-30T14:00) or an age "
                        "(90m, 12h, 3d, 2w).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Up to a date or time.")
                     ] = None,
    limit: Annotated[int, typer.Option(
        "--limit", "-n", min=0, help="The newest N events (0: all).")] = 50,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Who did what, when: the project's audit log, newest first. Every change is in it
    (codings, codes, imports, undo); nothing in it can be changed or deleted."""
    from qualcode.services.log import describe, parse_since, read_log

    events = read_log(open_project(ctx), actor=actor, entity=entity, action=action,
                      since=parse_since(since) if since else None,
                      until=parse_since(until) if until else None, limit=limit or None)
    if fmt is not OutputFormat.table:
        emit_rows(events, fmt, columns=["id", "at", "actor", "action", "entity", "key", "code",
                                        "transcript", "before", "after", "batch"])
        return
    from rich.table import Table

    table = Table(header_style="bold", title=f"{len(events)} event(s), newest first")
    for column in ("id", "at (UTC)", "who", "action", "what", "key"):
        table.add_column(column, no_wrap=column in ("id", "at (UTC)"), overflow="fold")
    table.add_column("detail", ratio=1, overflow="fold")
    for e in events:
        table.add_row(str(e["id"]), e["at"].replace("T", " ")[:16], e["actor"], e["action"],
                      e["entity"], e["key"] or "", describe(e))
    console.print(table)
