"""The leak check: does an output still hold any original of the pseudonym key?

Pure: reads a file, returns every hit with where it is. Reads what qualcode writes and
what researchers pass on: .docx (body, tables, headers and footers), .html, .xlsx, .csv,
.json, .md, .txt and .qdpx (the project XML and every source text inside the zip). The
same whole-word matching as the replacing, so what the check reports is what an export
would have replaced.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.errors import InputFileError
from qualcode.pseudonyms import Key

READABLE = (".docx", ".html", ".htm", ".xlsx", ".csv", ".json", ".md", ".txt", ".qdpx",
            ".yaml", ".yml", ".xml", ".qde")
# A mark that an output was written without the key applied, on purpose.
IDENTIFIABLE_MARK = "IDENTIFISERBAR"


@dataclass(frozen=True)
class Leak:
    path: str
    where: str  # "line 12", "paragraph 4", "table 2, row 3", "Sheet1!B7", "sources/…:3"
    original: str
    found: str  # the text as it stands in the file
    context: str


def _lines(text: str, prefix: str = "line ") -> Iterator[tuple[str, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        yield f"{prefix}{number}", line


def _docx(path: Path) -> Iterator[tuple[str, str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputFileError(str(path), f"not a Word document ({exc})") from None
    for number, paragraph in enumerate(document.paragraphs, 1):
        yield f"paragraph {number}", paragraph.text
    for t, table in enumerate(document.tables, 1):
        for r, row in enumerate(table.rows, 1):
            for c, cell in enumerate(row.cells, 1):
                yield f"table {t}, row {r}, cell {c}", cell.text
    for s, section in enumerate(document.sections, 1):
        for part, name in ((section.header, "header"), (section.footer, "footer"),
                           (section.first_page_header, "first-page header"),
                           (section.first_page_footer, "first-page footer")):
            for paragraph in part.paragraphs:
                yield f"section {s} {name}", paragraph.text
            for table in part.tables:
                for row in table.rows:
                    for cell in row.cells:
                        yield f"section {s} {name} table", cell.text
    props = document.core_properties
    for name in ("title", "subject", "author", "keywords", "comments"):
        yield f"document property {name}", getattr(props, name) or ""


def _html(text: str) -> Iterator[tuple[str, str]]:
    from html.parser import HTMLParser

    pieces: list[tuple[str, str]] = []

    class Collect(HTMLParser):
        def handle_data(self, data: str) -> None:
            pieces.append((f"line {self.getpos()[0]}", data))

        def handle_starttag(self, tag, attrs):  # titles and alt texts are read too
            for name, value in attrs:
                if name in ("title", "alt", "content") and value:
                    pieces.append((f"line {self.getpos()[0]}", value))

    parser = Collect(convert_charrefs=True)
    parser.feed(text)
    parser.close()
    yield from pieces


def _xlsx(path: Path) -> Iterator[tuple[str, str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputFileError(str(path), f"not an Excel workbook ({exc})") from None
    try:
        for sheet in workbook.worksheets:
            yield f"sheet {sheet.title}", sheet.title
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        yield f"{sheet.title}!{cell.coordinate}", cell.value
    finally:
        workbook.close()


def _json(text: str, path: Path) -> Iterator[tuple[str, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from _lines(text)
        return

    def walk(value, where: str):
        if isinstance(value, str):
            yield where or "$", value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from walk(str(k), f"{where}.{k} (key)")
                yield from walk(v, f"{where}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(v, f"{where}[{i}]")

    yield from walk(data, "$")


def _qdpx(path: Path) -> Iterator[tuple[str, str]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(str(path), f"not a REFI-QDA file ({exc})") from None
    with archive:
        for name in archive.namelist():
            yield f"{name} (name in the zip)", name
            data = archive.read(name)
            if name.endswith((".qde", ".xml", ".txt")):
                text = data.decode("utf-8", errors="replace")
                if name.endswith((".qde", ".xml")):
                    import html

                    text = html.unescape(text)  # attribute values hold names too
                yield from _lines(text, f"{name}:")


def pieces_of(path: Path) -> Iterator[tuple[str, str]]:
    """The text of an output, piece by piece, each with where it is."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputFileError(str(path), "no such file")
    if suffix == ".docx":
        yield from _docx(path)
    elif suffix == ".xlsx":
        yield from _xlsx(path)
    elif suffix == ".qdpx":
        yield from _qdpx(path)
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputFileError(str(path), "is not UTF-8 text",
                                 hint=f"readable: {', '.join(READABLE)}") from None
        if suffix in (".html", ".htm"):
            yield from _html(text)
        elif suffix == ".json":
            yield from _json(text, path)
        else:
            yield from _lines(text)


def check_file(path: Path, key: Key) -> list[Leak]:
    """Every original of ``key`` that the file still holds."""
    from qualcode.domain.text import nfc

    leaks = []
    for where, text in pieces_of(path):
        text = nfc(text)
        for m in key.find(text):
            context = " ".join(text[max(0, m.start - 30):m.end + 30].split())
            leaks.append(Leak(str(path), where, m.entry.original, text[m.start:m.end],
                              context))
    return leaks


def marked_identifiable(path: Path) -> bool:
    """Whether an existing output says it was written with the names left in."""
    try:
        return any(IDENTIFIABLE_MARK in text for _, text in pieces_of(path))
    except InputFileError:
        return False
