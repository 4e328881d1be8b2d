"""kamcore.demo: determinism, overwrite protection, sizes and every planted story.

The stories are recomputed here from the database with plain SQL and pandas
(DOMAIN.md rules written out again), not with the analytics modules.
"""
from __future__ import annotations

import hashlib
import shutil
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

from kamcore import demo
from kamcore.db.store import DATA_TABLES, open_store
from kamcore.analytics.window import add_months, month_end, month_start

SMALL = dict(clients=120, years=3, end="2026-10", seed=7)
AS_OF = date(2026, 10, 31)


# -- fixtures -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "small.duckdb"
    counts = demo.generate(path, **SMALL)
    return path, counts


@pytest.fixture(scope="module")
def default_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "default.duckdb"
    counts = demo.generate(path, end="2026-10")
    return path, counts


def _connect(path):
    return duckdb.connect(str(path), read_only=True)


def _table_md5(con, table: str) -> str:
    df = con.execute(f"select * from {table} order by all").df()  # noqa: S608 (fixed names)
    if table == "import_batches":
        df = df.drop(columns=["created_at"])
    digest = hashlib.md5()
    digest.update(",".join(df.columns).encode())
    digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _md5s(path) -> dict[str, str]:
    with _connect(path) as con:
        return {t: _table_md5(con, t) for t in (*DATA_TABLES, "client_day", "import_batches")}


# -- independent story computations -----------------------------------------------------
def _window(as_of: date, months: int = 12) -> tuple[date, date]:
    return add_months(month_start(as_of), -(months - 1)), as_of


def _key_clients(con, start: date, end: date, k: float = 0.5) -> pd.DataFrame:
    """Top clients by revenue whose share of all ranked clients strictly above is < k."""
    df = con.execute("""
        select client_id, round(sum(revenue), 2) as revenue
        from transactions where date between $s and $e group by client_id
    """, {"s": start, "e": end}).df()
    df = df[df.revenue > 0].sort_values(["revenue", "client_id"], ascending=[False, True])
    above = df.revenue.cumsum() - df.revenue
    return df[above / df.revenue.sum() < k]


def _purchase_days(con, client_id: str) -> pd.Series:
    days = con.execute("""
        select date from transactions where client_id = $c
        group by date having round(sum(revenue), 2) > 0 order by date
    """, {"c": client_id}).df()["date"]
    return pd.to_datetime(days).dt.date


def _recency_cadence(con, client_id: str, as_of: date) -> tuple[int, float, int]:
    days = _purchase_days(con, client_id)
    days = days[days <= as_of]
    recent = [d for d in days if add_months(as_of, -24) < d <= as_of]
    gaps = np.diff([d.toordinal() for d in recent])
    cadence = float(np.median(gaps)) if len(recent) >= 3 else float("nan")
    return (as_of - days.iloc[-1]).days, cadence, len(recent)


def _profit_shares(con, as_of: date) -> pd.Series:
    start, end = _window(as_of)
    df = con.execute("""
        select client_id, sum(coalesce(profit, revenue - cost)) as profit
        from transactions where date between $s and $e group by client_id
    """, {"s": start, "e": end}).df().set_index("client_id")["profit"]
    return df / df.sum()


def check_feeders(con, as_of: date) -> None:
    share = _profit_shares(con, as_of)
    assert set(share[share >= 0.10].index) == set(demo.PLANTED["feeder"]), share.nlargest(4)
    two_years = add_months(as_of, -24)
    for cid in demo.PLANTED["feeder"]:
        first_txn, first_contract = con.execute(
            "select (select min(date) from transactions where client_id = $c), "
            "(select first_contract from clients where client_id = $c)", {"c": cid}).fetchone()
        assert min(first_txn, first_contract) <= two_years, (cid, first_txn, first_contract)


def check_image_makers_and_experts(con, as_of: date) -> None:
    image = con.execute("select client_id from clients where image_maker order by 1").df().client_id
    assert tuple(image) == demo.PLANTED["image_maker"]
    start, end = _window(as_of)
    experts = con.execute("""
        select c.client_id from clients as c
        left join (select client_id, count(*) as q from incidents
                   where lower(stage) = 'quality' and date between $s and $e group by client_id) as i
          on i.client_id = c.client_id
        where c.requirements = 'high' or coalesce(i.q, 0) >= 3
        order by 1
    """, {"s": start, "e": end}).df().client_id
    assert set(experts) == set(demo.PLANTED["expert"])
    # both reasons are shown: one high-only, one incidents-only
    high = set(con.execute("select client_id from clients where requirements = 'high'").df().client_id)
    assert 0 < len(high & set(demo.PLANTED["expert"])) < 3


def check_perspective(con, as_of: date) -> None:
    start, end = _window(as_of)
    median_key = _key_clients(con, start, end).revenue.median()
    for cid in demo.PLANTED["perspective"]:
        first = _purchase_days(con, cid).iloc[0]
        assert add_months(as_of, -12) < first <= as_of, (cid, first)
        potential = con.execute("select potential from clients where client_id = $c", {"c": cid}).fetchone()[0]
        assert potential >= 1.2 * median_key, (cid, potential, median_key)


def check_lost_keys(con, as_of: date) -> None:
    prev_as_of = add_months(as_of, -12)
    prev_key = set(_key_clients(con, *_window(prev_as_of)).client_id)
    for cid in demo.PLANTED["lost_key"]:
        assert cid in prev_key, cid
        recency, cadence, _ = _recency_cadence(con, cid, as_of)
        assert 200 <= recency <= 330 and recency > max(180, 3 * cadence), (cid, recency, cadence)
        last = as_of - timedelta(days=recency)
        inc = con.execute("select date, stage from incidents where client_id = $c", {"c": cid}).df()
        inc["date"] = pd.to_datetime(inc["date"]).dt.date
        last90 = inc[(inc.date > last - timedelta(90)) & (inc.date <= last)]
        before90 = inc[(inc.date > last - timedelta(180)) & (inc.date <= last - timedelta(90))]
        earlier = inc[inc.date <= last - timedelta(180)]
        first = con.execute("select min(date) from transactions where client_id = $c", {"c": cid}).fetchone()[0]
        earlier_days = (last - timedelta(180) - first).days
        assert len(last90) > len(before90) >= 2, (cid, len(last90), len(before90))
        assert (len(last90) + len(before90)) / 2 > len(earlier) / earlier_days * 90, cid
        recent = pd.concat([last90, before90])
        assert recent.stage.isin(["delivery", "warehouse"]).sum() >= 3, cid
        late, before = con.execute("""
            select avg((delivered_date > promised_date)::int) filter (where date > $cut),
                   avg((delivered_date > promised_date)::int) filter (where date <= $cut)
            from transactions
            where client_id = $c and delivered_date is not null and promised_date is not null and date <= $last
        """, {"c": cid, "cut": last - timedelta(150), "last": last}).fetchone()
        assert late > 0.5 and before < 0.2, (cid, late, before)


def check_lapsing(con, as_of: date) -> None:
    for cid in demo.PLANTED["lapsing"]:
        recency, cadence, n = _recency_cadence(con, cid, as_of)
        assert n >= 3 and 5 <= cadence <= 25, (cid, n, cadence)
        assert 2 * cadence < recency <= max(180, 3 * cadence) and recency <= 180, (cid, recency, cadence)


def check_declining(con, as_of: date) -> None:
    last3 = (add_months(month_start(as_of), -2), as_of)
    year3 = (add_months(month_start(as_of), -14), month_end(add_months(month_start(as_of), -12)))
    for cid in demo.PLANTED["declining"]:
        now, before = con.execute("""
            select sum(revenue) filter (where date between $a and $b),
                   sum(revenue) filter (where date between $c and $d)
            from transactions where client_id = $id
        """, {"a": last3[0], "b": last3[1], "c": year3[0], "d": year3[1], "id": cid}).fetchone()
        assert before > 0 and now / before < 0.7, (cid, now, before)
        recency, cadence, _ = _recency_cadence(con, cid, as_of)
        assert recency <= 2 * cadence, (cid, recency, cadence)


def check_contacts_and_prospects(con, as_of: date) -> None:
    no_dm = demo.CONTACT_GAPS["no_decision_maker"][0]
    assert con.execute("select count(*) from contacts where client_id = $c and buying_role = 'decision_maker'",
                       {"c": no_dm}).fetchone()[0] == 0
    stale = demo.CONTACT_GAPS["stale_contacts"][0]
    newest = con.execute("select max(last_contact) from contacts where client_id = $c", {"c": stale}).fetchone()[0]
    assert (as_of - newest).days > 90
    qualified = con.execute("""select count(*) from prospects
        where least(need, solvency, authority) > 0 and need + solvency + authority >= 5""").fetchone()[0]
    assert qualified >= 4


def check_all(path, as_of: date) -> None:
    with _connect(path) as con:
        assert con.execute("select max(date) from transactions").fetchone()[0] > as_of - timedelta(days=7)
        check_feeders(con, as_of)
        check_image_makers_and_experts(con, as_of)
        check_perspective(con, as_of)
        check_lost_keys(con, as_of)
        check_lapsing(con, as_of)
        check_declining(con, as_of)
        check_contacts_and_prospects(con, as_of)


# -- tests ----------------------------------------------------------------------------------
@pytest.mark.parametrize("today, expected", [
    (date(2026, 11, 27), "2026-10"), (date(2026, 1, 3), "2025-12"),
    (date(2026, 3, 31), "2026-02"), (date(2024, 3, 1), "2024-02"),
], ids=["late-november", "january", "month-end", "leap-year"])
def test_default_end(today, expected):
    assert demo.default_end(today) == expected


def test_planted_ids_are_distinct_and_fit_the_minimum():
    ids = [c for group in demo.PLANTED.values() for c in group]
    assert len(ids) == len(set(ids)) == 25
    assert max(int(c[1:]) for c in ids) <= demo.MIN_CLIENTS
    assert set(demo.PLANTED) == {"feeder", "image_maker", "expert", "perspective", "lost_key", "lapsing", "declining"}


def test_small_has_every_planted_story(small):
    check_all(small[0], AS_OF)


def test_default_size_has_every_planted_story(default_db):
    check_all(default_db[0], AS_OF)


@pytest.mark.parametrize("seed, clients, end", [(1, 100, "2025-06"), (2024, 150, "2026-01"), (99, 100, "2027-02")])
def test_stories_hold_for_other_seeds_and_months(tmp_path, seed, clients, end):
    demo.generate(tmp_path / "x.duckdb", clients=clients, seed=seed, end=end)
    check_all(tmp_path / "x.duckdb", month_end(date(int(end[:4]), int(end[5:]), 1)))


def test_same_arguments_give_the_same_database(small, tmp_path):
    again = tmp_path / "again.duckdb"
    demo.generate(again, **SMALL)
    assert _md5s(again) == _md5s(small[0])


def test_other_seed_gives_other_data(small, tmp_path):
    other = tmp_path / "other.duckdb"
    demo.generate(other, **{**SMALL, "seed": 8})
    a, b = _md5s(other), _md5s(small[0])
    assert a["transactions"] != b["transactions"] and a["clients"] != b["clients"]


def test_refuses_to_overwrite_then_replaces(small, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(small[0], path)
    before = _md5s(path)
    with pytest.raises(ValueError, match="already holds data.*replace=True"):
        demo.generate(path, clients=100, seed=3, end="2026-10")
    assert _md5s(path) == before
    counts = demo.generate(path, clients=100, seed=3, end="2026-10", replace=True)
    with _connect(path) as con:
        assert con.execute("select count(*) from clients").fetchone()[0] == counts["clients"] == 100
        assert con.execute("select count(*) from import_batches").fetchone()[0] == len(DATA_TABLES)
        assert con.execute("select sum(lines) from client_day").fetchone()[0] == counts["transactions"]
        modes = con.execute("select distinct mode from import_batches").df()["mode"].tolist()
        assert modes == ["replace"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(clients=10), "clients must be"), (dict(years=1), "years must be"),
    (dict(end="2026-13"), "end must be a month"), (dict(end="October"), "end must be a month"),
    (dict(lines=100), "too few"), (dict(lines=10**9), "too many"),
], ids=["few-clients", "one-year", "month-13", "not-a-month", "few-lines", "many-lines"])
def test_bad_arguments_are_refused(tmp_path, kwargs, message):
    path = tmp_path / "bad.duckdb"
    with pytest.raises(ValueError, match=message):
        demo.generate(path, **{"end": "2026-10", **kwargs})
    if path.exists():
        store = open_store(path)
        assert store.is_empty()
        store.close()


def test_default_size_counts(default_db):
    path, counts = default_db
    assert 120_000 <= counts["transactions"] <= 180_000
    assert counts["clients"] == 400 and counts["prospects"] == 40
    assert all(counts[t] > 0 for t in DATA_TABLES)
    with _connect(path) as con:
        returns = con.execute("select avg((revenue < 0)::int) from transactions").fetchone()[0]
        assert 0.008 <= returns <= 0.02
        assert con.execute("select count(distinct competitor) from competitors").fetchone()[0] == 8
        assert con.execute("select count(distinct manager) from clients").fetchone()[0] == 6
        assert con.execute("select count(distinct industry) from clients").fetchone()[0] == 8
        assert con.execute("select count(distinct region) from clients").fetchone()[0] == 5
        assert con.execute("select count(distinct product) from transactions").fetchone()[0] >= 55


def test_scales_with_lines_and_years(tmp_path):
    counts = demo.generate(tmp_path / "s.duckdb", clients=100, years=2, end="2026-10", lines=40_000)
    assert 36_000 <= counts["transactions"] <= 44_000
    with _connect(tmp_path / "s.duckdb") as con:
        first, last = con.execute("select min(date), max(date) from transactions").fetchone()
    assert first >= date(2024, 11, 1) and last <= AS_OF


def test_transactions_contract(small):
    with _connect(small[0]) as con:
        df = con.execute("select * from transactions").df()
        batches = con.execute("select * from import_batches order by batch_id").df()
        clients = con.execute("select * from clients").df()
        day_lines = con.execute("select sum(lines) from client_day").fetchone()[0]
    assert df.row_key.isna().all() and df.txn_id.is_unique          # the identity is the txn_id
    assert df.txn_id.str.fullmatch(r"T\d{8}").all()
    assert df.date.is_monotonic_increasing                      # txn ids follow the date order
    assert df.profit.isna().all() and df.cost.notna().all()
    sales = df[df.revenue > 0]
    assert np.allclose(sales.revenue, sales.revenue.round(2))
    assert (sales.promised_date >= sales.date).all()
    assert df.client_id.isin(clients.client_id).all() and clients.client_id.is_unique and clients.name.is_unique
    assert day_lines == len(df)
    assert list(batches.table_name) == list(DATA_TABLES)
    assert (batches.file_name == "demo generator (seed 7)").all() and (batches.created_by == "demo").all()
    assert (df.batch_id == batches.set_index("table_name").batch_id["transactions"]).all()


def test_small_tables_contract(small):
    with _connect(small[0]) as con:
        inc = con.execute("select * from incidents").df()
        contacts = con.execute("select * from contacts").df()
        tenders = con.execute("select * from tenders").df()
        comp = con.execute("select * from competitors").df()
        prospects = con.execute("select * from prospects").df()
    assert set(inc.category) <= {"late delivery", "wrong item", "damaged goods", "invoice error",
                                 "quality defect", "missing documents"}
    assert set(inc.stage) <= {"order_intake", "warehouse", "delivery", "invoicing", "quality", "service"}
    assert inc.severity.between(1, 3).all() and (inc.resolved_date.isna() | (inc.resolved_date >= inc.date)).all()
    assert set(contacts.buying_role) <= {"decision_maker", "influencer", "buyer", "user", "gatekeeper"}
    assert contacts.influence.between(0, 10).all() and contacts.contact_id.is_unique
    assert contacts.reports_to.dropna().isin(contacts.contact_id).all()
    boss = contacts.set_index("contact_id").client_id
    has_boss = contacts.reports_to.notna()
    assert (boss[contacts.reports_to[has_boss]].to_numpy() == contacts.client_id[has_boss].to_numpy()).all()
    assert contacts.groupby("client_id").size().max() <= 8
    assert set(tenders.status) == {"won", "lost", "open"}
    lost = tenders[tenders.status == "lost"]
    assert lost.winner.notna().all() and tenders[tenders.status != "lost"].winner.isna().all()
    assert tenders.reasons.str.contains("; ").any()
    assert comp.groupby("client_id").size().max() <= 3
    assert (comp.groupby("client_id").share_of_wallet.sum() <= 0.8 + 1e-9).all()
    assert prospects.source.isin(["press", "media", "internet", "database", "referral"]).all()
    assert prospects[["need", "solvency", "authority"]].isin([0, 1, 2]).all().all()
    assert prospects.owner.notna().all()


def test_demo_writes_its_reporting_currency(demo_db):
    """The currency is a property of the database (DOMAIN.md §1): the demo's amounts are euros."""
    s = open_store(demo_db, read_only=True)
    try:
        assert s.currency() == "EUR"
    finally:
        s.close()
