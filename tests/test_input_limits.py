"""Every file qualcode reads is read within limits: a hostile or broken file is refused with
one line on stderr and exit status 1, and the project keeps exactly the rows it had."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from qualcode.codebook import MAX_CODE_DEPTH
from qualcode.importers import reading
from qualcode.sheets import MAX_CELL
from tests.conftest import ROOT, write

DIALOGUE = ("Intervjuer: Hva gjør rådgiveren på Nordvik skole?\n"
            "Rådgiver: Vi har samtaler med alle elevene på åttende trinn.\n"
            "Intervjuer: Og rektor?\n"
            "Rektor: Jeg følger opp planen sammen med Kari og Ola.\n")


def _rows(db: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(db)
    try:
        tables = [name for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(repr(r) for r in con.execute(f'SELECT * FROM "{t}"')) for t in tables}
    finally:
        con.close()


@pytest.fixture
def refused(cli, example):
    """Run a command against a copy of the example study; assert one error line on stderr,
    exit status 1 and not a row changed. Returns the error line."""
    db = Path(example.path)

    def run(*args: str, fragments: tuple[str, ...] = ()) -> str:
        before = _rows(db)
        code, out, err = cli(*args, project=db)
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 1, (out, err)
        assert len(lines) == 1, err
        assert lines[0].startswith("error:") and "Traceback" not in err
        for fragment in fragments:
            assert fragment in lines[0], lines[0]
        assert _rows(db) == before
        return lines[0]

    return run


@pytest.fixture
def accepted(cli, example):
    db = Path(example.path)

    def run(*args: str) -> tuple[str, str]:
        code, out, err = cli(*args, project=db)
        assert code == 0, err
        return out, err

    return run


# --- 1. encodings -------------------------------------------------------------------------

def test_utf8_with_one_stray_byte_is_refused_with_its_line(refused, tmp_path):
    data = DIALOGUE.encode("utf-8").replace(b"Og rektor", b"Og \xe5 rektor")
    (tmp_path / "nordvik_ny.txt").write_bytes(data)
    refused("import", str(tmp_path / "nordvik_ny.txt"),
            fragments=("nordvik_ny.txt:3:", "not valid UTF-8", "0xE5"))


def test_a_whole_cp1252_file_is_read_with_a_warning(accepted, tmp_path):
    (tmp_path / "nordvik_gammel.txt").write_bytes(DIALOGUE.encode("cp1252"))
    out, err = accepted("import", str(tmp_path / "nordvik_gammel.txt"))
    assert "Windows-1252" in err
    shown, _ = accepted("show", "nordvik_gammel")
    assert "rådgiveren på Nordvik" in shown


def test_utf16_with_bom_still_imports(accepted, tmp_path):
    (tmp_path / "nordvik_unicode.txt").write_bytes(DIALOGUE.encode("utf-16"))
    out, err = accepted("import", str(tmp_path / "nordvik_unicode.txt"))
    assert "Windows-1252" not in err
    assert "følger opp" in accepted("show", "nordvik_unicode")[0]


def test_sidecar_that_is_broken_utf8_or_utf32_gets_one_line(refused, tmp_path):
    write(tmp_path / "nordvik_ny.txt", DIALOGUE)
    sidecar = tmp_path / "nordvik_ny.yaml"
    sidecar.write_bytes("title: Samtale på skolen\n".encode() + b"modus: fysisk p\xc3 stedet\n")
    refused("import", str(tmp_path / "nordvik_ny.txt"),
            fragments=("nordvik_ny.yaml:2:", "not valid UTF-8"))
    sidecar.write_bytes("title: Samtale på skolen\n".encode("utf-32"))
    refused("import", str(tmp_path / "nordvik_ny.txt"), fragments=("nordvik_ny.yaml", "UTF-32"))


def test_sheet_with_a_stray_byte_is_refused_with_its_line(refused, tmp_path):
    sheet = tmp_path / "sites.csv"
    sheet.write_bytes(b"site,navn\nnordvik_ny,Nordvik nye skole\nvestby,Vestby vgs\n"
.replace(b"Vestby vgs", b"Vestby \xf8 vgs")
                      + "sørside,Sørside skole\n".encode())
    refused("attributes", "import", str(sheet), fragments=("sites.csv:3:", "not valid UTF-8"))


# --- 2. only regular files, with a size cap ------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_waiting_for_it(refused, tmp_path):
    fifo = tmp_path / "intervju.txt"
    os.mkfifo(fifo)
    refused("import", str(fifo), fragments=("intervju.txt", "not a regular file",
                                            "named pipe"))
    refused("import", str(tmp_path), fragments=("intervju.txt", "not a regular file"))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_a_device_is_refused(refused, tmp_path):
    link = tmp_path / "intervju.txt"
    link.symlink_to("/dev/zero")
    refused("import", str(link), fragments=("intervju.txt", "not a regular file", "device"))


def test_a_link_out_of_the_imported_folder_is_refused(refused, accepted, tmp_path):
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    write(folder / "nordvik_a.txt", DIALOGUE)
    outside = write(tmp_path / "privat.txt", DIALOGUE.replace("Kari", "Per"))
    (folder / "nordvik_b.txt").symlink_to(outside)
    refused("import", str(folder), fragments=("nordvik_b.txt", "outside", str(folder)))
    # a link within the folder is read like any file
    (folder / "nordvik_b.txt").unlink()
    (folder / "nordvik_b.txt").symlink_to(folder / "nordvik_a.txt")
    out, _ = accepted("import", str(folder))
    assert "2 added" in out
    # a sidecar is read with its transcript, so it may not point out of the folder either
    write(folder / "nordvik_c.txt", DIALOGUE)
    (folder / "nordvik_c.yaml").symlink_to(write(tmp_path / "hemmelig.yaml", "title: Privat\n"))
    refused("import", str(folder), fragments=("nordvik_c.yaml", "outside"))
    # links the import does not read are left alone
    (folder / "nordvik_c.yaml").unlink()
    (folder / "notater.pdf").symlink_to(outside)
    out, _ = accepted("import", str(folder))
    assert "1 added" in out


def test_a_transcript_larger_than_the_cap_is_refused_before_reading(refused, tmp_path):
    big = tmp_path / "nordvik_stor.txt"
    with open(big, "wb") as handle:  # sparse: no disk is used
        handle.truncate(reading.TEXT_LIMIT + 1)
    refused("import", str(big), fragments=("nordvik_stor.txt", "more than the 50 MB"))
    docx = tmp_path / "nordvik_stor.docx"
    with open(docx, "wb") as handle:
        handle.truncate(reading.DOCX_LIMIT + 1)
    refused("import", str(docx), fragments=("nordvik_stor.docx", "more than the 200 MB"))


# --- 3. zip bombs and broken zips ----------------------------------------------------------

def _docx_bytes(tmp_path: Path) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Rektor: Vi samarbeider med rådgiveren.")
    document.add_paragraph("Rådgiver: Kari har ansvaret for åttende trinn.")
    path = tmp_path / "mal.docx"
    document.save(path)
    return path.read_bytes()


def _rezip(data: bytes, replace: dict[str, bytes], **kwargs) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", **kwargs) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_docx_that_expands_far_beyond_its_size_is_refused(refused, tmp_path):
    data = _docx_bytes(tmp_path)
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    padded = document.replace(b"<w:body>", b"<w:body>" + b" " * (20 * reading.MB))
    (tmp_path / "bombe.docx").write_bytes(_rezip(data, {"word/document.xml": padded}))
    refused("import", str(tmp_path / "bombe.docx"),
            fragments=("bombe.docx", "word/document.xml expands", "times"))


def test_a_docx_whose_parts_expand_beyond_the_total_is_refused(refused, tmp_path,
                                                              monkeypatch):
    monkeypatch.setattr(reading, "ZIP_EXPANDED_LIMIT", 2 * reading.MB)
    data = _docx_bytes(tmp_path)
    noise = os.urandom(3 * reading.MB)  # does not compress: the ratio alone would pass
    (tmp_path / "stor.docx").write_bytes(_with_member(data, "word/media/bilde.bin", noise))
    refused("import", str(tmp_path / "stor.docx"), fragments=("stor.docx", "expands to more than"))


def _with_member(data: bytes, name: str, payload: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(name, payload, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _patch_central_directory(data: bytes, name: str, offset: int, value: bytes) -> bytes:
    """Overwrite bytes of ``name``'s central directory entry (and its local header)."""
    out = bytearray(data)
    encoded = name.encode()
    central = 0
    while True:
        central = data.index(b"PK\x01\x02", central)
        name_len = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + name_len] == encoded:
            break
        central += 4
    out[central + offset:central + offset + len(value)] = value
    local = int.from_bytes(data[central + 42:central + 46], "little")
    out[local + offset - 2:local + offset - 2 + len(value)] = value  # local header is 2 shorter
    return bytes(out)


def test_encrypted_and_unsupported_compression_get_one_line(refused, tmp_path):
    data = _docx_bytes(tmp_path)
    flags = bytes([zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").flag_bits
                   | 0x1, 0])
    (tmp_path / "laast.docx").write_bytes(
        _patch_central_directory(data, "word/document.xml", 8, flags))
    refused("import", str(tmp_path / "laast.docx"), fragments=("laast.docx", "encrypted"))
    (tmp_path / "deflate64.docx").write_bytes(
        _patch_central_directory(data, "word/document.xml", 10, (9).to_bytes(2, "little")))
    refused("import", str(tmp_path / "deflate64.docx"),
            fragments=("deflate64.docx", "deflate64"))


def test_a_damaged_member_gets_one_line(refused, tmp_path):
    data = _docx_bytes(tmp_path)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    broken = bytearray(data)
    for i in range(start + 10, start + 40):
        broken[i] ^= 0x5A
    (tmp_path / "skadet.docx").write_bytes(bytes(broken))
    refused("import", str(tmp_path / "skadet.docx"), fragments=("skadet.docx", "damaged .docx"))


# --- 4. YAML within bounds ----------------------------------------------------------------

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True))
BOMB = "a: &a [ha, ha, ha, ha, ha, ha, ha, ha, ha]\n" + LAUGHS


def test_front_matter_aliases_cannot_expand_a_title(refused, tmp_path):
    front = BOMB + "title: *i\n"
    write(tmp_path / "nordvik_bombe.txt", f"---\n{front}---\n{DIALOGUE}")
    refused("import", str(tmp_path / "nordvik_bombe.txt"),
            fragments=("nordvik_bombe.txt:", "aliases expand"))


def test_codebook_label_aliases_cannot_expand(refused, tmp_path):
    book = write(tmp_path / "bok.yaml",
                 "codebook: bombe\nx:\n" + "".join("  " + line + "\n" for line in
                                                  BOMB.splitlines())
                 + "codes:\n  - id: A\n    label: *i\n    description: d\n")
    refused("codebook", "load", str(book), fragments=("bok.yaml:", "aliases expand"))


def test_deep_nesting_is_one_line(refused, tmp_path):
    write(tmp_path / "nordvik_dyp.txt", DIALOGUE)
    write(tmp_path / "nordvik_dyp.yaml", "runde: " + "[" * 5000 + "]" * 5000 + "\n")
    refused("import", str(tmp_path / "nordvik_dyp.txt"),
            fragments=("nordvik_dyp.yaml:1:", "levels deep"))
    lines = ["codebook: dyp", "codes:"]
    for level in range(1000):
        pad = "    " * level
        lines += [f"  {pad}- id: K{level}", f"  {pad}  label: Nivå {level}",
                  f"  {pad}  children:"]
    lines.append(f"  {'    ' * 1000}- id: slutt\n  {'    ' * 1000}  label: Slutt")
    book = write(tmp_path / "dyp.yaml", "\n".join(lines) + "\n")
    refused("codebook", "load", str(book), fragments=("dyp.yaml:", "levels deep"))


def test_a_code_tree_deeper_than_the_limit_is_refused(refused, accepted, tmp_path):
    def chain(depth: int) -> str:
        codes = ["  - id: K0\n    label: Nivå 0\n    description: d\n"]
        codes += [f"  - id: K{i}\n    label: Nivå {i}\n    parent: K{i - 1}\n    "
                  f"description: d\n" for i in range(1, depth)]
        return "codebook: kjede\ncodes:\n" + "".join(codes)

    book = write(tmp_path / "kjede.yaml", chain(1000))
    refused("codebook", "load", str(book),
            fragments=("kjede.yaml:", f"at most {MAX_CODE_DEPTH} levels"))
    write(tmp_path / "kjede.yaml", chain(MAX_CODE_DEPTH))
    code_check = accepted("codebook", "validate", str(book))[0]
    assert f"{MAX_CODE_DEPTH} codes" in code_check


@pytest.mark.parametrize(("front", "line", "fragment"), [
    ("title: Samtale\n? [x, y]\n: z\n", 3, "a key must be a single value"),
    ("title: Samtale\ndato: 2021-13-45\n", 3, "'2021-13-45' is not a real date"),
    ("dato: 2021-02-30\n", 2, "'2021-02-30' is not a real date"),
    ("title: !!python/object:os.system ls\n", 2, "YAML tag"),
    ("title: !!binary aGVp\n", 2, "YAML tag '!!binary'"),
    ('title: "Samtale\\x1b[31m"\n', 2, "control characters"),
])
def test_front_matter_problems_are_one_line_with_file_and_line(refused, tmp_path, front, line,
                                                               fragment):
    write(tmp_path / "nordvik_meta.txt", f"---\n{front}---\n{DIALOGUE}")
    refused("import", str(tmp_path / "nordvik_meta.txt"),
            fragments=(f"nordvik_meta.txt:{line}:", fragment))


def test_impossible_dates_in_sheets_and_codebooks_are_one_line(refused, tmp_path):
    sheet = write(tmp_path / "ark.yaml", "sites:\n  nordvik_ny:\n    navn: Ny\n"
                  "    startet: 2021-02-30\n")
    refused("attributes", "import", str(sheet), fragments=("ark.yaml:4:", "not a real date"))
    book = write(tmp_path / "bok.yaml", "codebook: dato\ncodes:\n  - id: A\n    label: A\n"
                 "    description: 2021-02-30\n")
    refused("codebook", "load", str(book), fragments=("bok.yaml:5:", "not a real date"))
    key = write(tmp_path / "nokkel.yaml", "codebook: n\ncodes:\n  - id: A\n    label: A\n"
                "    ? {a: 1}\n    : x\n")
    refused("codebook", "load", str(key), fragments=("nokkel.yaml:5:", "single value"))


# --- 5. the coding CSV --------------------------------------------------------------------

def _coding_file(tmp_path: Path, memo: str, start: str = "", end: str = "") -> Path:
    turns = "" if start else "6"
    path = tmp_path / "koder.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("transcript,turns,start,end,code,coder,memo\n")
        handle.write(f'nordvik_rektor,{turns},{start},{end},RAM.saarbarhet_personavhengig,'
                     f'kari,"{memo}"\n')
    return path


def test_a_long_memo_imports_and_one_beyond_the_bound_is_one_line(refused, accepted,
                                                                 tmp_path):
    out, _ = accepted("coding", "import", str(_coding_file(tmp_path, "lang " * 40_000)))
    assert "1" in out
    refused("coding", "import", str(_coding_file(tmp_path, "x" * (MAX_CELL + 1))),
            fragments=("koder.csv:2:", "longer than 1,000,000 characters"))


# --- 6. control characters -----------------------------------------------------------------

def test_control_characters_are_removed_at_import_and_counted(accepted, tmp_path):
    text = DIALOGUE.replace("Og rektor?", "Og\x0brektor?\x0c\x1b[31m\x07")
    write(tmp_path / "nordvik_kontroll.txt", text)
    out, err = accepted("import", str(tmp_path / "nordvik_kontroll.txt"))
    assert "4 control character(s)" in err
    shown, _ = accepted("show", "nordvik_kontroll", "--format", "json")
    assert not any(ch in shown for ch in "\x0b\x0c\x1b\x07")
    assert "Og\\nrektor?" in shown
    docx = tmp_path / "rapport.docx"
    accepted("export", "report", str(docx))
    assert docx.stat().st_size > 0


def test_control_characters_in_sheet_cells_are_removed(accepted, example, tmp_path):
    sheet = write(tmp_path / "sites.csv", "site,navn\nnordvik_ny,Nordvik\x1b[1m ny\x07 skole\n")
    accepted("attributes", "import", str(sheet))
    con = sqlite3.connect(example.path)
    try:
        names = [n for (n,) in con.execute("SELECT name FROM site WHERE site_id = 'nordvik_ny'")]
    finally:
        con.close()
    assert names == ["Nordvik ny skole"]
    from qualcode.services import ingest

    assert ingest.import_attributes(example, [sheet]).warnings == [
        f"{sheet}: 2 control character(s) (escape sequences, form feeds, NUL …) were removed "
        "from the text"]


# --- 7. digits that are not ASCII ----------------------------------------------------------

def test_superscript_digits_are_not_numbers(refused, tmp_path):
    refused("coding", "import", str(_coding_file(tmp_path, "", start="1²", end="20")),
            fragments=("koder.csv:2:", "whole numbers"))
    path = _coding_file(tmp_path, "")
    path.write_text(path.read_text(encoding="utf-8").replace(",6,", ",²,"), encoding="utf-8")
    refused("coding", "import", str(path), fragments=("koder.csv:2:", "turns '²'"))


# --- 8. parsing workers end with the import -------------------------------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_parsing_workers_end_when_the_import_is_killed(tmp_path, sig):
    from qualcode.services import ingest

    folder = tmp_path / "mange"
    folder.mkdir()
    body = DIALOGUE * 4000
    for i in range(ingest.PARALLEL_MIN_FILES + 16):
        write(folder / f"intervju_{i:02d}.txt", body)
    project = tmp_path / "prosjekt.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QUALCODE_PROJECT": str(project),
           ingest.WORKERS_SETTING: "2"}  # parsed by workers on any machine
    subprocess.run([sys.executable, "-m", "qualcode", "init"], env=env, check=True,
                   capture_output=True)
    before = _rows(project)
    proc = subprocess.Popen([sys.executable, "-m", "qualcode", "import", str(folder)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert _wait_for(lambda: len(_children(proc.pid)) >= 2 or proc.poll() is not None, 60)
        workers = _children(proc.pid)
        assert proc.poll() is None and workers, "the import ended before it could be killed"
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers), 10), workers
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -sig if sig == signal.SIGKILL else proc.returncode != 0
    assert _rows(project) == before


_RICH_YAML = """title: "Fokusgruppe, Ørsta vgs"
site: s001_v_vest
dato: 2021-12-22
runde: 2
lærere: &alle [Kari Æsøy, Ola Nordmann]
også: *alle
speakers:
  Rektor: s001_v_vest_rektor
  Lærer 1: null
  'Rådgiver: A': s001_v_vest_radgiver
tall: [1, 2.5, -3, 0o17, yes, ~]
notat: |
  To linjer,
  med æøå.
"""


@pytest.mark.parametrize("text", [
    _RICH_YAML,
    "title: [uavsluttet\n",
    "a: &x [*x]\n",
    "dato: 2021-02-30\n",
    "a:\n\tb: 1\n",
    "!!binary aGVp\n",
    "a: 1\na: 2\n",
    "title: \"ESC \\x1b[31m\"\n",
    "- " * 150 + "x\n",
])
def test_front_matter_reads_the_same_on_either_yaml_parser(text, monkeypatch):
    """Metadata is read by libyaml's parser where PyYAML has it: the same values, key lines
    and refusals, with the same message and line, as on PyYAML's parser in Python."""
    from qualcode.domain.errors import InputFileError
    from qualcode.importers import safe_yaml

    def outcome():
        try:
            value = safe_yaml.load_yaml(text, "intervju.md", first_line=2, line_numbers=True)
        except InputFileError as exc:
            return "refused", str(exc), exc.hint
        lines = value.key_lines if isinstance(value, safe_yaml.LineDict) else None
        return "read", value, lines

    fast = outcome()
    monkeypatch.setattr(safe_yaml, "_FAST", False)
    assert fast == outcome()
    if text == _RICH_YAML:
        assert fast[1]["speakers"]["Rådgiver: A"] == "s001_v_vest_radgiver"
        assert fast[2]["notat"] == 12
