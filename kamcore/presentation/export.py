"""Excel workbooks (openpyxl) for the analysis and for any list the pages export.

- Numbers stay numbers with a number format chosen by column name (money ``#,##0.00``,
  shares ``0.0%``, counts ``#,##0``), dates stay dates (``yyyy-mm-dd``); see :func:`column_format`.
- Every table sheet has a bold, frozen header row (``freeze_panes == "A2"``), an autofilter over
  the table and column widths from its contents.
- Formula injection (DOMAIN §1, issue 14 defect 5): every text cell is written with
  :func:`put_text`: cell type ``s`` (never a formula), and a text that starts like a formula
  (``= + - @``, a tab or a carriage return) gets Excel's quote-prefix style
  (``cell.quotePrefix``), so the cell shows exactly what was typed (``+386 1 234 5678``, no
  apostrophe in the text) and stays text when a person edits it. This applies to data, headers
  and the settings sheet alike. CSV files have no styles: :func:`csv_frame` / :func:`csv_bytes`
  put a leading ``'`` in front of such text cells instead (numbers stay numbers).
- Sheet names are made valid: ``[]:*?/\\`` become ``_``, at most 31 characters, unique.

Both public functions return the ``.xlsx`` file as ``bytes`` (for ``st.download_button`` or a file).
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

import defusedxml  # noqa: F401  (openpyxl parses XML safely only when defusedxml is installed)
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.xml import DEFUSEDXML

from kamcore.presentation import format as fmt
from kamcore.safetext import (ILLEGAL_CHARACTERS_RE, INJECTION_START, MAX_TEXT,  # noqa: F401 (re-exported)
                              clean_text, csv_bytes, csv_cell, csv_frame, formula_like, put_text)
from kamcore.settings import STRATEGIES

if not DEFUSEDXML:  # pragma: no cover - guarded by requirements.txt
    raise ImportError("openpyxl does not see defusedxml; install defusedxml")

# The number formats of the one formatter (kamcore.presentation.format), by column kind.
MONEY = fmt.excel_format("money")
SHARE = fmt.excel_format("share")
INTEGER = fmt.excel_format("integer")
DECIMAL = fmt.excel_format("decimal")
RATIO = fmt.excel_format("ratio")
DAYS = fmt.excel_format("days")
DATE = fmt.excel_format("date")
DATETIME = fmt.excel_format("datetime")

MAX_WIDTH, MIN_WIDTH = 60, 6

HEADER_FONT = Font(bold=True, color="1F2A33")
HEADER_FILL = PatternFill("solid", fgColor="E4E9ED")
TITLE_FONT = Font(bold=True, size=14, color="1F2A33")
THIN = Side(style="thin", color="FFFFFF")
CELL_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Class colours of the charts (kamcore.presentation.charts.CLASS_COLOURS), as Excel ARGB-less hex.
CLASS_FILLS = {"A": "2E7D32", "B": "E0A030", "C": "C0504D", "X": "2E7D32", "Y": "E0A030", "Z": "C0504D"}
# Matrix body shades: the charts' share scale (pale to A/X green) at four steps.
SHARE_STEPS = ("F3F6F4", "BFE0C3", "66AF6E", "2E7D32")

_MONEY_NAMES = {"revenue", "profit", "value", "mean", "std", "prev_value", "prev_revenue", "prev_profit",
                "revenue_at_risk", "total", "potential", "cost", "amount", "budget", "win_value", "lost_value"}
_RATIO_NAMES = {"cv", "gini", "effective_n", "score_ratio"}

SHEET_LABELS = {"Clients": "Clients", "Matrix": "Matrix", "Concentration": "Concentration",
                "Migration": "Migration", "Settings": "Settings", "clients": "clients", "revenue": "revenue",
                "share": "share", "strategy": "strategy", "setting": "setting", "value": "value",
                "generated_at": "generated at", "figure": "figure", "matrix_title": "ABC-XYZ matrix",
                "outside": "not in the matrix", "No data": "No data"}


# --------------------------------------------------------------------------- cell values


def put(ws, row: int, column: int, value):
    """``ws.cell(row, column)`` with ``value`` written by :func:`put_text`."""
    return put_text(ws.cell(row=row, column=column), value)


def sheet_title(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A valid, unique (case-insensitive against ``taken``) Excel sheet name for ``name``."""
    s = re.sub(r"[\[\]:*?/\\]", "_", ILLEGAL_CHARACTERS_RE.sub("", str(name))).strip().strip("'").strip()
    s = s or "Sheet"
    if s.lower() == "history":  # reserved by Excel
        s = "History_"
    s = s[:31]
    lowered = {t.lower() for t in taken}
    base, k = s, 2
    while s.lower() in lowered:
        suffix = f" ({k})"
        s = base[: 31 - len(suffix)] + suffix
        k += 1
    return s


def cell_value(v):
    """A Python value openpyxl writes as the right Excel type (number, bool, date, text or empty)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating, Decimal)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, pd.Timestamp):
        if v.tzinfo is not None:
            v = v.tz_localize(None)
        return v.to_pydatetime()
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, (date, time)):
        return v
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else pd.Timestamp(v).to_pydatetime()
    if isinstance(v, (tuple, list, set, frozenset, np.ndarray)):
        return clean_text("; ".join(str(x) for x in v))
    if isinstance(v, pd.Period):
        return clean_text(str(v))
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return clean_text(v if isinstance(v, str) else str(v))


def column_format(name: str, series: pd.Series) -> str | None:
    """Number format for a column, by dtype first, then by name:
    dates -> ``yyyy-mm-dd`` (``yyyy-mm-dd hh:mm`` when any time is not midnight);
    ``share``, ``*_share``, ``*_rate``, ``growth``, ``p_alive``, ``cum_share_above``, ``*_pct`` -> ``0.0%``;
    money names (revenue, profit, value, mean, std, revenue_at_risk, total, potential, cost, …,
    ``*_revenue``, ``*_profit``, ``*_value``) -> ``#,##0.00``; ``cv``, ``gini`` -> ``0.00``;
    ``*_days`` -> ``#,##0.0``; other integers -> ``#,##0``; other floats -> ``#,##0.00``;
    text and booleans -> none."""
    n = str(name).lower()
    if pd.api.types.is_bool_dtype(series.dtype):
        return None
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series.dropna()
        has_time = bool(len(s)) and bool((s != s.dt.normalize()).any())
        return DATETIME if has_time else DATE
    sample = series.dropna()
    if series.dtype == object and len(sample):
        first = sample.iloc[0]
        if isinstance(first, (date, datetime, pd.Timestamp)):
            return DATETIME if isinstance(first, datetime) and any(
                isinstance(x, datetime) and x.time() != time(0) for x in sample) else DATE
    numeric = pd.api.types.is_numeric_dtype(series.dtype) or (
        series.dtype == object and len(sample) and all(isinstance(x, (int, float, np.number, Decimal))
                                                      and not isinstance(x, bool) for x in sample))
    if not numeric:
        return None
    if n in ("share", "growth", "p_alive", "cum_share_above") or n.endswith(("_share", "_rate", "_pct")):
        return SHARE
    if n in _MONEY_NAMES or n.endswith(("_revenue", "_profit", "_value", "_money")) or n.startswith("revenue_"):
        return MONEY
    if n in _RATIO_NAMES:
        return RATIO
    if n.endswith("_days"):
        return DAYS
    if pd.api.types.is_integer_dtype(series.dtype):
        return INTEGER
    return DECIMAL


def _width(v, fmt: str | None) -> int:
    if v is None:
        return 0
    if isinstance(v, float):
        if fmt == SHARE:
            return 7
        return len(f"{v:,.2f}")
    if isinstance(v, (int, bool)):
        return len(f"{v:,}")
    if isinstance(v, (date, datetime)):
        return 16 if fmt == DATETIME else 10
    return max((len(line) for line in str(v).splitlines()), default=0)


# --------------------------------------------------------------------------- tables


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame, got {type(df).__name__}")
    if isinstance(df.index, pd.MultiIndex) or df.index.name is not None:
        df = df.reset_index()
    if isinstance(df.columns, pd.MultiIndex):
        df = df.copy()
        df.columns = [" ".join(str(p) for p in c if str(p)) for c in df.columns]
    return df


def _header(ws, row: int, names: list[str]) -> None:
    for j, name in enumerate(names, start=1):
        c = put(ws, row, j, str(name))
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(vertical="center")


def write_table(ws, df: pd.DataFrame, headers: Mapping[str, str] | None = None) -> None:
    """Write ``df`` (columns only; a named index becomes a column) to the empty sheet ``ws``:
    bold frozen header in row 1, one row per record, number formats per :func:`column_format`,
    autofilter over the table, column widths from the contents (sampled, 6–60)."""
    df = _prepare(df)
    headers = headers or {}
    names = [str(headers.get(c, c)) for c in df.columns]
    if not names:
        put(ws, 1, 1, SHEET_LABELS["No data"])
        return
    _header(ws, 1, names)
    widths = [len(n) + 3 for n in names]
    for j, col in enumerate(df.columns, start=1):
        series = df[col]
        fmt = column_format(col, series)
        for i, v in enumerate(series.tolist(), start=2):
            value = cell_value(v)
            c = put(ws, i, j, value)
            if fmt and value is not None and not isinstance(value, (str, bool)):
                c.number_format = fmt
            if i <= 1001:
                widths[j - 1] = max(widths[j - 1], _width(value, fmt) + 2)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(MIN_WIDTH, min(MAX_WIDTH, w))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}{max(1, len(df)) + 1}"


def _finish(wb: Workbook) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def frame_workbook(sheets: Mapping[str, pd.DataFrame], headers: Mapping[str, str] | None = None) -> bytes:
    """One formatted table sheet per ``{name: frame}`` (see :func:`write_table`); names are made
    valid sheet names; no sheets -> one sheet saying "No data". ``headers`` renames columns."""
    wb = Workbook()
    first = wb.active
    taken: set[str] = set()
    for name, df in sheets.items():
        title = sheet_title(name, taken)
        taken.add(title)
        ws = first if first is not None else wb.create_sheet()
        first = None
        ws.title = title
        write_table(ws, df, headers)
    if not taken:
        wb.active.title = SHEET_LABELS["No data"]
        wb.active["A1"] = SHEET_LABELS["No data"]
    return _finish(wb)


# --------------------------------------------------------------------------- analysis workbook


def _share_fill(share: float, top: float) -> str:
    if top <= 0 or share is None or pd.isna(share) or share <= 0:
        return SHARE_STEPS[0]
    k = min(len(SHARE_STEPS) - 1, int(math.ceil(share / top * (len(SHARE_STEPS) - 1))))
    return SHARE_STEPS[k]


def _write_matrix(ws, matrix: pd.DataFrame, lab: dict) -> None:
    """3×3 blocks laid out like the screen: ABC rows (A top), XYZ columns; each cell block has four
    rows: clients, revenue, share, strategy. Headers filled with class colours, bodies by share."""
    put(ws, 1, 1, str(lab["matrix_title"]))
    ws["A1"].font = TITLE_FONT
    cells = {}
    if not matrix.empty:
        for r in matrix.to_dict("records"):
            cells[(str(r.get("abc")), str(r.get("xyz")))] = r
    top = max([float(r.get("share") or 0) for (a, x), r in cells.items()
               if a in "ABC" and x in "XYZ" and not pd.isna(r.get("share"))] or [0.0])
    head_row = 3
    for j, x in enumerate("XYZ", start=3):
        c = put(ws, head_row, j, str(lab.get(x, x)))
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor=CLASS_FILLS[x])
        c.alignment = Alignment(horizontal="center")
    measures = (("clients", INTEGER), ("revenue", MONEY), ("share", SHARE), ("strategy", None))
    for i, a in enumerate("ABC"):
        r0 = head_row + 1 + i * len(measures)
        ws.merge_cells(start_row=r0, start_column=1, end_row=r0 + len(measures) - 1, end_column=1)
        c = put(ws, r0, 1, str(lab.get(a, a)))
        c.font = Font(bold=True, size=14, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor=CLASS_FILLS[a])
        c.alignment = Alignment(horizontal="center", vertical="center")
        for k, (m, fmt) in enumerate(measures):
            put(ws, r0 + k, 2, str(lab[m])).font = Font(color="5F6B73")
            for j, x in enumerate("XYZ", start=3):
                rec = cells.get((a, x), {})
                if m == "strategy":
                    v = rec.get("strategy")
                    v = STRATEGIES[(a, x)] if v is None or (isinstance(v, float) and math.isnan(v)) else v
                elif m == "clients":
                    v = cell_value(rec.get("clients")) or 0
                else:
                    v = cell_value(rec.get(m))
                    v = 0.0 if v is None else v
                cell = put(ws, r0 + k, j, cell_value(v))
                if isinstance(cell.value, str):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    cell.font = Font(italic=True, size=9)
                elif fmt:
                    cell.number_format = fmt
                shade = _share_fill(rec.get("share"), top)
                cell.fill = PatternFill("solid", fgColor=shade)
                if shade == SHARE_STEPS[-1]:
                    cell.font = Font(color="FFFFFF", bold=m == "clients", italic=m == "strategy",
                                     size=9 if m == "strategy" else 11)
                elif m == "clients":
                    cell.font = Font(bold=True)
                cell.border = CELL_BORDER
            if m == "strategy":
                ws.row_dimensions[r0 + k].height = 45
    outside = [r for (a, x), r in cells.items() if not (a in "ABC" and x in "XYZ")]
    row = head_row + 1 + 3 * len(measures) + 1
    if outside:
        put(ws, row, 1, str(lab["outside"])).font = Font(bold=True)
        for k, r in enumerate(sorted(outside, key=lambda r: (str(r.get("abc")), str(r.get("xyz")))), start=1):
            put(ws, row + k, 1, f"ABC {r.get('abc')} · XYZ {r.get('xyz')}")
            ws.cell(row=row + k, column=2, value=cell_value(r.get("clients"))).number_format = INTEGER
            ws.cell(row=row + k, column=3, value=cell_value(r.get("revenue"))).number_format = MONEY
            ws.cell(row=row + k, column=4, value=cell_value(r.get("share"))).number_format = SHARE
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 12
    for col in "CDE":
        ws.column_dimensions[col].width = 30
    ws.freeze_panes = "C4"


def _flatten(summary: Mapping, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for k, v in summary.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            rows += _flatten(v, key + ".")
        elif isinstance(v, (list, tuple)) and v and all(
                isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) for p in v):
            rows += _flatten(dict(v), key + ".")  # e.g. flags [("top5_over_25", 0.31)]
        else:
            rows.append((key, v))
    return rows


def _summary_format(key: str, v) -> str | None:
    k = key.lower().split(".")[-1]
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        return None
    if k.endswith("share") or k.endswith("_rate") or (key.lower().startswith("flags.") and isinstance(v, float)):
        return SHARE
    if k in ("total", "revenue", "profit") or k.endswith(("_revenue", "_value")):
        return MONEY
    if k == "hhi":
        return INTEGER
    if k in ("gini", "effective_n"):
        return RATIO
    if isinstance(v, (int, np.integer)):
        return INTEGER
    return DECIMAL


def _write_pairs(ws, rows: list[tuple[str, object]], head: tuple[str, str], formatter=None) -> None:
    _header(ws, 1, list(head))
    width = [len(head[0]) + 3, len(head[1]) + 3]
    for i, (k, v) in enumerate(rows, start=2):
        put(ws, i, 1, str(k))
        value = cell_value(v)
        c = put(ws, i, 2, value)
        if isinstance(value, str):
            pass                                   # text: put() made it a text cell
        elif isinstance(value, datetime):
            c.number_format = DATETIME
        elif isinstance(value, date):
            c.number_format = DATE
        elif formatter and value is not None:
            fmt = formatter(k, value)
            if fmt:
                c.number_format = fmt
        width[0] = max(width[0], len(str(k)) + 2)
        width[1] = max(width[1], _width(value, c.number_format) + 2)
    ws.column_dimensions["A"].width = min(MAX_WIDTH, width[0])
    ws.column_dimensions["B"].width = min(MAX_WIDTH, max(14, width[1]))
    ws.freeze_panes = "A2"


def analysis_workbook(clients: pd.DataFrame, matrix: pd.DataFrame, summary: Mapping,
                      settings_rows: list[tuple[str, str]], migration: pd.DataFrame | None = None,
                      extra_sheets: Mapping[str, pd.DataFrame] | None = None,
                      labels: Mapping[str, str] | None = None, generated_at: datetime | None = None) -> bytes:
    """The analysis as ``.xlsx`` bytes. Sheets:

    - "Clients": ``clients`` (the per-client analysis frame, any columns) as a formatted table;
      tuples such as ``types`` become "a; b" text. Headers are the column names unless ``labels``
      maps a column name to a header.
    - "Matrix": ``matrix[abc, xyz, clients, revenue, share, strategy?]`` laid out 3×3 like the screen
      (rows of ``-``/``new`` are listed under it).
    - "Concentration": ``summary`` (nested dicts flattened as ``abc.A``) as figure/value rows.
    - "Migration": ``migration`` as a table, when given.
    - "Settings": ``settings_rows`` (setting, value) plus "generated at" (``generated_at`` or now)
      unless the rows already name it.
    - one formatted table per ``extra_sheets`` item.
    ``labels`` translates sheet names and the texts of :data:`SHEET_LABELS` (and column headers).
    """
    lab = {**SHEET_LABELS, **(labels or {})}
    wb = Workbook()
    taken: set[str] = set()

    unused = [wb.active]

    def new_sheet(key: str):
        title = sheet_title(lab.get(key, key), taken)
        taken.add(title)
        ws = unused.pop() if unused else wb.create_sheet()
        ws.title = title
        return ws

    write_table(new_sheet("Clients"), clients, headers=labels)
    _write_matrix(new_sheet("Matrix"), _prepare(matrix), lab)
    _write_pairs(new_sheet("Concentration"), _flatten(summary or {}), (lab["figure"], lab["value"]),
                 _summary_format)
    if migration is not None:
        write_table(new_sheet("Migration"), migration, headers=labels)
    rows = [(str(k), v) for k, v in settings_rows]
    if not any(k in ("generated at", "generated_at", lab["generated_at"]) for k, _ in rows):
        rows.append((lab["generated_at"], (generated_at or datetime.now()).replace(microsecond=0)))
    _write_pairs(new_sheet("Settings"), rows, (lab["setting"], lab["value"]))
    for name, df in (extra_sheets or {}).items():
        write_table(new_sheet(name), df, headers=labels)
    return _finish(wb)


def abm_workbook(lists: Mapping[str, pd.DataFrame], contacts: pd.DataFrame,
                 titles: Mapping[str, str] | None = None) -> bytes:
    """The account-based-marketing workbook: one sheet per target list (kamcore.accounts.abm.target_lists), its
    rows with the decision makers' contact cards (:func:`kamcore.accounts.abm.with_cards`); sheet names from
    ``titles`` (list -> title), else the list's code."""
    from kamcore.accounts.abm import with_cards

    titles = titles or {}
    return frame_workbook({titles.get(k, k): with_cards(f, contacts) for k, f in lists.items()})
