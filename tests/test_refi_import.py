"""`qualcode import FILE.qdpx`: projects from NVivo, ATLAS.ti, MAXQDA, QualCoder and
qualcode itself. The files here are hand-made in the shape each program writes (element
layout, GUID style, position convention, line ends), with invented interviews."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from qualcode.services import coding_ops, overview
from qualcode.services import matrix as mx
from qualcode.services.project import init_project, open_project
from qualcode.services.refi import write_qdpx
from tests.conftest import assert_same_study
from tests.test_refi_positions import units

HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
        'name="{name}" origin="{origin}" creatingUserGUID="{creator}">')


def guid(n: int, upper: bool = False) -> str:
    value = f"{n:08x}-0000-4000-8000-{n:012x}"
    return value.upper() if upper else value


def make_qdpx(path: Path, qde: str, files: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


def selection(text: str, passage: str, convention: str, n: int, *, code: str | None,
              user: str, name: str | None = None, description: str | None = None,
              extra: str = "", upper: bool = False) -> str:
    at = text.index(passage)
    start = units(text[:at], convention)
    end = start + units(passage, convention)
    named = f' name="{name}"' if name is not None else ""
    inner = f"<Description>{description}</Description>" if description else ""
    if code:
        inner += (f'<Coding guid="{guid(9000 + n, upper)}" creatingUser="{user}">'
                  f'<CodeRef targetGUID="{code}"/></Coding>')
    return (f'<PlainTextSelection guid="{guid(5000 + n, upper)}"{named} startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{user}">{inner}{extra}</PlainTextSelection>')


def import_cli(cli, tmp_path: Path, qdpx: Path, *args: str, project: Path | None = None):
    project = project or tmp_path / "ny.db"
    if not project.exists():
        init_project(project).close()
    return cli("import", str(qdpx), *args, project=project) + (project,)


def attributes(project: Path, name: str) -> dict:
    from qualcode.services.overview import attributes_of

    store = open_project(project)
    try:
        with store.snapshot() as db:
            [pk] = db.column("SELECT pk FROM transcript WHERE name = ?", (name,))
            return attributes_of(db, "transcript").get(pk, {})
    finally:
        store.close()


def codings_of(project: Path) -> list[dict]:
    store = open_project(project)
    try:
        return coding_ops.list_codings(store)
    finally:
        store.close()


# --- a round trip through the standard ----------------------------------------------------

def test_a_study_exported_and_imported_is_the_same_study(example, cli, tmp_path):
    from qualcode.services.common import now
    from qualcode.store.models import Memo

    mx.set_summary(example, "LED.forankring_eier", site="nordvik_u",
                   text="Forankringen er bare på papiret.")
    with example.write() as session:  # a memo on each kind of thing, titled or not
        for about_type, key, title in (("person", "nordvik_rektor", "Rektors rolle"),
                                       ("site", "vestbo_vgs", None),
                                       ("transcript", "nordvik_laerere", "Lydkvalitet"),
                                       ("code", "RAM", None), ("project", None, "Logg")):
            session.add(Memo(author="anna", about_type=about_type, about_key=key,
                             title=title, body=f"Notat om {key or 'prosjektet'}.",
                             created_at=now(), updated_at=now()))
    qdpx = write_qdpx(example, tmp_path / "studie.qdpx").path
    code, out, err, project = import_cli(cli, tmp_path, qdpx)
    assert code == 0, err
    assert "8 transcripts, 116 codes, 315 codings by 2 coders" in out
    assert "positions read as codepoints" in out
    copy = open_project(project)
    try:
        assert_same_study(example, copy, codebook_file=False)
        memos = ("SELECT about_type, about_key, title, body, author FROM memo "
                 "ORDER BY about_type, about_key")
        with example.snapshot() as one, copy.snapshot() as other:
            assert one.rows(memos) == other.rows(memos)
            speakers = ("SELECT t.name, p.label, s.person_id, p.role FROM participation p "
                        "JOIN transcript t ON t.pk = p.transcript_pk LEFT JOIN person s ON "
                        "s.pk = p.person_pk ORDER BY 1, 2")
            assert one.rows(speakers) == other.rows(speakers)
            fields = "SELECT * FROM code ORDER BY code_id"
            assert [row[1:] for row in one.rows(fields)] == [row[1:] for row in
                                                             other.rows(fields)]
    finally:
        copy.close()
    # The project stays YAML-driven: the written codebook loads as a no-op.
    code, out, _ = cli("codebook", "load", str(tmp_path / "studie.codebook.yaml"),
                       project=project)
    assert code == 0 and "already matches" in out


# --- what other programs write ----------------------------------------------------------

NVIVO_TEXT = ("Intervjuer: Hvordan jobber dere med karriereveiledning? 🙂\n"
              "Rektor: Rådgiveren vår, Kari, har ansvar for årshjulet 🎓 på Nordvik skole.\n"
              "Intervjuer: Og lærerne?\n"
              "Rektor: Ola og de andre lærerne får lite tid til det.\n")


def nvivo_windows(tmp_path: Path) -> Path:
    """NVivo for Windows: upper-case GUIDs, a .docx and a .txt for each source, plain text
    with LF line ends but positions in UTF-16 units over CRLF text, cases that are also
    codes with the case's GUID."""
    import docx

    conv, up = "utf16-crlf", True
    user = guid(1, up)
    codes = ('<CodeBook><Codes>'
             f'<Code guid="{guid(10, up)}" name="Ledelse" isCodable="true" color="#FF7F0E">'
             '<Description>Hvordan ledelsen forankrer arbeidet</Description>'
             f'<Code guid="{guid(11, up)}" name="Ansvar" isCodable="true"/></Code>'
             f'<Code guid="{guid(12, up)}" name="Ressurser" isCodable="true">'
             f'<Code guid="{guid(13, up)}" name="Ansvar" isCodable="true"/></Code>'
             f'<Code guid="{guid(40, up)}" name="Kari" isCodable="true"/>'
             '</Codes></CodeBook>')
    source = guid(20, up)
    selections = "".join([
        selection(NVIVO_TEXT, "har ansvar for årshjulet", conv, 1, code=guid(11, up),
                  user=user, upper=up),
        selection(NVIVO_TEXT, "på Nordvik skole", conv, 2, code=guid(10, up), user=user,
                  upper=up),
        selection(NVIVO_TEXT, "får lite tid til det", conv, 3, code=guid(13, up), user=user,
                  upper=up),
        selection(NVIVO_TEXT, "Rådgiveren vår, Kari, har ansvar", conv, 4, code=guid(40, up),
                  user=user, upper=up),
    ])
    qde = (HEAD.format(name="Nordvik", origin="NVivo 14", creator=user)
           + f'<Users><User guid="{user}" name="Kari Nordmann" id="KN"/></Users>' + codes
           + f'<Variables><Variable guid="{guid(30, up)}" name="Skoleslag" '
             'typeOfVariable="Text"/></Variables>'
           + f'<Cases><Case guid="{guid(40, up)}" name="Kari"><VariableValue>'
             f'<VariableRef targetGUID="{guid(30, up)}"/><TextValue>ungdomsskole</TextValue>'
             '</VariableValue></Case></Cases>'
           + f'<Sources><TextSource guid="{source}" name="Nordvik rektor.docx" '
             f'richTextPath="internal://{source}.docx" plainTextPath="internal://{source}.txt"'
             f' creatingUser="{user}">{selections}</TextSource></Sources></Project>')
    word = docx.Document()
    for line in NVIVO_TEXT.splitlines():
        word.add_paragraph(line)
    buffer = io.BytesIO()
    word.save(buffer)
    return make_qdpx(tmp_path / "nvivo.qdpx", qde, {
        f"sources/{source}.txt": NVIVO_TEXT.encode("utf-8"),
        f"sources/{source}.docx": buffer.getvalue()})


def test_nvivo_for_windows_utf16_positions_over_crlf_are_read_exactly(cli, tmp_path):
    code, out, err, project = import_cli(cli, tmp_path, nvivo_windows(tmp_path))
    assert code == 0, err
    assert "positions read as utf16-crlf" in out
    found = {(c["code"], c["text"], c["coder"]) for c in codings_of(project)}
    assert found == {
        ("Ledelse.Ansvar", "har ansvar for årshjulet", "Kari Nordmann"),
        ("Ledelse", "på Nordvik skole", "Kari Nordmann"),
        # names repeat under different parents: two codes, keyed by GUID
        ("Ressurser.Ansvar", "får lite tid til det", "Kari Nordmann")}
    store = open_project(project)
    try:
        transcript = overview.list_transcripts(store)[0]
        assert transcript["name"] == "Nordvik rektor"
        assert transcript["speakers"] == ["Intervjuer", "Rektor"]
        # the case that NVivo also wrote as a code is a person, not a code
        cases = overview.list_cases(store)
        assert [p["person"] for p in cases["persons"]] == ["Kari"]
        assert cases["persons"][0]["Skoleslag"] == "ungdomsskole"
        with store.snapshot() as db:
            assert db.column("SELECT code_id FROM code ORDER BY code_id") == [
                "Ledelse", "Ledelse.Ansvar", "Ressurser", "Ressurser.Ansvar"]
            assert db.column("SELECT colour FROM code WHERE code_id = 'Ledelse'") == [
                "#ff7f0e"]
    finally:
        store.close()


ATLAS_LINES = ["Intervjuer: Hva betyr karriereveiledning for skolen?",
               "Rådgiver: Det handler om å hjelpe elevene å velge, og å forstå seg selv "
               "når de står foran valget om videregående opplæring på Vestbø.",
               "Intervjuer: Hvem har ansvaret?",
               "Rådgiver: Rektor sier at alle har ansvar, men i praksis er det meg."]
ATLAS_TEXT = "\r\n".join(ATLAS_LINES) + "\r\n"


def atlas(tmp_path: Path) -> Path:
    """ATLAS.ti: CRLF text counted with one position per line break, selection names that
    quote the text (long ones cut with …), flat Parent::Child code names, memos in
    Description, a memo without a code, a note linked to a quotation, document groups as
    Sets, a picture, and a video with a transcript."""
    conv, up = "codepoints-lf", True
    user = guid(1, up)
    long = ATLAS_LINES[1].removeprefix("Rådgiver: ")
    quote = long[:99].rstrip() + "…"
    codes = ('<CodeBook><Codes>'
             f'<Code guid="{guid(10, up)}" name="Ansvar::praksis" isCodable="true"/>'
             f'<Code guid="{guid(11, up)}" name="Ansvar::formelt" isCodable="true"/>'
             f'<Code guid="{guid(12, up)}" name="Valg" isCodable="true" color="#966450">'
             '<Description>Elevenes valg</Description></Code>'
             '</Codes></CodeBook>')
    selections = "".join([
        selection(ATLAS_TEXT, long, conv, 1, code=guid(12, up), user=user, name=quote,
                  description="Kjernen i intervjuet", upper=up),
        selection(ATLAS_TEXT, "i praksis er det meg", conv, 2, code=guid(10, up), user=user,
                  name="i praksis er det meg", upper=up),
        selection(ATLAS_TEXT, "alle har ansvar", conv, 3, code=None, user=user,
                  name="alle har ansvar", description="Sjekk dette mot rektors intervju",
                  upper=up),
    ])
    source = guid(20, up)
    video_text = "Rektor: Vi har et årshjul.\nIntervjuer: Takk."
    qde = (HEAD.format(name="Vestbø", origin="ATLAS.ti 9.1", creator=user)
           + f'<Users><User guid="{user}" name="Ola Nordmann"/></Users>' + codes
           + f'<Sources><TextSource guid="{source}" name="Vestbø rådgiver.txt" '
             f'plainTextPath="internal://{source}.txt">{selections}</TextSource>'
             f'<PictureSource guid="{guid(21, up)}" name="skolen.jpg" '
             f'path="internal://{guid(21, up)}.jpg"><PictureSelection guid="{guid(22, up)}" '
             'firstX="1" firstY="1" secondX="5" secondY="5"/></PictureSource>'
             f'<VideoSource guid="{guid(23, up)}" name="rektor.mp4" path="internal://x.mp4">'
             f'<Transcript guid="{guid(24, up)}" name="Rektor video">'
             f'<PlainTextContent>{video_text}</PlainTextContent>'
             f'<SyncPoint guid="{guid(25, up)}" position="8" timeStamp="1000"/>'
             f'<SyncPoint guid="{guid(26, up)}" position="25" timeStamp="3000"/>'
             f'<TranscriptSelection guid="{guid(27, up)}" fromSyncPoint="{guid(25, up)}" '
             f'toSyncPoint="{guid(26, up)}"><Coding guid="{guid(28, up)}">'
             f'<CodeRef targetGUID="{guid(11, up)}"/></Coding></TranscriptSelection>'
             '</Transcript></VideoSource></Sources>'
             f'<Notes><Note guid="{guid(30, up)}" name="Memo om ansvar"><PlainTextContent>'
             'Rådgiveren bærer ansvaret alene.</PlainTextContent></Note></Notes>'
             f'<Links><Link guid="{guid(31, up)}" originGUID="{guid(5002, up)}" '
             f'targetGUID="{guid(30, up)}"/></Links>'
             f'<Sets><Set guid="{guid(32, up)}" name="Videregående">'
             f'<MemberSource targetGUID="{source}"/></Set>'
             f'<Set guid="{guid(33, up)}" name="runde::2"><MemberSource targetGUID="{source}"/>'
             '</Set></Sets></Project>')
    return make_qdpx(tmp_path / "atlas.qdpx", qde,
                     {f"Sources/{source}.txt": ATLAS_TEXT.encode("utf-8")})


def test_atlas_ti_crlf_text_memos_links_sets_and_media(cli, tmp_path):
    code, out, err, project = import_cli(cli, tmp_path, atlas(tmp_path))
    assert code == 0, err
    assert "positions read as codepoints, codepoints-lf" in out  # the video's, the text's
    assert "skipped: skolen.jpg (picture, 1 selections)" in err
    assert "rektor.mp4 (video, its transcript imported as text)" in err
    found = {c["text"]: c for c in codings_of(project)}
    long = ATLAS_LINES[1].removeprefix("Rådgiver: ")
    assert set(found) == {long, "i praksis er det meg", "Vi har et årshjul"}
    assert found[long]["code"] == "Valg" and found[long]["memo"] == "Kjernen i intervjuet"
    assert found["i praksis er det meg"]["code"] == "Ansvar.praksis"
    assert found["i praksis er det meg"]["memo"] == "Rådgiveren bærer ansvaret alene."
    assert found["Vi har et årshjul"]["code"] == "Ansvar.formelt"
    store = open_project(project)
    try:
        with store.snapshot() as db:
            assert db.rows("SELECT about_type, about_key, body FROM memo") == [
                ("transcript", "Vestbø rådgiver", "Sjekk dette mot rektors intervju")]
            assert db.column("SELECT text FROM transcript WHERE name = 'Vestbø rådgiver'") == [
                "\n".join(ATLAS_LINES)]
    finally:
        store.close()
    assert attributes(project, "Vestbø rådgiver") == {"Videregående": True, "runde": 2}


def maxqda(tmp_path: Path) -> Path:
    """MAXQDA: document variables as unnamed cases with one source, a named case for a
    person, typed values, and a coded segment with its memo in Description."""
    user = guid(1)
    text = "Lærer: Vi bruker utdanningsvalg i niende.\nIntervjuer: Hvorfor?\n"
    source = guid(20)
    qde = (HEAD.format(name="Lærere", origin="MAXQDA 2022", creator=user)
           + f'<Users><User guid="{user}" name="Ingrid"/></Users>'
           + f'<CodeBook><Codes><Code guid="{guid(10)}" name="Utdanningsvalg" '
             'isCodable="true"/></Codes></CodeBook>'
           + '<Variables>'
             f'<Variable guid="{guid(30)}" name="Dato" typeOfVariable="Date"/>'
             f'<Variable guid="{guid(31)}" name="Antall elever" typeOfVariable="Integer"/>'
             f'<Variable guid="{guid(32)}" name="Alder" typeOfVariable="Integer"/>'
             '</Variables>'
           + f'<Cases><Case guid="{guid(40)}"><VariableValue><VariableRef targetGUID="'
             f'{guid(30)}"/><DateValue>2021-10-14</DateValue></VariableValue><VariableValue>'
             f'<VariableRef targetGUID="{guid(31)}"/><IntegerValue>320</IntegerValue>'
             f'</VariableValue><SourceRef targetGUID="{source}"/></Case>'
             f'<Case guid="{guid(41)}" name="laerer_ingrid"><VariableValue><VariableRef '
             f'targetGUID="{guid(32)}"/><IntegerValue>44</IntegerValue></VariableValue>'
             f'<SourceRef targetGUID="{source}"/></Case></Cases>'
           + f'<Sources><TextSource guid="{source}" name="Lærer Nordvik">'
             f'<PlainTextContent>{text}</PlainTextContent>'
           + selection(text, "Vi bruker utdanningsvalg i niende.", "codepoints", 1,
                       code=guid(10), user=user, description="Fast opplegg")
           + '</TextSource></Sources></Project>')
    return make_qdpx(tmp_path / "maxqda.qdpx", qde)


def test_maxqda_document_variables_become_typed_interview_attributes(cli, tmp_path):
    code, out, err, project = import_cli(cli, tmp_path, maxqda(tmp_path))
    assert code == 0, err
    assert "1 persons" in out
    assert "not say under which speaker label" in err  # the person is not guessed
    assert attributes(project, "Lærer Nordvik") == {
        "Dato": dt.date(2021, 10, 14), "Antall elever": 320}
    store = open_project(project)
    try:
        person = overview.list_cases(store)["persons"][0]
        assert person["person"] == "laerer_ingrid" and person["Alder"] == 44
    finally:
        store.close()
    [coding] = codings_of(project)
    assert coding["text"] == "Vi bruker utdanningsvalg i niende." and coding["memo"] == \
        "Fast opplegg"


QUALCODER_TEXT = ("Kari: Vi startet med en kartlegging 🙂 i høst.\n"
                  "Ola: Elevene likte yrkesmessa 👍 veldig godt.\n")


def qualcoder(tmp_path: Path, annotation: str = "Spør rektor om dette") -> Path:
    """QualCoder's exporter: a category as a code that cannot be coded, the plain text in a
    file of its own GUID written with a byte-order mark, selections named by their whole
    text, a memo in Description, an annotation as a Note holding its own selection (the
    source points at it), a journal entry as a named Note in a file, a case linked to its
    source, and Float values; positions in code points (emoji count one)."""
    user, source, plain = guid(1), guid(20), guid(21)
    text = QUALCODER_TEXT

    def at(passage: str) -> tuple[int, int]:
        return text.index(passage), text.index(passage) + len(passage)

    def coded(n: int, passage: str, code: str, memo: str | None) -> str:
        start, end = at(passage)
        described = f"<Description>{memo}</Description>\n" if memo else ""
        return (f'<PlainTextSelection guid="{guid(50 + n)}" startPosition="{start}" '
                f'endPosition="{end}" name="{passage}" creatingUser="{user}" '
                f'creationDateTime="2026-03-12T10:15:00Z">\n{described}'
                f'<Coding guid="{guid(60 + n)}" creatingUser="{user}" >\n'
                f'<CodeRef targetGUID="{code}" />\n</Coding>\n</PlainTextSelection>\n')

    note_start, note_end = at("veldig godt")
    qde = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns:xsd="http://www.w3.org/'
           '2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           f'name="nordvik.qda" origin="QualCoder 3.7" creatingUserGUID="{guid(2)}" '
           'creationDateTime="2026-01-05T09:00:00Z" xmlns="urn:QDA-XML:project:1.0">\n'
           f'<Users>\n<User guid="{user}" name="kari" />\n</Users>\n'
           '<CodeBook>\n<Codes>\n'
           f'<Code guid="{guid(10)}" name="Yrkesmesse" isCodable="true" color="#81BEF7" />\n'
           f'<Code guid="{guid(11)}" name="Praksis" isCodable="false">\n'
           '<Description>Hva skolen gjør</Description>\n'
           f'<Code guid="{guid(12)}" name="Samarbeid med NAV" isCodable="true" '
           'color="#F781F3" />\n</Code>\n</Codes>\n</CodeBook>\n'
           f'<Variables>\n<Variable guid="{guid(30)}" name="varighet" typeOfVariable="Float" >\n'
           '<Description>minutter</Description>\n</Variable>\n'
           f'<Variable guid="{guid(31)}" name="skoleslag" typeOfVariable="Text" >\n'
           '<Description />\n</Variable>\n</Variables>\n'
           f'<Cases>\n<Case guid="{guid(40)}" name="Ola">\n<Description>elev</Description>\n'
           f'<VariableValue>\n<VariableRef targetGUID="{guid(31)}" />\n'
           '<TextValue>ungdomsskole</TextValue>\n</VariableValue>\n'
           f'<SourceRef targetGUID="{source}"/>\n</Case>\n</Cases>\n'
           f'<Sources>\n<TextSource plainTextPath="internal://{plain}.txt" '
           f'creatingUser="{user}" creationDateTime="2026-03-12T10:00:00Z" guid="{source}" '
           'name="nordvik_notat">\n'
           + coded(1, "kartlegging 🙂 i høst", guid(12), "Godt eksempel")
           + coded(2, "Elevene likte yrkesmessa", guid(10), None)
           + f'<NoteRef targetGUID="{guid(71)}" />\n'
           f'<VariableValue>\n<VariableRef targetGUID="{guid(30)}" />\n'
           '<FloatValue>45</FloatValue>\n</VariableValue>\n</TextSource>\n</Sources>\n'
           f'<Notes>\n<Note guid="{guid(70)}" creatingUser="{user}" '
           'creationDateTime="2026-03-12T10:15:00Z" name="Feltnotater"  '
           f'plainTextPath="internal://{guid(70)}.txt" >\n<Description /></Note>\n'
           f'<Note guid="{guid(71)}" creatingUser="{user}" '
           'creationDateTime="2026-03-12T10:15:00Z" >\n'
           f'<PlainTextContent>{annotation}</PlainTextContent>\n'
           f'<PlainTextSelection guid="{guid(72)}" startPosition="{note_start}" '
           f'endPosition="{note_end}" />\n</Note>\n</Notes>\n'
           '<Description>Karriereveiledning på Nordvik</Description>\n</Project>')
    return make_qdpx(tmp_path / "qualcoder.qdpx", qde, {
        f"sources/{plain}.txt": text.encode("utf-8-sig"),
        f"sources/{guid(70)}.txt": "Besøk på Nordvik skole: rådgiveren viste årshjulet."
                                   .encode("utf-8-sig")})


def test_qualcoder_categories_annotations_journal_and_text_with_a_bom(cli, tmp_path):
    code, out, err, project = import_cli(cli, tmp_path, qualcoder(tmp_path))
    assert code == 0, err
    assert "positions read as codepoints" in out
    stored = QUALCODER_TEXT.strip("\n")
    found = {(c["code"], c["text"], c["coder"], c["memo"]) for c in codings_of(project)}
    assert found == {("Praksis.Samarbeid_med_NAV", "kartlegging 🙂 i høst", "kari",
                      "Godt eksempel"),
                     ("Yrkesmesse", "Elevene likte yrkesmessa", "kari", None)}
    store = open_project(project)
    try:
        with store.snapshot() as db:
            # the byte-order mark is not text: positions after it are not shifted by one
            assert db.column("SELECT text FROM transcript") == [stored]
            start = stored.index("veldig godt")
            # QualCoder's annotation keeps its passage; its journal entry is a project memo
            assert db.rows("SELECT about_type, about_key, title, body, author FROM memo "
                           "ORDER BY about_type DESC") == [
                ("transcript", "nordvik_notat", f"{start}–{start + 11}: veldig godt",
                 "Spør rektor om dette", "kari"),
                ("project", None, "Feltnotater",
                 "Besøk på Nordvik skole: rådgiveren viste årshjulet.", "kari")]
            assert db.rows("SELECT code_id, parent_pk IS NULL FROM code ORDER BY code_id") == [
                ("Praksis", 1), ("Praksis.Samarbeid_med_NAV", 0), ("Yrkesmesse", 1)]
        person = overview.list_cases(store)["persons"][0]
        assert person["person"] == "Ola" and person["skoleslag"] == "ungdomsskole"
    finally:
        store.close()
    assert attributes(project, "nordvik_notat") == {"varighet": 45}


def test_qualcoder_annotation_written_with_a_bare_ampersand(cli, tmp_path):
    """QualCoder escapes every text it writes but an annotation's: "&" there makes the
    XML unreadable to a strict parser. A bare "&" is never XML, so it is read as text."""
    code, out, err, project = import_cli(
        cli, tmp_path, qualcoder(tmp_path, annotation="Spør rektor & rådgiver om dette"))
    assert code == 0, err
    assert "1 bare '&'" in err
    store = open_project(project)
    try:
        with store.snapshot() as db:
            assert db.column("SELECT body FROM memo WHERE about_type = 'transcript'") == [
                "Spør rektor & rådgiver om dette"]
    finally:
        store.close()


def test_codes_sharing_a_label_come_back_with_it_and_keep_their_codings(store, cli,
                                                                       tmp_path):
    from tests.test_refi import shared_labels

    shared_labels(store, tmp_path)
    qdpx = write_qdpx(store, tmp_path / "delt.qdpx").path
    code, out, err, project = import_cli(cli, tmp_path, qdpx)
    assert code == 0, err
    copy = open_project(project)
    try:
        labels = "SELECT code_id, label FROM code ORDER BY code_id"
        with store.snapshot() as one, copy.snapshot() as other:
            assert one.rows(labels) == other.rows(labels)
    finally:
        copy.close()
    assert {(c["code"], c["text"]) for c in codings_of(project)} == {
        ("LED.annet", "Det er meg"), ("RAM.annet", "for få timer")}


def test_into_an_existing_project_codes_are_added_and_the_file_holds_them_all(
        example, cli, tmp_path):
    code, out, err, _ = import_cli(cli, tmp_path, maxqda(tmp_path), project=example.path)
    assert code == 0, err
    written = (tmp_path / "maxqda.codebook.yaml").read_text(encoding="utf-8")
    assert "id: LED.forankring_eier" in written and "id: Utdanningsvalg" in written
    code, out, _ = cli("codebook", "load", str(tmp_path / "maxqda.codebook.yaml"),
                       project=example.path)
    assert code == 0 and "already matches" in out


# --- bad input: one line, nothing written --------------------------------------------------

def _not_a_zip(tmp_path):
    path = tmp_path / "feil.qdpx"
    path.write_text("Rektor: dette er ikke en zip\n", encoding="utf-8")
    return path, "not a zip"


def _no_qde(tmp_path):
    path = tmp_path / "feil.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sources/a.txt", "Rektor: Hei.")
    return path, "no project.qde"


def _not_a_project(tmp_path):
    return make_qdpx(tmp_path / "feil.qdpx", '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'
                     ), "not a REFI-QDA <Project>"


def _missing_source(tmp_path):
    qde = (HEAD.format(name="x", origin="NVivo", creator=guid(1))
           + f'<Sources><TextSource guid="{guid(2)}" name="Rektor" '
             'plainTextPath="internal://borte.txt"/></Sources></Project>')
    return make_qdpx(tmp_path / "feil.qdpx", qde), "which is not in the .qdpx"


def _unknown_code(tmp_path):
    text = "Rektor: Vi har en plan."
    qde = (HEAD.format(name="x", origin="NVivo", creator=guid(1))
           + f'<Sources><TextSource guid="{guid(2)}" name="Rektor"><PlainTextContent>{text}'
             '</PlainTextContent>'
           + selection(text, "Vi har en plan", "codepoints", 1, code=guid(99), user=guid(1))
           + '</TextSource></Sources></Project>')
    return make_qdpx(tmp_path / "feil.qdpx", qde), "which is not in the codebook"


def _positions_fit_nothing(tmp_path):
    text = "Rektor: Vi har en plan for karriereveiledning på Nordvik."
    qde = (HEAD.format(name="x", origin="NVivo", creator=guid(1))
           + f'<CodeBook><Codes><Code guid="{guid(10)}" name="Plan" isCodable="true"/>'
             '</Codes></CodeBook>'
           + f'<Sources><TextSource guid="{guid(2)}" name="Rektor"><PlainTextContent>{text}'
             '</PlainTextContent>'
             f'<PlainTextSelection guid="{guid(3)}" startPosition="10" endPosition="500">'
             f'<Coding guid="{guid(4)}"><CodeRef targetGUID="{guid(10)}"/></Coding>'
             '</PlainTextSelection></TextSource></Sources></Project>')
    return make_qdpx(tmp_path / "feil.qdpx", qde), "fit no known convention"


def _shifted_positions(tmp_path):
    text = "Rektor: Vi har en plan for karriereveiledning på Nordvik skole i år."
    spans = "".join(
        f'<PlainTextSelection guid="{guid(30 + i)}" startPosition="{text.index(w) + 2}" '
        f'endPosition="{text.index(w) + len(w) + 2}"><Coding guid="{guid(60 + i)}">'
        f'<CodeRef targetGUID="{guid(10)}"/></Coding></PlainTextSelection>'
        for i, w in enumerate(["plan", "karriereveiledning", "Nordvik"]))
    qde = (HEAD.format(name="x", origin="NVivo", creator=guid(1))
           + f'<CodeBook><Codes><Code guid="{guid(10)}" name="Plan" isCodable="true"/>'
             '</Codes></CodeBook>'
           + f'<Sources><TextSource guid="{guid(2)}" name="Rektor"><PlainTextContent>{text}'
             f'</PlainTextContent>{spans}</TextSource></Sources></Project>')
    return make_qdpx(tmp_path / "feil.qdpx", qde), "would be shifted"


def _selection_without_positions(tmp_path):
    qde = (HEAD.format(name="x", origin="MAXQDA", creator=guid(1))
           + f'<Sources><TextSource guid="{guid(2)}" name="Rektor"><PlainTextContent>Rektor: '
             f'Ja.</PlainTextContent><PlainTextSelection guid="{guid(3)}" endPosition="9"/>'
             '</TextSource></Sources></Project>')
    return make_qdpx(tmp_path / "feil.qdpx", qde), "startPosition='None', not a whole number"


def _cut_off(tmp_path):
    """A project XML that ends in the middle: read while checked against the schema, it
    once gave the sources before the cut and no word that the rest was missing."""
    text = "Rektor: Vi har en plan."
    qde = (HEAD.format(name="x", origin="NVivo", creator=guid(1))
           + f'<Sources><TextSource guid="{guid(2)}" name="Rektor"><PlainTextContent>{text}'
             f'</PlainTextContent></TextSource><TextSource guid="{guid(3)}" name="Lærer">'
             '<PlainTextContent>Lærer: Vi har ')
    return make_qdpx(tmp_path / "feil.qdpx", qde), "the project XML cannot be read"


def _encrypted(tmp_path):
    path = tmp_path / "feil.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", b"<Project/>")
    # zipfile cannot encrypt: set the flag in the local and the central header by hand
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1
    path.write_bytes(bytes(data))
    return path, "is encrypted"


def _climbs_out(tmp_path):
    path = tmp_path / "feil.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", b"<Project/>")
        archive.writestr("../../rektor.txt", b"Rektor: Hei.")
    return path, "points outside the zip"


def _bomb(tmp_path):
    path = tmp_path / "feil.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", b"<Project/>")
        archive.writestr("sources/a.txt", b" " * (8 * 1024 * 1024))
    return path, "times its size"


@pytest.mark.parametrize("make", [_not_a_zip, _no_qde, _not_a_project, _missing_source,
                                  _unknown_code, _positions_fit_nothing, _shifted_positions,
                                  _selection_without_positions, _cut_off, _encrypted,
                                  _climbs_out,
                                  _bomb],
                         ids=lambda f: f.__name__.strip("_"))
def test_bad_input_is_one_line_naming_the_file_and_nothing_is_written(make, cli, tmp_path):
    path, reason = make(tmp_path)
    project = tmp_path / "ny.db"
    init_project(project).close()
    before = hashlib.sha256(project.read_bytes()).hexdigest()
    code, out, err, _ = import_cli(cli, tmp_path, path, project=project)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "feil.qdpx" in lines[0] and reason in lines[0], err
    assert hashlib.sha256(project.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("*.codebook.yaml"))


def test_positions_can_be_forced_and_a_wrong_choice_is_refused(cli, tmp_path):
    path = nvivo_windows(tmp_path)
    code, out, err, project = import_cli(cli, tmp_path, path, "--positions", "codepoints")
    assert code == 1 and len(err.strip().splitlines()) == 1
    code, out, err, _ = import_cli(cli, tmp_path, path, "--positions", "utf16-crlf",
                                   project=project)
    assert code == 0 and "utf16-crlf" in out
    code, _, err, _ = import_cli(cli, tmp_path, path, "--positions", "bytes",
                                 project=tmp_path / "tredje.db")
    assert code == 1 and "is not a convention" in err


# --- codebook exchange ----------------------------------------------------------------------

def test_a_codebook_travels_on_its_own_as_qdc_and_comes_back_the_same(example, cli, tmp_path):
    from lxml import etree

    qdc, yaml_file = tmp_path / "kodebok.qdc", tmp_path / "kodebok.yaml"
    code, out, err = cli("codebook", "export", "--format", "qdc", str(qdc),
                         project=example.path)
    assert code == 0, err
    assert out.strip() == f"Wrote {qdc} (REFI-QDA codebook): 116 codes."
    root = etree.fromstring(qdc.read_bytes())
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    # The codebook schema's Code is the project schema's: check it inside a project.
    as_project = qdc.read_text(encoding="utf-8").replace("urn:QDA-XML:codebook:1.0",
                                                         "urn:QDA-XML:project:1.0")
    codes = etree.fromstring(as_project.encode("utf-8")).find(
        "{urn:QDA-XML:project:1.0}Codes")
    project = etree.Element("{urn:QDA-XML:project:1.0}Project", name="x")
    etree.SubElement(project, "{urn:QDA-XML:project:1.0}CodeBook").append(codes)
    schema = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" /
                                             "Project-mrt2019.xsd")))
    assert schema.validate(project), schema.error_log
    code, out, err = cli("codebook", "import", str(qdc), str(yaml_file))
    assert code == 0 and out.strip() == f"Wrote {yaml_file}: 116 codes from {qdc}.", err
    assert cli("codebook", "validate", str(yaml_file))[0] == 0
    fresh = tmp_path / "tom.db"
    init_project(fresh).close()
    assert cli("codebook", "load", str(yaml_file), project=fresh)[0] == 0
    fields = "SELECT * FROM code ORDER BY code_id"
    copy = open_project(fresh)
    try:
        with example.snapshot() as one, copy.snapshot() as other:
            assert [r[1:] for r in one.rows(fields)] == [r[1:] for r in other.rows(fields)]
    finally:
        copy.close()
    # an existing file is never overwritten
    code, _, err = cli("codebook", "import", str(qdc), str(yaml_file))
    assert code == 1 and "exists" in err


def test_the_codebook_of_another_programs_project_becomes_yaml(cli, tmp_path):
    yaml_file = tmp_path / "atlas.yaml"
    code, out, err = cli("codebook", "import", str(atlas(tmp_path)), str(yaml_file))
    assert code == 0, err
    text = yaml_file.read_text(encoding="utf-8")
    for line in ("id: Ansvar", "id: Ansvar.praksis", "label: praksis", "id: Valg",
                 "colour: '#966450'"):
        assert line in text
    assert cli("codebook", "validate", str(yaml_file))[0] == 0


def test_nvivo_for_mac_empty_plain_text_beside_a_word_file(cli, tmp_path):
    """NVivo for Mac writes a .txt holding one line break beside each .docx of a document
    nobody coded: the text is the Word file's; a document empty in both is skipped."""
    import docx

    user = guid(1)
    word = docx.Document()
    for line in ("Rektor: Vi har en plan for rådgivningen.", "Intervjuer: Takk."):
        word.add_paragraph(line)
    buffer = io.BytesIO()
    word.save(buffer)
    empty = io.BytesIO()
    docx.Document().save(empty)
    full, blank = guid(20), guid(21)
    qde = (HEAD.format(name="qc project", origin="NVivo for Mac 15.0.0", creator=user)
           + f'<Users><User guid="{user}" id="KN" name="kari"/></Users>'
           + f'<CodeBook><Codes><Code guid="{guid(10)}" isCodable="true" name="Plan"/>'
             '</Codes></CodeBook><Sources>'
           + "".join(f'<TextSource guid="{g}" name="{n}" plainTextPath="internal://{g}.txt" '
                     f'richTextPath="internal://{g}.docx"/>'
                     for g, n in ((full, "Rektor Nordvik"), (blank, "Tomt")))
           + '</Sources></Project>')
    path = make_qdpx(tmp_path / "mac.qdpx", qde, {
        f"sources/{full}.txt": b"\n", f"sources/{full}.docx": buffer.getvalue(),
        f"sources/{blank}.txt": b"\n", f"sources/{blank}.docx": empty.getvalue(),
        "sources/.root": b""})
    code, out, err, project = import_cli(cli, tmp_path, path)
    assert code == 0, err
    assert "skipped: Tomt (empty text)" in err
    store = open_project(project)
    try:
        [transcript] = overview.list_transcripts(store)
        assert transcript["name"] == "Rektor Nordvik"
        assert transcript["speakers"] == ["Rektor", "Intervjuer"]
    finally:
        store.close()


def test_a_bare_qde_reads_its_sources_beside_it(cli, tmp_path):
    text = "Rektor: Vi har en plan.\nIntervjuer: Takk.\n"
    qde = (HEAD.format(name="x", origin="MAXQDA", creator=guid(1))
           + f'<Sources><TextSource guid="{guid(2)}" name="Rektor" '
             'plainTextPath="relative://rektor.txt"/></Sources></Project>')
    (tmp_path / "prosjekt.qde").write_text(qde, encoding="utf-8")
    (tmp_path / "rektor.txt").write_text(text, encoding="utf-8")
    code, out, err, _ = import_cli(cli, tmp_path, tmp_path / "prosjekt.qde")
    assert code == 0 and "1 transcripts" in out, err


def test_the_qc_programs_whole_line_selections(cli, tmp_path):
    """The qc program codes whole lines: selections named line:N that run from a line's start
    to the start of the next, line break included, with no snippet to check against."""
    lines = ["Intervjuer: Hva gjør rådgiveren?", "Rådgiver: Jeg har samtaler med elevene.",
             "Rådgiver: Og jeg lager årshjulet sammen med rektor.", "Intervjuer: Takk."]
    text = "\n".join(lines) + "\n"
    user = guid(1)
    spans = ""
    for n in (1, 2):
        start = text.index(lines[n])
        spans += (f'<PlainTextSelection guid="{guid(30 + n)}" name="line:{n}" '
                  f'startPosition="{start}" endPosition="{start + len(lines[n]) + 1}">'
                  f'<Coding guid="{guid(40 + n)}" creatingUser="{user}"><CodeRef '
                  f'targetGUID="{guid(10)}"/></Coding></PlainTextSelection>')
    qde = ('<Project xmlns="urn:QDA-XML:project:1.0" origin="qc 1.3.2" name="qc project">'
           f'<Users><User name="cp" guid="{user}" /></Users>'
           f'<CodeBook><Codes><Code name="samtaler" guid="{guid(10)}" isCodable="true"/>'
           f'</Codes></CodeBook><Sources><TextSource guid="{guid(20)}" name="radgiver" '
           f'plainTextPath="internal://radgiver.txt">{spans}</TextSource></Sources></Project>')
    path = make_qdpx(tmp_path / "qc.qdpx", qde, {"sources/radgiver.txt": text.encode()})
    code, out, err, project = import_cli(cli, tmp_path, path)
    assert code == 0, err
    assert "positions read as codepoints" in out
    assert [c["text"].rstrip("\n") for c in codings_of(project)] == lines[1:3]
    assert {c["turns"] for c in codings_of(project)} == {"2", "3"}


def test_importing_the_same_file_again_adds_nothing(cli, tmp_path):
    path = nvivo_windows(tmp_path)
    code, _, err, project = import_cli(cli, tmp_path, path)
    assert code == 0, err
    code, out, err, _ = import_cli(cli, tmp_path, path, "--codebook",
                                   str(tmp_path / "igjen.yaml"), project=project)
    assert code == 0, err
    assert "0 transcripts (1 already in the project)" in out
    assert "0 codings" in out and "3 already there" in out
    assert len(codings_of(project)) == 3


@pytest.mark.parametrize("namespace", ['xmlns="urn:QDA-XML:project:1.0"', ""],
                         ids=["out-of-order", "no-namespace"])
def test_what_real_programs_write_against_the_schema_is_read_with_a_warning(
        namespace, cli, tmp_path):
    text = "Rektor: Vi har en plan for rådgivningen."
    code_guid = "{" + guid(10).upper() + "}"  # braces and upper case, as some write them
    qde = (f'<Project {namespace} name="x" origin="Quirkos">'
           f'<Sources><TextSource guid="{guid(2)}" name="Rektor"><PlainTextContent>{text}'
           '</PlainTextContent>'
           + selection(text, "Vi har en plan", "codepoints", 1, code=guid(10), user=guid(1))
           + '</TextSource></Sources>'
           f'<CodeBook><Codes><Code guid="{code_guid}" name="Plan"/></Codes></CodeBook>'
           '</Project>')
    code, out, err, project = import_cli(cli, tmp_path, make_qdpx(tmp_path / "q.qdpx", qde))
    assert code == 0, err
    assert ("does not follow the REFI-QDA schema" in err if namespace
            else "not in the namespace" in err)
    assert [(c["code"], c["text"]) for c in codings_of(project)] == [("Plan", "Vi har en plan")]


def test_options_that_do_not_apply_are_refused_in_one_line(cli, tmp_path):
    from tests.conftest import EXAMPLE

    path = maxqda(tmp_path)
    code, _, err, project = import_cli(cli, tmp_path, path, "--replace")
    assert code == 1 and "--replace does not apply" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("import", str(EXAMPLE / "nordvik_rektor.txt"), "--positions", "utf16",
                       project=project)
    assert code == 1 and "apply to a REFI-QDA project" in err
    code, _, err = cli("import", str(path), str(EXAMPLE / "nordvik_rektor.txt"),
                       project=project)
    assert code == 1 and "imported on its own" in err
    assert codings_of(project) == []


def test_notes_linked_to_cases_come_back_as_memos_on_the_school_and_the_informant(
        example, cli, tmp_path):
    """Another program's file links notes to cases (the standard's way, since a Case has no
    NoteRef): the notes become memos on the school and the informant, not on the project."""
    from lxml import etree

    from qualcode.services.memos import add_memo

    add_memo(example, "person:nordvik_rektor", "Rektor eier planen.")
    add_memo(example, "site:vestbo_vgs", "Stor skole.")
    qdpx = write_qdpx(example, tmp_path / "studie.qdpx").path
    # As another program writes it: the notes carry no qualcode line of what they are about.
    with zipfile.ZipFile(qdpx) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(entries["project.qde"])
    for description in root.iterfind(".//{urn:QDA-XML:project:1.0}Note/"
                                     "{urn:QDA-XML:project:1.0}Description"):
        description.getparent().remove(description)
    entries["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    other = tmp_path / "annet.qdpx"
    with zipfile.ZipFile(other, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    code, out, err, project = import_cli(cli, tmp_path, other)
    assert code == 0, err
    copy = open_project(project)
    try:
        with copy.snapshot() as db:
            assert sorted(db.rows("SELECT about_type, about_key, body FROM memo "
                                  "WHERE about_type IN ('person', 'site')")) == [
                ("person", "nordvik_rektor", "Rektor eier planen."),
                ("site", "vestbo_vgs", "Stor skole.")]
    finally:
        copy.close()


def _users_named(tmp_path: Path, names: list[str], origin: str) -> Path:
    """One coded sentence per user, each user named as given."""
    lines = [f"Rådgiver: Vi snakker med elev nummer {n} om valg." for n in range(len(names))]
    text = "\n".join(lines) + "\n"
    users = "".join(f'<User guid="{guid(100 + n)}" name="{name}"/>'
                    for n, name in enumerate(names))
    codings = "".join(selection(text, line.removeprefix("Rådgiver: "), "codepoints", n,
                                code=guid(10), user=guid(100 + n))
                      for n, line in enumerate(lines))
    qde = (HEAD.format(name="Nordvik", origin=origin, creator=guid(100))
           + f"<Users>{users}</Users>"
           + f'<CodeBook><Codes><Code guid="{guid(10)}" name="Valg" isCodable="true"/>'
             "</Codes></CodeBook>"
           + f'<Sources><TextSource guid="{guid(20)}" name="nordvik_radgiver">'
             f"<PlainTextContent>{text}</PlainTextContent>{codings}</TextSource></Sources>"
           + "</Project>")
    return make_qdpx(tmp_path / "brukere.qdpx", qde)


def test_a_user_named_like_a_coders_round_is_renamed_and_said_so(cli, tmp_path):
    names = ["Kari@1", "Ola@02", "anna@2@3", "anna@uib.no", "Per@2"]
    code, out, err, project = import_cli(
        cli, tmp_path, _users_named(tmp_path, names, "MAXQDA 2022"))
    assert code == 0, err
    assert sorted({c["coder"] for c in codings_of(project)}) == sorted(
        ["Kari-1", "Ola-02", "anna@2-3", "anna@uib.no", "Per-2"])
    for renamed in ["Kari@1 → Kari-1", "Ola@02 → Ola-02", "anna@2@3 → anna@2-3",
                    "Per@2 → Per-2"]:
        assert renamed in err
    assert "anna@uib.no →" not in err


def test_a_round_in_qualcodes_own_export_stays_a_round(cli, tmp_path):
    code, out, err, project = import_cli(
        cli, tmp_path, _users_named(tmp_path, ["Per", "Per@2", "Kari@1"], "qualcode 0.9"))
    assert code == 0, err
    assert sorted({c["coder"] for c in codings_of(project)}) == ["Kari-1", "Per", "Per@2"]
    assert "Per@2 →" not in err and "Kari@1 → Kari-1" in err


def test_a_large_qdpx_parsed_by_workers_is_what_one_process_reads(tmp_path, monkeypatch):
    """A project of many texts has its speakers read by worker processes: every turn,
    label, time and Norwegian letter comes out as when the import reads them itself."""
    from qualcode.services import ingest, queries
    from qualcode.services.refi_import import import_qdpx

    folder = tmp_path / "mange"
    folder.mkdir()
    names = [f"samtale_{i:02d}" for i in range(ingest.PARALLEL_MIN_FILES + 3)]
    for i, name in enumerate(names):
        (folder / f"{name}.txt").write_text(
            f"Intervjuer: [00:00:0{i % 9}] Hva gjør rådgiveren, nummer {i}?\n"
            f"Rådgiver: Karrieresamtaler på Røros – skole-hjem-samarbeid.\nLærer 2: Ja.\n",
            encoding="utf-8")
    source = init_project(tmp_path / "kilde.db")
    try:
        ingest.import_transcripts(source, [folder])
        qdpx = write_qdpx(source, tmp_path / "mange.qdpx").path
    finally:
        source.close()
    shown = {}
    for workers in ("0", "2"):
        monkeypatch.setenv(ingest.WORKERS_SETTING, workers)
        assert ingest.parsing_workers(len(names)) == int(workers)
        store = init_project(tmp_path / f"ny_{workers}.db")
        try:
            import_qdpx(store, qdpx)
            shown[workers] = [queries.transcript_turns(store, name) for name in names]
        finally:
            store.close()
    assert shown["0"] == shown["2"]
    assert shown["2"][7]["turns"][1]["speaker"] == "Rådgiver"
    assert shown["2"][7]["turns"][0]["time"] == 7.0
    assert shown["2"][7]["words"] == 10  # 5 + 4 ("skole-hjem-samarbeid" is one) + 1
