"""The printable one-page summary of the account dossier (DOMAIN.md §9), every value escaped."""
from __future__ import annotations

import html
from datetime import date

import pandas as pd

from kamcore.presentation.i18n import fmt_money, fmt_pct, t
from kamcore.presentation.reasons import vocabulary_words


def _table_html(df: pd.DataFrame, headers: dict[str, str]) -> str:
    if df.empty:
        return "<p>–</p>"
    head = "".join(f"<th>{html.escape(headers.get(c, c))}</th>" for c in df.columns)
    body = []
    for _, r in df.iterrows():
        cells = "".join(f"<td>{html.escape('' if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))}</td>"
                        for v in r.to_numpy())
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def summary_html(info: dict, kpi: dict, history: pd.DataFrame, rows: dict[str, pd.DataFrame],
                 rates: dict, flags: list[str], reasons: str, warnings: list[str], as_of: date,
                 lang: str = "en", currency: str = "EUR") -> str:
    """A one-page printable HTML summary of the dossier (all values escaped)."""
    m = (lambda v: fmt_money(v, lang, currency))
    e = html.escape
    facts = [(t("dossier.industry", lang), info.get("industry")), (t("dossier.region", lang), info.get("region")),
             (t("dossier.manager", lang), info.get("manager")), (t("dossier.employees", lang), info.get("employees")),
             (t("dossier.website", lang), info.get("website")),
             (t("dossier.first_purchase", lang), info.get("first_purchase")),
             (t("dossier.last_purchase", lang), info.get("last_purchase"))]
    facts_html = "".join(f"<tr><th>{e(k)}</th><td>{e('–' if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))}</td></tr>"
                         for k, v in facts)
    kpi_line = (f"{t('kpi.revenue', lang)}: <b>{e(m(kpi['revenue']))}</b> ({e(fmt_pct(kpi['revenue_change'], lang))}) · "
                f"{t('kpi.profit', lang)}: <b>{e(m(kpi['profit']))}</b> · ABC/XYZ: <b>{e(str(kpi['abc']))}/{e(str(kpi['xyz']))}</b>")
    hist = history[["period_label", "revenue", "abc", "xyz"]].assign(revenue=history["revenue"].map(m))
    contacts = rows["contacts"]
    cshow = vocabulary_words(contacts[[c for c in ("name", "title", "buying_role", "attitude", "last_contact", "email",
                                           "phone") if c in contacts]], lang)
    tenders = vocabulary_words(rows["tenders"][[c for c in ("date", "title", "status", "value", "reasons")
                                        if c in rows["tenders"]]], lang)
    comp = rows["competitors"][[c for c in ("competitor", "share_of_wallet", "strengths", "weaknesses")
                                if c in rows["competitors"]]]
    inc = vocabulary_words(rows["incidents"][[c for c in ("date", "category", "stage", "severity")
                                      if c in rows["incidents"]]].head(10), lang)
    notes = rows["notes"][[c for c in ("created_at", "created_by", "note") if c in rows["notes"]]].head(5)
    tender_line = t("dossier.win_rate_line", lang, won=rates["won"], lost=rates["lost"], open=rates["open"],
                    count=fmt_pct(rates["rate_count"], lang), value=fmt_pct(rates["rate_value"], lang))
    warn = "".join(f"<li>{e(w)}</li>" for w in flags + warnings)
    h = {}
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{e(str(info.get('name')))}</title>
<style>body{{font-family:sans-serif;font-size:11px;margin:18px;color:#1F2A33}}h1{{font-size:18px;margin:0}}
h2{{font-size:13px;margin:10px 0 3px;border-bottom:1px solid #ccc}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ddd;padding:2px 4px;text-align:left}}.cols{{display:flex;gap:16px}}.cols>div{{flex:1}}
@page{{size:A4;margin:10mm}}</style></head><body>
<h1>{e(str(info.get('name')))} <small>({e(str(info.get('client_id')))})</small></h1>
<p>{e(t('dossier.as_of_line', lang, date=str(as_of)))}</p><p>{kpi_line}</p>
<div class="cols"><div><h2>{e(t('dossier.general', lang))}</h2><table>{facts_html}</table></div>
<div><h2>{e(t('dossier.history', lang))}</h2>{_table_html(hist, h)}</div></div>
<h2>{e(t('dossier.flags', lang))}</h2><ul>{warn or '<li>–</li>'}</ul><p>{e(reasons or '')}</p>
<h2>{e(t('dossier.contacts', lang))}</h2>{_table_html(cshow, h)}
<h2>{e(t('dossier.tenders', lang))}</h2><p>{e(tender_line)}</p>{_table_html(tenders, h)}
<h2>{e(t('dossier.competitors', lang))}</h2>{_table_html(comp, h)}
<div class="cols"><div><h2>{e(t('dossier.incidents', lang))}</h2>{_table_html(inc, h)}</div>
<div><h2>{e(t('dossier.notes', lang))}</h2>{_table_html(notes, h)}</div></div>
</body></html>"""
