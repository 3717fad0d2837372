"""`qualcode code TRANSCRIPT --coder NAME`: the coder's workbench, a full-screen Textual app.

Left, the transcript as numbered speaker turns with the coder's codings as coloured stripes
and code ids; right, the codebook tree with a filter; at the bottom the recently used codes
and a status line. Every action is one call to a :mod:`qualcode.services.coding_ops`
function, which writes it in its own transaction at once: nothing waits for a save.

``qualcode --help`` must not load Textual or SQLModel, so the module keeps Textual inside
:func:`_app_class` and imports services inside functions. :class:`Workbench` holds the
state (transcript, codings, selection) without any Textual, so the app stays a thin view.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

import typer
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from qualcode.cli.common import coder_option, open_project
from qualcode.cli.render import plain

HELP_INTRO = ("Every action is saved the moment you make it; there is no save key. "
              "u takes back your last action, even after you quit and come back.")

HELP: list[tuple[str, list[tuple[str, str]]]] = [
    ("Moving and selecting (the transcript, left)", [
        ("↓ j   ↑ k", "next / previous turn"),
        ("shift+↓ J   shift+↑ K", "extend the selection by a turn: code a range of turns "
                                 "(holistic coding)"),
        ("pgdn   pgup", "five turns down / up"),
        ("home g   end G", "first / last turn"),
        ("esc", "shrink the selection to the current turn; leave sentence mode"),
        ("s", "sentence mode in the current turn (precise coding): ↓ ↑ j k (or → ← l h) "
              "move between sentences, shift+arrow or J K (L H) extends; s or esc goes "
              "back to whole turns. Keys typed while the sentences are found wait for them"),
        ("mouse", "click a turn to select it, shift+click to extend the selection"),
    ]),
    ("Coding", [
        ("/", "find a code: type part of its id or label; ↓ ↑ (pgdn pgup) move in the "
              "codebook, enter applies, esc goes back to the transcript"),
        ("enter", "apply the code highlighted in the codebook to the selection, once you "
                  "have chosen one (found it with / or moved to it in the codebook)"),
        ("1 … 9", "apply one of your recent codes (the bar above the status line)"),
        ("", "The selection stays after applying, so several codes can go on it "
             "(parallel coding). A code applied over or next to its own coding extends it."),
        ("x", "remove one of your codings on the selection (the whole coding, also where "
              "it runs on into other turns): a single one goes at once, with several you "
              "pick from a list (enter removes, esc keeps them)"),
        ("X", "cut the selection (turns or sentences) out of your coding: the rest stays "
              "coded, split in two if the cut is in the middle; with several codings you "
              "pick one from a list"),
        ("m", "write or edit the memo of your coding on the selection (pick one first if "
              "there are several); enter starts a new line, ctrl+s saves, an empty memo "
              "removes it, esc cancels"),
        ("M", "memos: the interview's memos and the memo on the informant of the current "
              "turn; write or edit your own memo on the interview (enter starts a new line, "
              "ctrl+s saves, an empty memo removes it, esc cancels)"),
        ("a", "accept the suggestions (?CODE) on the selection as your own codings"),
        ("u", "undo your last action: apply, extend, remove, cut, memo or accept"),
    ]),
    ("Listening", [
        ("p", "play the selection from the transcript's recording (attach one with "
              "`qualcode media attach`); p again stops"),
    ]),
    ("The codebook (right)", [
        ("tab", "move between the transcript, the code filter and the codebook"),
        ("↓ ↑  j k", "move in the codebook"),
        ("space → ←", "open / close a family of codes"),
        ("enter", "apply the highlighted code to the selection"),
        ("esc", "back to the transcript"),
        ("d", "show or hide the description of the highlighted code"),
        ("(12)", "codings with this code and the codes below it: yours, or everyone's "
                 "with --show-others"),
    ]),
    ("Reading the transcript", [
        ("▌", "a code on the whole turn, one stripe per code, in its area's colour "
              "(the colour of its top-level code)"),
        ("╎", "a code on part of the turn; the coded words are tinted"),
        ("(part)  (5–7)", "the coding covers part of the turn / runs over turns 5 to 7"),
        ("✎", "the coding has a memo"),
        ("?CODE", "a suggestion you have not accepted yet"),
        ("name: CODE", "another coder's coding, shown only with --show-others"),
        ("not counted", "an interviewer's turn (shaded): matrices and the report do not "
                        "count it; coding one asks first, once until you quit"),
    ]),
    ("Other", [
        ("?", "this help (esc closes it)"),
        ("q   ctrl+c", "quit; everything is already saved"),
    ]),
]


def help_text() -> str:
    """The key map as plain text (the help screen shows the same as a table)."""
    lines = ["qualcode code: the coder's workbench", "", HELP_INTRO]
    for title, rows in HELP:
        lines += ["", title]
        lines += [f"  {keys:<22} {what}" for keys, what in rows]
    return "\n".join(lines)


def _help_renderable():
    from rich.table import Table

    width = max(len(keys) for _, rows in HELP for keys, _ in rows)
    parts: list = [Text("qualcode code: the coder's workbench", style="bold"), Text(""),
                   Text(HELP_INTRO)]
    for title, rows in HELP:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True, min_width=width)
        table.add_column()
        for keys, what in rows:
            table.add_row(keys, Text(what, style="" if keys else "italic"))
        parts += [Text(""), Text(title, style="bold underline"), table]
    return Group(*parts)


def _memos_read(memos: dict) -> Text:
    """The memos the coder reads but does not edit here: everyone else's on the interview,
    then those on the informant of the current turn."""
    text = Text()

    def show(items: list[dict], none: str) -> None:
        if not items:
            text.append(f"{none}\n", style="dim")
        for m in items:
            head = f"{m['author'] or '?'}, {m['created'][:10]}"
            text.append(head + (f" · {m['title']}" if m["title"] else "") + "\n",
                        style="italic")
            text.append(m["text"] + "\n")

    text.append("On this interview\n", style="bold underline")
    show(memos["transcript"], "no memo by anyone else")
    turn = memos["turn"]
    if turn.person:
        role = f", {turn.role}" if turn.role else ""
        text.append(f"\nOn {turn.person}{role}, who speaks in turn {turn.index}\n",
                    style="bold underline")
        show(memos["person"], f"no memo on {turn.person}")
    else:
        text.append(f"\nTurn {turn.index}: {turn.speaker or 'the speaker'} is no informant "
                    "of the project (not mapped to a person)\n", style="dim")
    if memos["hidden"]:
        text.append(f"\n{memos['hidden']} memo(s) by other coders not shown while coding "
                    "blind (--show-others shows them)\n", style="dim")
    text.rstrip()
    return text


GUTTER = 4  # stripe columns left of a turn
FIRST_TURNS = 40  # turns mounted before the first paint; the rest follow right after
RECENT = 9  # digit keys for recent codes
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")
ROLE_STYLE = {"intervjuer": "dim", "rektor": "magenta", "radgiver": "cyan", "laerer": "green"}


def register(app: typer.Typer) -> None:
    app.command("code")(code)


def code(
    ctx: typer.Context,
    transcript: Annotated[str, typer.Argument(help="Transcript name (file stem) or id.")],
    coder: Annotated[str, typer.Option(
        "--coder", "-c", callback=coder_option,
        help="Who is coding; you see and change only your own codings. A coder's "
        "second round of a recoded sample is anna@2.")],
    show_others: Annotated[bool, typer.Option(
        "--show-others", help="Also show the other coders' codings, dimmed (not blind).")
    ] = False,
) -> None:
    """Code a transcript in a full-screen workbench: turns left, codebook right (? for help).

    Every action is saved at once; `u` undoes the last one."""
    if not coder.strip():
        raise typer.BadParameter("give a coder name", param_hint="--coder")
    store = open_project(ctx)
    try:
        create_app(store, transcript, coder.strip(), show_others=show_others).run()
    finally:
        store.close()


def create_app(store, transcript: str, coder: str, *, show_others: bool = False):
    """The workbench app for one transcript and coder (loads the data before it starts, so
    an unknown transcript is an ordinary one-line error)."""
    import gc

    model = Workbench(store, transcript, coder, show_others=show_others)
    app = _app_class()(model)
    # What is loaded now lives as long as the app: moving it out of the collector's reach
    # keeps full garbage collections (100+ ms on a large heap) off the keystroke path.
    gc.freeze()
    return app


# --------------------------------------------------------------------------- the state


@dataclass
class Turn:
    index: int  # 1-based, as `qualcode show` numbers turns
    speaker: str | None
    role: str | None
    person: str | None
    start: int
    end: int
    text: str
    sentences: list[tuple[int, int]] | None = None  # absolute offsets, once loaded


@dataclass(frozen=True)
class Mark:
    """A coding as the workbench shows it."""

    id: int
    code: str
    coder: str
    start: int
    end: int
    origin: str
    memo: str | None


@dataclass
class CodeEntry:
    id: str
    label: str
    depth: int
    parent: str | None
    description: str | None
    archived: bool
    colour: str


def _fold(text: str) -> str:
    from qualcode.domain.text import ascii_fold

    return ascii_fold(text).casefold()


def _blend(colour: str, background: str, amount: float) -> str:
    """``colour`` mixed into ``background`` (both #rrggbb): a tint that keeps text legible."""
    def rgb(hex_: str) -> tuple[int, ...]:
        hex_ = hex_.lstrip("#")
        return tuple(int(hex_[i:i + 2], 16) for i in (0, 2, 4))

    try:
        a, b = rgb(colour), rgb(background)
    except ValueError:
        return background
    mixed = (round(x * amount + y * (1 - amount)) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{v:02x}" for v in mixed)


class Workbench:
    """One coder on one transcript: the data, the selection, and the actions (each action
    is one service call that commits before it returns)."""

    def __init__(self, store, transcript: str, coder: str, *, show_others: bool = False):
        from qualcode.domain.errors import QualcodeError
        from qualcode.services.codebooks import code_tree
        from qualcode.services.coding_ops import recent_codes
        from qualcode.services.queries import transcript_turns

        self.store = store
        self.coder = coder
        self.show_others = show_others
        data = transcript_turns(store, transcript)
        self.name: str = data["name"]
        self.title: str = data["title"] or data["name"]
        self.site: str | None = data["site"]
        self.words: int = data["words"]
        self.turns = [Turn(t["index"], t["speaker"], t["role"], t["person"], t["start"],
                           t["end"], t["text"]) for t in data["turns"]]
        if not self.turns:
            raise QualcodeError(f"{self.name} has no turns to code",
                                hint=f"see `qualcode show {self.name}`")
        self._starts = [t.start for t in self.turns]

        nodes = code_tree(store)
        self.codes: dict[str, CodeEntry] = {}
        self.children: dict[str | None, list[str]] = {}
        tops = [n for n in nodes if n.parent is None]
        top_colour = {n.id: n.colour or PALETTE[i % len(PALETTE)] for i, n in enumerate(tops)}
        area = {}
        for n in nodes:  # depth-first: a parent comes before its children
            area[n.id] = n.id if n.parent is None else area[n.parent]
            self.codes[n.id] = CodeEntry(n.id, n.label, n.depth, n.parent, n.description,
                                         n.archived, top_colour[area[n.id]])
            self.children.setdefault(n.parent, []).append(n.id)

        # Counts on the tree: the coder's own codings (blind), or everyone's. Codings in
        # other transcripts are counted once here; this transcript's are kept current.
        counted = nodes if show_others else code_tree(store, coder=coder)
        everywhere = Counter({n.id: n.codings for n in counted if n.codings})
        self.marks: list[Mark] = self._fetch()
        self._base_counts = everywhere - self._local_counts()
        self.counts = self._totals()
        self.recent: list[str] = [c for c in recent_codes(store, coder, RECENT)
                                  if c in self.codes]
        self._index_marks()

        self.cursor = 0  # position in self.turns
        self.anchor = 0
        self.sentence_mode = False
        self.s_cursor = 0
        self.s_anchor = 0
        self.last_pk: int | None = None  # the coding this coder touched last, shown first
        # Coding an interviewer's turn is asked about once while the workbench is open.
        self.interviewer_confirmed = False

    # ------------------------------------------------------------------ codings

    def _fetch(self) -> list[Mark]:
        from qualcode.services.coding_ops import list_codings

        rows = list_codings(self.store, transcript=self.name,
                            coder=None if self.show_others else self.coder)
        return [Mark(r["id"], r["code"], r["coder"], r["start"], r["end"], r["origin"],
                     r["memo"]) for r in rows
                if r["coder"] == self.coder or r["origin"] != "suggested"]

    def _local_counts(self) -> Counter:
        return Counter(m.code for m in self.marks if m.origin != "suggested"
                       and (self.show_others or m.coder == self.coder))

    def _totals(self) -> dict[str, int]:
        own = self._base_counts + self._local_counts()
        totals: dict[str, int] = {}

        def total(code_id: str) -> int:
            n = own.get(code_id, 0) + sum(total(c) for c in self.children.get(code_id, []))
            totals[code_id] = n
            return n

        for top in self.children.get(None, []):
            total(top)
        return totals

    def turns_of(self, start: int, end: int) -> range:
        """Positions of the turns that ``[start, end)`` overlaps."""
        first = max(bisect.bisect_right(self._starts, start) - 1, 0)
        if self.turns[first].end <= start:
            first += 1
        last = bisect.bisect_left(self._starts, end) - 1
        return range(first, max(first, last + 1))

    def _index_marks(self) -> None:
        self.by_turn: list[list[Mark]] = [[] for _ in self.turns]
        for mark in self.marks:
            for pos in self.turns_of(mark.start, mark.end):
                self.by_turn[pos].append(mark)

    def own(self, pos: int) -> list[Mark]:
        return [m for m in self.by_turn[pos] if m.coder == self.coder]

    def is_coded(self, pos: int) -> bool:
        return any(m.coder == self.coder and m.origin != "suggested" for m in self.by_turn[pos])

    def turns_coded(self) -> int:
        return sum(self.is_coded(pos) for pos in range(len(self.turns)))

    def reload(self) -> tuple[set[int], set[str]]:
        """Read this transcript's codings again; return the turn positions and codes whose
        display changed (only those are redrawn)."""
        old = set(self.marks)
        self.marks = self._fetch()
        changed = old ^ set(self.marks)
        turns: set[int] = set()
        for mark in changed:
            turns.update(self.turns_of(mark.start, mark.end))
        self._index_marks()
        before = self.counts
        self.counts = self._totals()
        codes = {c for c, n in self.counts.items() if before.get(c) != n}
        return turns, codes

    # ------------------------------------------------------------------ selection

    def selected_turns(self) -> range:
        lo, hi = sorted((self.anchor, self.cursor))
        return range(lo, hi + 1)

    def selected_sentences(self) -> range:
        lo, hi = sorted((self.s_anchor, self.s_cursor))
        return range(lo, hi + 1)

    def selection_span(self) -> tuple[int, int]:
        if self.sentence_mode:
            sentences = self.turns[self.cursor].sentences or []
            chosen = self.selected_sentences()
            return sentences[chosen[0]][0], sentences[chosen[-1]][1]
        chosen = self.selected_turns()
        return self.turns[chosen[0]].start, self.turns[chosen[-1]].end

    def selection_label(self) -> str:
        if self.sentence_mode:
            chosen = self.selected_sentences()
            n = len(self.turns[self.cursor].sentences or [])
            which = (f"sentence {chosen[0] + 1}" if len(chosen) == 1 else
                     f"sentences {chosen[0] + 1}–{chosen[-1] + 1}")
            return f"turn {self.turns[self.cursor].index}, {which} of {n}"
        chosen = self.selected_turns()
        if len(chosen) == 1:
            return f"turn {self.turns[chosen[0]].index}"
        return f"turns {self.turns[chosen[0]].index}–{self.turns[chosen[-1]].index}"

    def interviewer_edge(self) -> int | None:
        """The number of an interviewer's turn the selection starts or ends in, if any
        (a slip of the cursor onto the question; one inside a range of turns is part of
        coding the exchange whole)."""
        chosen = [self.cursor] if self.sentence_mode else self.selected_turns()
        for pos in (chosen[0], chosen[-1]):
            if self.turns[pos].role == "intervjuer":
                return self.turns[pos].index
        return None

    def move(self, delta: int, *, extend: bool = False) -> None:
        if self.sentence_mode:
            n = len(self.turns[self.cursor].sentences or [])
            self.s_cursor = min(max(self.s_cursor + delta, 0), n - 1)
            if not extend:
                self.s_anchor = self.s_cursor
            return
        self.cursor = min(max(self.cursor + delta, 0), len(self.turns) - 1)
        if not extend:
            self.anchor = self.cursor

    def go_to(self, pos: int, *, extend: bool = False) -> None:
        self.sentence_mode = False
        self.cursor = min(max(pos, 0), len(self.turns) - 1)
        if not extend:
            self.anchor = self.cursor

    def collapse(self) -> None:
        if self.sentence_mode:
            self.sentence_mode = False
        self.anchor = self.cursor

    def have_sentences(self) -> bool:
        return self.turns[0].sentences is not None

    def load_sentences(self) -> None:
        """Sentence offsets for every turn (segmenting the transcript the first time, which
        takes a moment: the app runs this outside the event loop)."""
        from qualcode.services.queries import transcript_turns

        data = transcript_turns(self.store, self.name, sentences=True)
        by_index = {t["index"]: t["sentences"] for t in data["turns"]}
        for turn in self.turns:
            spans = [(s["start"], s["end"]) for s in by_index.get(turn.index, [])]
            turn.sentences = spans or [(turn.start, turn.end)]

    def enter_sentences(self) -> None:
        self.anchor = self.cursor
        self.sentence_mode = True
        self.s_cursor = self.s_anchor = 0

    # ------------------------------------------------------------------ actions

    def candidates(self, *, origin: str | None = None) -> list[Mark]:
        """The coder's codings on the selection, the last one touched first."""
        start, end = self.selection_span()
        found = [m for m in self.marks if m.coder == self.coder and m.start < end
                 and m.end > start and (origin is None or m.origin == origin)]
        found.sort(key=lambda m: (m.id != self.last_pk, m.start, m.code))
        return found

    def use(self, code_id: str) -> None:
        self.recent = [code_id] + [c for c in self.recent if c != code_id]
        self.recent = self.recent[:RECENT]

    def apply(self, code_id: str) -> str:
        from qualcode.services.coding_ops import add_coding

        start, end = self.selection_span()
        result = add_coding(self.store, self.name, code_id, self.coder, start, end)
        self.last_pk = result.pk
        self.use(code_id)
        verb = "extended" if result.merged else "coded"
        return f"{verb} {self.selection_label()} with {code_id}"

    def remove(self, mark: Mark) -> str:
        from qualcode.services.coding_ops import remove_coding

        remove_coding(self.store, mark.id, coder=self.coder)
        return f"removed {mark.code} from {self._where(mark)} (u brings it back)"

    def cut(self, mark: Mark) -> str:
        from qualcode.services.coding_ops import trim_coding

        start, end = self.selection_span()
        result = trim_coding(self.store, mark.id, start, end, coder=self.coder)
        done = f"cut {self.selection_label()} out of {mark.code}"
        if not result.left:
            return f"{done}: nothing left, so the coding is removed (u brings it back)"
        self.last_pk = result.left[0][0]
        where = " and ".join(self._where_span(s, e) if self._whole(s, e) else
                             f"part of {self._where_span(s, e)}" for _, s, e in result.left)
        return f"{done}: now {where}" if len(result.left) == 1 else \
            f"{done}: now 2 codings, {where}"

    def set_memo(self, mark: Mark, memo: str) -> str:
        from qualcode.services.coding_ops import set_memo

        set_memo(self.store, mark.id, memo.strip() or None, coder=self.coder)
        self.last_pk = mark.id
        return f"memo {'saved' if memo.strip() else 'removed'} on {mark.code}"

    def memos(self) -> dict:
        """What the memo window shows: the coder's own memo on this interview (to edit),
        everyone else's memos on it, and the memos on the informant of the current turn,
        as blind as the codings (see :func:`memos_seen_by`)."""
        from qualcode.services.memos import memos_seen_by

        on_transcript, hidden = memos_seen_by(self.store, f"transcript:{self.name}",
                                              self.coder, others=self.show_others)
        # The coder's latest memo on the interview is the one edited here; any older one
        # is shown with the rest.
        own = next((m for m in reversed(on_transcript) if m["author"] == self.coder), None)
        turn = self.turns[self.cursor]
        on_person, hidden_person = ([], 0) if turn.person is None else memos_seen_by(
            self.store, f"person:{turn.person}", self.coder, others=self.show_others)
        return {"own": own, "transcript": [m for m in on_transcript if m is not own],
                "turn": turn, "person": on_person, "hidden": hidden + hidden_person}

    def save_transcript_memo(self, own: dict | None, text: str) -> str:
        """Write the coder's memo on this interview: a new one, a changed one, or (empty)
        none; each is one entry in the audit log."""
        from qualcode.services.memos import add_memo, edit_memo

        if own is None:
            if not text.strip():
                return "no memo written"
            pk = add_memo(self.store, f"transcript:{self.name}", text, author=self.coder)
            return f"memo #{pk} on {self.name} saved"
        edit_memo(self.store, own["id"], text, actor=self.coder)
        return f"memo #{own['id']} on {self.name} " + ("saved" if text.strip() else "removed")

    def accept(self, marks: list[Mark]) -> str:
        from qualcode.services.suggestions import accept

        n = accept(self.store, self.coder, [m.id for m in marks])
        return f"accepted {n} suggestion(s)"

    def undo(self) -> str:
        from qualcode.services.coding_ops import undo_last

        return undo_last(self.store, self.coder) or "nothing to undo"

    def toggle_playback(self) -> str:
        """Play the selection from the recording, or stop what is playing. The player runs
        on its own, without a window, so coding goes on while it plays."""
        import subprocess

        from qualcode.media import find_player, format_clock, player_command
        from qualcode.services.media import moment

        if self.stop_playback():
            return "stopped playing"
        start, end = self.selection_span()
        where = moment(self.store, self.name, span=(start, end, self.selection_label()))
        name, executable = find_player()
        command = player_command(name, executable, where.recording, where.start,
                                 where.duration)
        self.player = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
        return f"playing {where.what} from {format_clock(where.start)} with {name} · p stops"

    def stop_playback(self) -> bool:
        """Stop the player if one is playing; whether one was."""
        player, self.player = getattr(self, "player", None), None
        if player is None or player.poll() is not None:
            return False
        player.terminate()
        try:
            player.wait(timeout=2)
        except Exception:  # a player that ignores SIGTERM
            player.kill()
        return True

    def _where(self, mark: Mark) -> str:
        return self._where_span(mark.start, mark.end)

    def _where_span(self, start: int, end: int) -> str:
        spanned = self.turns_of(start, end)
        if not spanned:
            return "the text"
        first, last = self.turns[spanned[0]].index, self.turns[spanned[-1]].index
        return f"turn {first}" if first == last else f"turns {first}–{last}"

    def _whole(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` covers every turn it touches from start to end."""
        return all(start <= self.turns[p].start and end >= self.turns[p].end
                   for p in self.turns_of(start, end))

    def describe(self, mark: Mark) -> str:
        whole = self._whole(mark.start, mark.end)
        extent = "" if whole else f", {mark.end - mark.start} characters"
        memo = f" ✎ {mark.memo.splitlines()[0][:40]}" if mark.memo else ""
        origin = " (suggestion)" if mark.origin == "suggested" else ""
        return f"{mark.code}  {self._where(mark)}{extent}{origin}{memo}"

    # ------------------------------------------------------------------ rendering

    def render_turn(self, pos: int, *, tint_base: str = "#1e1e1e") -> tuple[object, str]:
        """A turn as a Rich renderable, and its plain text (what a reader sees)."""
        turn = self.turns[pos]
        own = [m for m in self.by_turn[pos] if m.coder == self.coder]
        manual = [m for m in own if m.origin != "suggested"]
        suggested = [m for m in own if m.origin == "suggested"]
        others = [m for m in self.by_turn[pos] if m.coder != self.coder]
        whole = {m.id: m.start <= turn.start and m.end >= turn.end for m in self.by_turn[pos]}

        head = Text(f"{turn.index}  ", style="bold")
        head.append(turn.speaker or "—", style=f"bold {ROLE_STYLE.get(turn.role or '', 'yellow')}")
        if turn.role:
            head.append(f" ({turn.role})", style="dim")
        if turn.role == "intervjuer":
            head.append("   interviewer · not counted", style="italic dim")
        if self.sentence_mode and pos == self.cursor:
            head.append(f"   {self.selection_label().split(', ', 1)[1]}", style="bold")

        body = Text(turn.text, style="dim" if turn.role == "intervjuer" else "")
        for mark in manual:
            if not whole[mark.id]:
                tint = _blend(self.codes[mark.code].colour if mark.code in self.codes
                              else "#888888", tint_base, 0.4)
                body.stylize(Style(bgcolor=tint), max(mark.start - turn.start, 0),
                             mark.end - turn.start)
        if self.sentence_mode and pos == self.cursor and turn.sentences:
            body = self._with_sentences(turn, body)

        lines = [head, body]
        # The code line is always there (blank until the turn is coded) and doubles as the
        # gap between turns: coding a turn then never changes its height, so the screen is
        # repainted without a layout of the whole transcript.
        codes = Text()
        if manual or suggested:
            for mark in manual:
                colour = self.codes[mark.code].colour if mark.code in self.codes else "white"
                if codes:
                    codes.append("  ")
                codes.append(mark.code, style=f"bold {colour}")
                if not whole[mark.id]:
                    codes.append(" (part)", style="dim")
                spanned = self.turns_of(mark.start, mark.end)
                if len(spanned) > 1:
                    codes.append(f" ({self.turns[spanned[0]].index}–"
                                 f"{self.turns[spanned[-1]].index})", style="dim")
                if mark.memo:
                    codes.append(" ✎", style="bold")
            for mark in suggested:
                if codes:
                    codes.append("  ")
                codes.append(f"?{mark.code}", style="dim italic")
        lines.append(codes)
        by_coder: dict[str, list[str]] = {}
        for mark in others:
            part = "" if whole[mark.id] else " (part)"
            by_coder.setdefault(mark.coder, []).append(mark.code + part)
        for other, codes_ in sorted(by_coder.items()):
            lines.append(Text(f"{other}: " + ", ".join(codes_), style="dim italic"))

        stripes = []
        for mark in manual[:GUTTER]:
            colour = self.codes[mark.code].colour if mark.code in self.codes else "white"
            stripes.append(("▌" if whole[mark.id] else "╎", Style(color=colour, bold=True)))
        if len(manual) > GUTTER:
            stripes[-1] = ("+", Style(bold=True))
        plain = "\n".join(line.plain for line in lines)
        return _Striped(stripes, Group(*lines)), plain

    def _with_sentences(self, turn: Turn, body: Text) -> Text:
        chosen = self.selected_sentences()
        out = Text()
        prev = 0
        for i, (start, end) in enumerate(turn.sentences or []):
            s, e = start - turn.start, end - turn.start
            out.append_text(body[prev:s])
            selected = i in chosen
            out.append(f"⟨{i + 1}⟩", style="bold reverse" if selected else "dim")
            piece = body[s:e]
            if selected:
                piece.stylize("reverse")
            out.append_text(piece)
            prev = e
        out.append_text(body[prev:])
        return out

    def code_label(self, code_id: str) -> Text:
        entry = self.codes[code_id]
        style = f"bold {entry.colour}" if entry.depth == 0 else entry.colour
        label = Text()
        if entry.depth == 0:
            label.append("■ ", style=entry.colour)
        label.append(entry.id, style=style + (" strike" if entry.archived else ""))
        label.append(f"  {entry.label}", style="dim" if entry.depth else "")
        n = self.counts.get(code_id, 0)
        if n:
            label.append(f"  ({n})", style="bold")
        return label

    def matching(self, query: str) -> tuple[list[str], list[str]]:
        """Codes to show for a filter (matches and their ancestors, in codebook order) and
        the matches themselves. Every word must occur in the id or the label."""
        words = _fold(query).split()
        if not words:
            return list(self.codes), list(self.codes)
        hits = [c for c, e in self.codes.items()
                if all(w in _fold(f"{e.id} {e.label}") for w in words)]
        shown = set(hits)
        for c in hits:
            parent = self.codes[c].parent
            while parent and parent not in shown:
                shown.add(parent)
                parent = self.codes[parent].parent
        return [c for c in self.codes if c in shown], hits


class _Striped:
    """A renderable with coloured stripes in a gutter left of every line."""

    def __init__(self, stripes: list[tuple[str, Style]], body) -> None:
        self.stripes = stripes
        self.body = body

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - GUTTER - 1, 1)
        lines = console.render_lines(self.body, options.update(width=width, height=None),
                                     pad=False)
        gutter = [Segment(char, style) for char, style in self.stripes]
        gutter.append(Segment(" " * (GUTTER + 1 - len(self.stripes))))
        newline = Segment.line()
        for line in lines:
            yield from gutter
            yield from line
            yield newline


# --------------------------------------------------------------------------- the app


@lru_cache(maxsize=1)
def _app_class():
    """Build the Textual classes on first use, so the CLI loads Textual only for `code`."""
    from textual import events, work
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.containers import Horizontal, Vertical, VerticalScroll
    from textual.screen import ModalScreen
    from textual.widget import Widget
    from textual.widgets import Input, OptionList, Static, TextArea, Tree

    from qualcode.domain.errors import QualcodeError

    class Bar(Widget):
        """A one-line bar that repaints without a new layout (status, recent codes)."""

        def __init__(self, id: str) -> None:
            super().__init__(id=id)
            self.text = Text()

        def set(self, text: Text) -> None:
            self.text = text
            self.refresh()

        def render(self) -> Text:
            return self.text

    class TurnView(Static):
        """One speaker turn; redrawn only when its codings or the selection change."""

        def __init__(self, model: Workbench, pos: int, tint_base: str) -> None:
            renderable, plain = model.render_turn(pos, tint_base=tint_base)
            super().__init__(renderable, id=f"turn-{pos + 1}",
                             classes=" ".join(["turn", *self._flags(model, pos)]))
            self.pos = pos
            self.plain = plain  # the text as shown, for reading back what is on screen

        @staticmethod
        def _flags(model: Workbench, pos: int) -> list[str]:
            flags = []
            if model.turns[pos].role == "intervjuer":
                flags.append("-interviewer")
            if model.is_coded(pos):
                flags.append("-coded")
            if any(m.coder != model.coder for m in model.by_turn[pos]):
                flags.append("-others")
            return flags

        def redraw(self) -> None:
            model = self.app.model
            renderable, self.plain = model.render_turn(self.pos, tint_base=self.app.tint_base)
            # A full layout of every turn costs tens of milliseconds in a long transcript:
            # ask for one only when this turn's height changes (a new line of code ids).
            size = self.content_size
            self.update(renderable, layout=False)
            if size.width and self.get_content_height(size, self.app.size, size.width) \
                    != size.height:
                self.refresh(layout=True)
            flags = self._flags(model, self.pos)
            for flag in ("-interviewer", "-coded", "-others"):
                self.set_class(flag in flags, flag)

        def on_click(self, event: events.Click) -> None:
            self.app.when_ready(self.app.select_turn, self.pos, extend=event.shift)

    class TranscriptPane(VerticalScroll, can_focus=True):
        BINDINGS = [
            Binding("down,j", "move(1)", "next", show=False),
            Binding("up,k", "move(-1)", "previous", show=False),
            Binding("shift+down,J", "move(1, True)", "extend down", show=False),
            Binding("shift+up,K", "move(-1, True)", "extend up", show=False),
            Binding("right,l", "sideways(1)", show=False),
            Binding("left,h", "sideways(-1)", show=False),
            Binding("shift+right,L", "sideways(1, True)", show=False),
            Binding("shift+left,H", "sideways(-1, True)", show=False),
            Binding("pagedown", "move(5)", show=False),
            Binding("pageup", "move(-5)", show=False),
            Binding("home,g", "edge(0)", show=False),
            Binding("end,G", "edge(1)", show=False),
            Binding("escape", "collapse", show=False),
            Binding("s", "sentences", "sentences", show=False),
            Binding("enter", "apply_highlighted", "apply", show=False),
            Binding("x", "remove", "remove", show=False),
            Binding("X", "cut", "cut out", show=False),
            Binding("m", "memo", "memo", show=False),
            Binding("a", "accept", "accept", show=False),
        ]

        to_filter = False  # `/` was typed: the keys after it are the filter's

        def on_key(self, event: events.Key) -> None:
            # Keys typed faster than the screen follows (or pasted) reach the transcript
            # before `/` has moved the focus to the code filter: they go on to the filter,
            # so "/forank⏎" finds that code, not the first in the codebook.
            if event.key == "slash":
                self.to_filter = True
                return
            if not self.to_filter:
                return
            event.stop()
            event.prevent_default()
            app, box = self.app, self.app.query_one(FilterInput)
            steps = {"down": 1, "up": -1, "pagedown": 10, "pageup": -10}
            if event.is_printable and event.character:
                box.insert_text_at_cursor(event.character)
            elif event.key == "backspace":
                box.action_delete_left()
            elif event.key in steps:
                box.action_tree(steps[event.key])
            elif event.key == "enter":
                app.call_later(box.action_submit)
            elif event.key == "escape":
                self.to_filter = False
                app.call_later(app.focus_transcript)

        def on_focus(self, event: events.Focus) -> None:
            self.to_filter = False

        # Each key waits while the sentences load (see WorkbenchApp.when_ready).

        def action_move(self, delta: int, extend: bool = False) -> None:
            self.app.when_ready(self.app.move, delta, extend=extend)

        def action_sideways(self, delta: int, extend: bool = False) -> None:
            self.app.when_ready(self.app.sideways, delta, extend=extend)

        def action_edge(self, last: int) -> None:
            model = self.app.model
            self.app.when_ready(self.app.select_turn, len(model.turns) - 1 if last else 0)

        def action_collapse(self) -> None:
            self.app.when_ready(self.app.collapse)

        def action_sentences(self) -> None:
            self.app.when_ready(self.app.toggle_sentences)

        def action_apply_highlighted(self) -> None:
            self.app.when_ready(self.app.apply_highlighted, from_transcript=True)

        def action_remove(self) -> None:
            self.app.when_ready(self.app.start_remove)

        def action_cut(self) -> None:
            self.app.when_ready(self.app.start_cut)

        def action_memo(self) -> None:
            self.app.when_ready(self.app.start_memo)

        def action_accept(self) -> None:
            self.app.when_ready(self.app.accept_suggestions)

    class FilterInput(Input):
        BINDINGS = [
            Binding("down", "tree(1)", show=False),
            Binding("up", "tree(-1)", show=False),
            Binding("pagedown", "tree(10)", show=False),
            Binding("pageup", "tree(-10)", show=False),
            Binding("escape", "leave", show=False),
        ]

        def action_tree(self, delta: int) -> None:
            tree = self.app.query_one(CodeTree)
            for _ in range(abs(delta)):
                (tree.action_cursor_down if delta > 0 else tree.action_cursor_up)()

        def action_leave(self) -> None:
            self.app.focus_transcript()

    class CodeTree(Tree):
        BINDINGS = [
            Binding("enter", "apply_highlighted", "apply", show=False),
            Binding("right,l", "open", show=False),
            Binding("left,h", "close", show=False),
            Binding("j", "cursor_down", show=False),
            Binding("k", "cursor_up", show=False),
            Binding("escape", "leave", show=False),
        ]

        def action_apply_highlighted(self) -> None:
            self.app.when_ready(self.app.apply_highlighted)

        def action_open(self) -> None:
            if self.cursor_node and self.cursor_node.allow_expand:
                self.cursor_node.expand()

        def action_close(self) -> None:
            node = self.cursor_node
            if node is None:
                return
            if node.is_expanded and node.allow_expand:
                node.collapse()
            elif node.parent is not None and node.parent is not self.root:
                self.move_cursor(node.parent)

        def action_leave(self) -> None:
            self.app.focus_transcript()

    class ConfirmScreen(ModalScreen):
        """A yes/no question: y answers yes, n or esc no."""

        BINDINGS = [Binding("y", "answer(True)", show=False),
                    Binding("n,escape,q", "answer(False)", show=False)]

        def __init__(self, question: str) -> None:
            super().__init__()
            self.question = question

        def compose(self) -> ComposeResult:
            with Vertical(id="dialog"):
                yield Static(self.question, id="dialog-title")
                yield Static("y yes · n or esc no", classes="hint")

        def action_answer(self, yes: bool) -> None:
            self.dismiss(yes)

    class HelpScreen(ModalScreen):
        BINDINGS = [Binding("escape,q,question_mark,enter", "dismiss", show=False)]

        def compose(self) -> ComposeResult:
            with VerticalScroll(id="help"):
                yield Static(_help_renderable())

    class Picker(ModalScreen):
        """Choose one of the coder's codings on the selection."""

        BINDINGS = [Binding("escape,q", "dismiss", show=False)]

        def __init__(self, title: str, marks: list[Mark]) -> None:
            super().__init__()
            self.title_text = title
            self.marks = marks

        def compose(self) -> ComposeResult:
            with Vertical(id="dialog"):
                yield Static(Text(self.title_text), id="dialog-title")
                # Text, not markup: a code, a memo or a quote may hold [brackets].
                yield OptionList(*(Text(self.app.model.describe(m)) for m in self.marks),
                                 id="choices")
                yield Static("enter choose · esc cancel", classes="hint")

        def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
            event.stop()
            self.dismiss(self.marks[event.option_index])

    class MemoEditor(ModalScreen):
        """A memo in a multi-line editor (the screen's one TextArea): ctrl+s saves, esc
        cancels."""

        BINDINGS = [Binding("escape", "dismiss", show=False),
                    Binding("ctrl+s", "save", show=False)]
        loaded = ""  # the memo as the editor holds it before any edit

        def on_mount(self) -> None:
            editor = self.query_one(TextArea)
            self.loaded = editor.text
            editor.move_cursor(editor.document.end)
            editor.focus()

        def edited(self, original: str) -> str:
            """The editor's text; ``original`` when it was saved without an edit, since the
            editor may rewrite line ends."""
            text = self.query_one(TextArea).text
            return original if text == self.loaded else text

    class MemoScreen(MemoEditor):
        """Edit a coding's memo over several lines; dismissed with the memo, or None."""

        def __init__(self, mark: Mark) -> None:
            super().__init__()
            self.mark = mark

        def compose(self) -> ComposeResult:
            with Vertical(id="dialog"):
                yield Static(Text(f"Memo on {self.app.model.describe(self.mark)}"),
                             id="dialog-title")
                yield TextArea(self.mark.memo or "", id="memo", soft_wrap=True,
                               placeholder="a note on this coding")
                yield Static("ctrl+s save · enter new line · empty removes the memo · "
                             "esc cancel", classes="hint")

        def action_save(self) -> None:
            self.dismiss(self.edited(self.mark.memo or ""))

    class MemosScreen(MemoEditor):
        """The interview's memos and the memos on the current turn's informant, with the
        coder's own memo on the interview in an editor; dismissed with its text, or None."""

        def __init__(self, memos: dict, transcript: str) -> None:
            super().__init__()
            self.memos = memos
            self.transcript = transcript
            self.own_text = memos["own"]["text"] if memos["own"] else ""

        def compose(self) -> ComposeResult:
            with Vertical(id="dialog"):
                yield Static(Text(f"Memos on {self.transcript}"), id="dialog-title")
                with VerticalScroll(id="memos-read"):
                    yield Static(_memos_read(self.memos))
                yield Static(Text("Your memo on this interview", style="bold"))
                yield TextArea(self.own_text, id="transcript-memo", soft_wrap=True,
                               placeholder="a note on this interview")
                yield Static("ctrl+s save · enter new line · empty removes your memo · "
                             "esc cancel", classes="hint")

        def action_save(self) -> None:
            self.dismiss(self.edited(self.own_text))

    class WorkbenchApp(App):
        TITLE = "qualcode"
        CSS = """
        Screen { layout: vertical; }
        #title { height: 1; background: $panel; padding: 0 1; }
        #main { height: 1fr; }
        #transcript { width: 5fr; min-width: 40; scrollbar-size-vertical: 1;
                      scrollbar-gutter: stable; }
        #transcript:focus { background-tint: $foreground 0%; }
        #codebook { width: 4fr; min-width: 30; max-width: 72; border-left: tall $panel; }
        #filter { height: 1; border: none; padding: 0 1; background: $panel; }
        #filter:focus { background: $accent 30%; }
        #tree { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
        #description { height: auto; max-height: 45%; display: none; padding: 0 1;
                       border-top: solid $panel-lighten-2; }
        #description.-shown { display: block; }
        #recent { height: 1; background: $panel; padding: 0 1; }
        #status { height: 1; background: $primary 40%; padding: 0 1; }
        .turn { padding: 0 1 0 0; }
        .turn.-interviewer { background: $panel 70%; color: $text-muted; }
        .turn.-selected { background: $accent 15%; }
        .turn.-cursor { background: $accent 30%; }
        #transcript:blur .turn.-cursor { background: $accent 20%; }
        HelpScreen, Picker, MemoScreen, MemosScreen, ConfirmScreen { align: center middle; }
        #help { width: 90%; max-width: 92; height: 90%; border: round $accent;
                background: $surface; padding: 0 1; }
        #dialog { width: 80%; max-width: 80; height: auto; max-height: 80%;
                  border: round $accent; background: $surface; padding: 0 1; }
        #dialog-title { text-style: bold; margin-bottom: 1; }
        #choices { height: auto; max-height: 16; }
        #memo { height: auto; min-height: 5; max-height: 16; }
        #memos-read { height: auto; max-height: 14; margin-bottom: 1; }
        #transcript-memo { height: auto; min-height: 5; max-height: 12; }
        .hint { color: $text-muted; }
        """
        BINDINGS = [
            Binding("question_mark", "help", "help", show=False),
            Binding("ctrl+c", "quit", "quit", show=False, priority=True),
            Binding("q", "quit", "quit", show=False),
            Binding("u", "undo", "undo", show=False),
            Binding("p", "play", "play", show=False),
            Binding("slash", "filter", "filter codes", show=False),
            Binding("d", "description", "description", show=False),
            Binding("M", "memos", "memos", show=False),
            *(Binding(str(i), f"recent({i})", show=False) for i in range(1, RECENT + 1)),
        ]

        def __init__(self, model: Workbench) -> None:
            super().__init__()
            self.model = model
            self.tint_base = "#1e1e1e"
            self.message = Text("? help · / find a code · enter apply · M memos · u undo · "
                                "q quit", style="dim")
            self._tree_nodes: dict[str, object] = {}
            self._views: list[TurnView] = []
            self._pending_sentences = False
            self._waiting: list[tuple] = []  # keys pressed while the sentences load
            # Enter in the transcript applies the highlighted code only once the coder has
            # chosen one: the tree starts on its first code, which nobody chose.
            self._code_chosen = False
            self._first_node = None
            self._query = ""  # what the code tree shows now

        # ------------------------------------------------------------ layout

        def compose(self) -> ComposeResult:
            model = self.model
            yield Static(self._title(), id="title")
            with Horizontal(id="main"):
                background = getattr(self.current_theme, "background", None)
                if isinstance(background, str) and background.startswith("#"):
                    self.tint_base = background[:7]
                self._views = [TurnView(model, pos, self.tint_base)
                               for pos in range(len(model.turns))]
                # A long interview is shown at once: the first turns are laid out before
                # the first paint, the rest straight after (see on_mount).
                yield TranscriptPane(*self._views[:FIRST_TURNS], id="transcript")
                with Vertical(id="codebook"):
                    yield FilterInput(placeholder="/ find a code (id or label)", id="filter")
                    tree = CodeTree("codebook", id="tree")
                    tree.show_root = False
                    tree.auto_expand = False
                    tree.guide_depth = 3
                    yield tree
                    yield Static(id="description")
            yield Bar(id="recent")
            yield Bar(id="status")

        def on_mount(self) -> None:
            if len(self._views) > FIRST_TURNS:
                self.call_after_refresh(self.run_worker, self._mount_rest(), group="mount")
            self._build_tree("")
            self._mark_selection(set(), set(self.model.selected_turns()))
            self._show_recent()
            self._show_status()
            if not self.model.codes:
                self.say("the project has no codebook: load one with `qualcode codebook load "
                         "FILE`", error=True)
            self.query_one(TranscriptPane).focus()

        async def _mount_rest(self) -> None:
            await self.query_one(TranscriptPane).mount_all(self._views[FIRST_TURNS:])
            self._scroll_to_cursor()

        def _scroll_to_cursor(self) -> None:
            view = self._views[self.model.cursor]
            if view.is_mounted:
                self.query_one(TranscriptPane).scroll_to_widget(view, animate=False, top=False)

        def _title(self) -> Text:
            model = self.model
            title = Text()
            title.append(model.name, style="bold")
            if model.title != model.name:
                title.append(f"  {model.title}")
            title.append(f"  · {model.site or 'no site'} · {model.words} words · "
                         f"{len(model.turns)} turns", style="dim")
            mode = "all coders" if model.show_others else "blind"
            title.append(f"  · {model.coder} ({mode})", style="bold")
            return title

        # ------------------------------------------------------------ the code tree

        def _build_tree(self, query: str) -> None:
            model = self.model
            tree = self.query_one(CodeTree)
            shown, hits = model.matching(query)
            self._query = query
            tree.clear()
            self._tree_nodes = {}
            wanted = set(shown)
            for code_id in shown:
                entry = model.codes[code_id]
                parent = self._tree_nodes.get(entry.parent, tree.root) \
                    if entry.parent else tree.root
                has_children = any(c in wanted for c in model.children.get(code_id, []))
                node = parent.add(model.code_label(code_id), data=code_id,
                                  allow_expand=has_children, expand=bool(query))
                self._tree_nodes[code_id] = node
            _ = tree.last_line  # lay the new nodes out now, so the cursor can go to one
            self._first_node = None
            if hits and query:
                tree.move_cursor(self._tree_nodes[hits[0]])
                self._code_chosen = True  # found by a search: chosen
            elif tree.root.children:
                self._first_node = tree.root.children[0]
                tree.move_cursor(self._first_node)
                self._code_chosen = False
            self._show_description()

        def on_input_changed(self, event: Input.Changed) -> None:
            if event.input.id == "filter":
                self._build_tree(event.value)

        def on_input_submitted(self, event: Input.Submitted) -> None:
            if event.input.id != "filter":
                return
            if event.value != self._query:
                self._build_tree(event.value)  # typed faster than the tree followed
            if self._pending_sentences:  # the code goes on the sentences, once found
                self.when_ready(self.apply_highlighted)
                self.focus_transcript()
            elif self.apply_highlighted():
                self.focus_transcript()

        def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
            current = self._tree_nodes.get(event.node.data) is event.node
            if current and event.node is not self._first_node:
                self._code_chosen = True  # the coder moved in the codebook
            self._show_description()

        def highlighted_code(self) -> str | None:
            node = self.query_one(CodeTree).cursor_node
            return node.data if node is not None else None

        def _show_description(self) -> None:
            panel = self.query_one("#description", Static)
            if not panel.has_class("-shown"):
                return
            code_id = self.highlighted_code()
            if code_id is None:
                panel.update("")
                return
            entry = self.model.codes[code_id]
            text = Text()
            text.append(entry.id, style=f"bold {entry.colour}")
            text.append(f"  {entry.label}\n", style="bold")
            text.append(entry.description or "(no description)",
                        style="" if entry.description else "dim")
            who = "everyone" if self.model.show_others else self.model.coder
            text.append(f"\n{self.model.counts.get(code_id, 0)} codings ({who}, "
                        "with sub-codes)", style="dim")
            panel.update(text)

        # ------------------------------------------------------------ status

        def _show_status(self) -> None:
            model = self.model
            status = Text()
            status.append(f"{model.coder}", style="bold")
            status.append(f" · {model.name} · {model.turns_coded()}/{len(model.turns)} "
                          "turns coded · ")
            status.append(model.selection_label(), style="bold")
            status.append("  ")
            status.append_text(self.message)
            self.query_one("#status", Bar).set(status)

        def _show_recent(self) -> None:
            bar = Text()
            if not self.model.recent:
                bar.append("recent codes appear here; apply them with 1–9", style="dim")
            for i, code_id in enumerate(self.model.recent, start=1):
                colour = self.model.codes[code_id].colour if code_id in self.model.codes \
                    else "white"
                bar.append(f"{i}", style="bold reverse")
                bar.append(f" {code_id}  ", style=colour)
            bar.no_wrap = True
            bar.overflow = "ellipsis"
            self.query_one("#recent", Bar).set(bar)

        def say(self, message: str, *, error: bool = False) -> None:
            self.message = Text(message, style="bold red" if error else "")
            if error:
                self.notify(plain(message), severity="error", timeout=6)
            self._show_status()

        # ------------------------------------------------------------ selection

        def _mark_selection(self, before: set[int], after: set[int]) -> None:
            cursor = self.model.cursor
            for pos in before | after:
                view = self._views[pos]
                view.set_class(pos in after, "-selected")
                view.set_class(pos == cursor and pos in after, "-cursor")

        def _moved(self, before: set[int], old_cursor: int, sentence_redraw: bool) -> None:
            after = set(self.model.selected_turns())
            self._mark_selection(before | {old_cursor}, after)
            if sentence_redraw:
                self._views[self.model.cursor].redraw()
            self._scroll_to_cursor()
            self._show_status()

        def move(self, delta: int, *, extend: bool = False) -> None:
            model = self.model
            before, old = set(model.selected_turns()), model.cursor
            model.move(delta, extend=extend)
            self._moved(before, old, model.sentence_mode)

        def select_turn(self, pos: int, *, extend: bool = False) -> None:
            model = self.model
            before, old, was_sentences = set(model.selected_turns()), model.cursor, \
                model.sentence_mode
            model.go_to(pos, extend=extend)
            if was_sentences:
                self._views[old].redraw()
            self._moved(before, old, False)

        def collapse(self) -> None:
            model = self.model
            before, old, was_sentences = set(model.selected_turns()), model.cursor, \
                model.sentence_mode
            model.collapse()
            self._moved(before, old, was_sentences)

        def toggle_sentences(self) -> None:
            model = self.model
            if model.sentence_mode:
                self.collapse()
                return
            if not model.have_sentences():
                if not self._pending_sentences:
                    self._pending_sentences = True
                    self.say("finding the sentences of this transcript…")
                    self._load_sentences()
                return
            self._enter_sentences()

        def _enter_sentences(self) -> None:
            model = self.model
            before = set(model.selected_turns())
            model.enter_sentences()
            self._mark_selection(before, set(model.selected_turns()))
            self._views[model.cursor].redraw()
            self.say("sentence mode: ↓↑ move, shift extends, s or esc back to turns")

        @work(thread=True, exclusive=True, group="sentences")
        def _load_sentences(self) -> None:
            try:
                self.model.load_sentences()
            except QualcodeError as exc:
                self.call_from_thread(self._sentences_failed, str(exc))
                return
            self.call_from_thread(self._sentences_ready)

        def when_ready(self, action, *args, **kwargs) -> None:
            """Run a key's action now, or, while the sentences load, once they are there:
            a key pressed meanwhile (↓ to the next sentence, 1 to code it) then acts on
            the turn and the sentences it was meant for, not on the turn below."""
            if self._pending_sentences:
                self._waiting.append((action, args, kwargs))
            else:
                action(*args, **kwargs)

        def _sentences_failed(self, message: str) -> None:
            self._pending_sentences = False
            dropped, self._waiting = len(self._waiting), []
            self.say(message + (f" ({dropped} key(s) typed meanwhile were not used)"
                                if dropped else ""), error=True)

        def _sentences_ready(self) -> None:
            self._pending_sentences = False
            self._enter_sentences()
            waiting, self._waiting = self._waiting, []
            for action, args, kwargs in waiting:
                action(*args, **kwargs)

        # ------------------------------------------------------------ actions

        def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
            # Coding keys belong to the workbench screen, not to the help or a dialog.
            blocked = ("undo", "filter", "description", "recent", "help", "memos")
            return self.screen is self.screen_stack[0] or action not in blocked

        def _run(self, action, *args) -> bool:
            """Call one service action; show a QualcodeError instead of crashing."""
            try:
                message = action(*args)
            except QualcodeError as exc:
                self._after_change(None)  # someone else may have changed the coding
                self.say(str(exc), error=True)
                return False
            self._after_change(message)
            return True

        def _after_change(self, message: str | None) -> None:
            """Redraw what changed in the store: the turns touched, and their codes' counts."""
            model = self.model
            try:
                turns, codes = model.reload()
            except QualcodeError as exc:
                self.say(str(exc), error=True)
                return
            for pos in turns:
                self._views[pos].redraw()
            for code_id in codes:
                node = self._tree_nodes.get(code_id)
                if node is not None:
                    node.set_label(model.code_label(code_id))
            self._show_recent()
            self._show_description()
            if message is not None:
                if not turns and message.startswith("undid"):
                    message += " (not in this transcript)"
                self.say(message)

        def apply_code(self, code_id: str) -> bool:
            """Apply a code to the selection; the first time since opening that the selection
            starts or ends in an interviewer's turn, ask first."""
            model = self.model
            turn = model.interviewer_edge()
            if turn is None or model.interviewer_confirmed:
                return self._run(model.apply, code_id)
            label = model.selection_label()

            def answered(yes: bool | None) -> None:
                if yes:
                    model.interviewer_confirmed = True
                    self._run(model.apply, code_id)
                else:
                    self.say(f"{label} not coded")

            # Asked after the key's own handler is done (enter in the filter goes back to
            # the transcript first), so the question has the focus.
            self.call_later(self.push_screen, ConfirmScreen(
                f"Turn {turn} is the interviewer's: interviewer turns are not counted in "
                f"matrices or the report. Code {label} with {code_id} anyway? (Asked once "
                "until you quit.)"), answered)
            return True

        def apply_highlighted(self, *, from_transcript: bool = False) -> bool:
            code_id = self.highlighted_code()
            if code_id is None:
                self.say("no code highlighted: press / and type part of a code", error=True)
                return False
            if from_transcript and not self._code_chosen:
                self.say("choose a code first: / finds one, tab goes to the codebook, 1–9 "
                         "apply a recent code", error=True)
                return False
            return self.apply_code(code_id)

        def sideways(self, delta: int, *, extend: bool = False) -> None:
            if self.model.sentence_mode:
                self.move(delta, extend=extend)

        def action_recent(self, number: int) -> None:
            self.when_ready(self._recent, number)

        def _recent(self, number: int) -> None:
            if number > len(self.model.recent):
                self.say(f"no recent code {number} yet", error=True)
                return
            self.apply_code(self.model.recent[number - 1])

        def action_undo(self) -> None:
            self.when_ready(self._run, self.model.undo)

        def action_play(self) -> None:
            try:
                self.say(self.model.toggle_playback())
            except QualcodeError as exc:
                self.say(str(exc), error=True)

        def on_unmount(self) -> None:
            self.model.stop_playback()  # a recording never plays on after the workbench

        def _for_one_of_mine(self, question: str, nothing: str, act) -> None:
            """Call ``act`` with the coder's coding on the selection; with several, ask
            which one first (esc in the picker does nothing)."""
            marks = self.model.candidates()
            if not marks:
                self.say(nothing)
            elif len(marks) == 1:
                act(marks[0])
            else:
                self.push_screen(Picker(question, marks),
                                 lambda mark: act(mark) if mark is not None else None)

        def start_remove(self) -> None:
            label = self.model.selection_label()
            self._for_one_of_mine(f"Remove which coding on {label}?",
                                  f"no coding of yours on {label}",
                                  lambda mark: self._run(self.model.remove, mark))

        def start_cut(self) -> None:
            label = self.model.selection_label()
            self._for_one_of_mine(f"Cut {label} out of which coding?",
                                  f"no coding of yours on {label} to cut it out of",
                                  lambda mark: self._run(self.model.cut, mark))

        def start_memo(self) -> None:
            self._for_one_of_mine(
                "Memo on which coding?",
                f"no coding of yours on {self.model.selection_label()} to write a memo on",
                lambda mark: self.push_screen(MemoScreen(mark),
                                              lambda text: self._memo_done(mark, text)))

        def _memo_done(self, mark: Mark, text: str | None) -> None:
            if text is None:
                return
            if text == (mark.memo or ""):  # saved without an edit: nothing to write or undo
                self.say(f"memo on {mark.code} unchanged")
                return
            self._run(self.model.set_memo, mark, text)

        def action_memos(self) -> None:
            try:
                memos = self.model.memos()
            except QualcodeError as exc:
                self.say(str(exc), error=True)
                return
            own = memos["own"]
            self.push_screen(MemosScreen(memos, self.model.name),
                             lambda text: self._memos_done(own, text))

        def _memos_done(self, own: dict | None, text: str | None) -> None:
            if text is None:
                return
            if text == (own["text"] if own else ""):  # nothing to write or log
                self.say(f"memo on {self.model.name} unchanged")
                return
            try:
                self.say(self.model.save_transcript_memo(own, text))
            except QualcodeError as exc:
                self.say(str(exc), error=True)

        def accept_suggestions(self) -> None:
            marks = self.model.candidates(origin="suggested")
            if not marks:
                self.say(f"no suggestions on {self.model.selection_label()}")
                return
            self._run(self.model.accept, marks)

        def action_filter(self) -> None:
            # Focus at once (not on the next idle), so keys typed right after `/` land
            # in the filter.
            self.screen.set_focus(self.query_one(FilterInput))

        def focus_transcript(self) -> None:
            self.screen.set_focus(self.query_one(TranscriptPane), scroll_visible=False)

        def action_description(self) -> None:
            panel = self.query_one("#description", Static)
            panel.toggle_class("-shown")
            self._show_description()

        def action_help(self) -> None:
            self.push_screen(HelpScreen())

    return WorkbenchApp
