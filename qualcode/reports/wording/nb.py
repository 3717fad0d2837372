"""The reports in Norwegian bokmål (the default edition). The statistical terms stay as
the methods literature uses them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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
    identifiable = ("IDENTIFISERBAR: navn og andre opplysninger er ikke erstattet med "
                    "pseudonymer (eksportert med --identifiable). Skal ikke deles.")

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
