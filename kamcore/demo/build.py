"""Demo database: a fictional European B2B distributor of industrial and office supplies.

``generate(path, clients=400, years=3, end=None, seed=42)`` writes every data
table of ``schema.sql`` (clients, transactions, incidents, contacts, tenders,
competitors, prospects), one import batch per table, and rebuilds
``client_day``. Same arguments -> the same database (numpy ``default_rng(seed)``;
only ``default_end`` looks at the clock). All names are invented.

Planted stories (``PLANTED``). They hold at the default as-of date (last day
of the ``end`` month) with the default 12-month window and default settings,
for any seed and any ``clients >= 100``; ``generate`` checks them before
writing and raises RuntimeError if one failed.

- feeder       C0003, C0011: about 13.5 % and 11.8 % of the window's profit
               (revenue - cost) each, customers since long before the data
               starts (``first_contract`` >= 5 years back). No other client
               reaches 7.5 % of the profit (ordinary clients are capped at
               3.5 % of planned revenue).
- image_maker  C0005, C0019, C0042: ``image_maker`` is true, otherwise ordinary.
- expert       C0008 (requirements high and 4 quality incidents in the window),
               C0027 (requirements high only), C0051 (standard, 5 quality
               incidents). Every other client has requirements ``standard``
               and at most 2 quality-stage incidents in the window.
- perspective  C0014, C0033, C0046, C0058: first purchase 60-300 days before
               the as-of date, ``potential`` 1.3-1.7 x the median window
               revenue of the key clients (top clients up to 50 % of revenue).
               Other clients that started in the last 12 months get a
               potential below 0.6 x that median.
- lost_key     C0006, C0022, C0037: key clients of the previous window (each
               about 5.5-6.5 % of revenue), last purchase 215-310 days before the
               as-of date; in the 180 days before their last purchase 12
               incidents (8 in the last 90 days, mostly delivery/warehouse),
               85 % of the lines of the last 150 days delivered late, tenders
               lost to Brennwald Industrial Supply GmbH.
- lapsing      C0009, C0017, C0029, C0040, C0055: order every 7/10/12/14/18 days,
               then stop; recency 2.7-4.3 x cadence (> 2 x, <= 180 days).
- declining    C0012, C0025, C0031, C0048, C0053: still order every 7-14 days,
               revenue of the last 3 months about 40 % of the same months a
               year earlier.

Also planted (``CONTACT_GAPS``): feeder C0003 has only stale contacts (last
contact 95-200 days ago), feeder C0011 has no decision maker. Clients marked
key by hand: ``KEY_BY_HAND``. Prospects: 40, six of them qualified (score 5-6
with no zero), two score 4 with a zero.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from kamcore.settings import BUYING_ROLES, INCIDENT_STAGES
from kamcore.db.store import DATA_TABLES, open_store
from kamcore.analytics.window import add_months, month_end, month_start

PLANTED: dict[str, tuple[str, ...]] = {
    "feeder": ("C0003", "C0011"),
    "image_maker": ("C0005", "C0019", "C0042"),
    "expert": ("C0008", "C0027", "C0051"),
    "perspective": ("C0014", "C0033", "C0046", "C0058"),
    "lost_key": ("C0006", "C0022", "C0037"),
    "lapsing": ("C0009", "C0017", "C0029", "C0040", "C0055"),
    "declining": ("C0012", "C0025", "C0031", "C0048", "C0053"),
}
CONTACT_GAPS: dict[str, tuple[str, ...]] = {"stale_contacts": ("C0003",), "no_decision_maker": ("C0011",)}
KEY_BY_HAND = ("C0005", "C0019", "C0008")
MIN_CLIENTS = 60          # planted ids go up to C0058; stories are guaranteed from 100 clients
LINES_PER_CLIENT_YEAR = 125
N_PROSPECTS = 40
BATCH_FILE = "demo generator (seed {seed})"

_FEEDER_TARGET = (0.135, 0.118)   # profit share in the window
_OTHER_PROFIT_CAP = 0.075         # no other client above this profit share
_DECLINE_TARGET = 0.40
_RETURN_RATE = 0.017              # share of sales lines drawn as returns (some are dropped)
_EPOCH = np.datetime64("1970-01-01", "D")

# -- word lists -------------------------------------------------------------
_CATEGORIES = ("Office Paper & Supplies", "Packaging", "Cleaning & Hygiene", "Safety & PPE", "Tools",
               "Fasteners", "Lubricants & Chemicals", "IT Accessories", "Office Furniture")
_MARGIN = (0.14, 0.22, 0.30, 0.34, 0.27, 0.40, 0.25, 0.13, 0.31)
_PRODUCTS = (  # name, category, list price EUR; sorted by category
    ("Copy paper A4 80 g, box of 5 reams", 0, 24.90), ("Copy paper A3 80 g, box", 0, 39.90),
    ("Recycled paper A4, box", 0, 22.50), ("Ballpoint pens blue, pack of 50", 0, 14.90),
    ("Lever arch files, pack of 10", 0, 19.90), ("Sticky notes assorted, pack of 24", 0, 21.50),
    ("Toner cartridge black XL", 0, 89.00), ("Address labels A4, 100 sheets", 0, 27.00),
    ("Corrugated boxes 400x300x300, pack of 20", 1, 28.00), ("Stretch film 500 mm, 6 rolls", 1, 54.00),
    ("Packing tape 50 mm, 36 rolls", 1, 46.80), ("Machine stretch film, roll", 1, 38.00),
    ("Bubble wrap 1 m x 100 m", 1, 42.00), ("Void-fill paper, roll", 1, 31.00),
    ("PET strapping kit", 1, 118.00),
    ("Paper towels Z-fold, case", 2, 36.50), ("Toilet tissue 3-ply, 72 rolls", 2, 42.00),
    ("Hand soap refill 5 l", 2, 18.90), ("Surface disinfectant 5 l", 2, 29.50),
    ("Industrial degreaser 10 l", 2, 64.00), ("Microfibre cloths, pack of 50", 2, 32.00),
    ("Floor cleaner concentrate 10 l", 2, 48.00), ("Waste bags 120 l, roll of 250", 2, 39.00),
    ("Nitrile gloves, box of 100", 3, 9.80), ("Cut-resistant gloves, 12 pairs", 3, 58.00),
    ("Safety glasses clear, pack of 10", 3, 35.00), ("Ear plugs, 200 pairs", 3, 44.00),
    ("Hi-vis vests, pack of 10", 3, 39.00), ("Safety shoes S3", 3, 79.00),
    ("FFP2 masks, pack of 20", 3, 12.50), ("First-aid kit DIN 13157", 3, 49.00),
    ("Safety helmet", 3, 18.50),
    ("Cordless drill 18 V", 4, 189.00), ("Bit set, 32 pieces", 4, 24.50),
    ("Torque wrench 40-200 Nm", 4, 129.00), ("Utility knives, pack of 10", 4, 29.00),
    ("Measuring tape 5 m, pack of 6", 4, 33.00), ("Socket set 1/2 inch, 94 pieces", 4, 149.00),
    ("Angle grinder 125 mm", 4, 119.00),
    ("Hex bolts M8x40, box of 200", 5, 21.00), ("Hex nuts M8, box of 500", 5, 12.90),
    ("Wood screws 4x40, box of 1000", 5, 18.50), ("Wall plugs 8 mm, box of 200", 5, 15.80),
    ("Cable ties 300 mm, pack of 1000", 5, 19.90), ("Washers M10, box of 500", 5, 9.90),
    ("Multi-purpose grease 400 g, 12 cartridges", 6, 69.00), ("Hydraulic oil HLP 46, 20 l", 6, 98.00),
    ("Penetrating oil spray, 12 cans", 6, 54.00), ("Cutting fluid 20 l", 6, 112.00),
    ("Contact cleaner spray, 12 cans", 6, 61.00), ("Thread locker 50 ml, pack of 10", 6, 79.00),
    ("USB-C docking station", 7, 149.00), ("Wireless keyboard and mouse set", 7, 39.00),
    ("Monitor 24 inch full HD", 7, 139.00), ("Network cable Cat6 5 m, pack of 10", 7, 24.00),
    ("USB headset", 7, 49.00), ("Label printer tape, pack of 5", 7, 64.00),
    ("Ergonomic office chair", 8, 289.00), ("Height-adjustable desk", 8, 449.00),
    ("Steel storage cabinet", 8, 329.00), ("Galvanised shelving unit", 8, 159.00),
    ("Workbench 1500 mm", 8, 389.00),
)
_INDUSTRIES = ("Automotive", "Construction", "Food & Beverage", "Healthcare", "Logistics",
               "Machinery", "Public Sector", "Retail")
_INDUSTRY_WEIGHTS = (0.11, 0.14, 0.14, 0.10, 0.14, 0.16, 0.09, 0.12)
_INDUSTRY_CATEGORY = np.array([  # rows: industries, columns: _CATEGORIES
    [1.0, 3.0, 2.0, 3.0, 3.0, 3.0, 3.0, 1.0, 0.5],
    [0.5, 1.0, 1.0, 4.0, 4.0, 4.0, 1.5, 0.5, 0.5],
    [1.0, 4.0, 4.0, 2.0, 0.5, 0.5, 1.0, 0.5, 0.5],
    [3.0, 1.0, 4.0, 3.0, 0.3, 0.3, 0.3, 2.0, 1.0],
    [1.5, 5.0, 1.5, 2.0, 1.0, 1.0, 1.0, 1.0, 0.5],
    [0.8, 2.0, 1.5, 3.0, 4.0, 4.0, 4.0, 0.7, 0.5],
    [4.0, 0.5, 3.0, 1.5, 0.5, 0.5, 0.5, 3.0, 2.0],
    [2.0, 4.0, 2.0, 0.5, 0.3, 0.3, 0.2, 2.0, 1.5],
])
_SEASON_PEAK = (100, 150, 200, 300, 320, 110, 340, 330)   # day of year of the busiest time, by industry
_INDUSTRY_WORDS = (
    ("Automotive", "Autoparts", "Motors", "Components", "Fahrzeugtechnik", "Mobility"),
    ("Bau", "Construct", "Gradnja", "Building", "Infra", "Structures"),
    ("Foods", "Dairy", "Beverages", "Bakery", "Mlin", "Brewery"),
    ("Medical", "Pharma", "Clinic", "Health", "Labs", "Care"),
    ("Logistics", "Transport", "Cargo", "Spedition", "Freight", "Distribution"),
    ("Metall", "Machinery", "Werk", "Tech", "Engineering", "Steel"),
    ("Utilities", "Waterworks", "Municipal Services", "Energy", "Transit", "Waste Management"),
    ("Retail", "Market", "Stores", "Trade", "Home", "Fashion"),
)
_STEMS = (
    "Alpina", "Nordwerk", "Savinja", "Danubia", "Karawanken", "Pohorje", "Lumen", "Kestrel", "Borealis",
    "Meridian", "Helix", "Orbis", "Solvia", "Terranova", "Aurum", "Velox", "Ferrum", "Argentum", "Carinthia",
    "Istria", "Pannonia", "Bohemia", "Silesia", "Tatra", "Baltica", "Lyra", "Corvus", "Falco", "Aquila",
    "Lupus", "Ursa", "Stella", "Polaris", "Zenit", "Vega", "Altair", "Castor", "Rigel", "Sirius", "Isar",
    "Drava", "Kolpa", "Enns", "Moldau", "Tisa", "Neretva", "Piave", "Brenta", "Ticino", "Schelde", "Vistra",
    "Kvarner", "Velebit", "Dolomit", "Rhaetia", "Noricum", "Celeia", "Emona", "Poetovio", "Sirmium",
    "Ardenne", "Jura", "Vogesen", "Harzer", "Eifel", "Spree", "Havel", "Lech", "Traun", "Ybbs",
)
_TAILS = ("tec", "werk", "plast", "mont", "trans", "flex", "tronic", "lab")
_SUFFIXES = ("Nord", "Süd", "Ost", "West", "Plus", "Group", "International", "Holding")
_REGIONS = ("Alps", "Central", "South", "East", "North-West")
_REGION_WEIGHTS = (0.28, 0.24, 0.18, 0.15, 0.15)
_COUNTRIES = (  # name, region, top-level domain, phone code, legal forms, name group, cities
    ("Austria", 0, "at", "43", ("GmbH", "AG"), "de", ("Graz", "Linz", "Klagenfurt")),
    ("Switzerland", 0, "ch", "41", ("AG", "GmbH"), "de", ("Zurich", "St. Gallen", "Lucerne")),
    ("Slovenia", 0, "si", "386", ("d.o.o.", "d.d."), "ss", ("Ljubljana", "Maribor", "Celje")),
    ("Germany", 1, "de", "49", ("GmbH", "AG", "GmbH & Co. KG"), "de", ("Munich", "Stuttgart", "Leipzig")),
    ("Czechia", 1, "cz", "420", ("s.r.o.", "a.s."), "cz", ("Brno", "Plzen", "Ostrava")),
    ("Italy", 2, "it", "39", ("S.r.l.", "S.p.A."), "it", ("Udine", "Verona", "Brescia")),
    ("Croatia", 2, "hr", "385", ("d.o.o.", "d.d."), "ss", ("Zagreb", "Rijeka", "Split")),
    ("Poland", 3, "pl", "48", ("Sp. z o.o.", "S.A."), "pl", ("Krakow", "Wroclaw", "Poznan")),
    ("Hungary", 3, "hu", "36", ("Kft.", "Zrt."), "hu", ("Gyor", "Debrecen", "Pecs")),
    ("Netherlands", 4, "nl", "31", ("B.V.", "N.V."), "nl", ("Eindhoven", "Utrecht", "Tilburg")),
    ("Belgium", 4, "be", "32", ("NV", "BV"), "nl", ("Antwerp", "Ghent", "Liege")),
    ("France", 4, "fr", "33", ("SAS", "SARL"), "fr", ("Lyon", "Lille", "Strasbourg")),
    ("Denmark", 4, "dk", "45", ("A/S", "ApS"), "nordic", ("Aarhus", "Odense")),
    ("Sweden", 4, "se", "46", ("AB",), "nordic", ("Gothenburg", "Malmo")),
)
_PEOPLE = {  # name group: (first names, last names)
    "de": (("Anna", "Lukas", "Julia", "Felix", "Katharina", "Stefan", "Sabine", "Michael", "Laura", "Florian"),
           ("Huber", "Bauer", "Wagner", "Müller", "Schmid", "Fischer", "Weber", "Hofer", "Steiner", "Gruber")),
    "ss": (("Maja", "Luka", "Nina", "Matej", "Ana", "Marko", "Petra", "Jure", "Tina", "Ivan"),
           ("Novak", "Horvat", "Kovačič", "Krajnc", "Zupančič", "Babić", "Marić", "Potočnik", "Vidmar", "Golob")),
    "it": (("Giulia", "Marco", "Chiara", "Luca", "Francesca", "Alessandro", "Sara", "Matteo", "Elena", "Davide"),
           ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Fontana")),
    "cz": (("Jana", "Petr", "Lucie", "Martin", "Tereza", "Jakub", "Eva", "Tomáš", "Klára", "Ondřej"),
           ("Dvořák", "Novotný", "Svoboda", "Procházka", "Černá", "Kučera", "Veselý", "Horák", "Marek", "Pokorná")),
    "pl": (("Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Magdalena", "Paweł", "Joanna", "Krzysztof", "Ewa", "Michał"),
           ("Kowalski", "Nowak", "Wiśniewska", "Zieliński", "Wójcik", "Kamińska", "Lewandowski", "Dąbrowska",
            "Mazur", "Krawczyk")),
    "hu": (("Eszter", "Gábor", "Zsófia", "Balázs", "Anna", "László", "Katalin", "Péter", "Réka", "Tamás"),
           ("Horváth", "Kovács", "Szabó", "Tóth", "Nagy", "Varga", "Kiss", "Molnár", "Farkas", "Balogh")),
    "nl": (("Sanne", "Daan", "Lotte", "Bram", "Eva", "Thijs", "Femke", "Joris", "Anouk", "Pieter"),
           ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Peeters", "Maes", "Mulder", "de Smet", "Willems")),
    "fr": (("Camille", "Julien", "Claire", "Nicolas", "Sophie", "Antoine", "Manon", "Thomas", "Léa", "Olivier"),
           ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Roux", "Fournier", "Girard", "Mercier")),
    "nordic": (("Emma", "Lars", "Ida", "Mikkel", "Sofia", "Erik", "Freja", "Anders", "Maja", "Johan"),
               ("Jensen", "Nielsen", "Andersson", "Johansson", "Larsen", "Lindqvist", "Hansen", "Berg",
                "Pedersen", "Nilsson")),
}
_GROUPS = tuple(_PEOPLE)
_MANAGERS = ("Maja Kovač", "Tobias Berger", "Elena Rossi", "Marek Dvořák", "Sanne de Vries", "Luka Zupan")
_ORG = ("Central purchasing department", "Owner-managed; the owner decides", "Plant-level purchasing",
        "Group procurement with framework agreements", "Public procurement rules (tenders)")
# buying-centre template: position in a client's contact list -> buying role
_BUYING_ROLES = BUYING_ROLES                  # the stored codes (settings), in the order of _TITLES
_ROLE_ORDER = np.array([0, 2, 1, 3, 4, 1, 3, 3])
_TITLES = (  # per buying role: (title, department = contacts.role)
    (("Managing Director", "Management"), ("CEO", "Management"), ("Head of Procurement", "Procurement"),
     ("Plant Manager", "Production"), ("Owner", "Management")),
    (("CFO", "Finance"), ("Head of Production", "Production"), ("Quality Manager", "Quality"),
     ("Facility Manager", "Operations"), ("Head of Logistics", "Logistics"), ("HSE Manager", "Safety")),
    (("Purchasing Officer", "Procurement"), ("Buyer", "Procurement"), ("Senior Buyer", "Procurement"),
     ("Procurement Specialist", "Procurement")),
    (("Warehouse Supervisor", "Logistics"), ("Office Manager", "Administration"),
     ("Maintenance Lead", "Production"), ("Shift Supervisor", "Production"), ("Lab Manager", "Quality")),
    (("Executive Assistant", "Administration"), ("Reception", "Administration"),
     ("Assistant to the Board", "Management")),
)
_INFLUENCE = ((8, 11), (5, 9), (4, 8), (1, 5), (2, 5))
_LAST_CONTACT_DAYS = (50, 60, 14, 80, 40)
_INCIDENT_CATEGORIES = ("late delivery", "wrong item", "damaged goods", "invoice error", "quality defect",
                        "missing documents")
_INCIDENT_WEIGHTS = (0.28, 0.18, 0.16, 0.15, 0.13, 0.10)
_STAGES = INCIDENT_STAGES                     # the stored codes (settings), indexed by _CATEGORY_STAGES
_CATEGORY_STAGES = (((2,), (1.0,)), ((1, 0), (0.8, 0.2)), ((2, 1), (0.6, 0.4)), ((3,), (1.0,)),
                    ((4,), (1.0,)), ((5, 0), (0.6, 0.4)))
_INCIDENT_TEXT = (
    (": delivery arrived after the promised date", ": truck came late, production waited",
     ": partial delivery, the rest came days later"),
    (": wrong size delivered", ": wrong article picked", ": quantity differs from the order"),
    (": packaging damaged on arrival", ": pallet tipped over in transport", ": goods wet on arrival"),
    (": invoice price differs from the contract", ": invoiced twice", ": agreed discount missing on invoice"),
    (": batch failed incoming inspection", ": does not meet the specification", ": premature wear reported"),
    (": delivery note missing", ": certificate of conformity missing", ": safety data sheet not included"),
)
_COMPETITORS = (
    ("Brennwald Industrial Supply GmbH", "fast delivery; wide tool range", "higher prices; rigid payment terms"),
    ("Officio Group", "strong in office supplies; good web shop", "weak in industrial products"),
    ("MercaPro S.p.A.", "low prices; aggressive discounts", "patchy service; frequent back-orders"),
    ("Vantage Supply B.V.", "vending machines on site; e-procurement", "small field sales team"),
    ("Ostrava Tool & Supply a.s.", "technical advice; own repair shop", "limited range outside tools"),
    ("Nordic Workplace AB", "sustainable product range", "long lead times; high freight cost"),
    ("Sanitas Hygiene Partners", "hygiene concepts; dispenser systems", "narrow range"),
    ("Baltic Pack Sp. z o.o.", "cheap packaging; large stock", "quality varies; slow complaint handling"),
)
_COMPETITOR_NOTES = ("Used as second source", "Framework agreement until year-end",
                     "Price benchmark in every negotiation", "Supplies mainly their plant in the region",
                     "Sales rep visits every month", "")
_WON_REASONS = ("price", "delivery time", "product range", "service", "price; delivery time",
                "quality; service", "relationship", "product range; price")
_LOST_REASONS = ("price", "price", "price; delivery time", "delivery time", "product range",
                 "price; payment terms", "relationship", "quality; price", "price; product range; delivery time")
_TENDER_KINDS = ("Framework agreement", "Annual tender", "Spot tender", "Price request")
_SOURCES = ("press", "media", "internet", "database", "referral")
_PROSPECT_NOTES = ("Press report: expanding production", "Trade magazine interview with their COO",
                   "Web enquiry for a framework offer", "Company database lead", "Referred by an existing client")


@dataclass(frozen=True)
class _Calendar:
    """Day numbers (days since 1970-01-01) of the dates the stories are built around."""

    as_of: date
    D: int      # as-of date (last day of the end month)
    S: int      # first day with data
    Ws: int     # start of the 12-month window
    Ps: int     # start of the previous window
    Pe: int     # end of the previous window
    L3: int     # start of the last 3 months
    Y3s: int    # the same 3 months a year earlier
    Y3e: int
    C24: int    # cadence horizon: purchase days after this day count

    @classmethod
    def of(cls, as_of: date, years: int) -> "_Calendar":
        ms = month_start(as_of)
        return cls(as_of, _day(as_of), _day(add_months(ms, -(12 * years - 1))), _day(add_months(ms, -11)),
                   _day(add_months(ms, -23)), _day(add_months(as_of, -12)), _day(add_months(ms, -2)),
                   _day(add_months(ms, -14)), _day(month_end(add_months(ms, -12))), _day(add_months(as_of, -24)))


def _day(d: date) -> int:
    return int((np.datetime64(d, "D") - _EPOCH).astype(np.int64))


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Day numbers -> datetime64[s] (NaT where not valid)."""
    out = (np.asarray(days, dtype=np.int64).astype("datetime64[D]")).astype("datetime64[s]")
    if valid is not None:
        out[~valid] = np.datetime64("NaT")
    return out


def default_end(today: date | None = None) -> str:
    """The last complete month before ``today`` as "YYYY-MM" (2026-11-27 -> "2026-10")."""
    today = today or date.today()
    return f"{add_months(month_start(today), -1):%Y-%m}"


def _parse_end(end: str) -> date:
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(end).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"end must be a month written as YYYY-MM, for example 2026-10, not {end!r}.")
    return month_end(date(int(m.group(1)), int(m.group(2)), 1))


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    return prefix + pd.Series(np.asarray(numbers)).astype(str).str.zfill(width)


def _ascii(s: pd.Series) -> pd.Series:
    s = s.str.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "ß": "ss", "æ": "ae", "đ": "d"}))
    return s.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")


def _pick(rng, options, n, p=None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


# -- public entry point -------------------------------------------------------
def generate(path: str | Path, clients: int = 400, years: int = 3, end: str | None = None, seed: int = 42,
             lines: int | None = None, replace: bool = False, currency: str = "EUR") -> dict[str, int]:
    """Write a complete demo database to the DuckDB file ``path``; return rows per data table.

    ``end`` "YYYY-MM" is the last month with data (default: the last complete
    month, :func:`default_end`); the data covers ``years`` years up to its last
    day. ``lines`` is the target number of transaction lines (default
    125 per client and year). A database that already holds data is refused
    unless ``replace`` is true; then all rows of the data tables, client_day
    and import_batches are deleted first (winback, notes and header mappings
    are team state and stay). ``currency`` is written as the database's reporting currency (the demo's
    amounts are euros).
    """
    if isinstance(clients, bool) or not isinstance(clients, (int, np.integer)) or clients < MIN_CLIENTS:
        raise ValueError(f"clients must be a whole number of at least {MIN_CLIENTS}, not {clients!r}.")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 2 <= years <= 10:
        raise ValueError(f"years must be a whole number from 2 to 10, not {years!r}.")
    end = end or default_end()
    as_of = _parse_end(end)
    n_lines = int(lines) if lines is not None else LINES_PER_CLIENT_YEAR * int(clients) * int(years)
    store = open_store(path)
    try:
        counts = store.table_counts()
        if any(counts.values()) and not replace:
            held = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
            raise ValueError(f"The database {store.path} already holds data ({held}); "
                             "use replace=True to delete it and write the demo data instead.")
        frames = _build(int(clients), int(years), as_of, int(seed), n_lines)
        tag = f"demo:clients={clients};years={years};end={end};seed={seed};lines={n_lines}"
        _write(store, frames, BATCH_FILE.format(seed=seed), tag, counts if replace else None)
        store.set_currency(currency)
        return store.table_counts()
    finally:
        store.close()


# -- the plan -------------------------------------------------------------------
def _build(clients: int, years: int, as_of: date, seed: int, lines: int) -> dict:
    """All demo data in memory: DataFrames for the small tables, arrays for the transactions."""
    rng = np.random.default_rng(seed)
    cal = _Calendar.of(as_of, years)
    plan = _plan_clients(rng, clients, cal)
    _solve_rates(plan, cal, lines)
    orders = _orders(rng, plan, cal)
    tx = _lines(rng, plan, cal, orders)
    tx = _add_returns(rng, plan, cal, tx, orders)
    _calibrate(plan, cal, tx)
    tx["revenue"] = np.round(tx["q"] * tx["up"], 2)
    tx["cost"] = np.round(tx["q"] * tx["uc"], 2)
    key_median = _key_median(plan, cal, tx)
    clients_df = _clients_frame(rng, plan, cal, tx, key_median)
    incidents = _incidents(rng, plan, cal, tx)
    problems = _verify(plan, cal, tx, incidents, clients_df)
    if problems:
        raise RuntimeError("demo generator: planted stories failed (please report): " + "; ".join(problems))
    competitors = _competitors(rng, plan, cal)
    return {
        "clients": clients_df,
        "transactions": tx,
        "incidents": _incident_frame(rng, plan, cal, incidents),
        "contacts": _contacts(rng, plan, cal, clients_df),
        "tenders": _tenders(rng, plan, cal, competitors),
        "competitors": competitors,
        "prospects": _prospects(rng, plan, key_median),
        "_client_ids": plan["ids"],
    }


def _plan_clients(rng, n: int, cal: _Calendar) -> dict:
    """Per-client arrays: role, planned yearly revenue, buying pattern, active span, terms."""
    idx = np.arange(n)
    role = np.full(n, "", dtype=object)
    for r, ids in PLANTED.items():
        role[[int(c[1:]) - 1 for c in ids]] = r
    ordinary = (role == "") | (role == "image_maker") | (role == "expert")
    share = np.zeros(n)
    fixed = {"feeder": [0.12, 0.115], "lost_key": [0.065, 0.06, 0.055]}
    for r, vals in fixed.items():
        share[role == r] = vals
    for r, lo, hi in (("declining", 0.006, 0.012), ("lapsing", 0.002, 0.005), ("perspective", 0.004, 0.008),
                      ("image_maker", 0.004, 0.012), ("expert", 0.003, 0.010)):
        share[role == r] = rng.uniform(lo, hi, (role == r).sum())
    free = role == ""
    raw = rng.lognormal(0.0, 1.4, free.sum())
    rest = 1.0 - share.sum()
    cap = 0.035
    w = raw / raw.sum()
    for _ in range(30):   # cap the largest ordinary clients, spread the excess over the others
        over = w * rest > cap
        if not over.any():
            break
        excess = (w[over] * rest - cap).sum() / rest
        w[over] = cap / rest
        w[~over] += excess * w[~over] / w[~over].sum()
    share[free] = w * rest
    s = share * n

    pattern = np.zeros(n, dtype=np.int8)                       # 0 regular, 1 seasonal, 2 sporadic
    u = rng.random(n)
    p_sporadic = np.where(s < 0.3, 0.35, 0.12)
    pattern[free & (u < p_sporadic)] = 2
    pattern[free & (u >= p_sporadic) & (u < p_sporadic + 0.22)] = 1
    tagged = (role == "image_maker") | (role == "expert")
    pattern[tagged] = rng.integers(0, 2, tagged.sum())

    a = np.full(n, cal.S)
    b = np.full(n, cal.D)
    u = rng.random(n)
    new = free & (u < 0.12)
    churn = free & (u >= 0.12) & (u < 0.19)
    a[new] = rng.integers(cal.S + 30, cal.D - 20, new.sum())
    b[churn] = rng.integers(cal.S + 150, cal.D - 45, churn.sum())

    gap = np.zeros(n, dtype=np.int64)
    gap[role == "feeder"] = [3, 4]
    gap[role == "lost_key"] = [4, 5, 6]
    gap[role == "declining"] = [7, 7, 10, 14, 14]
    gap[role == "lapsing"] = [7, 10, 12, 14, 18]
    gap[role == "perspective"] = [7, 10, 12, 14]
    lapsing = role == "lapsing"
    recency = np.ceil(2.5 * gap[lapsing]).astype(np.int64) + rng.integers(4, 11, lapsing.sum())
    b[lapsing] = cal.D - recency
    lost = role == "lost_key"
    b[lost] = cal.D - rng.integers(215, 306, lost.sum())
    persp = role == "perspective"
    a[persp] = cal.D - rng.integers(60, 301, persp.sum())
    wd = (b + 3) % 7                                            # keep planted last days on weekdays
    b = np.where(lapsing | lost, b - np.where(wd == 5, 1, 0) - np.where(wd == 6, 2, 0), b)

    industry = rng.choice(len(_INDUSTRIES), n, p=_INDUSTRY_WEIGHTS)
    region = rng.choice(len(_REGIONS), n, p=_REGION_WEIGHTS)
    country_region = np.array([c[1] for c in _COUNTRIES])
    # a country of the client's region, uniformly: draw a rank among the region's countries
    per_region = np.bincount(country_region, minlength=len(_REGIONS))
    first_of_region = np.array([np.flatnonzero(country_region == r)[0] for r in range(len(_REGIONS))])
    country = first_of_region[region] + (rng.random(n) * per_region[region]).astype(np.int64)
    big = s >= np.quantile(s, 0.95)
    manager = np.where(big & (rng.random(n) < 0.6), 5, np.where(rng.random(n) < 0.85, region, rng.integers(0, 6, n)))
    growth = np.where(ordinary, rng.normal(0.03, 0.15, n), 0.0)
    growth = np.where(share > 0.01, np.clip(growth, -0.05, 0.08), growth)   # big clients change slowly
    growth[role == "feeder"] = 0.03
    growth[tagged] = np.clip(growth[tagged], 0.0, 0.08)          # image-makers and experts tell one story only
    discount = np.clip(0.02 + 0.02 * np.log1p(s) + rng.normal(0, 0.02, n), 0.0, 0.15)
    discount[role == "feeder"] = [0.05, 0.06]
    ontime = np.clip(0.99 - rng.exponential(0.02, n), 0.7, 0.995)
    ontime[~ordinary] = np.maximum(ontime[~ordinary], 0.93)
    cat_w = _INDUSTRY_CATEGORY[industry] * rng.gamma(2.0, 0.5, (n, len(_CATEGORIES)))
    return {
        "n": n, "ids": _ids("C", idx + 1, 4).to_numpy(dtype=object), "role": role,
        "share": share, "s": s, "yearly": share * n * 100_000.0, "pattern": pattern, "a": a, "b": b,
        "gap": gap, "industry": industry, "region": region, "country": country,
        "manager": manager, "growth": growth, "discount": discount, "ontime": ontime,
        "lead": rng.integers(1, 6, n), "peak": np.array(_SEASON_PEAK)[industry] + rng.integers(-30, 31, n),
        "cat_w": cat_w, "ordinary": ordinary,
    }


def _solve_rates(plan: dict, cal: _Calendar, lines: int) -> None:
    """Orders per year ``f`` and lines per order ``m`` so that the expected lines match ``lines``."""
    s, gap = plan["s"], plan["gap"]
    span_years = (np.minimum(plan["b"], cal.D) - plan["a"] + 1) / 365.0
    pattern_factor = np.array([1.0, 0.9, 0.35])[plan["pattern"]]
    fixed = gap > 0
    target = lines / (1.0 + 0.8 * _RETURN_RATE)

    def rates(lam):
        f = np.where(fixed, 365.0 / np.maximum(gap, 1), np.clip(lam * 10.0 * s ** 0.45 * pattern_factor, 1.0, 180.0))
        m = np.clip(1.0 + np.sqrt(lam) * 1.2 * s ** 0.3, 1.0, 25.0)
        return f, m

    def expected(lam):
        f, m = rates(lam)
        return float((f * m * span_years).sum())

    lo, hi = 1e-4, 1e4
    if expected(hi) < target:
        raise ValueError(f"lines={lines} is too many for {plan['n']} clients over the period "
                         f"(at most about {int(expected(hi))}).")
    if expected(lo) > target:
        raise ValueError(f"lines={lines} is too few for {plan['n']} clients over the period "
                         f"(at least about {int(expected(lo)) + 1}).")
    for _ in range(80):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if expected(mid) < target else (lo, mid)
    plan["f"], plan["m"] = rates(np.sqrt(lo * hi))
    plan["target_lines"] = target
    plan["gap"] = np.where(fixed, gap, np.maximum(2, np.rint(365.0 / plan["f"]))).astype(np.int64)


def _orders(rng, plan: dict, cal: _Calendar) -> dict:
    """Order days per client by pattern; sorted by (day, client) and numbered."""
    a, b, gap, role = plan["a"], plan["b"], plan["gap"], plan["role"]
    exact = np.isin(role, ["lapsing", "lost_key"])           # sequences end exactly on b
    steady = np.isin(role, ["lapsing", "lost_key", "declining", "perspective"])
    reg = np.flatnonzero(plan["pattern"] == 0)
    phase = np.where(exact[reg], (b[reg] - a[reg]) % gap[reg], rng.integers(0, gap[reg]))
    first = a[reg] + phase
    cnt = np.where(b[reg] >= first, (b[reg] - first) // gap[reg] + 1, 0)
    rep = np.repeat(np.arange(reg.size), cnt)
    k = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    jit = np.where(steady[reg], 0, np.where(gap[reg] < 5, 0, np.where(gap[reg] < 10, 1, 2)))[rep]
    day_r = first[rep] + k * gap[reg][rep] + rng.integers(-jit, jit + 1)
    cl_r = reg[rep]

    irr = np.flatnonzero(plan["pattern"] > 0)
    span = b[irr] - a[irr] + 1
    seasonal = plan["pattern"][irr] == 1
    cnt = rng.poisson(plan["f"][irr] * span / 365.0 * np.where(seasonal, 1.7, 1.0))
    rep = np.repeat(np.arange(irr.size), cnt)
    day_i = a[irr][rep] + (rng.random(rep.size) * span[rep]).astype(np.int64)
    w = 1.0 + 0.7 * np.cos(2 * np.pi * ((day_i % 365.2425) - plan["peak"][irr][rep]) / 365.2425)
    keep = ~seasonal[rep] | (rng.random(rep.size) < w / 1.7)
    day_i, cl_i = day_i[keep], irr[rep][keep]

    cl = np.concatenate([cl_r, cl_i])
    day = np.concatenate([day_r, day_i])
    wd = (day + 3) % 7                                         # 0 = Monday
    day = day - (wd == 5) + (wd == 6)
    dt = day.astype("datetime64[D]")
    month = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (dt - dt.astype("datetime64[M]")).astype(np.int64) + 1
    holiday = np.where((month == 8) & (dom >= 5) & (dom <= 20), 0.45,
                       np.where(((month == 12) & (dom >= 24)) | ((month == 1) & (dom <= 2)), 0.9, 0.0))
    drop = (rng.random(day.size) < holiday) & ~steady[cl]
    keep = ~drop & (day >= a[cl]) & (day <= np.minimum(b[cl], cal.D))
    cl, day = cl[keep], day[keep]
    order = np.lexsort((cl, day))
    cl, day = cl[order], day[order]
    return {"client": cl.astype(np.int32), "day": day.astype(np.int32)}


def _lines(rng, plan: dict, cal: _Calendar, orders: dict) -> dict:
    """Order lines: product, unit price and cost, quantity, promised and delivered dates."""
    n = plan["n"]
    ocl, oday = orders["client"], orders["day"]
    n_orders = ocl.size
    role = plan["role"]
    per_client = np.bincount(ocl, minlength=n)
    years_active = np.maximum((np.minimum(plan["b"], cal.D) - plan["a"] + 1) / 365.0, 0.05)
    f_real = np.maximum(per_client / years_active, 0.5)
    rev_per_line = plan["yearly"] / (f_real * plan["m"])

    t = (oday - cal.D) / 365.0
    intensity = np.exp(plan["growth"][ocl] * t)
    dec = role[ocl] == "declining"
    ramp = np.clip((oday - (cal.D - 200)) / 120.0, 0.0, 1.0)
    intensity = np.where(dec, 1.0 - 0.55 * ramp, intensity)
    per = role[ocl] == "perspective"
    intensity = np.where(per, 0.5 + 0.5 * np.clip((oday - plan["a"][ocl]) / 90.0, 0.0, 1.0), intensity)

    lead = plan["lead"][ocl] + rng.integers(0, 3, n_orders)
    promised = oday + lead
    pwd = (promised + 3) % 7
    promised = promised + np.where(pwd == 5, 2, 0) + np.where(pwd == 6, 1, 0)
    late_p = 1.0 - plan["ontime"][ocl]
    lost = role[ocl] == "lost_key"
    slipping = lost & (oday > plan["b"][ocl] - 150)
    late_p = np.where(slipping, 0.85, late_p)
    late = rng.random(n_orders) < late_p
    delay = np.where(late, np.where(slipping, rng.integers(2, 10, n_orders), 1 + rng.geometric(0.45, n_orders) - 1),
                     rng.choice([-1, 0], n_orders, p=[0.25, 0.75]))
    delivered = promised + delay

    extra = plan["m"][ocl] - 1.0          # lines beyond the first; scaled so the total hits the target
    extra = extra * max(0.0, plan["target_lines"] - n_orders) / max(extra.sum(), 1e-9)
    k = 1 + rng.poisson(extra)
    o = np.repeat(np.arange(n_orders, dtype=np.int32), k)
    cl = ocl[o]
    n_lines = o.size
    cum = np.cumsum(plan["cat_w"], axis=1)
    cum = cum / cum[:, -1:]
    flat = (cum + np.arange(n)[:, None]).ravel()
    cat = np.searchsorted(flat, cl + rng.random(n_lines), side="right") - cl.astype(np.int64) * len(_CATEGORIES)
    cat = np.minimum(cat, len(_CATEGORIES) - 1)
    prod_cat = np.array([p[1] for p in _PRODUCTS])
    pop = np.ones(len(_PRODUCTS))
    for c in range(len(_CATEGORIES)):
        members = np.flatnonzero(prod_cat == c)
        pop[members] = 1.0 / (np.arange(members.size) + 1.0) ** 0.8
        pop[members] = np.cumsum(pop[members]) / pop[members].sum()
    flat_p = pop + prod_cat
    product = np.minimum(np.searchsorted(flat_p, cat + rng.random(n_lines), side="right"), len(_PRODUCTS) - 1)
    product = product.astype(np.int16)
    del cat

    list_price = np.array([p[2] for p in _PRODUCTS])
    unit_cost = list_price * (1 - np.array(_MARGIN)[prod_cat]) * (1 + ((np.arange(len(_PRODUCTS)) * 37) % 11 - 5) / 100)
    infl = 1.03 ** ((oday[o] - cal.D) / 365.0)
    up = np.round(list_price[product] * (1 - plan["discount"][cl]) * infl * (1 + rng.normal(0, 0.01, n_lines)), 2)
    up = np.maximum(up, 0.01)
    uc = unit_cost[product] * infl * (1 + rng.normal(0, 0.015, n_lines))
    target = rev_per_line[cl] * intensity[o] * rng.lognormal(-0.18, 0.6, n_lines)
    q = np.maximum(1.0, np.rint(target / up))
    return {
        "client": cl, "day": oday[o], "order": o + 1, "product": product, "q": q, "up": up, "uc": uc,
        "promised": promised[o].astype(np.int32), "delivered": delivered[o].astype(np.int32),
        "dated": delivered[o] <= cal.D, "ret": np.zeros(n_lines, dtype=bool),
    }


def _add_returns(rng, plan: dict, cal: _Calendar, tx: dict, orders: dict) -> dict:
    """About 1.5 % return lines: negative quantity of an earlier line, on a day without orders.

    Sales lines are sorted by (day, client, order); each return is merged in after them.
    """
    n = plan["n"]
    last_order = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_order, orders["client"], orders["day"].astype(np.int64))
    pick = np.flatnonzero(rng.random(tx["q"].size) < _RETURN_RATE)
    cl = tx["client"][pick]
    day = tx["day"][pick].astype(np.int64) + rng.integers(3, 46, pick.size)

    def key(c, d):   # sorts like (day, client)
        return (np.asarray(d, dtype=np.int64) - cal.S) * n + c

    order_keys = key(orders["client"], orders["day"])        # orders are sorted by (day, client)
    rkey = key(cl, day)
    pos = np.minimum(np.searchsorted(order_keys, rkey), order_keys.size - 1)
    ok = (day < last_order[cl]) & (day <= cal.D) & (order_keys[pos] != rkey)
    pick, cl, day, rkey = pick[ok], cl[ok], day[ok], rkey[ok]
    q = tx["q"][pick]
    rq = -np.minimum(q, np.maximum(1.0, np.rint(q * rng.uniform(0.1, 1.0, pick.size))))
    parts = {
        "client": cl, "day": day.astype(np.int32), "order": tx["order"][pick], "product": tx["product"][pick],
        "q": rq, "up": tx["up"][pick], "uc": tx["uc"][pick], "promised": np.zeros(pick.size, np.int32),
        "delivered": np.zeros(pick.size, np.int32), "dated": np.zeros(pick.size, bool),
        "ret": np.ones(pick.size, bool),
    }
    o = np.lexsort((parts["order"], rkey))
    at = np.searchsorted(key(tx["client"], tx["day"]), rkey[o], side="right")
    return {k: np.insert(tx[k], at, parts[k][o]) for k in tx}


def _scale(tx: dict, sel: np.ndarray, factor: np.ndarray) -> None:
    """Multiply the quantities of the selected lines by their client's factor (whole units, >= 1)."""
    q = tx["q"][sel]
    tx["q"][sel] = np.sign(q) * np.maximum(1.0, np.rint(np.abs(q) * factor[tx["client"][sel]]))


def _client_sum(tx: dict, mask: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(tx["client"][mask], weights=values[mask], minlength=n)


def _calibrate(plan: dict, cal: _Calendar, tx: dict) -> None:
    """Make the numeric stories exact: declining ratio, no accidental feeder, feeder profit shares."""
    n, role = plan["n"], plan["role"]
    day = tx["day"]
    last3 = (day >= cal.L3) & (day <= cal.D)
    year3 = (day >= cal.Y3s) & (day <= cal.Y3e)
    declining = role == "declining"
    for _ in range(4):
        rev = np.round(tx["q"] * tx["up"], 2)
        ratio = _client_sum(tx, last3, rev, n) / np.maximum(_client_sum(tx, year3, rev, n), 1e-9)
        factor = np.where(declining & (np.abs(ratio - _DECLINE_TARGET) > 0.02),
                          _DECLINE_TARGET / np.maximum(ratio, 1e-9), 1.0)
        if (factor == 1.0).all():
            break
        _scale(tx, last3 & (factor[tx["client"]] != 1.0), factor)

    window = (day >= cal.Ws) & (day <= cal.D)
    feeder = role == "feeder"
    targets = np.array(_FEEDER_TARGET)
    for _ in range(6):
        profit = np.round(tx["q"] * tx["up"], 2) - np.round(tx["q"] * tx["uc"], 2)
        p = _client_sum(tx, window, profit, n)
        total = p.sum()
        over = ~feeder & (p > _OTHER_PROFIT_CAP * total)
        factor = np.ones(n)
        factor[over] = 0.065 * total / p[over]
        rest = total - p[feeder].sum() - (p[over] * (1 - factor[over])).sum()
        factor[feeder] = targets * rest / ((1 - targets.sum()) * p[feeder])
        if np.abs(p[feeder] / total - targets).max() < 0.002 and not over.any():
            break
        _scale(tx, factor[tx["client"]] != 1.0, factor)


def _key_median(plan: dict, cal: _Calendar, tx: dict) -> float:
    """Median window revenue of the key clients (ranked by revenue, share above < 50 %)."""
    window = (tx["day"] >= cal.Ws) & (tx["day"] <= cal.D)
    rev = _key_clients(plan["n"], _client_sum(tx, window, tx["revenue"], plan["n"]))
    return float(np.median(rev))


def _key_clients(n: int, revenue: np.ndarray, k: float = 0.5) -> np.ndarray:
    """Revenues of the key clients of DOMAIN.md §6 (cents, ties by client id)."""
    cents = np.rint(revenue * 100).astype(np.int64)
    order = np.lexsort((np.arange(n), -cents))
    ranked = cents[order][cents[order] > 0]
    above = np.cumsum(ranked) - ranked
    return ranked[above < k * ranked.sum()] / 100.0


# -- small tables ---------------------------------------------------------------
def _country_table(column: int) -> np.ndarray:
    """A (country x 6) object array of a per-country word list, cycled to 6 entries."""
    return np.array([[c[column][i % len(c[column])] for i in range(6)] for c in _COUNTRIES], dtype=object)


_GROUP_OF_COUNTRY = np.array([_GROUPS.index(c[5]) for c in _COUNTRIES])
_FIRST_NAMES = np.array([_PEOPLE[g][0] for g in _GROUPS], dtype=object)
_LAST_NAMES = np.array([_PEOPLE[g][1] for g in _GROUPS], dtype=object)


def _company_names(rng, country: np.ndarray, industry: np.ndarray) -> np.ndarray:
    """Unique fictional company names such as "Alpina Logistics d.o.o." or "Nordwerk GmbH"."""
    n = country.size
    names = np.empty(n, dtype=object)
    todo = np.arange(n)
    words = np.array(_INDUSTRY_WORDS, dtype=object)
    forms = _country_table(4)
    for _ in range(200):
        k = todo.size
        stem = _pick(rng, _STEMS, k)
        word = words[industry[todo], rng.integers(0, words.shape[1], k)]
        surname = _LAST_NAMES[_GROUP_OF_COUNTRY[country[todo]], rng.integers(0, _LAST_NAMES.shape[1], k)]
        kind = rng.choice(4, k, p=[0.4, 0.2, 0.2, 0.2])
        base = np.where(kind == 0, stem + " " + word,
                        np.where(kind == 1, stem + _pick(rng, _TAILS, k),
                                 np.where(kind == 2, surname + " " + word,
                                          stem + " " + word + " " + _pick(rng, _SUFFIXES, k))))
        form = forms[country[todo], rng.integers(0, 6, k)]
        names[todo] = np.where(rng.random(k) < 0.15, base, base + " " + form)
        todo = np.flatnonzero(pd.Series(names).duplicated(keep="first").to_numpy())
        if todo.size == 0:
            return names
    raise ValueError(f"cannot invent {n} different company names")


def _clients_frame(rng, plan: dict, cal: _Calendar, tx: dict, key_median: float) -> pd.DataFrame:
    """clients table: client_id, name, industry, region, country, manager, employees, founded,
    description, org_structure, website, potential, image_maker, requirements, first_contract, key."""
    n, role, s = plan["n"], plan["role"], plan["s"]
    plan["prospect_country"] = rng.integers(0, len(_COUNTRIES), N_PROSPECTS)
    plan["prospect_industry"] = rng.integers(0, len(_INDUSTRIES), N_PROSPECTS)
    total_names = _company_names(rng, np.concatenate([plan["country"], plan["prospect_country"]]),
                                 np.concatenate([plan["industry"], plan["prospect_industry"]]))
    plan["prospect_names"] = total_names[n:]
    names = pd.Series(total_names[:n], dtype="str")
    country = plan["country"]
    sales = ~tx["ret"]
    first_day = np.full(n, cal.D + 1, dtype=np.int64)
    np.minimum.at(first_day, tx["client"][sales], tx["day"][sales].astype(np.int64))
    last_day = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_day, tx["client"][sales], tx["day"][sales].astype(np.int64))
    plan["first_day"], plan["last_day"] = first_day, last_day
    window = (tx["day"] >= cal.Ws) & (tx["day"] <= cal.D)
    plan["window_revenue"] = _client_sum(tx, window, tx["revenue"], n)

    started = first_day > cal.S + 20
    first_contract = np.where(started, first_day - rng.integers(5, 120, n), cal.S - rng.integers(30, 4000, n))
    first_contract = np.minimum(first_contract, cal.D - 1)
    first_contract[role == "feeder"] = cal.S - rng.integers(1900, 4000, 2)
    potential = plan["yearly"] * rng.uniform(1.2, 3.0, n)
    new_now = first_day > cal.D - 365
    potential = np.where(new_now & (role != "perspective"), np.minimum(potential, 0.6 * key_median), potential)
    potential[role == "perspective"] = key_median * rng.uniform(1.3, 1.7, (role == "perspective").sum())
    potential = np.round(np.maximum(potential, 5_000.0), -3)

    cat_top = plan["top_categories"] = np.argsort(-plan["cat_w"], axis=1)[:, :2]
    cats = np.array(_CATEGORIES, dtype=object)
    cities = _country_table(6)[country, rng.integers(0, 6, n)]
    countries = np.array([c[0] for c in _COUNTRIES], dtype=object)[country]
    industries = np.array(_INDUSTRIES, dtype=object)[plan["industry"]]
    desc = (pd.Series(industries) + " company based in " + cities + ", " + countries
            + "; buys mainly " + cats[cat_top[:, 0]].astype(str) + " and " + cats[cat_top[:, 1]].astype(str) + ".")
    image = role == "image_maker"
    desc[image] = ("Well-known brand and a leader in " + pd.Series(industries[image]).str.lower() + " in "
                   + pd.Series(countries[image]) + "; our reference customer.").to_numpy()
    expert = role == "expert"
    desc[expert] = (desc[expert] + " Demanding buyer: supplier audits and strict specifications.").to_numpy()
    slug = _ascii(pd.Series(total_names[:n], dtype="str").str.replace(
        r"\s+(GmbH & Co\. KG|GmbH|AG|d\.o\.o\.|d\.d\.|s\.r\.o\.|a\.s\.|S\.r\.l\.|S\.p\.A\.|Sp\. z o\.o\.|S\.A\.|"
        r"Kft\.|Zrt\.|B\.V\.|N\.V\.|NV|BV|SAS|SARL|A/S|ApS|AB)$", "", regex=True)).str.lower()
    slug = slug.str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-")
    tld = np.array([c[2] for c in _COUNTRIES], dtype=object)[country]
    org = np.where(plan["industry"] == _INDUSTRIES.index("Public Sector"), 4,
                   rng.choice(4, n, p=[0.35, 0.25, 0.2, 0.2]))
    requirements = np.where((role == "expert") & (np.isin(plan["ids"], ["C0008", "C0027"])), "high", "standard")
    return pd.DataFrame({
        "client_id": pd.Series(plan["ids"], dtype="str"),
        "name": names,
        "industry": industries.astype(str),
        "region": np.array(_REGIONS, dtype=object)[plan["region"]].astype(str),
        "country": countries.astype(str),
        "manager": np.array(_MANAGERS, dtype=object)[plan["manager"]].astype(str),
        "employees": np.clip(np.rint(60 * s ** 0.6 * rng.lognormal(0, 0.5, n)), 4, 50_000).astype(np.int32),
        "founded": np.where(started, rng.integers(1995, 2021, n), rng.integers(1890, 2016, n)).astype(np.int32),
        "description": desc.astype("str"),
        "org_structure": np.array(_ORG, dtype=object)[org].astype(str),
        "website": ("www." + slug + "." + tld).astype("str"),
        "potential": potential,
        "image_maker": image,
        "requirements": requirements.astype(str),
        "first_contract": _dates(first_contract),
        "key": np.isin(plan["ids"], KEY_BY_HAND),
    })


def _incidents(rng, plan: dict, cal: _Calendar, tx: dict) -> dict:
    """Incident arrays (client, day, category, stage, severity, product); lines give dates and products."""
    n, role = plan["n"], plan["role"]
    sales = np.flatnonzero(~tx["ret"])
    s_client = tx["client"][sales]
    per_client = np.bincount(s_client, minlength=n)
    years_active = np.maximum((np.minimum(plan["b"], cal.D) - plan["a"] + 1) / 365.0, 0.05)
    mu = 0.12 * np.sqrt(per_client / years_active) * years_active
    lost = role == "lost_key"
    mu[lost] = 3.0 * years_active[lost]
    count = rng.poisson(mu) * (per_client > 0)
    by_client = sales[np.argsort(s_client, kind="stable")]
    start = np.cumsum(per_client) - per_client
    cl = np.repeat(np.arange(n), count)
    line = by_client[start[cl] + (rng.random(cl.size) * per_client[cl]).astype(np.int64)]
    day = tx["day"][line].astype(np.int64) + rng.integers(0, 15, cl.size)
    cat = rng.choice(len(_INCIDENT_CATEGORIES), cl.size, p=_INCIDENT_WEIGHTS)
    keep = (day <= cal.D) & ~(lost[cl] & (day > plan["b"][cl] - 180))
    cl, day, cat, product = cl[keep], day[keep], cat[keep], tx["product"][line][keep]

    extra = []   # (client, days, categories)
    for cid in PLANTED["lost_key"]:
        i = int(cid[1:]) - 1
        last = plan["b"][i]
        days = np.concatenate([last - rng.integers(0, 90, 8), last - rng.integers(90, 180, 4)])
        cats = np.array([0, 0, 2, 0, 1, 2, 3, 0, 1, 0, 5, 4])
        extra.append((np.full(12, i), days, cats))
    for cid, k in (("C0008", 4), ("C0051", 5)):
        extra.append((np.full(k, int(cid[1:]) - 1), cal.Ws + rng.integers(0, cal.D - cal.Ws + 1, k), np.full(k, 4)))
    for c_, d_, k_ in extra:
        cl = np.concatenate([cl, c_])
        day = np.concatenate([day, d_])
        cat = np.concatenate([cat, k_])
        product = np.concatenate([product, rng.integers(0, len(_PRODUCTS), c_.size).astype(np.int16)])
    planted_n = sum(e[0].size for e in extra)
    is_planted = np.zeros(cl.size, bool)
    is_planted[-planted_n:] = True

    stage = np.empty(cl.size, dtype=np.int64)
    u = rng.random(cl.size)
    for c, (stages, probs) in enumerate(_CATEGORY_STAGES):
        sel = cat == c
        pick = np.searchsorted(np.cumsum(probs), u[sel], side="right").clip(0, len(stages) - 1)
        stage[sel] = np.asarray(stages)[pick]
    # lost keys' planted incidents: delivery / warehouse first
    planted_lost = is_planted & lost[cl]
    stage[planted_lost & (cat == 1)] = 1
    stage[planted_lost & (cat == 2)] = 1

    order = np.lexsort((cl, day))
    cl, day, cat, stage, product = cl[order], day[order], cat[order], stage[order], product[order]
    # at most 2 quality incidents in the window for everyone but the planted quality experts
    quality = (stage == 4) & (day >= cal.Ws) & (day <= cal.D) & ~np.isin(cl, [7, 50])
    qi = np.flatnonzero(quality)
    qcl = cl[qi]
    o = np.argsort(qcl, kind="stable")
    sorted_cl = qcl[o]
    rank = np.arange(sorted_cl.size) - np.searchsorted(sorted_cl, sorted_cl, side="left")
    too_many = qi[o][rank >= 2]
    cat[too_many], stage[too_many] = 1, 1
    severity = np.where(cat == 4, rng.choice([1, 2, 3], cl.size, p=[0.3, 0.45, 0.25]),
                        rng.choice([1, 2, 3], cl.size, p=[0.55, 0.33, 0.12]))
    severity = np.where(lost[cl] & (day > plan["b"][cl] - 180), np.maximum(severity, 2), severity)
    return {"client": cl, "day": day, "cat": cat, "stage": stage, "severity": severity, "product": product}


def _incident_frame(rng, plan: dict, cal: _Calendar, inc: dict) -> pd.DataFrame:
    """incidents table: incident_id, client_id, date, category, severity, stage, description, resolved_date."""
    k = inc["client"].size
    text = np.array(_INCIDENT_TEXT, dtype=object)[inc["cat"], rng.integers(0, 3, k)]
    names = np.array([p[0] for p in _PRODUCTS], dtype=object)[inc["product"]]
    resolved = inc["day"] + np.ceil(rng.lognormal(1.5, 0.9, k)).astype(np.int64)
    open_ = (resolved > cal.D) | (rng.random(k) < 0.02)
    return pd.DataFrame({
        "incident_id": _ids("I", np.arange(1, k + 1), max(6, len(str(k)))).astype("str"),
        "client_id": plan["ids"][inc["client"]].astype(str),
        "date": _dates(inc["day"]),
        "category": np.array(_INCIDENT_CATEGORIES, dtype=object)[inc["cat"]].astype(str),
        "severity": inc["severity"].astype(np.int32),
        "stage": np.array(_STAGES, dtype=object)[inc["stage"]].astype(str),
        "description": (pd.Series(names) + text).astype("str"),
        "resolved_date": _dates(resolved, ~open_),
    })


def _contacts(rng, plan: dict, cal: _Calendar, clients: pd.DataFrame) -> pd.DataFrame:
    """contacts table: buying centre per client (decision maker first), reports_to the boss."""
    n, role = plan["n"], plan["role"]
    count = np.clip(np.rint(1 + 1.3 * np.log2(1 + 4 * plan["s"])) + rng.integers(0, 2, n), 1, 8).astype(np.int64)
    cl = np.repeat(np.arange(n), count)
    first = np.cumsum(count) - count
    pos = np.arange(cl.size) - first[cl]
    brole = _ROLE_ORDER[pos]
    title = np.empty(cl.size, dtype=object)
    dept = np.empty(cl.size, dtype=object)
    for r, options in enumerate(_TITLES):
        sel = np.flatnonzero(brole == r)
        pick = rng.integers(0, len(options), sel.size)
        title[sel] = np.array([o[0] for o in options], dtype=object)[pick]
        dept[sel] = np.array([o[1] for o in options], dtype=object)[pick]
    no_dm = (plan["ids"][cl] == CONTACT_GAPS["no_decision_maker"][0]) & (brole == 0)
    brole[no_dm], title[no_dm], dept[no_dm] = 1, "Head of Production", "Production"
    lo = np.array([x[0] for x in _INFLUENCE])[brole]
    hi = np.array([x[1] for x in _INFLUENCE])[brole]
    influence = rng.integers(lo, hi)
    attitude = rng.choice(3, cl.size, p=[0.45, 0.4, 0.15])
    lost = role[cl] == "lost_key"
    attitude[lost & (pos == 0)] = 2

    group = _GROUP_OF_COUNTRY[plan["country"][cl]]
    fn = _FIRST_NAMES[group, rng.integers(0, _FIRST_NAMES.shape[1], cl.size)]
    ln = _LAST_NAMES[group, rng.integers(0, _LAST_NAMES.shape[1], cl.size)]
    name = pd.Series(fn) + " " + ln
    domain = clients["website"].str.removeprefix("www.").to_numpy()[cl]
    email = (_ascii(pd.Series(fn)).str.lower() + "." + _ascii(pd.Series(ln)).str.lower().str.replace(" ", "")
             + "@" + domain)
    codes = np.array([c[3] for c in _COUNTRIES], dtype=object)[plan["country"][cl]]
    phone = ("+" + pd.Series(codes) + " " + pd.Series(rng.integers(1, 99, cl.size)).astype(str) + " 555 "
             + pd.Series(rng.integers(0, 10000, cl.size)).astype(str).str.zfill(4))

    base = np.minimum(cal.D, np.where(plan["last_day"] >= 0, plan["last_day"] + 20, cal.D))[cl]
    last = base - np.floor(rng.exponential(np.array(_LAST_CONTACT_DAYS)[brole])).astype(np.int64)
    stale = plan["ids"][cl] == CONTACT_GAPS["stale_contacts"][0]
    last[stale] = cal.D - rng.integers(95, 201, stale.sum())
    fc = (clients["first_contract"].to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int64)[cl]
    last = np.minimum(np.maximum(last, fc), cal.D)
    ids = np.arange(1, cl.size + 1)
    width = max(5, len(str(cl.size)))
    boss = np.where(np.isin(pos, [3, 6, 7]) & (count[cl] > 2), first[cl] + 2, first[cl]) + 1
    reports = _ids("K", boss, width).to_numpy(dtype=object)
    reports[pos == 0] = None
    return pd.DataFrame({
        "contact_id": _ids("K", ids, width).astype("str"),
        "client_id": plan["ids"][cl].astype(str),
        "name": name.astype("str"),
        "role": dept.astype(str),
        "title": title.astype(str),
        "buying_role": np.array(_BUYING_ROLES, dtype=object)[brole].astype(str),
        "influence": influence.astype(np.int32),
        "attitude": np.array(["supporter", "neutral", "opponent"], dtype=object)[attitude].astype(str),
        "reports_to": pd.Series(reports, dtype="str"),
        "last_contact": _dates(last),
        "email": email.astype("str"),
        "phone": phone.astype("str"),
    })


def _competitors(rng, plan: dict, cal: _Calendar) -> pd.DataFrame:
    """competitors table: 0-3 competitors per client with share of wallet."""
    n, role = plan["n"], plan["role"]
    big = plan["s"] > 1.0
    k = np.where(big, rng.choice(4, n, p=[0.1, 0.3, 0.35, 0.25]), rng.choice(4, n, p=[0.35, 0.35, 0.2, 0.1]))
    lost = role == "lost_key"
    k[lost] = 2
    perm = np.argsort(rng.random((n, len(_COMPETITORS))), axis=1)
    brennwald_first = np.where(np.arange(len(_COMPETITORS)) == 0, -1.0, rng.random((lost.sum(), len(_COMPETITORS))))
    perm[lost] = np.argsort(brennwald_first, axis=1)
    cl = np.repeat(np.arange(n), k)
    pos = np.arange(cl.size) - (np.cumsum(k) - k)[cl]
    comp = perm[cl, pos]
    sow = rng.uniform(0.05, 0.35, cl.size)
    total = np.bincount(cl, weights=sow, minlength=n)
    sow = np.round(sow * np.minimum(1.0, 0.75 / np.maximum(total[cl], 1e-9)), 2)
    notes = _pick(rng, _COMPETITOR_NOTES, cl.size).astype(object)
    lead = lost[cl] & (comp == 0)
    sow[lead] = 0.65
    sow[lost[cl] & ~lead] = np.minimum(sow[lost[cl] & ~lead], 0.10)
    lost_days = _dates(plan["b"][cl[lead]]).astype("datetime64[D]").tolist()
    lost_month = np.array([f"{d:%B %Y}" for d in lost_days], dtype=object)
    notes[lead] = "Took over most of the volume after our delivery problems; last order from us " + lost_month
    notes[notes == ""] = None
    table = np.array(_COMPETITORS, dtype=object)
    return pd.DataFrame({
        "client_id": plan["ids"][cl].astype(str),
        "competitor": table[comp, 0].astype(str),
        "share_of_wallet": sow,
        "strengths": table[comp, 1].astype(str),
        "weaknesses": table[comp, 2].astype(str),
        "notes": pd.Series(notes, dtype="str"),
    })


def _tenders(rng, plan: dict, cal: _Calendar, competitors: pd.DataFrame) -> pd.DataFrame:
    """tenders table: won / lost / open bids, reasons "; "-separated, winner when lost."""
    n, role = plan["n"], plan["role"]
    lo = np.maximum(plan["a"] - 60, cal.S)
    hi = np.minimum(plan["b"], cal.D)
    years = np.maximum(hi - lo, 1) / 365.0
    count = rng.poisson((0.15 + 0.3 * np.sqrt(np.minimum(plan["s"], 16.0))) * years)
    cl = np.repeat(np.arange(n), count)
    day = lo[cl] + (rng.random(cl.size) * (hi[cl] - lo[cl] + 1)).astype(np.int64)
    for cid in PLANTED["lost_key"]:
        i = int(cid[1:]) - 1
        cl = np.concatenate([cl, [i, i]])
        day = np.concatenate([day, [plan["b"][i] - rng.integers(10, 60), plan["b"][i] + rng.integers(20, 80)]])
    day = np.minimum(day, cal.D)
    recent = day > cal.D - 60
    status = np.where(recent & (rng.random(cl.size) < 0.75), 2, np.where(rng.random(cl.size) < 0.62, 0, 1))
    lost_key = (role[cl] == "lost_key") & (day > plan["b"][cl] - 90)
    status[lost_key] = 1
    value = np.round(np.maximum(plan["yearly"][cl] * rng.uniform(0.05, 0.5, cl.size), 1000.0), -2)
    years_txt = pd.Series(day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970).astype(str)
    title = (pd.Series(_pick(rng, _TENDER_KINDS, cl.size)) + " - "
             + pd.Series(np.array(_CATEGORIES, dtype=object)[plan["top_categories"][cl, rng.integers(0, 2, cl.size)]])
             + " " + years_txt)
    reasons = np.where(status == 0, _pick(rng, _WON_REASONS, cl.size),
                       _pick(rng, _LOST_REASONS, cl.size)).astype(object)
    reasons[lost_key] = _pick(rng, ("delivery time; price", "delivery time; quality", "delivery time"), lost_key.sum())
    reasons[status == 2] = None
    first_comp = competitors.drop_duplicates("client_id").set_index("client_id")["competitor"]
    mine = first_comp.reindex(plan["ids"][cl]).to_numpy(dtype=object)
    fallback = _pick(rng, [c[0] for c in _COMPETITORS], cl.size)
    winner = np.where(pd.isna(mine), fallback, mine).astype(object)
    winner[lost_key] = _COMPETITORS[0][0]
    winner[status != 1] = None
    order = np.lexsort((cl, day))
    k = cl.size
    return pd.DataFrame({
        "tender_id": _ids("B", np.arange(1, k + 1), max(5, len(str(k)))).astype("str"),
        "client_id": plan["ids"][cl[order]].astype(str),
        "date": _dates(day[order]),
        "status": np.array(["won", "lost", "open"], dtype=object)[status[order]].astype(str),
        "title": title.to_numpy()[order].astype(str),
        "value": value[order],
        "reasons": pd.Series(reasons[order], dtype="str"),
        "winner": pd.Series(winner[order], dtype="str"),
    })


def _prospects(rng, plan: dict, key_median: float) -> pd.DataFrame:
    """prospects table: 40 prospects, need/solvency/authority 0-2; six qualified, two 4-with-a-zero."""
    k = N_PROSPECTS
    nsa = rng.choice(3, (k, 3), p=[0.25, 0.45, 0.30])
    planted = np.array([[2, 2, 2], [2, 2, 1], [2, 1, 2], [1, 2, 2], [2, 2, 2], [2, 1, 2], [2, 2, 0], [0, 2, 2]])
    rows = rng.permutation(k)[:len(planted)]
    nsa[rows] = planted
    region = np.array([c[1] for c in _COUNTRIES])[plan["prospect_country"]]
    source = rng.choice(len(_SOURCES), k)
    qualified = (nsa.min(axis=1) > 0) & (nsa.sum(axis=1) >= 5)
    potential = np.where(qualified, key_median * rng.uniform(0.4, 1.2, k),
                         plan["yearly"].mean() * rng.lognormal(0.3, 0.9, k))
    return pd.DataFrame({
        "prospect_id": _ids("P", np.arange(1, k + 1), 3).astype("str"),
        "name": pd.Series(plan["prospect_names"], dtype="str"),
        "industry": np.array(_INDUSTRIES, dtype=object)[plan["prospect_industry"]].astype(str),
        "region": np.array(_REGIONS, dtype=object)[region].astype(str),
        "source": np.array(_SOURCES, dtype=object)[source].astype(str),
        "need": nsa[:, 0].astype(np.int32),
        "solvency": nsa[:, 1].astype(np.int32),
        "authority": nsa[:, 2].astype(np.int32),
        "potential": np.round(potential, -3),
        "owner": np.array(_MANAGERS, dtype=object)[region].astype(str),
        "notes": np.array(_PROSPECT_NOTES, dtype=object)[source].astype(str),
    })


# -- self-check -------------------------------------------------------------------
def _purchase_days(tx: dict, i: int) -> np.ndarray:
    sel = tx["client"] == i
    days, inv = np.unique(tx["day"][sel], return_inverse=True)
    net = np.bincount(inv, weights=tx["revenue"][sel])
    return days[np.round(net, 2) > 0].astype(np.int64)


def _cadence(days: np.ndarray, cal: _Calendar) -> float:
    d = days[(days > cal.C24) & (days <= cal.D)]
    return float(np.median(np.diff(d))) if d.size >= 3 else float("nan")


def _verify(plan: dict, cal: _Calendar, tx: dict, inc: dict, clients: pd.DataFrame) -> list[str]:
    """The planted stories, recomputed from the generated numbers; a list of failures."""
    n = plan["n"]
    problems = []
    window = (tx["day"] >= cal.Ws) & (tx["day"] <= cal.D)
    profit = _client_sum(tx, window, tx["revenue"] - tx["cost"], n)
    share = profit / profit.sum()
    feeder = plan["role"] == "feeder"
    if (share[feeder] < 0.105).any() or (share[~feeder] >= 0.09).any():
        problems.append(f"feeder profit shares {np.round(share[feeder], 3)}, largest other {share[~feeder].max():.3f}")
    prev = (tx["day"] >= cal.Ps) & (tx["day"] <= cal.Pe)
    prev_rev = _client_sum(tx, prev, tx["revenue"], n)
    key_floor = _key_clients(n, prev_rev).min()
    for cid in PLANTED["lost_key"]:
        i = int(cid[1:]) - 1
        days = _purchase_days(tx, i)
        rec = cal.D - days.max()
        last = days.max()
        d = inc["day"][inc["client"] == i]
        late90, before90 = ((d > last - 90) & (d <= last)).sum(), ((d > last - 180) & (d <= last - 90)).sum()
        if not (200 <= rec <= 330 and prev_rev[i] >= key_floor and late90 > before90 >= 2):
            problems.append(f"lost_key {cid}: recency {rec}, previous-window revenue {prev_rev[i]:.0f}, "
                            f"incidents {late90}/{before90}")
    for cid in PLANTED["lapsing"]:
        days = _purchase_days(tx, int(cid[1:]) - 1)
        rec, c = cal.D - days.max(), _cadence(days, cal)
        if not (2 * c < rec <= 180):     # 180 <= max(180, 3c): lapsing, not lost
            problems.append(f"lapsing {cid}: recency {rec}, cadence {c}")
    last3 = (tx["day"] >= cal.L3) & (tx["day"] <= cal.D)
    year3 = (tx["day"] >= cal.Y3s) & (tx["day"] <= cal.Y3e)
    ratio = _client_sum(tx, last3, tx["revenue"], n) / np.maximum(_client_sum(tx, year3, tx["revenue"], n), 1e-9)
    for cid in PLANTED["declining"]:
        i = int(cid[1:]) - 1
        days = _purchase_days(tx, i)
        rec, c = cal.D - days.max(), _cadence(days, cal)
        if not (ratio[i] < 0.6 and rec <= 2 * c):
            problems.append(f"declining {cid}: ratio {ratio[i]:.2f}, recency {rec}, cadence {c}")
    key_median = np.median(_key_clients(n, plan["window_revenue"]))
    for cid in PLANTED["perspective"]:
        i = int(cid[1:]) - 1
        first = _purchase_days(tx, i).min()
        if not (first > _day(add_months(cal.as_of, -12)) and clients["potential"].iat[i] >= 1.2 * key_median):
            problems.append(f"perspective {cid}: first purchase day {first}, potential {clients['potential'].iat[i]}")
    return problems


# -- writing ----------------------------------------------------------------------------
_CHUNK = 5_000_000        # rows per insert: fewer, larger inserts are much faster in DuckDB
_DELETE = {t: f"delete from {t}" for t in (*DATA_TABLES, "client_day", "import_batches")}  # fixed names
_INSERT = {t: f"insert into {t} by name select * from df" for t in DATA_TABLES}            # fixed names
_INSERT_TX = """
insert into transactions by name
select
    null::varchar as row_key,                      -- the identity is the txn_id
    'T' || lpad(n::varchar, $w, '0') as txn_id,
    client_id, date, revenue,
    'O' || lpad(order_no::varchar, $wo, '0') as order_id,
    product, category, quantity, cost, promised_date, delivered_date, batch_id
from df
"""
_INSERT_BATCH = """
insert into import_batches (batch_id, table_name, file_name, checksum, mode, rows_read, rows_added,
    rows_skipped, rows_rejected, rows_replaced, rejected, created_by, created_at)
values ($batch, $table, $file, $tag, $mode, $rows, $rows, 0, 0, $replaced, '[]', 'demo', current_timestamp)
"""


def _tx_chunk(tx: dict, ids: np.ndarray, lo: int, hi: int, batch: int) -> pd.DataFrame:
    sl = slice(lo, hi)
    prod_cat = np.array([p[1] for p in _PRODUCTS])
    product = tx["product"][sl].astype(np.int64)
    ret = tx["ret"][sl]
    return pd.DataFrame({
        "n": np.arange(lo + 1, hi + 1, dtype=np.int64),
        "client_id": pd.Categorical.from_codes(tx["client"][sl], categories=pd.Index(ids.astype(str), dtype="str")),
        "date": _dates(tx["day"][sl]),
        "revenue": tx["revenue"][sl],
        "order_no": tx["order"][sl].astype(np.int64),
        "product": pd.Categorical.from_codes(product, categories=[p[0] for p in _PRODUCTS]),
        "category": pd.Categorical.from_codes(prod_cat[product], categories=list(_CATEGORIES)),
        "quantity": tx["q"][sl],
        "cost": tx["cost"][sl],
        "promised_date": _dates(tx["promised"][sl], ~ret),
        "delivered_date": _dates(tx["delivered"][sl], tx["dated"][sl]),
        "batch_id": np.full(hi - lo, batch, dtype=np.int32),
    })


def _write(store, frames: dict, file_name: str, tag: str, replaced: dict | None) -> None:
    """Insert every table inside one transaction, one import batch per table, then rebuild client_day."""
    tx = frames["transactions"]
    n_tx = tx["q"].size
    width = max(8, len(str(n_tx)))
    order_width = max(7, len(str(int(tx["order"].max()) if n_tx else 0)))
    with store.transaction() as cur:
        if replaced is not None:
            for table in _DELETE:
                cur.execute(_DELETE[table]).fetchall()
        for table in DATA_TABLES:
            batch = int(cur.execute("select nextval('batch_seq')").fetchall()[0][0])
            if table == "transactions":
                rows = n_tx
                for lo in range(0, n_tx, _CHUNK):
                    df = _tx_chunk(tx, frames["_client_ids"], lo, min(n_tx, lo + _CHUNK), batch)
                    cur.register("df", df)
                    cur.execute(_INSERT_TX, {"w": width, "wo": order_width}).fetchall()
                    cur.unregister("df")
                    del df
            else:
                df = frames[table].assign(batch_id=np.int32(batch))
                rows = len(df)
                cur.register("df", df)
                cur.execute(_INSERT[table]).fetchall()
                cur.unregister("df")
            cur.execute(_INSERT_BATCH, {
                "batch": batch, "table": table, "file": file_name, "tag": tag,
                "mode": "replace" if replaced is not None else "append", "rows": rows,
                "replaced": (replaced or {}).get(table, 0)})
        store.refresh_client_day(cur)
