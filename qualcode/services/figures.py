"""Charts of a project's numbers: the matrix, areas by role and school type, co-occurrence,
code frequencies per coder and word frequencies, drawn by :mod:`qualcode.charts`.

The numbers come from the same services as the tables (``matrix``, ``cooccur``,
``frequencies``, ``words``), so a figure never says something its table does not.
Captions are in Norwegian: the figures go into a Norwegian thesis.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.store import Store

MEASURE_NB = {"references": "Antall referanser", "informants": "Antall informanter",
              "transcripts": "Antall intervjuer", "sites": "Antall skoler",
              "words": "Antall ord kodet", "coverage": "Dekning (% av ordene)"}
DIMENSION_NB = {"rolle": "rolle", "role": "rolle", "skoleslag": "skoleslag",
                "site": "skole", "person": "informant", "transcript": "intervju"}
COUNTED = ("Et utsagn som spenner over flere kolonner, telles i hver av dem; "
           "intervjuerens replikker telles ikke.")


def _dimensions_nb(columns: list[str]) -> str:
    return " og ".join(DIMENSION_NB.get(c.split(":")[-1], c.split(":")[-1]) for c in columns)


def _matrix_numbers(store: Store, *, rows, depth, columns, measure, layer):
    from qualcode.domain.errors import QualcodeError
    from qualcode.services.matrix import MEASURES, build_matrix

    if measure not in MEASURES:
        raise QualcodeError(f"a chart cannot show '{measure}'",
                            hint=f"use one of {', '.join(MEASURES)}")
    m = build_matrix(store, rows=rows, depth=depth, columns=columns, layer=layer,
                     words=measure in ("words", "coverage"))
    labels = [("  " * r.depth) + r.code for r in m.rows]
    columns_shown = [m.column_label(i) for i in range(len(m.columns))]
    values = [[float(c.value(measure) or 0) for c in r.cells] for r in m.rows]
    return m, labels, columns_shown, values


def matrix_heat_map(store: Store, stem: Path, *, rows=None, depth=None,
                    columns=("rolle",), measure: str = "references", layer=None):
    """The theme matrix as a heat map; returns the chart and the matrix it was drawn from."""
    from qualcode.charts import heat_map

    m, labels, cols, values = _matrix_numbers(store, rows=rows, depth=depth,
                                              columns=list(columns), measure=measure,
                                              layer=layer)
    what = MEASURE_NB[measure]
    chart = heat_map(stem, labels, cols, values, title=f"{what} per kode og "
                     f"{_dimensions_nb(list(columns))}", value_label=what.lower(),
                     caption=f"{what} per kode (med underkoder) og "
                     f"{_dimensions_nb(list(columns))}; {m.layer_nb or m.layer}. "
                     f"Mørkere felt betyr høyere verdi. {COUNTED}")
    return chart, m


def area_bars(store: Store, stem: Path, *, rows=None, depth=0,
              columns=("rolle", "skoleslag"), measure: str = "informants", layer=None):
    """Grouped bars: one group per area (code), one bar per column (role × school type)."""
    from qualcode.charts import grouped_bars

    m, labels, cols, values = _matrix_numbers(store, rows=rows, depth=depth,
                                              columns=list(columns), measure=measure,
                                              layer=layer)
    what = MEASURE_NB[measure]
    series = {col: [values[i][j] for i in range(len(labels))] for j, col in enumerate(cols)}
    chart = grouped_bars(stem, [label.strip() for label in labels], series,
                         title=f"{what} per område, etter {_dimensions_nb(list(columns))}",
                         value_label=what.lower(),
                         caption=f"{what} per område (kode med underkoder), etter "
                         f"{_dimensions_nb(list(columns))}; {m.layer_nb or m.layer}. "
                         f"Søylene skilles av gråtone og skravering. {COUNTED}")
    return chart, m


def cooccurrence_heat_map(store: Store, stem: Path, *, rows=None, depth=None,
                          unit: str = "span", layer=None):
    """Code × code: how often two codes meet (the diagonal, and a code with a code below
    it, are left blank as 0)."""
    from qualcode.charts import heat_map
    from qualcode.services.matrix import cooccurrence

    co = cooccurrence(store, rows=rows, depth=depth, unit=unit, layer=layer)
    codes = [r.code for r in co.codes]
    n = len(codes)
    values = [[float(co.count.get((min(i, j), max(i, j)), 0)) if i != j else 0.0
               for j in range(n)] for i in range(n)]
    where = "overlappende kodede utsagn" if unit == "span" else "felles informantreplikker"
    chart = heat_map(stem, codes, codes, values, title="Samforekomst av koder",
                     value_label=where,
                     caption=f"Samforekomst: antall {where} for hvert par av koder (med "
                     f"underkoder); {co.layer}. Diagonalen og en kode mot sine egne "
                     "underkoder er satt til 0. Mørkere felt betyr flere.")
    return chart, co


def coder_bars(store: Store, stem: Path, *, rows=None, depth=0):
    """Code frequencies per coder: references of each code in each coder's own layer."""
    from qualcode.charts import grouped_bars
    from qualcode.services.matrix import Layer, coder_names, frequencies

    names = coder_names(store)
    found = frequencies(store, rows=rows, depth=depth,
                        layers=[Layer.coder(n) for n in names])
    codes = list(dict.fromkeys(r["code"] for r in found))
    counts = {(r["layer"], r["code"]): r["references"] for r in found}
    series = {name: [float(counts.get((name, c), 0)) for c in codes] for name in names}
    chart = grouped_bars(stem, codes, series, title="Kodinger per koder",
                         value_label="antall referanser",
                         caption="Antall referanser per kode (med underkoder) i hver koders "
                         "eget lag. Søylene skilles av gråtone og skravering.")
    return chart, {"codes": codes, "series": series}


def word_bars(store: Store, stem: Path, *, by: str | None = None, codes=None,
              min_count: int = 3, top: int = 20):
    """The most frequent words (stop words left out) as bars; with ``by``, one bar per
    group for each word."""
    from qualcode.charts import bars, grouped_bars
    from qualcode.services.words import word_frequencies

    result = word_frequencies(store, by=by, codes=codes, min_count=min_count, top=top)
    words = [r["word"] for r in result["frequent"]]
    base = ("Ord i informantenes replikker, uten norske stoppord (spaCy) og prosjektets "
            "egne; intervjuerens replikker telles ikke.")
    if "by_group" in result:
        groups = list(result["groups"])
        series = {g: [float(r[g]) for r in result["by_group"]] for g in groups}
        chart = grouped_bars(stem, words, series, title="Hyppigste ord etter gruppe",
                             value_label="antall forekomster",
                             caption=f"{base} Gruppert etter {by or 'kode'}.")
    else:
        chart = bars(stem, words, [float(r["count"]) for r in result["frequent"]],
                     title="Hyppigste ord", value_label="antall forekomster", caption=base)
    return chart, result
