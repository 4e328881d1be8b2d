"""kamcore.presentation.charts: assertions on fig.data with tiny hand-made frames."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from kamcore.presentation import charts
from kamcore.settings import STRATEGIES


def _annotations(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def _is_no_data(fig, text="No data") -> bool:
    return len(fig.data) == 0 and text in _annotations(fig)


def _matrix() -> pd.DataFrame:
    rows = [
        ("A", "X", 2, 600.0, 0.60, "keep"),
        ("A", "Z", 1, 100.0, 0.10, "ask why they buy so rarely"),
        ("B", "Y", 3, 200.0, 0.20, "develop"),
        ("C", "Z", 4, 100.0, 0.10, "minimal effort"),
        ("-", "new", 5, 0.0, 0.0, None),  # outside the 3×3: ignored
    ]
    return pd.DataFrame(rows, columns=["abc", "xyz", "clients", "revenue", "share", "strategy"])


# --------------------------------------------------------------------------- heatmap


def test_heatmap_z_text_and_customdata():
    fig = charts.abc_xyz_heatmap(_matrix(), fmt_money=lambda v: f"€{v:.0f}")
    heat, cells = fig.data
    assert isinstance(heat, go.Heatmap)
    assert list(heat.x) == ["X", "Y", "Z"] and list(heat.y) == ["A", "B", "C"]
    assert [list(r) for r in heat.z] == [[0.6, 0.0, 0.1], [0.0, 0.2, 0.0], [0.0, 0.0, 0.1]]
    assert [list(r) for r in heat.customdata] == [["A|X", "A|Y", "A|Z"], ["B|X", "B|Y", "B|Z"],
                                                  ["C|X", "C|Y", "C|Z"]]
    assert heat.text[0][0].startswith("<b>AX</b> · 2 clients<br>60.0 %<br>")
    assert "keep" in heat.text[0][0]
    assert "ask why they buy so<br>rarely" in heat.text[0][2]          # strategy wrapped at 22 characters
    assert heat.text[1][0].startswith("<b>BX</b> · 0 clients<br>0.0 %")  # missing cell -> 0
    assert STRATEGIES[("B", "X")].split(":")[0] in heat.text[1][0]      # … with the default strategy
    assert "€600" in heat.hovertext[0][0]
    assert fig.layout.yaxis.autorange == "reversed"                     # A on top


def test_heatmap_clickable_markers_carry_cell_keys():
    cells = charts.abc_xyz_heatmap(_matrix()).data[1]
    assert isinstance(cells, go.Scatter)
    assert list(cells.customdata) == ["A|X", "A|Y", "A|Z", "B|X", "B|Y", "B|Z", "C|X", "C|Y", "C|Z"]
    assert list(cells.x) == ["X", "Y", "Z"] * 3 and list(cells.y) == ["A"] * 3 + ["B"] * 3 + ["C"] * 3


def test_heatmap_translated_labels():
    fig = charts.abc_xyz_heatmap(_matrix(), labels={"clients": "Kunden", "X": "X regelmäßig"})
    assert "2 Kunden" in fig.data[0].text[0][0]
    assert fig.layout.xaxis.ticktext[0] == "X regelmäßig"


def test_heatmap_empty_and_only_outside_rows():
    assert _is_no_data(charts.abc_xyz_heatmap(_matrix().iloc[0:0]))
    assert _is_no_data(charts.abc_xyz_heatmap(_matrix().iloc[[4]], labels={"no_data": "Keine Daten"}), "Keine Daten")


def test_heatmap_missing_column():
    with pytest.raises(ValueError, match="abc_xyz_heatmap: missing column.*share"):
        charts.abc_xyz_heatmap(_matrix().drop(columns="share"))


# --------------------------------------------------------------------------- monthly revenue


def test_monthly_revenue_bars_profit_and_previous():
    df = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
                       "revenue": [10.0, 20.0, 30.0], "profit": [1.0, 2.0, np.nan]})
    prev = pd.DataFrame({"month": ["2024-01", "2024-02"], "revenue": [5.0, 6.0]})
    fig = charts.monthly_revenue(df, prev=prev, fmt_money=lambda v: f"{v:.1f} €")
    bars, profit, previous = fig.data
    assert list(bars.x) == ["2025-01", "2025-02", "2025-03"] and list(bars.y) == [10.0, 20.0, 30.0]
    assert bars.hovertext[1] == "2025-02<br>Revenue: 20.0 €"
    assert list(profit.y)[:2] == [1.0, 2.0] and math.isnan(profit.y[2])
    assert list(previous.x) == ["2025-01", "2025-02"] and list(previous.y) == [5.0, 6.0]
    assert previous.hovertext[0].startswith("2024-01")


def test_monthly_revenue_without_profit():
    fig = charts.monthly_revenue(pd.DataFrame({"month": ["2025-01"], "revenue": [1.0], "profit": [np.nan]}))
    assert len(fig.data) == 1


def test_monthly_revenue_empty_and_missing_column():
    assert _is_no_data(charts.monthly_revenue(pd.DataFrame({"month": [], "revenue": []})))
    with pytest.raises(ValueError, match="revenue"):
        charts.monthly_revenue(pd.DataFrame({"month": ["2025-01"]}))


# --------------------------------------------------------------------------- sankey


def _migration() -> pd.DataFrame:
    return pd.DataFrame({"from_class": ["B", "A", "A", "-", "C"], "to_class": ["A", "A", "B", "C", "C"],
                         "clients": [1, 3, 2, 4, 0], "revenue": [50.0, 300.0, 80.0, 10.0, 0.0]})


def test_sankey_nodes_and_links():
    s = charts.migration_sankey(_migration()).data[0]
    assert list(s.node.label) == ["A", "B", "-", "A", "B", "C"]  # left: A, B, -; right: A, B, C
    links = sorted(zip(s.link.source, s.link.target, s.link.value))
    assert links == [(0, 3, 3), (0, 4, 2), (1, 3, 1), (2, 5, 4)]  # the 0-client link is left out
    assert s.node.color[0] == charts.CLASS_COLOURS["A"]


def test_sankey_by_revenue():
    s = charts.migration_sankey(_migration(), value="revenue").data[0]
    assert sorted(s.link.value) == [10.0, 50.0, 80.0, 300.0]


def test_sankey_empty_and_errors():
    assert _is_no_data(charts.migration_sankey(_migration().iloc[0:0]))
    assert _is_no_data(charts.migration_sankey(_migration().iloc[[4]]))
    with pytest.raises(ValueError, match="value must be"):
        charts.migration_sankey(_migration(), value="profit")
    with pytest.raises(ValueError, match="to_class"):
        charts.migration_sankey(_migration().drop(columns="to_class"))


# --------------------------------------------------------------------------- concentration


def test_pareto_points_and_marks():
    fig = charts.pareto_curve([2.0, 5.0, 3.0, 0.0, -1.0])  # unsorted; non-positive dropped
    line = fig.data[0]
    assert list(line.x) == [0, 1, 2, 3]
    assert list(line.y) == pytest.approx([0.0, 0.5, 0.8, 1.0])
    assert list(line.customdata) == pytest.approx([0, 1 / 3, 2 / 3, 1])
    notes = _annotations(fig)
    assert "50%: 1 clients (33%)" in notes and "80%: 2 clients (67%)" in notes


def test_pareto_empty():
    assert _is_no_data(charts.pareto_curve([]))
    assert _is_no_data(charts.pareto_curve([0.0, np.nan]))


def test_lorenz_points_and_gini_title():
    fig = charts.lorenz_curve(pd.Series([3.0, 1.0]), gini=0.25)
    diagonal, curve = fig.data
    assert list(diagonal.x) == [0, 1] and list(diagonal.y) == [0, 1]
    assert list(curve.x) == pytest.approx([0, 0.5, 1]) and list(curve.y) == pytest.approx([0, 0.25, 1])
    assert "Gini 0.25" in fig.layout.title.text


def test_lorenz_computes_gini_when_not_given():
    # values 1, 3: G = 2*(1*1 + 2*3)/(2*4) - 3/2 = 0.25
    assert "Gini 0.25" in charts.lorenz_curve([1, 3]).layout.title.text


def test_lorenz_empty():
    assert _is_no_data(charts.lorenz_curve([], gini=None))


def test_key_band():
    fig = charts.key_band(0.42)
    ind = fig.data[0]
    assert ind.value == 0.42
    assert not ind.title.text
    label, number = [a.text for a in fig.layout.annotations]
    assert label.startswith("Key clients' share · ") and label.endswith("method's band 30%–55%</span>")
    assert number == "42.0 %"
    from kamcore.presentation import i18n
    assert charts.key_band(0.42, labels=i18n.chart_labels("sl", charts.LABELS)).layout.annotations[1].text == "42,0 %"
    assert tuple(ind.gauge.steps[0].range) == (0.30, 0.55)
    assert ind.gauge.bar.color == charts.PALETTE["good"]
    outside = charts.key_band(0.7, band=(0.3, 0.5)).data[0]
    assert outside.gauge.bar.color == charts.PALETTE["middle"]
    assert tuple(outside.gauge.steps[0].range) == (0.3, 0.5)


def test_key_band_empty():
    assert _is_no_data(charts.key_band(None))
    assert _is_no_data(charts.key_band(float("nan")))


# --------------------------------------------------------------------------- types and classes


def test_bubble_sizes():
    assert charts.bubble_sizes([100.0, -25.0, 0.0, np.nan], min_px=10, max_px=30) == [30.0, 20.0, 10.0, 10.0]
    assert charts.bubble_sizes([0.0, 0.0], min_px=8) == [8.0, 8.0]
    # with >= 20 values |profit| is clipped at its 95th percentile: for 1..19 and 1000 that is
    # 19 + 0.05 * (1000 - 19) = 68.05, so 1000 -> max size and 19 -> 10 * sqrt(19 / 68.05) = 5.28
    sizes = charts.bubble_sizes(list(range(1, 20)) + [1000.0], min_px=0, max_px=10)
    assert sizes[-1] == 10.0 and sizes[-2] == 5.28
    # fewer than 20 values: no clipping
    assert charts.bubble_sizes([1.0, 100.0], min_px=0, max_px=10) == [1.0, 10.0]


def test_type_bubbles_traces_by_primary_type():
    frame = pd.DataFrame({
        "name": ["Feed", "Exp", "Std", "Zero", "NoGrowth"],
        "revenue": [1000.0, 100.0, 10.0, 0.0, 50.0],
        "growth": [0.1, -0.2, 0.5, 0.3, np.nan],
        "profit": [100.0, -25.0, np.nan, 1.0, 5.0],
        "types": [("expert", "feeder"), ("expert",), (), ("feeder",), ("standard",)],
    })
    fig = charts.type_bubbles(frame)
    names = [t.name for t in fig.data]
    # the standard clients are drawn first (at the bottom): the few tagged bubbles were hidden under them
    assert names == ["standard", "feeder", "expert"]
    std, feed, exp = fig.data
    # the legend keeps the order of CLIENT_TYPES: feeder, …, expert, standard
    assert [t.legendrank for t in fig.data] == [1004, 1000, 1003]
    assert list(feed.x) == [1000.0] and list(feed.y) == [0.1] and list(feed.customdata) == [0]
    # the new client (no growth) is drawn on the "new" line at cap * 1.15 = 3.0 * 1.15 = 3.45
    assert list(exp.customdata) == [1] and list(std.customdata) == [2, 4]
    assert list(std.y) == [0.5, pytest.approx(3.45)]
    # sizes over the shown clients (revenue > 0): |profit| 100, 25, unknown, 5 -> area ∝ |profit|
    assert feed.marker.size[0] == 44.0 and exp.marker.size[0] == pytest.approx(8 + 36 * 0.5)
    assert std.marker.size[0] == 8.0
    assert exp.marker.line.color[0] == charts.PALETTE["bad"]          # negative profit outlined
    assert fig.layout.xaxis.type == "log"
    assert any("new (1 clients)" in a for a in _annotations(fig))


def test_type_bubbles_clip_growth_to_the_cap_but_hover_keeps_it():
    frame = pd.DataFrame({"name": ["Rocket", "Fall"], "revenue": [10.0, 20.0], "growth": [12.0, -3.0],
                          "profit": [1.0, 1.0], "types": [("standard",), ("standard",)]})
    (std,) = charts.type_bubbles(frame, cap=2.0).data
    assert list(std.y) == [2.0, -1.0]                # +1200 % drawn at +200 %, -300 % at -100 %
    assert "+1200%" in std.hovertext[0] and "-300%" in std.hovertext[1]


def test_type_bubbles_draw_only_the_largest_clients_beyond_max_points():
    # revenue 0 is never drawn; of the 4 positive ones the 2 largest (40 and 30) are kept,
    # in their original row order, and the sizes are computed over the drawn ones only
    frame = pd.DataFrame({"name": list("abcde"), "revenue": [10.0, 40.0, 0.0, 30.0, 20.0],
                          "growth": [0.1] * 5, "profit": [1.0, 4.0, 1.0, 2.0, 1.0],
                          "types": [("standard",)] * 5})
    (std,) = charts.type_bubbles(frame, max_points=2).data
    assert list(std.customdata) == [1, 3] and list(std.x) == [40.0, 30.0]
    assert list(std.marker.size) == [44.0, pytest.approx(8 + 36 * 0.5 ** 0.5, abs=0.005)]   # 33.46
    (every,) = charts.type_bubbles(frame, max_points=None).data
    assert list(every.customdata) == [0, 1, 3, 4]


def test_type_bubbles_types_as_text():
    frame = pd.DataFrame({"name": ["a"], "revenue": [1.0], "growth": [0.0], "profit": [1.0],
                          "types": ["perspective; image_maker"]})
    assert charts.type_bubbles(frame).data[0].name == "high potential"


def test_type_bubbles_empty_and_missing():
    cols = ["name", "revenue", "growth", "profit", "types"]
    assert _is_no_data(charts.type_bubbles(pd.DataFrame(columns=cols)))
    with pytest.raises(ValueError, match="types"):
        charts.type_bubbles(pd.DataFrame(columns=cols[:-1]))


def test_class_counts():
    frame = pd.DataFrame({"abc": ["A", "A", "C", "-"], "xyz": ["X", "new", "Z", None]})
    abc, xyz = charts.class_counts(frame).data
    assert list(abc.x) == ["A", "B", "C", "-"] and list(abc.y) == [2, 0, 1, 1]
    assert list(xyz.x) == ["X", "Y", "Z", "new", "-"] and list(xyz.y) == [1, 0, 1, 1, 1]
    assert abc.marker.color[0] == charts.CLASS_COLOURS["A"]


def test_class_counts_empty_and_missing():
    assert _is_no_data(charts.class_counts(pd.DataFrame({"abc": [], "xyz": []})))
    with pytest.raises(ValueError, match="xyz"):
        charts.class_counts(pd.DataFrame({"abc": ["A"]}))


# --------------------------------------------------------------------------- risk


def test_risk_trend():
    fig = charts.risk_trend(pd.DataFrame({"month": pd.PeriodIndex(["2025-01", "2025-02"], freq="M"),
                                          "revenue_at_risk": [100.0, 150.0]}))
    assert list(fig.data[0].x) == ["2025-01", "2025-02"] and list(fig.data[0].y) == [100.0, 150.0]
    assert _is_no_data(charts.risk_trend(pd.DataFrame({"month": [], "revenue_at_risk": []})))


def _incidents() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-03-02", "2025-03-09", "2025-03-10"]),
        "stage": ["delivery", "warehouse", "delivery", None, "delivery"],
        "category": ["late", "damaged", "late", "other", "late"],
    })


def test_complaints_over_time_stacked_by_stage():
    fig = charts.complaints_over_time(_incidents())
    assert fig.layout.barmode == "stack"
    by_stage = {t.name: (list(t.x), list(t.y)) for t in fig.data}
    months = ["2025-01", "2025-02", "2025-03"]  # February without incidents is shown as 0
    assert by_stage == {"delivery": (months, [1, 0, 2]), "warehouse": (months, [1, 0, 0]),
                        "not given": (months, [0, 0, 1])}
    assert fig.data[0].name == "delivery"  # largest first
    # the legend stands at the right, one stage a line, top to bottom as the stack (not above, into the title)
    assert (fig.layout.legend.orientation, fig.layout.legend.x, fig.layout.legend.traceorder) == ("v", 1.02, "reversed")


def test_complaints_pareto_sorted_with_cumulative_share():
    bars, cum = charts.complaints_pareto(_incidents()).data
    assert list(bars.x) == ["delivery", "not given", "warehouse"] and list(bars.y) == [3, 1, 1]
    assert list(cum.y) == pytest.approx([0.6, 0.8, 1.0])
    share_axis = charts.complaints_pareto(_incidents()).layout.yaxis2
    assert list(share_axis.tickvals) == [0, 0.2, 0.4, 0.6, 0.8, 1.0] and share_axis.tickformat == ".0%"


def test_complaints_empty_and_missing():
    empty = _incidents().iloc[0:0]
    assert _is_no_data(charts.complaints_over_time(empty))
    assert _is_no_data(charts.complaints_pareto(empty))
    with pytest.raises(ValueError, match="stage"):
        charts.complaints_pareto(_incidents().drop(columns="stage"))


def test_p_alive_histogram_bins_and_unknown():
    fig = charts.p_alive_histogram(pd.Series([0.05, 0.1, 0.95, 1.0, np.nan, None]))
    bar = fig.data[0]
    assert list(bar.x) == pytest.approx([0.05 + 0.1 * i for i in range(10)])
    assert list(bar.y) == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]  # 0.1 in the 2nd bin; 1.0 in the last
    assert any("2 clients: too little history" in a for a in _annotations(fig))


def test_p_alive_histogram_empty():
    fig = charts.p_alive_histogram([np.nan])
    assert len(fig.data) == 0 and "No data" in _annotations(fig)
    assert any("too little history" in a for a in _annotations(fig))
    assert _is_no_data(charts.p_alive_histogram([]))


def test_late_deliveries_colours_below_threshold():
    fig = charts.late_deliveries(pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"],
                                               "on_time_rate": [0.8, 0.95, np.nan]}), threshold=0.9)
    bar = fig.data[0]
    assert list(bar.marker.color) == [charts.PALETTE["bad"], charts.PALETTE["good"], charts.PALETTE["grey"]]
    assert fig.layout.shapes[0].y0 == 0.9
    assert _is_no_data(charts.late_deliveries(pd.DataFrame({"month": ["2025-01"], "on_time_rate": [np.nan]})))


# --------------------------------------------------------------------------- relationships


def _contacts() -> pd.DataFrame:
    return pd.DataFrame({
        "contact_id": ["p1", "p2", "p3", "p4"],
        "name": ["Ann", "Bob", "Cy", "Di"],
        "title": ["CEO", "Purchasing", "Engineer", None],
        "buying_role": ["decision_maker", "buyer", "Influencer", "janitor"],
        "influence": [10, 5, np.nan, 2],
        "attitude": ["supporter", "opponent", None, "Neutral"],
        "reports_to": [None, "p1", "Ann", "nobody"],
    })


def test_buying_centre_nodes_and_edges():
    fig = charts.buying_centre(_contacts())
    edges, *nodes = fig.data
    by_att = {t.name: t for t in nodes}
    assert list(by_att) == ["supporter", "neutral", "opponent", "unknown"]
    ann, bob, cy, di = by_att["supporter"], by_att["opponent"], by_att["unknown"], by_att["neutral"]
    levels = {"decision maker": 5, "influencer": 4, "buyer": 3, "other": 0}
    assert ann.y[0] == levels["decision maker"] and cy.y[0] == levels["influencer"]
    assert bob.y[0] == levels["buyer"] and di.y[0] == levels["other"]
    assert list(ann.customdata) == ["p1"] and ann.marker.size[0] == pytest.approx(16 + 32)
    assert cy.marker.size[0] == 16  # unknown influence -> smallest
    assert ann.marker.color == charts.ATTITUDE_COLOURS["supporter"]
    # Bob -> Ann (by id) and Cy -> Ann (by name); "nobody" draws nothing
    assert list(edges.y) == [3, 5, None, 4, 5, None]


def test_buying_centre_one_and_zero_contacts():
    fig = charts.buying_centre(_contacts().iloc[[0]])
    assert len(fig.data) == 2 and list(fig.data[0].x) == [] and fig.data[1].x[0] == 0.5
    assert _is_no_data(charts.buying_centre(_contacts().iloc[0:0]))
    with pytest.raises(ValueError, match="reports_to"):
        charts.buying_centre(_contacts().drop(columns="reports_to"))


def test_manager_portfolio_sorted_grouped():
    fig = charts.manager_portfolio(pd.DataFrame({"manager": ["Eve", None, "Al"],
                                                 "revenue": [10.0, 30.0, 20.0], "revenue_at_risk": [1.0, 0.0, 5.0]}))
    rev, risk = fig.data
    assert list(rev.x) == ["(no manager)", "Al", "Eve"] and list(rev.y) == [30.0, 20.0, 10.0]
    assert list(risk.y) == [0.0, 5.0, 1.0] and fig.layout.barmode == "group"
    assert _is_no_data(charts.manager_portfolio(pd.DataFrame(columns=["manager", "revenue", "revenue_at_risk"])))


def test_revenue_history_class_labels():
    fig = charts.revenue_history(pd.DataFrame({"period_label": ["2024", "2025"], "revenue": [100.0, 80.0],
                                               "profit": [10.0, 8.0], "abc": ["A", "B"], "xyz": ["X", None]}))
    rev, profit = fig.data
    assert list(rev.x) == ["2024", "2025"] and list(rev.text) == ["A·X", "B·–"]
    assert list(profit.y) == [10.0, 8.0]
    assert _is_no_data(charts.revenue_history(pd.DataFrame(columns=["period_label", "revenue", "profit", "abc",
                                                                     "xyz"])))


# --------------------------------------------------------------------------- general


def test_inputs_not_mutated():
    m = _matrix()
    before = m.copy()
    charts.abc_xyz_heatmap(m)
    pd.testing.assert_frame_equal(m, before)
    c = _contacts()
    before = c.copy()
    charts.buying_centre(c)
    pd.testing.assert_frame_equal(c, before)


def test_every_figure_uses_the_template_and_serialises():
    figs = [charts.abc_xyz_heatmap(_matrix()), charts.pareto_curve([1, 2]), charts.key_band(0.4),
            charts.buying_centre(_contacts()), charts.complaints_pareto(_incidents())]
    for fig in figs:
        assert fig.layout.template.layout.colorway[0] == charts.PRIMARY
        fig.to_json()


def test_not_a_frame():
    with pytest.raises(TypeError, match="DataFrame"):
        charts.monthly_revenue([1, 2, 3])


def test_counts_on_charts_carry_the_languages_thousands_separator():
    from kamcore.presentation import i18n

    frame = pd.DataFrame({"abc": ["A"] * 1234 + ["C"] * 5, "xyz": ["X"] * 1239})
    abc, xyz = charts.class_counts(frame).data
    assert list(abc.text) == ["1,234", "0", "5", "0"] and xyz.hovertext[0] == "X: 1,239 clients"
    sl = i18n.chart_labels("sl", charts.LABELS)
    abc_sl, _ = charts.class_counts(frame, labels=sl).data
    assert list(abc_sl.text) == ["1.234", "0", "5", "0"]
    matrix = pd.DataFrame({"abc": ["A"], "xyz": ["X"], "clients": [19984], "revenue": [1e6], "share": [1.0]})
    cell = charts.abc_xyz_heatmap(matrix, labels=sl).data[0].text[0][0]
    assert cell.startswith("<b>AX</b> · 19.984 strank")


def test_slovenian_charts_write_numbers_with_decimal_comma():
    from kamcore.presentation import i18n

    sl = i18n.chart_labels("sl", charts.LABELS)
    matrix = pd.DataFrame({"abc": ["A"], "xyz": ["X"], "clients": [3], "revenue": [1e6], "share": [0.125]})
    assert "12,5 %" in charts.abc_xyz_heatmap(matrix, labels=sl).data[0].text[0][0]
    assert "12.5 %" in charts.abc_xyz_heatmap(matrix).data[0].text[0][0]
    fig = charts.risk_trend(pd.DataFrame({"month": pd.to_datetime(["2026-01-31"]), "revenue_at_risk": [1.5e6]}),
                            labels=sl)
    assert fig.layout.separators == ",."                      # Plotly's own ticks and hovers: 1,5M
    assert charts.risk_trend(pd.DataFrame({"month": pd.to_datetime(["2026-01-31"]),
                                           "revenue_at_risk": [1.5e6]})).layout.separators == ".,"
    assert charts.lorenz_curve([1.0, 3.0], labels=sl).layout.title.text.endswith(" 0,25")


# --------------------------------------------------------------------------- data is text, never HTML

EVIL = '<a href="http://evil">x</a><img src=http://img>'
EVIL_SHOWN = '&lt;a href="http://evil"&gt;x&lt;/a&gt;&lt;img src=http://img&gt;'   # plotly shows the characters


def _texts(fig) -> str:
    """Every text of every trace that plotly renders (names, labels, hover texts, templates, axis values)."""
    parts = []
    for t in fig.data:
        for attr in ("x", "text", "hovertext", "hovertemplate", "name"):
            v = getattr(t, attr, None)
            if v is not None:
                parts += [str(p) for p in (v if isinstance(v, (list, tuple)) else [v])]
    return "\n".join(parts)


def test_hostile_names_reach_figures_as_text():
    bubbles = charts.type_bubbles(pd.DataFrame({"name": [EVIL], "revenue": [10.0], "growth": [0.1],
                                                "profit": [1.0], "types": [("standard",)]}))
    contacts = _contacts().assign(name=[EVIL, "Bob", "Cy", "Di"], title=[EVIL, "a & b", None, None])
    centre = charts.buying_centre(contacts)
    managers = charts.manager_portfolio(pd.DataFrame({"manager": [EVIL], "revenue": [1.0], "revenue_at_risk": [0.0]}))
    incidents = _incidents().assign(stage=[EVIL + "%{y}", "delivery", "delivery", None, "delivery"])
    figures = [bubbles, centre, managers, charts.complaints_over_time(incidents), charts.complaints_pareto(incidents)]
    for fig in figures:
        text = _texts(fig)
        assert "<a " not in text and "<img" not in text
        assert EVIL_SHOWN in text
    assert centre.data[1].text[0] == EVIL_SHOWN and "a &amp; b" in _texts(centre)
    assert list(managers.data[0].x) == [EVIL_SHOWN]
    # the stage name inside a hover template cannot call a template variable
    over_time = charts.complaints_over_time(incidents)
    assert any("&#37;{y}" in t.hovertemplate for t in over_time.data)


def test_risk_trend_draws_revenue_lost_as_a_line_of_its_own():
    df = pd.DataFrame({"month": pd.to_datetime(["2025-11-30", "2025-12-31"]), "revenue_at_risk": [100.0, 120.0],
                       "revenue_lost": [5000.0, 40.0]})
    fig = charts.risk_trend(df)
    assert [t.name for t in fig.data] == ["Revenue at risk", "Revenue lost"]
    assert list(fig.data[0].y) == [100.0, 120.0] and list(fig.data[1].y) == [5000.0, 40.0]   # never summed
    assert all(t.fill in (None, "none") and t.stackgroup is None for t in fig.data)
    assert fig.layout.title.text == "Revenue at risk and revenue lost"


def test_manager_portfolio_shows_revenue_lost_apart():
    fig = charts.manager_portfolio(pd.DataFrame({"manager": ["Al"], "revenue": [10.0], "revenue_at_risk": [2.0],
                                                 "revenue_lost": [7.0]}))
    assert [(t.name, list(t.y)) for t in fig.data] == [("Revenue", [10.0]), ("Revenue at risk", [2.0]),
                                                       ("Revenue lost", [7.0])]
