"""Drawing a chart pauses Python's cyclic garbage collector for the figure's sake only: a
program that draws (the report, a notebook) gets its collector back as it was, also when
the drawing fails."""

from __future__ import annotations

import gc

import pytest

from qualcode.charts import bars, heat_map


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_on_again_after_a_chart(collector):
    gc.enable()
    chart = heat_map(None, ["Ledelse", "Etikk"], ["rektor", "lærer"], [[0, 1], [2, 0]],
                     title="Kodede utdrag", caption="Mørkere felt betyr flere utdrag.")
    assert gc.isenabled()
    assert chart.image[:8] == b"\x89PNG\r\n\x1a\n" and chart.plotted == [[0, 1], [2, 0]]


def test_a_collector_turned_off_by_the_program_stays_off(collector):
    gc.disable()
    bars(None, ["skole", "rådgiver"], [12.0, 3.0], title="Ord", caption="Ordene.",
         value_label="antall")
    assert not gc.isenabled()


def test_the_collector_is_on_again_when_a_chart_fails(collector):
    gc.enable()
    with pytest.raises(ValueError):  # three numbers for a grid of four cells
        heat_map(None, ["Ledelse", "Etikk"], ["rektor", "lærer"], [[0, 1], [2]],
                 title="Kodede utdrag", caption="Figur 1.")
    assert gc.isenabled()
