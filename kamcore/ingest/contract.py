"""The import contract of every table and the header synonym list (the one place for both).

The contract is the one schema of the tables people fill (columns, kinds, required, ranges, choices, dates of
the past): the editors of kamcore.accounts.edits derive their fields from it.

A source header is matched to a contract column after normalising both
(lower case, no diacritics, letters and digits only), so ``Customer ID``,
``customer_id`` and ``CUSTOMERID`` are the same header.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from kamcore.settings import ATTITUDES, BUYING_ROLES, INCIDENT_STAGES, REQUIREMENTS, TENDER_STATUSES, spelling_key

TABLES = ("transactions", "clients", "incidents", "contacts", "tenders", "competitors", "prospects")
KINDS = ("id", "text", "date", "number", "int", "bool", "choice")
# Not stored: used to compute revenue = quantity x unit_price when a file has no amount column.
UNIT_PRICE = "unit_price"


@dataclass(frozen=True)
class Col:
    """One contract column: name, kind (see KINDS), required, description, example value.

    ``past``: a date of something that has happened, so a date after the day of the import is a
    problem (DOMAIN.md §1); dates of what is planned or promised (promised_date, a first contract
    signed for next year) may lie ahead."""

    name: str
    kind: str
    required: bool = False
    description: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    past: bool = False


_C = Col
CONTRACT: dict[str, tuple[Col, ...]] = {
    "transactions": (
        _C("txn_id", "id", False, "unique id of the invoice/order line; when missing the line is identified by its content", "INV-2024-0001/1"),
        _C("client_id", "id", True, "client code as in the clients table", "C001"),
        _C("date", "date", True, "invoice or order date", "2024-01-31", past=True),
        _C("revenue", "number", True, "net sales of the line in the reporting currency; negative = return or credit note", "1250.00"),
        _C("order_id", "id", False, "invoice or order number", "INV-2024-0001"),
        _C("product", "text", False, "product code or name", "P-100"),
        _C("category", "text", False, "product category", "Hardware"),
        _C("quantity", "number", False, "quantity sold (negative for returns)", "10"),
        _C("cost", "number", False, "cost of the goods sold for the line", "900.00"),
        _C("profit", "number", False, "gross profit of the line (else revenue - cost)", "350.00"),
        _C("promised_date", "date", False, "delivery date promised to the client", "2024-02-05"),
        _C("delivered_date", "date", False, "actual delivery date", "2024-02-04", past=True),
        _C(UNIT_PRICE, "number", False, "unit price; used only to compute revenue = quantity x unit price when there is no amount column", "125.00"),
    ),
    "clients": (
        _C("client_id", "id", True, "client code, unique", "C001"),
        _C("name", "text", True, "client name", "Acme d.o.o."),
        _C("industry", "text", False, "industry", "Retail"),
        _C("region", "text", False, "region", "North"),
        _C("country", "text", False, "country", "Slovenia"),
        _C("manager", "text", False, "key account manager", "Ana Novak"),
        _C("employees", "int", False, "number of employees", "250", low=0),
        _C("founded", "int", False, "year founded", "1991", low=1600, high=2100),
        _C("description", "text", False, "short description", "Regional retail chain"),
        _C("org_structure", "text", False, "organisation structure", "holding with 3 subsidiaries"),
        _C("website", "text", False, "web site", "https://example.com"),
        _C("potential", "number", False, "estimated yearly budget for our kind of product", "500000"),
        _C("image_maker", "bool", False, "well-known brand or leader of its industry/region (yes/no)", "no"),
        _C("requirements", "choice", False, "standard or high", "standard", choices=REQUIREMENTS),
        _C("first_contract", "date", False, "date of the first contract", "2015-03-01"),
        _C("key", "bool", False, "key client by hand (yes/no)", "no"),
    ),
    "incidents": (
        _C("incident_id", "id", False, "incident number", "INC-17"),
        _C("client_id", "id", True, "client code", "C001"),
        _C("date", "date", True, "date of the complaint or error", "2024-03-04", past=True),
        _C("category", "text", True, "kind of complaint", "late delivery"),
        _C("severity", "int", False, "1 (low) to 3 (high)", "2", low=1, high=3),
        _C("stage", "choice", False, "where it happened", "delivery",
           choices=INCIDENT_STAGES),
        _C("description", "text", False, "what happened", "pallet damaged"),
        _C("resolved_date", "date", False, "date resolved", "2024-03-10", past=True),
    ),
    "contacts": (
        _C("contact_id", "id", False, "contact id", "P-1"),
        _C("client_id", "id", True, "client code", "C001"),
        _C("name", "text", True, "person's name", "Marko Kranjc"),
        _C("role", "text", True, "job role", "purchasing director"),
        _C("title", "text", False, "title", "mag."),
        _C("buying_role", "choice", False, "role in buying", "decision_maker",
           choices=BUYING_ROLES),
        _C("influence", "int", False, "influence 0-10", "8", low=0, high=10),
        _C("attitude", "choice", False, "attitude to us", "supporter", choices=ATTITUDES),
        _C("reports_to", "text", False, "name of the person's superior", "Ana Horvat"),
        _C("last_contact", "date", False, "date of the last contact", "2024-05-02", past=True),
        _C("email", "text", False, "e-mail", "marko@example.com"),
        _C("phone", "text", False, "phone", "+386 1 234 5678"),
    ),
    "tenders": (
        _C("tender_id", "id", False, "tender or offer id", "T-2024-3"),
        _C("client_id", "id", True, "client code", "C001"),
        _C("date", "date", True, "date of the bid", "2024-04-15", past=True),
        _C("status", "choice", True, "won, lost or open", "won", choices=TENDER_STATUSES),
        _C("title", "text", False, "subject of the tender", "Annual supply 2025"),
        _C("value", "number", False, "value of the bid", "120000", low=0),
        _C("reasons", "text", False, "won/lost reasons, several separated by ;", "price; delivery time"),
        _C("winner", "text", False, "who won", "us"),
    ),
    "competitors": (
        _C("client_id", "id", True, "client code", "C001"),
        _C("competitor", "text", True, "competitor's name", "Rival d.o.o."),
        _C("share_of_wallet", "number", False, "competitor's share of the client's spend, 0-1 (or 35 %)", "0.35", low=0, high=1),
        _C("strengths", "text", False, "strengths", "price"),
        _C("weaknesses", "text", False, "weaknesses", "slow delivery"),
        _C("notes", "text", False, "notes", ""),
    ),
    "prospects": (
        _C("prospect_id", "id", False, "prospect id", "PR-9"),
        _C("name", "text", True, "company name", "Newco d.o.o."),
        _C("industry", "text", False, "industry", "Logistics"),
        _C("region", "text", False, "region", "West"),
        _C("source", "text", False, "press, media, internet, database, referral", "referral"),
        _C("need", "int", False, "need for our product 0-2", "2", low=0, high=2),
        _C("solvency", "int", False, "solvency 0-2", "1", low=0, high=2),
        _C("authority", "int", False, "authority to decide 0-2", "2", low=0, high=2),
        _C("potential", "number", False, "estimated yearly budget", "80000", low=0),
        _C("owner", "text", False, "who works on it", "Ana Novak"),
        _C("notes", "text", False, "notes", ""),
    ),
}

# Choice values: the closed sets and their accepted spellings are kamcore.settings.CHOICES / CHOICE_SPELLINGS.

# Header synonyms per contract column, best first. Shared by all tables: only
# the columns of the chosen table are considered. Kept readable; normalised on use.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "txn_id": ("txn_id", "transaction id", "line id", "invoice line id", "line no", "id vrstice", "postavka id"),
    "client_id": ("client_id", "client id", "client", "customer id", "customerid", "customer", "customer no",
                  "customer number", "customer code", "account", "account id", "account number", "sold-to",
                  "sold-to party", "kunnr", "debtor", "debitor", "partner", "partner id", "business partner",
                  "kupec", "sifra kupca", "kupec id", "stranka", "sifra stranke", "id stranke", "narocnik",
                  "partner sifra", "kupac"),
    "date": ("date", "invoice date", "invoicedate", "order date", "document date", "posting date", "datum",
             "datum racuna", "datum dokumenta", "datum narocila", "datum knjizenja", "fkdat", "bldat",
             "incident date", "tender date", "datum reklamacije", "datum ponudbe"),
    "revenue": ("revenue", "net sales", "net revenue", "net amount", "amount", "sales", "sales amount",
                "line total", "net value", "turnover", "netwr", "value net", "znesek", "neto znesek", "prihodek",
                "promet", "vrednost", "neto vrednost", "prodaja", "znesek brez ddv"),
    "order_id": ("order_id", "order id", "order", "order no", "invoice", "invoice no", "invoiceno",
                 "invoice number", "document", "document no", "vbeln", "belnr", "racun", "st racuna",
                 "stevilka racuna", "narocilo", "st narocila", "dokument"),
    "product": ("product", "product code", "product id", "stockcode", "stock code", "item", "item code", "sku",
                "material", "matnr", "article", "artikel", "sifra artikla", "izdelek", "produkt"),
    "category": ("category", "product category", "product group", "kategorija", "skupina", "skupina artiklov"),
    "quantity": ("quantity", "qty", "units", "menge", "fkimg", "kolicina", "kos"),
    "cost": ("cost", "cogs", "cost of sales", "cost of goods sold", "nabavna vrednost", "strosek", "stroski",
             "lastna cena"),
    "profit": ("profit", "gross profit", "margin", "gross margin", "contribution", "dobicek", "razlika v ceni",
               "bruto dobicek", "marza"),
    "promised_date": ("promised_date", "promised date", "requested date", "due date", "obljubljeni datum",
                      "rok dobave", "zahtevani datum"),
    "delivered_date": ("delivered_date", "delivered date", "delivery date", "ship date", "shipped date",
                       "datum dobave", "datum odpreme", "dobavljeno"),
    UNIT_PRICE: ("unit_price", "unit price", "unitprice", "price", "net price", "cena", "cena na enoto",
                 "prodajna cena", "netpr"),
    "name": ("name", "client name", "customer name", "company", "company name", "contact name", "person",
             "full name", "naziv", "ime", "naziv kupca", "naziv stranke", "podjetje", "ime in priimek"),
    "industry": ("industry", "sector", "branch", "dejavnost", "panoga", "industrija"),
    "region": ("region", "area", "territory", "regija", "obmocje"),
    "country": ("country", "drzava", "land"),
    "manager": ("manager", "account manager", "key account manager", "kam", "sales rep", "salesperson",
                "owner", "skrbnik", "komercialist", "vodja"),
    "employees": ("employees", "headcount", "staff", "zaposleni", "st zaposlenih"),
    "founded": ("founded", "year founded", "established", "ustanovljeno", "leto ustanovitve"),
    "description": ("description", "desc", "opis"),
    "org_structure": ("org_structure", "organisation structure", "organization structure", "org structure",
                      "organizacijska struktura"),
    "website": ("website", "web", "url", "homepage", "spletna stran"),
    "potential": ("potential", "budget", "estimated budget", "potencial"),
    "image_maker": ("image_maker", "image maker", "brand", "imidz"),
    "requirements": ("requirements", "requirement level", "zahteve"),
    "first_contract": ("first_contract", "first contract", "customer since", "client since", "prva pogodba",
                       "kupec od"),
    "key": ("key", "key client", "key account", "kljucni", "kljucna stranka", "kljucni kupec"),
    "incident_id": ("incident_id", "incident id", "incident", "complaint id", "ticket", "reklamacija",
                    "st reklamacije"),
    "severity": ("severity", "priority", "resnost", "teza"),
    "stage": ("stage", "process stage", "where", "faza", "mesto"),
    "resolved_date": ("resolved_date", "resolved date", "closed date", "datum resitve", "reseno"),
    "contact_id": ("contact_id", "contact id", "person id", "kontakt id"),
    "role": ("role", "position", "job title", "function", "funkcija", "delovno mesto", "vloga"),
    "title": ("title", "subject", "naziv ponudbe", "zadeva"),
    "buying_role": ("buying_role", "buying role", "vloga pri nakupu"),
    "influence": ("influence", "vpliv"),
    "attitude": ("attitude", "odnos"),
    "reports_to": ("reports_to", "reports to", "superior", "nadrejeni"),
    "last_contact": ("last_contact", "last contact", "last contacted", "zadnji kontakt"),
    "email": ("email", "e-mail", "mail", "e posta", "eposta"),
    "phone": ("phone", "telephone", "tel", "mobile", "telefon", "gsm"),
    "tender_id": ("tender_id", "tender id", "tender", "offer id", "bid id", "ponudba", "st ponudbe", "razpis"),
    "status": ("status", "result", "outcome", "izid", "stanje"),
    "value": ("value", "bid value", "offer value", "vrednost ponudbe", "vrednost"),
    "reasons": ("reasons", "reason", "razlogi", "razlog"),
    "winner": ("winner", "won by", "zmagovalec"),
    "competitor": ("competitor", "competitor name", "konkurent", "tekmec"),
    "share_of_wallet": ("share_of_wallet", "share of wallet", "sow", "share", "delez"),
    "strengths": ("strengths", "prednosti", "moci"),
    "weaknesses": ("weaknesses", "slabosti"),
    "notes": ("notes", "note", "comment", "comments", "opombe", "opomba"),
    "prospect_id": ("prospect_id", "prospect id", "lead id"),
    "source": ("source", "lead source", "vir"),
    "need": ("need", "potreba"),
    "solvency": ("solvency", "creditworthiness", "placilna sposobnost", "bonitet"),
    "authority": ("authority", "decision authority", "pooblastilo", "odlocanje"),
    "owner": ("owner", "responsible", "lastnik", "odgovoren"),
}

def normalise_header(text: object) -> str:
    """``"Šifra kupca "`` -> ``"sifrakupca"``: lower case, no diacritics, letters and digits only (the same key
    as the vocabularies' spellings, :func:`kamcore.settings.spelling_key`)."""
    return spelling_key(text)


def columns(table: str) -> tuple[Col, ...]:
    """Contract columns of ``table`` (raises ValueError for an unknown table)."""
    if table not in CONTRACT:
        raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    return CONTRACT[table]


def stored_columns(table: str) -> list[str]:
    """Contract columns that are stored in the database table (unit_price is not)."""
    return [c.name for c in columns(table) if c.name != UNIT_PRICE]


def column(table: str, name: str) -> Col:
    for c in columns(table):
        if c.name == name:
            return c
    raise KeyError(name)


def _synonym_index(table: str) -> dict[str, tuple[int, str]]:
    """normalised synonym -> (priority, contract column) for the table's columns."""
    index: dict[str, tuple[int, str]] = {}
    for col in columns(table):
        for prio, syn in enumerate((col.name, *SYNONYMS.get(col.name, ()))):
            key = normalise_header(syn)
            if key and (key not in index or prio < index[key][0]):
                index[key] = (prio, col.name)
    return index


def auto_mapping(table: str, headers: list[str]) -> dict[str, str | None]:
    """Map each source header to a contract column of ``table`` (or None) by the synonym list.

    When several headers match the same column, the best synonym wins (then the
    leftmost); the others stay unmapped. Identical header names are left to the caller.
    """
    index = _synonym_index(table)
    best: dict[str, tuple[int, int]] = {}
    for pos, h in enumerate(headers):
        hit = index.get(normalise_header(h))
        if hit and (hit[1] not in best or (hit[0], pos) < best[hit[1]]):
            best[hit[1]] = (hit[0], pos)
    chosen = {pos: target for target, (_, pos) in best.items()}
    out: dict[str, str | None] = {}
    for pos, h in enumerate(headers):
        if out.get(h) is None:
            out[h] = chosen.get(pos)
    return out


def headers_key(table: str, headers: list[str]) -> str:
    """Identity of a header set for remembered mappings: table + sorted normalised headers."""
    return table + ":" + json.dumps(sorted(normalise_header(h) for h in headers))


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as a spreadsheet names columns)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
