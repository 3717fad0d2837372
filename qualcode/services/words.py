"""Word frequencies and keywords in context over what informants said.

Interviewers' turns are left out unless asked for: the questions are the same in every
interview and would drown what people answered. Stop words are spaCy's Norwegian list
plus the project's own additions (kept in the project, so every member of a team counts
the same words).
"""

from __future__ import annotations

import bisect
import json
from collections import Counter, defaultdict

from qualcode.domain.errors import not_found
from qualcode.services.code_query import ProjectView, intersect, shown
from qualcode.services.overview import INTERVIEWER
from qualcode.store import Store

STOP_KEY = "stopwords"
REST = "resten"  # the group of everything outside the one code asked for


def project_stop_words(store: Store) -> list[str]:
    with store.snapshot() as db:
        raw = db.column("SELECT value FROM project_meta WHERE key = ?", (STOP_KEY,))
    return json.loads(raw[0]) if raw else []


def change_stop_words(store: Store, add: list[str] = (), remove: list[str] = ()) -> list[str]:
    """Add words to (or take them from) the project's own stop words; audited."""
    from qualcode import audit
    from qualcode.services.common import get_meta, set_meta
    from qualcode.word_stats import words_of

    with store.write() as session:
        before = json.loads(get_meta(session, STOP_KEY) or "[]")
        words = set(before)
        for text in add:
            words.update(words_of(text))
        for text in remove:
            words.difference_update(words_of(text))
        after = sorted(words)
        set_meta(session, STOP_KEY, after)
        audit.record(session, "update", "stopwords", None, before=before, after=after)
    return after


def _turn_texts(view: ProjectView, *, interviewers: bool):
    """(transcript pk, turn start, turn end, profile) of every turn counted."""
    view.load_turns()
    for t_pk, turns in view.turns.items():
        speakers = view.speakers.get(t_pk, {})
        for _, start, end, part in turns:
            speaker = speakers.get(part)
            if speaker is None:
                continue  # text outside any speaker's turn
            if speaker.role == INTERVIEWER and not interviewers:
                continue
            yield t_pk, start, end, view.profiles[t_pk, part]


def word_frequencies(store: Store, *, by: str | None = None, codes: list[str] | None = None,
                     interviewers: bool = False, min_count: int = 1, top: int = 30) -> dict:
    """Word counts over informants' turns, stop words left out.

    ``by`` groups by an attribute of the speaker (rolle, skoleslag …). ``codes`` keeps the
    text coded with those codes (each with the codes below it): without ``by`` each code is
    a group (one code is compared with the rest of what informants said); with ``by``
    the coded text is grouped by the attribute. With groups, each group's distinctive
    words are given by log-likelihood (see :mod:`qualcode.word_stats`)."""
    from qualcode import query_language as ql
    from qualcode.word_stats import distinctive, norwegian_stop_words, words_of

    view = ProjectView(store, None)
    if by is not None and by not in view.attribute_names:
        names = sorted(view.attribute_names)
        raise not_found(f"no attribute named '{by}'", by, names,
                        f"attributes: {', '.join(names)}")
    stop = norwegian_stop_words() | set(project_stop_words(store))
    code_spans = {c: view.code_spans(ql.Code(c, 0)) for c in codes or []}
    groups: dict[str, Counter] = defaultdict(Counter)
    texts = view.texts(view.transcripts)
    for t_pk, start, end, profile in _turn_texts(view, interviewers=interviewers):
        text = texts[t_pk]
        if not code_spans:
            pieces = [(by and shown(profile.get(by)) or "alle", (start, end))]
        else:
            pieces = []
            covered = []
            for code, spans in code_spans.items():
                for s, e in intersect([(start, end)], spans.get(t_pk, [])):
                    pieces.append((shown(profile.get(by)) if by else code, (s, e)))
                    covered.append((s, e))
            if len(code_spans) == 1 and not by:
                pieces += [(REST, gap) for gap in _gaps((start, end), covered)]
        for group, (s, e) in pieces:
            groups[group].update(words_of(text[s:e]))
    # Stop words are taken out once at the end: far quicker than testing every word.
    for counts in groups.values():
        for word in stop & counts.keys():
            del counts[word]
    totals = {g: sum(c.values()) for g, c in groups.items()}
    everything: Counter = Counter()
    for counts in groups.values():
        everything.update(counts)
    grand = sum(totals.values())
    frequent = [{"word": w, "count": n, "per_1000": round(1000 * n / grand, 2)}
                for w, n in sorted(everything.items(), key=lambda x: (-x[1], x[0]))
                if n >= min_count][:top]
    result = {"groups": {g: totals[g] for g in sorted(groups)}, "words": grand,
              "frequent": frequent, "distinctive": []}
    if len(groups) > 1:
        result["distinctive"] = distinctive(dict(sorted(groups.items())),
                                            min_count=min_count, top=top)
        result["by_group"] = [{"word": r["word"], **{g: groups[g][r["word"]] for g in
                                                      sorted(groups)}} for r in frequent]
    return result


def _gaps(span: tuple[int, int], covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, pos = [], span[0]
    for s, e in sorted(covered):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < span[1]:
        out.append((pos, span[1]))
    return out




def keyword_in_context(store: Store, word: str, *, regex: bool = False, width: int = 40,
                       interviewers: bool = True) -> list[dict]:
    """Every occurrence of a word (``rådgiver``), a prefix (``rådgiver*``) or a regular
    expression in the turns, with ``width`` characters either side (within the turn) and
    who said it."""
    from qualcode.domain.labels import attribution
    from qualcode.word_stats import keyword_pattern

    pattern = keyword_pattern(word, regex=regex)
    view = ProjectView(store, None)
    out = []
    names = {pk: name for pk, (name, _) in view.transcripts.items()}
    view.load_turns()
    texts = view.texts(view.turns)
    for t_pk in sorted(view.turns, key=lambda pk: names[pk]):
        text = texts[t_pk]
        speakers = view.speakers.get(t_pk, {})
        turns, starts = view.turns[t_pk], view.turn_starts[t_pk]
        # One pass over the whole text, each hit placed in its turn: far quicker than a
        # search per turn over a project's hundred thousand turns.
        for m in pattern.finditer(text):
            i = bisect.bisect_right(starts, m.start()) - 1
            if m.end() == m.start() or i < 0 or m.end() > turns[i][2]:
                continue  # empty, or not inside one turn (a speaker label, say)
            idx, start, end, part = turns[i]
            speaker = speakers.get(part)
            if speaker and speaker.role == INTERVIEWER and not interviewers:
                continue
            profile = view.profiles.get((t_pk, part), view.t_profiles.get(t_pk, {}))
            before = " ".join(text[max(start, m.start() - width):m.start()].split())
            after = " ".join(text[m.end():min(end, m.end() + width)].split())
            out.append({
                "transcript": names[t_pk], "turn": idx,
                "speaker": speaker.label if speaker else None,
                "attribution": attribution(profile.get("rolle"), profile.get("skoleslag")),
                "before": before[-width:], "match": m.group(0), "after": after[:width],
                "start": m.start(), "end": m.end(),
            })
    return out
