"""The one HTML renderer: a :class:`qualcode.reports.document.Document` as one
self-contained page (inline CSS, figures as data URIs, no scripts, nothing fetched)."""

from __future__ import annotations

import base64
import html

from qualcode.reports import document as d

CSS = """
:root { --accent: #1f4e79; --grey: #595959; --rule: #404040; --line: #d0d0d0; }
* { box-sizing: border-box; }
body { font-family: Calibri, Carlito, "Segoe UI", "Helvetica Neue", Arial, sans-serif;
       font-size: 15px; line-height: 1.5; color: #1a1a1a; margin: 0; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 32px 28px 64px; }
h1.title { font-weight: 300; font-size: 34px; color: var(--accent); margin: 0 0 4px; }
.subtitle { color: var(--grey); margin: 0 0 28px; }
h2 { color: var(--accent); font-size: 22px; margin: 36px 0 10px;
     border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { color: var(--accent); font-size: 17px; margin: 26px 0 6px; }
h4 { font-size: 14px; margin: 16px 0 4px; }
ul { padding-left: 22px; }
nav.contents ul { list-style: none; padding-left: 0; columns: 2; }
nav.contents a { color: var(--accent); text-decoration: none; }
.note { color: var(--grey); font-size: 13px; font-style: italic; }
.caption { font-weight: 700; font-size: 14px; margin: 18px 0 4px; }
.wide { overflow-x: auto; margin-bottom: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px;
        font-variant-numeric: tabular-nums; border-top: 2px solid var(--rule);
        border-bottom: 2px solid var(--rule); }
th, td { padding: 5px 7px; border-bottom: 1px solid var(--line); vertical-align: top;
         text-align: left; }
thead th { background: #dce6f0; border-bottom: 1px solid var(--rule); }
table.codes thead th { position: sticky; top: 0; }
.r { text-align: right; white-space: nowrap; }
.c { text-align: center; }
table.facts, table.facts td { border: none; width: auto; font-size: 15px; padding: 2px 14px 2px 0; }
table.facts td:first-child { color: var(--grey); font-weight: 700; }
p.lead { margin: 14px 0 2px; }
blockquote.quote { margin: 2px 28px 12px; font-style: italic; }
p.criterion { font-style: italic; border-left: 3px solid var(--accent); padding-left: 10px; }
p.source, td .source { color: var(--grey); font-size: 12px; }
td .quote { font-style: italic; }
.upright { font-style: normal; }
tr.total td { font-weight: 700; }
mark { color: inherit; }
code { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 0.9em; }
blockquote { margin: 10px 28px; font-style: italic; }
blockquote footer { font-style: normal; color: var(--grey); font-size: 13px; }
figure { margin: 16px 0; }
td .source { color: var(--grey); font-size: 12px; }
figure img { max-width: 100%; height: auto; }
figcaption { font-weight: 700; font-size: 14px; }
table.passage { margin: 14px 0 18px; page-break-inside: avoid; table-layout: fixed; }
table.passage thead th { background: #edf2f8; }
table.passage td.text { white-space: pre-wrap; line-height: 1.6; font-size: 15px; }
@media print { main { max-width: none; padding: 0; } thead th { position: static; }
               h2, h3 { page-break-after: avoid; } nav.contents { display: none; }
               /* Printed, a wide table is never cut off at the page's edge: it wraps
                  its cells and shrinks its text to the page's width, its columns in
                  the shares the Word layout gave them. */
               .wide { overflow: visible; }
               .wide table { width: 100%; font-size: 10px; table-layout: fixed; }
               .wide table.codes { font-size: 8.5px; }  /* fifteen columns */
               .wide .r { white-space: normal; overflow-wrap: normal; }
               .wide td, .wide th { overflow-wrap: break-word; }
               .wide th, .wide td { padding: 3px 4px; }
               /* Words stay whole; a code id (one long word) breaks where it must. */
               .wide td:first-child { overflow-wrap: anywhere; }
               tr { page-break-inside: avoid; } }
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _runs(runs: list[d.Run]) -> str:
    out = []
    for r in runs:
        text = _h(r.text).replace("\n", "<br>")
        if r.code:
            text = f"<code>{text}</code>"
        if r.bold:
            text = f"<b>{text}</b>"
        if r.italic:
            text = f"<i>{text}</i>"
        if r.upright:
            text = f'<span class="upright">{text}</span>'
        style = []
        if r.color:
            style.append(f"color:#{r.color}")
        if r.size:
            style.append("font-size:0.85em")
        if style:
            text = f'<span style="{";".join(style)}">{text}</span>'
        if r.fill:
            title = f' title="{_h(r.title)}"' if r.title else ""
            text = f'<mark style="background:#{r.fill}"{title}>{text}</mark>'
        out.append(text)
    return "".join(out)


def _cell(c: d.Cell, tag: str) -> str:
    classes = [x for x in ({"right": "r", "center": "c"}.get(c.align, ""),
                           "text" if c.role == "passage" else "") if x]
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    if c.span > 1:
        attrs += f' colspan="{c.span}"'
    if c.rows > 1:
        attrs += f' rowspan="{c.rows}"'
    if c.fill:
        attrs += f' style="background:#{c.fill}"'
    first = _runs(c.runs)
    if c.role in ("quote", "source"):
        first = f'<span class="{c.role}">{first}</span>'
    parts = [first] + [
        f'<span class="{m.role}">{_runs(m.runs)}</span>' for m in c.more]
    return f"<{tag}{attrs}>{'<br>'.join(parts)}</{tag}>"


def _row(row: d.Row, tag: str) -> str:
    attrs = f' class="{row.kind}"' if row.kind else ""
    if row.fill:
        attrs += f' style="background:#{row.fill}"'
    return f"<tr{attrs}>" + "".join(_cell(c, tag) for c in row.cells) + "</tr>"


def _table(t: d.Table) -> list[str]:
    out = []
    if t.caption:
        out.append(f'<p class="caption">{_h(t.caption)}</p>')
    head = [r for r in t.rows if r.header]
    body = [r for r in t.rows if not r.header]
    out.append(f'<div class="wide"><table class="{_h(t.kind)}">')
    if t.lines and t.widths:
        # The columns keep the shares the Word layout gave them: a code's label column
        # stays readable when a wide table is printed and its text may wrap anywhere.
        whole = sum(t.widths)
        out.append("<colgroup>" + "".join(f'<col style="width:{100 * w / whole:.1f}%">'
                                          for w in t.widths) + "</colgroup>")
    if head:
        out.append("<thead>" + "".join(_row(r, "th") for r in head) + "</thead>")
    out.append("<tbody>" + "".join(_row(r, "td") for r in body) + "</tbody></table></div>")
    out += [_paragraph(n) for n in t.notes]
    return out


def _paragraph(p: d.Paragraph) -> str:
    if p.role == "spacer":
        return ""
    if p.role == "quote":
        return f'<blockquote class="quote"><p>{_runs(p.runs)}</p></blockquote>'
    cls = f' class="{p.role}"' if p.role in ("note", "subtitle", "lead", "criterion",
                                             "source") else ""
    return f"<p{cls}>{_runs(p.runs)}</p>"


def _contents(model: d.Document, contents: d.Contents, ids: dict[int, str]) -> list[str]:
    headings = [b for b in model.blocks if isinstance(b, d.Heading) and b.level == 1]
    return ([f'<nav class="contents"><h2>{_h(contents.title)}</h2><ul>']
            + [f'<li><a href="#{ids[id(h)]}">{_h(h.text)}</a></li>' for h in headings]
            + ["</ul></nav>"])


def render(model: d.Document) -> str:
    """The document as one self-contained HTML page."""
    ids = {id(b): f"k{i}" for i, b in enumerate(model.blocks) if isinstance(b, d.Heading)}
    out = ["<!DOCTYPE html>", f'<html lang="{_h(model.language)}">', "<head>",
           '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_h(model.running_header or model.title)}</title>",
           f"<style>{CSS}</style>", "</head>", "<body>", "<main>"]
    if model.notice:
        out.append(f"<p><strong>{_h(model.notice)}</strong></p>")
    out.append(f'<h1 class="title">{_h(model.title)}</h1>')
    if model.subtitle:
        out.append(f'<p class="subtitle">{_h(model.subtitle)}</p>')
    bullets: list[str] = []
    for block in model.blocks:
        if bullets and not (isinstance(block, d.Paragraph) and block.role == "bullet"):
            out += ["<ul>", *bullets, "</ul>"]
            bullets = []
        if isinstance(block, d.Paragraph):
            if block.role == "bullet":
                bullets.append(f"<li>{_runs(block.runs)}</li>")
            else:
                out.append(_paragraph(block))
        elif isinstance(block, d.Heading):
            level = min(block.level + 1, 6)
            out.append(f'<h{level} id="{ids[id(block)]}">{_h(block.text)}</h{level}>')
        elif isinstance(block, d.Table):
            out += _table(block)
        elif isinstance(block, d.Figure):
            data = base64.b64encode(block.png).decode("ascii")
            out.append(f'<figure><img alt="{_h(block.alt or block.caption or "")}" '
                       f'style="width:{block.width_cm:.1f}cm" '
                       f'src="data:image/png;base64,{data}">'
                       + (f"<figcaption>{_h(block.caption)}</figcaption>"
                          if block.caption else "") + "</figure>")
        elif isinstance(block, d.Quote):
            out.append(f"<blockquote><p>{_h(block.text)}</p>"
                       f"<footer>{_h(block.attribution)}</footer></blockquote>")
        elif isinstance(block, d.Contents):
            out += _contents(model, block, ids)
    if bullets:
        out += ["<ul>", *bullets, "</ul>"]
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
