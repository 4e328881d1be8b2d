"""Random sequences of imports, undos and hand edits against a plain Python model (issue 14, DOMAIN.md §1).

A hypothesis state machine appends small transaction files, replaces a month with a file, imports clients
files (all columns or only some) and contacts files, edits contacts and adds notes by hand, and undoes
random batches (unknown, rolled back, blocked ones included) one by one or with their chain. The model keeps
the rules in the simplest form: an append adds the lines whose identity is not stored; a replace moves its
range to an archive; an update by key changes only the columns the file has and archives the old row; an
undo is refused while a later active batch replaced rows of the batch (or holds a row the undo would bring
back a second time), otherwise it removes the batch's rows and brings back the ones it archived. After every
step every table (transaction identities, clients, contacts, notes), client_day and client_month (from the
model's lines) and ``kamcore.db.check`` are compared.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kamcore.db import check
from kamcore.accounts import edits
from kamcore import ingest
from kamcore.db.store import open_store

CLIENTS = ("C1", "C2", "C3")
DAYS = (date(2024, 9, 20), date(2024, 10, 3), date(2024, 10, 17), date(2024, 11, 5), date(2024, 11, 21))
MONTHS = {"2024-10": (date(2024, 10, 1), date(2024, 10, 31)), "2024-11": (date(2024, 11, 1), date(2024, 11, 30))}
REVENUES = (10.0, 20.0, -5.0)
CLIENT_COLUMNS = ("industry", "region", "manager")
TEXT = st.sampled_from(("x", "y", None))

_TEMPLATE: list[Path] = []


def template_db() -> Path:
    """A database with the schema and no rows, made once per process (each example copies it)."""
    if not _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="kam_seq_")) / "empty.duckdb"
        open_store(path).close()
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def csv(header: list[str], rows: list[list]) -> bytes:
    return ("\n".join([",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows])
            + "\n").encode()


def row_key(client: str, day: date, revenue: float, occurrence: int) -> str:
    """A line's identity without txn_id (DOMAIN.md §1): sha1 of the normalised content + occurrence."""
    content = "\x1f".join(["", client, day.isoformat(), repr(revenue)] + [""] * 8)
    return hashlib.sha1(content.encode()).hexdigest() + f"#{occurrence}"


line = st.tuples(st.sampled_from(CLIENTS), st.sampled_from(DAYS), st.sampled_from(REVENUES))


class Sequences(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="kam_seq_"))
        shutil.copyfile(template_db(), self.folder / "kam.duckdb")
        self.store = open_store(self.folder / "kam.duckdb")
        self.batches: dict[int, dict] = {}             # id -> {table, active}
        self.live: dict[str, list[dict]] = {"transactions": [], "clients": [], "contacts": []}
        self.archive: dict[str, list[tuple[dict, int]]] = {t: [] for t in self.live}
        self.notes = 0
        self.hand_ids = 0

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the model's rules ---------------------------------------------------
    @staticmethod
    def ident(table: str, row: dict):
        return {"transactions": "key", "clients": "client_id", "contacts": "contact_id"}[table] and \
            row[{"transactions": "key", "clients": "client_id", "contacts": "contact_id"}[table]]

    def new_batch(self, result, table: str) -> int:
        assert result.batch_id not in self.batches and all(result.batch_id > b for b in self.batches)
        self.batches[result.batch_id] = {"table": table, "active": True}
        return result.batch_id

    def add_lines(self, b: int, lines: list[tuple]) -> None:
        occ: Counter = Counter()
        stored = {r["key"] for r in self.live["transactions"]}
        for client, day, revenue in lines:
            occ[(client, day, revenue)] += 1
            key = row_key(client, day, revenue, occ[(client, day, revenue)])
            if key not in stored:
                stored.add(key)
                self.live["transactions"].append({"key": key, "client_id": client, "date": day,
                                                  "revenue": revenue, "batch": b})

    def update_by_key(self, table: str, b: int, rows: list[dict], content: tuple[str, ...]) -> None:
        key = {"clients": "client_id", "contacts": "contact_id"}[table]
        for new in rows:
            old = next((r for r in self.live[table] if r[key] == new[key]), None)
            if old is None:
                self.live[table].append({**{c: None for c in content}, **new, "batch": b, "updated_by": None})
                continue
            merged = {**old, **new}
            if any(merged[c] != old[c] for c in content):
                self.live[table].remove(old)
                self.archive[table].append((old, b))
                self.live[table].append({**merged, "batch": b, "updated_by": None})

    def replacers(self, b: int) -> set[int]:
        """The later active batches that replaced or updated rows of ``b``."""
        table = self.batches[b]["table"]
        return {by for row, by in self.archive[table] if row["batch"] == b and by != b and self.batches[by]["active"]}

    def holders(self, b: int, chain: frozenset = frozenset()) -> set[int]:
        """The later active batches holding a row that undoing ``b`` would bring back a second time; a row archived
        by a batch of ``chain`` (undone before ``b``) is held again by then."""
        table = self.batches[b]["table"]
        back = {self.ident(table, row) for row, by in self.archive[table] if by == b}
        held = self.live[table] + [row for row, by in self.archive[table] if by in chain and by > b]
        return {r["batch"] for r in held if r["batch"] is not None and r["batch"] > b
                and self.ident(table, r) in back and self.batches[r["batch"]]["active"]}

    def blockers(self, b: int) -> list[int]:
        return sorted(self.replacers(b) or self.holders(b))

    def chain(self, b: int) -> list[int]:
        """``b`` and what must go before it, grown until a further round adds nothing."""
        seen = {b, *self.blockers(b)}
        while True:
            grown = seen.union(*(self.replacers(y) | self.holders(y, frozenset(seen)) for y in seen))
            if grown == seen:
                return sorted(seen, reverse=True)
            seen = grown

    def undo(self, b: int) -> None:
        table = self.batches[b]["table"]
        self.live[table] = [r for r in self.live[table] if r["batch"] != b]
        back = [row for row, by in self.archive[table] if by == b]
        self.archive[table] = [(row, by) for row, by in self.archive[table] if row["batch"] != b and by != b]
        self.live[table].extend(back)
        self.batches[b]["active"] = False

    # -- rules -------------------------------------------------------------------
    @initialize(lines=st.lists(line, min_size=1, max_size=5))
    def first_transactions(self, lines):
        """Every sequence starts with some lines and ..."""
        self.append_transactions(lines)

    @initialize(data=st.data())
    def first_clients(self, data):
        """... a full clients file, so that a few steps reach replaces of replaces and updates of updates."""
        self.import_clients(list(CLIENTS), set(CLIENT_COLUMNS), data)

    @rule(lines=st.lists(line, min_size=1, max_size=4))
    def append_transactions(self, lines):
        res = ingest.import_file(self.store, "transactions", csv(["client_id", "date", "revenue"], lines),
                                 file_name="append.csv")
        self.add_lines(self.new_batch(res, "transactions"), lines)

    @rule(month=st.sampled_from(sorted(MONTHS)), data=st.data())
    def replace_month(self, month, data):
        lo, hi = MONTHS[month]
        days = [d for d in DAYS if lo <= d <= hi]
        lines = data.draw(st.lists(st.tuples(st.sampled_from(CLIENTS), st.sampled_from(days),
                                             st.sampled_from(REVENUES)), min_size=1, max_size=3))
        res = ingest.import_file(self.store, "transactions", csv(["client_id", "date", "revenue"], lines),
                                 file_name=f"{month}.csv", mode="replace", replace_range=(lo, hi))
        b = self.new_batch(res, "transactions")
        gone = [r for r in self.live["transactions"] if lo <= r["date"] <= hi]
        self.live["transactions"] = [r for r in self.live["transactions"] if not lo <= r["date"] <= hi]
        self.archive["transactions"] += [(r, b) for r in gone]
        self.add_lines(b, lines)

    @rule(ids=st.lists(st.sampled_from(CLIENTS), min_size=1, max_size=3, unique=True),
          columns=st.sets(st.sampled_from(CLIENT_COLUMNS)), data=st.data())
    def import_clients(self, ids, columns, data):
        cols = [c for c in CLIENT_COLUMNS if c in columns]          # all three: a full file; fewer: partial
        rows = [{"client_id": cid, "name": data.draw(st.sampled_from(("Acme", "Beta"))),
                 **{c: data.draw(TEXT) for c in cols}} for cid in ids]
        header = ["client_id", "name", *cols]
        res = ingest.import_file(self.store, "clients", csv(header, [[r[c] for c in header] for r in rows]),
                                 file_name="clients.csv")
        self.update_by_key("clients", self.new_batch(res, "clients"), rows, ("name", *CLIENT_COLUMNS))

    @rule(ids=st.lists(st.sampled_from(("K1", "K2", "K3")), min_size=1, max_size=3, unique=True), data=st.data())
    def import_contacts(self, ids, data):
        rows = [{"contact_id": k, "client_id": "C1", "name": data.draw(st.sampled_from(("Ana", "Bo"))),
                 "role": data.draw(st.sampled_from(("buyer", "CEO")))} for k in ids]
        header = ["contact_id", "client_id", "name", "role"]
        res = ingest.import_file(self.store, "contacts", csv(header, [[r[c] for c in header] for r in rows]),
                                 file_name="contacts.csv")
        self.update_by_key("contacts", self.new_batch(res, "contacts"), rows, ("client_id", "name", "role"))

    @rule(action=st.sampled_from(("change", "delete", "add")), pick=st.integers(0, 5),
          role=st.sampled_from(("CFO", "buyer")))
    def edit_contacts_by_hand(self, action, pick, role):
        frame = self.store.sql("select * from contacts where client_id = 'C1' order by contact_id")
        mine = sorted((r for r in self.live["contacts"] if r["client_id"] == "C1"), key=lambda r: r["contact_id"])
        assert frame["contact_id"].tolist() == [r["contact_id"] for r in mine]
        if action == "add":
            self.hand_ids += 1
            new = {"contact_id": f"H{self.hand_ids}", "client_id": "C1", "name": "Eva", "role": role}
            frame = pd.concat([frame, pd.DataFrame([new])], ignore_index=True)
            self.live["contacts"].append({**new, "batch": None, "updated_by": "mia"})
        elif not mine:
            return
        else:
            i = pick % len(mine)
            target = mine[i]
            if action == "delete":
                frame = frame.drop(index=frame.index[i])
                self.live["contacts"].remove(target)
            elif target["role"] != role:
                frame.loc[frame.index[i], "role"] = role
                target.update(role=role, updated_by="mia")
        edits.save(self.store, "contacts", frame, user="mia", client_id="C1")

    @rule(client=st.sampled_from(CLIENTS))
    def add_note(self, client):
        edits.add_note(self.store, client, "called", user="mia")
        self.notes += 1

    @rule(pick=st.integers(0, 40), blocked=st.booleans())
    def undo_one(self, pick, blocked):
        ids = sorted(self.batches) + [max(self.batches, default=0) + 5]
        waiting = [b for b, v in self.batches.items() if v["active"] and self.blockers(b)]
        if blocked and waiting:                 # half the time, a batch the rule must refuse (when there is one)
            ids = sorted(waiting)
        b = ids[pick % len(ids)]
        before = self.checksums()
        if b not in self.batches:
            self.expect_refusal(b, "^there is no import batch")
        elif not self.batches[b]["active"]:
            self.expect_refusal(b, r"was already rolled back on")
        elif self.blockers(b):
            blockers = self.blockers(b)
            plan = ingest.rollback_plan(self.store, b)
            assert plan.blocked_by == blockers and plan.chain == self.chain(b)
            try:
                ingest.rollback(self.store, b, user="bo")
            except ingest.ImportRejected as exc:
                assert f"of batch {b}: undo batch" in str(exc) or f"undoing batch {b} would" in str(exc)
                assert str(max(blockers)) in str(exc)
            else:
                raise AssertionError(f"undo of batch {b} was not refused (later batches {blockers})")
            assert self.checksums() == before
        else:
            self.check_plan(b)
            out = ingest.rollback(self.store, b, user="bo")
            assert out["batch_id"] == b
            self.undo(b)

    def expect_refusal(self, b, pattern):
        import re

        before = self.checksums()
        for call in (ingest.rollback, ingest.rollback_chain):
            try:
                call(self.store, b)
            except ingest.ImportRejected as exc:
                assert re.search(pattern, str(exc)), str(exc)
            else:
                raise AssertionError(f"{call.__name__}({b}) was not refused")
        assert self.checksums() == before

    @precondition(lambda self: any(v["active"] for v in self.batches.values()))
    @rule(pick=st.integers(0, 40))
    def undo_with_later(self, pick):
        active = sorted(b for b, v in self.batches.items() if v["active"])
        b = active[pick % len(active)]
        chain = self.check_plan(b)
        done = ingest.rollback_chain(self.store, b, user="bo")
        assert [d["batch_id"] for d in done] == chain
        for x in chain:
            self.undo(x)

    def check_plan(self, b: int) -> list[int]:
        """rollback_plan against the model: chain, direct blockers and the net rows removed / restored."""
        table, chain = self.batches[b]["table"], self.chain(b)
        plan = ingest.rollback_plan(self.store, b)
        assert (plan.table, plan.chain, plan.blocked_by) == (table, chain, self.blockers(b))
        assert plan.rows_removed == sum(r["batch"] in chain for r in self.live[table])
        assert plan.rows_restored == sum(by in chain and row["batch"] not in chain for row, by in self.archive[table])
        edited = sorted(r["contact_id"] for r in self.live["contacts"] if table == "contacts"
                        and r["batch"] in chain and r["updated_by"])
        edited += sorted(row["contact_id"] for row, by in self.archive["contacts"] if table == "contacts"
                         and row["batch"] in chain and by in chain and row["updated_by"])
        assert sorted(plan.hand_edits["key"]) == sorted(edited)
        return chain

    # -- comparison after every step ------------------------------------------------
    def checksums(self):
        names = ("transactions", "clients", "contacts", "notes", "client_day", "client_month", "import_batches",
                 "transactions_archive", "clients_archive", "contacts_archive")
        return {t: self.store.sql(f"select count(*) as n, md5(coalesce(string_agg(cast(x as varchar), '|' "  # noqa: S608
                                  f"order by cast(x as varchar)), '')) as h from {t} as x").values.tolist()
                for t in names}

    def rows(self, sql: str) -> list[tuple]:
        cur = self.store.cursor()
        try:
            return [tuple(r) for r in cur.execute(sql).fetchall()]
        finally:
            cur.close()

    @invariant()
    def tables_equal_the_model(self):
        got = Counter(self.rows("select row_key, client_id, date, revenue, batch_id from transactions"))
        want = Counter((r["key"], r["client_id"], r["date"], r["revenue"], r["batch"])
                       for r in self.live["transactions"])
        assert got == want
        assert len({r["key"] for r in self.live["transactions"]}) == len(self.live["transactions"])
        got = Counter(self.rows("select client_id, name, industry, region, manager, batch_id from clients"))
        want = Counter((r["client_id"], r["name"], r["industry"], r["region"], r["manager"], r["batch"])
                       for r in self.live["clients"])
        assert got == want
        got = Counter(self.rows("select contact_id, client_id, name, role, batch_id, updated_by from contacts"))
        want = Counter((r["contact_id"], r["client_id"], r["name"], r["role"], r["batch"], r["updated_by"])
                       for r in self.live["contacts"])
        assert got == want
        assert self.store.scalar("select count(*) from notes") == self.notes
        for table in ("clients", "contacts"):                  # one row per key, whatever the sequence
            keys = [self.ident(table, r) for r in self.live[table]]
            assert len(set(keys)) == len(keys), (table, sorted(keys))

    @invariant()
    def aggregates_equal_the_model(self):
        day: Counter = Counter()
        lines: Counter = Counter()
        month: Counter = Counter()
        mlines: Counter = Counter()
        for r in self.live["transactions"]:
            day[(r["client_id"], r["date"])] += r["revenue"]
            lines[(r["client_id"], r["date"])] += 1
            m = r["date"].replace(day=1)
            month[(r["client_id"], m)] += r["revenue"]
            mlines[(r["client_id"], m)] += 1
        assert sorted(self.rows("select client_id, day, revenue, lines from client_day")) == sorted(
            (c, d, day[(c, d)], lines[(c, d)]) for c, d in lines)
        assert sorted(self.rows("select client_id, month, revenue, lines from client_month")) == sorted(
            (c, m, month[(c, m)], mlines[(c, m)]) for c, m in mlines)

    @invariant()
    def check_finds_nothing(self):
        stale = check.stale_rows(self.store)
        assert stale["client_day"].empty and stale["client_month"].empty
        found = check.integrity(self.store)
        assert found["replaced"].empty and found["duplicate_clients"].empty



Sequences.TestCase.settings = settings(max_examples=20, stateful_step_count=20, deadline=None,
                                       suppress_health_check=[HealthCheck.too_slow])
TestSequences = Sequences.TestCase
