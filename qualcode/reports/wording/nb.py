"""The reports in Norwegian bokmål (the default edition). The statistical terms stay as
the methods literature uses them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qualcode.domain import norwegian as no
from qualcode.domain.norwegian import IDENTIFIABLE_NOTICE
from qualcode.reports.wording import Wording


class Bokmal(Wording):
    language = "nb"
    locale = "nb-NO"
    thousands = "\u00a0"
    decimal = ","
    and_word = "og"
    undefined = "udefinert"
    months = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
              "september", "oktober", "november", "desember")

    def date(self, d: date | str) -> str:
        if isinstance(d, str):
            d = date.fromisoformat(d)
        return f"{d.day}. {self.months[d.month - 1]} {d.year}"

    def days(self, value: float) -> str:
        return self.num(value, 0 if abs(value) >= 10 else 1)

    # --- shared by both reports --------------------------------------------------------

    contents = "Innhold"
    identifiable = IDENTIFIABLE_NOTICE

    # --- the agreement report ----------------------------------------------------------

    unit_names = {"char": "tegn", "sentence": "setninger", "turn": "replikker",
                  "document": "dokumenter (forekomst)", "segment": "segmenter"}
    kinds = {"boundaries differ": "ulike grenser"}
    flag_names = {"undefined": "udefinert", "rare": "sjelden", "few-transcripts": "få transkr.",
                  "uneven": "skjev bruk"}
    bands = {"poor": "svakere enn tilfeldig", "slight": "ubetydelig", "fair": "svak",
             "moderate": "moderat", "substantial": "betydelig",
             "almost perfect": "nesten perfekt", "reliable": "pålitelig",
             "tentative": "foreløpig", "unreliable": "ikke pålitelig"}
    reasons = (
        ("no units to compare", "ingen enheter å sammenligne"),
        ("no coder coded any of these units", "ingen av koderne har brukt koden på noen av "
         "enhetene, så ingenting varierer og enighet utover tilfeldighet kan ikke beregnes"),
        ("every coder coded every unit", "alle koderne har kodet alle enhetene med koden, så "
         "ingenting varierer og enighet utover tilfeldighet kan ikke beregnes"),
        ("no unit of one coder overlaps", "ingen av én koders segmenter overlapper en annen "
         "koders segmenter"),
        ("expected disagreement is 0", "ingenting varierer (forventet uenighet er 0)"),
        ("only one category", "bare én kategori forekommer"),
        ("undefined on every bootstrap resample", "koeffisienten var udefinert i alle "
         "bootstrap-trekningene"),
        ("fewer than two transcripts", "færre enn to transkripsjoner å trekke fra"),
        ("no bootstrap interval for |u-alpha", "intervall beregnes ikke for |u-alpha"),
        ("no confusion table for this unit", "ingen forvekslingstabell for denne enheten: en "
         "transkripsjon eller et segment kan ha flere av gruppens koder"),
        ("Scott's pi is defined for two coders", "Scotts pi gjelder to kodere; for flere er "
         "Fleiss' kappa (κ) generaliseringen av den"),
    )
    measure_names = {"alpha": "Krippendorffs alpha", "kappa": "kappa", "ac1": "Gwets AC1",
                     "bp": "Brennan–Prediger", "pi": "Scotts pi",
                     "percent": "prosentvis enighet", "ualpha": "|u-alpha"}
    value_names = {"percent_agreement": "enighet", "kappa": "κ", "alpha": "α", "ac1": "AC1",
                   "bp": "BP", "pi": "π", "u_alpha": "|uα", "interval": "intervall",
                   "cu_alpha": "cu-alpha"}
    agreement_title = "Samsvar mellom kodere"
    compared = "Hva er sammenlignet"
    conventions_heading = "Konvensjoner"
    in_short = "Kort oppsummert"
    next_page = ("Tabellen på neste side gir tallene per kode. Avsnittet «Slik leser du "
                 "tabellen» forklarer kolonnene, og «Uenigheter til diskusjon» viser hver "
                 "passasje der koderne har kodet ulikt, slik at veileder og studenter kan gå "
                 "gjennom dem sammen.")
    per_code = "Samsvar per kode"
    code_header = "Kode"
    coverage_header = "Dekn.\u00a0%"
    segments_header = "Segm."
    counts_header = "Alle / noen / ingen"
    agreement_header = "Enighet\u00a0%"
    interval_header = "95\u00a0%\u00a0KI"
    band_header = "Tolkning"
    notes_header = "Merknader"
    pooled_name = "Samlet (pooled)"
    counts_note = "Dekning i prosent av enhetene; «Alle / noen / ingen» er antall enheter."
    undefined_heading = "Udefinerte verdier"
    per_family = "Samsvar per kodefamilie"
    groups_heading = "Grupper av gjensidig utelukkende koder"
    how_to_read_heading = "Slik leser du tabellen"
    disagreements = "Uenigheter til diskusjon"
    colours = "Fargene: "
    left_out_heading = "Vedlegg: utelatte transkripsjoner og merknader"
    settings_heading = "Vedlegg: innstillinger"
    no_codes_here = "ingen koder her"
    none_category = "ingen"
    unitizing_variant = (
        "2019-versjonen er valgt fordi den eldre αU fra 2004 (Content Analysis, 2. utg., "
        "avsnitt 12.4) oppfører seg feil med flere enn to kodere (Krippendorff, Mathet, "
        "Bouvry & Widlöcher 2016); for grupper av gjensidig utelukkende koder står αU etter "
        "2004-versjonen ved siden av, for sammenligning med studier som rapporterer den.")
    group_headers = ("Gruppe", "Koder", "u-α (2019)", "cu-α (2019)", "αU (2004)")
    group_note = (
        "u-alpha og cu-alpha etter Krippendorff (2019, avsnitt 12.6): u-alpha måler enighet "
        "om både tekstbiter og koder, cu-alpha om kodene der koderne har kodet samme tekst. "
        "αU (2004) er den eldre varianten fra Content Analysis, 2. utg., avsnitt 12.4, som "
        "mange publiserte studier og DKPro Agreement rapporterer; den gir andre tall for de "
        "samme dataene og oppfører seg feil med flere enn to kodere, så den står her bare for "
        "sammenligning.")
    confusion_note = (
        "Radene er den første koderens kode, kolonnene den andres; «ingen» er enheter uten "
        "noen av gruppens koder. Diagonalen (uthevet) er enighet; de andre cellene viser "
        "hvilke koder som forveksles med hvilke.")
    areas_intro = (
        "Analysen rapporteres per kodefamilie (kvalitetsområde), så samsvaret gis også der, på "
        "to måter. Samlet: familiens koder slått sammen til én kode, slik matrisen teller en "
        "familie – er koderne enige om hvor området er tema? Summert: tellingene for "
        "familiens koder lagt sammen – er koderne enige om kodene innenfor området? Begge med "
        "bootstrap-intervall for det valgte målet.")

    def report_title(self, data: dict) -> str:
        if data.get("stability"):
            return f"Stabilitet: {data['stability']['coder']} mot seg selv"
        return self.agreement_title

    def subtitle(self, data: dict) -> list[str]:
        return [f"{self.join(data['coders'])} · {self.unit_names[data['unit']]} som enhet"]

    def kind(self, kind: str) -> str:
        if kind.startswith("only "):
            return "bare " + self.join(kind[5:].split(", "))
        return self.kinds.get(kind, kind)

    def interval_text(self, row: dict) -> str:
        iv = row.get("interval")
        if not iv:
            return "–"
        if iv["low"] is None:
            return self.undefined
        digits = 1 if iv["measure"] == "percent" else 3
        return f"{self.num(iv['low'], digits)} til {self.num(iv['high'], digits)}"

    def band_text(self, row: dict) -> str:
        if not row.get("band"):
            return "–" if row.get("band_source") is None else self.undefined
        return self.bands.get(row["band"], row["band"])

    def unit_sentence(self, data: dict) -> str:
        unit = data["unit"]
        if unit == "char":
            return ("Enheten er tegn: hvert tegn i transkripsjonene er én enhet, og et tegn "
                    "regnes som kodet av en koder når en av koderens kodinger med koden dekker "
                    "det. Slik sammenligner NVivo koding.")
        if unit in ("sentence", "turn"):
            what = "setning" if unit == "sentence" else "replikk"
            share = data["min_share"] or 0
            rule = ("når koderens kodinger med koden berører den" if share == 0 else
                    f"når koderens kodinger med koden dekker minst {self.num(100 * share, 0)} "
                    "% av tegnene i den")
            return (f"Enheten er {self.unit_names[unit]}: hver {what} er én enhet, og regnes "
                    f"som kodet {rule}.")
        if unit == "document":
            return ("Enheten er dokumenter: hver transkripsjon er én enhet, og regnes som "
                    "kodet med en kode når koderen har brukt koden et sted i den (forekomst).")
        return ("Enheten er segmenter, som i MAXQDA: hvert segment en koder har kodet, er én "
                "enhet. En annen koder regnes som enig om segmentet når ett av hennes "
                f"segmenter med samme kode overlapper minst {self.num(100 * data['overlap'], 0)}"
                " % av det. Her finnes ingen enheter som ingen har kodet, så bare prosentvis "
                "enighet og |u-alpha kan beregnes.")

    def header_facts(self, data: dict) -> list[tuple[str, str]]:
        """(label, text) pairs: what was compared."""
        coders = data["coders"]
        n_t = len(data["transcripts"])
        left = data["transcripts_left_out"]
        missing = data.get("missing_ratings")
        everyone = "alle rundene" if data.get("stability") else "alle koderne"
        transcripts = f"{n_t} transkripsjoner, som {everyone} har kodet."
        if missing:
            transcripts = (
                f"{n_t} transkripsjoner, som minst to av koderne har kodet. "
                f"{len(missing['transcripts'])} av dem er bare kodet av noen av koderne; der "
                "mangler de andres vurderinger, og koeffisientene regnes i formene for "
                "manglende vurderinger (Gwet 2014): Fleiss' kappa i Gwets generalisering, "
                "Krippendorffs alpha, AC1, Brennan–Prediger og prosentvis enighet over "
                "vurderingene som finnes. |u-alpha, gruppene og uenighetene bygger bare på de "
                f"{len(missing['complete_transcripts'])} transkripsjonene alle har kodet.")
        if left and data.get("stability"):
            transcripts = (f"{n_t} transkripsjoner, som alle rundene har kodet. {len(left)} "
                           "er utelatt fordi utvalget som er kodet på nytt, ikke omfatter dem "
                           "(se vedlegget).")
        elif left:
            transcripts += (f" {len(left)} er utelatt fordi ikke alle koderne har kodet dem "
                            "(se vedlegget).")
            if missing:
                transcripts = transcripts.replace(
                    "fordi ikke alle koderne har kodet dem",
                    "fordi færre enn to av koderne har kodet dem")
        codes = f"{len(data['codes'])} koder som er brukt av minst én av koderne"
        if data.get("code_selection"):
            codes += f", innenfor {self.join(data['code_selection'])}"
        kappa = "Cohens kappa" if len(coders) == 2 else "Fleiss' kappa"
        measure = data["measure"]
        boot = data["bootstrap"]
        interval = (f"95 % bootstrap-intervall for {self.measure_names[measure]}: "
                    f"{self.integer(boot['resamples'])} trekninger av transkripsjoner med "
                    f"tilbakelegging, frø (seed) {boot['seed']}."
                    if boot["resamples"] and measure != "ualpha" else
                    "Ingen bootstrap-intervall.")
        who = ("Kodere", f"{self.join(coders)}. Hver koders kodinger er sammenlignet med de "
                         "andres; forslag som ikke er godkjent, telles ikke.")
        if data.get("stability"):
            who = ("Koder og runder", self.stability(data))
        return [
            who,
            ("Transkripsjoner", transcripts),
            ("Koder", codes + "."),
            ("Enhet", self.unit_sentence(data)),
            ("Mål", f"prosentvis enighet, {kappa}, "
                    + ("Scotts pi, " if len(coders) == 2 else "")
                    + "Krippendorffs alpha (nominal), Gwets AC1, Brennan–Prediger og "
                    "Krippendorffs |u-alpha i 2019-versjonen (Krippendorff 2019, avsnitt "
                    "12.6). " + self.unitizing_variant + " " + interval),
            ("Språk", "Rapporten er på norsk (bokmål). De statistiske fagbegrepene er beholdt "
                      "slik de brukes i metodelitteraturen."),
        ]

    def between(self, stability: dict) -> str:
        """The time between a coder's rounds."""
        parts = []
        for step in stability["between"]:
            if step["median_days"] is None:
                parts.append(f"{step['from']} og {step['to']} har ikke kodet samme "
                             "transkripsjon")
                continue
            low, high = self.days(step["min_days"]), self.days(step["max_days"])
            spread = f"{low} dager" if low == high else f"fra {low} til {high} dager"
            text = (f"fra {step['from']} til {step['to']}: median "
                    f"{self.days(step['median_days'])} dager ({spread}, over "
                    f"{step['transcripts']} transkripsjoner)")
            if step["later_round_first"]:
                text += (f"; i {step['later_round_first']} av dem begynte den siste runden "
                         "før den første var ferdig")
            parts.append(text)
        return "; ".join(parts)

    def stability(self, data: dict) -> str:
        """What a stability report compares, with the time between the rounds and why it
        is no inter-coder agreement (Krippendorff's three designs)."""
        info = data["stability"]
        rounds = self.join([f"runde {r['round']} ({r['coder']})" for r in info["rounds"]])
        return (f"{info['coder']} har kodet et utvalg av transkripsjonene på nytt; her "
                f"sammenlignes {rounds}. Tid mellom rundene, regnet "
                "per transkripsjon fra siste koding i den ene runden til første koding i den "
                f"neste: {self.between(info)}. Dette er stabilitet (intrakoder-"
                "samsvar, test–retest), ikke samsvar mellom kodere: det viser at koderen koder "
                "likt med seg selv over tid, ikke at andre ville kodet likt, og er den svakeste "
                "av Krippendorffs tre former for reliabilitet (Content Analysis, 2. utg. 2004, "
                "kap. 11; 4. utg. 2019, kap. 12). "
                "Koeffisientene og grensene er de samme som for samsvar mellom kodere.")

    def confusion_title(self, data: dict, group: dict, confusion: dict) -> str:
        a, b = confusion["coders"]
        return (f"Forvekslingstabell for {group['group']}: {a} mot {b} "
                f"(antall {self.unit_names[data['unit']]})")

    def area_headers(self, symbol: str) -> tuple[str, ...]:
        return ("Familie", "Koder", f"Samlet {symbol}", "95 % KI", "Tolkning",
                f"Summert {symbol}", "95 % KI", "Tolkning")

    def conventions(self, data: dict) -> list[str]:
        out = [
            "Overlappende eller tilstøtende kodinger med samme kode fra samme koder slås "
            "sammen før telling, så ingen tekst telles to ganger.",
            "Prevalens (dekning) er andelen av enhetene en koder har kodet med koden.",
            "Samlet rad: tellingene for alle kodene er lagt sammen, slik at hver kombinasjon "
            "av kode og enhet er én enhet.",
            "|u-alpha regnes på transkripsjonene lagt etter hverandre som ett langt "
            "kontinuum.",
            "Udefinerte koeffisienter skrives som «udefinert», aldri som et tall; grunnen står "
            "under tabellen.",
        ]
        if data["groups"]:
            out.append("For kodegrupper som kodeboken merker som gjensidig utelukkende, gis "
                       "u-alpha og cu-alpha med gruppens koder som kategorier.")
        return out

    def how_to_read(self, data: dict) -> list[tuple[str, str]]:
        unit = self.unit_names[data["unit"]]
        kappa = ("Cohens kappa (to kodere)" if len(data["coders"]) == 2
                 else "Fleiss' kappa (flere enn to kodere)")
        pi = ([("π", "Scotts pi (1955): som κ, men tilfeldig enighet regnes ut fra de to "
                     "kodernes samlede bruk av koden, ikke hver koders egen. Tolkning etter "
                     "Landis & Koch (1977).")] if len(data["coders"]) == 2 else [])
        return [
            ("Dekning", f"Hvor stor andel av enhetene ({unit}) hver koder har kodet med koden. "
                        "Les alle koeffisientene sammen med dekningen: for sjeldne koder blir "
                        "tallene ustabile."),
            ("Alle / noen / ingen", "Antall enheter som alle koderne, noen av dem eller "
                                    "ingen av dem har kodet med koden."),
            ("Enighet %", "Andelen enheter der koderne er enige, enten om å kode eller om å "
                          "la være. Den blir høy for sjeldne koder fordi nesten all tekst er "
                          "ukodet hos alle, og sier derfor lite alene."),
            ("κ", f"{kappa}: enighet utover det som ventes ved tilfeldighet, gitt hvor mye "
                  "hver koder koder. 1 er full enighet, 0 er det samme som tilfeldig, under 0 "
                  "er dårligere enn tilfeldig. Tolkning etter Landis & Koch (1977): "
                  "ubetydelig (slight) til 0,20, svak (fair) til 0,40, moderat (moderate) til "
                  "0,60, betydelig (substantial) til 0,80, nesten perfekt (almost perfect) "
                  "over det."),
            *pi,
            ("α", "Krippendorffs alpha (nominal): det anbefalte reliabilitetsmålet. Ligner "
                  "kappa, men beregner tilfeldig enighet ut fra kodernes samlede bruk og tåler "
                  "flere kodere. Tolkning etter Krippendorff (2004): α ≥ 0,800 pålitelig "
                  "(reliable), 0,667–0,800 bare foreløpige konklusjoner (tentative), under "
                  "0,667 ikke pålitelig (unreliable)."),
            ("AC1", "Gwets AC1 er mindre følsom for lav prevalens. Når en kode er sjelden, kan "
                    "κ og α bli lave selv om koderne er enige nesten overalt "
                    "(kappa-paradokset); AC1 blir da høy. Stor avstand mellom AC1 og κ betyr "
                    "at koden er sjelden, ikke nødvendigvis at koderne er enige."),
            ("BP", "Brennan–Prediger (1981) antar at tilfeldig enighet er 1/2 med to "
                   "kategorier (kodet / ikke kodet), uansett hvor mye koderne koder. Står den "
                   "høyt mens κ er lav, skyldes forskjellen lav prevalens (kappa-paradokset), "
                   "ikke uenighet."),
            ("|uα", "Krippendorffs |u-alpha sammenligner tekstbitene selv: om koderne har "
                    "kodet de samme strekningene av teksten, med hvor de begynner og slutter."),
            ("95 % KI", "Bootstrap-intervall: transkripsjonene trekkes på nytt med "
                        "tilbakelegging mange ganger. Et bredt intervall betyr at tallet "
                        "hviler på få transkripsjoner og kan endre seg mye med nye data."),
            ("Tolkning", "Båndet for det valgte målet, med kilde. Båndene er konvensjoner, "
                         "ikke naturlover: les dem sammen med intervallet og uenighetene "
                         "nedenfor."),
            ("Merknader", "udefinert: en koeffisient kan ikke beregnes (grunnen står under "
                          "tabellen); sjelden: dekning under 5 %; få transkripsjoner: koden "
                          "finnes i færre enn 5; skjev bruk: én koder har kodet minst dobbelt "
                          "så mye med koden som en annen."),
        ]

    def reason(self, reason: str) -> str:
        """A reason for an undefined value (known reasons; else as given)."""
        if " applied " in reason and "exclude each other" in reason:
            coder, rest = reason.split(" applied ", 1)
            codes, rest = rest.split(", which exclude each other, to overlapping text in ", 1)
            where, chars = rest.split(" (characters ", 1)
            return (f"{coder} har brukt {codes.replace(' and ', ' og ')}, som utelukker "
                    f"hverandre, på overlappende tekst i {where} (tegn {chars}")
        for english, norwegian in self.reasons:
            if english in reason:
                return norwegian
        return reason

    def shared_flags(self, shared: Sequence[str]) -> str:
        notes = self.join([f"«{self.flag_names[f]}»" for f in shared])
        if len(shared) == 1:
            return (f"Alle kodene i tabellen har merknaden {notes}; den står her, ikke på "
                    "hver rad.")
        return (f"Alle kodene i tabellen har merknadene {notes}; de står her, ikke på hver "
                "rad.")

    def band_source(self, measure: str, source: str | None) -> str:
        if source is None:
            return "Prosentvis enighet har ingen tolkningsbånd."
        return f"Tolkning: {self.measure_names[measure]} etter {source}."

    def all_codes(self, n: int) -> str:
        return f"alle {n} kodene"

    def left_out(self, item: dict) -> str:
        if len(item["missing"]) and item["reason"].startswith("coded by none"):
            return "ikke kodet av noen av koderne"
        return f"ikke kodet av {self.join(item['missing'])}"

    def summary(self, data: dict, value: float | None, symbol: str, reliable: int,
                undefined: int, limit: float, rare: int) -> str:
        measure = data["measure"]
        pooled = data["pooled"]
        n_codes = len(data["codes"])
        text = (f"Samlet over alle {n_codes} kodene er {self.measure_names[measure]} "
                f"{self.num(value, 3 if measure != 'percent' else 1)}")
        iv = pooled.get("interval")
        if iv and iv["low"] is not None:
            text += f" (95 % KI {self.interval_text(pooled)})"
        if pooled.get("band"):
            text += (f", som etter {pooled['band_source']} er "
                     f"«{self.bands[pooled['band']]}»")
        text += "."
        if measure != "percent" and data["codes"]:
            digits = 3 if limit == 0.8 else 2
            text += (f" {reliable} av {n_codes} koder har {symbol} på minst "
                     f"{self.num(limit, digits)}")
            text += f"; for {undefined} er verdien udefinert." if undefined else "."
        if rare:
            text += (f" {rare} av kodene dekker under 5 % av enhetene. For dem blir "
                     "prosentvis enighet og AC1 nesten alltid høye, fordi det meste av "
                     "teksten er ukodet hos alle; κ og α måler enigheten om det som faktisk er "
                     "kodet, og er tallene å se på, sammen med listen over uenigheter.")
        return text

    def passages_intro(self, coders: Sequence[str], total: int) -> str:
        return (f"{total} passasje{'r' if total != 1 else ''} der {self.join(coders)} har "
                "kodet ulikt, gruppert etter kode og i rekkefølge i transkripsjonene. En "
                "passasje er en sammenhengende tekstbit der minst én koder har brukt koden og "
                "koderne ikke har kodet nøyaktig de samme tegnene. Teksten er farget etter hvem "
                "som har kodet den med koden; lange strekninger som alle har kodet, er "
                "forkortet. Under teksten står alle kodene hver koder har satt på passasjen, "
                "med koden det gjelder i fet skrift. Listen gjelder tegn, uansett hvilken "
                "enhet tabellen bruker.")

    def passages_count(self, total: int, shown: int) -> str:
        return (f"{total} passasje{'r' if total != 1 else ''}"
                + (f", de {shown} første vises" if shown < total else ""))

    def legend(self, coders: Sequence[str]) -> list[str]:
        """The colours' meanings: each coder alone, (several,) all."""
        out = [f"bare {c}" for c in coders]
        if len(coders) > 2:
            out.append("flere, men ikke alle")
        out.append("alle" if len(coders) > 2 else "begge")
        return out

    def elided(self, hidden: int) -> str:
        return f" […\u00a0{self.integer(hidden)} tegn kodet av alle\u00a0…] "

    def coded_by(self, who: Sequence[str]) -> str:
        return "kodet av " + self.join(who)

    def passage_where(self, passage: dict) -> str:
        where = passage["transcript"]
        if passage["turns"]:
            where += f", replikk {passage['turns']}"
        return where

    def passage_what(self, passage: dict) -> str:
        return (f"{self.kind(passage['kind'])} · {self.integer(passage['differing_chars'])} "
                f"tegn ulikt · tegn {passage['start']}–{passage['end']}")

    def settings(self, data: dict) -> list[str]:
        boot = data["bootstrap"]
        out = [f"Enhet: {data['unit']}",
               f"Mål for intervall, tolkning og --fail-under: {data['measure']}",
               f"Bootstrap: {boot['resamples']} trekninger, frø (seed) {boot['seed']}, "
               f"konfidensnivå {self.num(100 * boot['confidence'], 0)} %, trekker "
               "transkripsjoner"]
        if data["overlap"] is not None:
            out.append(f"Overlapp for segmenter: {self.num(data['overlap'], 2)}")
        if data["min_share"] is not None:
            out.append(f"Minste dekning av en enhet: {self.num(data['min_share'], 2)}")
        names = data["transcripts"]
        listed = ", ".join(names[:40])
        if len(names) > 40:
            listed += f" og {len(names) - 40} til (alle står i --format json)"
        out.append(f"Transkripsjoner ({len(names)}): {listed}")
        if data.get("max_passages"):
            out.append(f"Høyst {data['max_passages']} passasjer per kode i listen")
        return out

    # --- the matrix as a Word table ----------------------------------------------------

    matrix_title = "Kodematrise"
    all_rows = "Alle radene (sammenslått)"
    matrix_note = ("Et utdrag som omfatter replikker fra flere kolonner, telles i hver av dem; "
                   "Totalt teller det én gang. Intervjuerens replikker telles ikke.")
    measures = {"references": "kodede utdrag", "informants": "informanter",
                "transcripts": "intervjuer", "sites": "skoler", "words": "kodede ord",
                "coverage": "dekning (prosent av ordene)", "quotes": "sitater",
                "summaries": "sammendrag"}

    def matrix_intro(self, dimensions: Sequence[str], m) -> str:
        return (f"Kolonner: {' × '.join(dimensions) or 'alle'}. Tallene bygger på "
                f"{m.layer_nb or m.layer}.")

    def matrix_caption(self, number: int, measure: str) -> str:
        return f"Tabell {number}. {self.measures.get(measure, measure).capitalize()}."

    # --- the study report --------------------------------------------------------------

    default_title = "Tematisk analyse"
    study_subtitle = ("Tematisk analyse av intervjuene: omfang etter rolle og skoleslag, utvalgte "
                "sitater og samforekomst av koder")
    meta_project = "Prosjekt"
    meta_date = "Dato"
    meta_coders = "Kodere"
    no_coders_word = "ingen"
    meta_layer = "Kodelag"
    meta_codebook = "Kodebok"
    meta_material = "Materiale"
    method_heading = "Metode og datagrunnlag"
    agreement_heading = "Samsvar mellom koderne"
    rules_heading = "Telleregler"
    saved_heading = "Lagrede spørringer"
    overview_heading = "Oversikt over områdene"
    overview_intro = ("Tabellen viser hvor mange kodede utdrag hvert område har, fordelt på "
                      "rolle og skoleslag, med antall informanter i parentes. Kapitlene "
                      "nedenfor bryter tallene ned på kodene under hvert område.")
    overview_caption = "Tabell 1. Kodede utdrag per område (antall informanter i parentes)."
    all_areas_row = "Alle områdene (sammenslått)"
    overview_note = ("Raden for alle områdene slår sammen overlappende utdrag på tvers av "
                     "områdene, slik at et utdrag med parallelle koder telles én gang.")
    overview_figure_title = "Kodede utdrag per område"
    figure_value_label = "antall utdrag"
    figure_counted = ("Et utdrag som spenner over flere kolonner, telles i hver av dem; "
                      "intervjuerens replikker telles ikke.")
    heat_map_note = "Mørkere felt betyr flere utdrag. " + figure_counted
    total_header = "Totalt"
    all_header = "Alle"
    quotes_heading = "Utvalgte sitater"
    lead_ins = ("forteller:", "sier det slik:", "beskriver det slik:", "formulerer det slik:")
    statements_heading = "Utsagn etter rolle"
    no_statements = "Ingen kodede utsagn fra informanter."
    quoted_above = "Sitert ovenfor."
    framework_note = ("Sitatene er de lengste utdragene for hver kode og rolle, i hele "
                      "setninger, forkortet ved […]. Et utsagn siteres bare én gang i "
                      "kapitlet. Koder uten kodede utsagn er utelatt.")
    extent_note = ("Et utdrag som omfatter replikker fra flere roller, telles én gang for hver "
                   "rolle; kolonnen Totalt teller det én gang. Intervjuerens replikker telles "
                   "ikke. – = ingen kodede utdrag.")
    cooccurrence_heading = "Samforekomst av koder"
    cooccurrence_intro = (
        "Koding med parallelle koder betyr at samme utdrag ofte handler om flere områder. "
        "Tabellen viser hvor mange ganger et utdrag kodet med ett område overlapper et utdrag "
        "kodet med et annet (par av overlappende utdrag). I parentes står Jaccard-indeksen: "
        "andelen av tegnene kodet med minst ett av de to områdene som er kodet med begge.")
    area_header = "Område"
    pairs_heading = "Hyppigste kodepar"
    pairs_headers = ("Kode", "Kode", "Par", "Jaccard")
    all_hits = "Alle treff"
    query_note = ("Radene er kodene spørringen nevner (med kodene under dem) og alle treff; "
                  "et utdrag med flere av kodene telles i hver av radene. – = ingen utdrag.")
    unknown_speaker = "Ukjent taler"
    analytic_heading = "Vedlegg: Analytiske koder"
    analytic_intro = (
        "De analytiske kodene klassifiserer utdrag på tvers av områdene (for eksempel "
        "nivå i kvalitetsarbeidet eller forhold ved intervjuet) og har derfor ikke egne "
        "kapitler. Tabellene viser omfanget etter rolle og skoleslag.")
    analytic_note = "– = ingen kodede utdrag. Intervjuerens replikker telles ikke."
    codebook_heading = "Vedlegg: Kodebok"
    codebook_headers = ("Kode", "Beskrivelse", "Utdrag", "Infor\u00admanter")
    memos_heading = "Vedlegg: Memoer"
    no_memos = "Prosjektet har ingen memoer."
    memo_sections = {"project": "Forskningslogg", "code": "Memoer om koder",
                     "transcript": "Memoer om intervjuer", "person": "Memoer om informanter",
                     "site": "Memoer om skoler"}
    formats = {"individuelt": ("individuelt intervju", "individuelle intervjuer"),
               "parvis": ("parintervju", "parintervjuer"),
               "gruppe": ("gruppeintervju", "gruppeintervjuer"),
               "fokusgruppe": ("fokusgruppe", "fokusgrupper")}
    count_words = {1: "ett", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "sju",
                   8: "åtte", 9: "ni", 10: "ti", 11: "elleve", 12: "tolv"}

    def count_word(self, n: int) -> str:
        return self.count_words.get(n, self.integer(n))

    def plural(self, n: int, one: str, many: str) -> str:
        return f"{self.integer(n)} {one if n == 1 else many}"

    def passages(self, n: int) -> str:
        return f"{self.integer(n)} utdrag"

    def layer(self, layer, coders: Sequence[str]) -> str:
        """Which codings the numbers rest on, as a phrase."""
        return no.layer_phrase(layer.kind, list(layer.coders) or list(coders or []))

    def codebook_line(self, info: dict, n_codes: int) -> str:
        if not info:
            return "ikke lastet"
        return (f"{info.get('name', 'ukjent')}, versjon {info.get('version', '?')} "
                f"({self.integer(n_codes)} koder)")

    def material_line(self, facts: dict) -> str:
        return (f"{self.integer(facts['transcripts'])} intervjuer, "
                f"{self.integer(len(facts['persons']))} informanter, "
                f"{self.integer(len(facts['sites']))} skoler")

    def made_with(self, version: str) -> str:
        return f"Laget med qualcode {version}."

    def data_sentence(self, facts: dict) -> str:
        n_t, n_p, n_s = facts["transcripts"], len(facts["persons"]), len(facts["sites"])
        schools = []
        for kind, n in facts["school_kinds"]:
            forms = no.NOUN_FORMS.get(str(kind))
            noun = (forms[1] if n != 1 else no.SKOLESLAG_DISPLAY.get(str(kind), str(kind))) \
                if forms else str(kind)
            schools.append(f"{self.count_word(n) if n != 1 else 'én'} {noun}")
        formats = []
        for fmt, n in facts["format_counts"]:
            single, plural = self.formats.get(fmt, (fmt, fmt))
            formats.append(f"{self.integer(n)} {single if n == 1 else plural}")
        roles = [f"{self.integer(n)} {no.role_display(r) if n == 1 else no._forms(r)[1]}"
                 for r, n in facts["role_counts"]]
        text = (f"Materialet består av {self.integer(n_t)} intervjuer med "
                f"{self.integer(n_p)} informanter ved {self.integer(n_s)} skoler")
        if schools:
            text += f" ({self.join(schools)})"
        text += f", til sammen {self.integer(facts['words'])} ord."
        if formats:
            text += f" Intervjuene fordeler seg på {self.join(formats)}."
        if roles:
            text += f" Informantene er {self.join(roles)}."
        return text

    def chapters_sentence(self, columns: Sequence[str], figures: bool) -> str:
        """What each area chapter holds, as this report was written."""
        by = " og ".join(columns)
        text = ("Rapporten har ett kapittel for hvert område: først kriteriet fra kodeboken, "
                "en oppsummering og utvalgte sitater, deretter "
                + ("en figur og " if figures else "") + f"en tabell over omfang etter {by} og "
                "en tabell med utsagn per kode og rolle.")
        if figures:
            return (text + " Figurene (én i oversikten over områdene og én i hvert kapittel) "
                    "viser de samme tallene som tabellene under dem; et område uten kodede "
                    "utdrag får ingen figur.")
        return text + " Figurene er utelatt i denne utgaven (valget --no-figures)."

    def method_sentence(self, info: dict, coders: Sequence[str], layer: str,
                        columns: Sequence[str], figures: bool, memos: bool) -> str:
        if not info:
            return (f"Tabellene og sitatene bygger på {layer}."
                    + (" Forskernes memoer står i vedlegget «Memoer»." if memos else ""))
        return (f"Intervjuene er kodet tematisk med kodeboken "
                f"«{info.get('title') or info.get('name')}» av "
                f"{self.join(coders) or 'ingen kodere'}. Tabellene og sitatene bygger på "
                f"{layer}. {self.chapters_sentence(columns, figures)} Til slutt følger "
                "samforekomst av koder og kodeboken som vedlegg"
                + (", og forskernes memoer i vedlegget «Memoer»." if memos else "."))

    def scope_sentence(self, chapters: Sequence, appendix: Sequence) -> str:
        """Which code families the report covers and where, in plain words."""
        themes = [a.label for a in chapters if a.family != "kvalitetsmodellen"]
        text = (f"Rapporten dekker {self.join([a.label for a in chapters]) or 'ingen områder'}"
                + (f", der {self.join(themes)} er tverrgående temaer utenfor "
                   "kvalitetsmodellens områder" if themes else "") + ".")
        if appendix:
            text += (" De analytiske kodene (" + self.join([a.label for a in appendix])
                     + ") telles i et eget vedlegg.")
        return text

    def agreement_sentence(self, a: dict) -> str:
        """The coders' agreement (pooled alpha and kappa, bootstrap interval)."""
        interval = a["interval"]
        kappa_name = "Fleiss' kappa" if a["kappa_kind"] == "fleiss" else "Cohens kappa"
        text = (f"{self.count_word(len(a['coders'])).capitalize()} kodere "
                f"({self.join(a['coders'])}) kodet materialet uavhengig av hverandre. "
                "Samsvaret er målt tegn for tegn over "
                f"{a['label'].replace('all ', 'alle ').replace(' codes', ' kodene')}: "
                f"Krippendorffs alfa er {self.num(a['alpha'])}")
        if interval.get("low") is not None:
            text += (f" (95 % konfidensintervall {self.num(interval['low'])}–"
                     f"{self.num(interval['high'])}, "
                     f"{self.integer(interval['resamples_used'])} bootstrap-utvalg av "
                     "intervjuene)")
        if a["kappa"] is not None:
            text += f", og {kappa_name} er {self.num(a['kappa'])}"
        band = {"reliable": "pålitelig", "tentative": "godt nok for foreløpige konklusjoner",
                "unreliable": "ikke pålitelig"}.get(a["alpha_band"] or "")
        if band:
            text += f". Etter Krippendorffs (2004) grenser er samsvaret {band}"
        return text + (". Samsvar per kode står i veilederens samsvarsrapport "
                       "(qualcode export agreement).")

    def stability_sentences(self, rounds: Sequence[dict]) -> str:
        """Per coder who recoded a sample: how many transcripts, how long after, and alpha
        between the rounds."""
        out = []
        for r in rounds:
            later = self.join([f"{n} (runde {k})" for n, k in r["later"]])
            when = (f", median {self.days(r['median_days'])} dager etter første runde"
                    if r["median_days"] is not None else "")
            out.append(f"For å måle stabiliteten kodet {r['coder']} {r['transcripts']} av "
                       f"intervjuene på nytt som {later}{when}. Krippendorffs alfa mellom "
                       f"rundene er {self.num(r['alpha'])}; det er samsvar med seg selv over "
                       "tid (stabilitet, Krippendorff 2004), ikke mellom kodere, og den nye "
                       "runden inngår ikke i rapportens tall.")
        return " ".join(out)

    def counting_rules(self, layer: str, provenance: bool) -> list[str]:
        """The counting rules of :mod:`qualcode.services.matrix`, as the report states
        them."""
        return [
            f"Tallene bygger på {layer}. Kodeforslag som ikke er godkjent av en koder, "
            "telles ikke.",
            "En rad er en kode sammen med kodene under den. Innenfor hvert intervju slås "
            "overlappende kodinger sammen før de telles, uansett hvem som har kodet dem og "
            "med hvilken underkode. Et utdrag som er kodet med to underkoder, eller av to "
            "kodere, telles derfor én gang i raden for området.",
            "Et kodet utdrag tilskrives dem som snakker i replikkene det overlapper, og "
            "gjennom dem deres rolle og skolens skoleslag. Et utdrag fra en fokusgruppe som "
            "omfatter både en rektors og en lærers replikk, telles én gang for rektor og én "
            "gang for lærer.",
            "Intervjuerens replikker er ikke informantutsagn og telles ikke.",
            "Utdrag er antall sammenslåtte kodede utdrag. Informanter er antall ulike "
            "personer som har ordet i replikkene utdragene omfatter; en taler som ikke er "
            "knyttet til en person (for eksempel en elev som er til stede), telles ikke som "
            "informant.",
            "Fordi ett utdrag kan telles i flere kolonner, kan summen av kolonnene bli større "
            "enn totalen. Kolonnen Totalt teller hvert utdrag og hver informant én gang.",
            "Hyppigheter i teksten er gitt i ord: «samtlige» eller «begge» (alle), «de "
            "fleste» (mer enn halvparten), «halvparten», «enkelte» (færre enn halvparten), "
            "«én» og «ingen». Grunnlaget er antall informanter med hver rolle, og antall "
            "skoler av hvert slag.",
            "Sitatene er de lengste kodede utdragene for hver kode og rolle, gjengitt i hele "
            "setninger og uten innledende fyllord og transkripsjonsmerker («Tja.», "
            "«(ler)»). Ingen passasje siteres to ganger i samme kapittel. Sitatene gjengir "
            "bare det personer med den aktuelle rollen sa; utelatte replikker og forkortelser "
            "er markert med […]. "
            + ("Intervju og replikknummer står i parentes etter hvert sitat." if provenance
               else "Sitatene er anonymisert til rolle og skoleslag."),
        ]

    def saved_intro(self, sections: bool) -> str:
        intro = ("Spørringene nedenfor er lagret i prosjektet (qualcode queries). For hver "
                 "står navnet, spørringen slik den er skrevet i spørrespråket, hva den betyr, "
                 "og hvor mange utdrag den finner i materialet slik det er kodet nå.")
        if sections:
            intro += " Hver spørring har et eget avsnitt i kapittelet «Lagrede spørringer»."
        return intro

    def query_reading(self, query: str, labels: dict[str, str]) -> str:
        return reading_nb(query, labels)

    def query_fails(self, problem: str) -> str:
        return f". Kan ikke kjøres nå ({problem})."

    def query_finds(self, n: int) -> str:
        return f"Spørringen finner {self.passages(n)}."

    def query_chapter_intro(self, columns: Sequence[str]) -> str:
        return ("Kapittelet viser hva hver lagret spørring finner: utdragene fordelt på "
                f"{' og '.join(columns)} (antall informanter i parentes) og de lengste "
                "utdragene. Et utdrag som omfatter replikker fra flere kolonner, telles i hver "
                "av dem.")

    def query_caption(self, number: int, name: str, columns: Sequence[str]) -> str:
        return (f"Tabell {number}. Spørringen «{name}»: utdrag etter {' og '.join(columns)} "
                "(antall informanter i parentes).")

    def dropped_columns(self, labels: Sequence[str]) -> str:
        """The sentence saying which columns were left out for being empty."""
        names = self.join([f"«{label}»" for label in labels])
        if len(labels) == 1:
            return f" Kolonnen {names} er utelatt fordi den er tom i alle rader."
        return f" Kolonnene {names} er utelatt fordi de er tomme i alle rader."

    def overview_figure_caption(self, dimensions: Sequence[str]) -> str:
        return f"Figur 1. Kodede utdrag per område, etter {' og '.join(dimensions)}."

    def area_figure_title(self, label: str) -> str:
        return f"{label}: kodede utdrag"

    def area_figure_caption(self, number: int, label: str, dimensions: Sequence[str],
                            table: int) -> str:
        return (f"Figur {number}. {label}: kodede utdrag per kode, etter "
                f"{' og '.join(dimensions)} (tallene i tabell {table}).")

    def where(self, transcript: str, turns: Sequence[int], time: float | None) -> str:
        """Transcript, turn numbers and, where the transcript has times, the moment in the
        recording: "vestbo_rektor, replikk 12 [00:12:31]"."""
        from qualcode.media import format_clock

        where = transcript
        if len(turns) == 1:
            where += f", replikk {turns[0]}"
        elif turns:
            where += f", replikk {turns[0]}–{turns[-1]}"
        if time is not None:
            where += f" {format_clock(time)}"
        return where

    def quote_attribution(self, q: dict) -> str:
        """"En rektor på en ungdomsskole": a quote's speakers by role and school type."""
        return q["attribution"]

    def passage_attribution(self, p: dict) -> str:
        """"Rådgiver, videregående skole": a query's passage by role and school type."""
        return p["attribution"]

    def lead_in(self, attribution: str, i: int) -> str:
        return f"{attribution} {self.lead_ins[i % len(self.lead_ins)]}"

    def area_as_whole(self, label: str) -> str:
        return f"{label} (området som helhet)"

    def area_total(self, label: str) -> str:
        return f"{label} i alt"

    def extent_heading(self, columns: Sequence[str]) -> str:
        return f"Omfang etter {' og '.join(columns)}"

    def counts_caption(self, number: int, label: str) -> str:
        return f"Tabell {number}. {label}: antall kodede utdrag (antall informanter i parentes)."

    def framework_caption(self, number: int, label: str) -> str:
        return f"Tabell {number}. {label}: utvalgte utsagn per kode og rolle."

    def summary_heading(self, who: str) -> str:
        return f"Forskerens sammendrag per {'skole' if who == 'site' else 'informant'}"

    def summary_caption(self, number: int, label: str, who: str) -> str:
        return (f"Tabell {number}. {label}: sammendrag per kode og "
                f"{'skole' if who == 'site' else 'informant'}.")

    def cooccurrence_caption(self, number: int) -> str:
        return f"Tabell {number}. Samforekomst mellom områdene (Jaccard i parentes)."

    def pairs_caption(self, number: int, n: int) -> str:
        return f"Tabell {number}. " + (
            f"De {n} hyppigste parene av koder under områdene." if n > 1
            else "Det hyppigste paret av koder under områdene.")

    def codebook_intro(self, layer: str) -> str:
        return (f"Kodene i rapportens områder med beskrivelse, antall kodede utdrag og antall "
                f"informanter ({layer}). Et område teller utdrag kodet med området selv eller "
                "med en av kodene under det, hvert utdrag én gang.")

    def codebook_caption(self, number: int) -> str:
        return f"Tabell {number}. Kodebok med omfang."

    def who_and_who_not(self, parts: Sequence[tuple[int, int, str]]) -> tuple[str, str]:
        """(k, n, noun) → ("begge rektorene og de fleste av lærerne", "rådgiveren"): who
        has the code, in frequency words, and who in the data has not."""
        said = [no.frequency_parts(k, n, noun) for k, n, noun in parts if k > 0]
        silent = []
        for k, n, noun in parts:
            if k == 0 and n > 0:
                one, _, the_many = no._forms(noun)
                silent.append(one if n == 1 else the_many)
        return no.frequency_sentence(said), no.join_nb(silent).replace(" og ", " eller ")

    def area_summary(self, label: str, n: dict) -> str:
        if not n["references"]:
            return (f"Ingen utdrag er kodet med {label} eller kodene under i dette "
                    "kodelaget.")
        text = (f"{label} er kodet i {self.plural(n['references'], 'utdrag', 'utdrag')} fra "
                f"{self.plural(n['transcripts'], 'intervju', 'intervjuer')}, hos "
                f"{self.plural(n['informants'], 'informant', 'informanter')}.")
        said, silent = self.who_and_who_not(n["roles"])
        if said:
            text += f" Temaet tas opp av {said}" + (f", men ikke av {silent}." if silent
                                                    else ".")
        said, silent = self.who_and_who_not(n["school_kinds"])
        if said:
            text += f" Det er kodet ved {said}" + (f", men ikke ved {silent}." if silent
                                                   else ".")
        return text

    def memos_intro(self, identifiable: bool) -> str:
        return (
            "Memoene er forskernes egne notater fra analysen, gjengitt som de er skrevet: "
            "først forskningsloggen, datert og i den rekkefølgen den ble ført, deretter "
            "memoer om koder, intervjuer, informanter og skoler. " + (
                "Navn i memoene er ikke erstattet." if identifiable else
                "Navn i memoene er erstattet med pseudonymer på samme måte som i sitatene, og "
                "informanter og intervjuer er omtalt ved rolle, skole og tittel."))

    def memo_subject(self, kind: str, s: dict, identifiable: bool) -> str:
        """What a memo is about, as the report names it: a code by label and id, an
        informant by role and school, a school or an interview by its name."""
        if kind == "code":
            return f"{s['label']} ({s['id']})"
        if kind == "person":
            if not identifiable:
                shown = no.role_display(s["role"]) if s["role"] else "informant"
                return ", ".join(v for v in (shown[:1].upper() + shown[1:], s["site"]) if v)
            said = ", ".join(v for v in (s["role"], s["site"]) if v)
            return f"{s['id']} ({said})" if said else str(s["id"])
        if kind == "site":
            if not identifiable:
                return s["name"] or "Skole"
            return f"{s['name']} ({s['id']})" if s["name"] else str(s["id"])
        if kind == "transcript":
            if not identifiable:
                return s["title"] or "Intervju"
            return f"{s['id']}: {s['title']}" if s["title"] else str(s["id"])
        return ""


# --- saved queries in plain Norwegian ---------------------------------------------------------

COMPARISON_NB = {"<": "under", ">": "over", "<=": "høyst", ">=": "minst"}


def _join_or(items: list[str]) -> str:
    """"a", "a eller b", "a, b eller c" (labels may hold "og" themselves)."""
    return ", ".join(items[:-1]) + " eller " + items[-1] if len(items) > 1 else "".join(items)


def _noun_plural(value: str) -> str | None:
    """Rektorer, rådgivere, videregående skoler: the plural of a known role or school type,
    however the value was spelt (radgiver, rådgiver, Rådgiver)."""
    forms = no.NOUN_FORMS.get(no.fold(value))
    return forms[1] if forms else None


def _condition_nb(condition) -> str:
    values = list(condition.values)
    plurals = [_noun_plural(v) for v in values]
    known = all(plurals) and condition.op in ("=", "!=", "in")
    if known and condition.name in ("rolle", "role"):
        said = f"sagt av {_join_or(plurals)}"
        return f"ikke {said}" if condition.op == "!=" else said
    if known and condition.name == "skoleslag":
        where = f"fra {_join_or(plurals)}"
        return f"ikke {where}" if condition.op == "!=" else where
    if condition.op == "in":
        return f"der {condition.name} er {_join_or(values)}"
    if condition.op == "=":
        return f"der {condition.name} er {values[0]}"
    if condition.op == "!=":
        return f"der {condition.name} ikke er {values[0]}"
    return f"der {condition.name} er {COMPARISON_NB[condition.op]} {values[0]}"


def _chain(node, op: str) -> list:
    """A AND B AND C as [A, B, C] (the parser nests to the left)."""
    from qualcode import query_language as ql

    if isinstance(node, ql.Combine) and node.op == op:
        return _chain(node.left, op) + _chain(node.right, op)
    return [node]


def _phrase(node, labels: dict[str, str]) -> str:
    from qualcode import query_language as ql

    if isinstance(node, ql.Code):
        return f"kodet med {labels.get(node.code_id, node.code_id)}"
    if isinstance(node, ql.Condition):
        return _condition_nb(node)
    if node.op == "AND":
        items = _chain(node, "AND")
        codes = [labels.get(i.code_id, i.code_id) for i in items if isinstance(i, ql.Code)]
        conditions = [_condition_nb(i) for i in items if isinstance(i, ql.Condition)]
        others = [_phrase(i, labels) for i in items if isinstance(i, ql.Combine)]
        coded = []
        if len(codes) == 1:
            coded.append(f"kodet med {codes[0]}")
        elif len(codes) == 2:
            coded.append(f"kodet med både {codes[0]} og {codes[1]}")
        elif codes:
            coded.append(f"kodet med {no.join_nb(codes)} på samme sted")
        coded += others
        return ", ".join(part for part in (" og ".join(coded), *conditions) if part)
    if node.op == "OR":
        items = _chain(node, "OR")
        if all(isinstance(i, ql.Code) for i in items):
            return "kodet med " + _join_or([labels.get(i.code_id, i.code_id) for i in items])
        return "enten " + " eller ".join(_phrase(i, labels) for i in items)
    left, right = _phrase(node.left, labels), _phrase(node.right, labels)
    if node.op == "NOT":
        return f"{left}, men ikke der de overlapper utdrag {right}"
    if node.op == "IN":
        return f"{left}, som ligger helt innenfor utdrag {right}"
    turns = "replikk" if node.distance == 1 else "replikker"
    return (f"{left} og utdrag {right}, når de ligger høyst {node.distance} {turns} fra "
            "hverandre i samme intervju")


def reading_nb(text: str, labels: dict[str, str]) -> str:
    """A query in plain Norwegian, from its parse tree (so it says what the query does, not
    what its author meant); ``labels`` names the codes: "LED AND rolle = radgiver" reads
    "utdrag kodet med Ledelse, sagt av rådgivere"."""
    from qualcode import query_language as ql

    return "utdrag " + _phrase(ql.parse(text), labels)
