"""kamcore.accounts.dossier: win rates, buying-centre warnings, share of wallet, window history, summary."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore.accounts import dossier
from kamcore.db.store import open_store

AS_OF = date(2026, 10, 31)


def test_win_rate_by_count_differs_from_by_value():
    tenders = pd.DataFrame({"status": ["won", "won", "lost", "lost", "open", "Won "],
                            "value": [100.0, 300.0, 600.0, np.nan, 1000.0, np.nan]})
    r = dossier.win_rates(tenders)
    # decided: 3 won (one without value) + 2 lost -> 3/5 by count; value 400 / (400 + 600)
    assert (r["won"], r["lost"], r["open"]) == (3, 2, 1)
    assert r["rate_count"] == pytest.approx(0.6)
    assert r["rate_value"] == pytest.approx(0.4)
    assert r["value_open"] == 1000.0


def test_win_rate_without_decided_tenders_is_nan():
    r = dossier.win_rates(pd.DataFrame({"status": ["open"], "value": [5.0]}))
    assert np.isnan(r["rate_count"]) and np.isnan(r["rate_value"])


def test_win_rate_needs_columns():
    with pytest.raises(ValueError, match="value"):
        dossier.win_rates(pd.DataFrame({"status": ["won"]}))


def _contacts(roles, last):
    return pd.DataFrame({"buying_role": roles, "last_contact": pd.to_datetime(last)})


@pytest.mark.parametrize("days,stale", [(89, False), (90, False), (91, True)], ids=["89", "exactly-90", "91"])
def test_stale_contacts_at_the_boundary(days, stale):
    last = pd.Timestamp(AS_OF) - pd.Timedelta(days=days)
    w = dossier.contact_warnings(_contacts(["decision maker", "user"], [last - pd.Timedelta(days=30), last]), AS_OF)
    assert (("stale", {"days": days, "limit": 90}) in w) is stale
    assert ("no_decision_maker", {}) not in w


def test_no_decision_maker_and_unknown_dates():
    w = dossier.contact_warnings(_contacts(["buyer", None], [None, None]), AS_OF)
    assert w == [("no_decision_maker", {}), ("stale_unknown", {"limit": 90})]


def test_no_contacts_and_role_spellings():
    assert dossier.contact_warnings(_contacts([], []), AS_OF) == [("no_contacts", {})]
    roles = pd.Series(["Decision_Maker", "decision-makers", "influencer", None, "boss"])
    assert dossier.is_decision_maker(roles).tolist() == [True, True, False, False, False]


def test_contact_warnings_missing_column():
    with pytest.raises(ValueError, match="last_contact"):
        dossier.contact_warnings(pd.DataFrame({"buying_role": []}), AS_OF)


def test_wallet_adds_our_remainder():
    comp = pd.DataFrame({"competitor": ["Beta", "Alpha"], "share_of_wallet": [0.2, 0.3]})
    expected = pd.DataFrame({"competitor": ["Alpha", "Beta", "us"], "share_of_wallet": [0.3, 0.2, 0.5],
                             "is_us": [False, False, True]})
    assert_frame_equal(dossier.wallet(comp), expected, check_dtype=False)
    assert comp["competitor"].tolist() == ["Beta", "Alpha"]  # input untouched


def test_wallet_over_one_has_no_remainder():
    comp = pd.DataFrame({"competitor": ["A", "B"], "share_of_wallet": [0.7, 0.6]})
    assert "us" not in dossier.wallet(comp)["competitor"].tolist()


def test_tender_reasons_split_and_count():
    t = pd.DataFrame({"status": ["won", "lost", "lost"], "reasons": ["price; quality", "price", "price, delivery"]})
    out = dossier.tender_reasons(t)
    expected = pd.DataFrame({"status": ["lost", "lost", "won", "won"], "reason": ["price", "delivery", "price", "quality"],
                             "tenders": [2, 1, 1, 1]})
    assert_frame_equal(out, expected, check_dtype=False)


def test_client_history_and_kpis():
    hist = pd.DataFrame({
        "window": [0, 0, 1, 2], "period_label": ["w0", "w0", "w1", "w2"], "start": [3, 3, 2, 1], "end": [3, 3, 2, 1],
        "client_id": ["c1", "c2", "c1", "c2"], "revenue": [150.0, 10.0, 100.0, 5.0], "profit": [30.0, 1.0, 40.0, 1.0],
        "abc": ["A", "C", "B", "C"], "xyz": ["X", "Z", "Y", "Z"]})
    h = dossier.client_history(hist, "c1")
    assert h["period_label"].tolist() == ["w2", "w1", "w0"]
    assert h["abc"].tolist() == ["inactive", "B", "A"]
    assert h["revenue"].tolist() == [0.0, 100.0, 150.0]
    k = dossier.kpis(h)
    assert k["revenue_change"] == pytest.approx(0.5)
    assert k["profit_change"] == pytest.approx(-0.25)
    assert (k["abc"], k["prev_abc"]) == ("A", "B")


def test_change_without_base():
    assert np.isnan(dossier.change(5.0, 0.0)) and np.isnan(dossier.change(5.0, float("nan")))
    assert dossier.change(50.0, -100.0) == pytest.approx(1.5)


def test_client_info_of_unknown_and_known_client(tmp_path):
    store = open_store(tmp_path / "d.duckdb")
    with store.transaction() as cur:
        cur.execute("insert into clients (client_id, name, manager) values ('c1', 'Acme', 'Ana')")
    assert dossier.client_info(store, "c1", AS_OF)["name"] == "Acme"
    unknown = dossier.client_info(store, "zz", AS_OF)
    assert unknown["name"] == "zz" and not unknown["known"]
    assert dossier.client_options(store)["client_id"].tolist() == ["c1"]
    store.close()


def test_window_history_on_demo(demo_db):
    store = open_store(demo_db, read_only=True)
    try:
        hist = dossier.window_history(store, AS_OF, windows=3)
    finally:
        store.close()
    assert sorted(hist["window"].unique().tolist()) == [0, 1, 2]
    assert not hist.duplicated(["window", "client_id"]).any()
    assert set(hist["abc"]) <= {"A", "B", "C", "-", "inactive"}
    with pytest.raises(ValueError):
        dossier.window_history(None, AS_OF, windows=0)


def test_facts_skip_empty_and_format_dates():
    info = {"industry": "Food", "region": None, "country": "", "employees": 40, "founded": float("nan"),
            "first_purchase": pd.Timestamp("2023-11-03"), "last_purchase": date(2026, 3, 12)}
    assert dossier.facts(info) == [("industry", "Food"), ("employees", "40"), ("first_purchase", "2023-11-03"),
                                   ("last_purchase", "2026-03-12")]


def test_every_dossier_column_has_a_text_in_both_languages():
    from kamcore.presentation import i18n
    from kamcore.accounts.edits import SPECS

    cols = {f.name for spec in SPECS.values() if spec.table != "prospects" for f in spec.fields}
    cols |= {"updated_by", "updated_at", "created_by", "created_at", "category", "severity", "stage", "description",
             "resolved_date", "reason", "tenders"}
    missing = [c for c in sorted(cols) if f"dossier.c.{c}" not in i18n.TEXTS]
    assert not missing, missing
    assert all(i18n.TEXTS[f"dossier.c.{c}"][1] for c in cols)


def test_lost_note_says_in_the_window_or_earlier():
    row = {"status": "lost", "lost_on": pd.Timestamp("2026-03-05"), "lost_in_window": True}
    assert dossier.lost_note(row) == ("lost_in_window", "2026-03-05")
    earlier = {**row, "lost_in_window": False}
    assert dossier.lost_note(earlier) == ("lost_earlier", "2026-03-05")
    assert dossier.lost_note({"status": "lost", "lost_on": pd.NaT, "lost_in_window": False}) is None
    assert dossier.lost_note({"status": "lapsing", "lost_on": pd.NaT}) is None


def test_normalise_role_gives_the_stored_code():
    assert [dossier.normalise_role(v) for v in ("Decision maker", "decision_maker", "Decision-Makers", "boss")] == [
        "decision_maker", "decision_maker", "decision_maker", None]
