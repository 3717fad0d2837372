"""The Word report's figures: the overview (every area by role and school type, as grouped
bars) and one per area chapter (its codes by role and school type, as a heat map), so a
reader sees the shape before reading the table with the same numbers."""

from __future__ import annotations

from qualcode.services import matrix as mx

# A figure and its caption must share a landscape page with the heading above and the
# first rows of the table below (17 cm of text height), or the page is left nearly empty.
AREA_FIGURE_MAX_HEIGHT_CM = 9.0
COUNTED_NB = ("Et utdrag som spenner over flere kolonner, telles i hver av dem; "
              "intervjuerens replikker telles ikke.")


def _place(doc, image: bytes, size: tuple[int, int], width_cm: float,
           max_height_cm: float | None = None) -> None:
    """The picture at the text width (or narrower, to stay under ``max_height_cm``), kept
    on one page with its caption."""
    import io

    from docx.shared import Cm

    width = min(width_cm, 24.0)
    if max_height_cm:
        width = min(width, max_height_cm * size[0] / size[1])
    doc.add_picture(io.BytesIO(image), width=Cm(width))
    doc.paragraphs[-1].paragraph_format.keep_with_next = True


def add_overview_figure(doc, counts: mx.Matrix, width_cm: float) -> dict:
    """Grouped bars of the coded passages per area (top-level code) in each column of the
    overview matrix, with a Norwegian caption; drawn in greys and hatching so the printed
    report shows it too. Returns the numbers drawn, by column."""
    from qualcode.charts import grouped_bars

    rows = [r for r in counts.rows if r.kind == "code" and r.depth == 0]
    empty = set(mx.empty_columns(counts))  # left out, as the table leaves them out
    series = {counts.column_label(j): [float(r.cells[j].references) for r in rows]
              for j in range(len(counts.columns)) if j not in empty}
    caption = ("Figur 1. Kodede utdrag per område, etter "
               f"{' og '.join(counts.dimensions)}.")
    chart = grouped_bars(None, [r.label for r in rows], series,
                         title="Kodede utdrag per område", value_label="antall utdrag",
                         caption=COUNTED_NB)
    _place(doc, chart.image, chart.size, width_cm)
    doc.add_paragraph(caption, style="Caption")
    if empty:
        names = mx.join_nb([f"«{counts.column_label(j)}»" for j in sorted(empty)])
        doc.add_paragraph(f"{'Kolonnen' if len(empty) == 1 else 'Kolonnene'} {names} er "
                          f"utelatt fordi {'den er tom' if len(empty) == 1 else 'de er tomme'}"
                          " i alle rader.", style="Tabellnote")
    return dict(zip(series, chart.plotted, strict=True))


def add_area_figure(doc, counts: mx.Matrix, area_label: str, rows: list[mx.MatrixRow],
                    columns: list[int], number: int, table: int, width_cm: float) -> dict:
    """An area chapter's figure: the rows of its counts table (the codes under the area)
    by the table's columns, as a heat map of coded passages with each number in its cell,
    darker meaning more. Returns what it drew: number, caption, row and column labels and
    the values read back from the figure (the table's numbers, without informants)."""
    from qualcode.charts import heat_map

    labels = [r.label for r in rows]
    shown = [counts.column_label(i) for i in columns]
    values = [[float(r.cells[i].references) for i in columns] for r in rows]
    caption = (f"Figur {number}. {area_label}: kodede utdrag per kode, etter "
               f"{' og '.join(counts.dimensions)} (tallene i tabell {table}).")
    # Drawn about the size it is printed at (a row a quarter of an inch high), so the
    # numbers in the cells stay readable on paper.
    size = (min(3.2 + 0.8 * len(shown) + 0.06 * max(map(len, labels), default=0), 10.5),
            1.6 + 0.24 * len(labels))
    chart = heat_map(None, labels, shown, values, title=f"{area_label}: kodede utdrag",
                     value_label="antall utdrag", size=size,
                     caption=f"Mørkere felt betyr flere utdrag. {COUNTED_NB}")
    _place(doc, chart.image, chart.size, width_cm, AREA_FIGURE_MAX_HEIGHT_CM)
    doc.add_paragraph(caption, style="Caption")
    return {"number": number, "caption": caption, "rows": labels, "columns": shown,
            "plotted": chart.plotted}
