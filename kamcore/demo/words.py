"""The demo's word lists: products and categories, industries, regions and countries, people's names by
language group, titles, incident texts, competitors, tender reasons, prospect sources. All names are invented.
"""
from __future__ import annotations

import numpy as np

from kamcore.settings import BUYING_ROLES, INCIDENT_STAGES


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
_GROUP_OF_COUNTRY = np.array([_GROUPS.index(c[5]) for c in _COUNTRIES])
_FIRST_NAMES = np.array([_PEOPLE[g][0] for g in _GROUPS], dtype=object)
_LAST_NAMES = np.array([_PEOPLE[g][1] for g in _GROUPS], dtype=object)
