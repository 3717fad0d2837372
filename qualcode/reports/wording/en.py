"""The reports in English (``--language en``): the same sentences as the bokmål edition.
The data keep their own words (code labels, quotes, attribute values)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qualcode.reports.wording import Wording


class English(Wording):
    language = "en"
    locale = "en-GB"
    thousands = ","
    decimal = "."
    and_word = "and"
    undefined = "undefined"
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")

    def date(self, d: date | str) -> str:
        if isinstance(d, str):
            d = date.fromisoformat(d)
        return f"{d.day} {self.months[d.month - 1]} {d.year}"

    def days(self, value: float) -> str:
        return self.num(value, 0 if abs(value) >= 10 else 1)

    # The study's own attributes by their English names; any other attribute keeps its own.
    attribute_names = {"rolle": "role", "skoleslag": "school type", "site": "school",
                       "person": "informant", "transcript": "interview",
                       "landsdel": "region", "kommune": "municipality", "format": "format"}

    def columns(self, columns: Sequence[str]) -> str:
        return " and ".join(self.attribute_names.get(c, c) for c in columns)

    # --- shared by both reports --------------------------------------------------------

    contents = "Contents"
    identifiable = ("IDENTIFIABLE: names and other details are not replaced by pseudonyms "
                    "(exported with --identifiable). Do not share.")

    # --- the agreement report ----------------------------------------------------------

    unit_names = {"char": "characters", "sentence": "sentences", "turn": "turns",
                  "document": "documents (presence)", "segment": "segments"}
    kinds = {"boundaries differ": "boundaries differ"}
    flag_names = {"undefined": "undefined", "rare": "rare", "few-transcripts": "few transcr.",
                  "uneven": "uneven use"}
    bands = {"poor": "poor", "slight": "slight", "fair": "fair", "moderate": "moderate",
             "substantial": "substantial", "almost perfect": "almost perfect",
             "reliable": "reliable", "tentative": "tentative", "unreliable": "unreliable"}
    reasons: tuple[tuple[str, str], ...] = ()
    measure_names = {"alpha": "Krippendorff's alpha", "kappa": "kappa", "ac1": "Gwet's AC1",
                     "bp": "Brennan–Prediger", "pi": "Scott's pi",
                     "percent": "percent agreement", "ualpha": "|u-alpha"}
    value_names = {"percent_agreement": "agreement", "kappa": "κ", "alpha": "α", "ac1": "AC1",
                   "bp": "BP", "pi": "π", "u_alpha": "|uα", "interval": "interval",
                   "cu_alpha": "cu-alpha"}
    agreement_title = "Agreement between coders"
    compared = "What was compared"
    conventions_heading = "Conventions"
    in_short = "In short"
    next_page = ("The table on the next page gives the numbers per code. The section “How to "
                 "read the table” explains its columns, and “Disagreements to discuss” shows "
                 "every passage the coders coded differently, so that supervisor and students "
                 "can go through them together.")
    per_code = "Agreement per code"
    code_header = "Code"
    coverage_header = "Cov.\u00a0%"
    segments_header = "Segm."
    counts_header = "All / some / none"
    agreement_header = "Agreement\u00a0%"
    interval_header = "95\u00a0%\u00a0CI"
    band_header = "Reading"
    notes_header = "Notes"
    pooled_name = "Pooled"
    counts_note = "Coverage in percent of the units; “All / some / none” are numbers of units."
    undefined_heading = "Undefined values"
    per_family = "Agreement per code family"
    groups_heading = "Groups of mutually exclusive codes"
    how_to_read_heading = "How to read the table"
    disagreements = "Disagreements to discuss"
    colours = "Colours: "
    left_out_heading = "Appendix: transcripts left out, and notes"
    settings_heading = "Appendix: settings"
    no_codes_here = "no codes here"
    none_category = "none"
    unitizing_variant = (
        "The 2019 version is used because the older αU of 2004 (Content Analysis, 2nd ed., "
        "section 12.4) misbehaves with more than two coders (Krippendorff, Mathet, Bouvry & "
        "Widlöcher 2016); for groups of mutually exclusive codes the 2004 αU stands beside "
        "it, for comparison with studies that report it.")
    group_headers = ("Group", "Codes", "u-α (2019)", "cu-α (2019)", "αU (2004)")
    group_note = (
        "u-alpha and cu-alpha after Krippendorff (2019, section 12.6): u-alpha measures "
        "agreement on both the stretches of text and the codes, cu-alpha on the codes where "
        "the coders coded the same text. αU (2004) is the older variant of Content Analysis, "
        "2nd ed., section 12.4, which many published studies and DKPro Agreement report; it "
        "gives other numbers for the same data and misbehaves with more than two coders, so "
        "it is here for comparison only.")
    confusion_note = (
        "Rows are the first coder's code, columns the other's; “none” are units with none of "
        "the group's codes. The diagonal (in bold) is agreement; the other cells show which "
        "codes are confused with which.")
    areas_intro = (
        "The analysis is reported per code family (quality area), so agreement is given there "
        "too, in two ways. United: the family's codes merged into one code, as the matrix "
        "counts a family – do the coders agree where the area is the topic? Pooled: the "
        "counts of the family's codes added up – do the coders agree on the codes within the "
        "area? Both with a bootstrap interval for the chosen measure.")

    def report_title(self, data: dict) -> str:
        if data.get("stability"):
            return f"Stability: {data['stability']['coder']} against themselves"
        return self.agreement_title

    def subtitle(self, data: dict) -> list[str]:
        return [f"{self.join(data['coders'])} · {self.unit_names[data['unit']]} as the unit"]

    def kind(self, kind: str) -> str:
        if kind.startswith("only "):
            return "only " + self.join(kind[5:].split(", "))
        return self.kinds.get(kind, kind)

    def interval_text(self, row: dict) -> str:
        iv = row.get("interval")
        if not iv:
            return "–"
        if iv["low"] is None:
            return self.undefined
        digits = 1 if iv["measure"] == "percent" else 3
        return f"{self.num(iv['low'], digits)} to {self.num(iv['high'], digits)}"

    def band_text(self, row: dict) -> str:
        if not row.get("band"):
            return "–" if row.get("band_source") is None else self.undefined
        return self.bands.get(row["band"], row["band"])

    def unit_sentence(self, data: dict) -> str:
        unit = data["unit"]
        if unit == "char":
            return ("The unit is the character: every character of the transcripts is a unit, "
                    "and counts as coded by a coder when one of the coder's codings with the "
                    "code covers it. This is how NVivo compares coding.")
        if unit in ("sentence", "turn"):
            what = "sentence" if unit == "sentence" else "turn"
            share = data["min_share"] or 0
            rule = ("when the coder's codings with the code touch it" if share == 0 else
                    f"when the coder's codings with the code cover at least "
                    f"{self.num(100 * share, 0)}% of its characters")
            return f"The unit is the {what}: every {what} is a unit, and counts as coded {rule}."
        if unit == "document":
            return ("The unit is the document: every transcript is a unit, and counts as coded "
                    "with a code when the coder used the code anywhere in it (presence).")
        return ("The unit is the segment, as in MAXQDA: every segment a coder coded is a unit. "
                "Another coder agrees on the segment when one of their segments with the same "
                f"code overlaps at least {self.num(100 * data['overlap'], 0)}% of it. There "
                "are no units nobody coded, so only percent agreement and |u-alpha can be "
                "computed.")

    def header_facts(self, data: dict) -> list[tuple[str, str]]:
        coders = data["coders"]
        n_t = len(data["transcripts"])
        left = data["transcripts_left_out"]
        missing = data.get("missing_ratings")
        everyone = "every round" if data.get("stability") else "every coder"
        transcripts = f"{n_t} transcripts, which {everyone} coded."
        if missing:
            transcripts = (
                f"{n_t} transcripts, which at least two of the coders coded. "
                f"{len(missing['transcripts'])} of them were coded by some of the coders only; "
                "there the others' ratings are missing, and the coefficients take their forms "
                "for missing ratings (Gwet 2014): Fleiss' kappa as Gwet generalised it, "
                "Krippendorff's alpha, AC1, Brennan–Prediger and percent agreement over the "
                "ratings there are. |u-alpha, the groups and the disagreements rest on the "
                f"{len(missing['complete_transcripts'])} transcripts every coder coded.")
        if left and data.get("stability"):
            transcripts = (f"{n_t} transcripts, which every round coded. {len(left)} are left "
                           "out because the sample coded again does not include them (see the "
                           "appendix).")
        elif left:
            why = ("fewer than two of the coders coded them" if missing
                   else "not every coder coded them")
            transcripts += f" {len(left)} are left out because {why} (see the appendix)."
        codes = f"{len(data['codes'])} codes used by at least one of the coders"
        if data.get("code_selection"):
            codes += f", within {self.join(data['code_selection'])}"
        kappa = "Cohen's kappa" if len(coders) == 2 else "Fleiss' kappa"
        measure = data["measure"]
        boot = data["bootstrap"]
        interval = (f"95% bootstrap interval for {self.measure_names[measure]}: "
                    f"{self.integer(boot['resamples'])} resamples of the transcripts with "
                    f"replacement, seed {boot['seed']}."
                    if boot["resamples"] and measure != "ualpha" else
                    "No bootstrap interval.")
        who = ("Coders", f"{self.join(coders)}. Each coder's codings are compared with the "
                         "others'; suggestions not accepted are not counted.")
        if data.get("stability"):
            who = ("Coder and rounds", self.stability(data))
        return [
            who,
            ("Transcripts", transcripts),
            ("Codes", codes + "."),
            ("Unit", self.unit_sentence(data)),
            ("Measures", f"percent agreement, {kappa}, "
                         + ("Scott's pi, " if len(coders) == 2 else "")
                         + "Krippendorff's alpha (nominal), Gwet's AC1, Brennan–Prediger and "
                         "Krippendorff's |u-alpha in its 2019 version (Krippendorff 2019, "
                         "section 12.6). " + self.unitizing_variant + " " + interval),
            ("Language", "The report is in English. The statistical terms are those of the "
                         "methods literature."),
        ]

    def between(self, stability: dict) -> str:
        parts = []
        for step in stability["between"]:
            if step["median_days"] is None:
                parts.append(f"{step['from']} and {step['to']} coded no transcript in common")
                continue
            low, high = self.days(step["min_days"]), self.days(step["max_days"])
            spread = f"{low} days" if low == high else f"from {low} to {high} days"
            text = (f"from {step['from']} to {step['to']}: median "
                    f"{self.days(step['median_days'])} days ({spread}, over "
                    f"{step['transcripts']} transcripts)")
            if step["later_round_first"]:
                text += (f"; in {step['later_round_first']} of them the later round began "
                         "before the earlier one was finished")
            parts.append(text)
        return "; ".join(parts)

    def stability(self, data: dict) -> str:
        info = data["stability"]
        rounds = self.join([f"round {r['round']} ({r['coder']})" for r in info["rounds"]])
        return (f"{info['coder']} coded a sample of the transcripts again; compared here are "
                f"{rounds}. Time between the rounds, per transcript from the last coding in "
                f"one round to the first coding in the next: {self.between(info)}. This is "
                "stability (intra-coder agreement, test–retest), not agreement between coders: "
                "it shows that the coder codes alike over time, not that others would code "
                "alike, and is the weakest of Krippendorff's three kinds of reliability "
                "(Content Analysis, 2nd ed. 2004, ch. 11; 4th ed. 2019, ch. 12). The "
                "coefficients and bands are the same as for agreement between coders.")

    def confusion_title(self, data: dict, group: dict, confusion: dict) -> str:
        a, b = confusion["coders"]
        return (f"Confusion table for {group['group']}: {a} against {b} "
                f"(number of {self.unit_names[data['unit']]})")

    def area_headers(self, symbol: str) -> tuple[str, ...]:
        return ("Family", "Codes", f"United {symbol}", "95% CI", "Reading",
                f"Pooled {symbol}", "95% CI", "Reading")

    def conventions(self, data: dict) -> list[str]:
        out = [
            "Overlapping or adjacent codings with the same code by the same coder are merged "
            "before counting, so no text is counted twice.",
            "Prevalence (coverage) is the share of the units a coder coded with the code.",
            "Pooled row: the counts of all codes added up, so that every pair of code and "
            "unit is one unit.",
            "|u-alpha is computed on the transcripts laid end to end as one long continuum.",
            "Undefined coefficients are written “undefined”, never as a number; the reason is "
            "given below the table.",
        ]
        if data["groups"]:
            out.append("For groups of codes the codebook marks as mutually exclusive, u-alpha "
                       "and cu-alpha are given with the group's codes as categories.")
        return out

    def how_to_read(self, data: dict) -> list[tuple[str, str]]:
        unit = self.unit_names[data["unit"]]
        kappa = ("Cohen's kappa (two coders)" if len(data["coders"]) == 2
                 else "Fleiss' kappa (more than two coders)")
        pi = ([("π", "Scott's pi (1955): as κ, but chance agreement is computed from the two "
                     "coders' joint use of the code, not each coder's own. Reading after "
                     "Landis & Koch (1977).")] if len(data["coders"]) == 2 else [])
        return [
            ("Coverage", f"The share of the units ({unit}) each coder coded with the code. "
                         "Read every coefficient with the coverage: for rare codes the numbers "
                         "are unstable."),
            ("All / some / none", "The number of units all coders, some of them or none of "
                                  "them coded with the code."),
            ("Agreement %", "The share of units the coders agree on, either to code or not "
                            "to. It is high for rare codes because nearly all text is uncoded "
                            "by everyone, so it says little on its own."),
            ("κ", f"{kappa}: agreement beyond what chance would give, given how much each "
                  "coder codes. 1 is full agreement, 0 is the same as chance, below 0 is worse "
                  "than chance. Reading after Landis & Koch (1977): slight up to 0.20, fair "
                  "up to 0.40, moderate up to 0.60, substantial up to 0.80, almost perfect "
                  "above."),
            *pi,
            ("α", "Krippendorff's alpha (nominal): the recommended reliability measure. Like "
                  "kappa, but chance agreement comes from the coders' joint use, and it takes "
                  "more coders. Reading after Krippendorff (2004): α ≥ 0.800 reliable, "
                  "0.667–0.800 tentative conclusions only, below 0.667 unreliable."),
            ("AC1", "Gwet's AC1 is less sensitive to low prevalence. When a code is rare, κ "
                    "and α can be low although the coders agree nearly everywhere (the kappa "
                    "paradox); AC1 is then high. A wide gap between AC1 and κ means the code "
                    "is rare, not necessarily that the coders agree."),
            ("BP", "Brennan–Prediger (1981) takes chance agreement as 1/2 with two categories "
                   "(coded / not coded), however much the coders code. Where it is high and κ "
                   "low, the difference comes from low prevalence (the kappa paradox), not "
                   "from disagreement."),
            ("|uα", "Krippendorff's |u-alpha compares the stretches of text themselves: whether "
                    "the coders coded the same stretches, with where they begin and end."),
            ("95% CI", "Bootstrap interval: the transcripts are drawn again with replacement "
                        "many times. A wide interval means the number rests on few "
                        "transcripts and may change a lot with new data."),
            ("Reading", "The band of the chosen measure, with its source. The bands are "
                        "conventions, not laws of nature: read them with the interval and "
                        "the disagreements below."),
            ("Notes", "undefined: a coefficient cannot be computed (the reason is given below "
                      "the table); rare: coverage below 5 %; few transcripts: the code occurs "
                      "in fewer than 5; uneven use: one coder coded at least twice as much "
                      "with the code as another."),
        ]

    def reason(self, reason: str) -> str:
        return reason

    def shared_flags(self, shared: Sequence[str]) -> str:
        notes = self.join([f"“{self.flag_names[f]}”" for f in shared])
        if len(shared) == 1:
            return f"Every code in the table has the note {notes}; it is given here, not on "\
                   "every row."
        return f"Every code in the table has the notes {notes}; they are given here, not on "\
               "every row."

    def band_source(self, measure: str, source: str | None) -> str:
        if source is None:
            return "Percent agreement has no reading bands."
        return f"Reading: {self.measure_names[measure]} after {source}."

    def all_codes(self, n: int) -> str:
        return f"all {n} codes"

    def left_out(self, item: dict) -> str:
        if len(item["missing"]) and item["reason"].startswith("coded by none"):
            return "coded by none of the coders"
        return f"not coded by {self.join(item['missing'])}"

    def summary(self, data: dict, value: float | None, symbol: str, reliable: int,
                undefined: int, limit: float, rare: int) -> str:
        measure = data["measure"]
        pooled = data["pooled"]
        n_codes = len(data["codes"])
        text = (f"Over all {n_codes} codes, {self.measure_names[measure]} is "
                f"{self.num(value, 3 if measure != 'percent' else 1)}")
        iv = pooled.get("interval")
        if iv and iv["low"] is not None:
            text += f" (95% CI {self.interval_text(pooled)})"
        if pooled.get("band"):
            text += (f", which after {pooled['band_source']} is "
                     f"“{self.bands[pooled['band']]}”")
        text += "."
        if measure != "percent" and data["codes"]:
            digits = 3 if limit == 0.8 else 2
            text += (f" {reliable} of {n_codes} codes have {symbol} of at least "
                     f"{self.num(limit, digits)}")
            text += f"; for {undefined} the value is undefined." if undefined else "."
        if rare:
            text += (f" {rare} of the codes cover less than 5 % of the units. For them, "
                     "percent agreement and AC1 are nearly always high, because most of the "
                     "text is uncoded by everyone; κ and α measure agreement on what was "
                     "actually coded, and are the numbers to look at, with the list of "
                     "disagreements.")
        return text

    def passages_intro(self, coders: Sequence[str], total: int) -> str:
        return (f"{total} passage{'s' if total != 1 else ''} where {self.join(coders)} coded "
                "differently, grouped by code and in the order of the transcripts. A passage "
                "is a stretch of text where at least one coder used the code and the coders "
                "did not code exactly the same characters. The text is coloured by who coded "
                "it with the code; long stretches everyone coded are shortened. Below the text "
                "are all the codes each coder put on the passage, the code in question in "
                "bold. The list is by character, whatever unit the table uses.")

    def passages_count(self, total: int, shown: int) -> str:
        return (f"{total} passage{'s' if total != 1 else ''}"
                + (f", the first {shown} shown" if shown < total else ""))

    def legend(self, coders: Sequence[str]) -> list[str]:
        out = [f"only {c}" for c in coders]
        if len(coders) > 2:
            out.append("several, not all")
        out.append("all" if len(coders) > 2 else "both")
        return out

    def elided(self, hidden: int) -> str:
        return f" […\u00a0{self.integer(hidden)} characters coded by all\u00a0…] "

    def coded_by(self, who: Sequence[str]) -> str:
        return "coded by " + self.join(who)

    def passage_where(self, passage: dict) -> str:
        where = passage["transcript"]
        if passage["turns"]:
            where += f", turn {passage['turns']}"
        return where

    def passage_what(self, passage: dict) -> str:
        return (f"{self.kind(passage['kind'])} · {self.integer(passage['differing_chars'])} "
                f"characters differ · characters {passage['start']}–{passage['end']}")

    def settings(self, data: dict) -> list[str]:
        boot = data["bootstrap"]
        out = [f"Unit: {data['unit']}",
               f"Measure for interval, reading and --fail-under: {data['measure']}",
               f"Bootstrap: {boot['resamples']} resamples, seed {boot['seed']}, confidence "
               f"level {self.num(100 * boot['confidence'], 0)}%, resampling transcripts"]
        if data["overlap"] is not None:
            out.append(f"Overlap for segments: {self.num(data['overlap'], 2)}")
        if data["min_share"] is not None:
            out.append(f"Least coverage of a unit: {self.num(data['min_share'], 2)}")
        names = data["transcripts"]
        listed = ", ".join(names[:40])
        if len(names) > 40:
            listed += f" and {len(names) - 40} more (all in --format json)"
        out.append(f"Transcripts ({len(names)}): {listed}")
        if data.get("max_passages"):
            out.append(f"At most {data['max_passages']} passages per code in the list")
        return out

    # --- the matrix as a Word table ----------------------------------------------------

    matrix_title = "Code matrix"
    all_rows = "All rows (merged)"
    matrix_note = ("A passage that covers turns in several columns is counted in each of them; "
                   "Total counts it once. The interviewer's turns are not counted.")
    measures = {"references": "coded passages", "informants": "informants",
                "transcripts": "interviews", "sites": "schools", "words": "coded words",
                "coverage": "coverage (percent of the words)", "quotes": "quotations",
                "summaries": "summaries"}

    def matrix_intro(self, dimensions: Sequence[str], m) -> str:
        return f"Columns: {' × '.join(dimensions) or 'all'}. The numbers rest on the {m.layer}."

    def matrix_caption(self, number: int, measure: str) -> str:
        return f"Table {number}. {self.measures.get(measure, measure).capitalize()}."

    # --- the study report --------------------------------------------------------------

    default_title = "Thematic analysis"
    study_subtitle = ("Thematic analysis of the interviews: extent by role and school type, "
                      "selected quotations and co-occurrence of codes")
    meta_project = "Project"
    meta_date = "Date"
    meta_coders = "Coders"
    no_coders_word = "none"
    meta_layer = "Coding layer"
    meta_codebook = "Codebook"
    meta_material = "Material"
    method_heading = "Method and data"
    agreement_heading = "Agreement between the coders"
    rules_heading = "Counting rules"
    saved_heading = "Saved queries"
    overview_heading = "Overview of the areas"
    overview_intro = ("The table shows how many coded passages each area has, by role and "
                      "school type, with the number of informants in parentheses. The "
                      "chapters below break the numbers down by the codes under each area.")
    overview_caption = "Table 1. Coded passages per area (number of informants in parentheses)."
    all_areas_row = "All areas (merged)"
    overview_note = ("The row for all areas merges overlapping passages across the areas, so "
                     "that a passage with parallel codes is counted once.")
    overview_figure_title = "Coded passages per area"
    figure_value_label = "number of passages"
    figure_counted = ("A passage that spans several columns is counted in each of them; the "
                      "interviewer's turns are not counted.")
    heat_map_note = "Darker cells mean more passages. " + figure_counted
    total_header = "Total"
    all_header = "All"
    quotes_heading = "Selected quotations"
    lead_ins = ("says:", "puts it like this:", "describes it like this:", "phrases it like this:")
    statements_heading = "Statements by role"
    no_statements = "No coded statements from informants."
    quoted_above = "Quoted above."
    framework_note = ("The quotations are the longest passages for each code and role, in "
                      "whole sentences, shortened at […]. A statement is quoted only once in "
                      "the chapter. Codes without coded statements are left out.")
    extent_note = ("A passage that covers turns by several roles is counted once for each "
                   "role; the Total column counts it once. The interviewer's turns are not "
                   "counted. – = no coded passages.")
    cooccurrence_heading = "Co-occurrence of codes"
    cooccurrence_intro = (
        "Coding with parallel codes means that one passage is often about several areas. The "
        "table shows how many times a passage coded with one area overlaps a passage coded "
        "with another (pairs of overlapping passages). In parentheses is the Jaccard index: "
        "the share of the characters coded with at least one of the two areas that is coded "
        "with both.")
    area_header = "Area"
    pairs_heading = "Most frequent pairs of codes"
    pairs_headers = ("Code", "Code", "Pairs", "Jaccard")
    all_hits = "All hits"
    query_note = ("The rows are the codes the query names (with the codes under them) and all "
                  "hits; a passage with several of the codes is counted in each of those "
                  "rows. – = no passages.")
    unknown_speaker = "Unknown speaker"
    analytic_heading = "Appendix: Analytic codes"
    analytic_intro = (
        "The analytic codes classify passages across the areas (for example the level of "
        "the quality work or circumstances of the interview) and so have no chapters of "
        "their own. The tables show their extent by role and school type.")
    analytic_note = "– = no coded passages. The interviewer's turns are not counted."
    codebook_heading = "Appendix: Codebook"
    codebook_headers = ("Code", "Description", "Pas\u00adsages", "Infor\u00admants")
    memos_heading = "Appendix: Memos"
    no_memos = "The project has no memos."
    memo_sections = {"project": "Research journal", "code": "Memos on codes",
                     "transcript": "Memos on interviews", "person": "Memos on informants",
                     "site": "Memos on schools"}
    formats = {"individuelt": ("individual interview", "individual interviews"),
               "parvis": ("paired interview", "paired interviews"),
               "gruppe": ("group interview", "group interviews"),
               "fokusgruppe": ("focus group", "focus groups")}
    count_words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six",
                   7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}

    def count_word(self, n: int) -> str:
        return self.count_words.get(n, self.integer(n))

    def plural(self, n: int, one: str, many: str) -> str:
        return f"{self.integer(n)} {one if n == 1 else many}"

    def passages(self, n: int) -> str:
        return self.plural(n, "passage", "passages")

    def layer(self, layer, coders: Sequence[str]) -> str:
        """Which codings the numbers rest on, as a phrase."""
        if layer.kind == "coder":
            return f"the codings of {layer.coders[0]}"
        if layer.kind == "consensus":
            return "the consensus codings"
        names = list(layer.coders) or list(coders or [])
        if len(names) == 1:
            return f"the codings of {names[0]}"
        joined = self.join(names) if names else "all coders"
        return (f"the codings of {joined} merged (what at least one of them coded, counted "
                "once)")

    def codebook_line(self, info: dict, n_codes: int) -> str:
        if not info:
            return "not loaded"
        return (f"{info.get('name', 'unknown')}, version {info.get('version', '?')} "
                f"({self.integer(n_codes)} codes)")

    def material_line(self, facts: dict) -> str:
        return (f"{self.plural(facts['transcripts'], 'interview', 'interviews')}, "
                f"{self.plural(len(facts['persons']), 'informant', 'informants')}, "
                f"{self.plural(len(facts['sites']), 'school', 'schools')}")

    def made_with(self, version: str) -> str:
        return f"Made with qualcode {version}."

    def data_sentence(self, facts: dict) -> str:
        n_t, n_p, n_s = facts["transcripts"], len(facts["persons"]), len(facts["sites"])
        schools = [f"{self.count_word(n)} {noun_form(str(kind), n != 1)}"
                   for kind, n in facts["school_kinds"]]
        formats = []
        for fmt, n in facts["format_counts"]:
            single, plural = self.formats.get(fmt, (fmt, fmt))
            formats.append(f"{self.integer(n)} {single if n == 1 else plural}")
        roles = [f"{self.integer(n)} {noun_form(r or 'informant', n != 1)}"
                 for r, n in facts["role_counts"]]
        text = (f"The material consists of {self.plural(n_t, 'interview', 'interviews')} "
                f"with {self.plural(n_p, 'informant', 'informants')} at "
                f"{self.plural(n_s, 'school', 'schools')}")
        if schools:
            text += f" ({self.join(schools)})"
        text += f", {self.integer(facts['words'])} words in all."
        if formats:
            text += f" The interviews are {self.join(formats)}."
        if roles:
            text += f" The informants are {self.join(roles)}."
        return text

    def chapters_sentence(self, columns: Sequence[str], figures: bool) -> str:
        """What each area chapter holds, as this report was written."""
        by = self.columns(columns)
        text = ("The report has a chapter for each area: first the criterion from the "
                "codebook, a summary and selected quotations, then "
                + ("a figure and " if figures else "") + f"a table of the extent by {by} "
                "and a table of statements per code and role.")
        if figures:
            return (text + " The figures (one in the overview of the areas and one in each "
                    "chapter) show the same numbers as the tables below them; an area without "
                    "coded passages has no figure.")
        return text + " The figures are left out of this edition (the option --no-figures)."

    def method_sentence(self, info: dict, coders: Sequence[str], layer: str,
                        columns: Sequence[str], figures: bool, memos: bool) -> str:
        if not info:
            return (f"The tables and quotations rest on {layer}."
                    + (" The researchers' memos are in the appendix “Memos”." if memos else ""))
        return (f"The interviews were coded thematically with the codebook "
                f"“{info.get('title') or info.get('name')}” by "
                f"{self.join(coders) or 'no coders'}. The tables and quotations rest on "
                f"{layer}. {self.chapters_sentence(columns, figures)} Finally come the "
                "co-occurrence of codes and the codebook as an appendix"
                + (", and the researchers' memos in the appendix “Memos”." if memos else "."))

    def scope_sentence(self, chapters: Sequence, appendix: Sequence) -> str:
        """Which code families the report covers and where, in plain words."""
        themes = [a.label for a in chapters if a.family != "kvalitetsmodellen"]
        text = (f"The report covers {self.join([a.label for a in chapters]) or 'no areas'}"
                + (f", where {self.join(themes)} "
                   + ("is a cross-cutting theme" if len(themes) == 1 else
                      "are cross-cutting themes")
                   + " outside the quality model's areas" if themes else "") + ".")
        if appendix:
            text += (" The analytic codes (" + self.join([a.label for a in appendix])
                     + ") are counted in an appendix of their own.")
        return text

    def agreement_sentence(self, a: dict) -> str:
        """The coders' agreement (pooled alpha and kappa, bootstrap interval)."""
        interval = a["interval"]
        kappa_name = "Fleiss' kappa" if a["kappa_kind"] == "fleiss" else "Cohen's kappa"
        text = (f"{self.count_word(len(a['coders'])).capitalize()} coders "
                f"({self.join(a['coders'])}) coded the material independently of each other. "
                f"Agreement is measured character by character over {a['label']}: "
                f"Krippendorff's alpha is {self.num(a['alpha'])}")
        if interval.get("low") is not None:
            text += (f" (95% confidence interval {self.num(interval['low'])}–"
                     f"{self.num(interval['high'])}, "
                     f"{self.integer(interval['resamples_used'])} bootstrap resamples of the "
                     "interviews)")
        if a["kappa"] is not None:
            text += f", and {kappa_name} is {self.num(a['kappa'])}"
        band = {"reliable": "reliable", "tentative": "good enough for tentative conclusions",
                "unreliable": "not reliable"}.get(a["alpha_band"] or "")
        if band:
            text += f". By Krippendorff's (2004) limits the agreement is {band}"
        return text + (". Agreement per code is in the supervisor's agreement report "
                       "(qualcode export agreement).")

    def stability_sentences(self, rounds: Sequence[dict]) -> str:
        out = []
        for r in rounds:
            later = self.join([f"{n} (round {k})" for n, k in r["later"]])
            when = (f", a median {self.days(r['median_days'])} days after the first round"
                    if r["median_days"] is not None else "")
            out.append(f"To measure stability, {r['coder']} coded {r['transcripts']} of the "
                       f"interviews again as {later}{when}. Krippendorff's alpha between the "
                       f"rounds is {self.num(r['alpha'])}; that is agreement with oneself "
                       "over time (stability, Krippendorff 2004), not between coders, and the "
                       "new round is not part of the report's numbers.")
        return " ".join(out)

    def counting_rules(self, layer: str, provenance: bool) -> list[str]:
        return [
            f"The numbers rest on {layer}. Suggested codings a coder has not accepted are "
            "not counted.",
            "A row is a code with the codes under it. Within each interview, overlapping "
            "codings are merged before counting, whoever coded them and with whichever "
            "subcode, so a passage coded with two subcodes, or by two coders, counts once in "
            "the area's row.",
            "A coded passage is attributed to those who speak in the turns it overlaps, and "
            "through them to their role and their school's school type. A passage from a "
            "focus group that covers both a principal's and a teacher's turn is counted once "
            "for the principal and once for the teacher.",
            "The interviewer's turns are not statements of informants and are not counted.",
            "Passages are merged coded passages. Informants are the different persons "
            "speaking in the turns the passages cover; a speaker not linked to a person (a "
            "pupil present, say) is not counted as an informant.",
            "Because one passage can be counted in several columns, the columns may add up to "
            "more than the total. The Total column counts each passage and each informant "
            "once.",
            "Frequencies in the text are in words: “all” or “both”, “most” (more than half), "
            "“half”, “some” (fewer than half), “one” and “none”, out of the informants with "
            "each role and the schools of each type.",
            "The quotations are the longest coded passages for each code and role, in whole "
            "sentences, without opening fillers and transcription marks. No passage is "
            "quoted twice in a chapter. A quotation gives only what persons with its role "
            "said; turns left out and shortenings are marked […]. "
            + ("The interview and turn numbers follow each quotation in parentheses."
               if provenance else "The quotations are anonymised to role and school type."),
        ]

    def saved_intro(self, sections: bool) -> str:
        intro = ("The queries below are saved in the project (qualcode queries). For each, "
                 "the list gives its name, the query as written in the query language, what "
                 "it means, and how many passages it finds in the material as coded now.")
        if sections:
            intro += " Each query has a section of its own in the chapter “Saved queries”."
        return intro

    def query_reading(self, query: str, labels: dict[str, str]) -> str:
        return reading_en(query, labels)

    def query_fails(self, problem: str) -> str:
        return f". Cannot run now ({problem})."

    def query_finds(self, n: int) -> str:
        return f"The query finds {self.passages(n)}."

    def query_chapter_intro(self, columns: Sequence[str]) -> str:
        return ("The chapter shows what each saved query finds: the passages by "
                f"{self.columns(columns)} (number of informants in parentheses) and the "
                "longest passages. A passage covering turns in several columns is counted in "
                "each of them.")

    def query_caption(self, number: int, name: str, columns: Sequence[str]) -> str:
        return (f"Table {number}. The query “{name}”: passages by {self.columns(columns)} "
                "(number of informants in parentheses).")

    def dropped_columns(self, labels: Sequence[str]) -> str:
        names = self.join([f"“{label}”" for label in labels])
        if len(labels) == 1:
            return f" The column {names} is left out because it is empty in every row."
        return f" The columns {names} are left out because they are empty in every row."

    def overview_figure_caption(self, dimensions: Sequence[str]) -> str:
        return f"Figure 1. Coded passages per area, by {self.columns(dimensions)}."

    def area_figure_title(self, label: str) -> str:
        return f"{label}: coded passages"

    def area_figure_caption(self, number: int, label: str, dimensions: Sequence[str],
                            table: int) -> str:
        return (f"Figure {number}. {label}: coded passages per code, by "
                f"{self.columns(dimensions)} (the numbers in table {table}).")

    def where(self, transcript: str, turns: Sequence[int], time: float | None) -> str:
        from qualcode.media import format_clock

        where = transcript
        if len(turns) == 1:
            where += f", turn {turns[0]}"
        elif turns:
            where += f", turns {turns[0]}–{turns[-1]}"
        if time is not None:
            where += f" {format_clock(time)}"
        return where

    def quote_attribution(self, q: dict) -> str:
        """"A principal at a lower secondary school": a quote's speakers by role and
        school type."""
        speaking = q.get("speaking") or [[None, 1]]
        parts = [attribution_en(role, n) for role, n in speaking]
        who = self.join([parts[0]] + [p[:1].lower() + p[1:] for p in parts[1:]])
        school = q.get("skoleslag")
        return f"{who} {school_phrase(str(school))}" if school else who

    def passage_attribution(self, p: dict) -> str:
        """"Counsellor, upper secondary school": a query's passage by role and school."""
        labels = []
        for _, profile in p.get("profiles") or []:
            role = noun_form(profile.get("rolle") or "informant", False)
            school = profile.get("skoleslag")
            label = role[:1].upper() + role[1:]
            if school:
                label += f", {noun_form(str(school), False)}"
            if label not in labels:
                labels.append(label)
        return "; ".join(labels)

    def lead_in(self, attribution: str, i: int) -> str:
        return f"{attribution} {self.lead_ins[i % len(self.lead_ins)]}"

    def area_as_whole(self, label: str) -> str:
        return f"{label} (the area as a whole)"

    def area_total(self, label: str) -> str:
        return f"{label} in all"

    def extent_heading(self, columns: Sequence[str]) -> str:
        return f"Extent by {self.columns(columns)}"

    def counts_caption(self, number: int, label: str) -> str:
        return (f"Table {number}. {label}: number of coded passages (number of informants in "
                "parentheses).")

    def framework_caption(self, number: int, label: str) -> str:
        return f"Table {number}. {label}: selected statements per code and role."

    def summary_heading(self, who: str) -> str:
        return f"The researcher's summaries per {'school' if who == 'site' else 'informant'}"

    def summary_caption(self, number: int, label: str, who: str) -> str:
        return (f"Table {number}. {label}: summaries per code and "
                f"{'school' if who == 'site' else 'informant'}.")

    def cooccurrence_caption(self, number: int) -> str:
        return f"Table {number}. Co-occurrence between the areas (Jaccard in parentheses)."

    def pairs_caption(self, number: int, n: int) -> str:
        return f"Table {number}. " + (
            f"The {n} most frequent pairs of codes under the areas." if n > 1
            else "The most frequent pair of codes under the areas.")

    def codebook_intro(self, layer: str) -> str:
        return (f"The codes of the report's areas with description, number of coded passages "
                f"and number of informants ({layer}). An area counts passages coded with the "
                "area itself or with one of the codes under it, each passage once.")

    def codebook_caption(self, number: int) -> str:
        return f"Table {number}. Codebook with extent."

    def who_and_who_not(self, parts: Sequence[tuple[int, int, str]]) -> tuple[str, str]:
        """(k, n, noun) → ("both principals and most of the teachers", "the counsellor")."""
        said = frequency_sentence_en([frequency_parts_en(k, n, noun) for k, n, noun in parts
                                      if k > 0])
        silent = [f"the {noun_form(noun, n != 1)}" for k, n, noun in parts if k == 0 and n > 0]
        return said, (", ".join(silent[:-1]) + " or " + silent[-1] if len(silent) > 1
                      else "".join(silent))

    def area_summary(self, label: str, n: dict) -> str:
        if not n["references"]:
            return (f"No passages are coded with {label} or the codes under it in this "
                    "coding layer.")
        text = (f"{label} is coded in {self.passages(n['references'])} from "
                f"{self.plural(n['transcripts'], 'interview', 'interviews')}, with "
                f"{self.plural(n['informants'], 'informant', 'informants')}.")
        said, silent = self.who_and_who_not(n["roles"])
        if said:
            text += f" The theme is raised by {said}" + (f", but not by {silent}." if silent
                                                         else ".")
        said, silent = self.who_and_who_not(n["school_kinds"])
        if said:
            text += f" It is coded at {said}" + (f", but not at {silent}." if silent else ".")
        return text

    def memos_intro(self, identifiable: bool) -> str:
        return (
            "The memos are the researchers' own notes from the analysis, given as they were "
            "written: first the research journal, dated and in the order it was kept, then "
            "memos on codes, interviews, informants and schools. " + (
                "Names in the memos are not replaced." if identifiable else
                "Names in the memos are replaced by pseudonyms as in the quotations, and "
                "informants and interviews are named by role, school and title."))

    def memo_subject(self, kind: str, s: dict, identifiable: bool) -> str:
        if kind == "code":
            return f"{s['label']} ({s['id']})"
        if kind == "person":
            if not identifiable:
                shown = noun_form(s["role"] or "informant", False)
                return ", ".join(v for v in (shown[:1].upper() + shown[1:], s["site"]) if v)
            said = ", ".join(v for v in (s["role"], s["site"]) if v)
            return f"{s['id']} ({said})" if said else str(s["id"])
        if kind == "site":
            if not identifiable:
                return s["name"] or "School"
            return f"{s['name']} ({s['id']})" if s["name"] else str(s["id"])
        if kind == "transcript":
            if not identifiable:
                return s["title"] or "Interview"
            return f"{s['id']}: {s['title']}" if s["title"] else str(s["id"])
        return ""


# --- roles, school types and frequencies in English -------------------------------------------

NOUNS = {  # singular, plural
    "rektor": ("principal", "principals"),
    "radgiver": ("counsellor", "counsellors"),
    "laerer": ("teacher", "teachers"),
    "elev": ("pupil", "pupils"),
    "informant": ("informant", "informants"),
    "intervjuer": ("interviewer", "interviewers"),
    "ungdomsskole": ("lower secondary school", "lower secondary schools"),
    "videregaende": ("upper secondary school", "upper secondary schools"),
    "barneskole": ("primary school", "primary schools"),
    "grunnskole": ("compulsory school", "compulsory schools"),
    "skole": ("school", "schools"),
}
NUMBERS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}


def noun_form(value: str, plural: bool) -> str:
    """A role or school type in English, however its value is spelt (rådgiver, radgiver);
    an unknown value as it is."""
    from qualcode.domain.norwegian import fold

    forms = NOUNS.get(fold(value))
    if forms is None:
        return f"{value}s" if plural else value
    return forms[plural]


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def attribution_en(role: str | None, n: int = 1) -> str:
    """"A principal", "An informant", "Two teachers" — never a name."""
    noun = noun_form(role or "informant", n > 1)
    if n > 1:
        return f"{NUMBERS.get(n, str(n))} {noun}"
    article = _article(noun)
    return f"{article[:1].upper()}{article[1:]} {noun}"


def school_phrase(school: str) -> str:
    noun = noun_form(school, False)
    return f"at {_article(noun)} {noun}"


def frequency_parts_en(k: int, n: int, noun: str | None) -> tuple[str, str]:
    """(quantifier, noun) of a frequency in words: "all principals", "both schools",
    "most of the counsellors", "half of the teachers", "some of the teachers", "one of the
    upper secondary schools", "none of the pupils"."""
    one, many = noun_form(noun or "informant", False), noun_form(noun or "informant", True)
    if n <= 0 or k <= 0:
        return ("none of the", many) if n != 1 else ("not the", one)
    if k >= n:
        return ("the", one) if n == 1 else ("both", many) if n == 2 else ("all", many)
    if k == 1:
        return ("one of the", many)
    if k * 2 > n:
        return ("most of the", many)
    if k * 2 == n:
        return ("half of the", many)
    return ("some of the", many)


def frequency_sentence_en(parts: list[tuple[str, str]]) -> str:
    """Join (quantifier, noun) parts, naming a quantifier once for a run of nouns that
    share it: "all principals and counsellors and one of the teachers"."""
    groups: list[tuple[str, list[str]]] = []
    for quantifier, form in parts:
        if groups and groups[-1][0] == quantifier and quantifier not in (
                "the", "not the", "one of the"):
            groups[-1][1].append(form)
        else:
            groups.append((quantifier, [form]))
    def joined(items: list[str]) -> str:
        return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)

    return joined([f"{q} {joined(forms)}" for q, forms in groups])


# --- saved queries in plain English ------------------------------------------------------------

COMPARISON_EN = {"<": "below", ">": "above", "<=": "at most", ">=": "at least"}


def _join_or(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


def _known_plural(value: str) -> str | None:
    from qualcode.domain.norwegian import fold

    forms = NOUNS.get(fold(value))
    return forms[1] if forms else None


def _condition_en(condition) -> str:
    values = list(condition.values)
    plurals = [_known_plural(v) for v in values]
    known = all(plurals) and condition.op in ("=", "!=", "in")
    if known and condition.name in ("rolle", "role"):
        said = f"said by {_join_or(plurals)}"
        return f"not {said}" if condition.op == "!=" else said
    if known and condition.name == "skoleslag":
        where = f"from {_join_or(plurals)}"
        return f"not {where}" if condition.op == "!=" else where
    if condition.op == "in":
        return f"where {condition.name} is {_join_or(values)}"
    if condition.op == "=":
        return f"where {condition.name} is {values[0]}"
    if condition.op == "!=":
        return f"where {condition.name} is not {values[0]}"
    return f"where {condition.name} is {COMPARISON_EN[condition.op]} {values[0]}"


def _chain(node, op: str) -> list:
    from qualcode import query_language as ql

    if isinstance(node, ql.Combine) and node.op == op:
        return _chain(node.left, op) + _chain(node.right, op)
    return [node]


def _phrase(node, labels: dict[str, str]) -> str:
    from qualcode import query_language as ql

    if isinstance(node, ql.Code):
        return f"coded with {labels.get(node.code_id, node.code_id)}"
    if isinstance(node, ql.Condition):
        return _condition_en(node)
    if node.op == "AND":
        items = _chain(node, "AND")
        codes = [labels.get(i.code_id, i.code_id) for i in items if isinstance(i, ql.Code)]
        conditions = [_condition_en(i) for i in items if isinstance(i, ql.Condition)]
        others = [_phrase(i, labels) for i in items if isinstance(i, ql.Combine)]
        coded = []
        if len(codes) == 1:
            coded.append(f"coded with {codes[0]}")
        elif len(codes) == 2:
            coded.append(f"coded with both {codes[0]} and {codes[1]}")
        elif codes:
            coded.append(f"coded with {', '.join(codes[:-1])} and {codes[-1]} in one place")
        coded += others
        return ", ".join(part for part in (" and ".join(coded), *conditions) if part)
    if node.op == "OR":
        items = _chain(node, "OR")
        if all(isinstance(i, ql.Code) for i in items):
            return "coded with " + _join_or([labels.get(i.code_id, i.code_id) for i in items])
        return "either " + " or ".join(_phrase(i, labels) for i in items)
    left, right = _phrase(node.left, labels), _phrase(node.right, labels)
    if node.op == "NOT":
        return f"{left}, but not where they overlap passages {right}"
    if node.op == "IN":
        return f"{left}, lying wholly within passages {right}"
    turns = "turn" if node.distance == 1 else "turns"
    return (f"{left} and passages {right}, when they lie at most {node.distance} {turns} "
            "apart in one interview")


def reading_en(text: str, labels: dict[str, str]) -> str:
    """A query in plain English, from its parse tree; ``labels`` names the codes."""
    from qualcode import query_language as ql

    return "passages " + _phrase(ql.parse(text), labels)
