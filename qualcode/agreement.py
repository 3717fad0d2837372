"""Inter-coder agreement statistics, in pure Python (standard library only).

Every coefficient here is checked in ``tests/test_agreement.py`` against a published worked
example or against arithmetic shown step by step in the test.

Conventions
-----------
Ratings matrices
    ``ratings[u][i]`` is the category coder ``i`` gave unit ``u``: one row per unit, one
    column per coder, every row the same length.  ``None`` marks a missing rating.
    Categories may be any hashable value; two ratings agree when they are equal (``==``).
    A float NaN is rejected (it is never equal to itself); use ``None`` for "missing".

Missing data
    Each function says what it does with missing ratings.  In short: ``cohen_kappa`` and
    ``scott_pi`` drop every unit that lacks one of the two ratings; ``fleiss_kappa``
    requires the same number of ratings for every rated unit (``fleiss_kappa_missing`` is
    Gwet's generalisation that does not); ``percent_agreement``, ``fleiss_kappa_missing``,
    ``brennan_prediger``, ``gwet_ac1`` and ``krippendorff_alpha`` use every unit with at
    least two ratings (a unit with one rating cannot show agreement or disagreement; it
    still enters Gwet's chance term, as in Gwet's handbook).

Undefined coefficients
    A coefficient that is undefined for the data (no pairable ratings, expected agreement
    of 1, a single category everywhere, ...) raises :class:`UndefinedCoefficient`, a
    ``ValueError`` whose message says why.  No function returns NaN, ``None`` or a
    substitute number for an undefined coefficient.  Input that is simply wrong (ragged
    rows, a span outside the text, three coders for Cohen's kappa, ...) raises a plain
    ``ValueError``.

Exact arithmetic
    Counts are combined with :class:`fractions.Fraction`; only the final coefficient is
    converted to ``float``.  Results therefore do not depend on summation order.

Continuum (unitizing and character coverage)
    A text of ``length`` code points is the continuum.  A span ``(start, end, category)``
    (or ``(start, end)``) is the half-open interval ``[start, end)`` of code points, with
    ``0 <= start < end <= length``.  Before anything is computed, each coder's spans of the
    same category that overlap (share at least one code point) are merged into one span;
    spans that merely touch (``end == start``) stay separate units.  Everything is computed
    by sweeping over the sorted span boundaries, never per character, so the cost grows
    with the number of spans, not with the length of the text.

Unitizing alphas
    ``u_alpha``, ``u_alpha_binary``, ``cu_alpha`` and ``k_u_alpha`` are the coincidence-
    matrix family of Krippendorff, Mathet, Bouvry & Widlöcher (2016), nominal metric, for
    two or more coders; a coder with no spans has left the whole text uncoded.  The
    multi-category ones need each coder's units to be disjoint; ``u_alpha_binary`` does
    not (it merges a coder's overlapping spans of any categories).  Each docstring gives
    the exact formula.  All four reproduce the three-observer worked example of
    Krippendorff's Content Analysis (4th ed. 2019, section 12.6, Figure 12.11).
    ``u_alpha_2004`` is the earlier alpha_U of the 2nd edition (2004, section 12.4), built
    on squared boundary differences, offered as a named variant because published studies
    and DKPro Agreement report it; it reproduces that edition's worked example.

Scales
    Ratings-matrix ``percent_agreement`` is a proportion in [0, 1];
    ``CharAgreement.percent_agreement`` is a percentage in [0, 100], as NVivo prints it.

Prevalence
    Report prevalence next to every coefficient: chance-corrected coefficients behave very
    differently for rare and common categories (the "kappa paradox").  :class:`CharAgreement`
    carries the counts from which prevalence follows.

Uncertainty
    ``bootstrap_interval`` resamples whole units (e.g. transcripts) with
    ``random.Random(seed)``, skips resamples on which the statistic is undefined and
    reports how many were used; the same seed gives the same interval.
"""

from __future__ import annotations

import bisect
import math
import operator
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple, TypeVar

__all__ = [
    "BinaryTally",
    "BootstrapInterval",
    "CharAgreement",
    "UndefinedCoefficient",
    "bootstrap_interval",
    "brennan_prediger",
    "char_agreement",
    "char_agreement_pooled",
    "char_agreement_weighted_mean",
    "cohen_kappa",
    "confusion_matrix",
    "continuum_confusion",
    "cu_alpha",
    "fleiss_kappa",
    "fleiss_kappa_missing",
    "gwet_ac1",
    "k_u_alpha",
    "krippendorff_alpha",
    "percent_agreement",
    "percentile_interval",
    "scott_pi",
    "u_alpha",
    "u_alpha_2004",
    "u_alpha_binary",
    "u_alpha_binary_of_tallies",
    "binary_tally",
]

Ratings = Sequence[Sequence[Hashable | None]]
Span = Sequence[Any]  # (start, end) or (start, end, category)
SpansByCoder = Mapping[Hashable, Sequence[Span]] | Sequence[Sequence[Span]]

T = TypeVar("T")


class UndefinedCoefficient(ValueError):
    """The coefficient is mathematically undefined for these data (e.g. 0/0).

    The message says why.  Report such a coefficient as "undefined", never as a number.
    """


# ---------------------------------------------------------------------------------------
# Ratings matrices
# ---------------------------------------------------------------------------------------


def _check_value(value: Hashable | None) -> None:
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("a rating is NaN; use None to mark a missing rating")


def _rows(ratings: Ratings) -> tuple[list[list[Hashable]], int]:
    """Return the non-missing ratings of each unit, and the number of coders (columns)."""
    rows: list[list[Hashable]] = []
    width: int | None = None
    for index, row in enumerate(ratings):
        row = list(row)
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise ValueError(
                f"ratings row {index} has {len(row)} columns, the first row has {width}: "
                "every unit needs one column per coder (None where a rating is missing)"
            )
        for value in row:
            _check_value(value)
        rows.append([value for value in row if value is not None])
    return rows, width or 0


def _two_coder_pairs(ratings: Ratings, name: str) -> list[tuple[Hashable, Hashable]]:
    """Complete (rating of coder 1, rating of coder 2) pairs; incomplete units dropped."""
    pairs: list[tuple[Hashable, Hashable]] = []
    width: int | None = None
    for index, row in enumerate(ratings):
        row = list(row)
        if len(row) != 2:
            raise ValueError(
                f"{name} needs exactly two coders, but ratings row {index} has "
                f"{len(row)} columns"
            )
        width = 2
        first, second = row
        _check_value(first)
        _check_value(second)
        if first is not None and second is not None:
            pairs.append((first, second))
    if not pairs:
        what = "no units" if width is None else "no unit rated by both coders"
        raise UndefinedCoefficient(f"{name} is undefined: {what}")
    return pairs


def _chance_corrected(observed: Fraction, expected: Fraction, name: str) -> float:
    if expected == 1:
        raise UndefinedCoefficient(
            f"{name} is undefined: expected agreement is 1 (all ratings fall in one "
            "category, so agreement cannot exceed chance)"
        )
    return float((observed - expected) / (1 - expected))


def _observed_pairwise_agreement(rows: list[list[Hashable]], name: str) -> Fraction:
    """Mean over units with >= 2 ratings of the share of agreeing ordered rater pairs."""
    total = Fraction(0)
    pairable = 0
    for row in rows:
        r = len(row)
        if r < 2:
            continue
        pairable += 1
        agreeing = sum(n * (n - 1) for n in Counter(row).values())
        total += Fraction(agreeing, r * (r - 1))
    if pairable == 0:
        raise UndefinedCoefficient(f"{name} is undefined: no unit has two or more ratings")
    return total / pairable


def percent_agreement(ratings: Ratings) -> float:
    """Observed agreement among two or more coders, as a proportion between 0 and 1.

    For every unit with at least two ratings, take the proportion of pairs of its ratings
    that agree, r_ik (r_ik - 1) summed over categories k, divided by r_i (r_i - 1), where
    r_i is the number of ratings of unit i and r_ik the number in category k; then average
    over those units.  Units with fewer than two ratings are left out.  With two coders and
    no missing data this is the familiar "units agreed on / units".  Source: Gwet, K. L.
    (2014), Handbook of Inter-Rater Reliability, 4th ed., percent agreement for multiple
    raters (the p_a of Fleiss' kappa and Gwet's AC1).

    Raises UndefinedCoefficient when no unit has two ratings.
    """
    rows, _ = _rows(ratings)
    return float(_observed_pairwise_agreement(rows, "percent agreement"))


def cohen_kappa(ratings: Ratings) -> float:
    """Cohen's kappa for exactly two coders.

    kappa = (p_o - p_e) / (1 - p_e), where p_o is the proportion of units on which the two
    coders agree and p_e, the agreement expected by chance, is the sum over categories of
    the product of the two coders' own proportions of use of that category (each coder's
    own marginal distribution).  Source: Cohen, J. (1960), "A coefficient of agreement for
    nominal scales", Educational and Psychological Measurement 20(1): 37-46.

    Missing data: units lacking either coder's rating are dropped (listwise deletion)
    before anything is computed; both p_o and p_e use only the complete units.

    Raises ValueError unless every row has exactly two columns; UndefinedCoefficient when
    no unit is complete or p_e = 1 (both coders used a single, identical category).
    """
    pairs = _two_coder_pairs(ratings, "Cohen's kappa")
    n = len(pairs)
    observed = Fraction(sum(1 for a, b in pairs if a == b), n)
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = Fraction(sum(first[c] * second[c] for c in first), n * n)
    return _chance_corrected(observed, expected, "Cohen's kappa")


def scott_pi(ratings: Ratings) -> float:
    """Scott's pi for exactly two coders.

    pi = (p_o - p_e) / (1 - p_e), where p_o is the proportion of units on which the two
    coders agree and p_e is the sum over categories of the squared proportion of all 2n
    ratings (both coders pooled) that fall in the category.  Source: Scott, W. A. (1955),
    "Reliability of content analysis: the case of nominal scale coding", Public Opinion
    Quarterly 19(3): 321-325.  Fleiss' kappa is its generalisation to more coders; with
    two coders and complete data the two are identical.

    Missing data: units lacking either coder's rating are dropped.

    Raises ValueError unless every row has exactly two columns; UndefinedCoefficient when
    no unit is complete or p_e = 1.
    """
    pairs = _two_coder_pairs(ratings, "Scott's pi")
    n = len(pairs)
    observed = Fraction(sum(1 for a, b in pairs if a == b), n)
    pooled = Counter(a for a, _ in pairs) + Counter(b for _, b in pairs)
    expected = Fraction(sum(count * count for count in pooled.values()), 4 * n * n)
    return _chance_corrected(observed, expected, "Scott's pi")


def fleiss_kappa(ratings: Ratings) -> float:
    """Fleiss' kappa for a constant number r >= 2 of ratings per unit.

    For each unit i, P_i = (sum over categories j of n_ij^2 - r) / (r (r - 1)), with n_ij
    the number of ratings of unit i in category j; P_bar is the mean of P_i over the N
    units.  p_j = (sum over i of n_ij) / (N r) is the share of all ratings in category j
    and P_e = sum over j of p_j^2.  kappa = (P_bar - P_e) / (1 - P_e).  Source: Fleiss,
    J. L. (1971), "Measuring nominal scale agreement among many raters", Psychological
    Bulletin 76(5): 378-382.  The coders rating one unit need not be those rating another.

    Missing data: rows with no rating at all are ignored; every other unit must have the
    same number of ratings (Fleiss' design).  Use ``fleiss_kappa_missing``, ``gwet_ac1``
    or ``krippendorff_alpha``
    for data where the number of ratings varies between units.

    Raises ValueError when rated units have different numbers of ratings;
    UndefinedCoefficient when there are no units, r < 2, or P_e = 1.
    """
    rows, _ = _rows(ratings)
    rows = [row for row in rows if row]
    if not rows:
        raise UndefinedCoefficient("Fleiss' kappa is undefined: no rated units")
    sizes = {len(row) for row in rows}
    if len(sizes) != 1:
        raise ValueError(
            "Fleiss' kappa needs the same number of ratings for every unit, found "
            f"{sorted(sizes)}; use krippendorff_alpha or gwet_ac1 for missing ratings"
        )
    r = sizes.pop()
    if r < 2:
        raise UndefinedCoefficient("Fleiss' kappa is undefined: each unit has one rating")
    n_units = len(rows)
    per_unit = Fraction(0)
    totals: Counter[Hashable] = Counter()
    for row in rows:
        counts = Counter(row)
        totals.update(counts)
        per_unit += Fraction(sum(c * c for c in counts.values()) - r, r * (r - 1))
    observed = per_unit / n_units
    expected = Fraction(sum(t * t for t in totals.values()), (n_units * r) ** 2)
    return _chance_corrected(observed, expected, "Fleiss' kappa")


def _mean_shares(rows: list[list[Hashable]]) -> list[Fraction]:
    """pi_k for each category used: the mean over units with at least one rating of the
    unit's share of ratings in k (Gwet's chance term for missing ratings)."""
    rated = [row for row in rows if row]
    shares: dict[Hashable, Fraction] = defaultdict(Fraction)
    for row in rated:
        for category, count in Counter(row).items():
            shares[category] += Fraction(count, len(row))
    return [share / len(rated) for share in shares.values()]


def fleiss_kappa_missing(ratings: Ratings) -> float:
    """Fleiss' kappa generalised by Gwet to units rated by different numbers of coders.

    kappa = (p_a - p_e) / (1 - p_e).  p_a is ``percent_agreement`` (the mean over the units
    with two or more ratings of r_ik (r_ik - 1) summed over k, divided by r_i (r_i - 1)).
    p_e = sum over categories k of pi_k^2, where pi_k is the mean over the units with at
    least one rating of r_ik / r_i, the unit's share of ratings in k.  A unit rated once
    cannot show agreement, but it still enters pi_k.  Source: Gwet, K. L. (2014), Handbook
    of Inter-Rater Reliability, 4th ed., Fleiss' generalised kappa with missing ratings,
    as computed by ``fleiss.kappa.raw`` of Gwet's irrCAC R package.  irrCAC averages
    r_ik / r_i over every row it is given (a row with no rating gives 0/0 there); here,
    as in ``gwet_ac1``, rows with no rating are not units and are left out.

    When every unit has the same number r of ratings, pi_k is the share of all ratings in
    k and this is exactly ``fleiss_kappa``.

    Raises UndefinedCoefficient when no unit has two ratings or p_e = 1.
    """
    rows, _ = _rows(ratings)
    observed = _observed_pairwise_agreement(rows, "Fleiss' kappa")
    expected = sum((pi * pi for pi in _mean_shares(rows)), Fraction(0))
    return _chance_corrected(observed, expected, "Fleiss' kappa")


def _category_count(rows: list[list[Hashable]], n_categories: int | None, name: str) -> int:
    observed = len({value for row in rows for value in row})
    if n_categories is None:
        return observed
    q = operator.index(n_categories)
    if q < observed:
        raise ValueError(
            f"{name}: n_categories={q} but the ratings use {observed} different categories"
        )
    return q


def brennan_prediger(ratings: Ratings, n_categories: int | None = None) -> float:
    """Brennan and Prediger's coefficient (also called kappa_n, free-marginal kappa).

    (p_a - 1/q) / (1 - 1/q): chance agreement is taken to be 1/q, that of coders choosing
    uniformly among q categories.  p_a is ``percent_agreement`` (so any number of coders
    and missing ratings are allowed, as in Gwet's handbook).  q is ``n_categories`` when
    given (the number of categories in the coding scheme, which may exceed those used);
    by default q is the number of distinct categories observed anywhere in the ratings.
    Source: Brennan, R. L. & Prediger, D. J. (1981), "Coefficient kappa: some uses,
    misuses, and alternatives", Educational and Psychological Measurement 41: 687-699.

    Raises ValueError if ``n_categories`` is below the number of categories used;
    UndefinedCoefficient when no unit has two ratings or q < 2.
    """
    rows, _ = _rows(ratings)
    observed = _observed_pairwise_agreement(rows, "Brennan-Prediger")
    q = _category_count(rows, n_categories, "Brennan-Prediger")
    if q < 2:
        raise UndefinedCoefficient(
            "Brennan-Prediger is undefined: fewer than two categories (pass n_categories "
            "if the coding scheme has more categories than were used)"
        )
    return _chance_corrected(observed, Fraction(1, q), "Brennan-Prediger")


def gwet_ac1(ratings: Ratings, n_categories: int | None = None) -> float:
    """Gwet's first-order agreement coefficient AC1, any number of coders, missing data.

    AC1 = (p_a - p_e) / (1 - p_e).  p_a is ``percent_agreement`` (mean over the n' units
    with two or more ratings of the share of agreeing rating pairs).  Chance agreement is
    p_e = (1 / (q - 1)) * sum over categories k of pi_k (1 - pi_k), where
    pi_k = (1/n) * sum over the n units with at least one rating of r_ik / r_i, i.e. the
    mean over units of the share of that unit's ratings falling in k.  q is the number of
    categories: ``n_categories`` if given, otherwise the number observed.  Sources: Gwet,
    K. L. (2008), "Computing inter-rater reliability and its variance in the presence of
    high agreement", British Journal of Mathematical and Statistical Psychology 61:
    29-48; Gwet, K. L. (2014), Handbook of Inter-Rater Reliability, 4th ed., AC1 for
    multiple raters with missing ratings.  With two coders and complete data this equals
    Gwet's two-rater AC1, where pi_k is the mean of the two coders' proportions.

    Raises ValueError if ``n_categories`` is below the number of categories used;
    UndefinedCoefficient when no unit has two ratings or q < 2.
    """
    rows, _ = _rows(ratings)
    observed = _observed_pairwise_agreement(rows, "Gwet's AC1")
    q = _category_count(rows, n_categories, "Gwet's AC1")
    if q < 2:
        raise UndefinedCoefficient(
            "Gwet's AC1 is undefined: fewer than two categories (pass n_categories if "
            "the coding scheme has more categories than were used)"
        )
    expected = sum((pi * (1 - pi) for pi in _mean_shares(rows)), Fraction(0)) / (q - 1)
    return _chance_corrected(observed, expected, "Gwet's AC1")


_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _as_number(value: Hashable, level: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction | Decimal):
        raise ValueError(f"{level} alpha needs numeric ratings, got {value!r}")
    number = Fraction(value)  # exact, also for floats and decimals
    if level == "ratio" and number < 0:
        raise ValueError(f"ratio alpha needs non-negative ratings, got {value!r}")
    return number


def krippendorff_alpha(
    ratings: Ratings,
    level: str = "nominal",
    order: Sequence[Hashable] | None = None,
) -> float:
    """Krippendorff's alpha for any number of coders, with missing data.

    alpha = 1 - D_o / D_e, computed from the coincidence matrix as in Krippendorff, K.
    (2011), "Computing Krippendorff's Alpha-Reliability" (Annenberg School for
    Communication, University of Pennsylvania, departmental paper 43):

    * Only units with m_u >= 2 ratings are pairable.  Each ordered pair of ratings
      (c, k) from different coders in unit u adds 1 / (m_u - 1) to the coincidence o_ck;
      n_c = sum over k of o_ck and n = sum over c of n_c (the number of pairable ratings).
    * alpha = 1 - (n - 1) * sum_{c,k} o_ck delta^2_ck / sum_{c,k} n_c n_k delta^2_ck.
    * delta^2 (the ``level``): nominal 0 if c = k else 1; ordinal
      (sum of n_g for g from c to k, minus (n_c + n_k) / 2)^2 over the ranked values;
      interval (c - k)^2; ratio ((c - k) / (c + k))^2.

    Interval and ratio ratings must be numbers (ratio: non-negative).  Ordinal ratings are
    ranked by their natural order (``sorted``) unless ``order`` lists the categories from
    lowest to highest; only the ranks of the values matter.

    Raises ValueError for an unknown level or unusable values; UndefinedCoefficient when
    there are no pairable ratings or all pairable ratings are identical (D_e = 0).
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {', '.join(_LEVELS)}; got {level!r}")
    rows, _ = _rows(ratings)
    pairable = [row for row in rows if len(row) >= 2]
    if not pairable:
        raise UndefinedCoefficient(
            "Krippendorff's alpha is undefined: no unit has two or more ratings"
        )
    if level in ("interval", "ratio"):
        pairable = [[_as_number(v, level) for v in row] for row in pairable]

    # Coincidence matrix o_ck, kept as {(c, k): Fraction}, and its marginals n_c.
    coincidences: dict[tuple[Hashable, Hashable], Fraction] = defaultdict(Fraction)
    for row in pairable:
        counts = Counter(row)
        weight = Fraction(1, len(row) - 1)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairs:
                    coincidences[c, k] += pairs * weight
    marginals: dict[Hashable, Fraction] = defaultdict(Fraction)
    for (c, _k), o in coincidences.items():
        marginals[c] += o
    n = sum(marginals.values(), Fraction(0))

    if level == "nominal":

        def delta(c: Hashable, k: Hashable) -> Fraction:
            return Fraction(0) if c == k else Fraction(1)

    elif level == "interval":

        def delta(c: Hashable, k: Hashable) -> Fraction:
            return (c - k) ** 2  # type: ignore[operator]

    elif level == "ratio":

        def delta(c: Hashable, k: Hashable) -> Fraction:
            total = c + k  # type: ignore[operator]
            return Fraction(0) if total == 0 else ((c - k) / total) ** 2  # type: ignore[operator]

    else:  # ordinal
        values = list(marginals)
        if order is not None:
            rank_of = {category: i for i, category in enumerate(order)}
            missing = [v for v in values if v not in rank_of]
            if missing:
                raise ValueError(f"ordinal alpha: {missing[0]!r} is not in `order`")
            values.sort(key=rank_of.__getitem__)
        else:
            try:
                values.sort()  # type: ignore[call-arg]
            except TypeError as error:
                raise ValueError(
                    "ordinal alpha: the categories cannot be sorted; pass `order`"
                ) from error
        rank = {v: i for i, v in enumerate(values)}
        prefix = [Fraction(0)]
        for v in values:
            prefix.append(prefix[-1] + marginals[v])

        def delta(c: Hashable, k: Hashable) -> Fraction:
            low, high = sorted((rank[c], rank[k]))
            between = prefix[high + 1] - prefix[low]
            return (between - (marginals[c] + marginals[k]) / 2) ** 2

    observed = sum((o * delta(c, k) for (c, k), o in coincidences.items()), Fraction(0))
    if level == "interval":
        # sum_{c,k} n_c n_k (c - k)^2 = 2 (n sum n_c c^2 - (sum n_c c)^2): linear in the
        # number of distinct values, which for interval data may be large.
        first = sum((w * v for v, w in marginals.items()), Fraction(0))
        second = sum((w * v * v for v, w in marginals.items()), Fraction(0))
        expected = 2 * (n * second - first * first)
    else:
        expected = Fraction(0)
        categories = list(marginals)
        for i, c in enumerate(categories):
            for k in categories[i + 1 :]:
                expected += 2 * marginals[c] * marginals[k] * delta(c, k)
    if expected == 0:
        raise UndefinedCoefficient(
            "Krippendorff's alpha is undefined: all pairable ratings are the same value "
            "(no variation, expected disagreement is 0)"
        )
    return float(1 - (n - 1) * observed / expected)


# ---------------------------------------------------------------------------------------
# Spans on a continuum
# ---------------------------------------------------------------------------------------


def _check_length(length: int) -> int:
    length = operator.index(length)
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    return length


def _parse_span(span: Span, length: int) -> tuple[int, int, Hashable]:
    if len(span) == 2:
        start, end = span
        category: Hashable = None
    elif len(span) == 3:
        start, end, category = span
    else:
        raise ValueError(f"a span is (start, end) or (start, end, category), got {span!r}")
    start, end = operator.index(start), operator.index(end)
    if not 0 <= start < end <= length:
        raise ValueError(
            f"span [{start}, {end}) is not a non-empty interval inside [0, {length})"
        )
    return start, end, category


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge intervals that share a code point; touching intervals stay apart."""
    intervals.sort()
    merged: list[tuple[int, int]] = []
    for start, end in intervals:
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _coder_list(spans_by_coder: SpansByCoder) -> list[tuple[Hashable, Sequence[Span]]]:
    if isinstance(spans_by_coder, Mapping):
        coders = list(spans_by_coder.items())
    else:
        coders = list(enumerate(spans_by_coder))
    if len(coders) < 2:
        raise ValueError(f"unitizing alphas need at least two coders, got {len(coders)}")
    return coders


def _by_category(spans: Sequence[Span], length: int) -> dict[Hashable, list[tuple[int, int]]]:
    grouped: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for span in spans:
        start, end, category = _parse_span(span, length)
        grouped[category].append((start, end))
    return {category: _merge(intervals) for category, intervals in grouped.items()}


def _units_per_coder(length: int, spans_by_coder: SpansByCoder, mode: str, category: Any = None
                     ) -> list[list[tuple[int, int, Hashable]]]:
    """Each coder's units as sorted, disjoint (start, end, category) triples.

    mode "all": keep categories; a coder's units of different categories must not overlap.
    mode "union": all categories as one; overlapping spans (any category) are merged.
    mode "one": only spans of ``category``.
    """
    result = []
    for name, spans in _coder_list(spans_by_coder):
        grouped = _by_category(spans, length)
        if mode == "union":
            intervals = [iv for ivs in grouped.values() for iv in ivs]
            result.append([(s, e, True) for s, e in _merge(intervals)])
        elif mode == "one":
            result.append([(s, e, True) for s, e in grouped.get(category, [])])
        else:
            units = sorted(
                ((s, e, c) for c, ivs in grouped.items() for s, e in ivs),
                key=operator.itemgetter(0, 1),
            )
            for previous, current in zip(units, units[1:], strict=False):
                if current[0] < previous[1]:
                    raise ValueError(
                        f"coder {name!r}: spans of categories {previous[2]!r} "
                        f"[{previous[0]}, {previous[1]}) and {current[2]!r} "
                        f"[{current[0]}, {current[1]}) overlap; u_alpha, cu_alpha and "
                        "k_u_alpha need each coder's units to be disjoint (compare one "
                        "category at a time with u_alpha_binary(..., category=...))"
                    )
            result.append(units)
    return result


@dataclass
class _Tally:
    """Sufficient statistics of a unitized continuum (see ``_tally``)."""

    coders: int
    length: int
    total: dict[Hashable, int]  # sum over coders of the length coded with each category
    squares: dict[Hashable, int]  # sum over units of length^2, per category
    diagonal: dict[Hashable, int]  # ordered pairs of different coders in the same category
    unit_pairs: int  # ordered pairs of different coders both inside some unit
    gap_pairs: int  # ordered pairs of different coders both in a gap
    mass: dict[Hashable, int]  # per category: sum over units of overlap with others' units
    mass_squares: dict[Hashable, int]  # per category: sum over units of that overlap^2


def _tally(length: int, coders: list[list[tuple[int, int, Hashable]]]) -> _Tally:
    """One sweep over the sorted unit boundaries of all coders.

    Quantities that are integrals over the continuum (e.g. the number of ordered pairs of
    coders in the same category at each code point) are accumulated lazily: a running
    count is multiplied by the distance travelled since it last changed.  Only boundaries
    are visited: the cost depends on the number of spans, not on the length of the text.
    """
    m = len(coders)
    events: list[tuple[int, int, Hashable]] = []
    total: dict[Hashable, int] = defaultdict(int)
    squares: dict[Hashable, int] = defaultdict(int)
    for units in coders:
        for start, end, category in units:
            events.append((start, 1, category))
            events.append((end, -1, category))
            total[category] += end - start
            squares[category] += (end - start) ** 2
    events.sort(key=operator.itemgetter(0))

    inside: dict[Hashable, int] = defaultdict(int)  # coders currently in a unit of c
    since: dict[Hashable, int] = defaultdict(int)  # where inside[c] last changed
    diagonal: dict[Hashable, int] = defaultdict(int)
    in_units = 0  # coders currently inside any unit
    position = 0
    covered = 0  # integral of in_units from 0 to position
    unit_pairs = gap_pairs = 0
    covered_at: dict[int, int] = {0: 0}
    for at, step, category in events:
        if at != position:
            stretch = at - position
            covered += stretch * in_units
            unit_pairs += stretch * in_units * (in_units - 1)
            gap_pairs += stretch * (m - in_units) * (m - in_units - 1)
            position = at
            covered_at[at] = covered
        n = inside[category]
        diagonal[category] += (at - since[category]) * n * (n - 1)
        since[category] = at
        inside[category] = n + step
        in_units += step
    stretch = length - position
    unit_pairs += stretch * in_units * (in_units - 1)
    gap_pairs += stretch * (m - in_units) * (m - in_units - 1)

    mass: dict[Hashable, int] = defaultdict(int)
    mass_squares: dict[Hashable, int] = defaultdict(int)
    for units in coders:
        for start, end, category in units:
            # Overlap of this unit with the other coders' units: the integral of the
            # number of coders inside a unit over [start, end), minus this coder's own.
            overlap = covered_at[end] - covered_at[start] - (end - start)
            mass[category] += overlap
            mass_squares[category] += overlap * overlap
    return _Tally(m, length, dict(total), dict(squares), dict(diagonal), unit_pairs,
                  gap_pairs, dict(mass), dict(mass_squares))


def _unitizing_alpha(observed_diagonal: Fraction, expected_diagonal: Fraction,
                     total: Fraction | int, name: str) -> float:
    disagreement_observed = total - observed_diagonal
    disagreement_expected = total - expected_diagonal
    if disagreement_expected == 0:
        raise UndefinedCoefficient(
            f"{name} is undefined: expected disagreement is 0 (nothing varies: e.g. no "
            "units at all, or only one category)"
        )
    return float(1 - disagreement_observed / disagreement_expected)


def _full_matrix_parts(t: _Tally) -> tuple[int, Fraction, Fraction]:
    """l.. = m L, the denominator of the expected coincidences, and e_gap,gap."""
    l_all = t.coders * t.length
    if l_all == 0:
        raise UndefinedCoefficient("unitizing alpha is undefined: the text is empty")
    l_gap = l_all - sum(t.total.values())
    # Self-pairing correction: a unit cannot be paired with itself, so sum its length^2;
    # a gap is not a unit, its l code points count as l sections of length 1.
    correction = sum(t.squares.values()) + l_gap
    denominator = Fraction(l_all) - Fraction(correction, l_all)
    gap_expected = Fraction(l_gap * l_gap - l_gap) / denominator
    return l_all, denominator, gap_expected


def u_alpha(length: int, spans_by_coder: SpansByCoder) -> float:
    """Krippendorff's u-alpha (_u alpha): agreement on unitizing and coding together.

    Variant: the coincidence-matrix u-alpha of Krippendorff, Mathet, Bouvry & Widlöcher
    (2016), "On the reliability of unitizing textual continua: Further developments",
    Quality & Quantity 50: 2347-2364 (also Krippendorff, Content Analysis, 4th ed. 2019,
    section 12.6), which corrects the multi-coder behaviour of the earlier definition.
    It is *not* the 1995/2004 alpha_U built on squared boundary differences (Krippendorff
    1995, "On the reliability of unitizing continuous data", Sociological Methodology 25;
    Content Analysis, 2nd ed. 2004, section 12.4).  Nominal metric.

    Each coder divides the continuum into sections: units (spans, with their category) and
    gaps (uncoded stretches, category "gap").  With m coders and L = ``length``:

    * observed coincidences: l_ck = (1 / (m - 1)) * sum over ordered pairs of different
      coders (i, j) of the length of every intersection of a section of i in category c
      with a section of j in category k; l.. = m L.
    * expected coincidences: e_ck = (l_c. l_.k - [c = k] S_c) / (l.. - S / l..), where S_c
      is the sum of squared unit lengths in category c (for gaps: their total length, a
      gap being no unit) and S = sum of S_c; this keeps a unit from pairing with itself.
    * u-alpha = 1 - (sum of l_ck off the diagonal) / (sum of e_ck off the diagonal).

    Every coder's units must be disjoint (after merging overlaps of one category); coders
    with no spans count as having left the whole text uncoded.

    Raises ValueError for fewer than two coders, bad spans or overlapping categories;
    UndefinedCoefficient when expected disagreement is 0 (e.g. no units at all).
    """
    length = _check_length(length)
    t = _tally(length, _units_per_coder(length, spans_by_coder, "all"))
    l_all, denominator, gap_expected = _full_matrix_parts(t)
    observed = Fraction(sum(t.diagonal.values()) + t.gap_pairs, t.coders - 1)
    expected = gap_expected + sum(
        (Fraction(t.total[c] ** 2 - t.squares[c]) / denominator for c in t.total),
        Fraction(0),
    )
    return _unitizing_alpha(observed, expected, l_all, "u-alpha")


_ALL = object()


def u_alpha_binary(length: int, spans_by_coder: SpansByCoder, category: Any = _ALL) -> float:
    """Krippendorff's binary unitizing alpha |u-alpha: coded versus not coded.

    The u-alpha of ``u_alpha`` with only two kinds of section, "unit" and "gap"
    (Krippendorff et al. 2016, |u alpha; 2019, section 12.6): whether the coders agree on
    which stretches of the text are relevant, whatever category they gave them.

    * ``category`` omitted: every span counts, whatever its category.  Because categories
      are ignored, a coder's overlapping spans of *any* categories are merged into one
      unit first.  When no coder has overlapping spans of different categories this
      equals collapsing the u-alpha coincidence matrices to unit/gap.
    * ``category=k``: only the spans coded k count as units; everything else, including
      text coded with other categories, is gap.  This is the binary alpha for category k
      against the rest of the continuum (the per-category question Krippendorff's 1995
      alpha_U asked, here with the 2016 coincidence formulas).

    Raises ValueError for fewer than two coders or bad spans; UndefinedCoefficient when
    expected disagreement is 0 (e.g. nobody coded anything).
    """
    length = _check_length(length)
    if category is _ALL:
        coders = _units_per_coder(length, spans_by_coder, "union")
    else:
        coders = _units_per_coder(length, spans_by_coder, "one", category)
    return _binary_alpha(_tally(length, coders))


class BinaryTally(NamedTuple):
    """What |u-alpha needs of one continuum: coders, length, the coded length and the
    sum of squared unit lengths, and the ordered pairs of different coders both inside
    a unit and both in a gap. Continua laid end to end add up field by field."""

    coders: int
    length: int
    total: int
    squares: int
    unit_pairs: int
    gap_pairs: int


def binary_tally(length: int, spans_by_coder: SpansByCoder) -> BinaryTally:
    """The sufficient statistics of :func:`u_alpha_binary` (every span, whatever its
    category) for one continuum; see :func:`u_alpha_binary_of_tallies`."""
    length = _check_length(length)
    t = _tally(length, _units_per_coder(length, spans_by_coder, "union"))
    return BinaryTally(t.coders, t.length, sum(t.total.values()), sum(t.squares.values()),
                       t.unit_pairs, t.gap_pairs)


def u_alpha_binary_of_tallies(tallies: Iterable[BinaryTally]) -> float:
    """|u-alpha of several continua laid end to end (each one's spans inside it), from
    their :func:`binary_tally`: equal to :func:`u_alpha_binary` of the joined continuum,
    which is never built. A span cannot cross from one continuum into the next, so
    every sum is the sum of the parts."""
    tallies = list(tallies)
    if not tallies:
        raise ValueError("no continuum to compute |u-alpha over")
    coders = {t.coders for t in tallies}
    if len(coders) != 1:
        raise ValueError("the continua must have the same coders")
    t = _Tally(coders.pop(), sum(t.length for t in tallies),
               {True: sum(t.total for t in tallies)},
               {True: sum(t.squares for t in tallies)}, {},
               sum(t.unit_pairs for t in tallies), sum(t.gap_pairs for t in tallies), {}, {})
    return _binary_alpha(t)


def _binary_alpha(t: _Tally) -> float:
    l_all, denominator, gap_expected = _full_matrix_parts(t)
    observed = Fraction(t.unit_pairs + t.gap_pairs, t.coders - 1)
    l_units = sum(t.total.values())
    expected = gap_expected + Fraction(l_units * l_units - sum(t.squares.values())) / denominator
    return _unitizing_alpha(observed, expected, l_all, "|u-alpha")


def _coding_parts(t: _Tally, name: str) -> tuple[Fraction, dict[Hashable, Fraction],
                                                   dict[Hashable, Fraction], Fraction]:
    pairs_weight = t.coders - 1
    l_star = Fraction(t.unit_pairs, pairs_weight)
    if l_star == 0:
        raise UndefinedCoefficient(
            f"{name} is undefined: no unit of one coder overlaps a unit of another coder"
        )
    marginal = {c: Fraction(t.mass.get(c, 0), pairs_weight) for c in t.total}
    correction = {c: Fraction(t.mass_squares.get(c, 0), pairs_weight**2) for c in t.total}
    denominator = l_star - sum(correction.values(), Fraction(0)) / l_star
    return l_star, marginal, correction, denominator


def cu_alpha(length: int, spans_by_coder: SpansByCoder) -> float:
    """Krippendorff's cu-alpha: agreement on the categories of overlapping units.

    Variant: cu alpha of Krippendorff, Mathet, Bouvry & Widlöcher (2016), Quality &
    Quantity 50: 2347-2364 (Content Analysis, 4th ed. 2019, section 12.6).  Nominal metric.
    Gaps are set aside: only stretches where units of two different coders overlap count.

    * observed coincidences: the u-alpha coincidences l_ck restricted to unit categories
      (c, k not gap); l*.. is their total and l*_c their row sums.
    * each unit g of coder i has a pairable length
      p_g = (1 / (m - 1)) * sum over the other coders j of |g intersected with j's units|
      (with two coders: the part of g that the other coder also coded).  The l*_c are the
      sums of p_g, and S*_c = sum of p_g^2 over units of category c corrects for a unit
      pairing with itself.
    * expected coincidences: e*_ck = (l*_c l*_k - [c = k] S*_c) / (l*.. - S* / l*..).
    * cu-alpha = 1 - (l*.. - sum of l*_cc) / (l*.. - sum of e*_cc).

    On the self-pairing term: for two coders, p_g is simply the overlapping length.  For
    three or more coders, implementations differ in how a unit's overlaps with the
    several other coders are combined; here p_g is the average over the other coders (the
    unit's share of l*..), under which the expected coincidences add up to l*.. as they do
    in u-alpha.  This reading reproduces the published three-observer example
    (Krippendorff 2019, Figure 12.11: cu-alpha = .724); taking the overlap with the union
    of the other coders' units instead gives .728 there.

    Units of one coder must be disjoint, as for ``u_alpha``.

    Raises ValueError for fewer than two coders, bad spans or overlapping categories;
    UndefinedCoefficient when no units overlap, or only one category occurs among them.
    """
    length = _check_length(length)
    t = _tally(length, _units_per_coder(length, spans_by_coder, "all"))
    l_star, marginal, correction, denominator = _coding_parts(t, "cu-alpha")
    observed = Fraction(sum(t.diagonal.values()), t.coders - 1)
    expected = sum(
        ((marginal[c] ** 2 - correction[c]) / denominator for c in marginal), Fraction(0)
    )
    return _unitizing_alpha(observed, expected, l_star, "cu-alpha")


def k_u_alpha(length: int, spans_by_coder: SpansByCoder, category: Hashable) -> float:
    """Krippendorff's (k)u-alpha: how reliably one category k is told apart from the others.

    Variant: (k)u alpha of Krippendorff, Mathet, Bouvry & Widlöcher (2016) (Content
    Analysis, 4th ed. 2019, section 12.6), computed within the cu-alpha coincidence
    matrices of ``cu_alpha`` (gaps set aside).  With l*_.k the total of column k of the
    observed matrix and e*_.k that of the expected matrix:

    (k)u-alpha = 1 - [(l*_.k - l*_kk) / l*_.k] / [(e*_.k - e*_kk) / e*_.k],

    i.e. the share of k's overlapping coincidences that pair k with another category,
    relative to the share expected by chance.  For "was category k applied to the same
    stretches as the rest of the text" use ``u_alpha_binary(..., category=k)``.

    Raises ValueError as ``cu_alpha``; UndefinedCoefficient when no unit coded k overlaps
    another coder's unit, or k's expected disagreement is 0 (e.g. k is the only category).
    """
    length = _check_length(length)
    t = _tally(length, _units_per_coder(length, spans_by_coder, "all"))
    l_star, marginal, correction, denominator = _coding_parts(
        t, f"(k)u-alpha for {category!r}"
    )
    l_k = marginal.get(category, Fraction(0))
    if l_k == 0:
        raise UndefinedCoefficient(
            f"(k)u-alpha is undefined for {category!r}: no unit with this category "
            "overlaps a unit of another coder"
        )
    observed_kk = Fraction(t.diagonal.get(category, 0), t.coders - 1)
    expected_column = (l_k * l_star - correction[category]) / denominator
    expected_kk = (l_k**2 - correction[category]) / denominator
    if expected_column == expected_kk:
        raise UndefinedCoefficient(
            f"(k)u-alpha is undefined for {category!r}: its expected disagreement is 0 "
            "(no other category overlaps it)"
        )
    observed_share = (l_k - observed_kk) / l_k
    expected_share = (expected_column - expected_kk) / expected_column
    return float(1 - observed_share / expected_share)


def _sections(units: list[tuple[int, int, Hashable]], length: int) -> list[tuple[int, int, bool]]:
    """A coder's units and the gaps between them, covering [0, length): (start, end, unit)."""
    sections: list[tuple[int, int, bool]] = []
    position = 0
    for start, end, _category in units:
        if start > position:
            sections.append((position, start, False))
        sections.append((start, end, True))
        position = end
    if position < length:
        sections.append((position, length, False))
    return sections


def _distance_2004(a: tuple[int, int, bool], b: tuple[int, int, bool]) -> int:
    """Krippendorff's (2004) squared difference of two overlapping sections of two coders."""
    (start_a, end_a, unit_a), (start_b, end_b, unit_b) = a, b
    if unit_a and unit_b:
        return (start_a - start_b) ** 2 + (end_a - end_b) ** 2
    if unit_a and not unit_b and start_b <= start_a and end_a <= end_b:
        return (end_a - start_a) ** 2
    if unit_b and not unit_a and start_a <= start_b and end_b <= end_a:
        return (end_b - start_b) ** 2
    return 0


def _disagreements_2004(length: int, coders: list[list[tuple[int, int, Hashable]]]
                        ) -> tuple[Fraction, Fraction]:
    """(observed, expected) disagreement of Krippendorff's 2004 alpha_U for one category;
    ``coders`` holds each coder's sorted, disjoint units of that category."""
    m = len(coders)
    sections = [_sections(units, length) for units in coders]
    observed = 0
    for i in range(m):
        for j in range(i + 1, m):
            # Only sections that share a stretch can differ; walk both lists together.
            a, b = sections[i], sections[j]
            x = y = 0
            while x < len(a) and y < len(b):
                if min(a[x][1], b[y][1]) > max(a[x][0], b[y][0]):
                    observed += _distance_2004(a[x], b[y])
                if a[x][1] < b[y][1]:
                    x += 1
                elif b[y][1] < a[x][1]:
                    y += 1
                else:
                    x += 1
                    y += 1
    d_observed = Fraction(2 * observed, m * (m - 1) * length * length)

    units = [end - start for own in coders for start, end, _ in own]
    gaps = sorted(end - start for own in sections for start, end, unit in own if not unit)
    # Suffix sums of the sorted gap lengths: the gaps at least as long as a unit, and
    # their total length, without a pass over the gaps per unit.
    longer = [0] * (len(gaps) + 1)
    for index in range(len(gaps) - 1, -1, -1):
        longer[index] = longer[index + 1] + gaps[index]
    n_units = len(units)
    total = Fraction(0)
    for unit in units:
        inside = Fraction((n_units - 1) * (2 * unit**3 - 3 * unit**2 + unit), 3)
        first = bisect.bisect_left(gaps, unit)
        fits = longer[first] - (len(gaps) - first) * (unit - 1)  # sum of (l_h - l_g + 1)
        total += inside + unit * unit * fits
    denominator = m * length * (m * length - 1) - sum(u * (u - 1) for u in units)
    d_expected = Fraction(2, length) * total / denominator
    return d_observed, d_expected


def u_alpha_2004(length: int, spans_by_coder: SpansByCoder, category: Any = _ALL) -> float:
    """Krippendorff's alpha_U of Content Analysis, 2nd ed. (2004), section 12.4.

    Variant: the earlier unitizing alpha (Krippendorff 1995, Sociological Methodology 25:
    47-76; 2004, pp. 251-256), built on squared boundary differences; the one many
    published studies and DKPro Agreement report.  It is not the coincidence-matrix family
    of ``u_alpha`` (2016/2019), which corrects its behaviour for three or more coders;
    for the same data the two give different numbers.

    Each category c is judged on its own: a coder's units of c (overlapping ones merged,
    touching ones kept apart) and the gaps between them cover the continuum of length L;
    units of other categories are gap here.  With m coders:

    * observed: cD_o = sum over ordered pairs of different coders of sum over their
      sections g, h of delta^2(g, h), divided by m (m - 1) L^2, where delta^2 is
      (b_g - b_h)^2 + (e_g - e_h)^2 for two overlapping units (b begin, e end), l_g^2 for
      a unit g lying wholly within a gap h (and l_h^2 the other way round), and 0 else.
    * expected: cD_e = (2 / L) * sum over all units g of c of
      [(N_c - 1)(2 l_g^3 - 3 l_g^2 + l_g) / 3 + l_g^2 * sum over all gaps h with
      l_h >= l_g of (l_h - l_g + 1)], divided by m L (m L - 1) - sum over units of
      l_g (l_g - 1); N_c is the number of units of c of all coders.
    * c alpha_U = 1 - cD_o / cD_e.

    ``category=k`` gives k alpha_U.  Omitted, the categories are combined as
    1 - sum_c cD_o / sum_c cD_e over every category used.  That is how DKPro Agreement
    combines them (its mean of the disagreements over the categories gives the same
    ratio); the book's example gives only the per-category values.

    Raises ValueError for fewer than two coders or bad spans; UndefinedCoefficient when
    the text is empty or the expected disagreement is 0 (e.g. nobody coded anything).
    """
    length = _check_length(length)
    if length == 0:
        raise UndefinedCoefficient("alpha_U (2004) is undefined: the text is empty")
    if category is _ALL:
        categories = sorted(
            {_parse_span(span, length)[2] for _, spans in _coder_list(spans_by_coder)
             for span in spans}, key=repr)
    else:
        categories = [category]
    observed = expected = Fraction(0)
    for c in categories:
        d_o, d_e = _disagreements_2004(length, _units_per_coder(length, spans_by_coder,
                                                                "one", c))
        observed += d_o
        expected += d_e
    name = "alpha_U (2004)" if category is _ALL else f"alpha_U (2004) for {category!r}"
    if expected == 0:
        raise UndefinedCoefficient(
            f"{name} is undefined: expected disagreement is 0 (no units of the category)")
    return float(1 - observed / expected)


# ---------------------------------------------------------------------------------------
# Character coverage of one code by two coders (NVivo's coding comparison)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CharAgreement:
    """The 2 x 2 table of characters for one code and two coders A and B.

    ``both + a_only + b_only + neither == length``.  ``percent_agreement`` and ``kappa``
    are properties; ``kappa`` raises UndefinedCoefficient when undefined.
    """

    length: int
    both: int
    a_only: int
    b_only: int
    neither: int

    @property
    def coded_a(self) -> int:
        return self.both + self.a_only

    @property
    def coded_b(self) -> int:
        return self.both + self.b_only

    @property
    def prevalence_a(self) -> float:
        """Share of the characters coder A coded (the code's prevalence for A)."""
        self._require_text()
        return self.coded_a / self.length

    @property
    def prevalence_b(self) -> float:
        """Share of the characters coder B coded."""
        self._require_text()
        return self.coded_b / self.length

    def _require_text(self) -> None:
        if self.length == 0:
            raise UndefinedCoefficient("character agreement is undefined: no characters")

    @property
    def percent_agreement(self) -> float:
        """(characters coded by both + characters coded by neither) / length * 100."""
        self._require_text()
        return float(Fraction(100 * (self.both + self.neither), self.length))

    @property
    def kappa(self) -> float:
        """Cohen's kappa over characters: (agreeing - expected) / (length - expected).

        expected = (coded_A * coded_B + uncoded_A * uncoded_B) / length, the characters on
        which the coders would agree by chance given how much of the text each coded.
        """
        self._require_text()
        n = self.length
        observed = Fraction(self.both + self.neither, n)
        expected = Fraction(
            self.coded_a * self.coded_b + (n - self.coded_a) * (n - self.coded_b), n * n
        )
        return _chance_corrected(observed, expected, "character kappa")


def _coverage(length: int, spans: Iterable[Span]) -> list[tuple[int, int]]:
    intervals = []
    categories = set()
    for span in spans:
        start, end, category = _parse_span(span, length)
        intervals.append((start, end))
        categories.add(category)
    if len(categories) > 1:
        raise ValueError(
            "character agreement compares one code at a time; the spans carry "
            f"{len(categories)} different categories"
        )
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def char_agreement(length: int, spans_a: Iterable[Span], spans_b: Iterable[Span]) -> CharAgreement:
    """Character-level agreement of two coders on one code in one source, as NVivo does.

    Each code point of the source is "coded" by a coder if any of that coder's spans (for
    this code) covers it; overlapping spans are merged, so no character counts twice.
    Percent agreement = (characters coded by both + characters coded by neither) / length
    * 100, and kappa is Cohen's kappa over the 2 x 2 table of characters, chance agreement
    being (coded_A * coded_B + uncoded_A * uncoded_B) / length^2.  Source: NVivo help,
    "Run a coding comparison query" (QSR International / Lumivero): "How is the
    percentage agreement calculated?" and "How is the Kappa coefficient calculated?".

    NVivo computes these per code and per source.  Across several sources NVivo's
    documented convention is to average the per-source figures weighted by source size:
    that is ``char_agreement_weighted_mean``.  ``char_agreement_pooled`` instead pools
    the characters of all sources into one 2 x 2 table and computes one kappa; the two
    generally differ (kappa is not additive across sources).

    ``spans_a`` and ``spans_b`` are (start, end) or (start, end, category) spans of a
    single code.  Raises ValueError for spans outside [0, length) or of several codes.
    """
    length = _check_length(length)
    a = _coverage(length, spans_a)
    b = _coverage(length, spans_b)
    both = 0
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            both += end - start
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    coded_a = sum(end - start for start, end in a)
    coded_b = sum(end - start for start, end in b)
    a_only = coded_a - both
    b_only = coded_b - both
    return CharAgreement(length, both, a_only, b_only, length - both - a_only - b_only)


Source = tuple[int, Iterable[Span], Iterable[Span]]


def char_agreement_pooled(sources: Iterable[Source]) -> CharAgreement:
    """One 2 x 2 table of characters pooled over several sources (one code, two coders).

    Each element of ``sources`` is ``(length, spans_a, spans_b)``.  The characters of all
    sources are added up cell by cell, and percent agreement and kappa are computed once
    from the pooled table.  This is *not* NVivo's convention (NVivo reports per source;
    see ``char_agreement_weighted_mean``); pooling treats the sources as one long text.
    """
    both = a_only = b_only = neither = length = 0
    for source_length, spans_a, spans_b in sources:
        table = char_agreement(source_length, spans_a, spans_b)
        length += table.length
        both += table.both
        a_only += table.a_only
        b_only += table.b_only
        neither += table.neither
    return CharAgreement(length, both, a_only, b_only, neither)


def char_agreement_weighted_mean(sources: Iterable[Source]) -> tuple[float, float]:
    """NVivo's convention across sources: per-source figures averaged by source size.

    Each element of ``sources`` is ``(length, spans_a, spans_b)``.  Returns
    ``(percent_agreement, kappa)``: each source's percent agreement and kappa computed by
    ``char_agreement``, averaged with weights equal to the sources' lengths.  The weighted
    mean of percent agreement equals the pooled percent agreement; the weighted mean of
    kappa generally differs from the pooled kappa.

    Raises UndefinedCoefficient when the total length is 0 or some source's kappa is
    undefined (that source cannot be averaged in silently).
    """
    tables = [char_agreement(length, a, b) for length, a, b in sources]
    total = sum(t.length for t in tables)
    if total == 0:
        raise UndefinedCoefficient("character agreement is undefined: no characters")
    weighted_percent = Fraction(0)
    weighted_kappa = Fraction(0)
    for t in tables:
        if t.length == 0:
            continue
        weighted_percent += Fraction(100 * (t.both + t.neither), total)
        weighted_kappa += Fraction(t.kappa) * t.length / total
    return float(weighted_percent), float(weighted_kappa)


# ---------------------------------------------------------------------------------------
# Confusion between mutually exclusive categories (two coders)
# ---------------------------------------------------------------------------------------


def confusion_matrix(ratings: Ratings) -> dict[tuple[Hashable, Hashable], int]:
    """Coder A's category x coder B's category: how many units got each pair.

    ``ratings`` has two columns.  The diagonal (a == b) is agreement; every other cell says
    which category one coder chose where the other chose another, which is what a
    supervisor needs to see which codes are confused with which.  Units lacking either
    rating are left out, as in ``cohen_kappa``; the table's total is the number of units
    on which Cohen's kappa and Scott's pi are computed, and its diagonal over its total is
    their p_o.

    Raises ValueError unless every row has exactly two columns; UndefinedCoefficient when
    no unit has both ratings.
    """
    return dict(Counter(_two_coder_pairs(ratings, "the confusion matrix")))


def continuum_confusion(length: int, spans_a: Iterable[Span], spans_b: Iterable[Span]
                        ) -> dict[tuple[Hashable, Hashable], int]:
    """``confusion_matrix`` over the code points of a continuum: for each pair (category
    of coder A, category of coder B), the number of code points that pair covers; ``None``
    stands for "not coded".  The counts add up to ``length``.

    Each coder's units must be disjoint, as for ``u_alpha`` (mutually exclusive
    categories): a code point has at most one category per coder.  Computed by sweeping
    the span boundaries, so the cost depends on the number of spans, not on ``length``.
    """
    length = _check_length(length)
    coders = _units_per_coder(length, {"A": list(spans_a), "B": list(spans_b)}, "all")
    sections = [
        [(s, e, c if unit else None)
         for s, e, unit, c in _labelled_sections(units, length)]
        for units in coders
    ]
    table: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    a, b = sections
    x = y = 0
    while x < len(a) and y < len(b):
        shared = min(a[x][1], b[y][1]) - max(a[x][0], b[y][0])
        if shared > 0:
            table[a[x][2], b[y][2]] += shared
        if a[x][1] <= b[y][1]:
            x += 1
        else:
            y += 1
    return dict(table)


def _labelled_sections(units: list[tuple[int, int, Hashable]], length: int
                       ) -> list[tuple[int, int, bool, Hashable]]:
    """``_sections`` with each unit's category: (start, end, is unit, category)."""
    by_start = {(s, e): c for s, e, c in units}
    return [(s, e, unit, by_start.get((s, e)) if unit else None)
            for s, e, unit in _sections(units, length)]


# ---------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------


class BootstrapInterval(NamedTuple):
    """A percentile bootstrap interval; ``n_used`` resamples had a defined statistic."""

    low: float
    high: float
    n_used: int


def _quantile(values: list[float], p: float) -> float:
    """Linear interpolation between order statistics (Hyndman & Fan 1996, type 7)."""
    h = (len(values) - 1) * p
    below = math.floor(h)
    above = min(below + 1, len(values) - 1)
    return values[below] + (h - below) * (values[above] - values[below])


def bootstrap_interval(
    statistic: Callable[[list[T]], float],
    units: Sequence[T],
    n: int = 1000,
    seed: int | None = 0,
    confidence: float = 0.95,
) -> BootstrapInterval:
    """Percentile bootstrap confidence interval, resampling whole units.

    Draws ``n`` resamples of ``len(units)`` units with replacement (units are e.g.
    transcripts, so that the dependence between codings within a transcript is kept),
    using ``random.Random(seed)``; the same seed gives the same interval (the default seed
    is 0, so results are reproducible unless ``seed=None`` is passed).  ``statistic``
    is called with each resample (a list of units) and returns a number.  Resamples on
    which it raises UndefinedCoefficient are skipped and not counted in ``n_used``.  The
    interval is the (1 - confidence) / 2 and (1 + confidence) / 2 quantiles of the defined
    values, by linear interpolation between order statistics (percentile method: Efron,
    B. & Tibshirani, R. J. (1993), An Introduction to the Bootstrap, ch. 13).

    Returns ``BootstrapInterval(low, high, n_used)``.  Raises ValueError for empty
    ``units``, ``n < 1`` or a confidence outside (0, 1); UndefinedCoefficient when no
    resample gives a defined value.
    """
    if not units:
        raise ValueError("bootstrap needs at least one unit")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    rng = random.Random(seed)
    pool = list(units)
    values: list[float] = []
    for _ in range(n):
        resample = rng.choices(pool, k=len(pool))
        try:
            values.append(float(statistic(resample)))
        except UndefinedCoefficient:
            continue
    if not values:
        raise UndefinedCoefficient(
            f"bootstrap interval is undefined: the statistic was undefined on all {n} "
            "resamples"
        )
    return percentile_interval(values, confidence)


def percentile_interval(values: Sequence[float], confidence: float = 0.95
                        ) -> BootstrapInterval:
    """The percentile step of :func:`bootstrap_interval` on statistics already computed on
    each resample (undefined ones left out by the caller): the (1 - confidence) / 2 and
    (1 + confidence) / 2 quantiles, and how many values there were. Raises ValueError for
    no values."""
    if not values:
        raise ValueError("a percentile interval needs at least one value")
    ordered = sorted(values)
    tail = (1 - confidence) / 2
    return BootstrapInterval(_quantile(ordered, tail), _quantile(ordered, 1 - tail),
                             len(ordered))


def intersect_intervals(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]
                        ) -> list[tuple[int, int]]:
    """The intersection of two sorted lists of disjoint intervals (passages both codings,
    or both sides of a query, cover)."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out
