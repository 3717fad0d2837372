"""Helpers shared by the command modules, and the group class that makes every error one
line on stderr with exit status 1."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from qualcode.cli.render import OutputFormat, print_error

FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", "-f", help="table for reading, csv or json for other programs.",
    case_sensitive=False)]

# The command-line layer's own errors, found through the class typer re-exports, so the
# group works whichever click (installed or bundled with typer) parses the arguments.
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_COMMAND_LINE_ERROR = next(c for c in typer.BadParameter.__mro__
                           if c.__name__ == "ClickException")


class Group(TyperGroup):
    """Every error as one line on stderr and exit status 1: a :class:`QualcodeError`, a
    usage error (with a pointer to the command's --help instead of the usage block), and
    a database error that got past the store (the driver's own short message only, never
    the SQL or its parameters)."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[override]
        with one_line_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def resolve_command(self, ctx, args):  # type: ignore[override]
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            _plain_values(command, ctx)
        return name, command, rest

    def parse_args(self, ctx, args):  # type: ignore[override]
        # A group named alone shows its help, as --help does, and that is no error.
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            typer.echo(ctx.get_help())
            raise typer.Exit(0)
        _plain_values(self, ctx)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):  # type: ignore[override]
        with one_line_errors():
            return super().invoke(ctx)

    def list_commands(self, ctx):  # keep the order in which commands were added
        return list(self.commands)


class _PlainValues:
    """Typer checks every option's value through a pydantic validator it builds on first
    use; importing pydantic and building them cost about 0.1 s of every command's start.
    The values a command line almost always holds are taken here as typer would return
    them: nothing given, text, a flag, a choice typed as one of its names, a whole number
    within its bounds. Anything else (a path, a decimal number, a misspelt choice, a
    number out of bounds) goes to typer's own validator, with its messages."""

    def __init__(self, descriptor) -> None:
        self.descriptor = descriptor
        self.checked = None  # typer's own, built when a value needs it

    def coerce(self, value, param, ctx):
        info = self.descriptor.parameter_info
        kind = self.descriptor.annotation
        many = param.multiple or param.nargs == -1
        if value is None:
            return () if many else None
        if info.parser is None and self.descriptor.file_annotation is None:
            if kind in (str, bool) and type(value) is kind and not many:
                return value
            if many and isinstance(value, (list, tuple)) and _text_list(kind) \
                    and all(type(v) is str for v in value):
                return list(value)
            if isinstance(kind, type) and issubclass(kind, Enum) and not many \
                    and ctx.token_normalize_func is None:
                chosen = _choice(kind, value, info.case_sensitive)
                if chosen is not None:
                    return chosen
            number = int(value) if kind is int and type(value) is str \
                and _WHOLE_NUMBER.fullmatch(value) else value
            if kind in (int, float) and type(number) is kind and not many \
                    and (info.min is None or number >= info.min) \
                    and (info.max is None or number <= info.max):
                return number
        if self.checked is None:
            from typer._coercion import build_runtime_param

            self.checked = build_runtime_param(self.descriptor)
        return self.checked.coerce(value, param=param, ctx=ctx)


# A whole number as typed on a command line; anything else (" 5", "1_000", "５") is
# left to typer, whose validator decides.
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


def _text_list(kind) -> bool:
    return getattr(kind, "__origin__", None) is list and kind.__args__ == (str,)


def _choice(kind: type[Enum], value, case_sensitive: bool):
    """The member ``value`` names, compared as typer compares (its value, casefolded
    unless case-sensitive); None if it names none or the members' values are no text."""
    if isinstance(value, kind):
        return value
    if type(value) is not str or not all(isinstance(m.value, str) for m in kind):
        return None
    fold = (lambda text: text) if case_sensitive else str.casefold
    return next((member for member in kind if fold(member.value) == fold(value)), None)


def _plain_values(command, ctx) -> None:
    """Let ``command``'s options take plain values without typer's validators (see
    :class:`_PlainValues`); a typer that validates otherwise is left as it is. ``ctx`` is
    the command's own context or its parent's: the --help option, made on first use, has
    the same names in both unless the command sets its own."""
    params = list(getattr(command, "params", ()))
    if "help_option_names" not in (getattr(command, "context_settings", None) or {}):
        help_option = command.get_help_option(ctx)
        if help_option is not None:
            params.append(help_option)
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is not None and getattr(param, "_runtime_param", False) is None:
            param._runtime_param = _PlainValues(descriptor)


@contextmanager
def one_line_errors() -> Iterator[None]:
    from qualcode.domain.errors import QualcodeError

    try:
        yield
    except QualcodeError as exc:
        _fail(str(exc))
    except _USAGE_ERROR as exc:
        message = exc.format_message().rstrip(".")
        _fail(f"{message} — see `{_command_path(exc.ctx)} --help`")
    except _COMMAND_LINE_ERROR as exc:
        _fail(exc.format_message())
    except Exception as exc:
        reported = database_message(exc)
        if reported is None:
            raise
        _fail(reported)


def _fail(message: str) -> None:
    # A URL can reach a message from a driver or a path the user gave: mask it here too.
    from qualcode.store.postgres import redact_text

    print_error(redact_text(message))
    raise typer.Exit(1)


def _command_path(ctx) -> str:
    names = []
    while ctx is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    # The root is always called qualcode, whatever name the program was started by.
    return " ".join(["qualcode", *reversed(names[:-1])])


def database_message(exc: BaseException) -> str | None:
    """What the database said about ``exc``, in one line without the statement or its
    bound parameters (they hold quotations and memos); None if it is no database error.

    SQLAlchemy, sqlite3 and psycopg are looked up among the loaded modules: an error of
    theirs can only exist once they are, and `qualcode --help` must not load them."""
    sa_errors = sys.modules.get("sqlalchemy.exc")
    if sa_errors is not None and isinstance(exc, sa_errors.DBAPIError) and exc.orig:
        exc = exc.orig
    drivers = tuple(error for error in (getattr(sys.modules.get(name), "Error", None)
                                        for name in ("sqlite3", "psycopg"))
                    if isinstance(error, type))
    if not isinstance(exc, drivers):
        return None
    diag = getattr(exc, "diag", None)
    said = getattr(diag, "message_primary", None) or str(exc).strip()
    said = said.splitlines()[0].strip() if said else type(exc).__name__
    return f"the project database reported: {said}"


def parse_id(text: str) -> int:
    """An id as typed: ASCII digits only (``int`` would also take ``١٢`` or ``1_000``,
    and ``²`` passes ``isdigit`` but not ``int``)."""
    if not (text.isascii() and text.isdigit()):
        raise typer.BadParameter(f"'{text}' is not a valid id (a whole number, e.g. 12)")
    return int(text)


def coder_option(value: str | list[str] | None) -> str | list[str] | None:
    """A --coder or --consensus value, trimmed and checked as the project stores coder
    names: `--coder ''` is refused rather than read as "every coder"."""
    if value is None:
        return None
    if isinstance(value, list):
        return [_coder(v) for v in value]
    return _coder(value)


def coders_option(value: str | None) -> str | None:
    """A comma-separated --coders value, each name checked as by :func:`coder_option`."""
    return None if value is None else ",".join(_coder(v) for v in value.split(","))


def _coder(name: str) -> str:
    from qualcode.domain.errors import QualcodeError
    from qualcode.domain.user_text import coder_name

    try:
        return coder_name(name)
    except QualcodeError as exc:
        raise typer.BadParameter(exc.message) from None


# libpq's key=value form ("host=db password=…"): meant as a database, never a file name.
_CONNECTION_STRING = re.compile(r"(?:^|\s)(?:host|hostaddr|dbname|user|password|port)\s*=")


def project_path(ctx: typer.Context) -> Path | str:
    """The project file, or a database URL as given (a URL is no path)."""
    root = ctx.find_root()
    target = str((root.obj or {}).get("project") or "qualcode.db")
    if "://" in target:
        return target
    if _CONNECTION_STRING.search(target):
        from qualcode.domain.errors import ProjectError

        # Taken as a file name, it would create a file named after the password.
        raise ProjectError("a project is a file or a postgresql:// URL, not a connection "
                           "string (host=… dbname=…)",
                           hint="write it as postgresql://user:password@host/database")
    return Path(target)


def open_project(ctx: typer.Context):
    from qualcode.services.project import open_project as _open

    return _open(project_path(ctx))


RawOption = Annotated[bool, typer.Option(
    "--raw", help="CSV: write text exactly as stored. By default text that a spreadsheet "
    "would run as a formula (starting with =, +, -, @, tab or carriage return) gets a "
    "leading apostrophe ('=1+1); use --raw for programs that read the CSV.")]


class Language(str, Enum):
    nb = "nb"
    en = "en"


LanguageOption = Annotated[Language, typer.Option(
    "--language", help="The report's language: nb (Norwegian bokmål) or en (English). The "
    "data keep their own words.", case_sensitive=False)]
