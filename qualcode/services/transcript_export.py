"""De-identified transcripts for a second coder outside the project group, or an archive:
each transcript as .txt and/or .docx (a paragraph per turn, the speaker in bold), with a
YAML sidecar of its metadata that ``qualcode import`` reads back.

Read-only, through :meth:`Store.snapshot`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qualcode.domain.errors import QualcodeError, not_found
from qualcode.pseudonyms import Key
from qualcode.services.overview import attributes_of
from qualcode.store import Store

FORMATS = ("txt", "docx")


@dataclass
class TranscriptExport:
    directory: Path
    transcripts: int = 0
    files: list[Path] = field(default_factory=list)


def _file_stem(name: str) -> str:
    """A file name from a (replaced) transcript name: no brackets, spaces or slashes."""
    stem = re.sub(r"[^\w.-]+", "_", name).strip("_.")
    return stem or "transkripsjon"


def export_transcripts(store: Store, directory: Path, *, formats: tuple[str, ...] = ("txt",),
                       key: Key | None = None, identifiable: bool = False,
                       transcripts: list[str] | None = None) -> TranscriptExport:
    """Write every transcript (or the named ones) into ``directory``."""
    import yaml

    from qualcode import __version__

    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise QualcodeError(f"unknown transcript format '{(unknown or [''])[0]}'",
                            hint="use --as txt, --as docx or both")
    hide = key.apply if key else (lambda value: value)
    with store.snapshot() as db:
        rows = db.rows("SELECT t.pk, t.name, t.title, s.site_id, t.text FROM transcript t "
                       "LEFT JOIN site s ON s.pk = t.site_pk ORDER BY t.name")
        speakers: dict[int, dict[str, str | None]] = {}
        for t_pk, label, person_id in db.rows(
                "SELECT p.transcript_pk, p.label, s.person_id FROM participation p "
                "LEFT JOIN person s ON s.pk = p.person_pk ORDER BY p.label"):
            speakers.setdefault(t_pk, {})[label] = person_id
        turns: dict[int, list[tuple[int, int, str | None]]] = {}
        for t_pk, start, end, label in db.rows(
                'SELECT u.transcript_pk, u.start, u."end", p.label FROM turn u '
                "LEFT JOIN participation p ON p.pk = u.participation_pk "
                "ORDER BY u.transcript_pk, u.start"):
            turns.setdefault(t_pk, []).append((start, end, label))
        attrs = attributes_of(db, "transcript")
    if transcripts:
        missing = sorted(set(transcripts) - {r[1] for r in rows})
        if missing:
            raise not_found(f"no transcript named '{missing[0]}'", missing[0],
                            (r[1] for r in rows), "see `qualcode transcripts`")
        rows = [r for r in rows if r[1] in transcripts]
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    done = TranscriptExport(directory)
    stems: set[str] = set()
    for t_pk, name, title, site_id, text in rows:
        shown_name = hide(name)
        stem = _file_stem(shown_name)
        while stem in stems:  # two names replaced alike still get two files
            stem += "_"
        stems.add(stem)
        new_text, offsets = key.replace(text) if key else (text, None)
        meta: dict = {"title": hide(title) if title else shown_name}
        if site_id:
            meta["site"] = hide(site_id)
        for attr_name, value in attrs.get(t_pk, {}).items():
            meta[attr_name] = hide(value) if isinstance(value, str) else value
        labels = speakers.get(t_pk, {})
        if labels:
            meta["speakers"] = {hide(label): hide(person) if person else None
                                for label, person in labels.items()}
        meta["pseudonymised"] = key is not None
        if identifiable:
            from qualcode.domain.norwegian import IDENTIFIABLE_NOTICE

            meta["identifiable"] = IDENTIFIABLE_NOTICE
        meta["exported"] = {"by": f"qualcode {__version__}", "date": date.today().isoformat()}
        sidecar = directory / f"{stem}.yaml"
        sidecar.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
        done.files.append(sidecar)
        if "txt" in formats:
            path = directory / f"{stem}.txt"
            path.write_text(new_text if new_text.endswith("\n") else new_text + "\n",
                            encoding="utf-8")
            done.files.append(path)
        if "docx" in formats:
            path = directory / f"{stem}.docx"
            spans = [(offsets.span(s, e) if offsets else (s, e), label)
                     for s, e, label in turns.get(t_pk, [])]
            _write_docx(path, meta["title"], new_text, spans, hide)
            done.files.append(path)
        done.transcripts += 1
    return done


def _write_docx(path: Path, title: str, text: str, turns, hide) -> None:
    """One paragraph per turn: the speaker's label in bold, then what was said, so that
    qualcode reads the file back with the same turns."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    if not turns:
        for line in text.split("\n"):
            document.add_paragraph(line)
    for (start, end), label in turns:
        said = text[start:end]
        if label:
            shown = hide(label)
            prefix = f"{shown}:"
            if said.startswith(prefix):
                said = said[len(prefix):].lstrip()
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{shown}:").bold = True
            paragraph.add_run(f" {said}")
        else:
            document.add_paragraph(said)
    document.save(str(path))
