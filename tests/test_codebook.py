"""The codebook: validation with exact line numbers, and what a sync would change."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import (
    Codebook,
    ExistingCode,
    Problem,
    blocked_message,
    parse_codebook,
    plan_sync,
)

ROOT = Path(__file__).resolve().parent.parent
CODEBOOK = ROOT / "codebooks" / "kvalitetsmodellen.yaml"
TOP_LEVEL = ["UTB", "LED", "ETI", "TIL", "RAM", "KOM", "KUN", "NET", "BEG", "KRV", "NIVAA",
             "KVAL", "KONTEKST"]


def parse(text: str) -> tuple[Codebook | None, list[Problem]]:
    return parse_codebook(text, "cb.yaml")


def found(problems: list[Problem]) -> list[tuple[str, int | None, str]]:
    return [(p.severity, p.line, p.message) for p in problems]


def valid(text: str) -> Codebook:
    codebook, problems = parse(text)
    assert codebook is not None, problems
    assert [p for p in problems if p.severity == "error"] == []
    return codebook


# --- the real codebook -----------------------------------------------------------------

@pytest.fixture(scope="module")
def real() -> tuple[Codebook | None, list[Problem], str]:
    text = CODEBOOK.read_text(encoding="utf-8")
    codebook, problems = parse_codebook(text, str(CODEBOOK))
    return codebook, problems, text


def test_real_codebook_validates_cleanly(real):
    """The shipped Kvalitetsmodellen codebook has no errors and no warnings."""
    codebook, problems, _ = real
    assert problems == []
    assert codebook is not None
    assert codebook.name == "kvalitetsmodellen"
    assert codebook.version == 1
    assert codebook.language == "nb"


def test_real_codebook_top_level_order(real):
    """Top-level codes come in the model's order: UTB, the seven areas, then the rest."""
    codebook, _, _ = real
    assert [c.id for c in codebook.children_of(None)] == TOP_LEVEL


def test_real_codebook_children(real):
    """UTB and the seven innsatsområder hold 82 child codes, each prefixed by its parent."""
    codebook, _, _ = real
    assert sum(len(codebook.children_of(code)) for code in TOP_LEVEL[:8]) == 82
    assert {c: len(codebook.children_of(c)) for c in TOP_LEVEL[:8]} == {
        "UTB": 9, "LED": 9, "ETI": 9, "TIL": 12, "RAM": 12, "KOM": 11, "KUN": 5, "NET": 15,
    }
    for code in codebook.codes:
        if code.parent:
            assert code.id.startswith(code.parent + ".")
    assert [c.order for c in codebook.codes] == list(range(len(codebook.codes)))
    assert len(codebook.by_id()) == len(codebook.codes)


def test_real_codebook_exclusive_families(real):
    """Only the quality-level and quality-type families are mutually exclusive."""
    codebook, _, _ = real
    assert [c.id for c in codebook.codes if c.exclusive] == ["NIVAA", "KVAL"]


def test_real_codebook_lines_point_at_the_code(real):
    """A code's line is the '- id:' line in the file, so messages point users there."""
    codebook, _, text = real
    lines = text.splitlines()
    by_id = codebook.by_id()
    for code_id in ("UTB", "NIVAA", "KONTEKST", "UTB.riktig_valg"):
        line = by_id[code_id].line
        assert lines[line - 1].strip() == f"- id: {code_id}"
    assert by_id["UTB"].line == 25


# --- validation problems, each with its line -------------------------------------------

def test_yaml_syntax_error_line():
    codebook, problems = parse("codebook: t\ncodes:\n  - id: A\n    label: Alfa: beta\n"
                               "    description: d\n")
    assert codebook is None
    assert found(problems) == [
        ("error", 4, "YAML syntax error: mapping values are not allowed here")]
    assert str(problems[0]) == (
        "cb.yaml:4: error: YAML syntax error: mapping values are not allowed here")


def test_yaml_bad_indentation_line():
    codebook, problems = parse("codebook: t\ncodes:\n  - id: A\n    label: Alfa\n"
                               "   description: d\n")
    assert codebook is None
    assert [(p.severity, p.line) for p in problems] == [("error", 5)]
    assert problems[0].message.startswith("YAML syntax error")


def test_duplicate_id_names_the_first_line():
    codebook, problems = parse("""codebook: t
codes:
  - id: A
    label: Alfa
    description: d
  - id: B
    label: Beta
    description: d
    children:
      - id: A
        label: Alfa igjen
        description: d
""")
    assert codebook is None
    assert found(problems) == [
        ("error", 10, "code id 'A' is used twice (first at line 3)"),
    ]


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [("color", "colour"), ("lable", "label"), ("descripton", "description"),
     ("exlusive", "exclusive")],
)
def test_unknown_key_with_suggestion(key, suggestion):
    codebook, problems = parse(f"codebook: t\ncodes:\n  - id: A\n    label: Alfa\n"
                               f"    description: d\n    {key}: x\n")
    assert codebook is None
    assert found(problems) == [
        ("error", 6, f"unknown key '{key}' (did you mean '{suggestion}'?)")]


def test_unknown_top_level_key():
    codebook, problems = parse("codebook: t\nversjon: 2\ncodes:\n  - id: A\n    label: A\n"
                               "    description: d\n")
    assert codebook is None
    assert found(problems) == [("error", 2, "unknown key 'versjon' (did you mean 'version'?)")]


def test_missing_label():
    codebook, problems = parse("codebook: t\ncodes:\n  - id: A\n    label: A\n    description: d\n"
                               "  - id: B\n    description: d\n")
    assert codebook is None
    assert found(problems) == [("error", 6, "code 'B' has no label")]


def test_bad_id_with_norwegian_letter():
    codebook, problems = parse("codebook: t\ncodes:\n  - id: KRÆV\n    label: Krav\n"
                               "    description: d\n")
    assert codebook is None
    assert found(problems) == [
        ("error", 3, "id 'KRÆV' must be ASCII letters, digits, '_' and '.', starting with a "
         "letter (write å as aa, ø as o, æ as ae)")]


def test_parent_pointing_to_unknown_code():
    codebook, problems = parse("codebook: t\ncodes:\n  - id: A\n    label: A\n    description: d\n"
                               "  - id: Z.b\n    label: B\n    description: d\n    parent: Z\n")
    assert codebook is None
    assert found(problems) == [("error", 6, "'Z.b' has parent 'Z', which is not in the codebook")]


def test_explicit_parent_is_accepted():
    codebook = valid("codebook: t\ncodes:\n  - id: A\n    label: A\n    description: d\n"
                     "  - id: A.b\n    label: B\n    description: d\n    parent: A\n")
    assert [(c.id, c.parent) for c in codebook.codes] == [("A", None), ("A.b", "A")]


def test_parent_cycle():
    codebook, problems = parse("""codebook: t
codes:
  - id: A
    label: A
    description: d
    parent: B
  - id: B
    label: B
    description: d
    parent: A
""")
    assert codebook is None
    assert [p for p in found(problems) if p[0] == "error"] == [
        ("error", 3, "'A' is its own ancestor (parent cycle)"),
        ("error", 7, "'B' is its own ancestor (parent cycle)"),
    ]


def test_was_naming_a_code_still_present():
    codebook, problems = parse("codebook: t\ncodes:\n  - id: A\n    label: A\n    description: d\n"
                               "  - id: B\n    label: B\n    description: d\n    was: A\n")
    assert codebook is None
    assert found(problems) == [
        ("error", 6, "'B' says was: A, but 'A' is still in the codebook (remove it, or drop the "
         "was:)")]


def test_duplicate_key_inside_one_code():
    codebook, problems = parse("codebook: t\ncodes:\n  - id: A\n    label: A\n    description: d\n"
                               "    label: A2\n")
    assert codebook is None
    assert found(problems) == [("error", 6, "key 'label' appears twice in one code")]


def test_empty_description_is_only_a_warning():
    """A code without a description still loads; the user is warned."""
    codebook, problems = parse("codebook: t\ncodes:\n  - id: A\n    label: A\n    description: d\n"
                               "  - id: B\n    label: B\n    description: ''\n")
    assert codebook is not None
    assert [c.id for c in codebook.codes] == ["A", "B"]
    assert found(problems) == [("warning", 6, "code 'B' has an empty description")]


def test_all_problems_are_reported_not_just_the_first():
    """One pass lists every problem, so users fix the file in one go."""
    codebook, problems = parse("""codebook: t
codes:
  - id: A
    lable: Alfa
    description: d
  - id: Bø
    label: B
    description: d
  - id: C
    label: C
    color: "#ffffff"
    description: d
    parent: Z
  - id: A
    label: A igjen
""")
    assert codebook is None
    assert sorted(found(problems), key=lambda p: (p[1], p[0], p[2])) == [
        ("error", 3, "code 'A' has no label"),
        ("error", 4, "unknown key 'lable' (did you mean 'label'?)"),
        ("error", 6, "id 'Bø' must be ASCII letters, digits, '_' and '.', starting with a "
         "letter (write å as aa, ø as o, æ as ae)"),
        ("error", 9, "'C' has parent 'Z', which is not in the codebook"),
        ("error", 11, "unknown key 'color' (did you mean 'colour'?)"),
        ("error", 14, "code id 'A' is used twice (first at line 3)"),
        ("warning", 14, "code 'A' has an empty description"),
    ]


def test_problems_below_a_code_without_id_are_reported():
    """A missing id on a parent does not hide the mistakes in its children."""
    codebook, problems = parse("""codebook: t
codes:
  - label: Uten id
    description: d
    children:
      - id: X.a
        lable: A
        description: d
""")
    assert codebook is None
    assert sorted(p for p in found(problems) if p[0] == "error") == [
        ("error", 3, "code without 'id:'"),
        ("error", 6, "code 'X.a' has no label"),
        ("error", 7, "unknown key 'lable' (did you mean 'label'?)"),
    ]


def test_value_checks():
    codebook, problems = parse("codebook: t\ncodes:\n  - id: A\n    label: A\n    description: d\n"
                               "    exclusive: ja\n    colour: red\n    source: paper\n")
    assert codebook is None
    assert sorted(found(problems)) == [
        ("error", 6, "'exclusive' of 'A' must be true or false"),
        ("error", 7, "colour 'red' must look like #1f77b4"),
        ("error", 8, "source 'paper' is not one of extra, finding, framework, inductive"),
    ]


def test_missing_name_and_empty_codes():
    codebook, problems = parse("codes: []\n")
    assert codebook is None
    assert found(problems) == [
        ("error", 1, "missing 'codebook:' (a short name, e.g. kvalitetsmodellen)"),
        ("error", 1, "'codes:' must be a non-empty list of codes"),
    ]


# --- plan_sync -------------------------------------------------------------------------

BASE = """codebook: t
codes:
  - id: A
    label: Alfa
    description: d
  - id: B
    label: Beta
    description: d
  - id: C
    label: Gamma
    description: d
"""


def existing(codebook: Codebook, codings: dict[str, dict[str, int]] | None = None):
    """The project's codes as they are after loading ``codebook``."""
    codings = codings or {}
    return [ExistingCode(c.id, c.parent, c.archived, c.synced_values(), codings.get(c.id, {}))
            for c in codebook.codes]


def test_loading_into_an_empty_project_adds_everything():
    plan = plan_sync(valid(BASE), [])
    assert plan.added == ["A", "B", "C"]
    assert not plan.is_noop


def test_same_codebook_twice_is_a_noop():
    codebook = valid(BASE)
    plan = plan_sync(codebook, existing(codebook, {"A": {"anna": 3}}))
    assert plan.is_noop
    assert (plan.added, plan.renamed, plan.merged, plan.changed, plan.removed, plan.blocked) == (
        [], [], [], [], [], [])


def test_real_codebook_twice_is_a_noop(real):
    codebook, _, _ = real
    assert plan_sync(codebook, existing(codebook)).is_noop


def test_new_codes_are_added():
    base = valid(BASE)
    plan = plan_sync(valid(BASE + "  - id: D\n    label: Delta\n    description: d\n"
                           "    children:\n      - id: D.x\n        label: X\n"
                           "        description: d\n"), existing(base))
    assert plan.added == ["D", "D.x"]
    assert plan.renamed == plan.merged == plan.changed == plan.removed == plan.blocked == []


def test_was_renames_without_add_or_remove():
    """'was: B' on a new id carries B (and its codings) over; nothing is added or removed."""
    base = valid(BASE)
    renamed = valid(BASE.replace("  - id: B\n", "  - id: B2\n    was: B\n"))
    plan = plan_sync(renamed, existing(base, {"B": {"anna": 4}}))
    assert plan.renamed == [("B", "B2")]
    assert plan.added == []
    assert plan.removed == []
    assert plan.blocked == []
    assert plan.merged == []
    assert plan.changed == []
    assert not plan.is_noop


def test_rename_is_a_noop_once_applied():
    renamed = valid(BASE.replace("  - id: B\n", "  - id: B2\n    was: B\n"))
    assert plan_sync(renamed, existing(renamed)).is_noop


def test_was_list_merges_into_existing_target():
    """'was: [B, C]' on an existing code merges both, with their coding counts."""
    base = valid(BASE)
    merged = valid("codebook: t\ncodes:\n  - id: A\n    label: Alfa\n    description: d\n"
                   "    was: [B, C]\n")
    plan = plan_sync(merged, existing(base, {"B": {"anna": 3, "bjorn": 1}, "C": {"anna": 2}}))
    assert plan.merged == [("B", "A", 4), ("C", "A", 2)]
    assert plan.renamed == []
    assert plan.added == []
    assert plan.removed == []
    assert plan.blocked == []


def test_was_list_on_new_code_renames_first_and_merges_the_rest():
    base = valid(BASE)
    merged = valid("codebook: t\ncodes:\n  - id: A\n    label: Alfa\n    description: d\n"
                   "  - id: D\n    label: Beta\n    description: d\n    was: [B, C]\n")
    plan = plan_sync(merged, existing(base, {"C": {"anna": 2}}))
    assert plan.renamed == [("B", "D")]
    assert plan.merged == [("C", "D", 2)]
    assert plan.added == []
    assert plan.removed == []


def test_removed_code_with_codings_is_blocked():
    """Dropping a code that has codings is refused, naming the code and counts per coder."""
    base = valid(BASE)
    without_b = valid(BASE.replace("  - id: B\n    label: Beta\n    description: d\n", ""))
    plan = plan_sync(without_b, existing(base, {"B": {"bjorn": 1, "anna": 3}}))
    assert [c.id for c in plan.blocked] == ["B"]
    assert plan.blocked[0].n_codings == 4
    assert plan.removed == []
    assert blocked_message(plan, "cb.yaml") == (
        "cb.yaml leaves out code(s) that have codings: B (4 codings: anna 3, bjorn 1)")


def test_removed_code_without_codings_is_removed():
    base = valid(BASE)
    without_c = valid(BASE.replace("  - id: C\n    label: Gamma\n    description: d\n", ""))
    plan = plan_sync(without_c, existing(base, {"A": {"anna": 5}}))
    assert plan.removed == ["C"]
    assert plan.blocked == []
    assert not plan.is_noop


def test_changed_label_is_reported():
    base = valid(BASE)
    plan = plan_sync(valid(BASE.replace("label: Gamma", "label: Gamma endret")), existing(base))
    assert plan.changed == [("C", ["label"])]
    assert plan.added == [] and plan.removed == []


def test_changed_fields_and_parent():
    base = valid(BASE)
    moved = valid(BASE.replace("  - id: C\n    label: Gamma\n    description: d\n",
                               "  - id: C\n    label: Gamma\n    description: ny\n"
                               "    colour: '#1f77b4'\n    parent: A\n"))
    assert plan_sync(moved, existing(base)).changed == [("C", ["description", "colour", "parent"])]


def test_archiving_and_unarchiving():
    base = valid(BASE)
    archived = valid(BASE.replace("label: Beta\n", "label: Beta\n    archived: true\n"))
    assert plan_sync(archived, existing(base)).archived == ["B"]
    assert plan_sync(base, existing(archived)).unarchived == ["B"]
