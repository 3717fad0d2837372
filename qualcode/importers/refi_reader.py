"""Reading a REFI-QDA project (.qdpx) or codebook (.qdc) into plain data (pure, no database).

A .qdpx is a zip with one ``*.qde`` file (XML, namespace ``urn:QDA-XML:project:1.0``) and
the sources' files; a .qdc is the codebook XML alone (``urn:QDA-XML:codebook:1.0``). The
zip is opened defensively (:func:`safe_members`) and the XML is parsed without network,
DTDs or entity expansion.

The file is checked against the standard's schema. What NVivo, ATLAS.ti, MAXQDA and
QualCoder really write does not always pass it, so a schema failure is a warning, not a
refusal, as long as the document is still readable: the root is a REFI ``Project`` (or
``CodeBook``), every object used has its GUID, and positions are whole numbers. Tolerated:
elements out of the schema's order or unknown to it, missing ``isCodable`` or ``name``,
GUIDs in braces or any case (compared lower case, without braces), a namespace missing
from the document, ``Description`` on elements the schema gives none, ``TextValue``
where another type was declared, and a bare ``&`` (QualCoder's annotations), read as text.
Refused, with the file named: not a zip, an unsafe zip, no .qde (or two), XML that does
not parse (checked before the schema is: read under it, a broken document would stop
early without a word), another root, a reference to a source file that
is not there, a coding of a GUID that is no code.

Positions are left as the file gives them; :mod:`qualcode.importers.refi_positions`
decides what they count.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from qualcode.domain.errors import InputFileError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_FILE = Path(__file__).with_name("refi_project.xsd")
# A zip may unpack to at most this much, and no member to more than RATIO times its packed
# size (text packs 3-10 times; a zip bomb thousands of times). Members smaller than
# RATIO_FLOOR are not held to the ratio: a page of blank lines packs very well.
MAX_UNPACKED = 2 * 1024**3
RATIO = 100
RATIO_FLOOR = 1024**2
MEDIA_SOURCES = {"PDFSource": "PDF", "PictureSource": "picture", "AudioSource": "audio",
                 "VideoSource": "video"}
_BARE_AMPERSAND = re.compile(rb"&(?!#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z_][A-Za-z0-9_.-]*;)")
_GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12})\}?")


# --- what a REFI file holds -------------------------------------------------------------

@dataclass
class RefiUser:
    guid: str
    name: str


@dataclass
class RefiCode:
    guid: str
    name: str
    parent: str | None  # the parent's GUID
    colour: str | None = None
    description: str | None = None
    codable: bool = True
    notes: list[str] = field(default_factory=list)  # Note GUIDs


@dataclass
class RefiCoding:
    code: str  # code GUID
    user: str | None  # user GUID


@dataclass
class RefiSelection:
    guid: str
    start: int  # as the file counts (see refi_positions)
    end: int
    name: str | None
    user: str | None
    description: str | None
    codings: list[RefiCoding]
    notes: list[str]


@dataclass
class RefiRecording:
    """The audio or video a transcript belongs to, as the file names it."""

    name: str  # the media source's name
    kind: str  # audio | video
    path: str | None  # internal://, relative://, absolute:// or a bare path; None if unnamed


@dataclass
class RefiSource:
    guid: str
    name: str
    text: str | None  # None for media sources without a transcript
    kind: str  # text | PDF | picture | audio | video | transcript (of audio/video)
    file: str | None  # where the text came from (a zip member or PlainTextContent)
    description: str | None
    user: str | None
    selections: list[RefiSelection]
    notes: list[str]
    values: dict[str, tuple[str, str]]  # variable GUID -> (REFI type, lexical value)
    skipped_selections: int = 0
    # A transcript's sync points: (position as the file counts, milliseconds)
    sync_points: list[tuple[int, int]] = field(default_factory=list)
    recording: RefiRecording | None = None
    skipped_as: str | None = None  # how to report its media source if the text stays its own


@dataclass
class RefiNote:
    guid: str
    name: str | None
    text: str
    user: str | None
    description: str | None = None
    # QualCoder's annotations: the passage, in the source whose NoteRef points here, that
    # the note is about (positions as the file counts them)
    passages: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class RefiVariable:
    guid: str
    name: str
    type: str  # Text | Boolean | Integer | Float | Date | DateTime
    description: str | None


@dataclass
class RefiCase:
    guid: str
    name: str | None
    description: str | None
    values: dict[str, tuple[str, str]]
    sources: list[str]  # source GUIDs (SourceRef, and sources of SelectionRef)
    codes: list[str]  # CodeRef: QualCoder-style case codes


@dataclass
class RefiSet:
    guid: str
    name: str
    description: str | None
    sources: list[str]
    codes: list[str]


@dataclass
class RefiLink:
    origin: str | None
    target: str | None
    notes: list[str]


@dataclass
class RefiProject:
    path: str
    name: str | None
    origin: str | None
    description: str | None
    users: dict[str, RefiUser]
    codes: list[RefiCode]  # in document order, parents before children
    sources: list[RefiSource]
    notes: dict[str, RefiNote]
    variables: dict[str, RefiVariable]
    cases: list[RefiCase]
    sets: list[RefiSet]
    links: list[RefiLink]
    project_notes: list[str]
    skipped_sources: list[str]  # "name (kind)"
    warnings: list[str]
    creator: str | None = None  # the creating user's GUID


# --- the zip ----------------------------------------------------------------------------

def safe_members(archive: zipfile.ZipFile, where: str) -> dict[str, zipfile.ZipInfo]:
    """The members of a zip that is safe to unpack, by name; otherwise InputFileError.

    Refused: an encrypted member, a member name that is absolute or climbs out of the zip
    (``..``, a drive letter, a backslash path), more than MAX_UNPACKED bytes in all, or a
    member that unpacks to more than RATIO times its packed size."""
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in archive.infolist():
        name = info.filename
        if info.flag_bits & 0x1:
            raise InputFileError(where, f"the zip member '{name}' is encrypted",
                                 hint="export the project again without a password")
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
            raise InputFileError(where, f"the zip member name '{name}' points outside the "
                                 "zip; refused")
        total += info.file_size
        if total > MAX_UNPACKED:
            raise InputFileError(where, f"the zip unpacks to more than "
                                 f"{MAX_UNPACKED // 1024**3} GiB; refused")
        if info.file_size > RATIO_FLOOR and info.file_size > RATIO * max(info.compress_size, 1):
            raise InputFileError(where, f"the zip member '{name}' unpacks to more than {RATIO} "
                                 "times its size; refused")
        if not name.endswith("/"):
            members[name] = info
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    # The header's size is checked above; a member that lies about it stops at that size.
    with archive.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise InputFileError(where, f"the zip member '{info.filename}' is larger than its "
                             "header says; refused")
    return data


# --- the XML ----------------------------------------------------------------------------

def _parse_xml(data: bytes, where: str):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True, remove_blank_text=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputFileError(where, f"the project XML cannot be read ({exc})") from None


def _schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


@dataclass
class _Parsed:
    root: object
    sources: list[RefiSource]
    skipped: list[str]
    schema_problem: str | None


def _stream(reader: _Reader, data: bytes, schema) -> _Parsed:
    """Parse the project XML, checked against ``schema`` while it is read, turning each
    source into plain data as soon as it is complete and dropping its elements: a large
    project's selections never sit in memory as a tree."""
    from lxml import etree

    sources: list[RefiSource] = []
    skipped: list[str] = []
    options = {"events": ("end",), "resolve_entities": False, "no_network": True,
               "load_dtd": False, "huge_tree": True, "remove_blank_text": False}
    if schema is not None:
        options["schema"] = schema
    root = None
    for _, element in etree.iterparse(io.BytesIO(data), **options):
        parent = element.getparent()
        if parent is None:
            root = element
        elif _local(parent) == "Sources" and parent.getparent() is not None \
                and parent.getparent().getparent() is None:
            _source(reader, element, sources, skipped)
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del parent[0]
    return _Parsed(root, sources, skipped, None)


class _NoTree:
    """A parser target without callbacks: the document is parsed and nothing is built."""

    def close(self) -> None:
        return None


def _check_well_formed(data: bytes) -> None:
    from lxml import etree

    parser = etree.XMLParser(target=_NoTree(), resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=True)
    parser.feed(data)
    parser.close()


def _well_formed(reader: _Reader, data: bytes) -> bytes:
    """The document if it is well-formed XML, else InputFileError. Read while checked
    against the schema, a document that is not stops at its first fault without a word
    and loses the rest, so this is made sure of first. A bare "&" is never XML (QualCoder
    writes annotations unescaped): it is read as the text it stands for, with a warning."""
    from lxml import etree

    try:
        _check_well_formed(data)
        return data
    except etree.XMLSyntaxError as exc:
        problem = exc
    repaired, n = _BARE_AMPERSAND.subn(b"&amp;", data)
    if n:
        try:
            _check_well_formed(repaired)
        except etree.XMLSyntaxError:
            pass
        else:
            reader.warnings.append(f"{reader.where}: {n} bare '&' in the project XML "
                                   "(not escaped as XML requires) read as text")
            return repaired
    raise InputFileError(reader.where, f"the project XML cannot be read ({problem})")


def _parse_project(reader: _Reader, data: bytes) -> _Parsed:
    """The document, checked against the REFI-QDA schema; one that departs from it is
    read again without the check, and the first departure is kept for a warning."""
    from lxml import etree

    data = _well_formed(reader, data)
    schema = _schema() if SCHEMA_FILE.exists() else None
    warnings = list(reader.warnings)
    try:
        return _stream(reader, data, schema)
    except etree.XMLSyntaxError as exc:
        if schema is None:
            raise InputFileError(reader.where, f"the project XML cannot be read ({exc})"
                                 ) from None
        problem = str(exc)
    reader.warnings = warnings  # the second reading warns afresh
    try:
        parsed = _stream(reader, data, None)
    except etree.XMLSyntaxError as exc:
        raise InputFileError(reader.where, f"the project XML cannot be read ({exc})"
                             ) from None
    parsed.schema_problem = problem
    return parsed


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name: str) -> list:
    return [child for child in element if _local(child) == name]


def _child(element, name: str):
    for child in element:
        if _local(child) == name:
            return child
    return None


def _text_of(element, name: str) -> str | None:
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text


def guid_of(value: str | None) -> str | None:
    """A GUID compared as the standard means it: lower case, without braces."""
    if not value:
        return None
    match = _GUID.fullmatch(value.strip())
    return match.group(1).lower() if match else value.strip().lower()


def _refs(element, name: str) -> list[str]:
    return [g for g in (guid_of(ref.get("targetGUID")) for ref in _children(element, name))
            if g]


def _values(element) -> dict[str, tuple[str, str]]:
    values = {}
    for value in _children(element, "VariableValue"):
        variable = guid_of((_child(value, "VariableRef") if _child(value, "VariableRef")
                            is not None else value).get("targetGUID"))
        for child in value:
            name = _local(child)
            if name.endswith("Value") and child.text is not None and variable:
                values[variable] = (name.removesuffix("Value"), child.text.strip())
    return values


# --- reading ----------------------------------------------------------------------------

class _Reader:
    def __init__(self, path: Path, members: dict[str, zipfile.ZipInfo] | None,
                 archive: zipfile.ZipFile | None) -> None:
        self.path = path
        self.where = str(path)
        self.members = members or {}
        self.lower = {name.lower(): name for name in self.members}
        self.archive = archive
        self.warnings: list[str] = []

    def need_guid(self, element) -> str:
        guid = guid_of(element.get("guid"))
        if not guid:
            raise InputFileError(self.where, f"a <{_local(element)}> has no guid; the project "
                                 "cannot be read")
        return guid

    def position(self, element, name: str) -> int:
        value = element.get(name)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise InputFileError(self.where, f"selection '{element.get('guid')}' has "
                                 f"{name}='{value}', not a whole number") from None

    # sources' files
    def member_for(self, reference: str) -> str | None:
        """The zip member a source path names: internal://, relative:// or a bare path,
        under the root, Sources/ or sources/ (the case of the name does not matter)."""
        name = reference
        for scheme in ("internal://", "relative://", "file://"):
            if name.lower().startswith(scheme):
                name = name[len(scheme):]
                break
        name = name.replace("\\", "/").lstrip("/")
        for candidate in (name, f"sources/{name}", posixpath.basename(name),
                          f"sources/{posixpath.basename(name)}"):
            found = self.lower.get(candidate.lower())
            if found:
                return found
        return None

    def read_text_file(self, reference: str, owner: str) -> tuple[str, str]:
        member = self.member_for(reference)
        if member is None:
            # a bare .qde, or a relative:// path: the file lies beside the project file
            relative = reference.split("://", 1)[-1].replace("\\", "/").lstrip("/")
            for beside in (self.path.parent / relative, self.path.parent / "sources" / relative,
                           self.path.parent / "Sources" / relative):
                if (self.archive is None or reference.lower().startswith("relative://")) \
                        and ".." not in PurePosixPath(relative).parts and beside.is_file():
                    return self._decode(beside.read_bytes(), str(beside), reference), \
                        str(beside)
            raise InputFileError(self.where, f"source '{owner}' names the file '{reference}', "
                                 "which is not in the .qdpx",
                                 hint="export the project again with its sources included")
        data = _read_member(self.archive, self.members[member], self.where)
        return self._decode(data, member, reference), member

    def _decode(self, data: bytes, member: str, reference: str) -> str:
        if member.lower().endswith(".docx"):
            from qualcode.importers.docx_reader import read_docx

            text, _ = read_docx(data, f"{self.where}:{member}")
            self.warnings.append(f"{self.where}: the text of '{member}' is read from the "
                                 "Word file (no plain text, or an empty one, beside it)")
            return text
        from qualcode.domain.text import decode_bytes

        try:
            return decode_bytes(data)[0]
        except UnicodeDecodeError:
            raise InputFileError(self.where, f"'{member}' is not readable text") from None

    def source_text(self, element, name: str) -> tuple[str | None, str | None]:
        inline = _text_of(element, "PlainTextContent")
        if inline is not None:
            return inline, "PlainTextContent"
        for attribute in ("plainTextPath", "richTextPath"):
            reference = element.get(attribute)
            if reference:
                if attribute == "richTextPath" and element.get("plainTextPath"):
                    continue
                return self.read_text_file(reference, name)
        return None, None


def read_refi(path: Path) -> RefiProject:
    """Read a .qdpx (or a bare .qde) file; raise InputFileError naming the file if it is
    not a usable REFI-QDA project."""
    path = Path(path)
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(where, f"cannot read the file ({exc.strerror})") from None
    if path.suffix.lower() == ".qde":
        reader = _Reader(path, None, None)
        return _project(reader, _parse_project(reader, data))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputFileError(where, "not a REFI-QDA project: the file is not a zip",
                             hint="a .qdpx is a zip with a project.qde inside")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = safe_members(archive, where)
    except zipfile.BadZipFile as exc:
        raise InputFileError(where, f"the zip is damaged ({exc})") from None
    qde = [name for name in members if name.lower().endswith(".qde") and "/" not in name]
    qde = qde or [name for name in members if name.lower().endswith(".qde")]
    if len(qde) != 1:
        raise InputFileError(where, "no project.qde inside the zip" if not qde else
                             f"{len(qde)} .qde files inside the zip ({', '.join(qde)})",
                             hint="a .qdpx holds exactly one project XML")
    reader = _Reader(path, members, archive)
    return _project(reader, _parse_project(reader, _read_member(archive, members[qde[0]],
                                                                where)))


def _project(reader: _Reader, parsed: _Parsed) -> RefiProject:
    where = reader.where
    root = parsed.root
    if _local(root) != "Project":
        raise InputFileError(where, f"the XML's root is <{_local(root)}>, not a REFI-QDA "
                             "<Project>")
    if root.nsmap.get(root.prefix) != PROJECT_NS:
        reader.warnings.append(f"{where}: the project XML is not in the namespace "
                               f"{PROJECT_NS}; read anyway")
    elif parsed.schema_problem:
        reader.warnings.append(f"{where}: does not follow the REFI-QDA schema "
                               f"({parsed.schema_problem}); read as far as it is understood")
    users = {}
    for users_element in _children(root, "Users"):
        for user in _children(users_element, "User"):
            guid = reader.need_guid(user)
            users[guid] = RefiUser(guid, (user.get("name") or user.get("id") or "").strip())
    codes = _codes(reader, root)
    variables = {}
    for element in _children(root, "Variables"):
        for variable in _children(element, "Variable"):
            guid = reader.need_guid(variable)
            variables[guid] = RefiVariable(guid, variable.get("name") or guid,
                                           variable.get("typeOfVariable") or "Text",
                                           _text_of(variable, "Description"))
    notes = {}
    for element in _children(root, "Notes"):
        for note in _children(element, "Note"):
            guid = reader.need_guid(note)
            text, _ = reader.source_text(note, note.get("name") or guid)
            notes[guid] = RefiNote(guid, note.get("name"), text or "",
                                   guid_of(note.get("creatingUser")),
                                   _text_of(note, "Description"), _passages(note))
    skipped = parsed.skipped
    sources = _shared_transcripts(parsed.sources, skipped)
    selection_source = {s.guid: source.guid for source in sources for s in source.selections}
    cases = []
    for element in _children(root, "Cases"):
        for case in _children(element, "Case"):
            source_refs = _refs(case, "SourceRef")
            source_refs += [selection_source[g] for g in _refs(case, "SelectionRef")
                            if g in selection_source]
            cases.append(RefiCase(reader.need_guid(case), case.get("name"),
                                  _text_of(case, "Description"), _values(case),
                                  list(dict.fromkeys(source_refs)), _refs(case, "CodeRef")))
    sets = []
    for element in _children(root, "Sets"):
        for item in _children(element, "Set"):
            sets.append(RefiSet(reader.need_guid(item), item.get("name") or "",
                                _text_of(item, "Description"), _refs(item, "MemberSource"),
                                _refs(item, "MemberCode")))
    links = []
    for element in _children(root, "Links"):
        for link in _children(element, "Link"):
            links.append(RefiLink(guid_of(link.get("originGUID")),
                                  guid_of(link.get("targetGUID")), _refs(link, "NoteRef")))
    _cases_as_codes(codes, sources, cases)
    code_guids = {code.guid for code in codes}
    for source in sources:
        for selection in source.selections:
            for coding in selection.codings:
                if coding.code not in code_guids:
                    raise InputFileError(where, f"a coding in source '{source.name}' refers "
                                         f"to code {coding.code}, which is not in the "
                                         "codebook")
    return RefiProject(
        path=where, name=root.get("name"), origin=root.get("origin"),
        description=_text_of(root, "Description"), users=users, codes=codes,
        sources=sources, notes=notes, variables=variables, cases=cases, sets=sets,
        links=links, project_notes=_refs(root, "NoteRef"), skipped_sources=skipped,
        warnings=reader.warnings, creator=guid_of(root.get("creatingUserGUID")))


def _passages(note) -> list[tuple[int, int]]:
    """The selections a note holds; one without whole-number positions is only text."""
    found = []
    for selection in _children(note, "PlainTextSelection"):
        start, end = selection.get("startPosition"), selection.get("endPosition")
        if start and end and start.strip().isdigit() and end.strip().isdigit():
            found.append((int(start), int(end)))
    return found


def _cases_as_codes(codes: list[RefiCode], sources: list[RefiSource],
                    cases: list[RefiCase]) -> None:
    """NVivo also writes each case as a code with the case's GUID, coding the passages
    that belong to the case; QualCoder reads case links that way. Such a code is a case,
    not a code: its codings link the case to their sources and are not codings."""
    by_guid = {case.guid: case for case in cases}
    if not by_guid or not any(code.guid in by_guid for code in codes):
        return
    codes[:] = [code for code in codes if code.guid not in by_guid]
    for source in sources:
        kept = []
        for selection in source.selections:
            own = [c for c in selection.codings if c.code not in by_guid]
            for coding in selection.codings:
                case = by_guid.get(coding.code)
                if case is not None and source.guid not in case.sources:
                    case.sources.append(source.guid)
            if own or not selection.codings:
                selection.codings = own
                kept.append(selection)
        source.selections = kept


def _codes(reader: _Reader, root) -> list[RefiCode]:
    codes: list[RefiCode] = []

    def walk(element, parent: str | None) -> None:
        for code in _children(element, "Code"):
            guid = reader.need_guid(code)
            codable = (code.get("isCodable") or "true").strip().lower() in ("true", "1")
            codes.append(RefiCode(guid, (code.get("name") or "").strip() or guid, parent,
                                  code.get("color"), _text_of(code, "Description"), codable,
                                  _refs(code, "NoteRef")))
            walk(code, guid)

    for book in _children(root, "CodeBook"):
        for holder in _children(book, "Codes"):
            walk(holder, None)
    if _local(root) == "CodeBook":
        for holder in _children(root, "Codes"):
            walk(holder, None)
    return codes


def _selection(reader: _Reader, element, start_name: str, end_name: str,
               start: int | None = None, end: int | None = None) -> RefiSelection:
    codings = []
    for coding in _children(element, "Coding"):
        ref = _child(coding, "CodeRef")
        code = guid_of(ref.get("targetGUID")) if ref is not None else None
        if code:
            codings.append(RefiCoding(code, guid_of(coding.get("creatingUser"))))
    return RefiSelection(
        guid=reader.need_guid(element),
        start=reader.position(element, start_name) if start is None else start,
        end=reader.position(element, end_name) if end is None else end,
        name=element.get("name"), user=guid_of(element.get("creatingUser")),
        description=_text_of(element, "Description"), codings=codings,
        notes=_refs(element, "NoteRef"))


def _source(reader: _Reader, element, sources: list[RefiSource], skipped: list[str]) -> None:
    """One child of ``<Sources>``: a text (with its selections) or a media source."""
    kind = _local(element)
    name = (element.get("name") or "").strip() or element.get("guid") or "?"
    if kind == "TextSource":
        text, origin = reader.source_text(element, name)
        if text is None:
            raise InputFileError(reader.where, f"source '{name}' has no text (no "
                                 "PlainTextContent, plainTextPath or richTextPath)")
        selections = [_selection(reader, s, "startPosition", "endPosition")
                      for s in _children(element, "PlainTextSelection")]
        if not text.strip() and not selections:
            # NVivo for Mac writes an empty .txt beside the .docx of a document nobody
            # coded; the .docx is the text.
            rich = element.get("richTextPath")
            if rich and element.get("plainTextPath"):
                text, origin = reader.read_text_file(rich, name)
            if not text.strip():
                skipped.append(f"{name} (empty text)")
                return
        sources.append(RefiSource(
            reader.need_guid(element), name, text, "text", origin,
            _text_of(element, "Description"), guid_of(element.get("creatingUser")),
            selections, _refs(element, "NoteRef"), _values(element)))
    elif kind in MEDIA_SOURCES:
        media = MEDIA_SOURCES[kind]
        n_selections = sum(1 for child in element if _local(child).endswith("Selection"))
        transcripts = [_transcript(reader, element, transcript, name, media)
                       for transcript in _children(element, "Transcript")]
        # a PDF's text representation cannot be trusted to hold its coded positions
        note = (f"{name} ({media}" + (f", {n_selections} selections" if n_selections else "")
                + (", its transcript imported as text" if transcripts else "") + ")")
        if transcripts:
            # Said only if the transcript's text is its own (see _shared_transcripts).
            transcripts[0].skipped_as = note
        else:
            skipped.append(note)
        sources.extend(transcripts)


def _transcript(reader: _Reader, media, element, name: str, kind: str) -> RefiSource:
    """A transcript attached to an audio or video source, as a text of its own; its
    selections run between sync points, which carry positions in the text."""
    own_name = (element.get("name") or "").strip() or f"{name} transcript"
    text, origin = reader.source_text(element, own_name)
    if text is None:
        raise InputFileError(reader.where, f"the transcript of '{name}' has no text")
    points = {guid_of(p.get("guid")): p.get("position") for p in _children(element,
                                                                           "SyncPoint")}
    selections = []
    sync_points = []
    for point in _children(element, "SyncPoint"):
        position, stamp = point.get("position"), point.get("timeStamp")
        if position and stamp and position.strip().isdigit() and stamp.strip().isdigit():
            sync_points.append((int(position), int(stamp)))
    for selection in _children(element, "TranscriptSelection"):
        start = points.get(guid_of(selection.get("fromSyncPoint")))
        end = points.get(guid_of(selection.get("toSyncPoint")))
        if start is None or end is None or not start.isdigit() or not end.isdigit():
            reader.warnings.append(f"{reader.where}: a selection in the transcript of "
                                   f"'{name}' has no positions; skipped")
            continue
        selections.append(_selection(reader, selection, "", "", int(start), int(end)))
    return RefiSource(reader.need_guid(element), own_name, text, "transcript", origin,
                      _text_of(element, "Description"), guid_of(element.get("creatingUser")),
                      selections, _refs(element, "NoteRef") + _refs(media, "NoteRef"),
                      _values(media), sync_points=sorted(sync_points),
                      recording=RefiRecording(name, kind, media.get("path")))


def _shared_transcripts(sources: list[RefiSource], skipped: list[str]) -> list[RefiSource]:
    """A transcript whose text file is a text source's too (qualcode writes a recording's
    transcript so, the text stored once) is that text source: its sync points,
    recording, selections and notes go to it, and it is not a second transcript. A
    transcript with a text of its own stays one, and its media source is reported."""
    texts = {source.file.lower(): source for source in sources
             if source.kind == "text" and source.file and source.file != "PlainTextContent"}
    kept = []
    for source in sources:
        shared = (texts.get(source.file.lower()) if source.kind == "transcript"
                  and source.file and source.file != "PlainTextContent" else None)
        if shared is None:
            if source.skipped_as:
                skipped.append(source.skipped_as)
            kept.append(source)
            continue
        shared.sync_points = sorted(shared.sync_points + source.sync_points)
        shared.recording = shared.recording or source.recording
        shared.selections.extend(source.selections)
        shared.notes.extend(n for n in source.notes if n not in shared.notes)
    return kept


def read_codebook_xml(path: Path) -> tuple[list[RefiCode], list[str]]:
    """The codes of a .qdc (a REFI-QDA codebook) or of a .qdpx's codebook, with warnings."""
    path = Path(path)
    if path.suffix.lower() in (".qdpx", ".qde"):
        project = read_refi(path)
        return project.codes, project.warnings
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read the file ({exc.strerror})") from None
    root = _parse_xml(data, str(path))
    if _local(root) != "CodeBook":
        raise InputFileError(str(path), f"the XML's root is <{_local(root)}>, not a REFI-QDA "
                             "<CodeBook>")
    return _codes(_Reader(path, None, None), root), []
