"""The demo's calendar (the as-of date, the windows the stories are planted in, day numbers) and the small
helpers every part of the generator uses (ids, ASCII names, picks, sums per client).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from kamcore.analytics.window import add_months, month_end, month_start


_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class _Calendar:
    """Day numbers (days since 1970-01-01) of the dates the stories are built around."""

    as_of: date
    D: int      # as-of date (last day of the end month)
    S: int      # first day with data
    Ws: int     # start of the 12-month window
    Ps: int     # start of the previous window
    Pe: int     # end of the previous window
    L3: int     # start of the last 3 months
    Y3s: int    # the same 3 months a year earlier
    Y3e: int
    C24: int    # cadence horizon: purchase days after this day count

    @classmethod
    def of(cls, as_of: date, years: int) -> "_Calendar":
        ms = month_start(as_of)
        return cls(as_of, _day(as_of), _day(add_months(ms, -(12 * years - 1))), _day(add_months(ms, -11)),
                   _day(add_months(ms, -23)), _day(add_months(as_of, -12)), _day(add_months(ms, -2)),
                   _day(add_months(ms, -14)), _day(month_end(add_months(ms, -12))), _day(add_months(as_of, -24)))


def _day(d: date) -> int:
    return int((np.datetime64(d, "D") - _EPOCH).astype(np.int64))


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Day numbers -> datetime64[s] (NaT where not valid)."""
    out = (np.asarray(days, dtype=np.int64).astype("datetime64[D]")).astype("datetime64[s]")
    if valid is not None:
        out[~valid] = np.datetime64("NaT")
    return out


def default_end(today: date | None = None) -> str:
    """The last complete month before ``today`` as "YYYY-MM" (2026-11-27 -> "2026-10")."""
    today = today or date.today()
    return f"{add_months(month_start(today), -1):%Y-%m}"


def _parse_end(end: str) -> date:
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(end).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"end must be a month written as YYYY-MM, for example 2026-10, not {end!r}.")
    return month_end(date(int(m.group(1)), int(m.group(2)), 1))


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    return prefix + pd.Series(np.asarray(numbers)).astype(str).str.zfill(width)


def _ascii(s: pd.Series) -> pd.Series:
    s = s.str.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "ß": "ss", "æ": "ae", "đ": "d"}))
    return s.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")


def _pick(rng, options, n, p=None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _client_sum(tx: dict, mask: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(tx["client"][mask], weights=values[mask], minlength=n)


def _key_clients(n: int, revenue: np.ndarray, k: float = 0.5) -> np.ndarray:
    """Revenues of the key clients of DOMAIN.md §6 (cents, ties by client id)."""
    cents = np.rint(revenue * 100).astype(np.int64)
    order = np.lexsort((np.arange(n), -cents))
    ranked = cents[order][cents[order] > 0]
    above = np.cumsum(ranked) - ranked
    return ranked[above < k * ranked.sum()] / 100.0


def _scale(tx: dict, sel: np.ndarray, factor: np.ndarray) -> None:
    """Multiply the quantities of the selected lines by their client's factor (whole units, >= 1)."""
    q = tx["q"][sel]
    tx["q"][sel] = np.sign(q) * np.maximum(1.0, np.rint(np.abs(q) * factor[tx["client"][sel]]))
