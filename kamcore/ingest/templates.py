"""Import templates: one example row per table plus a description of every column."""
from __future__ import annotations

import csv
import io

from kamcore.ingest import contract as mp


def _rows(table: str) -> tuple[list[str], list[str], list[list[str]]]:
    cols = [c for c in mp.columns(table) if c.name != mp.UNIT_PRICE]
    header = [c.name for c in cols]
    example = [c.example for c in cols]
    described = [[c.name, "yes" if c.required else "no", _kind_text(c), c.description] for c in cols]
    return header, example, described


def _kind_text(c: mp.Col) -> str:
    return {"id": "text (code)", "text": "text", "date": "date (2024-01-31, 31.1.2024 …)",
            "number": "number (1234.50 or 1.234,50)", "int": "whole number", "bool": "yes / no",
            "choice": "one of: " + ", ".join(c.choices)}[c.kind]


def template(table: str, fmt: str = "csv") -> bytes:
    """Template for ``table``.

    csv: header, one example row, then one line per column starting with ``# `` that
    describes it (the importer skips such comment lines). xlsx: sheet ``data`` with the
    header (each header cell carries its description as a comment) and the example row,
    sheet ``columns`` with column / required / type / description.
    """
    header, example, described = _rows(table)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        from kamcore.safetext import csv_cell

        w.writerow(header)
        w.writerow([csv_cell(v) for v in example])   # "+386 …" stays text in a spreadsheet
        for name, req, kind, text in described:
            w.writerow([f"# {name}: {text}; {kind}{'; required' if req == 'yes' else ''}"])
        return buf.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        import defusedxml  # noqa: F401  (openpyxl only with defusedxml present)
        import openpyxl
        from openpyxl.comments import Comment

        assert openpyxl.DEFUSEDXML, "openpyxl must run with defusedxml installed"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "data"
        ws.append(header)
        ws.append(example)
        for cell, (_, req, kind, text) in zip(ws[1], described):
            cell.comment = Comment(f"{text} — {kind}{' (required)' if req == 'yes' else ''}", "KAM")
        from kamcore.safetext import put_text

        for cell in ws[2]:                # examples stay text: nothing is a formula
            put_text(cell, "" if cell.value is None else str(cell.value))
        info = wb.create_sheet("columns")
        info.append(["column", "required", "type", "description"])
        for row in described:
            info.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    raise ValueError("fmt must be 'csv' or 'xlsx'")


def describe(table: str) -> list[dict]:
    """Column descriptions of a table: name, required, type, description, example."""
    header, example, described = _rows(table)
    return [{"column": d[0], "required": d[1] == "yes", "type": d[2], "description": d[3], "example": e}
            for d, e in zip(described, example)]
