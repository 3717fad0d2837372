"""The reports' document model: what a report says and in what order, with no notion of
Word or HTML (and no database). A report composes a :class:`Document` of blocks; a renderer
(:mod:`qualcode.reports.docx`, :mod:`qualcode.reports.html`) lays it out.

Colours are hex RGB without '#'; widths are centimetres; sizes are points."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Run:
    """A piece of text in one look. A ``\\n`` in the text starts a new line."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False  # a code id or query: monospace
    color: str | None = None
    fill: str | None = None  # a highlight behind the text
    size: float | None = None  # smaller than the paragraph's
    title: str | None = None  # a hover text (HTML only)
    upright: bool = False  # not italic inside an italic paragraph (a quote's source)


Inline = str | Run


def runs(*parts: Inline) -> list[Run]:
    return [p if isinstance(p, Run) else Run(p) for p in parts if p != ""]


@dataclass
class Paragraph:
    """Running text. ``role``: body, note (under a table, small and grey), bullet, subtitle
    (under the title), spacer (a little air, no text), lead (the line that introduces a
    quote), quote (an indented quotation), criterion (a criterion set off by a rule),
    source (small and grey: where something comes from). ``space_before`` and
    ``space_after`` (points) set the air around it where the role's is not right."""

    runs: list[Run]
    role: str = "body"
    keep_with_next: bool = False
    space_before: float | None = None
    space_after: float | None = None

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def para(*parts: Inline, role: str = "body", keep_with_next: bool = False,
         space_before: float | None = None, space_after: float | None = None) -> Paragraph:
    return Paragraph(runs(*parts), role, keep_with_next, space_before, space_after)


@dataclass
class Heading:
    """A chapter (1), a section (2) or a minor heading (3)."""

    text: str
    level: int = 1
    page_break_before: bool = False


@dataclass
class Quote:
    text: str
    attribution: str


@dataclass
class Cell:
    runs: list[Run]
    align: str = "left"  # left | center | right
    fill: str | None = None
    span: int = 1  # how many of the table's columns it covers
    # cell | passage (running text set in a table) | quote | source (a quote's attribution)
    # | facts (a title page's list of facts)
    role: str = "cell"
    more: list[Cell] = field(default_factory=list)  # further paragraphs in the same cell
    rows: int = 1  # how many rows it covers (a header over two header rows)

    @property
    def text(self) -> str:
        return "\n".join(["".join(r.text for r in self.runs)] + [c.text for c in self.more])


def cell(*parts: Inline, align: str = "left", bold: bool = False, italic: bool = False,
         fill: str | None = None, span: int = 1, role: str = "cell",
         color: str | None = None, size: float | None = None, rows: int = 1) -> Cell:
    out = runs(*parts)
    for r in out:
        r.bold = r.bold or bold
        r.italic = r.italic or italic
        r.color = r.color or color
        r.size = r.size or size
    return Cell(out, align, fill, span, role, rows=rows)


@dataclass
class Row:
    cells: list[Cell]
    header: bool = False  # repeated at the top of every page the table runs over
    fill: str | None = None  # behind every cell
    keep_together: bool = False  # never split over two pages
    kind: str = ""  # a name the HTML edition styles by (e.g. "total")
    rule: str = ""  # a stronger line: "below" (under the header), "above" (over a total)


@dataclass
class Table:
    """Header rows (``Row.header``) come first. ``notes`` follow the table and stay with
    its last rows."""

    widths: list[float]
    rows: list[Row]
    kind: str = "table"  # what it is, for the HTML edition's styles
    header_fill: str = "DCE6F0"
    text_size: float | None = None  # smaller than the table's usual text, to fit
    caption: str | None = None
    notes: list[Paragraph] = field(default_factory=list)
    lines: bool = True  # False: no rules at all (a layout table, e.g. on a title page)


@dataclass
class Figure:
    png: bytes
    width_cm: float
    height_cm: float
    caption: str | None = None
    alt: str = ""


@dataclass
class Section:
    """A new page section: portrait or landscape."""

    landscape: bool = False


@dataclass
class Contents:
    """The table of contents: the headings that follow it, up to ``levels`` deep, or the
    chapters alone when there are more than ``max_entries``."""

    title: str
    levels: int = 2
    max_entries: int | None = None


@dataclass
class PageBreak:
    pass


Block = Paragraph | Heading | Quote | Table | Figure | Section | Contents | PageBreak


@dataclass
class Theme:
    """The house style: accent colour, heading sizes, the margins of portrait and
    landscape pages (sides, top, bottom) and the sizes of the paragraph roles."""

    accent: str = "1F4E79"
    grey: str = "595959"
    heading_sizes: dict[str, float] = field(default_factory=lambda: {
        "Title": 24, "Heading 1": 16, "Heading 2": 12.5, "Heading 3": 11})
    heading_spacing: dict[str, tuple[float, float]] = field(default_factory=lambda: {
        "Heading 1": (18, 8), "Heading 2": (14, 4)})  # (before, after)
    portrait: tuple[float, float, float] = (2.3, 2.2, 2.0)
    landscape: tuple[float, float, float] = (1.8, 1.8, 1.6)
    cell_size: float = 8.5
    passage_size: float = 9.5
    note_size: float = 8.0
    note_after: float = 8.0
    quote_size: float = 9.0
    source_size: float = 8.0
    subtitle_size: float = 11.5
    subtitle_after: float = 14
    running_size: float = 8.0


@dataclass
class Document:
    title: str
    language: str  # "nb" or "en"
    running_header: str = ""  # the header of every page
    notice: str | None = None  # a bold warning above the title (identifiable exports)
    comments: str | None = None  # the document property
    subtitle: str | None = None
    show_title: bool = True  # the title as the first paragraph (else header and properties)
    title_page: bool = False  # the first page is a title page: no running header or number
    landscape: bool = False  # the first section's orientation
    theme: Theme = field(default_factory=Theme)
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def text(self) -> str:
        """Every word of the document, one block a line: for checks and tests."""
        out = [self.title, self.notice or "", self.subtitle or "", self.running_header]
        for block in self.blocks:
            if isinstance(block, Paragraph | Heading):
                out.append(block.text)
            elif isinstance(block, Quote):
                out += [block.text, block.attribution]
            elif isinstance(block, Table):
                out.append(block.caption or "")
                out += [c.text for row in block.rows for c in row.cells]
                out += [n.text for n in block.notes]
            elif isinstance(block, Contents):
                out.append(block.title)
            elif isinstance(block, Figure):
                out.append(block.caption or "")
        return "\n".join(t for t in out if t)
