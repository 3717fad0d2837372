"""Append-only schema migrations.

Each migration is a numbered, named step of plain SQL, frozen once released: never edit
one, append a new one. ``PRAGMA user_version`` holds the number of the last step applied.
Before migrating a project that already has data, the file is copied next to itself
(``<name>.backup-v<old>-<time>``). A project whose version is newer than this program
knows is refused, untouched.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One step: ``sql`` for SQLite files; ``postgresql`` for PostgreSQL projects, which
    start at the schema of ``postgres.BASELINE_VERSION`` (steps up to it need none)."""

    version: int
    name: str
    sql: str
    postgresql: str | None = None


_V1_SCHEMA = """
CREATE TABLE project_meta (
    "key" VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    PRIMARY KEY ("key")
);
CREATE TABLE site (
    pk INTEGER NOT NULL,
    site_id VARCHAR NOT NULL,
    name VARCHAR,
    PRIMARY KEY (pk),
    UNIQUE (site_id)
);
CREATE TABLE code (
    pk INTEGER NOT NULL,
    code_id VARCHAR NOT NULL,
    parent_pk INTEGER,
    label VARCHAR NOT NULL,
    gloss VARCHAR,
    family VARCHAR,
    criterion VARCHAR,
    description VARCHAR,
    include VARCHAR,
    exclude VARCHAR,
    examples VARCHAR NOT NULL,
    keywords VARCHAR NOT NULL,
    refs VARCHAR NOT NULL,
    source VARCHAR,
    colour VARCHAR,
    "exclusive" BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL,
    archived BOOLEAN NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (code_id),
    FOREIGN KEY(parent_pk) REFERENCES code (pk)
);
CREATE INDEX ix_code_parent_pk ON code (parent_pk);
CREATE TABLE coder (
    pk INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (name)
);
CREATE TABLE memo (
    pk INTEGER NOT NULL,
    author VARCHAR,
    about_type VARCHAR NOT NULL,
    about_key VARCHAR,
    title VARCHAR,
    body VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (pk)
);
CREATE TABLE audit_event (
    pk INTEGER NOT NULL,
    at DATETIME NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    entity_key VARCHAR,
    "before" VARCHAR,
    "after" VARCHAR,
    PRIMARY KEY (pk)
);
CREATE TABLE person (
    pk INTEGER NOT NULL,
    person_id VARCHAR NOT NULL,
    site_pk INTEGER,
    role VARCHAR,
    PRIMARY KEY (pk),
    UNIQUE (person_id),
    FOREIGN KEY(site_pk) REFERENCES site (pk)
);
CREATE INDEX ix_person_site_pk ON person (site_pk);
CREATE TABLE transcript (
    pk INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    title VARCHAR,
    site_pk INTEGER,
    source_file VARCHAR NOT NULL,
    source_format VARCHAR NOT NULL,
    encoding VARCHAR,
    text VARCHAR NOT NULL,
    text_sha256 VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    n_words INTEGER NOT NULL,
    imported_at DATETIME NOT NULL,
    segmented BOOLEAN NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (name),
    FOREIGN KEY(site_pk) REFERENCES site (pk)
);
CREATE INDEX ix_transcript_site_pk ON transcript (site_pk);
CREATE TABLE site_attribute (
    name VARCHAR NOT NULL,
    value_type VARCHAR NOT NULL,
    value_text VARCHAR NOT NULL,
    value_num FLOAT,
    pk INTEGER NOT NULL,
    site_pk INTEGER NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (site_pk, name),
    FOREIGN KEY(site_pk) REFERENCES site (pk) ON DELETE CASCADE
);
CREATE INDEX ix_site_attribute_name_value ON site_attribute (name, value_text);
CREATE TABLE participation (
    pk INTEGER NOT NULL,
    transcript_pk INTEGER NOT NULL,
    label VARCHAR NOT NULL,
    person_pk INTEGER,
    role VARCHAR,
    PRIMARY KEY (pk),
    UNIQUE (transcript_pk, label),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk) ON DELETE CASCADE,
    FOREIGN KEY(person_pk) REFERENCES person (pk)
);
CREATE INDEX ix_participation_person_pk ON participation (person_pk);
CREATE INDEX ix_participation_transcript_pk ON participation (transcript_pk);
CREATE TABLE person_attribute (
    name VARCHAR NOT NULL,
    value_type VARCHAR NOT NULL,
    value_text VARCHAR NOT NULL,
    value_num FLOAT,
    pk INTEGER NOT NULL,
    person_pk INTEGER NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (person_pk, name),
    FOREIGN KEY(person_pk) REFERENCES person (pk) ON DELETE CASCADE
);
CREATE INDEX ix_person_attribute_name_value ON person_attribute (name, value_text);
CREATE TABLE transcript_attribute (
    name VARCHAR NOT NULL,
    value_type VARCHAR NOT NULL,
    value_text VARCHAR NOT NULL,
    value_num FLOAT,
    pk INTEGER NOT NULL,
    transcript_pk INTEGER NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (transcript_pk, name),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk) ON DELETE CASCADE
);
CREATE INDEX ix_transcript_attribute_name_value ON transcript_attribute (name, value_text);
CREATE TABLE coding (
    pk INTEGER NOT NULL,
    coder_pk INTEGER NOT NULL,
    code_pk INTEGER NOT NULL,
    transcript_pk INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    quote VARCHAR NOT NULL,
    text_sha256 VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    memo VARCHAR,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (pk),
    CONSTRAINT coding_span CHECK (start < "end"),
    CONSTRAINT coding_origin CHECK (origin IN ('manual', 'suggested', 'imported', 'consensus')),
    FOREIGN KEY(coder_pk) REFERENCES coder (pk),
    FOREIGN KEY(code_pk) REFERENCES code (pk),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk)
);
CREATE INDEX ix_coding_transcript_coder ON coding (transcript_pk, coder_pk, start);
CREATE INDEX ix_coding_code_pk ON coding (code_pk);
CREATE TABLE turn (
    pk INTEGER NOT NULL,
    transcript_pk INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    participation_pk INTEGER,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    n_words INTEGER NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (transcript_pk, idx),
    CONSTRAINT turn_span CHECK (start <= "end"),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk) ON DELETE CASCADE,
    FOREIGN KEY(participation_pk) REFERENCES participation (pk) ON DELETE CASCADE
);
CREATE INDEX ix_turn_participation_pk ON turn (participation_pk);
CREATE INDEX ix_turn_transcript_start ON turn (transcript_pk, start);
CREATE TABLE segment (
    pk INTEGER NOT NULL,
    transcript_pk INTEGER NOT NULL,
    turn_pk INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    PRIMARY KEY (pk),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk) ON DELETE CASCADE,
    FOREIGN KEY(turn_pk) REFERENCES turn (pk) ON DELETE CASCADE
);
CREATE INDEX ix_segment_transcript_start ON segment (transcript_pk, start);
CREATE INDEX ix_segment_turn_pk ON segment (turn_pk);
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""

_V2_AUDIT_BATCH = """
ALTER TABLE audit_event ADD COLUMN batch VARCHAR;
CREATE INDEX ix_audit_event_batch ON audit_event (batch);
"""

_V3_COUNT_INDEX = """
CREATE INDEX ix_coding_code_coder_origin ON coding (code_pk, coder_pk, origin);
"""

# A removed coding's id must never come back: undo restores a coding under its old id, and
# the audit log names codings by id. SQLite reuses the highest rowid after a delete unless
# the key is AUTOINCREMENT, which needs the table rebuilt. The sequence starts past every
# id the audit log has ever named, so ids removed before this step stay retired too.
# The application id lets qualcode tell its own files from other databases.
APPLICATION_ID = int.from_bytes(b"QCOD", "big")
_V4_CODING_IDS_NEVER_REUSED = f"""
CREATE TABLE coding_v4 (
    pk INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    coder_pk INTEGER NOT NULL,
    code_pk INTEGER NOT NULL,
    transcript_pk INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    quote VARCHAR NOT NULL,
    text_sha256 VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    memo VARCHAR,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT coding_span CHECK (start < "end"),
    CONSTRAINT coding_origin CHECK (origin IN ('manual', 'suggested', 'imported', 'consensus')),
    FOREIGN KEY(coder_pk) REFERENCES coder (pk),
    FOREIGN KEY(code_pk) REFERENCES code (pk),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk)
);
INSERT INTO coding_v4 (pk, coder_pk, code_pk, transcript_pk, start, "end", quote, text_sha256,
                       origin, memo, created_at, updated_at)
    SELECT pk, coder_pk, code_pk, transcript_pk, start, "end", quote, text_sha256,
           origin, memo, created_at, updated_at FROM coding;
DROP TABLE coding;
ALTER TABLE coding_v4 RENAME TO coding;
CREATE INDEX ix_coding_transcript_coder ON coding (transcript_pk, coder_pk, start);
CREATE INDEX ix_coding_code_pk ON coding (code_pk);
CREATE INDEX ix_coding_code_coder_origin ON coding (code_pk, coder_pk, origin);
DELETE FROM sqlite_sequence WHERE name = 'coding';
INSERT INTO sqlite_sequence (name, seq) SELECT 'coding', max(
    coalesce((SELECT max(pk) FROM coding), 0),
    coalesce((SELECT max(CAST(entity_key AS INTEGER)) FROM audit_event
              WHERE entity IN ('coding', 'undo') AND entity_key GLOB '[0-9]*'), 0));
PRAGMA application_id = {APPLICATION_ID};
"""

# PostgreSQL's sequences never hand out an id twice; only move the sequence past the ids
# the audit log names (a project copied in from a file brings its own history).
_V4_CODING_IDS_NEVER_REUSED_PG = """
SELECT setval(pg_get_serial_sequence('coding', 'pk'), greatest(
    coalesce((SELECT max(pk) FROM coding), 0),
    coalesce((SELECT max(CAST(entity_key AS BIGINT)) FROM audit_event
              WHERE entity IN ('coding', 'undo') AND entity_key ~ '^[0-9]{1,18}$'), 0),
    1));
"""

_V5_PSEUDONYM_KEY = """
CREATE TABLE pseudonym (
    pk INTEGER NOT NULL,
    original VARCHAR NOT NULL,
    replacement VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    variants VARCHAR NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (original)
);
"""

# A new PostgreSQL project has the table from the models already; an older one gets it here.
_V5_PSEUDONYM_KEY_PG = """
CREATE TABLE IF NOT EXISTS pseudonym (
    pk SERIAL NOT NULL,
    original VARCHAR NOT NULL,
    replacement VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    variants VARCHAR NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (original)

);
"""

# Times: where in the recording each turn starts and ends (seconds; NULL when the
# transcript has no timestamps), inner timestamps as sync points so a position inside a
# long turn maps to a time, and the recording behind a transcript (kept outside the
# project: its path relative to the project file, size, hash and duration).
_V6_TIMES_AND_RECORDINGS = """
ALTER TABLE turn ADD COLUMN t_start FLOAT;
ALTER TABLE turn ADD COLUMN t_end FLOAT;
CREATE TABLE sync_point (
    pk INTEGER NOT NULL,
    transcript_pk INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    seconds FLOAT NOT NULL,
    PRIMARY KEY (pk),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk) ON DELETE CASCADE
);
CREATE INDEX ix_sync_point_transcript_offset ON sync_point (transcript_pk, "offset");
CREATE TABLE recording (
    pk INTEGER NOT NULL,
    transcript_pk INTEGER NOT NULL,
    path VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,
    duration FLOAT,
    attached_at DATETIME NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (transcript_pk),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk) ON DELETE CASCADE
);
"""

# A new PostgreSQL project is created from the table definitions at the baseline and then
# runs the later steps: each must also hold where its tables already exist.
_V6_TIMES_AND_RECORDINGS_PG = """
ALTER TABLE turn ADD COLUMN IF NOT EXISTS t_start FLOAT;
ALTER TABLE turn ADD COLUMN IF NOT EXISTS t_end FLOAT;
CREATE TABLE IF NOT EXISTS sync_point (
    pk SERIAL NOT NULL,
    transcript_pk INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    seconds FLOAT NOT NULL,
    PRIMARY KEY (pk),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_sync_point_transcript_offset ON sync_point (transcript_pk, "offset");
CREATE TABLE IF NOT EXISTS recording (
    pk SERIAL NOT NULL,
    transcript_pk INTEGER NOT NULL,
    path VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,
    duration FLOAT,
    attached_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    PRIMARY KEY (pk),
    UNIQUE (transcript_pk),
    FOREIGN KEY(transcript_pk) REFERENCES transcript (pk) ON DELETE CASCADE
);
"""

# Every count and table a user asks for first (frequencies, the matrix, co-occurrence,
# agreement) reads these six columns of every coding. The coding rows carry their quotes
# (about 900 bytes each), so reading them meant reading the whole table; this index holds
# only the six, and SQLite answers those reads from it without touching a row. It opens
# with the code, so the index on the code alone has nothing left to do.
_V7_SPAN_INDEX = """
DROP INDEX IF EXISTS ix_coding_code_pk;
CREATE INDEX ix_coding_code_spans
    ON coding (code_pk, transcript_pk, coder_pk, origin, start, "end");
"""

# A new PostgreSQL project has the index from the models already; an older one gets it here.
_V7_SPAN_INDEX_PG = """
DROP INDEX IF EXISTS ix_coding_code_pk;
CREATE INDEX IF NOT EXISTS ix_coding_code_spans
    ON coding (code_pk, transcript_pk, coder_pk, origin, start, "end");
"""

MIGRATIONS: list[Migration] = [
    Migration(1, "initial schema: cases, transcripts, turns, codes, codings, audit", _V1_SCHEMA),
    Migration(2, "audit events grouped by user action (for undo)", _V2_AUDIT_BATCH),
    Migration(3, "covering index for coding counts per code and coder", _V3_COUNT_INDEX),
    Migration(4, "coding ids are never reused; qualcode's application id",
              _V4_CODING_IDS_NEVER_REUSED, postgresql=_V4_CODING_IDS_NEVER_REUSED_PG),
    Migration(5, "the pseudonym key: originals and their replacements", _V5_PSEUDONYM_KEY,
              postgresql=_V5_PSEUDONYM_KEY_PG),
    Migration(6, "turn times, sync points and recordings", _V6_TIMES_AND_RECORDINGS,
              postgresql=_V6_TIMES_AND_RECORDINGS_PG),
    Migration(7, "covering index for the spans every count reads", _V7_SPAN_INDEX,
              postgresql=_V7_SPAN_INDEX_PG),
]



def latest_version(migrations: list[Migration] | None = None) -> int:
    return (migrations or MIGRATIONS)[-1].version
