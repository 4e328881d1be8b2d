"""One translation table (English default, Slovenian) and number formats.

``t(key, lang, **values)`` looks a text up; a missing key falls back to
English, then to the key itself, so a screen never breaks on a missing text.
Numbers and money follow the language: 1,234.56 (en) vs 1.234,56 (sl).
"""
from __future__ import annotations

import math

LANGUAGES = {"en": "English", "sl": "Slovenščina"}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}

TEXTS: dict[str, tuple[str, str]] = {
    # app and menu
    "app.title": ("Key account management", "Upravljanje ključnih strank"),
    "menu.overview": ("Overview", "Pregled"),
    "menu.abc_xyz": ("ABC-XYZ", "ABC-XYZ"),
    "menu.concentration": ("Concentration", "Koncentracija"),
    "menu.types": ("Client types", "Tipi strank"),
    "menu.risk": ("At risk", "Ogrožene stranke"),
    "menu.dossier": ("Account dossier", "Dosje stranke"),
    "menu.prospects": ("Prospects", "Potencialne stranke"),
    "menu.managers": ("Key account managers", "Skrbniki ključnih strank"),
    "menu.abm": ("Account-based marketing", "Trženje po strankah"),
    "menu.data": ("Data", "Podatki"),
    # sidebar
    "sidebar.language": ("Language / Jezik", "Language / Jezik"),
    "sidebar.as_of": ("As of", "Na dan"),
    "sidebar.window": ("Window (months)", "Obdobje (meseci)"),
    "sidebar.basis": ("ABC basis", "Osnova ABC"),
    "sidebar.region": ("Region", "Regija"),
    "sidebar.industry": ("Industry", "Panoga"),
    "sidebar.manager": ("Key account manager", "Skrbnik"),
    "sidebar.filters": ("Filters", "Filtri"),
    "sidebar.currency": ("Currency", "Valuta"),
    "sidebar.reset": ("Reset filters", "Ponastavi filtre"),
    "sidebar.method": ("Method settings", "Nastavitve metode"),
    "sidebar.abc_preset": ("ABC cut-offs (%)", "Meje ABC (%)"),
    "sidebar.xyz_preset": ("XYZ thresholds", "Meje XYZ"),
    "sidebar.period": ("XYZ period", "Obdobje XYZ"),
    "sidebar.key_share": ("Key clients: share of revenue k", "Ključne stranke: delež prihodkov k"),
    "overview.concentration": ("{n50} clients make 50 % of revenue and {n80} make 80 %; the top 5 carry {top5}.",
                               "{n50} strank ustvari 50 % prihodkov in {n80} 80 %; prvih 5 jih nosi {top5}."),
    "overview.key": ("{n} key clients carry {share} of revenue.", "{n} ključnih strank nosi {share} prihodkov."),
    "overview.classes": ("Clients per class", "Stranke po razredih"),
    "overview.flag_client": ("{names}: each ≥ 10 % of revenue", "{names}: vsaka ≥ 10 % prihodkov"),
    "overview.flag_top5": ("Top 5 clients carry {share} (≥ 25 %)", "Prvih 5 strank nosi {share} (≥ 25 %)"),
    "profit.disabled": ("Analysis by profit is not available ({why}); showing revenue.",
                        "Analiza po dobičku ni na voljo ({why}); prikazani so prihodki."),
    "col.client_id": ("Client ID", "ID stranke"),
    "col.name": ("Client", "Stranka"),
    "col.share": ("Share", "Delež"),
    "col.active_share": ("Active periods", "Aktivna obdobja"),
    "col.median_gap": ("Median days between purchases", "Mediana dni med nakupi"),
    "col.key": ("Key", "Ključna"),
    "col.types": ("Types", "Tipi"),
    "col.growth": ("Growth", "Rast"),
    "col.reasons": ("Why", "Zakaj"),
    "abcxyz.matrix": ("ABC-XYZ matrix", "Matrika ABC-XYZ"),
    "abcxyz.pick": ("Cell", "Celica"),
    "abcxyz.click": ("Click a cell of the matrix, or pick it here, to list its clients.",
                     "Kliknite celico matrike ali jo izberite tukaj za seznam strank."),
    "abcxyz.cell_clients": ("{n} clients in {cell}: {strategy}", "{n} strank v {cell}: {strategy}"),
    "abcxyz.others": ("Not in the matrix: {n} new (fewer than 3 periods), {m} not ranked, {k} inactive in the window.",
                      "Zunaj matrike: {n} novih (manj kot 3 obdobja), {m} nerazvrščenih, {k} neaktivnih v obdobju."),
    "abcxyz.migration": ("Migration from the previous window", "Premiki glede na prejšnje obdobje"),
    "abcxyz.by_abc": ("ABC classes", "Razredi ABC"),
    "abcxyz.by_cell": ("ABC-XYZ cells", "Celice ABC-XYZ"),
    "col.from": ("From", "Iz"),
    "col.to": ("To", "V"),
    "col.clients": ("Clients", "Stranke"),
    "conc.pareto": ("Pareto curve", "Paretova krivulja"),
    "conc.lorenz": ("Lorenz curve", "Lorenzova krivulja"),
    "conc.top_n": ("Top {n}", "Prvih {n}"),
    "conc.hhi": ("HHI", "HHI"),
    "conc.hhi_help": ("Herfindahl-Hirschman index, 0–10,000: sum of squared revenue shares in %.",
                      "Herfindahl-Hirschmanov indeks, 0–10.000: vsota kvadratov deležev prihodkov v %."),
    "conc.effective_n": ("Effective number of clients", "Efektivno število strank"),
    "conc.effective_help": ("10,000 / HHI: as many equal clients would give the same concentration.",
                            "10.000 / HHI: toliko enako velikih strank bi dalo enako koncentracijo."),
    "conc.gini": ("Gini", "Gini"),
    "conc.n_for": ("Clients for {p} %", "Strank za {p} %"),
    "conc.flags": ("Warnings", "Opozorila"),
    "conc.no_flags": ("No concentration warning: no client reaches 10 % and the top 5 stay under 25 %.",
                      "Ni opozoril: nobena stranka ne doseže 10 %, prvih 5 ostane pod 25 %."),
    "conc.band": ("Key clients against the method's 30–55 % band", "Ključne stranke glede na pas metode 30–55 %"),
    "conc.band_in": ("{n} key clients carry {share}: inside the 30–55 % band of the method.",
                     "{n} ključnih strank nosi {share}: znotraj pasu 30–55 % metode."),
    "conc.band_low": ("{n} key clients carry {share}: below the 30–55 % band — revenue is spread thin; look for clients to develop.",
                      "{n} ključnih strank nosi {share}: pod pasom 30–55 % — prihodki so razpršeni; poiščite stranke za razvoj."),
    "conc.band_high": ("{n} key clients carry {share}: above the 30–55 % band — dependence on few clients is high.",
                       "{n} ključnih strank nosi {share}: nad pasom 30–55 % — odvisnost od malo strank je velika."),
    "conc.by_revenue": ("Concentration is measured on revenue over the {n} clients with positive revenue in the window.",
                        "Koncentracija je merjena na prihodkih {n} strank s pozitivnimi prihodki v obdobju."),
    "types.portfolio": ("Portfolio by type", "Portfelj po tipih"),
    "types.bubbles": ("Revenue against growth", "Prihodki glede na rast"),
    "types.list": ("Clients and why they carry their tags", "Stranke in razlogi za oznake"),
    "types.pick": ("Show type", "Prikaži tip"),
    "types.all": ("all", "vsi"),
    "auth.demo_mode": ("Demo mode: no analyst password is configured, so anyone can change data here.",
                       "Predstavitveni način: geslo analitika ni nastavljeno, zato lahko podatke spreminja vsak."),
    "auth.locked": ("Changing data needs the analyst password.", "Za spreminjanje podatkov je potrebno geslo analitika."),
    "auth.name": ("Your name", "Vaše ime"),
    "auth.password": ("Analyst password", "Geslo analitika"),
    "auth.sign_in": ("Sign in", "Prijava"),
    "auth.wrong": ("Wrong password.", "Napačno geslo."),
    "saved": ("Saved {n} changes.", "Shranjenih {n} sprememb."),
    "overview.prev_window": ("Previous window: {label}", "Prejšnje obdobje: {label}"),
    "basis.revenue": ("revenue", "prihodki"),
    "basis.profit": ("gross profit", "bruto dobiček"),
    "profit.unknown": ("Profit is unknown for {n} of {total} lines (no profit or cost column): analysis by profit is disabled.",
                       "Dobiček ni znan za {n} od {total} vrstic (ni stolpca dobiček ali strošek): analiza po dobičku ni na voljo."),
    # common
    "kpi.revenue": ("Revenue", "Prihodki"),
    "kpi.profit": ("Gross profit", "Bruto dobiček"),
    "kpi.margin": ("Margin", "Marža"),
    "kpi.active_clients": ("Active clients", "Aktivne stranke"),
    "kpi.key_clients": ("Key clients", "Ključne stranke"),
    "kpi.key_share": ("Key clients' share", "Delež ključnih strank"),
    "kpi.revenue_at_risk": ("Revenue at risk", "Ogroženi prihodki"),
    "kpi.key_at_risk": ("Key clients at risk", "Ogrožene ključne stranke"),
    "kpi.vs_prev": ("vs previous window", "glede na prejšnje obdobje"),
    "empty.title": ("No transactions yet", "Še ni transakcij"),
    "empty.hint": ("Load your data on the Data page (CSV or Excel), or build the demo database with `make demo`.",
                   "Naložite podatke na strani Podatki (CSV ali Excel) ali zgradite predstavitveno bazo z `make demo`."),
    "empty.window": ("No transactions in this window and selection.", "V tem obdobju in izboru ni transakcij."),
    "error.locked": ("The database is busy (another program is writing to it). Try again in a moment.",
                     "Baza je zasedena (vanjo piše drug program). Poskusite znova čez trenutek."),
    "error.generic": ("Something went wrong while computing this view: {msg}", "Pri izračunu tega pogleda je prišlo do napake: {msg}"),
    "retry": ("Retry", "Poskusi znova"),
    "within": ("Computed within: {what}", "Izračunano znotraj: {what}"),
    "whole_company": ("the whole company", "celotno podjetje"),
    "window.label": ("Window {start} … {end}", "Obdobje {start} … {end}"),
    "settings.line": ("ABC by {basis}, cut-offs {a} / {b} %, XYZ {period} CV ≤ {x} / {y}, window {window}",
                      "ABC po {basis}, meji {a} / {b} %, XYZ {period} KV ≤ {x} / {y}, obdobje {window}"),
    "period.month": ("monthly", "mesečno"),
    "period.quarter": ("quarterly", "četrtletno"),
    "download.excel": ("Excel", "Excel"),
    "monthly_revenue": ("Monthly revenue", "Mesečni prihodki"),
    "previous_window": ("previous window", "prejšnje obdobje"),
    "no_data": ("No data", "Ni podatkov"),
    "clients": ("clients", "strank"),
    "class_counts": ("Clients per class", "Stranke po razredih"),
    # client types
    "type.feeder": ("feeder", "hranitelj"),
    "type.perspective": ("perspective", "perspektivna stranka"),
    "type.image_maker": ("image-maker", "image-maker"),
    "type.expert": ("expert", "strokovnjak"),
    "type.standard": ("standard", "standardna"),
    "reason.feeder": ("{share} of {basis} in the window and a relationship of {years} years",
                      "{share} {basis} v obdobju in sodelovanje {years} let"),
    "reason.feeder_revenue": ("{share} of revenue (profit unknown) in the window and a relationship of {years} years",
                              "{share} prihodkov (dobiček ni znan) v obdobju in sodelovanje {years} let"),
    "reason.perspective_new": ("first purchase {date}; potential {potential} ≥ median key client {median} a year",
                               "prvi nakup {date}; potencial {potential} ≥ mediana ključnih strank {median} na leto"),
    "reason.perspective_growth": ("revenue grew {growth} vs the previous window with a share of {share}",
                                  "prihodki zrasli za {growth} glede na prejšnje obdobje ob deležu {share}"),
    "reason.image_maker": ("marked as a well-known brand or leader of its industry",
                           "označena kot znana blagovna znamka ali vodilna v panogi"),
    "reason.expert_high": ("high requirements", "visoke zahteve"),
    "reason.expert_quality": ("{n} quality incidents in the window", "{n} reklamacij kakovosti v obdobju"),
    "reason.standard": ("no special type", "brez posebnega tipa"),
    # classes
    "abc.-": ("not ranked (value ≤ 0)", "ni razvrščena (vrednost ≤ 0)"),
    "xyz.new": ("new (fewer than 3 periods)", "nova (manj kot 3 obdobja)"),
    "xyz.-": ("no regular value (mean ≤ 0)", "brez vrednosti (povprečje ≤ 0)"),
    "inactive": ("inactive", "neaktivna"),
    # account dossier (issue 6)
    "dossier.pick": ("Client", "Stranka"),
    "dossier.pick_hint": ("Type a name or pick a client", "Vpišite ime ali izberite stranko"),
    "dossier.none": ("Pick a client above, or click a client in any list of the dashboard.",
                     "Izberite stranko zgoraj ali kliknite stranko v katerem koli seznamu."),
    "dossier.not_in_universe": ("This client has no transactions in the selected universe and window up to the as-of date.",
                                "Stranka v izbranem naboru in obdobju do presečnega dne nima transakcij."),
    "dossier.was": ("previous window: {cls}", "prejšnje obdobje: {cls}"),
    "dossier.industry": ("Industry", "Panoga"),
    "dossier.region": ("Region", "Regija"),
    "dossier.country": ("Country", "Država"),
    "dossier.manager": ("Manager", "Skrbnik"),
    "dossier.employees": ("Employees", "Zaposleni"),
    "dossier.founded": ("Founded", "Ustanovljena"),
    "dossier.website": ("Website", "Spletna stran"),
    "dossier.org_structure": ("Organisation", "Organiziranost"),
    "dossier.first_purchase": ("Client since", "Stranka od"),
    "dossier.last_purchase": ("Last purchase", "Zadnji nakup"),
    "dossier.tab_overview": ("Overview", "Pregled"),
    "dossier.tab_people": ("Buying centre", "Nakupni center"),
    "dossier.tab_tenders": ("Tenders and competitors", "Razpisi in konkurenca"),
    "dossier.tab_service": ("Complaints and deliveries", "Reklamacije in dobave"),
    "dossier.tab_notes": ("Notes", "Zapiski"),
    "dossier.general": ("General information", "Splošni podatki"),
    "dossier.history": ("Revenue and class by window", "Prihodki in razred po obdobjih"),
    "dossier.flags": ("Risk flags", "Opozorila o tveganju"),
    "dossier.no_flags": ("No risk flag: the client buys in its usual rhythm.",
                         "Ni opozoril: stranka kupuje v običajnem ritmu."),
    "dossier.flag_lost": ("lost: no purchase for too long", "izgubljena: predolgo brez nakupa"),
    "dossier.flag_lapsing": ("lapsing: orders later than usual", "upada: naroča pozneje kot običajno"),
    "dossier.flag_declining": ("declining revenue", "padajoči prihodki"),
    "dossier.flag_complaints_rising": ("complaints rising", "naraščajoče reklamacije"),
    "dossier.flag_late_deliveries": ("late deliveries", "zamujene dobave"),
    "dossier.warn_no_contacts": ("No contact person is known at this client: start the buying centre.",
                                 "Pri stranki ni znane kontaktne osebe: začnite nakupni center."),
    "dossier.warn_no_decision_maker": ("No decision maker is known: find out who signs.",
                                       "Odločevalec ni znan: ugotovite, kdo podpisuje."),
    "dossier.warn_stale": ("Contacts are stale: the last one was {days} days ago (more than {limit}).",
                           "Stiki so zastareli: zadnji je bil pred {days} dnevi (več kot {limit})."),
    "dossier.warn_stale_unknown": ("No date of the last contact is known (should be within {limit} days).",
                                   "Datum zadnjega stika ni znan (moral bi biti v zadnjih {limit} dneh)."),
    "dossier.print": ("Printable summary", "Povzetek za tisk"),
    "dossier.save": ("Save changes", "Shrani spremembe"),
    "dossier.save_failed": ("Nothing was saved: {msg}", "Nič ni bilo shranjeno: {msg}"),
    "dossier.saved": ("Saved: {added} added, {changed} changed, {deleted} deleted.",
                      "Shranjeno: {added} dodanih, {changed} spremenjenih, {deleted} izbrisanih."),
    "dossier.tenders_won_lost": ("Tenders won / lost", "Razpisi dobljeni / izgubljeni"),
    "dossier.open_tenders": ("{n} still open", "{n} še odprtih"),
    "dossier.rate_count": ("Win rate by count", "Uspešnost po številu"),
    "dossier.rate_value": ("Win rate by value", "Uspešnost po vrednosti"),
    "dossier.rate_value_help": ("Value won {won} of decided {won} + {lost}.",
                                "Dobljena vrednost {won} od odločenih {won} + {lost}."),
    "dossier.win_rate_line": ("{won} won, {lost} lost, {open} open; win rate {count} by count, {value} by value",
                              "{won} dobljenih, {lost} izgubljenih, {open} odprtih; uspešnost {count} po številu, {value} po vrednosti"),
    "dossier.competitors": ("Competitors and share of wallet", "Konkurenti in delež v nakupih stranke"),
    "dossier.contacts": ("Contacts", "Kontakti"),
    "dossier.tenders": ("Tenders", "Razpisi"),
    "dossier.incidents": ("Complaints", "Reklamacije"),
    "dossier.notes": ("Notes", "Zapiski"),
    "dossier.us": ("us (remainder)", "mi (ostanek)"),
    "dossier.as_of_line": ("Dossier as of {date}", "Dosje na dan {date}"),
    "dossier.c.name": ("Name", "Ime"),
    "dossier.c.role": ("Function", "Funkcija"),
    "dossier.c.title": ("Title", "Naziv"),
    "dossier.c.buying_role": ("Buying role", "Vloga pri nakupu"),
    "dossier.c.influence": ("Influence 0–10", "Vpliv 0–10"),
    "dossier.c.attitude": ("Attitude", "Odnos"),
    "dossier.c.reports_to": ("Reports to", "Poroča"),
    "dossier.c.last_contact": ("Last contact", "Zadnji stik"),
    "dossier.c.email": ("E-mail", "E-pošta"),
    "dossier.c.phone": ("Phone", "Telefon"),
    "dossier.c.date": ("Date", "Datum"),
    "dossier.c.status": ("Status", "Status"),
    "dossier.c.value": ("Value", "Vrednost"),
    "dossier.c.reasons": ("Reasons", "Razlogi"),
    "dossier.c.winner": ("Winner", "Zmagovalec"),
    "dossier.c.competitor": ("Competitor", "Konkurent"),
    "dossier.c.share_of_wallet": ("Share of wallet", "Delež v nakupih"),
    "dossier.c.strengths": ("Strengths", "Prednosti"),
    "dossier.c.weaknesses": ("Weaknesses", "Slabosti"),
    "dossier.c.notes": ("Notes", "Opombe"),
    "dossier.c.note": ("Note", "Zapisek"),
    # prospects (issue 6)
    "prospects.rule": ("Need, solvency and authority to decide are scored 0 (no), 1 (partly) or 2 (yes); qualified = score ≥ {n} with no zero.",
                       "Potreba, plačilna sposobnost in pristojnost odločanja: 0 (ne), 1 (delno) ali 2 (da); kvalificirana = vsota ≥ {n} brez ničle."),
    "prospects.open": ("Open prospects", "Odprte potencialne stranke"),
    "prospects.qualified": ("Qualified", "Kvalificirane"),
    "prospects.converted": ("Converted to clients", "Pretvorjene v stranke"),
    "prospects.key_median": ("Median key client a year", "Mediana ključne stranke na leto"),
    "prospects.key_median_help": ("Median yearly revenue of the current key clients: a prospect's potential is compared with it.",
                                  "Mediana letnih prihodkov trenutnih ključnih strank: s njo primerjamo potencial."),
    "prospects.empty": ("No prospects yet: add them in the table below or import a prospects file on the Data page.",
                        "Še ni potencialnih strank: dodajte jih v tabelo spodaj ali uvozite datoteko na strani Podatki."),
    "prospects.scale": ("0 = no, 1 = partly, 2 = yes", "0 = ne, 1 = delno, 2 = da"),
    "prospects.qualified_list": ("Qualified prospects, best first", "Kvalificirane potencialne stranke, najboljše najprej"),
    "prospects.by_source": ("By source", "Po viru"),
    "prospects.by_owner": ("By owner", "Po lastniku"),
    "prospects.convert": ("Convert a prospect into a client", "Pretvori potencialno stranko v stranko"),
    "prospects.convert_pick": ("Prospect", "Potencialna stranka"),
    "prospects.convert_hint": ("Pick a prospect to convert", "Izberite potencialno stranko"),
    "prospects.not_qualified": ("This prospect is not qualified (score below the threshold or a zero).",
                                "Ta potencialna stranka ni kvalificirana (premajhna vsota ali ničla)."),
    "prospects.convert_button": ("Make {name} a client", "Naredi {name} stranko"),
    "prospects.all": ("All prospects (editable)", "Vse potencialne stranke (urejanje)"),
    "prospects.vs_key_help": ("Potential divided by the median yearly revenue of key clients (1.00× = as big as a typical key client).",
                              "Potencial deljen z mediano letnih prihodkov ključnih strank (1,00× = kot tipična ključna stranka)."),
    "prospects.c.name": ("Prospect", "Potencialna stranka"),
    "prospects.c.industry": ("Industry", "Panoga"),
    "prospects.c.region": ("Region", "Regija"),
    "prospects.c.source": ("Source", "Vir"),
    "prospects.c.need": ("Need", "Potreba"),
    "prospects.c.solvency": ("Solvency", "Plačilna sposobnost"),
    "prospects.c.authority": ("Authority", "Pristojnost"),
    "prospects.c.score": ("Score", "Ocena"),
    "prospects.c.qualified": ("Qualified", "Kvalificirana"),
    "prospects.c.potential": ("Potential a year", "Potencial na leto"),
    "prospects.c.vs_key": ("vs key client", "glede na ključno"),
    "prospects.c.owner": ("Owner", "Lastnik"),
    "prospects.c.notes": ("Evidence notes", "Dokazila"),
    "prospects.c.converted": ("Client ID", "ID stranke"),
    "prospects.c.prospects": ("Prospects", "Potencialne"),
    "prospects.c.qualified_n": ("Qualified", "Kvalificirane"),
    "prospects.c.converted_n": ("Converted", "Pretvorjene"),
    "prospects.c.qual_potential": ("Qualified potential", "Kvalificiran potencial"),
    # key account managers (issue 6)
    "managers.none": ("(no manager)", "(brez skrbnika)"),
    "managers.explain": ("Change against the previous window {label}. Contact map = key clients with at least one decision maker; recent contact = within {days} days.",
                         "Sprememba glede na prejšnje obdobje {label}. Zemljevid stikov = ključne stranke z vsaj enim odločevalcem; nedaven stik = v zadnjih {days} dneh."),
    "managers.c.manager": ("Manager", "Skrbnik"),
    "managers.c.clients": ("Clients", "Stranke"),
    "managers.c.active": ("Active", "Aktivne"),
    "managers.c.revenue_change": ("Revenue change", "Sprememba prihodkov"),
    "managers.c.profit_change": ("Profit change", "Sprememba dobička"),
    "managers.c.incidents": ("Complaints", "Reklamacije"),
    "managers.c.winback_open": ("Win-back open", "Povrnitev odprta"),
    "managers.c.winback_contacted": ("Contacted", "Kontaktirane"),
    "managers.c.winback_won_back": ("Won back", "Povrnjene"),
    "managers.c.winback_given_up": ("Given up", "Opuščene"),
    "managers.c.key_map": ("Key: contact map", "Ključne: zemljevid stikov"),
    "managers.c.key_recent": ("Key: recent contact", "Ključne: nedaven stik"),
    "managers.winback_help": ("Clients of this manager with this win-back status set by the team.",
                              "Stranke skrbnika s tem statusom povrnitve, ki ga je nastavila ekipa."),
    "managers.key_map_help": ("Share of key clients with at least one decision maker among the contacts.",
                              "Delež ključnih strank z vsaj enim odločevalcem med kontakti."),
    "managers.key_recent_help": ("Share of key clients with a contact in the last {days} days.",
                                 "Delež ključnih strank s stikom v zadnjih {days} dneh."),
    "managers.drill": ("A manager's clients", "Stranke skrbnika"),
    "managers.summary": ("**{name}**: {n} clients, {k} key, revenue {revenue}, at risk {risk}. Click a client to open its dossier.",
                         "**{name}**: {n} strank, {k} ključnih, prihodki {revenue}, ogroženo {risk}. Kliknite stranko za dosje."),
    # account-based marketing (issue 6)
    "abm.list_key": ("Key clients", "Ključne stranke"),
    "abm.list_perspective": ("Perspective clients", "Perspektivne stranke"),
    "abm.list_winback": ("Win-back", "Povrnitev"),
    "abm.intro": ("Target lists for campaigns, each with the contact cards of the client's decision makers. Click a row to open the dossier.",
                  "Ciljni seznami za akcije s kontakti odločevalcev stranke. Kliknite vrstico za dosje."),
    "abm.coverage": ("{n} of {total} with a known decision maker", "{n} od {total} z znanim odločevalcem"),
    "abm.download": ("Excel with all lists", "Excel z vsemi seznami"),
    "abm.prospects": ("{n} qualified prospects are perspective candidates too: see the Prospects page.",
                      "{n} kvalificiranih potencialnih strank je tudi perspektivnih kandidatov: glejte stran Potencialne stranke."),
    "abm.explain_key": ("Key clients of the window: retain and develop.", "Ključne stranke obdobja: ohranjanje in razvoj."),
    "abm.explain_perspective": ("Clients tagged perspective (new with large potential, or fast growth).",
                                "Stranke z oznako perspektivna (nove z velikim potencialom ali hitra rast)."),
    "abm.explain_winback": ("Lost and lapsing clients of class A/B or key, by revenue at risk.",
                            "Izgubljene in upadajoče stranke razreda A/B ali ključne, po ogroženih prihodkih."),
    "abm.missing_dm": ("Without a known decision maker ({n}): {names}", "Brez znanega odločevalca ({n}): {names}"),
    "abm.c.contact": ("Decision maker", "Odločevalec"),
    "abm.c.title": ("Title", "Naziv"),
    "abm.c.email": ("E-mail", "E-pošta"),
    "abm.c.phone": ("Phone", "Telefon"),
    "abm.c.has_dm": ("Decision maker known", "Odločevalec znan"),
}


def t(key: str, lang: str = "en", **values) -> str:
    """The text for ``key`` in ``lang`` with ``{placeholders}`` filled."""
    pair = TEXTS.get(key)
    if pair is None:
        text = key
    else:
        text = pair[1] if lang == "sl" and pair[1] else pair[0]
    return text.format(**values) if values else text


def _group(number: float, decimals: int, lang: str) -> str:
    s = f"{abs(number):,.{decimals}f}"
    if lang == "sl":
        s = s.replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("−" if number < 0 and float(s.replace(".", "").replace(",", "") or 0) != 0 else "") + s


def fmt_number(x, lang: str = "en", decimals: int = 0) -> str:
    """1,234.56 (en) or 1.234,56 (sl); '–' for missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return _group(float(x), decimals, lang)


def fmt_money(x, lang: str = "en", currency: str = "EUR", decimals: int = 0) -> str:
    """€1,234 (en) or 1.234 € (sl)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    sym = CURRENCY_SYMBOLS.get(currency, currency)
    body = _group(float(x), decimals, lang)
    sign = "−" if body.startswith("−") else ""
    body = body.lstrip("−")
    if lang == "sl" or len(sym) > 1:
        return f"{sign}{body} {sym}"
    return f"{sign}{sym}{body}"


def fmt_money_short(x, lang: str = "en", currency: str = "EUR") -> str:
    """Compact money for headlines: €1.23M / 1,23 mio €."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    v = float(x)
    for size, en, sl in ((1e9, "B", " mrd"), (1e6, "M", " mio"), (1e3, "k", " tis.")):
        if abs(v) >= size:
            num = _group(v / size, 2 if abs(v) < 10 * size else 1, lang)
            sym = CURRENCY_SYMBOLS.get(currency, currency)
            if lang == "sl":
                return f"{num}{sl} {sym}"
            sign = "−" if num.startswith("−") else ""
            return f"{sign}{sym}{num.lstrip('−')}{en}"
    return fmt_money(v, lang, currency)


def fmt_pct(x, lang: str = "en", decimals: int = 1) -> str:
    """A fraction as a percentage: 0.1234 -> 12.3 % (sl: 12,3 %)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{_group(100 * float(x), decimals, lang)} %"

# Slovenian texts of the chart labels (kamcore.charts.LABELS holds the English ones).
CHART_SL: dict[str, str] = {
    "no_data": "Ni podatkov", "month": "Mesec", "revenue": "Prihodki", "profit": "Dobiček",
    "previous": "Prejšnje obdobje", "monthly_revenue": "Prihodki po mesecih", "matrix": "Matrika ABC-XYZ",
    "clients": "strank", "share": "delež", "X": "X redni", "Y": "Y nihajoči", "Z": "Z neredni",
    "abc_-": "ni razvrščena", "xyz_-": "brez prihodkov", "xyz_new": "nova",
    "migration": "Premiki glede na prejšnje obdobje", "previous_window": "prejšnje obdobje",
    "current_window": "trenutno obdobje", "pareto": "Paretova krivulja", "client_rank": "Stranke (po vrednosti)",
    "cum_share": "Kumulativni delež", "of_clients": "strank", "lorenz": "Lorenzova krivulja",
    "equality": "Enaki deleži", "share_of_clients": "Delež strank (od najmanjše)", "share_of_value": "Delež vrednosti",
    "key_band": "Delež ključnih strank", "band": "pas metode", "type_bubbles": "Tipi strank",
    "growth": "Rast glede na prejšnje obdobje", "no_growth": "brez rasti (ni prejšnjih prihodkov) ni prikazano",
    "class_counts": "Stranke po razredih", "risk_trend": "Ogroženi prihodki", "revenue_at_risk": "Ogroženi prihodki",
    "complaints_over_time": "Reklamacije po mesecih", "complaints": "Reklamacije",
    "complaints_pareto": "Kje nastajajo napake", "stage": "Faza", "cum_pct": "Kumulativno %", "unknown": "neznano",
    "p_alive": "Verjetnost aktivnosti", "p_alive_title": "Verjetnost, da je stranka še aktivna",
    "too_little_history": "premalo zgodovine", "late_deliveries": "Pravočasne dobave",
    "on_time_rate": "Delež pravočasnih", "target": "cilj", "buying_centre": "Nakupni center",
    "decision maker": "Odločevalec", "influencer": "Vplivneži", "buyer": "Kupci", "user": "Uporabniki",
    "gatekeeper": "Vratar", "other": "Drugo", "supporter": "podpornik", "neutral": "nevtralen",
    "opponent": "nasprotnik", "influence": "vpliv", "manager_portfolio": "Portfelj po skrbnikih",
    "manager": "Skrbnik", "no_manager": "(brez skrbnika)", "revenue_history": "Prihodki in razred po obdobjih",
    "period": "Obdobje", "feeder": "hranitelj", "perspective": "perspektivna", "image_maker": "image-maker",
    "expert": "strokovnjak", "standard": "standardna",
}


def chart_labels(lang: str, english: dict[str, str]) -> dict[str, str]:
    """Chart texts in ``lang`` for the keys of ``english`` (kamcore.charts.LABELS)."""
    if lang != "sl":
        return dict(english)
    return {k: CHART_SL.get(k, v) for k, v in english.items()}
