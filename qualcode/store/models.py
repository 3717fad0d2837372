"""SQLModel tables of a qualcode project.

The migrations in :mod:`qualcode.store.migrations` create these tables; a test checks that
a freshly migrated project and ``SQLModel.metadata`` describe the same schema.

Offsets are Unicode code points into ``transcript.text``, half-open ``[start, end)``.
Turn text is never copied: it is always ``transcript.text[turn.start:turn.end]``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class ProjectMeta(SQLModel, table=True):
    __tablename__ = "project_meta"
    key: str = Field(primary_key=True)
    value: str


class Site(SQLModel, table=True):
    """A site case: a school."""

    pk: int | None = Field(default=None, primary_key=True)
    site_id: str = Field(unique=True)
    name: str | None = None


class Person(SQLModel, table=True):
    """An informant case. ``role`` is the attribute ``rolle`` (rektor, radgiver, laerer …)."""

    pk: int | None = Field(default=None, primary_key=True)
    person_id: str = Field(unique=True)
    site_pk: int | None = Field(default=None, foreign_key="site.pk", index=True)
    role: str | None = None


class Transcript(SQLModel, table=True):
    """An interview document with its normalised text."""

    pk: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    title: str | None = None
    site_pk: int | None = Field(default=None, foreign_key="site.pk", index=True)
    source_file: str
    source_format: str
    encoding: str | None = None
    text: str
    text_sha256: str
    source_sha256: str
    n_words: int
    imported_at: datetime
    segmented: bool = False


class Participation(SQLModel, table=True):
    """Which person speaks under which label in one transcript."""

    __table_args__ = (UniqueConstraint("transcript_pk", "label"),)

    pk: int | None = Field(default=None, primary_key=True)
    transcript_pk: int = Field(foreign_key="transcript.pk", ondelete="CASCADE", index=True)
    label: str
    person_pk: int | None = Field(default=None, foreign_key="person.pk", index=True)
    role: str | None = None  # from the label when no person is mapped


class Turn(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("transcript_pk", "idx"),
        Index("ix_turn_transcript_start", "transcript_pk", "start"),
        CheckConstraint("start <= \"end\"", name="turn_span"),
    )
    pk: int | None = Field(default=None, primary_key=True)
    transcript_pk: int = Field(foreign_key="transcript.pk", ondelete="CASCADE")
    idx: int  # 1-based, as shown to users
    participation_pk: int | None = Field(default=None, foreign_key="participation.pk",
                                         ondelete="CASCADE", index=True)
    start: int
    end: int
    n_words: int
    t_start: float | None = None  # seconds into the recording, when the transcript says
    t_end: float | None = None


class SyncPoint(SQLModel, table=True):
    """A timestamp inside the text: the position ``offset`` was spoken at ``seconds``."""

    __tablename__ = "sync_point"
    __table_args__ = (Index("ix_sync_point_transcript_offset", "transcript_pk", "offset"),)
    pk: int | None = Field(default=None, primary_key=True)
    transcript_pk: int = Field(foreign_key="transcript.pk", ondelete="CASCADE")
    offset: int
    seconds: float


class Recording(SQLModel, table=True):
    """The audio or video a transcript was made from. The file stays outside the project;
    ``path`` is relative to the project file's folder when it can be."""

    pk: int | None = Field(default=None, primary_key=True)
    transcript_pk: int = Field(foreign_key="transcript.pk", ondelete="CASCADE", unique=True)
    path: str
    size: int = Field(sa_type=BigInteger)
    sha256: str
    duration: float | None = None
    attached_at: datetime


class Segment(SQLModel, table=True):
    """Sentences inside turns, computed lazily by the segmenter and cached here."""

    __table_args__ = (Index("ix_segment_transcript_start", "transcript_pk", "start"),)

    pk: int | None = Field(default=None, primary_key=True)
    transcript_pk: int = Field(foreign_key="transcript.pk", ondelete="CASCADE")
    turn_pk: int = Field(foreign_key="turn.pk", ondelete="CASCADE", index=True)
    kind: str = "sentence"
    idx: int  # 1-based within the turn
    start: int
    end: int


class _AttributeColumns(SQLModel):
    name: str
    value_type: str  # text | integer | number | boolean | date
    value_text: str  # canonical text form (ISO dates, true/false)
    value_num: float | None = None  # for integer/number/boolean: sorting and ranges


class SiteAttribute(_AttributeColumns, table=True):
    __tablename__ = "site_attribute"
    __table_args__ = (
        UniqueConstraint("site_pk", "name"),
        Index("ix_site_attribute_name_value", "name", "value_text"),
    )
    pk: int | None = Field(default=None, primary_key=True)
    site_pk: int = Field(foreign_key="site.pk", ondelete="CASCADE")


class PersonAttribute(_AttributeColumns, table=True):
    __tablename__ = "person_attribute"
    __table_args__ = (
        UniqueConstraint("person_pk", "name"),
        Index("ix_person_attribute_name_value", "name", "value_text"),
    )
    pk: int | None = Field(default=None, primary_key=True)
    person_pk: int = Field(foreign_key="person.pk", ondelete="CASCADE")


class TranscriptAttribute(_AttributeColumns, table=True):
    __tablename__ = "transcript_attribute"
    __table_args__ = (
        UniqueConstraint("transcript_pk", "name"),
        Index("ix_transcript_attribute_name_value", "name", "value_text"),
    )
    pk: int | None = Field(default=None, primary_key=True)
    transcript_pk: int = Field(foreign_key="transcript.pk", ondelete="CASCADE")


class Code(SQLModel, table=True):
    pk: int | None = Field(default=None, primary_key=True)
    code_id: str = Field(unique=True)
    parent_pk: int | None = Field(default=None, foreign_key="code.pk", index=True)
    label: str
    gloss: str | None = None
    family: str | None = None
    criterion: str | None = None
    description: str | None = None
    include: str | None = None
    exclude: str | None = None
    examples: str = "[]"  # JSON list
    keywords: str = "[]"  # JSON list
    refs: str = "[]"  # JSON list
    source: str | None = None
    colour: str | None = None
    exclusive: bool = False
    sort_order: int = 0
    archived: bool = False


class Coder(SQLModel, table=True):
    pk: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    created_at: datetime


class Coding(SQLModel, table=True):
    """A coder applied a code to ``[start, end)`` of a transcript."""

    __table_args__ = (
        Index("ix_coding_transcript_coder", "transcript_pk", "coder_pk", "start"),
        Index("ix_coding_code_coder_origin", "code_pk", "coder_pk", "origin"),
        Index("ix_coding_code_spans", "code_pk", "transcript_pk", "coder_pk", "origin", "start",
              "end"),
        CheckConstraint("start < \"end\"", name="coding_span"),
        CheckConstraint(
            "origin IN ('manual', 'suggested', 'imported', 'consensus')", name="coding_origin"
        ),
        # A removed coding's id is never handed out again (undo restores it under that id).
        {"sqlite_autoincrement": True},
    )

    pk: int | None = Field(default=None, primary_key=True)
    coder_pk: int = Field(foreign_key="coder.pk")
    code_pk: int = Field(foreign_key="code.pk")
    transcript_pk: int = Field(foreign_key="transcript.pk")
    start: int
    end: int
    quote: str  # copy of the coded text: drift is detectable, re-anchoring possible
    text_sha256: str  # hash of the transcript text the offsets refer to
    origin: str = "manual"  # manual | suggested | imported | consensus
    memo: str | None = None
    created_at: datetime
    updated_at: datetime


class Memo(SQLModel, table=True):
    """A researcher's note about the project, a transcript, a code, a case or a coding."""

    pk: int | None = Field(default=None, primary_key=True)
    author: str | None = None
    about_type: str  # project | transcript | code | site | person | coding
    about_key: str | None = None
    title: str | None = None
    body: str
    created_at: datetime
    updated_at: datetime


class Pseudonym(SQLModel, table=True):
    """One entry of the pseudonym key: exports replace ``original`` by ``replacement``.
    The key is deleted when the names are replaced in the project itself."""

    pk: int | None = Field(default=None, primary_key=True)
    original: str = Field(unique=True)
    replacement: str
    kind: str = "other"  # person | site | place | organisation | other
    variants: str = "[]"  # JSON list of other spellings


class AuditEvent(SQLModel, table=True):
    """Append-only: triggers in the schema refuse UPDATE and DELETE."""

    __tablename__ = "audit_event"
    pk: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str | None = None
    before: str | None = None  # JSON
    after: str | None = None  # JSON
    batch: str | None = Field(default=None, index=True)  # events of one user action


ATTRIBUTE_TABLES = {
    "site": (SiteAttribute, "site_pk"),
    "person": (PersonAttribute, "person_pk"),
    "transcript": (TranscriptAttribute, "transcript_pk"),
}
