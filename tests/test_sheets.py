"""Attribute sheets and coding files: typed values, and every problem located as file:line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qualcode.domain.errors import InputFileError
from qualcode.sheets import CodingRow, read_attribute_sheets, read_coding_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "transcripts_example"
CODING_FILES = sorted(EXAMPLE.glob("codings_*.csv"))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- YAML sheets -----------------------------------------------------------------------

def test_example_attributes_yaml():
    """The example study: two sites and nine persons, with names, roles and typed values."""
    sheet = read_attribute_sheets([EXAMPLE / "attributes.yaml"])
    assert len(sheet.sites) == 2
    assert len(sheet.persons) == 9
    assert sheet.transcripts == {}
    site_ids = [s.site_id for s in sheet.sites]
    assert len(set(site_ids)) == 2
    assert all(s.name for s in sheet.sites)
    assert all("navn" not in s.attributes for s in sheet.sites)
    assert sorted(p.role for p in sheet.persons) == [
        "laerer", "laerer", "laerer", "laerer", "radgiver", "radgiver", "radgiver",
        "rektor", "rektor"]
    assert len({p.person_id for p in sheet.persons}) == 9
    for person in sheet.persons:
        assert person.site_id in site_ids
        assert "rolle" not in person.attributes and "site" not in person.attributes
        assert person.where == f"{EXAMPLE / 'attributes.yaml'} (persons.{person.person_id})"
    # each school has one rektor, at least one rådgiver and two lærere
    for site_id in site_ids:
        roles = sorted(p.role for p in sheet.persons if p.site_id == site_id)
        assert roles.count("rektor") == 1 and roles.count("laerer") == 2
    # YAML keeps value types: whole numbers and booleans stay typed
    radgivere = [p for p in sheet.persons if p.role == "radgiver"]
    assert all(type(p.attributes["stillingsprosent_radgivning"]) is int for p in radgivere)
    assert all(type(p.attributes["nettverksdeltaker"]) is bool for p in radgivere)
    assert all(type(s.attributes["antall_radgivere"]) is int for s in sheet.sites)


def test_yaml_transcripts_section(tmp_path):
    """A 'transcripts:' section gives interview metadata like front matter does."""
    path = write(tmp_path / "intervjuer.yaml",
                 "transcripts:\n  nordvik_rektor:\n    site: nordvik_u\n    format: individuelt\n"
                 "    dato: 2021-10-14\n    speakers:\n      Rektor: nordvik_rektor\n")
    meta = read_attribute_sheets([path]).transcripts["nordvik_rektor"]
    assert meta.site == "nordvik_u"
    assert meta.speakers == {"Rektor": "nordvik_rektor"}
    assert meta.attributes == {"format": "individuelt", "dato": dt.date(2021, 10, 14)}


def test_yaml_unknown_section(tmp_path):
    path = write(tmp_path / "a.yaml", "sites:\n  a: {}\npersoner:\n  p: {}\n")
    with pytest.raises(InputFileError, match="unknown section\\(s\\): personer"):
        read_attribute_sheets([path])


def test_yaml_syntax_error_has_line(tmp_path):
    path = write(tmp_path / "a.yaml", "sites:\n  nordvik_u:\n    navn: Nordvik\n   feil: x\n")
    with pytest.raises(InputFileError) as info:
        read_attribute_sheets([path])
    assert info.value.line == 4
    assert str(info.value).startswith(f"{path}:4: YAML syntax error")


# --- CSV sheets ------------------------------------------------------------------------

SITES_CSV = (
    "site,navn,antall_radgivere,andel,aktiv,startdato,iso_dato,merknad\n"
    'nordvik_u,Nordvik ungdomsskole,1,"37,5",ja,14.10.2021,2021-10-14,\n'
    "vestby_vgs,Vestby videregående skole,2,40,nei,,2021-10-15,liten skole\n"
)


def test_sites_csv_typed_columns(tmp_path):
    """Whole columns are typed: integers, decimal-comma numbers, ja/nei, both date styles;
    empty cells are missing, not empty strings."""
    path = write(tmp_path / "sites.csv", SITES_CSV)
    sheet = read_attribute_sheets([path])
    assert [(s.site_id, s.name) for s in sheet.sites] == [
        ("nordvik_u", "Nordvik ungdomsskole"),
        ("vestby_vgs", "Vestby videregående skole"),
    ]
    nordvik, vestby = sheet.sites
    assert nordvik.attributes == {
        "antall_radgivere": 1,
        "andel": 37.5,
        "aktiv": True,
        "startdato": dt.date(2021, 10, 14),
        "iso_dato": dt.date(2021, 10, 14),
    }
    assert vestby.attributes == {
        "antall_radgivere": 2,
        "andel": 40.0,
        "aktiv": False,
        "iso_dato": dt.date(2021, 10, 15),
        "merknad": "liten skole",
    }
    assert type(nordvik.attributes["antall_radgivere"]) is int
    assert type(vestby.attributes["andel"]) is float
    assert nordvik.where == f"{path}:2"
    assert vestby.where == f"{path}:3"


def test_semicolon_csv_with_decimal_comma(tmp_path):
    """Norwegian Excel exports use ';' and decimal commas without quotes."""
    path = write(tmp_path / "sites.csv",
                 "site;navn;andel\nnordvik_u;Nordvik;37,5\nvestby_vgs;Vestby;40\n")
    sheet = read_attribute_sheets([path])
    assert [(s.site_id, s.name, s.attributes) for s in sheet.sites] == [
        ("nordvik_u", "Nordvik", {"andel": 37.5}),
        ("vestby_vgs", "Vestby", {"andel": 40.0}),
    ]


def test_cp1252_csv(tmp_path):
    """A sheet saved by older Excel (cp1252) keeps æøå."""
    path = write(tmp_path / "sites.csv", "site,navn\nnordvik_u,Nordvik skole på øya\n"
                 "vestby_vgs,Vestby videregående\n", "cp1252")
    assert [s.name for s in read_attribute_sheets([path]).sites] == [
        "Nordvik skole på øya", "Vestby videregående"]


def test_mixed_column_stays_text(tmp_path):
    """A column with one non-number is text throughout; an impossible date is text."""
    path = write(tmp_path / "sites.csv", "site,kode,dato\na,12,31.02.2021\nb,12b,14.10.2021\n")
    sites = read_attribute_sheets([path]).sites
    assert [s.attributes for s in sites] == [
        {"kode": "12", "dato": "31.02.2021"},
        {"kode": "12b", "dato": "14.10.2021"},
    ]


def test_persons_csv(tmp_path):
    """persons.csv: the site column links the person, rolle is the role, the rest typed."""
    path = write(tmp_path / "persons.csv",
                 "person,site,rolle,stillingsprosent,nettverksdeltaker,startet\n"
                 "nordvik_radgiver,nordvik_u,radgiver,50,ja,14.10.2021\n"
                 "vestby_rektor,vestby_vgs,Rektor,,Nei,2021-10-15\n")
    persons = read_attribute_sheets([path]).persons
    assert [(p.person_id, p.site_id, p.role, p.attributes) for p in persons] == [
        ("nordvik_radgiver", "nordvik_u", "radgiver",
         {"stillingsprosent": 50, "nettverksdeltaker": True, "startet": dt.date(2021, 10, 14)}),
        ("vestby_rektor", "vestby_vgs", "rektor",
         {"nettverksdeltaker": False, "startet": dt.date(2021, 10, 15)}),
    ]


def test_persons_csv_role_with_norwegian_letters(tmp_path):
    """'Rådgiver' typed in a sheet is the same role as 'radgiver' from a speaker label."""
    path = write(tmp_path / "persons.csv",
                 "person,site,rolle\nnordvik_radgiver,nordvik_u,Rådgiver\n"
                 "nordvik_laerer1,nordvik_u,Lærer\n")
    assert [p.role for p in read_attribute_sheets([path]).persons] == ["radgiver", "laerer"]


def test_transcript_csv_with_speaker_columns(tmp_path):
    """A 'transcript' sheet: typed columns, and 'speaker:<label>' columns map labels."""
    path = write(tmp_path / "intervjuer.csv",
                 "transcript,site,format,dato,runde,speaker:Rektor,speaker:Lærer 1\n"
                 "nordvik_rektor,nordvik_u,individuelt,14.10.2021,1,nordvik_rektor,\n"
                 "nordvik_laerere,nordvik_u,parvis,15.10.2021,1,,nordvik_laerer1\n")
    transcripts = read_attribute_sheets([path]).transcripts
    assert list(transcripts) == ["nordvik_rektor", "nordvik_laerere"]
    rektor = transcripts["nordvik_rektor"]
    assert rektor.site == "nordvik_u"
    assert rektor.speakers == {"Rektor": "nordvik_rektor", "Lærer 1": None}
    assert rektor.attributes == {"format": "individuelt", "dato": dt.date(2021, 10, 14),
                                 "runde": 1}
    assert rektor.source == f"{path}:2"
    assert transcripts["nordvik_laerere"].speakers == {"Rektor": None,
                                                       "Lærer 1": "nordvik_laerer1"}


def test_transcript_csv_bad_format_names_the_row(tmp_path):
    path = write(tmp_path / "intervjuer.csv", "transcript,format\nt1,individuelt\nt2,intervju\n")
    with pytest.raises(InputFileError, match="format 'intervju' is not one of") as info:
        read_attribute_sheets([path])
    assert info.value.path == f"{path}:3"


def test_several_sheets_are_combined(tmp_path):
    sites = write(tmp_path / "sites.csv", "site,navn\nnordvik_u,Nordvik\n")
    persons = write(tmp_path / "persons.csv", "person,site\nnordvik_rektor,nordvik_u\n")
    sheet = read_attribute_sheets([sites, persons, EXAMPLE / "attributes.yaml"])
    assert [s.site_id for s in sheet.sites][0] == "nordvik_u"
    assert len(sheet.sites) == 3
    assert len(sheet.persons) == 10


def test_ragged_row_gives_file_and_line(tmp_path):
    path = write(tmp_path / "sites.csv", "site,navn\nnordvik_u,Nordvik\nvestby_vgs,Vestby,ekstra\n")
    with pytest.raises(InputFileError) as info:
        read_attribute_sheets([path])
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: 3 cells but 2 columns")


def test_short_row_is_padded_with_missing_values(tmp_path):
    path = write(tmp_path / "sites.csv",
                 "site,navn,antall\nnordvik_u,Nordvik\nvestby_vgs,Vestby,2\n")
    assert [s.attributes for s in read_attribute_sheets([path]).sites] == [{}, {"antall": 2}]


def test_missing_id_column(tmp_path):
    path = write(tmp_path / "skoler.csv", "skole,navn\nnordvik_u,Nordvik\n")
    with pytest.raises(InputFileError, match="no id column") as info:
        read_attribute_sheets([path])
    assert info.value.line == 1
    assert str(info.value).startswith(f"{path}:1:")


def test_duplicate_header(tmp_path):
    path = write(tmp_path / "sites.csv", "site,navn,navn\nnordvik_u,Nordvik,N\n")
    with pytest.raises(InputFileError, match="duplicate column names") as info:
        read_attribute_sheets([path])
    assert info.value.line == 1


def test_empty_id_cell(tmp_path):
    path = write(tmp_path / "sites.csv", "site,navn\nnordvik_u,Nordvik\n,Vestby\n")
    with pytest.raises(InputFileError, match="empty 'site' id") as info:
        read_attribute_sheets([path])
    assert info.value.line == 3


def test_unsupported_sheet_type(tmp_path):
    path = write(tmp_path / "sites.xlsx", "x")
    with pytest.raises(InputFileError, match="unsupported sheet type '.xlsx'"):
        read_attribute_sheets([path])


# --- coding files ----------------------------------------------------------------------

def test_coding_file_turns_and_offsets(tmp_path):
    """'5' is one turn, '5-7' a range; start/end are character offsets; memo is optional."""
    path = write(tmp_path / "codings.csv",
                 "transcript,turns,start,end,code,coder,memo\n"
                 "nordvik_rektor,5,,,LED,anna,\n"
                 "nordvik_rektor,5-7,,,LED.forankring_eier,anna,viktig for eier\n"
                 "nordvik_rektor,,10,42,ETI,bjorn,\n"
                 "nordvik_rektor,8–9,,,RAM,bjorn,\"se også: ETI, KOM\"\n")
    assert read_coding_file(path) == [
        CodingRow(2, "nordvik_rektor", "LED", "anna", (5, 5), None, None),
        CodingRow(3, "nordvik_rektor", "LED.forankring_eier", "anna", (5, 7), None,
                  "viktig for eier"),
        CodingRow(4, "nordvik_rektor", "ETI", "bjorn", None, (10, 42), None),
        CodingRow(5, "nordvik_rektor", "RAM", "bjorn", (8, 9), None, "se også: ETI, KOM"),
    ]


def test_coding_file_without_optional_columns(tmp_path):
    path = write(tmp_path / "codings.csv",
                 "transcript,turns,code,coder\nnordvik_rektor,12,KOM,anna\n")
    assert read_coding_file(path) == [
        CodingRow(2, "nordvik_rektor", "KOM", "anna", (12, 12), None, None)]


def test_a_coding_list_as_csv_is_a_coding_file(tmp_path):
    """What `coding list -f csv` writes comes back in: its offsets are exact, so the turn
    numbers beside them are only for reading, and the id (the other project's) is dropped;
    the quoted text and the origin are kept to check and to keep."""
    path = write(tmp_path / "codings.csv",
                 "id,transcript,code,coder,turns,start,end,origin,memo,text\n"
                 "316,nordvik_rektor,LED,anna,5-6,10,42,consensus,viktig,Ja  så\n")
    assert read_coding_file(path) == [
        CodingRow(2, "nordvik_rektor", "LED", "anna", None, (10, 42), "viktig",
                  text="Ja  så", origin="consensus")]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("nordvik_rektor,,,,LED,anna", "give turns or start/end"),
        ("nordvik_rektor,7-5,,,LED,anna", "turn range 7-5 runs backwards"),
        ("nordvik_rektor,,42,10,LED,anna", "start must be before end"),
        ("nordvik_rektor,,10,,LED,anna", "start and end must both be whole numbers"),
        ("nordvik_rektor,fem,,,LED,anna", "turns 'fem' is not N or N-M"),
        ("nordvik_rektor,5,,,,anna", "empty 'code'"),
    ],
)
def test_coding_row_errors_have_line_numbers(tmp_path, row, message):
    """Each bad row is reported as file:line with what is wrong."""
    path = write(tmp_path / "codings.csv",
                 "transcript,turns,start,end,code,coder\nnordvik_rektor,1,,,LED,anna\n"
                 f"{row}\n")
    with pytest.raises(InputFileError) as info:
        read_coding_file(path)
    assert info.value.line == 3
    assert str(info.value) == f"{path}:3: {message}"


def test_coding_unknown_column(tmp_path):
    path = write(tmp_path / "codings.csv", "transcript,turns,code,coder,kommentar\n"
                 "nordvik_rektor,5,LED,anna,x\n")
    with pytest.raises(InputFileError, match="unknown column\\(s\\): kommentar") as info:
        read_coding_file(path)
    assert info.value.line == 1


def test_coding_missing_column(tmp_path):
    path = write(tmp_path / "codings.csv", "transcript,turns,code\nnordvik_rektor,5,LED\n")
    with pytest.raises(InputFileError, match="missing column\\(s\\): coder") as info:
        read_coding_file(path)
    assert info.value.line == 1


def test_line_numbers_after_multiline_memo(tmp_path):
    """A memo with a line break (Excel export) does not shift later line numbers."""
    path = write(tmp_path / "codings.csv",
                 "transcript,turns,code,coder,memo\n"
                 'nordvik_rektor,5,LED,anna,"første linje\nandre linje"\n'
                 "nordvik_rektor,7-5,LED,anna,\n")
    with pytest.raises(InputFileError) as info:
        read_coding_file(path)
    assert info.value.line == 4


def test_multiline_memo_is_kept(tmp_path):
    path = write(tmp_path / "codings.csv",
                 "transcript,turns,code,coder,memo\n"
                 'nordvik_rektor,5,LED,anna,"første linje\nandre linje"\n')
    assert [r.memo for r in read_coding_file(path)] == ["første linje\nandre linje"]


@pytest.mark.parametrize("path", CODING_FILES, ids=lambda p: p.name)
def test_example_coding_files_parse(path):
    """The example coding files parse; every row names a coder, a code and a location,
    and refers to an example transcript and a code of the bundled codebook."""
    from qualcode.codebook import parse_codebook

    codebook, _ = parse_codebook((ROOT / "codebooks" / "kvalitetsmodellen.yaml")
                                 .read_text(encoding="utf-8"))
    transcripts = {p.stem for p in EXAMPLE.iterdir() if p.suffix in (".txt", ".md", ".docx")}
    rows = read_coding_file(path)
    assert len(rows) >= 20
    assert [r.line for r in rows] == sorted({r.line for r in rows})
    for row in rows:
        assert row.transcript in transcripts
        assert row.code in codebook.by_id()
        assert row.coder
        assert (row.turns is None) != (row.chars is None)
        if row.turns:
            assert 1 <= row.turns[0] <= row.turns[1]


def test_a_coding_file_given_as_an_attributes_sheet_is_refused(tmp_path):
    """Its transcript column would make it an interview sheet, and its codes and coders
    attributes of the transcripts."""
    from qualcode.sheets import read_attribute_sheets

    path = write(tmp_path / "codings.csv",
                 "transcript,turns,code,coder,memo\nnordvik_rektor,2,LED,anna,\n")
    with pytest.raises(InputFileError, match="this is a coding file.*`qualcode coding "
                                             "import`"):
        read_attribute_sheets([path])


_CODINGS = ('transcript;turns;start;end;code;coder;memo\r\n'
            'nordvik_rektor;4-6;;;LED;anna;"to linjer:\r\nførst, så «sist»"\r\n'
            + "".join(f"vestbo_rektor;{i};;;RAM.tid;bjørn;\r\n" for i in range(1, 400))
            + 'vestbo_rektor;;12;40;KOM;anna;"ESC\x1b[31m rødt"\r\n'
            'vestbo_rektor;2;;;UTB;anna;siste\r\n')


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_a_coding_file_reads_the_same_line_by_line_or_whole(tmp_path, encoding):
    """A UTF-8 coding file is read a line at a time (a file of 1.6 million codings is never
    in memory whole); any other encoding is read whole. Either way: the same rows, the
    file line each starts on (after a cell over two lines), Norwegian letters, and control
    characters removed from the one row that has them, and counted."""
    path = tmp_path / "koder.csv"
    path.write_bytes(_CODINGS.encode(encoding))
    warnings: list[str] = []
    rows = read_coding_file(path, warnings)
    assert len(rows) == 402
    assert rows[0] == CodingRow(2, "nordvik_rektor", "LED", "anna", (4, 6), None,
                                "to linjer:\r\nførst, så «sist»")
    assert rows[1].line == 4 and rows[1].coder == "bjørn"
    assert rows[-2] == CodingRow(403, "vestbo_rektor", "KOM", "anna", None, (12, 40),
                                 "ESC rødt")
    assert rows[-1].memo == "siste" and rows[-1].line == 404
    assert warnings == [f"{path}: 1 control character(s) (escape sequences, form feeds, "
                        "NUL …) were removed from the text"]
