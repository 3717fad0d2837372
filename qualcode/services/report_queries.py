"""The saved queries in the Word report: listed in the method chapter (name, the query as
written in the query language, what it means in plain Norwegian, and how many passages it
finds now), and with ``--queries`` a section each, with the passages by role and school
type and the longest of them, pseudonymised like every quote in the report.

The Norwegian reading is built from the parse tree, so it says what the query does, not
what its author meant: "LED AND rolle = radgiver" reads "utdrag kodet med Ledelse, sagt av
rådgivere".
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode import query_language as ql
from qualcode.pseudonyms import Key
from qualcode.services import matrix as mx
from qualcode.services.code_query import QueryResult
from qualcode.store import Store

COMPARISON_NB = {"<": "under", ">": "over", "<=": "høyst", ">=": "minst"}
QUOTES_PER_QUERY = 3


@dataclass
class SavedQuery:
    name: str
    query: str  # canonical form, as saved
    reading: str  # in Norwegian
    result: QueryResult | None  # None when the query no longer runs
    problem: str = ""  # why not, in the user's words


def _join_or(items: list[str]) -> str:
    """"a", "a eller b", "a, b eller c" (labels may hold "og" themselves)."""
    return ", ".join(items[:-1]) + " eller " + items[-1] if len(items) > 1 else "".join(items)


def _noun_plural(value: str) -> str | None:
    """Rektorer, rådgivere, videregående skoler: the plural of a known role or school type,
    however the value was spelt (radgiver, rådgiver, Rådgiver)."""
    from qualcode.services.retrieval import _fold

    forms = mx.NOUN_FORMS.get(_fold(value))
    return forms[1] if forms else None


def _condition_nb(condition: ql.Condition) -> str:
    values = list(condition.values)
    plurals = [_noun_plural(v) for v in values]
    known = all(plurals) and condition.op in ("=", "!=", "in")
    if known and condition.name in ("rolle", "role"):
        said = f"sagt av {_join_or(plurals)}"
        return f"ikke {said}" if condition.op == "!=" else said
    if known and condition.name == "skoleslag":
        where = f"fra {_join_or(plurals)}"
        return f"ikke {where}" if condition.op == "!=" else where
    if condition.op == "in":
        return f"der {condition.name} er {_join_or(values)}"
    if condition.op == "=":
        return f"der {condition.name} er {values[0]}"
    if condition.op == "!=":
        return f"der {condition.name} ikke er {values[0]}"
    return f"der {condition.name} er {COMPARISON_NB[condition.op]} {values[0]}"


def _chain(node: ql.Node, op: str) -> list[ql.Node]:
    """A AND B AND C as [A, B, C] (the parser nests to the left)."""
    if isinstance(node, ql.Combine) and node.op == op:
        return _chain(node.left, op) + _chain(node.right, op)
    return [node]


def _phrase(node: ql.Node, labels: dict[str, str]) -> str:
    if isinstance(node, ql.Code):
        return f"kodet med {labels.get(node.code_id, node.code_id)}"
    if isinstance(node, ql.Condition):
        return _condition_nb(node)
    if node.op == "AND":
        items = _chain(node, "AND")
        codes = [labels.get(i.code_id, i.code_id) for i in items if isinstance(i, ql.Code)]
        conditions = [_condition_nb(i) for i in items if isinstance(i, ql.Condition)]
        others = [_phrase(i, labels) for i in items if isinstance(i, ql.Combine)]
        coded = []
        if len(codes) == 1:
            coded.append(f"kodet med {codes[0]}")
        elif len(codes) == 2:
            coded.append(f"kodet med både {codes[0]} og {codes[1]}")
        elif codes:
            coded.append(f"kodet med {mx.join_nb(codes)} på samme sted")
        coded += others
        return ", ".join(part for part in (" og ".join(coded), *conditions) if part)
    if node.op == "OR":
        items = _chain(node, "OR")
        if all(isinstance(i, ql.Code) for i in items):
            return "kodet med " + _join_or([labels.get(i.code_id, i.code_id) for i in items])
        return "enten " + " eller ".join(_phrase(i, labels) for i in items)
    left, right = _phrase(node.left, labels), _phrase(node.right, labels)
    if node.op == "NOT":
        return f"{left}, men ikke der de overlapper utdrag {right}"
    if node.op == "IN":
        return f"{left}, som ligger helt innenfor utdrag {right}"
    turns = "replikk" if node.distance == 1 else "replikker"
    return (f"{left} og utdrag {right}, når de ligger høyst {node.distance} {turns} fra "
            "hverandre i samme intervju")


def reading_nb(text: str, labels: dict[str, str]) -> str:
    """A query in plain Norwegian, from its parse tree; ``labels`` names the codes."""
    return "utdrag " + _phrase(ql.parse(text), labels)


def run_saved(store: Store, labels: dict[str, str], layer: mx.Layer) -> list[SavedQuery]:
    """Every saved query, run now over the report's coders. One that no longer runs (a code
    since renamed or removed) is kept with the reason, so the report still says it exists."""
    from qualcode.domain.errors import QualcodeError
    from qualcode.services.code_query import run_query, saved_queries

    coders = list(layer.coders) if layer.kind != "consensus" and layer.coders else None
    found = []
    for saved in saved_queries(store):
        reading = reading_nb(saved["query"], labels)
        try:
            result = run_query(store, saved["query"], coders=coders)
        except QualcodeError as exc:
            found.append(SavedQuery(saved["name"], saved["query"], reading, None, str(exc)))
            continue
        found.append(SavedQuery(saved["name"], saved["query"], reading, result))
    return found


def _code_run(paragraph, text: str) -> None:
    """A query as written, in a fixed-width face a little smaller than the text around it."""
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.name = "Consolas"
    run.font.size = Pt(9)


def _count_nb(n: int) -> str:
    from qualcode.reports.docx import nb_int

    return f"{nb_int(n)} utdrag"


def add_saved_queries(doc, found: list[SavedQuery], sections: bool, key: Key | None) -> None:
    """The method chapter's list of saved queries. A query may name a school or a person
    (site = …): the key is applied to all of it."""
    if not found:
        return
    hide = key.apply if key else (lambda text: text)
    doc.add_heading("Lagrede spørringer", level=2)
    intro = ("Spørringene nedenfor er lagret i prosjektet (qualcode queries). For hver står "
             "navnet, spørringen slik den er skrevet i spørrespråket, hva den betyr, og hvor "
             "mange utdrag den finner i materialet slik det er kodet nå.")
    if sections:
        intro += " Hver spørring har et eget avsnitt i kapittelet «Lagrede spørringer»."
    doc.add_paragraph(intro)
    for q in found:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(hide(q.name)).bold = True
        para.add_run(": ")
        _code_run(para, hide(q.query))
        text = f" – {hide(q.reading[:1].upper() + q.reading[1:])}"
        if q.result is None:
            text += f". Kan ikke kjøres nå ({hide(q.problem)})."
        else:
            text += f" ({_count_nb(len(q.result.passages))})."
        para.add_run(text)


def add_query_chapter(doc, found: list[SavedQuery], columns: list[str], key: Key | None,
                      table_no: list[int], width: float) -> int:
    """A section per saved query: its passages by ``columns`` (passages, informants in
    parentheses) and its longest passages, attributed by role and school type. Returns the
    number of tables written."""
    from qualcode.services.code_query import query_matrix
    from qualcode.services.report import _caption

    runnable = [q for q in found if q.result is not None]
    if not runnable:
        return 0
    hide = key.apply if key else (lambda text: text)
    doc.add_heading("Lagrede spørringer", level=1)
    doc.add_paragraph(
        "Kapittelet viser hva hver lagret spørring finner: utdragene fordelt på "
        f"{' og '.join(columns)} (antall informanter i parentes) og de lengste utdragene. "
        "Et utdrag som omfatter replikker fra flere kolonner, telles i hver av dem.")
    tables = 0
    for q in runnable:
        doc.add_heading(hide(q.name), level=2)
        para = doc.add_paragraph()
        _code_run(para, hide(q.query))
        para.add_run(f" – {hide(q.reading[:1].upper() + q.reading[1:])}. Spørringen finner "
                     f"{_count_nb(len(q.result.passages))}.")
        if not q.result.passages:
            continue
        m = query_matrix(q.result, columns)
        table_no[0] += 1
        tables += 1
        _caption(doc, f"Tabell {table_no[0]}. Spørringen «{hide(q.name)}»: utdrag etter "
                      f"{' og '.join(columns)} (antall informanter i parentes).")
        _matrix_table(doc, m, width, hide)
        doc.add_paragraph(
            "Radene er kodene spørringen nevner (med kodene under dem) og alle treff; et "
            "utdrag med flere av kodene telles i hver av radene. – = ingen utdrag.",
            style="Tabellnote")
        longest = sorted(q.result.passages, key=lambda p: (-len(p["text"]), p["transcript"],
                                                           p["start"]))[:QUOTES_PER_QUERY]
        for p in longest:
            doc.add_paragraph(f"{hide(p['attribution']) or 'Ukjent taler'}:",
                              style="Sitatinnledning")
            doc.add_paragraph(mx.shorten(hide(p["text"]), 550), style="Quote")
    return tables


def _column_order(m: dict) -> list[list[str]]:
    """Columns in the report's order: rektor, rådgiver, lærer, then the rest, and values
    not reported last."""
    def key(column: list[str]) -> tuple:
        return tuple(mx._sort_key(mx.Dimension(dim, "role" if dim in ("rolle", "role")
                                               else "attribute"),
                                  None if value == "—" else value)
                     for dim, value in zip(m["cols"], column, strict=True))

    return sorted(m["columns"], key=key)


def _matrix_table(doc, m: dict, width: float, hide) -> None:
    from qualcode.reports.docx import cant_split, clean_table, repeat_header
    from qualcode.services.report import (
        HEADER_FILL,
        _header_text,
        _set_cell_border,
        _set_cell_fill,
    )
    from qualcode.services.report import _write as write

    columns = _column_order(m)
    ncols = len(columns)
    label_w = min(5.0, width * 0.3)
    cell_w = (width - label_w) / max(ncols, 1)
    table = clean_table(doc, 1 + len(m["rows"]), [label_w] + [cell_w] * ncols)
    write(table.rows[0].cells[0], "Kode", bold=True)
    for j, column in enumerate(columns):
        # one line per attribute; long school types may break at their soft hyphens
        shown = "\n".join(_header_text(dim, None if value == "—" else value)
                          for dim, value in zip(m["cols"], column, strict=True))
        write(table.rows[0].cells[1 + j], hide(shown), bold=True, align="right", size=8.5)
    repeat_header(table.rows[0])
    for cell in table.rows[0].cells:
        _set_cell_fill(cell, HEADER_FILL)
        _set_cell_border(cell, "bottom", 8)
    cells = {(c["row"], tuple(c[k] for k in m["cols"])): c for c in m["cells"]}
    for row, code in zip(table.rows[1:], m["rows"], strict=True):
        cant_split(row)
        total = code == "alle treff"
        write(row.cells[0], "Alle treff" if total else code, bold=total)
        for j, column in enumerate(columns):
            c = cells[code, tuple(column)]
            write(row.cells[1 + j], f"{c['passages']} ({c['informants']})" if c["passages"]
                  else "–", align="right", bold=total)
