"""Every word the reports print, one object per language: :func:`for_language` gives
Norwegian bokmål (``nb``, the default) or English (``en``). Pure: no python-docx, no
database. The base class formats numbers, dates and lists; each language's module gives
the sentences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

LANGUAGES = ("nb", "en")


class Wording:
    """Number, date and list forms; a language sets the separators and words."""

    language = ""
    locale = ""  # the proofing language of a Word document, e.g. nb-NO
    thousands = ","
    decimal = "."
    and_word = "and"
    undefined = "undefined"
    months: tuple[str, ...] = ()

    def integer(self, n: int | float) -> str:
        """1 234 (nb, with a no-break space) or 1,234 (en)."""
        return f"{int(n):,}".replace(",", self.thousands)

    def num(self, value: float | None, digits: int = 2) -> str:
        """0,87 (nb) or 0.87 (en); a minus sign, not a hyphen; ``undefined`` for None."""
        if value is None:
            return self.undefined
        return f"{value:.{digits}f}".replace(".", self.decimal).replace("-", "\u2212")

    def join(self, items: Sequence[str]) -> str:
        """"a, b og c" (nb) or "a, b and c" (en)."""
        items = list(items)
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self.and_word} " + items[-1]

    def date(self, d: date | str) -> str:
        raise NotImplementedError

    def iso_date(self, iso: str) -> str:
        return self.date(date.fromisoformat(iso))


def for_language(language: str = "nb"):
    """The wording of ``language`` (nb or en)."""
    from qualcode.domain.errors import QualcodeError

    if language == "nb":
        from qualcode.reports.wording.nb import Bokmal

        return Bokmal()
    if language == "en":
        from qualcode.reports.wording.en import English

        return English()
    raise QualcodeError(f"no report language '{language}'",
                        hint=f"use one of {', '.join(LANGUAGES)}")
