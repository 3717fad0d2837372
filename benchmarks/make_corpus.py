"""Generate a synthetic interview study for benchmarks, in the shape of the reference design.

The reference study (see transcripts_example/README.md) interviewed eight case schools,
half ungdomsskole (U) and half videregående (V), one of each in every landsdel (nord, midt,
vest, øst). At every school the rektor was interviewed alone, the rådgiver alone (U, one
rådgiver) or the two rådgivere together (V), the two lærere as a pair, and then all of them
together in a cross-role focus group. This script scales that design up to N invented
schools so that import, coding, query and agreement code can be timed at the size of a
national study.

What is generated, deterministically from ``--seed``:

* ``attributes.yaml``: the site sheet (``sites:``: navn, case_code, skoleslag, landsdel,
  skoleeier, antall_radgivere, radgivertjeneste_organisering, regionalt_nettverk and, at V
  schools, utdanningsprogram_profil) and the informants (``persons:``: rolle, pseudonym,
  nettverksdeltaker true/false; rådgivere also radgiver_funksjon, radgiverutdanning and
  stillingsprosent_radgivning as a whole number; lærere laerer_funksjon and, for
  yrkesfaglærere, yrkesbakgrunn), in the format of transcripts_example/attributes.yaml.
  Site ids read ``s001_u_nord``: number, skoleslag, landsdel (``ost`` for øst, ids are
  ASCII); school i is U when i is odd and the landsdel cycles every two schools, so the
  first eight schools mirror the reference study's UN VN UM VM UV VV UØ VØ.
* ``txt/``: every transcript as UTF-8 text with YAML front matter (title, site, format,
  modus, dato, runde, speakers: label -> person id; the interviewer is left unmapped).
* ``docx/``: a seeded share (``--docx-share``, default 0.5; 1 writes all) of the same
  transcripts as Word files with a sidecar ``<stem>.yaml``, with the same stem as in
  ``txt/``. A mixed-format study is ``docx/`` plus the ``txt/`` files whose stem is not in
  ``docx/`` (the manifest's ``docx`` column). With ``--formats docx`` alone, every
  transcript is written as .docx. Speaker labels are bold runs
  ("Rektor:") followed by a normal run, as in transcripts_example/nordvik_laerere.docx.
  One template is built with python-docx; each document's ``word/document.xml`` (and
  ``docProps/core.xml``, for the title) is written directly and zipped with the template's
  other parts unchanged, which is far faster than python-docx's object API. Turns with a
  timestamp start with a normal "[00:12:31] " run before the bold label.
* ``codings.csv``: holistic, parallel codings by ``--coders`` coders (anna, bjorn,
  cecilie) in qualcode's coding exchange format, by turn numbers only.
* ``manifest.csv``: one row per transcript (site, format, runde, informants, turns, words
  spoken in turns as qualcode counts them, characters of the stored text, whether it is in
  ``docx/``), so that benchmarks can check what an import should find.

Five transcripts per school, not the reference study's four: the rektor interview
(individuelt), the rådgiver interview (individuelt at U with ``Rådgiver``; gruppe at V with
``Rådgiver 1``/``Rådgiver 2``), the lærer pair (parvis, ``Lærer 1``/``Lærer 2``), the focus
group (fokusgruppe, runde 2, all informants), plus an invented individual follow-up
interview with one of the two lærere (individuelt, runde 3, label ``Lærer``). The extra
interview makes 200 schools give 1,000 transcripts, a round number for benchmarks, and adds
a third participation for one informant per school.

Transcript text is recombined by the seeded random generator from a bank of about 600
invented Norwegian sentences and interviewer lines (benchmarks/sentences_nb.txt: role- and
school-type-specific answers, questions, probes, «Vår kvalitet» statements for focus
groups, transcription marks such as (ler), …, [elevene], [uklart]). Interviewer turns are
one line; answers have one to four paragraphs (continuation lines without a label), and
in group formats one to three informants answer a question. In about 30 % of the
interviews a second researcher asks now and then (``Intervjuer 2``, unmapped like the
first), as one or two researchers took part in the reference interviews. About 7 % of turns
carry a timestamp before the label ("[00:12:31] Rektor: …"). Every transcript
starts with a title line before the first label, which qualcode keeps as text but does not
count as a turn, so the stored text of a .txt and a .docx transcript is identical.
Transcript length (words spoken in turns) is ``--words`` times a seeded factor between 0.8
and 1.2; the last few hundred words before the target are short answers, so the length stays
within those bounds.

Codings: each transcript gets about ``--codings-per-transcript`` codings over all coders.
The first coder codes spans of 1–3 consecutive informant turns (from an informant turn to
an informant turn, any interviewer turns in between included) with one or two codes each
(parallel coding). Codes come from codebooks/kvalitetsmodellen.yaml with a Zipf-like
distribution over a seeded ranking of all code ids, so a few codes are frequent and many
are rare. Each further coder copies each of the first coder's codings with probability
``--agreement`` (same turns, same code); otherwise it moves one end of the span by one
turn, uses a sibling code, or leaves the coding out (about 40/35/25 of the rest), and it
adds about 10 % codings of its own. Turn numbers follow qualcode's rule: turns are
numbered 1, 2, 3 … in file order, counting every labelled line including the
interviewer's; the title line before the first label is not a turn.

Everything about a school depends only on the seed and the school's number, so the first
schools of a large corpus are identical to a small corpus made with the same seed.
Everything is invented; the values are synthetic and say nothing about real schools.

Usage::

    python benchmarks/make_corpus.py --schools 200 --out corpus200
    python benchmarks/make_corpus.py --schools 8 --out corpus8 --words 3000 --docx-share 1
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import re
import sys
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_BANK = HERE / "sentences_nb.txt"
DEFAULT_CODEBOOK = HERE.parent / "codebooks" / "kvalitetsmodellen.yaml"

CODERS = ("anna", "bjorn", "cecilie")
# (landsdel value, case-code letter, ASCII form for ids)
REGIONS = (("nord", "N", "nord"), ("midt", "M", "midt"), ("vest", "V", "vest"),
           ("øst", "Ø", "ost"))
INTERVIEWER = "Intervjuer"
WORDS_PER_SECOND = 2.5  # spoken Norwegian, about 150 words a minute
TIMESTAMP_SHARE = 0.07
OWN_CODINGS_SHARE = 0.10
WORD = re.compile(r"\w+(?:[-'’]\w+)*")  # words as qualcode counts them
ZIPF_EXPONENT = 1.1

PLACE_HEADS = (
    "Nord", "Sør", "Vest", "Øst", "Fjell", "Bjørk", "Eike", "Furu", "Sol", "Stein", "Strand",
    "Elve", "Bakke", "Haug", "Myr", "Skog", "Sjø", "Berg", "Dal", "Nes", "Holm", "Rød",
    "Grønn", "Lyng", "Ask", "Rose", "Kvit", "Alm", "Eng", "Sand", "Bre", "Lind", "Gran",
    "Hval", "Ørn", "Rype",
)
PLACE_TAILS = (
    "vik", "dal", "berg", "haug", "heim", "nes", "moen", "lia", "stad", "bø", "ås", "voll",
    "sund", "fjord", "mark", "rud", "set", "land", "tun", "bakken",
)
MEMOS = (
    "usikker på avgrensningen",
    "informanten snakker om to ting samtidig",
    "grensetilfelle, drøftes på kodemøtet",
    "sitatkandidat",
    "kan også kodes på overordnet nivå",
    "tok med spørsmålet for sammenhengens skyld",
    "jf. det rektor sa i eget intervju",
    'viktig: «det er ingen som har spurt»',
)
YRKESBAKGRUNN = ("elektriker", "tømrer", "helsefagarbeider", "kokk", "rørlegger",
                 "bilmekaniker", "frisør", "anleggsmaskinfører", "barne- og ungdomsarbeider")


# --------------------------------------------------------------------------- inputs

def load_bank(path: Path) -> dict[str, list[str]]:
    """Read the sentence bank: ``[section]`` headers, one sentence a line, # comments."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = unicodedata.normalize("NFC", raw.strip())
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]") and "]" not in line[1:-1]:
            current = sections.setdefault(line[1:-1].strip(), [])
        elif current is None:
            raise SystemExit(f"{path}: text before the first [section] header")
        else:
            current.append(line)
    needed = ("åpning individuelt", "åpning gruppe", "åpning fokusgruppe", "åpning oppfølging",
              "avslutning", "spørsmål", "spørsmål rektor", "spørsmål radgiver",
              "spørsmål laerer", "spørsmål oppfølging", "påstand", "probe", "kort", "felles",
              "rektor", "radgiver", "laerer", "ungdomsskole", "videregaende", "fokusgruppe",
              "refleksjon")
    missing = [name for name in needed if not sections.get(name)]
    if missing:
        raise SystemExit(f"{path}: missing or empty sections: {', '.join(missing)}")
    return sections


@dataclass(frozen=True)
class CodeTable:
    ids: list[str]
    cum_weights: list[float]
    siblings: dict[str, list[str]]


def load_codes(path: Path, seed: int) -> CodeTable:
    """All non-archived code ids with a seeded Zipf-like weight, and each code's siblings."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parent_of: dict[str, str | None] = {}

    def walk(nodes: list[dict], parent: str | None) -> None:
        for node in nodes or []:
            if not node.get("archived"):
                parent_of[str(node["id"])] = parent
            walk(node.get("children") or [], str(node["id"]))

    walk(data.get("codes") or [], None)
    ids = sorted(parent_of)
    ranking = ids[:]
    random.Random(f"{seed}:codes").shuffle(ranking)
    weight = {code: 1.0 / (rank + 1) ** ZIPF_EXPONENT for rank, code in enumerate(ranking)}
    cum, total = [], 0.0
    for code in ids:
        total += weight[code]
        cum.append(total)
    by_parent: dict[str | None, list[str]] = {}
    for code, parent in parent_of.items():
        by_parent.setdefault(parent, []).append(code)
    siblings = {code: sorted(c for c in by_parent[parent] if c != code)
                for code, parent in parent_of.items()}
    return CodeTable(ids=ids, cum_weights=cum, siblings=siblings)


# --------------------------------------------------------------------------- the study

@dataclass
class Person:
    id: str
    rolle: str
    label: str  # label in the role interview and the focus group
    attrs: dict[str, object]


@dataclass
class Site:
    number: int
    id: str
    place: str
    level: str  # "U" or "V"
    attrs: dict[str, object]
    persons: list[Person] = field(default_factory=list)
    first_day: dt.date = dt.date(2021, 9, 6)
    digital: bool = False


@dataclass
class Interview:
    stem: str
    kind: str  # rektor | radgiver | laerere | fokusgruppe | oppfolging
    title: str
    format: str
    modus: str
    dato: dt.date
    runde: int
    speakers: list[tuple[str, Person]]


def place_names(count: int, seed: int) -> list[str]:
    pool = sorted({head + tail for head in PLACE_HEADS for tail in PLACE_TAILS
                   if head[-1].lower() != tail[0]})
    random.Random(f"{seed}:places").shuffle(pool)
    return [pool[i % len(pool)] + (f" {i // len(pool) + 1}" if i >= len(pool) else "")
            for i in range(count)]


def weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def make_site(number: int, place: str, seed: int, width: int) -> Site:
    index = number - 1
    level = "U" if index % 2 == 0 else "V"
    landsdel, letter, ascii_region = REGIONS[(index // 2) % len(REGIONS)]
    site_id = f"s{number:0{width}d}_{level.lower()}_{ascii_region}"
    rng = random.Random(f"{seed}:{site_id}:site")
    attrs: dict[str, object] = {
        "navn": f"{place} ungdomsskole" if level == "U" else f"{place} videregående skole",
        "case_code": level + letter,
        "skoleslag": "ungdomsskole" if level == "U" else "videregaende",
        "landsdel": landsdel,
        "skoleeier": "kommune" if level == "U" else "fylkeskommune",
        "antall_radgivere": 1 if level == "U" else 2,
    }
    if level == "U":
        organisering = pick(rng, {"samlet": 0.8, "elevtjeneste": 0.2})
    else:
        organisering = pick(rng, {"delt": 0.5, "samlet": 0.2, "elevtjeneste": 0.3})
    attrs["radgivertjeneste_organisering"] = organisering
    attrs["regionalt_nettverk"] = pick(rng, {"aktiv": 0.6, "passiv": 0.3, "ingen": 0.1})
    if level == "V":
        attrs["utdanningsprogram_profil"] = pick(rng, {
            "studiespesialiserende og yrkesfag": 0.6, "studiespesialiserende": 0.2,
            "yrkesfag": 0.2})
    site = Site(number=number, id=site_id, place=place, level=level, attrs=attrs)
    site.first_day = weekday(dt.date(2021, 9, 6) + dt.timedelta(days=rng.randrange(80)))
    site.digital = rng.random() < 3 / 8  # 3 of the 8 reference schools were interviewed online

    in_network = attrs["regionalt_nettverk"] != "ingen"
    site.persons.append(Person(f"{site_id}_rektor", "rektor", "Rektor", {
        "pseudonym": f"Rektor {place}",
        "nettverksdeltaker": rng.random() < 0.2,
    }))
    n_radgivere = 1 if level == "U" else 2
    for k in range(1, n_radgivere + 1):
        if n_radgivere == 1:
            funksjon = pick(rng, {"begge": 0.8, "karriereveiledning": 0.2})
        elif organisering == "delt":
            funksjon = "karriereveiledning" if k == 1 else "sosialpedagogisk"
        else:
            funksjon = pick(rng, {"begge": 0.574, "karriereveiledning": 0.426})
        shares = (20, 25, 30, 40, 50, 60) if level == "U" else (40, 50, 60, 70, 80, 100)
        suffix = "" if n_radgivere == 1 else str(k)
        site.persons.append(Person(f"{site_id}_radgiver{suffix}", "radgiver",
                                   f"Rådgiver {suffix}".strip(), {
            "pseudonym": f"Rådgiver {place} {suffix}".strip(),
            "radgiver_funksjon": funksjon,
            "stillingsprosent_radgivning": rng.choice(shares),
            "radgiverutdanning": pick(rng, {
                "ingen": 0.2, "kurs_<7.5stp": 0.02, "<29stp": 0.05, "30-60stp": 0.5,
                "61-120stp": 0.08, "master": 0.05, "annen_relevant": 0.1}),
            "nettverksdeltaker": in_network and rng.random() < (0.93 if level == "U" else 0.88),
        }))
    for k in (1, 2):
        attrs_l: dict[str, object] = {"pseudonym": f"Lærer {place} {k}"}
        if level == "U":
            attrs_l["laerer_funksjon"] = ("utdanningsvalg-laerer" if k == 1
                                          else pick(rng, {"kontaktlaerer": 0.7, "faglaerer": 0.3}))
        else:
            funksjon = pick(rng, {"yrkesfaglaerer": 0.4, "kontaktlaerer": 0.4, "faglaerer": 0.2})
            attrs_l["laerer_funksjon"] = funksjon
            if funksjon == "yrkesfaglaerer":
                attrs_l["yrkesbakgrunn"] = rng.choice(YRKESBAKGRUNN)
        attrs_l["nettverksdeltaker"] = rng.random() < 0.1
        site.persons.append(Person(f"{site_id}_laerer{k}", "laerer", f"Lærer {k}", attrs_l))
    return site


def interviews_for(site: Site, seed: int) -> list[Interview]:
    rng = random.Random(f"{seed}:{site.id}:interviews")
    navn = str(site.attrs["navn"])
    rektor = site.persons[0]
    radgivere = [p for p in site.persons if p.rolle == "radgiver"]
    laerere = [p for p in site.persons if p.rolle == "laerer"]
    round1 = "digital" if site.digital else "fysisk"
    day = site.first_day
    focus_day = weekday(day + dt.timedelta(days=rng.randint(28, 56)))
    follow_day = weekday(dt.date(2022, 1, 10) + dt.timedelta(days=rng.randrange(65)))
    follow = rng.choice(laerere)
    group = len(radgivere) > 1
    return [
        Interview(f"{site.id}_rektor", "rektor", f"Intervju med rektor, {navn}", "individuelt",
                  round1, day, 1, [("Rektor", rektor)]),
        Interview(f"{site.id}_radgivere" if group else f"{site.id}_radgiver", "radgiver",
                  (f"Gruppeintervju med rådgivere, {navn}" if group
                   else f"Intervju med rådgiver, {navn}"),
                  "gruppe" if group else "individuelt", round1,
                  weekday(day + dt.timedelta(days=rng.randint(0, 1))), 1,
                  [(p.label, p) for p in radgivere]),
        Interview(f"{site.id}_laerere", "laerere", f"Parintervju med lærere, {navn}", "parvis",
                  round1, weekday(day + dt.timedelta(days=1)), 1,
                  [(p.label, p) for p in laerere]),
        Interview(f"{site.id}_fokusgruppe", "fokusgruppe", f"Fokusgruppe, {navn}",
                  "fokusgruppe", "digital" if rng.random() < 0.5 else "fysisk", focus_day, 2,
                  [(p.label, p) for p in site.persons]),
        Interview(f"{site.id}_laerer_oppfolging", "oppfolging",
                  f"Oppfølgingsintervju med lærer, {navn}", "individuelt",
                  "digital" if rng.random() < 0.7 else "fysisk", follow_day, 3,
                  [("Lærer", follow)]),
    ]


# --------------------------------------------------------------------------- YAML output

@lru_cache(maxsize=4096)
def yaml_str(value: str) -> str:
    """A YAML scalar for ``value``: plain if YAML reads it back unchanged, else quoted."""
    plain = bool(value) and value == value.strip() and value[0] not in "<>!&*[]{}|#%@`\"',?:-"
    if plain:
        try:
            plain = yaml.safe_load(f"k: {value}") == {"k": value}
        except yaml.YAMLError:
            plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return yaml_str(str(value))


def attributes_yaml(sites: list[Site], seed: int) -> str:
    lines = [
        f"# Attributes of a synthetic study: {len(sites)} invented case schools, "
        f"{sum(len(s.persons) for s in sites)} informants (seed {seed}).",
        "# Load with:  qualcode attributes import attributes.yaml",
        "# All values are synthetic; nothing here describes a real school or person.",
        "sites:",
    ]
    for site in sites:
        lines.append(f"  {site.id}:")
        lines.extend(f"    {key}: {yaml_scalar(val)}" for key, val in site.attrs.items())
    lines += ["", "persons:"]
    for site in sites:
        for person in site.persons:
            lines += [f"  {person.id}:", f"    site: {site.id}", f"    rolle: {person.rolle}"]
            lines.extend(f"    {key}: {yaml_scalar(val)}" for key, val in person.attrs.items())
    return "\n".join(lines) + "\n"


def metadata_yaml(iv: Interview, site: Site) -> str:
    lines = [f"title: {yaml_str(iv.title)}", f"site: {site.id}", f"format: {iv.format}",
             f"modus: {iv.modus}", f"dato: {iv.dato.isoformat()}", f"runde: {iv.runde}",
             "speakers:"]
    lines.extend(f"  {yaml_str(label)}: {person.id}" for label, person in iv.speakers)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- talk

@dataclass
class Turn:
    label: str
    informant: bool
    paragraphs: list[str]
    stamp: str = ""


def count_words(text: str) -> int:
    return len(WORD.findall(text))


class Pool:
    """Sentences one speaker draws from, with their word counts."""

    def __init__(self, weighted: list[tuple[list[str], int]], place: str) -> None:
        self.items: list[str] = []
        for sentences, weight in weighted:
            filled = [s.replace("{sted}", place) for s in sentences]
            self.items.extend(filled * weight)
        self.words = {s: count_words(s) for s in self.items}
        # a sentence with a colon among its first words could read as a speaker label
        # when it opens a continuation line; such sentences never open a paragraph
        self.safe_start = [s for s in dict.fromkeys(self.items)
                           if ":" not in " ".join(s.split()[:5])]

    def paragraph(self, rng: random.Random, n: int, opener: str | None = None) -> tuple[str, int]:
        chosen = list(dict.fromkeys(rng.choices(self.items, k=n)))
        if opener is not None:
            chosen.insert(0, opener)
        elif ":" in " ".join(chosen[0].split()[:5]):
            chosen[0] = rng.choice(self.safe_start)
        return " ".join(chosen), sum(self.words.get(s) or count_words(s) for s in chosen)


class Queue:
    """Interviewer lines in a seeded order, reshuffled when used up."""

    def __init__(self, rng: random.Random, items: list[str]) -> None:
        self.rng = rng
        self.items = items
        self.order: list[str] = []

    def next(self) -> str:
        if not self.order:
            self.order = self.items[:]
            self.rng.shuffle(self.order)
        return self.order.pop()


def stamp(words: int, offset: int) -> str:
    seconds = int(words / WORDS_PER_SECOND) + offset
    return f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}] "


def generate_turns(iv: Interview, site: Site, bank: dict[str, list[str]], target: int,
                   rng: random.Random) -> list[Turn]:
    level_pool = bank["ungdomsskole" if site.level == "U" else "videregaende"]
    pools: dict[str, Pool] = {}
    for label, person in iv.speakers:
        weighted = [(bank[person.rolle], 3), (bank["felles"], 1), (level_pool, 2)]
        if iv.kind == "oppfolging":
            weighted.append((bank["refleksjon"], 4))
        pools[label] = Pool(weighted, site.place)
    focus_openers = bank["fokusgruppe"]
    short = bank["kort"]
    if iv.kind == "fokusgruppe":
        questions = bank["spørsmål"][:]
        opening = bank["åpning fokusgruppe"]
    elif iv.kind == "oppfolging":
        questions = bank["spørsmål oppfølging"] * 3 + bank["spørsmål laerer"] + bank["spørsmål"]
        opening = bank["åpning oppfølging"]
    else:
        role = {"rektor": "rektor", "radgiver": "radgiver", "laerere": "laerer"}[iv.kind]
        questions = bank[f"spørsmål {role}"] * 2 + bank["spørsmål"]
        opening = bank["åpning gruppe" if len(iv.speakers) > 1 else "åpning individuelt"]
    question_q = Queue(rng, questions)
    statement_q = Queue(rng, bank["påstand"])
    probe_q = Queue(rng, bank["probe"])
    labels = [label for label, _ in iv.speakers]
    second_interviewer = rng.random() < 0.3
    offset = rng.randrange(5, 40)

    turns: list[Turn] = []
    words = 0

    def add(label: str, paragraphs: list[str], n_words: int, informant: bool) -> None:
        nonlocal words
        ts = stamp(words, offset) if rng.random() < TIMESTAMP_SHARE else ""
        turns.append(Turn(label, informant, paragraphs, ts))
        words += n_words

    def ask(text: str) -> None:
        who = f"{INTERVIEWER} 2" if second_interviewer and rng.random() < 0.15 else INTERVIEWER
        add(who, [text], count_words(text), False)

    def answer(label: str, brief: bool) -> None:
        pool = pools[label]
        r = rng.random()
        if r < 0.08:
            text = rng.choice(short)
            add(label, [text], count_words(text), True)
            return
        opener = rng.choice(short) if r < 0.22 else None
        if iv.kind == "fokusgruppe" and opener is None and rng.random() < 0.35:
            opener = rng.choice(focus_openers)
        n_paras = 1 if brief else rng.choice((1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4))
        paragraphs, n_words = [], 0
        for k in range(n_paras):
            size = rng.randint(1, 4) if brief else rng.randint(2, 8)
            text, n = pool.paragraph(rng, size, opener if k == 0 else None)
            paragraphs.append(text)
            n_words += n
        add(label, paragraphs, n_words, True)

    ask(rng.choice(opening))
    for label in labels if len(labels) <= 2 else labels[:1]:
        answer(label, brief=True)
    last_was_probe = False
    while words < target:
        if not last_was_probe and rng.random() < 0.25:
            ask(probe_q.next())
            last_was_probe = True
            responders = [turns[-2].label] if turns[-2].informant else [rng.choice(labels)]
        else:
            last_was_probe = False
            if iv.kind == "fokusgruppe" and rng.random() < 0.55:
                ask(statement_q.next())
                responders = rng.sample(labels, k=min(len(labels), rng.randint(2, 4)))
            else:
                ask(question_q.next())
                responders = [rng.choice(labels)]
                for p in (0.55, 0.3):
                    if len(labels) > 1 and rng.random() < p:
                        responders.append(rng.choice([x for x in labels if x != responders[-1]]))
        for k, label in enumerate(responders):
            # near the target, answers get short so that the length stays within bounds
            answer(label, brief=(k > 0 and rng.random() < 0.5) or target - words < 400)
    ask(rng.choice(bank["avslutning"]))
    text = rng.choice(("Takk selv.", "Nei, jeg tror jeg har fått sagt det meste.",
                       "Takk for at vi fikk være med.", "Nei, det tror jeg ikke. Takk."))
    add(rng.choice(labels), [text], count_words(text), True)
    return turns


def render_text(title: str, turns: list[Turn]) -> str:
    lines = [title]
    for turn in turns:
        lines.append(f"{turn.stamp}{turn.label}: {turn.paragraphs[0]}")
        lines.extend(turn.paragraphs[1:])
    return "\n".join(lines)


# --------------------------------------------------------------------------- .docx

_ENTITIES = {'"': "&quot;", "'": "&apos;"}
_CORE = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title>'
    "<dc:subject/><dc:creator/><cp:keywords/><dc:description/><cp:lastModifiedBy/>"
    "<cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
    "<dc:language>nb-NO</dc:language><cp:category/></cp:coreProperties>"
)


def _x(text: str) -> str:
    return escape(text, _ENTITIES)


class DocxWriter:
    """Writes transcripts as .docx from one python-docx template, XML parts written directly."""

    def __init__(self) -> None:
        import docx  # only needed when .docx files are written

        buffer = io.BytesIO()
        docx.Document().save(buffer)
        with zipfile.ZipFile(buffer) as template:
            self.parts = [(info.filename, template.read(info)) for info in template.infolist()]
        document = dict(self.parts)["word/document.xml"].decode("utf-8")
        body = document.index("<w:body>") + len("<w:body>")
        self.head = document[:body]
        self.tail = document[document.index("<w:sectPr", body):]

    def document_xml(self, title: str, turns: list[Turn]) -> str:
        out = [self.head, '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r>'
               f'<w:t xml:space="preserve">{_x(title)}</w:t></w:r></w:p>']
        for turn in turns:
            stamp_run = (f'<w:r><w:t xml:space="preserve">{turn.stamp}</w:t></w:r>'
                         if turn.stamp else "")
            out.append(f'<w:p>{stamp_run}<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">'
                       f'{_x(turn.label)}:</w:t></w:r><w:r><w:t xml:space="preserve"> '
                       f"{_x(turn.paragraphs[0])}</w:t></w:r></w:p>")
            out.extend(f'<w:p><w:r><w:t xml:space="preserve">{_x(p)}</w:t></w:r></w:p>'
                       for p in turn.paragraphs[1:])
        out.append(self.tail)
        return "".join(out)

    def write(self, path: Path, title: str, day: dt.date, turns: list[Turn]) -> None:
        stamp_time = (day.year, day.month, day.day, 12, 0, 0)
        replaced = {
            "word/document.xml": self.document_xml(title, turns).encode("utf-8"),
            "docProps/core.xml": _CORE.format(title=_x(title),
                                              when=f"{day.isoformat()}T12:00:00Z").encode(),
        }
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in self.parts:
                info = zipfile.ZipInfo(name, date_time=stamp_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, replaced.get(name, data))


# --------------------------------------------------------------------------- codings

CodingKey = tuple[int, int, str]  # first turn, last turn, code


def make_codings(informant: list[bool], codes: CodeTable, n_coders: int, per_transcript: int,
                 agreement: float, rng: random.Random) -> Iterator[tuple[str, str, str, str]]:
    """Yield (turns, code, coder, memo) rows for one transcript."""
    n_turns = len(informant)
    answers = [i + 1 for i, flag in enumerate(informant) if flag]
    if not answers or per_transcript <= 0:
        return
    expected_per_first = 1 + (n_coders - 1) * (1 - (1 - agreement) * 0.25 + OWN_CODINGS_SHARE)
    n_first = max(1, round(per_transcript / expected_per_first))

    def draw_code() -> str:
        return rng.choices(codes.ids, cum_weights=codes.cum_weights)[0]

    def draw_span() -> tuple[int, int]:
        j = rng.randrange(len(answers))
        k = rng.choice((1, 1, 1, 2, 2, 3))
        return answers[j], answers[min(j + k - 1, len(answers) - 1)]

    first: dict[CodingKey, str] = {}
    attempts = 0
    while len(first) < n_first and attempts < n_first * 10:
        attempts += 1
        a, b = draw_span()
        n_codes = 1 if rng.random() < 0.6 else 2
        for code in dict.fromkeys(draw_code() for _ in range(n_codes)):
            if len(first) < n_first:
                first.setdefault((a, b, code), rng.choice(MEMOS) if rng.random() < 0.03 else "")
    coded: list[dict[CodingKey, str]] = [first]
    for _ in range(1, n_coders):
        own: dict[CodingKey, str] = {}
        for (a, b, code), memo in first.items():
            r = rng.random()
            if r < agreement:
                own.setdefault((a, b, code), memo)
                continue
            r = (r - agreement) / (1 - agreement)
            if r < 0.4:  # move one end of the span by one turn
                moves = [(a, b + 1)] if b < n_turns else []
                moves += [(a - 1, b)] if a > 1 else []
                moves += [(a + 1, b), (a, b - 1)] if b > a else []
                if moves:
                    a2, b2 = rng.choice(moves)
                    own.setdefault((a2, b2, code),
                                   rng.choice(MEMOS) if rng.random() < 0.1 else "")
            elif r < 0.75:  # a sibling code
                siblings = codes.siblings.get(code) or [code]
                own.setdefault((a, b, rng.choice(siblings)),
                               rng.choice(MEMOS) if rng.random() < 0.1 else "")
            # else: this coder left the passage uncoded
        for _ in range(round(n_first * OWN_CODINGS_SHARE)):
            a, b = draw_span()
            own.setdefault((a, b, draw_code()), "")
        coded.append(own)
    for coder, rows in zip(CODERS, coded, strict=False):
        for (a, b, code) in sorted(rows):
            yield (str(a) if a == b else f"{a}-{b}"), code, coder, rows[(a, b, code)]


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Generate a deterministic synthetic interview study (schools, informants, "
                    ".txt/.docx transcripts, codings) for qualcode benchmarks.")
    parser.add_argument("--schools", type=int, required=True, help="number of case schools")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--words", type=int, default=10_000,
                        help="target words per transcript (each is 0.8-1.2 times this)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--coders", type=int, default=2, choices=range(1, len(CODERS) + 1),
                        help="number of coders (anna, bjorn, cecilie)")
    parser.add_argument("--codings-per-transcript", type=int, default=100,
                        help="about this many codings per transcript over all coders")
    parser.add_argument("--agreement", type=float, default=0.8,
                        help="chance that a further coder copies a coding of the first coder")
    parser.add_argument("--docx-share", type=float, default=0.5,
                        help="share of transcripts also written to docx/ (0-1); "
                             "with --formats docx alone every transcript is written")
    parser.add_argument("--formats", default="txt,docx", help="comma list of txt, docx")
    parser.add_argument("--bank", type=Path, default=DEFAULT_BANK, help="sentence bank")
    parser.add_argument("--codebook", type=Path, default=DEFAULT_CODEBOOK)
    parser.add_argument("--force", action="store_true",
                        help="write into an output folder that already holds transcripts")
    args = parser.parse_args(argv)
    args.formats = {f.strip() for f in args.formats.split(",") if f.strip()}
    if not args.formats or not args.formats <= {"txt", "docx"}:
        parser.error("--formats takes txt, docx or txt,docx")
    if args.schools < 1 or args.words < 20 or args.codings_per_transcript < 0:
        parser.error("--schools must be ≥ 1, --words ≥ 20, --codings-per-transcript ≥ 0")
    if not 0 <= args.docx_share <= 1 or not 0 <= args.agreement <= 1:
        parser.error("--docx-share and --agreement are shares between 0 and 1")
    if "txt" not in args.formats:
        args.docx_share = 1.0  # the .docx files are the only copy
    return args


def prepare_folder(out: Path, formats: set[str], force: bool) -> None:
    for sub in ("txt", "docx"):
        folder = out / sub
        old = [p for p in folder.glob("*") if p.suffix in (".txt", ".docx", ".yaml")]
        if old and not force:
            raise SystemExit(f"{folder} already holds transcripts; choose another --out "
                             "or pass --force to replace them")
        for path in old:
            path.unlink()
        if sub in formats:
            folder.mkdir(parents=True, exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    bank = load_bank(args.bank)
    codes = load_codes(args.codebook, args.seed)
    out: Path = args.out
    prepare_folder(out, args.formats, args.force)
    docx_writer = DocxWriter() if "docx" in args.formats and args.docx_share > 0 else None

    width = max(3, len(str(args.schools)))
    places = place_names(args.schools, args.seed)
    sites = [make_site(n, places[n - 1], args.seed, width) for n in range(1, args.schools + 1)]
    (out / "attributes.yaml").write_text(attributes_yaml(sites, args.seed), encoding="utf-8")

    totals = {"transcripts": 0, "docx": 0, "turns": 0, "words": 0, "characters": 0,
              "codings": 0}
    with (out / "codings.csv").open("w", encoding="utf-8", newline="") as codings_file, \
            (out / "manifest.csv").open("w", encoding="utf-8", newline="") as manifest_file:
        codings = csv.writer(codings_file, lineterminator="\n")
        codings.writerow(["transcript", "turns", "start", "end", "code", "coder", "memo"])
        manifest = csv.writer(manifest_file, lineterminator="\n")
        manifest.writerow(["transcript", "site", "format", "runde", "informants", "turns",
                           "words", "characters", "docx"])
        for site in sites:
            for iv in interviews_for(site, args.seed):
                rng = random.Random(f"{args.seed}:{iv.stem}:text")
                # 0.8-1.2 times --words; the last exchange overshoots a little
                target = round(args.words * rng.uniform(0.8, 1.185))
                turns = generate_turns(iv, site, bank, target, rng)
                text = render_text(iv.title, turns)
                meta = metadata_yaml(iv, site)
                if "txt" in args.formats:
                    (out / "txt" / f"{iv.stem}.txt").write_text(f"---\n{meta}---\n{text}\n",
                                                                 encoding="utf-8")
                in_docx = (docx_writer is not None and
                           random.Random(f"{args.seed}:{iv.stem}:docx").random() < args.docx_share)
                if docx_writer is not None and in_docx:
                    docx_writer.write(out / "docx" / f"{iv.stem}.docx", iv.title, iv.dato, turns)
                    (out / "docx" / f"{iv.stem}.yaml").write_text(meta, encoding="utf-8")
                    totals["docx"] += 1
                crng = random.Random(f"{args.seed}:{iv.stem}:codings")
                n_codings = 0
                for turns_field, code, coder, memo in make_codings(
                        [t.informant for t in turns], codes, args.coders,
                        args.codings_per_transcript, args.agreement, crng):
                    codings.writerow([iv.stem, turns_field, "", "", code, coder, memo])
                    n_codings += 1
                n_words = sum(count_words("\n".join(turn.paragraphs)) for turn in turns)
                manifest.writerow([iv.stem, site.id, iv.format, iv.runde, len(iv.speakers),
                                   len(turns), n_words, len(text), str(in_docx).lower()])
                totals["transcripts"] += 1
                totals["turns"] += len(turns)
                totals["words"] += n_words
                totals["characters"] += len(text)
                totals["codings"] += n_codings
    seconds = time.perf_counter() - started
    print(f"schools      {args.schools} ({sum(s.level == 'U' for s in sites)} U, "
          f"{sum(s.level == 'V' for s in sites)} V), "
          f"{sum(len(s.persons) for s in sites)} informants")
    print(f"transcripts  {totals['transcripts']}"
          + (" .txt" if "txt" in args.formats else "")
          + f", {totals['docx']} .docx, {totals['turns']} turns")
    print(f"words        {totals['words']} (spoken, in turns)")
    print(f"characters   {totals['characters']}")
    print(f"codings      {totals['codings']} ({args.coders} coders)")
    print(f"seconds      {seconds:.1f}")
    print(f"written to   {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
