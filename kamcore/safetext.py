"""Text as data in spreadsheet cells (issue 14 defect 5): pure text neutralisation, below every layer that
writes a CSV or a workbook (the import's problem list and templates, the exports, the command line).

A text cell that starts with ``= + - @``, a tab or a carriage return is read as a formula by
spreadsheets. Every CSV the project writes (``analyze/risk --out x.csv``, the problems CSV, the
app's CSV downloads) goes through :func:`csv_bytes` / :func:`csv_frame`, which put a leading ``'``
in front of such text cells; numbers stay numbers (``-5`` is not text). Excel workbooks use a
quote-prefixed text cell instead (:func:`put_text`), so the text keeps no apostrophe. Nothing here imports
openpyxl: :func:`put_text` works on the cell it is given.
"""
from __future__ import annotations

import re

import pandas as pd

INJECTION_START = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 32767                                  # the most characters an Excel cell holds
# the control characters an Excel cell cannot hold: openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE (a test keeps them equal)
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def formula_like(value) -> bool:
    """True for text that a spreadsheet would read as a formula: it starts with ``= + - @``, tab or CR
    and has more after it (a lone ``-``, the class of an unranked client, is no formula)."""
    return isinstance(value, str) and len(value) > 1 and value.startswith(INJECTION_START)


def csv_cell(value):
    """A CSV cell: text that starts like a formula gets a leading ``'``; anything else (numbers, dates,
    other text) is returned as it is."""
    return "'" + value if formula_like(value) else value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` for a CSV file: :func:`csv_cell` on every text cell and header (numeric columns
    are not touched, so -5 stays the number -5)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(csv_cell).astype(object)
    out.columns = [csv_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, bom: bool = False) -> bytes:
    """``df`` as UTF-8 CSV (with a BOM when ``bom``, so Excel opens it cleanly) through :func:`csv_frame`."""
    return csv_frame(df).to_csv(index=False).encode("utf-8-sig" if bom else "utf-8")


def clean_text(text) -> str:
    """Text a cell can hold: illegal control characters removed, at most 32,767 characters (nothing added)."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(text))[:MAX_TEXT]


def put_text(cell, value):
    """Write ``value`` into the openpyxl ``cell``; text (str) becomes a text cell (type ``s``, never a
    formula) with the quote-prefix style when it starts like a formula. Returns the cell. The one
    place every workbook of the project writes text through."""
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = value
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell
