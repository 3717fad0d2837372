"""Tabular input files: attribute sheets (sites, persons, interviews) and coding files.

Pure: files in, dataclasses out, every problem reported with ``file:line``. Checking the
rows against a project (unknown site, unknown code …) is the services' job.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from qualcode.domain.attributes import infer_column
from qualcode.domain.errors import InputFileError
from qualcode.domain.model import TranscriptMetadata
from qualcode.domain.text import ascii_fold, controls_note, decode_text, nfc, strip_controls
from qualcode.importers.metadata import metadata_from_mapping, scalar
from qualcode.importers.reading import CSV_LIMIT, YAML_LIMIT, check_regular_file, read_file
from qualcode.importers.safe_yaml import load_yaml
from qualcode.importers.speakers import role_from_label

SITE_NAME_KEYS = ("navn", "name")
ROLE_KEYS = ("rolle", "role")
# Longest cell of a CSV file, in characters (csv's own default, 131,072, is short for a memo).
MAX_CELL = 1_000_000
_ASCII_DIGITS = re.compile(r"[0-9]+")


@dataclass
class SiteRow:
    site_id: str
    name: str | None
    attributes: dict[str, Any]
    where: str


@dataclass
class PersonRow:
    person_id: str
    site_id: str | None
    role: str | None
    attributes: dict[str, Any]
    where: str


@dataclass
class AttributeSheet:
    sites: list[SiteRow] = field(default_factory=list)
    persons: list[PersonRow] = field(default_factory=list)
    transcripts: dict[str, TranscriptMetadata] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def extend(self, other: AttributeSheet) -> None:
        self.sites.extend(other.sites)
        self.persons.extend(other.persons)
        self.transcripts.update(other.transcripts)
        self.warnings.extend(other.warnings)


def _read_text(path: Path, limit: int) -> str:
    text, _ = decode_text(read_file(path, limit), str(path))
    return text


def _split_row(row: dict[str, Any], reserved: tuple[str, ...]) -> tuple[dict, dict]:
    special = {k: v for k, v in row.items() if k in reserved}
    other = {k: v for k, v in row.items() if k not in reserved and v is not None}
    return special, other


def _first(special: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if special.get(key) is not None:
            return special[key]
    return None


def _site_row(site_id: str, row: dict[str, Any], where: str) -> SiteRow:
    special, attrs = _split_row(row, SITE_NAME_KEYS + ("site",))
    name = _first(special, SITE_NAME_KEYS)
    return SiteRow(nfc(site_id), None if name is None else nfc(str(name)), attrs, where)


def canonical_role(value: str) -> str:
    """'Rådgiver', 'rådgiver', 'radgiver' → 'radgiver': the same value speaker labels give."""
    return role_from_label(value) or ascii_fold(value).strip().lower()


def _person_row(person_id: str, row: dict[str, Any], where: str) -> PersonRow:
    special, attrs = _split_row(row, ROLE_KEYS + ("site", "person"))
    site = special.get("site")
    role = _first(special, ROLE_KEYS)
    return PersonRow(
        nfc(person_id), None if site is None else nfc(str(site)),
        None if role is None else canonical_role(str(role)), attrs, where,
    )


def read_yaml_sheet(path: Path) -> AttributeSheet:
    """One YAML file with ``sites:``, ``persons:`` and/or ``transcripts:`` mappings."""
    data = load_yaml(_read_text(path, YAML_LIMIT), str(path)) or {}
    if not isinstance(data, dict):
        raise InputFileError(str(path), "expected a mapping with sites:, persons:, transcripts:")
    unknown = set(data) - {"sites", "persons", "transcripts"}
    if unknown:
        raise InputFileError(str(path), f"unknown section(s): {', '.join(sorted(unknown))}",
                             hint="use sites:, persons: and transcripts:")
    sheet = AttributeSheet()
    for section in ("sites", "persons", "transcripts"):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise InputFileError(str(path), f"'{section}' must map ids to their attributes")
        for key, attrs in entries.items():
            attrs = attrs or {}
            where = f"{path} ({section}.{key})"
            if not isinstance(attrs, dict):
                raise InputFileError(str(path), f"{section}.{key} must be a mapping of attributes")
            for name, value in attrs.items():
                if isinstance(value, (list, dict)) and name != "speakers":
                    raise InputFileError(str(path), f"{section}.{key}.{name} must be one value")
            if section == "transcripts":
                sheet.transcripts[nfc(str(key))] = metadata_from_mapping(attrs, where)
                continue
            clean = {nfc(str(k)): scalar(v) for k, v in attrs.items()}
            if section == "sites":
                sheet.sites.append(_site_row(str(key), clean, where))
            else:
                sheet.persons.append(_person_row(str(key), clean, where))
    return sheet


def _clean(cell: str, counter: list[int]) -> str:
    cell, removed = strip_controls(cell)
    counter[0] += removed
    return cell


def _csv_rows(path: Path, warnings: list[str] | None = None
              ) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and rows with the file line each starts on (see :func:`_csv_stream`)."""
    header, rows = _csv_stream(path, warnings)
    return header, [(lineno, dict(zip(header, values, strict=True)))
                    for lineno, values in rows]


def _text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their line ends, split at ``\\n`` only (as the file
    reader splits them), one at a time rather than as a copy of the text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        yield text[start:end]
        start = end


def _block_lines(blocks: Iterator[str], dirty: list[bool]) -> Iterator[str]:
    """The lines of text read in blocks (split at ``\\n`` only). ``dirty`` is set once a
    block holding a control character has been read: every record from there on is
    cleaned (one look per block, not per line)."""
    rest = ""
    for block in blocks:
        if not dirty[0] and strip_controls(block)[1]:
            dirty[0] = True
        text = rest + block
        cut = text.rfind("\n") + 1
        rest = text[cut:]
        if cut:
            yield from _text_lines(text[:cut])
    if rest:
        yield rest


def _utf8_blocks(path: Path) -> Iterator[str] | None:
    """The text of a UTF-8 file (with or without its byte-order mark) in blocks, read as
    they are needed; None for any other file, or a file to refuse, which is then read whole and
    judged as every text file is. The file is read through once first, in blocks, to know
    that it is UTF-8 from its first byte to its last."""
    check_regular_file(path, CSV_LIMIT)
    try:
        with open(path, "rb") as handle:
            start = handle.read(4)
            if start.startswith(_OTHER_BOMS):
                return None
            decoder = codecs.getincrementaldecoder("utf-8")()
            decoder.decode(start)
            size = len(start)
            while block := handle.read(1 << 20):
                size += len(block)
                if size > CSV_LIMIT:
                    return None
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except (OSError, UnicodeDecodeError):
        return None
    encoding = "utf-8-sig" if start.startswith(codecs.BOM_UTF8) else "utf-8"

    def blocks() -> Iterator[str]:
        with open(path, encoding=encoding, newline="\n") as handle:
            while block := handle.read(1 << 18):
                yield block

    return blocks()


_OTHER_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # and UTF-32, which begins alike


def _csv_stream(path: Path, warnings: list[str] | None = None
                ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and the rows one at a time (their cells, as many as the header has
    columns) with the file line each starts on, so a 100 000-row file is never held as
    rows, nor (when it is UTF-8, as nearly every file is) as text: it is read a line at a
    time. Control characters are removed from cells
    (they break Word and Excel exports) and counted in ``warnings`` once the rows are
    read. A problem is raised where the rows reach it: the first in file order."""
    blocks = _utf8_blocks(path)
    if blocks is None:  # another encoding, or a problem to be told: read whole, as before
        blocks = iter([_read_text(path, CSV_LIMIT)])
    # Most sheets hold no control character, and cleaning every cell of a 100 000-row
    # coding file cost half a second: only once one is seen are records cleaned.
    dirty = [False]
    lines = _block_lines(blocks, dirty)
    head: list[str] = []
    for line in lines:  # the first lines, for the sniffer
        head.append(line)
        if sum(map(len, head)) >= 4096:
            break
    sample = "".join(head)[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    if csv.field_size_limit() < MAX_CELL:
        csv.field_size_limit(MAX_CELL)
    reader = csv.reader(itertools.chain(head, lines), dialect)
    counter = [0]
    position = [0]  # the file line the last record ended on

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            for values in reader:
                yield (position[0] + 1, [_clean(cell, counter) for cell in values]
                       if dirty[0] else values)
                position[0] = reader.line_num  # a quoted cell may span several file lines
        except UnicodeDecodeError:  # the file changed since it was looked at
            raise InputFileError(str(path), "the file changed while it was read",
                                 line=position[0] + 1, hint="import it again") from None
        except csv.Error as exc:
            too_long = "field larger than field limit" in str(exc)
            reason = (f"a cell is longer than {MAX_CELL:,} characters" if too_long
                      else f"unreadable CSV ({exc})")
            raise InputFileError(str(path), reason, line=position[0] + 1,
                                 hint="shorten it, or close the quote (\") that runs on from "
                                 "there" if too_long else "check the delimiter and quoting"
                                 ) from None

    found = records()
    first = next(found, None)
    if first is None:
        raise InputFileError(str(path), "the sheet is empty")
    header = [nfc(h).strip().lstrip("\ufeff") for h in first[1]]
    if len(set(header)) != len(header):
        raise InputFileError(str(path), "duplicate column names in the header", line=1)

    width = len(header)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for lineno, values in found:
            if len(values) != width:
                if not any(v.strip() for v in values):
                    continue
                if len(values) > width:
                    raise InputFileError(str(path), f"{len(values)} cells but {width} "
                                         "columns", line=lineno,
                                         hint="check the delimiter and quoting")
                values += [""] * (width - len(values))
            elif not "".join(values).strip():
                continue
            yield lineno, values
        if counter[0] and warnings is not None:
            warnings.append(f"{path}: {controls_note(counter[0])}")

    return header, rows()


def read_csv_sheet(path: Path) -> AttributeSheet:
    """A CSV sheet. Its kind follows from its id column: ``person`` (persons.csv, with a
    ``site`` column), ``transcript`` (interviews; ``speaker:<label>`` columns map labels),
    or ``site`` (sites.csv). Each column is typed as a whole (see ``infer_column``)."""
    sheet = AttributeSheet()
    header, rows = _csv_rows(path, sheet.warnings)
    if {"code", "coder"} <= set(header):
        # A coding file also has a transcript column: read as interviews, its codes and
        # coders would become attributes of the transcripts.
        raise InputFileError(str(path), "this is a coding file (columns code and coder), not "
                             "an attributes sheet; nothing was imported", line=1,
                             hint="import it with `qualcode coding import`; an attributes "
                                  "sheet has an id column (site, person or transcript) and "
                                  "attribute columns")
    kind = next((k for k in ("person", "transcript", "site") if k in header), None)
    if kind is None:
        raise InputFileError(str(path), "no id column: the first row needs 'site', 'person' "
                             "or 'transcript'", line=1)
    typed_columns = {
        col: infer_column([r[col] for _, r in rows])
        for col in header if col != kind and not col.startswith("speaker:")
    }
    for i, (lineno, raw) in enumerate(rows):
        key = raw[kind].strip()
        where = f"{path}:{lineno}"
        if not key:
            raise InputFileError(str(path), f"empty '{kind}' id", line=lineno)
        row = {col: typed_columns[col][i] for col in typed_columns}
        if kind == "site":
            sheet.sites.append(_site_row(key, row, where))
        elif kind == "person":
            sheet.persons.append(_person_row(key, row, where))
        else:
            mapping: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
            speakers = {
                col.split(":", 1)[1].strip(): raw[col].strip() or None
                for col in header if col.startswith("speaker:")
            }
            if speakers:
                mapping["speakers"] = speakers
            sheet.transcripts[nfc(key)] = metadata_from_mapping(mapping, where)
    return sheet


def read_attribute_sheets(paths: list[Path]) -> AttributeSheet:
    sheet = AttributeSheet()
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            sheet.extend(read_yaml_sheet(path))
        elif suffix in (".csv", ".tsv"):
            sheet.extend(read_csv_sheet(path))
        else:
            raise InputFileError(str(path), f"unsupported sheet type '{suffix}'",
                                 hint="use .csv or .yaml")
    return sheet


# --- coding files ------------------------------------------------------------------

class CodingRow(NamedTuple):  # a tuple: 100 000 of them are made in a second
    line: int
    transcript: str
    code: str
    coder: str
    turns: tuple[int, int] | None  # 1-based inclusive
    chars: tuple[int, int] | None  # code points, half-open
    memo: str | None
    text: str | None = None  # the quoted text, when the file gives it: checked on import
    origin: str | None = None


CODING_COLUMNS = ("transcript", "turns", "start", "end", "code", "coder", "memo")
# What `coding list -f csv` and `coding export` write besides: read too, so a coder's
# layer goes out of one project and into another unchanged. The id is the other
# project's own and is not kept.
CODING_EXTRA_COLUMNS = ("id", "origin", "text")


def _whole_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ² and other digits ``int`` refuses."""
    return _ASCII_DIGITS.fullmatch(text.strip()) is not None


def _int_range(text: str) -> tuple[int, int] | None:
    text = text.strip().replace("–", "-")
    if not text:
        return None
    first, _, last = text.partition("-")
    if not _whole_number(first) or (last and not _whole_number(last)):
        raise ValueError(text)
    lo = int(first)
    hi = int(last) if last else lo
    return lo, hi


def read_coding_file(path: Path, warnings: list[str] | None = None, *,
                     coder: str | None = None) -> list[CodingRow]:
    """The coding exchange format: CSV with ``transcript, turns | start,end, code, coder,
    memo``. ``turns`` is ``N`` or ``N-M`` (1-based, inclusive); ``start``/``end`` are
    code-point offsets into the stored text (half-open). Cells hold at most ``MAX_CELL``
    characters; removed control characters are counted in ``warnings``. ``coder`` stands
    in for a missing or empty coder column (one coder's file)."""
    return list(iter_coding_file(path, warnings, coder=coder))


def iter_coding_file(path: Path, warnings: list[str] | None = None, *,
                     coder: str | None = None) -> Iterator[CodingRow]:
    """:func:`read_coding_file` one row at a time: the header is checked before the first
    row, each row as it is reached."""
    header, rows = _csv_stream(path, warnings)
    missing = {"transcript", "code"} | (set() if coder else {"coder"})
    missing -= set(header)
    if missing:
        raise InputFileError(str(path), f"missing column(s): {', '.join(sorted(missing))}",
                             line=1, hint=f"columns: {', '.join(CODING_COLUMNS)}")
    unknown = set(header) - set(CODING_COLUMNS) - set(CODING_EXTRA_COLUMNS)
    if unknown:
        raise InputFileError(str(path), f"unknown column(s): {', '.join(sorted(unknown))}",
                             line=1, hint=f"columns: {', '.join(CODING_COLUMNS)}")
    return _coding_rows(path, header, rows, coder or "")


def _coding_rows(path: Path, header: list[str], rows: Iterator[tuple[int, list[str]]],
                 default_coder: str) -> Iterator[CodingRow]:
    where = {name: i for i, name in enumerate(header)}
    # A column the file lacks reads as the empty cell added at the end of each row.
    (i_transcript, i_code, i_coder, i_turns, i_start, i_end, i_memo, i_origin, i_text) = (
        where.get(name, len(header)) for name in (
            "transcript", "code", "coder", "turns", "start", "end", "memo", "origin", "text"))
    names: dict[str, str] = {}  # a few transcripts, codes and coders on 100 000 rows: one
    # normalised copy of each

    ranges: dict = {}  # turn ranges read, by their cell

    def name(cell: str) -> str:
        found = names.get(cell)
        if found is None:
            found = names[cell] = nfc(cell)
        return found

    for lineno, values in rows:
        values.append("")
        transcript = values[i_transcript].strip()
        code = values[i_code].strip()
        coder = values[i_coder].strip() or default_coder
        for col, value in (("transcript", transcript), ("code", code), ("coder", coder)):
            if not value:
                raise InputFileError(str(path), f"empty '{col}'", line=lineno)
        turns_cell = values[i_turns].strip()
        turns = ranges.get(turns_cell, ranges)
        if turns is ranges:
            try:
                turns = ranges[turns_cell] = _int_range(turns_cell)
            except ValueError:
                raise InputFileError(str(path), f"turns '{turns_cell}' is not N or N-M",
                                     line=lineno) from None
        chars = None
        start, end = values[i_start].strip(), values[i_end].strip()
        if start or end:
            if not (_whole_number(start) and _whole_number(end)):
                raise InputFileError(str(path), "start and end must both be whole numbers",
                                     line=lineno)
            chars = (int(start), int(end))
        if chars is not None:
            turns = None  # offsets are exact; turn numbers beside them are for reading
        if turns is None and chars is None:
            raise InputFileError(str(path), "give turns or start/end", line=lineno)
        origin = values[i_origin].strip() or None
        if origin is not None and origin not in ("manual", "imported", "suggested",
                                                 "consensus"):
            raise InputFileError(str(path), f"unknown origin '{origin}'", line=lineno,
                                 hint="manual, imported, suggested or consensus")
        if turns and turns[0] < 1:
            raise InputFileError(str(path), "turns are numbered from 1", line=lineno)
        if turns and turns[0] > turns[1]:
            raise InputFileError(str(path), f"turn range {turns[0]}-{turns[1]} runs backwards",
                                 line=lineno)
        if chars and chars[0] >= chars[1]:
            raise InputFileError(str(path), "start must be before end", line=lineno)
        memo = values[i_memo].strip()
        text = values[i_text]
        yield CodingRow(lineno, name(transcript), name(code), name(coder), turns, chars,
                        nfc(memo) or None if memo else None,
                        text=nfc(text) if text else None, origin=origin)
