"""The whole project as a REFI-QDA Project Exchange file (.qdpx), so a study coded in
qualcode opens in NVivo, ATLAS.ti or MAXQDA and can be archived in the standard format.

A .qdpx is a zip: ``project.qde`` (XML in the namespace ``urn:QDA-XML:project:1.0``,
schema Project.xsd of QDA-XML 1.0, 18 March 2019) at the root, and each transcript's
plain text as ``sources/<guid>.txt`` (UTF-8), named in the XML as
``plainTextPath="internal://<guid>.txt"``. A ``PlainTextSelection`` counts Unicode code
points from 0 with the end exclusive, which is exactly qualcode's ``[start, end)`` into
``transcript.text``, so offsets are written as they are stored.

What goes where:

- every coder, the user who created the project and the authors of memos → ``Users``;
- the code tree (archived codes too, they may carry codings) → nested ``Code`` elements,
  ``name`` = the label, the code id on the first line of ``Description``;
- each transcript → a ``TextSource``; each coding that is a coder's own or the consensus
  (never a suggestion) → one ``PlainTextSelection`` with one ``Coding``/``CodeRef``, made
  by that coder; a coding's memo → a ``Note`` the selection points to (``NoteRef``);
- a transcript's recording → an ``AudioSource`` or ``VideoSource`` named by its path
  (the file itself is never put into the .qdpx), whose ``Transcript`` is the TextSource's
  own .txt, with a ``SyncPoint`` for each turn's start and end and each timestamp inside
  a turn (see :meth:`_Writer._recordings`);
- interview attributes → ``VariableValue`` on the source; sites (schools) and persons
  (informants) → ``Case`` elements with their typed attributes and ``SourceRef`` to the
  transcripts they belong to or speak in;
- memos and summaries of the ``memo`` table → ``Note`` elements, referenced from what they
  are about (``NoteRef`` on the code, the source or the project); a case cannot hold a
  ``NoteRef``, so a memo on a school or an informant is a ``Link`` from its note to the
  ``Case``.

GUIDs are name-based UUIDs (uuid5) of the object's kind and primary key inside a namespace
of the project (its creation time in the audit log), so exporting the same project again
gives the same identifiers, a renamed code keeps its GUID, and two projects never share
one. Read-only, through :meth:`Store.snapshot`: nothing here loads the ORM.
"""

from __future__ import annotations

import dataclasses
import os
import re
import uuid
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from qualcode.domain.errors import ConflictError, QualcodeError
from qualcode.importers.refi_codebook import code_name
from qualcode.output import atomic_output, check_output_path
from qualcode.pseudonyms import Key
from qualcode.services.overview import codebook_of, stored_attributes_of
from qualcode.store import Store

NS = "urn:QDA-XML:project:1.0"
SCHEMA_LOCATION = f"{NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Fixed forever: changing it would change every GUID of every export.
GUID_ROOT = uuid.UUID("6f1c2a3e-9b4d-5e7f-8a10-2c3d4e5f6a7b")
VARIABLE_TYPES = {"text": "Text", "integer": "Integer", "number": "Float",
                  "boolean": "Boolean", "date": "Date"}
VALUE_ELEMENTS = {"Text": "TextValue", "Integer": "IntegerValue", "Float": "FloatValue",
                  "Boolean": "BooleanValue", "Date": "DateValue"}
OWNERS = {"site": "sites (schools)", "person": "persons (informants)",
          "transcript": "interviews"}
# XML 1.0 cannot hold these even escaped; a stray one in a memo must not break the export.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
NAME_CHARS = 80  # a selection's or note's name: a preview, the full text is elsewhere
# What the standard has no element for goes into descriptions, one line each, so that
# qualcode reading the file back restores it and other programs show it as text.
CASE_KIND = "qualcode case: "
SITE_LINE = "qualcode site: "
SPEAKER_LINE = "qualcode speaker: "
FILE_LINE = "qualcode file: "
MEMO_LINE = "qualcode memo: "


@dataclass
class QdpxSummary:
    """What a .qdpx holds, for the one line the command prints."""

    path: Path
    sources: int
    codes: int
    codings: int
    cases: int
    users: int
    notes: int
    variables: int
    recordings: int = 0  # named by path; the files themselves stay out of the .qdpx


def check_qdpx_path(path: Path) -> Path:
    """Refuse, before anything is read or written, a name other programs would not open
    as a REFI-QDA project."""
    if path.suffix.lower() != ".qdpx":
        raise QualcodeError(f"'{path}' is not a .qdpx file name",
                            hint=f"give a name ending in .qdpx, e.g. {path.stem or 'studie'}"
                                 ".qdpx")
    return check_output_path(path)


def write_qdpx(store: Store, path: Path, *, key: Key | None = None,
               identifiable: bool = False) -> QdpxSummary:
    """Write the project to ``path`` (.qdpx) whole or not at all (see
    :func:`qualcode.output.atomic_output`): a failed export leaves no half-written file
    and never damages an earlier one."""
    path = check_qdpx_path(Path(path))
    qde, texts, counts, stamp = build_qdpx(store, key=key, identifiable=identifiable,
                                           beside=path.parent)
    with atomic_output(path) as tmp, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "project.qde", qde, stamp)
        for name, text in texts:
            _add(archive, name, text.encode("utf-8"), stamp)
    return QdpxSummary(path=path, **counts)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    # A fixed time per entry (the project's last change) makes two exports of an unchanged
    # project byte-identical, not just equal in content.
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


# --- helpers ---------------------------------------------------------------------------

def _when(value: Any) -> datetime | None:
    """A stored timestamp (SQLite text or a driver datetime) as an aware UTC datetime;
    qualcode stores UTC, so a naive value is UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _iso(value: Any) -> str | None:
    moment = _when(value)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= NAME_CHARS else flat[:NAME_CHARS - 1].rstrip() + "…"


class _Guids:
    """Stable identifiers: uuid5 of kind and key inside the project's own namespace."""

    def __init__(self, created: datetime | None) -> None:
        self.namespace = (GUID_ROOT if created is None else
                          uuid.uuid5(GUID_ROOT, f"project:{created.isoformat()}"))

    def __call__(self, kind: str, key: object) -> str:
        # Lower case: the schema allows both, and some readers refuse upper case.
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}"))


def _variable_type(types: set[str]) -> str:
    """One REFI type for a column whose values may have been typed one by one (YAML): a
    mix of whole and decimal numbers is Float, any other mix is Text."""
    if len(types) == 1:
        return VARIABLE_TYPES.get(next(iter(types)), "Text")
    return "Float" if types <= {"integer", "number"} else "Text"


def _value_text(variable_type: str, text: str) -> str | None:
    """The canonical stored text in the lexical form of the variable's XSD type; None for
    a value that type cannot hold (a non-finite number)."""
    if variable_type != "Float":
        return text
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return format(number, "f") if number.is_finite() else None


# --- reading -----------------------------------------------------------------------------

@dataclass
class _Study:
    """Every row the export needs, read in one snapshot (one committed state)."""

    init: tuple | None  # (actor, at) of the project's creation
    last_change: Any
    coders: list[tuple]  # pk, name
    codes: list[tuple]  # pk, code_id, parent_pk, label, gloss, criterion, description,
    #                     include, exclude, colour, archived — in codebook order
    code_extras: dict[int, tuple]  # pk -> family, source, exclusive, keywords, examples,
    #                                refs (JSON lists): the fields other programs lack
    sites: list[tuple]  # pk, site_id, name
    persons: list[tuple]  # pk, person_id, site_id, role, site_pk
    transcripts: list[tuple]  # pk, name, title, site_pk, text, imported_at
    origins: dict[int, tuple[str, str]]  # transcript pk -> format, suffix of its first file
    speakers: list[tuple]  # transcript_pk, person_pk
    labels: dict[int, list[tuple]]  # transcript_pk -> [(label, person_pk)], mapped ones
    codings: list[tuple]  # pk, transcript_pk, code_pk, coder_pk, start, end, quote, memo,
    #                       created_at, updated_at
    memos: list[tuple]  # pk, author, about_type, about_key, title, body, created, updated
    attributes: dict[str, dict[int, dict[str, tuple[str, str]]]]
    codebook: dict | None
    identifiable: bool = False  # written with --identifiable: the file says so
    # transcript pk -> (the recording as the export names it, when it was attached)
    recordings: dict[int, tuple[str, Any]] = field(default_factory=dict)
    # transcript pk -> (turns as (start, end, t_start, t_end), inner timestamps as
    # (offset, seconds)), for the transcripts with a recording
    timing: dict[int, tuple[list[tuple], list[tuple]]] = field(default_factory=dict)
    base_path: str | None = None  # the folder relative recording paths start from


def _pseudonymised(study: _Study, key: Key) -> _Study:
    """The study as an export shows it: every text with the key applied, and every coding's
    positions recomputed on its replaced transcript, so a selection still cuts out exactly
    its (replaced) quote."""
    hide = key.apply
    transcripts, maps = [], {}
    for pk, name, title, site_pk, text, imported_at in study.transcripts:
        new_text, maps[pk] = key.replace(text)
        transcripts.append((pk, hide(name), hide(title), site_pk, new_text, imported_at))
    texts = {row[0]: row[4] for row in transcripts}
    codings = []
    for pk, t_pk, code_pk, coder_pk, start, end, _, memo, created, updated in study.codings:
        a, b = maps[t_pk].span(start, end)
        codings.append((pk, t_pk, code_pk, coder_pk, a, b, texts[t_pk][a:b], hide(memo),
                        created, updated))
    return dataclasses.replace(
        study, transcripts=transcripts, codings=codings,
        sites=[(pk, hide(site_id), hide(name)) for pk, site_id, name in study.sites],
        persons=[(pk, hide(person_id), hide(site_id), role, site_pk)
                 for pk, person_id, site_id, role, site_pk in study.persons],
        memos=[(pk, author, about_type, hide(about_key), hide(title), hide(body), c, u)
               for pk, author, about_type, about_key, title, body, c, u in study.memos],
        # A speaker label is often a name ("Kari Nordmann" in a Teams export).
        labels={t_pk: [(hide(label), person_pk) for label, person_pk in rows]
                for t_pk, rows in study.labels.items()},
        attributes={owner: {pk: {name: (kind, hide(text) if kind == "text" else text)
                                 for name, (kind, text) in values.items()}
                            for pk, values in by_owner.items()}
                    for owner, by_owner in study.attributes.items()},
        **_pseudonymised_media(study, key, maps))


def _pseudonymised_media(study: _Study, key: Key, maps: dict) -> dict:
    """Recordings and times as a pseudonymised export shows them: each time at the place
    of the replaced text its words moved to, through the same offset map as the codings
    (a turn's start and end as a span, so a turn still runs from its first word to its
    last), and a path with any name of the key replaced, like every other text."""
    timing = {}
    for pk, (turns, sync) in study.timing.items():
        moved = maps[pk]
        timing[pk] = ([(*moved.span(start, end), t_start, t_end)
                       for start, end, t_start, t_end in turns],
                      [(moved.position(offset), seconds) for offset, seconds in sync])
    return {"recordings": {pk: (key.apply(path), at)
                           for pk, (path, at) in study.recordings.items()},
            "timing": timing, "base_path": key.apply(study.base_path)}


def _read(store: Store, beside: Path | None = None) -> _Study:
    # Ordered here, not by the database: PostgreSQL's collation may sort "LED.x" and
    # "LED_y" differently from SQLite, and a project must export alike from either.
    def ordered(rows: list[tuple], *columns: int) -> list[tuple]:
        return sorted(rows, key=lambda row: tuple(row[i] for i in columns))

    with store.snapshot() as db:
        init = db.rows("SELECT actor, at FROM audit_event WHERE action = 'init' "
                       "AND entity = 'project' ORDER BY pk LIMIT 1")
        codes = ordered(db.rows("SELECT pk, code_id, parent_pk, label, gloss, criterion, "
                                "description, include, exclude, colour, archived, "
                                "sort_order FROM code"), 11, 1)
        return _Study(
            init=init[0] if init else None,
            # An export is logged but changes nothing: exporting twice gives one file.
            last_change=db.column("SELECT max(at) FROM audit_event "
                                  "WHERE action != 'export'")[0],
            coders=ordered(db.rows("SELECT pk, name FROM coder"), 1),
            codes=[row[:11] for row in codes],
            code_extras={row[0]: row[1:] for row in db.rows(
                "SELECT pk, family, source, exclusive, keywords, examples, refs FROM code")},
            sites=ordered(db.rows("SELECT pk, site_id, name FROM site"), 1),
            persons=ordered(db.rows("SELECT p.pk, p.person_id, s.site_id, p.role, p.site_pk "
                                    "FROM person p LEFT JOIN site s ON s.pk = p.site_pk"), 1),
            transcripts=ordered(db.rows("SELECT pk, name, title, site_pk, text, imported_at "
                                        "FROM transcript"), 1),
            origins={pk: (kind, _suffix(file)) for pk, kind, file in db.rows(
                "SELECT pk, source_format, source_file FROM transcript")},
            speakers=db.rows("SELECT DISTINCT transcript_pk, person_pk FROM participation "
                             "WHERE person_pk IS NOT NULL"),
            labels=_labels(db.rows("SELECT transcript_pk, label, person_pk FROM participation "
                                   "WHERE person_pk IS NOT NULL")),
            # Suggestions are proposals a coder has not accepted: not part of the study.
            codings=db.rows(
                'SELECT pk, transcript_pk, code_pk, coder_pk, start, "end", quote, memo, '
                "created_at, updated_at FROM coding WHERE origin != 'suggested' "
                # Same start: in the order they were made, which an import keeps.
                "ORDER BY transcript_pk, start, pk"),
            memos=db.rows("SELECT pk, author, about_type, about_key, title, body, "
                          "created_at, updated_at FROM memo ORDER BY pk"),
            attributes={owner: stored_attributes_of(db, owner) for owner in OWNERS},
            codebook=codebook_of(db),
            **_read_media(store, db, beside),
        )


def _read_media(store: Store, db, beside: Path | None) -> dict:
    """The recordings behind transcripts, named as the standard names a file outside the
    .qdpx: ``relative:///…`` from the folder the .qdpx is written to (``beside``), which
    the project names as its ``basePath``, or ``absolute://…`` where no relative path
    leads (another drive). Only these transcripts' times are read."""
    from qualcode.services.media import resolve, timed_rows

    rows = db.rows("SELECT transcript_pk, path, attached_at FROM recording")
    if not rows:
        return {}
    base = (beside or Path.cwd()).resolve()
    recordings = {}
    for pk, stored, attached_at in rows:
        file = resolve(store, stored).resolve()
        try:
            reference = "relative:///" + Path(os.path.relpath(file, base)).as_posix()
        except ValueError:  # another drive on Windows
            reference = "absolute://" + file.as_posix()
        recordings[pk] = (reference, attached_at)
    return {"recordings": recordings, "base_path": base.as_posix(),
            "timing": {pk: timed_rows(db, pk) for pk in recordings}}


def _extra_lines(extras: tuple | None) -> list[str]:
    """The codebook fields other programs have no place for, as lines of the description
    that qualcode reads back (lists as JSON)."""
    if not extras:
        return []
    family, source, exclusive, keywords, examples, refs = extras
    lines = [f"Family: {family}"] if family else []
    lines += [f"Source: {source}"] if source else []
    lines += ["Exclusive: true"] if exclusive else []
    for name, value in (("Keywords", keywords), ("Examples", examples), ("Refs", refs)):
        if value and value != "[]":
            lines.append(f"{name}: {value}")
    return lines


def _suffix(file_name: str) -> str:
    """A file name's extension (.txt, .docx), nothing else of it: the name may say who
    was interviewed, and the transcript's name stands for it."""
    suffix = Path(file_name).suffix
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,5}", suffix) else ""


def _labels(rows: list[tuple]) -> dict[int, list[tuple]]:
    labels: dict[int, list[tuple]] = defaultdict(list)
    for transcript_pk, label, person in sorted(rows, key=lambda row: (row[0], row[1])):
        labels[transcript_pk].append((label, person))
    return labels


# --- writing -----------------------------------------------------------------------------

def build_qdpx(store: Store, *, key: Key | None = None, identifiable: bool = False,
               beside: Path | None = None
               ) -> tuple[bytes, list[tuple[str, str]], dict[str, int], tuple]:
    """``project.qde`` as bytes, the source files as (zip name, text), the counts, and the
    time stamped on the zip entries. With a pseudonym ``key`` every text is replaced and
    every position recomputed on the replaced text. Recordings are named by their path
    from ``beside``, the folder the .qdpx goes to (the working folder if not given)."""
    study = _read(store, beside)
    if key:
        study = _pseudonymised(study, key)
    study.identifiable = identifiable
    writer = _Writer(study, store.name.removesuffix(".db").removesuffix(".qualcode")
                     or store.name)
    qde = writer.project()
    moment = _when(study.last_change) or datetime(1980, 1, 1, tzinfo=timezone.utc)
    stamp = max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # zip cannot go earlier
    return qde, writer.texts, writer.counts(), stamp


class _Writer:
    """Builds ``project.qde`` in the schema's element order: Users, CodeBook, Variables,
    Cases, Sources, Notes, Description, NoteRef."""

    def __init__(self, study: _Study, name: str) -> None:
        from lxml import etree

        self.etree = etree
        self.study = study
        self.name = name
        self.created = _when(study.init[1]) if study.init else None
        self.guid = _Guids(self.created)
        self.texts: list[tuple[str, str]] = []
        self.code_ids = {row[0]: row[1] for row in study.codes}
        self.transcript_names = {row[0]: row[1] for row in study.transcripts}
        self.site_ids = {row[0]: row[1] for row in study.sites}
        self.person_ids = {row[0]: row[1] for row in study.persons}
        self.source_guids = {pk: self.guid("transcript", pk) for pk in self.transcript_names}
        # Users: coders by primary key; anyone else (the project's creator, memo authors)
        # by name, unless a coder of that name already stands for them.
        self.users: dict[str, str] = {}
        self.coder_guids: dict[int, str] = {}
        for pk, coder in study.coders:
            self.coder_guids[pk] = self.users[coder] = self.guid("coder", pk)
        self.creator = self._creator()
        self.notes: list[dict] = []
        self.note_refs: dict[tuple[str, Any], list[str]] = defaultdict(list)
        self._collect_notes()
        self.variables = self._plan_variables()

    def _creator(self) -> str | None:
        """The project's creating user as other programs show it: a coder (the one named
        like whoever created the project, else the first coder), not a bare login."""
        login = self.study.init[0] if self.study.init else None
        if login in self.users or not self.coder_guids:
            return self.user(login)
        return self.coder_guids[min(self.coder_guids)]

    def user(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.users.setdefault(name, self.guid("user", name))

    def sub(self, parent, tag: str, text: str | None = None, **attributes: str | None):
        element = self.etree.SubElement(parent, f"{{{NS}}}{tag}")
        for key, value in attributes.items():
            if value is not None:
                element.set(key, _clean(value))
        if text is not None:
            element.text = _clean(text)
        return element

    def counts(self) -> dict[str, int]:
        study = self.study
        return {"sources": len(study.transcripts), "codes": len(study.codes),
                "codings": len(study.codings), "cases": len(study.sites) + len(study.persons),
                "users": len(self.users), "notes": len(self.notes),
                "variables": len(self.variables), "recordings": len(study.recordings)}

    def project(self) -> bytes:
        from qualcode import __version__

        root = self.etree.Element(f"{{{NS}}}Project", nsmap={None: NS, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
        root.set("name", _clean(self.name))
        root.set("origin", f"qualcode {__version__}")
        if self.creator:
            root.set("creatingUserGUID", self.creator)
        if self.created:
            root.set("creationDateTime", _iso(self.created))
        if self.study.last_change:
            root.set("modifiedDateTime", _iso(self.study.last_change))
        if self.study.recordings and self.study.base_path:
            root.set("basePath", _clean(self.study.base_path))
        if self.users:
            users = self.sub(root, "Users")
            for name, user_guid in sorted(self.users.items()):
                self.sub(users, "User", guid=user_guid, name=name)
        self._codebook(root)
        self._variables(root)
        self._cases(root)
        self._sources(root)
        self._notes(root)
        self._links(root)
        codebook = self.study.codebook
        description = []
        if self.study.identifiable:
            from qualcode.domain.norwegian import IDENTIFIABLE_NOTICE

            description.append(IDENTIFIABLE_NOTICE)
        if codebook:
            description.append(
                f"Codebook: {codebook.get('title') or codebook.get('name')} "
                f"({codebook.get('name')}, version {codebook.get('version')}). "
                f"Exported by qualcode {__version__}.")
        if description:
            self.sub(root, "Description", " ".join(description))
        for note in self.note_refs.get(("project", None), []):
            self.sub(root, "NoteRef", targetGUID=note)
        body = self.etree.tostring(root, encoding="utf-8", pretty_print=True)
        return b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n' + body

    # Notes come first: codes, sources and selections point at them.
    def _collect_notes(self) -> None:
        study, guid = self.study, self.guid
        coder_names = dict(study.coders)
        code_pks = {code_id: pk for pk, code_id in self.code_ids.items()}
        transcript_pks = {name: pk for pk, name in self.transcript_names.items()}
        exported = {row[0] for row in study.codings}
        for pk, transcript_pk, code_pk, coder_pk, start, end, _, memo, _, updated in \
                study.codings:
            if memo and memo.strip():
                note = guid("coding-memo", pk)
                self.notes.append({
                    "guid": note, "user": self.coder_guids[coder_pk], "when": updated,
                    "text": memo,
                    "name": f"Memo: {self.code_ids[code_pk]}, "
                            f"{self.transcript_names[transcript_pk]} {start}–{end} "
                            f"({coder_names[coder_pk]})"})
                self.note_refs[("coding", pk)].append(note)
        for pk, author, about_type, about_key, title, body, created, updated in study.memos:
            key = about_key or ""
            label = f"{about_type} {key}".strip()
            target: tuple[str, Any] = ("project", None)
            if about_type == "summary" and key.count("|") >= 2:
                code_id, kind, case = key.split("|", 2)
                label = f"Summary: {code_id} for {kind} {case}"
                if code_id in code_pks:
                    target = ("code", code_pks[code_id])
            elif about_type == "code" and key in code_pks:
                target = ("code", code_pks[key])
            elif about_type == "transcript" and key in transcript_pks:
                target = ("transcript", transcript_pks[key])
            elif about_type == "coding" and key.isdigit() and int(key) in exported:
                target = ("coding", int(key))
            elif self._case_pk(about_type, key) is not None:
                target = (about_type, self._case_pk(about_type, key))  # see _links
            # Anything else (a memo on something no longer there) hangs on the project.
            note = guid("memo", pk)
            self.notes.append({"guid": note, "user": self.user(author), "when": created,
                               "modified": updated, "text": body, "name": title or label,
                               "about": f"{about_type} {key}".strip()})
            self.note_refs[target].append(note)

    def _case_pk(self, kind: str, case_id: str) -> int | None:
        """The school or informant a memo is about, if it is one."""
        if kind not in ("site", "person"):
            return None
        if not hasattr(self, "_cases_by_id"):
            self._cases_by_id = {
                **{("site", site_id): pk for pk, site_id in self.site_ids.items()},
                **{("person", person_id): pk for pk, person_id in self.person_ids.items()}}
        return self._cases_by_id.get((kind, case_id))

    def _links(self, root) -> None:
        """Memos on schools and informants: the schema gives a Case no NoteRef, so each note
        is linked to its case, one way, note to case (REFI-QDA's Link)."""
        pairs = [(note, self.guid(kind, pk)) for (kind, pk), notes in self.note_refs.items()
                 if kind in ("site", "person") for note in notes]
        if not pairs:
            return
        links = self.sub(root, "Links")
        for note, case in pairs:
            self.sub(links, "Link", guid=self.guid("memo-link", note), name="Memo",
                     direction="OneWay", originGUID=note, targetGUID=case)

    def _codebook(self, root) -> None:
        codes = self.study.codes
        if not codes:
            return
        children: dict[int | None, list[tuple]] = defaultdict(list)
        for row in codes:
            children[row[2]].append(row)
        shared = {label for label, n in Counter(row[3] for row in codes).items() if n > 1}

        def add(parent, row: tuple) -> None:
            pk, code_id, _, label, gloss, criterion, description, include, exclude, \
                colour, archived = row
            # The label is what a researcher reads in the other program's code tree; the
            # id, which qualcode's commands, matrices and reports use, leads the
            # description, so every code can be matched back.
            lines = [f"qualcode id: {code_id}" + (" (archived)" if archived else "")]
            lines += [f"English: {gloss}"] if gloss else []
            lines += [description] if description else []
            lines += [f"Criterion: {criterion}"] if criterion else []
            lines += [f"Include: {include}"] if include else []
            lines += [f"Exclude: {exclude}"] if exclude else []
            lines += _extra_lines(self.study.code_extras.get(pk))
            valid_colour = colour if colour and _COLOUR.fullmatch(colour) else None
            element = self.sub(parent, "Code", guid=self.guid("code", pk),
                               name=code_name(label, code_id, shared), isCodable="true",
                               color=valid_colour)
            self.sub(element, "Description", "\n".join(line.strip() for line in lines))
            for note in self.note_refs.get(("code", pk), []):
                self.sub(element, "NoteRef", targetGUID=note)
            for child in children.get(pk, []):
                add(element, child)

        code_list = self.sub(self.sub(root, "CodeBook"), "Codes")
        for row in codes:  # the roots (and a code whose parent is missing, so none is lost)
            if row[2] is None or row[2] not in self.code_ids:
                add(code_list, row)

    def _plan_variables(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        """(owner, attribute) → (guid, name shown, REFI type); fills ``self.values``."""
        study = self.study
        specials = {
            "site": {pk: {"name": ("text", name)} for pk, _, name in study.sites if name},
            "person": {pk: {k: ("text", v) for k, v in (("site", site), ("rolle", role)) if v}
                       for pk, _, site, role, _ in study.persons},
            "transcript": {},
        }
        self.values: dict[str, dict[int, dict[str, tuple[str, str]]]] = {}
        types: dict[tuple[str, str], set[str]] = defaultdict(set)
        for owner in OWNERS:
            merged: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
            for source in (specials[owner], study.attributes[owner]):
                for owner_pk, named in source.items():
                    merged[owner_pk].update(named)
            self.values[owner] = merged
            for named in merged.values():
                for name, (value_type, _) in named.items():
                    types[(owner, name)].add(value_type)
        kinds_of: dict[str, int] = defaultdict(int)
        for _, name in types:
            kinds_of[name] += 1
        variables = {}
        for owner, name in sorted(types):
            # One name on two kinds of case would be two columns under one heading in the
            # other program: qualify it.
            shown = name if kinds_of[name] == 1 else f"{name} ({owner})"
            variables[(owner, name)] = (self.guid("variable", f"{owner}:{name}"), shown,
                                        _variable_type(types[(owner, name)]))
        return variables

    def _variables(self, root) -> None:
        if not self.variables:
            return
        element = self.sub(root, "Variables")
        for (owner, _), (variable_guid, shown, variable_type) in sorted(
                self.variables.items(), key=lambda item: item[1][1]):
            variable = self.sub(element, "Variable", guid=variable_guid, name=shown,
                                typeOfVariable=variable_type)
            self.sub(variable, "Description", f"Attribute of {OWNERS[owner]} in qualcode")

    def _values(self, parent, owner: str, owner_pk: int) -> None:
        named = self.values[owner].get(owner_pk, {})
        for name in sorted(named, key=lambda n: self.variables[(owner, n)][1]):
            variable_guid, _, variable_type = self.variables[(owner, name)]
            lexical = _value_text(variable_type, named[name][1])
            if lexical is None:
                continue
            value = self.sub(parent, "VariableValue")
            self.sub(value, "VariableRef", targetGUID=variable_guid)
            self.sub(value, VALUE_ELEMENTS[variable_type], lexical)

    def _cases(self, root) -> None:
        """Schools and informants, linked to the interviews they belong to or speak in (a
        school also to interviews where one of its people speaks, as matrices count)."""
        study = self.study
        if not (study.sites or study.persons):
            return
        site_of_person = {pk: site_pk for pk, _, _, _, site_pk in study.persons}
        spoken_in: dict[int, set[int]] = defaultdict(set)
        site_sources: dict[int, set[int]] = defaultdict(set)
        for transcript_pk, person_pk in study.speakers:
            spoken_in[person_pk].add(transcript_pk)
            if site_of_person.get(person_pk) is not None:
                site_sources[site_of_person[person_pk]].add(transcript_pk)
        for pk, _, _, site_pk, *_ in study.transcripts:
            if site_pk is not None:
                site_sources[site_pk].add(pk)

        def add(kind: str, pk: int, name: str, description: str | None,
                sources: set[int]) -> None:
            case = self.sub(cases, "Case", guid=self.guid(kind, pk), name=name)
            # The last line tells qualcode, reading the file back, a school from a person.
            self.sub(case, "Description", "\n".join(
                [description] * bool(description) + [f"{CASE_KIND}{kind}"]))
            self._values(case, kind, pk)
            for transcript_pk in sorted(sources, key=self.transcript_names.__getitem__):
                self.sub(case, "SourceRef", targetGUID=self.source_guids[transcript_pk])

        cases = self.sub(root, "Cases")
        for pk, site_id, name in study.sites:
            add("site", pk, site_id, name, site_sources[pk])
        for pk, person_id, site_id, role, _ in study.persons:
            add("person", pk, person_id, ", ".join(v for v in (role, site_id) if v) or None,
                spoken_in[pk])

    def _sources(self, root) -> None:
        """Each transcript's text goes to sources/<guid>.txt; each coding becomes a
        selection of code points in it, made by its coder, with one Coding of its code."""
        study = self.study
        if not study.transcripts:
            return
        by_transcript: dict[int, list[tuple]] = defaultdict(list)
        for row in study.codings:
            by_transcript[row[1]].append(row)
        sources = self.sub(root, "Sources")
        for pk, name, title, site_pk, text, imported_at in study.transcripts:
            source_guid = self.source_guids[pk]
            source = self.sub(sources, "TextSource", guid=source_guid, name=name,
                              plainTextPath=f"internal://{source_guid}.txt",
                              creationDateTime=_iso(imported_at))
            description = self._source_lines(pk, name, title, site_pk)
            if description:
                self.sub(source, "Description", description)
            for coding_pk, _, code_pk, coder_pk, start, end, quote, memo, created, updated in \
                    by_transcript[pk]:
                if text[start:end] != quote:
                    # An export must never carry offsets that point at other words.
                    raise ConflictError(
                        f"coding {coding_pk} in '{name}' no longer matches its quoted text",
                        hint="re-import the transcript with --replace to re-anchor its "
                             "codings, then export again")
                coder = self.coder_guids[coder_pk]
                selection = self.sub(
                    source, "PlainTextSelection", guid=self.guid("coding", coding_pk),
                    name=_short(quote), startPosition=str(start), endPosition=str(end),
                    creatingUser=coder, creationDateTime=_iso(created), modifyingUser=coder,
                    modifiedDateTime=_iso(updated))
                if memo and memo.strip():
                    # QualCoder and others read a coding's memo here, not from its Note.
                    self.sub(selection, "Description", memo)
                coding = self.sub(selection, "Coding",
                                  guid=self.guid("coding-code", coding_pk),
                                  creatingUser=coder, creationDateTime=_iso(created))
                self.sub(coding, "CodeRef", targetGUID=self.guid("code", code_pk))
                for note in self.note_refs.get(("coding", coding_pk), []):
                    self.sub(selection, "NoteRef", targetGUID=note)
            for note in self.note_refs.get(("transcript", pk), []):
                self.sub(source, "NoteRef", targetGUID=note)
            self._values(source, "transcript", pk)
            self.texts.append((f"sources/{source_guid}.txt", text))
        self._recordings(sources)

    def _recordings(self, sources) -> None:
        """Each recording as an audio or video source outside the .qdpx, whose transcript
        is the text its transcript's TextSource already holds (the same internal file,
        so the text is stored once) with one sync point per time the transcript knows:
        each turn's start and end and each timestamp inside a turn, in milliseconds at a
        position of the exported text."""
        from qualcode.media import is_video, time_points

        names = self.transcript_names
        imported = {row[0]: row[5] for row in self.study.transcripts}
        for pk, (reference, attached_at) in sorted(self.study.recordings.items(),
                                                   key=lambda item: names[item[0]]):
            name, source_guid = names[pk], self.source_guids[pk]
            suffix = _suffix(reference)
            media = self.sub(sources, "VideoSource" if is_video(reference) else "AudioSource",
                             guid=self.guid("recording", pk), name=f"{name}{suffix}",
                             path=reference, creationDateTime=_iso(attached_at))
            # QualCoder refuses a transcript without its creation time.
            transcript = self.sub(media, "Transcript", guid=self.guid("recording-text", pk),
                                  name=name, plainTextPath=f"internal://{source_guid}.txt",
                                  creationDateTime=_iso(imported[pk]))
            for offset, seconds in time_points(*self.study.timing.get(pk, ([], []))):
                milliseconds = round(seconds * 1000)
                self.sub(transcript, "SyncPoint",
                         guid=self.guid("sync-point", f"{pk}:{offset}:{milliseconds}"),
                         timeStamp=str(milliseconds), position=str(offset))

    def _source_lines(self, pk: int, name: str, title: str | None,
                      site_pk: int | None) -> str | None:
        """The title, then the file the transcript came from, the interview's site and who
        speaks under which label. Names and ids come from the study's rows (the file's
        name is the transcript's), so whatever an export does to those applies here too."""
        lines = [title] if title else []
        kind, suffix = self.study.origins.get(pk, ("txt", ".txt"))
        lines.append(f"{FILE_LINE}{kind} {name}{suffix}")
        if site_pk is not None:
            lines.append(f"{SITE_LINE}{self.site_ids[site_pk]}")
        for label, person_pk in self.study.labels.get(pk, []):
            lines.append(f"{SPEAKER_LINE}{label} = {self.person_ids[person_pk]}")
        return "\n".join(lines) or None

    def _notes(self, root) -> None:
        if not self.notes:
            return
        notes = self.sub(root, "Notes")
        for note in self.notes:
            element = self.sub(notes, "Note", guid=note["guid"], name=_short(note["name"]),
                               creatingUser=note["user"], creationDateTime=_iso(note["when"]),
                               modifiedDateTime=_iso(note.get("modified")))
            if note.get("about"):
                # What the memo is about, also where the schema gives it no NoteRef (cases).
                self.sub(element, "Description", f"{MEMO_LINE}{note['about']}")
            self.sub(element, "PlainTextContent", note["text"])
