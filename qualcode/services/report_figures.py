"""The Word report's overview figure: every area by role and school type, as grouped bars,
so a reader sees the study's shape before reading the table that follows."""

from __future__ import annotations

from qualcode.services import matrix as mx


def add_overview_figure(doc, counts: mx.Matrix, width_cm: float) -> dict:
    """Grouped bars of the coded passages per area (top-level code) in each column of the
    overview matrix, with a Norwegian caption; drawn in greys and hatching so the printed
    report shows it too. Returns the numbers drawn, by column."""
    import io

    from docx.shared import Cm

    from qualcode.charts import grouped_bars

    rows = [r for r in counts.rows if r.kind == "code" and r.depth == 0]
    series = {counts.column_label(j): [float(r.cells[j].references) for r in rows]
              for j in range(len(counts.columns))}
    caption = ("Figur 1. Kodede utdrag per område, etter "
               f"{' og '.join(counts.dimensions)}.")
    chart = grouped_bars(None, [r.label for r in rows], series,
                         title="Kodede utdrag per område", value_label="antall utdrag",
                         caption="Et utdrag som spenner over flere kolonner, telles i hver av "
                         "dem; intervjuerens replikker telles ikke.")
    doc.add_picture(io.BytesIO(chart.image), width=Cm(min(width_cm, 24.0)))
    doc.add_paragraph(caption, style="Caption")
    return dict(zip(series, chart.plotted, strict=True))
