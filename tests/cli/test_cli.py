"""Command line: ``python -m kamcore summary|analyze|demo`` on a small hand-made database."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kamcore.__main__ import main
from kamcore.db.store import open_store

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "kamcore", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    s = open_store(path)
    with s.transaction() as cur:
        cur.executemany("insert into clients (client_id, name, region) values (?, ?, ?)",
                        [["A", "Alpha", "N"], ["B", "Beta", "S"], ["C", "Gamma", "N"], ["D", "Delta", "S"]])
        cur.executemany("insert into transactions (row_key, client_id, date, revenue) values (?, ?, ?, ?)", [
            ["1", "A", "2024-01-10", 500.0], ["2", "A", "2024-02-10", 500.0], ["3", "B", "2024-03-10", 300.0],
            ["4", "C", "2024-04-10", 100.0], ["5", "C", "2024-05-10", -150.0], ["6", "D", "2024-06-10", 200.0],
        ])
        s.refresh_client_day(cur, None)
    s.close()
    return path


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli_empty") / "empty.duckdb"
    open_store(path).close()
    return path


def test_summary_json(db):
    r = run_cli("summary", "--db", db, "--as-of", "2024-12-31", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["window"] == {"start": "2024-01-01", "end": "2024-12-31", "months": 12, "period": "month",
                              "basis": "revenue"}
    # revenue: A 1000, B 300, D 200, C 100 − 150 = −50 (not ranked); total 1500
    # S: A 0 (A), B 1000/1500 = .667 (A), D 1300/1500 = .867 (B)
    assert data["abc"] == {"A": 2, "B": 1, "C": 0, "-": 1}
    # A from Jan: 12 periods, B from Mar: 10, D from Jun: 7 -> all one-or-two-purchase Z; C mean −50/9: "-"
    assert data["xyz"] == {"X": 0, "Y": 0, "Z": 3, "new": 0, "-": 1}
    assert data["types"]["standard"] == 4
    assert data["n_ranked"] == 3 and data["total"] == 1500.0
    assert data["key_count"] == 1 and data["key_share"] == pytest.approx(1000 / 1500)   # k = .5: only A
    assert data["top1_share"] == pytest.approx(1000 / 1500)
    assert data["top5_share"] == data["top10_share"] == data["top20_share"] == 1.0
    assert (data["n_for_50"], data["n_for_80"]) == (1, 2)     # cum 66.7 %, 86.7 %
    # HHI = 10000 · (1000² + 300² + 200²) / 1500² = 10000 · 1,130,000 / 2,250,000
    assert data["hhi"] == pytest.approx(10000 * 1130000 / 2250000)
    assert data["effective_n"] == pytest.approx(2250000 / 1130000)
    # ascending 200, 300, 1000: Σ i·x = 200 + 600 + 3000 = 3800; G = 2·3800/(3·1500) − 4/3
    assert data["gini"] == pytest.approx(7600 / 4500 - 4 / 3)
    assert r.stderr == ""


def test_summary_options_and_default_as_of(db, capsys):
    # in-process (same code path as python -m kamcore) to keep the suite fast
    # default as-of: end of the latest month with data = 2024-06-30; window 2023-07-01 … 2024-06-30
    # --abc 50,80 and region S: B 300, D 200 -> total 500: B S 0 (A), D S .6 (B)
    assert main(["summary", "--db", str(db), "--json", "--abc", "50,80", "--region", "S", "--period", "quarter"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["window"]["start"] == "2023-07-01" and data["window"]["end"] == "2024-06-30"
    assert data["window"]["period"] == "quarter"
    assert data["abc"] == {"A": 1, "B": 1, "C": 0, "-": 0}
    assert data["n_ranked"] == 2 and data["total"] == 500.0


def test_analyze_csv(db, tmp_path):
    out = tmp_path / "clients.csv"
    r = run_cli("analyze", "--db", db, "--as-of", "2024-12-31", "--out", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"4 clients written to {out}"
    f = pd.read_csv(out)
    assert {"client_id", "name", "value", "share", "abc", "cv", "xyz", "key", "types"} <= set(f.columns)
    assert f["client_id"].tolist() == ["A", "B", "D", "C"]
    assert f["name"].tolist() == ["Alpha", "Beta", "Delta", "Gamma"]
    assert f["value"].tolist() == [1000.0, 300.0, 200.0, -50.0]
    assert f["share"].tolist() == pytest.approx([1000 / 1500, 300 / 1500, 200 / 1500, 0.0])
    assert f["abc"].tolist() == ["A", "A", "B", "-"]
    assert f["xyz"].tolist() == ["Z", "Z", "Z", "-"]
    assert f["key"].tolist() == [True, False, False, False]
    assert f["types"].tolist() == ["standard"] * 4
    # A: 500, 500 then 10 zeros: mean 1000/12, cv = sqrt(12/2 − 1) = sqrt(5)
    assert f.loc[0, "cv"] == pytest.approx(5 ** 0.5)
    assert pd.isna(f.loc[3, "cv"])


def test_analyze_xlsx(db, tmp_path):
    import openpyxl

    out = tmp_path / "clients.xlsx"
    r = run_cli("analyze", "--db", db, "--as-of", "2024-12-31", "--out", out)
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert {"Alpha", "Beta", "Gamma", "Delta"} <= values
    assert 1000 in values or 1000.0 in values      # a real number, not text


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """Two clients whose names start like spreadsheet formulas."""
    path = tmp_path_factory.mktemp("cli_hostile") / "hostile.duckdb"
    s = open_store(path)
    with s.transaction() as cur:
        cur.executemany("insert into clients (client_id, name) values (?, ?)",
                        [["A", '=HYPERLINK("http://evil","x")'], ["B", "+386 1 234 5678"]])
        cur.executemany("insert into transactions (row_key, client_id, date, revenue) values (?, ?, ?, ?)", [
            ["1", "A", "2024-01-10", 500.0], ["2", "B", "2024-02-10", 300.0], ["3", "B", "2024-03-10", -100.0]])
        s.refresh_client_day(cur, None)
    s.close()
    return path


@pytest.mark.parametrize("command", ["analyze", "risk"])
def test_csv_out_neutralises_formula_starts(hostile_db, tmp_path, command):
    import csv
    import io

    out = tmp_path / f"{command}.csv"
    assert main([command, "--db", str(hostile_db), "--as-of", "2024-12-31", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    names = {r["client_id"]: r["name"] for r in rows}
    assert names == {"A": "'=HYPERLINK(\"http://evil\",\"x\")", "B": "'+386 1 234 5678"}


@pytest.mark.parametrize("command", ["analyze", "risk"])
def test_xlsx_out_keeps_the_text_as_typed(hostile_db, tmp_path, command):
    import openpyxl

    out = tmp_path / f"{command}.xlsx"
    assert main([command, "--db", str(hostile_db), "--as-of", "2024-12-31", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)}
    for text in ('=HYPERLINK("http://evil","x")', "+386 1 234 5678"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix


def test_demo_command(tmp_path):
    out = tmp_path / "demo.duckdb"
    r = run_cli("demo", "--db", out, "--clients", "60", "--years", "2", "--end", "2024-06", "--seed", "3",
                timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"demo database written to {out}")
    r = run_cli("summary", "--db", out, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["n_ranked"] > 0


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1, f"expected a one-line error, got {len(lines)} lines:\n{err}"
    return lines[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--as-of", "2024-13-01"], "not a date (YYYY-MM-DD): '2024-13-01'"),
        (["--basis", "margin"], "invalid choice: 'margin'"),
        (["--abc", "95,80"], "ABC cut-offs must satisfy 0 < A < B <= 1, not 0.95/0.8"),
        (["--abc", "80"], "expected two numbers like 80,95"),
        (["--months", "0"], "window must be 1 to 120 months"),
        (["--period", "quarter", "--months", "10"], "whole quarters"),
    ],
    ids=["bad-date", "unknown-basis", "abc-reversed", "abc-one-number", "months-0", "quarter-not-whole"],
)
def test_bad_arguments_give_one_line_error(db, capsys, args, message):
    try:
        code = main(["summary", "--db", str(db), "--json", *args])
    except SystemExit as exc:          # argparse exits by itself
        code = exc.code
    assert code != 0
    out, err = capsys.readouterr()
    assert out == ""
    line = _one_line_error(err)
    assert message in line


def test_missing_database(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert main(["summary", "--db", str(missing), "--json"]) == 1
    assert _one_line_error(capsys.readouterr().err) == f"error: no database at {missing}"
    assert not missing.exists()      # nothing created


def test_empty_database(empty_store, capsys):
    assert main(["summary", "--db", str(empty_store)]) == 1
    assert _one_line_error(capsys.readouterr().err) == f"error: the database {empty_store} has no transactions"


def test_profit_basis_without_profit(db, capsys):
    assert main(["summary", "--db", str(db), "--as-of", "2024-12-31", "--basis", "profit"]) == 1
    # 6 lines in the window, none with profit or cost
    assert _one_line_error(capsys.readouterr().err) == (
        "error: cannot analyse by profit: profit known for 0.0% of revenue (6 of 6 lines without profit or cost), "
        "below the minimum of 95%")


def test_analyze_bad_extension(db, tmp_path, capsys):
    out = tmp_path / "clients.txt"
    assert main(["analyze", "--db", str(db), "--as-of", "2024-12-31", "--out", str(out)]) == 1
    assert _one_line_error(capsys.readouterr().err) == "error: --out must end in .csv or .xlsx, not .txt"
    assert not out.exists()


def test_bad_argument_in_a_real_process(db):
    r = run_cli("summary", "--db", db, "--as-of", "yesterday")
    assert r.returncode != 0
    assert r.stdout == ""
    assert "not a date (YYYY-MM-DD): 'yesterday'" in _one_line_error(r.stderr)


@pytest.fixture(scope="module")
def cost_db(tmp_path_factory):
    """X: 95 of revenue with a cost (profit 60 + 10), Y: 5 without cost, in 2024 (coverage 95 %)."""
    path = tmp_path_factory.mktemp("cli_cost") / "cost.duckdb"
    s = open_store(path)
    with s.transaction() as cur:
        cur.executemany("insert into transactions (row_key, client_id, date, revenue, cost) values (?, ?, ?, ?, ?)", [
            ["1", "X", "2024-01-10", 80.0, 20.0], ["2", "Y", "2024-02-10", 15.0, 5.0], ["3", "Y", "2024-03-10", 5.0, None],
        ])
        s.refresh_client_day(cur, None)
    s.close()
    return path


def test_summary_json_has_profit_coverage(cost_db, capsys):
    assert main(["summary", "--db", str(cost_db), "--as-of", "2024-12-31", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["profit_coverage"] == pytest.approx(0.95)      # 95 of 100 on lines with a cost


def test_summary_by_profit_at_the_coverage_minimum(cost_db, tmp_path, capsys):
    assert main(["summary", "--db", str(cost_db), "--as-of", "2024-12-31", "--basis", "profit", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["window"]["basis"] == "profit" and data["profit_basis_allowed"] is True
    out = tmp_path / "by_profit.csv"
    assert main(["analyze", "--db", str(cost_db), "--as-of", "2024-12-31", "--basis", "profit", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    # profit X 60, Y 10 (the line without cost adds nothing)
    assert table[["client_id", "value", "profit"]].values.tolist() == [["X", 60.0, 60.0], ["Y", 10.0, 10.0]]
    # a stricter minimum (96 %) refuses it, saying why
    assert main(["summary", "--db", str(cost_db), "--as-of", "2024-12-31", "--basis", "profit",
                 "--profit-coverage-min", "96%"]) == 1
    assert "below the minimum of 96%" in _one_line_error(capsys.readouterr().err)


def test_settings_sets_and_prints_the_currency(tmp_path, capsys):
    path = tmp_path / "cur.duckdb"
    open_store(path).close()
    assert main(["settings", "--db", str(path)]) == 0
    assert "currency: EUR" in capsys.readouterr().out           # a new database starts in EUR
    assert main(["settings", "--db", str(path), "--currency", "usd"]) == 0
    assert "currency: USD" in capsys.readouterr().out
    assert main(["settings", "--db", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["currency"] == "USD"
    assert main(["settings", "--db", str(path), "--currency", "dollars"]) == 1
    assert "three-letter code" in _one_line_error(capsys.readouterr().err)
    s = open_store(path, read_only=True)
    assert s.currency() == "USD"
    s.close()


def test_feeder_share_and_migration_shift_options(cost_db, capsys):
    # X has 80 of 100 revenue; no client is 2 years old, so no feeder whatever the share
    assert main(["summary", "--db", str(cost_db), "--as-of", "2024-12-31", "--feeder-share", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["types"]["feeder"] == 0
    assert main(["summary", "--db", str(cost_db), "--as-of", "2024-12-31", "--migration-shift", "0"]) == 1
    assert "migration shift must be 1 to 120 months" in _one_line_error(capsys.readouterr().err)


# ---------------------------------------------------------------- issue 15: risk figures on summary and analyze

def test_summary_json_has_the_risk_block_and_its_options(db, capsys):
    # as of 2024-12-31 (window 2024-01-01 …): no client has a cadence (< 3 purchase days), so lost after 180 days
    # A last 2024-02-10 (lost on 08-09), B 03-10 (09-07), C 04-10 (10-08; its return on 05-10 is no purchase),
    # D 06-10 (12-08): all lost in the window; yearly values 1000, 300, 100, 200. Win-back: at least the
    # smallest A/B client's window revenue (D, 200): A, B and D (exactly 200), not C.
    assert main(["summary", "--db", str(db), "--as-of", "2024-12-31", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)["risk"]
    assert {k: got[k] for k in ("lost_in_window", "lost_earlier", "at_risk", "revenue_at_risk", "revenue_lost",
                                "winback_candidates", "lost_days", "lapse_floor_days")} == {
        "lost_in_window": 4, "lost_earlier": 0, "at_risk": 0, "revenue_at_risk": 0.0, "revenue_lost": 1600.0,
        "winback_candidates": 3, "lost_days": 180, "lapse_floor_days": 21}
    # L = 300: only A (325 days) is lost, on 2024-02-10 + 301 = 2024-12-07
    assert main(["summary", "--db", str(db), "--as-of", "2024-12-31", "--json", "--lost-days", "300",
                 "--lapse-floor", "30"]) == 0
    got = json.loads(capsys.readouterr().out)["risk"]
    assert (got["status"], got["revenue_lost"], got["winback_candidates"], got["lapse_floor_days"]) == (
        {"active": 3, "lapsing": 0, "lost": 1}, 1000.0, 1, 30)
    # with a filter the figures are those of the filtered clients (region N: A and C)
    assert main(["summary", "--db", str(db), "--as-of", "2024-12-31", "--json", "--region", "N"]) == 0
    assert json.loads(capsys.readouterr().out)["risk"]["revenue_lost"] == 1100.0


def test_analyze_adds_the_risk_columns(db, tmp_path, capsys):
    out = tmp_path / "risk_cols.csv"
    assert main(["analyze", "--db", str(db), "--as-of", "2024-12-31", "--out", str(out), "--lost-days", "300"]) == 0
    f = pd.read_csv(out).set_index("client_id")
    assert f.loc["A", ["status", "lost_on", "lost_in_window", "revenue_lost", "winback"]].tolist() == \
        ["lost", "2024-12-07", True, 1000.0, True]
    assert f.loc["B", ["status", "revenue_lost", "winback"]].tolist() == ["active", 0.0, False]
    assert f.index.tolist() == ["A", "B", "D", "C"]           # the analysis order stays


def test_bad_lost_days_is_one_line(db, capsys):
    assert main(["summary", "--db", str(db), "--json", "--lost-days", "0"]) == 1
    assert "lost after must be 1 to 3650 days" in capsys.readouterr().err
