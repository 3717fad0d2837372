"""The Norwegian (bokmål) forms of the study's roles and school types, and the words the
reports use to name informants and say how many of them said something: "En rådgiver i
videregående skole", "de fleste av lærerne". Pure: the matrices attribute their quotes
with them, and the reports' Norwegian wording builds its sentences from them."""

from __future__ import annotations

from typing import Any

NOT_REPORTED = "—"
# What an identifiable export says at its top (the exports and the reports' bokmål wording
# alike); it opens with the mark the leak check looks for.
IDENTIFIABLE_NOTICE = ("IDENTIFISERBAR: navn og andre opplysninger er ikke erstattet med "
                       "pseudonymer (eksportert med --identifiable). Skal ikke deles.")

# Norwegian display forms (bokmål) for the report's way of naming informants.
ROLE_DISPLAY = {"rektor": "rektor", "radgiver": "rådgiver", "laerer": "lærer",
                "elev": "elev", "intervjuer": "intervjuer", "informant": "informant"}
SKOLESLAG_DISPLAY = {"ungdomsskole": "ungdomsskole", "videregaende": "videregående skole",
                     "videregående": "videregående skole", "barneskole": "barneskole",
                     "grunnskole": "grunnskole"}
_SKOLESLAG_PHRASE = {"ungdomsskole": "på en ungdomsskole",
                     "videregaende": "i videregående skole",
                     "videregående": "i videregående skole",
                     "barneskole": "på en barneskole", "grunnskole": "i grunnskolen"}
# singular definite, plural indefinite, plural definite
NOUN_FORMS = {
    "rektor": ("rektoren", "rektorer", "rektorene"),
    "radgiver": ("rådgiveren", "rådgivere", "rådgiverne"),
    "laerer": ("læreren", "lærere", "lærerne"),
    "elev": ("eleven", "elever", "elevene"),
    "informant": ("informanten", "informanter", "informantene"),
    "ungdomsskole": ("ungdomsskolen", "ungdomsskoler", "ungdomsskolene"),
    "videregaende": ("den videregående skolen", "videregående skoler",
                     "de videregående skolene"),
    "skole": ("skolen", "skoler", "skolene"),
}
_NUMBER_WORDS = {1: "En", 2: "To", 3: "Tre", 4: "Fire", 5: "Fem", 6: "Seks"}



def role_display(role: str | None) -> str:
    if role is None:
        return NOT_REPORTED
    return ROLE_DISPLAY.get(role, role)


def _forms(noun: str | None) -> tuple[str, str, str]:
    found = NOUN_FORMS.get(noun or "informant")
    if found is None:
        word = role_display(noun)
        return (f"{word}en", word, f"{word}ne")
    return found


def value_display(dimension: str, value: Any) -> str:
    """How a column value is shown: Norwegian forms for roles and school types."""
    if value is None:
        return NOT_REPORTED
    if dimension in ("rolle", "role"):
        return role_display(value)
    if dimension.endswith("skoleslag"):
        return SKOLESLAG_DISPLAY.get(str(value), str(value))
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return str(value)


def attribution(role: str | None, skoleslag: str | None, n_persons: int = 1) -> str:
    """The report's way of naming a speaker: "En rådgiver i videregående skole",
    "En rektor på en ungdomsskole", "To lærere på en ungdomsskole" — never a name."""
    n = max(n_persons, 1)
    if n == 1:
        who = f"En {role_display(role) if role else 'informant'}"
    else:
        who = f"{_NUMBER_WORDS.get(n, str(n))} {_forms(role)[1]}"
    if skoleslag:
        where = _SKOLESLAG_PHRASE.get(str(skoleslag), f"({skoleslag})")
        return f"{who} {where}"
    return who


def attribution_of(speakers: list[tuple[str | None, int]], skoleslag: str | None) -> str:
    """Several roles in one excerpt: "En rektor og en lærer på en ungdomsskole"."""
    if len(speakers) <= 1:
        role, n = speakers[0] if speakers else (None, 1)
        return attribution(role, skoleslag, n)
    parts = [attribution(role, None, n) for role, n in speakers]
    who = join_nb([parts[0]] + [p[:1].lower() + p[1:] for p in parts[1:]])
    where = _SKOLESLAG_PHRASE.get(str(skoleslag), f"({skoleslag})") if skoleslag else ""
    return f"{who} {where}".strip()


def frequency_parts(k: int, n: int, noun: str | None) -> tuple[str, str]:
    """(quantifier, noun form) of :func:`frequency_phrase`, so that phrases sharing a
    quantifier can be joined: "de fleste av rektorene, rådgiverne og lærerne"."""
    one, many, the_many = _forms(noun)
    if n <= 0 or k <= 0:
        return ("ingen av", the_many) if n != 1 else ("ikke", one)
    if k >= n:
        return ("", one) if n == 1 else ("begge", the_many) if n == 2 else ("samtlige", many)
    if k == 1:
        return ("én av", the_many)
    if k * 2 > n:
        return ("de fleste av", the_many)
    if k * 2 == n:
        return ("halvparten av", the_many)
    return ("enkelte av", the_many)


def frequency_phrase(k: int, n: int, noun: str | None) -> str:
    """A frequency in words, as the reference report writes them: "samtlige rektorer",
    "begge ungdomsskolene", "de fleste av rådgiverne", "halvparten av lærerne", "enkelte av
    lærerne", "én av de videregående skolene", "ingen av elevene"."""
    quantifier, form = frequency_parts(k, n, noun)
    return f"{quantifier} {form}".strip()


def frequency_sentence(parts: list[tuple[str, str]]) -> str:
    """Join (quantifier, noun) parts, naming a quantifier once for a run of nouns that
    share it: "samtlige rektorer og rådgivere og én av lærerne"."""
    groups: list[tuple[str, list[str]]] = []
    for quantifier, form in parts:
        if groups and groups[-1][0] == quantifier and quantifier not in ("", "ikke", "én av"):
            groups[-1][1].append(form)
        else:
            groups.append((quantifier, [form]))
    phrases = []
    for quantifier, forms in groups:
        nouns = join_nb(forms) if len(groups) == 1 else \
            (", ".join(forms[:-1]) + " og " + forms[-1] if len(forms) > 1 else forms[0])
        phrases.append(f"{quantifier} {nouns}".strip())
    return join_nb(phrases)


def layer_phrase(kind: str, names: list[str]) -> str:
    """Which codings the numbers rest on, in plain words: one coder's, the consensus, or
    several coders' united ("the union of the layers": a passage any of them coded, once).
    ``names``: the coders of the layer (every coder when none is named)."""
    if kind == "consensus":
        return "konsensuskodingene"
    if kind == "coder" or len(names) == 1:
        return f"kodingene til {names[0]}"
    joined = ", ".join(names[:-1]) + " og " + names[-1] if names else "alle kodere"
    return (f"kodingene til {joined} slått sammen (det minst én av dem har kodet, "
            "telt én gang)")


def join_nb(items: list[str]) -> str:
    """"a", "a og b", "a, b og c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def fold(value: object) -> str:
    """Compare attribute values loosely: case, and the usual ASCII spellings of æøå
    (videregående, videregaaende and videregaende are the same value)."""
    from qualcode.domain.text import nfc

    text = nfc(str(value)).strip().casefold()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return text.replace("aa", "a")
