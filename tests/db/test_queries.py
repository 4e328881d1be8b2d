"""Grain of every named query (one row per key, no null keys) on a small fixture database.

Queries named refresh_*, ingest_*, risk_*, winback_*, check_* are exercised by their own modules' tests.
A new query file must declare its grain in GRAIN below.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore.db.store import QUERY_DIR, open_store, query_text
from tests.reference.sql import NAMES as REFERENCE_QUERIES, reference_query, reference_text

SKIP_PREFIXES = ("refresh_", "ingest_", "risk_", "winback_", "check_")
QUERIES = sorted([p.stem for p in QUERY_DIR.glob("*/*.sql") if not p.stem.startswith(SKIP_PREFIXES)]
                 + list(REFERENCE_QUERIES))   # tests/reference/*.sql: the tests' own plain-SQL references

PARAMS = {
    "start": date(2024, 1, 1), "end": date(2024, 12, 31), "as_of": date(2024, 12, 31), "since": date(2024, 1, 1),
    "step": 1, "regions": [], "industries": [], "managers": [], "all": True, "clients": [],
    "client_id": "c1", "prospect_id": "p1", "note": "a note", "user": "tester", "now": datetime(2025, 1, 1, 9),
    "name": "New Co", "industry": "Retail", "region": "N", "manager": "Ana", "potential": 1000.0,
    "description": "d",
    # the previous window of client_windows / client_window_months; cut = first month not complete at the end
    "cut": date(2025, 1, 1), "prev_start": date(2023, 1, 1), "prev_end": date(2023, 12, 31),
    "prev_cut": date(2024, 1, 1),
}

# name -> key columns (one row per key; [] = exactly one row), or "write" for statements that change data
GRAIN: dict[str, list[str] | str] = {
    "abm_contacts": ["client_id", "name"],
    "abm_decision_makers": ["client_id", "name"],
    "client_gaps": ["client_id"],
    "client_incidents": ["client_id", "date", "category"],
    "client_incidents_window": ["client_id"],
    "client_period": ["client_id", "period"],
    "client_universe": ["client_id"],
    "client_window": ["client_id"],
    "client_window_months": ["client_no", "offset", "current", "previous"],
    "client_window_months_from_lines": ["client_id", "offset", "current", "previous"],
    "client_day_from_lines": "write",            # a temporary table of its connection
    "client_windows": ["client_id"],
    "client_windows_from_lines": ["client_id"],
    "company_month": ["month"],
    "data_range": [],
    "dossier_client": ["client_id"],
    "dossier_client_list": ["client_id"],
    "dossier_client_month": ["month"],
    "dossier_competitors": ["competitor"],
    "dossier_contacts": ["contact_id"],
    "dossier_incidents": ["incident_id"],
    "dossier_notes": ["note_id"],
    "dossier_tenders": ["tender_id"],
    "edit_note_insert": "write",
    "filter_values": [],
    "manager_contacts": ["client_id", "buying_role"],
    "manager_winback": ["client_id"],
    "prospect_client_ids": ["client_id"],
    "prospect_insert_client": "write",
    "prospect_list": ["prospect_id"],
    "prospect_mark_converted": "write",
    "prospect_one": [],
    "profit_coverage": [],
}

# expected row counts on the fixture (hand-counted from the inserts below)
ROWS = {
    "client_window": 4,          # c1, c2, c3 (only before the window), c4 (no client row)
    "client_period": 6,          # c1 months 0, 2, 4; c2 months 1, 7; c4 month 3
    "client_windows": 4,         # as client_window
    "client_window_months": 7,   # the 6 of client_period + c3's June 2023 (previous window)
    "client_windows_from_lines": 4, "client_window_months_from_lines": 7,   # as the aggregate path
    "client_gaps": 2,            # c1 (gaps 15 and 111), c2 (gap 196)
    "client_incidents_window": 2,  # c1 (2 quality), c2 (1); c2's 2023 incident is outside
    "company_month": 6,          # Jan, Feb, Mar, Apr, May, Aug 2024
    "dossier_client_list": 4,
    "abm_contacts": 3, "manager_contacts": 3, "dossier_contacts": 2,
    "dossier_incidents": 2, "client_incidents": 3, "dossier_tenders": 2, "dossier_competitors": 2,
    "dossier_notes": 2, "dossier_client_month": 3,   # c1: Jan, Mar, May "manager_winback": 2, "prospect_list": 2,
    "prospect_client_ids": 4,
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("queries") / "q.duckdb")
    with s.transaction() as cur:
        cur.executemany("insert into import_batches (batch_id, table_name, file_name) values (?, ?, ?)",
                        [[1, "clients", "a.csv"], [2, "clients", "b.csv"]])
        cur.executemany("insert into clients (client_id, name, region, industry, manager, batch_id) "
                        "values (?, ?, ?, ?, ?, ?)", [
                            ["c1", "One (old)", "S", "Retail", "Ana", 1],
                            ["c1", "One", "N", "Retail", "Ana", 2],       # newer batch wins
                            ["c2", "Two", "S", "Wholesale", "Bor", 1],
                            ["c3", "Three", None, None, None, None],
                        ])
        cur.executemany("insert into transactions (row_key, client_id, date, revenue) values (?, ?, ?, ?)", [
            ["t1", "c1", "2024-01-05", 100.0], ["t2", "c1", "2024-01-20", 50.0], ["t3", "c1", "2024-03-03", -10.0],
            ["t4", "c1", "2024-05-10", 70.0], ["t5", "c2", "2024-02-01", 30.0], ["t6", "c2", "2024-02-01", 20.0],
            ["t7", "c2", "2024-08-15", 40.0], ["t8", "c3", "2023-06-01", 10.0], ["t9", "c4", "2024-04-04", 5.0],
        ])
        cur.executemany("insert into incidents (incident_id, client_id, date, category, stage) values (?, ?, ?, ?, ?)", [
            ["i1", "c1", "2024-02-02", "late", "quality"], ["i2", "c1", "2024-03-03", "damage", "Quality"],
            ["i3", "c2", "2024-04-04", "invoice", "invoicing"], ["i4", "c2", "2023-01-01", "late", "delivery"],
        ])
        cur.executemany("insert into contacts (contact_id, client_id, name, role, buying_role) values (?, ?, ?, ?, ?)", [
            ["k1", "c1", "Ann", "CEO", "decision maker"], ["k2", "c1", "Bob", "Buyer", "buyer"],
            ["k3", "c2", "Cid", "CFO", "decision maker"],
        ])
        cur.executemany("insert into tenders (tender_id, client_id, date, status) values (?, ?, ?, ?)",
                        [["d1", "c1", "2024-01-01", "won"], ["d2", "c1", "2024-06-01", "lost"]])
        cur.executemany("insert into competitors (client_id, competitor) values (?, ?)", [["c1", "Acme"], ["c1", "Beta"]])
        cur.executemany("insert into prospects (prospect_id, name) values (?, ?)", [["p1", "Pro One"], ["p2", "Pro Two"]])
        cur.executemany("insert into notes (note_id, client_id, note) values (?, ?, ?)", [[1, "c1", "x"], [2, "c1", "y"]])
        cur.executemany("insert into winback (client_id, status) values (?, ?)", [["c1", "open"], ["c2", "contacted"]])
        s.refresh_client_day(cur, None)
    yield s
    s.close()


def _params(name: str) -> dict:
    text = reference_text(name) if name in REFERENCE_QUERIES else query_text(name)
    wanted = set(re.findall(r"\$(\w+)", text))
    missing = wanted - set(PARAMS)
    assert not missing, f"{name}.sql uses parameters the grain test does not know: {sorted(missing)}"
    return {k: PARAMS[k] for k in wanted}


def test_every_query_declares_its_grain():
    undeclared = [q for q in QUERIES if q not in GRAIN]
    assert not undeclared, f"declare the grain of {undeclared} in tests/db/test_queries.py GRAIN"


@pytest.mark.parametrize("name", QUERIES, ids=QUERIES)
def test_query_grain(store, name):
    grain = GRAIN.get(name)
    if grain is None:
        pytest.fail(f"{name}.sql has no declared grain")
    params = _params(name)
    if grain == "write":
        with pytest.raises(RuntimeError, match="rollback"):
            with store.transaction() as cur:
                cur.execute(query_text(name), params)
                raise RuntimeError("rollback")
        return
    if name.endswith("_from_lines"):            # they read the temporary table client_day_from_lines makes
        cur = store.cursor()
        try:
            cur.execute(query_text("client_day_from_lines"), _params("client_day_from_lines"))
            df = cur.execute(query_text(name), params).df()
        finally:
            cur.close()
    elif name in REFERENCE_QUERIES:
        df = reference_query(store, name, **params)
    else:
        df = store.query(name, **params)
    if grain == []:
        assert len(df) == 1, f"{name}: expected exactly one row, got {len(df)}"
    else:
        assert set(grain) <= set(df.columns), f"{name}: key columns {grain} missing from {list(df.columns)}"
        assert len(df) > 0, f"{name}: no rows on the fixture database"
        assert not df[grain].isna().any().any(), f"{name}: null keys"
        dup = df.duplicated(grain, keep=False)
        assert not dup.any(), f"{name}: more than one row per {grain}:\n{df[dup]}"
    if name in ROWS:
        assert len(df) == ROWS[name]


def test_client_period_quarters_grain(store):
    df = reference_query(store, "client_period", start=date(2024, 1, 1), end=date(2024, 12, 31), step=3)
    # c1: Jan (q0) 150, Mar (q0) -10, May (q1) 70; c2: Feb (q0) 50, Aug (q2) 40; c4 Apr (q1) 5
    exp = pd.DataFrame({
        "client_id": pd.Series(["c1", "c1", "c2", "c2", "c4"], dtype="str"),
        "period": pd.Series([0, 1, 0, 2, 1], dtype="int32"),
        "revenue": [140.0, 70.0, 50.0, 40.0, 5.0],
        "purchase_days": pd.Series([2, 1, 1, 1, 1], dtype="int32"),   # Mar is a returns-only day
    })
    assert_frame_equal(df, exp)


def test_client_window_values_and_latest_client_row(store):
    df = reference_query(store, "client_window", **{k: PARAMS[k] for k in ("start", "end", "regions", "industries", "managers")})
    got = df[["client_id", "name", "region", "revenue", "lines", "first_purchase", "last_purchase"]]
    exp = pd.DataFrame({
        "client_id": pd.Series(["c1", "c2", "c3", "c4"], dtype="str"),
        "name": pd.Series(["One", "Two", "Three", "c4"], dtype="str"),       # c4 has no client row: its id
        "region": pd.Series(["N", "S", None, None], dtype="str"),
        "revenue": [210.0, 90.0, 0.0, 5.0],                                 # 100 + 50 − 10 + 70; 30 + 20 + 40
        "lines": [4, 3, 0, 1],
        "first_purchase": pd.to_datetime(["2024-01-05", "2024-02-01", "2023-06-01", "2024-04-04"]).astype("datetime64[us]"),
        "last_purchase": pd.to_datetime(["2024-05-10", "2024-08-15", "2023-06-01", "2024-04-04"]).astype("datetime64[us]"),
    })
    assert_frame_equal(got, exp)


@pytest.mark.parametrize(
    "filters, ids",
    [
        ({"regions": ["N"]}, ["c1"]),                 # c1's latest row says N (the old one said S)
        ({"regions": ["S"]}, ["c2"]),
        ({"industries": ["Retail"], "managers": ["Ana"]}, ["c1"]),
        ({"managers": ["Nobody"]}, []),
    ],
    ids=["region-N", "region-S", "industry-and-manager", "no-match"],
)
def test_client_window_filters(store, filters, ids):
    params = {"start": PARAMS["start"], "end": PARAMS["end"], "regions": [], "industries": [], "managers": []}
    params.update(filters)
    assert reference_query(store, "client_window", **params)["client_id"].tolist() == ids


def test_company_month_filtered(store):
    df = store.query("company_month", start=PARAMS["start"], end=PARAMS["end"], regions=["S"], industries=[],
                     managers=[])
    # only c2: Feb 50 (2 lines), Aug 40
    assert df["month"].dt.strftime("%Y-%m").tolist() == ["2024-02", "2024-08"]
    assert df["revenue"].tolist() == [50.0, 40.0]
    assert df["lines"].tolist() == [2, 1]
    assert df["active_clients"].tolist() == [1, 1]


def test_filter_values(store):
    df = store.query("filter_values")
    assert list(df.loc[0, "regions"]) == ["N", "S"]
    assert list(df.loc[0, "industries"]) == ["Retail", "Wholesale"]
    assert list(df.loc[0, "managers"]) == ["Ana", "Bor"]


def test_data_range(store):
    row = store.query("data_range").iloc[0]
    assert (row["first_day"], row["last_day"]) == (pd.Timestamp("2023-06-01"), pd.Timestamp("2024-08-15"))
    assert (row["clients"], row["lines"]) == (4, 9)


@pytest.mark.parametrize("filters", [{}, {"regions": ["Alps"]}, {"managers": ["nobody"]}])
def test_client_universe_is_the_client_window_rows(demo_db, filters):
    """The risk universe (ids only) equals the rows of the analysis for the same end date and filter."""
    store = open_store(demo_db, read_only=True)
    params = {"regions": [], "industries": [], "managers": [], **filters}
    end = date(2025, 6, 30)
    ids = store.query("client_universe", end=end, **params)["client_id"].tolist()
    window = reference_query(store, "client_window", start=date(2024, 7, 1), end=end, **params)["client_id"].tolist()
    assert ids == window
    assert (len(ids) > 0) == (filters.get("managers") != ["nobody"])
    store.close()


def test_client_windows_values_of_both_windows(store):
    df = store.query("client_windows", **_params("client_windows"))
    got = df[["client_id", "name", "revenue", "lines", "first_purchase", "prev_revenue", "prev_lines",
              "prev_first_day"]]
    exp = pd.DataFrame({
        "client_id": pd.Series(["c1", "c2", "c3", "c4"], dtype="str"),
        "name": pd.Series(["One", "Two", "Three", "c4"], dtype="str"),
        "revenue": [210.0, 90.0, 0.0, 5.0],
        "lines": [4, 3, 0, 1],
        "first_purchase": pd.to_datetime(["2024-01-05", "2024-02-01", "2023-06-01", "2024-04-04"]).astype("datetime64[us]"),
        "prev_revenue": [0.0, 0.0, 10.0, 0.0],          # 2023: only c3
        "prev_lines": [0, 0, 1, 0],
        "prev_first_day": pd.to_datetime([None, None, "2023-06-01", None]).astype("datetime64[us]"),
    })
    assert_frame_equal(got, exp)


def _cut(end: date) -> date:
    from kamcore.analytics.analysis import _cut as cut
    return cut(end)


WINDOWS = [  # (start, end, previous start, previous end): month ends, mid-month ends, a shift shorter than the window
    (date(2025, 11, 1), date(2026, 10, 31), date(2024, 11, 1), date(2025, 10, 31)),
    (date(2025, 7, 1), date(2026, 6, 15), date(2024, 7, 1), date(2025, 6, 15)),
    (date(2024, 3, 1), date(2025, 2, 28), date(2023, 3, 1), date(2024, 2, 29)),
    (date(2025, 7, 1), date(2026, 6, 15), date(2025, 4, 1), date(2026, 3, 15)),
    (date(2026, 4, 1), date(2026, 9, 30), date(2026, 1, 1), date(2026, 6, 30)),
]


@pytest.mark.parametrize("start, end, prev_start, prev_end", WINDOWS, ids=[w[1].isoformat() + "/" + w[3].isoformat()
                                                                            for w in WINDOWS])
def test_client_windows_equal_the_client_day_only_queries(demo_db, start, end, prev_start, prev_end):
    """Whole months from client_month plus partial months from client_day == client_window / client_period
    on client_day alone, for both windows."""
    store = open_store(demo_db, read_only=True)
    try:
        bounds = {"start": start, "end": end, "cut": _cut(end), "prev_start": prev_start, "prev_end": prev_end,
                  "prev_cut": _cut(prev_end)}
        no_filter = {"regions": [], "industries": [], "managers": []}
        both = store.query("client_windows", **bounds, **no_filter)
        cur = reference_query(store, "client_window", start=start, end=end, **no_filter)
        mine = both[both["first_day"].notna()].reset_index(drop=True)
        assert_frame_equal(mine[list(cur.columns)], cur, check_exact=False, rtol=1e-12)
        prev = reference_query(store, "client_window", start=prev_start, end=prev_end, **no_filter)
        cols = ["client_id", "revenue", "profit", "lines", "first_day", "first_purchase"]
        mine = both.loc[both["prev_first_day"].notna(), ["client_id"] + ["prev_" + c for c in cols[1:]]]
        mine.columns = cols
        assert_frame_equal(mine.reset_index(drop=True), prev[cols], check_exact=False, rtol=1e-12)

        months = store.query("client_window_months", **bounds)
        keys = store.sql("select client_no, client_id from client_key")
        months = months.merge(keys, on="client_no")
        for flag, offset, s, e in (("current", "offset", start, end), ("previous", "prev_offset", prev_start, prev_end)):
            got = (months[months[flag]].groupby(["client_id", offset], as_index=False)[["revenue", "purchase_days"]]
                   .sum().rename(columns={offset: "period"}).sort_values(["client_id", "period"]).reset_index(drop=True))
            exp = reference_query(store, "client_period", start=s, end=e, step=1)
            assert_frame_equal(got, exp, check_exact=False, rtol=1e-12, check_dtype=False)
    finally:
        store.close()


@pytest.mark.parametrize("name", ["client_windows", "client_window_months", "client_gaps", "client_incidents_window"])
def test_frame_through_arrow_equals_query(store, name):
    """Store.frame (the analysis path) gives the frame of Store.query: same values and dtypes."""
    params = _params(name)
    fast, slow = store.frame(name, **params), store.query(name, **params)
    keys = GRAIN[name]
    assert_frame_equal(fast.sort_values(keys).reset_index(drop=True), slow.sort_values(keys).reset_index(drop=True))


def test_frame_of_an_empty_result_equals_query(store):
    params = {**_params("client_windows"), "start": date(2010, 1, 1), "end": date(2010, 12, 31),
              "cut": date(2011, 1, 1), "prev_start": date(2009, 1, 1), "prev_end": date(2009, 12, 31),
              "prev_cut": date(2010, 1, 1)}
    assert_frame_equal(store.frame("client_windows", **params), store.query("client_windows", **params))


_COMPANY_MONTH_OF_DAYS = """
    with client_rows as (
        select * from clients
        qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1
    )
    select date_trunc('month', d.day)::date as month, sum(d.revenue) as revenue, sum(d.profit) as profit,
        sum(d.lines)::bigint as lines, sum(d.profit_lines)::bigint as profit_lines,
        sum(d.ontime_lines)::bigint as ontime_lines, sum(d.dated_lines)::bigint as dated_lines,
        count(distinct d.client_id) filter (where d.purchase)::integer as active_clients
    from client_day as d
    left join client_rows as c on c.client_id = d.client_id
    where d.day >= $start and d.day <= $end
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], c.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], c.industry))
      and (len($managers::varchar[]) = 0 or list_contains($managers::varchar[], c.manager))
    group by month order by month"""


@pytest.mark.parametrize("start, end", [
    (date(2024, 7, 1), date(2025, 6, 30)),     # whole months only
    (date(2024, 7, 1), date(2025, 6, 17)),     # the last month cut by the as-of date
    (date(2024, 7, 12), date(2024, 9, 3)),     # both ends cut
    (date(2025, 2, 3), date(2025, 2, 20)),     # inside one month
])
@pytest.mark.parametrize("filters", [{}, {"regions": ["Alps", "South"]}, {"managers": ["nobody"]}])
def test_company_month_equals_the_sum_over_client_days(demo_db, start, end, filters):
    """Whole months from client_month plus cut months from client_day == the same totals over client_day."""
    store = open_store(demo_db, read_only=True)
    params = {"start": start, "end": end, "regions": [], "industries": [], "managers": [], **filters}
    got, want = store.query("company_month", **params), store.sql(_COMPANY_MONTH_OF_DAYS, params)
    assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
    assert (len(got) > 0) == (filters.get("managers") != ["nobody"])
    store.close()


@pytest.mark.parametrize("start, end", [(date(2024, 7, 1), date(2025, 6, 30)), (date(2024, 7, 12), date(2025, 6, 17))])
def test_profit_coverage_equals_the_sum_over_client_days(demo_db, start, end):
    """Whole months from client_month plus cut months from client_day == the sums over client_day."""
    store = open_store(demo_db, read_only=True)
    got = store.query("profit_coverage", start=start, end=end).iloc[0]
    want = store.sql("select sum(revenue) as r, sum(profit_revenue) as k, sum(lines) as n, sum(profit_lines) as p "
                     "from client_day where day >= $start and day <= $end", {"start": start, "end": end}).iloc[0]
    assert got["revenue"] == pytest.approx(want["r"], rel=1e-12)
    assert got["profit_revenue"] == pytest.approx(want["k"], rel=1e-12)
    assert (got["lines"], got["profit_lines"]) == (want["n"], want["p"])
    store.close()


# -- the clients_latest view and the client_in_filter macro (schema 6) -------------------------------

_LATEST_CLIENT_ROW_CTE = """
    with client_rows as (
        select * from clients
        qualify row_number() over (partition by client_id order by batch_id desc nulls last) = 1
    )
    select client_id, name, region, batch_id from client_rows order by client_id"""


def test_clients_latest_is_one_row_per_client_the_newest_batch_as_the_old_cte(tmp_path):
    """Older databases may hold several rows per client_id: the view keeps the row of the newest batch, a row
    without a batch only when there is no other, exactly as the CTE the queries carried before schema 6."""
    s = open_store(tmp_path / "latest.duckdb")
    try:
        s.sql("insert into clients (client_id, name, region, batch_id) values "
              "('c1', 'One (old)', 'S', 1), ('c1', 'One', 'N', 2), ('c2', 'Two (no batch)', 'S', null), "
              "('c2', 'Two', 'W', 1), ('c3', 'Three', null, null)")
        got = s.sql("select client_id, name, region, batch_id from clients_latest order by client_id")
        rows = s.cursor().execute("select client_id, name, region, batch_id from clients_latest order by 1").fetchall()
        assert rows == [("c1", "One", "N", 2), ("c2", "Two", "W", 1), ("c3", "Three", None, None)]
        assert_frame_equal(got, s.sql(_LATEST_CLIENT_ROW_CTE))
    finally:
        s.close()


@pytest.mark.parametrize("lists, ids", [
    (([], [], []), ["c1", "c2", "c3", "c4"]),      # no filter: every client, also c3 (no attributes), c4 (no row)
    ((["N", "S"], [], []), ["c1", "c2"]),           # an unknown region never matches a non-empty list
    (([], ["Retail"], ["Bor"]), []),                # both conditions
    (([], ["Wholesale"], ["Bor"]), ["c2"]),
])
def test_client_in_filter_macro_takes_the_bound_lists(store, lists, ids):
    regions, industries, managers = lists
    got = store.sql("select k.client_id from (select unnest(['c1', 'c2', 'c3', 'c4']) as client_id) as k "
                    "left join clients_latest as c using (client_id) "
                    "where client_in_filter(c.region, c.industry, c.manager, $regions::varchar[], "
                    "$industries::varchar[], $managers::varchar[]) order by 1",
                    {"regions": regions, "industries": industries, "managers": managers})
    assert got["client_id"].tolist() == ids
