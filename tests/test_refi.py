"""`qualcode export qdpx`: the example study as a REFI-QDA project, opened again as
another program would (zip, XML, the official schema) and compared with the project."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from qualcode.domain.attributes import decode
from qualcode.domain.errors import ConflictError, QualcodeError
from qualcode.services import coding_ops, ingest, overview
from qualcode.services import matrix as mx
from qualcode.services.codebooks import load_into_project
from qualcode.services.queries import transcript_turns
from qualcode.services.refi import check_qdpx_path, write_qdpx
from tests.conftest import write

SCHEMA = Path(__file__).parent / "data" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
SUMMARY = "Forankringen er bare på papiret."


def _rows(store, sql: str, params=()) -> list[tuple]:
    with store.snapshot() as db:
        return db.rows(sql, params)


@pytest.fixture
def study(example):
    """The example study plus what an export must get right: a suggestion (never
    exported), an archived code that still has codings, and a researcher's summary."""
    from sqlmodel import select

    from qualcode.store.models import Code

    turn = transcript_turns(example, "nordvik_rektor")["turns"][1]
    coding_ops.add_coding(example, "nordvik_rektor", "LED", "anna", turn["start"],
                          turn["end"], origin="suggested")
    mx.set_summary(example, "LED.forankring_eier", site="nordvik_u", text=SUMMARY)
    # Archived in the store only: the codebook file in the repository stays untouched.
    archived = _rows(example, "SELECT k.code_id FROM code k JOIN coding c ON c.code_pk = "
                              "k.pk WHERE k.parent_pk IS NOT NULL ORDER BY k.code_id")[0][0]
    with example.write() as session:
        code = session.exec(select(Code).where(Code.code_id == archived)).one()
        code.archived = True
        session.add(code)
    return example


class Qdpx:
    """An exported file read back: its entries, the parsed XML and look-ups by GUID."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.names = archive.namelist()
            self.qde = archive.read("project.qde")
            self.files = {name: archive.read(name).decode("utf-8")
                          for name in self.names if name.startswith("sources/")}
        self.root = etree.fromstring(self.qde)
        self.by_guid = {e.get("guid"): e for e in self.root.iter() if e.get("guid")}

    def all(self, xpath: str) -> list:
        return self.root.xpath(xpath, namespaces=NS)

    def text_of(self, source) -> str:
        return self.files["sources/" + source.get("plainTextPath").removeprefix("internal://")]

    def code_id(self, guid: str) -> str:
        description = self.by_guid[guid].find("q:Description", NS).text
        return description.splitlines()[0].removeprefix("qualcode id: ").split(" ")[0]

    def user(self, guid: str) -> str:
        return self.by_guid[guid].get("name")


@pytest.fixture
def exported(study, tmp_path) -> Qdpx:
    path = tmp_path / "studie.qdpx"
    write_qdpx(study, path)
    return Qdpx(path)


def test_qdpx_is_a_zip_with_project_qde_and_one_text_per_transcript(study, exported):
    transcripts = dict(_rows(study, "SELECT name, text FROM transcript"))
    assert exported.names[0] == "project.qde"
    assert len(exported.files) == len(transcripts) == 8
    sources = exported.all("/q:Project/q:Sources/q:TextSource")
    assert sorted(s.get("name") for s in sources) == sorted(transcripts)
    for source in sources:
        path = source.get("plainTextPath")
        assert path == f"internal://{source.get('guid')}.txt"
        assert exported.text_of(source) == transcripts[source.get("name")]


def test_project_qde_is_valid_against_the_refi_qda_schema(exported):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    schema.assertValid(etree.fromstring(exported.qde))
    assert exported.root.tag == "{urn:QDA-XML:project:1.0}Project"


def test_every_coding_is_one_selection_whose_offsets_cut_out_its_quote(study, exported):
    stored = _rows(study, 'SELECT t.name, c.start, c."end", c.quote, k.code_id, o.name, '
                          "c.origin FROM coding c JOIN transcript t ON t.pk = c.transcript_pk "
                          "JOIN code k ON k.pk = c.code_pk JOIN coder o ON o.pk = c.coder_pk")
    assert any(row[6] == "suggested" for row in stored)
    expected = Counter(row[:6] for row in stored if row[6] != "suggested")
    found = Counter()
    for source in exported.all("//q:TextSource"):
        text = exported.text_of(source)
        for selection in source.findall("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            (coding,) = selection.findall("q:Coding", NS)
            code = exported.code_id(coding.find("q:CodeRef", NS).get("targetGUID"))
            coder = exported.user(selection.get("creatingUser"))
            assert coding.get("creatingUser") == selection.get("creatingUser")
            dt.datetime.fromisoformat(selection.get("creationDateTime").replace("Z", "+00:00"))
            found[(source.get("name"), start, end, text[start:end], code, coder)] += 1
    assert found == expected
    assert sum(found.values()) == 315
    assert any(ch in quote for (_, _, _, quote, _, _) in found for ch in "æøåÆØÅ")


def test_code_tree_labels_ids_colours_and_archived_codes(study, exported):
    codes = _rows(study, "SELECT k.code_id, k.label, p.code_id, k.colour, k.archived "
                         "FROM code k LEFT JOIN code p ON p.pk = k.parent_pk")
    elements = {exported.code_id(e.get("guid")): e for e in exported.all("//q:Code")}
    assert len(elements) == len(codes) == 116
    for code_id, label, parent, colour, archived in codes:
        element = elements[code_id]
        assert element.get("name") == label
        assert element.get("isCodable") == "true"
        assert element.get("color") == colour
        up = element.getparent()
        assert (exported.code_id(up.get("guid")) if up.tag.endswith("}Code") else None) \
            == parent
        first_line = element.find("q:Description", NS).text.splitlines()[0]
        assert first_line.endswith("(archived)") == bool(archived)
    (archived,) = _rows(study, "SELECT code_id FROM code WHERE archived")
    assert archived[0] in elements
    assert any(c.get("color") for c in elements.values())


def test_coders_and_memo_authors_are_users_and_the_creator_is_a_coder(study, exported):
    users = {u.get("name"): u.get("guid") for u in exported.all("//q:User")}
    login = _rows(study, "SELECT actor FROM audit_event WHERE action = 'init'")[0][0]
    assert set(users) == {"anna", "bjorn", login}  # the login wrote the summary memo
    # Not the login that ran `init`, which other programs would show as a stranger: the
    # first coder of the project.
    first_coder = _rows(study, "SELECT name FROM coder ORDER BY pk LIMIT 1")[0][0]
    assert exported.root.get("creatingUserGUID") == users[first_coder]
    assert all(guid == guid.lower() for guid in users.values())
    referenced = {e.get(a) for a in ("creatingUser", "modifyingUser")
                  for e in exported.root.iter() if e.get(a)}
    assert referenced <= set(users.values())


def test_every_guid_is_unique_and_every_reference_resolves(exported):
    guids = [e.get("guid") for e in exported.root.iter() if e.get("guid")]
    assert len(guids) == len(set(guids))
    targets = [e.get("targetGUID") for e in exported.root.iter() if e.get("targetGUID")]
    assert targets and all(t in exported.by_guid for t in targets)


def _value(element):
    """A VariableValue's typed value, as an importing program would read it."""
    (value,) = [e for e in element if not e.tag.endswith("}VariableRef")]
    kind, text = etree.QName(value).localname, value.text
    return {"IntegerValue": int, "FloatValue": float, "DateValue": dt.date.fromisoformat,
            "BooleanValue": lambda v: v == "true", "TextValue": str}[kind](text)


def _values(exported, element) -> dict:
    out = {}
    for value in element.findall("q:VariableValue", NS):
        variable = exported.by_guid[value.find("q:VariableRef", NS).get("targetGUID")]
        out[variable.get("name")] = _value(value)
    return out


def test_cases_carry_typed_attributes_and_link_to_their_transcripts(study, exported):
    cases = {c.get("name"): c for c in exported.all("//q:Case")}
    listed = overview.list_cases(study)
    assert set(cases) == ({s["site"] for s in listed["sites"]}
                          | {p["person"] for p in listed["persons"]})
    for site in listed["sites"]:
        expected = {k: v for k, v in site.items() if k != "site" and v is not None}
        assert _values(exported, cases[site["site"]]) == expected
    for person in listed["persons"]:
        expected = {k: v for k, v in person.items()
                    if k not in ("person", "interviews") and v is not None}
        assert _values(exported, cases[person["person"]]) == expected
    radgiver = _values(exported, cases["vestbo_radgiver1"])
    assert isinstance(radgiver["stillingsprosent_radgivning"], int)
    assert any(isinstance(v, bool) for p in listed["persons"]
               for v in _values(exported, cases[p["person"]]).values())
    types = {v.get("name"): v.get("typeOfVariable") for v in exported.all("//q:Variable")}
    assert types["antall_radgivere"] == "Integer" and types["dato"] == "Date"

    sources = {s.get("guid"): s.get("name") for s in exported.all("//q:TextSource")}
    spoken = _rows(study, "SELECT DISTINCT s.person_id, t.name FROM participation p "
                          "JOIN person s ON s.pk = p.person_pk "
                          "JOIN transcript t ON t.pk = p.transcript_pk")
    for person in listed["persons"]:
        refs = {sources[r.get("targetGUID")]
                for r in cases[person["person"]].findall("q:SourceRef", NS)}
        assert refs == {t for p, t in spoken if p == person["person"]}
        assert refs
    nordvik = {sources[r.get("targetGUID")] for r in cases["nordvik_u"].findall("q:SourceRef",
                                                                               NS)}
    assert nordvik == {name for (name,) in _rows(
        study, "SELECT t.name FROM transcript t JOIN site s ON s.pk = t.site_pk "
               "WHERE s.site_id = 'nordvik_u'")}


def test_interview_attributes_are_values_of_their_source(study, exported):
    source = next(s for s in exported.all("//q:TextSource")
                  if s.get("name") == "nordvik_rektor")
    stored = {name: decode(value_type, text) for name, value_type, text in _rows(
        study, "SELECT a.name, a.value_type, a.value_text FROM transcript_attribute a "
               "JOIN transcript t ON t.pk = a.transcript_pk WHERE t.name = 'nordvik_rektor'")}
    values = _values(exported, source)
    assert values == stored
    assert isinstance(values["dato"], dt.date) and isinstance(values["runde"], int)


def test_what_the_standard_has_no_place_for_is_written_where_readers_find_it(study, exported):
    """A coding's memo is also its selection's Description (QualCoder reads it there);
    cases say whether they are a school or a person; sources carry the interview's site,
    the file it came from and who speaks under which label."""
    memos = dict(_rows(study, "SELECT pk, memo FROM coding WHERE memo != '' "
                              "AND origin != 'suggested'"))
    described = [s.find("q:Description", NS).text for s in exported.all("//q:PlainTextSelection")
                 if s.find("q:Description", NS) is not None]
    assert sorted(described) == sorted(memos.values())
    kinds = {c.get("name"): c.find("q:Description", NS).text.splitlines()[-1]
             for c in exported.all("//q:Case")}
    assert kinds["nordvik_u"] == "qualcode case: site"
    assert kinds["nordvik_rektor"] == "qualcode case: person"
    source = next(s for s in exported.all("//q:TextSource") if s.get("name") == "nordvik_rektor")
    lines = source.find("q:Description", NS).text.splitlines()
    assert lines[0] == "Intervju med rektor, Nordvik ungdomsskole"
    assert "qualcode site: nordvik_u" in lines and "qualcode file: txt nordvik_rektor.txt" in lines
    assert "qualcode speaker: Rektor = nordvik_rektor" in lines


def test_memos_become_notes_referenced_from_their_selection_and_code(study, exported):
    notes = {n.get("guid"): n.find("q:PlainTextContent", NS).text
             for n in exported.all("//q:Notes/q:Note")}
    memos = Counter(m for (m,) in _rows(study, "SELECT memo FROM coding WHERE memo != '' "
                                               "AND origin != 'suggested'"))
    assert sum(memos.values()) == 29
    attached = Counter()
    for selection in exported.all("//q:PlainTextSelection"):
        for ref in selection.findall("q:NoteRef", NS):
            attached[notes[ref.get("targetGUID")]] += 1
    assert attached == memos
    code = next(c for c in exported.all("//q:Code")
                if exported.code_id(c.get("guid")) == "LED.forankring_eier")
    assert [notes[r.get("targetGUID")] for r in code.findall("q:NoteRef", NS)] == [SUMMARY]


def test_two_exports_of_the_same_project_are_identical(study, tmp_path):
    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    write_qdpx(study, first)
    write_qdpx(study, second)
    assert Qdpx(first).qde == Qdpx(second).qde
    assert first.read_bytes() == second.read_bytes()


def test_the_command_prints_one_line_and_reads_without_the_orm(study, cli, tmp_path):
    from tests.test_cli import _run_and_list_imports

    code, out, _ = cli("export", "qdpx", str(tmp_path / "cli.qdpx"), project=study.path)
    assert code == 0
    assert out.strip().splitlines() == [
        f"Wrote {tmp_path / 'cli.qdpx'} (REFI-QDA): 8 sources, 116 codes, 315 codings, "
        "11 cases, 3 users, 30 memos."]
    study.close()
    out, loaded = _run_and_list_imports(
        ["-p", str(study.path), "export", "qdpx", str(tmp_path / "fast.qdpx")],
        ("sqlmodel", "sqlalchemy"))
    assert loaded == []
    assert Qdpx(tmp_path / "fast.qdpx").qde == Qdpx(tmp_path / "cli.qdpx").qde


def test_a_bad_path_is_refused_in_one_line_and_nothing_is_written(example, cli, tmp_path):
    folder = tmp_path / "eksport"
    (folder / "mappe.qdpx").mkdir(parents=True)
    code, out, err = cli("export", "qdpx", str(folder / "studie.zip"), project=example.path)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "error:" in err and "studie.qdpx" in err
    for bad in (folder / "studie", folder / "nei" / "studie.qdpx", folder / "mappe.qdpx"):
        with pytest.raises(QualcodeError):
            check_qdpx_path(bad)
        with pytest.raises(QualcodeError):
            write_qdpx(example, bad)
    assert [p.name for p in folder.iterdir()] == ["mappe.qdpx"]


def test_a_failed_export_leaves_the_earlier_file_as_it_was(example, tmp_path):
    path = tmp_path / "eksport" / "studie.qdpx"
    path.parent.mkdir()
    write_qdpx(example, path)
    before = path.read_bytes()
    with example.write() as session:  # a quote that no longer matches the text
        session.connection().exec_driver_sql(
            "UPDATE coding SET quote = 'noe annet' WHERE pk = (SELECT min(pk) FROM coding)")
    with pytest.raises(ConflictError, match="no longer matches"):
        write_qdpx(example, path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["studie.qdpx"]


def test_positions_count_code_points_even_beyond_the_basic_plane(store, tmp_path):
    """REFI-QDA counts Unicode characters, as qualcode does: an emoji before the coded
    words is one position, not two UTF-16 units."""
    load_into_project(store, write(tmp_path / "kb.yaml", "codebook: t\nversion: 1\ncodes:\n"
                                   "  - id: A\n    label: Område Å\n    description: a\n"))
    write(tmp_path / "samtale.txt", "Intervjuer: Hei 😀 på deg.\nElev: Jeg vil bli "
                                    "sjøfartsoffiser, tror jeg.\n")
    ingest.import_transcripts(store, [tmp_path / "samtale.txt"])
    text = _rows(store, "SELECT text FROM transcript")[0][0]
    start = text.index("sjøfartsoffiser")
    coding_ops.add_coding(store, "samtale", "A", "anna", start, start + len("sjøfartsoffiser"))
    path = tmp_path / "samtale.qdpx"
    write_qdpx(store, path)
    exported = Qdpx(path)
    (source,) = exported.all("//q:TextSource")
    (selection,) = source.findall("q:PlainTextSelection", NS)
    begin, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert begin == start and exported.text_of(source)[begin:end] == "sjøfartsoffiser"
    assert len(text[:start].encode("utf-16-le")) // 2 == start + 1  # what UTF-16 would say


SHARED_LABELS = """codebook: delt
version: 1
codes:
  - id: LED
    label: Ledelse
    children:
      - id: LED.annet
        label: Annet
  - id: RAM
    label: Rammer
    children:
      - id: RAM.annet
        label: Annet
      - id: RAM.tid
        label: Tid
"""


def shared_labels(store, tmp_path: Path) -> None:
    """Two codes called Annet, under Ledelse and under Rammer, each coding one answer."""
    load_into_project(store, write(tmp_path / "kb.yaml", SHARED_LABELS))
    write(tmp_path / "rektor.txt", "Intervjuer: Hvem har ansvaret?\nRektor: Det er meg, "
                                   "men rådgiveren gjør jobben.\nIntervjuer: Og tiden?\n"
                                   "Rektor: Rådgiveren har for få timer.\n")
    ingest.import_transcripts(store, [tmp_path / "rektor.txt"])
    text = _rows(store, "SELECT text FROM transcript")[0][0]
    for code, words in (("LED.annet", "Det er meg"), ("RAM.annet", "for få timer")):
        start = text.index(words)
        coding_ops.add_coding(store, "rektor", code, "anna", start, start + len(words))


def test_a_label_several_codes_share_is_written_with_each_codes_id(store, tmp_path):
    """QualCoder keeps one code per name: a second "Annet" becomes the first one and its
    codings are lost. Every code in the file has a name of its own."""
    shared_labels(store, tmp_path)
    write_qdpx(store, tmp_path / "delt.qdpx")
    exported = Qdpx(tmp_path / "delt.qdpx")
    names = {exported.code_id(e.get("guid")): e.get("name") for e in exported.all("//q:Code")}
    assert names == {"LED": "Ledelse", "LED.annet": "Annet (LED.annet)", "RAM": "Rammer",
                     "RAM.annet": "Annet (RAM.annet)", "RAM.tid": "Tid"}
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(exported.root)


def test_with_a_key_every_selection_cuts_out_its_replaced_quote(study, tmp_path):
    """Replacements longer and shorter than their originals, at the first and last word of
    coded spans and inside æøå text: every position is recomputed on the replaced source,
    so each selection still cuts out exactly its quote with the names replaced."""
    import re

    from qualcode.pseudonyms import Entry, Key

    stored = _rows(study, 'SELECT t.name, t.text, c.start, c."end", c.quote FROM coding c '
                          "JOIN transcript t ON t.pk = c.transcript_pk "
                          "WHERE c.origin != 'suggested' ORDER BY c.pk")
    originals: dict[str, str] = {}
    for i, (_, _, _, _, quote) in enumerate(stored[:60]):
        first = re.search(r"\w+", quote).group(0)
        last = re.search(r"(\w+)\W*$", quote).group(1)
        for n, word in enumerate((first, last)):
            if len(word) > 2 and not word.isdigit():
                originals.setdefault(word, f"«{word.upper()}-ERSTATTET»" if (i + n) % 2
                                     else word[:1])
    originals.update({"også": "OGSÅ-OGSÅ-OGSÅ", "være": "V", "Nordvik": "UN"})
    key = Key(Entry(word, replacement, "other") for word, replacement in originals.items())
    path = tmp_path / "pseudo.qdpx"
    write_qdpx(study, path, key=key)
    exported = Qdpx(path)
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(exported.root)
    texts = {name: text for name, text, *_ in stored}
    expected = Counter()
    for name, text, start, end, quote in stored:
        passage = key.passage(text, start, end)
        assert passage == key.apply(quote)  # codings hold whole words here
        expected[(key.apply(name), passage)] += 1
    found = Counter()
    longer = shorter = 0
    for source in exported.all("//q:TextSource"):
        text = exported.text_of(source)
        original_name = next(n for n in texts if key.apply(n) == source.get("name"))
        assert text == key.replace(texts[original_name])[0]
        for selection in source.findall("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            passage = text[start:end]
            found[(source.get("name"), passage)] += 1
            longer += passage.startswith("«") or passage.rstrip(".?!»)… ").endswith("»")
            shorter += any(passage.startswith(r + " ") for r in originals.values()
                           if len(r) == 1)
    assert found == expected and sum(found.values()) == 315
    assert longer > 5 and shorter > 5  # replacements really sit at span edges
    assert any(ch in p for _, p in found for ch in "æøåÆØÅ")
    assert "Nordvik" not in exported.qde.decode("utf-8")


def test_memos_on_each_kind_of_thing_are_notes_on_that_object(example, tmp_path):
    """A memo on a code hangs on the Code, on a transcript on its TextSource, the journal on
    the project; the schema gives a Case no NoteRef, so a memo on a school or an informant
    is a Link from its note to the Case. With the key, the note says no name."""
    from qualcode.pseudonyms import Entry, Key
    from qualcode.services.memos import add_memo

    for about, text in (("code:RAM", "Tid."), ("transcript:vestbo_rektor", "Kort intervju."),
                        ("person:nordvik_rektor", "Rektor eier planen."),
                        ("site:vestbo_vgs", "Stor skole."), ("project", "Dag 1.")):
        add_memo(example, about, f"{text} Eva sa det.")
    path = tmp_path / "memoer.qdpx"
    write_qdpx(example, path, key=Key([Entry("Eva", "Rådgiver A", "person")]))
    exported = Qdpx(path)
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(exported.root)
    notes = {n.get("guid"): n.find("q:PlainTextContent", NS).text
             for n in exported.all("//q:Notes/q:Note")}

    def on(element) -> list[str]:
        return [notes[r.get("targetGUID")] for r in element.findall("q:NoteRef", NS)]

    code = next(c for c in exported.all("//q:Code") if exported.code_id(c.get("guid")) == "RAM")
    assert on(code) == ["Tid. Rådgiver A sa det."]
    source = exported.all("//q:TextSource[@name='vestbo_rektor']")[0]
    assert on(source) == ["Kort intervju. Rådgiver A sa det."]
    assert on(exported.root) == ["Dag 1. Rådgiver A sa det."]
    links = {exported.by_guid[link.get("targetGUID")].get("name"):
             notes[link.get("originGUID")] for link in exported.all("//q:Links/q:Link")}
    assert links == {"nordvik_rektor": "Rektor eier planen. Rådgiver A sa det.",
                     "vestbo_vgs": "Stor skole. Rådgiver A sa det."}
    assert all(link.get("direction") == "OneWay" for link in exported.all("//q:Link"))
    assert not any("Eva" in text for text in notes.values())
