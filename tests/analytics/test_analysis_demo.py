"""The demo's planted client types are found by kamcore.analytics.analysis (DOMAIN.md §5–§7), and the CLI agrees.

Runs on the session's ``demo_db`` (150 clients, end 2026-10, seed 7) at the default as-of date.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kamcore import demo
from kamcore.presentation.i18n import t
from kamcore.presentation.reasons import in_words
from kamcore.settings import DEFAULT

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result(demo_analysis):
    return demo_analysis


@pytest.fixture(scope="module")
def clients(result) -> pd.DataFrame:
    return in_words(result.clients).set_index("client_id")     # the reason codes in words, as a page shows them


def tagged(clients: pd.DataFrame, label: str) -> set[str]:
    return set(clients.index[clients["types"].map(lambda ts: label in ts)])


def test_default_as_of_is_the_end_of_the_demo(result):
    assert str(result.window.as_of) == "2026-10-31"
    assert result.window.months == DEFAULT.months


def test_exactly_the_planted_feeders(clients):
    assert tagged(clients, "feeder") == set(demo.PLANTED["feeder"])


@pytest.mark.parametrize("cid", demo.PLANTED["feeder"])
def test_feeder_reason_names_the_profit_share(clients, cid):
    reasons = clients.loc[cid, "type_reasons"]
    feeder_part = next(p for p in reasons.split("; ") if p.startswith(t("type.feeder", "en") + ":"))
    assert t("basis.profit", "en") in feeder_part, feeder_part        # "gross profit"
    assert "%" in feeder_part and "years" in feeder_part, feeder_part


@pytest.mark.parametrize("label, planted", [("image_maker", "image_maker"), ("expert", "expert"),
                                            ("perspective", "perspective")])
def test_planted_types_carry_their_tag_with_a_reason(clients, label, planted):
    word = t(f"type.{label}", "en")
    for cid in demo.PLANTED[planted]:
        assert label in clients.loc[cid, "types"], f"{cid} is not tagged {label}: {clients.loc[cid, 'types']}"
        parts = [p for p in clients.loc[cid, "type_reasons"].split("; ") if p.startswith(word + ":")]
        assert parts and parts[0][len(word) + 1:].strip(), f"{cid}: no reason for {label}: {clients.loc[cid, 'type_reasons']!r}"


def test_image_makers_and_experts_are_exactly_the_planted_ones(clients):
    # the demo guarantees no other image_maker flag, no other high requirements and <= 2 quality incidents
    assert tagged(clients, "image_maker") == set(demo.PLANTED["image_maker"])
    assert tagged(clients, "expert") == set(demo.PLANTED["expert"])


def test_new_perspective_clients_are_exactly_the_planted_ones(clients):
    # perspective by "first purchase in the last 12 months with a large potential" (the growth rule may add others)
    new_by_potential = {cid for cid, why in clients["type_reasons"].items() if "first purchase" in why}
    assert new_by_potential == set(demo.PLANTED["perspective"])


def test_expert_reasons(clients):
    assert "high requirements" in clients.loc["C0027", "type_reasons"]
    assert "5 quality incidents" in clients.loc["C0051", "type_reasons"]
    assert "high requirements" in clients.loc["C0008", "type_reasons"]


def test_key_clients_lie_in_the_band(result, clients):
    s = result.summary
    low, high = DEFAULT.key_band
    assert s["key_count"] == int(clients["key"].sum()) > 0
    assert low <= s["key_share"] <= high, s["key_share"]
    assert 0.30 <= s["key_share"] <= 0.55
    by_hand = set(demo.KEY_BY_HAND)
    assert by_hand <= set(clients.index[clients["key"]])


def test_cli_analyze_agrees_with_analyze(demo_db, copy_db, result, tmp_path):
    db = copy_db(demo_db)  # the CLI opens the file itself; never touch the shared one
    out = tmp_path / "f.csv"
    r = subprocess.run([sys.executable, "-m", "kamcore", "analyze", "--db", str(db), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    got = pd.read_csv(out, dtype={"client_id": str}, keep_default_na=False).set_index("client_id")
    want = result.clients.set_index("client_id")
    assert set(got.index) == set(want.index)
    want = want.loc[got.index]
    assert got["abc"].tolist() == want["abc"].tolist()
    assert got["xyz"].tolist() == want["xyz"].tolist()
    assert got["key"].astype(str).str.lower().tolist() == want["key"].astype(str).str.lower().tolist()
    assert got["value"].astype(float).tolist() == pytest.approx(want["value"].astype(float).tolist())
    words = want["types"].map(lambda ts: ", ".join(t(f"type.{x}", "en") for x in ts))
    assert got["types"].tolist() == words.tolist()
