"""kamcore.presentation.dossier: the printable summary of the account dossier."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kamcore.accounts import dossier
from kamcore.presentation.dossier import summary_html

AS_OF = date(2026, 10, 31)


def test_summary_html_escapes_values():
    info = {"client_id": "c1", "name": "<script>alert(1)</script>", "industry": "Food"}
    hist = pd.DataFrame({"period_label": ["w0"], "revenue": [10.0], "abc": ["A"], "xyz": ["X"]})
    empty = {k: pd.DataFrame() for k in ("contacts", "tenders", "competitors", "incidents", "notes")}
    kpi = {"revenue": 10.0, "revenue_change": np.nan, "profit": np.nan, "abc": "A", "xyz": "X"}
    rates = dossier.win_rates(pd.DataFrame({"status": [], "value": []}))
    out = summary_html(info, kpi, hist, empty, rates, [], "", [], AS_OF)
    assert "<script>alert" not in out and "&lt;script&gt;" in out
    assert "Food" in out
