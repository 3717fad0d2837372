"""qualcode's benchmark suite: every operation at study scale and national scale.

    python benchmarks/run.py --schools 8            # ≈ 40 transcripts (generated if missing)
    python benchmarks/run.py --schools 200 --runs 3 # ≈ 1 000 transcripts, 10 million words
    python benchmarks/run.py --smoke                # CI: 8 schools, one run, no targets

Each operation is timed the honest way for its use: whole processes (``qualcode …`` as a
user runs it, start-up included) for commands, in-process for what a running program does
many times (a single coding write). Every timing is repeated ``--runs`` times and reported
as median and spread (min–max); whole processes also report their peak memory (max RSS).

Two baselines run on the same data in the same run, so the report can say how close
qualcode is to the limit as a ratio, which holds on a noisy machine:
- spaCy ``blank("nb")`` tokenising the text (per million characters, on a sample), the
  irreducible cost of any spaCy-based segmentation on the import path;
- a hand-written SQL aggregate for the codes × rolle × skoleslag matrix.

Results are printed as a Markdown table and written to ``benchmarks/results/`` as JSON.
Targets (see benchmarks/README.md) are reported, never asserted: timing is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CODEBOOK = ROOT / "codebooks" / "kvalitetsmodellen.yaml"

# Targets for the 200-school corpus (seconds unless said otherwise), from the benchmark
# issue; the open peers' figures are in benchmarks/README.md.
TARGETS = {
    "help": 0.3,
    "import_txt": 8.0,
    "import_docx": 11.0,
    "coding_import": 10.0,
    "coding_write_p99": 0.050,
    "quotes_one_code": 1.0,
    "status": 1.0,
    "frequencies": 1.0,
    "codebook_show": 1.0,
    "cooccur": 1.0,
    "matrix_role_schooltype": 1.0,
    "matrix_in_process": 1.0,
    "word_report": 15.0,
    "workbench_open": 1.0,
    "workbench_apply_p99": 0.050,
    "agreement_report": 10.0,
    "agreement_areas": 5.0,
    "pseudonym_scan": 30.0,
    "query_three_codes": 1.0,
    "words_by_role": 10.0,
    "merge_one_layer": 10.0,
}
# The pseudonymised Word report may take at most this times the plain one.
PSEUDONYMISED_REPORT_RATIO = 1.5
# The Word report with its figures may take at most this times the report without them.
FIGURES_REPORT_RATIO = 2.0


@dataclass
class Result:
    name: str
    what: str
    unit: str  # "s" per run, or a description
    runs: list[float] = field(default_factory=list)
    peak_mb: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def row(self) -> str:
        spread = f"{min(self.runs):.3f}–{max(self.runs):.3f}" if len(self.runs) > 1 else ""
        target = TARGETS.get(self.name)
        peak = f"{self.peak_mb:.0f}" if self.peak_mb else ""
        return (f"| {self.what} | {self.median:.3f} | {spread} | {peak} | "
                f"{target if target is not None else ''} |")


def qualcode_cmd() -> list[str]:
    exe = shutil.which("qualcode", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "qualcode"]


GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


def run_process(args: list[str], env: dict | None = None) -> tuple[float, float | None]:
    """Run a whole process; return (seconds, peak RSS in MB). Fails loudly on error.

    Peak memory comes from GNU time when it is installed: a child forked straight from this
    (large) benchmark process would report this process's memory as its own peak. Without
    GNU time no peak is reported rather than a wrong one."""
    report = None
    if GNU_TIME:
        fd, report = tempfile.mkstemp(suffix=".rss")
        os.close(fd)
        args = [GNU_TIME, "-f", "%M", "-o", report, *args]
    start = time.perf_counter()
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}\n{proc.stderr.decode()}")
    peak = None
    if report:
        text = Path(report).read_text().strip().splitlines()
        os.unlink(report)
        peak = int(text[-1]) / 1024 if text and text[-1].isdigit() else None
    return elapsed, peak


def qc(project: Path | str, *args: str) -> tuple[float, float]:
    return run_process([*qualcode_cmd(), "--project", str(project), *map(str, args)])


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def fresh_project(workdir: Path, name: str, corpus: Path) -> Path:
    """A new project with the codebook and the corpus's attributes (not timed)."""
    path = workdir / f"{name}.db"
    for p in workdir.glob(f"{name}.db*"):
        p.unlink()
    qc(path, "init")
    qc(path, "codebook", "load", CODEBOOK)
    qc(path, "attributes", "import", corpus / "attributes.yaml")
    return path


def ensure_corpus(schools: int, corpus: Path | None) -> Path:
    target = corpus or (HERE / "corpus" / f"schools-{schools}")
    if not (target / "attributes.yaml").exists():
        print(f"generating the {schools}-school corpus in {target} …", flush=True)
        # every transcript in both formats: the .txt and .docx imports are then comparable
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--schools", str(schools),
                        "--out", str(target), "--docx-share", "1"], check=True)
    return target


def corpus_size(corpus: Path) -> dict:
    files = sorted((corpus / "txt").glob("*.txt"))
    chars = sum(len(p.read_text(encoding="utf-8")) for p in files)
    return {"transcripts": len(files), "characters": chars}


# --- the operations ------------------------------------------------------------------

def bench_whole(name: str, what: str, runs: int, make: Callable[[int], list[str]],
                prepare: Callable[[int], None] | None = None) -> Result:
    result = Result(name, what, "s")
    peaks = []
    cpu = []
    for i in range(runs):
        if prepare:
            prepare(i)
        # CPU seconds of the process (user + system) beside the wall time: on a shared
        # machine the wall time says as much about the neighbours as about qualcode.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, peak = run_process(make(i))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        result.runs.append(seconds)
        peaks.append(peak)
    result.peak_mb = max(peaks) if all(p is not None for p in peaks) else None
    result.extra["cpu_s"] = cpu
    return result


def bench_pseudonyms(workdir: Path, coded: Path, runs: int) -> list[Result]:
    """The scan that proposes a pseudonym key (schools' names from the attributes, and
    what the transcripts hold) written into a key file, then the Word report with that key
    applied, on a copy of the coded project."""
    key_file = workdir / "pseudonyms.yaml"
    scan = bench_whole("pseudonym_scan", "pseudonyms scan of every transcript into a key "
                       "file (whole process)", runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "pseudonyms", "scan",
                                  "--into", str(key_file)],
                       prepare=lambda i: key_file.unlink(missing_ok=True))
    pseudo = workdir / "pseudonymised.db"
    for p in workdir.glob("pseudonymised.db*"):
        p.unlink()
    shutil.copy(coded, pseudo)
    qc(pseudo, "pseudonyms", "import", key_file)
    entries = key_file.read_text(encoding="utf-8").count("- original:")
    report_path = workdir / "rapport-pseudonymisert.docx"
    word = bench_whole("word_report_pseudonymised", f"Word report, every area, with a "
                       f"{entries}-entry pseudonym key (whole process)", runs,
                       lambda i: [*qualcode_cmd(), "-p", str(pseudo), "export", "report",
                                  str(report_path)])
    return [scan, word]


def bench_coding_writes(project: Path | str, n: int) -> Result:
    """p50/p99 of single coding writes, each its own transaction, as the workbench does."""
    from qualcode.services.coding_ops import add_coding
    from qualcode.services.overview import list_transcripts
    from qualcode.services.project import open_project

    store = open_project(project)
    names = [t["name"] for t in list_transcripts(store)]
    times = []
    codes = ["RAM.tidstyver_admin", "LED.forankring_eier", "NET.radgivernettverk"]
    for i in range(n):
        name = names[i % len(names)]
        start = (i * 997) % 20_000
        times.append(timed(lambda name=name, start=start, code=codes[i % 3]: add_coding(
            store, name, code, "bench", start, start + 200)))
    store.close()
    times.sort()
    result = Result("coding_write_p99", f"single coding write, p99 of {n}", "s",
                    runs=[times[int(len(times) * 0.99) - 1]])
    result.extra = {"p50": times[len(times) // 2], "p99": times[int(len(times) * 0.99) - 1],
                    "max": times[-1]}
    return result


MATRIX_SQL = """
SELECT top.code_id AS area, person.role AS rolle, site_attribute.value_text AS skoleslag,
       count(DISTINCT coding.pk) AS refs
FROM coding
JOIN code AS c ON c.pk = coding.code_pk
JOIN code AS top ON top.pk = coalesce(c.parent_pk, c.pk)
JOIN turn ON turn.transcript_pk = coding.transcript_pk
         AND turn.start < coding."end" AND turn."end" > coding.start
JOIN participation ON participation.pk = turn.participation_pk
JOIN person ON person.pk = participation.person_pk
JOIN site_attribute ON site_attribute.site_pk = person.site_pk
                   AND site_attribute.name = 'skoleslag'
WHERE coding.origin != 'suggested'
GROUP BY area, rolle, skoleslag
"""


def _warm_readers(corpus: Path, kind: str) -> None:
    """Read one file first, so that the modules the readers load when first needed (numpy
    for the word counts, the YAML parser …) are loaded before an in-process timing: loading
    them is the whole command's cost, timed as such."""
    from qualcode.importers import read_transcript

    read_transcript(min((corpus / kind).glob(f"*.{kind}")))


def bench_import_in_process(workdir: Path, corpus: Path, kind: str, runs: int) -> Result:
    """The import service called directly: the cost without interpreter start-up."""
    from qualcode.services.ingest import import_transcripts
    from qualcode.services.project import open_project

    _warm_readers(corpus, kind)
    result = Result(f"import_{kind}_in_process",
                    f"import the .{kind} transcripts (in-process, service call)", "s")
    for _ in range(runs):
        path = fresh_project(workdir, "inproc", corpus)
        store = open_project(path)
        result.runs.append(timed(lambda store=store: import_transcripts(
            store, [corpus / kind])))
        store.close()
    return result


def bench_reanchor(workdir: Path, corpus: Path, runs: int) -> list[Result]:
    """A corrected long interview comes back with ``import --replace``: the corpus's talk
    joined into one transcript of about 50,000 words, every fifth turn coded, then 60
    typos fixed all through it and a question added at the top, so every coding moves.
    Timed: the alignment of old and new text alone, and the whole replace (in-process:
    re-parsing, re-anchoring, writing and auditing every moved coding)."""
    import random

    from sqlmodel import select

    from qualcode.domain.realign import align
    from qualcode.services.coding_ops import add_codings
    from qualcode.services.ingest import import_transcripts
    from qualcode.services.project import open_project
    from qualcode.store.models import Transcript, Turn

    bodies, words = [], 0
    for path in sorted((corpus / "txt").glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("---\n", 2)[-1]
        bodies.append(body)
        words += len(body.split())
        if words >= 50_000:
            break
    corrected = "\n".join(bodies)
    rng = random.Random(15)
    typos = list(corrected)
    for at in rng.sample(range(len(typos) - 1), 60):  # two letters swapped: a typo
        if typos[at].isalpha() and typos[at + 1].isalpha():
            typos[at], typos[at + 1] = typos[at + 1], typos[at]
    old = "".join(typos)
    new = "Intervjuer: Først, hva er rollen din på skolen?\n" + corrected
    folder = workdir / "reanchor"
    folder.mkdir(exist_ok=True)
    transcript = folder / "lang_intervju.txt"
    transcript.write_text(old, encoding="utf-8")
    template = fresh_project(workdir, "reanchor", corpus)
    store = open_project(template)
    import_transcripts(store, [transcript])
    with store.read() as session:
        t_pk = session.exec(select(Transcript.pk)).one()
        spans = [("lang_intervju", start, end) for idx, start, end in session.exec(
            select(Turn.idx, Turn.start, Turn.end).where(Turn.transcript_pk == t_pk))
            if idx % 5 == 0 and end > start]
    add_codings(store, spans, "LED", "anna")
    store.close()

    aligned = Result("reanchor_align", f"align a {words}-word transcript with its corrected "
                     "text (in-process)", "s")
    text_old, text_new = old, new
    for _ in range(runs):
        aligned.runs.append(timed(lambda: align(text_old, text_new)))
    replaced = Result("reanchor_replace", f"import --replace of that transcript, "
                      f"{len(spans)} codings re-anchored (in-process)", "s")
    project = workdir / "reanchor-run.db"
    for _ in range(runs):
        for p in workdir.glob("reanchor-run.db*"):
            p.unlink()
        shutil.copy(template, project)
        transcript.write_text(new, encoding="utf-8")
        store = open_project(project)
        report = None

        def run(store=store):
            nonlocal report
            report = import_transcripts(store, [transcript], replace=True)

        replaced.runs.append(timed(run))
        store.close()
        transcript.write_text(old, encoding="utf-8")
    replaced.extra = {"words": words, "codings": len(spans), "moved": len(report.moved)}
    return [aligned, replaced]


def bench_import_limit(workdir: Path, corpus: Path, kind: str, runs: int) -> Result:
    """The limit probe: a minimal import of the same files in this process, written by hand.
    Read each file, drop its front matter, NFC, hash, split into speaker turns with
    qualcode's own parser (words counted per turn), and insert transcripts, speakers and
    turns with the standard library's sqlite3 into an empty project (the schema's indexes
    in place), in one transaction. No metadata, no checks, no audit log, one core: what
    any importer of these files must at least do. ``kind`` txt only (reading .docx is the
    reader's own cost)."""
    import hashlib
    import unicodedata
    from datetime import datetime, timezone

    from qualcode.importers.speakers import read_turns

    _warm_readers(corpus, kind)
    files = sorted((corpus / kind).glob(f"*.{kind}"))
    result = Result(f"import_{kind}_limit", f"limit probe: minimal import of the .{kind} "
                    "files (read, NFC, hash, turns, sqlite3 insert; in-process)", "s")

    def minimal(path: Path) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        turn_rows = []
        for file in files:
            data = file.read_bytes()
            text = data.decode("utf-8")
            if text.startswith("---\n"):
                text = text[text.index("\n---\n", 4) + 5:]
            text = unicodedata.normalize("NFC", text).strip("\n")
            reading = read_turns(text)
            t_pk = conn.execute(
                "INSERT INTO transcript (name, source_file, source_format, text, text_sha256, "
                "source_sha256, n_words, imported_at, segmented) VALUES (?, ?, ?, ?, ?, ?, ?, "
                "?, 0)", (file.stem, file.name, kind, text,
                          hashlib.sha256(text.encode("utf-8")).hexdigest(),
                          hashlib.sha256(data).hexdigest(),
                          sum(t.n_words for t in reading.turns), stamp)).lastrowid
            speakers: dict[str, int] = {}
            for turn in reading.turns:
                if turn.label not in speakers:
                    speakers[turn.label] = conn.execute(
                        "INSERT INTO participation (transcript_pk, label) VALUES (?, ?)",
                        (t_pk, turn.label)).lastrowid
                turn_rows.append((t_pk, turn.index, speakers[turn.label], turn.start,
                                  turn.end, turn.n_words))
        conn.executemany('INSERT INTO turn (transcript_pk, idx, participation_pk, start, "end", '
                         "n_words) VALUES (?, ?, ?, ?, ?, ?)", turn_rows)
        conn.execute("COMMIT")
        conn.close()

    for _ in range(runs):
        path = workdir / "limit.db"
        for p in workdir.glob("limit.db*"):
            p.unlink()
        qc(path, "init")
        start_cpu = time.process_time()
        result.runs.append(timed(lambda path=path: minimal(path)))
        result.extra.setdefault("cpu", []).append(time.process_time() - start_cpu)
    return result


def bench_qdpx_import(workdir: Path, coded: Path, size: dict, n_codings: int, runs: int,
                      results: list[Result]) -> Result:
    """The coded project exported as .qdpx (not timed) and imported whole into an empty
    project: transcripts, codebook, attributes and codings in one command. Compared with
    what it replaces, the .txt import plus the coding import (the ratio's target: < 2)."""
    qdpx = workdir / "coded.qdpx"
    qc(coded, "export", "qdpx", qdpx)
    project = workdir / "qdpx.db"

    def new_empty(i: int) -> None:
        for p in [*workdir.glob("qdpx.db*"), workdir / "coded.codebook.yaml"]:
            p.unlink(missing_ok=True)
        qc(project, "init")

    result = bench_whole(
        "import_qdpx", f"import the project's own .qdpx: {size['transcripts']} transcripts, "
        f"codebook, attributes, {n_codings} codings (whole process)", runs,
        lambda i: [*qualcode_cmd(), "-p", str(project), "import", str(qdpx)],
        prepare=new_empty)
    done = {r.name: r.median for r in results}
    if "import_txt" in done and "coding_import" in done:
        baseline = done["import_txt"] + done["coding_import"]
        result.extra = {"txt_plus_coding_import": baseline,
                        "ratio": result.median / baseline}
        print(f"    .txt import + coding import: {baseline:.3f} s; .qdpx import is "
              f"{result.median / baseline:.2f} times that (target < 2)", flush=True)
    return result


def bench_imports(workdir: Path, corpus: Path, size: dict, runs: int,
                  qualcoder: tuple[str, str] | None = None) -> list[Result]:
    """The imports as a user runs them, whole processes into fresh projects: the .txt
    transcripts, the .docx transcripts (when the corpus has them), the limit probe of the
    .txt import (in-process, one core) and the coding import into a copy of the imported
    .txt project. Interleaved run by run, each noting its CPU seconds (user + system, the
    parsing workers included), its peak memory (GNU time) and the load average before it:
    on a shared machine the wall time says more about the neighbours. With ``qualcoder``
    (its interpreter and source folder), QualCoder's own import of the same .txt files
    runs in each round too, right after the probe (``peers/qualcoder_import.py``)."""
    txt, docx, coded = workdir / "txt.db", workdir / "docx.db", workdir / "coded.db"
    n_codings = _lines(corpus / "codings.csv") - 1
    steps = [("import_txt", f"import {size['transcripts']} .txt transcripts (whole process)",
              lambda: fresh_project(workdir, "txt", corpus),
              lambda: [*qualcode_cmd(), "-p", str(txt), "import", str(corpus / "txt")])]
    if (corpus / "docx").is_dir():
        steps.append(("import_docx", f"import {size['transcripts']} .docx transcripts "
                      "(whole process)", lambda: fresh_project(workdir, "docx", corpus),
                      lambda: [*qualcode_cmd(), "-p", str(docx), "import",
                               str(corpus / "docx")]))

    def copy_txt() -> None:
        for p in workdir.glob("coded.db*"):
            p.unlink()
        shutil.copy(txt, coded)

    steps.append(("coding_import", f"coding import, {n_codings} codings (whole process)",
                  copy_txt, lambda: [*qualcode_cmd(), "-p", str(coded), "coding", "import",
                                     str(corpus / "codings.csv")]))
    results = {name: Result(name, what, "s", extra={"cpu_s": [], "load_1min": []})
               for name, what, _, _ in steps}
    peaks: dict[str, list] = {name: [] for name, _, _, _ in steps}
    probe = Result("import_txt_limit", "limit probe: minimal import of the .txt files (read, "
                   "NFC, hash, turns, sqlite3 insert; in-process)", "s",
                   extra={"cpu": [], "load_1min": []})
    peer = Result("qualcoder_import_txt", f"QualCoder: import {size['transcripts']} .txt "
                  "transcripts (whole process: start, then the file manager's import)", "s",
                  extra={"cpu_s": [], "start_cpu": [], "import_cpu": [], "import_wall": [],
                         "load_1min": []})
    for _ in range(runs):
        for name, _, prepare, command in steps:
            prepare()
            load = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds, peak = run_process(command())
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            results[name].runs.append(seconds)
            results[name].extra["cpu_s"].append(round(after.ru_utime + after.ru_stime
                                                      - before.ru_utime - before.ru_stime, 2))
            results[name].extra["load_1min"].append(round(load, 2))
            peaks[name].append(peak)
            if name == "import_txt":  # the probe in the same round, right after
                probe.extra["load_1min"].append(round(os.getloadavg()[0], 2))
                one = bench_import_limit(workdir, corpus, "txt", 1)
                probe.runs.extend(one.runs)
                probe.extra["cpu"].extend(round(c, 2) for c in one.extra["cpu"])
                if qualcoder:
                    bench_qualcoder_import(workdir, corpus, qualcoder, peer)
    for name, result in results.items():
        if all(p is not None for p in peaks[name]):
            result.peak_mb = max(peaks[name])
    ordered = list(results.values())
    ordered.insert(1, probe)
    if qualcoder:
        ordered.insert(2, peer)
    return ordered


def bench_qualcoder_import(workdir: Path, corpus: Path, qualcoder: tuple[str, str],
                          peer: Result) -> None:
    """One run of QualCoder's import of the corpus's .txt files, as a whole process: its
    CPU seconds, and the start's and the import's parts as the driver reports them."""
    python, source = qualcoder
    peer.extra["load_1min"].append(round(os.getloadavg()[0], 2))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([python, str(HERE / "peers" / "qualcoder_import.py"), source,
                           str(corpus / "txt"), str(workdir / "qualcoder")],
                          capture_output=True, text=True)
    peer.runs.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"QualCoder's import failed:\n{proc.stderr}")
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    peer.extra["cpu_s"].append(round(after.ru_utime + after.ru_stime - before.ru_utime
                                     - before.ru_stime, 2))
    for key in ("start_cpu", "import_cpu", "import_wall"):
        peer.extra[key].append(found[key])


def _lines(path: Path) -> int:
    """Line ends in a file, read in blocks (a coding file of 2 000 schools is 90 MB)."""
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


def bench_merge(workdir: Path, transcripts_only: Path, coded: Path, runs: int
                ) -> list[Result]:
    """`qualcode merge`: the coded project brought into a copy that has the transcripts
    but no codings, as a supervisor merges a coder's laptop: one coder's layer, both
    layers, and the same copy merged again (nothing changes). The three are interleaved
    run by run, and each run notes its CPU seconds and the load average before it, since
    wall time on a shared machine says more about the machine than the merge."""
    import resource

    with sqlite3.connect(coded) as db:
        layers = dict(db.execute("SELECT o.name, count(*) FROM coding c JOIN coder o "
                                 "ON o.pk = c.coder_pk GROUP BY o.name ORDER BY 2"))
    first = next(iter(layers))
    target = workdir / "merged.db"
    variants = [
        ("merge_one_layer", f"merge one coder's layer ({first}, {layers[first]} codings) "
                            "into a copy without codings (whole process)", ["--coder", first]),
        ("merge_all_layers", f"merge both coders' layers ({sum(layers.values())} codings) "
                             "into a copy without codings (whole process)", []),
        ("merge_again", "merge the same copy again: nothing changes (whole process)", []),
    ]
    results = {name: Result(name, what, "s", extra={"cpu_s": [], "load_1min": []})
               for name, what, _ in variants}
    peaks: dict[str, list] = {name: [] for name, _, _ in variants}
    for _ in range(runs):
        for name, _, options in variants:
            if name != "merge_again":
                for p in workdir.glob("merged.db*"):
                    p.unlink()
                shutil.copy(transcripts_only, target)
            load = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds, peak = run_process([*qualcode_cmd(), "-p", str(target), "merge",
                                         str(coded), *options])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            result = results[name]
            result.runs.append(seconds)
            result.extra["cpu_s"].append(round(after.ru_utime + after.ru_stime
                                               - before.ru_utime - before.ru_stime, 2))
            result.extra["load_1min"].append(round(load, 2))
            peaks[name].append(peak)
    for name, result in results.items():
        if all(p is not None for p in peaks[name]):
            result.peak_mb = max(peaks[name])
    return list(results.values())


def bench_workbench(project: Path, runs: int, applies: int) -> list[Result]:
    """The workbench headless (Textual's pilot, 120×40): open the longest transcript until
    every turn is mounted, then apply codes with the Enter key (write + redraw)."""
    import asyncio

    from qualcode.cli import workbench
    from qualcode.services.overview import list_transcripts
    from qualcode.services.project import open_project

    store = open_project(project)
    longest = max(list_transcripts(store), key=lambda t: t["words"])
    opened = Result("workbench_open", f"workbench: open {longest['name']} "
                    f"({longest['words']} words) until all turns are mounted", "s")
    applied = Result("workbench_apply_p99", f"workbench: apply a code, write + redraw, "
                     f"p99 of {applies}", "s")
    per_apply: list[float] = []
    idle: list[float] = []

    async def session(measure_applies: bool) -> None:
        start = time.perf_counter()
        app = workbench.create_app(store, longest["name"], "bench-tui")
        async with app.run_test(size=(120, 40)) as pilot:
            while len(app.query("TurnView")) < len(app.model.turns):
                await pilot.pause()
            opened.runs.append(time.perf_counter() - start)
            if not measure_applies:
                return
            code = next(c for c in app.model.codes.values()
                        if c.parent and not c.archived).id
            for _ in range(applies):
                await pilot.press("j")
                await pilot.pause()
                t0 = time.perf_counter()
                await pilot.pause()  # the pilot's own wait for an idle screen: the floor
                idle.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                app.apply_code(code)  # what Enter on the tree or a digit key calls
                await pilot.pause()
                per_apply.append(time.perf_counter() - t0)

    for i in range(runs):
        asyncio.run(session(measure_applies=(i == runs - 1)))
    store.close()
    per_apply.sort()
    if per_apply:
        applied.runs = [per_apply[max(int(len(per_apply) * 0.99) - 1, 0)]]
        applied.extra = {"p50": per_apply[len(per_apply) // 2], "max": per_apply[-1],
                         "pilot_idle_wait_p50": statistics.median(idle)}
    return [opened, applied] if per_apply else [opened]


def bench_matrix_in_process(project: Path, runs: int) -> Result:
    """The matrix service alone, as a running program (the workbench, a report) calls it."""
    from qualcode.services import matrix
    from qualcode.services.project import open_project

    store = open_project(project)
    result = Result("matrix_in_process", "matrix all codes × rolle × skoleslag "
                    "(in-process, service call)", "s")
    for _ in range(runs):
        result.runs.append(timed(lambda: matrix.build_matrix(
            store, rows=["all"], columns=["rolle", "skoleslag"], words=False)))
    store.close()
    return result


def bench_matrix_sql(project: Path, runs: int) -> Result:
    """The raw-SQL baseline for codes × rolle × skoleslag (references per cell)."""
    result = Result("matrix_sql_baseline", "baseline: hand-written SQL matrix "
                    "(areas × rolle × skoleslag)", "s")
    for _ in range(runs):
        conn = sqlite3.connect(project)
        result.runs.append(timed(lambda conn=conn: conn.execute(MATRIX_SQL).fetchall()))
        conn.close()
    return result


def bench_spacy_tokenise(corpus: Path, sample_chars: int) -> Result:
    """spaCy blank('nb') tokenisation, seconds per million characters (on a sample)."""
    import spacy

    nlp = spacy.blank("nb")
    texts, total = [], 0
    for path in sorted((corpus / "txt").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        total += len(text)
        if total >= sample_chars:
            break
    seconds = timed(lambda: [len(doc) for doc in nlp.pipe(texts, batch_size=16)])
    per_million = seconds / (total / 1e6)
    result = Result("spacy_tokenise_per_mchar", "baseline: spaCy blank('nb') tokenise, "
                    "s per million characters", "s/Mchar", runs=[per_million])
    result.extra = {"sample_characters": total}
    return result


def postgres_database(admin_url: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``admin_url``; its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def bench_postgres(admin_url: str, corpus: Path, size: dict, runs: int, writes: int
                   ) -> list[Result]:
    """The main operations on a PostgreSQL project (a team's shared database, on this
    machine over TCP): import, coding import, quotes, matrix, status, agreement, writes."""
    n = size["transcripts"]

    def fresh(i: int = 0, *, with_transcripts: bool = False) -> str:
        url = postgres_database(admin_url, "qualcode_bench")
        qc(url, "init")
        qc(url, "codebook", "load", CODEBOOK)
        qc(url, "attributes", "import", corpus / "attributes.yaml")
        if with_transcripts:
            qc(url, "import", corpus / "txt")
        return url

    url = admin_url.rsplit("/", 1)[0] + "/qualcode_bench"
    out = [bench_whole("pg_import_txt", f"PostgreSQL: import {n} .txt transcripts "
                       "(whole process)", runs,
                       lambda i: [*qualcode_cmd(), "-p", url, "import", str(corpus / "txt")],
                       prepare=fresh)]
    out.append(bench_whole("pg_coding_import", "PostgreSQL: coding import (whole process)",
                           runs, lambda i: [*qualcode_cmd(), "-p", url, "coding", "import",
                                            str(corpus / "codings.csv")],
                           prepare=lambda i: fresh(i, with_transcripts=True)))
    for name, what, args in [
            ("pg_quotes_one_code", "PostgreSQL: quotes for one code (whole process, JSON)",
             ["quotes", "RAM.tidstyver_admin", "--format", "json"]),
            ("pg_matrix_role_schooltype", "PostgreSQL: matrix all codes × rolle × skoleslag "
             "(whole process, CSV)", ["matrix", "--rows", "all", "--cols", "rolle", "--cols",
                                      "skoleslag", "--format", "csv"]),
            ("pg_status", "PostgreSQL: qualcode status (whole process)", ["status"]),
            ("pg_agreement_report", "PostgreSQL: agreement anna vs bjorn, 1 000 bootstrap "
             "resamples (whole process, JSON)",
             ["agreement", "--coders", "anna,bjorn", "--format", "json"])]:
        out.append(bench_whole(name, what, runs,
                               lambda i, args=args: [*qualcode_cmd(), "-p", url, *args]))
    written = bench_coding_writes(url, writes)
    written.name, written.what = "pg_coding_write_p99", f"PostgreSQL: {written.what}"
    out.append(written)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=8)
    parser.add_argument("--corpus", type=Path, help="an existing corpus from make_corpus.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--writes", type=int, default=300, help="single coding writes")
    parser.add_argument("--smoke", action="store_true",
                        help="CI smoke run: 8 schools, one run each")
    parser.add_argument("--workdir", type=Path, help="where projects are built (temporary)")
    parser.add_argument("--postgres", metavar="URL",
                        help="also time a PostgreSQL project on this server (a URL whose "
                             "role may create databases; the database qualcode_bench is "
                             "dropped and made anew)")
    parser.add_argument("--qualcoder", nargs=2, metavar=("PYTHON", "SOURCE"),
                        help="with --only imports: also time QualCoder's import of the "
                             "same .txt files, run by PYTHON (with QualCoder's requirements) "
                             "from SOURCE (the folder holding its qualcoder package)")
    parser.add_argument("--only", choices=["merge", "imports"],
                        help="time only this (its projects are built first, untimed); "
                             "imports: the .txt, .docx and coding imports and the limit "
                             "probe, interleaved run by run, with CPU, peak memory and load")
    args = parser.parse_args()
    if args.smoke:
        args.schools, args.runs, args.writes = 8, 1, 50

    corpus = ensure_corpus(args.schools, args.corpus)
    # An installed qualcode has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE would compile every module in every timed process instead.
    import compileall

    compileall.compile_dir(ROOT / "qualcode", quiet=1)
    size = corpus_size(corpus)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="qualcode-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"corpus: {corpus} — {size['transcripts']} transcripts, "
          f"{size['characters'] / 1e6:.1f} million characters; runs: {args.runs}", flush=True)
    results: list[Result] = []

    def report(result: Result) -> None:
        results.append(result)
        cpu = result.extra.get("cpu_s")
        busy = f" (CPU {statistics.median(cpu):.3f})" if cpu else ""
        print(f"  {result.what}: {result.median:.3f}{busy}", flush=True)

    if args.only == "imports":
        for result in bench_imports(workdir, corpus, size, args.runs, args.qualcoder):
            report(result)
            extra = result.extra
            print(f"    CPU s {extra.get('cpu_s', extra.get('cpu'))}, peak MB "
                  f"{result.peak_mb and round(result.peak_mb)}, load average before each "
                  f"run {extra['load_1min']}", flush=True)
        done = {r.name: r for r in results}
        for run in range(args.runs):
            cpu = done["import_txt"].extra["cpu_s"][run]
            probe = done["import_txt_limit"].extra["cpu"][run]
            line = (f"    round {run + 1}: .txt import / limit probe, CPU {cpu / probe:.2f} "
                    "(target ≤ 2)")
            if "import_docx" in done:
                docx = done["import_docx"].extra["cpu_s"][run]
                line += f"; .docx / .txt import, CPU {docx / cpu:.2f} (target ≤ 1.5)"
            if "qualcoder_import_txt" in done:
                peer = done["qualcoder_import_txt"].extra
                line += (f"; .txt import / QualCoder's, CPU {cpu / peer['cpu_s'][run]:.2f} "
                         f"(target ≤ 0.5), / QualCoder's import alone (its start left out) "
                         f"{cpu / peer['import_cpu'][run]:.2f}")
            print(line, flush=True)
        finish(results, args, size, workdir)
        return

    if args.only == "merge":
        txt_project, coded = workdir / "txt.db", workdir / "coded.db"
        fresh_project(workdir, "txt", corpus)
        qc(txt_project, "import", corpus / "txt")
        shutil.copy(txt_project, coded)
        qc(coded, "coding", "import", corpus / "codings.csv")
        for result in bench_merge(workdir, txt_project, coded, args.runs):
            report(result)
            print(f"    CPU s {result.extra['cpu_s']}, load average before each run "
                  f"{result.extra['load_1min']}", flush=True)
        finish(results, args, size, workdir)
        return

    report(bench_whole("help", "qualcode --help (whole process)", args.runs,
                       lambda i: [*qualcode_cmd(), "--help"]))

    txt_project = workdir / "txt.db"
    report(bench_whole(
        "import_txt", f"import {size['transcripts']} .txt transcripts (whole process)",
        args.runs,
        lambda i: [*qualcode_cmd(), "-p", str(txt_project), "import", str(corpus / "txt")],
        prepare=lambda i: fresh_project(workdir, "txt", corpus)))
    if (corpus / "docx").is_dir():
        docx_project = workdir / "docx.db"
        report(bench_whole(
            "import_docx", f"import {size['transcripts']} .docx transcripts (whole process)",
            args.runs,
            lambda i: [*qualcode_cmd(), "-p", str(docx_project), "import", str(corpus / "docx")],
            prepare=lambda i: fresh_project(workdir, "docx", corpus)))

    report(bench_import_in_process(workdir, corpus, "txt", args.runs))
    report(bench_import_limit(workdir, corpus, "txt", args.runs))
    done = {r.name: r.median for r in results}
    # Like with like: the probe runs in this process, so the import's ratio is taken
    # in-process too; the whole command adds the interpreter's start and its modules
    # (about 0.5 s), which outweigh a small corpus's import.
    ratio = done["import_txt_in_process"] / done["import_txt_limit"]
    print(f"    .txt import (in-process) / limit probe: {ratio:.2f} (target ≤ 2); whole "
          f"process / limit probe: {done['import_txt'] / done['import_txt_limit']:.2f}",
          flush=True)

    cb_project = workdir / "codebook.db"

    def new_empty(i: int) -> None:
        for p in workdir.glob("codebook.db*"):
            p.unlink()
        qc(cb_project, "init")

    report(bench_whole("codebook_load", "codebook load, 116 codes (whole process)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(cb_project), "codebook", "load",
                                  str(CODEBOOK)], prepare=new_empty))

    # coding import into copies of the imported .txt project
    coded = workdir / "coded.db"

    def copy_txt(i: int) -> None:
        for p in workdir.glob("coded.db*"):
            p.unlink()
        shutil.copy(txt_project, coded)

    n_codings = (corpus / "codings.csv").read_text(encoding="utf-8").count("\n") - 1
    report(bench_whole("coding_import", f"coding import, {n_codings} codings (whole process)",
                       args.runs, lambda i: [*qualcode_cmd(), "-p", str(coded), "coding",
                                             "import", str(corpus / "codings.csv")],
                       prepare=copy_txt))

    report(bench_qdpx_import(workdir, coded, size, n_codings, args.runs, results))
    for result in bench_reanchor(workdir, corpus, args.runs):
        report(result)
    for result in bench_merge(workdir, txt_project, coded, args.runs):
        report(result)
        print(f"    CPU s {result.extra['cpu_s']}, load average before each run "
              f"{result.extra['load_1min']}", flush=True)

    report(bench_whole("quotes_one_code", "quotes for one code, RAM.tidstyver_admin "
                       "(whole process, JSON)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "quotes",
                                  "RAM.tidstyver_admin", "--format", "json"]))
    report(bench_whole("quotes_area", "quotes for a whole area, RAM and its 12 sub-codes "
                       "(whole process, JSON)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "quotes", "RAM",
                                  "--format", "json"]))
    report(bench_whole("status", "qualcode status on the coded project (whole process)",
                       args.runs, lambda i: [*qualcode_cmd(), "-p", str(coded), "status"]))
    # The counts a user asks for first, as the terminal shows them (a table, every layer).
    report(bench_whole("frequencies", "frequencies of every code, each coder and the union "
                       "(whole process, table)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "frequencies"]))
    report(bench_whole("codebook_show", "codebook show, the code tree with coding counts "
                       "(whole process, table)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "codebook", "show"]))
    matrix_args = ["matrix", "--rows", "all", "--cols", "rolle", "--cols", "skoleslag",
                   "--format", "csv"]
    report(bench_whole("matrix_role_schooltype", "matrix all codes × rolle × skoleslag, "
                       "references (whole process, CSV)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), *matrix_args]))
    report(bench_matrix_in_process(coded, args.runs))
    report(bench_matrix_sql(coded, args.runs))
    report(bench_whole("cooccur", "co-occurrence of all codes by span (whole process, CSV)",
                       args.runs, lambda i: [*qualcode_cmd(), "-p", str(coded), "cooccur",
                                             "--rows", "all", "--format", "csv"]))
    report(bench_whole("query_three_codes", "query (LED OR RAM) AND KOM AND skoleslag = "
                       "videregående (whole process, CSV)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "query",
                                  "(LED OR RAM) AND KOM AND skoleslag = videregående",
                                  "--format", "csv"]))
    report(bench_whole("words_by_role", "words --by rolle over informant turns (whole "
                       "process, CSV)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "words", "--by", "rolle",
                                  "--format", "csv"]))
    report(bench_whole("agreement_report", "agreement anna vs bjorn per code, char unit, "
                       "1 000 bootstrap resamples (whole process, JSON)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "agreement", "--coders",
                                  "anna,bjorn", "--format", "json"]))
    report(bench_whole("agreement_areas", "agreement anna vs bjorn per code and per code "
                       "family (--areas), char unit, 1 000 bootstrap resamples (whole process, "
                       "JSON)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "agreement", "--coders",
                                  "anna,bjorn", "--areas", "--format", "json"]))
    report_path = workdir / "rapport.docx"
    report(bench_whole("word_report_no_figures", "Word report, every area, --no-figures "
                       "(whole process)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "export", "report",
                                  str(report_path), "--no-figures"]))
    no_figures = results[-1]
    report(bench_whole("word_report", "Word report, every area, with its figures (whole "
                       "process)", args.runs,
                       lambda i: [*qualcode_cmd(), "-p", str(coded), "export", "report",
                                  str(report_path)]))
    plain_report = results[-1]
    print(f"    report with figures / without: {plain_report.median / no_figures.median:.2f} "
          f"(target < {FIGURES_REPORT_RATIO})", flush=True)
    for result in bench_pseudonyms(workdir, coded, args.runs):
        report(result)
    ratio = results[-1].median / plain_report.median
    print(f"    pseudonymised report / plain report: {ratio:.2f} "
          f"(target ≤ {PSEUDONYMISED_REPORT_RATIO})", flush=True)
    for result in bench_workbench(coded, args.runs, 20 if args.smoke else 100):
        report(result)
        if "p50" in result.extra:
            print(f"    p50 {result.extra['p50'] * 1000:.0f} ms, of which the test pilot's own "
                  f"idle wait {result.extra['pilot_idle_wait_p50'] * 1000:.0f} ms", flush=True)
    writes = bench_coding_writes(coded, args.writes)
    report(writes)
    print(f"    p50 {writes.extra['p50'] * 1000:.1f} ms, p99 {writes.extra['p99'] * 1000:.1f} ms",
          flush=True)
    report(bench_spacy_tokenise(corpus, 1_000_000 if args.smoke else 3_000_000))
    if args.postgres:
        for result in bench_postgres(args.postgres, corpus, size, args.runs, args.writes):
            report(result)
            if "p50" in result.extra:
                print(f"    p50 {result.extra['p50'] * 1000:.1f} ms, "
                      f"p99 {result.extra['p99'] * 1000:.1f} ms", flush=True)

    finish(results, args, size, workdir)


def finish(results: list[Result], args, size: dict, workdir: Path) -> None:
    """The table, the JSON file, and the temporary projects removed."""
    print("\n| operation | median s | spread | peak MB | target (200 schools) |")
    print("|---|---|---|---|---|")
    for result in results:
        print(result.row())
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"schools-{args.schools}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({
        "corpus": {**size, "schools": args.schools},
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "results": [asdict(r) | {"median": r.median} for r in results],
    }, indent=2, ensure_ascii=False))
    print(f"\nwritten: {out}")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
