"""Importing codings from the exchange file (CSV): all or nothing, in one transaction.

A national study's coding file holds 100 000+ rows, so the import works on plain rows
through the store's plain write transaction, never an ORM object per row, and holds one
transcript's worth of data at a time, however large the files: each row is read, checked
against its transcript (text, turn boundaries and the codings it already has, read when
the file reaches it) and written, in file order, in the one transaction. A bad row
anywhere rolls it all back. The codings get ids in file order, from one reserved first
id, and the import is one undo batch: ``coding undo`` for the user who ran it takes it
back.
"""

from __future__ import annotations

import itertools
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from qualcode import audit
from qualcode.domain.errors import InputFileError, QualcodeError, not_found
from qualcode.domain.user_text import coder_name, memo_text
from qualcode.sheets import CodingRow, iter_coding_file
from qualcode.store import Store, Writer

ORIGINS_KEPT = ("suggested", "consensus")  # a file's own origin that stays as it is
_CODING_COLUMNS = ("pk", "coder_pk", "code_pk", "transcript_pk", "start", "end", "quote",
                   "text_sha256", "origin", "memo", "created_at", "updated_at")
# From this many rows the import is a bulk write (see Store.writer): a rollback journal
# instead of the write-ahead log when no one else has the project open.
BULK_ROWS = 20_000
_WRITE_EVERY = 4_000  # rows handed to the driver at once (their quotes are held till then)
_TEXTS_HELD = 4  # transcripts' texts and turns kept for a file that goes back and forth


@dataclass
class CodingImportReport:
    added: int = 0
    skipped_duplicates: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class _Transcript:
    """What a transcript's rows are checked against: its text (for quotes and length),
    its turn boundaries, and the codings it has (its own and those added by this import,
    as (coder, code, start, end)), so a duplicate is skipped."""

    __slots__ = ("pk", "name", "text", "sha", "starts", "ends", "keys")

    def __init__(self, db: Writer, pk: int, name: str, keys: set) -> None:
        self.pk, self.name, self.keys = pk, name, keys
        self.text, self.sha = db.rows(
            "SELECT text, text_sha256 FROM transcript WHERE pk = ?", (pk,))[0]
        self.starts, self.ends = array("q"), array("q")
        for start, end in db.rows(
                'SELECT start, "end" FROM turn WHERE transcript_pk = ? ORDER BY idx', (pk,)):
            self.starts.append(start)
            self.ends.append(end)


def _key(coder: int, code: int, start: int, end: int) -> tuple[int, int]:
    """A coding as its transcript's duplicate check knows it: two 64-bit numbers."""
    return coder << 32 | code, start << 32 | end


def _pack(keys: set) -> array:
    """A transcript's coding keys, 16 bytes each, while the file is elsewhere."""
    return array("q", itertools.chain.from_iterable(keys))


def _unpack(packed: array | None) -> set:
    return set(zip(packed[::2], packed[1::2], strict=True)) if packed else set()


class _Import:
    """One import run: the project's names, the transcripts the file is at, and the rows
    waiting to be handed to the driver."""

    def __init__(self, db: Writer, origin: str, first_id: int, stamp: object) -> None:
        self.db, self.origin, self.next_id, self.stamp = db, origin, first_id, stamp
        self.transcripts = dict(db.rows("SELECT name, pk FROM transcript"))
        self.codes = {code_id: (pk, bool(archived)) for pk, code_id, archived in db.rows(
            "SELECT pk, code_id, archived FROM code")}
        self.coders = dict(db.rows("SELECT name, pk FROM coder"))
        # The codings the project has, by transcript (16 bytes each; none in a new one).
        self.packed: dict[int, array] = {}
        for t_pk, coder, code, start, end in db.rows(
                'SELECT transcript_pk, coder_pk, code_pk, start, "end" FROM coding '
                "ORDER BY transcript_pk"):
            packed = self.packed.get(t_pk)
            if packed is None:
                packed = self.packed[t_pk] = array("q")
            packed.extend(_key(coder, code, start, end))
        self.held: OrderedDict[int, _Transcript] = OrderedDict()
        self.last: _Transcript | None = None  # where the file is: usually the last row's
        self.pending: list[tuple] = []

    def transcript(self, pk: int, name: str) -> _Transcript:
        found = self.last
        if found is not None and found.pk == pk:
            return found
        found = self.held.get(pk)
        if found is not None:
            self.held.move_to_end(pk)
        else:
            if len(self.held) >= _TEXTS_HELD:
                _, old = self.held.popitem(last=False)
                self.packed[old.pk] = _pack(old.keys)
            found = self.held[pk] = _Transcript(self.db, pk, name,
                                                _unpack(self.packed.pop(pk, None)))
        self.last = found
        return found

    def coder_pk(self, name: str) -> int:
        pk = self.coders.get(name)
        if pk is None:
            pk = self.coders[name] = self.db.insert("coder", {"name": name,
                                                              "created_at": self.stamp})
        return pk

    def add(self, path: Path, row: CodingRow, report: CodingImportReport) -> None:
        """Check one row against the project (raising the reason it is refused) and write
        it, unless it duplicates a coding there or an earlier row."""
        t_pk = self.transcripts.get(row.transcript)
        if t_pk is None:
            raise InputFileError(str(path), f"unknown transcript '{row.transcript}'; "
                                 "nothing was imported", line=row.line,
                                 hint="see `qualcode transcripts`")
        code = self.codes.get(row.code)
        if code is None:
            raise InputFileError(str(path), f"unknown code '{row.code}'; nothing was "
                                 "imported", line=row.line,
                                 hint="load the codebook that defines it, or fix the id")
        if code[1]:
            raise InputFileError(str(path), f"code '{row.code}' is archived", line=row.line,
                                 hint="un-archive it in the codebook, or use its successor")
        t = self.transcript(t_pk, row.transcript)
        if row.turns:
            first, last = row.turns
            if first < 1 or last > len(t.starts):
                raise InputFileError(str(path), f"'{row.transcript}' has turns 1-"
                                     f"{len(t.starts)}, not {first}-{last}; nothing was "
                                     "imported", line=row.line)
            start, end = t.starts[first - 1], t.ends[last - 1]
        else:
            start, end = row.chars
            if end > len(t.text):
                raise InputFileError(str(path), f"offset {end} is past the end of "
                                     f"'{row.transcript}' ({len(t.text)} characters)",
                                     line=row.line)
        if start >= end:
            raise InputFileError(str(path), "the coded span is empty", line=row.line)
        try:
            coder_name(row.coder)
            memo = memo_text(row.memo) if row.memo else None
        except QualcodeError as exc:
            raise InputFileError(str(path), f"{exc.message}; nothing was imported",
                                 line=row.line, hint=exc.hint) from None
        quote = t.text[start:end]
        if row.text is not None and row.text != quote:
            raise InputFileError(
                str(path), f"the text at {start}-{end} of '{row.transcript}' is not the "
                "quoted text; nothing was imported", line=row.line,
                hint="the transcript differs from the one the codings were made on: "
                     "import the same version, or drop the text column")
        coder = self.coder_pk(row.coder)
        key = _key(coder, code[0], start, end)
        if key in t.keys:
            report.skipped_duplicates += 1
            return
        t.keys.add(key)
        origin = row.origin if row.origin in ORIGINS_KEPT else self.origin
        self.pending.append((self.next_id, coder, code[0], t_pk, start, end, quote, t.sha,
                             origin, memo, self.stamp, self.stamp))
        self.next_id += 1
        report.by_coder[row.coder] = report.by_coder.get(row.coder, 0) + 1
        if len(self.pending) >= _WRITE_EVERY:
            self.write()

    def write(self) -> None:
        if self.pending:
            self.db.insert_rows("coding", _CODING_COLUMNS, self.pending)
            self.pending = []


def _rows_at_most(paths: list[Path]) -> int:
    """An upper bound of the rows in the files, from their line ends, read in blocks:
    what the import must be ready for before it reads a row."""
    lines = 0
    for path in paths:
        try:
            with open(path, "rb") as f:
                while block := f.read(1 << 20):
                    lines += block.count(b"\n")
        except OSError:
            continue  # the reader reports it
        lines += 1
    return lines


def import_codings(store: Store, paths: list[Path], *, origin: str = "imported",
                   coder: str | None = None) -> CodingImportReport:
    """Import one or more coding files in one transaction: any bad row, nothing written.
    The first problem in file order is the one reported; a problem of the files
    themselves (their format) comes before one the project has with a row. With
    ``coder``, every row is written as that coder's (a file without a coder column may be
    read then): one coder's layer brought in under another name, as a recode of a sample
    comes in as ``anna@2``. A file naming two coders is refused then, since their layers
    would become one."""
    report = CodingImportReport()
    if coder is not None:
        coder = coder_name(coder)
    named: set[str] = set()  # with ``coder``: the coders the files name
    at_most = _rows_at_most(paths)
    with store.writer(bulk=at_most >= BULK_ROWS) as db:
        first_id = db.reserve_ids("coding", at_most)
        run = _Import(db, origin, first_id, db.moment(datetime.now(timezone.utc)))
        refused: InputFileError | None = None
        with db.indexes_deferred("coding", adding=at_most) as deferred:
            if deferred and db.dialect == "sqlite":
                # Rows appended without their indexes need little cache, and the index
                # builds sort within it: 16 MB took the same time as 64 MB and half the
                # memory (61 against 110 MB for 161 886 codings, 97 against 195 MB for
                # 1.6 million).
                db.execute("PRAGMA cache_size = -16384")
            for path in paths:
                for row in iter_coding_file(path, report.warnings, coder=coder):
                    if coder is not None:
                        named.add(row.coder)
                        if len(named) > 1:
                            raise InputFileError(
                                str(path), f"--coder {coder} writes one coder's codings, but "
                                f"the file(s) hold codings by {', '.join(sorted(named))}; "
                                "nothing was imported", line=row.line,
                                hint="import each coder's file on its own")
                        row = row._replace(coder=coder)
                    if refused is not None:
                        continue  # read on: an error of the files' own comes first
                    try:
                        run.add(path, row, report)
                    except InputFileError as exc:
                        refused = exc
            if refused is not None:
                raise refused
            run.write()
        added = run.next_id - first_id
        db.release_ids("coding", run.next_id)
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
        with store.snapshot() as db:
            coders = db.column("SELECT name FROM coder ORDER BY name")
        raise not_found(f"no codings by '{coder}'", coder, coders,
                        f"coders: {', '.join(coders) or 'none yet'}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        writer.writerow([r["transcript"], r["start"], r["end"], r["code"], r["coder"],
                         r["origin"], r["memo"] or "", r["text"]])
    write_text(path, buffer.getvalue())
    return len(rows)
