"""Agreement statistics against published worked examples and hand-derived arithmetic.

Every expected value below is either printed in the cited source (compared to the
precision it is printed with) or derived by hand in the comment next to it, in which case
the comparison is exact (as a fraction) or to 1e-12.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from qualcode.agreement import (
    CharAgreement,
    UndefinedCoefficient,
    binary_tally,
    bootstrap_interval,
    brennan_prediger,
    char_agreement,
    char_agreement_pooled,
    char_agreement_weighted_mean,
    cohen_kappa,
    confusion_matrix,
    continuum_confusion,
    cu_alpha,
    fleiss_kappa,
    fleiss_kappa_missing,
    gwet_ac1,
    k_u_alpha,
    krippendorff_alpha,
    percent_agreement,
    percentile_interval,
    scott_pi,
    u_alpha,
    u_alpha_2004,
    u_alpha_binary,
    u_alpha_binary_of_tallies,
)

N = None


def printed(value: float, decimals: int = 3):
    """Equal to ``value`` as printed with ``decimals`` decimals (half a unit either side)."""
    return pytest.approx(value, abs=0.5 * 10**-decimals)


def exact(value: Fraction | int):
    return pytest.approx(float(value), abs=1e-12)


def from_table(table: list[list[int]]) -> list[tuple[int, int]]:
    """Two-coder ratings from a contingency table: table[a][b] units rated (a, b)."""
    return [(a, b) for a, row in enumerate(table) for b, count in enumerate(row)
            for _ in range(count)]


# ---------------------------------------------------------------------------------------
# Krippendorff's alpha
# ---------------------------------------------------------------------------------------

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School
# for Communication, University of Pennsylvania, departmental paper 43.
# Example C: 4 observers (rows) x 12 units (columns), values 1-5, "." = missing.
# (Unit 12 has a single value, so which observer gave it does not affect any coefficient.)
OBSERVER_A = [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N]
OBSERVER_B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3]
OBSERVER_C = [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N]
OBSERVER_D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]
EXAMPLE_C = [list(unit) for unit in zip(OBSERVER_A, OBSERVER_B, OBSERVER_C, OBSERVER_D,
                                        strict=True)]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example_c_four_observers_missing_data(level, published):
    """Krippendorff (2011), section C-F: the same 4 x 12 data at four levels."""
    assert krippendorff_alpha(EXAMPLE_C, level) == printed(published)


def test_krippendorff_2011_example_a_binary_two_observers():
    """Krippendorff (2011), example A: binary data, 2 observers, 10 units, alpha = 0.095.

    By hand: o_00 = 10, o_11 = 2, o_01 = o_10 = 4; n_0 = 14, n_1 = 6, n = 20;
    alpha = 1 - (n - 1) o_01 / (n_0 n_1) = 1 - 19 * 4 / 84 = 2/21.
    """
    coder_a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    coder_b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    value = krippendorff_alpha(list(zip(coder_a, coder_b, strict=True)))
    assert value == printed(0.095)
    assert value == exact(Fraction(2, 21))


def test_krippendorff_2011_example_b_nominal_two_observers():
    """Krippendorff (2011), example B: nominal data, 2 observers (Ben, Gerry), alpha = 0.692.

    By hand: n = 24, sum o_cc = 18, sum n_c (n_c - 1) = 12 + 30 + 30 + 30 + 2 = 104;
    alpha = (23 * 18 - 104) / (24 * 23 - 104) = 310 / 448.
    """
    ben = list("aabbdcccedda")
    gerry = list("babbbccceddd")
    value = krippendorff_alpha(list(zip(ben, gerry, strict=True)))
    assert value == printed(0.692)
    assert value == exact(Fraction(310, 448))


def test_krippendorff_three_coders_missing_data_wikipedia_example():
    """Wikipedia, "Krippendorff's alpha", section "A computational example":
    3 coders x 15 units with missing values, nominal alpha = 0.691."""
    coder_a = [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3]
    coder_b = [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N]
    coder_c = [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4]
    ratings = [list(unit) for unit in zip(coder_a, coder_b, coder_c, strict=True)]
    assert krippendorff_alpha(ratings) == printed(0.691)


def test_krippendorff_alpha_on_gwet_abstractors_table():
    """Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.: 100 pregnant women
    classified by 2 abstractors (Ectopic / AIU / NIU).  Krippendorff's alpha = 0.797 as
    printed by Gwet's irrCAC package (krippen2.table on cont3x3abstractors)."""
    assert krippendorff_alpha(from_table(ABSTRACTORS)) == printed(0.797)


def test_ordinal_alpha_uses_explicit_order_for_labels():
    """Only the rank order matters to the ordinal metric: labels with an explicit order
    give the same alpha as the numbers 1-5 they stand for (Krippendorff 2011, 0.815)."""
    names = {1: "none", 2: "low", 3: "mid", 4: "high", 5: "max"}
    labelled = [[None if v is None else names[v] for v in unit] for unit in EXAMPLE_C]
    order = ["none", "low", "mid", "high", "max"]
    assert krippendorff_alpha(labelled, "ordinal", order=order) == printed(0.815)
    with pytest.raises(ValueError, match="not in `order`"):
        krippendorff_alpha(labelled, "ordinal", order=order[:-1])


def test_interval_alpha_needs_numbers_and_ratio_needs_non_negative():
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")
    with pytest.raises(ValueError, match="non-negative"):
        krippendorff_alpha([[-1, 2], [3, 3]], "ratio")
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2]], "circular")


def test_krippendorff_alpha_undefined_cases():
    # No unit has two values: nothing is pairable.
    with pytest.raises(UndefinedCoefficient, match="no unit has two"):
        krippendorff_alpha([[1, N], [N, 2]])
    # A single value everywhere: D_e = 0, alpha = 0/0.
    with pytest.raises(UndefinedCoefficient, match="same value"):
        krippendorff_alpha([["x", "x"], ["x", "x"]])
    with pytest.raises(UndefinedCoefficient):
        krippendorff_alpha([])


# ---------------------------------------------------------------------------------------
# Cohen, Scott, Fleiss, Brennan-Prediger, Gwet, percent agreement
# ---------------------------------------------------------------------------------------

# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed. (Advanced Analytics): the 3 x 3
# "abstractors" table.  Rows: abstractor 1, columns: abstractor 2.
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def test_cohen_kappa_wikipedia_worked_example():
    """Wikipedia, "Cohen's kappa", worked example: 50 proposals, yes/yes 20, yes/no 5,
    no/yes 10, no/no 15.  p_o = 0.7, p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4."""
    assert cohen_kappa(from_table([[20, 5], [10, 15]])) == exact(Fraction(2, 5))


def test_cohen_kappa_and_scott_pi_gwet_abstractors_table():
    """Gwet (2014) abstractors table; values as printed in the vignette of Gwet's irrCAC
    R package: Cohen's kappa 0.7964094, Scott's pi 0.7962397."""
    ratings = from_table(ABSTRACTORS)
    assert cohen_kappa(ratings) == printed(0.7964094, 7)
    assert scott_pi(ratings) == printed(0.7962397, 7)
    # Fleiss' kappa is Scott's pi generalised: identical for two coders, complete data.
    assert fleiss_kappa(ratings) == exact(Fraction(scott_pi(ratings)))


def test_ac1_brennan_prediger_percent_agreement_gwet_abstractors_table():
    """Gwet (2014) abstractors table: AC1 = 0.849, Brennan-Prediger = 0.835 (irrCAC
    gwet.ac1.table, bp2.table); percent agreement = (13 + 20 + 56) / 100 = 0.89."""
    ratings = from_table(ABSTRACTORS)
    assert gwet_ac1(ratings) == printed(0.849)
    assert brennan_prediger(ratings) == printed(0.835)
    assert percent_agreement(ratings) == exact(Fraction(89, 100))


def test_kappa_paradox_gwet_2008():
    """The high-agreement "kappa paradox" table Gwet (2008, British Journal of Mathematical
    and Statistical Psychology 61: 29-48) uses to motivate AC1: 125 subjects, both '+' 118,
    A '+' B '-' 5, A '-' B '+' 2, both '-' 0.  Quoted: percent agreement 0.944, kappa about
    -0.02, AC1 about 0.94.  The exact values below are derived by hand:

    p_o = 118/125 = 0.944.  Marginals: A '+' 123/125, B '+' 120/125.
    Cohen:  p_e = (123*120 + 2*5) / 125^2 = 14770/15625; kappa = -20/855 = -4/171.
    Scott:  pooled '+' share 243/250; p_e = (243/250)^2 + (7/250)^2;
            pi = (0.944 - 0.945568) / 0.054432 = -0.0288066.
    AC1:    p_e = 2 * (243/250) * (7/250) = 0.054432; AC1 = 0.889568 / 0.945568.
    Brennan-Prediger (q = 2): (0.944 - 0.5) / 0.5 = 0.888.
    """
    ratings = from_table([[118, 5], [2, 0]])
    assert percent_agreement(ratings) == exact(Fraction(118, 125))
    assert cohen_kappa(ratings) == printed(-0.02, 2)
    assert cohen_kappa(ratings) == exact(Fraction(-4, 171))
    assert scott_pi(ratings) == exact(Fraction(-7, 243))
    assert gwet_ac1(ratings) == printed(0.94, 2)
    assert gwet_ac1(ratings) == exact(Fraction(889568, 945568))
    assert brennan_prediger(ratings) == exact(Fraction(888, 1000))
    # With a 4-category coding scheme chance is 1/4: (0.944 - 0.25) / 0.75.
    assert brennan_prediger(ratings, n_categories=4) == exact(Fraction(694, 750))


def test_fleiss_kappa_wikipedia_worked_example():
    """Wikipedia, "Fleiss' kappa", worked example (not the data of Fleiss 1971 itself):
    10 subjects, 14 raters each, 5 categories; P_bar = 0.378, P_e = 0.213, kappa = 0.210."""
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    ratings = [[category for category, count in enumerate(row) for _ in range(count)]
               for row in table]
    assert fleiss_kappa(ratings) == printed(0.210)
    assert percent_agreement(ratings) == printed(0.378)


def test_gwet_multiple_raters_missing_data_handbook_example():
    """Gwet (2014), Handbook, 4th ed., p. 120: 4 raters x 12 units with missing ratings
    (Krippendorff's example C).  Printed by Gwet's irrCAC package (cac.raw4raters):
    p_a = 0.818, AC1 p_e = 0.190, AC1 = 0.775, Brennan-Prediger = 0.773.

    By hand: units 1-11 have >= 2 ratings; their shares of agreeing pairs are
    1, 1/2, 1, 1, 1, 0, 1, 1/2, 1, 1, 1 -> p_a = 9/11.
    pi_k = mean over all 12 units of the unit's share of ratings in k:
    pi_1 = 3/12, pi_2 = 3.25/12, pi_3 = 3.5/12, pi_4 = 1.25/12, pi_5 = 1/12;
    p_e = sum pi_k (1 - pi_k) / 4 = 0.1903212; AC1 = (9/11 - p_e) / (1 - p_e).
    Brennan-Prediger with the 5 observed categories: (9/11 - 1/5) / (4/5) = 17/22.
    """
    assert percent_agreement(EXAMPLE_C) == exact(Fraction(9, 11))
    pis = [Fraction(x) / 12 for x in ("3", "3.25", "3.5", "1.25", "1")]
    p_e = sum(p * (1 - p) for p in pis) / 4
    assert float(p_e) == printed(0.190)
    expected_ac1 = (Fraction(9, 11) - p_e) / (1 - p_e)
    assert gwet_ac1(EXAMPLE_C) == exact(expected_ac1)
    assert gwet_ac1(EXAMPLE_C) == printed(0.775)
    assert brennan_prediger(EXAMPLE_C) == exact(Fraction(17, 22))
    assert brennan_prediger(EXAMPLE_C) == printed(0.773)


def test_fleiss_kappa_missing_gwet_handbook_example():
    """Gwet (2014), Handbook, 4th ed., p. 120 (irrCAC's cac.raw4raters, the same 4 x 12
    data as Krippendorff's example C).  The README of Gwet's irrCAC R package prints for
    fleiss.kappa.raw(cac.raw4raters): pa = 0.8181818, pe = 0.2387153, kappa = 0.76117.

    By hand, with the pi_k of the AC1 example above: p_e = sum pi_k^2
    = (3^2 + 3.25^2 + 3.5^2 + 1.25^2 + 1^2) / 144 = 34.375 / 144.
    """
    pis = [Fraction(x) / 12 for x in ("3", "3.25", "3.5", "1.25", "1")]
    p_e = sum(p * p for p in pis)
    assert float(p_e) == printed(0.2387153, 7)
    assert fleiss_kappa_missing(EXAMPLE_C) == exact((Fraction(9, 11) - p_e) / (1 - p_e))
    assert fleiss_kappa_missing(EXAMPLE_C) == printed(0.76117, 5)
    # Fleiss' own design refuses these data; the generalisation is for them.
    with pytest.raises(ValueError, match="same number of ratings"):
        fleiss_kappa(EXAMPLE_C)


def test_fleiss_kappa_missing_is_fleiss_kappa_when_nothing_is_missing():
    """With the same number of ratings for every unit the generalisation is Fleiss' kappa:
    the Wikipedia worked example (kappa = 0.210) and the abstractors table, where Fleiss'
    kappa is Scott's pi (irrCAC scott2.table: 0.7962397)."""
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    ratings = [[category for category, count in enumerate(row) for _ in range(count)]
               for row in table]
    assert fleiss_kappa_missing(ratings) == exact(Fraction(fleiss_kappa(ratings)))
    assert fleiss_kappa_missing(ratings) == printed(0.210)
    abstractors = from_table(ABSTRACTORS)
    assert fleiss_kappa_missing(abstractors) == printed(0.7962397, 7)
    # Unrated rows are not units; a unit rated once enters chance agreement only.
    assert fleiss_kappa_missing(abstractors + [(None, None)]) == \
        fleiss_kappa_missing(abstractors)
    with pytest.raises(UndefinedCoefficient, match="two or more ratings"):
        fleiss_kappa_missing([["a", None], [None, "b"]])


def test_gwet_five_observers_handbook_example():
    """Gwet (2014), Handbook, 4th ed. (p. 125, shortened in irrCAC as raw_5observers):
    5 observers, 15 units, scores 0-3, many missing.  Printed by irrCAC: p_a = 0.616,
    AC1 = 0.497, Brennan-Prediger = 0.487, Krippendorff's alpha = 0.481."""
    ratings = [
        [1, 1, 2, N, 2], [1, 1, 0, 1, N], [2, 3, 3, 3, N], [N, 0, 0, N, 0],
        [0, 0, 0, N, 0], [0, 0, 0, N, 0], [1, 0, 2, N, 1], [1, N, 2, 0, N],
        [2, 2, 2, N, 2], [2, 1, 1, 1, N], [N, 1, 0, 0, N], [0, 0, 0, 0, N],
        [1, 2, 2, 2, N], [3, 3, 2, 2, 3], [1, 1, 1, N, 1],
    ]
    assert percent_agreement(ratings) == printed(0.616)
    assert gwet_ac1(ratings) == printed(0.497)
    assert brennan_prediger(ratings) == printed(0.487)
    assert krippendorff_alpha(ratings) == printed(0.481)


def test_two_coder_measures_drop_incomplete_units():
    """Cohen's kappa and Scott's pi use only units both coders rated (stated in their
    docstrings): adding units with a missing rating changes nothing."""
    complete = from_table([[20, 5], [10, 15]])
    with_missing = complete + [("x", None), (None, 1), (None, None)]
    assert cohen_kappa(with_missing) == cohen_kappa(complete)
    assert scott_pi(with_missing) == scott_pi(complete)


def test_undefined_chance_corrected_coefficients():
    one_category = [("yes", "yes")] * 5
    for function in (cohen_kappa, scott_pi, fleiss_kappa, fleiss_kappa_missing, gwet_ac1,
                     brennan_prediger):
        with pytest.raises(UndefinedCoefficient, match="undefined"):
            function(one_category)
    # A coding scheme with two categories makes AC1 and Brennan-Prediger defined:
    # p_a = 1, so both are 1.
    assert gwet_ac1(one_category, n_categories=2) == 1.0
    assert brennan_prediger(one_category, n_categories=2) == 1.0
    # No unit rated by both coders.
    with pytest.raises(UndefinedCoefficient, match="both coders"):
        cohen_kappa([("a", None), (None, "b")])
    with pytest.raises(UndefinedCoefficient, match="two or more ratings"):
        percent_agreement([["a", None, None]])


def test_invalid_ratings_raise_plain_value_errors():
    for bad_call in (
        lambda: cohen_kappa([("a", "b", "c")]),  # three coders
        lambda: krippendorff_alpha([["a", "b"], ["a"]]),  # ragged rows
        lambda: percent_agreement([[float("nan"), 1.0]]),  # NaN instead of None
        lambda: fleiss_kappa([["a", "a", "b"], ["a", "b", None]]),  # unequal r
        lambda: brennan_prediger([("a", "b"), ("c", "c")], n_categories=2),  # q too small
    ):
        with pytest.raises(ValueError) as caught:
            bad_call()
        assert not isinstance(caught.value, UndefinedCoefficient)


def test_fleiss_kappa_ignores_unrated_rows():
    """Rows with no rating at all are not units of Fleiss' design."""
    ratings = [["a", "a"], ["a", "b"], ["b", "b"]]
    assert fleiss_kappa(ratings + [[None, None]]) == fleiss_kappa(ratings)


# ---------------------------------------------------------------------------------------
# Unitizing alphas (Krippendorff, Mathet, Bouvry & Widlöcher 2016)
# ---------------------------------------------------------------------------------------
# The published worked example is Krippendorff's three-observer continuum (Content
# Analysis, 4th ed. 2019, section 12.6, Figure 12.11); the smaller examples after it are
# derived by hand from the formulas in the docstrings of u_alpha, u_alpha_binary,
# cu_alpha and k_u_alpha, with the arithmetic shown.


def _book_continuum(*units: tuple[int, int, str]) -> list[tuple[int, int, str]]:
    """The book numbers the 60 positions 1..60 and gives units as inclusive ranges;
    here spans are half-open and start at 0."""
    return [(first - 1, last, value) for first, last, value in units]


KRIPPENDORFF_2019_FIGURE_12_11 = {
    "Alex": _book_continuum((1, 7, "1"), (8, 13, "2"), (31, 32, "5"), (33, 37, "6"),
                            (38, 44, "6"), (45, 60, "7")),
    "Paul": _book_continuum((1, 7, "1"), (8, 13, "3"), (14, 21, "5"), (33, 44, "6")),
    "Suzan": _book_continuum((1, 7, "1"), (8, 13, "4"), (14, 21, "5"), (33, 37, "6"),
                             (38, 41, "6"), (42, 44, "6")),
}


def test_unitizing_family_reproduces_krippendorff_2019_worked_example():
    """Krippendorff, K. (2019). Content Analysis: An Introduction to Its Methodology,
    4th ed., Sage, section 12.6, Figure 12.11 (p. 340): three observers unitize and code a
    continuum of length 60.  Published: u-alpha = .510, |u-alpha = .413, cu-alpha = .724;
    (k)u-alpha = 1 for values 1, 5 and 6 and 0 for values 2, 3 and 4 (each used by one
    observer only where the others used another value); value 7 meets only gaps.

    The example has adjacent units of one value (Suzan's 33-37, 38-41, 42-44), so it
    checks that touching units stay separate units.  It also settles the three-observer
    reading of cu-alpha's self-pairing term: a unit's pairable length averaged over the
    other observers gives .7242 (published .724); its overlap with the union of the other
    observers' units would give .7283.

    Exact arithmetic gives |u-alpha = 0.41360, which the book prints as .413; the check
    allows that last printed digit to differ by one.
    """
    data = KRIPPENDORFF_2019_FIGURE_12_11
    assert round(u_alpha(60, data), 3) == 0.510
    assert u_alpha_binary(60, data) == pytest.approx(0.413, abs=0.001)
    assert round(cu_alpha(60, data), 3) == 0.724
    for value in ("1", "5", "6"):
        assert k_u_alpha(60, data, value) == 1.0
    for value in ("2", "3", "4"):
        assert k_u_alpha(60, data, value) == 0.0
    with pytest.raises(UndefinedCoefficient, match="'7'"):
        k_u_alpha(60, data, "7")


def _from_150(begin: int, length: int, category: str) -> tuple[int, int, str]:
    """The 2004 example's continuum starts at 150; here it starts at 0."""
    return (begin - 150, begin - 150 + length, category)


# Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed.,
# Sage, section 12.4, p. 254: two observers, a continuum from 150 of length 300, two
# categories c and k; units as (begin, length).
KRIPPENDORFF_2004_P254 = {
    "i": [_from_150(225, 70, "c"), _from_150(370, 30, "c"), _from_150(180, 60, "k"),
          _from_150(300, 50, "k")],
    "j": [_from_150(220, 80, "c"), _from_150(355, 20, "c"), _from_150(400, 20, "c"),
          _from_150(180, 60, "k"), _from_150(300, 50, "k")],
}


def test_u_alpha_2004_reproduces_krippendorff_2004_worked_example():
    """Krippendorff (2004), p. 254, as reproduced in DKPro Agreement's test of it
    (dkpro-statistics, Krippendorff2004Test): cD_o = .0144, cD_e = .0532,
    c alpha_U = .7286; kD_o = 0, kD_e = .0490, k alpha_U = 1; over both categories .8591.

    The combined .8591 is 1 - .0144 / (.0532 + .0490) from the four-digit disagreements;
    exact arithmetic gives 1 - 0.0144444 / (0.0532218 + 0.0489786) = .8587, which is
    what qualcode reports (within the .0005 DKPro allows)."""
    data = KRIPPENDORFF_2004_P254
    assert u_alpha_2004(300, data, category="c") == printed(0.7286, 4)
    assert u_alpha_2004(300, data, category="k") == 1.0
    assert u_alpha_2004(300, data) == pytest.approx(0.8591, abs=0.0005)
    # The observed disagreement of c by hand: the overlapping units differ by
    # (225-220)^2 + (295-300)^2 = 50 and (370-355)^2 + (400-375)^2 = 850; j's unit
    # [400, 420) lies in i's gap [400, 450): 20^2 = 400.  cD_o = 2 * 1300 / (2 * 300^2).
    d_o = Fraction(2 * 1300, 2 * 300 * 300)
    assert float(d_o) == printed(0.0144, 4)
    # The 2019 binary alpha for c gives a different number for the same data.
    assert u_alpha_binary(300, data, category="c") != pytest.approx(0.7286, abs=0.01)


def test_u_alpha_2004_distance_cases_and_undefined():
    """DKPro's checks of the 2004 distance (Krippendorff2004Test.testDistanceMetric1):
    a unit within the other coder's gap counts its squared length; units that do not
    share a stretch with the other coder's unit do not add squared boundary differences."""
    # Two coders, one unit each, identical: no disagreement, alpha_U = 1.
    assert u_alpha_2004(20, [[(5, 11, "X")], [(5, 11, "X")]]) == 1.0
    # One coder codes [5, 11), the other nothing.  Observed: the unit lies in the other
    # coder's gap [0, 20): 2 * 6^2 / (2 * 1 * 20^2).  Expected: one unit (N_c = 1, so
    # no within-unit term); the gaps at least 6 long are 9 and 20, which fit it 4 and 15
    # ways: (2 / 20) * 36 * 19 / (2 * 20 * 39 - 6 * 5).
    d_o = Fraction(72, 800)
    d_e = Fraction(2, 20) * 36 * 19 / (2 * 20 * 39 - 30)
    assert u_alpha_2004(20, [[(5, 11, "X")], []], category="X") == exact(1 - d_o / d_e)
    with pytest.raises(UndefinedCoefficient, match="expected disagreement is 0"):
        u_alpha_2004(20, [[], []])
    with pytest.raises(ValueError):
        u_alpha_2004(20, [[(5, 30, "X")], []])


def test_u_alpha_two_coders_one_category_by_hand():
    """L = 10; coder A codes [2, 6), coder B codes [3, 7), both category x.

    Sections.  A: gap 2, x 4, gap 4.  B: gap 3, x 4, gap 3.  Code points:
    [0,2) gap/gap, [2,3) x/gap, [3,6) x/x, [6,7) gap/x, [7,10) gap/gap.
    Observed coincidences (m - 1 = 1, both orders): l_xx = 2*3 = 6, l_gg = 2*(2+3) = 10,
    l_xg = l_gx = 2; l.. = 20.  Marginals l_x = 8, l_g = 12.
    Self-pairing: S_x = 4^2 + 4^2 = 32, S_gap = 12 (gap length), S = 44;
    denominator = 20 - 44/20 = 17.8.
    e_xx = (64 - 32)/17.8, e_gg = (144 - 12)/17.8; sum = 164/17.8 = 820/89.
    D_o = 20 - 16 = 4; D_e = 20 - 820/89 = 960/89; u-alpha = 1 - 4*89/960 = 151/240.
    """
    coders = {"A": [(2, 6, "x")], "B": [(3, 7, "x")]}
    assert u_alpha(10, coders) == exact(Fraction(151, 240))
    # With one category, |u-alpha is the same coefficient.
    assert u_alpha_binary(10, coders) == exact(Fraction(151, 240))
    # cu-alpha compares categories of overlapping units: with one category it is 0/0.
    with pytest.raises(UndefinedCoefficient, match="expected disagreement is 0"):
        cu_alpha(10, coders)


def test_unitizing_family_two_categories_by_hand():
    """L = 30.  A: x [0,4), y [10,16), y [20,25).  B: x [0,4), x [12,18), y [20,25).

    Code points: [0,4) x/x, [4,10) gap/gap, [10,12) y/gap, [12,16) y/x, [16,18) gap/x,
    [18,20) gap/gap, [20,25) y/y, [25,30) gap/gap.
    Observed (both orders): l_xx = 8, l_yy = 10, l_gg = 2*(6+2+5) = 26, l_xy = l_yx = 4,
    l_yg = l_gy = 2, l_xg = l_gx = 2; l.. = 60.  Marginals: l_x = 14, l_y = 16, l_g = 30.

    u-alpha.  S_x = 16+16+36 = 68, S_y = 36+25+25 = 86, S_gap = 30, S = 184;
      denominator = 60 - 184/60 = 854/15.
      e_xx = 128*15/854, e_yy = 170*15/854, e_gg = 870*15/854; sum = 8760/427.
      D_o = 60 - (8 + 10 + 26) = 16; D_e = 60 - 8760/427 = 16860/427;
      u-alpha = 1 - 16*427/16860 = 2507/4215.
    |u-alpha.  Units: l_U = 30, S_U = 154; D_e = 2 l_g l_U / denominator
      = 2*30*30*15/854 = 13500/427; D_o = l_gU + l_Ug = 8;
      |u-alpha = 1 - 8*427/13500 = 2521/3375.
    |u-alpha for x only.  A: [0,4); B: [0,4), [12,18).  l_U = 14, l_g = 46; S = 68 + 46;
      denominator = 60 - 114/60 = 581/10; D_e = 2*46*14*10/581 = 12880/581;
      D_o = 2*6 = 12; alpha = 1 - 12*581/12880 = 211/460.
    cu-alpha.  Overlaps: x/x 4, y/x 4, y/y 5; l*_xx = 8, l*_yy = 10, l*_xy = l*_yx = 4,
      l*.. = 26.  Pairable lengths p_g: A 4, 4, 5; B 4, 4, 5 -> l*_x = 4+4+4 = 12,
      l*_y = 4+5+5 = 14; S*_x = 48, S*_y = 66; denominator = 26 - 114/26 = 281/13.
      e*_xx = 96*13/281, e*_yy = 130*13/281; sum = 2938/281.
      cu-alpha = 1 - (26 - 18)/(26 - 2938/281) = 1 - 8*281/4368 = 265/546.
    (k)u-alpha.  x: e*_.x = (12*26 - 48)*13/281 = 3432/281, e*_xx = 1248/281;
      1 - [(12 - 8)/12] / [(3432 - 1248)/3432] = 1 - (1/3)/(7/11) = 10/21.
      y: e*_.y = (14*26 - 66)*13/281 = 3874/281, e*_yy = 1690/281;
      1 - [(14 - 10)/14] / [2184/3874] = 1885/3822.
    """
    coders = {
        "A": [(0, 4, "x"), (10, 16, "y"), (20, 25, "y")],
        "B": [(0, 4, "x"), (12, 18, "x"), (20, 25, "y")],
    }
    assert u_alpha(30, coders) == exact(Fraction(2507, 4215))
    assert u_alpha_binary(30, coders) == exact(Fraction(2521, 3375))
    assert u_alpha_binary(30, coders, category="x") == exact(Fraction(211, 460))
    assert cu_alpha(30, coders) == exact(Fraction(265, 546))
    assert k_u_alpha(30, coders, "x") == exact(Fraction(10, 21))
    assert k_u_alpha(30, coders, "y") == exact(Fraction(1885, 3822))
    # A list of coders is accepted as well as a mapping.
    assert u_alpha(30, list(coders.values())) == u_alpha(30, coders)


def test_unitizing_three_coders_by_hand():
    """L = 10, m = 3.  A: x [0,4), y [6,10).  B: x [0,4), y [6,10).  C: y [0,4).

    Code points: [0,4) x/x/y, [4,6) gap/gap/gap, [6,10) y/y/gap.  Ordered pairs of
    different coders, divided by m - 1 = 2: l_xx = 4, l_xy = l_yx = 4, l_gg = 6, l_yy = 4,
    l_yg = l_gy = 4; l.. = 30.  Marginals l_x = 8, l_y = 12, l_g = 10.
    u-alpha: S_x = 32, S_y = 48, S_gap = 10, denominator = 30 - 90/30 = 27;
      e_xx = 32/27, e_yy = 96/27, e_gg = 90/27; D_o = 30 - 14 = 16,
      D_e = 30 - 218/27 = 592/27; u-alpha = 1 - 16*27/592 = 10/37.
    cu-alpha: l*.. = (3*2*4 + 2*1*4)/2 = 16, diagonal 4 + 4.  Pairable lengths p_g
      (overlap with the other coders' units / 2): A x 4, B x 4, C y 4, A y 2, B y 2;
      l*_x = 8, l*_y = 8; S*_x = 32, S*_y = 24; denominator = 16 - 56/16 = 12.5;
      e*_xx = 32/12.5, e*_yy = 40/12.5; cu-alpha = 1 - 8/(16 - 5.76) = 7/32.
    """
    coders = [
        [(0, 4, "x"), (6, 10, "y")],
        [(0, 4, "x"), (6, 10, "y")],
        [(0, 4, "y")],
    ]
    assert u_alpha(10, coders) == exact(Fraction(10, 37))
    assert cu_alpha(10, coders) == exact(Fraction(7, 32))


def test_unitizing_boundary_cases():
    identical = {"A": [(0, 4, "x"), (10, 16, "y")], "B": [(0, 4, "x"), (10, 16, "y")]}
    assert u_alpha(20, identical) == 1.0
    assert u_alpha_binary(20, identical) == 1.0
    assert cu_alpha(20, identical) == 1.0
    assert k_u_alpha(20, identical, "y") == 1.0

    # A coder with no units.  L = 10, A codes [2,6), B nothing.  l_xg = l_gx = 4,
    # l_gg = 12; l_x = 4, l_g = 16; S_x = 16, S_gap = 16, denominator = 20 - 32/20 = 18.4;
    # e_xx = 0, e_gg = 240/18.4; D_o = 8, D_e = 128/18.4; alpha = 1 - 8*18.4/128 = -0.15.
    assert u_alpha(10, {"A": [(2, 6, "x")], "B": []}) == exact(Fraction(-3, 20))
    with pytest.raises(UndefinedCoefficient, match="no unit of one coder overlaps"):
        cu_alpha(10, {"A": [(2, 6, "x")], "B": []})

    # Completely disjoint units.  L = 10, A [0,5), B [5,10): every code point disagrees.
    # l_xg = l_gx = 10; l_x = l_g = 10; S_x = 50, S_gap = 10, denominator = 20 - 3 = 17;
    # e_xx = 50/17, e_gg = 90/17; D_o = 20, D_e = 200/17; alpha = 1 - 1.7 = -0.7.
    disjoint = {"A": [(0, 5, "x")], "B": [(5, 10, "x")]}
    assert u_alpha(10, disjoint) == exact(Fraction(-7, 10))
    with pytest.raises(UndefinedCoefficient):
        cu_alpha(10, disjoint)
    with pytest.raises(UndefinedCoefficient, match="x"):
        k_u_alpha(10, disjoint, "x")

    # Nobody coded anything: no variation, u-alpha = 0/0.
    with pytest.raises(UndefinedCoefficient):
        u_alpha(10, {"A": [], "B": []})
    with pytest.raises(UndefinedCoefficient):
        u_alpha_binary(10, {"A": [], "B": []})


def test_unitizing_merges_overlapping_spans_of_one_category_but_not_touching_ones():
    """Overlapping spans [2,4) and [3,6) of one coder become the unit [2,6), giving the
    151/240 of the first unitizing test.  Touching spans [2,4) and [4,6) stay two units:
    the code points agree as before (D_o = 4) but S_x = 4 + 4 + 16 = 24, denominator =
    20 - 36/20 = 18.2, D_e = 20 - (40 + 132)/18.2 = 192/18.2, alpha = 1 - 72.8/192
    = 149/240."""
    b = [(3, 7, "x")]
    assert u_alpha(10, {"A": [(2, 4, "x"), (3, 6, "x")], "B": b}) == exact(Fraction(151, 240))
    assert u_alpha(10, {"A": [(2, 4, "x"), (4, 6, "x")], "B": b}) == exact(Fraction(149, 240))


def test_unitizing_overlapping_categories():
    """u_alpha needs disjoint units per coder; the binary alpha merges them instead."""
    overlapping = {"A": [(0, 6, "x"), (4, 10, "y")], "B": [(0, 10, "z"), (12, 14, "z")]}
    with pytest.raises(ValueError, match="overlap"):
        u_alpha(20, overlapping)
    with pytest.raises(ValueError, match="overlap"):
        cu_alpha(20, overlapping)
    merged = {"A": [(0, 10, "w")], "B": [(0, 10, "z"), (12, 14, "z")]}
    assert u_alpha_binary(20, overlapping) == u_alpha_binary(20, merged)


def test_unitizing_rejects_bad_input():
    for bad in ([(5, 5, "x")], [(-1, 3, "x")], [(3, 11, "x")], [(1, 2, 3, 4)]):
        with pytest.raises(ValueError):
            u_alpha(10, {"A": bad, "B": [(0, 2, "x")]})
    with pytest.raises(ValueError, match="two coders"):
        u_alpha(10, {"A": [(0, 2, "x")]})


# ---------------------------------------------------------------------------------------
# Character agreement (NVivo's coding comparison)
# ---------------------------------------------------------------------------------------


def test_nvivo_documented_percentage_example():
    """NVivo help, "Run a coding comparison query", "How is the percentage agreement
    calculated?": 1000 characters, 50 coded by both, 150 by only one, 800 by neither ->
    (800 + 50) / 1000 = 85%."""
    table = char_agreement(1000, [(0, 200)], [(150, 200)])
    assert (table.both, table.a_only + table.b_only, table.neither) == (50, 150, 800)
    assert table.percent_agreement == 85.0


def test_char_agreement_by_hand():
    """Length 100; A codes [0, 40), B codes [20, 60).

    both = 20 ([20, 40)), A only = 20, B only = 20, neither = 40.
    Percent agreement = (20 + 40) / 100 * 100 = 60.
    Kappa: expected agreeing characters = (40 * 40 + 60 * 60) / 100 = 52;
    kappa = (60 - 52) / (100 - 52) = 8/48 = 1/6.
    """
    table = char_agreement(100, [(0, 40)], [(20, 60)])
    assert table == CharAgreement(length=100, both=20, a_only=20, b_only=20, neither=40)
    assert table.percent_agreement == 60.0
    assert table.kappa == exact(Fraction(1, 6))
    assert (table.prevalence_a, table.prevalence_b) == (0.4, 0.4)


def test_char_agreement_several_spans_per_coder():
    """Length 60; A codes [0,10), [20,30), [40,50) (30 characters), B codes [5,45) (40).

    both = 5 + 10 + 5 = 20, A only = 10, B only = 20, neither = 60 - 50 = 10.
    Percent = 30/60 * 100 = 50.  Expected agreeing characters = (30*40 + 30*20)/60 = 30,
    so kappa = (30 - 30) / (60 - 30) = 0.
    """
    table = char_agreement(60, [(0, 10), (20, 30), (40, 50)], [(5, 45)])
    assert table == CharAgreement(length=60, both=20, a_only=10, b_only=20, neither=10)
    assert table.percent_agreement == 50.0
    assert table.kappa == 0.0


def test_continuum_cost_does_not_grow_with_text_length():
    """The 100-character example stretched by 10**10 (a trillion code points): the
    character table scales exactly, so percent agreement and kappa are unchanged.  For
    u-alpha, stretching the first unitizing example by s gives D_o = 4s and
    denominator = 18.4s - 0.6, so u-alpha tends to 1 - 4 * 18.4 / 192 = 37/60.  Both would
    be out of reach for a per-character implementation."""
    s = 10**10
    table = char_agreement(100 * s, [(0, 40 * s)], [(20 * s, 60 * s)])
    assert table.percent_agreement == 60.0
    assert table.kappa == exact(Fraction(1, 6))
    stretched = {"A": [(2 * s, 6 * s, "x")], "B": [(3 * s, 7 * s, "x")]}
    assert u_alpha(10 * s, stretched) == pytest.approx(37 / 60, abs=1e-6)


def test_char_agreement_merges_a_coders_overlapping_spans():
    """A's spans [0, 30) and [10, 40) cover 40 characters, not 50; touching spans
    [0, 20) and [20, 40) cover the same 40."""
    reference = char_agreement(100, [(0, 40)], [(20, 60)])
    assert char_agreement(100, [(0, 30), (10, 40)], [(20, 60)]) == reference
    assert char_agreement(100, [(0, 20), (20, 40)], [(20, 60)]) == reference
    assert char_agreement(100, [(10, 40, "c"), (0, 30, "c")], [(20, 60, "c")]) == reference
    with pytest.raises(ValueError, match="one code"):
        char_agreement(100, [(0, 10, "c"), (20, 30, "d")], [])


def test_char_agreement_pooled_versus_nvivo_weighted_mean():
    """Source 1: the 100-character example above (kappa 1/6, 60%).  Source 2: 50
    characters, both coders code [0, 10): both 10, neither 40, kappa 1, 100%.

    NVivo convention (per source, weighted by size): kappa = (100/6 + 50) / 150 = 4/9;
    percent = (60 * 100 + 100 * 50) / 150 = 220/3.
    Pooled table: 150 characters, both 30, A only 20, B only 20, neither 80;
    coded A = coded B = 50; expected = (50*50 + 100*100) / 150^2 = 5/9;
    kappa = (110/150 - 5/9) / (4/9) = 2/5; percent = 110/150 * 100 = 220/3.
    """
    sources = [(100, [(0, 40)], [(20, 60)]), (50, [(0, 10)], [(0, 10)])]
    pooled = char_agreement_pooled(sources)
    assert pooled == CharAgreement(length=150, both=30, a_only=20, b_only=20, neither=80)
    assert pooled.kappa == exact(Fraction(2, 5))
    assert pooled.percent_agreement == exact(Fraction(220, 3))
    percent, kappa = char_agreement_weighted_mean(sources)
    assert kappa == exact(Fraction(4, 9))
    assert percent == exact(Fraction(220, 3))


def test_char_agreement_undefined_kappa():
    """Neither coder codes anything: 100% agreement, but kappa is 0/0."""
    table = char_agreement(50, [], [])
    assert table.percent_agreement == 100.0
    with pytest.raises(UndefinedCoefficient, match="expected agreement is 1"):
        _ = table.kappa
    with pytest.raises(UndefinedCoefficient):
        _ = char_agreement(0, [], []).percent_agreement
    with pytest.raises(UndefinedCoefficient):
        char_agreement_weighted_mean([(50, [], []), (10, [(0, 5)], [(0, 5)])])


# ---------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------


def test_bootstrap_percentile_rule_and_skipping():
    """The statistic ignores the resample and returns 0, 1, 4, 9, ... (k squared) on
    successive calls, raising UndefinedCoefficient on every third call.  Of n = 150
    resamples, 100 are defined, with values k^2 for k = 0..99.  Percentiles by linear
    interpolation between order statistics (type 7) at 0.05 and 0.95: positions
    99 * 0.05 = 4.95 and 99 * 0.95 = 94.05, so 16 + 0.95 * (25 - 16) = 24.55 and
    8836 + 0.05 * (9025 - 8836) = 8845.45."""
    calls = iter(range(10_000))
    defined = iter(range(10_000))

    def statistic(_resample):
        if next(calls) % 3 == 2:
            raise UndefinedCoefficient("undefined on this resample")
        return next(defined) ** 2

    low, high, n_used = bootstrap_interval(statistic, ["u1", "u2"], n=150, confidence=0.90)
    assert n_used == 100
    assert low == pytest.approx(24.55, abs=1e-9)
    assert high == pytest.approx(8845.45, abs=1e-9)

    # The percentile step alone, on the same 100 defined values in any order.
    values = [k ** 2 for k in range(100)]
    assert percentile_interval(values[::-1], 0.90) == (low, high, 100)
    with pytest.raises(ValueError):
        percentile_interval([], 0.90)


def test_bootstrap_resamples_transcripts_reproducibly():
    """Units are transcripts (lists of two-coder ratings); kappa is undefined on
    resamples containing only the all-'a' transcript, which are skipped and counted."""
    transcripts = [
        [("a", "a"), ("a", "a")],
        [("a", "b"), ("b", "b")],
        [("b", "b"), ("a", "a")],
    ]

    def kappa_of(resample):
        return cohen_kappa([row for transcript in resample for row in transcript])

    first = bootstrap_interval(kappa_of, transcripts, n=300, seed=2024)
    assert first == bootstrap_interval(kappa_of, transcripts, n=300, seed=2024)
    # P(all three draws are the all-'a' transcript) = 1/27: some resamples are skipped.
    assert 250 < first.n_used < 300
    assert -1.0 <= first.low <= first.high <= 1.0
    assert first != bootstrap_interval(kappa_of, transcripts, n=300, seed=7)


def test_bootstrap_errors():
    with pytest.raises(UndefinedCoefficient, match="all 5 resamples"):
        bootstrap_interval(lambda _: cohen_kappa([("a", "a")]), [1, 2], n=5)
    with pytest.raises(ValueError):
        bootstrap_interval(len, [], n=5)
    with pytest.raises(ValueError):
        bootstrap_interval(len, [1], n=5, confidence=1.0)


# ---------------------------------------------------------------------------------------
# Confusion between mutually exclusive categories
# ---------------------------------------------------------------------------------------


def test_confusion_matrix_gives_back_gwet_abstractors_table():
    """Gwet (2014) abstractors table: the cross-tabulation of the two abstractors is the
    published 3 x 3 table itself; its diagonal over its total is p_o = 0.89, from which the
    published Cohen's kappa 0.7964094 follows."""
    table = confusion_matrix(from_table(ABSTRACTORS))
    assert [[table.get((a, b), 0) for b in range(3)] for a in range(3)] == ABSTRACTORS
    # Units missing a rating are left out, as in Cohen's kappa.
    assert confusion_matrix(from_table(ABSTRACTORS) + [(0, None)]) == table
    with pytest.raises(UndefinedCoefficient):
        confusion_matrix([(None, 1)])


def test_continuum_confusion_by_hand():
    """L = 100.  Coder A: x [0, 40), y [50, 60).  Coder B: y [20, 60).
    [0, 20) x/none, [20, 40) x/y, [40, 50) none/y, [50, 60) y/y, [60, 100) none/none."""
    table = continuum_confusion(100, [(0, 40, "x"), (50, 60, "y")], [(20, 60, "y")])
    assert table == {("x", None): 20, ("x", "y"): 20, (None, "y"): 10, ("y", "y"): 10,
                     (None, None): 40}
    assert sum(table.values()) == 100
    # With one category the diagonal is NVivo's character agreement (coded by both or by
    # neither), as char_agreement computes it.
    one = continuum_confusion(100, [(0, 40, "x")], [(20, 60, "x")])
    assert (one[("x", "x")] + one[(None, None)]) == char_agreement(
        100, [(0, 40)], [(20, 60)]).percent_agreement
    with pytest.raises(ValueError, match="overlap"):
        continuum_confusion(100, [(0, 40, "x"), (30, 50, "y")], [])


def test_binary_alpha_of_continua_laid_end_to_end_is_the_sum_of_their_tallies():
    # |u-alpha over codes' continua laid end to end (the pooled row) is computed from each
    # continuum's tally; it must equal |u-alpha of the joined continuum, exactly. Spans
    # overlap within a coder, touch each other and the ends of their continuum, and one
    # coder leaves a whole continuum uncoded.
    import random

    rng = random.Random(11)
    for m in (2, 3):
        blocks = []
        for _ in range(6):
            length = rng.randint(20, 80)
            coders = []
            for c in range(m):
                spans = []
                for _ in range(0 if c == m - 1 and len(blocks) == 2 else rng.randint(0, 5)):
                    start = rng.choice([0, rng.randrange(length)])
                    end = rng.choice([length, rng.randint(start + 1, length)])
                    spans.append((start, end))
                coders.append(spans)
            blocks.append((length, coders))
        joined = [[] for _ in range(m)]
        base = 0
        for length, coders in blocks:
            for c, spans in enumerate(coders):
                joined[c] += [(base + s, base + e) for s, e in spans]
            base += length
        whole = u_alpha_binary(base, joined)
        parts = u_alpha_binary_of_tallies(binary_tally(n, coders) for n, coders in blocks)
        assert parts == whole
        for block in blocks:
            assert _value_or_reason(u_alpha_binary_of_tallies, [binary_tally(*block)]) == \
                _value_or_reason(u_alpha_binary, *block)


def _value_or_reason(fn, *args):
    try:
        return fn(*args)
    except UndefinedCoefficient as exc:
        return str(exc)


def test_binary_alpha_of_tallies_is_undefined_where_the_joined_one_is():
    nothing = [binary_tally(10, [[], []]), binary_tally(5, [[], []])]
    with pytest.raises(UndefinedCoefficient) as joined:
        u_alpha_binary(15, [[], []])
    with pytest.raises(UndefinedCoefficient) as parts:
        u_alpha_binary_of_tallies(nothing)
    assert str(parts.value) == str(joined.value)
