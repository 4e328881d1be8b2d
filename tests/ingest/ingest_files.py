"""A catalogue of bad and awkward import files, built in a temporary folder by the tests.

``BAD``: files the importer must refuse; each entry gives the table, the keyword
arguments for ``import_file`` and the exact one-line message of ImportRejected.
``AWKWARD``: files that must import; each gives the expected rows of selected columns.
"""
from __future__ import annotations

import datetime as dt
import gzip
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kamcore.ingest.readers import Limits

HEAD = "client_id,date,revenue\n"
TODAY = dt.date(2026, 6, 30)          # the day of the import given to prepare by the cases that need one
D = dt.date


def _xlsx(rows_by_sheet: dict[str, list[list]], merge: dict[str, list[str]] | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in rows_by_sheet.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for rng in (merge or {}).get(name, []):
            ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (8 * 1024 * 1024))
    return buf.getvalue()


@dataclass
class Case:
    name: str
    file_name: str
    content: Callable[[], bytes]
    expected: str                      # exact message (str of ImportRejected)
    table: str = "transactions"
    kwargs: dict = field(default_factory=dict)

    def build(self, folder: Path) -> Path:
        path = folder / self.file_name
        path.write_bytes(self.content())
        return path


def _t(text: str, enc: str = "utf-8") -> Callable[[], bytes]:
    return lambda: text.encode(enc)


BAD: list[Case] = [
    Case("empty", "empty.csv", lambda: b"", "empty.csv: the file is empty"),
    Case("blank_lines_only", "blank.csv", _t("\n \r\n\n"), "blank.csv: the file is empty"),
    Case("header_only", "header.csv", _t(HEAD), "header.csv, row 1: the file has a header but no data rows"),
    Case("header_only_xlsx", "header.xlsx", lambda: _xlsx({"Data": [["client_id", "date", "revenue"]]}),
         "header.xlsx, row 1: the file has a header but no data rows"),
    Case("wrong_delimiter", "semi.csv", _t("client_id;date;revenue\nC1;2024-01-31;10\n"),
         "semi.csv: no column for client_id (required); the file's columns are: A 'client_id;date;revenue' "
         "(only one column was found: is the delimiter right?); and 2 more", kwargs={"delimiter": ","}),
    Case("mixed_encodings", "mixed.csv",
         lambda: "client_id,date,revenue,product\nC1,2024-01-31,10,Škofja\n".encode() + "C2,2024-01-31,5,Čopova\n".encode("cp1250"),
         "mixed.csv, row 3: the file mixes encodings: line 2 is UTF-8 but line 3 is not; save it again as UTF-8"),
    Case("wrong_encoding_given", "enc.csv", _t("client_id,date,revenue,product\nC1,2024-01-31,10,Čopova\n", "cp1250"),
         "enc.csv, row 2: the file is not valid utf-8: byte 0xc8 cannot be read", kwargs={"encoding": "utf-8"}),
    Case("missing_required_column", "nocol.csv", _t("client_id,date\nC1,2024-01-31\n"),
         "nocol.csv: no column for revenue (required); the file's columns are: A 'client_id', B 'date'"),
    Case("text_in_amount", "text.csv", _t(HEAD + "C1,2024-01-31,10\nC1,2024-02-01,abc\n"),
         "text.csv, row 3, column C 'revenue': not a number ('abc')"),
    Case("formula_in_amount_csv", "inj.csv", _t(HEAD + "C1,2024-01-31,=1+2\n"),
         "inj.csv, row 2, column C 'revenue': a formula, not a number (formulas are never evaluated) ('=1+2')"),
    Case("feb_31", "feb.csv", _t(HEAD + "C1,13/01/2024,1\nC1,31/02/2024,2\n"),
         "feb.csv, row 3, column B 'date': no such date: day 31 of month 2 (2024 has 29 days in that month) ('31/02/2024')"),
    Case("ambiguous_slashed_dates_still_ask", "amb2.csv", _t(HEAD + "C1,03/11/2026,1\nC1,04/12/2026,2\n"),
         "amb2.csv: column B 'date' (date): dates such as 03/11/2026 can be read day-first or month-first; "
         "choose one (--dayfirst or --monthfirst)", kwargs={"today": D(2026, 12, 4)}),
    Case("ambiguous_dates", "amb.csv", _t(HEAD + "C1,01/02/2024,1\nC1,03/04/2024,2\n"),
         "amb.csv: column B 'date' (date): dates such as 01/02/2024 can be read day-first or month-first; "
         "choose one (--dayfirst or --monthfirst)"),
    Case("day_month_order_mixed", "order.csv", _t(HEAD + "C1,15.01.24,1\nC1,10.13.24,2\n"),
         "order.csv, row 3, column B 'date': day and month are in the other order than in the rest of the column ('10.13.24')"),
    Case("not_a_date", "nodate.csv", _t(HEAD + "C1,yesterday,1\n"),
         "nodate.csv, row 2, column B 'date': not a date ('yesterday')"),
    Case("date_out_of_range", "year.csv", _t(HEAD + "C1,0024-01-31,1\n"),
         "year.csv, row 2, column B 'date': the date is outside 1900-2199 ('0024-01-31')"),
    Case("excel_serial_negative", "serial.xlsx", lambda: _xlsx({"S": [["client_id", "date", "revenue"], ["C1", -5, 1]]}),
         "serial.xlsx, row 2, column B 'date': not a date (a number that is not an Excel date) ('-5.0')"),
    Case("duplicated_headers", "dup.csv", _t("client_id,date,revenue,revenue\nC1,2024-01-31,1,2\n"),
         "dup.csv: columns C and D have the same header 'revenue'; rename or delete one of them"),
    Case("mapping_twice", "twice.csv", _t("Kupec,Datum,Znesek,Neto\nC1,2024-01-31,1,2\n"),
         "twice.csv: columns C 'Znesek' and D 'Neto' are both mapped to revenue; map only one",
         kwargs={"mapping": {"Znesek": "revenue", "Neto": "revenue"}}),
    Case("mapping_unknown_target", "target.csv", _t(HEAD + "C1,2024-01-31,1\n"),
         "target.csv: the mapping sends 'revenue' to 'amount_eur', which is not a column of transactions; columns: "
         "category, client_id, cost, date, delivered_date, order_id, product, profit, promised_date, quantity, "
         "revenue, txn_id, unit_price; and 1 more",
         kwargs={"mapping": {"revenue": "amount_eur"}}),
    Case("huge_field", "huge.csv", _t("client_id,date,revenue,product\nC1,2024-01-31,1," + "x" * 40_000 + "\n"),
         "huge.csv, row 2, column D 'product': the value has 40,000 characters; the limit is 32,767 ('"
         + "x" * 200 + "…')"),
    Case("zip_bomb", "bomb.xlsx", _zip_bomb,
         "bomb.xlsx: the Excel file unpacks to more than 1.0 MB (over 10 times its size); refused as a possible zip bomb",
         kwargs={"limits": Limits(max_unzip_ratio=10, max_unzip_bytes=1024 * 1024)}),
    Case("gzip_bomb", "bomb.csv.gz", lambda: gzip.compress((HEAD + "C1,2024-01-31,1\n").encode() + b" " * 4_000_000),
         "bomb.csv.gz: the gzip file unpacks to more than 1.0 MB; refused",
         kwargs={"limits": Limits(max_unzip_ratio=10, max_unzip_bytes=1024 * 1024)}),
    Case("too_large", "big.csv", _t(HEAD + "C1,2024-01-31,1\n" * 20),
         "big.csv: the file is 343 bytes; the limit is 100 bytes", kwargs={"limits": Limits(max_bytes=100)}),
    Case("too_many_rows", "rows.csv", _t(HEAD + "C1,2024-01-31,1\n" * 3),
         "rows.csv: the file has 3 data rows; the limit is 2", kwargs={"limits": Limits(max_rows=2)}),
    Case("csv_renamed_xlsx", "renamed.xlsx", _t(HEAD + "C1,2024-01-31,1\n"),
         "renamed.xlsx: the file is not a valid .xlsx file (is it another format renamed?)"),
    Case("damaged_xlsx", "damaged.xlsx", lambda: _xlsx({"S": [["client_id"]]})[:300],
         "damaged.xlsx: the file is not a valid .xlsx file (damaged or not an Excel workbook)"),
    Case("missing_sheet", "sheets.xlsx",
         lambda: _xlsx({"Notes": [["read me"]], "Data": [["client_id", "date", "revenue"], ["C1", "2024-01-31", 1]]}),
         "sheets.xlsx: there is no sheet 'Nope'; the sheets are: Notes, Data", kwargs={"sheet": "Nope"}),
    Case("formula_without_value", "formula.xlsx",
         lambda: _xlsx({"S": [["client_id", "date", "revenue"], ["C1", "2024-01-31", "=1+2"]]}),
         "formula.xlsx, row 2, column C 'revenue': revenue is empty (required)"),
    Case("merged_cells", "merged.xlsx",
         lambda: _xlsx({"S": [["client_id", "date", "revenue"], ["C1", "2024-01-31", 1], [None, "2024-02-01", 2]]},
                       merge={"S": ["A2:A3"]}),
         "merged.xlsx, row 3, column A 'client_id': client_id is empty (required) (the cell is part of merged "
         "cells A2:A3; unmerge them and fill every row)"),
    Case("ragged_row", "ragged.csv", _t(HEAD + "C1,2024-01-31,1\nC2,2024-01-31,2,extra\n"),
         "ragged.csv, row 3: the row has 4 values but the header has 3 columns ('C2,2024-01-31,2,extra')"),
    Case("blank_line_then_error", "gap.csv", _t(HEAD + "C1,2024-01-31,1\n\nC1,2024-02-01,x\n"),
         "gap.csv, row 4, column C 'revenue': not a number ('x')"),
    Case("decimal_separator_mixed", "dec.csv", _t("client_id;date;revenue\nC1;2024-01-31;1,5\nC1;2024-01-31;2,75\nC1;2024-01-31;3.25\n"),
         "dec.csv, row 4, column C 'revenue': the decimal separator differs from the rest of the column (it uses ',') ('3.25')"),
    Case("revenue_not_computable", "qp.csv", _t("CustomerID,InvoiceDate,Quantity,UnitPrice\n17850,2010-12-01 08:26,6,\n"),
         "qp.csv, row 2, column D 'UnitPrice': revenue cannot be computed: quantity or unit price is empty"),
    Case("duplicate_txn_id", "txn.csv", _t("txn_id,client_id,date,revenue\nT1,C1,2024-01-31,1\nT1,C1,2024-01-31,2\n"),
         "txn.csv, row 3, column A 'txn_id': the same txn_id as row 2, with different values ('T1')"),
    Case("no_client_rejected", "noclient.csv", _t(HEAD + "C1,2024-01-31,1\n,2024-01-31,2\n"),
         "noclient.csv, row 3: no client (1 rows without a client)", kwargs={"reject_non_sales": True}),
    Case("clients_name_missing", "clients.csv", _t("client_id,name\nC1,Acme\nC2,\n"),
         "clients.csv, row 3, column B 'name': name is empty (required)", table="clients"),
    Case("clients_duplicate_id", "clients2.csv", _t("client_id,name\nC1,Acme\nC1,Other\n"),
         "clients2.csv, row 3, column A 'client_id': client_id C1 already on row 2 ('C1')", table="clients"),
    Case("clients_bad_bool", "clients3.csv", _t("client_id,name,key\nC1,Acme,perhaps\n"),
         "clients3.csv, row 2, column C 'key': expected yes or no ('perhaps')", table="clients"),
    Case("tender_bad_status", "tenders.csv", _t("client_id,date,status\nC1,2024-01-31,maybe\n"),
         "tenders.csv, row 2, column C 'status': must be one of: won, lost, open ('maybe')", table="tenders"),
    Case("incident_severity_range", "inc.csv", _t("client_id,date,category,severity\nC1,2024-01-31,late,5\n"),
         "inc.csv, row 2, column D 'severity': must be between 1 and 3 ('5')", table="incidents"),
    # the contract is the editors' schema too (issue 16): a bid value the tender editor refuses is refused here
    Case("tender_negative_value", "tend3.csv", _t("client_id,date,status,value\nC1,2024-01-31,won,-5\n"),
         "tend3.csv, row 2, column D 'value': must be at least 0 ('-5')", table="tenders"),
    # DOMAIN.md §1: dates after the day of the import, amounts not finite or of 10^12 or more, ids with
    # control characters (the import day is given, so the messages are exact on any day)
    Case("date_after_import_day", "future.csv", _t(HEAD + "C1,2026-06-30,1\nC1,2026-07-01,2\n"),
         "future.csv, row 3, column B 'date': the date is in the future: after the day of the import, "
         "2026-06-30 ('2026-07-01')", kwargs={"today": TODAY}),
    Case("delivery_after_import_day", "deliv.csv",
         _t("client_id,date,revenue,promised_date,delivered_date\nC1,2026-06-01,1,2026-09-01,2026-07-02\n"),
         "deliv.csv, row 2, column E 'delivered_date': the date is in the future: after the day of the import, "
         "2026-06-30 ('2026-07-02')", kwargs={"today": TODAY}),
    Case("incident_after_import_day", "inc2.csv", _t("client_id,date,category\nC1,1.7.2026,late\n"),
         "inc2.csv, row 2, column B 'date': the date is in the future: after the day of the import, "
         "2026-06-30 ('1.7.2026')", table="incidents", kwargs={"today": TODAY}),
    Case("tender_after_import_day", "tend2.csv", _t("client_id,date,status\nC1,2027-01-01,open\n"),
         "tend2.csv, row 2, column B 'date': the date is in the future: after the day of the import, "
         "2026-06-30 ('2027-01-01')", table="tenders", kwargs={"today": TODAY}),
    Case("amount_1e308", "e308.csv", _t(HEAD + "C1,2024-01-31,1e308\n"),
         "e308.csv, row 2, column C 'revenue': too large: the absolute value must be below 1,000,000,000,000 ('1e308')"),
    Case("amount_exactly_1e12", "e12.csv", _t(HEAD + "C1,2024-01-31,999999999999.99\nC1,2024-01-31,-1000000000000\n"),
         "e12.csv, row 3, column C 'revenue': too large: the absolute value must be below 1,000,000,000,000 "
         "('-1000000000000')"),
    Case("amount_overflow", "e400.csv", _t(HEAD + "C1,2024-01-31,1e400\n"),
         "e400.csv, row 2, column C 'revenue': not a finite number ('1e400')"),
    Case("cost_nan", "nan.csv", _t("client_id,date,revenue,cost\nC1,2024-01-31,1,nan\n"),
         "nan.csv, row 2, column D 'cost': not a finite number ('nan')"),
    Case("quantity_1e308_excel_number", "big.xlsx",
         lambda: _xlsx({"S": [["client_id", "date", "revenue", "quantity"], ["C1", "2024-01-31", 1, 1e308]]}),
         "big.xlsx, row 2, column D 'quantity': too large: the absolute value must be below 1,000,000,000,000 "
         "('1e+308')"),
    Case("potential_too_large", "pot.csv", _t("client_id,name,potential\nC1,Acme,\"1.000.000.000.000,00\"\n"),
         "pot.csv, row 2, column C 'potential': too large: the absolute value must be below 1,000,000,000,000 "
         "('1.000.000.000.000,00')", table="clients"),
    Case("tender_value_too_large", "tval.csv", _t("client_id,date,status,value\nC1,2024-01-31,won,2e12\n"),
         "tval.csv, row 2, column D 'value': too large: the absolute value must be below 1,000,000,000,000 ('2e12')",
         table="tenders"),
    Case("client_id_with_nul", "nul.csv", _t(HEAD + "C1,2024-01-31,1\nC\x001,2024-01-31,2\n"),
         "nul.csv, row 3, column A 'client_id': the id contains a control or invisible character (U+0000); "
         "remove it ('C\x001')"),
    Case("client_id_with_line_separator", "ls.csv", _t("client_id,name\nC\u20281,Acme\n"),
         "ls.csv, row 2, column A 'client_id': the id contains a control or invisible character (U+2028); "
         "remove it ('C\u20281')", table="clients"),
    # DOMAIN.md §1: a key repeated within one file (every repeat, identical or not); a file that fits another
    # table better
    Case("clients_identical_rows_repeat_the_key", "clients4.csv", _t("client_id,name\nC1,Acme\nC2,Beta\nC1,Acme\n"),
         "clients4.csv, row 4, column A 'client_id': client_id C1 already on row 2 ('C1')", table="clients"),
    Case("clients_key_nfc_repeat", "clients5.csv", _t("client_id,name\nCafe\u0301,Bar\nCaf\u00e9,Bar 2\n"),
         "clients5.csv, row 3, column A 'client_id': client_id Caf\u00e9 already on row 2 ('Caf\u00e9')", table="clients"),
    Case("contacts_repeated_contact_id", "contacts2.csv",
         _t("contact_id,client_id,name,role\nK1,C1,Eva,CEO\nK2,C1,Jan,CFO\nK1,C2,Ola,CTO\nK1,C3,Tim,COO\n"),
         "contacts2.csv, row 4, column A 'contact_id': contact_id K1 already on row 2 ('K1'); and 1 more problem",
         table="contacts"),
    Case("tenders_repeated_tender_id", "tenders3.csv", _t("tender_id,client_id,date,status\nT1,C1,2024-01-31,won\n"
                                                          "T1,C1,2024-01-31,won\n"),
         "tenders3.csv, row 3, column A 'tender_id': tender_id T1 already on row 2 ('T1')", table="tenders"),
    Case("incidents_repeated_incident_id", "inc3.csv", _t("incident_id,client_id,date,category\nI1,C1,2024-01-31,late\n"
                                                          "I1,C2,2024-02-01,damaged\n"),
         "inc3.csv, row 3, column A 'incident_id': incident_id I1 already on row 2 ('I1')", table="incidents"),
    Case("prospects_repeated_prospect_id", "pros.csv", _t("prospect_id,name\nP1,Newco\nP1,Oldco\n"),
         "pros.csv, row 3, column A 'prospect_id': prospect_id P1 already on row 2 ('P1')", table="prospects"),
    Case("contacts_file_chosen_as_clients", "people.csv",
         _t("client_id,name,role,title,email\nC0001,Marko Kranjc,purchasing director,mag.,marko@example.com\n"),
         "people.csv: these columns fit Contacts better (role, title, email): choose Contacts", table="clients"),
    Case("clients_file_chosen_as_prospects", "firms.csv",
         _t("client_id,name,industry,region,manager\nC1,Acme,Retail,North,Ana\n"),
         "firms.csv: these columns fit Clients better (client_id, manager): choose Clients", table="prospects"),
    Case("transactions_file_chosen_as_incidents", "sales.csv",
         _t("client_id,date,revenue,category,product\nC1,2024-01-31,10,Tools,P-1\n"),
         "sales.csv: these columns fit Transactions better (revenue, product): choose Transactions", table="incidents"),
    Case("incidents_file_chosen_as_transactions", "compl.csv",
         _t("client_id,date,category,severity,stage\nC1,2024-01-31,late,2,delivery\n"),
         "compl.csv: these columns fit Incidents better (severity, stage): choose Incidents; and 1 more"),
    Case("txn_id_with_zero_width_space", "zw.csv", _t("txn_id,client_id,date,revenue\nT\u200b1,C1,2024-01-31,1\n"),
         "zw.csv, row 2, column A 'txn_id': the id contains a control or invisible character (U+200B); "
         "remove it ('T\u200b1')"),
]


@dataclass
class Good:
    name: str
    file_name: str
    content: Callable[[], bytes]
    expected: dict                     # column -> list of values of the imported rows
    table: str = "transactions"
    kwargs: dict = field(default_factory=dict)

    def build(self, folder: Path) -> Path:
        path = folder / self.file_name
        path.write_bytes(self.content())
        return path


D = dt.date
AWKWARD: list[Good] = [
    Good("utf8_bom", "bom.csv", lambda: ("\ufeff" + HEAD + "C1,2024-01-31,10\n").encode(),
         {"client_id": ["C1"], "revenue": [10.0]}),
    Good("cp1250_slovenian", "sl.csv",
         _t("Šifra kupca;Datum;Znesek;Artikel\nC1;31.1.2024;1.234,50;Čokolada\nC2;1.2.2024;(12,00);Žebelj\n", "cp1250"),
         {"client_id": ["C1", "C2"], "date": [D(2024, 1, 31), D(2024, 2, 1)], "revenue": [1234.5, -12.0],
          "product": ["Čokolada", "Žebelj"]}),
    Good("cp1252_french", "fr.csv", _t("client_id;date;revenue;product\nC1;2024-01-31;10;Crème brûlée\n", "cp1252"),
         {"product": ["Crème brûlée"]}),
    Good("utf16_tabs", "u16.txt", lambda: ("client_id\tdate\trevenue\nC1\t2024-01-31\t7\n").encode("utf-16"),
         {"client_id": ["C1"], "revenue": [7.0]}),
    Good("currency_and_negatives", "money.csv",
         _t('client_id,date,revenue\nC1,2024-01-31,"€ 1,234.50"\nC1,2024-01-31,($20.00)\nC1,2024-01-31,15.00-\nC1,2024-01-31,"1 000.5 EUR"\n'),
         {"revenue": [1234.5, -20.0, -15.0, 1000.5]}),
    Good("two_digit_years_monthfirst", "yy.csv", _t(HEAD + "C1,1/31/24,1\nC1,12/1/99,2\n"),
         {"date": [D(2024, 1, 31), D(1999, 12, 1)]}),
    Good("ambiguous_decided_by_caller", "amb_ok.csv", _t(HEAD + "C1,01/02/2024,1\nC1,03/04/2024,2\n"),
         {"date": [D(2024, 2, 1), D(2024, 4, 3)]}, kwargs={"dayfirst": True}),
    Good("datetime_and_compact_and_names", "dates.csv",
         _t(HEAD + "C1,2010-12-01 08:26,1\nC1,20240131,2\nC1,31 Jan 2024,3\nC1,\"Feb 2, 2024\",4\nC1,2024-03-01T10:00:00Z,5\n"),
         {"date": [D(2010, 12, 1), D(2024, 1, 31), D(2024, 1, 31), D(2024, 2, 2), D(2024, 3, 1)]}),
    Good("excel_serial_as_text", "serial.csv", _t(HEAD + "C1,45322,1\nC1,45323.75,2\n"),
         {"date": [D(2024, 1, 31), D(2024, 2, 1)]}),
    Good("excel_dates_numbers_title_rows", "title.xlsx",
         lambda: _xlsx({"Report": [["Sales report 2024"], [], ["Customer", "Invoice date", "Amount"],
                                   [17850, dt.datetime(2024, 1, 31, 10, 5), 12.5], ["C2", 45322, "1,234.50"]]}),
         {"client_id": ["17850", "C2"], "date": [D(2024, 1, 31), D(2024, 1, 31)], "revenue": [12.5, 1234.5]}),
    Good("several_sheets_picks_data", "multi.xlsx",
         lambda: _xlsx({"Notes": [["exported by ERP"]],
                        "Data": [["client_id", "date", "revenue"], ["C1", dt.date(2024, 1, 31), 3]]}),
         {"client_id": ["C1"], "revenue": [3.0]}),
    Good("injection_strings_stay_text", "inj_ok.csv",
         _t('client_id,date,revenue,product,category\nC1,2024-01-31,1,"=cmd|\' /C calc\'!A0",@SUM(A1)\nC1,2024-01-31,2,+1+2,-3+4\n'),
         {"product": ["=cmd|' /C calc'!A0", "+1+2"], "category": ["@SUM(A1)", "-3+4"]}),
    Good("quoted_newline_in_value", "nl.csv", _t('client_id,date,revenue,product\nC1,2024-01-31,1,"two\nlines"\nC2,2024-01-31,2,x\n'),
         {"product": ["two\nlines", "x"]}),
    Good("online_retail_shape", "retail.csv",
         _t("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
            "536365,85123A,HEART,6,2010-12-01 08:26,2.55,17850.0,United Kingdom\n"
            "C536379,D,Discount,-1,2010-12-01 09:41,27.5,14527,United Kingdom\n"
            "536414,22139,,56,2010-12-01 11:52,0,,United Kingdom\n"),
         {"client_id": ["17850", "14527"], "revenue": [15.3, -27.5], "order_id": ["536365", "C536379"]}),
    Good("amount_just_below_1e12_and_date_today", "limit.csv",
         _t(HEAD + "C1,2026-06-30,999999999999.99\nC1,2026-06-29,-999999999999.99\n"),
         {"date": [D(2026, 6, 30), D(2026, 6, 29)], "revenue": [999999999999.99, -999999999999.99]},
         kwargs={"today": TODAY}),
    Good("promised_date_may_lie_ahead", "promise.csv",
         _t("client_id,date,revenue,promised_date\nC1,2026-06-30,1,2026-09-01\n"),
         {"promised_date": [D(2026, 9, 1)]}, kwargs={"today": TODAY}),
    Good("ids_trimmed_and_nfc", "nfc.csv",
         _t(HEAD + "Cafe\u0301,2024-01-31,1\n Caf\u00e9 ,2024-01-31,2\nČ1,2024-01-31,3\n"),
         {"client_id": ["Caf\u00e9", "Caf\u00e9", "Č1"]}),
    Good("dotted_dates_day_first_without_a_question", "dots.csv",
         _t(HEAD + "C1,03.11.2026,1\nC1,04.12.2026,2\n"),
         {"date": [D(2026, 11, 3), D(2026, 12, 4)]}, kwargs={"today": D(2026, 12, 4)}),
    Good("template_csv", "template.csv", lambda: __import__("kamcore.ingest.templates", fromlist=["template"]).template("transactions"),
         {"client_id": ["C001"], "revenue": [1250.0], "date": [D(2024, 1, 31)]}),
]
