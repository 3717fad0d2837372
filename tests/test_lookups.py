"""A name the project lacks is an error with the closest name it has, in every command
that looks one up: a typo in a code, transcript, coder, case, attribute or origin must
never read as an empty result (issue 14, the first hour)."""

import pytest

LOOKUPS = [
    # (command line, the name typed, the name meant)
    (["quotes", "LED.forankring_eir"], "LED.forankring_eir", "LED.forankring_eier"),
    (["quotes", "LED", "--coder", "ana"], "ana", "anna"),
    (["quotes", "LED", "--coder", "Anna"], "Anna", "anna"),
    (["quotes", "LED", "--transcript", "nordvik_rektr"], "nordvik_rektr", "nordvik_rektor"),
    (["query", "LED", "--coders", "bjrn"], "bjrn", "bjorn"),
    (["coding", "list", "--coder", "ana"], "ana", "anna"),
    (["coding", "list", "--origin", "manul"], "manul", "manual"),
    (["coding", "list", "--code", "LED.forankrng"], "LED.forankrng", "LED.forankring_eier"),
    (["coding", "export", "--coder", "anan", "out.csv"], "anan", "anna"),
    (["show", "nordvik_rektr"], "nordvik_rektr", "nordvik_rektor"),
    (["matrix", "--coder", "ana"], "ana", "anna"),
    (["matrix", "--cols", "skoleslg"], "skoleslg", "skoleslag"),
    (["cooccur", "--coder", "ana"], "ana", "anna"),
    (["frequencies", "--coder", "ana"], "ana", "anna"),
    (["agreement", "--coders", "anna,bjrn"], "bjrn", "bjorn"),
    (["words", "--by", "rolel"], "rolel", "rolle"),
    (["summary", "set", "LED.forankrng", "--site", "nordvik_u", "Et sammendrag."],
     "LED.forankrng", "LED.forankring_eier"),
    (["summary", "set", "LED.forankring_eier", "--site", "nordvk_u", "Et sammendrag."],
     "nordvk_u", "nordvik_u"),
]


@pytest.mark.parametrize(("args", "typed", "meant"), LOOKUPS,
                         ids=[" ".join(a[:3]) for a, _, _ in LOOKUPS])
def test_a_mistyped_name_is_refused_with_the_name_meant(example, tmp_path, cli, args, typed,
                                                        meant):
    code, out, err = cli(*args, project=tmp_path / "example.db")
    assert code == 1, out
    line = err.strip()
    assert line.startswith("error: no ") and f"'{typed}'" in line, line
    assert line.endswith(f"did you mean '{meant}'?"), line
    assert len(line.splitlines()) == 1


def test_a_name_with_nothing_close_says_where_the_names_are(example, tmp_path, cli):
    code, _, err = cli("quotes", "LED", "--coder", "zzzzzz", project=tmp_path / "example.db")
    assert code == 1
    assert err.strip() == "error: no coder named 'zzzzzz' — coders: anna, bjorn"


def test_a_coder_without_codings_is_not_offered_as_the_coder_meant(example, tmp_path, cli):
    """`coding export --coder X` when X exists but coded nothing: the hint lists the
    coders, it does not suggest X to itself."""
    from qualcode.services.common import get_or_create_coder

    with example.write() as session:
        get_or_create_coder(session, "carl")
    code, _, err = cli("coding", "export", "--coder", "carl", "out.csv",
                       project=tmp_path / "example.db")
    assert code == 1
    assert "did you mean 'carl'" not in err and "coders: anna, bjorn, carl" in err
