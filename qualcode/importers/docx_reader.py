"""Word transcripts.

The stored text has one line per paragraph. A bold run at the start of a paragraph
("**Rektor:** …" or "**Rektor** : …") is a speaker label and is written as ``Rektor: …``,
so every transcript, whatever its source, has the same plain shape. Transcripts laid out
as a two-column table (speaker | text) are read the same way.

A bold label may also follow the end of a sentence inside a paragraph ("… på nettsidene?
**Guest:** Not super …"), as when a question and its answer were typed into one paragraph:
the paragraph is then split there into two lines, so the answer starts its own turn if the
label counts by the rules of text transcripts (a role, mapped, used twice, or a bold label
opening another paragraph). Bold text that is not a label (no colon) stays where it is.
Paragraphs styled as headings ("Interview 2" between two interviews) are added to the
``headings`` set given to :func:`read_docx`, so that they end the turn before them.

The reader walks ``word/document.xml`` with lxml directly, following python-docx's rules
for paragraph and run text (``w:t``, ``w:tab`` → tab, ``w:br``/``w:cr`` → newline,
hyperlinks included) and for bold (direct ``w:b`` formatting). It is about five times
faster than building python-docx's object model, which matters when a national study
imports a thousand documents; a test checks that both read every document identically.
"""

from __future__ import annotations

from qualcode.domain.errors import InputFileError

_MAX_LABEL = 40
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALSE = {"0", "false", "off", "none"}
_BROKEN = "open it in Word or LibreOffice and save it again as .docx"
# Heading and title styles by their style id (a number may follow), in English and Norwegian.
_HEADING_STYLES = {"heading", "overskrift", "title", "tittel", "subtitle", "undertittel"}
_SENTENCE_END = ".?!…\"»)”"


def _run_text(run) -> str:
    parts = []
    for child in run:
        tag = child.tag
        if tag == _W + "t":
            parts.append(child.text or "")
        elif tag in (_W + "tab", _W + "ptab"):
            parts.append("\t")
        elif tag == _W + "cr":
            parts.append("\n")
        elif tag == _W + "br":
            if child.get(_W + "type") in (None, "textWrapping"):
                parts.append("\n")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _run_bold(run) -> bool:
    props = run.find(_W + "rPr")
    if props is None:
        return False
    bold = props.find(_W + "b")
    return bold is not None and (bold.get(_W + "val") or "true").lower() not in _FALSE


def paragraph_runs(paragraph) -> list[tuple[str, bool]]:
    """(text, bold) of each run, hyperlinked runs included, in order."""
    runs = []
    for child in paragraph:
        if child.tag == _W + "r":
            runs.append((_run_text(child), _run_bold(child)))
        elif child.tag == _W + "hyperlink":
            runs.extend((_run_text(r), _run_bold(r)) for r in child.iter(_W + "r"))
    return runs


def split_label(runs: list[tuple[str, bool]]) -> tuple[str | None, str]:
    """Split a paragraph's runs into (bold leading label, rest of the text)."""
    full = "".join(text for text, _ in runs)
    label_parts: list[str] = []
    i = 0
    while i < len(runs) and (runs[i][1] or (label_parts and not runs[i][0].strip())):
        label_parts.append(runs[i][0])
        i += 1
    label = "".join(label_parts).strip()
    rest = "".join(text for text, _ in runs[i:])
    if not label or len(label) > _MAX_LABEL or ":" in label.rstrip(":"):
        return None, full
    if label.endswith(":"):
        label = label[:-1].strip()
    elif rest.lstrip().startswith(":"):
        rest = rest.lstrip()[1:]
    else:  # bold text without a colon is emphasis or a heading, not a speaker
        return None, full
    if not label or label[-1] in ".!?":
        return None, full
    return label, rest.strip()


def split_at_labels(runs: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """The runs of a paragraph, split before each bold label that follows a finished
    sentence ("… nettsidene? **Guest:** Not super …")."""
    pieces: list[list[tuple[str, bool]]] = [[]]
    said = ""  # text of the current piece so far
    for index, (text, bold) in enumerate(runs):
        if bold and said:
            before = said.rstrip()
            if before and before[-1] in _SENTENCE_END \
                    and (before != said or text[:1].isspace()) and _label_starts(runs, index):
                pieces.append([])
                said = ""
        pieces[-1].append((text, bold))
        said += text
    return pieces


def _label_starts(runs: list[tuple[str, bool]], index: int) -> bool:
    """Whether the bold runs from ``index`` on are a label: short, ending in a colon (or
    followed by one), with no colon inside."""
    label = ""
    while index < len(runs) and runs[index][1]:
        label += runs[index][0]
        index += 1
    label = label.strip()
    rest = "".join(text for text, _ in runs[index:]).lstrip()
    if label.endswith(":"):
        label = label[:-1].rstrip()
    elif not rest.startswith(":"):
        return False
    return bool(label) and len(label) <= _MAX_LABEL and ":" not in label \
        and label[-1] not in ".!?"


def _is_heading(paragraph) -> bool:
    """A paragraph styled as a heading or title, or given an outline level. Its properties
    are its first child when it has any, which is much cheaper to look at than a search."""
    if not len(paragraph) or paragraph[0].tag != _W + "pPr":
        return False
    for prop in paragraph[0]:
        if prop.tag == _W + "outlineLvl":
            return True
        if prop.tag == _W + "pStyle" and \
                (prop.get(_W + "val") or "").lower().rstrip("0123456789") in _HEADING_STYLES:
            return True
    return False


def _cell_text(cell) -> str:
    return "\n".join("".join(t for t, _ in paragraph_runs(p)) for p in cell.iter(_W + "p"))


def read_docx(data: bytes, path: str, headings: set[str] | None = None) -> tuple[str, set[str]]:
    """Return the transcript text (one line per paragraph) and the bold labels found."""
    from qualcode.importers.reading import open_zip, read_member

    archive = open_zip(data, path, kind=".docx", hint=_BROKEN)
    try:
        xml = read_member(archive, "word/document.xml", path, kind=".docx", hint=_BROKEN)
    except KeyError:
        raise InputFileError(path, "not a .docx (the zip has no word/document.xml)",
                             hint=_BROKEN) from None
    from lxml import etree

    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False,
                                                            huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise InputFileError(path, f"damaged .docx (document.xml: {exc})",
                             hint=_BROKEN) from None
    body = root.find(_W + "body")
    if body is None:
        raise InputFileError(path, "the .docx has no document body", hint=_BROKEN)
    lines: list[str] = []
    labels: set[str] = set()
    for block in body:
        if block.tag == _W + "p":
            runs = paragraph_runs(block)
            # a label after a sentence needs plain text and then bold: most paragraphs
            # are one run, or a bold label and its answer
            pieces = split_at_labels(runs) if len(runs) > 1 and not (
                len(runs) == 2 and runs[0][1]) else (runs,)
            for number, piece in enumerate(pieces):
                label, rest = split_label(piece)
                if label:
                    if number == 0:  # inside a paragraph, bold may be emphasis ("Merk:"):
                        labels.add(label)  # there the label counts by the usual rules
                    lines.append(f"{label}: {rest}")
                else:
                    lines.append(rest)
            if headings is not None and not label and lines[-1].strip() \
                    and _is_heading(block):  # a heading has no speaker label
                headings.add(lines[-1].strip())
        elif block.tag == _W + "tbl":
            for row in block.iter(_W + "tr"):
                cells = [_cell_text(c).strip() for c in row.iter(_W + "tc")]
                if len(cells) >= 2 and cells[0] and len(cells[0]) <= _MAX_LABEL:
                    label = cells[0].rstrip(":").strip()
                    labels.add(label)
                    lines.append(f"{label}: {' '.join(cells[1:]).strip()}")
                else:
                    lines.append(" ".join(c for c in cells if c))
    return "\n".join(lines), labels
