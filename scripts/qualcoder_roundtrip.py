"""Check qualcode's REFI-QDA exchange against QualCoder's own importer and exporter.

    1. a qualcode project -> ``qualcode export qdpx`` -> QualCoder's importer
       (``RefiImport``) -> QualCoder's SQLite, compared with the qualcode project;
    2. that QualCoder project, with what a QualCoder user adds (a category, an
       annotation, a journal entry, a file attribute, a text with emoji; see
       :func:`add_qualcoder_work`) -> QualCoder's exporter (``RefiExport``) -> ``qualcode
       import`` into a new project, compared with QualCoder's SQLite.

Compared: every transcript's text; every coding's transcript, code, coder, span, quoted
text and memo; the codes and their parents; the coders; memos; the attributes of schools,
informants and interviews; an annotation's passage; how many case-to-transcript links
survive. Each difference is printed; the counts come last.

QualCoder is not on PyPI and CI cannot fetch it, so CI does not run this. To run it:

    git clone https://github.com/ccbogel/QualCoder          # its source
    python3 -m venv qc-venv && qc-venv/bin/pip install pyqt6 pymupdf pillow
    QT_QPA_PLATFORM=offscreen qc-venv/bin/python scripts/qualcoder_roundtrip.py \\
        QualCoder/src example-output/example.qualcode.db check-dir

with ``qualcode`` on PATH (or ``--qualcode path/to/qualcode``); ``scripts/run_example.sh``
makes ``example-output/example.qualcode.db``, and any qualcode project will do. The script
runs in QualCoder's environment, not qualcode's: it drives QualCoder's classes with their
dialogs answered in advance (the rest of QualCoder's requirements, for its language-model
and media features, are not needed), and reads both projects' SQLite files with the
standard library and qualcode's own text rule.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

# qualcode's own rule for the text it stores (no database, no third-party imports)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qualcode.domain.text import normalise_text  # noqa: E402
from qualcode.importers.refi_codebook import ID_LINE, code_label  # noqa: E402

# --- QualCoder, driven without a window --------------------------------------------------

_QT_APP = None


class _App:
    """What QualCoder's REFI classes ask of its application object, and nothing more."""

    version = "QualCoder (driven by qualcode's exchange check)"

    def __init__(self, project: Path) -> None:
        self.project_path = str(project)
        self.project_name = project.name
        self.conn = sqlite3.connect(project / "data.qda")
        self.settings = {"directory": str(project.parent), "codername": "default",
                         "ai_enable": "False", "fontsize": 10, "font": "sans"}
        self.ai_models: list = []

    def write_config_ini(self, *_args) -> None:  # the import renames the coder in settings
        pass

    def get_annotations(self) -> list[dict]:
        keys = "anid", "fid", "pos0", "pos1", "memo", "owner", "date"
        rows = self.conn.execute(f"SELECT {', '.join(keys)} FROM annotation").fetchall()
        return [dict(zip(keys, row, strict=True)) for row in rows]


class _Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def append(self, text: str) -> None:
        self.lines.append(str(text))


def _load_qualcoder(src: Path):
    """QualCoder's refi module, with every dialog it opens answered in advance."""
    sys.path.insert(0, str(src))
    from PyQt6 import QtWidgets

    global _QT_APP  # kept alive: Qt's widgets need the application object
    _QT_APP = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from qualcoder import refi

    answers: dict[str, str] = {}

    def line_ends(dialog) -> int:
        # LF as stored, or CR LF with positions still counting LF ("for MAXQDA")
        dialog.ui.radioButton_maxqda.setChecked(answers.get("line_ends") == "crlf")
        return 0

    QtWidgets.QMessageBox.exec = lambda self: 0
    refi.RefiLineEndings.exec = line_ends
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(
        lambda *a, **k: (answers["open"], "*.qdpx"))
    QtWidgets.QFileDialog.getExistingDirectory = staticmethod(
        lambda *a, **k: answers["directory"])
    return refi, answers


def _schema_statements(src: Path) -> list[str]:
    """The CREATE TABLE statements of QualCoder's own new-project function, read from its
    source, so the database is the one QualCoder itself would create."""
    tree = ast.parse((src / "qualcoder" / "__main__.py").read_text(encoding="utf-8"))
    function = next(node for node in ast.walk(tree)
                    if isinstance(node, ast.FunctionDef) and node.name == "new_project")
    statements = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "execute" \
                and node.args and isinstance(node.args[0], ast.Constant) \
                and str(node.args[0].value).startswith("CREATE TABLE"):
            statements.append(node.args[0].value)
    return statements


def new_qualcoder_project(src: Path, folder: Path) -> Path:
    project = folder / "check.qda"
    shutil.rmtree(project, ignore_errors=True)
    for sub in ("", "images", "audio", "video", "documents"):
        (project / sub).mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(project / "data.qda")
    for statement in _schema_statements(src):
        conn.execute(statement)
    conn.execute("INSERT INTO project (databaseversion, date, memo, about, codername) "
                 "VALUES ('v17', '2026-01-05 09:00:00', '', 'check', 'default')")
    conn.commit()
    conn.close()
    return project


def qualcoder_import(refi, answers: dict, project: Path, qdpx: Path) -> list[str]:
    app, log = _App(project), _Log()
    answers["open"] = str(qdpx)
    refi.RefiImport(app, log, "qdpx")
    app.conn.close()
    return log.lines


def qualcoder_export(refi, answers: dict, project: Path, folder: Path) -> Path:
    app, log = _App(project), _Log()
    answers["directory"] = str(folder)
    os.environ["HOME"] = str(folder)  # QualCoder prepares the zip under ~/.qualcoder
    (folder / ".qualcoder").mkdir(exist_ok=True)
    refi.RefiExport(app, log, "project")
    app.conn.close()
    return folder / f"{project.stem}.qdpx"


def add_qualcoder_work(project: Path) -> None:
    """What a QualCoder user adds that a project imported from qualcode does not have,
    written as QualCoder's own screens write it: a category with a code and a
    sub-category, a coding with a memo by another coder, an annotation with an "&" (which
    QualCoder writes unescaped), a journal entry, a numeric file attribute, a case linked
    to a whole file, and a text with emoji (code points and UTF-16 units differ after
    them)."""
    conn = sqlite3.connect(project / "data.qda")
    q = conn.execute
    when = "2026-03-12 10:15:00"
    fid, fulltext = q("SELECT id, fulltext FROM source ORDER BY id LIMIT 1").fetchone()
    q("INSERT INTO code_cat (name, owner, date, memo, supercatid) VALUES "
      "('Praksis', 'kari', ?, 'Hva skolen gjør', NULL)", (when,))
    praksis = q("SELECT catid FROM code_cat WHERE name = 'Praksis'").fetchone()[0]
    q("INSERT INTO code_cat (name, owner, date, memo, supercatid) VALUES "
      "('Lokalt samarbeid', 'kari', ?, '', ?)", (when, praksis))
    lokalt = q("SELECT catid FROM code_cat WHERE name = 'Lokalt samarbeid'").fetchone()[0]
    for name, catid, colour in (("Samarbeid med NAV", praksis, "#F781F3"),
                                ("Yrkesmesse", lokalt, "#81BEF7")):
        q("INSERT INTO code_name (name, memo, catid, owner, date, color) "
          "VALUES (?, '', ?, 'kari', ?, ?)", (name, catid, when, colour))
    nav = q("SELECT cid FROM code_name WHERE name = 'Samarbeid med NAV'").fetchone()[0]
    messe = q("SELECT cid FROM code_name WHERE name = 'Yrkesmesse'").fetchone()[0]
    q("INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner, date, memo, important) "
      "VALUES (?, ?, ?, 10, 60, 'kari', ?, 'Godt eksempel', NULL)",
      (nav, fid, fulltext[10:60], when))
    q("INSERT INTO annotation (fid, pos0, pos1, memo, owner, date) VALUES "
      "(?, 20, 40, 'Spør rektor & rådgiver om dette', 'kari', ?)", (fid, when))
    q("INSERT INTO journal (name, jentry, date, owner) VALUES "
      "('Feltnotater', 'Besøk på Nordvik skole 12. mars: rådgiveren viste årshjulet.', ?, "
      "'kari')", (when,))
    q("INSERT INTO attribute_type (name, date, owner, memo, caseOrFile, valuetype) VALUES "
      "('varighet', ?, 'kari', 'minutter', 'file', 'numeric')", (when,))
    q("INSERT INTO attribute (name, attr_type, value, id, date, owner) VALUES "
      "('varighet', 'file', '45', ?, ?, 'kari')", (fid, when))
    emoji = ("Kari: Vi startet med en kartlegging 🙂 i høst.\n"
             "Ola: Elevene likte yrkesmessa 👍 veldig godt.\n")
    q("INSERT INTO source (name, fulltext, mediapath, memo, owner, date) VALUES "
      "('nordvik_notat', ?, NULL, '', 'kari', ?)", (emoji, when))
    notat = q("SELECT id FROM source WHERE name = 'nordvik_notat'").fetchone()[0]
    start = emoji.index("Elevene")
    end = emoji.index("godt.") + len("godt.")
    q("INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner, date, memo, important) "
      "VALUES (?, ?, ?, ?, ?, 'kari', ?, '', NULL)",
      (messe, notat, emoji[start:end], start, end, when))
    q("INSERT INTO cases (name, memo, owner, date) VALUES ('Ola', 'elev', 'kari', ?)",
      (when,))
    ola = q("SELECT caseid FROM cases WHERE name = 'Ola'").fetchone()[0]
    # a whole file linked to a case: the form QualCoder's exporter writes as a SourceRef
    q("INSERT INTO case_text (caseid, fid, pos0, pos1, owner, date, memo) VALUES "
      "(?, ?, 0, 0, 'kari', ?, '')", (ola, notat, when))
    conn.commit()
    conn.close()


# --- the two projects as comparable data -------------------------------------------------

def read_qualcode(db: Path) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    q = conn.execute
    codes = {pk: (label, parent) for pk, label, parent in q(
        "SELECT pk, label, parent_pk FROM code")}
    # what the export adds to a case: a school's name, an informant's school and role
    owners = {"site": ("site_attribute", "site_pk", "SELECT pk, site_id, name FROM site",
                       ("name",)),
              "person": ("person_attribute", "person_pk",
                         "SELECT p.pk, p.person_id, s.site_id, p.role FROM person p "
                         "LEFT JOIN site s ON s.pk = p.site_pk", ("site", "rolle")),
              "transcript": ("transcript_attribute", "transcript_pk",
                             "SELECT pk, name FROM transcript", ())}
    attributes: dict[str, dict[str, dict[str, str]]] = {}
    for owner, (table, fk, rows, added) in owners.items():
        names = {}
        values: dict[str, dict[str, str]] = {}
        for pk, name, *extra in q(rows):
            names[pk] = name
            fixed = dict(zip(added, extra, strict=True))
            values[name] = {k: v for k, v in fixed.items() if v}
        for pk, attribute, text in q(f"SELECT {fk}, name, value_text FROM {table}"):
            values[names[pk]][attribute] = text
        attributes[owner] = values
    data = {
        "texts": dict(q("SELECT name, text FROM transcript")),
        "codes": Counter((label, codes[parent][0] if parent else None)
                         for label, parent in codes.values()),
        "coders": {name for (name,) in q("SELECT name FROM coder")},
        "codings": Counter(q(
            'SELECT t.name, c.label, k.name, g.start, g."end", g.quote FROM coding g '
            "JOIN transcript t ON t.pk = g.transcript_pk JOIN code c ON c.pk = g.code_pk "
            "JOIN coder k ON k.pk = g.coder_pk WHERE g.origin != 'suggested'").fetchall()),
        "coding_memos": {row[:5]: row[5] or "" for row in q(
            'SELECT t.name, c.label, k.name, g.start, g."end", g.memo FROM coding g '
            "JOIN transcript t ON t.pk = g.transcript_pk JOIN code c ON c.pk = g.code_pk "
            "JOIN coder k ON k.pk = g.coder_pk WHERE g.origin != 'suggested'")},
        "memos": Counter(body.strip() for (body,) in q("SELECT body FROM memo")),
        # a memo about a passage is titled "start–end: its opening words"
        "passages": {(name, body.strip()): title.partition(": ")[2]
                     for name, title, body in q(
                         "SELECT about_key, title, body FROM memo WHERE about_type = "
                         "'transcript' AND title LIKE '%–%: %'")},
        "attributes": attributes,
        "labels": Counter(label for label, _ in codes.values()),
    }
    conn.close()
    return data


def read_qualcoder(project: Path) -> dict:
    conn = sqlite3.connect(project / "data.qda")
    q = conn.execute
    sources = dict(q("SELECT id, name FROM source"))
    texts = dict(q("SELECT id, fulltext FROM source"))
    # a code qualcode exported keeps its id in its memo, and a shared label has the id
    # after it in the name: compared by label, as qualcode reads it back
    names = {cid: code_label(name, (memo or "").partition("\n")[0].removeprefix(ID_LINE)
                             .split(" ")[0] if (memo or "").startswith(ID_LINE) else None)
             for cid, name, memo in q("SELECT cid, name, memo FROM code_name")}
    categories = dict(q("SELECT catid, name FROM code_cat"))
    codes = Counter((names[cid], names.get(supercid) or categories.get(catid))
                    for cid, supercid, catid in q("SELECT cid, supercid, catid "
                                                  "FROM code_name"))
    codes.update((name, categories.get(parent))
                 for name, parent in q("SELECT name, supercatid FROM code_cat"))
    cases = dict(q("SELECT caseid, name FROM cases"))
    attributes: dict[str, dict[str, dict[str, str]]] = {"case": {}, "file": {}}
    for owner, ids in (("case", cases), ("file", sources)):
        for name in ids.values():
            attributes[owner][name] = {}
        for attribute, value, id_ in q("SELECT name, value, id FROM attribute "
                                       "WHERE attr_type = ?", (owner,)):
            if id_ in ids:
                attributes[owner][ids[id_]][attribute] = value
    data = {
        # audio, video and pictures have no text
        "texts": dict(q("SELECT name, fulltext FROM source WHERE fulltext IS NOT NULL")),
        "codes": codes,
        "coders": {owner for (owner,) in q("SELECT DISTINCT owner FROM code_text")},
        "codings": Counter((sources.get(fid), names.get(cid), owner, pos0, pos1, seltext)
                           for fid, cid, owner, pos0, pos1, seltext in q(
                               "SELECT fid, cid, owner, pos0, pos1, seltext FROM code_text")),
        "coding_memos": {(sources.get(fid), names.get(cid), owner, pos0, pos1): memo or ""
                         for fid, cid, owner, pos0, pos1, memo in q(
                             "SELECT fid, cid, owner, pos0, pos1, memo FROM code_text")},
        # annotations and journal entries: what a qualcode memo stands for
        "memos": Counter(text.strip() for (text,) in q(
            "SELECT memo FROM annotation UNION ALL SELECT jentry FROM journal")),
        "annotations": [(sources.get(fid), memo.strip(), " ".join(texts[fid][a:b].split()))
                        for fid, a, b, memo in q("SELECT fid, pos0, pos1, memo "
                                                 "FROM annotation")],
        "attributes": attributes,
        "case_sources": Counter(q("SELECT caseid FROM case_text")),
    }
    conn.close()
    return data


# --- comparing ---------------------------------------------------------------------------

class Tally:
    def __init__(self, title: str) -> None:
        self.title = title
        self.counts: dict[str, list[int]] = {}
        self.shown = 0

    def check(self, what: str, same: bool, detail: str = "") -> None:
        self.counts.setdefault(what, [0, 0])[0 if same else 1] += 1
        if not same and self.shown < 40:
            self.shown += 1
            print(f"  {what} differs: {detail}")

    def report(self) -> None:
        print(f"{self.title}:")
        for what, (same, different) in self.counts.items():
            print(f"  {what:<20} {same:>6} match {different:>6} differ")


def _same_value(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    try:
        return float(a) == float(b)  # 4 and 4.0: the same number in two lexical forms
    except (TypeError, ValueError):
        return False


def compare(tally: Tally, ours: dict, theirs: dict, *, case_owners: dict[str, str]) -> None:
    """``ours`` read by :func:`read_qualcode`, ``theirs`` by :func:`read_qualcoder`;
    ``case_owners`` maps qualcode's kinds of case to QualCoder's (site/person -> case,
    transcript -> file)."""
    for name, text in ours["texts"].items():
        other = theirs["texts"].get(name)
        if other is not None and other != text and normalise_text(text) == other:
            # qualcode stores texts normalised (line ends, trailing spaces and blank lines,
            # NFC) and moves every position with them
            tally.check("text (normalised)", True)
            continue
        tally.check("transcript text", other == text,
                    f"{name}: " + ("missing" if other is None else
                                   f"{len(text)} vs {len(other)} characters, first "
                                   f"difference at {_first_difference(text, other)}"))
    for (label, parent), n in ours["codes"].items():
        for i in range(n):
            tally.check("code and parent", theirs["codes"][(label, parent)] > i,
                        f"{label} under {parent!r}")
    for coder in ours["coders"]:
        tally.check("coder", coder in theirs["coders"], coder)
    theirs_codings = Counter(theirs["codings"])
    by_span = Counter(row[:5] for row in theirs_codings.elements())
    for row, n in ours["codings"].items():
        for _ in range(n):
            if theirs_codings[row] > 0:
                theirs_codings[row] -= 1
                tally.check("coding", True)
            else:
                tally.check("coding", False, f"{row[:5]} {row[5][:50]!r}: "
                            + ("same span, other text" if by_span[row[:5]] else "absent"))
    extra = sum(n for n in theirs_codings.values() if n > 0)
    if extra:
        print(f"  {extra} codings there that are not here")
    for key, memo in ours["coding_memos"].items():
        if memo:
            found = theirs["coding_memos"].get(key)
            tally.check("coding memo", found == memo, f"{key}: {memo[:40]!r}, there "
                        f"{(found or '')[:40]!r}")
    for memo, n in ours["memos"].items():
        tally.check("memo", theirs["memos"][memo] >= n, f"{memo[:60]!r}")
    for source, memo, quote in ours.get("annotations", []):
        title = theirs["passages"].get((source, memo)) or ""
        tally.check("annotation passage", bool(title) and quote.startswith(title.rstrip("…")),
                    f"{source}: {memo!r} on {quote[:40]!r}, there {title!r}")
    for owner, theirs_owner in case_owners.items():
        for case, values in ours["attributes"][owner].items():
            other = theirs["attributes"][theirs_owner].get(case)
            if other is None:
                tally.check(f"{owner} case", False, f"{case} missing")
                continue
            for attribute, value in values.items():
                found = other.get(attribute, other.get(f"{attribute} ({owner})"))
                tally.check(f"{owner} attribute", _same_value(value, found),
                            f"{case}.{attribute} = {value!r}, there {found!r}")


def _first_difference(a: str, b: str) -> int:
    pairs = zip(a, b, strict=False)  # the texts may differ in length
    return next((i for i, (x, y) in enumerate(pairs) if x != y), min(len(a), len(b)))


# --- the check ---------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("qualcoder_src", type=Path, help="QualCoder's src folder")
    parser.add_argument("project", type=Path, help="a qualcode project (.qualcode.db)")
    parser.add_argument("folder", type=Path, help="where to work (emptied first)")
    parser.add_argument("--qualcode", default="qualcode", help="the qualcode command")
    parser.add_argument("--crlf", action="store_true",
                        help="QualCoder exports with CR LF line ends (its MAXQDA option)")
    args = parser.parse_args()
    folder = args.folder.resolve()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    refi, answers = _load_qualcoder(args.qualcoder_src.resolve())
    answers["line_ends"] = "crlf" if args.crlf else "lf"

    def qualcode(project: Path, *words: str) -> None:
        subprocess.run([args.qualcode, *words], check=True, cwd=folder,
                       env={**os.environ, "QUALCODE_PROJECT": str(project)})

    ours = read_qualcode(args.project)
    repeated = [label for label, n in ours["labels"].items() if n > 1]
    if repeated:
        print(f"note: labels several codes share ({', '.join(repeated)}): QualCoder keeps "
              "one code per name, so the export adds each one's id")

    print("1. qualcode -> .qdpx -> QualCoder")
    exported = folder / "fra-qualcode.qdpx"
    qualcode(args.project.resolve(), "export", "qdpx", str(exported), "--identifiable")
    project = new_qualcoder_project(args.qualcoder_src.resolve(), folder / "qualcoder")
    for line in qualcoder_import(refi, answers, project, exported):
        print(f"  QualCoder: {line}")
    theirs = read_qualcoder(project)
    first = Tally("qualcode -> QualCoder")
    compare(first, ours, theirs, case_owners={"site": "case", "person": "case",
                                              "transcript": "file"})
    with zipfile.ZipFile(exported) as archive:
        written = archive.read("project.qde").count(b"<SourceRef ")
    kept = sum(theirs["case_sources"].values())
    print(f"  case-to-transcript links: {written} in the file, {kept} kept by QualCoder")

    print("2. QualCoder -> .qdpx -> qualcode")
    add_qualcoder_work(project)
    theirs = read_qualcoder(project)
    out = folder / "export"
    out.mkdir()
    back = qualcoder_export(refi, answers, project, out)
    again = folder / "tilbake.qualcode.db"
    qualcode(again, "init")
    qualcode(again, "import", str(back))
    returned = read_qualcode(again)
    # qualcode's schools and informants are all QualCoder cases; its interviews are files
    returned["attributes"] = {
        "case": {**returned["attributes"]["site"], **returned["attributes"]["person"]},
        "file": returned["attributes"]["transcript"]}
    second = Tally("QualCoder -> qualcode")
    compare(second, theirs, returned, case_owners={"case": "case", "file": "file"})
    first.report()
    second.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
