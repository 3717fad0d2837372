"""Stability: one coder compared with her own earlier round (intra-coder agreement).

A coder recodes a sample weeks later under her name with a round suffix (``anna@2``, see
:mod:`qualcode.domain.user_text`), and ``qualcode agreement --coders anna,anna@2``
compares the rounds. The coefficients are the inter-coder ones on the same count tables;
only what they mean differs. Krippendorff (Content Analysis, 2nd ed. 2004, ch. 11
"Reliability"; 4th ed. 2019, ch. 12) names three designs: *stability* (test-retest: one
coder twice), *reproducibility* (test-test: independent coders) and *accuracy* (against a
standard). Stability is the weakest: it shows that a coder is consistent with herself, not
that another coder would code alike, so it never stands in for inter-coder agreement and
the two are never mixed in one comparison.

The time between the rounds is read from the codings' timestamps (``created_at``): per
transcript both rounds coded, from the latest coding of the earlier round to the first
coding of the later one. A coding brought in by ``coding import`` carries the moment of
the import, one copied by ``merge`` the moment it was made.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from datetime import datetime

from qualcode.domain.errors import NotFoundError, QualcodeError
from qualcode.domain.times import stored_time
from qualcode.domain.user_text import coder_round, round_name
from qualcode.services import layers
from qualcode.store import Snapshot, Store

INTER_CODER = "inter-coder"
STABILITY = "stability"
SOURCE = "Krippendorff, Content Analysis, 2004, ch. 11; 2019, ch. 12"
DAY = 86_400.0


def comparison(names: Sequence[str]) -> str:
    """``stability`` when the names are rounds of one coder (anna, anna@2), ``inter-coder``
    when they are different coders. A mix is refused: anna's agreement with herself
    would be counted as agreement between coders."""
    bases = [coder_round(name)[0] for name in names]
    if len(set(bases)) == 1 and len(bases) > 1:
        return STABILITY
    twice = sorted({b for b in bases if bases.count(b) > 1})
    if twice:
        raise QualcodeError(
            f"--coders mixes rounds of {', '.join(twice)} with other coders: a coder's "
            "agreement with herself is not agreement between coders",
            hint=f"compare one coder's rounds for stability (--coders {twice[0]},"
                 f"{twice[0]}@2), or different coders for inter-coder agreement")
    return INTER_CODER


def by_round(names: Sequence[str]) -> list[str]:
    """One coder's rounds, first round first."""
    return sorted(names, key=lambda name: coder_round(name)[1])


def round_times(db: Snapshot, coders: dict[str, int], transcripts: Sequence[int]) -> dict:
    """When each round coded the compared transcripts, and the time between consecutive
    rounds (see the module's note). ``coders``: name → coder pk, in round order."""
    wanted = set(transcripts)
    pks = list(coders.values())
    spans: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    for coder_pk, t_pk, first, last in db.rows(
            "SELECT coder_pk, transcript_pk, min(created_at), max(created_at) FROM coding "
            f"WHERE origin != 'suggested' AND coder_pk IN ({', '.join('?' * len(pks))}) "
            "GROUP BY coder_pk, transcript_pk", pks):
        if t_pk in wanted:
            spans[coder_pk, t_pk] = (stored_time(first), stored_time(last))
    rounds = []
    for name, pk in coders.items():
        mine = [v for (c, _), v in spans.items() if c == pk]
        rounds.append({"coder": name, "round": coder_round(name)[1],
                       "first_coded": min(v[0] for v in mine).isoformat() if mine else None,
                       "last_coded": max(v[1] for v in mine).isoformat() if mine else None})
    between = []
    names = list(coders)
    for earlier, later in zip(names, names[1:], strict=False):
        days = [(spans[coders[later], t][0] - spans[coders[earlier], t][1]).total_seconds()
                / DAY for t in transcripts
                if (coders[earlier], t) in spans and (coders[later], t) in spans]
        between.append({
            "from": earlier, "to": later, "transcripts": len(days),
            "median_days": statistics.median(days) if days else None,
            "min_days": min(days) if days else None,
            "max_days": max(days) if days else None,
            "later_round_first": sum(1 for d in days if d < 0),
        })
    return {"coder": coder_round(names[0])[0], "source": SOURCE, "rounds": rounds,
            "between": between}


def _days(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"


def between_text(stability: dict) -> str:
    """The time between the rounds in a line: "anna → anna@2: median 42 days (30–55) over
    4 transcripts"."""
    parts = []
    for step in stability["between"]:
        if step["median_days"] is None:
            parts.append(f"{step['from']} → {step['to']}: no transcript coded in both")
            continue
        text = (f"{step['from']} → {step['to']}: median {_days(step['median_days'])} days "
                f"({_days(step['min_days'])}–{_days(step['max_days'])}) over "
                f"{step['transcripts']} transcript(s)")
        if step["later_round_first"]:
            text += (f"; in {step['later_round_first']} the later round began before the "
                     "earlier one's last coding")
        parts.append(text)
    return "; ".join(parts)


def recode_sample(store: Store, coder: str, size: int, *, seed: int = 0) -> dict:
    """A random sample of the transcripts ``coder`` has coded (own codings), to code
    again as the coder's next round: the same seed gives the same sample. Returns the coder, the
    round to code as, how many transcripts there were to draw from, and the sample by
    name."""
    name, number = coder_round(coder)
    if number > 1:
        raise QualcodeError(f"{coder} is round {number} of {name}; a sample is drawn from "
                            "the first round", hint=f"use --coder {name}")
    if size < 1:
        raise QualcodeError(f"a sample needs at least one transcript, not {size}")
    with store.snapshot() as db:
        coders = dict(db.rows("SELECT name, pk FROM coder"))
        layers.check_coders(coders, [name])
        coded = db.column(
            "SELECT name FROM transcript WHERE pk IN (SELECT transcript_pk FROM coding "
            "WHERE coder_pk = ? AND origin IN ('manual', 'imported')) ORDER BY name",
            (coders[name],))
    if not coded:
        raise NotFoundError(f"{name} has coded no transcript yet",
                            hint="a recode sample is drawn from the transcripts a coder coded")
    if size > len(coded):
        raise QualcodeError(f"{name} has coded {len(coded)} transcript(s), fewer than the "
                            f"{size} asked for", hint=f"ask for at most {len(coded)}")
    taken = [coder_round(other)[1] for other in coders if coder_round(other)[0] == name]
    chosen = sorted(random.Random(seed).sample(coded, size))
    return {"coder": name, "round": round_name(name, max(taken) + 1), "seed": seed,
            "coded": len(coded), "transcripts": chosen}


def stability_rounds(store: Store) -> list[dict]:
    """What the study report says on stability, when a coder recoded a sample: per coder
    with later rounds, how many transcripts she coded again (``transcripts``), the later
    rounds (``later``: name and round), the median days after the first round (or None)
    and pooled Krippendorff's alpha between the rounds (by character, as the report's
    inter-coder agreement)."""
    from qualcode.services.agreement_report import agreement
    from qualcode.services.layers import own_coders

    with store.snapshot() as db:
        names = own_coders(db)
    rounds: dict[str, list[str]] = {}
    for name in names:
        base, number = coder_round(name)
        if number > 1 and base in names:
            rounds.setdefault(base, [base]).append(name)
    out = []
    for base, coders in sorted(rounds.items()):
        try:
            result = agreement(store, coders=coders, bootstrap=0)
        except QualcodeError:
            continue  # the rounds share no transcript
        alpha = result["pooled"].get("alpha")
        if alpha is None:
            continue
        step = result["stability"]["between"][-1]
        out.append({"coder": base, "transcripts": len(result["transcripts"]),
                    "later": [(n, coder_round(n)[1]) for n in coders[1:]],
                    "median_days": step["median_days"], "alpha": alpha})
    return out
