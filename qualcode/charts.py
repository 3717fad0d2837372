"""Figures for people who would rather look than read: heat maps, grouped bars and
horizontal bars, each written as PNG and SVG with a caption in Norwegian.

Readable in greyscale, for a printed thesis: heat maps use a palette whose lightness
falls steadily with the value (and print each number in its cell); bars are told apart by
grey level and hatching, not by hue alone.

Pure: numbers and labels in, files out. matplotlib is imported inside the functions that
draw (it takes about half a second), and each function returns the numbers it actually
plotted, read back from the figure, so a caller can check the picture says what the
table says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DPI = 150
GREYS = ("#1a1a1a", "#737373", "#bdbdbd", "#f0f0f0", "#4d4d4d", "#969696", "#d9d9d9")
HATCHES = ("", "///", "...", "xx", "\\\\\\", "++", "oo")


def _drawing(draw):
    """Draw with Python's cyclic garbage collector paused, and restored after.

    A figure is tens of thousands of small objects tied in cycles (figure, axes, artists,
    transforms, callbacks), made and dropped within one call; each collection the
    collector runs meanwhile walks the whole heap of the program drawing it, which for a
    report holds its transcripts and counts: in the 8-school report that was about a
    quarter of the figures' time. The figure's objects are collected after, with the next
    collection, and the pause is one figure long."""
    import functools
    import gc

    @functools.wraps(draw)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return draw(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@dataclass(frozen=True)
class Chart:
    png: Path | None  # None when drawn for a document (see ``image``)
    svg: Path | None
    size: tuple[int, int]  # PNG width and height in pixels
    plotted: list  # the numbers drawn, read back from the figure (rows of a heat map, …)
    image: bytes | None = None  # the PNG itself, when no file was asked for


def _figure(width: float, height: float):
    """A figure on an Agg canvas of its own, without pyplot: files only, never a window, and
    no figure manager to register it with and close it from."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    """The figure as PNG, drawn once. ``savefig`` would lay the figure out twice (a pass
    without drawing, then the drawing, which lays it out again); a canvas draw lays it out
    once and draws it, and its pixels are written as they are."""
    import io

    import numpy as np
    from PIL import Image

    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    # An opaque figure (white paper) needs no alpha channel: a quarter fewer bytes to
    # compress. Level 3 compresses as tightly as the default 6 on these flat greys, in
    # less time.
    if pixels[..., 3].min() == 255:
        image = Image.fromarray(pixels[..., :3], "RGB")
    else:
        image = Image.fromarray(pixels, "RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="png", dpi=(DPI, DPI), compress_level=3)
    return buffer.getvalue()


def _caption(fig, caption: str) -> None:
    """The caption at the foot of the figure, from its left edge, wrapped if it is wider
    than the figure. Wrapping measures the caption once per word (each a new string to lay
    out); a caption that fits on one line is measured once and left unwrapped, which is
    what the wrapping would have given."""
    import math

    label = fig.supxlabel(caption, fontsize=8, x=0.01, ha="left", style="italic")
    if "\n" in caption or "$" in caption:  # lines or mathematics: as matplotlib wraps them
        label.set_wrap(True)
        return
    room = fig.bbox.x1 - fig.transFigure.transform((0.01, 0))[0]
    width, _, _ = fig.canvas.get_renderer().get_text_width_height_descent(
        caption, label.get_fontproperties(), ismath=False)
    if math.ceil(width) > room:
        label.set_wrap(True)


def _save(fig, stem: Path | None, caption: str, plotted: list) -> Chart:
    """Write FILE.png and FILE.svg, each whole or not at all; with no ``stem``, keep the PNG
    in memory (for a document that embeds it: no scratch file to fail on)."""
    from qualcode.output import atomic_output

    fig.get_layout_engine().set(h_pad=0.1)
    _caption(fig, caption)
    width, height = (int(v) for v in fig.canvas.get_width_height())
    image = _png(fig)
    if stem is None:
        return Chart(None, None, (width, height), plotted, image)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    with atomic_output(png) as tmp:
        tmp.write_bytes(image)
    with atomic_output(svg) as tmp:
        fig.savefig(tmp, format="svg")
    return Chart(png, svg, (width, height), plotted)


@_drawing
def heat_map(stem: Path | None, rows: list[str], columns: list[str], values: list[list[float]],
             *, title: str, caption: str, value_label: str = "",
             size: tuple[float, float] | None = None) -> Chart:
    """Rows × columns as shaded cells, each with its number; darker = more. ``size`` (width,
    height in inches) is for a figure placed small on a page, so its text is not shrunk
    with it; by default the figure grows with its rows and columns."""
    import numpy as np

    data = np.array(values, dtype=float).reshape(len(rows), len(columns))
    width = min(3 + 0.9 * len(columns) + 0.07 * max((len(r) for r in rows), default=0), 16)
    height = min(1.8 + 0.38 * len(rows), 20)
    if size:
        width, height = size
    fig = _figure(width, height)
    ax = fig.add_subplot()
    image = ax.imshow(data, cmap="Greys", aspect="auto", vmin=0,
                      vmax=max(float(data.max()) if data.size else 0, 1e-9))
    ax.set_xticks(range(len(columns)), labels=columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), labels=rows, fontsize=8)
    top = float(data.max()) if data.size else 0
    for i in range(len(rows)):
        for j in range(len(columns)):
            value = data[i, j]
            text = ax.text(j, i, _number(value), ha="center", va="center", fontsize=7,
                           color="white" if top and value > top * 0.55 else "black")
            # Inside its cell, inside the axes: the layout need not measure it.
            text.set_in_layout(False)
    ax.set_title(title, fontsize=10)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(value_label, fontsize=8)
    if data.size and np.all(data == np.round(data)):
        # Counts: a scale of 0.5 passages reads as a mistake.
        from matplotlib.ticker import MaxNLocator

        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    plotted = np.asarray(image.get_array()).tolist()
    return _save(fig, stem, caption, plotted)


@_drawing
def grouped_bars(stem: Path | None, categories: list[str], series: dict[str, list[float]], *,
                 title: str, caption: str, value_label: str) -> Chart:
    """One group of bars per category, one bar per series (told apart by grey and
    hatching); returns the bar heights, series by series."""
    import numpy as np

    n = max(len(series), 1)
    width = min(3 + 0.35 * len(categories) * n, 18)
    fig = _figure(width, 4.5)
    ax = fig.add_subplot()
    step = 0.8 / n
    x = np.arange(len(categories))
    containers = []
    for k, (name, values) in enumerate(series.items()):
        containers.append(ax.bar(x - 0.4 + step * (k + 0.5), values, step, label=name,
                                 color=GREYS[k % len(GREYS)], edgecolor="black",
                                 linewidth=0.6, hatch=HATCHES[k % len(HATCHES)]))
    ax.set_xticks(x, labels=categories, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(value_label, fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if all(float(v).is_integer() for values in series.values() for v in values):
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts have no halves
    ax.spines[["top", "right"]].set_visible(False)
    plotted = [[float(p.get_height()) for p in c.patches] for c in containers]
    return _save(fig, stem, caption, plotted)


@_drawing
def bars(stem: Path | None, labels: list[str], values: list[float], *, title: str, caption: str,
         value_label: str) -> Chart:
    """Horizontal bars, largest at the top, each with its number."""
    height = min(1.6 + 0.28 * len(labels), 20)
    fig = _figure(6.5, height)
    ax = fig.add_subplot()
    container = ax.barh(range(len(labels)), values, color="#595959", edgecolor="black",
                        linewidth=0.5)
    ax.set_yticks(range(len(labels)), labels=labels, fontsize=8)
    ax.invert_yaxis()
    ax.bar_label(container, labels=[_number(v) for v in values], fontsize=7, padding=2)
    ax.set_xlabel(value_label, fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    plotted = [float(p.get_width()) for p in container.patches]
    return _save(fig, stem, caption, plotted)


def _number(value: float) -> str:
    if value != value:  # NaN: nothing to compare
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
