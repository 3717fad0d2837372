"""Theme matrices: codes × attributes of the people who said the coded words.

Counting rules
--------------
1. **Coder layer.** Every count is made on one explicit layer: one coder's own codings
   (origin manual or imported), the union of several or of all coders' own codings, or the
   consensus layer (origin consensus). Suggestions (origin suggested) never count. A
   coder's later round (``anna@2``, a recode for a stability check) is in the union of
   all coders only when named (:mod:`qualcode.services.layers`).
2. **Rows.** A row is a code together with every code below it. Per transcript, the spans
   of the row's codes in the layer are united first: spans that share at least one
   character become one span, whoever coded them and whichever of the codes they carry.
   A passage coded with two children of a parent, or by two coders, therefore counts once
   in the parent's row. Spans that only touch stay separate.
3. **Attribution.** A united span is attributed to every speaker turn it overlaps, and
   through the turn's speaker to the person, the role (the person's rolle, or the role read
   from the speaker label when no person is mapped), the site (the person's site, else the
   transcript's site), the transcript and their attributes. A column is one value, or a
   pair of values, of one or two of these; a value that is not reported is a column of its
   own ("—"). A focus-group span over a rektor turn and a lærer turn counts once for rektor
   and once for lærer.
4. **Interviewers are not informants.** The part of a span that lies in interviewer turns
   is attributed to no column and adds no words coded. A span lying wholly in interviewer
   turns (or outside every turn) is in no column and not in the row's total;
   ``frequencies`` still counts it as a reference of the code.
5. **Cells.** *references*: united spans that overlap at least one of the column's turns.
   *informants*: distinct persons speaking in those turns (a speaker label not mapped to a
   person is not counted as an informant). *transcripts*, *sites*: distinct transcripts and
   sites. *words coded*: words in the parts of the spans that lie inside the column's turns
   (a word cut by a span boundary counts). *coverage*: words coded ÷ every word spoken in
   the column's informant turns × 100.
6. **Totals.** Because one span can count in several columns, a row's columns can add up
   to more than its total: the total column counts each span, person, transcript, site and
   word once. The totals row ("any of these codes") unites the spans of all rows' codes
   before counting, so a passage carrying several codes counts once there.
7. **Quotes.** A cell's quotes are its N longest united spans (characters inside the
   column's turns) or its N first (transcript name, then position). A quote shows only the
   words of the column's speakers (omitted turns in between are marked […]), with its
   transcript and turn numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from qualcode.domain.errors import NotFoundError, QualcodeError, not_found
from qualcode.domain.norwegian import NOT_REPORTED, attribution_of, layer_phrase, value_display
from qualcode.pseudonyms import Key
from qualcode.quotation import shorten
from qualcode.services import layers
from qualcode.services.overview import ATTRIBUTE_TABLES, INTERVIEWER, attributes_of
from qualcode.store import Snapshot, Store

# Reads go through Store.snapshot() as plain SQL: a matrix is a read-only command, and not
# loading SQLAlchemy and SQLModel saves about 0.4 s of every call.

COUNTING_RULES = __doc__.split("Counting rules\n--------------\n", 1)[1].strip()

MEASURES = ("references", "informants", "transcripts", "sites", "words", "coverage")
ROLE_ORDER = ("rektor", "radgiver", "laerer", "elev")
BUILTIN_DIMENSIONS = {"rolle": "role", "role": "role", "person": "person", "site": "site",
                      "skole": "site", "transcript": "transcript", "intervju": "transcript"}
OWNERS = ("person", "site", "transcript")

def empty_columns(m: Matrix) -> list[int]:
    """Columns no row has anything in (no coded passage, no summary): an attribute value
    only the unmapped or the silent have, such as an "Elev" label. The terminal's matrices
    and the report's tables and figures leave them out, and say so."""
    rows = [*m.rows, m.total_row]
    return [i for i in range(len(m.columns))
            if not any(r.cells[i].references or r.cells[i].summary for r in rows)]


# --- coder layers -----------------------------------------------------------------------

@dataclass(frozen=True)
class Layer:
    """Which codings count: ``coder`` (one coder), ``union`` (several or all coders; an
    empty ``coders`` means every coder) or ``consensus``."""

    kind: str = "union"
    coders: tuple[str, ...] = ()

    @classmethod
    def coder(cls, name: str) -> Layer:
        return cls("coder", (name,))

    @classmethod
    def union(cls, names: Iterable[str] = ()) -> Layer:
        return cls("union", tuple(names))

    @classmethod
    def consensus(cls) -> Layer:
        return cls("consensus")

    def describe(self, all_coders: list[str] | None = None) -> str:
        if self.kind == "coder":
            return f"coder {self.coders[0]}"
        if self.kind == "consensus":
            return "consensus layer"
        names = list(self.coders) or list(all_coders or [])
        return "union of " + (", ".join(names) if names else "all coders")

    def describe_nb(self, all_coders: list[str] | None = None) -> str:
        return layer_phrase(self.kind, list(self.coders) or list(all_coders or []))


_ORIGIN_CODES = {"manual": 0, "imported": 1, "consensus": 2}  # suggestions never count


def _layer_filter(db: Snapshot, layer: Layer) -> tuple[list[int], list[int] | None]:
    """The origins (as in ``_ORIGIN_CODES``) and coder pks (None: any coder) of a layer's
    codings."""
    coders = dict(db.rows("SELECT name, pk FROM coder"))
    if layer.kind == "consensus":
        return [_ORIGIN_CODES["consensus"]], None
    if layer.kind not in ("coder", "union"):
        raise QualcodeError(f"unknown coder layer '{layer.kind}'",
                            hint="use one coder, the union of coders, or consensus")
    layers.check_coders(coders, layer.coders)
    own = [_ORIGIN_CODES["manual"], _ORIGIN_CODES["imported"]]
    if layer.coders:
        return own, [coders[n] for n in layer.coders]
    # The default layer: every coder but later rounds (see services.layers).
    later = layers.later_rounds(db)
    return own, ([pk for name, pk in coders.items() if name not in later] if later else None)


def _own_coders(db: Snapshot) -> list[str]:
    """The coders of the default layer (later rounds left out), by name."""
    return layers.default_coders(db)


def coder_names(store: Store) -> list[str]:
    """Coders with codings of their own (not only suggestions or consensus codings), a
    coder's later rounds left out."""
    with store.snapshot() as db:
        return _own_coders(db)


# --- rows -------------------------------------------------------------------------------

@dataclass
class CodeInfo:
    pk: int
    id: str
    label: str
    parent_pk: int | None
    depth: int
    family: str | None
    criterion: str | None
    description: str | None
    archived: bool
    children: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class RowDef:
    """One matrix row: ``codes`` are the code pks whose spans it unites."""

    code: str
    label: str
    depth: int
    codes: frozenset[int]
    kind: str = "code"  # code | own (the code alone, not its descendants) | total


def load_codes(db: Snapshot) -> list[CodeInfo]:
    """Codes in codebook order (depth first), each with its depth and its root's family."""
    infos = {pk: CodeInfo(pk, code_id, label, parent_pk, 0, family, criterion, description,
                          bool(archived))
             for pk, code_id, label, parent_pk, family, criterion, description, archived
             in db.rows("SELECT pk, code_id, label, parent_pk, family, criterion, "
                        "description, archived FROM code ORDER BY sort_order, code_id")}
    roots = []
    for info in list(infos.values()):
        if info.parent_pk in infos:
            infos[info.parent_pk].children.append(info.pk)
        else:
            roots.append(info.pk)
    ordered: list[CodeInfo] = []

    def visit(pk: int, depth: int, family: str | None) -> None:
        info = infos[pk]
        info.depth = depth
        info.family = info.family if depth == 0 else family
        ordered.append(info)
        for child in info.children:
            visit(child, depth + 1, info.family)

    for pk in roots:
        visit(pk, 0, infos[pk].family)
    return ordered


def _subtree(codes: dict[int, CodeInfo], pk: int) -> list[int]:
    found, stack = [], [pk]
    while stack:
        p = stack.pop()
        found.append(p)
        stack.extend(codes[p].children)
    return found


def select_rows(codes: list[CodeInfo], specs: Iterable[str] | None = None,
                depth: int | None = None) -> list[RowDef]:
    """Rows for ``specs``: ``CODE`` (the code and everything below it), a family name (its
    top-level codes and everything below them), ``all``, or ``depth:N`` (every code at
    depth 0…N). ``depth`` keeps only rows at most that deep (0 = top-level codes)."""
    specs = [s.strip() for spec in (specs or ["depth:0"]) for s in spec.split(",") if s.strip()]
    by_pk = {c.pk: c for c in codes}
    by_id = {c.id: c for c in codes}
    families = sorted({c.family for c in codes if c.depth == 0 and c.family})
    chosen: set[int] = set()
    for spec in specs:
        if spec == "all":
            chosen.update(by_pk)
        elif spec.startswith("depth:"):
            try:
                n = int(spec.split(":", 1)[1])
            except ValueError:
                raise QualcodeError(f"'{spec}' is not depth:N",
                                    hint="for example depth:0 for the top-level codes") from None
            chosen.update(c.pk for c in codes if c.depth <= n)
        elif spec in by_id:
            chosen.update(_subtree(by_pk, by_id[spec].pk))
        elif spec in families:
            for c in codes:
                if c.depth == 0 and c.family == spec:
                    chosen.update(_subtree(by_pk, c.pk))
        else:
            import difflib

            close = difflib.get_close_matches(spec, list(by_id) + families, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise NotFoundError(
                f"no code or code family '{spec}'",
                hint=hint + "rows are a code id, a family (" + (", ".join(families) or "none")
                + "), all, or depth:N")
    return [RowDef(c.id, c.label, c.depth, frozenset(_subtree(by_pk, c.pk)))
            for c in codes if c.pk in chosen and (depth is None or c.depth <= depth)]


# --- columns ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Dimension:
    name: str  # as the user wrote it
    kind: str  # role | person | site | transcript | attribute
    owner: str | None = None  # person | site | transcript, for attributes
    attribute: str | None = None


def attribute_names(db: Snapshot) -> dict[str, list[str]]:
    return {owner: db.column(f"SELECT DISTINCT name FROM {ATTRIBUTE_TABLES[owner][0]} "
                             "ORDER BY name")
            for owner in OWNERS}


def resolve_dimensions(db: Snapshot, names: Iterable[str]) -> list[Dimension]:
    """``rolle``, ``person``, ``site``, ``transcript``, or an attribute name; a bare
    attribute name is looked up among person, site and transcript attributes in that order
    (write ``site:NAME`` to choose)."""
    names = list(names)
    if len(names) > 2:
        raise QualcodeError("a matrix has at most two nested column attributes",
                            hint="for example --cols rolle --cols skoleslag")
    available = attribute_names(db)
    dims = []
    for name in names:
        if name in BUILTIN_DIMENSIONS:
            dims.append(Dimension(name, BUILTIN_DIMENSIONS[name]))
            continue
        owner, _, attr_name = name.partition(":")
        if attr_name and owner in OWNERS:
            if attr_name in available[owner]:
                dims.append(Dimension(name, "attribute", owner, attr_name))
                continue
        else:
            owner = next((o for o in OWNERS if name in available[o]), None)
            if owner:
                dims.append(Dimension(name, "attribute", owner, name))
                continue
        listing = "; ".join(f"{o}: {', '.join(available[o]) or '—'}" for o in OWNERS)
        known = ["rolle", "person", "site", "transcript",
                 *(a for o in OWNERS for a in available[o])]
        raise not_found(f"no attribute '{name}'", name, known,
                        f"available: rolle, person, site, transcript; {listing}")
    return dims


def _sort_key(dimension: Dimension, value: Any) -> tuple:
    if value is None:
        return (2, "", 0)
    if dimension.kind == "role":
        rank = ROLE_ORDER.index(value) if value in ROLE_ORDER else len(ROLE_ORDER)
        return (0, f"{rank:03d}", str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, "", value)
    return (1, type(value).__name__, str(value))


# --- result -----------------------------------------------------------------------------

@dataclass
class Cell:
    references: int = 0
    informants: int = 0
    transcripts: int = 0
    sites: int = 0
    words: int | None = None
    coverage: float | None = None
    quotes: list[dict] = field(default_factory=list)
    summary: str | None = None

    def value(self, measure: str) -> Any:
        return getattr(self, measure)


@dataclass
class MatrixRow:
    code: str
    label: str
    depth: int
    kind: str
    cells: list[Cell]
    total: Cell
    all_references: int  # every united span, attributed or not (interviewer-only too)


@dataclass
class Matrix:
    dimensions: list[str]
    columns: list[tuple]
    column_words: list[int]  # words spoken in each column's informant turns
    column_informants: list[int]  # persons who speak in each column
    column_sites: list[int]  # sites with informant turns in each column
    rows: list[MatrixRow]
    total_row: MatrixRow
    layer: str
    coders: list[str]
    total_words: int
    total_informants: int
    layer_nb: str = ""

    def column_label(self, i: int, sep: str = " / ") -> str:
        return sep.join(value_display(d, v) for d, v in zip(self.dimensions, self.columns[i],
                                                             strict=True)) or "alle"


# --- the engine -------------------------------------------------------------------------

_SHIFT = 1 << 30  # offsets stay below 2**30 code points per transcript


class _Context:
    """Speakers, column keys and (once loaded) the turns of the project as arrays."""

    def __init__(self, db: Snapshot, dims: list[Dimension], need_words: bool,
                 with_turns: bool = True, key: Key | None = None,
                 sentences: bool = False) -> None:
        self.db = db
        self.key = key or None  # the pseudonym key quotes are cut from, if any
        self.dims = dims
        self.need_words = need_words
        self.site_ids = dict(db.rows("SELECT pk, site_id FROM site"))
        persons = {pk: (pid, role, site) for pk, pid, role, site in db.rows(
            "SELECT pk, person_id, role, site_pk FROM person")}
        self.person_ids = {pk: v[0] for pk, v in persons.items()}
        transcripts = {pk: (name, site) for pk, name, site in
                       self._raw("SELECT pk, name, site_pk FROM transcript")}
        self.transcript_names = {pk: v[0] for pk, v in transcripts.items()}
        self.transcript_site = {pk: v[1] for pk, v in transcripts.items()}
        ranked = sorted(transcripts, key=lambda pk: transcripts[pk][0])
        self.max_t = max(transcripts, default=0)
        owners = {d.owner for d in dims if d.kind == "attribute"} | {"site"}
        attrs = {o: attributes_of(db, o) for o in owners}
        self.site_attrs = attrs["site"]
        self.labels: dict[int, str] = {}
        # (transcript pk, participation pk or None) → (column key or None, person, site, role)
        self.speaker: dict[tuple[int, int | None], tuple] = {}
        for pk, t_pk, person_pk, label_role, label in self._raw(
                "SELECT pk, transcript_pk, person_pk, role, label FROM participation"):
            self.labels[pk] = label
            person = persons.get(person_pk)
            role = (person[1] if person else None) or label_role
            site = (person[2] if person else None) or self.transcript_site.get(t_pk)
            self.speaker[(t_pk, pk)] = self._speaker(t_pk, person_pk, site, role, attrs)
        for t_pk in transcripts:  # turns without a speaker label
            site = self.transcript_site.get(t_pk)
            self.speaker[(t_pk, None)] = self._speaker(t_pk, None, site, None, attrs)
        self.rank = np.zeros(self.max_t + 1, dtype=np.int64)
        for i, pk in enumerate(ranked):
            self.rank[pk] = i
        self._words: dict[int, tuple] = {}
        self.sentences = sentences  # quotes in whole sentences (the report's)
        self._texts: dict[int, str] = {}
        self._sentences: dict[int, list[tuple[int, int]] | None] = {}
        self._codings: np.ndarray | None = None
        self._timelines: dict[int, object] | None = None  # loaded when a time is asked for
        if with_turns:
            self._load_turns()

    def _load_turns(self) -> None:
        """Every turn as arrays sorted by (transcript, start); the columns are the keys that
        have informant turns, each with its spoken words, persons and sites."""
        a = _int_rows(self.db, _TURN_SQL, 3)
        a = a[np.argsort(a[:, 0], kind="stable")]
        self.tg = np.ascontiguousarray(a[:, 0])
        (self.tt, self.ts), (self.te, self.tpart), (self.tw, self.tidx) = (
            _unpair(a[:, i]) for i in range(3))
        max_part = max((k[1] for k in self.speaker if k[1] is not None), default=0)
        combo = self.tt * (max_part + 1) + self.tpart
        uniq, inverse = np.unique(combo, return_inverse=True)
        words_of = np.bincount(inverse, weights=self.tw, minlength=len(uniq))
        spoken: dict[tuple, int] = defaultdict(int)
        speakers_of: dict[tuple, set] = defaultdict(set)
        sites_of: dict[tuple, set] = defaultdict(set)
        for value, words in zip(uniq.tolist(), words_of.tolist(), strict=True):
            t_pk, part_pk = divmod(value, max_part + 1)
            key, person_pk, site_pk, _ = self.speaker.get((t_pk, part_pk or None), (None,) * 4)
            if key is None:
                continue
            spoken[key] += int(words)
            if person_pk is not None:
                speakers_of[key].add(person_pk)
            if site_pk is not None:
                sites_of[key].add(site_pk)
        self.columns = sorted(spoken, key=lambda k: tuple(
            _sort_key(d, v) for d, v in zip(self.dims, k, strict=True)))
        col_index = {k: i for i, k in enumerate(self.columns)}
        self.column_words = [spoken[k] for k in self.columns]
        self.column_informants = [len(speakers_of[k]) for k in self.columns]
        self.column_sites = [len(sites_of[k]) for k in self.columns]
        self.total_words = sum(spoken.values())
        self.total_informants = len(set().union(*speakers_of.values())) if speakers_of else 0
        # lookup arrays: participation pk → column/person/site; transcript → the same for
        # turns without a speaker
        part_col = np.full(max_part + 1, -1, dtype=np.int64)
        part_person = np.full(max_part + 1, -1, dtype=np.int64)
        part_site = np.full(max_part + 1, -1, dtype=np.int64)
        bare_col = np.full(self.max_t + 1, -1, dtype=np.int64)
        bare_site = np.full(self.max_t + 1, -1, dtype=np.int64)
        for (t_pk, part_pk), (key, person_pk, site_pk, _) in self.speaker.items():
            col = col_index.get(key, -1) if key is not None else -1
            site = site_pk if site_pk is not None and key is not None else -1
            if part_pk is None:
                bare_col[t_pk], bare_site[t_pk] = col, site
            else:
                part_col[part_pk], part_site[part_pk] = col, site
                part_person[part_pk] = person_pk if person_pk is not None else -1
        has = self.tpart > 0
        self.tcol = np.where(has, part_col[self.tpart], bare_col[self.tt])
        self.tperson = np.where(has, part_person[self.tpart], -1)
        self.tsite = np.where(has, part_site[self.tpart], bare_site[self.tt])

    def _raw(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.db.rows(sql, params)

    def codings(self) -> np.ndarray:
        """Every coding that can count (transcript, code, start, end, coder, origin as in
        ``_ORIGIN_CODES``), read once: the coding table is read whole, quotes and all, so
        the layers of one command share one reading of it."""
        if self._codings is None:
            a = _int_rows(self.db, _CODING_SQL, 3)
            (tt, ts), (code, te) = _unpair(a[:, 0]), _unpair(a[:, 1])
            self._codings = np.column_stack((tt, code, ts, te, a[:, 2] >> 2, a[:, 2] & 3))
        return self._codings

    def _speaker(self, t_pk, person_pk, site_pk, role, attrs) -> tuple:
        if role == INTERVIEWER:
            return (None, None, None, role)
        key = []
        for d in self.dims:
            if d.kind == "role":
                key.append(role)
            elif d.kind == "person":
                key.append(self.person_ids.get(person_pk))
            elif d.kind == "site":
                key.append(self.site_ids.get(site_pk))
            elif d.kind == "transcript":
                key.append(self.transcript_names[t_pk])
            else:
                owner_pk = {"person": person_pk, "site": site_pk, "transcript": t_pk}[d.owner]
                key.append(attrs[d.owner].get(owner_pk, {}).get(d.attribute)
                           if owner_pk is not None else None)
        return (tuple(key), person_pk, site_pk, role)

    def words_between(self, t_pk: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Words overlapping each ``[a, b)`` of one transcript (a cut word counts)."""
        if t_pk not in self._words:
            from qualcode.domain.text import _WORD

            text = self._raw("SELECT text FROM transcript WHERE pk = ?", (t_pk,))[0][0]
            found = [(m.start(), m.end()) for m in _WORD.finditer(text)]
            starts = np.array([f[0] for f in found], dtype=np.int64)
            ends = np.array([f[1] for f in found], dtype=np.int64)
            self._words[t_pk] = (starts, ends)
        starts, ends = self._words[t_pk]
        return np.searchsorted(starts, b, "left") - np.searchsorted(ends, a, "right")

    def time_at(self, t_pk: int, offset: int) -> float | None:
        """Seconds into the recording where ``offset`` was spoken, if the transcript says."""
        if self._timelines is None:
            self._timelines = dict.fromkeys(self.db.column(
                "SELECT DISTINCT transcript_pk FROM turn WHERE t_start IS NOT NULL"))
        if t_pk not in self._timelines:
            return None
        if self._timelines[t_pk] is None:
            from qualcode.services.media import timeline

            self._timelines[t_pk] = timeline(self.db, t_pk)
        return self._timelines[t_pk].time_at(offset)
    def _cutter(self, t_pk: int, start: int, end: int):
        """Cuts ``[a, b)`` inside ``[start, end)`` out of the text as exports show it: with
        a key, out of the replaced text, so a name is replaced even where a span cuts it."""
        if self.key is None:
            span_text = self._raw("SELECT substr(text, ?, ?) FROM transcript WHERE pk = ?",
                                  (start + 1, end - start, t_pk))[0][0]
            return lambda a, b: span_text[a - start:b - start]
        reach = 2 * self.key.longest + 8  # as far as a name touching the span can reach
        lo = max(0, start - reach)
        window = self._raw("SELECT substr(text, ?, ?) FROM transcript WHERE pk = ?",
                           (lo + 1, end + reach - lo, t_pk))[0][0]
        replaced, offsets = self.key.replace(window)

        def cut(a: int, b: int) -> str:
            na, nb = offsets.span(a - lo, b - lo)
            return replaced[na:nb]
        return cut

    def excerpt(self, t_pk: int, start: int, end: int, col: int | None,
                max_chars: int | None = None) -> dict:
        """The words of one column's speakers inside a span (``col`` None: every informant),
        with turn numbers, speaker labels and persons. With ``sentences`` the quotation is
        whole sentences (see :mod:`qualcode.quotation`)."""
        lo = max(int(np.searchsorted(self.tg, t_pk * _SHIFT + start, "right")) - 1, 0)
        hi = int(np.searchsorted(self.tg, t_pk * _SHIFT + end, "left"))
        chosen = [i for i in range(lo, hi)
                  if self.tt[i] == t_pk and self.te[i] > start and self.te[i] > self.ts[i]
                  and self.tcol[i] >= 0 and (col is None or self.tcol[i] == col)]
        if self.sentences:
            return self._sentence_excerpt(t_pk, start, end, chosen, max_chars)
        cut = self._cutter(t_pk, start, end)
        pieces, labels, persons = [], [], set()
        roles: dict[str | None, set] = {}  # role → its speakers (persons, else labels)
        previous = None
        for i in chosen:
            a, b = max(int(self.ts[i]), start), min(int(self.te[i]), end)
            label = self._speaker_of(t_pk, i, labels, persons, roles)
            pieces.append((label, cut(a, b).strip(), previous is not None and i != previous + 1))
            previous = i
        many = len(labels) > 1
        chunks = []
        for label, text, gap in pieces:
            if gap:
                chunks.append("[…]")
            shown = self.key.apply(label) if self.key and label else label
            chunks.append(f"{shown}: {text}" if many and label else text)
        joined = "\n".join(chunks) if many else " ".join(chunks)
        return self._attributed(t_pk, start, end, chosen, labels, persons, roles,
                                shorten(joined, max_chars))

    def _speaker_of(self, t_pk: int, i: int, labels: list, persons: set, roles: dict
                    ) -> str | None:
        """Count turn ``i``'s speaker among an excerpt's labels, persons and roles (a role's
        speakers are persons, else labels); returns the speaker's label."""
        part = int(self.tpart[i]) or None
        label = self.labels.get(part) if part else None
        if label and label not in labels:
            labels.append(label)
        if self.tperson[i] >= 0:
            persons.add(int(self.tperson[i]))
        role = self.speaker.get((t_pk, part), (None,) * 4)[3]
        roles.setdefault(role, set()).add(int(self.tperson[i]) if self.tperson[i] >= 0
                                          else label)
        return label

    def _attributed(self, t_pk: int, start: int, end: int, chosen: list[int], labels: list,
                    persons: set, roles: dict, text: str) -> dict:
        """An excerpt's text with what the reports say of it: turns, speakers, persons,
        roles, the attribution and the time."""
        site_pk = int(self.tsite[chosen[0]]) if chosen else self.transcript_site.get(t_pk)
        skoleslag = self.site_attrs.get(site_pk, {}).get("skoleslag") if site_pk else None
        ordered = sorted(roles, key=lambda r: _sort_key(Dimension("rolle", "role"), r))
        hide = self.key.apply if self.key else _same
        return {
            "transcript": hide(self.transcript_names[t_pk]), "start": start, "end": end,
            "turns": [int(self.tidx[i]) for i in chosen], "speakers": [hide(x) for x in labels],
            "persons": sorted(hide(self.person_ids[p]) for p in persons),
            "role": ordered[0] if len(ordered) == 1 else None, "roles": ordered,
            "skoleslag": skoleslag,
            "attribution": attribution_of([(r, len(roles[r])) for r in ordered], skoleslag),
            # (role, speakers) behind the attribution, for a report in another language
            "speaking": [[r, len(roles[r])] for r in ordered],
            "text": text, "time": self.time_at(t_pk, start),
        }

    def _sentence_excerpt(self, t_pk: int, start: int, end: int, chosen: list[int],
                          max_chars: int | None) -> dict:
        """As :meth:`excerpt`, in whole sentences without leading fillers. The quote keeps
        its ``pieces`` (so a report can cut it to another length) and the ranges of the
        text it ``shown`` (so a chapter does not print one passage twice)."""
        from qualcode.quotation import Piece, compose, sentence_window

        text = self._text(t_pk)
        windows = []
        for i in chosen:
            ts, te = int(self.ts[i]), int(self.te[i])
            spans, cut_start, cut_end = sentence_window(
                text, self._turn_sentences(t_pk, ts, te), max(ts, start), min(te, end),
                lead=not any(w[1] for w in windows))
            windows.append((i, spans, cut_start, cut_end))
        kept = [w for w in windows if w[1]]
        lo = min((w[1][0][0] for w in kept), default=start)
        hi = max((w[1][-1][1] for w in kept), default=end)
        cut = self._cutter(t_pk, lo, hi)
        pieces, labels, persons = [], [], set()
        roles: dict[str | None, set] = {}
        previous = None
        for i, spans, cut_start, cut_end in kept:
            label = self._speaker_of(t_pk, i, labels, persons, roles)
            shown = self.key.apply(label) if self.key and label else label
            pieces.append(Piece(shown, [cut(a, b).strip() for a, b in spans],
                                gap=previous is not None and i != previous + 1,
                                cut_start=cut_start, cut_end=cut_end))
            previous = i
        chosen = [w[0] for w in kept]
        found = self._attributed(t_pk, start, end, chosen, labels, persons, roles,
                                 compose(pieces, max_chars))
        found["pieces"] = pieces
        found["shown"] = [(a, b) for _, spans, _, _ in kept for a, b in spans]
        return found

    def _text(self, t_pk: int) -> str:
        if t_pk not in self._texts:
            self._texts[t_pk] = self._raw("SELECT text FROM transcript WHERE pk = ?",
                                          (t_pk,))[0][0]
        return self._texts[t_pk]

    def _turn_sentences(self, t_pk: int, start: int, end: int) -> list[tuple[int, int]]:
        """The sentences of one turn: the store's, where the transcript was segmented, else
        segmented here (and not stored: a report only reads)."""
        from qualcode.segmenter import sentences_within, turn_sentences

        if t_pk not in self._sentences:
            rows = self._raw('SELECT start, "end" FROM segment WHERE transcript_pk = ? '
                             "AND kind = 'sentence' ORDER BY start", (t_pk,))
            self._sentences[t_pk] = [(int(a), int(b)) for a, b in rows] or None
            if self._sentences[t_pk] is None:
                mine = self.tt == t_pk
                self._sentences[t_pk] = turn_sentences(self._text(t_pk), [
                    (int(a), int(b)) for a, b in zip(self.ts[mine], self.te[mine], strict=True)])
        return sentences_within(self._sentences[t_pk], start, end)


def _pair(high: str, low: str) -> str:
    """SQL for two whole numbers in one, ``low`` below 2**30 (offsets, ids, turn
    numbers): the driver hands over half as many Python ints, which is most of the cost
    of reading 180 000 turns."""
    return f"CAST({high} AS BIGINT) * {_SHIFT} + {low}"


def _unpair(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return column >> 30, column & (_SHIFT - 1)


# A turn: (transcript, start), (end, participation or 0), (words, number), so the first
# is the key the turns are sorted and searched by. A coding: (transcript, start),
# (code, end), coder × 4 + origin (0 manual, 1 imported, 2 consensus).
_END = '"end"'
_TURN_SQL = (f"SELECT {_pair('transcript_pk', 'start')}, "
             f"{_pair(_END, 'coalesce(participation_pk, 0)')}, "
             f"{_pair('n_words', 'idx')} FROM turn")
_CODING_SQL = (f"SELECT {_pair('transcript_pk', 'start')}, {_pair('code_pk', _END)}, "
               "coder_pk * 4 + CASE origin WHEN 'manual' THEN 0 WHEN 'imported' THEN 1 "
               "ELSE 2 END FROM coding WHERE origin != 'suggested'")


def _int_rows(db: Snapshot, sql: str, width: int) -> np.ndarray:
    """Rows of ``width`` whole numbers (no NULL) as one array, packed as the driver hands
    them over: no list of row tuples is built and then converted."""
    flat = np.fromiter(chain.from_iterable(db.each(sql)), dtype=np.int64)
    return flat.reshape(-1, width)


def _coding_array(ctx: _Context, layer: Layer, code_pks: set[int]) -> np.ndarray:
    """(transcript, code, start, end) of the layer's codings of these codes."""
    origins, coders = _layer_filter(ctx.db, layer)
    a = ctx.codings()
    keep = _among(a[:, 5], origins)
    if coders is not None:
        keep &= _among(a[:, 4], coders)
    if code_pks:
        keep &= _among(a[:, 1], list(code_pks))
    else:
        keep[:] = False
    return np.ascontiguousarray(a[keep, :4])


def _among(column: np.ndarray, values) -> np.ndarray:
    """Which entries of a column of small non-negative ids are among ``values``: one look-up
    table indexed by the ids (``np.isin`` sorts the whole column, once per layer)."""
    wanted = np.asarray(values, dtype=np.int64).reshape(-1)
    wanted = wanted[wanted >= 0]
    size = max(int(column.max(initial=-1)), int(wanted.max(initial=-1))) + 1
    table = np.zeros(size, dtype=bool)
    table[wanted] = True
    return table[column]


def _merged_spans(codings: np.ndarray, groups: list[frozenset[int] | None], max_t: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unite overlapping spans per (group, transcript); a group is a set of code pks (None:
    every coding). Returns (group, transcript, start, end) of the united spans, sorted."""
    order = np.argsort(codings[:, 1], kind="stable")
    uniq, first, counts = np.unique(codings[order, 1], return_index=True, return_counts=True)
    by_code = {int(c): order[f:f + n] for c, f, n in zip(uniq, first, counts, strict=True)}
    chosen = [None if codes is None else [by_code[c] for c in codes if c in by_code]
              for codes in groups]
    sizes = [len(codings) if part is None else sum(len(p) for p in part) for part in chosen]
    # Every coding once per group it counts in (a code, the codes above it, the totals):
    # at 2 000 schools millions of entries, so each array is made once and worked on in
    # place, and dropped when it is no longer needed.
    idx = np.empty(sum(sizes), dtype=np.int64)
    at = 0
    for part, size in zip(chosen, sizes, strict=True):
        if part is None:
            idx[at:at + size] = np.arange(size)
        elif part:
            np.concatenate(part, out=idx[at:at + size])
        at += size
    key = np.repeat(np.arange(len(groups), dtype=np.int64) * (max_t + 1), sizes)
    key += codings[idx, 0]
    key *= _SHIFT
    gs = codings[idx, 2]
    gs += key
    ge = codings[idx, 3]
    ge += key
    del key, idx
    o = np.argsort(gs, kind="stable")
    gs = gs[o]
    ge = ge[o]
    del o
    if not len(gs):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    running = np.maximum.accumulate(ge)
    new = np.empty(len(gs), dtype=bool)
    new[0] = True
    new[1:] = gs[1:] >= running[:-1]
    heads = np.flatnonzero(new)
    ms = gs[heads]
    me = np.maximum.reduceat(ge, heads)
    mkey = ms // _SHIFT
    return mkey // (max_t + 1), mkey % (max_t + 1), ms - mkey * _SHIFT, me - mkey * _SHIFT


def _pairs(ctx: _Context, st: np.ndarray, ss: np.ndarray, se: np.ndarray) -> dict:
    """Every (span, informant turn) overlap: span index and turn index."""
    lo = np.maximum(np.searchsorted(ctx.tg, st * _SHIFT + ss, "right") - 1, 0)
    hi = np.searchsorted(ctx.tg, st * _SHIFT + se, "left")
    cnt = np.maximum(hi - lo, 0)
    total = int(cnt.sum())
    span = np.repeat(np.arange(len(st)), cnt)
    # turn = lo of its span + its place among the span's pairs, in one array
    turn = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
    turn += np.arange(total)
    if total:
        ok = ctx.tt[turn] == st[span]
        ok &= ctx.te[turn] > ss[span]
        ok &= ctx.te[turn] > ctx.ts[turn]
        ok &= ctx.tcol[turn] >= 0
        span, turn = span[ok], turn[ok]
        del ok
    return {"span": span, "turn": turn}


def _overlaps(ctx: _Context, pairs: dict, ss: np.ndarray, se: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Where each (span, turn) pair's overlap starts and ends: only words and quotes ask."""
    span, turn = pairs["span"], pairs["turn"]
    return np.maximum(ctx.ts[turn], ss[span]), np.minimum(ctx.te[turn], se[span])


def _unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: ``np.unique`` by sorting. numpy 2 answers a plain
    ``np.unique`` by hashing, which took 1 s for the 5 million (span, column) keys of a
    2 000-school frequency table, against about 0.1 s sorted."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


# Up to this many (group, item) pairs are marked in a table of flags rather than sorted.
_FLAG_TABLE_MAX = 1 << 26


def _distinct_count(group: np.ndarray, item: np.ndarray, n_groups: int) -> np.ndarray:
    """How many distinct ``item`` values each group has."""
    if not len(group):
        return np.zeros(n_groups, dtype=np.int64)
    width = int(item.max()) + 1
    key = group * width + item
    if n_groups * width <= _FLAG_TABLE_MAX:
        # ids are small (persons, sites, transcripts): one flag per possible pair, set in a
        # single pass, costs a fraction of np.unique's hashing or sorting
        seen = np.zeros(n_groups * width, dtype=bool)
        seen[key] = True
        return np.count_nonzero(seen.reshape(n_groups, width), axis=1)
    uniq = _unique(key)
    return np.bincount(uniq // width, minlength=n_groups)


def _compute(ctx: _Context, codings: np.ndarray, row_defs: list[RowDef], *, words: bool,
             quotes: int, quote_order: str, quote_chars: int | None) -> list[dict]:
    """Per row (the totals row last): cells and total as Cell objects, all_references."""
    n_rows = len(row_defs) + 1
    ncols = len(ctx.columns)
    sg, st, ss, se = _merged_spans(codings, [r.codes for r in row_defs] + [None], ctx.max_t)
    pairs = _pairs(ctx, st, ss, se)
    span, turn = pairs["span"], pairs["turn"]
    col = ctx.tcol[turn]
    row = sg[span]
    cell = row * ncols + col
    n_cells = n_rows * ncols
    # references: distinct (span, column); the total counts each span once
    if quotes:
        sc_key, sc_inv = np.unique(span * max(ncols, 1) + col, return_inverse=True)
    else:
        sc_key = _unique(span * max(ncols, 1) + col)
    if words or quotes:
        pairs["a"], pairs["b"] = _overlaps(ctx, pairs, ss, se)
    sc_span, sc_col = sc_key // max(ncols, 1), sc_key % max(ncols, 1)
    refs = np.bincount(sg[sc_span] * ncols + sc_col, minlength=n_cells)
    # One column (frequencies): a cell is its row, so the totals are the cells' counts.
    single = ncols == 1
    attributed = sc_span if single else _unique(span)
    t_refs = refs if single else np.bincount(sg[attributed], minlength=n_rows)
    all_refs = np.bincount(sg, minlength=n_rows)
    person, site, tr = ctx.tperson[turn], ctx.tsite[turn], ctx.tt[turn]
    has_p, has_s = person >= 0, site >= 0
    informants = _distinct_count(cell[has_p], person[has_p], n_cells)
    transcripts = _distinct_count(cell, tr, n_cells)
    sites = _distinct_count(cell[has_s], site[has_s], n_cells)
    if single:
        t_informants, t_transcripts, t_sites = informants, transcripts, sites
    else:
        t_informants = _distinct_count(row[has_p], person[has_p], n_rows)
        t_transcripts = _distinct_count(row, tr, n_rows)
        t_sites = _distinct_count(row[has_s], site[has_s], n_rows)
    if words:
        full = (ctx.ts[turn] >= ss[span]) & (ctx.te[turn] <= se[span])
        w = np.where(full, ctx.tw[turn], 0)
        partial = np.flatnonzero(~full)
        if len(partial):
            for t_pk in np.unique(tr[partial]):
                sel = partial[tr[partial] == t_pk]
                w[sel] = ctx.words_between(int(t_pk), pairs["a"][sel], pairs["b"][sel])
        word_cells = np.bincount(cell, weights=w, minlength=n_cells).astype(np.int64)
        word_rows = word_cells if single else \
            np.bincount(row, weights=w, minlength=n_rows).astype(np.int64)
    picked: dict[tuple[int, int], list[dict]] = defaultdict(list)
    if quotes:
        chars = pairs["b"] - pairs["a"]
        sc_chars = np.bincount(sc_inv, weights=chars, minlength=len(sc_key))
        span_chars = np.bincount(span, weights=chars, minlength=len(st))
        cand_cell = np.concatenate([sg[sc_span] * (ncols + 1) + sc_col,
                                    sg[attributed] * (ncols + 1) + ncols])
        cand_span = np.concatenate([sc_span, attributed])
        cand_chars = np.concatenate([sc_chars, span_chars[attributed]])
        cand_rank = ctx.rank[st[cand_span]]
        if quote_order == "length":
            o = np.lexsort((ss[cand_span], cand_rank, -cand_chars, cand_cell))
        else:
            o = np.lexsort((ss[cand_span], cand_rank, cand_cell))
        sorted_cell = cand_cell[o]
        if len(o):
            heads = np.r_[0, np.flatnonzero(np.diff(sorted_cell)) + 1]
            starts = np.repeat(heads, np.diff(np.r_[heads, len(o)]))
            keep = o[(np.arange(len(o)) - starts) < quotes]
            for k in keep:
                r, c = divmod(int(cand_cell[k]), ncols + 1)
                s_i = int(cand_span[k])
                picked[(r, c)].append(ctx.excerpt(int(st[s_i]), int(ss[s_i]), int(se[s_i]),
                                                  None if c == ncols else c, quote_chars))
    out = []
    for r in range(n_rows):
        cells = []
        for c in range(ncols):
            i = r * ncols + c
            cl = Cell(int(refs[i]), int(informants[i]), int(transcripts[i]), int(sites[i]))
            if words:
                cl.words = int(word_cells[i])
                spoken = ctx.column_words[c]
                cl.coverage = round(100 * cl.words / spoken, 2) if spoken else None
            cl.quotes = picked.get((r, c), [])
            cells.append(cl)
        total = Cell(int(t_refs[r]), int(t_informants[r]), int(t_transcripts[r]),
                     int(t_sites[r]))
        if words:
            total.words = int(word_rows[r])
            total.coverage = round(100 * total.words / ctx.total_words, 2) \
                if ctx.total_words else None
        total.quotes = picked.get((r, ncols), [])
        out.append({"cells": cells, "total": total, "all_references": int(all_refs[r])})
    return out


def build_matrix(store: Store, *, rows: Iterable[str] | None = None, depth: int | None = None,
                 row_defs: list[RowDef] | None = None, columns: Iterable[str] = ("rolle",),
                 layer: Layer | None = None, words: bool = True, quotes: int = 0,
                 quote_order: str = "length", quote_chars: int | None = None,
                 summaries: bool = False, key: Key | None = None,
                 sentences: bool = False) -> Matrix:
    """Codes × one or two nested attributes, counted by the rules in the module docstring.

    ``rows``/``depth`` select rows as :func:`select_rows` does (or pass ``row_defs``);
    ``columns`` names 0–2 dimensions; ``words`` also computes words coded and coverage;
    ``quotes`` keeps that many excerpts per cell (``quote_order`` length or order,
    ``quote_chars`` shortens long ones); ``summaries`` attaches the researcher's summaries
    when the single column is ``site`` or ``person``. With a pseudonym ``key``, quotes,
    summaries and the names of persons, sites and transcripts are shown replaced. With
    ``sentences`` quotes are whole sentences without leading fillers, as a report prints
    them."""
    return _build(store, [layer or Layer.union()], rows=rows, depth=depth, row_defs=row_defs,
                  columns=columns, words=words, quotes=quotes, quote_order=quote_order,
                  quote_chars=quote_chars, summaries=summaries, key=key,
                  sentences=sentences)[0]


def _build(store: Store, layers: list[Layer], *, rows, depth, row_defs, columns, words,
           quotes, quote_order, quote_chars, summaries, key: Key | None = None,
           sentences: bool = False) -> list[Matrix]:
    """One matrix per layer, sharing the loaded turns and speakers."""
    if quote_order not in ("length", "order"):
        raise QualcodeError(f"unknown quote order '{quote_order}'", hint="use length or order")
    out = []
    with store.snapshot() as db:
        codes = load_codes(db)
        if row_defs is None:
            row_defs = select_rows(codes, rows, depth)
        dims = resolve_dimensions(db, columns)
        all_coders = _own_coders(db)
        for layer in layers:  # an unknown coder fails before the turns are read
            _layer_filter(db, layer)
        ctx = _Context(db, dims, need_words=words, key=key, sentences=sentences)
        hide = key.apply if key else _same
        wanted = set().union(*(r.codes for r in row_defs)) if row_defs else set()
        summary_map = _summary_map(db, dims) if summaries else {}
        defs = [*row_defs, RowDef("*", "any of these codes", 0, frozenset(wanted), "total")]
        for layer in layers:
            codings = _coding_array(ctx, layer, wanted)
            results = _compute(ctx, codings, row_defs, words=words, quotes=quotes,
                               quote_order=quote_order, quote_chars=quote_chars)
            out_rows = []
            for rd, res in zip(defs, results, strict=True):
                if summary_map and rd.kind != "total":
                    for c, cl in enumerate(res["cells"]):
                        cl.summary = hide(summary_map.get((rd.code, ctx.columns[c][0])))
                out_rows.append(MatrixRow(rd.code, rd.label, rd.depth, rd.kind, res["cells"],
                                          res["total"], res["all_references"]))
            out.append(Matrix(
                dimensions=[d.name for d in dims],
                columns=[tuple(hide(v) if isinstance(v, str) else v for v in column)
                         for column in ctx.columns] if key else ctx.columns,
                column_words=ctx.column_words, column_informants=ctx.column_informants,
                column_sites=ctx.column_sites, rows=out_rows[:-1], total_row=out_rows[-1],
                layer=layer.describe(all_coders), coders=all_coders,
                total_words=ctx.total_words, total_informants=ctx.total_informants,
                layer_nb=layer.describe_nb(all_coders)))
    return out


def _same(value):
    return value


# --- output shapes ----------------------------------------------------------------------

def cell_text(cell: Cell, measure: str) -> str:
    if measure == "quotes":
        return "\n\n".join(f"«{q['text']}» — {q['attribution']} ({q['transcript']}, "
                           f"{_turns_text(q['turns'])})" for q in cell.quotes)
    if measure == "summaries":
        return cell.summary or ""
    value = cell.value(measure)
    if value is None:
        return ""
    if measure == "coverage":
        return f"{value:.1f}"
    return str(value)


def _turns_text(turns: list[int]) -> str:
    if not turns:
        return "no turn"
    if len(turns) == 1:
        return f"turn {turns[0]}"
    return f"turns {turns[0]}-{turns[-1]}"


def wide_records(matrix: Matrix, measure: str) -> tuple[list[str], list[dict]]:
    """One record per row (totals row last): code, label, depth, one key per column (its
    raw values joined by "|"), total. Numbers stay numbers; quotes and summaries become
    text."""
    headers = ["code", "label", "depth"] + \
        ["|".join(NOT_REPORTED if v is None else str(v) for v in key) or "all"
         for key in matrix.columns] + ["total"]
    records = []
    textual = measure in ("quotes", "summaries")
    for row in [*matrix.rows, matrix.total_row]:
        rec: dict[str, Any] = {"code": row.code, "label": row.label, "depth": row.depth}
        for i, cell in enumerate(row.cells):
            rec[headers[3 + i]] = cell_text(cell, measure) if textual else cell.value(measure)
        rec["total"] = cell_text(row.total, measure) if textual else row.total.value(measure)
        if measure == "summaries":
            rec["total"] = ""
        records.append(rec)
    return headers, records


def matrix_json(matrix: Matrix) -> dict:
    """The whole matrix as plain data (stable keys)."""
    def cell(c: Cell) -> dict:
        out = {m: c.value(m) for m in MEASURES}
        if c.quotes:
            out["quotes"] = c.quotes
        if c.summary is not None:
            out["summary"] = c.summary
        return out

    def row(r: MatrixRow) -> dict:
        return {"code": r.code, "label": r.label, "depth": r.depth, "kind": r.kind,
                "all_references": r.all_references,
                "cells": [cell(c) for c in r.cells], "total": cell(r.total)}

    return {
        "layer": matrix.layer, "dimensions": matrix.dimensions,
        "columns": [{"values": list(k), "label": matrix.column_label(i),
                     "words_spoken": matrix.column_words[i],
                     "informants": matrix.column_informants[i],
                     "sites": matrix.column_sites[i]}
                    for i, k in enumerate(matrix.columns)],
        "rows": [row(r) for r in matrix.rows], "totals": row(matrix.total_row),
        "words_spoken": matrix.total_words, "informants": matrix.total_informants,
        "counting_rules": COUNTING_RULES,
    }


def markdown_table(matrix: Matrix, measure: str) -> str:
    headers, records = wide_records(matrix, measure)
    shown = ["code", "label"] + [matrix.column_label(i) for i in range(len(matrix.columns))] \
        + ["total"]

    def esc(v: Any) -> str:
        text = "" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
        return text.replace("|", "\\|").replace("\n", "<br>")

    lines = ["| " + " | ".join(esc(h) for h in shown) + " |",
             "|" + "|".join(["---", "---"] + ["--:"] * (len(shown) - 2)) + "|"]
    for rec in records:
        label = ("&nbsp;&nbsp;" * rec["depth"]) + esc(rec["label"])
        code = rec["code"] if rec["code"] != "*" else "**total**"
        lines.append("| " + " | ".join([esc(code), label] + [esc(rec[h]) for h in headers[3:]])
                     + " |")
    return "\n".join(lines) + "\n"


# --- frequencies, presence, co-occurrence -----------------------------------------------

def frequencies(store: Store, *, rows: Iterable[str] | None = None, depth: int | None = None,
                layers: list[Layer] | None = None, words: bool = True) -> list[dict]:
    """Per code and layer: references (every united span, interviewer-only ones included),
    informants, transcripts, sites (by the matrix rules) and words coded (None without
    ``words``: counting the words of spans that cut a turn reads the transcripts' text).
    Default layers: each coder and the union of all coders."""
    if layers is None:
        layers = [Layer.coder(n) for n in coder_names(store)] + [Layer.union()]
    out = []
    matrices = _build(store, layers, rows=rows, depth=depth, row_defs=None, columns=(),
                      words=words, quotes=0, quote_order="length", quote_chars=None,
                      summaries=False)
    for layer, m in zip(layers, matrices, strict=True):
        name = layer.coders[0] if layer.kind == "coder" else \
            ("consensus" if layer.kind == "consensus" else "union")
        for r in m.rows:
            out.append({"code": r.code, "label": r.label, "depth": r.depth, "layer": name,
                        "references": r.all_references, "informants": r.total.informants,
                        "transcripts": r.total.transcripts, "sites": r.total.sites,
                        "words": r.total.words})
    return out


def presence(store: Store, *, rows: Iterable[str] | None = None, depth: int | None = None,
             layer: Layer | None = None, key: Key | None = None
             ) -> tuple[list[str], list[dict]]:
    """Persons × codes, 1 when a span of the code (or a code below it) is attributed to the
    person's turns, else 0; with the person's site, rolle and site and person attributes.
    With a pseudonym ``key``, every text value (ids, names) is shown replaced."""
    m = build_matrix(store, rows=rows or ["all"], depth=depth, columns=("person",),
                     layer=layer, words=False)
    with store.snapshot() as db:
        people = db.rows("SELECT pk, person_id, role, site_pk FROM person ORDER BY person_id")
        sites = dict(db.rows("SELECT pk, site_id FROM site"))
        site_attrs = attributes_of(db, "site")
        person_attrs = attributes_of(db, "person")
    site_names = sorted({k for v in site_attrs.values() for k in v})
    person_names = sorted({k for v in person_attrs.values() for k in v} - {"rolle"})
    col_of = {key[0]: i for i, key in enumerate(m.columns)}
    headers = ["person", "site", "rolle", *site_names, *person_names, *(r.code for r in m.rows)]
    records = []
    for pk, person_id, role, site_pk in people:
        rec: dict[str, Any] = {"person": person_id, "site": sites.get(site_pk), "rolle": role}
        for name in site_names:
            rec[name] = site_attrs.get(site_pk, {}).get(name)
        for name in person_names:
            rec[name] = person_attrs.get(pk, {}).get(name)
        col = col_of.get(person_id)
        for r in m.rows:
            rec[r.code] = int(col is not None and r.cells[col].references > 0)
        if key:
            rec = {k: key.apply(v) if isinstance(v, str) else v for k, v in rec.items()}
        records.append(rec)
    return headers, records


@dataclass
class Cooccurrence:
    codes: list[RowDef]
    unit: str  # span | turn
    size: list[int]  # spans (or turns) per code
    count: dict[tuple[int, int], int]  # (i, j), i < j
    jaccard: dict[tuple[int, int], float | None]
    related: set[tuple[int, int]]  # ancestor/descendant pairs: not compared
    layer: str

    def pairs(self) -> list[dict]:
        out = []
        n = len(self.codes)
        for i in range(n):
            for j in range(i + 1, n):
                if (i, j) in self.related:
                    continue
                out.append({"code_a": self.codes[i].code, "code_b": self.codes[j].code,
                            "count": self.count.get((i, j), 0),
                            "jaccard": self.jaccard.get((i, j)),
                            "n_a": self.size[i], "n_b": self.size[j]})
        out.sort(key=lambda p: (-p["count"], p["code_a"], p["code_b"]))
        return out


def cooccurrence(store: Store, *, rows: Iterable[str] | None = None, depth: int | None = None,
                 layer: Layer | None = None, unit: str = "span") -> Cooccurrence:
    """Code × code on one layer, each code united with the codes below it. ``span``: count =
    pairs of united spans (one of each code) that overlap; Jaccard = characters coded with
    both ÷ characters coded with either. ``turn``: count = informant turns touched by both
    codes; Jaccard = shared turns ÷ turns touched by either. A code and a code below it are
    not compared."""
    if unit not in ("span", "turn"):
        raise QualcodeError(f"unknown unit '{unit}'", hint="use span or turn")
    layer = layer or Layer.union()
    with store.snapshot() as db:
        codes = load_codes(db)
        row_defs = select_rows(codes, rows, depth)
        all_coders = _own_coders(db)
        ctx = _Context(db, [], need_words=False, with_turns=unit == "turn")
        wanted = set().union(*(r.codes for r in row_defs)) if row_defs else set()
        codings = _coding_array(ctx, layer, wanted)
    n = len(row_defs)
    related = {(i, j) for i in range(n) for j in range(i + 1, n)
               if row_defs[i].codes & row_defs[j].codes}
    sg, st, ss, se = _merged_spans(codings, [r.codes for r in row_defs], ctx.max_t)
    count: dict[tuple[int, int], int] = defaultdict(int)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    if unit == "span":
        size = np.bincount(sg, minlength=n).tolist()
        measure = np.bincount(sg, weights=se - ss, minlength=n).astype(np.int64).tolist()
        o = np.lexsort((ss, st))
        active: list[tuple[int, int, int]] = []
        current_t = None
        for t, s, e, g in zip(st[o].tolist(), ss[o].tolist(), se[o].tolist(), sg[o].tolist(),
                              strict=True):
            if t != current_t:
                active, current_t = [], t
            active = [x for x in active if x[0] > s]
            for ae, ag, _ in active:
                if ag == g:
                    continue
                key = (ag, g) if ag < g else (g, ag)
                if key in related:
                    continue
                count[key] += 1
                shared[key] += min(ae, e) - s
            active.append((e, g, s))
    else:
        pairs = _pairs(ctx, st, ss, se)
        keys = _unique(pairs["turn"] * max(n, 1) + sg[pairs["span"]])
        turn_of, group_of = keys // max(n, 1), keys % max(n, 1)
        size = np.bincount(group_of, minlength=n).tolist()
        measure = size
        heads = np.r_[0, np.flatnonzero(np.diff(turn_of)) + 1] if len(keys) else []
        bounds = list(heads) + [len(keys)]
        groups = group_of.tolist()
        for x in range(len(bounds) - 1):
            members = groups[bounds[x]:bounds[x + 1]]
            for p in range(len(members)):
                for q in range(p + 1, len(members)):
                    key = (members[p], members[q])
                    if key not in related:
                        count[key] += 1
                        shared[key] += 1
    jaccard: dict[tuple[int, int], float | None] = {}
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) in related:
                continue
            union = measure[i] + measure[j] - shared.get((i, j), 0)
            jaccard[(i, j)] = round(shared.get((i, j), 0) / union, 4) if union else None
    return Cooccurrence(row_defs, unit, size, dict(count), jaccard, related,
                        layer.describe(all_coders))


# --- researcher summaries (framework-matrix cells) --------------------------------------

SUMMARY = "summary"


def _summary_key(code: str, kind: str, case: str) -> str:
    return f"{code}|{kind}|{case}"


def _summary_map(db: Snapshot, dims: list[Dimension]) -> dict[tuple[str, str], str]:
    if len(dims) != 1 or dims[0].kind not in ("site", "person"):
        return {}
    kind = dims[0].kind
    out = {}
    for key, body in db.rows("SELECT about_key, body FROM memo WHERE about_type = ?",
                             (SUMMARY,)):
        code, k, case = (key or "").split("|", 2) if (key or "").count("|") >= 2 else \
            ("", "", "")
        if k == kind:
            out[(code, case)] = body
    return out


def set_summary(store: Store, code: str, *, site: str | None = None,
                person: str | None = None, text: str) -> str:
    """Store (or replace; empty text removes) the researcher's summary of what a site or a
    person says about a code — one framework-matrix cell. Returns the memo key."""
    from sqlmodel import select

    from qualcode import audit
    from qualcode.services.common import now
    from qualcode.store.models import Code, Memo, Person, Site

    if (site is None) == (person is None):
        raise QualcodeError("a summary is about one site or one person",
                            hint="give --site SITE or --person PERSON")
    kind, case = ("site", site) if site is not None else ("person", person)
    with store.write() as session:
        if session.exec(select(Code.pk).where(Code.code_id == code)).first() is None:
            raise not_found(f"no code '{code}'", code, session.exec(select(Code.code_id)).all(),
                            "see `qualcode codebook show`")
        model, column = (Site, Site.site_id) if kind == "site" else (Person, Person.person_id)
        if session.exec(select(model.pk).where(column == case)).first() is None:
            raise not_found(f"no {kind} '{case}'", case, session.exec(select(column)).all(),
                            "see `qualcode cases`")
        key = _summary_key(code, kind, case)
        row = session.exec(select(Memo).where(Memo.about_type == SUMMARY,
                                              Memo.about_key == key)).first()
        before = row.body if row else None
        stamp = now()
        text = text.strip()
        if not text:
            if row is not None:
                session.delete(row)
                audit.record(session, "remove", "summary", key, before={"body": before})
            return key
        if row is None:
            row = Memo(author=audit.current_actor(), about_type=SUMMARY, about_key=key,
                       body=text, created_at=stamp, updated_at=stamp)
        else:
            row.body, row.updated_at = text, stamp
        session.add(row)
        audit.record(session, "set", "summary", key,
                     before={"body": before} if before is not None else None,
                     after={"body": text})
    return key


def list_summaries(store: Store, code: str | None = None) -> list[dict]:
    from sqlmodel import select

    from qualcode.store.models import Memo

    with store.read() as session:
        rows = session.exec(select(Memo).where(Memo.about_type == SUMMARY)
                            .order_by(Memo.about_key)).all()
    out = []
    for m in rows:
        parts = (m.about_key or "").split("|", 2)
        if len(parts) != 3 or (code and parts[0] != code):
            continue
        out.append({"code": parts[0], "about": parts[1], "case": parts[2], "text": m.body,
                    "author": m.author, "updated": m.updated_at.isoformat(timespec="seconds")})
    return out
