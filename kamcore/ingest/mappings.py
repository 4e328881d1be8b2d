"""How a file's headers map to a table's contract (DOMAIN.md §1): the automatic mapping overridden by the
user's, its file-level problems (the same header twice, two headers on one column, a missing required
column, another table that fits better), and the mappings remembered per header set."""
from __future__ import annotations

import json

from kamcore.ingest import contract as mp
from kamcore.ingest.readers import RawTable
from kamcore.db.store import Store


def save_mapping(store: Store, table: str, headers: list[str], mapping: dict) -> None:
    """Remember ``mapping`` (header -> contract column or None) for files of ``table`` with these headers."""
    mp.columns(table)
    clean = {str(h): (None if v in (None, "", "-") else str(v)) for h, v in mapping.items()}
    with store.transaction() as cur:
        cur.execute("insert or replace into header_mappings values ($k, $m, current_timestamp::timestamp)",
                    {"k": mp.headers_key(table, headers), "m": json.dumps(clean, ensure_ascii=False)})


def load_mapping(store: Store, table: str, headers: list[str]) -> dict | None:
    """The mapping remembered for this table and header set, or None."""
    value = store.scalar("select mapping from header_mappings where headers_key = $k",
                         {"k": mp.headers_key(table, headers)})
    return None if value is None else json.loads(value)


def _header_scorer(table: str):
    def score(headers: list[str]) -> int:
        return sum(1 for v in mp.auto_mapping(table, headers).values() if v)
    return score


def _letter(raw: RawTable, i: int) -> str:
    return mp.column_letter(raw.first_col + i)


class _Blocks(list):
    """File-level problems: their English texts (the list itself) and beside each its (code, values)."""

    def __init__(self):
        super().__init__()
        self.codes: list[tuple[str, dict]] = []

    def add(self, code: str, text: str, at: int | None = None, **values) -> None:
        at = len(self) if at is None else at
        self.insert(at, text)
        self.codes.insert(at, (code, values))


def _resolve_mapping(table: str, raw: RawTable, given: dict | None) -> tuple[dict, _Blocks]:
    """Auto mapping overridden by ``given``; duplicate headers and double mappings are blocking problems."""
    names = {c.name for c in mp.columns(table)}
    auto = mp.auto_mapping(table, raw.headers)
    blocking = _Blocks()
    if given:
        for h, target in given.items():
            if target in (None, "", "-"):
                continue
            if target not in names:
                blocking.add("unknown_target", f"the mapping sends '{h}' to '{target}', which is not a column of "
                             f"{table}; columns: {', '.join(sorted(names))}", header=str(h), target=str(target),
                             table=table)
        overridden = {t for h, t in given.items() if h in raw.headers and t}
        for h in raw.headers:
            if h in given:
                auto[h] = given[h] if given[h] in names else None
            elif auto.get(h) in overridden:
                auto[h] = None
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(raw.headers):
        norm = mp.normalise_header(h)
        if norm:
            seen.setdefault(norm, []).append(i)
    for norm, idx in seen.items():
        if len(idx) > 1 and any(auto.get(raw.headers[i]) for i in idx):
            letters = " and ".join(_letter(raw, i) for i in idx)
            blocking.add("same_header", f"columns {letters} have the same header '{raw.headers[idx[0]]}'; "
                         "rename or delete one of them", letters=", ".join(_letter(raw, i) for i in idx),
                         header=raw.headers[idx[0]])
    targets: dict[str, list[int]] = {}
    for i, h in enumerate(raw.headers):
        t = auto.get(h)
        if t:
            targets.setdefault(t, []).append(i)
    for t, idx in targets.items():
        if len({raw.headers[i] for i in idx}) > 1:
            letters = " and ".join(f"{_letter(raw, i)} '{raw.headers[i]}'" for i in idx)
            blocking.add("mapped_twice", f"columns {letters} are both mapped to {t}; map only one",
                         columns=", ".join(f"{_letter(raw, i)} '{raw.headers[i]}'" for i in idx), target=t)
    return auto, blocking


def _missing_values(name: str, raw: RawTable) -> dict:
    """The values of a missing_column code: the column, the file's first 12 columns, how many more."""
    return {"column": name, "columns": ", ".join(f"{_letter(raw, i)} '{h}'" for i, h in enumerate(raw.headers[:12])),
            "more": max(0, len(raw.headers) - 12),
            "one_column": len(raw.headers) == 1 and any(ch in raw.headers[0] for ch in ",;\t|")}


def _better_table(table: str, headers: list[str], colmap: dict, given: dict | None) -> tuple[str, list[str]] | None:
    """Another table whose contract the file's headers fit better (DOMAIN.md §1), and the headers that only
    it maps; None when ``table`` fits as well as any.

    Another table fits better when its auto mapping finds every one of its required columns and maps
    more headers that ``table`` leaves unmapped than the reverse, and either one of those headers is a
    required column of it (a contacts file has a role) or they outnumber the reverse by two or more.
    Headers the caller mapped by hand (``given``) count as decided for ``table``. The example: a contacts
    file (client_id, name, role, title, email) chosen as clients maps only client_id and name there.
    """
    decided = set(given or ())
    mine = {h for h, t in colmap.items() if t} | decided
    best, best_score = None, 0
    for other in mp.TABLES:
        if other == table:
            continue
        auto = mp.auto_mapping(other, headers)
        found = {t for t in auto.values() if t}
        if other == "transactions" and "quantity" in found and mp.UNIT_PRICE in found:
            found.add("revenue")                                       # computed from quantity x unit price
        required = {c.name for c in mp.columns(other) if c.required}
        if not required <= found:
            continue
        theirs = [h for h in headers if auto.get(h) and h not in mine]
        only_mine = [h for h in headers if colmap.get(h) and not auto.get(h)]
        score = len(theirs) - len(only_mine)
        if score <= 0 or not (required & {auto[h] for h in theirs} or score >= 2):
            continue
        if score > best_score:
            best, best_score = (other, theirs), score
    return best


def _missing_message(name: str, raw: RawTable) -> str:
    listed = ", ".join(f"{_letter(raw, i)} '{h}'" for i, h in enumerate(raw.headers[:12]))
    more = f" and {len(raw.headers) - 12} more" if len(raw.headers) > 12 else ""
    hint = ""
    if len(raw.headers) == 1 and any(ch in raw.headers[0] for ch in ",;\t|"):
        hint = " (only one column was found: is the delimiter right?)"
    return f"no column for {name} (required); the file's columns are: {listed}{more}{hint}"
