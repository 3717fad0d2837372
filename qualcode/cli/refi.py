"""``qualcode export qdpx``: the whole project as a REFI-QDA project file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import open_project
from qualcode.cli.pseudonyms import ForceOption, IdentifiableOption
from qualcode.cli.render import console


def export_qdpx(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(
        help="The file to write, ending in .qdpx (replaced if it exists).")],
    identifiable: IdentifiableOption = False,
    force: ForceOption = False,
) -> None:
    """The whole project as a REFI-QDA project (.qdpx) that NVivo, ATLAS.ti and MAXQDA
    open: transcripts, the code tree, every coder's codings and the consensus (not
    suggestions) with their memos, schools and informants as cases with their
    attributes. Identifiers are stable: exporting the same project again gives the same
    file. Names are replaced by the project's pseudonym key, with every passage's position
    recomputed, unless --identifiable (then the project's description says so)."""
    from qualcode.cli.pseudonyms import export_key, exported
    from qualcode.services.refi import check_qdpx_path, write_qdpx

    # The name is checked before the project is opened: a typo costs nothing.
    check_qdpx_path(path)
    store = open_project(ctx)
    ek = export_key(store, path, identifiable, force)
    info = write_qdpx(store, path, key=ek.key, identifiable=identifiable)
    exported(store, "qdpx", path, ek)
    console.print(f"Wrote {path} (REFI-QDA): {info.sources} sources, {info.codes} codes, "
                  f"{info.codings} codings, {info.cases} cases, {info.users} users, "
                  f"{info.notes} memos.", highlight=False, soft_wrap=True, markup=False)
    if info.recordings:
        console.print(f"{info.recordings} recording(s) named by their path, with the times "
                      "of their transcripts; the recordings themselves are not in the file "
                      "(they identify people): hand them on only where that is allowed.",
                      highlight=False, soft_wrap=True, markup=False)
