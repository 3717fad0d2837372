"""The scan that proposes a pseudonym key: what in the transcripts looks like it could
identify someone. An aid for the researcher, not a guarantee.

Pure: texts in, candidates out. It finds

- names the project already knows (given by the caller: site names, person names from
  the attribute sheets, speaker labels that are names);
- capitalised words that are not at the start of a sentence and not common Norwegian
  words (spaCy's Norwegian stop words, no model, and the corpus itself: a word the
  transcripts also write in lower case is an ordinary word); neighbouring capitalised
  words are one name, also across a line break, and a genitive ``Olas`` counts as ``Ola``;
- e-mail addresses, phone numbers, personal numbers (fødselsnummer, with their control
  digits checked), street addresses and URLs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from qualcode.pseudonyms import DEFAULT_REPLACEMENTS

_UPPER = "A-ZÆØÅÉÜÖÄ"
_LOWER = "a-zæøåéüöä"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
# Neighbouring capitalised words, separated by a space or one line break, only after a
# word or a comma and a space: a capital that starts a sentence or a line says nothing.
# Each pattern opens with the character class it looks for, and checks what stands
# before it afterwards, so the regular expression engine skips ahead fast: a national
# corpus is scanned in seconds.
_NAME = re.compile(rf"([{_UPPER}](?:(?<=[^\W_] .)|(?<=[,;] .))[{_LOWER}]+"
                   rf"(?:-[{_UPPER}][{_LOWER}]+)?(?:[ \n]{_NAME_WORD})*)(?![^\W_])")
_STREET_WORD = re.compile(r"(?:gata|gate|gaten|veien|vei|vegen|veg|plass|allé|torget)$")
_AFTER = ("", ".", ",", "?", "!", ":", ";", "»", ")", "…")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>«»\"]+[^\s<>«»\".,;:!?)\]]")
_PHONE = re.compile(r"\d(?<!\d\d)(?:\d ?\d\d ?\d\d ?\d\d|\d\d \d\d \d\d\d)(?!\d)")
_PERSONAL_NUMBER = re.compile(r"\d(?<!\d\d)\d{5} ?\d{5}(?!\d)")
_STREET = re.compile(rf"[{_UPPER}](?<![^\W_].)[{_LOWER}]*(?:gata|gate|gaten|veien|vei|vegen|"
                     rf"veg|plass|allé|alle|stien|bakken|torget|brygga) \d{{1,4}}[A-Za-z]?"
                     rf"(?![^\W_])")
# Words that start a sentence, or a turn after the speaker's colon.
_SENTENCE_END = ".!?:…»«\"“”(–-"
# Words that name roles, not people, and are written with a capital in labels.
_ROLE_WORDS = {"intervjuer", "rektor", "rådgiver", "radgiver", "lærer", "laerer", "elev",
               "informant", "inspektør", "avdelingsleder"}


@dataclass
class Candidate:
    """A string that may identify someone, how often it occurs, and one line of context."""

    text: str
    kind: str
    source: str  # attribute | label | name | e-mail | phone | personal number | address | url
    count: int = 0
    context: str = ""
    transcripts: set[str] = field(default_factory=set)
    replacement: str | None = None


def fodselsnummer_ok(digits: str) -> bool:
    """The two control digits of a Norwegian personal number (modulus 11)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    d = [int(c) for c in digits]
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    k1 = 11 - sum(a * b for a, b in zip(w1, d[:9], strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(w2, d[:10], strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    return k1 < 10 and k2 < 10 and d[9] == k1 and d[10] == k2


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width):start].rsplit("\n", 1)[-1]
    after = text[end:end + width].split("\n", 1)[0]
    return " ".join(f"{before}{text[start:end]}{after}".split())


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    return text[i] in _SENTENCE_END


def common_words() -> set[str]:
    """Norwegian words that are never names: spaCy's bokmål stop words."""
    from spacy.lang.nb.stop_words import STOP_WORDS

    return {w.casefold() for w in STOP_WORDS}


def scan(texts: dict[str, str], known: Iterable[Candidate] = (),
         ignore: Iterable[str] = ()) -> list[Candidate]:
    """Candidates for the key from ``texts`` (transcript name → text), most frequent first.

    ``known`` are names the project already holds; they are counted in the texts and always
    listed. ``ignore`` are strings already in the key, or rejected: they are left out."""
    ignored = {s.casefold() for s in ignore}
    stop = common_words() | _ROLE_WORDS
    # Words as split by whitespace, counted in C: a candidate is an ordinary word when the
    # corpus also writes it in lower case (with or without punctuation after it).
    tokens: Counter[str] = Counter()
    for text in texts.values():
        tokens.update(text.split())

    def written_lower(word: str) -> bool:
        low = word.casefold()
        return any(tokens[low + end] for end in _AFTER)

    found: dict[tuple[str, str], Candidate] = {}

    def add(text_value: str, kind: str, source: str, name: str, text: str, start: int,
            end: int) -> None:
        key = (text_value, source if source != "label" else "name")
        cand = found.get(key)
        if cand is None:
            cand = found[key] = Candidate(text_value, kind, source,
                                          replacement=DEFAULT_REPLACEMENTS.get(kind, "[navn]"))
        if not cand.context:
            cand.context = _context(text, start, end)
        cand.count += 1
        cand.transcripts.add(name)

    for name, text in texts.items():
        for m in _NAME.finditer(text):
            words = m.group(1).split()
            start = m.start()
            # A sentence-initial first word is not a name by itself; the rest may be.
            if _sentence_initial(text, start):
                start += len(words[0]) + 1
                words = words[1:]
            words = [w for w in words if w.casefold() not in stop]
            if not words:
                continue
            phrase = " ".join(words)
            if written_lower(words[0]) or (len(words) > 1 and written_lower(phrase)):
                continue  # written in lower case too: an ordinary word
            if phrase.casefold() in ignored:
                continue
            kind = "place" if _STREET_WORD.search(phrase) else "person"
            add(phrase, kind, "name", name, text, start, m.end())
        patterns = [(_STREET, "place", "address")]
        if "@" in text:
            patterns.append((_EMAIL, "other", "e-mail"))
        if "http" in text or "www." in text:
            patterns.append((_URL, "other", "url"))
        for pattern, kind, source in patterns:
            for m in pattern.finditer(text):
                if m.group(0).casefold() not in ignored:
                    add(m.group(0), kind, source, name, text, m.start(), m.end())
        for m in _PERSONAL_NUMBER.finditer(text):
            if fodselsnummer_ok(m.group(0).replace(" ", "")) and m.group(0) not in ignored:
                add(m.group(0), "other", "personal number", name, text, m.start(), m.end())
        for m in _PHONE.finditer(text):
            number, start = m.group(0), m.start()
            for prefix in ("+47 ", "+47"):  # the country code, when written
                if text[max(0, start - len(prefix)):start] == prefix:
                    number, start = prefix + number, start - len(prefix)
                    break
            if number[-8:].replace(" ", "")[:1] in "2345679" and number not in ignored:
                add(number, "other", "phone", name, text, start, m.end())

    # A genitive is the name: "Olas" goes with "Ola" when the corpus has both.
    for (text_value, source), cand in list(found.items()):
        base = found.get((text_value[:-1], source))
        if source == "name" and text_value.endswith("s") and base is not None:
            base.count += cand.count
            base.transcripts |= cand.transcripts
            del found[(text_value, source)]
    known = [c for c in known if c.text.casefold() not in ignored]
    if known:  # counted in one pass over each text, however many names the project has
        from qualcode.pseudonyms import Entry, Key

        finder = Key(Entry(c.text, c.text) for c in known)
        by_text = {c.text: c for c in known}
        for cand in known:
            cand.count = 0
            found.pop((cand.text, "name"), None)
            found[(cand.text, cand.source)] = cand
        for name, text in texts.items():
            for m in finder.find(text):
                cand = by_text[m.entry.original]
                cand.count += 1
                cand.transcripts.add(name)
                if not cand.context:
                    cand.context = _context(text, m.start, m.end)
    return sorted(found.values(), key=lambda c: (c.source not in ("attribute", "label"),
                                                 -c.count, c.text))
