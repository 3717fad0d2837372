"""De-identification of a project: the pseudonym key in the project, built from what the
project knows and what a scan of its transcripts finds; its YAML file; the key applied to
every export; and, when the project ends, the names replaced in the project itself.

The key never leaves the project except as the ``pseudonyms.yaml`` the researcher asks
for, and the audit log records how many entries changed, never the originals: the log is
append-only and outlives the key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.domain.errors import ConflictError, QualcodeError
from qualcode.pseudonym_scan import Candidate
from qualcode.pseudonyms import Entry, Key
from qualcode.store import Snapshot, Store

NO_KEY_NOTICE = ("nothing was pseudonymised: the project has no pseudonym key — propose one "
                 "with `qualcode pseudonyms scan --into pseudonyms.yaml`, edit it, then "
                 "`qualcode pseudonyms import pseudonyms.yaml`")
# Words of a school's name that say what it is, not which one it is.
_GENERIC = {"skole", "skolen", "ungdomsskole", "barneskole", "videregående", "vgs",
            "videregaende", "grunnskole", "oppvekstsenter", "kommune", "fylkeskommune",
            "og", "i", "på"}
_NAME_ATTRIBUTES = ("navn", "name", "fullt_navn", "fornavn", "etternavn")


def _key_rows(db: Snapshot) -> list[tuple]:
    return db.rows("SELECT original, replacement, kind, variants FROM pseudonym ORDER BY pk")


def _key_from_rows(rows: Iterable[tuple]) -> Key:
    return Key(Entry(o, r, k, tuple(json.loads(v or "[]"))) for o, r, k, v in rows)


def project_key(store: Store) -> Key:
    """The project's key (empty when there is none)."""
    with store.snapshot() as db:
        return _key_from_rows(_key_rows(db))


@dataclass
class ExportKey:
    """What an export applies: the key, or nothing, and what to tell the researcher."""

    key: Key | None
    identifiable: bool = False
    notice: str | None = None
    entries: int = 0

    @property
    def pseudonymised(self) -> bool:
        return self.key is not None


def export_key(store: Store, *, identifiable: bool = False) -> ExportKey:
    """The key an export applies: the project's, unless ``identifiable``. Without a key
    the export goes out as it is, and the notice says so once."""
    key = project_key(store)
    if identifiable:
        return ExportKey(None, True, entries=len(key))
    if not key:
        return ExportKey(None, False, NO_KEY_NOTICE)
    return ExportKey(key, False, entries=len(key))


def guard_output(path: Path, *, identifiable: bool, force: bool) -> None:
    """An identifiable export does not replace a file that is not marked identifiable
    (a pseudonymised one, most likely) unless ``force``: a report that could be handed in
    must not silently become one that cannot."""
    from qualcode.leakcheck import marked_identifiable

    path = Path(path)
    if identifiable and not force and path.is_file() and not marked_identifiable(path):
        raise ConflictError(f"{path} holds an export that is not marked identifiable; "
                            "writing names over it is refused",
                            hint="choose another file name, or add --force")


def record_export(store: Store, what: str, path: Path | str, ek: ExportKey) -> None:
    """The audit log says who exported what, and whether names were left in."""
    from qualcode import audit

    if getattr(store, "read_only", False):
        return  # a project on a read-only disk cannot log; the export itself only reads
    audit.record_alone(store, "export", what, str(path),
                       after={"identifiable": ek.identifiable,
                              "pseudonymised": ek.pseudonymised, "key_entries": ek.entries})


# --- building and scanning ---------------------------------------------------------------

def _letters() -> Iterable[str]:
    import itertools
    import string

    for size in itertools.count(1):
        for combo in itertools.product(string.ascii_uppercase, repeat=size):
            yield "".join(combo)


def _role_display(role: str | None) -> str:
    from qualcode.domain.norwegian import role_display

    shown = role_display(role) if role else "informant"
    return shown[:1].upper() + shown[1:]


def known_names(store: Store) -> list[Candidate]:
    """What the project itself knows could identify: schools' names (and their
    distinctive words), persons' names from the attribute sheets, and speaker labels that
    are names rather than roles. Each with the replacement the study's conventions give:
    the school's case code (else Skole A, B …), the person's role and a letter."""
    from qualcode.importers.speakers import role_from_label
    from qualcode.services.overview import attributes_of

    with store.snapshot() as db:
        sites = db.rows("SELECT pk, site_id, name FROM site ORDER BY site_id")
        persons = db.rows("SELECT pk, person_id, role FROM person ORDER BY person_id")
        labels = db.rows("SELECT DISTINCT p.label, coalesce(s.role, p.role) FROM participation p "
                         "LEFT JOIN person s ON s.pk = p.person_pk ORDER BY p.label")
        site_attrs = attributes_of(db, "site")
        person_attrs = attributes_of(db, "person")
    out: list[Candidate] = []
    seen: set[str] = set()

    def add(text: str, kind: str, source: str, replacement: str) -> Candidate | None:
        text = " ".join(str(text).split())
        if not text or text in seen:
            return None
        seen.add(text)
        cand = Candidate(text, kind, source, replacement=replacement)
        out.append(cand)
        return cand

    letters = _letters()
    for pk, _site_id, name in sites:
        attrs = site_attrs.get(pk, {})
        code = attrs.get("case_code") or attrs.get("kode") or f"Skole {next(letters)}"
        for text in [name, attrs.get("navn")]:
            if text:
                add(text, "site", "attribute", str(code))
                for word in str(text).split():
                    if word[:1].isupper() and word.casefold() not in _GENERIC:
                        add(word, "site", "attribute", str(code))
    per_role: dict[str, Iterable[str]] = {}
    for pk, _person_id, role in persons:
        attrs = person_attrs.get(pk, {})
        role = role or attrs.get("rolle")
        shown = _role_display(role)
        letter = next(per_role.setdefault(shown, _letters()))
        full = attrs.get("navn") or attrs.get("name") or " ".join(
            str(attrs[a]) for a in ("fornavn", "etternavn") if attrs.get(a))
        if full:
            cand = add(full, "person", "attribute", f"{shown} {letter}")
            first = str(full).split()[0]
            if cand and first != full:
                add(first, "person", "attribute", f"{shown} {letter}")
    for label, role in labels:
        if role_from_label(label) is None and label[:1].isupper():
            shown = _role_display(role)
            letter = next(per_role.setdefault(shown, _letters()))
            add(label, "person", "label", f"{shown} {letter}")
    return out


def _texts(db: Snapshot) -> dict[str, str]:
    return dict(db.rows("SELECT name, text FROM transcript ORDER BY name"))


def scan_project(store: Store) -> list[Candidate]:
    """Candidates for the key from the project's transcripts; what the key already holds
    is left out."""
    from qualcode.pseudonym_scan import scan

    key = project_key(store)
    known = known_names(store)
    with store.snapshot() as db:
        texts = _texts(db)
    ignore = [form for e in key.entries for form in e.forms]
    return scan(texts, known, ignore)


def candidates_into_file(candidates: list[Candidate], path: Path, key: Key) -> int:
    """Add the candidates to a key file for review (the entries already there stay as the
    researcher left them); each new one carries its count and a line of context as a
    comment. Returns how many were added."""
    from qualcode.pseudonyms import load_key, save_key

    current = load_key(path) if path.exists() else key
    have = {form for e in current.entries for form in e.forms}
    new = [c for c in candidates if c.text not in have]
    entries = [*current.entries, *(Entry(c.text, c.replacement or "[navn]", c.kind)
                                   for c in new)]
    notes = {c.text: f"{c.source}, {c.count}× in {len(c.transcripts)} transcript(s): "
                     f"«{c.context[:70]}»" for c in new}
    save_key(Key(entries), path, notes)
    return len(new)


# --- the key file ----------------------------------------------------------------------

@dataclass
class KeyImport:
    entries: int
    added: int
    changed: int
    removed: int
    warnings: list[str] = field(default_factory=list)


def corpus_words(store: Store) -> set[str]:
    from qualcode.domain.text import _WORD

    with store.snapshot() as db:
        words: set[str] = set()
        for (text,) in db.rows("SELECT text FROM transcript"):
            words.update(_WORD.findall(text))
    return words


def import_key(store: Store, path: Path) -> KeyImport:
    """Make the file's key the project's key, in one transaction; warnings say what to
    look at (two kinds behind one replacement, names inside ordinary words)."""
    from sqlmodel import delete

    from qualcode import audit
    from qualcode.pseudonyms import load_key
    from qualcode.store.models import Pseudonym

    key = load_key(Path(path))
    warnings = key.warnings(corpus_words(store))
    old = {e.original: e for e in project_key(store).entries}
    new = {e.original: e for e in key.entries}
    changed = sum(1 for o, e in new.items() if o in old and old[o] != e)
    with store.write() as session:
        session.exec(delete(Pseudonym))
        for e in key.entries:
            session.add(Pseudonym(original=e.original, replacement=e.replacement, kind=e.kind,
                                  variants=json.dumps(list(e.variants), ensure_ascii=False)))
        # Counts only: the audit log is kept after the key is deleted.
        audit.record(session, "import", "pseudonym-key", Path(path).name,
                     after={"entries": len(new), "added": len(set(new) - set(old)),
                            "changed": changed, "removed": len(set(old) - set(new))})
    return KeyImport(len(new), len(set(new) - set(old)), changed, len(set(old) - set(new)),
                     warnings)


def export_key_file(store: Store, path: Path) -> int:
    from qualcode.pseudonyms import save_key

    key = project_key(store)
    if not key:
        raise QualcodeError("the project has no pseudonym key",
                            hint="propose one with `qualcode pseudonyms scan --into FILE`")
    save_key(key, Path(path))
    return len(key)


# --- the end of the project: the names replaced in the project itself -------------------

@dataclass
class Applied:
    transcripts: int = 0
    codings: int = 0
    replacements: int = 0
    other_fields: int = 0
    entries: int = 0


def apply_irreversibly(store: Store) -> Applied:
    """Replace every original in the project itself: transcripts (with their turns
    re-anchored), every coding (offsets mapped onto the new text, its quote and hash
    renewed), speaker labels, schools' names, attributes, titles and memos. Then delete the
    key. One transaction; the audit log says so, with counts only."""
    from sqlmodel import delete, select

    from qualcode import audit
    from qualcode.domain.text import count_words, sha256_text
    from qualcode.store.models import (
        Coding,
        Memo,
        Participation,
        PersonAttribute,
        Pseudonym,
        Segment,
        Site,
        SiteAttribute,
        SyncPoint,
        Transcript,
        TranscriptAttribute,
        Turn,
    )

    key = project_key(store)
    if not key:
        raise QualcodeError("the project has no pseudonym key: there is nothing to apply",
                            hint="import one with `qualcode pseudonyms import FILE`")
    done = Applied(entries=len(key))
    with store.write() as session:
        for transcript in session.exec(select(Transcript)).all():
            new_text, offsets = key.replace(transcript.text)
            if not offsets:
                continue
            done.transcripts += 1
            done.replacements += sum(1 for _ in key.find(transcript.text))
            digest = sha256_text(new_text)
            for turn in session.exec(select(Turn).where(
                    Turn.transcript_pk == transcript.pk)).all():
                turn.start, turn.end = offsets.span(turn.start, turn.end)
                turn.n_words = count_words(new_text[turn.start:turn.end])
                session.add(turn)
            # A timestamp inside a turn moves with the words it times.
            for point in session.exec(select(SyncPoint).where(
                    SyncPoint.transcript_pk == transcript.pk)).all():
                point.offset = offsets.position(point.offset)
                session.add(point)
            for coding in session.exec(select(Coding).where(
                    Coding.transcript_pk == transcript.pk)).all():
                coding.start, coding.end = offsets.span(coding.start, coding.end)
                coding.quote = new_text[coding.start:coding.end]
                coding.text_sha256 = digest
                session.add(coding)
                done.codings += 1
            # Sentences are recomputed from the new text when next asked for.
            session.exec(delete(Segment).where(Segment.transcript_pk == transcript.pk))
            transcript.segmented = False
            transcript.text = new_text
            transcript.text_sha256 = digest
            transcript.n_words = count_words(new_text)
            session.add(transcript)

        def replace_fields(rows, *names: str) -> None:
            for row in rows:
                for name in names:
                    value = getattr(row, name)
                    if isinstance(value, str):
                        new = key.apply(value)
                        if new != value:
                            setattr(row, name, new)
                            session.add(row)
                            done.other_fields += 1

        replace_fields(session.exec(select(Transcript)).all(), "title")
        replace_fields(session.exec(select(Participation)).all(), "label")
        replace_fields(session.exec(select(Site)).all(), "name")
        for table in (SiteAttribute, PersonAttribute, TranscriptAttribute):
            replace_fields(session.exec(select(table).where(
                table.value_type == "text")).all(), "value_text")
        replace_fields(session.exec(select(Memo)).all(), "title", "body")
        replace_fields(session.exec(select(Coding)).all(), "memo")
        session.exec(delete(Pseudonym))
        audit.record(session, "apply-irreversibly", "pseudonym-key", None,
                     after={"entries": done.entries, "transcripts": done.transcripts,
                            "codings": done.codings, "replacements": done.replacements,
                            "other_fields": done.other_fields, "key_deleted": True})
    return done


def check_outputs(store: Store | None, paths: list[Path], key_file: Path | None = None):
    """Every original of the key (the project's, or a key file's) still in the outputs."""
    from qualcode.leakcheck import check_file
    from qualcode.pseudonyms import load_key

    key = load_key(key_file) if key_file else project_key(store) if store else Key()
    if not key:
        raise QualcodeError("no pseudonym key to check against",
                            hint="import one into the project, or pass --key pseudonyms.yaml")
    leaks = []
    for path in paths:
        leaks.extend(check_file(Path(path), key))
    return key, leaks
