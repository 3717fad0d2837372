"""qualcode: terminal-first qualitative interview coding.

The package is layered (see the README's architecture section): ``cli`` is a thin skin
over ``services``; ``codebook``, ``importers``, ``segmenter`` and ``sheets`` are pure and
importable without a database or a terminal; only ``store`` touches SQL.
"""

__version__ = "0.1.0"
