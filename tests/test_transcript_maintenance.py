"""Renaming and removing transcripts: codings stay with a renamed transcript; a transcript
with codings is removed only with --with-codings, and each coding stays in the audit log."""

from __future__ import annotations

import pytest

from qualcode.domain.errors import ConflictError, InputFileError
from qualcode.services.coding_ops import list_codings
from qualcode.services.log import read_log
from qualcode.services.transcript_maintenance import remove_transcript, rename_transcript


def test_a_renamed_transcript_keeps_its_codings(example):
    before = [r["id"] for r in list_codings(example, transcript="nordvik_rektor")]
    assert rename_transcript(example, "nordvik_rektor", "nordvik_rektor_2021") == \
        "nordvik_rektor"
    assert [r["id"] for r in list_codings(example, transcript="nordvik_rektor_2021")] == before
    with pytest.raises(ConflictError, match="exists already"):
        rename_transcript(example, "nordvik_rektor_2021", "vestbo_rektor")
    with pytest.raises(InputFileError, match="cannot be a transcript name"):
        rename_transcript(example, "vestbo_rektor", "42")


def test_a_coded_transcript_is_removed_only_with_its_codings_and_they_are_logged(example,
                                                                               cli):
    n = len(list_codings(example, transcript="vestbo_rektor"))
    assert n > 0
    with pytest.raises(ConflictError, match=f"vestbo_rektor has {n} coding"):
        remove_transcript(example, "vestbo_rektor")
    assert len(list_codings(example, transcript="vestbo_rektor")) == n
    code, out, _ = cli("transcripts", "remove", "vestbo_rektor", "--with-codings",
                       project=example.path)
    assert code == 0 and f"and its {n} coding(s)" in out
    code, out, _ = cli("transcripts", "-f", "json", project=example.path)
    assert "vestbo_rektor" not in out
    gone = read_log(example, action="remove_with_transcript", limit=None)
    assert len(gone) == n and all(e["before"]["quote"] for e in gone)
