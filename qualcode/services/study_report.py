"""What the study report holds, computed: the counts of every area by role and school type,
the quotes each chapter shows (chosen so that no passage is quoted twice), the researchers'
summaries, co-occurrence, the saved queries run now, the memos, the coders' agreement and
stability, and the facts of the material. Plain data, no words of the report and no Word:
:mod:`qualcode.reports.study` composes the report from :func:`report_data`.

Counts and quotes are the matrices' (:mod:`qualcode.services.matrix`): a row is a code with
the codes under it, a quote is whole sentences of the longest coded passages per role."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qualcode.domain.errors import QualcodeError
from qualcode.domain.times import stored_time
from qualcode.pseudonyms import Key
from qualcode.services import matrix as mx
from qualcode.services.code_query import QueryResult
from qualcode.services.memos import KINDS, PROJECT
from qualcode.store import Store
from qualcode.store import reading as store_reading

ANALYTIC_FAMILY = "analytisk"
# Quotes kept per cell beyond those shown: the next best, when a passage is already quoted
# in the chapter or holds nothing but fillers.
QUOTE_RESERVE = 6
QUOTES_PER_QUERY = 3
TOP_PAIRS = 15
MEMO_KINDS = (PROJECT, "code", "transcript", "person", "site")  # the appendix's order


@dataclass
class SavedQuery:
    name: str
    query: str  # canonical form, as saved
    result: QueryResult | None  # None when the query no longer runs
    problem: str = ""  # why not, in the user's words
    matrix: dict | None = None  # passages by the report's columns (with --queries)
    columns: list[list[str]] = field(default_factory=list)  # the matrix's, in report order
    longest: list[dict] = field(default_factory=list)  # the passages to quote


@dataclass
class ReportMemo:
    kind: str  # project, code, transcript, person or site
    about: str  # the id of what it is about ("" for the journal)
    title: str | None
    text: str
    author: str | None
    written: date
    # What the memo is about, for the report to name it: a code's label, an informant's
    # role and school, a school's or an interview's name (pseudonymised), the id.
    subject: dict[str, Any] = field(default_factory=dict)


@dataclass
class Chapter:
    area: mx.CodeInfo
    children: list[mx.CodeInfo]
    intro_quotes: list[dict]  # the block quotes under the summary, one per role at most
    entries: list[tuple[tuple[str, str], str, str]]  # framework rows: key, label, code id
    shown: list[tuple[tuple[str, str], str, str]]  # the entries with a quote or a repeat
    quotes: dict[tuple, list[dict]]  # (entry key, role column) → the quotes shown
    repeats: set[tuple]  # (entry key, role column) coded, but every passage quoted above


@dataclass
class StudyData:
    title: str
    project: str
    today: date
    codebook: dict  # name, version, title of the codebook loaded ({} when none)
    n_codes: int
    coders: list[str]
    layer: mx.Layer
    columns: list[str]
    facts: dict
    chapters: list[Chapter]
    appendix: list[mx.CodeInfo]
    counts: mx.Matrix  # every area's rows by the report's columns
    appendix_counts: mx.Matrix | None
    by_role: mx.Matrix  # quotes per role
    by_school: mx.Matrix | None
    summaries: mx.Matrix  # researchers' summaries per school
    person_summaries: mx.Matrix | None
    quote_roles: list[int]  # the role columns quotes are shown for
    cooccurrence: Any  # areas × areas
    pairs: list[dict]  # the most frequent pairs of codes under the areas
    pair_labels: dict[str, str]
    saved: list[SavedQuery]
    agreement: dict | None
    stability: list[dict]
    memos: dict[str, list[ReportMemo]] | None  # None unless asked for
    by_pk: dict[int, mx.CodeInfo]
    hide: Callable[[str], str]  # the pseudonym key, for what the report writes itself
    provenance: bool = False
    identifiable: bool = False
    figures: bool = True
    queries: bool = False
    areas_named: bool = False

    @property
    def counts_rows(self) -> dict:
        return {(r.code, r.kind): r for r in self.counts.rows}


def area_defs(codes: list[mx.CodeInfo], areas: list[str] | None) -> list[mx.CodeInfo]:
    """The areas that get a chapter: those named, or by default the quality model's areas
    and every other thematic family (the cross-cutting themes); a family named
    ``analytisk`` (level, quality concept, interview context) classifies passages rather
    than being a theme, and goes to an appendix instead (:func:`appendix_defs`)."""
    by_id = {c.id: c for c in codes}
    families = {c.family for c in codes if c.depth == 0 and c.family}
    if not areas:
        tops = [c for c in codes if c.depth == 0 and not c.archived]
        if "kvalitetsmodellen" not in families:
            return [c for c in tops if c.family != ANALYTIC_FAMILY]
        return ([c for c in tops if c.family == "kvalitetsmodellen"]
                + [c for c in tops if c.family not in ("kvalitetsmodellen", ANALYTIC_FAMILY)])
    chosen: list[mx.CodeInfo] = []
    for spec in (a.strip() for item in areas for a in item.split(",") if a.strip()):
        if spec in by_id:
            chosen.append(by_id[spec])
        elif spec in families:
            chosen.extend(c for c in codes if c.depth == 0 and c.family == spec)
        else:
            mx.select_rows(codes, [spec])  # raises the helpful NotFoundError
    unique = {c.pk: c for c in chosen}  # keep order, drop repeats
    return list(unique.values())


def appendix_defs(codes: list[mx.CodeInfo], areas: list[str] | None) -> list[mx.CodeInfo]:
    """The analytic families' top codes, counted in an appendix (only by default: areas
    named on the command line are the whole report)."""
    if areas:
        return []
    return [c for c in codes if c.depth == 0 and not c.archived
            and c.family == ANALYTIC_FAMILY]


def _row_defs(areas: list[mx.CodeInfo], by_pk: dict) -> list[mx.RowDef]:
    """Each area's children, the area's own codings, and the area with everything below."""
    row_defs: list[mx.RowDef] = []
    for area in areas:
        for child_pk in area.children:
            child = by_pk[child_pk]
            row_defs.append(mx.RowDef(child.id, child.label, 1,
                                      frozenset(mx._subtree(by_pk, child_pk))))
        row_defs.append(mx.RowDef(area.id, area.label, 1, frozenset([area.pk]), "own"))
        row_defs.append(mx.RowDef(area.id, area.label, 0,
                                  frozenset(mx._subtree(by_pk, area.pk))))
    return row_defs


def project_facts(store: Store) -> dict:
    """Schools, informants (with their attributes), interview formats, transcripts and
    words of the material."""
    from qualcode.services.overview import list_cases

    cases = list_cases(store)
    with store.snapshot() as db:
        formats, n_transcripts, words = store_reading.material(db)
    facts = {"sites": cases["sites"], "persons": cases["persons"],
             "formats": Counter(formats), "transcripts": n_transcripts, "words": words}
    kinds = Counter(s.get("skoleslag") for s in facts["sites"])
    facts["school_kinds"] = sorted(((k, n) for k, n in kinds.items() if k is not None),
                                   key=lambda kv: str(kv[0]))
    facts["format_counts"] = sorted(facts["formats"].items(), key=lambda kv: -kv[1])
    roles = Counter(p.get("rolle") for p in facts["persons"])
    facts["role_counts"] = sorted(roles.items(), key=lambda kv: mx._sort_key(
        mx.Dimension("rolle", "role"), kv[0]))
    return facts


class QuotedPassages:
    """The text a chapter has quoted, by transcript, so that no passage is quoted twice:
    not the same coding for two codes, nor an overlapping one for another role."""

    def __init__(self) -> None:
        self.ranges: dict[str, list[tuple[int, int]]] = {}

    def fresh(self, q: dict) -> bool:
        taken = self.ranges.get(q["transcript"], [])
        return bool(q["text"]) and not any(a < tb and ta < b for a, b in q["shown"]
                                           for ta, tb in taken)

    def take(self, candidates: list[dict], n: int) -> list[dict]:
        """The first ``n`` fresh candidates (best first), now quoted."""
        chosen = []
        for q in candidates:
            if len(chosen) == n:
                break
            if self.fresh(q):
                chosen.append(q)
                self.ranges.setdefault(q["transcript"], []).extend(q["shown"])
        return chosen


def quote_roles(by_role: mx.Matrix) -> list[int]:
    return [i for i, key in enumerate(by_role.columns)
            if key[0] is not None and by_role.column_informants[i] > 0]


def _chapter(area, by_pk, role_rows, by_role, top: int) -> Chapter:
    """The quotes of an area's chapter: first the framework table's, per row and role the
    ``top`` longest that say something (not only fillers); then a block quote per role
    from the area's passages not quoted in the table."""
    entries = [((by_pk[pk].id, "code"), by_pk[pk].label, by_pk[pk].id) for pk in area.children]
    entries.append(((area.id, "own"), area.label, area.id))
    quoted = QuotedPassages()
    used: dict[tuple, list[dict]] = {}
    repeats: set[tuple] = set()
    for key, _, _ in entries:
        row = role_rows[key]
        for c in range(len(by_role.columns)):
            candidates = row.cells[c].quotes
            used[(key, c)] = quoted.take(candidates, top)
            if not used[(key, c)] and any(q["text"] for q in candidates):
                repeats.add((key, c))  # coded, but every passage is quoted above
    roles = quote_roles(by_role)
    area_row = role_rows[(area.id, "code")]
    intro = [q for c in roles for q in quoted.take(area_row.cells[c].quotes, 1)]
    shown = [e for e in entries if any(used.get((e[0], i)) for i in roles)
             or any((e[0], i) in repeats for i in roles)]
    return Chapter(area, [by_pk[pk] for pk in area.children], intro, entries, shown, used,
                   repeats)


def agreement_numbers(store: Store) -> dict | None:
    """The coders' agreement, when two or more coded independently: pooled Krippendorff's
    alpha and Cohen's/Fleiss' kappa over characters, with the bootstrap interval, as the
    supervisor's agreement report computes them."""
    from qualcode.services.agreement_report import agreement

    try:
        result = agreement(store, bootstrap=1000, seed=0)
    except QualcodeError:
        return None  # fewer than two coders, or nothing both coded
    coders, pooled = result["coders"], result["pooled"]
    if len(coders) < 2 or not pooled or pooled.get("alpha") is None:
        return None
    return {"coders": list(coders), "label": pooled["label"], "alpha": pooled["alpha"],
            "interval": pooled.get("interval") or {}, "kappa": pooled.get("kappa"),
            "kappa_kind": pooled.get("kappa_kind"), "alpha_band": pooled.get("alpha_band")}


def _saved_queries(store: Store, layer: mx.Layer, columns: list[str], sections: bool
                   ) -> list[SavedQuery]:
    """Every saved query, run now over the report's coders. One that no longer runs (a code
    since renamed or removed) is kept with the reason, so the report still says it exists.
    With ``sections`` each runnable query's passages are counted by ``columns``."""
    from qualcode.services.code_query import query_matrix, run_query, saved_queries

    coders = list(layer.coders) if layer.kind != "consensus" and layer.coders else None
    found = []
    for saved in saved_queries(store):
        try:
            result = run_query(store, saved["query"], coders=coders)
        except QualcodeError as exc:
            found.append(SavedQuery(saved["name"], saved["query"], None, str(exc)))
            continue
        q = SavedQuery(saved["name"], saved["query"], result)
        if sections and result.passages:
            q.matrix = query_matrix(result, columns)
            q.columns = _column_order(q.matrix)
            q.longest = sorted(result.passages, key=lambda p: (
                -len(p["text"]), p["transcript"], p["start"]))[:QUOTES_PER_QUERY]
        found.append(q)
    return found


def _column_order(m: dict) -> list[list[str]]:
    """Columns in the report's order: rektor, rådgiver, lærer, then the rest, and values
    not reported last."""
    def key(column: list[str]) -> tuple:
        return tuple(mx._sort_key(mx.Dimension(dim, "role" if dim in ("rolle", "role")
                                               else "attribute"),
                                  None if value == "—" else value)
                     for dim, value in zip(m["cols"], column, strict=True))

    return sorted(m["columns"], key=key)


def report_memos(store: Store, key: Key | None, *, identifiable: bool = False
                 ) -> dict[str, list[ReportMemo]]:
    """The memos of each section in the appendix's order: the project's journal, then
    memos on codes (in codebook order), interviews, informants and schools. Every text
    passes through the pseudonym ``key``, and so do the names of schools and interviews a
    memo is about; unless ``identifiable`` the report names an informant by role and
    school and an interview by its title, never by an id such as ``nordvik_rektor``,
    which the key does not reach."""
    hide = key.apply if key else (lambda text: text)
    with store.snapshot() as db:
        rows = store_reading.memos_about(db, (PROJECT, *KINDS))
        codes = mx.load_codes(db)
        persons = store_reading.person_places(db)
        sites = store_reading.site_names(db)
        titles = store_reading.transcript_titles(db)
    code_order = {c.id: i for i, c in enumerate(codes)}
    labels = {c.id: c.label for c in codes}

    def subject(kind: str, id_: str | None) -> dict:
        if kind == "code":  # the codebook's words, which name no one
            return {"id": id_, "label": labels.get(id_, id_)}
        if kind == "person":
            role, site_id, site_name = persons.get(id_, (None, None, None))
            if not identifiable:
                return {"role": role, "site": hide(site_name) if site_name else None}
            return {"id": id_, "role": role, "site": site_name or site_id}
        if kind == "site":
            name = sites.get(id_)
            return {"id": id_, "name": name if identifiable or not name else hide(name)}
        if kind == "transcript":
            title = titles.get(id_)
            return {"id": id_, "title": title if identifiable or not title else hide(title)}
        return {}

    def order(row: tuple) -> tuple:
        kind, id_, _, _, _, created, pk = row
        place = code_order.get(id_, len(code_order)) if kind == "code" else 0
        return (place, id_ or "", stored_time(created), pk)

    by_kind: dict[str, list[ReportMemo]] = defaultdict(list)
    for row in sorted(rows, key=order):
        kind, id_, title, body, author, created, _ = row
        by_kind[kind].append(ReportMemo(kind, id_ or "", hide(title), hide(body),
                                        hide(author), stored_time(created).date(),
                                        subject(kind, id_)))
    return {kind: by_kind[kind] for kind in MEMO_KINDS if by_kind[kind]}


def report_data(store: Store, *, areas: list[str] | None = None,
                columns: list[str] | None = None, layer: mx.Layer | None = None,
                top: int = 1, provenance: bool = False, title: str | None = None,
                today: date | None = None, key: Key | None = None,
                identifiable: bool = False, memos: bool = False, figures: bool = True,
                queries: bool = False) -> StudyData:
    """Everything the study report shows. With a pseudonym ``key`` every quote and name is
    replaced. ``top``: quotes per code and role in the framework tables."""
    from qualcode.services.overview import codebook_info
    from qualcode.services.stability import stability_rounds

    layer = layer or mx.Layer.union()
    with store.snapshot() as db:
        codes = mx.load_codes(db)
        attribute_names = mx.attribute_names(db)
    area_codes = area_defs(codes, areas)
    if columns is None:
        columns = ["rolle", "skoleslag"] if "skoleslag" in attribute_names["site"] else ["rolle"]
    by_pk = {c.pk: c for c in codes}
    info = codebook_info(store) or {}
    all_coders = mx.coder_names(store)
    facts = project_facts(store)

    # One pass per matrix shape over every area's rows.
    row_defs = _row_defs(area_codes, by_pk)
    counts = mx.build_matrix(store, row_defs=row_defs, columns=columns, layer=layer,
                             words=False, key=key)
    if not areas:  # a theme beside the quality model gets a chapter only when coded
        coded = {r.code for r in counts.rows if r.kind == "code" and r.total.references}
        kept = [a for a in area_codes if a.family == "kvalitetsmodellen" or a.id in coded]
        if len(kept) < len(area_codes):
            # The counts stay as built: an uncoded theme's rows are only left unread, and
            # it adds nothing to the totals. The other matrices are built for the kept.
            area_codes = kept
            row_defs = _row_defs(area_codes, by_pk)
    appendix = appendix_defs(codes, areas)
    appendix_counts = mx.build_matrix(store, row_defs=_row_defs(appendix, by_pk),
                                      columns=columns, layer=layer, words=False, key=key) \
        if appendix else None
    if appendix_counts is not None:
        coded = {r.code for r in appendix_counts.rows if r.kind == "code"
                 and r.total.references}
        appendix = [a for a in appendix if a.id in coded]
    by_role = mx.build_matrix(store, row_defs=row_defs, columns=["rolle"], layer=layer,
                              words=False, quotes=top + QUOTE_RESERVE, quote_chars=None,
                              key=key, sentences=True)
    by_school = mx.build_matrix(store, row_defs=row_defs, columns=["skoleslag"], layer=layer,
                                words=False, key=key) \
        if "skoleslag" in attribute_names["site"] else None
    summaries = mx.build_matrix(store, row_defs=row_defs, columns=["site"], layer=layer,
                                words=False, summaries=True, key=key)
    with store.snapshot() as db:
        any_person_summary = store_reading.any_person_summary(db)
    person_summaries = mx.build_matrix(store, row_defs=row_defs, columns=["person"],
                                       layer=layer, words=False, summaries=True, key=key) \
        if any_person_summary else None

    role_rows = {(r.code, r.kind): r for r in by_role.rows}
    chapters = [_chapter(area, by_pk, role_rows, by_role, top) for area in area_codes]

    ids = [a.id for a in area_codes]
    co = mx.cooccurrence(store, rows=ids, depth=0, layer=layer, unit="span")
    pairs_co = mx.cooccurrence(store, rows=ids, layer=layer, unit="span")
    depth_of = {r.code: r.depth for r in pairs_co.codes}
    pairs = [p for p in pairs_co.pairs()
             if depth_of[p["code_a"]] >= 1 and depth_of[p["code_b"]] >= 1
             and p["count"]][:TOP_PAIRS]

    return StudyData(
        title=title or info.get("title") or "",
        project=store.name, today=today or date.today(), codebook=info,
        n_codes=len(codes), coders=all_coders, layer=layer, columns=columns, facts=facts,
        chapters=chapters, appendix=appendix, counts=counts, appendix_counts=appendix_counts,
        by_role=by_role, by_school=by_school, summaries=summaries,
        person_summaries=person_summaries, quote_roles=quote_roles(by_role),
        cooccurrence=co, pairs=pairs, pair_labels={r.code: r.label for r in pairs_co.codes},
        saved=_saved_queries(store, layer, columns, queries),
        agreement=agreement_numbers(store), stability=stability_rounds(store),
        memos=report_memos(store, key, identifiable=identifiable) if memos else None,
        by_pk=by_pk, hide=key.apply if key else (lambda text: text),
        provenance=provenance, identifiable=identifiable, figures=figures, queries=queries,
        areas_named=bool(areas))
