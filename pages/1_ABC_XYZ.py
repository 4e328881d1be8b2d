"""ABC-XYZ: value against regularity, the nine cells and how clients moved."""
import streamlit as st

import ui
from kamcore.presentation import charts

view = ui.page("menu.abc_xyz")
with ui.guard(view):
    result = view.analysis()
    ui.caption(view, result)
    labels = view.labels
    top = st.columns([4, 1])
    top[1].write("")
    with top[1]:
        ui.excel_button(view, result)
    st.subheader(view.t("abcxyz.matrix"))
    cell = None
    if result.settings.xyz_too_short():      # every client "new": nine empty cells would explain nothing
        ui.xyz_too_short(view, result.settings)
    else:
        event = st.plotly_chart(charts.abc_xyz_heatmap(result.matrix, labels=labels, fmt_money=view.money),
                                key="matrix", on_select="rerun", selection_mode="points")
        cells = [f"{a}{x}" for a in "ABC" for x in "XYZ"]
        points = event.selection.points if event and event.selection else []
        if points and points[0].get("customdata"):
            st.session_state["cell"] = str(points[0]["customdata"]).replace("|", "")
        cell = st.pills(view.t("abcxyz.pick"), cells, key="cell", help=view.t("abcxyz.click"))
    f = result.clients
    other = result.summary["xyz_counts"]
    active = f["lines"] > 0
    st.caption(view.t("abcxyz.others", n=view.num(other["new"]), m=view.num(int(((f["abc"] == "-") & active).sum())),
                      k=view.num(int((~active).sum()))))
    if cell:
        rows = f[(f["abc"] == cell[0]) & (f["xyz"] == cell[1])]
        strategy = result.matrix.set_index(["abc", "xyz"]).loc[(cell[0], cell[1]), "strategy"]
        st.markdown(view.t("abcxyz.cell_clients", n=view.num(len(rows)), cell=cell, strategy=strategy))
        ui.client_list(view, rows, key="cell_list")

    st.subheader(view.t("abcxyz.migration"))
    st.caption(view.t("abcxyz.shift", label=result.previous.label(),
                      n=view.num(result.settings.migration_shift or result.window.months)))
    tabs = st.tabs([view.t("abcxyz.by_abc"), view.t("abcxyz.by_cell")])
    for i, (tab, table) in enumerate(zip(tabs, (result.migration_abc, result.migration_cell))):
        with tab:
            left, right = st.columns([2, 3])
            left.dataframe(table, hide_index=True, placeholder="–", column_config=ui.migration_columns(view))
            right.plotly_chart(charts.migration_sankey(table, labels=labels), key=f"sankey_{i}")
