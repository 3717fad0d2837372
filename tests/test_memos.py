"""Analytic memos on codes, transcripts, informants, schools and the project: written,
listed, searched, edited in an editor, removed, and every change in the audit log."""

from __future__ import annotations

import json
import stat

import pytest

from qualcode.domain.errors import InputFileError, NotFoundError, QualcodeError
from qualcode.services.log import read_log
from qualcode.services.memos import add_memo, edit_memo, get_memo, list_memos


def test_memos_on_each_kind_of_thing_are_listed_newest_first(example):
    a = add_memo(example, "code:LED", "Ledelse handler mest om forankring hos eier.")
    b = add_memo(example, "transcript:nordvik_rektor", "Rektor snakker lenge om tid.",
                 title="Tid")
    c = add_memo(example, "project", "Dag 3: begynte å kode Vestbo.")
    assert [m["id"] for m in list_memos(example)] == [c, b, a]
    assert [m["about"] for m in list_memos(example, "code:LED")] == ["code:LED"]
    assert [m["id"] for m in list_memos(example, "project")] == [c]
    assert [m["id"] for m in list_memos(example, search="FORANKRING")] == [a]
    assert get_memo(example, b)["title"] == "Tid"


def test_a_memo_on_something_that_does_not_exist_suggests_the_nearest(example):
    with pytest.raises(NotFoundError, match="no code 'LED.forankring_eir'.*did you mean "
                                            "'LED.forankring_eier'"):
        add_memo(example, "code:LED.forankring_eir", "x")
    with pytest.raises(InputFileError, match="names nothing a memo can be about"):
        add_memo(example, "skole:nordvik", "x")
    with pytest.raises(InputFileError, match="the memo is empty"):
        add_memo(example, "project", "  \n")
    assert list_memos(example) == []


def test_editing_and_removing_are_audited(example):
    pk = add_memo(example, "site:nordvik_u", "Liten skole, rådgiver i 40 %.")
    edit_memo(example, pk, "Liten skole, rådgiver i 50 %.")
    assert get_memo(example, pk)["text"] == "Liten skole, rådgiver i 50 %."
    edit_memo(example, pk, "")
    with pytest.raises(NotFoundError, match=f"no memo #{pk}"):
        get_memo(example, pk)
    assert [e["action"] for e in read_log(example, entity="memo")] == [
        "remove", "update", "add"]


def test_the_command_writes_in_the_editor_and_lists_as_json(example, cli, tmp_path,
                                                             monkeypatch):
    editor = tmp_path / "skriv.sh"  # an "editor" that writes a memo into the file
    editor.write_text('#!/bin/sh\nprintf "Skrevet i editoren.\\n" > "$1"\n', encoding="utf-8")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    code, out, err = cli("memo", "add", "code:KOM", project=example.path)
    assert code == 0, err
    code, out, _ = cli("memo", "list", "-f", "json", project=example.path)
    (memo,) = json.loads(out)
    assert memo["about"] == "code:KOM" and memo["text"] == "Skrevet i editoren."
    code, out, _ = cli("memo", "show", str(memo["id"]), project=example.path)
    assert "Skrevet i editoren." in out
    code, _, err = cli("memo", "show", "999", project=example.path)
    assert code == 1 and "no memo #999" in err


def test_search_is_loose_about_case_and_norwegian_letters(example):
    import unicodedata

    hit = add_memo(example, "person:nordvik_rektor", "Rådgiveren Kari bærer ansvaret alene.")
    add_memo(example, "project", "Dag 4: Ola på Vestbø ville ikke snakke om tid.")
    for needle in ("RÅDGIVEREN", "raadgiveren", "radgiver", "baerer",
                   unicodedata.normalize("NFD", "bærer ansvaret")):  # æ as a + combining ring
        assert [m["id"] for m in list_memos(example, search=needle)] == [hit], needle
    assert list_memos(example, search="rådgiverne") == []


def test_listing_by_kind_and_for_other_programs(example, cli):
    code = add_memo(example, "code:LED", "Forankring hos eier.")
    add_memo(example, "code:KOM", "Samarbeid med NAV.")
    add_memo(example, "site:nordvik_u", "Liten skole.")
    journal = add_memo(example, "project", "Dag 1: kodet Nordvik.", title="Journal")
    assert [m["about"] for m in list_memos(example, "code")] == ["code:KOM", "code:LED"]
    assert [m["id"] for m in list_memos(example, "PROJECT")] == [journal]
    with pytest.raises(InputFileError, match="names nothing a memo can be about"):
        list_memos(example, "skole")
    _, out, err = cli("memo", "list", "--on", "code", "--search", "forankring", "-f", "json",
                      project=example.path)
    assert [m["id"] for m in json.loads(out)] == [code], err
    _, out, _ = cli("memo", "list", "--on", "project", "-f", "csv", project=example.path)
    lines = out.splitlines()
    assert lines[0] == "id,about,author,title,text,created,updated"
    assert lines[1].startswith(f"{journal},project,")
    assert "Journal,Dag 1: kodet Nordvik." in lines[1]
    code_, _, err = cli("memo", "list", "--on", "skole", project=example.path)
    assert code_ == 1 and "names nothing a memo can be about" in err


def test_a_memo_is_text_as_a_coding_memo_is(example):
    decomposed = "Ra\u030adgiver i 40 %\r\nmer neste år."  # "å" as a + ring, Windows line end
    pk = add_memo(example, "site:nordvik_u", decomposed, title="Sta\u030ad")
    memo = get_memo(example, pk)
    assert memo["text"] == "Rådgiver i 40 %\nmer neste år." and memo["title"] == "Ståd"
    assert [m["id"] for m in list_memos(example, search="Rådgiver")] == [pk]
    for write in (lambda text: add_memo(example, "project", text),
                  lambda text: edit_memo(example, pk, text)):
        with pytest.raises(QualcodeError, match=r"a memo cannot hold the control character "
                                                r"\\x1b \(at character 1\)"):
            write("\x1b[31mRektor\x1b[0m sier ja.")
    edit_memo(example, pk, "Ole\u0301 og Kari\ttok\r\nnotat.")
    assert get_memo(example, pk)["text"] == "Olé og Kari\ttok\nnotat."
    assert [m["id"] for m in list_memos(example)] == [pk]
