"""The pages' cached composition (ui/loaders) and the command line (``risk --out``) give the same numbers:
both run kamcore.analytics.pipeline."""
from __future__ import annotations

from dataclasses import asdict

import pandas as pd
from pandas.testing import assert_frame_equal

from kamcore.analytics.analysis import Filters
from kamcore.cli import risk as risk_cli
from kamcore.presentation.reasons import in_words
from kamcore.settings import DEFAULT


def test_pages_and_cli_compute_the_same_risk_table(db):
    from ui import loaders

    table, summary = risk_cli.compute(db)
    path = str(db)
    version = loaders.data_version(loaders._store(path))
    as_of = pd.Timestamp(summary["as_of"]).date()
    key = tuple(sorted(asdict(DEFAULT).items()))
    frame, info = loaders._risk(path, version, as_of, key, Filters())
    frame = in_words(frame, "en").sort_values("client_id").reset_index(drop=True)
    assert_frame_equal(frame[list(table.columns)], table)
    winback = loaders._winback(path, version, as_of, key, Filters())
    assert len(winback) == summary["winback_candidates"] > 0
    assert info["note"] == summary["bgnbd"]["note"]
