"""The reports' two editions: Norwegian bokmål (the default) and English (--language en).
Numbers, dates and lists take each language's forms, and an English report carries no
Norwegian wording: only the data (code labels, quotes, names) keep their own words."""

from __future__ import annotations

import html
import re
from datetime import date

import docx
import pytest

from qualcode.domain.errors import QualcodeError
from qualcode.reports.agreement import compose, write_agreement_report
from qualcode.reports.wording import for_language
from qualcode.services.agreement_report import report_data


def test_numbers_dates_and_lists_per_language():
    nb, en = for_language("nb"), for_language("en")
    assert nb.integer(1234) == "1\u00a0234" and en.integer(1234) == "1,234"
    assert nb.num(0.8712) == "0,87" and en.num(0.8712) == "0.87"
    assert nb.num(-0.5, 1) == "\u22120,5" and en.num(-0.5, 1) == "\u22120.5"
    assert nb.num(None) == "udefinert" and en.num(None) == "undefined"
    assert nb.date(date(2026, 12, 4)) == "4. desember 2026"
    assert en.date(date(2026, 12, 4)) == "4 December 2026"
    assert nb.join(["a", "b", "c"]) == "a, b og c" and en.join(["a", "b", "c"]) == "a, b and c"
    assert nb.join(["å"]) == "å" and en.join([]) == ""
    with pytest.raises(QualcodeError, match="no report language 'de'"):
        for_language("de")


def _constants(wording) -> set[str]:
    """Every string the wording object holds: attributes, and the values of its tables."""
    out: set[str] = set()
    for name in dir(type(wording)):
        value = getattr(wording, name)
        if callable(value) or name.startswith("_"):
            continue
        items = [value] if isinstance(value, str) else (
            list(value.values()) if isinstance(value, dict) else
            [v[-1] if isinstance(v, tuple) else v for v in value]  # (English, bokmål)
            if isinstance(value, tuple) else [])
        out |= {x for x in items if isinstance(x, str)}
    return out


# Names both editions print as they are.
SHARED_TERMS = {"Brennan–Prediger", "cu-α (2019)", "u-α (2019)", "αU (2004)"}


def _norwegian_wording(data: dict) -> set[str]:
    """The bokmål edition's own sentences for these data, less the names of measures both
    editions print."""
    nb = for_language("nb")
    said = _constants(nb)
    said |= {text for pair in nb.header_facts(data) + nb.how_to_read(data) for text in pair}
    said |= set(nb.conventions(data)) | set(nb.settings(data)) | set(nb.legend(data["coders"]))
    said |= {nb.report_title(data), nb.passages_intro(data["coders"], 3),
             nb.passages_count(3, 2)}
    # Symbols and single words (a month, "Segm.") are no sentences: data may hold them.
    return {s for s in said - SHARED_TERMS if len(s) >= 12 or " " in s.strip()}


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_the_english_agreement_report_has_no_norwegian_wording(example, tmp_path, suffix):
    path = tmp_path / f"agreement{suffix}"
    write_agreement_report(example, path, language="en", bootstrap=20, seed=1)
    if suffix == ".docx":
        document = docx.Document(str(path))
        text = "\n".join([p.text for p in document.paragraphs]
                         + [c.text for t in document.tables for r in t.rows for c in r.cells])
        assert document.core_properties.language == "en-GB"
        assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][:4] == [
            "What was compared", "Agreement per code", "How to read the table",
            "Disagreements to discuss"]
    else:
        page = path.read_text(encoding="utf-8")
        assert '<html lang="en">' in page
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
    data = report_data(example, bootstrap=20, seed=1)
    wording = _norwegian_wording(data)
    assert len(wording) > 50  # the check has something to find
    leaked = sorted(s for s in wording if s in text)
    assert leaked == []
    assert "Agreement between coders" in text and "Samsvar mellom kodere" not in text


def test_the_norwegian_edition_is_the_default_and_says_so(example):
    data = report_data(example, bootstrap=0)
    text = compose(data).text()
    assert "Rapporten er på norsk (bokmål)" in text
    english = compose(data, for_language("en")).text()
    assert "The report is in English" in english
    # The data keep their own words in both editions.
    label = data["codes"][0]["label"]
    assert label in text and label in english


# --- the study report ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def study_store(tmp_path_factory):
    from qualcode.services import code_query
    from qualcode.services.memos import add_memo
    from tests.test_matrix import build_study

    store = build_study(tmp_path_factory.mktemp("editions") / "study")
    code_query.save_query(store, "a_rektor", "A AND rolle = rektor")
    add_memo(store, "code:A", "Første runde med koding er ferdig; Område B må drøftes.",
             title="Logg")
    yield store
    store.close()


STUDY_OPTIONS = {"areas": ["fam"], "memos": True, "queries": True, "today": date(2022, 3, 14)}


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.split("\n") if line.strip()}


def _study_wording(store) -> set[str]:
    """The bokmål edition's own words for this study: every line of its text that the
    English edition of the same data does not have (what both have is data: labels,
    quotes, numbers), and every string the bokmål wording holds."""
    from qualcode.reports.study import compose as compose_study
    from qualcode.services.study_report import report_data as study_data

    data = study_data(store, **STUDY_OPTIONS)
    nb = compose_study(data, for_language("nb"))[0].text()
    en = compose_study(data, for_language("en"))[0].text()
    said = (_lines(nb) - _lines(en)) | _constants(for_language("nb"))
    return {s for s in said - SHARED_TERMS if len(s) >= 12 or " " in s.strip()}


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_the_english_study_report_has_no_norwegian_wording(study_store, tmp_path, suffix):
    from qualcode.reports.study import write_report

    path = tmp_path / f"report{suffix}"
    info = write_report(study_store, path, language="en", **STUDY_OPTIONS)
    assert info["areas"] == 2 and info["memos"] == 1
    if suffix == ".docx":
        document = docx.Document(str(path))
        text = "\n".join([p.text for p in document.paragraphs]
                         + [c.text for t in document.tables for r in t.rows for c in r.cells])
        assert document.core_properties.language == "en-GB"
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        assert headings == ["Method and data", "Overview of the areas", "1. Område A",
                            "2. Område B", "Co-occurrence of codes", "Saved queries",
                            "Appendix: Codebook", "Appendix: Memos"]
    else:
        page = path.read_text(encoding="utf-8")
        assert '<html lang="en">' in page
        # self-contained: every figure inside the page, nothing fetched
        assert page.count('src="data:image/png;base64,') == len(info["figures"]) == 3
        assert not re.search(r'(src|href)="(https?:)?//', page)
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
    wording = _study_wording(study_store)
    assert len(wording) > 100  # the check has something to find
    assert "Materialet består av 3 intervjuer med 4 informanter ved 2 skoler" in \
        "\n".join(wording)
    leaked = sorted(s for s in wording if s in text)
    assert leaked == []
    # the English sentences, and the data in their own words
    assert "The material consists of 3 interviews with 4 informants at 2 schools" in text
    assert "Område A is coded in 3 passages from 3 interviews, with 4 informants." in text
    assert "A principal at an upper secondary school" in text
    assert "Det er viktig for oss." in text  # a quote stays as it was said
    assert "14 March 2022" in text
    # the study's attributes by their English names, an English percent sign
    assert "Extent by role and school type" in text
    assert "by rolle" not in text and "skoleslag" not in text
    assert not re.search(r"\d %", text)


def test_the_study_report_is_written_as_html_and_in_english_from_the_command_line(
        study_store, tmp_path, cli):
    page = tmp_path / "rapport.html"
    code, out, err = cli("export", "report", str(page), "--rows", "fam", "--language", "en",
                         project=study_store.path)
    assert code == 0, err
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Method and data" in text
    code, _, err = cli("export", "report", str(tmp_path / "rapport.docx"), "--rows", "fam",
                       "--language", "de", project=study_store.path)
    assert code != 0 and "de" in err
    code, _, err = cli("export", "report", str(tmp_path / "rapport.pdf"),
                       project=study_store.path)
    assert code != 0 and ".docx or .html" in err


def test_the_matrix_as_a_word_table_in_english(study_store, tmp_path):
    from qualcode.reports.matrix import write_matrix_docx
    from qualcode.services.matrix import build_matrix

    m = build_matrix(study_store, depth=0, columns=["rolle"], quotes=1)
    for language in ("nb", "en"):
        write_matrix_docx(m, ["references", "quotes"], tmp_path / f"{language}.docx",
                          language=language)
    texts = {}
    for language in ("nb", "en"):
        document = docx.Document(str(tmp_path / f"{language}.docx"))
        texts[language] = "\n".join(
            [p.text for p in document.paragraphs]
            + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "Tabell 1. Kodede utdrag." in texts["nb"] and "Alle radene" in texts["nb"]
    assert "Table 1. Coded passages." in texts["en"] and "All rows (merged)" in texts["en"]
    nb_only = _lines(texts["nb"]) - _lines(texts["en"])
    assert [s for s in nb_only if len(s) >= 12 and s in texts["en"]] == []
    assert "Kodematrise" not in texts["en"] and "Totalt" not in texts["en"]
