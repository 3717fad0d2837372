"""Inter-coder agreement over a project: the numbers behind ``qualcode agreement``, the
disagreement listing, and the data of the supervisor's report (which
:mod:`qualcode.reports.agreement` composes).

Conventions (the report states them in plain words too)
-------------------------------------------------------
Layers
    A coder's layer is every coding of theirs except suggestions (origin ``suggested``):
    manual, imported and, for the consensus coder, consensus codings. By default the
    coders are all coders with such codings, except a coder whose codings are all
    consensus codings (the consensus layer is not an independent coder; name it in
    ``coders`` to compare a coder against it) and a coder's later rounds (``anna@2``, a
    recode of a sample), which are compared only with their own coder, as stability
    (:mod:`qualcode.services.stability`), never beside other coders.
Transcripts
    By default, every transcript that each chosen coder has coded (at least one coding
    with any code). The others are left out and reported with the reason.
Merging
    Each coder's spans of one code in one transcript that overlap or touch are merged into
    one segment before anything is counted, so no character is ever counted twice.
Units
    ``char``: every character of the transcript text is a unit, coded by a coder when one
    of their segments covers it (NVivo's coding comparison). ``sentence`` / ``turn``: a
    sentence or speaker turn is coded by a coder when their segments cover at least
    ``min_share`` of its characters (0: any overlap). ``document``: the transcript is coded
    when the coder used the code anywhere in it (code presence). ``segment``: each
    coder's segments are the units (MAXQDA); another coder agrees on a segment when one of
    their segments of the same code overlaps it by at least ``overlap`` of its length.
Coefficients
    For each code the units form a ratings matrix with one column per coder and two
    categories, coded / not coded. Percent agreement (pairwise, as a percentage), Cohen's
    kappa (two coders) or Fleiss' kappa (three or more), Krippendorff's alpha (nominal) and
    Gwet's AC1 (two categories) are computed from the counts of units that 0, 1, …, m
    coders coded (and each coder's total). These are the formulas of
    :mod:`qualcode.agreement` evaluated on counts instead of row by row (a character-level
    ratings matrix has millions of rows); the tests check them against
    :mod:`qualcode.agreement` on expanded matrices, and two-coder kappa and percent
    agreement come from :class:`qualcode.agreement.CharAgreement` itself. |u-alpha is
    :func:`qualcode.agreement.u_alpha_binary` for the code over one continuum: the
    included transcripts laid end to end (per transcript in the breakdown). For a group
    of mutually exclusive codes (a parent marked ``exclusive: true``), u-alpha and
    cu-alpha are computed over the same continuum with the group's codes as categories.
    The pooled row adds up the counts of all codes (each code × unit pair is a unit);
    its |u-alpha lays the codes' continua end to end. Brennan–Prediger (chance 1/2) and
    Scott's pi (two coders) stand beside kappa, so the kappa paradox can be shown.
Missing ratings
    With three or more coders, a transcript that only some of them coded is used with the
    others' ratings missing: kappa is Fleiss' generalised by Gwet, and alpha, AC1,
    Brennan–Prediger and percent agreement take their missing-data forms (the ordinary
    ones when nothing is missing). The unitizing alphas, the groups' confusion tables and
    the passages have no such form and use the transcripts every coder coded.
Groups and families
    A group of mutually exclusive codes also gets Krippendorff's 2004 alpha_U and, per
    pair of coders, a confusion table (coder A's code × coder B's code over the units). A
    code family (a top-level code and the codes below it) gets a united row (its codes as
    one code) and a pooled row (its codes' tables added up), each with the interval.
Bootstrap
    The 95 % interval of the chosen measure is a percentile bootstrap that resamples whole
    transcripts with replacement (:func:`qualcode.agreement.bootstrap_interval`, seeded).
    Per-transcript count tables are computed once; a resample adds them up with its
    multiplicities, so no interval is recomputed per resample. Resamples on which the
    coefficient is undefined are skipped and counted.
Bands
    Kappa and AC1: Landis & Koch (1977). Alpha and |u-alpha: Krippendorff (2004):
    α ≥ .800 reliable, .667 ≤ α < .800 tentative conclusions only, below .667 unreliable.
Flags
    ``undefined`` (a coefficient is undefined), ``rare`` (mean prevalence below 5 %),
    ``few-transcripts`` (the code occurs in fewer than 5 transcripts), ``uneven`` (one
    coder coded at least twice as many units with it as another).
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from itertools import chain
from typing import Any

from qualcode.agreement import (
    BinaryTally,
    CharAgreement,
    UndefinedCoefficient,
    bootstrap_interval,
    char_agreement,
    confusion_matrix,
    continuum_confusion,
    cu_alpha,
    intersect_intervals,  # noqa: F401  (used here and by reconcile)
    percentile_interval,
    u_alpha,
    u_alpha_2004,
    u_alpha_binary,
    u_alpha_binary_of_tallies,
)
from qualcode.domain.errors import QualcodeError
from qualcode.domain.user_text import coder_round
from qualcode.pseudonyms import Key
from qualcode.services import layers, stability
from qualcode.services.overview import subtree_pks
from qualcode.store import Snapshot, Store

UNITS = ("char", "sentence", "turn", "document", "segment")
MEASURES = ("alpha", "kappa", "ac1", "bp", "pi", "percent", "ualpha")
COEFFICIENTS = ("percent_agreement", "kappa", "alpha", "ac1", "bp", "pi", "u_alpha")
MEASURE_KEY = {"alpha": "alpha", "kappa": "kappa", "ac1": "ac1", "bp": "bp", "pi": "pi",
               "percent": "percent_agreement", "ualpha": "u_alpha"}
FLAGS = {
    "undefined": "a coefficient is undefined",
    "rare": "prevalence below 5 %",
    "few-transcripts": "in fewer than 5 transcripts",
    "uneven": "one coder coded at least twice as much with it as another",
}
RARE = 0.05
FEW_TRANSCRIPTS = 5
UNEVEN = 2.0

LANDIS_KOCH = "Landis & Koch (1977)"
KRIPPENDORFF = "Krippendorff (2004)"
SEGMENT_REASON = ("not defined for the segment unit: every unit is a segment some coder "
                  "coded, so chance agreement cannot be estimated (MAXQDA reports only "
                  "percent agreement here; use --unit char for chance-corrected measures)")
PI_REASON = ("Scott's pi is defined for two coders; with more, Fleiss' kappa (the κ column) "
             "is its generalisation")
# Reasons that say a coefficient does not apply to the design, not that the data left it
# undefined: shown as a dash and not flagged.
FAMILY_UNITIZING_REASON = ("given on the family's united row, not for its pooled codes")
MISSING_UNITIZING_REASON = ("not every coder coded this transcript, and the unitizing "
                            "alphas have no form for missing coders")
NOT_APPLICABLE = (SEGMENT_REASON, PI_REASON, FAMILY_UNITIZING_REASON,
                  MISSING_UNITIZING_REASON)


def not_applicable(row: dict, key: str) -> bool:
    """True when ``row[key]`` is missing because the coefficient does not fit the design."""
    return row.get(key) is None and row["undefined"].get(key) in NOT_APPLICABLE

Interval = tuple[int, int]


# --- intervals ----------------------------------------------------------------------------

def merge_intervals(spans: Sequence[Sequence[int]]) -> list[Interval]:
    """Sort spans and merge those that overlap or touch: one coder's segments of one code."""
    merged: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e, *_ in spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]




def _covered(units: Sequence[Interval], intervals: Sequence[Interval]) -> list[int]:
    """For each unit (sorted, disjoint), how many of its characters ``intervals`` cover."""
    out = [0] * len(units)
    j = 0
    for i, (start, end) in enumerate(units):
        while j < len(intervals) and intervals[j][1] <= start:
            j += 1
        k = j
        total = 0
        while k < len(intervals) and intervals[k][0] < end:
            total += min(end, intervals[k][1]) - max(start, intervals[k][0])
            k += 1
        out[i] = total
    return out


@dataclass
class Cluster:
    """A stretch where the coders' segments of one code overlap or touch each other."""

    start: int
    end: int
    by_coder: list[list[Interval]]  # each coder's segments inside the stretch

    @property
    def agreed(self) -> bool:
        first = self.by_coder[0]
        return bool(first) and all(spans == first for spans in self.by_coder[1:])

    def pieces(self) -> list[tuple[int, int, tuple[int, ...]]]:
        """The stretch cut at every boundary: ``(start, end, coders covering it)``."""
        cuts = sorted({self.start, self.end} | {x for spans in self.by_coder
                                                for s, e in spans for x in (s, e)})
        out = []
        for start, end in zip(cuts, cuts[1:], strict=False):
            who = tuple(i for i, spans in enumerate(self.by_coder)
                        if any(s <= start and end <= e for s, e in spans))
            out.append((start, end, who))
        return out

    def differing(self) -> int:
        """Characters not covered by every coder."""
        m = len(self.by_coder)
        return sum(e - s for s, e, who in self.pieces() if len(who) < m)


def clusters(per_coder: Sequence[Sequence[Interval]]) -> list[Cluster]:
    """Group the coders' merged segments (of one code, in one transcript) into stretches of
    segments that overlap or touch across coders."""
    tagged = sorted((s, e, i) for i, spans in enumerate(per_coder) for s, e in spans)
    out: list[Cluster] = []
    for start, end, coder in tagged:
        if out and start <= out[-1].end:
            out[-1].end = max(out[-1].end, end)
            out[-1].by_coder[coder].append((start, end))
        else:
            by_coder: list[list[Interval]] = [[] for _ in per_coder]
            by_coder[coder].append((start, end))
            out.append(Cluster(start, end, by_coder))
    return out


# --- every coder's merged segments, held compactly ---------------------------------------

class SpanCells(Mapping):
    """Every coder's merged segments per (code pk, transcript pk), as a read-only mapping
    to one list of ``(start, end)`` per coder (empty for a coder who did not use the code
    there), ordered by code and transcript.

    The segments are held as two arrays of whole numbers, and each cell's lists are made
    when it is asked for: a national project has a million and a half codings, which as
    Python tuples in lists in a dict took over half a gigabyte before anything was
    counted."""

    def __init__(self, m: int, keys: Any, starts: Any, ends: Any, bounds: Any) -> None:
        self.m = m
        self._keys = keys  # code pk << 32 | transcript pk, sorted, one per cell
        self._starts, self._ends = starts, ends  # merged segments, by cell, coder, start
        self._bounds = bounds  # cell i, coder j: segments bounds[i*m+j] to bounds[i*m+j+1]
        self._codes = keys >> 32
        # Where each cell is: a table code pk × transcript pk of row numbers (ids are
        # small), or a dict where that table would be large.
        import numpy as np

        shape = ((int(self._codes.max()) + 1, int((keys & 0xFFFFFFFF).max()) + 1)
                 if len(keys) else (0, 0))
        self._table = self._index = None
        if shape[0] * shape[1] <= 16_000_000:
            self._table = np.full(shape, -1, dtype=np.int32)
            self._table[self._codes, keys & 0xFFFFFFFF] = np.arange(len(keys))
        else:
            self._index = {k: i for i, k in enumerate(keys.tolist())}

    def _find(self, key: Any) -> int | None:
        if not isinstance(key, tuple) or len(key) != 2:
            return None
        code_pk, t_pk = key
        if self._table is None:
            return self._index.get((code_pk << 32) | t_pk)
        if 0 <= code_pk < self._table.shape[0] and 0 <= t_pk < self._table.shape[1]:
            i = int(self._table[code_pk, t_pk])
            return i if i >= 0 else None
        return None

    @classmethod
    def build(cls, m: int, code: Any, transcript: Any, coder: Any, start: Any, end: Any
              ) -> SpanCells:
        """From one row per coding (arrays; ``coder`` is the coder's index, 0 to m-1):
        each coder's spans of one code in one transcript sorted and merged where they
        overlap or touch, as :func:`merge_intervals` does."""
        import numpy as np

        cell = (np.asarray(code, dtype=np.int64) << 32) | np.asarray(transcript, dtype=np.int64)
        coder = np.asarray(coder, dtype=np.int64)
        start = np.asarray(start, dtype=np.int64)
        end = np.asarray(end, dtype=np.int64)
        if not len(cell):
            empty = np.zeros(0, dtype=np.int64)
            return cls(m, empty, empty, empty, np.zeros(1, dtype=np.int64))
        order = np.lexsort((end, start, coder, cell))
        cell, coder, start, end = cell[order], coder[order], start[order], end[order]
        del order
        first = np.empty(len(cell), dtype=bool)
        first[0] = True
        np.not_equal(cell[1:], cell[:-1], out=first[1:])
        keys = cell[first]
        group = (np.cumsum(first) - 1) * m + coder  # (cell, coder), ascending
        del cell, coder, first
        # Each group's spans on a line of their own (group × width): one running maximum
        # of the ends merges every group's spans at once, never across groups.
        width = int(end.max()) + 1
        offset = group * width
        reach = np.maximum.accumulate(end + offset)
        opens = np.empty(len(start), dtype=bool)
        opens[0] = True
        np.greater(start[1:] + offset[1:], reach[:-1], out=opens[1:])
        at = np.flatnonzero(opens)
        last = np.empty_like(at)
        last[:-1] = at[1:] - 1
        last[-1] = len(start) - 1
        merged_group = group[at]
        starts = start[at]
        ends = reach[last] - offset[at]
        bounds = np.searchsorted(merged_group, np.arange(len(keys) * m + 1))
        return cls(m, keys, starts, ends, bounds)

    def arrays(self) -> tuple[Any, Any, Any, Any, Any]:
        """One row per merged segment: (code pk, transcript pk, coder index, start, end)."""
        import numpy as np

        counts = np.diff(self._bounds)
        group = np.repeat(np.arange(len(counts)), counts)
        cell = self._keys[group // self.m]
        return (cell >> 32, cell & 0xFFFFFFFF, group % self.m, self._starts, self._ends)

    def _cells_of(self, code_pk: int) -> tuple[int, int]:
        """The rows of one code's cells (the cells are sorted by code)."""
        import numpy as np

        lo, hi = np.searchsorted(self._codes, [code_pk, code_pk + 1]).tolist()
        return lo, hi

    def code_arrays(self, code_pk: int) -> tuple[Any, Any, Any]:
        """One code's merged segments, every coder's: (transcript pk, start, end)."""
        import numpy as np

        lo, hi = self._cells_of(code_pk)
        first, last = int(self._bounds[lo * self.m]), int(self._bounds[hi * self.m])
        per_cell = np.diff(self._bounds[lo * self.m:hi * self.m + 1:self.m])
        t_pk = np.repeat(self._keys[lo:hi] & 0xFFFFFFFF, per_cell)
        return t_pk, self._starts[first:last], self._ends[first:last]

    def _cell(self, i: int) -> list[list[Interval]]:
        b = self._bounds[i * self.m:(i + 1) * self.m + 1].tolist()
        starts = self._starts[b[0]:b[-1]].tolist()
        ends = self._ends[b[0]:b[-1]].tolist()
        base = b[0]
        return [list(zip(starts[lo - base:hi - base], ends[lo - base:hi - base], strict=True))
                for lo, hi in zip(b, b[1:], strict=False)]

    def __getitem__(self, key: tuple[int, int]) -> list[list[Interval]]:
        i = self._find(key)
        if i is None:
            raise KeyError(key)
        return self._cell(i)

    def get(self, key: tuple[int, int], default: Any = None) -> Any:
        i = self._find(key)
        return default if i is None else self._cell(i)

    def __contains__(self, key: object) -> bool:
        return self._find(key) is not None

    def __iter__(self):
        for k in self._keys.tolist():
            yield (k >> 32, k & 0xFFFFFFFF)

    def __len__(self) -> int:
        return len(self._keys)

    def items(self):
        for i, k in enumerate(self._keys.tolist()):
            yield (k >> 32, k & 0xFFFFFFFF), self._cell(i)

    def codes(self) -> list[int]:
        """The codes with any segment."""
        import numpy as np

        return np.unique(self._codes).tolist()

    def of_code(self, code_pk: int) -> dict[int, list[list[Interval]]]:
        """Transcript pk -> the cell, for one code's cells."""
        lo, hi = self._cells_of(code_pk)
        return {k & 0xFFFFFFFF: self._cell(i)
                for i, k in enumerate(self._keys[lo:hi].tolist(), start=lo)}


# --- the scope: coders, transcripts, codes, segments --------------------------------------

@dataclass
class CodeRef:
    pk: int
    code_id: str
    label: str
    parent_pk: int | None
    exclusive: bool
    depth: int
    order: int


@dataclass
class TranscriptRef:
    pk: int
    name: str
    length: int


@dataclass
class Scope:
    """What is compared: the coders, the transcripts, the codes and every coder's merged
    segments per (code, transcript) — for all codes, so a listing can show what else each
    coder coded on a passage."""

    coders: list[str]
    transcripts: list[TranscriptRef]
    left_out: list[dict]
    codes: list[CodeRef]  # selected codes with codings, in codebook order
    all_codes: dict[int, CodeRef]
    # (code pk, transcript pk) → per coder: a SpanCells, or a dict in the same shape
    spans: Mapping[tuple[int, int], list[list[Interval]]]
    notes: list[str] = field(default_factory=list)
    selection: list[str] | None = None
    # transcript pk -> indexes of the coders who coded it, for transcripts that only some
    # of the coders coded (their ratings of the others are missing); absent: all coders.
    raters: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # inter-coder (different coders) or stability (rounds of one coder, anna and anna@2),
    # with when the rounds coded the compared transcripts
    kind: str = stability.INTER_CODER
    rounds: dict | None = None

    @property
    def m(self) -> int:
        return len(self.coders)

    def raters_of(self, t_pk: int) -> tuple[int, ...]:
        return self.raters.get(t_pk, tuple(range(self.m)))

    def complete(self) -> Scope:
        """The same scope on the transcripts every coder coded: the unitizing alphas, the
        confusion tables and the passages have no form for missing ratings."""
        if not self.raters:
            return self
        from dataclasses import replace

        return replace(self, transcripts=[t for t in self.transcripts
                                          if t.pk not in self.raters], raters={})


def _code_tree(db: Snapshot) -> dict[int, CodeRef]:
    rows = db.rows("SELECT pk, code_id, label, parent_pk, exclusive, sort_order FROM code")
    children: dict[int | None, list] = defaultdict(list)
    for row in rows:
        children[row[3]].append(row)
    out: dict[int, CodeRef] = {}
    stack = [(row, 0) for row in sorted(children[None], key=lambda r: (r[5], r[1]),
                                        reverse=True)]
    while stack:
        (pk, code_id, label, parent, exclusive, _), depth = stack.pop()
        out[pk] = CodeRef(pk, code_id, label, parent, bool(exclusive), depth, len(out))
        stack.extend((row, depth + 1) for row in sorted(children[pk], key=lambda r: (r[5], r[1]),
                                                        reverse=True))
    return out


def split_names(values: Sequence[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def load_scope(store: Store, *, coders: Sequence[str] | str | None = None,
               transcripts: Sequence[str] | None = None,
               codes: Sequence[str] | str | None = None) -> Scope:
    """Resolve coders, transcripts and codes, and load every coder's merged segments.
    Plain reads through one snapshot: a national project has a hundred thousand codings,
    and the ORM would cost more to load than the rows."""
    import numpy as np
    names = list(dict.fromkeys(split_names(coders)))
    notes: list[str] = []
    if transcripts:
        from qualcode.services.common import get_transcript

        with store.read() as session:  # names or ids, with the usual "did you mean"
            chosen = list(dict.fromkeys(get_transcript(session, ref).pk for ref in transcripts))
    with store.snapshot() as db:
        known = dict(db.rows("SELECT name, pk FROM coder"))
        origins: dict[int, set[str]] = defaultdict(set)
        for coder_pk, origin in db.rows("SELECT DISTINCT coder_pk, origin FROM coding "
                                        "WHERE origin != 'suggested'"):
            origins[coder_pk].add(origin)
        if names:
            layers.check_coders(known, names)
        else:
            own = layers.own_coders(db)
            names = layers.default_coders(db)
            consensus = sorted(n for n, pk in known.items() if origins[pk] == {"consensus"})
            if consensus:
                notes.append(f"consensus layer {', '.join(consensus)} left out; name it in "
                             "--coders to compare a coder with it")
            rounds = [n for n in own if n not in names]
            if rounds:
                shown = ", ".join(f"{n} (round {coder_round(n)[1]} of {coder_round(n)[0]})"
                                  for n in rounds)
                notes.append(f"later rounds left out: {shown}; a round is not another coder. "
                             f"Compare it with its coder as stability: --coders "
                             f"{coder_round(rounds[0])[0]},{rounds[0]}")
        kind = stability.comparison(names)
        if kind == stability.STABILITY:
            names = stability.by_round(names)
        if len(names) < 2:
            if coders:
                raise QualcodeError("agreement compares two or more coders",
                                    hint="e.g. --coders anna,bjorn")
            raise QualcodeError(
                f"agreement needs codings from two or more coders; this project has "
                f"{len(names)} ({', '.join(names) or 'none'})",
                hint="import another coder's codings with `qualcode coding import`")
        pks = [known[n] for n in names]
        tree = _code_tree(db)
        selected: set[int] | None = None
        if codes:
            code_rows = db.rows("SELECT pk, code_id, parent_pk FROM code")
            selected = set()
            for code_id in split_names(codes):
                selected.update(subtree_pks(code_rows, code_id))
        all_transcripts = {pk: (name, length) for pk, name, length in db.rows(
            "SELECT pk, name, length(text) FROM transcript")}
        # One array of the codings, no tuple per row: (coder, code, transcript, start, end).
        rows = np.fromiter(chain.from_iterable(db.each(
            'SELECT coder_pk, code_pk, transcript_pk, start, "end" FROM coding '
            f"WHERE origin != 'suggested' AND coder_pk IN ({', '.join('?' * len(pks))})",
            pks)), dtype=np.int64).reshape(-1, 5)
        coded_by: dict[int, set[int]] = defaultdict(set)
        raters: dict[int, tuple[int, ...]] = {}
        for pair in np.unique((rows[:, 2] << 32) | rows[:, 0]).tolist():
            coded_by[pair >> 32].add(pair & 0xFFFFFFFF)
        if transcripts:
            for t_pk in chosen:
                missing = [n for n, pk in zip(names, pks, strict=True) if pk not in coded_by[t_pk]]
                if missing:
                    notes.append(f"{all_transcripts[t_pk][0]}: no codings by "
                                 f"{', '.join(missing)} (counted as coding nothing)")
        elif len(pks) > 2:
            # Three or more coders: a transcript that two or more of them coded is compared
            # with the others' ratings missing (Gwet's missing-data forms).
            chosen = [pk for pk in all_transcripts if len(coded_by[pk] & set(pks)) >= 2]
            for t_pk in chosen:
                if not coded_by[t_pk] >= set(pks):
                    raters[t_pk] = tuple(i for i, pk in enumerate(pks) if pk in coded_by[t_pk])
        else:
            chosen = [pk for pk in all_transcripts if coded_by[pk] >= set(pks)]
    chosen_set = set(chosen)
    left_out = []
    if not transcripts:
        for t_pk, (name, _) in sorted(all_transcripts.items(), key=lambda kv: kv[1][0]):
            if t_pk in chosen_set:
                continue
            missing = [n for n, pk in zip(names, pks, strict=True) if pk not in coded_by[t_pk]]
            reason = ("coded by none of the coders" if len(missing) == len(names)
                      else f"not coded by {', '.join(missing)}" if len(names) == 2
                      else f"coded by {len(names) - len(missing)} of the coders; agreement "
                           "needs two")
            left_out.append({"transcript": name, "reason": reason, "missing": missing})
    if not chosen:
        raise QualcodeError(f"no transcript is coded by every one of {', '.join(names)}"
                            if len(names) == 2 else
                            f"no transcript is coded by two or more of {', '.join(names)}",
                            hint="name transcripts with --transcript, or check "
                                 "`qualcode coding list --coder NAME`")
    t_refs = sorted((TranscriptRef(pk, *all_transcripts[pk]) for pk in chosen),
                    key=lambda t: t.name)
    if not {t_pk for t_pk, who in coded_by.items() if who} <= chosen_set:
        rows = rows[np.isin(rows[:, 2], np.array(chosen, dtype=np.int64))]
    index = np.zeros(max(pks) + 1, dtype=np.int64)
    index[pks] = np.arange(len(pks))
    spans = SpanCells.build(len(pks), rows[:, 1], rows[:, 2], index[rows[:, 0]], rows[:, 3],
                            rows[:, 4])
    del rows
    with_codings = set(spans.codes())
    chosen_codes = [tree[pk] for pk in with_codings if selected is None or pk in selected]
    if not chosen_codes:
        what = "the chosen codes" if selected is not None else "any code"
        raise QualcodeError(f"no codings of {what} by {', '.join(names)} in these transcripts",
                            hint="check --code and --coders")
    chosen_codes.sort(key=lambda c: c.order)
    if raters:
        some = sorted(all_transcripts[pk][0] for pk in raters)
        shown = ", ".join(some[:8]) + (f" and {len(some) - 8} more" if len(some) > 8 else "")
        notes.append(
            f"missing ratings: {len(some)} transcript(s) coded by only some of the coders "
            f"({shown}); kappa is Fleiss' generalised to missing ratings (Gwet 2014), and "
            "alpha, AC1, Brennan-Prediger and percent agreement use their missing-data "
            f"forms; |u-alpha, the groups and the passages use the {len(t_refs) - len(some)} "
            "transcript(s) every coder coded")
    rounds = None
    if kind == stability.STABILITY:
        with store.snapshot() as db:
            rounds = stability.round_times(db, dict(zip(names, pks, strict=True)),
                                           [t.pk for t in t_refs])
    return Scope(names, t_refs, left_out, chosen_codes, tree, spans, notes,
                 split_names(codes) or None, raters, kind, rounds)


# --- count tables per unit ----------------------------------------------------------------

@dataclass
class Tables:
    """Per (code, transcript) with any coding: units coded by exactly k of the transcript's
    r coders (k = 0…r; r = m unless some coders did not code the transcript) and units
    coded by each coder (0 for a coder who did not code it). A transcript where nobody
    used a code adds ``n_units[t]`` units that no coder coded.

    One row per cell, in arrays (a national project has some 400 000 cells): ``code`` and
    ``transcript`` (indexes into the scope's codes and transcripts), ``r`` (the coders
    who rated the transcript), ``hist`` (k = 0…r, then zeros up to m), ``cov`` and
    ``segments`` (the merged segments), one column per coder of the scope."""

    unit: str
    m: int
    n_units: list[int]
    code: Any
    transcript: Any
    r: Any
    hist: Any
    cov: Any
    segments: Any
    unit_spans: dict[int, list[Interval]] = field(default_factory=dict)  # sentences, turns
    raters: list[tuple[int, ...]] = field(default_factory=list)  # per transcript

    def cell(self, row: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """(hist with its r + 1 counts, cov, segments) of one row, as whole numbers."""
        hist = self.hist[row, :int(self.r[row]) + 1].tolist()
        return tuple(hist), tuple(self.cov[row].tolist()), tuple(self.segments[row].tolist())


def _hist_from_flags(flags: list[list[bool]], m: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    hist = [0] * (m + 1)
    for row in zip(*flags, strict=True):
        hist[sum(row)] += 1
    return tuple(hist), tuple(sum(f) for f in flags)


def _char_cell(length: int, per_coder: list[list[Interval]]
               ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if len(per_coder) == 2:
        t = char_agreement(length, per_coder[0], per_coder[1])
        return (t.neither, t.a_only + t.b_only, t.both), (t.coded_a, t.coded_b)
    m = len(per_coder)
    events = sorted((x, step) for spans in per_coder for s, e in spans
                    for x, step in ((s, 1), (e, -1)))
    hist = [0] * (m + 1)
    position = depth = 0
    for at, step in events:
        hist[depth] += at - position
        position, depth = at, depth + step
    hist[depth] += length - position
    return tuple(hist), tuple(sum(e - s for s, e in spans) for spans in per_coder)


def _segment_cell(per_coder: list[list[Interval]], overlap: float
                  ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    m = len(per_coder)
    hist = [0] * (m + 1)
    cov = [0] * m
    for owner, spans in enumerate(per_coder):
        for start, end in spans:
            need = overlap * (end - start)
            ratings = [True] * m
            for other, theirs in enumerate(per_coder):
                if other != owner:
                    best = max((min(end, e) - max(start, s) for s, e in theirs), default=0)
                    ratings[other] = best > 0 and best >= need
            hist[sum(ratings)] += 1
            for i, r in enumerate(ratings):
                cov[i] += r
    return tuple(hist), tuple(cov)


def _unit_spans(store: Store, scope: Scope, unit: str) -> dict[int, list[Interval]]:
    pks = [t.pk for t in scope.transcripts]
    if unit == "sentence":
        from qualcode.services.queries import ensure_segments

        ensure_segments(store, [t.name for t in scope.transcripts])
    table = "segment" if unit == "sentence" else "turn"
    out: dict[int, list[Interval]] = defaultdict(list)
    if not pks:
        return out
    with store.snapshot() as db:
        for t_pk, start, end in db.rows(
                f'SELECT transcript_pk, start, "end" FROM {table} WHERE transcript_pk IN '
                f'({", ".join("?" * len(pks))}) AND "end" > start ORDER BY transcript_pk, start',
                pks):
            out[t_pk].append((start, end))
    return out


def count_tables(store: Store, scope: Scope, unit: str = "char", *, overlap: float = 0.9,
                 min_share: float = 0.5) -> Tables:
    m = scope.m
    t_index = {t.pk: i for i, t in enumerate(scope.transcripts)}
    c_index = {c.pk: i for i, c in enumerate(scope.codes)}
    units: dict[int, list[Interval]] = {}
    if unit == "char":
        n_units = [t.length for t in scope.transcripts]
    elif unit in ("sentence", "turn"):
        units = _unit_spans(store, scope, unit)
        n_units = [len(units.get(t.pk, [])) for t in scope.transcripts]
    elif unit == "document":
        n_units = [1] * len(scope.transcripts)
    else:
        n_units = [0] * len(scope.transcripts)
    import numpy as np

    raters = [scope.raters_of(t.pk) for t in scope.transcripts]
    # Each cell's numbers go into flat arrays of whole numbers as they are counted:
    # code, transcript, r, hist (m + 1), cov (m), segments (m).
    width = 3 + 3 * m + 1
    flat = array("q")
    for (code_pk, t_pk), all_coders in scope.spans.items():
        if code_pk not in c_index:
            continue
        ci, ti = c_index[code_pk], t_index[t_pk]
        who = raters[ti]
        per_coder = [all_coders[i] for i in who]
        r = len(who)
        segments = tuple(len(s) for s in per_coder)
        if unit == "char":
            hist, cov = _char_cell(scope.transcripts[ti].length, per_coder)
        elif unit == "document":
            flags = [[bool(spans)] for spans in per_coder]
            hist, cov = _hist_from_flags(flags, r)
        elif unit == "segment":
            hist, cov = _segment_cell(per_coder, overlap)
        else:
            unit_list = units.get(t_pk, [])
            lengths = [e - s for s, e in unit_list]
            flags = []
            for spans in per_coder:
                covered = _covered(unit_list, spans)
                flags.append([c > 0 and c >= min_share * n for c, n in zip(covered, lengths,
                                                                          strict=True)])
            hist, cov = _hist_from_flags(flags, r)
        flat.extend((ci, ti, r))
        flat.extend(hist)
        if r < m:  # back to one column per coder of the scope; absent coders coded nothing
            flat.extend([0] * (m - r))
            full_cov, full_seg = [0] * m, [0] * m
            for i, c, n in zip(who, cov, segments, strict=True):
                full_cov[i], full_seg[i] = c, n
            cov, segments = full_cov, full_seg
        flat.extend(cov)
        flat.extend(segments)
    table = np.frombuffer(flat, dtype=np.int64).reshape(-1, width) if flat else \
        np.zeros((0, width), dtype=np.int64)
    return Tables(unit, m, n_units, table[:, 0], table[:, 1], table[:, 2],
                  table[:, 3:m + 4], table[:, m + 4:2 * m + 4], table[:, 2 * m + 4:], units,
                  raters)


# --- coefficients from counts -------------------------------------------------------------

def _no_variation(n0: int, n1: int) -> str | None:
    if n1 == 0:
        return "no coder coded any of these units with the code: nothing varies, so " \
               "agreement beyond chance is undefined"
    if n0 == 0:
        return "every coder coded every unit with the code: nothing varies, so agreement " \
               "beyond chance is undefined"
    return None


def count_coefficients(hist: Sequence[int], cov: Sequence[int], *, segment: bool = False,
                       fewer: dict[int, Sequence[int]] | None = None
                       ) -> tuple[dict[str, float | None], dict[str, str]]:
    """Percent agreement, kappa, alpha, AC1, Brennan-Prediger and Scott's pi for m coders
    and two categories (coded / not coded) from ``hist[k]`` (units coded by exactly k
    coders) and ``cov[i]`` (units coded by coder i). Undefined values are None, with the
    reason in the second dict.

    ``fewer[r][k]``: units that only r < m coders rated (the others did not code the
    transcript), k of whom coded them. With such units every coefficient takes its
    missing-data form (Gwet 2014), which is the ordinary one when there are none:
    p_a is the mean over units of the share of agreeing rating pairs; pi_1 the mean over
    units of the share of ratings "coded".

    Percent agreement (a percentage) is p_a; kappa is Cohen's (m = 2, via
    :class:`~qualcode.agreement.CharAgreement`) or Fleiss' generalised by Gwet (m > 2,
    chance pi_1^2 + (1 - pi_1)^2, :func:`qualcode.agreement.fleiss_kappa_missing`); alpha
    is Krippendorff's nominal alpha, 1 - (n - 1) D_o / D_e with n the pairable values; AC1
    is Gwet's with q = 2 categories (chance 2 pi_1 (1 - pi_1)); Brennan-Prediger takes
    chance agreement as 1/q = 1/2, so it is 2 p_a - 1; Scott's pi (m = 2 only) pools both
    coders' shares, as Fleiss' kappa does for more coders."""
    m = len(cov)
    groups = {m: list(hist), **{r: list(h) for r, h in (fewer or {}).items() if sum(h)}}
    n_units = sum(sum(h) for h in groups.values())
    values: dict[str, float | None] = dict.fromkeys(("percent_agreement", "kappa", "alpha",
                                                     "ac1", "bp", "pi"))
    reasons: dict[str, str] = {}
    if n_units == 0:
        for key in values:
            reasons[key] = "no units to compare"
        return values, reasons
    n = sum(r * sum(h) for r, h in groups.items())
    n1 = sum(k * c for h in groups.values() for k, c in enumerate(h))
    n0 = n - n1
    p_a = sum((Fraction(c * (k * (k - 1) + (r - k) * (r - k - 1)), r * (r - 1))
               for r, h in groups.items() for k, c in enumerate(h)), Fraction(0)) / n_units
    pi_1 = sum((Fraction(c * k, r) for r, h in groups.items() for k, c in enumerate(h)),
               Fraction(0)) / n_units
    table = None
    if m == 2:
        both = hist[2]
        table = CharAgreement(n_units, both, cov[0] - both, cov[1] - both, hist[0])
        values["percent_agreement"] = table.percent_agreement
    else:
        values["percent_agreement"] = float(100 * p_a)
    if segment:
        for key in ("kappa", "alpha", "ac1", "bp", "pi"):
            reasons[key] = SEGMENT_REASON
        return values, reasons
    values["bp"] = float(2 * p_a - 1)
    if m != 2:
        reasons["pi"] = PI_REASON
    why = _no_variation(n0, n1)
    if why:
        reasons["kappa"] = reasons["alpha"] = why
        if m == 2:
            reasons["pi"] = why
    else:
        # Scott's pi and Fleiss' kappa share the pooled chance term.
        pooled_chance = pi_1 * pi_1 + (1 - pi_1) * (1 - pi_1)
        pooled = float((p_a - pooled_chance) / (1 - pooled_chance))
        if table is not None:
            values["kappa"] = table.kappa
            values["pi"] = pooled
        else:
            values["kappa"] = pooled
        disagreeing = sum((Fraction(2 * k * (r - k) * c, r - 1)
                           for r, h in groups.items() for k, c in enumerate(h)), Fraction(0))
        values["alpha"] = float(1 - (n - 1) * disagreeing / (2 * n0 * n1))
    expected = 2 * pi_1 * (1 - pi_1)
    values["ac1"] = float((p_a - expected) / (1 - expected))
    return values, reasons


def count_layout(m: int) -> dict[int, slice]:
    """Where the count table of units rated by r coders sits in a count vector: first
    ``hist`` (r = m) and ``cov`` as before, then the tables of r = 2 … m - 1."""
    out = {m: slice(0, m + 1)}
    start = 2 * m + 1
    for r in range(2, m):
        out[r] = slice(start, start + r + 1)
        start += r + 1
    return out


def count_size(m: int, missing: bool) -> int:
    return 2 * m + 1 + (sum(r + 1 for r in range(2, m)) if missing else 0)


def vector_values(measure: str, sums: Any, m: int) -> Any:
    """The coefficient ``measure`` for many count tables at once (numpy, float): ``sums``
    has shape (..., 2 m + 1), each table being ``hist[0..m]`` then ``cov[0..m-1]``, or, with
    missing ratings, the longer vector of :func:`count_layout`. Undefined values are NaN.
    The same formulas as :func:`count_coefficients`."""
    import numpy as np

    layout = count_layout(m)
    if sums.shape[-1] == 2 * m + 1:
        layout = {m: layout[m]}
    hist = sums[..., :m + 1]
    cov = sums[..., m + 1:2 * m + 1]
    n_units = sum(sums[..., part].sum(axis=-1) for part in layout.values())
    n = sum(r * sums[..., part].sum(axis=-1) for r, part in layout.items())
    n1 = sum(sums[..., part] @ np.arange(r + 1, dtype=float) for r, part in layout.items())
    n0 = n - n1

    def weighted(weight) -> Any:
        return sum(sums[..., part] @ weight(r, np.arange(r + 1, dtype=float))
                   for r, part in layout.items())

    with np.errstate(divide="ignore", invalid="ignore"):
        p_a = weighted(lambda r, k: (k * (k - 1) + (r - k) * (r - k - 1)) / (r * (r - 1))
                       ) / n_units
        pi_1 = weighted(lambda r, k: k / r) / n_units
        varies = (n0 > 0) & (n1 > 0)
        if measure == "percent":
            out = 100 * p_a
        elif measure == "ac1":
            expected = 2 * pi_1 * (1 - pi_1)
            out = (p_a - expected) / (1 - expected)
        elif measure == "bp":
            out = 2 * p_a - 1
        elif measure == "pi" and m != 2:
            out = np.full(n_units.shape, np.nan)
        elif measure == "alpha":
            disagreeing = weighted(lambda r, k: 2 * k * (r - k) / (r - 1))
            out = 1 - (n - 1) * disagreeing / (2 * n0 * n1)
            out = np.where(varies, out, np.nan)
        elif measure == "kappa" and m == 2:
            a, b = cov[..., 0], cov[..., 1]
            observed = (hist[..., 0] + hist[..., 2]) / n_units
            expected = (a * b + (n_units - a) * (n_units - b)) / (n_units * n_units)
            out = np.where(varies, (observed - expected) / (1 - expected), np.nan)
        elif measure in ("kappa", "pi"):
            expected = pi_1 * pi_1 + (1 - pi_1) * (1 - pi_1)
            out = np.where(varies, (p_a - expected) / (1 - expected), np.nan)
        else:
            raise ValueError(f"no count form for {measure!r}")
    return np.where(n_units > 0, out, np.nan)


# --- bands --------------------------------------------------------------------------------

def landis_koch(value: float | None) -> str | None:
    """Landis, J. R. & Koch, G. G. (1977), Biometrics 33: 159-174, p. 165."""
    if value is None:
        return None
    if value < 0:
        return "poor"
    for limit, name in ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"),
                        (0.80, "substantial")):
        if value <= limit:
            return name
    return "almost perfect"


def krippendorff_band(value: float | None) -> str | None:
    """Krippendorff, K. (2004), Content Analysis, 2nd ed., p. 241."""
    if value is None:
        return None
    if value >= 0.800:
        return "reliable"
    if value >= 0.667:
        return "tentative"
    return "unreliable"


def band_for(measure: str, value: float | None) -> tuple[str | None, str | None]:
    """(band, source) of a value of ``measure``; percent agreement has no band."""
    if measure in ("kappa", "ac1", "bp", "pi"):
        return landis_koch(value), LANDIS_KOCH
    if measure in ("alpha", "ualpha"):
        return krippendorff_band(value), KRIPPENDORFF
    return None, None


# --- the agreement computation ------------------------------------------------------------

def _continuum(scope: Scope, code_pks: Sequence[int], *, per_code: bool = False,
               categories: dict[int, str] | None = None, only: int | None = None
               ) -> tuple[int, list[list[tuple]]]:
    """Lay the transcripts end to end (and, with ``per_code``, the codes' continua too):
    the total length and each coder's spans on it."""
    offsets = []
    total = 0
    for t in scope.transcripts:
        if only is None or t.pk == only:
            offsets.append((t.pk, total))
            total += t.length
    spans: list[list[tuple]] = [[] for _ in scope.coders]
    for block, code_pk in enumerate(code_pks):
        base = block * total if per_code else 0
        # One code's cells at a time (a SpanCells makes a cell's lists when asked)
        cells = (scope.spans.of_code(code_pk) if isinstance(scope.spans, SpanCells)
                 else {t_pk: scope.spans.get((code_pk, t_pk)) for t_pk, _ in offsets})
        for t_pk, offset in offsets:
            cell = cells.get(t_pk)
            if cell is None:
                continue
            for i, coder_spans in enumerate(cell):
                for s, e in coder_spans:
                    if categories is None:
                        spans[i].append((base + offset + s, base + offset + e))
                    else:
                        spans[i].append((offset + s, offset + e, categories[code_pk]))
    return (total * len(code_pks) if per_code else total), spans


def _unitizing(fn, length: int | list[BinaryTally], spans: list[list[tuple]] | None = None,
               coders: list[str] | None = None, **kw) -> tuple[float | None, str | None]:
    """``fn(length, spans by coder)``, or ``fn(tallies)``; None and the reason when it is
    undefined."""
    try:
        if spans is None:
            return fn(length), None
        return fn(length, dict(zip(coders, spans, strict=True)), **kw), None
    except UndefinedCoefficient as exc:
        return None, str(exc)


def code_tallies(scope: Scope, code_pks: Sequence[int]) -> list[BinaryTally]:
    """Each code's :func:`qualcode.agreement.binary_tally` over its continuum (the
    scope's transcripts laid end to end), computed from the segment arrays one code at a
    time: the same whole numbers as the tally of :func:`_continuum`'s spans, without a
    tuple per span. A coder's merged segments are already disjoint and do not touch
    within a transcript, and a segment never crosses into the next transcript, so they
    are the units ``binary_tally`` would make of them."""
    import numpy as np

    m = scope.m
    pairs = m * (m - 1)
    length = sum(t.length for t in scope.transcripts)
    spans = _as_cells(scope.spans, m)
    offset = np.full(max([t.pk for t in scope.transcripts], default=0) + 1, -1,
                     dtype=np.int64)
    at = 0
    for t in scope.transcripts:
        offset[t.pk] = at
        at += t.length
    out = []
    for code_pk in code_pks:
        t_pk, start, end = spans.code_arrays(code_pk)
        inside_scope = t_pk < len(offset)
        inside_scope[inside_scope] = offset[t_pk[inside_scope]] >= 0
        begin = offset[t_pk[inside_scope]] + start[inside_scope]
        sizes = end[inside_scope] - start[inside_scope]
        # One sweep over the code's continuum: how many coders are inside a unit on each
        # stretch between two boundaries. Stretches inside no unit are gap pairs whole.
        where = np.concatenate([begin, begin + sizes])
        order = np.argsort(where, kind="stable")
        step = np.where(order < len(begin), 1, -1)
        inside = np.cumsum(step)[:-1]
        stretch = np.diff(where[order])
        unit_pairs = int((stretch * inside * (inside - 1)).sum())
        taken = int((stretch * (pairs - (m - inside) * (m - inside - 1))).sum())
        out.append(BinaryTally(m, length, int(sizes.sum()), int((sizes * sizes).sum()),
                               unit_pairs, length * pairs - taken))
    return out


def _as_cells(spans: Mapping[tuple[int, int], list[list[Interval]]], m: int) -> SpanCells:
    """The segments as a SpanCells (a dict in the same shape is made into one)."""
    import numpy as np

    if isinstance(spans, SpanCells):
        return spans
    rows = [(code_pk, t_pk, i, s, e) for (code_pk, t_pk), cell in spans.items()
            for i, coder_spans in enumerate(cell) for s, e in coder_spans]
    columns = ([np.array(c, dtype=np.int64) for c in zip(*rows, strict=True)] if rows
               else [np.zeros(0, dtype=np.int64)] * 5)
    return SpanCells.build(m, *columns)


def _split_hist(hist: Sequence[int], m: int) -> tuple[list[int], dict[int, list[int]]]:
    """A transcript's count table as (units all m coders rated, {r: units r coders rated})."""
    if len(hist) == m + 1:
        return list(hist), {}
    return [0] * (m + 1), {len(hist) - 1: list(hist)}


def _row(scope: Scope, hist: Sequence[int], cov: Sequence[int], unit: str, n_transcripts: int,
         segments: Sequence[int], fewer: dict[int, list[int]] | None = None,
         rated: Sequence[int] | None = None) -> dict:
    """One row of the table; ``fewer`` are the count tables of units fewer coders rated,
    ``rated[i]`` the units coder i rated (default: all)."""
    values, reasons = count_coefficients(hist, cov, segment=unit == "segment", fewer=fewer)
    m = scope.m
    groups = {m: list(hist), **(fewer or {})}
    n_units = sum(sum(h) for h in groups.values())
    rated = list(rated) if rated is not None else [n_units] * m
    row: dict[str, Any] = {"units": n_units, "transcripts_with_code": n_transcripts}
    if unit == "segment":
        row["coded"] = dict(zip(scope.coders, segments, strict=True))
        row["prevalence"] = dict.fromkeys(scope.coders)
    else:
        row["coded"] = dict(zip(scope.coders, cov, strict=True))
        row["prevalence"] = {c: (n / of if of else None)
                             for c, n, of in zip(scope.coders, cov, rated, strict=True)}
    row["segments"] = dict(zip(scope.coders, segments, strict=True))
    row["coded_by_all"] = sum(h[r] for r, h in groups.items())
    row["coded_by_none"] = sum(h[0] for h in groups.values())
    row["coded_by_some"] = n_units - row["coded_by_all"] - row["coded_by_none"]
    row.update(values)
    row["kappa_kind"] = "cohen" if m == 2 else "fleiss"
    if any(sum(h) for h in (fewer or {}).values()):
        row["missing_ratings"] = n_units - sum(hist)
    row["undefined"] = reasons
    return row


def _flags(row: dict, unit: str, measure_keys: Sequence[str]) -> list[str]:
    flags = []
    if any(row.get(k) is None and k in row["undefined"] and not not_applicable(row, k)
           for k in measure_keys):
        flags.append("undefined")
    prevalence = [p for p in row["prevalence"].values() if p is not None]
    if unit != "segment" and prevalence and sum(prevalence) / len(prevalence) < RARE:
        flags.append("rare")
    if row["transcripts_with_code"] < FEW_TRANSCRIPTS:
        flags.append("few-transcripts")
    counts = list(row["coded"].values())
    if max(counts) > 0 and (min(counts) == 0 or max(counts) >= UNEVEN * min(counts)):
        flags.append("uneven")
    return flags


def _percentile(values: Sequence[float | None], confidence: float) -> dict:
    """``bootstrap_interval``'s percentile step applied to the coefficient already computed
    on each resample: undefined ones are skipped; the interval and how many resamples it
    used."""
    defined = [v for v in values if v is not None]
    if not defined:
        return {"low": None, "high": None, "resamples_used": 0}
    low, high, used = percentile_interval(defined, confidence)
    return {"low": low, "high": high, "resamples_used": used}


@lru_cache(maxsize=4)
def _resample_weights(n_t: int, n: int, seed: int) -> Any:
    """How often each of ``n_t`` transcripts is drawn in each of ``n`` resamples, drawn
    by :func:`qualcode.agreement.bootstrap_interval` itself (so the intervals are its
    intervals); kept, since the codes and the code families resample alike."""
    import numpy as np

    # Each resample's counts go into its row as it is drawn: the draws themselves (n
    # lists of n_t transcripts) are not kept, and the counts as small whole numbers.
    weights = np.zeros((n, n_t), dtype=np.uint16 if n_t < 2**16 else np.int64)
    drawn = 0

    def record(resample: list[int]) -> float:
        nonlocal drawn
        weights[drawn] = np.bincount(resample, minlength=n_t)
        drawn += 1
        return 0.0

    bootstrap_interval(record, list(range(n_t)), n=n, seed=seed)
    weights.flags.writeable = False
    return weights


def _bootstrap(tables: Tables, n_codes: int, measure: str, n: int, seed: int,
               confidence: float, pools: Sequence[Sequence[int]] = ()) -> list[dict]:
    """Intervals for each code, the pooled row (index ``n_codes``) and each of ``pools``
    (codes whose tables are added up, after it), resampling transcripts."""
    import numpy as np

    m = tables.m
    layout = count_layout(m)
    missing = any(len(r) < m for r in tables.raters)
    size = count_size(m, missing)
    n_t = len(tables.n_units)
    per = np.zeros((n_t, n_codes + 1 + len(pools), size))
    for ti, (n_units, raters) in enumerate(zip(tables.n_units, tables.raters, strict=True)):
        # Units of codes nobody used in this transcript: rated, and coded by none.
        per[ti, :n_codes, layout[len(raters)].start] = n_units
    for r in np.unique(tables.r).tolist():
        rows = tables.r == r
        per[tables.transcript[rows], tables.code[rows], layout[r]] = tables.hist[rows, :r + 1]
    per[tables.transcript, tables.code, m + 1:2 * m + 1] = tables.cov
    per[:, n_codes] = per[:, :n_codes].sum(axis=1)
    for j, pool in enumerate(pools):
        per[:, n_codes + 1 + j] = per[:, list(pool)].sum(axis=1)
    weights = _resample_weights(n_t, n, seed)
    columns = n_codes + 1 + len(pools)
    # The counts are whole numbers, so every order of adding them up gives the same
    # sums: a block of resamples at a time as floating point for the product.
    per = per.reshape(n_t, -1)
    sums = np.empty((n, per.shape[1]))
    for block in range(0, n, 100):
        sums[block:block + 100] = weights[block:block + 100].astype(float) @ per
    sums = sums.reshape(n, columns, size)
    values = vector_values(measure, sums, m)
    out = []
    for column in range(columns):
        col = values[:, column]
        out.append(_percentile([None if math.isnan(v) else float(v) for v in col], confidence))
    return out


def _groups(scope: Scope, unit: str = "char", units: dict[int, list[Interval]] | None = None,
            min_share: float = 0.5) -> list[dict]:
    """u-alpha, cu-alpha, Krippendorff's 2004 alpha_U and the confusion tables for each
    group of mutually exclusive codes in the selection."""
    selected = {c.pk for c in scope.codes}
    out = []
    for parent in sorted(scope.all_codes.values(), key=lambda c: c.order):
        if not parent.exclusive:
            continue
        categories: dict[int, str] = {}
        for code in scope.all_codes.values():
            if code.pk not in selected:
                continue
            node, child = code, None
            while node.parent_pk is not None and node.pk != parent.pk:
                child, node = node, scope.all_codes[node.parent_pk]
            if node.pk == parent.pk and child is not None:
                categories[code.pk] = child.code_id
        if not categories:
            continue
        group: dict[str, Any] = {"group": parent.code_id, "label": parent.label,
                                 "codes": sorted(set(categories.values())), "undefined": {}}
        clash = _exclusive_clash(scope, categories)
        length, spans = _continuum(scope, list(categories), categories=categories)
        for key, fn in (("u_alpha", u_alpha), ("cu_alpha", cu_alpha),
                        ("u_alpha_2004", u_alpha_2004)):
            if clash:
                group[key], group["undefined"][key] = None, clash
            else:
                group[key], why = _unitizing(fn, length, spans, scope.coders)
                if why:
                    group["undefined"][key] = why
        group["confusion"] = []
        if clash:
            group["undefined"]["confusion"] = clash
        elif unit in ("document", "segment"):
            group["undefined"]["confusion"] = CONFUSION_UNIT_REASON
        else:
            group["confusion"] = _confusions(scope, categories, spans, length, unit,
                                             units or {}, min_share)
        out.append(group)
    return out


CONFUSION_UNIT_REASON = ("no confusion table for this unit: a transcript or a segment can "
                         "hold several codes of the group; use --unit char, sentence or turn")


def _unit_categories(units: list[Interval], spans: list[tuple], min_share: float
                     ) -> list[str | None]:
    """The group code a coder gave each sentence or turn (``units``, sorted, disjoint): the
    code covering most of it, if that reaches ``min_share`` of it (0: any overlap)."""
    by_code: dict[str, list[Interval]] = defaultdict(list)
    for s, e, category in spans:
        by_code[category].append((s, e))
    # One code's spans may overlap (a code and its children share the group's label).
    merged = sorted((s, e, c) for c, ivs in by_code.items() for s, e in merge_intervals(ivs))
    out: list[str | None] = []
    first = 0
    for start, end in units:
        while first < len(merged) and merged[first][1] <= start:
            first += 1
        cover: dict[str, int] = defaultdict(int)
        j = first
        while j < len(merged) and merged[j][0] < end:
            shared = min(merged[j][1], end) - max(merged[j][0], start)
            if shared > 0:
                cover[merged[j][2]] += shared
            j += 1
        best = max(sorted(cover.items()), key=lambda kv: kv[1], default=None)
        out.append(best[0] if best and best[1] > 0 and best[1] >= min_share * (end - start)
                   else None)
    return out


def _confusions(scope: Scope, categories: dict[int, str], spans: list[list[tuple]],
                length: int, unit: str, units: dict[int, list[Interval]], min_share: float
                ) -> list[dict]:
    """For each pair of coders, coder A's code x coder B's code over the units (None: not
    coded with any code of the group)."""
    out = []
    for a in range(scope.m):
        for b in range(a + 1, scope.m):
            if unit == "char":
                counts = continuum_confusion(length, spans[a], spans[b])
            else:
                # The units on the same continuum as the spans: transcripts end to end.
                laid: list[Interval] = []
                offset = 0
                for t in scope.transcripts:
                    laid += [(offset + s, offset + e) for s, e in units.get(t.pk, [])]
                    offset += t.length
                # "Not coded" is a category here, not a missing rating.
                none = object()
                ratings = [(x if x is not None else none, y if y is not None else none)
                           for x, y in zip(_unit_categories(laid, spans[a], min_share),
                                           _unit_categories(laid, spans[b], min_share),
                                           strict=True)]
                counts = {(None if x is none else x, None if y is none else y): n
                          for (x, y), n in (confusion_matrix(ratings) if ratings
                                            else {}).items()}
            labels = [*sorted(set(categories.values())), None]
            out.append({"coders": [scope.coders[a], scope.coders[b]], "categories": labels,
                        "counts": [[counts.get((x, y), 0) for y in labels] for x in labels]})
    return out


def _exclusive_clash(scope: Scope, categories: dict[int, str]) -> str | None:
    by_name = {t.pk: t.name for t in scope.transcripts}
    for t_pk, name in by_name.items():
        for i, coder in enumerate(scope.coders):
            units = sorted((s, e, categories[code_pk]) for code_pk in categories
                           for s, e in (scope.spans.get((code_pk, t_pk)) or [[]] * scope.m)[i])
            active: list[tuple[int, int, str]] = []
            for s2, e2, c2 in units:
                active = [u for u in active if u[1] > s2]
                for _s1, e1, c1 in active:
                    if c1 != c2:
                        return (f"{coder} applied {c1} and {c2}, which exclude each other, "
                                f"to overlapping text in {name} (characters "
                                f"{s2}-{min(e1, e2)})")
                active.append((s2, e2, c2))
    return None


# Resamples grow memory and time linearly; far past this the interval gains nothing.
MAX_BOOTSTRAP = 100_000


def agreement(store: Store, *, coders: Sequence[str] | str | None = None,
              transcripts: Sequence[str] | None = None,
              codes: Sequence[str] | str | None = None, unit: str = "char",
              overlap: float = 0.9, min_share: float = 0.5, bootstrap: int = 1000,
              seed: int = 0, measure: str | None = None, by_transcript: bool = False,
              confidence: float = 0.95, scope: Scope | None = None,
              areas: bool = False, pooled_u_alpha: bool = True) -> dict:
    """Agreement per code, pooled over codes, and per group of mutually exclusive codes;
    with ``areas``, also per code family (see :func:`_areas`).

    Returns plain data (see the keys below; ``--format json`` prints it as is): undefined
    coefficients are None with the reason under ``undefined``; nothing is rounded.
    ``measure`` (default alpha; percent agreement for the segment unit) gets the bootstrap
    interval and the band. ``pooled_u_alpha=False`` leaves |u-alpha out of the pooled
    row, where nobody reads it (the families' united rows)."""
    if unit not in UNITS:
        raise QualcodeError(f"unknown unit '{unit}'", hint=f"use one of {', '.join(UNITS)}")
    measure = measure or ("percent" if unit == "segment" else "alpha")
    if measure not in MEASURES:
        raise QualcodeError(f"unknown measure '{measure}'",
                            hint=f"use one of {', '.join(MEASURES)}")
    if unit == "segment" and measure in ("kappa", "alpha", "ac1", "bp", "pi"):
        raise QualcodeError(f"--measure {measure} is not defined for --unit segment",
                            hint="use --measure percent or ualpha, or another unit")
    if not 0 < overlap <= 1:
        raise QualcodeError(f"--overlap must be above 0 and at most 1, not {overlap}")
    if not 0 <= min_share <= 1:
        raise QualcodeError(f"--min-share must be between 0 and 1, not {min_share}")
    if not 0 <= bootstrap <= MAX_BOOTSTRAP:
        raise QualcodeError(f"--bootstrap must be 0 (none) to {MAX_BOOTSTRAP:,}, not "
                            f"{bootstrap:,}", hint="1000 resamples give a stable 95 % interval")
    if scope is None:
        scope = load_scope(store, coders=coders, transcripts=transcripts, codes=codes)
    if measure == "pi" and scope.m != 2:
        raise QualcodeError(f"--measure pi compares two coders, not {scope.m}",
                            hint="use --measure kappa: for more coders it is Fleiss' kappa, "
                                 "the generalisation of Scott's pi")
    tables = count_tables(store, scope, unit, overlap=overlap, min_share=min_share)
    m = scope.m
    n_codes = len(scope.codes)
    measure_key = MEASURE_KEY[measure]
    keys = COEFFICIENTS

    import numpy as np

    def per_code(values: Any, rows: Any = None) -> list[list[int]]:
        """``values`` (one row per cell) added up per code, as whole numbers."""
        codes = tables.code if rows is None else tables.code[rows]
        out = np.zeros((n_codes, values.shape[1]), dtype=np.int64)
        np.add.at(out, codes, values)
        return out.tolist()

    per_code_hist = per_code(tables.hist[:, :m + 1] * (tables.r == m)[:, None])
    per_code_cov = per_code(tables.cov)
    per_code_seg = per_code(tables.segments)
    present = np.bincount(tables.code, minlength=n_codes).tolist()
    # Units rated by fewer than m coders (missing ratings), per code: r -> count table.
    per_code_fewer: list[dict[int, list[int]]] = [
        {r: [0] * (r + 1) for r in range(2, m)} if scope.raters else {} for _ in range(n_codes)]
    units_by_raters: dict[int, int] = defaultdict(int)
    for ti, raters in enumerate(tables.raters):
        units_by_raters[len(raters)] += tables.n_units[ti]
    rated = [sum(n for n, raters in zip(tables.n_units, tables.raters, strict=True)
                 if i in raters) for i in range(m)]
    # Per code and r: the units of the transcripts r coders rated where the code is used.
    n_units = np.array(tables.n_units, dtype=np.int64)
    cell_units = n_units[tables.transcript] if len(n_units) else np.zeros(0, dtype=np.int64)
    covered_by_raters: list[dict[int, int]] = [defaultdict(int) for _ in range(n_codes)]
    for r in np.unique(tables.r).tolist():
        rows = tables.r == r
        for ci, n in enumerate(per_code(cell_units[rows][:, None], rows)):
            if n[0]:
                covered_by_raters[ci][r] += n[0]
        if r < m:
            for ci, table in enumerate(per_code(tables.hist[rows, :r + 1], rows)):
                if per_code_fewer[ci]:
                    per_code_fewer[ci][r] = table
    total_units = sum(tables.n_units)
    for ci in range(n_codes):
        per_code_hist[ci][0] += units_by_raters[m] - covered_by_raters[ci][m]
        for r, table in per_code_fewer[ci].items():
            table[0] += units_by_raters[r] - covered_by_raters[ci][r]

    # Code families (areas): a top-level code and the selected codes below it.
    families: dict[int, list[int]] = defaultdict(list)
    if areas:
        for ci, code in enumerate(scope.codes):
            families[_root(scope, code).pk].append(ci)
    roots = sorted((scope.all_codes[pk] for pk in families), key=lambda c: c.order)

    intervals: list[dict] | None = None
    interval_reason = None
    if bootstrap and measure != "ualpha" and len(scope.transcripts) >= 2:
        intervals = _bootstrap(tables, n_codes, measure, bootstrap, seed, confidence,
                               [families[root.pk] for root in roots])
    elif bootstrap and measure == "ualpha":
        interval_reason = ("no bootstrap interval for |u-alpha (it would recompute the "
                           "spans for every resample)")
    elif bootstrap:
        interval_reason = "no bootstrap interval: fewer than two transcripts to resample"

    def finish(row: dict, index: int, unitizing: list[BinaryTally] | str) -> dict:
        if isinstance(unitizing, str):  # why |u-alpha is not given for this row
            row["u_alpha"], why = None, unitizing
        else:
            row["u_alpha"], why = _unitizing(u_alpha_binary_of_tallies, unitizing)
        if why:
            row["undefined"]["u_alpha"] = why
        if intervals is not None:
            iv = intervals[index]
            row["interval"] = {"measure": measure, "confidence": confidence, **iv,
                               "resamples": bootstrap}
            if iv["low"] is None:
                row["undefined"]["interval"] = (f"{measure} was undefined on every "
                                                "bootstrap resample")
        else:
            row["interval"] = None
            if interval_reason:
                row["undefined"]["interval"] = interval_reason
        row["kappa_band"] = landis_koch(row["kappa"])
        row["alpha_band"] = krippendorff_band(row["alpha"])
        row["band"], row["band_source"] = band_for(measure, row[measure_key])
        row["flags"] = _flags(row, unit, keys)
        return row

    # The unitizing alphas have no form for missing ratings: they use the transcripts
    # every coder coded.
    whole = scope.complete()
    code_rows = []
    # Each code's continuum is summed up once (its tally); the pooled row adds the tallies
    # up instead of laying every code's continuum end to end again.
    tallies = code_tallies(whole, [code.pk for code in scope.codes])
    for ci, code in enumerate(scope.codes):
        row = {"code": code.code_id, "label": code.label, "depth": code.depth}
        row.update(_row(scope, per_code_hist[ci], per_code_cov[ci], unit, present[ci],
                        per_code_seg[ci], per_code_fewer[ci], rated))
        code_rows.append(finish(row, ci, [tallies[ci]]))
    def pooled_row(code: str, label: str, members: Sequence[int], index: int,
                   family: bool = False) -> dict:
        """The count tables of ``members`` (code indexes) added up: each code x unit pair
        is a unit."""
        row = {"code": code, "label": label, "depth": 0}
        chosen = set(members)
        row.update(_row(
            scope, [sum(per_code_hist[ci][k] for ci in members) for k in range(m + 1)],
            [sum(per_code_cov[ci][i] for ci in members) for i in range(m)], unit,
            len(np.unique(tables.transcript[np.isin(tables.code, list(chosen))])),
            [sum(per_code_seg[ci][i] for ci in members) for i in range(m)],
            {r: [sum(per_code_fewer[ci][r][k] for ci in members) for k in range(r + 1)]
             for r in (per_code_fewer[0] if per_code_fewer else {})},
            [n * len(members) for n in rated]))
        # A family's |u-alpha is on its united row; pooling its codes' continua once more
        # would cost as much as every code's |u-alpha again.
        row = finish(row, index, FAMILY_UNITIZING_REASON if family or not pooled_u_alpha
                     else [tallies[ci] for ci in members])
        row["flags"] = [f for f in row["flags"] if f == "undefined"]
        return row

    pooled = pooled_row("(pooled)", f"all {n_codes} codes", range(n_codes), n_codes)

    result: dict[str, Any] = {
        # "stability": the coders are rounds of one coder (anna, anna@2), compared as
        # intra-coder agreement; "inter-coder": different coders.
        "comparison": scope.kind,
        "stability": scope.rounds,
        "coders": scope.coders,
        "unit": unit,
        "overlap": overlap if unit == "segment" else None,
        "min_share": min_share if unit in ("sentence", "turn") else None,
        "measure": measure,
        "bootstrap": {"resamples": bootstrap, "seed": seed, "confidence": confidence,
                      "resampled": "transcripts"},
        "continuum": "transcripts laid end to end",
        "transcripts": [t.name for t in scope.transcripts],
        "transcripts_left_out": scope.left_out,
        "code_selection": scope.selection,
        "notes": scope.notes,
        "units_total": total_units if unit != "segment" else pooled["units"],
        "codes": code_rows,
        "pooled": pooled,
        "missing_ratings": ({"transcripts": sorted(t.name for t in scope.transcripts
                                                   if t.pk in scope.raters),
                             "complete_transcripts": [t.name for t in whole.transcripts]}
                            if scope.raters else None),
        "groups": _groups(whole, unit, tables.unit_spans, min_share),
    }
    if by_transcript:
        result["by_transcript"] = _by_transcript(scope, tables, unit)
    if areas:
        united = _united_families(store, scope, roots, unit=unit, overlap=overlap,
                                  min_share=min_share, bootstrap=bootstrap, seed=seed,
                                  measure=measure, confidence=confidence)
        result["areas"] = [
            {"area": root.code_id, "label": root.label,
             "codes": [scope.codes[ci].code_id for ci in families[root.pk]],
             "united": row,
             "pooled": pooled_row(root.code_id, f"{len(families[root.pk])} codes pooled",
                                  families[root.pk], n_codes + 1 + j, family=True)}
            for j, (root, row) in enumerate(zip(roots, united, strict=True))]
    return result


def _root(scope: Scope, code: CodeRef) -> CodeRef:
    node = code
    while node.parent_pk is not None:
        node = scope.all_codes[node.parent_pk]
    return node


def _united_families(store: Store, scope: Scope, roots: Sequence[CodeRef], **options: Any
                     ) -> list[dict]:
    """Each code family (a top-level code and the selected codes below it, e.g. a quality
    area) as one code: its codes' spans united per coder, as the matrix counts a family.
    Do the coders agree on where the area is talked about?  The rows of
    :func:`agreement` for these united codes, with the interval."""
    from dataclasses import replace

    if not roots:
        return []
    import numpy as np

    selected = {c.pk for c in scope.codes}
    code, t_pk, coder, start, end = _as_cells(scope.spans, scope.m).arrays()
    root = np.full(max(scope.all_codes) + 1, -1, dtype=np.int64)
    for pk in selected:
        root[pk] = _root(scope, scope.all_codes[pk]).pk
    family = root[code]
    keep = family >= 0
    united = SpanCells.build(scope.m, family[keep], t_pk[keep], coder[keep], start[keep],
                             end[keep])
    result = agreement(store, scope=replace(scope, codes=list(roots), spans=united),
                       pooled_u_alpha=False, **options)
    return [{**row, "label": root.label} for root, row in zip(roots, result["codes"],
                                                              strict=True)]


def _by_transcript(scope: Scope, tables: Tables, unit: str) -> list[dict]:
    import numpy as np

    rows = []
    for at in np.lexsort((tables.transcript, tables.code)).tolist():
        ci, ti = int(tables.code[at]), int(tables.transcript[at])
        hist, cov, segments = tables.cell(at)
        code, t = scope.codes[ci], scope.transcripts[ti]
        row = {"code": code.code_id, "transcript": t.name}
        full, fewer = _split_hist(hist, scope.m)
        row.update(_row(scope, full, cov, unit, 1, segments, fewer,
                        [tables.n_units[ti] if i in tables.raters[ti] else 0
                         for i in range(scope.m)]))
        del row["transcripts_with_code"]
        if t.pk in scope.raters:
            row["u_alpha"], why = None, MISSING_UNITIZING_REASON
        else:
            row["u_alpha"], why = _unitizing(u_alpha_binary, *_continuum(
                scope, [code.pk], only=t.pk), scope.coders)
        if why:
            row["undefined"]["u_alpha"] = why
        rows.append(row)
    return rows


def measure_value(result: dict, measure: str | None = None) -> float | None:
    """The pooled value of the chosen measure (what ``--fail-under`` checks)."""
    return result["pooled"][MEASURE_KEY[measure or result["measure"]]]


# --- disagreements ------------------------------------------------------------------------

def passage_kind(coders: Sequence[str], by_coder: Sequence[Sequence[Interval]]) -> str:
    """"only anna", "only anna, carl" or "boundaries differ"."""
    present = [c for c, spans in zip(coders, by_coder, strict=True) if spans]
    if len(present) < len(coders):
        return "only " + ", ".join(present)
    return "boundaries differ"


def _turn_label(turns: Sequence[tuple[int, int, int]], start: int, end: int) -> str:
    idx = [i for s, e, i in turns if s < end and e > start]
    if not idx:
        return ""
    return f"{idx[0]}–{idx[-1]}" if len(idx) > 1 else str(idx[0])


def disagreement_passages(store: Store, scope: Scope, *, max_per_code: int | None = None,
                          key: Key | None = None) -> list[dict]:
    """Every stretch where the coders' segments of a code differ, grouped by code.

    A passage is a run of segments (of one code, in one transcript) that overlap or touch
    across coders, on which the coders did not all code exactly the same characters. It
    carries the text cut into pieces with the coders covering each piece, and, per coder,
    every code (of the whole codebook) that coder applied to any part of the passage.
    With a pseudonym ``key`` the pieces are cut from the replaced text."""
    found: dict[int, list[tuple[TranscriptRef, Cluster]]] = defaultdict(list)
    for code in scope.codes:
        for t in scope.transcripts:
            cell = scope.spans.get((code.pk, t.pk))
            if cell is None:
                continue
            for cluster in clusters(cell):
                if not cluster.agreed:
                    found[code.pk].append((t, cluster))
    needed = sorted({t.pk for items in found.values() for t, _ in items})
    texts: dict[int, str] = {}
    turns: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    if needed:
        marks = ", ".join("?" * len(needed))
        with store.snapshot() as db:
            texts = dict(db.rows(f"SELECT pk, text FROM transcript WHERE pk IN ({marks})",
                                 needed))
            for t_pk, start, end, idx in db.rows(
                    f'SELECT transcript_pk, start, "end", idx FROM turn WHERE transcript_pk '
                    f"IN ({marks}) ORDER BY start", needed):
                turns[t_pk].append((start, end, idx))
    by_transcript: dict[int, list[tuple[int, list[list[Interval]]]]] = defaultdict(list)
    for (code_pk, t_pk), cell in scope.spans.items():
        if t_pk in texts:
            by_transcript[t_pk].append((code_pk, cell))
    # Each transcript replaced once, its offsets mapped: pieces keep their exact words.
    replaced = {pk: key.replace(text) for pk, text in texts.items()} if key else {}
    out = []
    for code in scope.codes:
        items = sorted(found.get(code.pk, []), key=lambda tc: (tc[0].name, tc[1].start))
        passages = []
        for t, cluster in items[:max_per_code] if max_per_code else items:
            text = texts[t.pk]
            codes_by_coder = {}
            for i, coder in enumerate(scope.coders):
                applied = [(scope.all_codes[c_pk].order, scope.all_codes[c_pk].code_id)
                           for c_pk, cell in by_transcript[t.pk]
                           if any(s < cluster.end and e > cluster.start for s, e in cell[i])]
                codes_by_coder[coder] = [cid for _, cid in sorted(applied)]
            passages.append({
                "transcript": t.name, "start": cluster.start, "end": cluster.end,
                "turns": _turn_label(turns[t.pk], cluster.start, cluster.end),
                "kind": passage_kind(scope.coders, cluster.by_coder),
                "differing_chars": cluster.differing(),
                "spans": {c: [list(iv) for iv in spans]
                          for c, spans in zip(scope.coders, cluster.by_coder, strict=True)},
                "pieces": [{"text": piece, "coders": [scope.coders[i] for i in who]}
                           for piece, who in _pieces(cluster, text, replaced.get(t.pk))],
                "codes_by_coder": codes_by_coder,
            })
        if items:
            out.append({"code": code.code_id, "label": code.label, "total": len(items),
                        "passages": passages})
    return out


def _pieces(cluster: Cluster, text: str, replaced) -> list[tuple[str, tuple[int, ...]]]:
    """A passage's pieces as text: as stored, or cut from the replaced text, where a
    boundary inside a name goes to the piece before it, so no name is shown twice."""
    if replaced is None:
        return [(text[s:e], who) for s, e, who in cluster.pieces()]
    new_text, offsets = replaced
    out = []
    last_end, last_new = None, None
    for s, e, who in cluster.pieces():
        a = last_new if s == last_end else offsets.position(s)
        b = offsets.position(e, end=True)
        out.append((new_text[a:b], who))
        last_end, last_new = e, b
    return out


def _hidden(value: Any, key: Key) -> Any:
    """Every text of the report's data with the key applied (names of transcripts, sites,
    memos); the passages' pieces are already cut from the replaced text."""
    if isinstance(value, str):
        return key.apply(value)
    if isinstance(value, list):
        return [_hidden(v, key) for v in value]
    if isinstance(value, dict):
        return {k: v if k == "pieces" else _hidden(v, key) for k, v in value.items()}
    return value


# --- what the supervisor's report shows (composed in qualcode.reports.agreement) ---

def report_data(store: Store, *, max_passages: int | None = None, key: Key | None = None,
                identifiable: bool = False, **options: Any) -> dict:
    """Everything the report shows: the agreement result, the disagreement listing, and
    the facts for the header. With a pseudonym ``key`` every text is shown replaced;
    ``identifiable`` marks a report that keeps the names."""
    from qualcode import __version__
    from qualcode.services.overview import codebook_info

    scope = load_scope(store, coders=options.pop("coders", None),
                       transcripts=options.pop("transcripts", None),
                       codes=options.pop("codes", None))
    data = agreement(store, scope=scope, areas=True, **options)
    data["passages"] = disagreement_passages(store, scope.complete(),
                                             max_per_code=max_passages, key=key)
    if key:
        data = _hidden(data, key)
    data["identifiable"] = identifiable
    data["max_passages"] = max_passages
    info = codebook_info(store) or {}
    data["codebook"] = info.get("title") or info.get("name")
    data["date"] = date.today().isoformat()
    data["version"] = __version__
    return data
