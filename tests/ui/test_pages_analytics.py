"""The analytics pages on the demo database (AppTest): ABC-XYZ, Concentration, Client types, Overview.

Figures on screen are compared with kamcore's own results, formatted the way the page formats them.
"""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import TIMEOUT, errors
from tests.ui.helpers import run_page as run

from kamcore import demo
from kamcore.presentation import i18n
from kamcore.settings import CLIENT_TYPES


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def result(demo_analysis):
    return demo_analysis


def matrix_spec(at: AppTest) -> dict:
    charts = [c for c in at.get("plotly_chart") if getattr(c, "key", None) == "matrix"]
    assert charts, "the ABC-XYZ page shows no plotly chart with key 'matrix'"
    return json.loads(charts[0].proto.spec)


# -- ABC-XYZ -----------------------------------------------------------------------
def test_abc_xyz_renders_the_matrix(db, result):
    at = run("pages/1_ABC_XYZ.py")
    assert not errors(at), errors(at)
    spec = matrix_spec(at)
    heat = spec["data"][0]
    assert heat["type"] == "heatmap"
    assert heat["customdata"][0][0] == "A|X"
    n_ax = int(result.matrix.set_index(["abc", "xyz"]).loc[("A", "X"), "clients"])
    assert f"AX</b> · {n_ax} clients" in heat["text"][0][0], heat["text"][0][0]


def test_picking_cell_ax_lists_its_clients(db, result):
    at = run("pages/1_ABC_XYZ.py")
    pills = at.pills(key="cell")
    assert "AX" in pills.options
    assert not [d for d in at.dataframe if d.key == "cell_list"], "a client list is shown before a cell is picked"
    pills.set_value("AX").run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    n_ax = int(result.matrix.set_index(["abc", "xyz"]).loc[("A", "X"), "clients"])
    # the count written in the matrix cell on screen
    text = matrix_spec(at)["data"][0]["text"][0][0]
    assert f"· {n_ax} clients" in text
    table = at.dataframe(key="cell_list").value
    assert len(table) == n_ax
    f = result.clients
    want = set(f[(f["abc"] == "A") & (f["xyz"] == "X")]["client_id"])
    assert set(table["client_id"]) == want
    assert any(f"{n_ax} clients in AX" in m.value for m in at.markdown)


def test_profit_basis_changes_the_caption(db):
    at = run("pages/1_ABC_XYZ.py")
    assert any("ABC by revenue" in c.value for c in at.caption)
    at.segmented_control(key="basis").set_value("profit").run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    captions = [c.value for c in at.caption]
    assert any("ABC by gross profit" in c for c in captions), captions
    assert not any("ABC by revenue" in c for c in captions), captions


# -- Concentration -----------------------------------------------------------------
def test_concentration_metrics_equal_kamcore(db, result):
    at = run("pages/2_Concentration.py")
    assert not errors(at), errors(at)
    s = result.summary
    got = metrics(at)
    assert got[i18n.t("conc.hhi", "en")] == i18n.fmt_number(s["hhi"], "en", 0)
    assert got[i18n.t("conc.gini", "en")] == i18n.fmt_number(s["gini"], "en", 2)
    assert got[i18n.t("conc.effective_n", "en")] == i18n.fmt_number(s["effective_n"], "en", 1)
    assert got[i18n.t("conc.top_n", "en", n=5)] == i18n.fmt_pct(s["top5_share"], "en")
    assert got[i18n.t("conc.n_for", "en", p=80)] == i18n.fmt_number(s["n_for_80"], "en", 0)
    # sanity: the HHI shown is a number on the 0..10,000 scale
    assert 0 < float(got["HHI"].replace(",", "")) <= 10_000


# -- Client types ------------------------------------------------------------------
def test_client_types_show_the_planted_counts(db, result):
    at = run("pages/3_Client_types.py")
    assert not errors(at), errors(at)
    got = metrics(at)
    labels = {kind: i18n.t(f"type.{kind}", "en").capitalize() for kind in CLIENT_TYPES}
    assert set(labels.values()) <= set(got), got
    assert got[labels["feeder"]] == str(len(demo.PLANTED["feeder"]))
    assert got[labels["image_maker"]] == str(len(demo.PLANTED["image_maker"]))
    assert got[labels["expert"]] == str(len(demo.PLANTED["expert"]))
    # the 4 planted new perspective clients, plus any client tagged by the growth rule of DOMAIN.md §7
    assert int(got[labels["perspective"]]) >= len(demo.PLANTED["perspective"])
    for kind in CLIENT_TYPES:
        assert got[labels[kind]] == i18n.fmt_number(result.summary["type_counts"][kind], "en", 0), kind


def test_client_types_list_carries_the_reasons(db):
    at = run("pages/3_Client_types.py")
    at.pills(key="type_pick").set_value("feeder").run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    table = at.dataframe(key="types_list").value
    assert set(table["client_id"]) == set(demo.PLANTED["feeder"])
    assert table["type_reasons"].str.contains("gross profit").all()


# -- Overview ----------------------------------------------------------------------
def test_overview_shows_revenue_at_risk_and_key_clients(db, result):
    at = run("app.py")
    assert not errors(at), errors(at)
    got = metrics(at)
    assert i18n.t("kpi.revenue_at_risk", "en") in got, got
    assert any(ch.isdigit() for ch in got[i18n.t("kpi.revenue_at_risk", "en")])
    assert got["Key clients (k = 50 %)"] == i18n.fmt_number(result.summary["key_count"], "en", 0)
    assert got[i18n.t("kpi.revenue", "en")] == i18n.fmt_money_short(result.summary["revenue"], "en", "EUR")


@pytest.mark.parametrize(("flagged", "text"), [
    (["C1"], "Drava alone carries ≥ 10 % of revenue"),
    (["C1", "C2"], "Drava, Sava: each ≥ 10 % of revenue")])
def test_clients_over_ten_percent_are_flagged_in_singular_or_plural(flagged, text):
    def script(flagged):
        from types import SimpleNamespace

        import pandas as pd

        import ui
        from kamcore.presentation import i18n

        view = SimpleNamespace(t=lambda key, **v: i18n.t(key, "en", **v), pct=lambda x: f"{x:.1%}")
        result = SimpleNamespace(clients=pd.DataFrame({"client_id": ["C1", "C2"], "name": ["Drava", "Sava"]}),
                                 summary={"flags": [("client_over_10", flagged)]})
        ui.concentration_flags(view, result)

    at = AppTest.from_function(script, args=(flagged,)).run(timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    assert [w.value for w in at.warning] == [text]


def test_client_types_work_on_the_clients_active_in_the_window(db, result):
    """The tiles count the clients active in the window (the universe of every page), not every client."""
    at = run("pages/3_Client_types.py")
    assert not errors(at), errors(at)
    active = result.summary["active_clients"]
    assert active < len(result.clients)                    # the demo has clients without a line in the window
    got = metrics(at)
    standard = int(got["Standard"].replace(",", ""))
    f = result.clients[result.clients["lines"] > 0]
    assert standard == int((f["types"].map(lambda ts: ts == ("standard",))).sum())
    assert any(c.value.startswith(f"{active} clients active in the window. Feeder: share of gross profit ≥ 10 %")
               for c in at.caption), [c.value for c in at.caption]
    bubbles = json.loads(next(c for c in at.get("plotly_chart") if c.key == "bubbles").proto.spec)
    names = [t["name"] for t in bubbles["data"]]
    assert names[0] == "standard" and {"image-maker", "expert"} <= set(names[1:])    # drawn above the standard ones


def test_feeder_share_setting_changes_the_feeders_and_the_caption(db):
    from kamcore.analytics.analysis import analyze
    from kamcore.settings import DEFAULT
    from kamcore.db.store import open_store

    store = open_store(db, read_only=True)
    try:
        want = analyze(store, settings=DEFAULT.with_(feeder_share=0.05)).summary["type_counts"]["feeder"]
    finally:
        store.close()
    at = run("pages/3_Client_types.py")
    at.number_input(key="feeder").set_value(5).run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert any("Feeder: share of gross profit ≥ 5 %" in c.value for c in at.caption)
    assert metrics(at)["Feeder"] == str(want) and want > len(demo.PLANTED["feeder"])
    assert at.query_params["feeder"] == "5"


@pytest.mark.parametrize("fix, months, period", [("fix_months", 12, "quarter"), ("fix_period", 6, "month")],
                         ids=["12-months", "monthly"])
def test_quarterly_xyz_of_a_short_window_says_so_in_place_and_offers_the_fix(db, fix, months, period):
    """§4: 6 months are 2 quarters, fewer than the 3 periods XYZ needs: every client is 'new'."""
    at = AppTest.from_file(str(__import__("tests.ui.helpers", fromlist=["ROOT"]).ROOT / "app.py"),
                           default_timeout=TIMEOUT)
    at.switch_page("pages/1_ABC_XYZ.py")
    at.query_params.update({"months": "6", "period": "quarter"})
    at.run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert [w.value for w in at.warning] == [
        "Quarterly XYZ needs at least 3 quarters; a 6-month window has 2, so every client is 'new' and the "
        "matrix stays empty."]
    assert not [c for c in at.get("plotly_chart") if getattr(c, "key", None) == "matrix"]
    at.button(key=fix).click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert at.session_state["months"] == months and at.session_state["period"] == period
    assert not at.warning
    assert matrix_spec(at)["data"][0]["type"] == "heatmap"


def test_migration_shift_setting_changes_the_previous_window_and_says_so(db, result):
    at = run("pages/1_ABC_XYZ.py")
    assert any(c.value == f"Previous window {result.previous.label()} (shifted by 12 months)." for c in at.caption)
    at.number_input(key="shift").set_value(6).run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    shifted = result.window.shifted(6)
    assert any(c.value == f"Previous window {shifted.label()} (shifted by 6 months)." for c in at.caption)
    assert at.query_params["shift"] == "6"
