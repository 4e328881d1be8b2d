"""Validated saves of the team's relationship data: contacts, tenders, competitors, notes, prospects.

:func:`save` takes the full desired set of rows of one client (or of all prospects), as an
editable table returns it, checks every cell, and then replaces the stored rows in one
transaction: all or nothing. Rows that did not change keep who/when; new or changed rows get
``user`` and now. An invalid cell raises ValueError naming the row (1-based) and the column,
and nothing is written.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from kamcore.accounts.prospects import SOURCES
from kamcore.db.store import Store
from kamcore.ingest import contract
from kamcore.settings import CHOICES, MAX_ABS_AMOUNT, choice_code


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "str"                 # str | int | float | date | choice
    required: bool = False
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    past: bool = False                # a date of what has happened: not after today (DOMAIN.md §1)


# the contract's kinds (kamcore.ingest.contract.KINDS) as the editor's; bool columns are not edited
KIND_OF_CONTRACT = {"id": "str", "text": "str", "number": "float", "int": "int", "date": "date", "choice": "choice"}


def field_of(col: contract.Col) -> Field:
    """The editor's field of a contract column: the same kind, requirement, range, choices and past-date rule."""
    return Field(col.name, KIND_OF_CONTRACT[col.kind], col.required, col.low, col.high, col.choices, col.past)


def _fields(table: str, narrow: dict[str, Field] | None = None, more: tuple[Field, ...] = ()) -> tuple[Field, ...]:
    """The editable fields of ``table``: its contract columns in contract order, without ``client_id`` (the
    client an editor works on), with the fields of ``narrow`` in place of the contract's and ``more`` after."""
    narrow = narrow or {}
    return tuple(narrow.get(c.name) or field_of(c) for c in contract.columns(table) if c.name != "client_id") + more


@dataclass(frozen=True)
class Spec:
    table: str
    fields: tuple[Field, ...]
    id_field: str
    id_kind: str = "str"              # str ids get "<prefix><n>", int ids max + 1
    id_prefix: str = ""
    audit: tuple[str, str] = ("updated_by", "updated_at")
    scoped: bool = True               # rows belong to one client (client_id)
    keep: tuple[str, ...] = ("batch_id",)  # carried over unchanged when present


# Where an editor is narrower than the import contract, each with its reason (a test keeps the list exact):
NARROWER = {
    # the editor offers the five sources of DOMAIN §9 to choose from; the import reads source as free text until
    # it is a closed vocabulary of settings.CHOICES (spellings, words, a migration of stored values)
    ("prospects", "source"): Field("source", "choice", choices=SOURCES),
}

_SQL_TYPES = {"str": "varchar", "choice": "varchar", "int": "integer", "float": "double", "date": "date"}
# The fields, kinds, ranges and choices come from the import contract (one schema); what only an editor has is
# here: the id and how new ones are made, the audit columns, the rows' scope, the notes (never imported) and
# the client a prospect was converted into.
SPECS: dict[str, Spec] = {
    "contacts": Spec("contacts", _fields("contacts"), "contact_id", id_prefix="K"),
    "tenders": Spec("tenders", _fields("tenders"), "tender_id", id_prefix="T"),
    "competitors": Spec("competitors", _fields("competitors"), "competitor", id_kind="none"),
    "notes": Spec("notes", (Field("note_id", "int"), Field("note", required=True)), "note_id", id_kind="int",
                  audit=("created_by", "created_at"), keep=()),
    "prospects": Spec("prospects", _fields("prospects", {"source": NARROWER[("prospects", "source")]},
                                           (Field("converted_client_id"),)),
                      "prospect_id", id_prefix="P", scoped=False),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# the characters an imported id may not hold (kamcore.ingest.parse.control_characters)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


class EditError(ValueError):
    """An invalid cell: ``table``, ``row`` (1-based, as the editor shows it), ``column``, a problem ``code``
    (required, email, choice, number, whole, between, at_least, date, twice) and its ``values``; ``str()``
    is the English sentence "<table> row <n>, column <c>: <problem>". The UI words it per language."""

    def __init__(self, message: str, table: str, row: int, column: str, code: str, **values):
        super().__init__(message)
        self.table, self.row, self.column, self.code, self.values = table, row, column, code, values


def _bad(where: tuple[str, int, str], code: str, problem: str, **values) -> EditError:
    table, row, column = where
    return EditError(f"{table} row {row}, column {column}: {problem}", table, row, column, code, **values)


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _cell(f: Field, v, where: tuple[str, int, str], today: date | None = None):
    """The clean value of one cell (None when empty); EditError at ``where`` (table, row, column) on a bad value.

    The value rules of an import (DOMAIN.md §1): text trimmed and in Unicode NFC, ids without
    control or invisible characters, numbers finite and below 10^12 in absolute value, dates of
    what has happened (``Field.past``) not after ``today`` (default: the real date)."""
    if _missing(v):
        if f.required:
            raise _bad(where, "required", "a value is required")
        return None
    if f.kind == "str":
        s = unicodedata.normalize("NFC", str(v).strip())
        if f.name.endswith("_id") and (hit := _CONTROL.search(s)):
            raise _bad(where, "control", f"the id contains a control or invisible character "
                       f"(U+{ord(hit.group()):04X}); remove it", value=f"U+{ord(hit.group()):04X}")
        if f.name == "email" and not _EMAIL.match(s):
            raise _bad(where, "email", f"{s!r} is not an e-mail address", value=s)
        return s
    if f.kind == "choice":
        # a closed vocabulary of settings: its one stored code from any accepted spelling (as an import)
        s = choice_code(f.name, v) if f.name in CHOICES else " ".join(str(v).strip().lower().split())
        if s not in f.choices:
            raise _bad(where, "choice", f"{v!r} is not one of {', '.join(f.choices)}", value=str(v),
                       choices=f.choices)
        return s
    if f.kind in ("int", "float"):
        try:
            x = float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
        except (TypeError, ValueError):
            raise _bad(where, "number", f"{v!r} is not a number", value=str(v)) from None
        if np.isnan(x) or np.isinf(x):
            raise _bad(where, "number", f"{v!r} is not a number", value=str(v))
        if abs(x) >= MAX_ABS_AMOUNT:
            raise _bad(where, "too_large", f"{v!r} is too large: the absolute value must be below "
                       f"{MAX_ABS_AMOUNT:,.0f}", value=str(v), limit=MAX_ABS_AMOUNT)
        if f.kind == "int" and x != int(x):
            raise _bad(where, "whole", f"{v!r} is not a whole number", value=str(v))
        if (f.lo is not None and x < f.lo) or (f.hi is not None and x > f.hi):
            if f.hi is not None:
                raise _bad(where, "between", f"{v!r} must be between {f.lo:g} and {f.hi:g}", value=x, lo=f.lo,
                           hi=f.hi)
            raise _bad(where, "at_least", f"{v!r} must be at least {f.lo:g}", value=x, lo=f.lo)
        return int(x) if f.kind == "int" else x
    if f.kind == "date":
        try:
            day = pd.Timestamp(v).date()
        except (TypeError, ValueError):
            raise _bad(where, "date", f"{v!r} is not a date (YYYY-MM-DD)", value=str(v)) from None
        today = today or date.today()
        if f.past and day > today:
            raise _bad(where, "future", f"{day.isoformat()} is in the future: after today, {today.isoformat()}",
                       value=day, today=today)
        return day
    raise ValueError(f"unknown field kind {f.kind}")


def validate(table: str, frame: pd.DataFrame, today: date | None = None) -> pd.DataFrame:
    """Clean rows of ``frame`` for ``table`` (fully empty rows dropped; ids and kept columns carried).
    Raises EditError (a ValueError) "<table> row <n>, column <c>: <problem>" for the first bad cell or
    duplicate id. ``today`` (default: the real date) is the last day a date of what has happened may have."""
    spec = _spec(table)
    unknown = [c for c in (f.name for f in spec.fields if f.required) if c not in frame.columns]
    if unknown:
        raise ValueError(f"{table}: missing column(s) {', '.join(unknown)}")
    rows, seen = [], {}
    for n, (_, r) in enumerate(frame.iterrows(), start=1):
        if all(_missing(r.get(f.name)) for f in spec.fields):
            continue
        out = {}
        for f in spec.fields:
            out[f.name] = _cell(f, r.get(f.name), (table, n, f.name), today)
        ident = out.get(spec.id_field)
        if ident is not None:
            if ident in seen:
                raise _bad((table, n, spec.id_field), "twice", f"{ident!r} is used twice (also row {seen[ident]})",
                           value=str(ident), other=seen[ident])
            seen[ident] = n
        for k in spec.keep:
            out[k] = None if _missing(r.get(k)) else int(r.get(k))
        for k in spec.audit:
            out[k] = None if _missing(r.get(k)) else r.get(k)
        rows.append(out)
    cols = [f.name for f in spec.fields] + list(spec.keep) + list(spec.audit)
    return pd.DataFrame(rows, columns=cols, dtype=object)


def _spec(table: str) -> Spec:
    if table not in SPECS:
        raise ValueError(f"{table!r} cannot be edited (editable: {', '.join(SPECS)})")
    return SPECS[table]


def _sig(v):
    if _missing(v):
        return None
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return pd.Timestamp(v).date().isoformat()
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    return str(v).strip()


def _signature(spec: Spec, row) -> tuple:
    return tuple(_sig(row[f.name]) for f in spec.fields)


def _new_ids(spec: Spec, clean: pd.DataFrame, taken: set) -> pd.DataFrame:
    if spec.id_kind == "none":
        return clean
    f = clean.copy()
    if spec.id_kind == "int":
        nxt = max([int(x) for x in taken if x is not None] + [int(x) for x in f[spec.id_field].dropna()] + [0]) + 1
        for i in f.index[f[spec.id_field].isna()]:
            f.at[i, spec.id_field] = nxt
            nxt += 1
        return f
    used = {str(x) for x in taken} | {str(x) for x in f[spec.id_field].dropna()}
    n = 1
    for i in f.index[f[spec.id_field].isna()]:
        while f"{spec.id_prefix}{n}" in used:
            n += 1
        f.at[i, spec.id_field] = f"{spec.id_prefix}{n}"
        used.add(f"{spec.id_prefix}{n}")
    return f


def save(store: Store, table: str, frame: pd.DataFrame, user: str, client_id: str | None = None,
         now: datetime | None = None) -> dict:
    """Replace the rows of ``client_id`` in ``table`` (all rows for prospects) by ``frame``, in one
    transaction. Returns counts {added, changed, deleted, unchanged}. ValueError on an invalid cell
    (nothing written)."""
    spec = _spec(table)
    if spec.scoped and (client_id is None or str(client_id).strip() == ""):
        raise ValueError(f"{table}: saving needs the client_id")
    if not user or not str(user).strip():
        raise ValueError("saving needs the name of the person who edits")
    now = now or datetime.now().replace(microsecond=0)
    clean = validate(table, frame, today=now.date())
    tbl = spec.table  # from the fixed SPECS whitelist, never from input
    data_cols = [f.name for f in spec.fields]
    all_cols = data_cols + list(spec.keep) + list(spec.audit)
    scope = "where client_id = $client_id" if spec.scoped else ""
    params = {"client_id": str(client_id)} if spec.scoped else {}
    with store.transaction() as cur:
        # the unknown columns an import kept with a row (``extra``, DOMAIN.md §1) stay with it through an edit
        carry = [c for c in ("extra",) if cur.execute("select count(*) from information_schema.columns where "
                                                     "table_name = $t and column_name = $c",
                                                     {"t": tbl, "c": c}).fetchone()[0]]
        read_cols = all_cols + [f"cast({c} as varchar) as {c}" for c in carry]
        current = cur.execute(f"select {', '.join(read_cols)} from {tbl} {scope}", params).df()  # noqa: S608
        for c in carry:
            clean[c] = None
        by_id = {_sig(r[spec.id_field]): r for _, r in current.iterrows() if not _missing(r[spec.id_field])}
        # ids of every row, of all clients and of the archive too: an undo of an import brings archived rows
        # back, and a new id must not be one of theirs (it would be stored twice)
        archived = cur.execute("select count(*) from information_schema.tables where table_name = $t",
                               {"t": f"{tbl}_archive"}).fetchone()[0]
        held = f"select {spec.id_field} from {tbl}" + (f" union select {spec.id_field} from {tbl}_archive"
                                                       if archived else "")
        taken = set() if spec.id_kind == "none" else set(
            cur.execute(f"select distinct id from ({held}) as t(id) where id is not null").df()  # noqa: S608
            .iloc[:, 0].tolist())
        clean = _new_ids(spec, clean, taken)
        pool: dict[tuple, list] = {}
        for _, r in current.iterrows():
            pool.setdefault(_signature(spec, r), []).append(r)
        added = changed = unchanged = 0
        old_ids = set(current[spec.id_field].dropna().map(_sig))
        for i, r in clean.iterrows():
            match = pool.get(_signature(spec, r))
            if match:
                old = match.pop(0)
                for k in spec.audit:
                    clean.at[i, k] = None if _missing(old[k]) else pd.Timestamp(old[k]).to_pydatetime() \
                        if k.endswith("_at") else old[k]
                for c in carry:
                    clean.at[i, c] = None if _missing(old[c]) else old[c]
                unchanged += 1
            else:
                clean.at[i, spec.audit[0]] = str(user).strip()
                clean.at[i, spec.audit[1]] = now
                if _sig(r[spec.id_field]) in old_ids:
                    changed += 1
                    for c in carry:
                        old = by_id.get(_sig(r[spec.id_field]))
                        clean.at[i, c] = None if old is None or _missing(old[c]) else old[c]
                else:
                    added += 1
        deleted = max(0, len(current) - unchanged - changed)
        if scoped_rows := spec.scoped:
            clean.insert(0, "client_id", str(client_id))
        cur.execute(f"delete from {tbl} {scope}", params)  # noqa: S608
        if len(clean):
            types = {f.name: _SQL_TYPES[f.kind] for f in spec.fields}
            types.update({k: "integer" for k in spec.keep})
            types.update({spec.audit[0]: "varchar", spec.audit[1]: "timestamp"})
            cols = (["client_id"] if scoped_rows else []) + all_cols + carry
            types["client_id"] = "varchar"
            types.update({c: "json" for c in carry})
            cur.register("edit_rows", clean[cols])
            try:
                select = ", ".join(f"cast({c} as {types[c]})" for c in cols)
                cur.execute(f"insert into {tbl} ({', '.join(cols)}) select {select} from edit_rows")  # noqa: S608
            finally:
                cur.unregister("edit_rows")
    return {"added": added, "changed": changed, "deleted": deleted, "unchanged": unchanged}


def add_note(store: Store, client_id: str, note: str, user: str, now: datetime | None = None) -> None:
    """Append one note to a client."""
    from kamcore.db.store import query_text

    if not note or not note.strip():
        raise _bad(("notes", 1, "note"), "required", "a value is required")
    with store.transaction() as cur:
        cur.execute(query_text("edit_note_insert"), {"client_id": str(client_id), "note": note.strip(),
                                                     "user": user, "now": now or datetime.now().replace(microsecond=0)})
