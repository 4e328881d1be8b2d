"""`make bench`: the performance benchmark of the KAM dashboard (issue 7).

Generates (or reuses) 1M- and 10M-line demo databases in bench/data, then
measures, side by side, the analysis paths, the naive pandas baseline
(bench/baseline.py), imports and the first render of every page, each
operation in its own subprocess so its peak memory (VmHWM) can be read.
Prints a Markdown table and writes it to bench/results.md.

    .venv/bin/python bench/run.py [--quick] [--skip-pages] [--repeat N] [--50m] [--profile]

See bench/README.md for what is measured and the targets.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results.md"
LOG = DATA / "bench.log"
RETAIL = Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail" / "online_retail.csv.gz"
GEN = {"clients": 20000, "years": 3, "end": "2026-10", "seed": 1}
LINES = {"1m": 1_000_000, "10m": 10_000_000, "50m": 50_000_000}
AS_OF = date(2026, 10, 31)            # last day of GEN["end"]: the default as-of date of the app
CSV_COLUMNS = ("txn_id", "client_id", "date", "revenue", "order_id", "product", "category", "quantity",
               "cost", "promised_date", "delivered_date")
XLSX_ROWS = 100_000
MEMORY_MB = 600
SLOW_PAGE_S = 5.0                     # a page slower than this on its first run is measured once (time budget)
RESULT_TAG = "@@RESULT "

# operation -> (target seconds or None, memory target applies)
TARGETS = {
    "full_raw": 1.2, "asof": 0.3, "filter": 0.3, "threshold": 0.010, "risk": None, "baseline": None,
    "import_csv": 1.5, "import_xlsx": 3.0, "import_retail": 2.0, "page_first": 1.5, "page_interaction": 0.5,
}
SPEEDUP_MIN = 10.0


# =============================================================================== workers (subprocesses)

def _setup_path() -> None:
    for p in (str(ROOT), str(BENCH)):
        if p not in sys.path:
            sys.path.insert(0, p)


def _rss_mb() -> float:
    """Peak resident set size of this process so far, MB.

    VmHWM of /proc/self/status, not ru_maxrss: on Linux ru_maxrss survives fork + exec, so a
    worker would report its parent's peak when that is higher.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Start VmHWM afresh (Linux: ``5`` to /proc/self/clear_refs), so a round's peak is its own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _profiled(spec: dict, name: str, fn) -> None:
    """Run ``fn`` once more under cProfile and save the top functions (``--profile``)."""
    if not spec.get("profile"):
        return
    import cProfile
    import io
    import pstats
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(35)
    (DATA / "profiles").mkdir(parents=True, exist_ok=True)
    (DATA / "profiles" / f"{name}.txt").write_text(out.getvalue(), encoding="utf-8")


class _Rollback(Exception):
    """Raised inside Store.transaction() to roll the measured rebuild back."""


def w_generate(spec: dict) -> dict:
    from kamcore import demo
    t = time.perf_counter()
    counts = demo.generate(spec["path"], lines=spec["lines"], **GEN)
    return {"times": [time.perf_counter() - t], "info": {"counts": counts}}


def w_full_raw(spec: dict) -> dict:
    """The full analysis straight from the transaction lines: one pass over them (no stored aggregate) + classify.

    As the other analysis rows, after one unmeasured round on the same connection (the table's blocks read
    from the file); the result is checked against the aggregate path."""
    from kamcore.analytics import analysis as an
    from kamcore.db.store import open_store
    store = open_store(spec["db"], read_only=True)
    as_of = date.fromisoformat(spec["as_of"])
    times, split = [], []

    def once():
        t0 = time.perf_counter()
        inputs = an.load_inputs_from_lines(store, as_of)
        t1 = time.perf_counter()
        result = an.classify(inputs)
        t2 = time.perf_counter()
        return result, (t0, t1, t2)

    once()
    for _ in range(spec["repeat"]):
        result, (t0, t1, t2) = once()
        times.append(t2 - t0)
        split.append((t1 - t0, t2 - t1))
    _profiled(spec, "full_raw", once)
    fast = an.analyze(store, as_of).clients.set_index("client_id")
    raw = result.clients.set_index("client_id")
    same = fast.index.equals(raw.index) and all((fast[c] == raw[c]).all() for c in ("abc", "xyz", "key", "types"))
    store.close()
    med = lambda i: statistics.median(s[i] for s in split)  # noqa: E731
    return {"times": times, "info": {"load_from_lines_s": med(0), "classify_s": med(1),
                                     "same_classes_as_aggregates": bool(same)}}


def w_rebuild(spec: dict) -> dict:
    """Rebuild client_day, client_key and client_month of every client from the lines, inside a transaction
    rolled back (on a copy of the database)."""
    from kamcore.db.store import open_store
    src, work = Path(spec["db"]), DATA / "work_rebuild.duckdb"
    times = []

    def once(store):
        t0 = time.perf_counter()
        try:
            with store.transaction() as cur:
                store.refresh_client_day(cur)
                times.append(time.perf_counter() - t0)
                raise _Rollback
        except _Rollback:
            pass

    store = None
    for _ in range(spec["repeat"]):
        if store is not None:
            store.close()
        _remove_db(work)
        shutil.copyfile(src, work)
        store = open_store(work)
        once(store)
    _profiled(spec, "rebuild", lambda: once(store))
    store.close()
    _remove_db(work)
    return {"times": times[:spec["repeat"]]}


def _months_back(d: date, k: int) -> date:
    from kamcore.analytics.window import add_months
    return add_months(d, -k)


def w_reanalysis(spec: dict) -> dict:
    """load_inputs + classify for a changed as-of date or region filter (nothing cached), warm database."""
    from kamcore.analytics import analysis as an
    from kamcore.db.store import open_store
    store = open_store(spec["db"])
    as_of = date.fromisoformat(spec["as_of"])
    an.analyze(store, as_of)                       # the page as it was before the change
    setup = _rss_mb()
    if spec["kind"] == "asof":
        cases = [(_months_back(as_of, k + 1), an.Filters()) for k in range(spec["repeat"])]
    else:
        regions = [r for r in store.sql("select distinct region from clients where region is not null "
                                        "order by 1")["region"]]
        cases = [(as_of, an.Filters(regions=(regions[k % len(regions)],))) for k in range(spec["repeat"])]
    times, split = [], []

    def once(day, filters):
        t0 = time.perf_counter()
        inputs = an.load_inputs(store, day, filters=filters)
        t1 = time.perf_counter()
        an.classify(inputs, filters=filters)
        t2 = time.perf_counter()
        return t0, t1, t2

    for day, filters in cases:
        t0, t1, t2 = once(day, filters)
        times.append(t2 - t0)
        split.append((t1 - t0, t2 - t1))
    _profiled(spec, spec["kind"], lambda: once(*cases[0]))
    store.close()
    return {"times": times, "setup_mb": setup,
            "info": {"load_inputs_s": statistics.median(s[0] for s in split),
                     "classify_s": statistics.median(s[1] for s in split)}}


def w_threshold(spec: dict) -> dict:
    """A threshold change as the app does it: analysis.relabel of the cached analysis (no database)."""
    from kamcore.analytics import analysis as an
    from kamcore.settings import ABC_PRESETS, DEFAULT
    from kamcore.db.store import open_store
    store = open_store(spec["db"])
    inputs = an.load_inputs(store, date.fromisoformat(spec["as_of"]))
    base = an.classify(inputs)
    setup = _rss_mb()
    presets = ["70/90", "50/80", "80/95"]
    times = []
    for k in range(spec["repeat"]):
        a, b = ABC_PRESETS[presets[k % len(presets)]]
        s = DEFAULT.with_(abc_a=a, abc_b=b)
        t0 = time.perf_counter()
        an.relabel(base, s)
        times.append(time.perf_counter() - t0)
    _profiled(spec, "threshold", lambda: an.relabel(base, DEFAULT.with_(abc_a=0.7, abc_b=0.9)))
    store.close()
    return {"times": times, "setup_mb": setup}


def w_risk(spec: dict) -> dict:
    """risk.assess_store for every client (BG/NBD fit included), warm database."""
    from kamcore.analytics import analysis as an
    from kamcore.analytics import risk
    from kamcore.db.store import open_store
    store = open_store(spec["db"])
    as_of = date.fromisoformat(spec["as_of"])
    an.analyze(store, as_of)
    setup = _rss_mb()
    times = []
    for _ in range(spec["repeat"]):
        t0 = time.perf_counter()
        out = risk.assess_store(store, as_of)
        times.append(time.perf_counter() - t0)
    _profiled(spec, "risk", lambda: risk.assess_store(store, as_of))
    store.close()
    return {"times": times, "setup_mb": setup, "info": {"clients": len(out)}}


def w_baseline(spec: dict) -> dict:
    """The naive pandas baseline including its load; then the class check against the fast path."""
    import baseline
    as_of = date.fromisoformat(spec["as_of"])
    times, split = [], []
    frame = summary = None
    for _ in range(spec["repeat"]):
        frame = summary = None
        t0 = time.perf_counter()
        tx, clients = baseline.load_duckdb(spec["db"])
        t1 = time.perf_counter()
        frame, summary = baseline.analyze(tx, clients, as_of)
        t2 = time.perf_counter()
        del tx, clients
        times.append(t2 - t0)
        split.append((t1 - t0, t2 - t1))
    peak = _rss_mb()
    _profiled(spec, "baseline", lambda: baseline.analyze(*baseline.load_duckdb(spec["db"]), as_of))
    from kamcore.analytics import analysis as an
    from kamcore.db.store import open_store
    store = open_store(spec["db"], read_only=True)
    fast = an.analyze(store, as_of)
    store.close()
    f = fast.clients[["client_id", "abc", "xyz", "key"]].astype({"client_id": str})
    both = f.merge(frame[["client_id", "abc", "xyz", "key"]], on="client_id", how="outer",
                   suffixes=("_fast", "_base"), indicator=True)
    only = int((both["_merge"] != "both").sum())
    both = both[both["_merge"] == "both"]
    diff = {c: int((both[f"{c}_fast"] != both[f"{c}_base"]).sum()) for c in ("abc", "xyz", "key")}
    summ = {k: [fast.summary.get(k), summary.get(k)] for k in ("n_ranked", "hhi", "gini", "n_for_80", "key_count")}
    return {"times": times, "peak_mb": peak,
            "info": {"load_s": statistics.median(s[0] for s in split),
                     "analyze_s": statistics.median(s[1] for s in split),
                     "clients": int(len(frame)), "only_one_side": only, "mismatches": diff,
                     "summary_fast_vs_base": summ,
                     "examples": both.loc[(both["abc_fast"] != both["abc_base"])
                                          | (both["xyz_fast"] != both["xyz_base"]),
                                          ["client_id", "abc_fast", "abc_base", "xyz_fast", "xyz_base"]]
                     .head(5).to_dict("records")}}


def w_import(spec: dict) -> dict:
    """ingest.prepare + commit of one file into a fresh database (clients pre-loaded when given)."""
    from kamcore import ingest
    from kamcore.db.store import open_store
    work = DATA / f"work_{spec['name']}.duckdb"
    times, split, added = [], [], 0
    for _ in range(spec["repeat"]):
        _remove_db(work)
        store = open_store(work)
        if spec.get("clients_from"):
            cur = store.cursor()
            cur.execute(f"attach '{spec['clients_from']}' as src (read_only)")
            cur.execute("insert into clients by name select * from src.clients")
            cur.execute("detach src")
            cur.close()
        t0 = time.perf_counter()
        prep = ingest.prepare(spec["file"], "transactions", store=store)
        t1 = time.perf_counter()
        res = ingest.commit(store, prep)
        t2 = time.perf_counter()
        added = res.rows_added
        times.append(t2 - t0)
        split.append((t1 - t0, t2 - t1))
        store.close()
    if spec.get("profile"):
        _remove_db(work)
        store = open_store(work)
        _profiled(spec, spec["name"], lambda: ingest.import_file(store, "transactions", spec["file"]))
        store.close()
    _remove_db(work)
    return {"times": times, "info": {"rows_read": res.rows_read, "rows_added": added,
                                     "prepare_s": statistics.median(s[0] for s in split),
                                     "commit_s": statistics.median(s[1] for s in split)}}


def w_page(spec: dict) -> dict:
    """First render (empty Streamlit caches) and one interaction (ABC preset change) of one page."""
    os.environ["KAM_DB"] = spec["db"]
    os.chdir(ROOT)
    import gc

    import streamlit as st
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import AppTest

    import ui  # imported once, as in a running server
    import kamcore.presentation.charts  # noqa: F401  (likewise)
    from kamcore.settings import ABC_PRESETS
    components = BidiComponentManager()     # the component scan a server does once at start (AppTest: per instance)
    components.discover_and_register_components(start_file_watching=False)
    setup = _rss_mb()
    peaks = []
    presets = [p for p in ABC_PRESETS if p != "80/95"]
    first, second, problems = [], [], []
    timeout = spec["timeout"]
    for k in range(spec["repeat"]):
        if k:                         # the previous round's connection closed, as a server keeps only one
            ui._store(ui.db_path()).close()
        st.cache_data.clear()
        st.cache_resource.clear()
        gc.collect()
        _reset_peak()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at._bidi_component_manager = components
        if spec["page"] != "app.py":
            at.switch_page(spec["page"])
        t0 = time.perf_counter()
        try:
            at.run(timeout=timeout)
        except RuntimeError as exc:
            problems.append(f"first render: {exc}")
            first.append(None)
            break
        first.append(time.perf_counter() - t0)
        problems += [f"exception: {str(e.value)[:200]}" for e in at.exception]
        problems += [f"error: {str(e.value)[:200]}" for e in at.error]
        try:
            box = at.selectbox(key="abc")
        except KeyError:
            box = None
        t0 = time.perf_counter()
        try:
            if box is not None:
                box.set_value(presets[k % len(presets)]).run(timeout=timeout)
            else:
                at.run(timeout=timeout)
        except RuntimeError as exc:
            problems.append(f"interaction: {exc}")
            second.append(None)
            break
        second.append(time.perf_counter() - t0)
        peaks.append(_rss_mb())
        if first[-1] > SLOW_PAGE_S:
            break
    return {"times": first, "times2": second, "setup_mb": setup, "peak_mb": max(peaks, default=_rss_mb()),
            "info": {"problems": sorted(set(problems))[:5], "interaction": "ABC preset change"}}


WORKERS = {"generate": w_generate, "full_raw": w_full_raw, "rebuild": w_rebuild, "reanalysis": w_reanalysis,
           "threshold": w_threshold, "risk": w_risk, "baseline": w_baseline, "import": w_import, "page": w_page}


def worker_main(name: str, spec: dict) -> None:
    _setup_path()
    from kamcore import runtime
    runtime.configure_memory()       # as the app's server and the command line do (Arrow on the C heap)
    try:
        out = WORKERS[name](spec)
        out.setdefault("peak_mb", _rss_mb())
    except Exception as exc:  # noqa: BLE001 - reported in the table, details in the log
        import traceback
        traceback.print_exc()
        out = {"times": [], "error": f"{type(exc).__name__}: {exc}".splitlines()[0][:200], "peak_mb": _rss_mb()}
    print(RESULT_TAG + json.dumps(out, default=str), flush=True)


# =============================================================================== the parent

def _remove_db(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()


def log(msg: str) -> None:
    line = f"[{datetime.now():%H:%M:%S}] {msg}"
    print(line, file=sys.stderr, flush=True)
    with LOG.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def run_worker(name: str, spec: dict, timeout: float = 900) -> dict:
    """Run one measured operation in a fresh interpreter; its result dict (``error`` on failure)."""
    load = os.getloadavg()[0]
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--spec", json.dumps(spec)]
    t = time.perf_counter()
    with LOG.open("a", encoding="utf-8") as err:
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, text=True, timeout=timeout, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return {"times": [], "error": f"timed out after {timeout:.0f} s", "load": load}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_TAG)]
    if not lines:
        return {"times": [], "error": f"worker exited with code {proc.returncode} (see {LOG})", "load": load}
    out = json.loads(lines[-1][len(RESULT_TAG):])
    out["load"] = load
    out["wall"] = time.perf_counter() - t
    return out


def run_each(name: str, spec: dict, repeat: int) -> dict:
    """``run_worker`` once per repetition, each in a fresh interpreter (a cold operation: its peak memory is
    its own, not what the previous round left behind). Times are joined, the peak is the highest, the
    ``info`` figures ending in ``_s`` are medians and the rest come from the first run."""
    outs = [run_worker(name, {**spec, "repeat": 1, "profile": spec.get("profile") and k == 0}) for k in range(repeat)]
    merged = {"times": [t for o in outs for t in o.get("times", [])], "load": outs[0].get("load", 0.0),
              "peak_mb": max((o["peak_mb"] for o in outs if o.get("peak_mb")), default=None)}
    errors = [o["error"] for o in outs if o.get("error")]
    if errors:
        merged["error"] = errors[0]
    infos = [o.get("info", {}) for o in outs if o.get("info")]
    if infos:
        merged["info"] = {k: statistics.median(i[k] for i in infos if k in i) if k.endswith("_s") else v
                          for k, v in infos[0].items()}
    return merged


def _fingerprint(lines: int) -> dict:
    demo_src = b"".join(f.read_bytes() for f in sorted((ROOT / "kamcore" / "demo").glob("*.py"))) + \
        (ROOT / "kamcore" / "db" / "schema.sql").read_bytes()
    return {**GEN, "lines": lines, "generator_sha1": hashlib.sha1(demo_src).hexdigest()}


def ensure_db(size: str, gen_rows: list) -> Path:
    """bench/data/bench_<size>.duckdb, generated unless present with the same parameters."""
    path = DATA / f"bench_{size}.duckdb"
    meta = path.with_suffix(".json")
    want = _fingerprint(LINES[size])
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == want:
        log(f"reusing {path.name}")
        gen_rows.append((f"generate {size} database", None, "reused"))
        return path
    _remove_db(path)
    meta.unlink(missing_ok=True)
    log(f"generating {path.name} ({LINES[size]:,} lines) ...")
    out = run_worker("generate", {"path": str(path), "lines": LINES[size]}, timeout=3600)
    if out.get("error"):
        raise SystemExit(f"generating {path.name} failed: {out['error']} (see {LOG})")
    meta.write_text(json.dumps(want))
    gen_rows.append((f"generate {size} database", out, f"{out['info']['counts']['transactions']:,} lines"))
    return path


def ensure_files(db_1m: Path) -> dict:
    """The import sources: a 1M-line CSV and a 100k-line .xlsx written from the 1M database."""
    import duckdb
    csv, xlsx = DATA / "tx_1m.csv", DATA / "tx_100k.xlsx"
    stamp = db_1m.stat().st_mtime
    cols = ", ".join(CSV_COLUMNS)
    if not csv.exists() or csv.stat().st_mtime < stamp:
        log("writing tx_1m.csv ...")
        con = duckdb.connect(str(db_1m), read_only=True)
        con.execute(f"copy (select {cols} from transactions order by txn_id) to '{csv}' (header, delimiter ',')")
        con.close()
    if not xlsx.exists() or xlsx.stat().st_mtime < stamp:
        log(f"writing tx_100k.xlsx ({XLSX_ROWS:,} rows, openpyxl write_only) ...")
        from openpyxl import Workbook
        con = duckdb.connect(str(db_1m), read_only=True)
        rows = con.execute(f"select {cols} from transactions order by txn_id limit {XLSX_ROWS}").fetchall()
        con.close()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("transactions")
        ws.append(list(CSV_COLUMNS))
        for r in rows:
            ws.append(list(r))
        tmp = xlsx.with_suffix(".tmp.xlsx")
        wb.save(tmp)
        tmp.replace(xlsx)
    return {"csv": csv, "xlsx": xlsx}


def fmt_s(v) -> str:
    if v is None:
        return "—"
    if v < 1e-3:
        return f"{v * 1e6:.0f} µs"
    if v < 1:
        return f"{v * 1000:.3g} ms"
    return f"{v:.2f} s"


class Table:
    """Rows of the results table."""

    HEAD = ("operation", "n", "median", "min", "max", "peak MB", "speed-up vs baseline", "target", "pass", "load 1m")

    def __init__(self):
        self.rows: list[tuple] = []
        self.failures: list[str] = []

    def add(self, label: str, out: dict | None, target: float | None = None, memory: bool = True,
            baseline: float | None = None, speedup_target: bool = False, times_key: str = "times",
            note: str = "") -> float | None:
        if out is None:
            self.rows.append((label, "", "", "", "", "", "", "", note, ""))
            return None
        times = [t for t in out.get(times_key, []) if t is not None]
        med = statistics.median(times) if times else None
        peak = out.get("peak_mb")
        ratio = f"×{baseline / med:.1f}" if baseline and med else ""
        checks = []
        tgt = []
        if target is not None:
            tgt.append(f"≤ {fmt_s(target)}")
            checks.append(("time", med is not None and med <= target))
        if speedup_target:
            tgt.append(f"≥ {SPEEDUP_MIN:.0f}× baseline")
            checks.append(("speed-up", bool(baseline and med and baseline / med >= SPEEDUP_MIN)))
        if memory:
            tgt.append(f"≤ {MEMORY_MB} MB")
            checks.append(("memory", peak is not None and peak <= MEMORY_MB))
        if out.get("error"):
            verdict = f"ERROR: {out['error']}"
        elif not checks:
            verdict = "—"
        else:
            failed = [c for c, ok in checks if not ok]
            verdict = "pass" if not failed else "FAIL (" + ", ".join(failed) + ")"
        if verdict.startswith(("FAIL", "ERROR")):
            self.failures.append(f"{label}: {verdict}")
        if note:
            verdict += f"; {note}"
        self.rows.append((label, str(len(times)) if times else "0", fmt_s(med), fmt_s(min(times) if times else None),
                          fmt_s(max(times) if times else None), f"{peak:.0f}" if peak else "—", ratio,
                          ", ".join(tgt) or "—", verdict, f"{out.get('load', 0):.1f}"))
        return med

    def markdown(self) -> str:
        lines = ["| " + " | ".join(self.HEAD) + " |", "|" + "|".join("---" for _ in self.HEAD) + "|"]
        lines += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in self.rows]
        return "\n".join(lines)


def machine() -> dict:
    import duckdb
    import pandas
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), "0")
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    try:
        import streamlit
        st_version = streamlit.__version__
    except ImportError:
        st_version = "?"
    return {"date": f"{datetime.now():%Y-%m-%d %H:%M}", "nproc": len(os.sched_getaffinity(0)),
            "cpu": cpu, "ram_gb": round(int(mem) / 1024 / 1024, 1), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pandas.__version__, "streamlit": st_version,
            "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="KAM dashboard benchmark (see bench/README.md)")
    ap.add_argument("--quick", action="store_true", help="1M database only (for development)")
    ap.add_argument("--skip-pages", action="store_true", help="leave out the AppTest page renders")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions of each timed operation (default 3)")
    ap.add_argument("--50m", dest="fifty", action="store_true", help="also generate 50M lines and report growth")
    ap.add_argument("--profile", action="store_true", help="save cProfile output to bench/data/profiles/")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker_main(args.worker, json.loads(args.spec))
        return 0

    started = time.perf_counter()
    DATA.mkdir(parents=True, exist_ok=True)
    LOG.write_text("", encoding="utf-8")
    info = machine()
    log(f"machine: {info}")
    rep = max(1, args.repeat)
    gen_rows: list = []
    db_1m = ensure_db("1m", gen_rows)
    db = db_1m if args.quick else ensure_db("10m", gen_rows)
    size = "1M" if args.quick else "10M"
    files = ensure_files(db_1m)
    table = Table()
    common = {"db": str(db), "as_of": AS_OF.isoformat(), "repeat": rep, "profile": args.profile}

    log(f"{size}: naive pandas baseline ...")
    base = run_worker("baseline", common)
    base_med = statistics.median(base["times"]) if base.get("times") else None
    log(f"{size}: full analysis from raw lines ...")
    out = run_worker("full_raw", common)
    same = out.get("info", {}).get("same_classes_as_aggregates")
    if same is False:
        table.failures.append("the analysis from the lines and from the aggregates disagree")
    table.add(f"{size} full analysis from raw lines (one pass over the transactions + classify)", out,
              TARGETS["full_raw"], baseline=base_med,
              note=_split(out, "load_from_lines_s", "classify_s") + ("" if same is None else
                                                                     f"; same classes as the aggregates: {same}"))
    log(f"{size}: rebuild of the aggregates ...")
    table.add(f"{size} rebuild of client_day, client_key and client_month from the lines (all clients; imports "
              "refresh only the clients they touch)", run_each("rebuild", common, rep))
    for kind, label in (("asof", "re-analysis after an as-of change"),
                        ("filter", "re-analysis after a filter change (one region)")):
        log(f"{size}: {label} ...")
        out = run_worker("reanalysis", {**common, "kind": kind})
        table.add(f"{size} {label}", out, TARGETS[kind], baseline=base_med, speedup_target=True,
                  note=_split(out, "load_inputs_s", "classify_s"))
    log(f"{size}: threshold change ...")
    table.add(f"{size} threshold change (relabel of the cached analysis, other ABC cut-offs)", run_worker("threshold", common),
              TARGETS["threshold"], baseline=base_med)
    log(f"{size}: risk assessment ...")
    table.add(f"{size} risk assessment (risk.assess_store, all clients)", run_worker("risk", common))
    table.add(f"{size} naive pandas baseline incl. load (bench/baseline.py)", base, memory=False,
              note=_split(base, "load_s", "analyze_s"))
    bi = base.get("info", {})
    mism = bi.get("mismatches")
    if mism is not None:
        bad = mism["abc"] + mism["xyz"] + bi.get("only_one_side", 0)
        table.rows.append((f"{size} same classes, fast path vs baseline ({bi.get('clients', 0):,} clients)", "", "", "",
                           "", "", "", "0 ABC/XYZ mismatches",
                           ("pass" if bad == 0 else "FAIL") + f": ABC {mism['abc']}, XYZ {mism['xyz']}, "
                           f"key {mism['key']}, missing {bi.get('only_one_side', 0)}", ""))
        if bad:
            table.failures.append(f"class mismatches: {mism} {bi.get('examples')}")

    imports = [("import_csv", "import 1M CSV lines (prepare + commit, fresh db)", files["csv"]),
               ("import_xlsx", f"import {XLSX_ROWS // 1000}k-line .xlsx (fresh db)", files["xlsx"]),
               ("import_retail", "import Online Retail csv.gz (542k lines, fresh db)", RETAIL)]
    for name, label, path in imports:
        if not Path(path).exists():
            log(f"skipping {label}: {path} is absent")
            table.add(label, None, note=f"skipped: {path} absent")
            continue
        log(f"{label} ...")
        out = run_each("import", {"name": name, "file": str(path), "profile": args.profile,
                                  "clients_from": str(db_1m) if name != "import_retail" else None}, rep)
        table.add(label, out, TARGETS[name], note=_split(out, "prepare_s", "commit_s"))

    if not args.skip_pages:
        pages = ["app.py"] + sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
        for page in pages:
            log(f"{size}: page {page} ...")
            out = run_worker("page", {"db": str(db), "page": page, "repeat": rep, "timeout": 120}, timeout=1200)
            probs = "; ".join(out.get("info", {}).get("problems", []))
            table.add(f"{size} page {page}: first render (cold caches)", out, TARGETS["page_first"],
                      note=probs[:160])
            table.add(f"{size} page {page}: interaction (ABC preset)", out, TARGETS["page_interaction"],
                      times_key="times2")

    growth = fifty(common, rep, base_med) if args.fifty and not args.quick else ""
    total = time.perf_counter() - started
    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(info, table, gen_rows, total, growth, args)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    log(f"wrote {RESULTS.relative_to(ROOT)}; total {total:.0f} s")
    return 0


def _split(out: dict, a: str, b: str) -> str:
    i = out.get("info", {})
    if a not in i or b not in i:
        return ""
    return f"{a.removesuffix('_s')} {fmt_s(i[a])} + {b.removesuffix('_s')} {fmt_s(i[b])}"


def fifty(common: dict, rep: int, base10: float | None) -> str:
    """Generate 50M lines and compare the analysis paths with 10M (at most linear growth)."""
    rows: list = []
    db50 = ensure_db("50m", rows)
    import duckdb
    n = {}
    for size, path in (("10m", common["db"]), ("50m", str(db50))):
        con = duckdb.connect(path, read_only=True)
        n[size] = con.execute("select count(*) from transactions").fetchone()[0]
        con.close()
    factor = n["50m"] / n["10m"]
    lines = [f"\n## Scaling 10M → 50M lines ({n['10m']:,} → {n['50m']:,}, ×{factor:.2f})\n",
             "| operation | 10M median | 50M median | growth | peak MB 50M | at most linear |", "|---|---|---|---|---|---|"]
    for name, kind, label in (("full_raw", None, "full analysis from raw lines"),
                              ("reanalysis", "asof", "re-analysis after an as-of change"),
                              ("reanalysis", "filter", "re-analysis after a filter change"),
                              ("threshold", None, "threshold change"), ("risk", None, "risk assessment")):
        med = {}
        peak = None
        for size, path in (("10m", common["db"]), ("50m", str(db50))):
            log(f"scaling: {label} on {size} ...")
            out = run_worker(name, {**common, "db": path, "repeat": min(rep, 3), "kind": kind, "profile": False})
            ts = [t for t in out.get("times", []) if t is not None]
            med[size] = statistics.median(ts) if ts else None
            peak = out.get("peak_mb")
        g = med["50m"] / med["10m"] if med["10m"] and med["50m"] else None
        lines.append(f"| {label} | {fmt_s(med['10m'])} | {fmt_s(med['50m'])} | "
                     f"{'×%.2f' % g if g else '—'} | {peak:.0f} | {'pass' if g and g <= factor else 'FAIL'} |")
    return "\n".join(lines) + "\n"


def report(info: dict, table: Table, gen_rows: list, total: float, growth: str, args) -> str:
    gen = []
    for label, out, note in gen_rows:
        if out is None:
            gen.append(f"- {label}: {note} (bench/data, same parameters)")
        else:
            gen.append(f"- {label}: {fmt_s(out['times'][0])}, peak {out.get('peak_mb', 0):.0f} MB, {note} "
                       "(not counted)")
    flags = " ".join(a for a, on in (("--quick", args.quick), ("--skip-pages", args.skip_pages),
                                     ("--50m", args.fifty), ("--profile", args.profile)) if on)
    out = [
        "# KAM dashboard benchmark",
        "",
        f"Run {info['date']} with `bench/run.py {flags} --repeat {args.repeat}`".replace("  ", " "),
        f"on {info['nproc']} CPUs ({info['cpu']}), {info['ram_gb']} GB RAM; Python {info['python']}, "
        f"DuckDB {info['duckdb']}, pandas {info['pandas']}, Streamlit {info['streamlit']}.",
        f"Load average at start {info['load_start']}, at end {info['load_end']} (1/5/15 min; "
        "the machine may be shared — the `load 1m` column is the 1-minute load when each operation started).",
        f"Demo data: {GEN['clients']:,} clients, {GEN['years']} years up to {GEN['end']}, seed {GEN['seed']}; "
        f"as-of {AS_OF}, 12-month window, revenue basis.",
        "",
        "Times are medians of `n` runs; each operation runs in its own process (the rebuild and the imports:",
        "each run in a fresh one), `peak MB` is the highest peak resident set size of those processes (VmHWM:",
        "Python + DuckDB + the operation's set-up). `speed-up vs baseline` = baseline median / operation",
        "median (the baseline includes its load from the database). The analysis rows run after one unmeasured",
        "round. A page's rounds run in one process set up as a running server (the app's modules imported,",
        "Streamlit's component scan done once); before each round the previous connection is closed, the",
        "caches are emptied and the peak is reset, so a round's peak is its own plus what the allocator kept",
        f"from the round before. A page slower than {SLOW_PAGE_S:.0f} s on its first render is measured once.",
        "",
        table.markdown(),
        "",
        *gen,
        f"- whole run: {total / 60:.1f} min ({total:.0f} s), generation included.",
        "",
    ]
    if table.failures:
        out += ["Missed targets:", "", *[f"- {f}" for f in table.failures], ""]
    return "\n".join(out) + growth


if __name__ == "__main__":
    sys.exit(main())
