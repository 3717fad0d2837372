"""Malformed input for every reader: whatever bytes arrive, a reader returns what it read
or raises the project's own error (one line for the user), never anything else.

Inputs are the example study's own files, mutated: bytes flipped, cut, duplicated or
replaced by the shapes that broke readers before (impossible dates, YAML anchors, deep
nesting, stray control characters, bad encodings). Hypothesis keeps the run short by
default; `QUALCODE_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py` searches longer.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from qualcode.codebook import load_codebook  # noqa: E402
from qualcode.domain.errors import QualcodeError  # noqa: E402
from qualcode.importers import read_transcript  # noqa: E402
from qualcode.sheets import read_attribute_sheets, read_coding_file  # noqa: E402
from tests.conftest import CODEBOOK, EXAMPLE  # noqa: E402

EXAMPLES = int(os.environ.get("QUALCODE_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces that broke readers before, spliced into otherwise valid files.
NASTY = [
    b"\xff", b"\xc3", b"\x00", b"\x0b", b"\x0c", b"\x1b[31m", b"\r", b"\xef\xbb\xbf",
    b"dato: 2021-13-45\n", b"dato: 2021-02-30\n", b"? [x, y]\n: 1\n",
    b"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n", b"[" * 300 + b"]" * 300,
    b"!!python/object:os.system ls\n", "²".encode(), b"Rektor:", b"---\n",
    b"WEBVTT\n\n00:00:01.000 --> 00:00:00.500\n", b"1\n00:00:01,000 --> x\n",
    b"'\"", b"\t=1+1", "æøå ÆØÅ".encode(),
]


def _mutate(data: bytes, choices: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, piece) edits: flip a byte, cut, duplicate or splice."""
    out = bytearray(data)
    for kind, position, piece in choices:
        if not out:
            out.extend(NASTY[piece % len(NASTY)])
            continue
        at = position % len(out)
        if kind == 0:
            out[at] ^= 0xFF
        elif kind == 1:
            del out[at:at + 1 + piece % 64]
        elif kind == 2:
            out[at:at] = out[at:at + 1 + piece % 128]
        else:
            out[at:at] = NASTY[piece % len(NASTY)]
    return bytes(out)


edits = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1 << 20), st.integers(0, 999)),
                 min_size=1, max_size=6)


def _reads_or_refuses(read, path: Path) -> None:
    try:
        read(path)
    except QualcodeError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip(), f"a multi-line error: {message!r}"


@pytest.mark.parametrize("source", sorted(
    p.name for p in EXAMPLE.iterdir() if p.suffix in (".txt", ".md")))
@FUZZ
@given(changes=edits)
def test_a_damaged_text_transcript_is_read_or_refused_in_one_line(source, changes, tmp_path):
    path = tmp_path / source
    path.write_bytes(_mutate((EXAMPLE / source).read_bytes(), changes))
    _reads_or_refuses(read_transcript, path)


@pytest.mark.parametrize("suffix", [".vtt", ".srt"])
@FUZZ
@given(changes=edits)
def test_a_damaged_subtitle_file_is_read_or_refused_in_one_line(suffix, changes, tmp_path):
    cues = ("WEBVTT\n\n" if suffix == ".vtt" else "") + "".join(
        (f"{i}\n" if suffix == ".srt" else "")
        + f"00:00:0{i},000 --> 00:00:0{i},900\n<v Kari Nordmann>Vi har en plan for det.</v>\n\n"
        .replace(",", "." if suffix == ".vtt" else ",") for i in range(1, 6))
    path = tmp_path / f"intervju{suffix}"
    path.write_bytes(_mutate(cues.encode(), changes))
    _reads_or_refuses(read_transcript, path)


@FUZZ
@given(changes=edits, member=st.sampled_from(["word/document.xml", "[Content_Types].xml",
                                               "word/styles.xml", "docProps/core.xml"]))
def test_a_damaged_docx_is_read_or_refused_in_one_line(changes, member, tmp_path):
    """Bytes damaged inside one part of a real .docx (the zip itself stays readable), and
    the raw zip damaged too."""
    original = (EXAMPLE / "vestbo_rektor.docx").read_bytes()
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, \
            zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, _mutate(data, changes) if info.filename == member else data)
    path = tmp_path / "intervju.docx"
    path.write_bytes(rebuilt.getvalue())
    _reads_or_refuses(read_transcript, path)
    path.write_bytes(_mutate(original, changes))
    _reads_or_refuses(read_transcript, path)


SHEETS = {  # name: (the example file, how the project reads it)
    "attribute sheet": (EXAMPLE / "attributes.yaml", lambda p: read_attribute_sheets([p])),
    "codebook": (CODEBOOK, load_codebook),
    "coding file": (EXAMPLE / "codings_nordvik.csv", read_coding_file),
}


@pytest.mark.parametrize("kind", sorted(SHEETS))
@FUZZ
@given(changes=edits)
def test_a_damaged_sheet_is_read_or_refused_in_one_line(kind, changes, tmp_path):
    source, read = SHEETS[kind]
    path = tmp_path / source.name
    path.write_bytes(_mutate(source.read_bytes(), changes))
    _reads_or_refuses(read, path)


@FUZZ
@given(changes=edits)
def test_a_damaged_sidecar_is_read_or_refused_in_one_line(changes, tmp_path):
    (tmp_path / "vestbo_rektor.docx").write_bytes((EXAMPLE / "vestbo_rektor.docx").read_bytes())
    sidecar = tmp_path / "vestbo_rektor.yaml"
    sidecar.write_bytes(_mutate((EXAMPLE / "vestbo_rektor.yaml").read_bytes(), changes))
    _reads_or_refuses(read_transcript, tmp_path / "vestbo_rektor.docx")
