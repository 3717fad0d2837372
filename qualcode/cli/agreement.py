"""`qualcode agreement`, `qualcode reconcile` and `qualcode export agreement`.

Services (and numpy, python-docx, textual) are imported inside the commands, so
`qualcode --help` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from qualcode.cli.common import (
    FormatOption,
    Language,
    LanguageOption,
    RawOption,
    coder_option,
    coders_option,
    open_project,
)
from qualcode.cli.pseudonyms import ForceOption, IdentifiableOption
from qualcode.cli.render import OutputFormat, console, emit_json, emit_rows, err_console, plain


def register(app: typer.Typer) -> None:
    app.command("agreement")(agreement)
    app.command("reconcile")(reconcile)


class Unit(str, Enum):
    char = "char"
    sentence = "sentence"
    turn = "turn"
    document = "document"
    segment = "segment"


class Measure(str, Enum):
    alpha = "alpha"
    kappa = "kappa"
    ac1 = "ac1"
    bp = "bp"
    pi = "pi"
    percent = "percent"
    ualpha = "ualpha"


class AutoMode(str, Enum):
    union = "union"
    intersection = "intersection"


CodersOption = Annotated[str | None, typer.Option(
    "--coders", callback=coders_option,
    help="Coders to compare, comma-separated (two or more), e.g. anna,bjorn. "
    "Default: every coder with codings of their own (suggestions never count; name the "
    "consensus coder to compare against it). One coder's rounds, e.g. anna,anna@2, are "
    "compared as stability (intra-coder agreement); a later round is never in the default.",
    show_default=False)]
TranscriptsOption = Annotated[list[str] | None, typer.Option(
    "--transcript", "-t", help="Only these transcripts (repeat). Default: every transcript "
    "each chosen coder has coded; the others are listed with the reason.",
    show_default=False)]
CodesOption = Annotated[list[str] | None, typer.Option(
    "--code", "-k", help="A code and the codes below it, or a family (repeat). Default: "
    "every code with codings.", show_default=False)]
UnitOption = Annotated[Unit, typer.Option(
    "--unit", "-u", help="char: every character (NVivo); sentence or turn: coded when the "
    "coder's spans cover --min-share of it; document: code presence per transcript; "
    "segment: each coder's segments, matched by --overlap (MAXQDA).", case_sensitive=False)]
OverlapOption = Annotated[float, typer.Option(
    "--overlap", help="Segment unit: a segment counts as matched when another coder's "
    "segment of the same code covers at least this share of it.", min=0.0, max=1.0)]
MinShareOption = Annotated[float, typer.Option(
    "--min-share", help="Sentence and turn units: the share of a unit's characters a "
    "coder's spans must cover for it to count as coded (0: any overlap).", min=0.0, max=1.0)]
BootstrapOption = Annotated[int, typer.Option(
    "--bootstrap", help="Bootstrap resamples of transcripts for the 95 % interval "
    "(0: none; at most 100000).")]
SeedOption = Annotated[int, typer.Option(
    "--seed", help="Seed of the bootstrap: the same seed gives the same interval.")]
MeasureOption = Annotated[Measure | None, typer.Option(
    "--measure", "-m", help="The measure that gets the interval, the interpretation band "
    "and the --fail-under check (default: alpha; percent for --unit segment). bp is "
    "Brennan-Prediger (free-marginal), pi Scott's pi (two coders).",
    case_sensitive=False, show_default=False)]


def _kwargs(coders, transcripts, codes, unit, overlap, min_share, bootstrap, seed,
            measure) -> dict[str, Any]:
    return {"coders": coders, "transcripts": transcripts or None, "codes": codes or None,
            "unit": unit.value, "overlap": overlap, "min_share": min_share,
            "bootstrap": bootstrap, "seed": seed,
            "measure": measure.value if measure else None}


def agreement(
    ctx: typer.Context,
    coders: CodersOption = None,
    transcripts: TranscriptsOption = None,
    codes: CodesOption = None,
    unit: UnitOption = Unit.char,
    overlap: OverlapOption = 0.9,
    min_share: MinShareOption = 0.5,
    bootstrap: BootstrapOption = 1000,
    seed: SeedOption = 0,
    measure: MeasureOption = None,
    by_transcript: Annotated[bool, typer.Option(
        "--by-transcript", help="Also give every code in every transcript.")] = False,
    areas: Annotated[bool, typer.Option(
        "--areas", help="Also give each code family (quality area): its codes united into "
        "one, and their tables pooled, each with the interval.")] = False,
    fail_under: Annotated[float | None, typer.Option(
        "--fail-under", help="Exit with status 1 when the pooled value of --measure is "
        "below this (or undefined): a check for scripts.", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    """Inter-coder agreement per code: coverage, percent agreement, kappa (Cohen for two
    coders, Fleiss for more), Scott's pi (two coders), Krippendorff's alpha, Gwet's AC1,
    Brennan-Prediger, |u-alpha, a bootstrap
    interval, an interpretation band and flags; pooled over codes and per group of
    mutually exclusive codes. --coders anna,anna@2 gives stability instead: anna compared
    with her own second round, with the time between the rounds."""
    from qualcode.services.agreement_report import agreement as compute

    result = compute(open_project(ctx), by_transcript=by_transcript, areas=areas,
                     **_kwargs(coders, transcripts, codes, unit, overlap, min_share,
                               bootstrap, seed, measure))
    if fmt is OutputFormat.json:
        _notes(result, to_stderr=True)
        emit_json(result)
    elif fmt is OutputFormat.csv:
        _notes(result, to_stderr=True)
        rows, columns = _csv_rows(result)
        emit_rows(rows, fmt, columns=columns, raw=raw)
    else:
        _print_table(result)
    if fail_under is not None:
        _check(result, fail_under)


def _check(result: dict, threshold: float) -> None:
    from qualcode.services.agreement_report import measure_value

    value = measure_value(result)
    name = result["measure"]
    if value is None:
        err_console.print(f"[bold red]fail:[/] pooled {name} is undefined, so it cannot be "
                          f"shown to reach {threshold}", highlight=False)
        raise typer.Exit(1)
    if value < threshold:
        below = [r["code"] for r in result["codes"]
                 if r[_key(name)] is None or r[_key(name)] < threshold]
        err_console.print(f"[bold red]fail:[/] pooled {name} {value:.3f} is below "
                          f"--fail-under {threshold} ({len(below)} of "
                          f"{len(result['codes'])} codes below)", highlight=False)
        raise typer.Exit(1)


def _key(measure: str) -> str:
    from qualcode.services.agreement_report import MEASURE_KEY

    return MEASURE_KEY[measure]


def _notes(result: dict, *, to_stderr: bool) -> None:
    out = err_console if to_stderr else console
    if result.get("stability"):
        from qualcode.services.stability import between_text

        out.print(f"[yellow]Stability, time between the rounds:[/] "
                  f"{plain(between_text(result['stability']))}", highlight=False,
                  soft_wrap=True)
    left = result["transcripts_left_out"]
    if left:
        shown = "; ".join(f"{i['transcript']} ({i['reason']})" for i in left[:8])
        more = f"; … and {len(left) - 8} more" if len(left) > 8 else ""
        out.print(f"[yellow]Left out {len(left)} transcript(s):[/] {plain(shown)}{more}",
                  highlight=False, soft_wrap=True)
    for note in result["notes"]:
        out.print(f"[yellow]Note:[/] {plain(note)}", highlight=False, soft_wrap=True)


def _num(value: float | None, digits: int = 3) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def _interval(row: dict) -> str:
    iv = row.get("interval")
    if not iv:
        return "—"
    if iv["low"] is None:
        return "undefined"
    digits = 1 if iv["measure"] == "percent" else 3
    return f"[{iv['low']:.{digits}f}, {iv['high']:.{digits}f}]"


def _coverage(row: dict, coder: str, unit: str) -> str:
    if unit == "segment":
        return str(row["coded"][coder])
    value = row["prevalence"][coder]
    return "—" if value is None else f"{100 * value:.1f}"


def _coefficient(row: dict, key: str) -> str:
    from qualcode.services.agreement_report import not_applicable

    if not_applicable(row, key):
        return "—"
    return _num(row[key], 1 if key == "percent_agreement" else 3)


def _coefficient_headers(coders: list[str]) -> list[tuple[str, str]]:
    """The coefficient columns; Scott's pi only for two coders (Fleiss' κ generalises it)."""
    headers = [("percent_agreement", "agree\n%"), ("kappa", "κ"), ("pi", "π"), ("alpha", "α"),
               ("ac1", "AC1"), ("bp", "BP"), ("u_alpha", "|uα")]
    return [h for h in headers if h[0] != "pi" or len(coders) == 2]


def _print_table(result: dict) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from qualcode.services.agreement_report import FLAGS

    coders = result["coders"]
    unit = result["unit"]
    measure = result["measure"]
    title = f"Agreement of {', '.join(coders)}"
    if result.get("stability"):
        title = (f"Stability (intra-coder agreement) of {result['stability']['coder']}: "
                 f"rounds {', '.join(coders)}")
    console.print(f"[bold]{escape(title)}[/] · unit {unit} · "
                  f"{len(result['transcripts'])} transcripts · {len(result['codes'])} codes",
                  highlight=False)
    _notes(result, to_stderr=False)
    # Wide terminals get every column; narrower ones one coverage column and no unit counts
    # (they are in --format csv and json).
    wide = console.width >= 150
    cover = "segments" if unit == "segment" else "cov. %"
    rows = [*result["codes"], result["pooled"]]
    # (key, header, cells): every column first, then the least needed ones are left out
    # until the table fits the terminal (csv and json always have everything).
    columns: list[tuple[str, str, list[str]]] = [
        ("code", "code", [escape(r["code"]) for r in rows])]
    coverage = [[_coverage(r, c, unit) for c in coders] for r in rows]
    if wide:
        columns += [(f"cov:{c}", f"{cover}\n{c}", [cv[i] for cv in coverage])
                    for i, c in enumerate(coders)]
        columns.append(("counts", "all/some/none", [
            f"{r['coded_by_all']}/{r['coded_by_some']}/{r['coded_by_none']}" for r in rows]))
    else:
        columns.append(("cov", f"{cover}\n{'/'.join(coders)}", ["/".join(cv) for cv in coverage]))
    for key, header in _coefficient_headers(coders):
        columns.append((key, header, [_coefficient(r, key) for r in rows]))
    columns.append(("interval", f"95% CI\n({measure})", [escape(_interval(r)) for r in rows]))
    columns.append(("band", "band", [r["band"] or "—" for r in rows]))
    columns.append(("flags", "flags", [", ".join(r["flags"]) for r in rows]))

    def width(column: tuple[str, str, list[str]]) -> int:
        key, header, cells = column
        if key == "code":
            return 12
        if key == "flags":
            return 16
        return max([len(c) for c in cells] + [len(h) for h in header.split("\n")])

    chosen = _key(measure)
    dropped = []
    for drop in ("pi", "bp", "u_alpha", "ac1", "percent_agreement", "kappa", "alpha", "flags"):
        if sum(width(c) + 3 for c in columns) <= console.width:
            break
        if drop != chosen:
            dropped += [c[1].replace("\n", " ") for c in columns if c[0] == drop]
            columns = [c for c in columns if c[0] != drop]
    others = sum(width(c) + 3 for c in columns[1:])
    code_width = max(10, min(34, max(len(c) for c in columns[0][2]),
                             console.width - others - 2))
    table = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for key, header, cells in columns:
        if key == "code":
            table.add_column(header, no_wrap=True, overflow="ellipsis", width=code_width)
        elif key in ("band", "flags"):
            table.add_column(header, overflow="fold", min_width=width((key, header, cells)))
        else:
            table.add_column(header, justify="right", no_wrap=True,
                             min_width=width((key, header, cells)))
    for i, row in enumerate(rows):
        cells = [c[2][i] for c in columns]
        cells = [c if c != "undefined" else "[italic red]undefined[/]" for c in cells]
        table.add_row(*cells, style="bold" if row is rows[-1] else None,
                      end_section=row is rows[-2])
    console.print(table)
    if dropped:
        console.print(f"[dim]left out to fit the terminal: {', '.join(dropped)} (widen it, or "
                      "use --format csv or json)[/]", highlight=False)
    source = rows[-1]["band_source"]
    band = f"band: {measure} by {source}" if source else "percent agreement has no band"
    console.print(f"[dim]{band}; α and |uα: ≥ .800 reliable, .667–.800 tentative, below "
                  "unreliable (Krippendorff 2004); κ and AC1: Landis & Koch (1977)[/]",
                  highlight=False)
    console.print("[dim]flags: " + "; ".join(f"{k} = {v}" for k, v in FLAGS.items()) + "[/]",
                  highlight=False)
    boot = result["bootstrap"]
    if boot["resamples"] and measure != "ualpha":
        console.print(f"[dim]95% CI: {boot['resamples']} bootstrap resamples of transcripts, "
                      f"seed {boot['seed']}; |uα over the transcripts laid end to end[/]",
                      highlight=False)
    from qualcode.services.agreement_report import not_applicable

    undefined = [(r["code"], k, v) for r in rows for k, v in r["undefined"].items()
                 if not not_applicable(r, k)]
    if undefined:
        console.print("[dim]undefined:[/]", highlight=False)
        for code, key, reason in undefined[:20]:
            console.print(f"[dim]  {escape(code)} {key}: {escape(reason)}[/]", highlight=False)
        if len(undefined) > 20:
            console.print(f"[dim]  … and {len(undefined) - 20} more (see --format json)[/]",
                          highlight=False)
    if result["groups"]:
        groups = Table(title="Mutually exclusive groups", header_style="bold")
        groups.add_column("group")
        groups.add_column("codes")
        groups.add_column("u-alpha", justify="right")
        groups.add_column("cu-alpha", justify="right")
        groups.add_column("αU 2004", justify="right")
        for g in result["groups"]:
            groups.add_row(escape(g["group"]), escape(", ".join(g["codes"])),
                           _num(g["u_alpha"]), _num(g["cu_alpha"]), _num(g["u_alpha_2004"]))
        console.print(groups)
        console.print("[dim]u-alpha and cu-alpha: Krippendorff (2019); αU 2004: the earlier "
                      "alpha_U of Content Analysis, 2nd ed. (2004), as many published studies "
                      "report it[/]", highlight=False)
        for g in result["groups"]:
            for confusion in g["confusion"]:
                _print_confusion(g["group"], confusion, unit)
        for g in result["groups"]:
            reasons: dict[str, list[str]] = {}
            for key, reason in g["undefined"].items():
                reasons.setdefault(reason, []).append(key.replace("_", "-"))
            for reason, keys in reasons.items():
                console.print(f"[dim]  {escape(g['group'])} {' and '.join(keys)}: "
                              f"{escape(reason)}[/]", highlight=False)
    kappa = "Cohen's κ" if len(coders) == 2 else "Fleiss' κ"
    if result.get("missing_ratings"):
        kappa += (" generalised to missing ratings (Gwet 2014); α, AC1, BP and agree % in "
                  "their missing-data forms")
    pi = "π Scott's pi; " if len(coders) == 2 else ""
    console.print(f"[dim]κ is {kappa}; {pi}α Krippendorff's alpha (nominal); AC1 Gwet's; "
                  "BP Brennan-Prediger (chance 1/2, free marginals); |uα Krippendorff's "
                  "|u-alpha (2019)[/]", highlight=False)
    if result.get("stability"):
        console.print(f"[dim]stability ({result['stability']['source']}): one coder's rounds "
                      "compared with the same coefficients; it shows that she is consistent "
                      "with herself, not that another coder would agree, so it is no inter-"
                      "coder agreement[/]", highlight=False)
    if result.get("areas"):
        _print_areas(result)
    if "by_transcript" in result:
        per = Table(title="By transcript", header_style="bold")
        headers = _coefficient_headers(coders)
        for name in ("code", "transcript", *(f"{cover} {c}" for c in coders),
                     *(h.replace("\n", " ") for _, h in headers)):
            per.add_column(name, justify="left" if name in ("code", "transcript") else "right")
        for row in result["by_transcript"]:
            per.add_row(escape(row["code"]), escape(row["transcript"]),
                        *[_coverage(row, c, unit) for c in coders],
                        *[_coefficient(row, k) for k, _ in headers])
        console.print(per)


def _print_areas(result: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    measure = result["measure"]
    key = _key(measure)
    table = Table(title=f"Code families (areas): {measure}", header_style="bold")
    for name in ("area", "codes", "united", "95% CI", "band", "pooled", "95% CI ", "band "):
        table.add_column(name, justify="left" if name in ("area", "band", "band ") else "right")
    for area in result["areas"]:
        united, pooled = area["united"], area["pooled"]
        table.add_row(escape(area["area"]), str(len(area["codes"])),
                      _coefficient(united, key), escape(_interval(united)), united["band"] or "—",
                      _coefficient(pooled, key), escape(_interval(pooled)), pooled["band"] or "—")
    console.print(table)
    console.print("[dim]united: the family's codes as one code (spans united per coder); "
                  "pooled: the count tables of its codes added up[/]", highlight=False)


def _print_confusion(group: str, confusion: dict, unit: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    a, b = confusion["coders"]
    labels = [escape(c) if c is not None else "(none)" for c in confusion["categories"]]
    table = Table(title=f"{escape(group)}: {escape(a)} (rows) × {escape(b)} (columns), "
                        f"{unit} units", header_style="bold")
    table.add_column(f"{escape(a)} ↓ {escape(b)} →")
    for label in labels:
        table.add_column(label, justify="right")
    for r, (label, counts) in enumerate(zip(labels, confusion["counts"], strict=True)):
        # The diagonal is agreement; everything else is a confusion.
        table.add_row(label, *(f"[bold]{n}[/]" if c == r else str(n)
                               for c, n in enumerate(counts)))
    console.print(table)


def _flat(result: dict, row: dict, kind: str) -> dict:
    from qualcode.services.agreement_report import not_applicable

    def value(v: Any) -> Any:
        return "undefined" if v is None else v

    flat: dict[str, Any] = {"comparison": result["comparison"], "row": kind,
                            "code": row.get("code"),
                            "transcript": row.get("transcript", ""), "label": row.get("label"),
                            "units": row.get("units"),
                            "transcripts_with_code": row.get("transcripts_with_code")}
    for coder in result["coders"]:
        flat[f"coded_{coder}"] = row["coded"][coder]
        flat[f"prevalence_{coder}"] = row["prevalence"][coder]
    for key in ("coded_by_all", "coded_by_some", "coded_by_none"):
        flat[key] = row[key]
    for key in ("percent_agreement", "kappa", "pi", "alpha", "ac1", "bp", "u_alpha"):
        flat[key] = "" if not_applicable(row, key) else value(row[key])
    flat["kappa_kind"] = row["kappa_kind"]
    iv = row.get("interval") or {}
    flat["ci_measure"] = iv.get("measure")
    flat["ci_low"] = value(iv.get("low")) if iv else None
    flat["ci_high"] = value(iv.get("high")) if iv else None
    flat["ci_resamples_used"] = iv.get("resamples_used")
    flat["band"] = row.get("band")
    flat["band_source"] = row.get("band_source")
    flat["flags"] = " ".join(row.get("flags", []))
    flat["undefined"] = "; ".join(f"{k}: {v}" for k, v in row["undefined"].items())
    return flat


def _csv_rows(result: dict) -> tuple[list[dict], list[str]]:
    rows = [_flat(result, r, "code") for r in result["codes"]]
    rows.append(_flat(result, result["pooled"], "pooled"))
    for r in result.get("by_transcript", []):
        rows.append(_flat(result, r, "transcript"))
    for area in result.get("areas") or []:
        rows.append(_flat(result, area["united"], "area-united"))
        rows.append({**_flat(result, area["pooled"], "area-pooled"), "code": area["area"],
                     "label": area["label"]})
    for g in result["groups"]:
        rows.append({"comparison": result["comparison"], "row": "group", "code": g["group"],
                     "label": g["label"],
                     "u_alpha": "undefined" if g["u_alpha"] is None else g["u_alpha"],
                     "cu_alpha": "undefined" if g["cu_alpha"] is None else g["cu_alpha"],
                     "u_alpha_2004": ("undefined" if g["u_alpha_2004"] is None
                                      else g["u_alpha_2004"]),
                     "undefined": "; ".join(f"{k}: {v}" for k, v in g["undefined"].items())})
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return rows, columns


def export_agreement(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The report to write: .docx (Word) or .html "
                                              "(one self-contained page).")],
    coders: CodersOption = None,
    transcripts: TranscriptsOption = None,
    codes: CodesOption = None,
    unit: UnitOption = Unit.char,
    overlap: OverlapOption = 0.9,
    min_share: MinShareOption = 0.5,
    bootstrap: BootstrapOption = 1000,
    seed: SeedOption = 0,
    measure: MeasureOption = None,
    max_passages: Annotated[int | None, typer.Option(
        "--max-passages", help="At most this many disagreement passages per code (default: "
        "all).", min=1, show_default=False)] = None,
    identifiable: IdentifiableOption = False,
    force: ForceOption = False,
    language: LanguageOption = Language.nb,
) -> None:
    """The supervisor's agreement report (Norwegian bokmål, or English with --language en):
    what was compared and how, the per-code table, how to read it, and every passage where
    the coders differ, with both coders' codes side by side. Names are replaced by the
    project's pseudonym key unless --identifiable (then the report says so at the top)."""
    if path.suffix.lower() not in (".docx", ".html", ".htm"):
        raise typer.BadParameter("use a .docx or .html file name", param_hint="PATH")
    from qualcode.cli.pseudonyms import export_key, exported
    from qualcode.output import check_output_path
    from qualcode.reports.agreement import write_agreement_report

    check_output_path(path)  # before the project is opened: a typo costs nothing
    store = open_project(ctx)
    ek = export_key(store, path, identifiable, force)
    info = write_agreement_report(store, path, max_passages=max_passages, key=ek.key,
                                  identifiable=identifiable, language=language.value,
                                  **_kwargs(coders, transcripts, codes, unit, overlap,
                                            min_share, bootstrap, seed, measure))
    exported(store, "agreement report", path, ek)
    console.print(f"Wrote {path}: {info['codes']} codes, {info['transcripts']} transcripts, "
                  f"{info['passages']} disagreement passages ({', '.join(info['coders'])}).",
                  highlight=False, markup=False)


def reconcile(
    ctx: typer.Context,
    coders: Annotated[str, typer.Option(
        "--coders", callback=coders_option,
        help="The two coders to reconcile, e.g. anna,bjorn (A and B).")],
    consensus: Annotated[str, typer.Option(
        "--consensus", callback=coder_option,
        help="The coder name of the consensus layer.")] = "consensus",
    codes: CodesOption = None,
    transcripts: TranscriptsOption = None,
    auto: Annotated[AutoMode | None, typer.Option(
        "--auto", help="No questions: per code and transcript, keep the union or the "
        "intersection of the two coders' spans.", case_sensitive=False,
        show_default=False)] = None,
) -> None:
    """Walk through the passages where two coders differ and record a consensus layer
    (a = keep A, b = keep B, 2 = both, n = neither, e = edit the span by turns; j/k or the
    arrows to move; q to quit). Every decision is saved at once; the coders' own codings
    are never changed, and decided passages are skipped when you come back."""
    from qualcode.services import reconcile as service

    store = open_project(ctx)
    if auto is not None:
        summary = service.auto(store, coders, auto.value, consensus=consensus, codes=codes,
                               transcripts=transcripts)
        console.print(f"Consensus layer '{summary['consensus']}': {summary['decided_now']} "
                      f"passage(s) decided by {summary['mode']} ({summary['codings_written']} "
                      f"span(s) written); {summary['agreed']} of {summary['passages']} passages "
                      f"were coded identically by {' and '.join(summary['coders'])}.",
                      highlight=False, markup=False)
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise typer.BadParameter("reconciling by hand needs a terminal; for scripts use "
                                 "--auto union or --auto intersection", param_hint="--auto")
    rec = service.start(store, coders, consensus=consensus, codes=codes,
                        transcripts=transcripts)
    from qualcode.cli.reconcile_app import ReconcileApp

    ReconcileApp(rec).run()
    s = rec.summary()
    console.print(f"Consensus layer '{s['consensus']}': {s['decided']} of {s['disagreements']} "
                  f"disagreements decided, {s['pending']} left; {s['agreed']} identical "
                  "passages copied. Compare with: qualcode agreement --coders "
                  f"{s['coders'][0]},{s['consensus']}", highlight=False, markup=False)
