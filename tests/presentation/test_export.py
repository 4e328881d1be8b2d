"""kamcore.presentation.export: workbooks read back with openpyxl."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from kamcore.presentation import export
from kamcore.settings import STRATEGIES


def _read(data: bytes):
    assert data[:2] == b"PK", "not an xlsx (zip) file"
    return load_workbook(BytesIO(data))


def _clients() -> pd.DataFrame:
    return pd.DataFrame({
        "client_id": ["c1", "c2", "c3"],
        "name": ["Alpha", "=HYPERLINK(\"http://x\",\"y\")", "Gamma"],
        "revenue": [1000.5, 250.25, -10.0],
        "profit": [100.0, np.nan, 5.0],
        "share": [0.8, 0.2, 0.0],
        "rank": pd.array([1, 2, pd.NA], dtype="Int64"),
        "abc": ["A", "A", "-"],
        "cv": [0.25, 1.5, np.nan],
        "xyz": ["X", "Z", "new"],
        "key": [True, False, False],
        "types": [("feeder", "expert"), ("standard",), ()],
        "first_purchase": pd.to_datetime(["2024-01-15", "2023-06-01", None]),
        "median_gap_days": [30.5, 12.0, np.nan],
    })


def _matrix() -> pd.DataFrame:
    rows = []
    for i, (a, x) in enumerate((a, x) for a in "ABC" for x in "XYZ"):
        rows.append({"abc": a, "xyz": x, "clients": i, "revenue": 100.0 * i, "share": i / 36,
                     "strategy": STRATEGIES[(a, x)]})
    rows.append({"abc": "-", "xyz": "new", "clients": 4, "revenue": 0.0, "share": 0.0, "strategy": None})
    return pd.DataFrame(rows)


SUMMARY = {"n_ranked": 2, "total": 1250.75, "key_count": 1, "key_share": 0.8, "top1_share": 0.8,
           "hhi": 6800.0, "effective_n": 1.47, "gini": 0.3, "abc": {"A": 2, "B": 0, "C": 0},
           "flags": [("client_over_10", ["c1", "c2"]), ("top5_over_25", 1.0)]}
SETTINGS = [("basis", "revenue"), ("ABC cut-offs", "80 / 95 %"), ("filters", "-region North"),
            ("as of", "2026-10-31")]


@pytest.fixture(scope="module")
def workbook():
    data = export.analysis_workbook(_clients(), _matrix(), SUMMARY, SETTINGS,
                                    migration=pd.DataFrame({"from_class": ["A"], "to_class": ["B"],
                                                            "clients": [3], "revenue": [12.5]}),
                                    extra_sheets={"Risk: list/1": pd.DataFrame({"x": [1]})},
                                    generated_at=datetime(2026, 11, 2, 9, 30))
    return _read(data)


def _column(ws, header: str) -> int:
    for c in ws[1]:
        if c.value == header:
            return c.column
    raise AssertionError(f"no column {header!r}")


def test_sheets_in_order(workbook):
    assert workbook.sheetnames == ["Clients", "Matrix", "Concentration", "Migration", "Settings", "Risk_ list_1"]


def test_clients_numbers_with_formats(workbook):
    ws = workbook["Clients"]
    rev = ws.cell(row=2, column=_column(ws, "revenue"))
    assert rev.value == 1000.5 and rev.data_type == "n" and rev.number_format == "#,##0.00"
    share = ws.cell(row=2, column=_column(ws, "share"))
    assert share.value == 0.8 and share.number_format == "0.0%"
    rank = ws.cell(row=2, column=_column(ws, "rank"))
    assert rank.value == 1 and rank.number_format == "#,##0"
    assert ws.cell(row=4, column=_column(ws, "rank")).value is None          # <NA> -> empty
    assert ws.cell(row=3, column=_column(ws, "profit")).value is None        # NaN -> empty
    assert ws.cell(row=2, column=_column(ws, "cv")).number_format == "0.00"
    assert ws.cell(row=2, column=_column(ws, "median_gap_days")).number_format == "#,##0.0"
    assert ws.cell(row=2, column=_column(ws, "key")).value is True
    assert ws.cell(row=2, column=_column(ws, "types")).value == "feeder; expert"
    assert ws.cell(row=4, column=_column(ws, "types")).value is None or ws.cell(
        row=4, column=_column(ws, "types")).value == ""


def test_clients_dates_are_dates(workbook):
    ws = workbook["Clients"]
    c = ws.cell(row=2, column=_column(ws, "first_purchase"))
    assert isinstance(c.value, datetime) and c.value.date() == date(2024, 1, 15)
    assert c.number_format == "yyyy-mm-dd"
    assert ws.cell(row=4, column=_column(ws, "first_purchase")).value is None


def test_clients_header_frozen_filtered_sized(workbook):
    ws = workbook["Clients"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:M4"
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["B"].width >= len("=HYPERLINK(\"http://x\",\"y\")")
    assert 6 <= ws.column_dimensions["A"].width <= 60


def test_injection_neutralised_on_read_back(workbook):
    # a text cell with the quote-prefix style: Excel shows the text as typed, and it is never a formula
    ws = workbook["Clients"]
    c = ws.cell(row=3, column=_column(ws, "name"))
    assert c.data_type == "s" and c.quotePrefix
    assert c.value == "=HYPERLINK(\"http://x\",\"y\")"
    settings = {r[0].value: r[1] for r in workbook["Settings"].iter_rows(min_row=2)}
    assert settings["filters"].value == "-region North" and settings["filters"].data_type == "s"
    assert settings["filters"].quotePrefix
    assert not ws.cell(row=2, column=_column(ws, "name")).quotePrefix      # "Alpha": no style needed


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"],
                         ids=["eq", "plus", "minus", "at", "tab", "cr", "dde"])
def test_every_injection_start_neutralised(text):
    wb = _read(export.frame_workbook({"s": pd.DataFrame({text: [text]})}))
    ws = wb["s"]
    for c in (ws["A1"], ws["A2"]):
        # XML reading turns a CR into LF; what matters is the text as typed, type "s" and the quote prefix
        assert c.data_type == "s" and c.quotePrefix and c.value.replace("\n", "\r") == text
    assert export.formula_like(text)


def test_phone_number_shows_as_typed():
    # issue 14 defect 5: phone numbers showed as '+386 … (an apostrophe stored in the text)
    wb = _read(export.frame_workbook({"s": pd.DataFrame({"phone": ["+386 1 234 5678"], "n": [-5]})}))
    phone, n = wb["s"]["A2"], wb["s"]["B2"]
    assert phone.value == "+386 1 234 5678" and phone.data_type == "s" and phone.quotePrefix
    assert n.value == -5 and n.data_type == "n" and not n.quotePrefix       # a negative number stays a number


@pytest.mark.parametrize("text", ["Alpha", "a=b", "1+1", "'quoted"], ids=["plain", "inner-eq", "digits", "quote"])
def test_harmless_text_unchanged(text):
    assert not export.formula_like(text)
    wb = _read(export.frame_workbook({"s": pd.DataFrame({"x": [text]})}))
    assert wb["s"]["A2"].value == text and not wb["s"]["A2"].quotePrefix


def test_illegal_characters_removed():
    assert export.clean_text("a\x00b\x1fc") == "abc"


def test_matrix_layout_and_colours(workbook):
    ws = workbook["Matrix"]
    assert [ws.cell(row=3, column=j).value for j in (3, 4, 5)] == ["X", "Y", "Z"]
    assert [ws.cell(row=r, column=1).value for r in (4, 8, 12)] == ["A", "B", "C"]
    # block of A·X: clients, revenue, share, strategy
    assert ws["C4"].value == 0 and ws["C5"].value == 0.0 and ws["C6"].number_format == "0.0%"
    assert ws["C7"].value == STRATEGIES[("A", "X")]
    # C·Z is the 9th cell: 8 clients, share 8/36 (the largest -> darkest fill)
    assert ws["E12"].value == 8 and ws["E13"].value == 800.0 and ws["E13"].number_format == "#,##0.00"
    assert ws["E14"].value == pytest.approx(8 / 36)
    assert ws["E12"].fill.fgColor.rgb.endswith(export.SHARE_STEPS[-1])
    assert ws["C4"].fill.fgColor.rgb.endswith(export.SHARE_STEPS[0])
    assert ws["A4"].fill.fgColor.rgb.endswith(export.CLASS_FILLS["A"])
    assert ws["E3"].fill.fgColor.rgb.endswith(export.CLASS_FILLS["Z"])
    assert "A4:A7" in {str(r) for r in ws.merged_cells.ranges}
    # the "-"/"new" row is listed below the matrix
    values = [c.value for row in ws.iter_rows(min_row=17) for c in row if c.value is not None]
    assert "ABC - · XYZ new" in values and 4 in values


def test_concentration_sheet(workbook):
    rows = {r[0].value: r[1] for r in workbook["Concentration"].iter_rows(min_row=2)}
    assert rows["key_share"].value == 0.8 and rows["key_share"].number_format == "0.0%"
    assert rows["total"].value == 1250.75 and rows["total"].number_format == "#,##0.00"
    assert rows["hhi"].number_format == "#,##0"
    assert rows["abc.A"].value == 2
    assert rows["flags.client_over_10"].value == "c1; c2"
    assert rows["flags.top5_over_25"].value == 1.0 and rows["flags.top5_over_25"].number_format == "0.0%"


def test_settings_sheet(workbook):
    ws = workbook["Settings"]
    rows = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    assert rows["basis"] == "revenue" and rows["as of"] == "2026-10-31"
    assert rows["generated at"] == datetime(2026, 11, 2, 9, 30)
    assert ws.freeze_panes == "A2"


def test_migration_and_extra_sheets(workbook):
    ws = workbook["Migration"]
    assert [c.value for c in ws[1]] == ["from_class", "to_class", "clients", "revenue"]
    assert ws["D2"].value == 12.5 and ws["D2"].number_format == "#,##0.00"
    assert workbook["Risk_ list_1"]["A2"].value == 1


def test_no_migration_sheet_when_not_given():
    wb = _read(export.analysis_workbook(_clients(), _matrix(), SUMMARY, SETTINGS))
    assert "Migration" not in wb.sheetnames


def test_empty_frames_give_valid_workbook():
    empty_clients = _clients().iloc[0:0]
    wb = _read(export.analysis_workbook(empty_clients, _matrix().iloc[0:0], {}, []))
    assert wb.sheetnames == ["Clients", "Matrix", "Concentration", "Settings"]
    ws = wb["Clients"]
    assert ws["A1"].value == "client_id" and ws.max_row == 1 and ws.freeze_panes == "A2"
    assert wb["Matrix"]["C4"].value == 0  # an empty matrix still shows the 3×3 grid
    assert wb["Matrix"]["C7"].value == STRATEGIES[("A", "X")]


def test_frame_workbook_generic():
    df = pd.DataFrame({"client_id": ["c1"], "revenue_at_risk": [12.0], "recency_days": [142],
                       "p_alive": [0.42], "updated_at": [pd.Timestamp("2026-01-02 10:15", tz="UTC")]})
    wb = _read(export.frame_workbook({"At risk": df, "Empty": pd.DataFrame(), "Header only": df.iloc[0:0]}))
    assert wb.sheetnames == ["At risk", "Empty", "Header only"]
    ws = wb["At risk"]
    assert ws["B2"].number_format == "#,##0.00" and ws["C2"].value == 142 and ws["C2"].number_format == "#,##0.0"
    assert ws["D2"].number_format == "0.0%"
    assert ws["E2"].value == datetime(2026, 1, 2, 10, 15) and ws["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E2"
    assert wb["Empty"]["A1"].value == "No data"
    assert wb["Header only"].max_row == 1 and wb["Header only"].auto_filter.ref == "A1:E2"


def test_frame_workbook_no_sheets():
    wb = _read(export.frame_workbook({}))
    assert wb.sheetnames == ["No data"]


def test_frame_workbook_rejects_non_frames():
    with pytest.raises(TypeError, match="DataFrame"):
        export.frame_workbook({"x": [1, 2]})


def test_infinite_numbers_written_empty():
    wb = _read(export.frame_workbook({"s": pd.DataFrame({"growth": [np.inf, 0.5]})}))
    assert wb["s"]["A2"].value is None and wb["s"]["A3"].value == 0.5


@pytest.mark.parametrize("name, expected", [
    ("Clients", "Clients"),
    ("a[b]:c*d?e/f\\g", "a_b__c_d_e_f_g"),
    ("x" * 40, "x" * 31),
    ("", "Sheet"),
    ("'quoted'", "quoted"),
    ("History", "History_"),
], ids=["plain", "forbidden", "long", "empty", "quotes", "reserved"])
def test_sheet_title(name, expected):
    assert export.sheet_title(name) == expected


def test_sheet_titles_unique():
    taken = {"Clients", "x" * 31}
    assert export.sheet_title("clients", taken) == "clients (2)"
    assert export.sheet_title("x" * 40, taken) == "x" * 27 + " (2)"


def test_duplicate_sheet_names_in_frame_workbook():
    wb = _read(export.frame_workbook({"a/b": pd.DataFrame({"x": [1]}), "a:b": pd.DataFrame({"x": [2]})}))
    assert wb.sheetnames == ["a_b", "a_b (2)"]


def test_input_not_mutated():
    df = _clients()
    before = df.copy()
    export.analysis_workbook(df, _matrix(), SUMMARY, SETTINGS)
    pd.testing.assert_frame_equal(df, before)


def test_defusedxml_active():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
