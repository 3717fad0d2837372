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
                    f"{self.num(100 * share, 0)} % of its characters")
            return f"The unit is the {what}: every {what} is a unit, and counts as coded {rule}."
        if unit == "document":
            return ("The unit is the document: every transcript is a unit, and counts as coded "
                    "with a code when the coder used the code anywhere in it (presence).")
        return ("The unit is the segment, as in MAXQDA: every segment a coder coded is a unit. "
                "Another coder agrees on the segment when one of their segments with the same "
                f"code overlaps at least {self.num(100 * data['overlap'], 0)} % of it. There "
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
        interval = (f"95 % bootstrap interval for {self.measure_names[measure]}: "
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
        return ("Family", "Codes", f"United {symbol}", "95 % CI", "Reading",
                f"Pooled {symbol}", "95 % CI", "Reading")

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
            ("95 % CI", "Bootstrap interval: the transcripts are drawn again with replacement "
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
            text += f" (95 % CI {self.interval_text(pooled)})"
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
               f"level {self.num(100 * boot['confidence'], 0)} %, resampling transcripts"]
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
