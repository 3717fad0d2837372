"""Importing transcripts and attribute sheets into a project, atomically.

A batch of transcripts is one transaction: each file is written as soon as it is parsed
(in file order, parsed on every core for a large batch), so the import holds a few
transcripts at a time, however many the batch has. One broken file means nothing from the
batch is stored, and the error names the file and the reason; the problems are told in
the order they always were (a file that cannot be read first, then an unknown site or
person, then a conflict with the project, then codings that would lose their text).
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, update
from sqlmodel import Session, select

from qualcode import audit
from qualcode.domain import attributes as attr
from qualcode.domain.errors import ConflictError, InputFileError, NotFoundError, QualcodeError
from qualcode.domain.model import ParsedTranscript, TranscriptMetadata
from qualcode.domain.realign import align
from qualcode.domain.text import excerpt, sha256_text
from qualcode.importers import SUPPORTED_SUFFIXES, read_transcript
from qualcode.importers.speakers import normalise_label, role_from_label
from qualcode.services.common import coding_row, now
from qualcode.sheets import AttributeSheet, read_attribute_sheets
from qualcode.store import Store, Writer
from qualcode.store.bulk import writer_in
from qualcode.store.models import (
    ATTRIBUTE_TABLES,
    Code,
    Coder,
    Coding,
    Participation,
    Person,
    Segment,
    Site,
    SyncPoint,
    Transcript,
    Turn,
)


@dataclass(frozen=True)
class ReanchoredCoding:
    """A coding carried from the old text of its transcript to the corrected one: where it
    was and what it said, and where it is now and what it says (None: its text is gone)."""

    pk: int
    transcript: str
    coder: str
    code: str
    start: int
    end: int
    quote: str
    new_start: int | None = None
    new_end: int | None = None
    new_quote: str | None = None
    code_pk: int | None = None  # so the log can name the code


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    metadata_updated: list[str] = field(default_factory=list)  # same text, new metadata
    reanchored: list[str] = field(default_factory=list)  # "transcript: n codings moved"
    moved: list[ReanchoredCoding] = field(default_factory=list)
    removed: list[ReanchoredCoding] = field(default_factory=list)  # their text was gone
    warnings: list[str] = field(default_factory=list)
    turns: int = 0
    words: int = 0


def _skipped(name: str) -> bool:
    """Files in a folder that are not transcripts: hidden files, Word lock files, READMEs."""
    return name.startswith((".", "~$")) or name.lower().startswith("readme")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories contribute their transcript files (recursively, sorted),
    leaving out hidden files, Word lock files (~$…) and README files.

    Inside a folder, a symbolic link to a transcript, a sidecar or a folder that points
    outside it is refused (a link named intervju.txt could stand for any file on the
    machine), and linked folders are not entered. A file named on the command line is read
    wherever it is."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(_folder_files(path))
        elif path.exists():
            files.append(path)
        else:
            raise InputFileError(str(path), "no such file or directory")
    return files


def _folder_files(folder: Path) -> list[Path]:
    root = folder.resolve()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in [*dirnames, *filenames]:
            entry = here / name
            if entry.is_symlink() and (name in dirnames or _read_with_transcripts(name)):
                _check_link(entry, root, folder)
        for name in filenames:
            if Path(name).suffix.lower() in SUPPORTED_SUFFIXES and not _skipped(name):
                found.append(here / name)
    return sorted(found)


def _read_with_transcripts(name: str) -> bool:
    """Transcripts and their metadata sidecars: what an import of the folder reads."""
    suffix = Path(name).suffix.lower()
    return suffix in (*SUPPORTED_SUFFIXES, ".yaml", ".yml") and not _skipped(name)


def _check_link(link: Path, root: Path, folder: Path) -> None:
    target = link.resolve()
    if not target.is_relative_to(root):
        raise InputFileError(str(link), f"a link to {target}, which is outside {folder}; "
                             "nothing was imported",
                             hint="copy the file into the folder, or name it on the command "
                                  "line to import it")


# --- attribute helpers --------------------------------------------------------------

def write_attributes(session: Session, owner: str, owner_pk: int, values: dict, *,
                     fresh: bool = False) -> None:
    """Set typed attributes of a site, person or transcript (replacing same-named ones).

    ``fresh`` says the owner has no attributes yet, so rows can be inserted in bulk."""
    if not values:
        return
    table, fk = ATTRIBUTE_TABLES[owner]
    if not fresh:
        session.execute(delete(table).where(getattr(table, fk) == owner_pk,
                                            table.name.in_(list(values))))
    session.execute(insert(table), attribute_rows(owner, owner_pk, values))


def attribute_rows(owner: str, owner_pk: int, values: dict) -> list[dict]:
    """The stored rows of typed attributes of a site, person or transcript."""
    fk = ATTRIBUTE_TABLES[owner][1]
    rows = []
    for name, value in values.items():
        value_type, value_text, value_num = attr.encode(value)
        rows.append({fk: owner_pk, "name": name, "value_type": value_type,
                     "value_text": value_text, "value_num": value_num})
    return rows


def _ids(session: Session, model, column) -> dict[str, int]:
    return {key: pk for key, pk in session.exec(select(column, model.pk)).all()}


# --- transcripts --------------------------------------------------------------------

TURN_COLUMNS = ("transcript_pk", "idx", "participation_pk", "start", "end", "n_words",
                "t_start", "t_end")
PARALLEL_MIN_FILES = 24  # below this, starting worker processes costs more than it saves
WORKERS_SETTING = "QUALCODE_IMPORT_WORKERS"
MAX_WORKERS = 8
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_parent_pid: int | None = None  # in a parsing worker: the import that started it


def _worker_started(parent_pid: int) -> None:
    """Make a parsing worker end with the import that started it: Linux kills it when the
    parent dies (a parent killed with SIGKILL runs no clean-up); elsewhere the worker looks
    for its parent before each file (see :func:`_read_in_worker`)."""
    import signal

    global _parent_pid
    _parent_pid = parent_pid
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler is not ours
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which ends us
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)


def parsing_workers(n_files: int) -> int:
    """How many processes parse a batch of ``n_files`` beside the import, which writes; 0:
    the import parses them itself.

    The writer keeps a core, the others parse. With one core left over (a two-core
    machine), sending each transcript through a pipe cost the import 40 % more CPU to save
    an eighth of its time: at 200 schools 6.3–6.7 s of CPU and 4.0–4.2 s against 4.6–4.8 s
    and 4.7–4.9 s. ``QUALCODE_IMPORT_WORKERS`` sets the number (0: none, at
    most 8)."""
    setting = os.environ.get(WORKERS_SETTING, "").strip()
    if setting and not (setting.isascii() and setting.isdigit()):
        raise QualcodeError(f"{WORKERS_SETTING}={setting!r} is not a number of processes",
                            hint="set it to 0 (parse in the import's own process) up to "
                                 f"{MAX_WORKERS}, or unset it")
    if n_files < PARALLEL_MIN_FILES:
        return 0
    if setting:
        return min(int(setting), MAX_WORKERS)
    workers = min((os.cpu_count() or 1) - 1, MAX_WORKERS)
    return workers if workers >= 2 else 0


def _read_in_worker(path: Path) -> ParsedTranscript:
    if _parent_pid is not None and os.getppid() != _parent_pid:  # orphaned: nobody waits
        os._exit(1)
    return read_transcript(path)


PARSED_AHEAD = 6  # files a worker may have parsed before the import has written them


def _parse_in_parallel(files: list[Path], workers: int):
    """Parse transcripts on every core (parsing is pure, CPU-bound work), in file order.

    The workers run at most a few files ahead of the writer, so a batch of 10 000 files is
    never held parsed at once. They end with the import: SIGTERM (as from ``kill``) stops
    the pool and exits, and the transaction that was writing the batch is rolled back."""
    import multiprocessing
    import signal
    import threading

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminated)
    room = threading.Semaphore(workers * PARSED_AHEAD)
    stop = threading.Event()

    def handed_out():  # runs in the pool's task thread: it waits while the writer catches up
        for path in files:
            while not room.acquire(timeout=0.1):
                if stop.is_set():
                    return
            yield path

    try:
        with context.Pool(workers, initializer=_worker_started,
                          initargs=(os.getpid(),)) as pool:  # leaving it terminates workers
            try:
                for parsed in pool.imap(_read_in_worker, handed_out(), chunksize=2):
                    room.release()
                    yield parsed
            finally:
                stop.set()  # before the pool ends: it waits for its task thread
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


def read_stream(files: list[Path], progress: Callable[[str], None] | None = None
                ) -> Iterator[ParsedTranscript]:
    """Every file read and checked, one at a time in file order; the first problem (in
    file order) is raised where it is reached."""
    workers = parsing_workers(len(files))
    results = _parse_in_parallel(files, workers) if workers else map(read_transcript, files)
    names: dict[str, Path] = {}
    try:
        for path, transcript in zip(files, results, strict=True):
            if transcript.name in names:
                raise InputFileError(str(path), f"two files in this batch are both named "
                                     f"'{transcript.name}' ({names[transcript.name].name})",
                                     hint="rename one: transcript names are file stems")
            names[transcript.name] = path
            if progress:
                progress(path.name)
            yield transcript
    finally:
        close = getattr(results, "close", None)
        if close is not None:  # the pool ends here, not when the generator is collected
            close()


def read_batch(files: list[Path], progress: Callable[[str], None] | None = None
               ) -> list[ParsedTranscript]:
    """Read and check every file; the first problem (in file order) is raised."""
    return list(read_stream(files, progress))


def _check_cases(parsed: Iterable[ParsedTranscript], sites: dict[str, int],
                 persons: dict[str, int]) -> None:
    for t in parsed:
        where = t.metadata.source or t.source_file
        if t.metadata.site and t.metadata.site not in sites:
            raise NotFoundError(f"{where}: unknown site '{t.metadata.site}'",
                                hint="import the attributes sheet first: "
                                     "`qualcode attributes import FILE`")
        for label, person in t.metadata.speakers.items():
            if person and person not in persons:
                raise NotFoundError(f"{where}: speaker '{label}' is mapped to unknown person "
                                    f"'{person}'", hint="add the person to the attributes "
                                    "sheet and import it first")


def _reanchor(session: Session, old: Transcript, new_text: str
              ) -> tuple[list[ReanchoredCoding], list[ReanchoredCoding]]:
    """Carry every coding of ``old`` into its new text through the alignment of the two
    texts: a coding grows or shrinks with the edits inside it. Returns the codings whose
    span or text changed, and those whose text is gone from the new version."""
    moved, gone = [], []
    alignment = None
    rows = session.execute(
        select(Coding.pk, Coding.start, Coding.end, Coding.quote, Coder.name, Code.code_id,
               Coding.code_pk)
        .join(Coder, Coder.pk == Coding.coder_pk).join(Code, Code.pk == Coding.code_pk)
        .where(Coding.transcript_pk == old.pk).order_by(Coding.start, Coding.pk)).all()
    for pk, start, end, quote, coder, code, code_pk in rows:
        if old.text[start:end] == quote:
            alignment = alignment or align(old.text, new_text)
            span = alignment.span(start, end)
        else:  # offsets that do not fit the old text: the one place its quote now occurs
            first = new_text.find(quote)
            unique = first >= 0 and new_text.find(quote, first + 1) < 0
            span = (first, first + len(quote)) if unique else None
        coding = ReanchoredCoding(pk, old.name, coder, code, start, end, quote,
                                  code_pk=code_pk)
        if span is None:
            gone.append(coding)
        elif span != (start, end) or new_text[span[0]:span[1]] != quote:
            moved.append(dataclasses.replace(coding, new_start=span[0], new_end=span[1],
                                             new_quote=new_text[span[0]:span[1]]))
    return moved, gone


def _lost_codings_error(gone: list[ReanchoredCoding]) -> ConflictError:
    sample = "; ".join(f"#{c.pk} ({c.coder}, {c.code}) in {c.transcript} «{excerpt(c.quote)}»"
                       for c in gone[:3])
    more = f" and {len(gone) - 3} more" if len(gone) > 3 else ""
    return ConflictError(
        f"{len(gone)} coding(s) would lose all their text in the new version: {sample}{more}; "
        "nothing was imported",
        hint="put the coded passages back, remove those codings first (`qualcode coding "
             "remove ID`), or re-import with --remove-lost-codings (the audit log keeps them)")


def _remove_lost(session: Session, gone: list[ReanchoredCoding], batch: str) -> None:
    """Remove codings whose text is gone, each kept whole in the audit log. Not "remove":
    a coder's undo cannot put a coding back onto text that no longer exists."""
    for lost in gone:
        coding = session.get(Coding, lost.pk)
        audit.record(session, "remove_lost_in_replace", "coding", str(lost.pk), batch=batch,
                     before=coding_row(coding))
        session.execute(delete(Coding).where(Coding.pk == lost.pk))


def _store_structure(db: Writer, transcript_pk: int, t: ParsedTranscript,
                     persons: dict[str, int], report: ImportReport) -> int:
    """Participations and turns of one transcript; returns the words spoken in its turns.
    Plain rows through the driver, not ORM objects: the hot path of a large import."""
    mapped = {normalise_label(label): person for label, person in t.metadata.speakers.items()}
    participations: dict[str, int] = {}
    # Each label as written, in the order it first speaks (a few labels, 200 turns)
    written = dict.fromkeys(turn.label for turn in t.turns if turn.label is not None)
    for label in written:
        key = normalise_label(label)
        if key in participations:
            continue
        person = mapped.get(key)
        role = None if person else role_from_label(label)
        participations[key] = db.insert("participation", {
            "transcript_pk": transcript_pk, "label": label,
            "person_pk": persons.get(person) if person else None, "role": role})
        if not person and role != "intervjuer":
            report.warnings.append(
                f"{t.source_file}: speaker label '{label}' is not mapped to a person"
                + (f" (counted as role '{role}')" if role else "")
            )
    by_label = {label: participations.get(normalise_label(label)) for label in written
                if label}
    rows = [(transcript_pk, turn.index, by_label.get(turn.label), turn.start, turn.end,
             turn.n_words, turn.t_start, turn.t_end) for turn in t.turns]
    if rows:
        db.insert_rows("turn", TURN_COLUMNS, rows)
    report.turns += len(rows)
    return sum(turn.n_words for turn in t.turns)


def import_transcripts(store: Store, paths: Iterable[Path], *, replace: bool = False,
                       remove_lost: bool = False,
                       progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import transcripts, all or nothing. With ``replace``, a transcript whose text changed
    is updated and its codings carried over to the new text; a coding whose text is gone
    refuses the import, unless ``remove_lost`` removes it. A transcript whose text is the
    same but whose metadata changed gets the new metadata and nothing else."""
    files = expand_paths(paths)
    if not files:
        raise InputFileError(", ".join(str(p) for p in paths) or ".",
                             f"no transcript files ({', '.join(SUPPORTED_SUFFIXES)}) found")
    report = ImportReport()
    # The first problem of each kind, in file order; once there is one, the rest of the
    # batch is still read (a file that cannot be read is told first) but not written.
    refused: dict[str, QualcodeError] = {}
    lost: list[ReanchoredCoding] = []
    relabelled: list[tuple[_Stored, str, _MetadataChange]] = []
    with ExitStack() as stack:  # the parsing ends with the transaction, whatever happens
        session = stack.enter_context(store.write())
        sites = _ids(session, Site, Site.site_id)
        persons = _ids(session, Person, Person.person_id)
        person_site = dict(session.exec(select(Person.person_id, Person.site_pk)).all())
        in_project = set(session.exec(select(Transcript.name)).all())
        batch = audit.new_batch()
        for t in stack.enter_context(closing(read_stream(files, progress))):
            try:
                _check_cases([t], sites, persons)
            except QualcodeError as exc:
                refused.setdefault("case", exc)
            if refused:
                continue
            old = session.exec(select(Transcript).where(Transcript.name == t.name)).one() \
                if t.name in in_project else None
            text_sha = sha256_text(t.text)
            if old is not None and old.text_sha256 == text_sha:
                change = _metadata_change(session, old, t, _site_of(t, sites, person_site),
                                          persons)
                if change is None:
                    report.unchanged.append(t.name)
                    continue
                if not change.turns_changed:
                    relabelled.append((_Stored(old.pk, old.name), t.name, change))
                    continue
                moves, gone = [], []  # the speakers now split the text otherwise
            elif old is not None and not replace:
                refused["conflict"] = ConflictError(
                    f"{t.source_file}: transcript '{t.name}' is already in the project with "
                    "different text; nothing was imported",
                    hint="re-import with --replace to update it (codings are re-anchored "
                         "or the import is refused)")
                continue
            else:
                moves, gone = _reanchor(session, old, t.text) if old is not None else ([], [])
            if gone and not remove_lost:
                lost.extend(gone)  # told once the whole batch is read
                continue
            if lost:
                continue
            _remove_lost(session, gone, batch)
            report.removed.extend(gone)
            _write_transcript(session, t, old, text_sha, moves,
                              _site_of(t, sites, person_site), persons, report, batch)
            in_project.add(t.name)
        for kind in ("case", "conflict"):
            if kind in refused:
                raise refused[kind]
        if lost:
            raise _lost_codings_error(lost)
        for old, name, change in relabelled:
            _update_metadata(session, old, change, batch)
            report.metadata_updated.append(name)
    return report


@dataclass(frozen=True)
class _Stored:
    """A transcript of the project whose metadata changes: what the change needs of it."""

    pk: int
    name: str


def _site_of(t: ParsedTranscript, sites: dict[str, int],
             person_site: dict[str, int | None]) -> int | None:
    """The metadata's site; else the one site all mapped speakers belong to, if there is one."""
    if t.metadata.site:
        return sites[t.metadata.site]
    found = {person_site.get(p) for p in t.metadata.speakers.values() if p}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


@dataclass
class _MetadataChange:
    """What a re-imported transcript's front matter or sidecar changes: only what it names
    (a sheet's attributes stay), as ``before``/``after`` for the audit log."""

    title: str | None = None
    site_pk: int | None = None
    attributes: dict = field(default_factory=dict)
    links: dict[int, tuple[int | None, str | None]] = field(default_factory=dict)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    turns_changed: bool = False


def _metadata_change(session: Session, old: Transcript, t: ParsedTranscript,
                     site_pk: int | None, persons: dict[str, int]) -> _MetadataChange | None:
    """How the metadata read with an unchanged text differs from the project's, or None."""
    meta, change = t.metadata, _MetadataChange()
    if meta.speakers:  # a mapped name counts as a speaker label even if it speaks once
        stored_turns = session.execute(select(Turn.start, Turn.end).where(
            Turn.transcript_pk == old.pk).order_by(Turn.idx)).all()
        if [tuple(row) for row in stored_turns] != [(turn.start, turn.end)
                                                    for turn in t.turns]:
            return _MetadataChange(turns_changed=True)
    if meta.title and meta.title != old.title:
        change.title = meta.title
        change.before["title"], change.after["title"] = old.title, meta.title
    if site_pk is not None and site_pk != old.site_pk:
        site_ids = dict(session.execute(select(Site.pk, Site.site_id)).all())
        change.site_pk = site_pk
        change.before["site"], change.after["site"] = (site_ids.get(old.site_pk),
                                                       site_ids[site_pk])
    table, fk = ATTRIBUTE_TABLES["transcript"]
    stored = {name: (kind, text) for name, kind, text in session.execute(
        select(table.name, table.value_type, table.value_text)
        .where(getattr(table, fk) == old.pk)).all()}
    for name, value in meta.attributes.items():
        kind, text, _ = attr.encode(value)
        if stored.get(name) != (kind, text):
            change.attributes[name] = value
            change.before[name] = stored[name][1] if name in stored else None
            change.after[name] = text
    if meta.speakers:
        _link_changes(session, old, meta, persons, change)
    return change if change.after else None


def _link_changes(session: Session, old: Transcript, meta: TranscriptMetadata,
                  persons: dict[str, int], change: _MetadataChange) -> None:
    """Speaker labels the metadata maps to another person than the project does."""
    person_ids = {pk: person_id for person_id, pk in persons.items()}
    parts = {normalise_label(label): (pk, label, person_pk, role)
             for pk, label, person_pk, role in session.execute(
                 select(Participation.pk, Participation.label, Participation.person_pk,
                        Participation.role).where(Participation.transcript_pk == old.pk))}
    before, after = {}, {}
    for label, person in meta.speakers.items():
        part = parts.get(normalise_label(label))
        if part is None:  # a label this transcript does not use, as at a first import
            continue
        pk, stored_label, person_pk, role = part
        wanted = (persons[person], None) if person else (None, role_from_label(stored_label))
        if wanted != (person_pk, role):
            change.links[pk] = wanted
            before[stored_label], after[stored_label] = person_ids.get(person_pk), person
    if after:
        change.before["speakers"], change.after["speakers"] = before, after


def _update_metadata(session: Session, old: Transcript | _Stored, change: _MetadataChange,
                     batch: str) -> None:
    values = {key: value for key, value in (("title", change.title),
                                            ("site_pk", change.site_pk)) if value is not None}
    if values:
        session.execute(update(Transcript).where(Transcript.pk == old.pk).values(**values))
    for pk, (person_pk, role) in change.links.items():
        session.execute(update(Participation).where(Participation.pk == pk)
                        .values(person_pk=person_pk, role=role))
    write_attributes(session, "transcript", old.pk, change.attributes)
    audit.record(session, "set-metadata", "transcript", old.name, before=change.before,
                 after=change.after, batch=batch)


def _insert_transcript(session: Session, t: ParsedTranscript, text_sha: str,
                       site_pk: int | None, persons: dict[str, int],
                       report: ImportReport) -> None:
    """A new transcript with its speakers, turns, times and attributes, and its line in
    the audit log: plain rows in the session's transaction (SQLAlchemy's handling of 8 000
    statements cost more than the database's work on them)."""
    session.flush()  # what the session holds goes in first: the audit log keeps its order
    db = writer_in(session)
    words = sum(turn.n_words for turn in t.turns)
    pk = db.insert("transcript", dict(
        name=t.name, title=t.metadata.title, site_pk=site_pk, source_file=t.source_file,
        source_format=t.source_format, encoding=t.encoding, text=t.text,
        text_sha256=text_sha, source_sha256=t.source_sha256, n_words=words,
        imported_at=db.moment(now()), segmented=False))
    report.added.append(t.name)
    audit.record_in(db, "import", "transcript", t.name,
                    after={"file": t.source_file, "sha256": text_sha, "turns": len(t.turns)})
    _store_structure(db, pk, t, persons, report)
    if t.sync_points:
        db.insert_rows("sync_point", ("transcript_pk", "offset", "seconds"),
                       [(pk, offset, seconds) for offset, seconds in t.sync_points])
    rows = attribute_rows("transcript", pk, t.metadata.attributes)
    if rows:
        db.insert_rows(ATTRIBUTE_TABLES["transcript"][0].__tablename__, list(rows[0]),
                       [tuple(row.values()) for row in rows])
    report.words += words
    report.warnings.extend(t.warnings)


def _write_transcript(session: Session, t: ParsedTranscript, old: Transcript | None,
                      text_sha: str, moves: list[ReanchoredCoding], site_pk: int | None,
                      persons: dict[str, int], report: ImportReport,
                      batch: str | None = None) -> None:
    if old is None:  # a new transcript: plain rows, the hot path of a large import
        _insert_transcript(session, t, text_sha, site_pk, persons, report)
        return
    fields = dict(
        title=t.metadata.title, site_pk=site_pk,
        source_file=t.source_file, source_format=t.source_format, encoding=t.encoding,
        text=t.text, text_sha256=text_sha, source_sha256=t.source_sha256, n_words=0,
        imported_at=now(), segmented=False,
    )
    pk = old.pk
    before = {"file": old.source_file, "sha256": old.text_sha256}
    session.execute(update(Transcript).where(Transcript.pk == pk).values(**fields))
    for table in (Segment, Turn, Participation, SyncPoint):
        session.execute(delete(table).where(table.transcript_pk == pk))
    table, fk = ATTRIBUTE_TABLES["transcript"]
    session.execute(delete(table).where(getattr(table, fk) == pk))
    for moved in moves:
        where = {"transcript_pk": pk, "code_pk": moved.code_pk, "coder": moved.coder}
        audit.record(session, "reanchor", "coding", str(moved.pk), batch=batch,
                     before={"start": moved.start, "end": moved.end, "quote": moved.quote},
                     after={"start": moved.new_start, "end": moved.new_end,
                            "quote": moved.new_quote, **where})
        session.execute(update(Coding).where(Coding.pk == moved.pk).values(
            start=moved.new_start, end=moved.new_end, quote=moved.new_quote))
    # every coding of this transcript now refers to the new text
    session.execute(update(Coding).where(Coding.transcript_pk == pk)
                    .values(text_sha256=text_sha))
    if moves:
        edited = sum(m.new_quote != m.quote for m in moves)
        report.reanchored.append(
            f"{t.name}: {len(moves)} coding(s) moved with the corrected text"
            + (f", {edited} of them with their own text edited" if edited else ""))
        report.moved.extend(moves)
    report.replaced.append(t.name)
    audit.record(session, "replace", "transcript", t.name, before=before, batch=batch,
                 after={"file": t.source_file, "sha256": text_sha, "moved": len(moves)})
    session.flush()
    words = _store_structure(writer_in(session), pk, t, persons, report)
    if t.sync_points:
        session.execute(insert(SyncPoint), [
            {"transcript_pk": pk, "offset": offset, "seconds": seconds}
            for offset, seconds in t.sync_points])
    session.execute(update(Transcript).where(Transcript.pk == pk).values(n_words=words))
    write_attributes(session, "transcript", pk, t.metadata.attributes, fresh=True)
    report.words += words
    report.warnings.extend(t.warnings)


# --- attribute sheets ---------------------------------------------------------------

@dataclass
class AttributeReport:
    sites_added: int = 0
    sites_updated: int = 0
    persons_added: int = 0
    persons_updated: int = 0
    transcripts_updated: int = 0
    warnings: list[str] = field(default_factory=list)  # e.g. control characters removed


def import_attributes(store: Store, paths: list[Path]) -> AttributeReport:
    sheet = read_attribute_sheets(paths)
    report = AttributeReport(warnings=list(sheet.warnings))
    with store.write() as session:
        _apply_sites(session, sheet, report)
        _apply_persons(session, sheet, report)
        _apply_transcripts(session, sheet.transcripts, report)
    return report


def _apply_sites(session: Session, sheet: AttributeSheet, report: AttributeReport) -> None:
    for row in sheet.sites:
        site = session.exec(select(Site).where(Site.site_id == row.site_id)).first()
        if site is None:
            site = Site(site_id=row.site_id, name=row.name)
            report.sites_added += 1
        else:
            site.name = row.name or site.name
            report.sites_updated += 1
        session.add(site)
        session.flush()
        write_attributes(session, "site", site.pk, row.attributes)
        audit.record(session, "set-attributes", "site", row.site_id,
                     after={"name": row.name, **row.attributes})


def _apply_persons(session: Session, sheet: AttributeSheet, report: AttributeReport) -> None:
    sites = _ids(session, Site, Site.site_id)
    for row in sheet.persons:
        if row.site_id and row.site_id not in sites:
            raise NotFoundError(f"{row.where}: person '{row.person_id}' names unknown site "
                                f"'{row.site_id}'; nothing was imported",
                                hint="add the site to the sites sheet (or fix the id)")
        person = session.exec(select(Person).where(Person.person_id == row.person_id)).first()
        if person is None:
            person = Person(person_id=row.person_id)
            report.persons_added += 1
        else:
            report.persons_updated += 1
        person.site_pk = sites[row.site_id] if row.site_id else person.site_pk
        person.role = row.role or person.role
        session.add(person)
        session.flush()
        write_attributes(session, "person", person.pk, row.attributes)
        audit.record(session, "set-attributes", "person", row.person_id,
                     after={"site": row.site_id, "rolle": row.role, **row.attributes})


def _apply_transcripts(session: Session, entries: dict[str, TranscriptMetadata],
                       report: AttributeReport) -> None:
    if not entries:
        return
    sites = _ids(session, Site, Site.site_id)
    persons = _ids(session, Person, Person.person_id)
    for name, meta in entries.items():
        transcript = session.exec(select(Transcript).where(Transcript.name == name)).first()
        if transcript is None:
            raise NotFoundError(f"{meta.source}: unknown transcript '{name}'; nothing was "
                                "imported", hint="import the transcripts first, then the sheet")
        if meta.site:
            if meta.site not in sites:
                raise NotFoundError(f"{meta.source}: unknown site '{meta.site}'; nothing was "
                                    "imported", hint="add it to the sites sheet")
            transcript.site_pk = sites[meta.site]
        transcript.title = meta.title or transcript.title
        session.add(transcript)
        parts = {normalise_label(p.label): p for p in session.exec(
            select(Participation).where(Participation.transcript_pk == transcript.pk)).all()}
        for label, person in meta.speakers.items():
            part = parts.get(normalise_label(label))
            if part is None:
                raise NotFoundError(f"{meta.source}: '{name}' has no speaker '{label}'",
                                    hint=f"see `qualcode show {name}` for its speakers")
            if person and person not in persons:
                raise NotFoundError(f"{meta.source}: unknown person '{person}'",
                                    hint="add the person to the persons sheet")
            part.person_pk = persons[person] if person else None
            part.role = None if person else role_from_label(part.label)
            session.add(part)
        write_attributes(session, "transcript", transcript.pk, meta.attributes)
        audit.record(session, "set-attributes", "transcript", name,
                     after={"site": meta.site, "speakers": meta.speakers, **meta.attributes})
        report.transcripts_updated += 1
