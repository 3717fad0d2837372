"""Importing a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA, QualCoder or qualcode
into a new or an existing project, in one transaction.

Everything is read, and every position checked, before anything is written: a file with a
missing source, an unknown code, or positions that fit no convention changes nothing.
Then, in one transaction: the codebook (also written as a YAML file next to the project,
so the project stays YAML-driven), sites and persons, transcripts with their turns (the
speaker rules run over each text), the users as coders and their codings, and the memos.

How the standard's objects land in qualcode:

- ``TextSource`` (and the transcript of an audio or video source) → a transcript named
  after the source; PDF, picture, audio and video sources are skipped and reported;
- a transcript's sync points → its turns' times (a point on a turn's start or end)
  and timestamps inside turns; a transcript whose text file is a ``TextSource``'s too
  (as qualcode writes a recording's transcript) is that source, not a second transcript;
  the audio or video file → the transcript's recording when it is found beside the
  .qdpx (never copied; a missing one is reported);
- ``Code`` → a code (see :mod:`qualcode.importers.refi_codebook` for the ids);
- ``User`` → a coder; each ``Coding`` of a ``PlainTextSelection`` → a coding in the layer
  of the user who made it (else the selection's, else the project's creator). A name
  ending in ``@`` and digits is how qualcode names a coder's later round (``anna@2``);
  only qualcode's own export carries such a name for that reason, so only there is
  ``anna@2`` kept as anna's second round. From any other program, and wherever the name
  would be refused (``anna@1``, ``x@02``, ``anna@2@3``), its last ``@`` becomes ``-``
  (``anna-2``) and the import says so; ``anna@uib.no`` is no round and stays as it is;
- the selection's ``Description`` and the ``Note``\\ s it points to (``NoteRef``, or a
  ``Link`` between the two) → the coding's memo; a selection nobody coded → a memo on its
  transcript quoting the passage; notes of sources, codes and the project → memos (a
  source's note that holds a selection, QualCoder's annotation, is titled with its passage);
- ``Case`` → a person with its typed variables, or, unnamed and with one source (MAXQDA's
  document variables), attributes of that transcript; ``VariableValue`` on a source →
  transcript attributes; ``Set`` → a transcript attribute of its member sources (``name``
  = true, or ``variable::value`` as ATLAS.ti and MAXQDA name them).

A file written by qualcode also brings back what the standard has no place for, from the
lines its export adds to descriptions (see :mod:`qualcode.services.refi`): code ids and
fields, which cases are schools and which informants, each transcript's site and which
person speaks under which label.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import select

from qualcode import audit
from qualcode.codebook import parse_codebook
from qualcode.domain.errors import CodebookError, ConflictError, InputFileError, QualcodeError
from qualcode.domain.model import ParsedTranscript, TranscriptMetadata
from qualcode.domain.text import sha256_text
from qualcode.domain.user_text import coder_name, later_round
from qualcode.importers import build_transcript
from qualcode.importers.refi_codebook import codebook_data, dump_codebook, plan_codes
from qualcode.importers.refi_positions import (
    PositionError,
    Span,
    detect,
    normalise_with_offsets,
    read_positions,
    read_with,
)
from qualcode.importers.refi_reader import (
    RefiProject,
    RefiRecording,
    RefiSelection,
    RefiSource,
    read_codebook_xml,
    read_refi,
)
from qualcode.services.codebooks import existing_codes, sync_codebook
from qualcode.services.common import codes_by_id, get_or_create_coder, now
from qualcode.services.ingest import (
    ImportReport,
    _ids,
    _write_transcript,
    parsing_workers,
    write_attributes,
)
from qualcode.services.refi import (
    CASE_KIND,
    FILE_LINE,
    MEMO_LINE,
    SITE_LINE,
    SPEAKER_LINE,
)
from qualcode.store import Store
from qualcode.store.models import Coding, Memo, Person, Site, Transcript

_TEXT_SUFFIX = re.compile(r"\.(txt|docx?|rtf|md|odt|pdf)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # a coder name cannot hold them
_NAME_OK = re.compile(r"[^\w .,()&+-]+")
NAME_CHARS = 60
INSERT_BATCH = 5000  # codings per INSERT: a study's 100 000 at once would double the memory


@dataclass
class QdpxImportReport:
    path: str
    codebook_file: Path | None = None
    transcripts: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conventions: dict[str, str] = field(default_factory=dict)  # transcript -> convention
    codes: int = 0
    codings: int = 0
    coding_memos: int = 0
    duplicates: int = 0
    coders: list[str] = field(default_factory=list)
    renamed_coders: list[str] = field(default_factory=list)  # "anna@1 → anna-1"
    memos: int = 0
    uncoded_selections: int = 0
    sites: int = 0
    persons: int = 0
    attributes: int = 0
    speaker_labels: int = 0
    turns: int = 0
    timed: list[str] = field(default_factory=list)  # transcripts given times by the file
    recordings: list[str] = field(default_factory=list)  # "transcript: path", attached
    missing_recordings: list[str] = field(default_factory=list)  # "transcript: path — …"
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- planning (no database) ---------------------------------------------------------------

@dataclass
class _Text:
    source: RefiSource
    name: str
    text: str
    spans: dict[str, tuple[int, int]]  # selection (or note) GUID -> span in the stored text
    convention: str
    metadata: TranscriptMetadata
    raw_sha: str
    file: tuple[str, str] | None = None  # (format, file name) it was first imported from
    parsed: ParsedTranscript | None = None  # with turns, once the speaker rules ran
    times: list[tuple[int, float]] = field(default_factory=list)  # (offset, seconds)
    lost_times: int = 0  # sync points that fit nowhere in the text
    recording: dict | None = None  # the recording found, described for the store


def _typed(refi_type: str, text: str) -> Any:
    """A VariableValue as a Python value of qualcode's attribute types."""
    kind = refi_type.lower()
    try:
        if kind == "integer":
            return int(text)
        if kind in ("float", "decimal"):
            number = Decimal(text)
            return int(number) if number == number.to_integral_value() and "." not in text \
                else float(number)
        if kind == "boolean":
            return text.strip().lower() in ("true", "1")
        if kind == "date":
            return dt.date.fromisoformat(text[:10])
        if kind == "datetime":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except (ValueError, InvalidOperation):
        pass
    return text


def _infer(text: str) -> Any:
    from qualcode.domain.attributes import infer_column

    return infer_column([text])[0]


def _split_description(description: str | None, prefixes: tuple[str, ...]
                       ) -> tuple[str | None, list[str]]:
    """The free text of a description and its qualcode lines (in order)."""
    if not description:
        return None, []
    free, marked = [], []
    for line in description.splitlines():
        (marked if line.startswith(prefixes) else free).append(line)
    text = "\n".join(free).strip()
    return text or None, marked


def _transcript_name(name: str, used: set[str]) -> str:
    base = _NAME_OK.sub("_", _TEXT_SUFFIX.sub("", name.strip())).strip(" ._") or "kilde"
    base = base[:NAME_CHARS]
    found, n = base, 1
    while found.casefold() in used:
        n += 1
        found = f"{base}_{n}"
    used.add(found.casefold())
    return found


def _read_positions(project: RefiProject, source: RefiSource, forced: str | None
                    ) -> tuple[str, dict[str, tuple[int, int]], str]:
    """The stored text of a source, each selection's span in it, and the convention."""
    selections = list(source.selections)
    spans = [Span(s.start, s.end, s.name) for s in selections]
    try:
        reading = detect(source.text, spans, forced)
        stored, where = normalise_with_offsets(source.text)
    except PositionError as exc:
        raise InputFileError(project.path, f"source '{source.name}': {exc}; nothing was "
                             "imported", hint="if you know how the program counted, pass "
                             "--positions codepoints|utf16|utf16-crlf") from None
    mapped = {s.guid: (where(start), where(end))
              for s, (start, end) in zip(selections, reading.spans, strict=True)}
    # A note the source points at may hold the passage it is about (QualCoder's
    # annotations): counted as the source's selections are; one that does not fit the text
    # stays a memo on the whole transcript.
    for guid in source.notes:
        note = project.notes.get(guid)
        if note is not None and note.passages:
            found = read_with(source.text, [Span(*note.passages[0])], reading.convention)
            if found is not None and found.spans[0][0] < found.spans[0][1]:
                mapped[guid] = tuple(where(i) for i in found.spans[0])
    return stored, mapped, reading.convention


def _case_kind(description: str | None) -> str | None:
    _, marked = _split_description(description, (CASE_KIND,))
    return marked[-1][len(CASE_KIND):].strip() if marked else None


def plan_texts(project: RefiProject, forced: str | None) -> list[_Text]:
    """Every text source read, positioned and named, with the metadata qualcode wrote."""
    # Names are not made unique against the project: importing the same file again finds
    # its transcripts (unchanged, their codings not doubled) instead of adding copies.
    used: set[str] = set()
    texts = []
    for source in project.sources:
        stored, spans, convention = _read_positions(project, source, forced)
        if not stored.strip():
            raise InputFileError(project.path, f"source '{source.name}' has no text")
        name = _transcript_name(source.name, used)
        title, marked = _split_description(source.description,
                                           (SITE_LINE, SPEAKER_LINE, FILE_LINE))
        metadata = TranscriptMetadata(title=title or None, source=f"{project.path}: "
                                      f"{source.name}")
        first_file = None
        for line in marked:
            if line.startswith(FILE_LINE):
                kind, _, file_name = line[len(FILE_LINE):].strip().partition(" ")
                first_file = (kind, file_name) if kind and file_name else None
            elif line.startswith(SITE_LINE):
                metadata.site = line[len(SITE_LINE):].strip() or None
            else:
                label, _, person = line[len(SPEAKER_LINE):].partition(" = ")
                metadata.speakers[label.strip()] = person.strip() or None
        raw_sha = hashlib.sha256(source.text.encode("utf-8", "surrogatepass")).hexdigest()
        item = _Text(source, name, stored, spans, convention, metadata, raw_sha, first_file)
        item.times, item.lost_times = _sync_times(source, convention)
        texts.append(item)
    return texts


def _sync_times(source: RefiSource, convention: str) -> tuple[list[tuple[int, float]], int]:
    """A transcript's sync points as (offset in the stored text, seconds), read by the
    convention its selections were read by, and how many fit nowhere."""
    if not source.sync_points:
        return [], 0
    indexes = read_positions(source.text, [p for p, _ in source.sync_points], convention)
    _, where = normalise_with_offsets(source.text)
    times = [(where(index), milliseconds / 1000)
             for index, (_, milliseconds) in zip(indexes, source.sync_points, strict=True)
             if index is not None]
    return times, len(indexes) - len(times)


def _apply_times(texts: list[_Text]) -> None:
    """Each transcript's times from the file onto the turns the speaker rules found: what
    the file says of a turn wins over a timestamp in its text, the rest is kept."""
    from qualcode.media import turn_times

    for item in texts:
        if not item.times:
            continue
        parsed = item.parsed
        found = turn_times([(turn.start, turn.end) for turn in parsed.turns], item.times)
        parsed.turns = [
            dataclasses.replace(turn, t_start=turn.t_start if start is None else start,
                                t_end=turn.t_end if end is None else end)
            for turn, start, end in zip(parsed.turns, found.starts, found.ends, strict=True)]
        inner = dict(parsed.sync_points)
        inner.update(found.inner)
        parsed.sync_points = sorted(inner.items())
        item.lost_times += found.unplaced


def recording_file(qdpx: Path, reference: str | None) -> tuple[Path | None, str]:
    """The recording a media source names, and what to say when it is not there: a
    relative path is looked up from the .qdpx's folder (where the study folder's
    recordings travel with it), an absolute one where it says and then by its name
    beside the .qdpx. A recording inside the .qdpx is not taken out: recordings
    identify people, and qualcode keeps them outside its projects."""
    if not reference:
        return None, "the file names no path"
    scheme, separator, rest = reference.partition("://")
    if not separator:
        scheme, rest = "", reference
    scheme = scheme.lower()
    if scheme == "internal":
        return None, "inside the .qdpx, not taken out (recordings stay outside projects)"
    rest = rest.replace("\\", "/")
    beside = qdpx.resolve().parent
    candidates = []
    if scheme in ("absolute", "file") or (not scheme and rest.startswith("/")):
        candidates.append(Path(rest))
    else:
        candidates.append(beside / rest.lstrip("/"))
    candidates.append(beside / Path(rest).name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate, ""
    return None, "missing"


def _find_recordings(store: Store, qdpx: Path, texts: list[_Text],
                     report: QdpxImportReport) -> None:
    """Describe (size, hash, duration) each recording found before the transaction opens:
    hashing a long recording must not hold the project's write lock."""
    from qualcode.media import RECORDING_SUFFIXES
    from qualcode.services.media import describe

    for item in texts:
        recording: RefiRecording | None = item.source.recording
        if recording is None:
            continue
        file, problem = recording_file(qdpx, recording.path)
        if file is not None and file.suffix.lower() not in RECORDING_SUFFIXES:
            file, problem = None, f"'{file.suffix}' is not an audio or video file qualcode knows"
        if file is None:
            report.missing_recordings.append(f"{item.name}: {recording.path or recording.name}"
                                             f" — {problem}")
            continue
        item.recording = describe(store, file)


@dataclass
class _Cases:
    sites: dict[str, dict]  # site_id -> {"name":, "attributes":}
    persons: dict[str, dict]  # person_id -> {"site":, "role":, "attributes":}
    transcript_attributes: dict[str, dict[str, Any]]  # source GUID -> attributes
    notes: list[str]


def _case_becomes(case) -> tuple[str, str] | None:
    """What a Case becomes here: ("site", id) or ("person", id); None for an unnamed case
    of one source, whose values describe that interview (MAXQDA)."""
    if _case_kind(case.description) == "site":
        return "site", case.name
    if not case.name and len(case.sources) == 1:
        return None
    return "person", (case.name or case.guid).strip()


def plan_cases(project: RefiProject) -> _Cases:
    variables = project.variables

    def values_of(values: dict[str, tuple[str, str]], kind: str | None) -> dict[str, Any]:
        named = {}
        for guid, (refi_type, text) in values.items():
            variable = variables.get(guid)
            name = variable.name if variable else guid
            declared = variable.type if variable else refi_type
            if kind and name.endswith(f" ({kind})"):
                name = name[:-len(f" ({kind})")]
            value = _typed(declared if refi_type == "Text" and declared != "Text"
                           else refi_type, text)
            if isinstance(value, str) and not (variable and variable.type == "Text"):
                value = _infer(value)
            named[name] = value
        return named

    cases = _Cases({}, {}, defaultdict(dict), [])
    for source in project.sources:
        if source.values:
            cases.transcript_attributes[source.guid].update(
                values_of(source.values, "transcript"))
    for case in project.cases:
        kind = _case_kind(case.description)
        becomes = _case_becomes(case)
        if becomes is None:
            cases.transcript_attributes[case.sources[0]].update(values_of(case.values, None))
        elif becomes[0] == "site":
            named = values_of(case.values, "site")
            name = named.pop("name", None)
            cases.sites[becomes[1]] = {"name": name, "attributes": named}
        else:
            named = values_of(case.values, "person" if kind else None)
            site = named.pop("site", None) if kind == "person" else None
            role = named.pop("rolle", None) if kind == "person" else None
            cases.persons[becomes[1]] = {"site": site, "role": role, "attributes": named,
                                         "sources": case.sources, "marked": kind == "person"}
    for item in project.sets:
        attribute, _, value = item.name.partition("::")
        for source in item.sources:
            cases.transcript_attributes[source][attribute.strip()] = \
                _infer(value.strip()) if value.strip() else True
    return cases


# --- writing ------------------------------------------------------------------------------

def import_qdpx(store: Store, path: Path, *, positions: str | None = None,
                codebook_path: Path | None = None) -> QdpxImportReport:
    """Import ``path`` into the project; everything or nothing."""
    path = Path(path)
    project = read_refi(path)
    report = QdpxImportReport(path=str(path), warnings=list(project.warnings))
    report.skipped = list(project.skipped_sources)
    texts = plan_texts(project, positions)
    cases = plan_cases(project)
    _parse_all(texts, cases, path)
    _apply_times(texts)
    _find_recordings(store, path, texts, report)
    planned = plan_codes(project.codes)
    code_ids = {code.guid: code.id for code in planned}
    # Next to the project file; a shared database has none, so in the working folder.
    beside = store.path.parent if getattr(store, "path", None) else Path.cwd()
    target = Path(codebook_path) if codebook_path else beside / f"{path.stem}.codebook.yaml"
    if planned and target.exists():
        raise ConflictError(f"'{target}' exists; nothing was imported",
                            hint="pass --codebook with a new file name for the imported "
                                 "codebook")
    data = None
    if planned:
        name, title, version = _codebook_names(project, path)
        data = codebook_data(planned, name, title)
        data["version"] = version
    header = (f"Imported from {path.name} ({project.origin or 'REFI-QDA'}) by qualcode.\n"
              "Edit it and load it again with `qualcode codebook load`.")
    written = False
    try:
        with store.write() as session:
            if data is not None:
                written = _write_codebook(session, data, header, target, report)
            _write(session, project, texts, cases, code_ids, report)
    except BaseException:
        if written:
            target.unlink(missing_ok=True)
        raise
    report.codes = len(planned)
    return report


def _parse_one(args: tuple) -> ParsedTranscript:
    name, source_format, source_file, text, metadata, raw_sha = args
    return build_transcript(name=name, source_file=source_file, source_format=source_format,
                            encoding=None, text=text, metadata=metadata, source_sha256=raw_sha)


def _parse_all(texts: list[_Text], cases: _Cases, path: Path) -> None:
    """Run the speaker rules over every text before the transaction opens, on every core
    for a large project (parsing is pure, CPU-bound work), as the .txt import does."""
    jobs = []
    for item in texts:
        item.metadata.attributes = dict(cases.transcript_attributes.get(item.source.guid, {}))
        source_format, source_file = item.file or ("qdpx", f"{path.name}:{item.source.name}")
        jobs.append((item.name, source_format, source_file, item.text, item.metadata,
                     item.raw_sha))
    workers = parsing_workers(len(jobs))
    if workers:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_parse_one, jobs, chunksize=8))
    else:
        results = [_parse_one(job) for job in jobs]
    for item, parsed in zip(texts, results, strict=True):
        item.parsed = parsed


def _write_times_and_recording(session, item: _Text, pk: int,
                               report: QdpxImportReport) -> None:
    from qualcode.services.media import record

    if item.times:
        report.timed.append(item.name)
    if item.lost_times:
        report.warnings.append(f"{report.path}: {item.lost_times} sync point(s) of "
                               f"'{item.source.name}' fall outside its text or turns; "
                               "not kept")
    if item.recording is not None:
        record(session, pk, item.name, item.recording)
        report.recordings.append(f"{item.name}: {item.recording['path']}")


def _write_codebook(session, data: dict, header: str, target: Path,
                    report: QdpxImportReport) -> bool:
    """Merge the imported codes with the project's and sync them; the YAML file is written
    (fresh, never over another file) before the transaction commits."""
    present = existing_codes(session)
    if present:
        # Codes already in the project stay as they are; new ones are added to the file.
        known = {code.id for code in present}
        data["codes"] = _project_codes(present) + _without(data["codes"], known)
    text = dump_codebook(data, header)
    codebook, problems = parse_codebook(text, str(target))
    errors = [p for p in problems if p.severity == "error"]
    if codebook is None or errors:
        raise CodebookError(f"the imported codebook is not valid: {errors[0]}")
    target.write_text(text, encoding="utf-8")
    sync_codebook(session, codebook, target)
    report.codebook_file = target
    return True


def _without(items: list[dict], known: set[str]) -> list[dict]:
    kept = []
    for item in items:
        children = _without(item.pop("children", []), known)
        if item["id"] in known:
            kept.extend(children)  # already in the project: its new children stay
            continue
        if children:
            item["children"] = children
        kept.append(item)
    return kept


def _project_codes(present) -> list[dict]:
    by_parent: dict[str | None, list] = defaultdict(list)
    for code in present:
        by_parent[code.parent].append(code)

    def entry(code) -> dict:
        item = {"id": code.id}
        for key, value in code.values.items():
            if value not in (None, [], False) and key not in ("sort_order",):
                item[key] = value
        if code.archived:
            item["archived"] = True
        kids = by_parent.get(code.id, [])
        if kids:
            item["children"] = [entry(kid) for kid in kids]
        return item

    return [entry(code) for code in by_parent.get(None, [])]


def _write(session, project: RefiProject, texts: list[_Text], cases: _Cases,
           code_ids: dict[str, str], report: QdpxImportReport) -> None:
    where = project.path
    # Sites and persons first: transcripts name them.
    sites = _ids(session, Site, Site.site_id)
    for site_id, values in cases.sites.items():
        if site_id not in sites:
            sites[site_id] = session.execute(insert(Site).values(
                site_id=site_id, name=values["name"])).inserted_primary_key[0]
            report.sites += 1
        write_attributes(session, "site", sites[site_id], values["attributes"])
        report.attributes += len(values["attributes"])
    persons = _ids(session, Person, Person.person_id)
    for person_id, values in cases.persons.items():
        site = values["site"]
        if site and site not in sites:
            raise InputFileError(where, f"case '{person_id}' belongs to site '{site}', which "
                                 "is not in the file nor in the project; nothing was imported")
        if person_id not in persons:
            persons[person_id] = session.execute(insert(Person).values(
                person_id=person_id, site_pk=sites.get(site) if site else None,
                role=values["role"])).inserted_primary_key[0]
            report.persons += 1
        write_attributes(session, "person", persons[person_id], values["attributes"])
        report.attributes += len(values["attributes"])
    person_site = {person_id: (sites.get(v["site"]) if v["site"] else None)
                   for person_id, v in cases.persons.items()}

    # Transcripts, with the speaker rules run over each text.
    existing = {t.name: t for t in session.exec(select(Transcript)).all()}
    ingest_report = ImportReport()
    transcript_pks: dict[str, int] = {}
    stored_texts: dict[str, str] = {}
    for item in texts:
        meta = item.metadata
        if meta.site and meta.site not in sites:
            raise InputFileError(where, f"source '{item.source.name}' names site "
                                 f"'{meta.site}', which is not in the project")
        for label, person in meta.speakers.items():
            if person and person not in persons:
                raise InputFileError(where, f"source '{item.source.name}': speaker '{label}'"
                                     f" is mapped to unknown person '{person}'")
        old = existing.get(item.name)
        if old is not None:
            if old.text_sha256 != sha256_text(item.text):
                raise ConflictError(f"{where}: transcript '{item.name}' is already in the "
                                    "project with different text; nothing was imported",
                                    hint="import into a new project, or rename the source")
            report.unchanged.append(item.name)
            transcript_pks[item.source.guid] = old.pk
            stored_texts[item.source.guid] = old.text
            continue
        parsed = item.parsed
        site_pk = sites[meta.site] if meta.site else None
        if site_pk is None:
            found = {person_site.get(p) for p in meta.speakers.values() if p} - {None}
            site_pk = found.pop() if len(found) == 1 else None
        _write_transcript(session, parsed, None, sha256_text(parsed.text), [], site_pk,
                          persons, ingest_report)
        pk = session.exec(select(Transcript.pk).where(Transcript.name == item.name)).one()
        transcript_pks[item.source.guid] = pk
        _write_times_and_recording(session, item, pk, report)
        stored_texts[item.source.guid] = parsed.text
        report.transcripts.append(item.name)
        report.conventions[item.name] = item.convention
        report.speaker_labels += len({t.label for t in parsed.turns if t.label})
    report.turns = ingest_report.turns
    report.warnings.extend(ingest_report.warnings)
    unmapped = [person_id for person_id, values in cases.persons.items()
                if values["sources"] and not values["marked"]]
    if unmapped:
        report.warnings.append(
            f"{where}: {len(unmapped)} case(s) are linked to transcripts but the file does "
            f"not say under which speaker label they speak ({', '.join(unmapped[:5])}"
            + (", …" if len(unmapped) > 5 else "") + "): map them with `qualcode attributes "
            "import` so matrices count them as persons")

    # Coders, codings and memos.
    names = _coder_names(project, report)
    coders: dict[str, int] = {}

    def coder_pk(user: str | None) -> int:
        name = names.get(user) or names.get("creator") or "import"
        if name not in coders:
            coders[name] = get_or_create_coder(session, name).pk
        return coders[name]

    codes = codes_by_id(session)
    seen = set(session.exec(select(Coding.coder_pk, Coding.code_pk, Coding.transcript_pk,
                                   Coding.start, Coding.end)).all())
    stamp = now()
    rows, memos = [], []
    notes_used: set[str] = set()
    memo_of = _link_notes(project)
    for item in texts:
        source = item.source
        pk = transcript_pks[source.guid]
        text = stored_texts[source.guid]
        sha = sha256_text(text)
        for selection in source.selections:
            start, end = item.spans[selection.guid]
            note_guids = selection.notes + memo_of.get(selection.guid, [])
            notes_used.update(note_guids)
            memo = _memo_text(project, selection, note_guids)
            if start >= end:
                report.warnings.append(f"{where}: an empty selection in '{item.name}' "
                                       f"({selection.start}-{selection.end}) was skipped")
                continue
            if not selection.codings:
                report.uncoded_selections += 1
                memos.append(dict(author=names.get(selection.user), about_type="transcript",
                                  about_key=item.name, title=_passage(text, start, end),
                                  body=memo or text[start:end]))
                continue
            for coding in selection.codings:
                code = codes[code_ids[coding.code]]
                key = (coder_pk(coding.user or selection.user), code.pk, pk, start, end)
                if key in seen:
                    report.duplicates += 1
                    continue
                seen.add(key)
                rows.append(dict(coder_pk=key[0], code_pk=code.pk, transcript_pk=pk,
                                 start=start, end=end, quote=text[start:end], text_sha256=sha,
                                 origin="imported", memo=memo, created_at=stamp,
                                 updated_at=stamp))
    for first in range(0, len(rows), INSERT_BATCH):
        session.execute(insert(Coding), rows[first:first + INSERT_BATCH])
    report.codings = len(rows)
    report.coding_memos = sum(1 for row in rows if row["memo"])
    report.coders = sorted({name for name, pk in coders.items()
                            if any(r["coder_pk"] == pk for r in rows)})

    # Notes on sources, codes, the project, and any note nothing points at.
    def note_memo(guid: str, about_type: str, about_key: str | None,
                  passage: str | None = None) -> None:
        note = project.notes.get(guid)
        if note is None or guid in notes_used:
            return
        notes_used.add(guid)
        kind, key, title = _memo_about(note) or (about_type, about_key, note.name or passage)
        memos.append(dict(author=names.get(note.user), about_type=kind, about_key=key,
                          title=title, body=note.text))

    for item in texts:
        text = stored_texts[item.source.guid]
        for guid in item.source.notes + memo_of.get(item.source.guid, []):
            span = item.spans.get(guid)
            note_memo(guid, "transcript", item.name, span and _passage(text, *span))
    for code in project.codes:
        for guid in code.notes + memo_of.get(code.guid, []):
            note_memo(guid, "code", code_ids[code.guid])
    for case in project.cases:  # a Case has no NoteRef: its notes are linked to it
        becomes = _case_becomes(case)
        for guid in memo_of.get(case.guid, []) if becomes else []:
            note_memo(guid, *becomes)
    for guid in project.project_notes + list(project.notes):
        note_memo(guid, "project", None)
    if memos:
        session.execute(insert(Memo), [dict(m, created_at=stamp, updated_at=stamp)
                                       for m in memos])
    report.memos = len(memos)
    audit.record(session, "import", "qdpx", Path(where).name, after={
        "transcripts": report.transcripts, "codings": report.codings, "codes": len(code_ids),
        "memos": report.memos, "conventions": report.conventions,
        "skipped": report.skipped})


_EXPORTED_CODEBOOK = re.compile(r"Codebook: (.*) \(([A-Za-z0-9_.-]+), version (\d+)\)\.")


def _codebook_names(project: RefiProject, path: Path) -> tuple[str, str | None, int]:
    """The codebook's name, title and version: as qualcode's export gave them, else from
    the file's and the project's names."""
    match = _EXPORTED_CODEBOOK.search(project.description or "")
    if match and (project.origin or "").startswith("qualcode"):
        return match.group(2), match.group(1), int(match.group(3))
    return path.stem, project.name, 1


def _coder_names(project: RefiProject, report: QdpxImportReport) -> dict[str | None, str]:
    """User GUID -> coder name; names repeat in real files, so a second one is numbered."""
    names: dict[str | None, str] = {}
    taken: set[str] = set()
    own_export = (project.origin or "").startswith("qualcode")
    for guid, user in project.users.items():
        given = re.sub(r"\s+", " ", user.name).strip()
        base = _allowed_coder(given, own_export) if given else f"user-{guid[:8]}"
        if base != given and given:
            report.renamed_coders.append(f"{given} → {base}")
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base} {n}"
        taken.add(name.casefold())
        names[guid] = name
    if project.creator in names:
        names["creator"] = names[project.creator]
    return names


def _allowed_coder(name: str, own_export: bool) -> str:
    """A user's name as a coder name: one that reads as a coder's round (``x@1``,
    ``anna@2@3``) becomes a plain name, its last ``@`` a ``-``, unless it is a valid round
    in qualcode's own export; other characters a coder name cannot hold are dropped."""
    name = unicodedata.normalize("NFC", _CONTROL.sub("", name)).strip()
    while True:
        try:
            coder_name(name)
        except QualcodeError:
            pass
        else:
            if own_export or not later_round(name):
                return name
        at = name.rfind("@")
        if at < 0:  # refused for another reason: no round left to take apart
            return name or "import"
        name = f"{name[:at]}-{name[at + 1:]}"


def _link_notes(project: RefiProject) -> dict[str, list[str]]:
    """Object GUID -> notes linked to it by ``<Link>`` (either end a note, or notes on the
    link itself)."""
    found: dict[str, list[str]] = defaultdict(list)
    for link in project.links:
        ends = [link.origin, link.target]
        notes = [g for g in ends if g in project.notes] + link.notes
        for end in ends:
            if end and end not in project.notes:
                found[end].extend(notes)
    return found


def _memo_text(project: RefiProject, selection: RefiSelection, notes: list[str]
               ) -> str | None:
    parts: list[str] = []
    for text in [selection.description] + [project.notes[g].text for g in notes
                                           if g in project.notes]:
        if text and text.strip() and text.strip() not in parts:
            parts.append(text.strip())
    return "\n\n".join(parts) or None


def _memo_about(note) -> tuple[str, str | None, str | None] | None:
    """What a memo exported by qualcode is about (``qualcode memo: KIND KEY`` in the note's
    description) and its own title (the note's name, unless the export made one up)."""
    _, marked = _split_description(note.description, (MEMO_LINE,))
    if not marked:
        return None
    kind, _, key = marked[-1][len(MEMO_LINE):].strip().partition(" ")
    made_up = {f"{kind} {key}".strip()}
    if kind == "summary" and key.count("|") >= 2:
        code_id, case_kind, case = key.split("|", 2)
        made_up.add(f"Summary: {code_id} for {case_kind} {case}")
    return kind, key or None, None if note.name in made_up else note.name


def _passage(text: str, start: int, end: int) -> str:
    """A memo's title that says which passage of its transcript it is about."""
    return f"{start}–{end}: {_short(text[start:end])}"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= NAME_CHARS else flat[:NAME_CHARS - 1].rstrip() + "…"



# --- codebook exchange (.qdc) ---------------------------------------------------------------

def codebook_from_refi(path: Path) -> tuple[str, int, list[str]]:
    """A .qdc (or the codebook of a .qdpx) as the text of a YAML codebook, with the number
    of codes and the warnings. Checked as ``codebook validate`` would; nothing is written."""
    path = Path(path)
    codes, warnings = read_codebook_xml(path)
    if not codes:
        raise InputFileError(str(path), "the file holds no codes")
    planned = plan_codes(codes)
    data = codebook_data(planned, path.stem, None)
    text = dump_codebook(data, f"Imported from {path.name} by qualcode.\n"
                               "Check it with `qualcode codebook validate`, then load it.")
    codebook, problems = parse_codebook(text, path.name)
    errors = [p for p in problems if p.severity == "error"]
    if codebook is None or errors:
        raise CodebookError(f"{path}: the codebook read from it is not valid: {errors[0]}")
    return text, len(planned), warnings
