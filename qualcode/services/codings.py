"""Importing codings from the exchange file (CSV) — validated whole before writing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from qualcode import audit
from qualcode.domain.errors import InputFileError, QualcodeError
from qualcode.domain.user_text import coder_name, memo_text
from qualcode.services.common import codes_by_id, get_or_create_coder, now
from qualcode.sheets import CodingRow, read_coding_file
from qualcode.store import Store
from qualcode.store.models import Coder, Coding, Transcript, Turn


@dataclass
class CodingImportReport:
    added: int = 0
    skipped_duplicates: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def import_codings(store: Store, paths: list[Path], *, origin: str = "imported",
                   coder: str | None = None) -> CodingImportReport:
    """Import one or more coding files in one transaction: any bad row, nothing written.
    With ``coder``, every row is written as that coder's (a file without a coder column
    may be read then): one coder's layer brought in under another name, as a recode of a
    sample comes in as ``anna@2``. A file naming two coders is refused then, since
    their layers would become one."""
    report = CodingImportReport()
    if coder is not None:
        coder = coder_name(coder)
    rows = [(path, row) for path in paths
            for row in read_coding_file(path, report.warnings, coder=coder)]
    if coder is not None:
        rows = _as_coder(rows, coder)
    with store.write() as session:
        codes = codes_by_id(session)
        transcripts = {t.name: t for t in session.exec(select(Transcript)).all()}
        turn_spans: dict[int, list[tuple[int, int]]] = {t.pk: [] for t in transcripts.values()}
        for transcript_pk, start, end in session.exec(
                select(Turn.transcript_pk, Turn.start, Turn.end)
                .order_by(Turn.transcript_pk, Turn.idx)).all():
            turn_spans[transcript_pk].append((start, end))
        existing = set(session.exec(
            select(Coding.coder_pk, Coding.code_pk, Coding.transcript_pk, Coding.start,
                   Coding.end)).all())
        planned = []
        for path, row in rows:
            transcript = transcripts.get(row.transcript)
            if transcript is None:
                raise InputFileError(str(path), f"unknown transcript '{row.transcript}'; "
                                     "nothing was imported", line=row.line,
                                     hint="see `qualcode transcripts`")
            code = codes.get(row.code)
            if code is None:
                raise InputFileError(str(path), f"unknown code '{row.code}'; nothing was "
                                     "imported", line=row.line,
                                     hint="load the codebook that defines it, or fix the id")
            if code.archived:
                raise InputFileError(str(path), f"code '{row.code}' is archived", line=row.line,
                                     hint="un-archive it in the codebook, or use its successor")
            spans = turn_spans[transcript.pk]
            if row.turns:
                first, last = row.turns
                if first < 1 or last > len(spans):
                    raise InputFileError(str(path), f"'{row.transcript}' has turns 1-"
                                         f"{len(spans)}, not {first}-{last}; nothing was "
                                         "imported", line=row.line)
                start, end = spans[first - 1][0], spans[last - 1][1]
            else:
                start, end = row.chars
                if end > len(transcript.text):
                    raise InputFileError(str(path), f"offset {end} is past the end of "
                                         f"'{row.transcript}' ({len(transcript.text)} "
                                         "characters)", line=row.line)
            if start >= end:
                raise InputFileError(str(path), "the coded span is empty", line=row.line)
            if row.text is not None and row.text != transcript.text[start:end]:
                raise InputFileError(
                    str(path), f"the text at {start}-{end} of '{row.transcript}' is not the "
                    "quoted text; nothing was imported", line=row.line,
                    hint="the transcript differs from the one the codings were made on: "
                         "import the same version, or drop the text column")
            try:
                coder_name(row.coder)
                memo = memo_text(row.memo) if row.memo else None
            except QualcodeError as exc:
                raise InputFileError(str(path), f"{exc.message}; nothing was imported",
                                     line=row.line, hint=exc.hint) from None
            planned.append((row, transcript, code, start, end, memo))
        stamp = now()
        values = []
        coders: dict[str, Coder] = {}
        for row, transcript, code, start, end, memo in planned:
            coder = coders.get(row.coder)
            if coder is None:
                coder = coders[row.coder] = get_or_create_coder(session, row.coder)
            key = (coder.pk, code.pk, transcript.pk, start, end)
            if key in existing:
                report.skipped_duplicates += 1
                continue
            existing.add(key)
            values.append(dict(
                coder_pk=coder.pk, code_pk=code.pk, transcript_pk=transcript.pk, start=start,
                end=end, quote=transcript.text[start:end], text_sha256=transcript.text_sha256,
                origin=row.origin if row.origin in ("suggested", "consensus") else origin,
                memo=memo, created_at=stamp, updated_at=stamp,
            ))
            report.by_coder[row.coder] = report.by_coder.get(row.coder, 0) + 1
        if values:
            session.execute(insert(Coding), values)
        report.added = len(values)
        audit.record(session, "import", "codings", ", ".join(Path(p).name for p in paths),
                     after={"added": report.added, "by_coder": report.by_coder,
                            "skipped_duplicates": report.skipped_duplicates})
    return report


def _as_coder(rows: list[tuple[Path, CodingRow]], coder: str
              ) -> list[tuple[Path, CodingRow]]:
    """Every row written as ``coder``'s; refused when the files name more than one coder."""
    from dataclasses import replace

    named = sorted({row.coder for _, row in rows})
    if len(named) > 1:
        raise InputFileError(str(rows[0][0]), f"--coder {coder} writes one coder's codings, "
                             f"but the file(s) hold codings by {', '.join(named)}; nothing "
                             "was imported", hint="import each coder's file on its own")
    return [(path, replace(row, coder=coder)) for path, row in rows]


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
