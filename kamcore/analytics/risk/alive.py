"""P(alive) of §8: the BG/NBD inputs per client (in weeks) and the fit over all clients, with its note.

x = purchase days − 1, t_x = (last − first purchase day) / 7, T = (D − first purchase day) / 7. P(alive) is
NaN for x = 0 ("too little history") and when the fit failed.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kamcore.analytics import bgnbd
from kamcore.analytics.risk.rules import _check
from kamcore.settings import DEFAULT, Settings


def _pct(frac: float) -> str:
    """38 % (the English notes of the BG/NBD fit)."""
    return f"{100 * frac:.0f} %"


def bgnbd_inputs(client_day: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per client with a purchase day on or before ``as_of``: client_id, first, last, x, t_x, T (weeks).

    In: client_day rows with at least client_id, day, purchase.
    """
    _check(client_day, ("client_id", "day", "purchase"), "client_day")
    cd = client_day[["client_id", "day", "purchase"]].copy()
    cd["client_id"] = cd["client_id"].astype(str)
    cd["day"] = pd.to_datetime(cd["day"]).astype("datetime64[us]")
    d = pd.Timestamp(as_of)
    buys = cd[cd["purchase"].astype(bool) & (cd["day"] <= d)].drop_duplicates(["client_id", "day"])
    g = buys.groupby("client_id")["day"]
    out = pd.DataFrame({"first": g.min(), "last": g.max(), "n": g.size()}).reset_index()
    out["x"] = (out["n"] - 1).astype(float)
    out["t_x"] = (out["last"] - out["first"]).dt.days / 7.0
    out["T"] = (d - out["first"]).dt.days / 7.0
    return out[["client_id", "first", "last", "x", "t_x", "T"]].sort_values("client_id").reset_index(drop=True)


def fit_p_alive(rows: pd.DataFrame, as_of: date, settings: Settings = DEFAULT
                ) -> tuple[bgnbd.BGNBDFit, pd.Series, str]:
    """Fit BG/NBD over every client in ``rows`` (client_day rows) with a purchase day on or before ``as_of``.

    Returns ``(fit, p, explanation)``: ``p`` is P(alive) indexed by client_id (NaN for one-time
    buyers and for every client when the fit failed); ``explanation`` says in one or two sentences
    what the fit found, or that it failed / carries no signal and the status uses the rhythm rules.
    """
    return fit_p_alive_inputs(bgnbd_inputs(rows, as_of), settings)


def fit_p_alive_inputs(inp: pd.DataFrame, settings: Settings = DEFAULT
                       ) -> tuple[bgnbd.BGNBDFit, pd.Series, str]:
    """:func:`fit_p_alive` from per-client ``inp`` [client_id, x, t_x, T] (see :func:`bgnbd_inputs`)."""
    fit = bgnbd.fit(inp["x"].to_numpy(), inp["t_x"].to_numpy(), inp["T"].to_numpy())
    p = pd.Series(np.nan, index=pd.Index(inp["client_id"], name="client_id"), name="p_alive")
    once = int((inp["x"] == 0).sum())
    repeat = len(inp) - once
    once_text = f" One-time buyers ({once:,}) have too little history for a probability." if once else ""
    if not fit.converged:
        return fit, p, (f"The BG/NBD fit failed: {fit.message}. P(alive) is not shown; "
                        f"the status uses the purchase rhythm rules only.")
    p[:] = bgnbd.p_alive(fit, inp["x"].to_numpy(), inp["t_x"].to_numpy(), inp["T"].to_numpy())
    finite = p.dropna()
    head = f"BG/NBD fitted on {len(inp):,} clients ({repeat:,} with repeat purchases): {bgnbd.describe(fit)}."
    if fit.message != "converged":
        head += " Note: " + fit.message.removeprefix("converged; ") + "."
    if bgnbd.no_signal(p.to_numpy(), settings):
        share = float((finite >= settings.no_signal_p).mean()) if len(finite) else 1.0
        return fit, p, (f"{head} It carries no signal: P(alive) >= {_pct(settings.no_signal_p)} for "
                        f"{_pct(share)} of the clients with repeat purchases, so it cannot tell who has left; "
                        f"the status uses the purchase rhythm rules only.{once_text}")
    return fit, p, (f"{head} Median P(alive) {_pct(float(finite.median()))}; "
                    f"{int((finite < 0.5).sum()):,} clients below 50 %.{once_text}")
