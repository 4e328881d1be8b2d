"""The At risk page on the demo database (AppTest): lists, the win-back editor, saving a status, re-import."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import errors, run_page

from kamcore import demo, ingest
from kamcore.presentation import i18n
from kamcore.accounts import winback
from kamcore.db.store import open_store

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/4_At_risk.py"
TIMEOUT = 120


def run(page: str = PAGE) -> AppTest:
    return run_page(page)


def stored(db) -> list[dict]:
    store = open_store(db)
    try:
        return winback.load_statuses(store)[["client_id", "status", "note", "updated_by"]].to_dict("records")
    finally:
        store.close()


def editor(at: AppTest):
    return at.data_editor(key="winback_editor")


def test_page_renders_with_headline_and_tabs(db):
    at = run()
    assert not errors(at), errors(at)
    labels = [m.label for m in at.metric]
    assert i18n.t("kpi.revenue_at_risk", "en") in labels
    assert i18n.t("kpi.revenue_lost", "en") in labels
    assert [t.label.split(" (")[0] for t in at.tabs] == ["Lost in the window", "Lost earlier", "Lapsing", "Declining"]


def test_lost_tab_lists_the_planted_lost_keys(db):
    at = run()
    lost = at.dataframe(key="list_lost_in_window").value
    assert set(demo.PLANTED["lost_key"]) <= set(lost["client_id"])
    assert lost.set_index("client_id").loc[list(demo.PLANTED["lost_key"]), "reasons"].str.startswith(
        "no order for").all()
    lapsing = at.dataframe(key="list_lapsing").value
    assert set(demo.PLANTED["lapsing"]) <= set(lapsing["client_id"])
    declining = at.dataframe(key="list_declining").value
    assert set(demo.PLANTED["declining"]) <= set(declining["client_id"])


def test_winback_editor_is_present_and_editable(db):
    at = run()
    ed = editor(at)
    assert ed.editing_mode != "read_only"
    table = ed.value
    assert {"client_id", "winback_status", "note"} <= set(table.columns)
    assert set(demo.PLANTED["lost_key"]) <= set(table["client_id"])
    assert (table["winback_status"] == "open").all()   # nothing stored yet
    assert any(b.label == i18n.t("risk.save", "en") for b in at.button)


def test_saving_a_status_through_the_page_persists(db):
    at = run()
    table = editor(at).value
    first = str(table.iloc[0]["client_id"])
    # st.data_editor cannot be set in AppTest 1.67: assign its edit state, as the browser would send it
    at.session_state["winback_editor"] = {"edited_rows": {0: {"winback_status": "contacted", "note": "called Monday"}},
                                          "added_rows": [], "deleted_rows": []}
    save = next(b for b in at.button if b.label == i18n.t("risk.save", "en"))
    save.click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    rows = {r["client_id"]: r for r in stored(db)}
    assert rows[first] == {"client_id": first, "status": "contacted", "note": "called Monday", "updated_by": "demo"}
    assert editor(at).value.set_index("client_id").loc[first, "winback_status"] == "contacted"
    # a fresh session (new AppTest) shows the stored status in the editor
    again = run()
    shown = editor(again).value.set_index("client_id")
    assert shown.loc[first, "winback_status"] == "contacted"
    assert shown.loc[first, "note"] == "called Monday"
    assert shown.loc[first, "updated_by"] == "demo"


def test_saving_one_row_leaves_the_other_rows_untouched(db):
    """Only the row the user changed gets a who/when; the others stay "open" with nothing stored."""
    at = run()
    first = str(editor(at).value.iloc[0]["client_id"])
    at.session_state["winback_editor"] = {"edited_rows": {0: {"winback_status": "won_back"}},
                                          "added_rows": [], "deleted_rows": []}
    next(b for b in at.button if b.label == i18n.t("risk.save", "en")).click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    got = stored(db)
    assert [r["client_id"] for r in got] == [first], (
        f"saving one edited row stored {len(got)} rows (every untouched 'open' row gets updated_by/updated_at)")


def test_stored_status_shows_after_rerun_and_survives_a_reimport(db, tmp_path):
    cid = demo.PLANTED["lost_key"][0]
    store = open_store(db)
    try:
        winback.save_statuses(store, pd.DataFrame(
            {"client_id": [cid], "status": ["given_up"], "note": ["moved to a competitor"]}), "ann")
        before = winback.load_statuses(store).to_dict("records")
        # re-import the demo's own transactions: every row is already there
        csv = tmp_path / "transactions.csv"
        store.sql("select txn_id, client_id, date, revenue, order_id, product, category, quantity, cost, "
                  "promised_date, delivered_date from transactions order by row_key").to_csv(csv, index=False)
        n_before = store.scalar("select count(*) from transactions")
        result = ingest.import_file(store, "transactions", csv, user="ann")
        assert result.rows_added == 0, result.summary()
        assert store.scalar("select count(*) from transactions") == n_before
        assert winback.load_statuses(store).to_dict("records") == before
    finally:
        store.close()
    at = run()
    assert not errors(at), errors(at)
    shown = editor(at).value.set_index("client_id")
    assert shown.loc[cid, "winback_status"] == "given_up"
    assert shown.loc[cid, "note"] == "moved to a competitor"


def test_an_invalid_status_is_refused_and_nothing_written(db):
    at = run()
    at.session_state["winback_editor"] = {"edited_rows": {0: {"winback_status": None}},
                                          "added_rows": [], "deleted_rows": []}
    next(b for b in at.button if b.label == i18n.t("risk.save", "en")).click().run(timeout=TIMEOUT)
    assert not at.exception
    assert any("status is empty" in str(e.value) for e in at.error), [e.value for e in at.error]
    assert stored(db) == []


def _pareto_total(at: AppTest) -> int:
    import json

    chart = next(c for c in at.get("plotly_chart") if "complaints_pareto" in c.proto.id)
    bars = json.loads(chart.proto.spec)["data"][0]
    return int(sum(bars["y"]))


def test_complaints_follow_the_scope(db):
    """Pareto totals: incidents in the window of the at-risk clients, then of every client of the view."""
    from kamcore.analytics.analysis import latest_as_of
    from kamcore.analytics.window import Window

    at = run()
    shown = set()
    for key in ("list_lost_in_window", "list_lapsing", "list_declining"):
        shown |= set(at.dataframe(key=key).value["client_id"])
    store = open_store(db)      # the app holds the file open read-write in this process
    try:
        w = Window(latest_as_of(store), 12)
        rows = store.sql("select client_id from incidents where date > $s and date <= $e", {"s": w.start, "e": w.end})
    finally:
        store.close()
    assert 0 < _pareto_total(at) == int(rows["client_id"].isin(shown).sum()) < len(rows)
    at.segmented_control(key="complaint_scope").set_value("all").run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert _pareto_total(at) == len(rows)


def _trend_values(at: AppTest, trace: int = 0) -> list[float]:
    import json

    charts = at.get("plotly_chart")
    assert charts[0].proto.id.endswith("-trend"), "the trend is drawn in its place at the top, above the lists"
    return [round(v, 2) for v in json.loads(charts[0].proto.spec)["data"][trace]["y"]]


def _row_path_trend(db, region: str | None, column: str = "revenue_at_risk") -> list[float]:
    """The 12-point trend by the plain row path (risk.risk_trend over client_day rows), for one region or all."""
    from kamcore.analytics import risk
    from kamcore.analytics.analysis import latest_as_of

    store = open_store(db)
    try:
        as_of = latest_as_of(store)
        days = store.sql("select * from client_day where day <= $d", {"d": as_of})
        incidents = store.sql("select client_id, date, category, stage from incidents")
        if region is not None:
            ids = store.sql("select client_id from clients where region = $r", {"r": region})["client_id"]
            days = days[days["client_id"].isin(set(ids))]
    finally:
        store.close()
    return risk.risk_trend(days, incidents, as_of)[column].round(2).tolist()


def test_trend_is_drawn_for_every_client_and_for_a_region(db):
    """The trend, computed on its own thread and drawn last into its place, equals the row-path trend: of
    every client without a filter (no id list reaches SQL), of the region's clients with one."""
    at = run()
    assert not errors(at), errors(at)
    assert _trend_values(at) == _row_path_trend(db, None)
    assert _trend_values(at, 1) == _row_path_trend(db, None, "revenue_lost")      # a line of its own, not a sum
    region = at.multiselect(key="region").options[0]
    at.multiselect(key="region").set_value([region]).run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    filtered = _trend_values(at)
    assert filtered == _row_path_trend(db, region)
    assert filtered != _row_path_trend(db, None)


def test_download_workbook_is_written_by_the_deferred_helper():
    """The win-back and dossier buttons hand ui.frame_workbook to Streamlit (openpyxl loads on the first click)."""
    from io import BytesIO

    from openpyxl import load_workbook

    import ui

    data = ui.frame_workbook({"Win-back": pd.DataFrame({"client_id": ["K1"], "revenue_at_risk": [1250.5]})})
    ws = load_workbook(BytesIO(data))["Win-back"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["client_id", "revenue_at_risk"], ["K1", 1250.5]]


def test_counts_in_sentences_are_written_with_thousands_separators(db, monkeypatch):
    """A large book: '6,582 clients are lost …' (English), '6.582 strank …' (Slovenian), as the tiles write them."""
    from kamcore.analytics import risk

    real = risk.summarize_risk

    def many(frame):
        return {**real(frame), "at_risk": 6582}

    monkeypatch.setattr(risk, "summarize_risk", many)
    at = run()
    assert not errors(at), errors(at)
    assert any(m.value.startswith("6,582 clients still buy but slip") for m in at.markdown)
    at.segmented_control(key="lang").set_value("sl").run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert any(m.value.startswith("6.582 ") for m in at.markdown), [m.value for m in at.markdown][:6]


def test_tiles_and_headline_keep_revenue_at_risk_and_revenue_lost_apart(db):
    """The page's money equals the sums of §8 over the frame, each on its own tile; lost earlier has no money."""
    from kamcore.analytics import risk
    from kamcore.analytics.analysis import analyze, latest_as_of
    from kamcore.presentation.i18n import fmt_money_short
    from kamcore.cli.risk import assess_analysis

    store = open_store(db)
    try:
        table, summary = assess_analysis(store, analyze(store, latest_as_of(store)))
    finally:
        store.close()
    at = run()
    assert not errors(at), errors(at)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles[i18n.t("kpi.revenue_at_risk", "en")] == fmt_money_short(summary["revenue_at_risk"])
    assert tiles[i18n.t("kpi.revenue_lost", "en")] == fmt_money_short(summary["revenue_lost"])
    earlier = at.dataframe(key="list_lost_earlier").value
    assert len(earlier) == summary["lost_earlier"] > 0
    assert "revenue_lost" not in earlier.columns and "revenue_at_risk" not in earlier.columns
    assert summary["revenue_at_risk"] == round(float(table["revenue_at_risk"].sum()), 2)
    assert risk.summarize_risk(table)["revenue_lost"] == summary["revenue_lost"]
