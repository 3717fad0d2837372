"""Inter-coder agreement over a project: the numbers behind ``qualcode agreement``, the
disagreement listing, and the supervisor's report (Word and HTML).

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

import html
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from qualcode.agreement import (
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
)
from qualcode.domain.errors import NotFoundError, QualcodeError
from qualcode.domain.user_text import coder_round
from qualcode.output import check_output_path, save_document, write_text
from qualcode.pseudonyms import Key
from qualcode.services import layers, stability
from qualcode.services.overview import subtree_pks
from qualcode.services.word import (
    add_paragraph_style,
    add_section,
    base_document,
    clean_table,
    nb_date,
    nb_int,
    oxml,
    page_number_field,
    table_of_contents,
    update_fields_on_open,
)
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
    spans: dict[tuple[int, int], list[list[Interval]]]  # (code pk, transcript pk) → per coder
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
            for name in names:
                if name not in known:
                    raise NotFoundError(f"no coder named '{name}'",
                                        hint=f"coders: {', '.join(sorted(known)) or 'none yet'}")
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
        rows = db.rows('SELECT coder_pk, code_pk, transcript_pk, start, "end" FROM coding '
                       f"WHERE origin != 'suggested' AND coder_pk IN ({', '.join('?' * len(pks))})",
                       pks)
        coded_by: dict[int, set[int]] = defaultdict(set)
        raters: dict[int, tuple[int, ...]] = {}
        for coder_pk, _code, t_pk, _s, _e in rows:
            coded_by[t_pk].add(coder_pk)
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
    index = {pk: i for i, pk in enumerate(pks)}
    raw: dict[tuple[int, int], list[list[Interval]]] = {}
    for coder_pk, code_pk, t_pk, start, end in rows:
        if t_pk not in chosen_set:
            continue
        cell = raw.get((code_pk, t_pk))
        if cell is None:
            cell = raw[code_pk, t_pk] = [[] for _ in pks]
        cell[index[coder_pk]].append((start, end))
    spans = {key: [merge_intervals(c) for c in cell] for key, cell in raw.items()}
    with_codings = {code_pk for code_pk, _ in spans}
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
    used a code adds ``n_units[t]`` units that no coder coded."""

    unit: str
    m: int
    n_units: list[int]
    cells: dict[tuple[int, int], tuple[tuple[int, ...], tuple[int, ...]]]
    segments: dict[tuple[int, int], tuple[int, ...]]  # merged segments per coder
    unit_spans: dict[int, list[Interval]] = field(default_factory=dict)  # sentences, turns
    raters: list[tuple[int, ...]] = field(default_factory=list)  # per transcript


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
    cells: dict[tuple[int, int], tuple[tuple[int, ...], tuple[int, ...]]] = {}
    segments: dict[tuple[int, int], tuple[int, ...]] = {}
    raters = [scope.raters_of(t.pk) for t in scope.transcripts]
    for (code_pk, t_pk), all_coders in scope.spans.items():
        if code_pk not in c_index:
            continue
        key = (c_index[code_pk], t_index[t_pk])
        who = raters[key[1]]
        per_coder = [all_coders[i] for i in who]
        m = len(who)
        segments[key] = tuple(len(s) for s in per_coder)
        if unit == "char":
            cells[key] = _char_cell(scope.transcripts[key[1]].length, per_coder)
        elif unit == "document":
            flags = [[bool(spans)] for spans in per_coder]
            cells[key] = _hist_from_flags(flags, m)
        elif unit == "segment":
            cells[key] = _segment_cell(per_coder, overlap)
        else:
            unit_list = units.get(t_pk, [])
            lengths = [e - s for s, e in unit_list]
            flags = []
            for spans in per_coder:
                covered = _covered(unit_list, spans)
                flags.append([c > 0 and c >= min_share * n for c, n in zip(covered, lengths,
                                                                          strict=True)])
            cells[key] = _hist_from_flags(flags, m)
    if scope.raters:
        # Back to one column per coder of the scope; absent coders coded nothing here.
        for key, (hist, cov) in cells.items():
            full = [0] * scope.m
            for i, c in zip(raters[key[1]], cov, strict=True):
                full[i] = c
            cells[key] = (hist, tuple(full))
            seg = [0] * scope.m
            for i, c in zip(raters[key[1]], segments[key], strict=True):
                seg[i] = c
            segments[key] = tuple(seg)
    return Tables(unit, scope.m, n_units, cells, segments, units, raters)


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


BANDS_NB = {"poor": "svakere enn tilfeldig", "slight": "ubetydelig", "fair": "svak",
            "moderate": "moderat", "substantial": "betydelig",
            "almost perfect": "nesten perfekt", "reliable": "pålitelig",
            "tentative": "foreløpig", "unreliable": "ikke pålitelig"}


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
        for t_pk, offset in offsets:
            cell = scope.spans.get((code_pk, t_pk))
            if cell is None:
                continue
            for i, coder_spans in enumerate(cell):
                for s, e in coder_spans:
                    if categories is None:
                        spans[i].append((base + offset + s, base + offset + e))
                    else:
                        spans[i].append((offset + s, offset + e, categories[code_pk]))
    return (total * len(code_pks) if per_code else total), spans


def _unitizing(fn, length: int, spans: list[list[tuple]], coders: list[str], **kw
               ) -> tuple[float | None, str | None]:
    try:
        return fn(length, dict(zip(coders, spans, strict=True)), **kw), None
    except UndefinedCoefficient as exc:
        return None, str(exc)


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

    draws: list[list[int]] = []

    def record(resample: list[int]) -> float:
        draws.append(resample)
        return 0.0

    bootstrap_interval(record, list(range(n_t)), n=n, seed=seed)
    weights = np.stack([np.bincount(d, minlength=n_t) for d in draws]).astype(float)
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
    for (ci, ti), (hist, cov) in tables.cells.items():
        per[ti, ci, layout[len(hist) - 1]] = hist
        per[ti, ci, m + 1:2 * m + 1] = cov
    per[:, n_codes] = per[:, :n_codes].sum(axis=1)
    for j, pool in enumerate(pools):
        per[:, n_codes + 1 + j] = per[:, list(pool)].sum(axis=1)
    weights = _resample_weights(n_t, n, seed)
    columns = n_codes + 1 + len(pools)
    sums = (weights @ per.reshape(n_t, -1)).reshape(n, columns, size)
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

    per_code_hist = [[0] * (m + 1) for _ in range(n_codes)]
    per_code_cov = [[0] * m for _ in range(n_codes)]
    per_code_seg = [[0] * m for _ in range(n_codes)]
    present = [0] * n_codes
    covered = [0] * n_codes
    # Units rated by fewer than m coders (missing ratings), per code: r -> count table.
    per_code_fewer: list[dict[int, list[int]]] = [
        {r: [0] * (r + 1) for r in range(2, m)} if scope.raters else {} for _ in range(n_codes)]
    units_by_raters: dict[int, int] = defaultdict(int)
    for ti, raters in enumerate(tables.raters):
        units_by_raters[len(raters)] += tables.n_units[ti]
    covered_by_raters: list[dict[int, int]] = [defaultdict(int) for _ in range(n_codes)]
    rated = [sum(n for n, raters in zip(tables.n_units, tables.raters, strict=True)
                 if i in raters) for i in range(m)]
    for (ci, _ti), (hist, cov) in tables.cells.items():
        present[ci] += 1
        covered[ci] += tables.n_units[_ti]
        covered_by_raters[ci][len(hist) - 1] += tables.n_units[_ti]
        target = per_code_hist[ci] if len(hist) == m + 1 else per_code_fewer[ci][len(hist) - 1]
        for k, h in enumerate(hist):
            target[k] += h
        for i, c in enumerate(cov):
            per_code_cov[ci][i] += c
        for i, s in enumerate(tables.segments[ci, _ti]):
            per_code_seg[ci][i] += s
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

    def finish(row: dict, index: int, length_spans: tuple[int, list[list[tuple]]] | str
               ) -> dict:
        if isinstance(length_spans, str):  # why |u-alpha is not given for this row
            row["u_alpha"], why = None, length_spans
        else:
            row["u_alpha"], why = _unitizing(u_alpha_binary, *length_spans, scope.coders)
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
    for ci, code in enumerate(scope.codes):
        row = {"code": code.code_id, "label": code.label, "depth": code.depth}
        row.update(_row(scope, per_code_hist[ci], per_code_cov[ci], unit, present[ci],
                        per_code_seg[ci], per_code_fewer[ci], rated))
        code_rows.append(finish(row, ci, _continuum(whole, [code.pk])))
    def pooled_row(code: str, label: str, members: Sequence[int], index: int,
                   family: bool = False) -> dict:
        """The count tables of ``members`` (code indexes) added up: each code x unit pair
        is a unit."""
        row = {"code": code, "label": label, "depth": 0}
        chosen = set(members)
        row.update(_row(
            scope, [sum(per_code_hist[ci][k] for ci in members) for k in range(m + 1)],
            [sum(per_code_cov[ci][i] for ci in members) for i in range(m)], unit,
            len({ti for ci, ti in tables.cells if ci in chosen}),
            [sum(per_code_seg[ci][i] for ci in members) for i in range(m)],
            {r: [sum(per_code_fewer[ci][r][k] for ci in members) for k in range(r + 1)]
             for r in (per_code_fewer[0] if per_code_fewer else {})},
            [n * len(members) for n in rated]))
        # A family's |u-alpha is on its united row; pooling its codes' continua once more
        # would cost as much as every code's |u-alpha again.
        row = finish(row, index, FAMILY_UNITIZING_REASON if family or not pooled_u_alpha
                     else _continuum(whole, [scope.codes[ci].pk for ci in members],
                                     per_code=True))
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
    selected = {c.pk for c in scope.codes}
    united: dict[tuple[int, int], list[list[Interval]]] = {}
    for (code_pk, t_pk), cell in scope.spans.items():
        if code_pk not in selected:
            continue
        key = (_root(scope, scope.all_codes[code_pk]).pk, t_pk)
        target = united.setdefault(key, [[] for _ in scope.coders])
        for i, spans in enumerate(cell):
            target[i].extend(spans)
    united = {key: [merge_intervals(c) for c in cell] for key, cell in united.items()}
    result = agreement(store, scope=replace(scope, codes=list(roots), spans=united),
                       pooled_u_alpha=False, **options)
    return [{**row, "label": root.label} for root, row in zip(roots, result["codes"],
                                                              strict=True)]


def _by_transcript(scope: Scope, tables: Tables, unit: str) -> list[dict]:
    rows = []
    for (ci, ti), (hist, cov) in sorted(tables.cells.items()):
        code, t = scope.codes[ci], scope.transcripts[ti]
        row = {"code": code.code_id, "transcript": t.name}
        full, fewer = _split_hist(hist, scope.m)
        row.update(_row(scope, full, cov, unit, 1, tables.segments[ci, ti], fewer,
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


# --- the supervisor's report (Norwegian bokmål; statistical terms kept) -------------------

UNIT_NB = {"char": "tegn", "sentence": "setninger", "turn": "replikker",
           "document": "dokumenter (forekomst)", "segment": "segmenter"}
KIND_NB = {"boundaries differ": "ulike grenser"}
FLAGS_NB = {"undefined": "udefinert", "rare": "sjelden", "few-transcripts": "få transkr.",
            "uneven": "skjev bruk"}
REASONS_NB = (
    ("no units to compare", "ingen enheter å sammenligne"),
    ("no coder coded any of these units", "ingen av koderne har brukt koden på noen av "
     "enhetene, så ingenting varierer og enighet utover tilfeldighet kan ikke beregnes"),
    ("every coder coded every unit", "alle koderne har kodet alle enhetene med koden, så "
     "ingenting varierer og enighet utover tilfeldighet kan ikke beregnes"),
    ("no unit of one coder overlaps", "ingen av én koders segmenter overlapper en annen "
     "koders segmenter"),
    ("expected disagreement is 0", "ingenting varierer (forventet uenighet er 0)"),
    ("only one category", "bare én kategori forekommer"),
    ("undefined on every bootstrap resample", "koeffisienten var udefinert i alle "
     "bootstrap-trekningene"),
    ("fewer than two transcripts", "færre enn to transkripsjoner å trekke fra"),
    ("no bootstrap interval for |u-alpha", "intervall beregnes ikke for |u-alpha"),
    ("no confusion table for this unit", "ingen forvekslingstabell for denne enheten: en "
     "transkripsjon eller et segment kan ha flere av gruppens koder"),
    ("Scott's pi is defined for two coders", "Scotts pi gjelder to kodere; for flere er "
     "Fleiss' kappa (κ) generaliseringen av den"),
)
MEASURE_NB = {"alpha": "Krippendorffs alpha", "kappa": "kappa", "ac1": "Gwets AC1",
              "bp": "Brennan–Prediger", "pi": "Scotts pi",
              "percent": "prosentvis enighet", "ualpha": "|u-alpha"}
MEASURE_SYMBOL = {"alpha": "α", "kappa": "κ", "ac1": "AC1", "bp": "BP", "pi": "π",
                  "percent": "%", "ualpha": "|uα"}
# The per-code table's coefficient columns: (key, header).
COEFFICIENT_COLUMNS_NB = (("kappa", "κ"), ("pi", "π"), ("alpha", "α"), ("ac1", "AC1"),
                          ("bp", "BP"), ("u_alpha", "|uα"))
TABLE_WIDTH_CM = 26.0  # landscape A4 between the margins
# Highlight colours: one per coder (colour-blind-safe pairs first), all coders, several.
CODER_FILLS = ("BDD7EE", "F8CBAD", "D9D2E9", "B4E5E0", "F4D7E6", "E2D9C5")
ALL_FILL = "C6E0B4"
SOME_FILL = "FFE699"
ACCENT = "1F4E79"
GREY = "595959"
ELIDE_OVER = 700
ELIDE_KEEP = 260
PORTRAIT = (2.3, 2.2, 2.0)  # page margins in cm: sides, top, bottom
LANDSCAPE = (1.8, 1.8, 1.6)



def _docx_section(doc, landscape: bool):
    return add_section(doc, landscape, portrait_margins=PORTRAIT, landscape_margins=LANDSCAPE)

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


def write_agreement_report(store: Store, path: Path, **options: Any) -> dict:
    """Write the report as Word (.docx) or one self-contained HTML file (.html)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".html", ".htm"):
        raise QualcodeError(f"cannot write the agreement report as '{suffix or path.name}'",
                            hint="use a .docx or .html file name")
    check_output_path(path)  # before the statistics: a typo in the folder costs nothing
    data = report_data(store, **options)
    if suffix == ".docx":
        _write_docx(data, path)
    else:
        write_text(path, render_html(data))
    return {"path": str(path), "codes": len(data["codes"]),
            "transcripts": len(data["transcripts"]),
            "passages": sum(len(g["passages"]) for g in data["passages"]),
            "coders": data["coders"]}


# Text shared by both formats --------------------------------------------------------------

def _nb_num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "udefinert"
    text = f"{value:.{digits}f}".replace(".", ",")
    return text.replace("-", "\u2212")


def _nb_pct(value: float | None, digits: int = 1) -> str:
    return "udefinert" if value is None else _nb_num(value, digits)


def _nb_date(iso: str) -> str:
    return nb_date(date.fromisoformat(iso))


def _nb_list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def _kind_nb(kind: str) -> str:
    if kind.startswith("only "):
        return "bare " + _nb_list(kind[5:].split(", "))
    return KIND_NB.get(kind, kind)


def _interval_text(row: dict) -> str:
    iv = row.get("interval")
    if not iv:
        return "–"
    if iv["low"] is None:
        return "udefinert"
    digits = 1 if iv["measure"] == "percent" else 3
    return f"{_nb_num(iv['low'], digits)} til {_nb_num(iv['high'], digits)}"


def _band_text(row: dict) -> str:
    if not row.get("band"):
        return "–" if row.get("band_source") is None else "udefinert"
    return BANDS_NB.get(row["band"], row["band"])


def _unit_sentence(data: dict) -> str:
    unit = data["unit"]
    if unit == "char":
        return ("Enheten er tegn: hvert tegn i transkripsjonene er én enhet, og et tegn "
                "regnes som kodet av en koder når en av koderens kodinger med koden dekker "
                "det. Slik sammenligner NVivo koding.")
    if unit in ("sentence", "turn"):
        what = "setning" if unit == "sentence" else "replikk"
        share = data["min_share"] or 0
        rule = ("når koderens kodinger med koden berører den" if share == 0 else
                f"når koderens kodinger med koden dekker minst {_nb_num(100 * share, 0)} % "
                "av tegnene i den")
        return f"Enheten er {UNIT_NB[unit]}: hver {what} er én enhet, og regnes som kodet {rule}."
    if unit == "document":
        return ("Enheten er dokumenter: hver transkripsjon er én enhet, og regnes som kodet "
                "med en kode når koderen har brukt koden et sted i den (forekomst).")
    return ("Enheten er segmenter, som i MAXQDA: hvert segment en koder har kodet, er én "
            "enhet. En annen koder regnes som enig om segmentet når ett av hennes segmenter "
            f"med samme kode overlapper minst {_nb_num(100 * data['overlap'], 0)} % av det. "
            "Her finnes ingen enheter som ingen har kodet, så bare prosentvis enighet og "
            "|u-alpha kan beregnes.")


def header_facts_nb(data: dict) -> list[tuple[str, str]]:
    """(label, text) pairs for the report's header."""
    coders = data["coders"]
    n_t = len(data["transcripts"])
    left = data["transcripts_left_out"]
    missing = data.get("missing_ratings")
    everyone = "alle rundene" if data.get("stability") else "alle koderne"
    transcripts = f"{n_t} transkripsjoner, som {everyone} har kodet."
    if missing:
        transcripts = (
            f"{n_t} transkripsjoner, som minst to av koderne har kodet. "
            f"{len(missing['transcripts'])} av dem er bare kodet av noen av koderne; der "
            "mangler de andres vurderinger, og koeffisientene regnes i formene for "
            "manglende vurderinger (Gwet 2014): Fleiss' kappa i Gwets generalisering, "
            "Krippendorffs alpha, AC1, Brennan–Prediger og prosentvis enighet over "
            "vurderingene som finnes. |u-alpha, gruppene og uenighetene bygger bare på de "
            f"{len(missing['complete_transcripts'])} transkripsjonene alle har kodet.")
    if left and data.get("stability"):
        transcripts = (f"{n_t} transkripsjoner, som alle rundene har kodet. {len(left)} er "
                       "utelatt fordi utvalget som er kodet på nytt, ikke omfatter dem (se "
                       "vedlegget).")
    elif left:
        transcripts += (f" {len(left)} er utelatt fordi ikke alle koderne har kodet dem "
                        "(se vedlegget).")
        if missing:
            transcripts = transcripts.replace("fordi ikke alle koderne har kodet dem",
                                              "fordi færre enn to av koderne har kodet dem")
    codes = f"{len(data['codes'])} koder som er brukt av minst én av koderne"
    if data.get("code_selection"):
        codes += f", innenfor {_nb_list(data['code_selection'])}"
    kappa = "Cohens kappa" if len(coders) == 2 else "Fleiss' kappa"
    measure = data["measure"]
    boot = data["bootstrap"]
    interval = (f"95 % bootstrap-intervall for {MEASURE_NB[measure]}: "
                f"{nb_int(boot['resamples'])} trekninger av transkripsjoner med "
                f"tilbakelegging, frø (seed) {boot['seed']}."
                if boot["resamples"] and measure != "ualpha" else
                "Ingen bootstrap-intervall.")
    who = ("Kodere", f"{_nb_list(coders)}. Hver koders kodinger er sammenlignet med de "
                     "andres; forslag som ikke er godkjent, telles ikke.")
    if data.get("stability"):
        who = ("Koder og runder", stability_nb(data))
    return [
        who,
        ("Transkripsjoner", transcripts),
        ("Koder", codes + "."),
        ("Enhet", _unit_sentence(data)),
        ("Mål", f"prosentvis enighet, {kappa}, "
                + ("Scotts pi, " if len(coders) == 2 else "")
                + "Krippendorffs alpha (nominal), Gwets AC1, Brennan–Prediger og "
                "Krippendorffs |u-alpha i 2019-versjonen (Krippendorff 2019, avsnitt 12.6). "
                + UNITIZING_VARIANT_NB + " " + interval),
        ("Språk", "Rapporten er på norsk (bokmål). De statistiske fagbegrepene er beholdt "
                  "slik de brukes i metodelitteraturen."),
    ]


def report_title_nb(data: dict) -> str:
    """The report's title: agreement between coders, or one coder's stability."""
    if data.get("stability"):
        return f"Stabilitet: {data['stability']['coder']} mot seg selv"
    return "Samsvar mellom kodere"


def stability_nb(data: dict) -> str:
    """What a stability report compares, with the time between the rounds and why it is
    no inter-coder agreement (Krippendorff's three designs, see qualcode.services.stability)."""
    info = data["stability"]
    rounds = _nb_list([f"runde {r['round']} ({r['coder']})" for r in info["rounds"]])
    return (f"{info['coder']} har kodet et utvalg av transkripsjonene på nytt; her "
            f"sammenlignes {rounds}. Tid mellom rundene, regnet "
            "per transkripsjon fra siste koding i den ene runden til første koding i den "
            f"neste: {stability.between_text_nb(info)}. Dette er stabilitet (intrakoder-"
            "samsvar, test–retest), ikke samsvar mellom kodere: det viser at koderen koder "
            "likt med seg selv over tid, ikke at andre ville kodet likt, og er den svakeste "
            "av Krippendorffs tre former for reliabilitet (Content Analysis, 2. utg. 2004, "
            "kap. 11; 4. utg. 2019, kap. 12). "
            "Koeffisientene og grensene er de samme som for samsvar mellom kodere.")


UNITIZING_VARIANT_NB = (
    "2019-versjonen er valgt fordi den eldre αU fra 2004 (Content Analysis, 2. utg., "
    "avsnitt 12.4) oppfører seg feil med flere enn to kodere (Krippendorff, Mathet, "
    "Bouvry & Widlöcher 2016); for grupper av gjensidig utelukkende koder står αU etter "
    "2004-versjonen ved siden av, for sammenligning med studier som rapporterer den.")


GROUP_HEADERS_NB = ("Gruppe", "Koder", "u-α (2019)", "cu-α (2019)", "αU (2004)")
GROUP_NOTE_NB = (
    "u-alpha og cu-alpha etter Krippendorff (2019, avsnitt 12.6): u-alpha måler enighet om "
    "både tekstbiter og koder, cu-alpha om kodene der koderne har kodet samme tekst. αU "
    "(2004) er den eldre varianten fra Content Analysis, 2. utg., avsnitt 12.4, som mange "
    "publiserte studier og DKPro Agreement rapporterer; den gir andre tall for de samme "
    "dataene og oppfører seg feil med flere enn to kodere, så den står her bare for "
    "sammenligning.")
CONFUSION_NOTE_NB = (
    "Radene er den første koderens kode, kolonnene den andres; «ingen» er enheter uten "
    "noen av gruppens koder. Diagonalen (uthevet) er enighet; de andre cellene viser hvilke "
    "koder som forveksles med hvilke.")


def _confusion_labels_nb(confusion: dict) -> list[str]:
    return [c if c is not None else "ingen" for c in confusion["categories"]]


def _confusion_title_nb(data: dict, group: dict, confusion: dict) -> str:
    a, b = confusion["coders"]
    return (f"Forvekslingstabell for {group['group']}: {a} mot {b} "
            f"(antall {UNIT_NB[data['unit']]})")


AREAS_INTRO_NB = (
    "Analysen rapporteres per kodefamilie (kvalitetsområde), så samsvaret gis også der, på "
    "to måter. Samlet: familiens koder slått sammen til én kode, slik matrisen teller en "
    "familie – er koderne enige om hvor området er tema? Summert: tellingene for "
    "familiens koder lagt sammen – er koderne enige om kodene innenfor området? Begge med "
    "bootstrap-intervall for det valgte målet.")


def area_headers_nb(data: dict) -> tuple[str, ...]:
    symbol = MEASURE_SYMBOL[data["measure"]]
    return ("Familie", "Koder", f"Samlet {symbol}", "95 % KI", "Tolkning",
            f"Summert {symbol}", "95 % KI", "Tolkning")


def area_cells_nb(data: dict) -> list[list[str]]:
    key = MEASURE_KEY[data["measure"]]
    digits = 1 if data["measure"] == "percent" else 3
    out = []
    for area in data["areas"]:
        cells = [f"{area['area']} – {area['label']}", nb_int(len(area["codes"]))]
        for row in (area["united"], area["pooled"]):
            cells += [("–" if not_applicable(row, key) else _nb_num(row[key], digits)),
                      _interval_text(row), _band_text(row)]
        out.append(cells)
    return out


def conventions_nb(data: dict) -> list[str]:
    out = [
        "Overlappende eller tilstøtende kodinger med samme kode fra samme koder slås sammen "
        "før telling, så ingen tekst telles to ganger.",
        "Prevalens (dekning) er andelen av enhetene en koder har kodet med koden.",
        "Samlet rad: tellingene for alle kodene er lagt sammen, slik at hver kombinasjon av "
        "kode og enhet er én enhet.",
        "|u-alpha regnes på transkripsjonene lagt etter hverandre som ett langt kontinuum.",
        "Udefinerte koeffisienter skrives som «udefinert», aldri som et tall; grunnen står "
        "under tabellen.",
    ]
    if data["groups"]:
        out.append("For kodegrupper som kodeboken merker som gjensidig utelukkende, gis "
                   "u-alpha og cu-alpha med gruppens koder som kategorier.")
    return out


def how_to_read_nb(data: dict) -> list[tuple[str, str]]:
    unit = UNIT_NB[data["unit"]]
    kappa = ("Cohens kappa (to kodere)" if len(data["coders"]) == 2
             else "Fleiss' kappa (flere enn to kodere)")
    pi = ([("π", "Scotts pi (1955): som κ, men tilfeldig enighet regnes ut fra de to "
                 "kodernes samlede bruk av koden, ikke hver koders egen. Tolkning etter "
                 "Landis & Koch (1977).")] if len(data["coders"]) == 2 else [])
    return [
        ("Dekning", f"Hvor stor andel av enhetene ({unit}) hver koder har kodet med koden. "
                    "Les alle koeffisientene sammen med dekningen: for sjeldne koder blir "
                    "tallene ustabile."),
        ("Alle / noen / ingen", "Antall enheter som alle koderne, noen av dem eller ingen "
                                "av dem har kodet med koden."),
        ("Enighet %", "Andelen enheter der koderne er enige, enten om å kode eller om å "
                      "la være. Den blir høy for sjeldne koder fordi nesten all tekst er "
                      "ukodet hos alle, og sier derfor lite alene."),
        ("κ", f"{kappa}: enighet utover det som ventes ved tilfeldighet, gitt hvor mye hver "
              "koder koder. 1 er full enighet, 0 er det samme som tilfeldig, under 0 er "
              "dårligere enn tilfeldig. Tolkning etter Landis & Koch (1977): ubetydelig "
              "(slight) til 0,20, svak (fair) til 0,40, moderat (moderate) til 0,60, "
              "betydelig (substantial) til 0,80, nesten perfekt (almost perfect) over det."),
        *pi,
        ("α", "Krippendorffs alpha (nominal): det anbefalte reliabilitetsmålet. Ligner kappa, "
              "men beregner tilfeldig enighet ut fra kodernes samlede bruk og tåler flere "
              "kodere. Tolkning etter Krippendorff (2004): α ≥ 0,800 pålitelig (reliable), "
              "0,667–0,800 bare foreløpige konklusjoner (tentative), under 0,667 ikke "
              "pålitelig (unreliable)."),
        ("AC1", "Gwets AC1 er mindre følsom for lav prevalens. Når en kode er sjelden, kan "
                "κ og α bli lave selv om koderne er enige nesten overalt (kappa-paradokset); "
                "AC1 blir da høy. Stor avstand mellom AC1 og κ betyr at koden er sjelden, "
                "ikke nødvendigvis at koderne er enige."),
        ("BP", "Brennan–Prediger (1981) antar at tilfeldig enighet er 1/2 med to "
               "kategorier (kodet / ikke kodet), uansett hvor mye koderne koder. Står den "
               "høyt mens κ er lav, skyldes forskjellen lav prevalens (kappa-paradokset), "
               "ikke uenighet."),
        ("|uα", "Krippendorffs |u-alpha sammenligner tekstbitene selv: om koderne har kodet "
                "de samme strekningene av teksten, med hvor de begynner og slutter."),
        ("95 % KI", "Bootstrap-intervall: transkripsjonene trekkes på nytt med "
                    "tilbakelegging mange ganger. Et bredt intervall betyr at tallet "
                    "hviler på få transkripsjoner og kan endre seg mye med nye data."),
        ("Tolkning", "Båndet for det valgte målet, med kilde. Båndene er konvensjoner, ikke "
                     "naturlover: les dem sammen med intervallet og uenighetene nedenfor."),
        ("Merknader", "udefinert: en koeffisient kan ikke beregnes (grunnen står under "
                      "tabellen); sjelden: dekning under 5 %; få transkripsjoner: koden "
                      "finnes i færre enn 5; skjev bruk: én koder har kodet minst dobbelt så "
                      "mye med koden som en annen."),
    ]


def reason_nb(reason: str) -> str:
    """A reason for an undefined value in Norwegian (known reasons; else as given)."""
    if " applied " in reason and "exclude each other" in reason:
        coder, rest = reason.split(" applied ", 1)
        codes, rest = rest.split(", which exclude each other, to overlapping text in ", 1)
        where, chars = rest.split(" (characters ", 1)
        return (f"{coder} har brukt {codes.replace(' and ', ' og ')}, som utelukker "
                f"hverandre, på overlappende tekst i {where} (tegn {chars}")
    for english, norwegian in REASONS_NB:
        if english in reason:
            return norwegian
    return reason


def _undefined_notes(data: dict) -> list[str]:
    names = {"percent_agreement": "enighet", "kappa": "κ", "alpha": "α", "ac1": "AC1",
             "bp": "BP", "pi": "π", "u_alpha": "|uα", "interval": "intervall",
             "cu_alpha": "cu-alpha"}
    out = []
    for row in [*data["codes"], data["pooled"]]:
        reasons = {k: v for k, v in row["undefined"].items() if not not_applicable(row, k)}
        by_reason: dict[str, list[str]] = defaultdict(list)
        for key, reason in reasons.items():
            by_reason[reason].append(names.get(key, key))
        for reason, keys in by_reason.items():
            out.append(f"{row['code']}: {_nb_list(keys)} – {reason_nb(reason)}")
    return out


def _group_notes(data: dict) -> list[str]:
    out = []
    for group in data["groups"]:
        by_reason: dict[str, list[str]] = defaultdict(list)
        for key, reason in group["undefined"].items():
            by_reason[reason].append(key.replace("_", "-"))
        for reason, keys in by_reason.items():
            out.append(f"{group['group']}: {_nb_list(keys)} – {reason_nb(reason)}")
    return out


def _elided(pieces: list[dict], m: int) -> list[tuple[str, list[str] | None]]:
    """Pieces with long stretches coded by every coder shortened in the middle; an elision
    has ``None`` for coders."""
    out: list[tuple[str, list[str] | None]] = []
    for piece in pieces:
        text = piece["text"]
        if len(piece["coders"]) == m and len(text) > ELIDE_OVER:
            hidden = len(text) - 2 * ELIDE_KEEP
            out.append((text[:ELIDE_KEEP], piece["coders"]))
            out.append((f" […\u00a0{nb_int(hidden)} tegn kodet av alle\u00a0…] ", None))
            out.append((text[-ELIDE_KEEP:], piece["coders"]))
        else:
            out.append((text, piece["coders"]))
    return out


def _fill_for(coders: list[str], who: list[str] | None) -> str | None:
    if not who:
        return None
    if len(who) == len(coders):
        return ALL_FILL
    if len(who) == 1:
        return CODER_FILLS[coders.index(who[0]) % len(CODER_FILLS)]
    return SOME_FILL


def _legend(coders: list[str]) -> list[tuple[str, str]]:
    items = [(CODER_FILLS[i % len(CODER_FILLS)], f"bare {c}") for i, c in enumerate(coders)]
    if len(coders) > 2:
        items.append((SOME_FILL, "flere, men ikke alle"))
    items.append((ALL_FILL, "alle" if len(coders) > 2 else "begge"))
    return items


def _coverage_text(row: dict, coder: str, unit: str) -> str:
    if unit == "segment":
        return nb_int(row["coded"][coder])
    value = row["prevalence"][coder]
    return "–" if value is None else _nb_num(100 * value, 1)


def _counts_text(row: dict) -> str:
    return " / ".join(nb_int(row[k]) for k in ("coded_by_all", "coded_by_some",
                                                 "coded_by_none"))


def _coefficient_columns(data: dict) -> list[tuple[str, str]]:
    """Scott's pi only for two coders: for more, the κ column is its generalisation."""
    return [(key, header) for key, header in COEFFICIENT_COLUMNS_NB
            if key != "pi" or len(data["coders"]) == 2]


def table_columns(data: dict) -> list[tuple[str, float]]:
    """(header, width in cm) of the per-code table (landscape A4); the code column gets
    what the others leave of the page width."""
    coders = data["coders"]
    # No-break spaces keep a unit with its word: a header wraps before a name, not at "%".
    cover = "Segm." if data["unit"] == "segment" else "Dekn.\u00a0%"
    cols = []
    if len(coders) <= 3:
        cols += [(f"{cover} {c}", 1.4) for c in coders]
    else:
        cols += [(f"{cover} " + " / ".join(coders), 3.2)]
    boot = data["bootstrap"]["resamples"] and data["measure"] != "ualpha"
    cols += [("Alle / noen / ingen", 3.0), ("Enighet\u00a0%", 1.4)]
    # Wide enough for "−0,003" on one line.
    cols += [(header, 1.3) for _, header in _coefficient_columns(data)]
    if boot:
        # "−0,008 til −0,002"
        cols.append((f"95\u00a0%\u00a0KI ({MEASURE_SYMBOL[data['measure']]})", 2.8))
    cols += [("Tolkning", 2.0), ("Merknader", 2.3)]
    code = max(3.0, TABLE_WIDTH_CM - sum(width for _, width in cols))
    return [("Kode", round(code, 2)), *cols]


TABLE_TEXT_PT = (8.5, 8.0, 7.5)  # the table's text size: the style's, or smaller to fit


def fitted_widths(data: dict, columns: list[tuple[str, float]]
                  ) -> tuple[float, list[float]]:
    """The text size (pt) and column widths (cm) of the per-code table, sized to what it
    prints: no number, range or code id wraps, nor a header if the page has room; the two
    text columns (reading and notes) wrap between words when it has not, and the code
    column gets the rest, so its labels wrap least. Where even that is too wide for the
    page, the text is set a little smaller. ``columns`` gives the headers."""
    for size in TABLE_TEXT_PT:
        widths = _widths_at(data, columns, size)
        if sum(widths) <= TABLE_WIDTH_CM + 0.01:
            break
    return size, widths


def _widths_at(data: dict, columns: list[tuple[str, float]], size: float) -> list[float]:
    from qualcode.services.word import CELL_PADDING_CM, longest_word_cm, text_width_cm

    rows = [*data["codes"], data["pooled"]]
    cells = [table_cells(data, row) for row in rows]
    pooled = len(rows) - 1  # printed in bold

    def width(text: str, bold: bool) -> float:
        return text_width_cm(text, size, bold=bold) + CELL_PADDING_CM

    def word(text: str, bold: bool) -> float:
        return longest_word_cm(text, size, bold=bold) + CELL_PADDING_CM

    n = len(columns) - 1  # after the code column
    wrapping = {n - 2, n - 1}  # Tolkning, Merknader
    body = [max(width(c[j], r == pooled) for r, c in enumerate(cells)) for j in range(n)]
    heads = [h for h, _ in columns[1:]]
    need = [max(b, width(h, True)) for b, h in zip(body, heads, strict=True)]
    # Too wide for the page: first the headers wrap (one row, once), then the text
    # columns (every row they wrap in grows).
    headers_wrapped = [max(b, word(h, True)) for b, h in zip(body, heads, strict=True)]
    text_wrapped = [max([word(heads[j], True)] + [word(c[j], r == pooled)
                                                  for r, c in enumerate(cells)])
                    if j in wrapping else headers_wrapped[j] for j in range(n)]
    code = max([width(r["code"], True) for r in data["codes"]]
               + [width("Samlet (pooled)", True), 3.0])
    widths = list(need)
    for least in (headers_wrapped, text_wrapped):
        over = code + sum(widths) - TABLE_WIDTH_CM
        for j in reversed(range(n)):  # notes wrap before readings: fewer rows have two
            give = max(0.0, min(over, widths[j] - least[j]))
            widths[j] -= give
            over -= give
    code = max(code, TABLE_WIDTH_CM - sum(widths))
    return [round(code, 2), *(round(w, 2) for w in widths)]


def table_cells(data: dict, row: dict) -> list[str]:
    coders = data["coders"]
    cells = []
    if len(coders) <= 3:
        cells += [_coverage_text(row, c, data["unit"]) for c in coders]
    else:
        cells.append(" / ".join(_coverage_text(row, c, data["unit"]) for c in coders))
    cells.append(_counts_text(row))
    cells.append(_nb_pct(row["percent_agreement"]))
    for key, _ in _coefficient_columns(data):
        value = row[key]
        if not_applicable(row, key):
            cells.append("–")
        else:
            cells.append(_nb_num(value, 3))
    if data["bootstrap"]["resamples"] and data["measure"] != "ualpha":
        cells.append(_interval_text(row))
    cells.append(_band_text(row))
    shared = set(shared_flags(data))
    cells.append(", ".join(FLAGS_NB[f] for f in row["flags"] if f not in shared))
    return cells


def shared_flags(data: dict) -> list[str]:
    """Notes every code in the table has (all rare, say): said once above the table
    instead of on every row, where they would hide the notes that single a code out."""
    codes = data["codes"]
    if len(codes) < 2:
        return []
    common = set.intersection(*(set(r["flags"]) for r in codes))
    return [f for f in FLAGS_NB if f in common and f != "undefined"]


def shared_flags_nb(data: dict) -> str | None:
    shared = shared_flags(data)
    if not shared:
        return None
    notes = _nb_list([f"«{FLAGS_NB[f]}»" for f in shared])
    if len(shared) == 1:
        return f"Alle kodene i tabellen har merknaden {notes}; den står her, ikke på hver rad."
    return f"Alle kodene i tabellen har merknadene {notes}; de står her, ikke på hver rad."


def _band_source_text(data: dict) -> str:
    _, source = band_for(data["measure"], 0.5)
    if source is None:
        return "Prosentvis enighet har ingen tolkningsbånd."
    return f"Tolkning: {MEASURE_NB[data['measure']]} etter {source}."


# Word --------------------------------------------------------------------------------------

def _shade(element_pr, fill: str) -> None:
    element_pr.append(oxml("w:shd", val="clear", color="auto", fill=fill))


def _docx_document(title: str):
    from docx.shared import Cm, Pt

    doc, styles, normal = base_document(ACCENT, {"Title": 24, "Heading 1": 16,
                                                 "Heading 2": 12.5, "Heading 3": 11})
    styles["Heading 1"].paragraph_format.space_before = Pt(18)
    styles["Heading 1"].paragraph_format.space_after = Pt(8)
    styles["Heading 2"].paragraph_format.space_before = Pt(14)
    styles["Heading 2"].paragraph_format.space_after = Pt(4)

    def paragraph_style(name: str, size: float, **kw):
        return add_paragraph_style(styles, normal, name, size, **kw)

    paragraph_style("Tabelltekst", 8.5)
    paragraph_style("Passasjetekst", 9.5, after=2).paragraph_format.line_spacing = 1.1
    paragraph_style("Tabellnote", 8, italic=True, color=GREY, before=3, after=8)
    paragraph_style("Undertittel", 11.5, color=GREY, after=14)
    paragraph_style("Topptekst", 8, color=GREY)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    header = section.header.paragraphs[0]
    header.text = title
    header.style = styles["Topptekst"]
    footer = section.footer.paragraphs[0]
    footer.alignment = 1
    footer.style = styles["Topptekst"]
    page_number_field(footer)
    doc.core_properties.title = title
    return doc


def _cell_text(cell, text: str, *, bold: bool = False, italic: bool = False,
               align: str | None = None, color: str | None = None, style: str = "Tabelltekst"):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    para = cell.paragraphs[0]
    para._p.style = style
    if align == "right":
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = para.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return para


def _header_row(row, fill: str = "DCE6F0") -> None:
    row._tr.get_or_add_trPr().append(oxml("w:tblHeader", val="true"))
    row._tr.get_or_add_trPr().append(oxml("w:cantSplit", val="true"))
    for cell in row.cells:
        _shade(cell._tc.get_or_add_tcPr(), fill)


def _write_docx(data: dict, path: Path) -> None:
    from docx.shared import Pt, RGBColor

    coders = data["coders"]
    title = report_title_nb(data)
    doc = _docx_document(f"{title} – {_nb_list(coders)}")
    if data.get("identifiable"):
        from qualcode.leakcheck import IDENTIFIABLE_MARK
        from qualcode.services.pseudonyms import IDENTIFIABLE_NOTICE

        doc.add_paragraph(IDENTIFIABLE_NOTICE).runs[0].bold = True
        doc.core_properties.comments = IDENTIFIABLE_MARK
    doc.add_paragraph(title, style="Title")
    sub = [f"{_nb_list(coders)} · {UNIT_NB[data['unit']]} som enhet"]
    if data.get("codebook"):
        sub.append(data["codebook"])
    sub.append(f"{_nb_date(data['date'])} · qualcode {data['version']}")
    doc.add_paragraph(" · ".join(sub), style="Undertittel")
    first = doc.add_heading("Hva er sammenlignet", level=1)
    # The title and the contents make the first page; the chapters start on the next.
    first.paragraph_format.page_break_before = True
    for label, text in header_facts_nb(data):
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(f"{label}: ").bold = True
        para.add_run(text)
    doc.add_heading("Konvensjoner", level=2)
    for text in conventions_nb(data):
        doc.add_paragraph(text, style="List Bullet")
    pooled = data["pooled"]
    doc.add_heading("Kort oppsummert", level=2)
    doc.add_paragraph(_summary_nb(data, pooled))
    doc.add_paragraph(
        "Tabellen på neste side gir tallene per kode. Avsnittet «Slik leser du tabellen» "
        "forklarer kolonnene, og «Uenigheter til diskusjon» viser hver passasje der "
        "koderne har kodet ulikt, slik at veileder og studenter kan gå gjennom dem sammen.")

    _docx_section(doc, landscape=True)
    doc.add_heading("Samsvar per kode", level=1)
    if shared_flags_nb(data):
        doc.add_paragraph(shared_flags_nb(data))
    columns = table_columns(data)
    size, widths = fitted_widths(data, columns)
    rows = [*data["codes"], pooled]
    table = clean_table(doc, len(rows) + 1, widths)
    _header_row(table.rows[0])
    for i, (cell, (header, _)) in enumerate(zip(table.rows[0].cells, columns, strict=True)):
        _cell_text(cell, header, bold=True,
                   align="right" if 0 < i < len(columns) - 2 else None)
    for r, row in enumerate(rows, start=1):
        cells = table.rows[r].cells
        table.rows[r]._tr.get_or_add_trPr().append(oxml("w:cantSplit", val="true"))
        is_pooled = row is pooled
        para = _cell_text(cells[0], row["code"] if not is_pooled else "Samlet (pooled)",
                          bold=True)
        label = row["label"] if not is_pooled else f"alle {len(data['codes'])} kodene"
        run = para.add_run(f"\n{label}")
        run.font.size = Pt(7.5)
        run.font.color.rgb = RGBColor.from_string(GREY)
        texts = table_cells(data, row)
        for i, (cell, text) in enumerate(zip(cells[1:], texts, strict=True)):
            _cell_text(cell, text, bold=is_pooled and text != "",
                       align="right" if i < len(texts) - 2 else None)
        if is_pooled:
            for cell in cells:
                _shade(cell._tc.get_or_add_tcPr(), "F2F2F2")
    if size != TABLE_TEXT_PT[0]:  # set smaller so that every number fits on its line
        for row in table.rows:
            for cell in row.cells:
                for run in (r for p in cell.paragraphs for r in p.runs):
                    run.font.size = Pt(round((run.font.size.pt if run.font.size else
                                              TABLE_TEXT_PT[0]) * size / TABLE_TEXT_PT[0], 1))
    note = doc.add_paragraph(style="Tabellnote")
    note.add_run(_band_source_text(data) + " Dekning i prosent av enhetene; "
                 "«Alle / noen / ingen» er antall enheter.")
    undefined = _undefined_notes(data)
    if undefined:
        doc.add_paragraph("Udefinerte verdier", style="Heading 3")
        for text in undefined:
            doc.add_paragraph(text, style="Tabellnote")
    if data.get("areas"):
        doc.add_heading("Samsvar per kodefamilie", level=2)
        doc.add_paragraph(AREAS_INTRO_NB, style="Tabellnote")
        headers = area_headers_nb(data)
        atable = clean_table(doc, len(data["areas"]) + 1, [6.6, 1.4, 2.0, 3.6, 2.6, 2.0,
                                                            3.6, 2.6])
        _header_row(atable.rows[0])
        numbers = {1, 2, 3, 5, 6}  # the family and the bands read from the left
        for c, (cell, text) in enumerate(zip(atable.rows[0].cells, headers, strict=True)):
            _cell_text(cell, text, bold=True, align="right" if c in numbers else None)
        for r, cells_text in enumerate(area_cells_nb(data), start=1):
            for c, (cell, text) in enumerate(zip(atable.rows[r].cells, cells_text,
                                                 strict=True)):
                _cell_text(cell, text, align="right" if c in numbers else None,
                           italic=text == "udefinert")
    if data["groups"]:
        doc.add_heading("Grupper av gjensidig utelukkende koder", level=2)
        gtable = clean_table(doc, len(data["groups"]) + 1, [6.0, 8.9, 2.4, 2.4, 2.4])
        _header_row(gtable.rows[0])
        for cell, text in zip(gtable.rows[0].cells, GROUP_HEADERS_NB, strict=True):
            _cell_text(cell, text, bold=True, align="right" if "α" in text else None)
        for r, group in enumerate(data["groups"], start=1):
            cells = gtable.rows[r].cells
            _cell_text(cells[0], f"{group['group']} – {group['label']}")
            _cell_text(cells[1], ", ".join(group["codes"]))
            for cell, key in zip(cells[2:], ("u_alpha", "cu_alpha", "u_alpha_2004"),
                                 strict=True):
                _cell_text(cell, _nb_num(group[key], 3), align="right")
        note = doc.add_paragraph(style="Tabellnote")
        note.add_run(GROUP_NOTE_NB)
        for text in _group_notes(data):
            doc.add_paragraph(text, style="Tabellnote")
        for group in data["groups"]:
            for confusion in group["confusion"]:
                doc.add_paragraph(_confusion_title_nb(data, group, confusion),
                                  style="Heading 3")
                labels = _confusion_labels_nb(confusion)
                n = len(labels)
                ctable = clean_table(doc, n + 1, [4.0] + [min(2.6, 18.0 / n)] * n)
                _header_row(ctable.rows[0])
                a, b = confusion["coders"]
                _cell_text(ctable.rows[0].cells[0], f"{a} ↓  {b} →", bold=True)
                for cell, label in zip(ctable.rows[0].cells[1:], labels, strict=True):
                    _cell_text(cell, label, bold=True, align="right")
                for r, (label, counts) in enumerate(zip(labels, confusion["counts"],
                                                        strict=True), start=1):
                    cells = ctable.rows[r].cells
                    _cell_text(cells[0], label, bold=True)
                    for c, count in enumerate(counts):
                        _cell_text(cells[c + 1], nb_int(count), bold=c + 1 == r,
                                   align="right")
                note = doc.add_paragraph(style="Tabellnote")
                note.add_run(CONFUSION_NOTE_NB)

    _docx_section(doc, landscape=False)
    doc.add_heading("Slik leser du tabellen", level=1)
    for term, text in how_to_read_nb(data):
        para = doc.add_paragraph()
        para.add_run(f"{term}. ").bold = True
        para.add_run(text)

    doc.add_heading("Uenigheter til diskusjon", level=1)
    total = sum(g["total"] for g in data["passages"])
    doc.add_paragraph(_passages_intro_nb(data, total))
    legend = doc.add_paragraph()
    legend.add_run("Fargene: ").bold = True
    for i, (fill, text) in enumerate(_legend(coders)):
        if i:
            legend.add_run("   ")
        run = legend.add_run(f" {text} ")
        _shade(run._r.get_or_add_rPr(), fill)
    for group in data["passages"]:
        doc.add_heading(f"{group['code']} – {group['label']}", level=2)
        count = doc.add_paragraph(style="Tabellnote")
        shown = len(group["passages"])
        count.add_run(f"{group['total']} passasje{'r' if group['total'] != 1 else ''}"
                      + (f", de {shown} første vises" if shown < group["total"] else ""))
        for passage in group["passages"]:
            _docx_passage(doc, data, group["code"], passage)
    if data["transcripts_left_out"] or data["notes"]:
        doc.add_heading("Vedlegg: utelatte transkripsjoner og merknader", level=1)
        for item in data["transcripts_left_out"]:
            doc.add_paragraph(f"{item['transcript']}: {_left_out_nb(item)}",
                              style="List Bullet")
        for note_text in data["notes"]:
            doc.add_paragraph(note_text, style="List Bullet")
    heading = doc.add_heading("Vedlegg: innstillinger", level=1)
    settings = [doc.add_paragraph(text, style="List Bullet") for text in _settings_nb(data)]
    for paragraph in [heading, *settings[:-1]]:  # a short list: never split over two pages
        paragraph.paragraph_format.keep_with_next = True
    # 45 lines fit on the first page beside the title; a study with more codes in
    # disagreement gets its chapters listed alone.
    table_of_contents(doc, first, "Innhold", ACCENT, max_entries=45)
    update_fields_on_open(doc)
    save_document(doc, path)


def _left_out_nb(item: dict) -> str:
    if len(item["missing"]) and item["reason"].startswith("coded by none"):
        return "ikke kodet av noen av koderne"
    return f"ikke kodet av {_nb_list(item['missing'])}"


def _summary_nb(data: dict, pooled: dict) -> str:
    measure = data["measure"]
    key = MEASURE_KEY[measure]
    value = pooled[key]
    n_codes = len(data["codes"])
    text = (f"Samlet over alle {n_codes} kodene er {MEASURE_NB[measure]} "
            f"{_nb_num(value, 3 if measure != 'percent' else 1)}")
    iv = pooled.get("interval")
    if iv and iv["low"] is not None:
        text += f" (95 % KI {_interval_text(pooled)})"
    if pooled.get("band"):
        text += f", som etter {pooled['band_source']} er «{BANDS_NB[pooled['band']]}»"
    text += "."
    if measure != "percent" and data["codes"]:
        band_key = "alpha" if measure in ("alpha", "ualpha") else key
        reliable = [r for r in data["codes"] if r.get(band_key) is not None
                    and r[band_key] >= (0.8 if measure in ("alpha", "ualpha") else 0.61)]
        undefined = [r for r in data["codes"] if r.get(key) is None]
        limit = "0,800" if measure in ("alpha", "ualpha") else "0,61"
        text += (f" {len(reliable)} av {n_codes} koder har {MEASURE_SYMBOL[measure]} på "
                 f"minst {limit}")
        text += (f"; for {len(undefined)} er verdien udefinert." if undefined else ".")
    flagged = [r for r in data["codes"] if "rare" in r["flags"]]
    if flagged:
        text += (f" {len(flagged)} av kodene dekker under 5 % av enhetene. For dem blir "
                 "prosentvis enighet og AC1 nesten alltid høye, fordi det meste av teksten er "
                 "ukodet hos alle; κ og α måler enigheten om det som faktisk er kodet, og er "
                 "tallene å se på, sammen med listen over uenigheter.")
    return text


def _passages_intro_nb(data: dict, total: int) -> str:
    coders = data["coders"]
    return (f"{total} passasje{'r' if total != 1 else ''} der {_nb_list(coders)} har kodet "
            "ulikt, gruppert etter kode og i rekkefølge i transkripsjonene. En passasje er "
            "en sammenhengende tekstbit der minst én koder har brukt koden og koderne ikke "
            "har kodet nøyaktig de samme tegnene. Teksten er farget etter hvem som har kodet "
            "den med koden; lange strekninger som alle har kodet, er forkortet. Under teksten "
            "står alle kodene hver koder har satt på passasjen, med koden det gjelder i fet "
            "skrift. Listen gjelder tegn, uansett hvilken enhet tabellen bruker.")


def _settings_nb(data: dict) -> list[str]:
    boot = data["bootstrap"]
    out = [f"Enhet: {data['unit']}",
           f"Mål for intervall, tolkning og --fail-under: {data['measure']}",
           f"Bootstrap: {boot['resamples']} trekninger, frø (seed) {boot['seed']}, "
           f"konfidensnivå {_nb_num(100 * boot['confidence'], 0)} %, trekker "
           "transkripsjoner"]
    if data["overlap"] is not None:
        out.append(f"Overlapp for segmenter: {_nb_num(data['overlap'], 2)}")
    if data["min_share"] is not None:
        out.append(f"Minste dekning av en enhet: {_nb_num(data['min_share'], 2)}")
    names = data["transcripts"]
    listed = ", ".join(names[:40])
    if len(names) > 40:
        listed += f" og {len(names) - 40} til (alle står i --format json)"
    out.append(f"Transkripsjoner ({len(names)}): {listed}")
    if data.get("max_passages"):
        out.append(f"Høyst {data['max_passages']} passasjer per kode i listen")
    return out


def _docx_passage(doc, data: dict, code: str, passage: dict) -> None:
    from docx.shared import Pt, RGBColor

    coders = data["coders"]
    m = len(coders)
    width = 16.4
    table = clean_table(doc, 3, [width / m] * m)
    head = table.rows[0].cells[0].merge(table.rows[0].cells[-1]) if m > 1 else \
        table.rows[0].cells[0]
    _header_row(table.rows[0], "EDF2F8")
    where = passage["transcript"]
    if passage["turns"]:
        where += f", replikk {passage['turns']}"
    para = _cell_text(head, where, bold=True)
    run = para.add_run(f"   {_kind_nb(passage['kind'])} · {nb_int(passage['differing_chars'])} "
                       f"tegn ulikt · tegn {passage['start']}–{passage['end']}")
    run.font.color.rgb = RGBColor.from_string(GREY)
    body = table.rows[1].cells[0].merge(table.rows[1].cells[-1]) if m > 1 else \
        table.rows[1].cells[0]
    para = body.paragraphs[0]
    para._p.style = "Passasjetekst"
    for text, who in _elided(passage["pieces"], m):
        run = para.add_run(text)
        if who is None:
            run.italic = True
            run.font.color.rgb = RGBColor.from_string(GREY)
            continue
        fill = _fill_for(coders, who)
        if fill:
            _shade(run._r.get_or_add_rPr(), fill)
    for cell, coder in zip(table.rows[2].cells, coders, strict=True):
        fill = CODER_FILLS[coders.index(coder) % len(CODER_FILLS)]
        para = _cell_text(cell, f" {coder} ", bold=True)
        _shade(para.runs[0]._r.get_or_add_rPr(), fill)
        applied = passage["codes_by_coder"][coder]
        if not applied:
            run = para.add_run("  ingen koder her")
            run.italic = True
            run.font.color.rgb = RGBColor.from_string(GREY)
        for i, code_id in enumerate(applied):
            run = para.add_run(("  " if i == 0 else ", ") + code_id)
            run.bold = code_id == code or None
    table.rows[2]._tr.get_or_add_trPr().append(oxml("w:cantSplit", val="true"))
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(4)


# HTML --------------------------------------------------------------------------------------

HTML_CSS = """
:root { --accent: #1f4e79; --grey: #595959; --rule: #404040; --line: #d0d0d0; }
* { box-sizing: border-box; }
body { font-family: Calibri, Carlito, "Segoe UI", "Helvetica Neue", Arial, sans-serif;
       font-size: 15px; line-height: 1.5; color: #1a1a1a; margin: 0; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 32px 28px 64px; }
h1.title { font-weight: 300; font-size: 34px; color: var(--accent); margin: 0 0 4px; }
.subtitle { color: var(--grey); margin: 0 0 28px; }
h2 { color: var(--accent); font-size: 22px; margin: 36px 0 10px;
     border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { color: var(--accent); font-size: 17px; margin: 26px 0 6px; }
h4 { font-size: 14px; margin: 16px 0 4px; }
dl.facts { display: grid; grid-template-columns: 150px 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { font-weight: 700; }
dl.facts dd { margin: 0; }
ul { padding-left: 22px; }
.note { color: var(--grey); font-size: 13px; font-style: italic; }
.wide { overflow-x: auto; }
table.codes { border-collapse: collapse; width: 100%; font-size: 13px;
              font-variant-numeric: tabular-nums; }
table.codes th, table.codes td { padding: 5px 7px; border-bottom: 1px solid var(--line);
                                 vertical-align: top; }
table.codes thead th { background: #dce6f0; border-top: 2px solid var(--rule);
                       border-bottom: 1px solid var(--rule); position: sticky; top: 0;
                       text-align: right; }
table.codes thead th:first-child, table.codes td:first-child,
table.codes td.flags, table.codes th.flags, table.codes td.band,
table.codes th.band { text-align: left; }
table.codes td, table.codes th { text-align: right; white-space: nowrap; }
table.codes td:first-child, table.codes th.flags, table.codes th.band { white-space: normal; }
table.codes td.flags { white-space: normal; color: var(--grey); }
table.codes tr.pooled td { background: #f2f2f2; font-weight: 700;
                           border-bottom: 2px solid var(--rule); }
table.codes .label { display: block; color: var(--grey); font-size: 11.5px; font-weight: 400; }
table.codes .undef { color: #a33; font-style: italic; }
.code-id { font-weight: 700; white-space: nowrap; }
dl.read dt { font-weight: 700; margin-top: 8px; }
dl.read dd { margin: 0 0 0 0; }
.legend span { padding: 1px 6px; margin-right: 10px; border-radius: 2px; }
.passage { border-top: 2px solid var(--rule); border-bottom: 1px solid var(--line);
           margin: 14px 0 18px; page-break-inside: avoid; }
.passage .where { background: #edf2f8; padding: 5px 8px; font-weight: 700; }
.passage .where span { font-weight: 400; color: var(--grey); margin-left: 12px; }
.passage .text { padding: 8px 8px 6px; white-space: pre-wrap; line-height: 1.6; }
.passage .elided { color: var(--grey); font-style: italic; }
.passage .who { display: grid; gap: 12px; padding: 6px 8px 8px;
                border-top: 1px solid var(--line); font-size: 13.5px; }
.passage .who b.name { padding: 0 5px; border-radius: 2px; margin-right: 6px; }
.passage .who .none { color: var(--grey); font-style: italic; }
.passage .who .this { font-weight: 700; text-decoration: underline; }
@media print { main { max-width: none; padding: 0; } table.codes thead th { position: static; }
               h2 { page-break-after: avoid; } }
"""


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def render_html(data: dict) -> str:
    """The report as one self-contained HTML page (inline CSS, no external assets)."""
    from qualcode.services.pseudonyms import IDENTIFIABLE_NOTICE

    coders = data["coders"]
    fills = {c: CODER_FILLS[i % len(CODER_FILLS)] for i, c in enumerate(coders)}
    title = report_title_nb(data)
    sub = [f"{_nb_list(coders)} · {UNIT_NB[data['unit']]} som enhet"]
    if data.get("codebook"):
        sub.append(data["codebook"])
    sub.append(f"{_nb_date(data['date'])} · qualcode {data['version']}")
    out = ["<!DOCTYPE html>", '<html lang="nb">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_h(title)} – {_h(_nb_list(coders))}</title>",
           f"<style>{HTML_CSS}</style>", "</head>", "<body>", "<main>",
           *([f"<p><strong>{_h(IDENTIFIABLE_NOTICE)}</strong></p>"]
             if data.get("identifiable") else []),
           f'<h1 class="title">{_h(title)}</h1>',
           f'<p class="subtitle">{_h(" · ".join(sub))}</p>',
           "<h2>Hva er sammenlignet</h2>", '<dl class="facts">']
    for label, text in header_facts_nb(data):
        out.append(f"<dt>{_h(label)}</dt><dd>{_h(text)}</dd>")
    out.append("</dl>")
    out.append("<h3>Konvensjoner</h3><ul>")
    out += [f"<li>{_h(text)}</li>" for text in conventions_nb(data)]
    out.append("</ul>")
    out.append("<h3>Kort oppsummert</h3>")
    out.append(f"<p>{_h(_summary_nb(data, data['pooled']))}</p>")

    out.append("<h2>Samsvar per kode</h2>")
    if shared_flags_nb(data):
        out.append(f"<p>{_h(shared_flags_nb(data))}</p>")
    columns = table_columns(data)
    out.append('<div class="wide"><table class="codes"><thead><tr>')
    for i, (header, _) in enumerate(columns):
        cls = {len(columns) - 1: ' class="flags"', len(columns) - 2: ' class="band"'
               }.get(i, "")
        out.append(f"<th{cls}>{_h(header)}</th>")
    out.append("</tr></thead><tbody>")
    for row in [*data["codes"], data["pooled"]]:
        pooled = row is data["pooled"]
        name = "Samlet (pooled)" if pooled else row["code"]
        label = f"alle {len(data['codes'])} kodene" if pooled else row["label"]
        out.append('<tr class="pooled">' if pooled else "<tr>")
        out.append(f'<td><span class="code-id">{_h(name)}</span>'
                   f'<span class="label">{_h(label)}</span></td>')
        cells = table_cells(data, row)
        for i, text in enumerate(cells):
            cls = {len(cells) - 1: ' class="flags"', len(cells) - 2: ' class="band"'
                   }.get(i, "")
            body = (f'<span class="undef">{_h(text)}</span>' if text == "udefinert"
                    else _h(text))
            out.append(f"<td{cls}>{body}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    out.append(f'<p class="note">{_h(_band_source_text(data))} Dekning i prosent av '
               "enhetene; «Alle / noen / ingen» er antall enheter.</p>")
    undefined = _undefined_notes(data)
    if undefined:
        out.append("<h4>Udefinerte verdier</h4><ul class=\"note\">")
        out += [f"<li>{_h(t)}</li>" for t in undefined]
        out.append("</ul>")
    if data.get("areas"):
        out.append("<h3>Samsvar per kodefamilie</h3>")
        out.append(f'<p class="note">{_h(AREAS_INTRO_NB)}</p>')
        out.append('<table class="codes"><thead><tr>' + "".join(
            f"<th>{_h(h)}</th>" for h in area_headers_nb(data)) + "</tr></thead><tbody>")
        for cells in area_cells_nb(data):
            out.append("<tr>" + "".join(f"<td>{_h(c)}</td>" for c in cells) + "</tr>")
        out.append("</tbody></table>")
    if data["groups"]:
        out.append("<h3>Grupper av gjensidig utelukkende koder</h3>")
        out.append('<table class="codes"><thead><tr><th>Gruppe</th><th class="flags">Koder'
                   "</th>" + "".join(f"<th>{_h(h)}</th>" for h in GROUP_HEADERS_NB[2:])
                   + "</tr></thead><tbody>")
        for g in data["groups"]:
            out.append(f"<tr><td>{_h(g['group'])} – {_h(g['label'])}</td>"
                       f'<td class="flags">{_h(", ".join(g["codes"]))}</td>'
                       + "".join(f"<td>{_h(_nb_num(g[k], 3))}</td>"
                                 for k in ("u_alpha", "cu_alpha", "u_alpha_2004"))
                       + "</tr>")
        out.append("</tbody></table>")
        out.append(f'<p class="note">{_h(GROUP_NOTE_NB)}</p>')
        notes = _group_notes(data)
        if notes:
            out.append('<ul class="note">' + "".join(f"<li>{_h(n)}</li>" for n in notes)
                       + "</ul>")
        for g in data["groups"]:
            for confusion in g["confusion"]:
                labels = _confusion_labels_nb(confusion)
                a, b = confusion["coders"]
                out.append(f"<h4>{_h(_confusion_title_nb(data, g, confusion))}</h4>")
                out.append('<table class="codes"><thead><tr>'
                           f"<th>{_h(a)} ↓ {_h(b)} →</th>"
                           + "".join(f"<th>{_h(label)}</th>" for label in labels)
                           + "</tr></thead><tbody>")
                for r, (label, counts) in enumerate(zip(labels, confusion["counts"],
                                                        strict=True)):
                    out.append(f"<tr><td><b>{_h(label)}</b></td>" + "".join(
                        f"<td><b>{nb_int(n)}</b></td>" if c == r else f"<td>{nb_int(n)}</td>"
                        for c, n in enumerate(counts)) + "</tr>")
                out.append(f'</tbody></table><p class="note">{_h(CONFUSION_NOTE_NB)}</p>')

    out.append("<h2>Slik leser du tabellen</h2><dl class=\"read\">")
    for term, text in how_to_read_nb(data):
        out.append(f"<dt>{_h(term)}</dt><dd>{_h(text)}</dd>")
    out.append("</dl>")

    total = sum(g["total"] for g in data["passages"])
    out.append("<h2>Uenigheter til diskusjon</h2>")
    out.append(f"<p>{_h(_passages_intro_nb(data, total))}</p>")
    out.append('<p class="legend"><b>Fargene:</b> ' + "".join(
        f'<span style="background:#{fill}">{_h(text)}</span>'
        for fill, text in _legend(coders)) + "</p>")
    for group in data["passages"]:
        shown = len(group["passages"])
        out.append(f"<h3>{_h(group['code'])} – {_h(group['label'])}</h3>")
        out.append(f'<p class="note">{group["total"]} passasje'
                   f'{"r" if group["total"] != 1 else ""}'
                   + (f", de {shown} første vises" if shown < group["total"] else "") + "</p>")
        for p in group["passages"]:
            where = p["transcript"] + (f", replikk {p['turns']}" if p["turns"] else "")
            out.append('<section class="passage">')
            out.append(f'<div class="where">{_h(where)}<span>{_h(_kind_nb(p["kind"]))} · '
                       f"{_h(nb_int(p['differing_chars']))} tegn ulikt · tegn "
                       f"{p['start']}–{p['end']}</span></div>")
            parts = []
            for text, who in _elided(p["pieces"], len(coders)):
                if who is None:
                    parts.append(f'<span class="elided">{_h(text)}</span>')
                    continue
                fill = _fill_for(coders, who)
                label = "kodet av " + _nb_list(who)
                parts.append(f'<mark style="background:#{fill}" title="{_h(label)}">'
                             f"{_h(text)}</mark>")
            out.append(f'<div class="text">{"".join(parts)}</div>')
            out.append(f'<div class="who" style="grid-template-columns: '
                       f'repeat({len(coders)}, 1fr)">')
            for coder in coders:
                applied = p["codes_by_coder"][coder]
                items = ", ".join(
                    f'<span class="this">{_h(c)}</span>' if c == group["code"] else _h(c)
                    for c in applied) or '<span class="none">ingen koder her</span>'
                out.append(f'<div><b class="name" style="background:#{fills[coder]}">'
                           f"{_h(coder)}</b>{items}</div>")
            out.append("</div></section>")
    if data["transcripts_left_out"] or data["notes"]:
        out.append("<h2>Vedlegg: utelatte transkripsjoner og merknader</h2><ul>")
        out += [f"<li>{_h(i['transcript'])}: {_h(_left_out_nb(i))}</li>"
                for i in data["transcripts_left_out"]]
        out += [f"<li>{_h(n)}</li>" for n in data["notes"]]
        out.append("</ul>")
    out.append("<h2>Vedlegg: innstillinger</h2><ul>")
    out += [f"<li>{_h(t)}</li>" for t in _settings_nb(data)]
    out.append("</ul></main></body></html>")
    return "\n".join(out) + "\n"
