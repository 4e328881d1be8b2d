"""relabel(): a threshold change re-labels without recomputing, and agrees with a full classify."""
import pytest
from pandas.testing import assert_frame_equal

from kamcore.analytics import analysis as an
from kamcore.settings import Settings
from kamcore.db.store import open_store


@pytest.fixture(scope="module")
def inputs(demo_db):
    store = open_store(demo_db, read_only=True)
    try:
        as_of = an.latest_as_of(store)
        yield an.load_inputs(store, as_of, 12, "month", an.Filters())
    finally:
        store.close()


@pytest.mark.parametrize("changes", [
    {"abc_a": 0.70, "abc_b": 0.90},
    {"abc_a": 0.50, "abc_b": 0.80},
    {"xyz_x": 0.10, "xyz_y": 0.25},
    {"abc_a": 0.70, "abc_b": 0.90, "xyz_x": 0.3, "xyz_y": 0.6},
], ids=["abc-70-90", "abc-50-80", "xyz-classic", "both"])
def test_relabel_equals_full_classify(inputs, changes):
    base = an.classify(inputs, Settings())
    new = Settings(**changes)
    fast = an.relabel(base, new)
    full = an.classify(inputs, new)
    cols = ["client_id", "abc", "xyz", "prev_abc", "prev_xyz", "key"]
    assert_frame_equal(fast.clients[cols].reset_index(drop=True), full.clients[cols].reset_index(drop=True))
    assert_frame_equal(fast.matrix, full.matrix)
    assert_frame_equal(fast.migration_abc, full.migration_abc)
    assert_frame_equal(fast.migration_cell, full.migration_cell)
    assert fast.summary["abc_counts"] == full.summary["abc_counts"]
    assert fast.summary["xyz_counts"] == full.summary["xyz_counts"]
    # the labels really moved: a tighter A cut-off gives fewer A clients
    if changes.get("abc_a", 0.8) < 0.8:
        assert fast.summary["abc_counts"]["A"] < base.summary["abc_counts"]["A"]


@pytest.mark.parametrize("changes", [{"basis": "profit"}, {"months": 6}, {"key_share": 0.4}],
                         ids=["basis", "window", "key-share"])
def test_relabel_refuses_anything_but_thresholds(inputs, changes):
    base = an.classify(inputs, Settings())
    with pytest.raises(ValueError, match="relabel changes only"):
        an.relabel(base, Settings(**changes))
