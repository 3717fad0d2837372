"""The Word report's optional appendix "Memoer": the researchers' memos, which is how a
qualitative analysis is written up beside its counts and quotes.

The project's journal comes first, dated and oldest first; then memos on codes in
codebook order, on interviews, on informants and on schools. Memos are research notes and
may name people and places, so every title, text and name of what a memo is about passes
through the same pseudonym key as the quotes (none with ``--identifiable``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from qualcode.domain.times import stored_time
from qualcode.pseudonyms import Key
from qualcode.reports.docx import nb_date
from qualcode.services import matrix as mx
from qualcode.services.memos import KINDS, PROJECT
from qualcode.store import Store

HEADING = "Vedlegg: Memoer"
SECTIONS = (  # (kind, heading) in the appendix's order
    (PROJECT, "Forskningslogg"),
    ("code", "Memoer om koder"),
    ("transcript", "Memoer om intervjuer"),
    ("person", "Memoer om informanter"),
    ("site", "Memoer om skoler"),
)


@dataclass
class ReportMemo:
    about: str  # the id of what it is about ("" for the journal)
    subject: str  # what it is about, as the report names it
    title: str | None
    text: str
    author: str | None
    written: str  # the date in Norwegian ("4. desember 2026")


def report_memos(store: Store, key: Key | None, *, identifiable: bool = False
                 ) -> dict[str, list[ReportMemo]]:
    """The memos of each section in the appendix's order. Every text passes through the
    pseudonym ``key``, and unless ``identifiable`` what a memo is about is named as the
    report names people and places (an informant by role and school, an interview by its
    title), never by an id such as ``nordvik_rektor``, which the key does not reach."""
    hide = key.apply if key else (lambda text: text)
    with store.snapshot() as db:
        rows = db.rows("SELECT about_type, about_key, title, body, author, created_at, pk "
                       "FROM memo WHERE about_type IN (?, ?, ?, ?, ?)", (PROJECT, *KINDS))
        codes = mx.load_codes(db)
        persons = {pid: (role, site_id, name) for pid, role, site_id, name in db.rows(
            "SELECT p.person_id, p.role, s.site_id, s.name FROM person p "
            "LEFT JOIN site s ON s.pk = p.site_pk")}
        sites = dict(db.rows("SELECT site_id, name FROM site"))
        titles = dict(db.rows("SELECT name, title FROM transcript"))
    code_order = {c.id: i for i, c in enumerate(codes)}
    labels = {c.id: c.label for c in codes}

    def subject(kind: str, id_: str | None) -> str:
        if kind == "code":  # the codebook's words, which name no one
            return f"{labels.get(id_, id_)} ({id_})"
        if kind == "person":
            role, site_id, site_name = persons.get(id_, (None, None, None))
            school = site_name or site_id
            if not identifiable:
                shown = mx.role_display(role) if role else "informant"
                return ", ".join(v for v in (shown[:1].upper() + shown[1:],
                                             hide(site_name) if site_name else None) if v)
            said = ", ".join(v for v in (role, school) if v)
            return f"{id_} ({said})" if said else str(id_)
        if kind == "site":
            name = sites.get(id_)
            if not identifiable:
                return hide(name) if name else "Skole"
            return f"{name} ({id_})" if name else str(id_)
        if kind == "transcript":
            title = titles.get(id_)
            if not identifiable:
                return hide(title) if title else "Intervju"
            return f"{id_}: {title}" if title else str(id_)
        return ""

    def order(row: tuple) -> tuple:
        kind, id_, _, _, _, created, pk = row
        place = code_order.get(id_, len(code_order)) if kind == "code" else 0
        return (place, id_ or "", stored_time(created), pk)

    by_kind: dict[str, list[ReportMemo]] = defaultdict(list)
    for row in sorted(rows, key=order):
        kind, id_, title, body, author, created, _ = row
        by_kind[kind].append(ReportMemo(id_ or "", subject(kind, id_), hide(title),
                                        hide(body), hide(author),
                                        nb_date(stored_time(created).date())))
    return {kind: by_kind[kind] for kind, _ in SECTIONS if by_kind[kind]}


def add_memo_appendix(doc, store: Store, key: Key | None, *, identifiable: bool = False
                      ) -> int:
    """Write the appendix at the end of ``doc`` (the caller starts its section); the
    number of memos it holds."""
    doc.add_heading(HEADING, level=1)
    found = report_memos(store, key, identifiable=identifiable)
    if not found:
        doc.add_paragraph("Prosjektet har ingen memoer.")
        return 0
    doc.add_paragraph(
        "Memoene er forskernes egne notater fra analysen, gjengitt som de er skrevet: først "
        "forskningsloggen, datert og i den rekkefølgen den ble ført, deretter memoer om "
        "koder, intervjuer, informanter og skoler. " + (
            "Navn i memoene er ikke erstattet." if identifiable else
            "Navn i memoene er erstattet med pseudonymer på samme måte som i sitatene, og "
            "informanter og intervjuer er omtalt ved rolle, skole og tittel."))
    headings = dict(SECTIONS)
    for kind, memos in found.items():
        doc.add_heading(headings[kind], level=2)
        previous = None
        for memo in memos:
            # A heading per thing, even where two read alike (two teachers of one school).
            if kind != PROJECT and memo.about != previous:
                doc.add_heading(memo.subject, level=3)
            previous = memo.about
            _memo(doc, memo, dated_heading=kind == PROJECT)
    return sum(len(memos) for memos in found.values())


def _memo(doc, memo: ReportMemo, *, dated_heading: bool) -> None:
    """One memo: a line with its date, title and author, then its paragraphs (a blank line
    in the memo starts a new paragraph; a single line break stays a line break)."""
    from docx.shared import Pt

    lead = doc.add_paragraph(style="Sitatinnledning")
    when = lead.add_run(memo.written)
    when.bold = dated_heading
    if memo.title:
        lead.add_run(f" · {memo.title}").bold = True
    if memo.author:
        lead.add_run(f" · {memo.author}").italic = True
    paragraphs = [p for p in memo.text.split("\n\n") if p.strip()]
    for i, text in enumerate(paragraphs):
        para = doc.add_paragraph()
        lines = text.strip("\n").split("\n")
        para.add_run(lines[0])
        for line in lines[1:]:
            run = para.add_run()
            run.add_break()
            run.add_text(line)
        para.paragraph_format.space_after = Pt(10 if i == len(paragraphs) - 1 else 4)
