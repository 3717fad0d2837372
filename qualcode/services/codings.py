"""Importing codings from the exchange file (CSV): all or nothing, in one transaction.

A national study's coding file holds 100 000+ rows, so the import works on plain rows
through the store's plain write transaction, never an ORM object per row: the file is read
row by row and each row checked against the project's turn tables (loaded once, as
arrays); the codings then go in transcript by transcript, each transcript's text read once
for the quotes, so only one transcript's quotes are in memory at a time. The codings get
ids in file order, reserved up front, and the import is one undo batch: ``coding undo``
for the user who ran it takes it back.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from qualcode import audit
from qualcode.domain.errors import InputFileError, QualcodeError
from qualcode.domain.user_text import coder_name, memo_text
from qualcode.sheets import CodingRow, iter_coding_file
from qualcode.store import Store, Writer

ORIGINS_KEPT = ("suggested", "consensus")  # a file's own origin that stays as it is
_CODING_COLUMNS = ("pk", "coder_pk", "code_pk", "transcript_pk", "start", "end", "quote",
                   "text_sha256", "origin", "memo", "created_at", "updated_at")


@dataclass
class CodingImportReport:
    added: int = 0
    skipped_duplicates: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Planned:
    """A checked row, small: one of these per row of the file."""

    order: int  # position among the files' rows: the first problem in this order is told
    new: int  # position among the new codings (the order of their ids); -1: a duplicate
    path: Path
    line: int
    coder: str
    code_pk: int
    start: int
    end: int
    origin: str
    memo: str | None
    text: str | None  # the quoted text the file gives, checked against the transcript


class _Project:
    """What the rows are checked against, read once: transcripts (with their length, not
    their text), turn boundaries as compact arrays, codes, coders and existing codings."""

    def __init__(self, db: Writer) -> None:
        self.transcripts = {name: (pk, length) for pk, name, length in db.rows(
            "SELECT pk, name, length(text) FROM transcript")}
        self.turn_starts: dict[int, array] = defaultdict(lambda: array("q"))
        self.turn_ends: dict[int, array] = defaultdict(lambda: array("q"))
        for t_pk, start, end in db.rows(
                'SELECT transcript_pk, start, "end" FROM turn ORDER BY transcript_pk, idx'):
            self.turn_starts[t_pk].append(start)
            self.turn_ends[t_pk].append(end)
        self.codes = {code_id: (pk, bool(archived)) for pk, code_id, archived in db.rows(
            "SELECT pk, code_id, archived FROM code")}
        self.coders = dict(db.rows("SELECT name, pk FROM coder"))
        self.existing = set(db.rows(
            'SELECT coder_pk, code_pk, transcript_pk, start, "end" FROM coding'))


def _checked(project: _Project, path: Path, row: CodingRow, origin: str, order: int
             ) -> tuple[int, _Planned]:
    """A row checked against the project (its transcript pk and plan), or the reason it
    is refused. The quoted text is checked later, with the transcript's text."""
    found = project.transcripts.get(row.transcript)
    if found is None:
        raise InputFileError(str(path), f"unknown transcript '{row.transcript}'; "
                             "nothing was imported", line=row.line,
                             hint="see `qualcode transcripts`")
    transcript_pk, length = found
    code = project.codes.get(row.code)
    if code is None:
        raise InputFileError(str(path), f"unknown code '{row.code}'; nothing was "
                             "imported", line=row.line,
                             hint="load the codebook that defines it, or fix the id")
    if code[1]:
        raise InputFileError(str(path), f"code '{row.code}' is archived", line=row.line,
                             hint="un-archive it in the codebook, or use its successor")
    if row.turns:
        first, last = row.turns
        starts = project.turn_starts.get(transcript_pk, ())
        if first < 1 or last > len(starts):
            raise InputFileError(str(path), f"'{row.transcript}' has turns 1-"
                                 f"{len(starts)}, not {first}-{last}; nothing was "
                                 "imported", line=row.line)
        start, end = starts[first - 1], project.turn_ends[transcript_pk][last - 1]
    else:
        start, end = row.chars
        if end > length:
            raise InputFileError(str(path), f"offset {end} is past the end of "
                                 f"'{row.transcript}' ({length} characters)", line=row.line)
    if start >= end:
        raise InputFileError(str(path), "the coded span is empty", line=row.line)
    try:
        coder_name(row.coder)
        memo = memo_text(row.memo) if row.memo else None
    except QualcodeError as exc:
        raise InputFileError(str(path), f"{exc.message}; nothing was imported",
                             line=row.line, hint=exc.hint) from None
    kept = row.origin if row.origin in ORIGINS_KEPT else origin
    return transcript_pk, _Planned(order, -1, path, row.line, row.coder, code[0], start, end,
                                   kept, memo, row.text)


def _quote_refused(plan: _Planned, name: str) -> InputFileError:
    return InputFileError(
        str(plan.path), f"the text at {plan.start}-{plan.end} of '{name}' is not the "
        "quoted text; nothing was imported", line=plan.line,
        hint="the transcript differs from the one the codings were made on: "
             "import the same version, or drop the text column")


def _write(db: Writer, by_transcript: dict[int, list[_Planned]], names: dict[int, str],
           refused: tuple[int, InputFileError] | None, first_id: int, coders: dict[str, int],
           stamp: object) -> tuple[int, InputFileError] | None:
    """Step 2 of the import: transcript by transcript, each text read once, the quoted
    texts checked (a wrong one before the first refused row is the first problem) and the
    codings written with their ids in file order. Returns the first problem, if any."""
    for t_pk, plans in sorted(by_transcript.items()):
        checks = [p for p in plans if p.text is not None
                  and (refused is None or p.order < refused[0])]
        if refused is not None and not checks:
            continue
        text, sha = db.rows("SELECT text, text_sha256 FROM transcript WHERE pk = ?",
                            (t_pk,))[0]
        wrong = next((p for p in checks if p.text != text[p.start:p.end]), None)
        if wrong is not None:  # plans are in file order: the first here is the earliest
            refused = (wrong.order, _quote_refused(wrong, names[t_pk]))
        if refused is None:
            db.insert_rows("coding", _CODING_COLUMNS, (
                (first_id + p.new, coders[p.coder], p.code_pk, t_pk, p.start,
                 p.end, text[p.start:p.end], sha, p.origin, p.memo, stamp, stamp)
                for p in plans if p.new >= 0))
    return refused


def import_codings(store: Store, paths: list[Path], *, origin: str = "imported",
                   coder: str | None = None) -> CodingImportReport:
    """Import one or more coding files in one transaction: any bad row, nothing written.
    The first problem in file order is the one reported. With ``coder``, every row is
    written as that coder's (a file without a coder column may be read then): one coder's
    layer brought in under another name, as a recode of a sample comes in as ``anna@2``.
    A file naming two coders is refused then, since their layers would become one."""
    report = CodingImportReport()
    if coder is not None:
        coder = coder_name(coder)
    named: set[str] = set()  # with ``coder``: the coders the files name
    with store.writer() as db:
        project = _Project(db)
        names = {pk: name for name, (pk, _) in project.transcripts.items()}
        # 1. Every row checked and planned in file order; a duplicate (of a coding in the
        # project or of an earlier row) is skipped. A row the files themselves get wrong
        # is told at once; after a row the project refuses, the files are still read to
        # the end, since their own errors come first. The quoted text waits for step 2.
        by_transcript: dict[int, list[_Planned]] = defaultdict(list)
        refused: tuple[int, InputFileError] | None = None
        order = added = 0
        for path in paths:
            for row in iter_coding_file(path, report.warnings, coder=coder):
                if coder is not None:
                    named.add(row.coder)
                    if len(named) > 1:
                        raise InputFileError(
                            str(path), f"--coder {coder} writes one coder's codings, but the "
                            f"file(s) hold codings by {', '.join(sorted(named))}; nothing "
                            "was imported", line=row.line,
                            hint="import each coder's file on its own")
                    row = row._replace(coder=coder)
                if refused is not None:
                    continue
                try:
                    t_pk, plan = _checked(project, path, row, origin, order)
                except InputFileError as exc:
                    refused = (order, exc)
                    continue
                order += 1
                by_transcript[t_pk].append(plan)
                key = (project.coders.get(row.coder, row.coder), plan.code_pk, t_pk,
                       plan.start, plan.end)
                if key in project.existing:
                    report.skipped_duplicates += 1
                    continue
                project.existing.add(key)
                plan.new = added
                added += 1
                report.by_coder[row.coder] = report.by_coder.get(row.coder, 0) + 1
        project.existing.clear()
        first_id = db.reserve_ids("coding", added) if refused is None and added else 0
        stamp = db.moment(datetime.now(timezone.utc))
        if refused is None:
            for name in report.by_coder:
                if name not in project.coders:
                    db.execute("INSERT INTO coder (name, created_at) VALUES (?, ?)",
                               (name, stamp))
            project.coders = dict(db.rows("SELECT name, pk FROM coder"))
        with db.indexes_deferred("coding", adding=added if refused is None else 0):
            refused = _write(db, by_transcript, names, refused, first_id, project.coders,
                             stamp)
        if refused is not None:
            raise refused[1]
        report.added = added
        after = {"added": added, "by_coder": report.by_coder,
                 "skipped_duplicates": report.skipped_duplicates}
        if added:  # the ids the import gave out: an undo takes back these codings
            after["ids"] = [first_id, first_id + added - 1]
        audit.record_in(db, "import", "codings", ", ".join(Path(p).name for p in paths),
                        after=after, batch=audit.new_batch() if added else None)
    return report


EXPORT_COLUMNS = ("transcript", "start", "end", "code", "coder", "origin", "memo", "text")


def export_coder_layer(store: Store, coder: str, path: Path) -> int:
    """Write one coder's codings as a coding file that `coding import` reads back exactly:
    offsets (not turn numbers, which depend on the speaker rules), the quoted text (checked
    on import, so a changed transcript is noticed), origin and memo. Text is written as
    stored: this is an exchange file between copies of qualcode, not a spreadsheet."""
    import csv
    import io

    from qualcode.output import write_text
    from qualcode.services.coding_ops import list_codings

    rows = list_codings(store, coder=coder)
    if not rows:
        from qualcode.domain.errors import NotFoundError

        with store.snapshot() as db:
            coders = db.column("SELECT name FROM coder ORDER BY name")
        raise NotFoundError(f"no codings by '{coder}'",
                            hint=f"coders: {', '.join(coders) or 'none yet'}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        writer.writerow([r["transcript"], r["start"], r["end"], r["code"], r["coder"],
                         r["origin"], r["memo"] or "", r["text"]])
    write_text(path, buffer.getvalue())
    return len(rows)
