"""kamcore.analytics.pipeline: the one composition analysis -> risk -> merge -> win-back (DOMAIN §1–§8)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore.analytics import pipeline, risk
from kamcore.analytics.analysis import Filters, analyze
from kamcore.db.store import open_store
from kamcore.settings import DEFAULT

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def store(demo_db):
    s = open_store(demo_db, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def whole(store):
    return pipeline.run(store, AS_OF)


def test_steps_one_by_one_equal_the_composition(store, whole):
    """What the pages do (each step cached on its own, BG/NBD reused) equals the command line's one call."""
    result = analyze(store, AS_OF)
    bg = risk.load_bgnbd_inputs(store, AS_OF)
    r, info = pipeline.assess_risk(store, AS_OF, DEFAULT, pipeline.risk_scope(store, AS_OF, Filters()), bg=bg,
                                   fitted=risk.fit_p_alive_inputs(bg))
    merged = pipeline.merge_risk(result, r)
    assert_frame_equal(merged, whole.clients)
    assert_frame_equal(pipeline.winback(merged, result), whole.winback)
    assert info == whole.bgnbd


def test_merge_has_one_row_per_client_of_the_analysis_with_the_winback_flag(whole):
    f = whole.clients
    assert f["client_id"].tolist() == whole.analysis.clients["client_id"].tolist()
    assert not f["revenue_at_risk"].isna().any() and f["lost_in_window"].dtype == bool
    # the flag and the list agree: the list is the flagged rows, ranked
    assert set(f.loc[f["winback"], "client_id"]) == set(whole.winback["client_id"])


def test_a_filter_assesses_its_clients_as_the_whole_company_does(store, whole):
    """Risk of a client does not depend on who else is assessed (BG/NBD is fitted on all clients)."""
    region = str(whole.analysis.clients["region"].dropna().iloc[0])
    part = pipeline.run(store, AS_OF, filters=Filters(regions=(region,)))
    assert pipeline.risk_scope(store, AS_OF, Filters()) is None
    ids = part.clients["client_id"]
    cols = ["client_id", "status", "lost_on", "declining", "yearly_value", "revenue_at_risk", "revenue_lost", "p_alive"]
    want = whole.clients.set_index("client_id").loc[ids, cols[1:]].reset_index()
    assert_frame_equal(part.clients[cols].reset_index(drop=True), want)


def test_risk_summary_counts_the_winback_list(whole):
    s = pipeline.risk_summary(whole)
    assert s["winback_candidates"] == len(whole.winback) > 0
    assert s["window_start"] == str(whole.analysis.window.start)
    assert s["revenue_at_risk"] == round(float(whole.clients["revenue_at_risk"].sum()), 2)
    assert set(s["bgnbd"]) >= {"fit", "signal", "note"}
