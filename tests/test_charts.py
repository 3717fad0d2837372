"""Charts: both files are written, at the size the figure has, in shades of grey, and the
numbers drawn are the numbers of the table they picture."""

from __future__ import annotations

import struct

import pytest

from qualcode.charts import DPI
from qualcode.services import figures
from qualcode.services.matrix import build_matrix, cooccurrence
from tests.test_matrix import build_study
from tests.test_words import budget_study


@pytest.fixture
def study(tmp_path):
    store = build_study(tmp_path / "study")
    yield store
    store.close()


def png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def assert_written(chart, width_in: float | None = None):
    assert chart.png.exists() and chart.svg.exists()
    assert png_size(chart.png) == chart.size
    if width_in is not None:
        assert chart.size[0] == round(width_in * DPI)
    svg = chart.svg.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg


def assert_grey(path):
    import matplotlib.image

    pixels = matplotlib.image.imread(path)[..., :3]
    spread = (pixels.max(axis=2) - pixels.min(axis=2)).max()
    assert spread < 0.02  # no hue anywhere: the figure prints the same in greyscale


def test_matrix_heat_map_draws_the_matrix(study, tmp_path):
    chart, m = figures.matrix_heat_map(study, tmp_path / "matrise", columns=["rolle"])
    assert_written(chart)
    assert_grey(chart.png)
    again = build_matrix(study, columns=["rolle"])
    expected = [[float(c.references) for c in r.cells] for r in again.rows]
    assert chart.plotted == expected
    # by hand (see test_matrix): row A has a rektor span in fg and in nv_rektor
    rows = [r.code for r in m.rows]
    rektor = [m.column_label(i) for i in range(len(m.columns))].index("rektor")
    assert chart.plotted[rows.index("A")][rektor] == 2.0


def test_area_bars_group_by_role_and_school_type(study, tmp_path):
    chart, m = figures.area_bars(study, tmp_path / "omraader", measure="informants")
    assert_written(chart)
    assert_grey(chart.png)
    assert [r.code for r in m.rows] == ["A", "B", "Z"]
    by_column = [[float(r.cells[j].informants) for r in m.rows] for j in range(len(m.columns))]
    assert chart.plotted == by_column


def test_cooccurrence_heat_map(study, tmp_path):
    chart, co = figures.cooccurrence_heat_map(study, tmp_path / "samforekomst")
    assert_written(chart)
    again = cooccurrence(study)
    n = len(again.codes)
    assert chart.plotted == [[float(again.count.get((min(i, j), max(i, j)), 0)) if i != j
                              else 0.0 for j in range(n)] for i in range(n)]
    b, z = [r.code for r in co.codes].index("B"), [r.code for r in co.codes].index("Z")
    assert chart.plotted[b][z] == chart.plotted[z][b] == 1.0  # Z lies inside nv_rektor 4


def test_coder_bars(study, tmp_path):
    chart, data = figures.coder_bars(study, tmp_path / "kodere")
    assert_written(chart)
    assert data["codes"] == ["A", "B", "Z"]
    # anna: A in fg 2-3, nv_rektor 1-2 and 3; B in fg 5 and nv_rektor 4; Z once
    assert data["series"]["anna"] == [3.0, 2.0, 1.0]
    assert data["series"]["bjorn"] == [1.0, 1.0, 0.0]
    assert chart.plotted == list(data["series"].values())


def test_word_bars(tmp_path):
    store = budget_study(tmp_path / "b")
    chart, _ = figures.word_bars(store, tmp_path / "ord", min_count=1)
    assert_written(chart, width_in=6.5)
    assert_grey(chart.png)
    assert chart.plotted == [288.0, 12.0]
    grouped, _ = figures.word_bars(store, tmp_path / "ord_rolle", by="rolle", min_count=1)
    assert grouped.plotted == [[198.0, 2.0], [90.0, 10.0]]  # rådgiver, rektor


def test_cli_chart_writes_png_and_svg(study, tmp_path, cli):
    code, out, err = cli("chart", "matrix", "-o", str(tmp_path / "fig.png"),
                         project=study.path)
    assert code == 0, err
    assert (tmp_path / "fig.png").exists() and (tmp_path / "fig.svg").exists()
    assert "fig.png" in out and "fig.svg" in out
    code, _, err = cli("chart", "matrix", "--cell", "quotes", "-o", str(tmp_path / "x"),
                       project=study.path)
    assert code == 1 and "a chart cannot show 'quotes'" in err


def test_the_report_has_an_overview_figure_of_the_overview_table(study, tmp_path):
    import docx

    from qualcode.reports import study as report
    from qualcode.reports.study import overview_figure

    path = tmp_path / "rapport.docx"
    report.write_report(study, path)
    document = docx.Document(str(path))
    assert len(document.inline_shapes) == 4  # the overview, then one per area chapter
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "Figur 1. Kodede utdrag per område, etter rolle og skoleslag." in captions
    counts = build_matrix(study, depth=0, columns=["rolle", "skoleslag"])
    top = [r for r in counts.rows if r.kind == "code" and r.depth == 0]
    expected = {counts.column_label(j): [float(r.cells[j].references) for r in top]
                for j in range(len(counts.columns))}
    assert overview_figure(counts, 16.0)[1] == expected
    # by hand: area A has one rektor passage in each school type
    assert expected["rektor / ungdomsskole"][0] == expected["rektor / videregående skole"][0] == 1


def test_a_heat_map_of_counts_has_a_scale_of_whole_numbers(tmp_path):
    """A scale marked 0.5, 1.5 … beside cells counting passages reads as a mistake; the
    SVG keeps each label's text in a comment, so the scale's labels can be read back."""
    import re

    from qualcode.charts import heat_map

    heat_map(tmp_path / "counts", ["Ledelse", "Etikk"], ["rektor", "lærer"], [[0, 1], [2, 0]],
             title="Kodede utdrag", caption="Figur 1.")
    labels = re.findall(r"<!-- ([0-9.−-]+) -->", (tmp_path / "counts.svg").read_text())
    assert "2" in labels and not [label for label in labels if "." in label]
    heat_map(tmp_path / "shares", ["Ledelse"], ["rektor", "lærer"], [[0.25, 0.5]],
             title="Andel", caption="Figur 2.")
    shares = re.findall(r"<!-- ([0-9.−-]+) -->", (tmp_path / "shares.svg").read_text())
    assert [label for label in shares if "." in label]  # a scale of shares keeps its decimals
