"""Column formats of the screen tables (headers, money and percent formats in the view's language).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from ui.page import View


def migration_columns(view: View) -> dict:
    """Column headers of a from->to table."""
    return {"from_class": view.t("col.from"), "to_class": view.t("col.to"),
            "clients": st.column_config.NumberColumn(view.t("col.clients"), format="%,d"),
            "revenue": st.column_config.NumberColumn(view.t("kpi.revenue"), format=view.money_format)}


def client_columns(view: View) -> dict:
    """Headers and formats of the columns a client table may show (:func:`ui.widgets.client_list`)."""
    money = {"printf": view.money_format}
    return {
        "client_id": st.column_config.TextColumn(view.t("col.client_id")),
        "name": st.column_config.TextColumn(view.t("col.name"), width="medium"),
        "value": st.column_config.NumberColumn(view.t(f"basis.{view.settings.basis}").capitalize(), format=money["printf"]),
        "revenue": st.column_config.NumberColumn(view.t("kpi.revenue"), format=money["printf"]),
        "profit": st.column_config.NumberColumn(view.t("kpi.profit"), format=money["printf"]),
        "revenue_at_risk": st.column_config.NumberColumn(view.t("kpi.revenue_at_risk"), format=money["printf"]),
        "revenue_lost": st.column_config.NumberColumn(view.t("kpi.revenue_lost"), format=money["printf"]),
        "yearly_value": st.column_config.NumberColumn(view.t("col.yearly_value"), format=money["printf"]),
        "lost_on": st.column_config.DateColumn(view.t("col.lost_on"), format="YYYY-MM-DD"),
        "share": st.column_config.NumberColumn(view.t("col.share"), format="percent"),
        "active_share": st.column_config.ProgressColumn(view.t("col.active_share"), min_value=0, max_value=1,
                                                        format="percent"),
        "cv": st.column_config.NumberColumn("CV", format="%.2f"),
        "median_gap_days": st.column_config.NumberColumn(view.t("col.median_gap"), format="%.0f"),
        "key": st.column_config.CheckboxColumn(f"{view.t('col.key')} (k = {view.pct(view.settings.key_share, 0)})"),
        "types": st.column_config.TextColumn(view.t("col.types")),
        "growth": st.column_config.NumberColumn(view.t("col.growth"), format="percent"),
        "type_reasons": st.column_config.TextColumn(view.t("col.reasons"), width="large"),
        "abc": st.column_config.TextColumn("ABC", width="small"),
        "xyz": st.column_config.TextColumn("XYZ", width="small"),
        "status": st.column_config.TextColumn(view.t("risk.status")),
        "manager": st.column_config.TextColumn(view.t("sidebar.manager")),
        "recency_days": st.column_config.NumberColumn(view.t("col.recency"), format="%d"),
        "cadence_days": st.column_config.NumberColumn(view.t("col.cadence"), format="%.1f"),
        "reasons": st.column_config.TextColumn(view.t("col.reasons"), width="large"),
    }
