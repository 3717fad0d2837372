"""The reconciliation app of `qualcode reconcile`: one disagreement at a time.

Top, what is being decided (code, transcript, turns, how the coders differ); middle, the
passage with its turns, the text coded by A only, B only and both in three colours; below,
every code each coder put on the passage, side by side. Each key is one decision, written at
once in its own transaction by :class:`qualcode.services.reconcile.Reconciliation`.

Imported only by the `reconcile` command, so `qualcode --help` never loads Textual.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

STYLE_A = "on #27496d"
STYLE_B = "on #7a4b16"
STYLE_BOTH = "on #2e5b32"
STYLE_EDIT = "bold underline"

KEYS = ("a keep A · b keep B · 2 keep both · n neither · e edit span · "
        "↓ j next · ↑ k previous · q quit")
EDIT_KEYS = ("editing: [ ] move the start a turn earlier / later · - + move the end a turn "
             "earlier / later · enter save · esc cancel")


class ReconcileApp(App):
    """Walk through ``rec.pending()`` (a :class:`Reconciliation`)."""

    TITLE = "qualcode reconcile"
    CSS = """
    Screen { layout: vertical; }
    #head { height: auto; padding: 0 1; background: $boost; }
    #text { height: 1fr; padding: 0 1; border: round $primary; }
    #codes { height: auto; max-height: 8; }
    .coder { width: 1fr; height: auto; padding: 0 1; border: round $secondary; }
    #status { height: auto; padding: 0 1; color: $text-muted; }
    #keys { height: auto; padding: 0 1; background: $boost; }
    """
    BINDINGS = [
        Binding("a", "decide('a')", "keep A", show=False),
        Binding("b", "decide('b')", "keep B", show=False),
        Binding("2", "decide('both')", "keep both", show=False),
        Binding("n", "decide('neither')", "neither", show=False),
        Binding("e", "edit", "edit", show=False),
        Binding("down,j", "move(1)", "next", show=False),
        Binding("up,k", "move(-1)", "previous", show=False),
        Binding("left_square_bracket", "shift('start', -1)", show=False),
        Binding("right_square_bracket", "shift('start', 1)", show=False),
        Binding("minus", "shift('end', -1)", show=False),
        Binding("plus,equals_sign", "shift('end', 1)", show=False),
        Binding("enter", "save_edit", show=False),
        Binding("escape", "cancel_edit", show=False),
        Binding("q", "quit", "quit", show=False),
    ]

    def __init__(self, rec) -> None:
        super().__init__()
        self.rec = rec
        self.queue = rec.pending()
        self.index = 0
        self.editing: tuple[int, int] | None = None
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Static(id="head")
        with VerticalScroll(id="text"):
            yield Static(id="passage")
        with Horizontal(id="codes"):
            yield Static(id="coder_a", classes="coder")
            yield Static(id="coder_b", classes="coder")
        yield Static(id="status")
        yield Static(KEYS, id="keys")

    def on_mount(self) -> None:
        self.refresh_view()

    # --- state --------------------------------------------------------------------------

    @property
    def item(self):
        return self.queue[self.index] if self.queue else None

    def _next_open(self, start: int) -> int:
        for i in list(range(start, len(self.queue))) + list(range(0, start)):
            if self.queue[i].key not in self.rec.decided:
                return i
        return self.index

    # --- actions ------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self.editing is not None or not self.queue:
            return
        self.index = max(0, min(len(self.queue) - 1, self.index + step))
        self.message = ""
        self.refresh_view()

    def action_decide(self, decision: str) -> None:
        item = self.item
        if item is None or self.editing is not None:
            return
        if item.key in self.rec.decided:
            self.message = ("already decided; `qualcode coding undo --coder "
                            f"{self.rec.consensus}` takes the last decision back")
            self.refresh_view()
            return
        spans = self.rec.decide(item, decision)
        self._after_decision(item, decision, spans)

    def _after_decision(self, item, decision: str, spans) -> None:
        names = {"a": f"kept {self.rec.coder_a}", "b": f"kept {self.rec.coder_b}",
                 "both": "kept both", "neither": "kept neither", "edit": "kept the edited span"}
        where = ", ".join(f"{s}–{e}" for s, e in spans) or "nothing coded"
        self.message = f"saved: {item.code} in {item.transcript}: {names[decision]} ({where})"
        self.index = self._next_open(self.index + 1)
        self.refresh_view()

    def action_edit(self) -> None:
        item = self.item
        if item is None or item.key in self.rec.decided:
            return
        union = item.union
        self.editing = (union[0][0], union[-1][1])
        self.message = ""
        self.refresh_view()

    def action_shift(self, edge: str, step: int) -> None:
        if self.editing is None:
            return
        from qualcode.services.reconcile import shift_span

        self.editing = shift_span(self.rec.turns(self.item.transcript), self.editing, edge,
                                  step)
        self.refresh_view()

    def action_save_edit(self) -> None:
        if self.editing is None:
            return
        item, span = self.item, self.editing
        self.editing = None
        spans = self.rec.decide(item, "edit", [span])
        self._after_decision(item, "edit", spans)

    def action_cancel_edit(self) -> None:
        if self.editing is not None:
            self.editing = None
            self.message = "edit cancelled"
            self.refresh_view()

    # --- drawing ------------------------------------------------------------------------

    def refresh_view(self) -> None:
        rec = self.rec
        head = self.query_one("#head", Static)
        keys = self.query_one("#keys", Static)
        status = self.query_one("#status", Static)
        keys.update(EDIT_KEYS if self.editing is not None else KEYS)
        summary = rec.summary()
        progress = (f"A = {rec.coder_a}, B = {rec.coder_b} → {rec.consensus} · "
                    f"{summary['decided']} of {summary['disagreements']} decided, "
                    f"{summary['pending']} left")
        item = self.item
        if item is None:
            head.update(Text(f"{progress}\nNothing left to decide. Press q to quit."))
            self.query_one("#passage", Static).update("")
            self.query_one("#coder_a", Static).update("")
            self.query_one("#coder_b", Static).update("")
            status.update(Text(self.message))
            return
        turns = rec.turns(item.transcript)
        span = self.editing or (item.start, item.end)
        shown = [t for t in turns if t[0] < max(span[1], item.end)
                 and t[1] > min(span[0], item.start)]
        turn_text = (f"turn {shown[0][2]}" if len(shown) == 1 else
                     f"turns {shown[0][2]}–{shown[-1][2]}") if shown else "outside turns"
        state = rec.decided.get(item.key)
        decided = f" · decided: {state['described']}" if state else ""
        title = Text()
        title.append(f"{progress} · passage {self.index + 1} of {len(self.queue)}\n")
        title.append(f"{item.code}", style="bold")
        title.append(f" {item.label} · {item.transcript}, {turn_text} · ")
        title.append(item.kind.replace("only", "only coded by"), style="italic")
        title.append(decided, style="bold green" if state else "")
        head.update(title)
        self.query_one("#passage", Static).update(self._passage(item, shown, span))
        codes = rec.codes_on(item)
        for widget, coder, style, label in (("#coder_a", rec.coder_a, STYLE_A, "A"),
                                            ("#coder_b", rec.coder_b, STYLE_B, "B")):
            text = Text()
            text.append(f" {label} {coder} ", style=style + " bold")
            text.append("  ")
            applied = codes.get(coder, [])
            if not applied:
                text.append("no codes here", style="italic dim")
            for i, code in enumerate(applied):
                if i:
                    text.append(", ")
                text.append(code, style="bold underline" if code == item.code else "")
            self.query_one(widget, Static).update(text)
        status.update(Text(self.message))

    def _passage(self, item, shown, span) -> Text:
        """The passage's turns, from the turn before them (usually the question, dimmed)
        to the end of the last, speaker labels included."""
        text = self.rec.text(item.transcript)
        turns = self.rec.turns(item.transcript)
        start = min([span[0], item.start] + [t[0] for t in shown])
        end = max([span[1], item.end] + [t[1] for t in shown])
        before = [t for t in turns if t[1] <= start]
        out = Text()
        if before:
            context = before[-1][0]
            out.append(text[context:start], style="dim")
        cuts = sorted({start, end, span[0], span[1]} | {x for s, e in item.a + item.b
                                                           for x in (s, e)})
        cuts = [c for c in cuts if start <= c <= end]
        for left, right in zip(cuts, cuts[1:], strict=False):
            in_a = any(s <= left and right <= e for s, e in item.a)
            in_b = any(s <= left and right <= e for s, e in item.b)
            style = STYLE_BOTH if in_a and in_b else STYLE_A if in_a else \
                STYLE_B if in_b else ""
            if self.editing is not None and span[0] <= left and right <= span[1]:
                style = (style + " " + STYLE_EDIT).strip()
            out.append(text[left:right], style=style)
        legend = Text("\n\n")
        legend.append(" A only ", style=STYLE_A)
        legend.append(" ")
        legend.append(" B only ", style=STYLE_B)
        legend.append(" ")
        legend.append(" both ", style=STYLE_BOTH)
        if self.editing is not None:
            legend.append(" ")
            legend.append(f" edited span {span[0]}–{span[1]} ", style=STYLE_EDIT)
        out.append_text(legend)
        return out
