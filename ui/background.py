"""Cached loaders started on threads of their own while the page renders.
"""
from __future__ import annotations

import contextlib
import threading

from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx


def in_background(*loaders):
    """Start independent cached loaders on threads of their own; returns a function that waits for them.

    The page goes on rendering meanwhile (DuckDB and numpy release the GIL) and, after the wait, calls
    the loaders again to find their results cached. A loader that fails here is simply called again by
    the page, which shows the error the usual way.
    """
    ctx = get_script_run_ctx()

    def quietly(load) -> None:
        with contextlib.suppress(Exception):
            load()

    threads = [threading.Thread(target=quietly, args=(load,), daemon=True) for load in loaders]
    for t in threads:
        add_script_run_ctx(t, ctx)
        t.start()

    def wait() -> None:
        for t in threads:
            t.join()
    return wait
