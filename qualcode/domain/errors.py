"""One family of user-facing errors.

Every message is one line that says what went wrong and what to do next; the CLI prints
it on stderr and exits with status 1. Anything else escaping to the user is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable


class QualcodeError(Exception):
    """Base class: a problem the user can act on."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message

    def __reduce__(self):
        # Errors cross process boundaries when files are parsed in parallel.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type, args: tuple, state: dict) -> QualcodeError:
    error = Exception.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ProjectError(QualcodeError):
    """The project file is missing, locked, corrupt or from a newer qualcode."""


class InputFileError(QualcodeError):
    """A transcript, sheet or coding file could not be read or understood."""

    def __init__(self, path: str, reason: str, *, line: int | None = None,
                 hint: str | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}", hint=hint)
        self.path = path
        self.line = line
        self.reason = reason


class CodebookError(QualcodeError):
    """A codebook file is invalid or cannot be synced without losing codings."""


class NotFoundError(QualcodeError):
    """A transcript, code, site, person or coder named by the user does not exist."""


class ConflictError(QualcodeError):
    """The requested change would overwrite or orphan existing work."""


def not_found(message: str, name: str, known: Iterable[str], otherwise: str) -> NotFoundError:
    """The error for a name the user typed that the project lacks: with the closest known
    name ("did you mean …?", a difference of case first, then a typo), else ``otherwise``
    (where to look). One rule for codes, transcripts, coders, cases and values alike."""
    import difflib

    names = sorted(set(known) - {name})
    same_case = [n for n in names if n.casefold() == name.casefold()]
    close = same_case or difflib.get_close_matches(name, names, n=1)
    return NotFoundError(message, hint=f"did you mean '{close[0]}'?" if close else otherwise)
