"""How stored attribute values read in Norwegian reports and tables."""

from __future__ import annotations

ROLE_LABELS = {
    "rektor": "rektor",
    "radgiver": "rådgiver",
    "laerer": "lærer",
    "intervjuer": "intervjuer",
    "elev": "elev",
    "foresatt": "foresatt",
    "skoleeier": "skoleeier",
}
SCHOOL_TYPE_LABELS = {
    "ungdomsskole": "ungdomsskole",
    "videregaende": "videregående skole",
    "begge_skoletrinn": "skole med begge trinn",
    "voksenopplaering": "voksenopplæring",
}

# Where the study's long words break when a narrow column header must wrap them.
WORD_BREAKS = {word.replace("|", ""): word.split("|") for word in (
    "videre|gående", "ungdoms|skole", "voksen|opplæring", "skole|trinn", "råd|giver",
    "skole|eier", "fore|satt", "intervju|er", "barne|skole", "karriere|veiledning",
)}


def soft_hyphenated(text: str) -> str:
    """``text`` with a soft hyphen where each of its long words may break (``WORD_BREAKS``):
    Word and LibreOffice break a narrow column header there, with a hyphen, and nowhere
    else; the terminal's matrices break at the same places."""
    words = []
    for word in text.split(" "):
        parts = WORD_BREAKS.get(word.lower())
        if parts:
            cuts, at = [], 0
            for part in parts:  # the word's own letters, capitals kept
                cuts.append(word[at:at + len(part)])
                at += len(part)
            word = "\u00ad".join(cuts)
        words.append(word)
    return " ".join(words)


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", role or "ukjent rolle")


def school_type_label(value: str | None) -> str:
    return SCHOOL_TYPE_LABELS.get(value or "", value or "")


def attribution(role: str | None, school_type: str | None) -> str:
    """'Rådgiver, videregående skole' — role and school type, never a name (anonymity)."""
    text = role_label(role).capitalize()
    return f"{text}, {school_type_label(school_type)}" if school_type else text


def turn_range(turns: list[int], empty: str = "") -> str:
    """Turn numbers as a reader sees them: "12", "12-15", or ``empty`` for none."""
    if not turns:
        return empty
    return f"{turns[0]}-{turns[-1]}" if len(turns) > 1 else str(turns[0])
