"""kamcore.safetext: formula starts in CSV files get a leading apostrophe, numbers stay numbers."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from kamcore import ingest
from kamcore import safetext
from kamcore.ingest import templates


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("text", ["=1+1", "+386 1 234 5678", "-x", "@SUM(A1)", "\t=1", "\r=1"],
                         ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_formula_starts_get_an_apostrophe(text):
    assert safetext.csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Alpha", "a=b", "'quoted", "-", "+", -5, -1.5, None], ids=str)
def test_other_values_unchanged(value):
    assert safetext.csv_cell(value) == value


def test_csv_bytes_only_touches_text_cells():
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\",\"y\")", "Beta"], "revenue": [-5.0, 12.0],
                          "=head": ["x", "y"]})
    rows = _rows(safetext.csv_bytes(frame))
    assert rows == [["name", "revenue", "'=head"], ["'=HYPERLINK(\"http://x\",\"y\")", "-5.0", "x"],
                    ["Beta", "12.0", "y"]]
    assert frame["name"][0].startswith("=")              # the input is not changed


def test_csv_bytes_bom():
    assert safetext.csv_bytes(pd.DataFrame({"a": [1]}), bom=True)[:3] == b"\xef\xbb\xbf"
    assert safetext.csv_bytes(pd.DataFrame({"a": [1]}))[:1] == b"a"


def test_problems_csv_neutralises_every_text_column():
    problems = pd.DataFrame({"file": ["=evil.csv"], "row": [3], "column_letter": ["C"], "column": ["revenue"],
                             "value": ["-1e400"], "problem": ["@not a number"]})
    rows = _rows(ingest.problems_csv(problems))
    assert rows[1] == ["'=evil.csv", "3", "C", "revenue", "'-1e400", "'@not a number"]


def test_contacts_template_phone_is_text():
    rows = _rows(templates.template("contacts", "csv"))
    header = rows[0]
    assert rows[1][header.index("phone")] == "'+386 1 234 5678"


def test_cell_text_rules_are_openpyxls_without_importing_it():
    """kamcore.safetext sits below ingest and imports no openpyxl; its illegal characters are openpyxl's."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert safetext.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern
    assert safetext.clean_text("a\x00b\x1fc\td") == "abc\td" and len(safetext.clean_text("x" * 40000)) == 32767
    import ast
    from pathlib import Path

    tree = ast.parse(Path(safetext.__file__).read_text(encoding="utf-8"))
    assert not any(isinstance(n, (ast.Import, ast.ImportFrom)) and "openpyxl" in ast.dump(n) for n in ast.walk(tree))
