"""The method settings of the sidebar (DOMAIN.md: every setting settable on screen, written next to its result):
lost days L, lapsing floor M, on-time minimum, k next to the key-client figures (AppTest on the demo)."""
from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

from tests.ui.helpers import ROOT, TIMEOUT, errors

import ui


def _run(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page != "app.py":
        at.switch_page(page)
    at.query_params.update(params)
    return at.run(timeout=TIMEOUT)


def test_method_numbers_become_settings():
    got = ui.method_numbers({"lost": 120, "lapse": 14, "shift": 0, "ontime": 95, "feeder": 12, "cov": 90})
    assert got == {"lost_days": 120, "lapse_floor_days": 14, "migration_shift": None, "on_time_min": 0.95,
                   "feeder_share": 0.12, "profit_coverage_min": 0.90}
    assert ui.method_numbers({"lost": 180, "lapse": 21, "shift": 6, "ontime": 90, "feeder": 10, "cov": 95})[
        "migration_shift"] == 6


def test_url_seeds_the_method_settings_and_bad_values_are_clamped_or_ignored(db):
    at = _run("pages/2_Concentration.py", lost="120", lapse="14", ontime="95", feeder="400", cov="abc")
    assert not errors(at), errors(at)
    assert at.number_input(key="lost").value == 120 and at.number_input(key="lapse").value == 14
    assert at.number_input(key="ontime").value == 95
    # out of range: clamped to the widget's bound; not a number: ignored (the default stays); both with a notice
    assert at.number_input(key="feeder").value == 50 and at.number_input(key="cov").value == 95
    assert len([w for w in at.warning if "feeder" in w.value or "cov" in w.value]) == 2, [w.value for w in at.warning]


def test_shorter_lost_days_lose_more_clients(db):
    def lost(at):   # lost in the window + lost earlier (the tile's value and its note "23 earlier")
        tile = next(m for m in at.metric if m.label == "Lost in the window")
        return int(tile.value.replace(",", "")) + int(re.sub(r"\D", "", tile.proto.delta))

    default = _run("pages/4_At_risk.py")
    shorter = _run("pages/4_At_risk.py", lost="60")
    assert not errors(default) and not errors(shorter), errors(shorter)
    # L = 60 days instead of 180: every client lost at 180 is lost at 60 too, and clients 61–180 days quiet join
    assert lost(shorter) > lost(default)
    assert shorter.query_params["lost"] == "60"


def test_on_time_minimum_is_written_on_the_late_deliveries_chart(db):
    at = _run("pages/4_At_risk.py", ontime="95")
    assert not errors(at), errors(at)
    spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == "late").proto.spec)
    assert any(a.get("text") == "target 95%" for a in spec["layout"]["annotations"])


def test_key_share_k_is_written_next_to_the_key_client_figures(db):
    at = _run("pages/2_Concentration.py", k="0.4")
    assert not errors(at), errors(at)
    assert any(m.value.startswith("**Key clients (k = 40 %).**") for m in at.markdown)
    at = _run("app.py", k="0.4")
    assert "Key clients (k = 40 %)" in {m.label for m in at.metric}
