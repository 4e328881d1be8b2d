"""kamcore.analytics.parity: the analysis from the aggregates against the one from the lines, value by value
(the whole comparison on tampered databases: tests/db/test_check.py)."""
from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from kamcore.analytics import parity


def test_differences_hand_made():
    a = pd.DataFrame({"client_id": ["A", "B", "C"], "revenue": [100.0, 50.0, 10.0], "abc": ["A", "B", "C"],
                      "cv": [0.5, float("nan"), 1.0]})
    b = pd.DataFrame({"client_id": ["A", "B", "D"], "revenue": [100.004, 50.01, 5.0], "abc": ["A", "C", "C"],
                      "cv": [0.5 + 1e-12, float("nan"), 2.0]})
    found = parity.differences(a, b, columns=("revenue", "abc", "cv"))
    expected = pd.DataFrame({"client_id": ["C", "D", "B", "B"], "column": ["client", "client", "revenue", "abc"],
                             "aggregates": ["present", "absent", 50.0, "B"],
                             "lines": ["absent", "present", 50.01, "C"]})
    assert_frame_equal(found, expected)
